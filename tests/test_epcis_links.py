"""Placeholders that EPCIS events left, linked to the feed records that arrive later.

The order-independence of whole chains is part of the store contract
(`test_store_contract.py`); these are the finer rules of `loaders.epcis.links`.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from epcis_data import (
    CHAIN_EVENTS,
    CHAIN_FEED,
    CHAIN_ITEM,
    DL,
    jsonl,
    load_text,
    object_document,
)

from graphsvc.store.base import Store
from loaders.load import load_paths

MAKER = CHAIN_FEED[2]
"""The chain's manufacturer, GLN 4012345000016."""


def _feed(store: Store, tmp_path: Path, *rows: dict[str, str]) -> None:
    report = load_paths(store, [jsonl(tmp_path / "feed.jsonl", [*rows])])
    assert (report.rejected, report.failed_files) == (0, {})


def _shipping(store: Store, shipper: str) -> None:
    event = {
        **CHAIN_EVENTS[1],
        "sourceList": [{"type": "owning_party", "source": shipper}],
    }
    assert load_text(store, "ship.json", json.dumps(object_document([event]))).ok


def _shipper(store: Store) -> object:
    (shipment,) = store.nodes("Shipment")
    return shipment.properties["shipper"]


def test_a_party_named_by_a_location_of_its_gln_is_linked(
    any_store: Store, tmp_path: Path
) -> None:
    _shipping(any_store, "urn:epc:id:sgln:4012345.00001.5")
    placeholder = f"{DL}/414/4012345000016/254/5"
    named = _shipper(any_store)

    _feed(any_store, tmp_path, MAKER)

    assert named == placeholder
    assert _shipper(any_store) == "PA-MFG"
    assert [n.id for n in any_store.nodes("Party")] == [
        "PA-MFG",
        f"{DL}/417/0614141000012",
    ]


def test_the_lowest_id_of_a_gln_is_linked(any_store: Store, tmp_path: Path) -> None:
    _shipping(any_store, "urn:epc:id:pgln:4012345.00001")

    _feed(any_store, tmp_path, {**MAKER, "id": "PA-Z"}, {**MAKER, "id": "PA-A"})

    assert _shipper(any_store) == "PA-A"


def test_a_placeholder_that_a_feed_names_itself_stays(
    any_store: Store, tmp_path: Path
) -> None:
    grant = {
        "kind": "authorization",
        "brand": "BR-T",
        "party": "urn:epc:id:pgln:4012345.00001",
        "valid_from": "2024-01-01",
    }
    _shipping(any_store, "urn:epc:id:pgln:4012345.00001")
    _feed(any_store, tmp_path, grant)

    _feed(any_store, tmp_path, MAKER)

    placeholder = f"{DL}/417/4012345000016"
    assert _shipper(any_store) == "PA-MFG"
    (authorization,) = any_store.nodes("Authorization")
    assert authorization.properties["party"] == placeholder
    assert [n.id for n in any_store.referrers(("Party", placeholder))] == [
        authorization.id
    ]
    assert any_store.dangling()["Party"] == [f"{DL}/417/0614141000012", placeholder]


def test_a_reference_the_same_batch_writes_is_not_moved_over(
    any_store: Store, tmp_path: Path
) -> None:
    made = load_text(any_store, "made.json", json.dumps(object_document(CHAIN_EVENTS)))
    assert made.ok
    item = {
        "kind": "item",
        "id": CHAIN_ITEM,
        "product": "PR-T",
        "produced_at": "SI-DST",
        "produced_on": "2024-01-01T00:00:00Z",
    }

    # The site the commissioning named by GLN arrives with the item's own record,
    # which was loaded last and so is what the item says.
    _feed(any_store, tmp_path, *CHAIN_FEED, item)

    (node,) = any_store.nodes("Item")
    assert (node.properties["produced_at"], node.properties["produced_on"]) == (
        "SI-DST",
        datetime(2024, 1, 1, tzinfo=UTC),
    )
    assert [
        (n.properties["site"], n.properties["party"]) for n in any_store.nodes("Scan")
    ] == [
        ("SI-MFG", "PA-MFG"),
        ("SI-MFG", "PA-MFG"),
    ]
    assert [n.id for n in any_store.nodes("Site")] == ["SI-DST", "SI-MFG"]
