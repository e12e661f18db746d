"""The embedded store's SQLite rows: the order a batch's rows are written in."""

from __future__ import annotations

import random

from graphsvc.store.sqlgraph import in_order


def test_in_order_sorts_as_sorted_does() -> None:
    words = ["", "a", "ab", "b", "a\x00", "é", "Z"]
    rows = [(x, y, z) for x in words[:3] for y in words for z in words[2:]]
    random.Random(7).shuffle(rows)

    assert in_order(rows) == sorted(rows)


def test_in_order_takes_any_iterable_and_nothing() -> None:
    assert in_order(iter({("b", "1"), ("a", "2"), ("a", "1")})) == [
        ("a", "1"),
        ("a", "2"),
        ("b", "1"),
    ]
    assert in_order([]) == []
