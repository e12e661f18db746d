"""The embedded store keeps exactly what it acknowledged, across restarts and kills."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

import pytest

from graphsvc.model import NODE_TYPES
from graphsvc.store.base import Edge, Node
from graphsvc.store.embedded import DB_FILE, EmbeddedStore
from loaders.load import load_paths


def write_feed(directory: Path, items: int) -> list[Path]:
    """A small, connected feed split over three files."""
    directory.mkdir(parents=True, exist_ok=True)
    master = [
        {"kind": "brand", "id": "B1", "name": "Luma"},
        {"kind": "party", "id": "FAB", "name": "Fab", "role": "manufacturer"},
        {"kind": "party", "id": "DIS", "name": "Dis", "role": "distributor"},
        {"kind": "site", "id": "S1", "operator": "FAB", "country": "FR"},
        {"kind": "site", "id": "S2", "operator": "DIS", "country": "DE"},
        {"kind": "product", "id": "P1", "brand": "B1"},
        {
            "kind": "authorization",
            "brand": "B1",
            "party": "DIS",
            "valid_from": "2025-01-01",
            "territories": ["DE"],
        },
    ]
    items_feed = [
        {
            "kind": "item",
            "id": f"I{n:06d}",
            "product": "P1",
            "produced_at": "S1",
            "produced_on": "2026-01-01T08:00:00+01:00",
            "colour": "red",
        }
        for n in range(items)
    ]
    moves = [
        {
            "kind": "shipment",
            "id": f"SH{n // 10:05d}",
            "shipper": "FAB",
            "consignee": "DIS",
            "origin": "S1",
            "destination": "S2",
            "shipped_at": "2026-01-05T08:00:00Z",
            "items": [f"I{n:06d}"],
        }
        for n in range(items)
    ]
    paths = []
    for name, rows in (
        ("a-master", master),
        ("b-items", items_feed),
        ("c-moves", moves),
    ):
        path = directory / f"{name}.jsonl"
        path.write_text("".join(json.dumps(r) + "\n" for r in rows))
        paths.append(path)
    return paths


def snapshot(store: EmbeddedStore) -> tuple[list[Node], list[Edge]]:
    nodes = [n for t in NODE_TYPES for n in store.nodes(t.label)]
    return nodes, list(store.edges())


def test_reopening_restores_exactly_the_acknowledged_graph(tmp_path: Path) -> None:
    paths = write_feed(tmp_path / "feed", items=200)
    store = EmbeddedStore(tmp_path / "data")
    load_paths(store, paths, batch_size=64)
    before = snapshot(store)
    store.close()

    reopened = EmbeddedStore(tmp_path / "data")
    after = snapshot(reopened)
    reopened.close()

    assert after == before
    assert len(before[0]) == 200 + 20 + 7
    assert len(before[1]) == 200 * 3 + 20 * 4 + 2 + 1 + 2


def test_loading_twice_or_in_another_order_gives_the_same_graph(tmp_path: Path) -> None:
    paths = write_feed(tmp_path / "feed", items=50)
    once = EmbeddedStore(tmp_path / "once")
    load_paths(once, paths)
    twice = EmbeddedStore(tmp_path / "twice")
    load_paths(twice, paths)
    second = load_paths(twice, paths)
    reversed_ = EmbeddedStore(tmp_path / "reversed")
    load_paths(reversed_, list(reversed(paths)), batch_size=7)

    assert snapshot(twice) == snapshot(once)
    assert snapshot(reversed_) == snapshot(once)
    assert {change.value for _, change in second.changes} == {"unchanged"}
    for opened in (once, twice, reversed_):
        opened.close()


def count_brands(db: Path) -> int:
    """Brands committed so far, read beside the running loader (0 before its schema)."""
    if not db.exists():
        return 0
    with closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as conn:
        try:
            (n,) = conn.execute(
                "SELECT count(*) FROM nodes WHERE label = 'Brand'"
            ).fetchone()
        except sqlite3.OperationalError:
            return 0
    return int(n)


@pytest.mark.slow
def test_a_killed_load_leaves_whole_batches_and_a_rerun_finishes(
    tmp_path: Path,
) -> None:
    total, batch = 40_000, 1_000
    feed = tmp_path / "brands.jsonl"
    feed.write_text(
        "".join(
            json.dumps({"kind": "brand", "id": f"B{n:06d}", "name": f"Brand {n}"})
            + "\n"
            for n in range(total)
        )
    )
    data = tmp_path / "data"
    command = [
        sys.executable,
        "-m",
        "graphsvc",
        "load",
        "--data-dir",
        str(data),
        "--batch-size",
        str(batch),
        str(feed),
    ]

    loader = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if count_brands(data / DB_FILE) >= 3 * batch:
            break
        time.sleep(0.005)
    os.kill(loader.pid, signal.SIGKILL)
    loader.wait()
    killed_at = count_brands(data / DB_FILE)

    rerun = subprocess.run(command, capture_output=True, text=True, check=False)

    assert loader.returncode == -signal.SIGKILL
    assert killed_at % batch == 0
    assert 3 * batch <= killed_at < total
    assert rerun.returncode == 0, rerun.stderr
    store = EmbeddedStore(data)
    assert store.counts().nodes == {"Brand": total}
    assert [n.id for n in store.nodes("Brand")][:2] == ["B000000", "B000001"]
    store.close()
    assert f"{'brand':<16}{total - killed_at:>10}{0:>10}{killed_at:>10}" in rerun.stdout
