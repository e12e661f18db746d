"""How a store writes records: upserts, references, unions, defaults."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date
from pathlib import Path

import pytest

from graphsvc.errors import DataDirLocked
from graphsvc.records import Record
from graphsvc.store.base import Change, Edge
from graphsvc.store.embedded import EmbeddedStore
from loaders.feed import read_feed


def records(tmp_path: Path, *lines: Mapping[str, object]) -> list[Record]:
    path = tmp_path / "feed.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    found = list(read_feed(path))
    assert all(isinstance(r, Record) for r in found), found
    return [r for r in found if isinstance(r, Record)]


def write(
    store: EmbeddedStore, tmp_path: Path, *lines: Mapping[str, object]
) -> dict[str, int]:
    result = store.write(records(tmp_path, *lines))
    return {f"{kind}:{change.value}": n for (kind, change), n in result.changes.items()}


def test_present_fields_overwrite_and_absent_fields_are_kept(
    store: EmbeddedStore, tmp_path: Path
) -> None:
    party = {"kind": "party", "id": "P1", "name": "Nord", "role": "distributor"}
    write(store, tmp_path, {**party, "phone": "+49 40 1", "vat": "DE1"})

    changes = write(store, tmp_path, {**party, "name": "Nord GmbH", "web": "nord.de"})

    node = store.node("Party", "P1")
    assert node is not None
    assert node.properties == {
        "name": "Nord GmbH",
        "role": "distributor",
        "phone": "+49 40 1",
    }
    assert node.extra == {"vat": "DE1", "web": "nord.de"}
    assert changes == {"party:updated": 1}


def test_resending_a_record_changes_nothing(
    store: EmbeddedStore, tmp_path: Path
) -> None:
    brand = {"kind": "brand", "id": "B1", "name": "Luma"}

    first = write(store, tmp_path, brand)
    again = write(store, tmp_path, brand)

    assert first == {"brand:new": 1}
    assert again == {"brand:unchanged": 1}


def test_references_to_unknown_nodes_are_kept_as_stubs_until_described(
    store: EmbeddedStore, tmp_path: Path
) -> None:
    write(store, tmp_path, {"kind": "product", "id": "PR1", "brand": "B1"})

    assert store.dangling() == {"Brand": ["B1"]}
    assert store.node("Brand", "B1") is not None

    changes = write(store, tmp_path, {"kind": "brand", "id": "B1", "name": "Luma"})

    assert changes == {"brand:new": 1}
    assert store.dangling() == {}
    assert list(store.edges()) == [
        Edge("OF_BRAND", ("Product", "PR1"), ("Brand", "B1"))
    ]


def test_a_changed_reference_moves_the_relationship(
    store: EmbeddedStore, tmp_path: Path
) -> None:
    write(store, tmp_path, {"kind": "product", "id": "PR1", "brand": "B1"})

    write(store, tmp_path, {"kind": "product", "id": "PR1", "brand": "B2"})

    assert list(store.edges()) == [
        Edge("OF_BRAND", ("Product", "PR1"), ("Brand", "B2"))
    ]
    assert store.dangling() == {"Brand": ["B1", "B2"]}


def test_shipment_items_are_the_union_of_the_field_and_the_links(
    store: EmbeddedStore, tmp_path: Path
) -> None:
    shipment = {
        "kind": "shipment",
        "id": "S1",
        "shipper": "P1",
        "consignee": "P2",
        "origin": "A",
        "destination": "B",
        "shipped_at": "2026-01-01T00:00:00Z",
    }
    write(
        store,
        tmp_path,
        {"kind": "shipment_item", "shipment": "S1", "item": "I0"},
        {**shipment, "items": ["I1", "I2"]},
    )

    changes = write(
        store,
        tmp_path,
        {"kind": "shipment_item", "shipment": "S1", "item": "I3"},
        {"kind": "shipment_item", "shipment": "S1", "item": "I1"},
        {**shipment, "items": ["I2", "I4"]},
    )

    node = store.node("Shipment", "S1")
    assert node is not None
    assert node.properties["items"] == ("I0", "I1", "I2", "I3", "I4")
    carried = sorted(e.target[1] for e in store.edges() if e.type == "CARRIES")
    assert carried == ["I0", "I1", "I2", "I3", "I4"]
    assert changes == {
        "shipment_item:new": 1,
        "shipment_item:unchanged": 1,
        "shipment:updated": 1,
    }


def test_defaults_apply_when_a_node_is_first_described(
    store: EmbeddedStore, tmp_path: Path
) -> None:
    write(
        store,
        tmp_path,
        {"kind": "site", "id": "S1", "operator": "P1", "country": "DE"},
        {
            "kind": "authorization",
            "brand": "B",
            "party": "P",
            "valid_from": "2025-01-01",
        },
    )
    write(
        store,
        tmp_path,
        {"kind": "site", "id": "S1", "type": "port", "operator": "P1", "country": "DE"},
    )

    site = store.node("Site", "S1")
    auth = store.node("Authorization", "B/P/2025-01-01")
    assert site is not None
    assert auth is not None
    assert site.properties["type"] == "port"
    assert auth.properties == {
        "brand": "B",
        "party": "P",
        "valid_from": date(2025, 1, 1),
        "territories": ("*",),
    }


def test_a_renewal_is_a_second_authorization(
    store: EmbeddedStore, tmp_path: Path
) -> None:
    auth = {"kind": "authorization", "brand": "B", "party": "P"}
    write(
        store,
        tmp_path,
        {**auth, "valid_from": "2024-01-01", "valid_until": "2024-12-31"},
        {**auth, "valid_from": "2025-03-01"},
    )

    assert [n.id for n in store.nodes("Authorization")] == [
        "B/P/2024-01-01",
        "B/P/2025-03-01",
    ]
    assert store.counts().relationships == {"GRANTED_BY": 2, "GRANTED_TO": 2}


def test_a_resent_scan_is_counted_once(store: EmbeddedStore, tmp_path: Path) -> None:
    scan = {"kind": "scan", "item": "I1", "site": "S1", "step": "received"}

    write(
        store,
        tmp_path,
        {**scan, "at": "2026-01-01T09:00:00+01:00"},
        {**scan, "at": "2026-01-01T08:00:00Z"},
    )

    assert store.counts().nodes == {"Item": 1, "Scan": 1, "Site": 1}


def test_a_data_directory_has_one_owner(store: EmbeddedStore) -> None:
    with pytest.raises(DataDirLocked, match="in use by another graphsvc process"):
        EmbeddedStore(store.data_dir)


def test_changes_are_counted_per_kind(store: EmbeddedStore, tmp_path: Path) -> None:
    result = store.write(
        records(
            tmp_path,
            {"kind": "brand", "id": "B1", "name": "Luma"},
            {"kind": "brand", "id": "B1", "name": "Luma"},
            {"kind": "brand", "id": "B1", "name": "Luma Botanica"},
        )
    )

    assert dict(result.changes) == {
        ("brand", Change.NEW): 1,
        ("brand", Change.UNCHANGED): 1,
        ("brand", Change.UPDATED): 1,
    }
    assert result.touched == {("Brand", "B1")}
