"""The demo: its feed generated once, loaded once into its store."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from graphsvc.service import load_into, prepare_demo
from graphsvc.store.embedded import EmbeddedStore
from graphsvc.store.loads import LoadQuery

BRAND = {"kind": "brand", "id": "B1", "name": "Luma"}
PARTY = {"kind": "party", "id": "P1", "name": "Nord", "role": "distributor"}


def write_feed(data_dir: Path, items: int = 1) -> Path:
    """A demo folder whose feed is there already: two files and their truth."""
    feed = data_dir / "feed"
    feed.mkdir(parents=True)
    (feed / "brands.jsonl").write_text(json.dumps(BRAND) + "\n")
    (feed / "parties.jsonl").write_text(json.dumps(PARTY) + "\n")
    truth = {"seed": 7, "items": items, "cases": [], "rings": []}
    (feed / "truth.json").write_text(json.dumps(truth))
    return feed


def test_a_restarted_demo_keeps_changes_and_adds_no_loads(tmp_path: Path) -> None:
    data_dir = tmp_path / "demo-data"
    feed = write_feed(data_dir)
    store_dir = prepare_demo(data_dir, items=1, seed=7)
    correction = tmp_path / "upload" / "party.jsonl"
    correction.parent.mkdir()
    correction.write_text(json.dumps({**PARTY, "name": "Nord Trading"}) + "\n")
    load_into(store_dir, [correction], source="upload")

    again = prepare_demo(data_dir, items=1, seed=7)

    store = EmbeddedStore(again)
    try:
        names = [n.properties["name"] for n in store.nodes("Party")]
        loads = [(r.source, r.file_name) for r in store.loads(LoadQuery())]
    finally:
        store.close()
    assert names == ["Nord Trading"]
    assert loads == [
        ("upload", str(correction)),
        ("demo", str(feed / "parties.jsonl")),
        ("demo", str(feed / "brands.jsonl")),
    ]
    assert len(list((store_dir / "loads").iterdir())) == 1


def test_a_demo_kept_at_another_size_than_asked_says_so(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    data_dir = tmp_path / "demo-data"
    write_feed(data_dir, items=300)
    caplog.set_level(logging.WARNING, logger="graphsvc.service")
    prepare_demo(data_dir, items=300, seed=7)
    prepare_demo(data_dir)
    unasked = [r.getMessage() for r in caplog.records]
    caplog.clear()

    prepare_demo(data_dir, items=2_000)

    assert unasked == []
    assert [r.getMessage() for r in caplog.records] == [
        f"demo.kept dir={data_dir} items=300 seed=7 asked_items=2000 asked_seed=7"
        f" reason={data_dir} holds a demo of 300 items (seed 7), kept as it is with"
        f" what changed since; delete {data_dir} to start over with 2000 items"
        " (seed 7)"
    ]
