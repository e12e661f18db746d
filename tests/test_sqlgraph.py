"""The embedded store's SQLite rows: the order a batch's rows are written in."""

from __future__ import annotations

import random
import tracemalloc
from pathlib import Path

import pytest

from graphsvc.store import sqlgraph
from graphsvc.store.codec import Properties
from graphsvc.store.sqlgraph import SCANNED_ITEMS, SqlGraph, _dumps, _loads, in_order


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


def test_node_rows_hold_no_more_memory_than_their_json() -> None:
    props: Properties = {"item": "IT-1", "site": "SI-1", "step": "stored"}

    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        rows = [_dumps(props) for _ in range(100)]
        held = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()

    assert rows[0] == b'{"item":"IT-1","site":"SI-1","step":"stored"}'
    assert held < 100 * 200


def test_only_a_node_holding_a_float_is_scanned_for_long_integers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    scanned: list[bytes] = []
    digits = sqlgraph._LONG_DIGITS

    class Spy:
        def search(self, raw: bytes) -> object:
            scanned.append(raw)
            return digits.search(raw)

    monkeypatch.setattr(sqlgraph, "_LONG_DIGITS", Spy())
    plain = b'{"item":"https://id.gs1.org/00/006141410000000000005","n":[1,{"m":2}]}'
    floats = b'{"serial":12345678901234567890123,"ratio":0.5}'

    assert _loads(plain) == {
        "item": "https://id.gs1.org/00/006141410000000000005",
        "n": [1, {"m": 2}],
    }
    assert _loads(floats) == {"serial": 12345678901234567890123, "ratio": 0.5}
    assert scanned == [floats]


def test_scanned_items_seeks_the_targets_scans_before_their_items(
    tmp_path: Path,
) -> None:
    graph = SqlGraph(tmp_path / "graph.sqlite3")
    sql = "EXPLAIN QUERY PLAN " + SCANNED_ITEMS.format("?, ?")

    plan = [row[3] for row in graph.db.execute(sql, ("BY_PARTY", "PA-1", "PA-2"))]
    graph.close()

    assert plan == [
        "SEARCH r USING COVERING INDEX edges_in (type=? AND dst=?)",
        "SEARCH o USING PRIMARY KEY (type=? AND src=?)",
        "USE TEMP B-TREE FOR DISTINCT",
    ]
