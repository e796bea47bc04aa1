"""A coder writing while a benchmark reads: ``python -m benchmarks.writer PROJECT DOCUMENT CODE
CODER INTERVAL STOPFILE`` applies a coding every INTERVAL seconds (on spans [2i, 2i+1) of the
document) until STOPFILE exists, then prints how many it applied."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from coding.operations import apply_coding
from coding.store import Project


def main(argv: list[str]) -> int:
    path, document, code, coder, interval, stop = argv
    count = 0
    with Project.open(path) as project:
        while not Path(stop).exists():
            apply_coding(project, int(document), int(code), coder, 2 * count, 2 * count + 1)
            count += 1
            time.sleep(float(interval))
    print(count)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
