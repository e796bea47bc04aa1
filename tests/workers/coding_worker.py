"""A separate process that applies codings to one project, for the concurrency and crash tests.

Usage: python -m tests.workers.coding_worker PROJECT DOCUMENT_ID CODE_ID CODER COUNT [--print]

Applies COUNT codings on distinct spans [2i, 2i+1). With --print, writes «guid start end» on
stdout after each commit (the crash test kills the process at random moments). At the end it
writes one JSON line: {"count", "max_latency", "latencies" (slowest 5 %),
"started", "finished" (epoch seconds), "errors"}.
"""

from __future__ import annotations

import json
import sys
import time

from coding.operations import apply_coding
from coding.store import Project


def main(argv: list[str]) -> int:
    path, document_id, code_id, coder, count = argv[:5]
    echo = "--print" in argv
    latencies: list[float] = []
    errors: list[str] = []
    with Project.open(path) as project:
        started = time.time()
        for i in range(int(count)):
            t0 = time.perf_counter()
            try:
                coding = apply_coding(
                    project, int(document_id), int(code_id), coder, 2 * i, 2 * i + 1
                )
            except Exception as exc:  # the test asserts there were none
                errors.append(f"{type(exc).__name__}: {exc}")
                continue
            latencies.append(time.perf_counter() - t0)
            if echo:
                print(coding.guid, coding.start, coding.end, flush=True)
    finished = time.time()
    summary = {
        "count": len(latencies),
        "max_latency": max(latencies, default=0.0),
        "latencies": sorted(latencies)[-len(latencies) // 20 :],  # the slowest 5 %
        "started": started,
        "finished": finished,
    }
    print(json.dumps(dict(summary, errors=errors)), flush=True)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
