"""Findings stay current as data loads, evaluating only what a load touched."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

from graphsvc.investigation import Investigation, RefreshReport
from graphsvc.store.base import FindingQuery
from graphsvc.store.embedded import EmbeddedStore
from loaders.load import load_paths

WORLD: list[Mapping[str, object]] = [
    {"kind": "brand", "id": "B", "name": "Luma"},
    {"kind": "product", "id": "P", "brand": "B"},
    {"kind": "party", "id": "FAB", "name": "Fab", "role": "manufacturer"},
    {"kind": "party", "id": "NORD", "name": "Nord", "role": "distributor"},
    {"kind": "site", "id": "S-FAB", "operator": "FAB", "country": "FR"},
    {"kind": "site", "id": "S-HAM", "operator": "NORD", "country": "DE"},
    *(
        {
            "kind": "item",
            "id": f"I{n}",
            "product": "P",
            "produced_at": "S-FAB",
            "produced_on": "2026-01-01T00:00:00Z",
        }
        for n in range(5)
    ),
]


def shipment(id_: str, items: list[str]) -> dict[str, object]:
    return {
        "kind": "shipment",
        "id": id_,
        "shipper": "FAB",
        "consignee": "NORD",
        "origin": "S-FAB",
        "destination": "S-HAM",
        "items": items,
        "shipped_at": "2026-02-01T00:00:00Z",
    }


def load(store: EmbeddedStore, tmp_path: Path, *rows: Mapping[str, object]) -> None:
    feed = tmp_path / "feed.jsonl"
    feed.write_text("".join(json.dumps(r) + "\n" for r in rows))
    load_paths(store, [feed])


def kinds(investigation: Investigation) -> list[tuple[str, str, str | None]]:
    return [
        (s.finding.kind.value, s.finding.item, s.finding.party)
        for s in investigation.findings(FindingQuery())
    ]


def test_a_load_evaluates_only_the_items_it_touched(
    store: EmbeddedStore, tmp_path: Path
) -> None:
    investigation = Investigation(store)
    load(store, tmp_path, *WORLD)
    first = investigation.refresh()

    load(store, tmp_path, shipment("SH1", ["I1", "I3"]))
    second = investigation.refresh()
    third = investigation.refresh()

    assert first == RefreshReport(items=5, findings=0)
    assert second == RefreshReport(items=2, findings=2)
    assert third == RefreshReport(items=0, findings=0)
    assert kinds(investigation) == [
        ("UNAUTHORIZED_HOLDER", "I1", "NORD"),
        ("UNAUTHORIZED_HOLDER", "I3", "NORD"),
    ]


def test_a_new_authorization_clears_the_findings_it_covers(
    store: EmbeddedStore, tmp_path: Path
) -> None:
    investigation = Investigation(store)
    load(store, tmp_path, *WORLD, shipment("SH1", ["I1", "I3"]))
    investigation.refresh()

    load(
        store,
        tmp_path,
        {
            "kind": "authorization",
            "brand": "B",
            "party": "NORD",
            "valid_from": "2025-01-01",
            "territories": ["DE"],
        },
    )
    report = investigation.refresh()

    assert report == RefreshReport(items=2, findings=0)
    assert kinds(investigation) == []


def test_findings_left_pending_by_a_crash_are_caught_up_at_the_next_start(
    tmp_path: Path,
) -> None:
    store = EmbeddedStore(tmp_path / "data")
    load(store, tmp_path, *WORLD, shipment("SH1", ["I2"]))
    store.close()  # as if the process died before evaluating the batch

    reopened = EmbeddedStore(tmp_path / "data")
    investigation = Investigation(reopened)
    pending = reopened.pending()
    report = investigation.refresh()

    assert pending.count == 12
    assert report == RefreshReport(items=5, findings=1)
    assert kinds(investigation) == [("UNAUTHORIZED_HOLDER", "I2", "NORD")]
    assert reopened.pending().count == 0
    reopened.close()
