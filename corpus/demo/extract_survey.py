"""Make ``survey_sintef_2014.csv`` from the text of SINTEF A26099 (2014).

Usage (from the repository root)::

    PYTHONPATH=. python corpus/demo/extract_survey.py REPORT.txt \
        > corpus/demo/survey_sintef_2014.csv

Every line that ends with an anonymised attribution such as «(Liten kommune i Nord-Norge)» is an
open survey answer quoted in the report; the answer text is kept exactly as quoted, with the
section (the report's theme) it is quoted under. A numbered list quoted over several lines
(«1. ... 2. ... 3. ... (Storbykommune)») is kept whole.
"""

from __future__ import annotations

import csv
import re
import sys

from corpus.attribution import split_attribution

SOURCE = "SINTEF A26099 (2014)"
HEADER = ["respondent", "kilde", "line", "section", "answer", "attribution", "size_class", "region"]
FIRST_BODY_LINE = 190  # the table of contents comes before; its headings are not sections
_HEADING = re.compile(r"^(\d+(?:\.\d+)+)\s+(\S.*)$")
_LIST_ITEM = re.compile(r"^(\d+)\. ")


def quoted_answers(lines: list[str]) -> list[list[str]]:
    rows: list[list[str]] = []
    section = ""
    for index, line in enumerate(lines):
        heading = _HEADING.match(line)
        if heading and index + 1 > FIRST_BODY_LINE and len(line) < 120:
            section = f"{heading.group(1)} {heading.group(2)}"
            continue
        answer, attribution, parsed = split_attribution(line)
        if not attribution or len(answer) <= 15:
            continue
        first, answer = _whole_list(lines, index, answer)
        rows.append(
            [
                f"Respondent {len(rows) + 1:03d}",
                SOURCE,
                str(first + 1),
                section,
                answer,
                attribution,
                parsed.get("size_class", ""),
                parsed.get("region", ""),
            ]
        )
    return rows


def _whole_list(lines: list[str], index: int, answer: str) -> tuple[int, str]:
    """Where a quoted numbered list starts, and its items joined by line breaks."""
    item = _LIST_ITEM.match(answer)
    parts, first, j = [answer], index, index - 1
    while item and int(item.group(1)) > 1 and j >= 0:
        if lines[j].strip():
            item = _LIST_ITEM.match(lines[j])
            if not item:
                break
            parts.insert(0, lines[j].strip())
            first = j
        j -= 1
    return first, "\n".join(parts)


def main() -> None:
    with open(sys.argv[1], encoding="utf-8") as handle:
        lines = handle.read().split("\n")
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(HEADER)
    writer.writerows(quoted_answers(lines))


if __name__ == "__main__":
    main()
