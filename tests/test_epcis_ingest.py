"""EPCIS documents into the graph, on each store: events, hand-overs, containment.

The sample documents are the public ones in the shared data folder; the expected
figures were checked against the documents by hand (see the comments).
"""

from __future__ import annotations

import gzip
import json
import signal
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from conftest import shared_dir
from conftest_stores import Stores
from epcis_data import (
    CHAIN_EVENTS,
    CHAIN_FEED,
    CHAIN_ITEM,
    RECEIVE,
    Bytes,
    jsonl,
    load_text,
    object_document,
)
from store_data import snapshot

from graphsvc.engine.findings import CustodyHop
from graphsvc.errors import StoreError
from graphsvc.export.views import neighborhood_graph
from graphsvc.investigation import Investigation
from graphsvc.records import Value
from graphsvc.store.base import (
    Change,
    Edge,
    EventQuery,
    GraphCounts,
    Node,
    Retraction,
    Store,
    StoredEvent,
)
from loaders.epcis import EventRejection
from loaders.epcis.ingest import EpcisReport, ingest_epcis
from loaders.load import load_paths

PHARMA = "GS1_US_Pharma_Example_2_2_1_1.xml"
DL = "https://id.gs1.org"
UNIT_11 = f"{DL}/01/00300010123455/21/11"
CASE_110 = f"{DL}/01/10300010123452/21/110"
PALLET = f"{DL}/00/403000112345678901"


def sample(name: str) -> Path:
    path = shared_dir() / "data" / "epcis" / name
    assert path.is_file(), f"the EPCIS sample {name} is missing"
    return path


def ingest(store: Store, name: str) -> EpcisReport:
    with sample(name).open("rb") as source:
        return ingest_epcis(store, source, name)


@dataclass(frozen=True)
class Expected:
    read: int
    new: int
    duplicate: int
    retracted: int
    rejected: int
    items: int
    handovers: int
    containment: int


EXPECTED = {
    # One event with an error declaration; it ships, but names no source party.
    "AggregationEvent_all_possible_fields.xml": Expected(1, 1, 0, 1, 0, 3, 0, 0),
    "AssociationEvent.xml": Expected(2, 2, 0, 0, 0, 4, 0, 0),
    # The first event's GRAI has a wrong check digit; one aggregation ADD of one child.
    "Combination_of_different_event.json": Expected(5, 5, 0, 1, 1, 12, 0, 1),
    "ErrorDeclarationAndCorrectiveEvent.xml": Expected(2, 2, 0, 1, 0, 2, 0, 0),
    "Example_9.6.1-ObjectEvent.jsonld": Expected(2, 2, 0, 0, 0, 2, 0, 0),
    # 12 units and 3 cases commissioned, a pallet; 12 units in cases, 3 cases on it.
    PHARMA: Expected(8, 8, 0, 0, 0, 16, 1, 15),
    # No read point or business location: the events are kept, nothing is placed.
    "Namespaces_at_different_level.xml": Expected(5, 5, 0, 0, 0, 0, 0, 0),
    # A receiving without its shipping: its hand-over has no dispatch time yet.
    "ObjectEvent_all_possible_fields.json": Expected(1, 1, 0, 1, 0, 1, 0, 0),
    # A shipping event, its error declaration (same hash) and the corrective event.
    "ObjectEvent_with_baseExtension_errorDeclaration.xml": Expected(
        3, 2, 1, 1, 0, 3, 1, 0
    ),
    # A quantity only: it names a product, no item.
    "ObjectEvent_with_digitalLink.json": Expected(1, 1, 0, 0, 0, 0, 0, 0),
    "ObjectEvent_with_invalid_action.json": Expected(0, 0, 0, 0, 1, 0, 0, 0),
    "ObjectEvent_with_sensorData.xml": Expected(1, 1, 0, 0, 0, 1, 0, 0),
    "ReferenceEventHashAlgorithm.jsonld": Expected(1, 1, 0, 0, 0, 3, 0, 0),
    "TransactionEvent.json": Expected(2, 2, 0, 0, 0, 2, 0, 0),
    "TransformationEvent_all_possible_fields.json": Expected(1, 1, 0, 1, 0, 6, 0, 0),
    # One event written three ways: one event.
    "timestampTimeZone.xml": Expected(3, 1, 2, 0, 0, 1, 0, 0),
}


def test_every_sample_has_expected_figures() -> None:
    on_disk = {
        p.name
        for p in (shared_dir() / "data" / "epcis").iterdir()
        if p.suffix in (".xml", ".json", ".jsonld")
    }

    assert on_disk == set(EXPECTED)


def _handovers(store: Store) -> int:
    """Described shipments that no error declaration retracted."""
    return sum(
        1
        for n in store.nodes("Shipment")
        if n.described and n.properties.get("retracted_by") is None
    )


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_sample_loads(any_store: Store, name: str) -> None:
    report = ingest(any_store, name)

    counts = any_store.counts().nodes
    found = Expected(
        report.read,
        report.new,
        report.duplicate,
        report.retracted,
        len(report.rejected),
        counts.get("Item", 0),
        _handovers(any_store),
        counts.get("Containment", 0),
    )
    assert found == EXPECTED[name]
    assert len(any_store.events(EventQuery(), 100)) == report.new


def test_the_invalid_sample_is_rejected_with_its_reason(any_store: Store) -> None:
    name = "ObjectEvent_with_invalid_action.json"

    report = ingest(any_store, name)

    assert report.rejected == [
        EventRejection(
            name, 1, "action", "action 'CREATE' is not one of ADD, OBSERVE, DELETE"
        )
    ]
    assert report.to_json()["rejected"] == [
        {
            "document": name,
            "position": 1,
            "field": "action",
            "reason": "action 'CREATE' is not one of ADD, OBSERVE, DELETE",
        }
    ]


def test_an_overlong_event_id_or_identifier_is_rejected_on_every_store(
    any_store: Store,
) -> None:
    long_id = "urn:uuid:" + "a" * 9_991
    long_epc = "urn:example:asset:" + "b" * 9_982
    observed: dict[str, object] = {
        "type": "ObjectEvent",
        "eventTime": "2024-02-01T10:00:00Z",
        "eventTimeZoneOffset": "+00:00",
        "action": "OBSERVE",
        "epcList": [CHAIN_ITEM],
        "readPoint": {"id": "urn:epc:id:sgln:0614141.00777.0"},
    }
    events = [
        {**observed, "eventID": long_id},
        {**observed, "epcList": [long_epc]},
        {**observed, "readPoint": {"id": long_epc}},
        observed,
    ]

    report = load_text(any_store, "long.json", json.dumps(object_document(events)))

    assert report.rejected == [
        EventRejection(
            "long.json",
            1,
            "eventID",
            "eventID of 10,000 characters, longer than 1,000 "
            "('urn:uuid:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...')",
        ),
        EventRejection(
            "long.json",
            2,
            "epcList",
            "epcList has an identifier of 10,000 characters, longer than 1,000 "
            "('urn:example:asset:bbbbbbbbbbbbbbbbbbbbbb...')",
        ),
        EventRejection(
            "long.json",
            3,
            "readPoint.id",
            "readPoint.id has an identifier of 10,000 characters, longer than "
            "1,000 ('urn:example:asset:bbbbbbbbbbbbbbbbbbbbbb...')",
        ),
    ]
    assert (report.read, report.new, dict(report.written)) == (1, 1, {"scan": 1})
    assert [n.id for n in any_store.nodes("Item")] == [CHAIN_ITEM]


def test_all_or_nothing_writes_nothing_when_an_event_is_rejected(
    any_store: Store,
) -> None:
    name = "Combination_of_different_event.json"
    with sample(name).open("rb") as source:
        report = ingest_epcis(any_store, source, name, all_or_nothing=True)

    assert (report.aborted, report.read, len(report.rejected)) == (True, 5, 1)
    assert any_store.counts().nodes == {}
    assert any_store.events(EventQuery(), 10) == []


def test_the_pharma_sample_writes_its_meaning(any_store: Store) -> None:
    report = ingest(any_store, PHARMA)

    assert dict(report.written) == {
        "containment": 15,
        "item": 16,
        "scan": 36,
        "shipment": 1,
    }
    pallet_in = [
        str(n.properties.get("child"))
        for n in any_store.nodes("Containment")
        if n.properties["parent"] == PALLET
    ]
    assert sorted(pallet_in) == [
        f"{DL}/01/10300010123452/21/110",
        f"{DL}/01/10300010123452/21/111",
        f"{DL}/01/10300010123452/21/121",
    ]
    unit = any_store.node("Item", UNIT_11)
    commissioned = any_store.events(EventQuery(match_epc=frozenset({UNIT_11})), 1)
    assert unit is not None
    assert unit.properties == {
        "product": f"{DL}/01/00300010123455",
        "produced_at": f"{DL}/414/0300011111116",
        "produced_on": datetime.fromisoformat("2023-03-27T01:45:16-05:00"),
        "lot": "A123",
        "event": commissioned[0].id,
    }
    assert commissioned[0].biz_step == "commissioning"


TRANSFORMED = "TransformationEvent_all_possible_fields.json"
"""Its only event carries an error declaration; without it, it makes four outputs."""
OUTPUTS = [f"{DL}/01/04012345778892/21/{n}" for n in range(25, 29)]
INPUTS = (f"{DL}/01/04012345111224/21/25", f"{DL}/01/04000001654321/21/99886655")


def _transformation(declared: bool, **changes: object) -> str:
    document = json.loads(sample(TRANSFORMED).read_text(encoding="utf-8"))
    (event,) = document["epcisBody"]["eventList"]
    if not declared:
        del event["errorDeclaration"]
    event.update(changes)
    return json.dumps(document)


def _made_from(store: Store) -> tuple[dict[str, Value], list[tuple[str, str]]]:
    """Each item's `made_from`, and the MADE_FROM relationships (source, target)."""
    made = {
        n.id: n.properties["made_from"]
        for n in store.nodes("Item")
        if "made_from" in n.properties
    }
    edges = [(e.source[1], e.target[1]) for e in store.edges() if e.type == "MADE_FROM"]
    return made, edges


def test_transformation_outputs_are_made_from_the_inputs(any_store: Store) -> None:
    load_text(any_store, "made.json", _transformation(declared=False))

    made, edges = _made_from(any_store)
    nearby = any_store.neighborhood(("Item", OUTPUTS[0]), 1, 100)

    assert made == dict.fromkeys(OUTPUTS, INPUTS)
    assert edges == sorted((o, i) for o in OUTPUTS for i in INPUTS)
    assert [e for e in nearby.edges if e.type == "MADE_FROM"] == [
        Edge("MADE_FROM", ("Item", OUTPUTS[0]), ("Item", i)) for i in sorted(INPUTS)
    ]


@pytest.mark.parametrize("declaration_first", [False, True])
def test_a_retracted_transformation_takes_its_links_back(
    any_store: Store, declaration_first: bool
) -> None:
    documents = [_transformation(declared=False), _transformation(declared=True)]
    if declaration_first:
        documents.reverse()

    reports = [load_text(any_store, "doc.json", d) for d in documents]
    made, edges = _made_from(any_store)
    nearby = any_store.neighborhood(("Item", OUTPUTS[0]), 1, 100)
    exported = neighborhood_graph(any_store, OUTPUTS[0], 1, 100)
    (kept,) = any_store.events(
        EventQuery(event_types=frozenset({"TransformationEvent"})), 10
    )

    assert sum(r.retracted for r in reports) == 1
    assert kept.retraction is not None
    assert (made, edges) == ({}, [])
    assert [e for e in nearby.edges if e.type == "MADE_FROM"] == []
    assert ("Item", INPUTS[0]) not in nearby.nodes
    assert "made_from" not in exported.nodes[f"Item:{OUTPUTS[0]}"]
    assert [k for _, _, k in exported.edges(keys=True) if k == "MADE_FROM"] == []


def test_a_corrective_transformation_links_the_outputs_again(
    any_store: Store,
) -> None:
    corrective = _transformation(
        declared=False, eventID="urn:uuid:0b4a6a54-0005-4000-8000-000000000001"
    )
    load_text(any_store, "made.json", _transformation(declared=False))
    load_text(any_store, "no.json", _transformation(declared=True))

    load_text(any_store, "again.json", corrective)

    made, edges = _made_from(any_store)
    assert made == dict.fromkeys(OUTPUTS, INPUTS)
    assert edges == sorted((o, i) for o in OUTPUTS for i in INPUTS)


def test_a_quantity_names_its_product_and_no_item(any_store: Store) -> None:
    ingest(any_store, "ObjectEvent_with_digitalLink.json")

    assert [(n.id, n.described) for n in any_store.nodes("Product")] == [
        (f"{DL}/01/70614141123451", False)
    ]
    assert any_store.counts().nodes == {"Product": 1}


PHARMA_FEED = [
    {"kind": "brand", "id": "BR-GS1P", "name": "GS1 Pharma"},
    {
        "kind": "party",
        "id": "PA-MFG",
        "name": "GS1 Pharma LLC",
        "role": "manufacturer",
        "gln": "0300011111116",
    },
    {
        "kind": "party",
        "id": "PA-WHS",
        "name": "GS1 Drug Distributor",
        "role": "wholesaler",
        "gln": "0399999999991",
    },
    {
        "kind": "site",
        "id": "SI-MFG",
        "operator": "PA-MFG",
        "country": "US",
        "gln": "0300011111116",
    },
    {
        "kind": "site",
        "id": "SI-WHS-DC",
        "operator": "PA-WHS",
        "country": "US",
        "gln": "0399993456780",
    },
    {
        "kind": "product",
        "id": "PR-EPCISTRA",
        "brand": "BR-GS1P",
        "gtin": "00300010123455",
    },
]


def _pharma_with_feed(store: Store, tmp_path: Path) -> Investigation:
    feed = tmp_path / "pharma.jsonl"
    feed.write_text("".join(json.dumps(r) + "\n" for r in PHARMA_FEED))
    report = load_paths(store, [feed, sample(PHARMA)])
    assert (report.rejected, report.failed_files) == (0, {})
    investigation = Investigation(store)
    investigation.refresh()
    return investigation


def test_a_unit_follows_its_case_and_pallet_to_the_wholesaler(
    any_store: Store, tmp_path: Path
) -> None:
    investigation = _pharma_with_feed(any_store, tmp_path)

    provenance = investigation.provenance(UNIT_11)

    assert provenance is not None
    shipment = provenance.hops[1].shipment
    assert shipment is not None
    assert shipment.startswith("EPCIS-SH-")
    assert provenance.hops == (
        CustodyHop(
            "PA-MFG",
            "SI-MFG",
            datetime.fromisoformat("2023-03-27T01:45:16-05:00"),
            datetime.fromisoformat("2023-04-01T02:48:16-05:00"),
            None,
            True,
            None,
        ),
        CustodyHop(
            "PA-WHS",
            "SI-WHS-DC",
            datetime.fromisoformat("2023-04-01T02:48:16-05:00"),
            None,
            shipment,
            False,
            False,
        ),
    )
    assert [f.kind.value for f in provenance.findings] == ["UNAUTHORIZED_HOLDER"]
    assert investigation.provenance(CASE_110) is not None
    pallet = investigation.provenance(PALLET)
    assert pallet is not None
    assert pallet.findings == ()


def test_an_authorization_reaches_units_inside_the_pallet(
    any_store: Store, tmp_path: Path
) -> None:
    investigation = _pharma_with_feed(any_store, tmp_path)
    grant = {
        "kind": "authorization",
        "brand": "BR-GS1P",
        "party": "PA-WHS",
        "valid_from": "2023-01-01",
    }

    load_paths(any_store, [jsonl(tmp_path / "grant.jsonl", [dict(grant)])])
    investigation.refresh()

    provenance = investigation.provenance(UNIT_11)
    assert provenance is not None
    assert [h.authorized for h in provenance.hops] == [None, True]
    assert provenance.findings == ()


def test_a_unit_taken_out_before_shipping_stays_behind(
    any_store: Store, tmp_path: Path
) -> None:
    _pharma_with_feed(any_store, tmp_path)
    unpack = object_document(
        [
            {
                "type": "AggregationEvent",
                "eventID": "urn:uuid:0b4a6a54-0001-4000-8000-000000000001",
                "eventTime": "2023-03-30T12:00:00Z",
                "eventTimeZoneOffset": "+00:00",
                "parentID": "urn:epc:id:sgtin:030001.1012345.110",
                "childEPCs": ["urn:epc:id:sgtin:030001.0012345.11"],
                "action": "DELETE",
                "bizStep": "unpacking",
                "readPoint": {"id": "urn:epc:id:sgln:030001.111111.0"},
            }
        ]
    )

    load_paths(any_store, [_write(tmp_path / "unpack.json", unpack)])
    investigation = Investigation(any_store)
    investigation.refresh()

    alone = investigation.provenance(UNIT_11)
    neighbour = investigation.provenance(f"{DL}/01/00300010123455/21/12")
    assert alone is not None
    assert neighbour is not None
    assert [h.party for h in alone.hops] == ["PA-MFG"]
    assert [h.party for h in neighbour.hops] == ["PA-MFG", "PA-WHS"]


# -- the same events, any syntax ------------------------------------------------------

XML_EVENTS = """<?xml version="1.0" encoding="UTF-8"?>
<epcis:EPCISDocument xmlns:epcis="urn:epcglobal:epcis:xsd:2" schemaVersion="2.0"
    creationDate="2024-01-01T00:00:00Z">
  <EPCISBody><EventList>
    <ObjectEvent>
      <eventTime>2024-01-02T10:00:00+01:00</eventTime>
      <eventTimeZoneOffset>+01:00</eventTimeZoneOffset>
      <epcList>
        <epc>urn:epc:id:sgtin:4012345.011111.1</epc>
        <epc>urn:epc:id:sgtin:4012345.011111.2</epc>
      </epcList>
      <action>ADD</action>
      <bizStep>urn:epcglobal:cbv:bizstep:commissioning</bizStep>
      <bizLocation><id>urn:epc:id:sgln:4012345.00001.0</id></bizLocation>
    </ObjectEvent>
    <AggregationEvent>
      <eventTime>2024-01-02T11:00:00+01:00</eventTime>
      <eventTimeZoneOffset>+01:00</eventTimeZoneOffset>
      <parentID>urn:epc:id:sscc:4012345.0000000001</parentID>
      <childEPCs>
        <epc>urn:epc:id:sgtin:4012345.011111.1</epc>
        <epc>urn:epc:id:sgtin:4012345.011111.2</epc>
      </childEPCs>
      <action>ADD</action>
      <bizStep>urn:epcglobal:cbv:bizstep:packing</bizStep>
      <bizLocation><id>urn:epc:id:sgln:4012345.00001.0</id></bizLocation>
    </AggregationEvent>
    <ObjectEvent>
      <eventTime>2024-01-03T08:00:00+01:00</eventTime>
      <eventTimeZoneOffset>+01:00</eventTimeZoneOffset>
      <epcList><epc>urn:epc:id:sscc:4012345.0000000001</epc></epcList>
      <action>OBSERVE</action>
      <bizStep>urn:epcglobal:cbv:bizstep:shipping</bizStep>
      <readPoint><id>urn:epc:id:sgln:4012345.00001.0</id></readPoint>
      <bizTransactionList>
        <bizTransaction type="urn:epcglobal:cbv:btt:po"
          >urn:epcglobal:cbv:bt:4012345000016:PO7</bizTransaction>
      </bizTransactionList>
      <sourceList>
        <source type="urn:epcglobal:cbv:sdt:owning_party"
          >urn:epc:id:pgln:4012345.00001</source>
      </sourceList>
      <destinationList>
        <destination type="urn:epcglobal:cbv:sdt:owning_party"
          >urn:epc:id:pgln:0614141.00001</destination>
        <destination type="urn:epcglobal:cbv:sdt:location"
          >urn:epc:id:sgln:0614141.00002.0</destination>
      </destinationList>
    </ObjectEvent>
  </EventList></EPCISBody>
</epcis:EPCISDocument>
"""

JSON_EVENTS: list[dict[str, object]] = [
    # The same three events, lists permuted, identifiers as Digital Links, CBV values
    # as bare words, times at another offset.
    {
        "type": "ObjectEvent",
        "eventTime": "2024-01-02T09:00:00Z",
        "eventTimeZoneOffset": "+01:00",
        "epcList": [
            "https://id.gs1.org/01/04012345111118/21/2",
            "https://id.gs1.org/01/04012345111118/21/1",
        ],
        "action": "ADD",
        "bizStep": "commissioning",
        "bizLocation": {"id": "https://id.gs1.org/414/4012345000016"},
    },
    {
        "type": "AggregationEvent",
        "eventTime": "2024-01-02T10:00:00Z",
        "eventTimeZoneOffset": "+01:00",
        "parentID": "https://id.gs1.org/00/040123450000000016",
        "childEPCs": [
            "https://id.gs1.org/01/04012345111118/21/2",
            "https://id.gs1.org/01/04012345111118/21/1",
        ],
        "action": "ADD",
        "bizStep": "packing",
        "bizLocation": {"id": "https://id.gs1.org/414/4012345000016"},
    },
    {
        "type": "ObjectEvent",
        "eventTime": "2024-01-03T07:00:00Z",
        "eventTimeZoneOffset": "+01:00",
        "epcList": ["https://id.gs1.org/00/040123450000000016"],
        "action": "OBSERVE",
        "bizStep": "shipping",
        "readPoint": {"id": "https://id.gs1.org/414/4012345000016"},
        "bizTransactionList": [
            {"type": "po", "bizTransaction": "urn:epcglobal:cbv:bt:4012345000016:PO7"}
        ],
        "sourceList": [
            {"type": "owning_party", "source": "https://id.gs1.org/417/4012345000016"}
        ],
        "destinationList": [
            {"type": "location", "destination": "urn:epc:id:sgln:0614141.00002.0"},
            {"type": "owning_party", "destination": "urn:epc:id:pgln:0614141.00001"},
        ],
    },
]


def _write(path: Path, document: dict[str, object]) -> Path:
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def test_the_same_events_in_xml_and_json_give_the_same_graph(
    stores: Stores, tmp_path: Path
) -> None:
    store = stores.open()
    from_xml = load_text(store, "events.xml", XML_EVENTS)
    xml_graph = snapshot(store)
    xml_counts = store.counts().nodes
    xml_events = store.events(EventQuery(), 10)

    again = load_text(store, "events.json", json.dumps(object_document(JSON_EVENTS)))
    store = stores.empty()
    load_text(store, "events.json", json.dumps(object_document(JSON_EVENTS)))

    assert (from_xml.new, again.new, again.duplicate, again.written) == (3, 0, 3, {})
    assert snapshot(store) == xml_graph
    assert [e.id for e in store.events(EventQuery(), 10)] == [e.id for e in xml_events]
    assert xml_counts == {
        "Containment": 2,
        "Item": 3,
        "Party": 2,
        "Product": 1,
        "Scan": 6,
        "Shipment": 1,
        "Site": 2,
    }


@pytest.mark.parametrize(
    "batch_size",
    [
        2,  # batches [first, first], [with_id, third], [with_id, first]
        1,  # every copy in a batch of its own
    ],
)
def test_a_repeated_event_is_kept_and_written_once_within_and_across_batches(
    stores: Stores, batch_size: int
) -> None:
    first, second, third = JSON_EVENTS
    with_id = {**second, "eventID": "urn:uuid:0d2a1c3e-5b7f-4e8a-9c1d-2e3f4a5b6c7d"}
    once = stores.open()
    load_text(once, "events.json", json.dumps(object_document([first, with_id, third])))
    once_graph = snapshot(once)
    once_events = [e.id for e in once.events(EventQuery(), 10)]
    # `first` has no eventID, so its copies are known by their hash.
    repeated = [first, first, with_id, third, with_id, first]

    store = stores.empty()
    report = ingest_epcis(
        store,
        Bytes(json.dumps(object_document(repeated)).encode()),
        "events.json",
        batch_size=batch_size,
    )

    assert (report.read, report.new, report.duplicate) == (6, 3, 3)
    assert report.written == {"item": 2, "scan": 6, "containment": 2, "shipment": 1}
    assert snapshot(store) == once_graph
    assert [e.id for e in store.events(EventQuery(), 10)] == once_events
    assert len(once_events) == 3


def test_items_in_a_shipped_sscc_are_handed_over(stores: Stores) -> None:
    store = stores.open()
    load_text(store, "events.xml", XML_EVENTS)
    investigation = Investigation(store)
    investigation.refresh()

    provenance = investigation.provenance(f"{DL}/01/04012345111118/21/1")

    assert provenance is not None
    assert [(h.party, h.site) for h in provenance.hops] == [
        (None, f"{DL}/414/4012345000016"),
        (f"{DL}/417/0614141000012", f"{DL}/414/0614141000029"),
    ]


def test_three_time_zone_spellings_are_one_event(any_store: Store) -> None:
    ingest(any_store, "timestampTimeZone.xml")

    events = any_store.events(EventQuery(), 10)

    assert len(events) == 1
    assert events[0].event_time == datetime(2019, 10, 21, 12, 58, 56, tzinfo=UTC)


def test_an_event_without_id_is_kept_under_its_reference_hash(
    any_store: Store,
) -> None:
    hashes = sample("ReferenceEventHashAlgorithm.hashes").read_text().split()

    ingest(any_store, "ReferenceEventHashAlgorithm.jsonld")

    events = any_store.events(EventQuery(), 10)
    assert [(e.id, e.hash) for e in events] == [(hashes[0], hashes[0])]


# -- retraction -----------------------------------------------------------------------

DECLARED = "urn:uuid:374d95fc-9457-4a51-bd6a-0bba133845a8"
CORRECTIVE = "urn:uuid:404d95fc-9457-4a51-bd6a-0bba133845a8"
OUTPUT = f"{DL}/01/04012345333336/21/AGHFG"


def test_an_error_declaration_retracts_its_event_but_keeps_it(
    any_store: Store,
) -> None:
    report = ingest(any_store, "ErrorDeclarationAndCorrectiveEvent.xml")

    declared, corrective = any_store.events_by_id([DECLARED, CORRECTIVE])
    assert report.retracted == 1
    assert declared is not None
    assert corrective is not None
    assert declared.retraction == Retraction(
        datetime(2020, 1, 14, 23, 0, tzinfo=UTC), "incorrect_data", (CORRECTIVE,)
    )
    assert declared.document["errorDeclaration"]["correctiveEventIDs"] == [CORRECTIVE]
    assert corrective.retraction is None
    scans = {
        n.properties["event"]: n.properties.get("retracted_by")
        for n in any_store.nodes("Scan")
        if n.properties["item"] == OUTPUT
    }
    assert scans == {DECLARED: DECLARED, CORRECTIVE: None}
    (evidence,) = any_store.item_evidence([OUTPUT])
    assert [s.id for s in evidence.scans] == [f"{OUTPUT} @ {CORRECTIVE}"]
    assert evidence.item is not None
    assert evidence.item.produced_on == datetime.fromisoformat(
        "2021-01-28T00:00:00+01:00"
    )


SHIP: dict[str, object] = {
    "type": "ObjectEvent",
    "eventID": "urn:uuid:0b4a6a54-0002-4000-8000-000000000001",
    "eventTime": "2024-01-03T07:00:00Z",
    "eventTimeZoneOffset": "+01:00",
    "epcList": ["https://id.gs1.org/00/040123450000000016"],
    "action": "OBSERVE",
    "bizStep": "shipping",
    "readPoint": {"id": "https://id.gs1.org/414/4012345000016"},
    "sourceList": [
        {"type": "owning_party", "source": "https://id.gs1.org/417/4012345000016"}
    ],
    "destinationList": [
        {"type": "location", "destination": "urn:epc:id:sgln:0614141.00002.0"},
        {"type": "owning_party", "destination": "urn:epc:id:pgln:0614141.00001"},
    ],
}
DECLARATION = {
    "declarationTime": "2024-01-04T00:00:00Z",
    "reason": "did_not_occur",
}


@pytest.mark.parametrize("declaration_first", [False, True])
def test_a_retracted_shipping_no_longer_moves_the_items(
    any_store: Store, declaration_first: bool
) -> None:
    packed = json.dumps(object_document(JSON_EVENTS[:2]))
    shipped = json.dumps(object_document([SHIP]))
    declared = json.dumps(object_document([{**SHIP, "errorDeclaration": DECLARATION}]))
    load_text(any_store, "packed.json", packed)
    order = [declared, shipped] if declaration_first else [shipped, declared]

    reports = [load_text(any_store, "doc.json", text) for text in order]
    investigation = Investigation(any_store)
    investigation.refresh()

    provenance = investigation.provenance(f"{DL}/01/04012345111118/21/1")
    assert provenance is not None
    assert [h.shipment for h in provenance.hops] == [None]
    assert sum(r.retracted for r in reports) == 1
    (shipment,) = any_store.nodes("Shipment")
    assert shipment.properties["retracted_by"] == SHIP["eventID"]


@pytest.mark.parametrize("batch_size", [1, 2])
@pytest.mark.parametrize("declaration_first", [False, True])
def test_a_declaration_in_the_same_document_retracts_within_and_across_batches(
    any_store: Store, declaration_first: bool, batch_size: int
) -> None:
    declared = {**SHIP, "errorDeclaration": DECLARATION}
    events = [declared, SHIP] if declaration_first else [SHIP, declared]

    report = ingest_epcis(
        any_store,
        Bytes(json.dumps(object_document(events)).encode()),
        "doc.json",
        batch_size=batch_size,
    )

    (kept,) = any_store.events(EventQuery(), 10)
    (shipment,) = any_store.nodes("Shipment")
    assert (report.new, report.duplicate, report.retracted) == (1, 1, 1)
    assert kept.retraction == Retraction(
        datetime(2024, 1, 4, tzinfo=UTC), "did_not_occur", ()
    )
    assert shipment.properties["retracted_by"] == SHIP["eventID"]


def test_a_retracted_commissioning_leaves_the_item_unproduced(
    any_store: Store,
) -> None:
    made = {
        **JSON_EVENTS[0],
        "eventID": "urn:uuid:0b4a6a54-0003-4000-8000-000000000001",
    }
    declared = {**made, "errorDeclaration": DECLARATION}
    load_text(any_store, "made.json", json.dumps(object_document([made])))

    report = load_text(any_store, "no.json", json.dumps(object_document([declared])))

    (evidence,) = any_store.item_evidence([f"{DL}/01/04012345111118/21/1"])
    assert report.retracted == 1
    assert evidence.item is not None
    assert (evidence.item.produced_at, evidence.item.produced_on) == (None, None)
    assert evidence.scans == ()


def _chain(store: Store, tmp_path: Path, *documents: list[dict[str, object]]) -> None:
    """Load the chain's feed, then each list of events as one document."""
    load_paths(store, [jsonl(tmp_path / "chain.jsonl", CHAIN_FEED)])
    for n, events in enumerate(documents):
        load_text(store, f"doc-{n}.json", json.dumps(object_document(events)))


_Hop = tuple[str | None, str | None, str, str | None, bool, bool | None]


def _custody(store: Store) -> tuple[list[_Hop], list[str]]:
    """The chain item's hops (party, site, start, shipment, confirmed, authorized)
    and the explanations of its findings."""
    investigation = Investigation(store)
    investigation.refresh()
    provenance = investigation.provenance(CHAIN_ITEM)
    assert provenance is not None
    hops = [
        (h.party, h.site, h.start.isoformat(), h.shipment, h.confirmed, h.authorized)
        for h in provenance.hops
    ]
    return hops, [f.explanation for f in provenance.findings]


def test_a_commissioning_transformation_does_not_produce_its_inputs_again(
    any_store: Store, tmp_path: Path
) -> None:
    kit = f"{DL}/01/04012345222227/21/1"
    kitting: dict[str, object] = {
        "type": "TransformationEvent",
        "eventID": "urn:uuid:0b4a6a54-0006-4000-8000-000000000001",
        "eventTime": "2024-01-07T14:00:00Z",
        "eventTimeZoneOffset": "-05:00",
        "inputEPCList": [CHAIN_ITEM],
        "outputEPCList": [kit],
        "bizStep": "commissioning",
        "bizLocation": {"id": "urn:epc:id:sgln:0614141.00002.0"},
    }

    _chain(any_store, tmp_path, CHAIN_EVENTS, [RECEIVE, kitting])

    (shipment,) = any_store.nodes("Shipment")
    used, made = any_store.item_evidence([CHAIN_ITEM, kit])
    assert _custody(any_store) == (
        [
            ("PA-MFG", "SI-MFG", "2024-01-02T10:00:00+01:00", None, True, None),
            ("PA-DST", "SI-DST", "2024-01-05T09:00:00-05:00", shipment.id, True, False),
        ],
        [
            "Dorado Trading (PA-DST) received the item in US on 2024-01-05, but"
            " holds no authorization from BR-T."
        ],
    )
    assert [(s.site, s.step) for s in used.scans] == [
        ("SI-MFG", "produced"),
        ("SI-MFG", "shipped"),
        ("SI-DST", "received"),
        ("SI-DST", "inspected"),
    ]
    assert [(s.site, s.step) for s in made.scans] == [("SI-DST", "produced")]


def test_an_asset_its_commissioning_describes_is_no_unknown_item(
    any_store: Store, tmp_path: Path
) -> None:
    # A GIAI names no product, so only the commissioning event describes it.
    asset = f"{DL}/8004/401234512345"
    commissioned = {**CHAIN_EVENTS[0], "epcList": [asset]}
    shipped = {**CHAIN_EVENTS[1], "epcList": [asset]}

    _chain(any_store, tmp_path, [commissioned, shipped])
    investigation = Investigation(any_store)
    investigation.refresh()

    provenance = investigation.provenance(asset)
    (shipment,) = any_store.nodes("Shipment")
    assert provenance is not None
    assert [(h.party, h.site, h.shipment, h.authorized) for h in provenance.hops] == [
        ("PA-MFG", "SI-MFG", None, None),
        ("PA-DST", "SI-DST", shipment.id, None),
    ]
    assert provenance.hops[0].start.isoformat() == "2024-01-02T10:00:00+01:00"
    assert provenance.findings == ()


def test_a_retracted_receiving_leaves_the_hand_over_unconfirmed(
    any_store: Store, tmp_path: Path
) -> None:
    declared = {**RECEIVE, "errorDeclaration": DECLARATION}
    corrective = {
        **RECEIVE,
        "eventID": "urn:uuid:0b4a6a54-0004-4000-8000-000000000004",
        "eventTime": "2024-01-06T15:00:00Z",
    }
    _chain(any_store, tmp_path, CHAIN_EVENTS, [RECEIVE])
    (shipment,) = any_store.nodes("Shipment")
    received = _custody(any_store)

    load_text(any_store, "no.json", json.dumps(object_document([declared])))
    retracted = _custody(any_store)
    (kept,) = any_store.events_by_id([str(RECEIVE["eventID"])])
    load_text(any_store, "again.json", json.dumps(object_document([corrective])))
    corrected = _custody(any_store)

    made = ("PA-MFG", "SI-MFG", "2024-01-02T10:00:00+01:00", None, True, None)
    assert received == (
        [
            made,
            ("PA-DST", "SI-DST", "2024-01-05T09:00:00-05:00", shipment.id, True, False),
        ],
        [
            "Dorado Trading (PA-DST) received the item in US on 2024-01-05, but"
            " holds no authorization from BR-T."
        ],
    )
    assert retracted == (
        [
            made,
            (
                "PA-DST",
                "SI-DST",
                "2024-01-03T08:00:00+01:00",
                shipment.id,
                False,
                False,
            ),
        ],
        [
            "Dorado Trading (PA-DST) received the item in US on 2024-01-03, but"
            " holds no authorization from BR-T."
        ],
    )
    assert kept is not None
    assert kept.retraction is not None
    assert corrected == (
        [
            made,
            ("PA-DST", "SI-DST", "2024-01-06T10:00:00-05:00", shipment.id, True, False),
        ],
        [
            "Dorado Trading (PA-DST) received the item in US on 2024-01-06, but"
            " holds no authorization from BR-T."
        ],
    )


def test_retracting_the_receiving_after_the_shipping_keeps_both_retracted(
    any_store: Store, tmp_path: Path
) -> None:
    ship = CHAIN_EVENTS[1]
    declared = [{**e, "errorDeclaration": DECLARATION} for e in (ship, RECEIVE)]
    _chain(any_store, tmp_path, CHAIN_EVENTS, [RECEIVE], declared)

    hops, findings = _custody(any_store)

    assert hops == [("PA-MFG", "SI-MFG", "2024-01-02T10:00:00+01:00", None, True, None)]
    assert findings == []


# -- all or nothing --------------------------------------------------------------------

_CHAIN_DOCUMENT = json.dumps(object_document([*CHAIN_EVENTS, RECEIVE]))
"""Three events, loaded a batch at a time below: commissioning, shipping, receiving."""

_LOADER = """
import os, signal, sys
from pathlib import Path

from loaders.epcis.ingest import ingest_epcis

kind, document, all_or_nothing = sys.argv[1:]
if kind == "embedded":
    from graphsvc.store.embedded import EmbeddedStore
    store = EmbeddedStore(Path(os.environ["DATA_DIR"]))
else:
    from graphsvc.store.neo4j import Neo4jStore
    store = Neo4jStore(*(os.environ[n] for n in ("URI", "USER", "PASSWORD", "DB")))
write, calls = store.write, []

def write_then_die(records):
    calls.append(records)
    if len(calls) == 3:
        os.kill(os.getpid(), signal.SIGKILL)
    return write(records)

store.write = write_then_die
with open(document, "rb") as source:
    ingest_epcis(store, source, "doc.json", batch_size=1,
                 all_or_nothing=all_or_nothing == "yes")
"""


def _reference(stores: Stores) -> tuple[list[Node], list[Edge]]:
    """The chain document loaded whole into an empty store, as a snapshot."""
    store = stores.empty()
    load_text(store, "doc.json", _CHAIN_DOCUMENT)
    return snapshot(store)


def _nothing_kept(store: Store) -> None:
    assert store.counts() == GraphCounts({}, {})
    assert store.events(EventQuery(), 10) == []
    assert store.pending().count == 0


@pytest.mark.parametrize("all_or_nothing", [True, False])
def test_a_process_killed_inside_a_document_keeps_all_of_it_or_none(
    stores: Stores, tmp_path: Path, all_or_nothing: bool
) -> None:
    whole = _reference(stores)
    stores.empty()
    stores.close_all()
    document = tmp_path / "doc.json"
    document.write_text(_CHAIN_DOCUMENT, encoding="utf-8")
    env = stores.child_env()
    flag = "yes" if all_or_nothing else "no"
    command = [sys.executable, "-c", _LOADER, stores.kind, str(document), flag]

    loader = subprocess.run(command, env=env, capture_output=True, check=False)
    store = stores.open()
    kept = [e.id for e in store.events(EventQuery(), 10)]
    again = ingest_epcis(
        store, Bytes(_CHAIN_DOCUMENT.encode()), "doc.json", all_or_nothing=True
    )

    assert loader.returncode == -signal.SIGKILL, loader.stderr
    if all_or_nothing:
        assert kept == []
        assert (again.new, again.duplicate) == (3, 0)
    else:
        assert kept == [str(e["eventID"]) for e in CHAIN_EVENTS]
        assert (again.new, again.duplicate) == (1, 2)
    assert snapshot(store) == whole


def test_a_document_that_fails_between_batches_leaves_nothing(
    stores: Stores, monkeypatch: pytest.MonkeyPatch
) -> None:
    whole = _reference(stores)
    store = stores.empty()
    save_events = store.save_events

    def fail_the_second(events: Sequence[StoredEvent]) -> list[bool]:
        if store.events_by_id([str(CHAIN_EVENTS[0]["eventID"])])[0] is not None:
            raise StoreError("the disk is full")
        return save_events(events)

    monkeypatch.setattr(store, "save_events", fail_the_second)
    with pytest.raises(StoreError, match="the disk is full"):
        ingest_epcis(
            store,
            Bytes(_CHAIN_DOCUMENT.encode()),
            "doc.json",
            all_or_nothing=True,
            batch_size=1,
        )
    monkeypatch.undo()
    _nothing_kept(store)
    stores.close(store)
    store = stores.open()
    _nothing_kept(store)

    again = ingest_epcis(
        store,
        Bytes(_CHAIN_DOCUMENT.encode()),
        "doc.json",
        all_or_nothing=True,
        batch_size=1,
    )

    assert (again.new, again.duplicate) == (3, 0)
    assert snapshot(store) == whole


# -- graphsvc load ---------------------------------------------------------------------


def test_a_load_takes_epcis_documents_beside_feeds(
    store: Store, tmp_path: Path
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    jsonl(folder / "parties.jsonl", [dict(PHARMA_FEED[1])])
    (folder / "pharma.xml").write_bytes(sample(PHARMA).read_bytes())
    invalid = sample("ObjectEvent_with_invalid_action.json").read_bytes()
    (folder / "invalid.json").write_bytes(invalid)
    (folder / "manifest.json").write_text('{"files": 3}', encoding="utf-8")

    report = load_paths(store, [folder])

    assert report.files == ["invalid.json", "parties.jsonl", "pharma.xml"]
    assert report.epcis_events == 8
    assert [str(r) for r in report.rejections] == [
        "invalid.json:1: event 1: action 'CREATE' is not one of ADD, OBSERVE, DELETE"
    ]
    assert report.rejections[0].field == "action"
    assert report.failed_files == {}
    assert report.changes[("containment", Change.NEW)] == 15
    assert report.changes[("party", Change.NEW)] == 1
    assert report.render().splitlines()[1:7] == [
        "EPCIS events read: 8",
        "kind                   new   updated unchanged",
        "party                    1         0         0",
        "item                    16         0         0",
        "shipment                 1         0         0",
        "scan                    36         0         0",
    ]
    assert "containment             15         0         0" in report.render()


# Cut in its first event, the document must still be told for EPCIS by what is left.
@pytest.mark.parametrize("kept", [1_000, 120])
def test_a_truncated_gzip_document_fails_alone_naming_the_break(
    store: Store, tmp_path: Path, kept: int
) -> None:
    events = [
        {**CHAIN_EVENTS[0], "eventID": f"urn:uuid:{n:08d}-0000-4000-8000-000000000000"}
        for n in range(400)
    ]
    packed = gzip.compress(json.dumps(object_document(events)).encode())
    cut = tmp_path / "events.jsonld.gz"
    cut.write_bytes(packed[:kept])
    feed = jsonl(tmp_path / "parties.jsonl", [dict(CHAIN_FEED[2])])

    report = load_paths(store, [cut, feed])

    assert report.failed_files == {
        "events.jsonld.gz": "the compressed file is truncated or corrupt "
        "(Compressed file ended before the end-of-stream marker was reached)"
    }
    assert report.changes[("party", Change.NEW)] == 1
    assert report.epcis_events == 0
