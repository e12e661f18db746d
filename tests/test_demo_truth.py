"""On generated demo data, the engine finds exactly what the generator planted."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from graphsvc import investigation as investigation_module
from graphsvc.generate import generate
from graphsvc.investigation import Investigation
from graphsvc.store.base import FindingQuery
from graphsvc.store.embedded import EmbeddedStore
from loaders.load import load_paths

CaseKey = tuple[str, str, str | None, str | None]


@pytest.fixture(scope="module")
def demo(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[Any, Investigation, Path]]:
    root = tmp_path_factory.mktemp("demo")
    generate(root / "feed", items=3_000, seed=11)
    truth = json.loads((root / "feed" / "truth.json").read_text())
    store = EmbeddedStore(root / "data")
    report = load_paths(store, [root / "feed"])
    assert report.ok, report.render()
    investigation = Investigation(store)
    investigation.refresh()
    yield truth, investigation, root / "feed"
    store.close()


def test_saved_findings_are_those_each_provenance_answers(
    demo: tuple[Any, Investigation, Path],
) -> None:
    _, investigation, _ = demo
    store = investigation.store
    with_findings = 0
    for item in store.item_ids():
        provenance = investigation.provenance(item)
        assert provenance is not None
        saved = [s.finding for s in store.item_findings(item)]
        assert list(provenance.findings) == saved
        with_findings += bool(saved)
    assert with_findings > 20


def test_refresh_traces_pending_nodes_in_parts_to_the_same_findings(
    demo: tuple[Any, Investigation, Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _, whole, feed = demo
    monkeypatch.setattr(investigation_module, "TRACE_BATCH", 97)
    store = EmbeddedStore(tmp_path / "data")
    try:
        load_paths(store, [feed])
        report = Investigation(store).refresh()
        in_parts = {s.finding.id for s in store.findings(FindingQuery())}
        assert report.items == len(store.item_ids())
    finally:
        store.close()
    assert in_parts == {s.finding.id for s in whole.findings(FindingQuery())}


def test_every_planted_finding_and_nothing_else_is_found(
    demo: tuple[Any, Investigation, Path],
) -> None:
    truth, investigation, _ = demo
    expected: Counter[CaseKey] = Counter(
        (c["kind"], c["item"], c["party"], c["shipment"]) for c in truth["cases"]
    )

    found: Counter[CaseKey] = Counter(
        (s.finding.kind.value, s.finding.item, s.finding.party, s.finding.shipment)
        for s in investigation.findings(FindingQuery())
    )

    assert found - expected == Counter()
    assert expected - found == Counter()
    assert len(truth["cases"]) > 20
    assert {kind for kind, *_ in expected} == {
        "UNAUTHORIZED_HOLDER",
        "AUTHORIZATION_NOT_IN_FORCE",
        "OUT_OF_TERRITORY",
        "BROKEN_CUSTODY",
        "CLONED_SERIAL",
        "UNKNOWN_ITEM",
        "REENTRY",
    }


def test_every_planted_ring_is_one_cluster(
    demo: tuple[Any, Investigation, Path],
) -> None:
    truth, investigation, _ = demo

    clusters = investigation.clusters()
    by_members = {c.members: c for c in clusters}

    assert len(truth["rings"]) >= 3
    for ring in truth["rings"]:
        cluster = by_members.get(tuple(ring["members"]))
        assert cluster is not None, ring
        assert list(cluster.entry_points) == ring["entry_points"]
        assert list(cluster.exits) == ring["exits"]


def test_a_reload_keeps_cluster_ids(
    demo: tuple[Any, Investigation, Path], tmp_path: Path
) -> None:
    _, investigation, feed = demo
    first = [c.id for c in investigation.clusters()]

    store = EmbeddedStore(tmp_path / "again")
    load_paths(store, [feed])
    again = Investigation(store)
    again.refresh()
    second = [c.id for c in again.clusters()]
    store.close()

    assert second == first
