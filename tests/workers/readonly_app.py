"""The coding app on a project this process may not write, driven by Pilot; for the read-only
tests, which run it with permission bits enforced (see tests/hostile_disk.py).

Usage: python -m tests.workers.readonly_app PROJECT CODER KEYS...
Prints one JSON line: {"messages": [...], "sub_title", "screen"}.
"""

from __future__ import annotations

import asyncio
import json
import sys

from tui.app import KodeverkApp


async def drive(path: str, coder: str, keys: list[str]) -> dict:
    app = KodeverkApp(path, coder, document_id=1)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        for key in keys:
            await pilot.press(key)
            await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        return {
            "messages": [n.message for n in app._notifications],
            "sub_title": app.sub_title,
            "screen": type(app.screen).__name__,
        }


def main(argv: list[str]) -> int:
    result = asyncio.run(drive(argv[0], argv[1], argv[2:]))
    print(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
