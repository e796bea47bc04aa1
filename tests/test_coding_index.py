"""``coding.views.CodingIndex``: the codings over a span, found by buckets, must be those a scan
of all of them finds, in (start, id) order, through any changes."""

from __future__ import annotations

import random

from coding.views import INDEX_BUCKET, CodingIndex, CodingRow


def scan(rows: list[CodingRow], start: int, end: int, touching: bool) -> list[CodingRow]:
    if touching:
        found = [r for r in rows if r.start <= end and r.end >= start]
    else:
        found = [r for r in rows if r.start < end and r.end > start]
    return sorted(found, key=lambda r: (r.start, r.id))


def test_overlapping_is_a_scan_through_changes() -> None:
    rng = random.Random(13)
    length = 6 * INDEX_BUCKET
    next_id = 1

    def new_row() -> CodingRow:
        nonlocal next_id
        start = rng.randrange(length - 1)
        # short ones, ones across buckets, one over nearly everything; ends on bucket edges too
        span = rng.choice([1, 7, INDEX_BUCKET, 2 * INDEX_BUCKET + 1, length])
        end = min(start + span, length)
        if rng.random() < 0.2:
            end = min((end // INDEX_BUCKET + 1) * INDEX_BUCKET, length)
        next_id += 1
        return CodingRow(next_id, rng.randrange(3), rng.randrange(2), start, end)

    rows = [new_row() for _ in range(300)]
    index = CodingIndex(list(reversed(rows)))
    assert index.rows == sorted(rows, key=lambda r: (r.start, r.id))
    for _ in range(200):
        held = index.rows
        removed = rng.sample(held, k=min(len(held), rng.randrange(3)))
        added = [new_row() for _ in range(rng.randrange(3))]
        after = index.change(removed, added)
        assert after is index.rows and after is not held  # a new list: the old one kept as it was
        assert len(held) == len(after) + len(removed) - len(added)
        rows = [r for r in rows if r not in removed] + added
        assert after == sorted(rows, key=lambda r: (r.start, r.id))
        for _ in range(20):
            start = rng.randrange(length)
            end = min(start + rng.choice([1, 5, INDEX_BUCKET, 3 * INDEX_BUCKET]), length)
            for touching in (False, True):
                assert index.overlapping(start, end, touching=touching) == scan(
                    rows, start, end, touching
                )
