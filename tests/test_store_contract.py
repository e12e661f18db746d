"""What every store does, checked on each of them with the same expected values."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from conftest_stores import Stores
from epcis_data import (
    CHAIN_EVENTS,
    CHAIN_FEED,
    CHAIN_ITEM,
    DL,
    RECEIVE,
    jsonl,
    load_text,
    object_document,
)
from store_data import WORLD, load, records, shipment, snapshot, write, write_feed

from graphsvc.engine.evidence import (
    AuthorizationFacts,
    ItemEvidence,
    ItemFacts,
    PartyFacts,
    ShipmentFacts,
    SiteFacts,
)
from graphsvc.engine.findings import FindingKind
from graphsvc.errors import InvalidArgument
from graphsvc.generate import generate
from graphsvc.investigation import Investigation, RefreshReport
from graphsvc.records import Record
from graphsvc.store.base import (
    Change,
    Edge,
    FindingQuery,
    Node,
    Pending,
    Store,
    StoredFinding,
    Subgraph,
)
from loaders.load import load_paths

HOUR = timedelta(hours=1)

# -- writing ---------------------------------------------------------------------------


def test_present_fields_overwrite_and_absent_fields_are_kept(
    any_store: Store, tmp_path: Path
) -> None:
    party = {"kind": "party", "id": "P1", "name": "Nord", "role": "distributor"}
    write(any_store, tmp_path, {**party, "phone": "+49 40 1", "vat": "DE1"})

    changes = write(any_store, tmp_path, {**party, "name": "Nord GmbH", "web": "n.de"})

    node = any_store.node("Party", "P1")
    assert node is not None
    assert node.properties == {
        "name": "Nord GmbH",
        "role": "distributor",
        "phone": "+49 40 1",
    }
    assert node.extra == {"vat": "DE1", "web": "n.de"}
    assert changes == {"party:updated": 1}


def test_resending_a_record_changes_nothing(any_store: Store, tmp_path: Path) -> None:
    brand = {"kind": "brand", "id": "B1", "name": "Luma"}

    first = write(any_store, tmp_path, brand)
    again = write(any_store, tmp_path, brand)

    assert first == {"brand:new": 1}
    assert again == {"brand:unchanged": 1}


def test_references_to_unknown_nodes_are_kept_as_stubs_until_described(
    any_store: Store, tmp_path: Path
) -> None:
    write(any_store, tmp_path, {"kind": "product", "id": "PR1", "brand": "B1"})

    assert any_store.dangling() == {"Brand": ["B1"]}
    stub = any_store.node("Brand", "B1")
    assert stub is not None
    assert (stub.properties, stub.extra, stub.described) == ({}, {}, False)

    changes = write(any_store, tmp_path, {"kind": "brand", "id": "B1", "name": "Luma"})

    assert changes == {"brand:new": 1}
    assert any_store.dangling() == {}
    assert list(any_store.edges()) == [
        Edge("OF_BRAND", ("Product", "PR1"), ("Brand", "B1"))
    ]


def test_a_changed_reference_moves_the_relationship(
    any_store: Store, tmp_path: Path
) -> None:
    write(any_store, tmp_path, {"kind": "product", "id": "PR1", "brand": "B1"})

    write(any_store, tmp_path, {"kind": "product", "id": "PR1", "brand": "B2"})

    assert list(any_store.edges()) == [
        Edge("OF_BRAND", ("Product", "PR1"), ("Brand", "B2"))
    ]
    assert any_store.dangling() == {"Brand": ["B1", "B2"]}


def test_shipment_items_are_the_union_of_the_field_and_the_links(
    any_store: Store, tmp_path: Path
) -> None:
    sent = {
        "kind": "shipment",
        "id": "S1",
        "shipper": "P1",
        "consignee": "P2",
        "origin": "A",
        "destination": "B",
        "shipped_at": "2026-01-01T00:00:00Z",
    }
    write(
        any_store,
        tmp_path,
        {"kind": "shipment_item", "shipment": "S1", "item": "I0"},
        {**sent, "items": ["I1", "I2"]},
    )

    changes = write(
        any_store,
        tmp_path,
        {"kind": "shipment_item", "shipment": "S1", "item": "I3"},
        {"kind": "shipment_item", "shipment": "S1", "item": "I1"},
        {**sent, "items": ["I2", "I4"]},
    )

    node = any_store.node("Shipment", "S1")
    assert node is not None
    assert node.properties["items"] == ("I0", "I1", "I2", "I3", "I4")
    carried = sorted(e.target[1] for e in any_store.edges() if e.type == "CARRIES")
    assert carried == ["I0", "I1", "I2", "I3", "I4"]
    assert changes == {
        "shipment_item:new": 1,
        "shipment_item:unchanged": 1,
        "shipment:updated": 1,
    }


@pytest.mark.parametrize("same_batch", [False, True])
def test_a_withdrawn_id_leaves_the_list_and_its_relationship(
    any_store: Store, same_batch: bool
) -> None:
    linked = Record("item", "I1", {"made_from": ("I2", "I3")})
    withdrawn = Record("item", "I1", {}, withdrawn={"made_from": ("I2", "I4")})
    unlinked = Record("item", "I5", {}, withdrawn={"made_from": ("I2",)})
    batches = [[linked, withdrawn, unlinked]]
    if not same_batch:
        batches = [[linked], [withdrawn, unlinked]]

    for batch in batches:
        any_store.write(batch)

    linked_node, unlinked_node = any_store.nodes_by_key(
        [("Item", "I1"), ("Item", "I5")]
    )
    assert linked_node is not None
    assert linked_node.properties == {"made_from": ("I3",)}
    assert unlinked_node is not None
    assert unlinked_node.properties == {}
    assert list(any_store.edges()) == [
        Edge("MADE_FROM", ("Item", "I1"), ("Item", "I3"))
    ]


def test_defaults_apply_when_a_node_is_first_described(
    any_store: Store, tmp_path: Path
) -> None:
    write(
        any_store,
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
        any_store,
        tmp_path,
        {"kind": "site", "id": "S1", "type": "port", "operator": "P1", "country": "DE"},
    )

    site = any_store.node("Site", "S1")
    auth = any_store.node("Authorization", "B/P/2025-01-01")
    assert site is not None
    assert auth is not None
    assert site.properties["type"] == "port"
    assert auth.properties == {
        "brand": "B",
        "party": "P",
        "valid_from": date(2025, 1, 1),
        "territories": ("*",),
    }


def test_a_renewal_is_a_second_authorization(any_store: Store, tmp_path: Path) -> None:
    auth = {"kind": "authorization", "brand": "B", "party": "P"}
    write(
        any_store,
        tmp_path,
        {**auth, "valid_from": "2024-01-01", "valid_until": "2024-12-31"},
        {**auth, "valid_from": "2025-03-01"},
    )

    assert [n.id for n in any_store.nodes("Authorization")] == [
        "B/P/2024-01-01",
        "B/P/2025-03-01",
    ]
    assert any_store.counts().relationships == {"GRANTED_BY": 2, "GRANTED_TO": 2}


def test_a_resent_scan_is_counted_once(any_store: Store, tmp_path: Path) -> None:
    scan = {"kind": "scan", "item": "I1", "site": "S1", "step": "received"}

    write(
        any_store,
        tmp_path,
        {**scan, "at": "2026-01-01T09:00:00+01:00"},
        {**scan, "at": "2026-01-01T08:00:00Z"},
    )

    assert any_store.counts().nodes == {"Item": 1, "Scan": 1, "Site": 1}


def test_changes_are_counted_per_kind(any_store: Store, tmp_path: Path) -> None:
    result = any_store.write(
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


def test_values_keep_their_types_and_offsets(any_store: Store, tmp_path: Path) -> None:
    write(
        any_store,
        tmp_path,
        {
            "kind": "item",
            "id": "I1",
            "product": "P1",
            "produced_on": "2026-03-01T09:30:00.250+05:30",
            "lot": "L7",
            "grade": {"a": [1, 2.5, None]},
        },
        {
            "kind": "site",
            "id": "S1",
            "operator": "O",
            "country": "FR",
            "lat": 48.5,
            "lon": 2,
        },
    )

    item, site, missing, unknown = any_store.nodes_by_key(
        [("Item", "I1"), ("Site", "S1"), ("Item", "I2"), ("Nothing", "I1")]
    )

    assert item is not None
    produced_on = item.properties["produced_on"]
    assert isinstance(produced_on, datetime)
    assert produced_on == datetime(2026, 3, 1, 4, 0, 0, 250000, tzinfo=UTC)
    assert produced_on.utcoffset() == timedelta(hours=5, minutes=30)
    assert item.extra == {"grade": {"a": [1, 2.5, None]}}
    assert site is not None
    assert site.properties == {
        "operator": "O",
        "country": "FR",
        "lat": 48.5,
        "lon": 2.0,
        "type": "warehouse",
    }
    assert (missing, unknown) == (None, None)
    assert list(any_store.nodes("Nothing")) == []


def test_properties_come_in_the_order_the_model_declares(
    any_store: Store, tmp_path: Path
) -> None:
    first = {
        "kind": "party",
        "id": "P1",
        "website": "n.de",
        "role": "retailer",
        "name": "N",
    }
    then = {**first, "tax_id": "1", "phone": "2", "country": "DE", "website": "n.pl"}
    site = {"kind": "site", "id": "S", "country": "DE", "operator": "P1"}
    write(any_store, tmp_path, first)
    write(any_store, tmp_path, then, site)

    by_key = any_store.nodes_by_key([("Party", "P1")])
    listed = list(any_store.nodes("Party"))
    referrers = any_store.referrers(("Party", "P1"))

    party_order = ["name", "role", "country", "phone", "tax_id", "website"]
    assert [list(n.properties) for n in by_key if n is not None] == [party_order]
    assert [list(n.properties) for n in listed] == [party_order]
    assert [list(n.properties) for n in referrers] == [["operator", "country", "type"]]


def test_extra_integers_beyond_64_bits_stay_exact(
    any_store: Store, tmp_path: Path
) -> None:
    extra: dict[str, object] = {
        "serial": 12345678901234567890123,
        "low": -(2**63) - 1,
        "ratio": 0.5,
    }
    write(any_store, tmp_path, {"kind": "item", "id": "I1", "product": "P1", **extra})

    item = any_store.node("Item", "I1")

    assert item is not None
    assert item.extra == extra
    assert [type(v) for v in item.extra.values()] == [int, int, float]


def test_an_instant_at_an_offset_no_zone_has_is_rejected_alone(
    any_store: Store, tmp_path: Path
) -> None:
    item = {"kind": "item", "product": "P1"}
    feed = jsonl(
        tmp_path / "items.jsonl",
        [
            {**item, "id": "I1", "produced_on": "2026-01-01T00:00:00+19:00"},
            {**item, "id": "I2", "produced_on": "2026-01-01T00:00:00-14:00"},
        ],
    )

    report = load_paths(any_store, [feed])

    assert [str(r) for r in report.rejections] == [
        "items.jsonl:1: produced_on '2026-01-01T00:00:00+19:00' has an impossible"
        " UTC offset +19:00"
    ]
    assert [n.id for n in any_store.nodes("Item")] == ["I2"]


def test_referrers_are_the_nodes_whose_fields_name_a_node(
    any_store: Store, tmp_path: Path
) -> None:
    _world_on_the_move(any_store, tmp_path)

    found = any_store.referrers(("Party", "NORD"))

    assert [(n.label, n.id) for n in found] == [
        ("Authorization", "B/NORD/2025-01-01"),
        ("Scan", "scan:I2:5a7e02813747fdb1"),
        ("Shipment", "SH1"),
        ("Site", "S-HAM"),
    ]
    assert found[1].properties["party"] == "NORD"
    assert any_store.referrers(("Party", "NOBODY")) == []
    assert [n.id for n in any_store.referrers(("Site", "S-HAM"))] == [
        "scan:I2:5a7e02813747fdb1",
        "SH1",
    ]


def test_a_retired_node_goes_only_when_undescribed_and_named_by_nothing(
    any_store: Store, tmp_path: Path
) -> None:
    write(
        any_store,
        tmp_path,
        {"kind": "brand", "id": "B4", "name": "Lone"},
        {"kind": "product", "id": "PR1", "brand": "B1"},
        {"kind": "product", "id": "PR2", "brand": "B2"},
    )
    retire = [("Brand", f"B{n}") for n in range(1, 6)]

    result = any_store.write(
        records(tmp_path, {"kind": "product", "id": "PR2"} | {"brand": "B3"}), retire
    )

    assert result.retired == {("Brand", "B2")}
    assert [n.id for n in any_store.nodes("Brand")] == ["B1", "B3", "B4"]
    assert any_store.dangling() == {"Brand": ["B1", "B3"]}
    assert list(any_store.edges()) == [
        Edge("OF_BRAND", ("Product", "PR1"), ("Brand", "B1")),
        Edge("OF_BRAND", ("Product", "PR2"), ("Brand", "B3")),
    ]
    assert any_store.neighborhood(("Brand", "B2"), 1, 10) == Subgraph([], [], False)


# -- durability ------------------------------------------------------------------------


def test_reopening_restores_exactly_the_acknowledged_graph(
    stores: Stores, tmp_path: Path
) -> None:
    paths = write_feed(tmp_path / "feed", items=200)
    store = stores.open()
    load_paths(store, paths, batch_size=64)
    before = snapshot(store)
    stores.close(store)

    after = snapshot(stores.open())

    assert after == before
    assert len(before[0]) == 200 + 20 + 7
    assert len(before[1]) == 200 * 3 + 20 * 4 + 2 + 1 + 2


def test_loading_twice_or_in_another_order_gives_the_same_graph(
    stores: Stores, tmp_path: Path
) -> None:
    paths = write_feed(tmp_path / "feed", items=50)
    once = stores.open()
    load_paths(once, paths)
    expected = snapshot(once)

    twice = stores.empty()
    load_paths(twice, paths)
    second = load_paths(twice, paths)
    loaded_twice = snapshot(twice)
    reversed_ = stores.empty()
    load_paths(reversed_, list(reversed(paths)), batch_size=7)

    assert loaded_twice == expected
    assert snapshot(reversed_) == expected
    assert {change.value for _, change in second.changes} == {"unchanged"}


# -- pending nodes and findings -------------------------------------------------------


def test_pending_nodes_are_listed_per_batch_until_cleared(
    any_store: Store, tmp_path: Path
) -> None:
    write(any_store, tmp_path, {"kind": "product", "id": "PR1", "brand": "B1"})
    write(any_store, tmp_path, {"kind": "brand", "id": "B1", "name": "Luma"})

    first = any_store.pending()
    upto_first = sorted(any_store.pending_keys(1))
    every = sorted(any_store.pending_keys(2))
    any_store.clear_pending(1)
    left = any_store.pending()
    any_store.clear_pending(2)

    assert first == Pending(count=3, upto=2)
    assert upto_first == [("Brand", "B1"), ("Product", "PR1")]
    assert every == [("Brand", "B1"), ("Brand", "B1"), ("Product", "PR1")]
    assert left == Pending(count=1, upto=2)
    assert any_store.pending() == Pending(count=0, upto=0)


def test_a_load_evaluates_only_the_items_it_touched(
    any_store: Store, tmp_path: Path
) -> None:
    investigation = Investigation(any_store)
    load(any_store, tmp_path, *WORLD)
    first = investigation.refresh()

    load(any_store, tmp_path, shipment("SH1", ["I1", "I3"]))
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
    any_store: Store, tmp_path: Path
) -> None:
    investigation = Investigation(any_store)
    load(any_store, tmp_path, *WORLD, shipment("SH1", ["I1", "I3"]))
    investigation.refresh()

    load(
        any_store,
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
    stores: Stores, tmp_path: Path
) -> None:
    store = stores.open()
    load(store, tmp_path, *WORLD, shipment("SH1", ["I2"]))
    stores.close(store)  # as if the process died before evaluating the batch

    reopened = stores.open()
    investigation = Investigation(reopened)
    pending = reopened.pending()
    report = investigation.refresh()

    assert pending.count == 12
    assert report == RefreshReport(items=5, findings=1)
    assert kinds(investigation) == [("UNAUTHORIZED_HOLDER", "I2", "NORD")]
    assert reopened.pending().count == 0


def test_findings_are_paged_in_order_and_replaced_per_item(
    any_store: Store, tmp_path: Path
) -> None:
    investigation = Investigation(any_store)
    load(
        any_store,
        tmp_path,
        *WORLD,
        shipment("SH1", ["I1", "I3"]),
        {**shipment("SH2", ["I0"]), "shipped_at": "2026-01-15T00:00:00+01:00"},
    )
    investigation.refresh()
    every = any_store.findings(FindingQuery())

    page = any_store.findings(FindingQuery(), first=2, after=every[0].finding.id)
    of_party = any_store.findings(FindingQuery(party="NORD"), first=1)
    of_other_brand = any_store.findings(FindingQuery(brand="X"))
    any_store.save_findings(["I1"], [])

    assert [(s.finding.item, s.brand) for s in every] == [
        ("I0", "B"),
        ("I1", "B"),
        ("I3", "B"),
    ]
    at = every[0].finding.at
    assert at is not None
    assert (at, at.utcoffset()) == (datetime(2026, 1, 14, 23, tzinfo=UTC), HOUR)
    assert page == every[1:]
    assert of_party == every[:1]
    assert of_other_brand == []
    assert any_store.count_findings(FindingQuery(party="NORD")) == 2
    assert any_store.item_findings("I3") == every[2:]
    assert any_store.item_findings("I1") == []
    with pytest.raises(InvalidArgument, match="names no finding"):
        any_store.findings(FindingQuery(), after="no-such-finding")
    with pytest.raises(InvalidArgument, match="names no finding"):
        any_store.findings(FindingQuery(brand="X"), after=every[0].finding.id)


# -- questions -------------------------------------------------------------------------


def test_evidence_gathers_what_an_item_touches(
    any_store: Store, tmp_path: Path
) -> None:
    load(
        any_store,
        tmp_path,
        *WORLD,
        shipment("SH1", ["I1"]),
        {
            "kind": "authorization",
            "brand": "B",
            "party": "NORD",
            "valid_from": "2025-01-01",
            "territories": ["DE"],
        },
        {"kind": "scan", "item": "I9", "site": "S-HAM", "step": "received"}
        | {"at": "2026-02-02T00:00:00Z"},
    )

    found = any_store.item_evidence(["I1", "nothing", "I9"])

    at_ham = SiteFacts("S-HAM", "NORD", "DE")
    assert [e.item_id for e in found] == ["I1", "I9"]
    assert found[0] == ItemEvidence(
        "I1",
        ItemFacts("I1", "P", "B", "S-FAB", datetime(2026, 1, 1, tzinfo=UTC)),
        (
            ShipmentFacts(
                "SH1",
                "FAB",
                "NORD",
                "S-FAB",
                "S-HAM",
                datetime(2026, 2, 1, tzinfo=UTC),
            ),
        ),
        (),
        {"S-FAB": SiteFacts("S-FAB", "FAB", "FR"), "S-HAM": at_ham},
        {
            "FAB": PartyFacts("FAB", "manufacturer", "Fab"),
            "NORD": PartyFacts("NORD", "distributor", "Nord"),
        },
        (
            AuthorizationFacts(
                "B/NORD/2025-01-01", "B", "NORD", date(2025, 1, 1), None, ("DE",)
            ),
        ),
    )
    assert found[1].item is None
    assert [s.site for s in found[1].scans] == ["S-HAM"]
    assert found[1].sites == {"S-HAM": at_ham}


def _world_on_the_move(store: Store, tmp_path: Path) -> None:
    """The world with a shipment, a scan by the distributor and its authorization."""
    load(
        store,
        tmp_path,
        *WORLD,
        shipment("SH1", ["I1"]),
        {"kind": "scan", "item": "I2", "site": "S-HAM", "step": "received"}
        | {"at": "2026-02-02T00:00:00Z", "party": "NORD"},
        {"kind": "authorization", "brand": "B", "party": "NORD"}
        | {"valid_from": "2025-01-01"},
    )


def test_affected_items_follow_every_path_to_an_item(
    any_store: Store, tmp_path: Path
) -> None:
    _world_on_the_move(any_store, tmp_path)

    def affected(*keys: tuple[str, str]) -> list[str]:
        return sorted(any_store.affected_items(keys))

    assert affected(("Item", "I4")) == ["I4"]
    assert affected(("Shipment", "SH1")) == ["I1"]
    assert affected(("Site", "S-HAM")) == ["I1", "I2"]
    assert affected(("Authorization", "B/NORD/2025-01-01")) == ["I1", "I2"]
    assert affected(("Party", "FAB")) == ["I0", "I1", "I2", "I3", "I4"]
    assert affected(("Brand", "B")) == ["I0", "I1", "I2", "I3", "I4"]
    assert affected(("Party", "NOBODY"), ("Authorization", "none")) == []


def test_trades_and_party_facts(any_store: Store, tmp_path: Path) -> None:
    load(
        any_store,
        tmp_path,
        *WORLD,
        shipment("SH2", ["I2", "I9"]),
        shipment("SH1", ["I1"]),
        {"kind": "shipment_item", "shipment": "SH3", "item": "I1"},
        {"kind": "party", "id": "NORD", "name": "Nord", "role": "distributor"}
        | {"phone": "+49 40 555 01"},
    )

    trades = any_store.trades(["NORD", "NOBODY"])
    facts = any_store.party_facts(["NORD", "NOBODY"])

    assert [
        (t.shipment, t.shipper, t.consignee, t.items, t.brands) for t in trades
    ] == [
        ("SH1", "FAB", "NORD", ("I1",), ("B",)),
        ("SH2", "FAB", "NORD", ("I2", "I9"), ("B",)),
    ]
    assert [t.item_brands for t in trades] == [(("I1", "B"),), (("I2", "B"),)]
    assert facts == {
        "NORD": PartyFacts("NORD", "distributor", "Nord", phone="+49 40 555 01"),
        "NOBODY": PartyFacts("NOBODY"),
    }


def test_trades_leave_out_a_retracted_shipment(
    any_store: Store, tmp_path: Path
) -> None:
    _chain_feed(any_store, tmp_path)
    declared = {
        **CHAIN_EVENTS[1],
        "errorDeclaration": {
            "declarationTime": "2024-01-04T00:00:00Z",
            "reason": "did_not_occur",
        },
    }
    _chain_events(any_store, *CHAIN_EVENTS)
    shipped = [t.shipment for t in any_store.trades(["PA-DST"])]

    _chain_events(any_store, declared)

    assert len(shipped) == 1
    assert any_store.trades(["PA-MFG", "PA-DST"]) == []


def test_a_trade_carries_what_its_pallet_held_as_it_left(
    any_store: Store, tmp_path: Path
) -> None:
    pallet = f"{DL}/00/106141412345678908"
    later = f"{DL}/01/04012345111118/21/8"
    _chain_feed(any_store, tmp_path)

    def packing(n: int, at: str, item: str) -> dict[str, object]:
        return {
            "type": "AggregationEvent",
            "eventID": f"urn:uuid:0b4a6a54-0005-4000-8000-00000000000{n}",
            "eventTime": at,
            "eventTimeZoneOffset": "+01:00",
            "parentID": pallet,
            "childEPCs": [item],
            "action": "ADD",
            "bizStep": "packing",
        }

    _chain_events(
        any_store,
        CHAIN_EVENTS[0],
        packing(1, "2024-01-02T12:00:00Z", CHAIN_ITEM),
        {**CHAIN_EVENTS[1], "epcList": [pallet]},
        packing(2, "2024-01-04T12:00:00Z", later),
    )

    trades = any_store.trades(["PA-DST"])

    assert [(t.shipper, t.consignee, t.items, t.brands) for t in trades] == [
        ("PA-MFG", "PA-DST", (CHAIN_ITEM,), ("BR-T",))
    ]


def test_a_neighbourhood_is_walked_breadth_first_in_key_order(
    any_store: Store, tmp_path: Path
) -> None:
    load(any_store, tmp_path, *WORLD, shipment("SH1", ["I1", "I3"]))

    whole = any_store.neighborhood(("Site", "S-FAB"), depth=1, limit=20)
    cut = any_store.neighborhood(("Site", "S-FAB"), depth=2, limit=4)
    missing = any_store.neighborhood(("Site", "nowhere"), depth=2, limit=4)

    assert whole.nodes == [
        ("Site", "S-FAB"),
        ("Item", "I0"),
        ("Item", "I1"),
        ("Item", "I2"),
        ("Item", "I3"),
        ("Item", "I4"),
        ("Party", "FAB"),
        ("Shipment", "SH1"),
    ]
    assert whole.truncated is False
    assert whole.edges[:2] == [
        Edge("CARRIES", ("Shipment", "SH1"), ("Item", "I1")),
        Edge("CARRIES", ("Shipment", "SH1"), ("Item", "I3")),
    ]
    assert len(whole.edges) == 10
    assert cut == Subgraph(
        [("Site", "S-FAB"), ("Item", "I0"), ("Item", "I1"), ("Item", "I2")],
        [
            Edge("PRODUCED_AT", ("Item", "I0"), ("Site", "S-FAB")),
            Edge("PRODUCED_AT", ("Item", "I1"), ("Site", "S-FAB")),
            Edge("PRODUCED_AT", ("Item", "I2"), ("Site", "S-FAB")),
        ],
        truncated=True,
    )
    assert missing == Subgraph([], [], truncated=False)


def test_neighbours_are_cut_in_code_point_order(
    any_store: Store, tmp_path: Path
) -> None:
    # UTF-16 order (Neo4j's) puts U+1F600 before U+FFFD; code point order does not.
    ids = ["P-a", "P-\U0001f600", "P-\ufffd"]
    write(
        any_store,
        tmp_path,
        *({"kind": "product", "id": id_, "brand": "B"} for id_ in ids),
    )

    cut = any_store.neighborhood(("Brand", "B"), depth=1, limit=3)

    assert cut.nodes == [("Brand", "B"), ("Product", "P-a"), ("Product", "P-\ufffd")]
    assert cut.truncated is True


# -- the demo -------------------------------------------------------------------------

CaseKey = tuple[str, str, str | None, str | None]


def test_the_demo_finds_what_was_planted_and_keeps_cluster_ids(
    stores: Stores, tmp_path: Path
) -> None:
    feed = tmp_path / "feed"
    generate(feed, items=600, seed=11)
    truth: dict[str, Any] = json.loads((feed / "truth.json").read_text())
    store = stores.open()
    report = load_paths(store, [feed])
    investigation = Investigation(store)
    investigation.refresh()

    found: Counter[CaseKey] = Counter(
        (s.finding.kind.value, s.finding.item, s.finding.party, s.finding.shipment)
        for s in investigation.findings(FindingQuery())
    )
    clusters = investigation.clusters()
    again = stores.empty()
    load_paths(again, [feed])
    Investigation(again).refresh()
    reloaded = Investigation(again).clusters()

    expected: Counter[CaseKey] = Counter(
        (c["kind"], c["item"], c["party"], c["shipment"]) for c in truth["cases"]
    )
    assert report.ok, report.render()
    assert found == expected
    assert sum(expected.values()) == 81
    assert {kind for kind, *_ in expected} == {k.value for k in FindingKind}
    by_members = {c.members: c for c in clusters}
    assert len(truth["rings"]) == 3
    for ring in truth["rings"]:
        cluster = by_members.get(tuple(ring["members"]))
        assert cluster is not None, ring
        assert list(cluster.entry_points) == ring["entry_points"]
        assert list(cluster.exits) == ring["exits"]
    assert [c.id for c in reloaded] == [c.id for c in clusters]


def kinds(investigation: Investigation) -> list[tuple[str, str, str | None]]:
    return [
        (s.finding.kind.value, s.finding.item, s.finding.party)
        for s in investigation.findings(FindingQuery())
    ]


# -- search ---------------------------------------------------------------------------


def test_search_ranks_equal_ids_then_id_starts_then_names(
    any_store: Store, tmp_path: Path
) -> None:
    load(
        any_store,
        tmp_path,
        *WORLD,
        shipment("SH1", ["I1"]),
        {"kind": "party", "id": "Lu", "name": "Zed", "role": "retailer"},
        {"kind": "party", "id": "Lux-1", "name": "Lux", "role": "retailer"},
    )

    assert any_store.search("Lu", 10) == [
        ("Party", "Lu"),
        ("Party", "Lux-1"),
        ("Brand", "B"),
    ]
    assert any_store.search("I", 10) == [("Item", f"I{n}") for n in range(5)]
    assert any_store.search("I", 2) == [("Item", "I0"), ("Item", "I1")]
    assert any_store.search("S", 10) == [
        ("Shipment", "SH1"),
        ("Site", "S-FAB"),
        ("Site", "S-HAM"),
    ]
    assert any_store.search("nor", 10) == [("Party", "NORD")]
    assert any_store.search("i4", 10) == []
    assert any_store.search("nowhere", 10) == []


# -- EPCIS names linked to feed records, whatever the order ---------------------------

LinkedState = tuple[tuple[list[Node], list[Edge]], list[StoredFinding]]


def _chain_feed(
    store: Store, tmp_path: Path, rows: list[dict[str, str]] = CHAIN_FEED
) -> None:
    report = load_paths(store, [jsonl(tmp_path / "chain.jsonl", rows)])
    assert (report.rejected, report.failed_files) == (0, {})


def _chain_events(store: Store, *events: dict[str, object]) -> None:
    report = load_text(store, "events.json", json.dumps(object_document([*events])))
    assert report.rejected == []


def _linked_state(store: Store) -> LinkedState:
    """The graph and, once brought up to date, the findings."""
    Investigation(store).refresh()
    return snapshot(store), store.findings(FindingQuery())


def _feed_first(stores: Stores, tmp_path: Path) -> LinkedState:
    """The chain's feed, then its events, in an empty store."""
    store = stores.empty()
    _chain_feed(store, tmp_path)
    _chain_events(store, *CHAIN_EVENTS, RECEIVE)
    return _linked_state(store)


def _events_first(
    stores: Stores, tmp_path: Path, *events: dict[str, object]
) -> tuple[LinkedState, Store]:
    """The state the chain leads to with its feed first, and an empty store that then
    received `events` (all the chain's by default)."""
    expected = _feed_first(stores, tmp_path)
    store = stores.empty()
    _chain_events(store, *(events or (*CHAIN_EVENTS, RECEIVE)))
    return expected, store


@pytest.mark.parametrize("ahead", [0, 2])
def test_a_feed_loaded_after_the_events_links_them_as_if_loaded_before(
    stores: Stores, tmp_path: Path, ahead: int
) -> None:
    expected = _feed_first(stores, tmp_path)
    store = stores.empty()
    _chain_feed(store, tmp_path, CHAIN_FEED[:ahead])
    _chain_events(store, *CHAIN_EVENTS, RECEIVE)
    unlinked = _linked_state(store)

    _chain_feed(store, tmp_path, CHAIN_FEED[ahead:])
    linked = _linked_state(store)
    stores.close(store)
    reopened = _linked_state(stores.open())

    assert [n for n in unlinked[0][0] if n.label == "Party"] == [
        Node("Party", f"{DL}/417/0614141000012", {}, {}, False),
        Node("Party", f"{DL}/417/4012345000016", {}, {}, False),
    ]
    # With the brand's product known, the placeholder was found holding it.
    assert [(f.finding.party, f.brand) for f in unlinked[1]] == (
        [(f"{DL}/417/0614141000012", "BR-T")] if ahead else []
    )
    assert linked == expected
    assert reopened == expected
    (shipment_node,) = [n for n in expected[0][0] if n.label == "Shipment"]
    assert [
        (n.label, n.id, n.properties.get("site"), n.properties.get("party"))
        for n in expected[0][0]
        if n.label in ("Party", "Site", "Product", "Scan")
    ] == [
        ("Party", "PA-DST", None, None),
        ("Party", "PA-MFG", None, None),
        ("Site", "SI-DST", None, None),
        ("Site", "SI-MFG", None, None),
        ("Product", "PR-T", None, None),
        ("Scan", f"{CHAIN_ITEM} @ {CHAIN_EVENTS[0]['eventID']}", "SI-MFG", "PA-MFG"),
        ("Scan", f"{CHAIN_ITEM} @ {CHAIN_EVENTS[1]['eventID']}", "SI-MFG", "PA-MFG"),
        ("Scan", f"{CHAIN_ITEM} @ {RECEIVE['eventID']}", "SI-DST", "PA-DST"),
    ]
    assert [
        (f.finding.kind.value, f.finding.party, f.finding.shipment, f.brand)
        for f in expected[1]
    ] == [("UNAUTHORIZED_HOLDER", "PA-DST", shipment_node.id, "BR-T")]


def test_a_shipping_before_the_feed_pairs_with_a_receiving_after_it(
    stores: Stores, tmp_path: Path
) -> None:
    expected, store = _events_first(stores, tmp_path, *CHAIN_EVENTS)
    shipped = [n.id for n in store.nodes("Shipment")]

    _chain_feed(store, tmp_path)
    _chain_events(store, RECEIVE)

    state = _linked_state(store)
    assert state == expected
    (shipment_node,) = [n for n in state[0][0] if n.label == "Shipment"]
    assert [shipment_node.id] == shipped
    assert shipment_node.properties["delivery_event"] == RECEIVE["eventID"]
    ends = [shipment_node.properties[end] for end in ("shipper", "consignee")]
    assert ends == ["PA-MFG", "PA-DST"]


def test_a_failed_linking_batch_leaves_every_placeholder_as_it_was(
    stores: Stores, tmp_path: Path
) -> None:
    expected, store = _events_first(stores, tmp_path)
    before = snapshot(store)

    def stopped() -> None:
        with store.unit():
            _chain_feed(store, tmp_path)
            raise RuntimeError("stopped")

    with pytest.raises(RuntimeError, match="stopped"):
        stopped()

    assert snapshot(store) == before
    stores.close(store)
    store = stores.open()
    assert snapshot(store) == before
    _chain_feed(store, tmp_path)
    assert _linked_state(store) == expected


_LINKER = """
import os, signal, sys
from pathlib import Path

import graphsvc.store.neo4j
from loaders.load import load_paths

kind, feed = sys.argv[1:]

def die(*args, **kwargs):
    os.kill(os.getpid(), signal.SIGKILL)

if kind == "embedded":
    from graphsvc.store.embedded import EmbeddedStore
    store = EmbeddedStore(Path(os.environ["DATA_DIR"]))
    store._sql.retire = die
else:
    from graphsvc.store.neo4j import Neo4jStore
    store = Neo4jStore(*(os.environ[n] for n in ("URI", "USER", "PASSWORD", "DB")))
    graphsvc.store.neo4j._retire = die
load_paths(store, [Path(feed)])
"""
"""Loads a feed and dies once its batch has re-pointed the events' records, just
before it removes the placeholders, inside the batch's transaction."""


def test_a_process_killed_while_linking_leaves_nothing_half_re_pointed(
    stores: Stores, tmp_path: Path
) -> None:
    expected, store = _events_first(stores, tmp_path)
    before = snapshot(store)
    stores.close_all()
    feed = jsonl(tmp_path / "chain.jsonl", CHAIN_FEED)
    env = stores.child_env()
    command = [sys.executable, "-c", _LINKER, stores.kind, str(feed)]

    linker = subprocess.run(command, env=env, capture_output=True, check=False)
    store = stores.open()
    after = snapshot(store)
    _chain_feed(store, tmp_path)

    assert linker.returncode == -signal.SIGKILL, linker.stderr
    assert after == before
    assert _linked_state(store) == expected
