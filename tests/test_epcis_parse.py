"""EPCIS 1.2 XML, 2.0 XML and 2.0 JSON-LD parsing, normalisation and event hashing."""

from __future__ import annotations

import io
import re
import time
from collections import Counter
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from graphsvc.errors import InvalidInput
from graphsvc.instants import is_offset
from loaders.epcis import (
    BizTransaction,
    EpcisEvent,
    ErrorDeclaration,
    EventRejection,
    QuantityElement,
    SourceDestination,
    detect_epcis,
    parse_epcis,
)
from loaders.epcis.build import build_event
from loaders.epcis.hashing import prehash
from loaders.epcis.jsonld import JsonDocument
from loaders.epcis.values import hash_timestamp, parse_timestamp

DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "epcis"

EXPECTED_COUNTS: dict[str, tuple[dict[str, int], int]] = {
    # document: (events per type, rejections)
    "AggregationEvent_all_possible_fields.xml": ({"AggregationEvent": 1}, 0),
    "AssociationEvent.xml": ({"AssociationEvent": 2}, 0),
    "Combination_of_different_event.json": (
        {
            "AggregationEvent": 1,
            "TransactionEvent": 1,
            "TransformationEvent": 1,
            "AssociationEvent": 2,
        },
        1,
    ),
    "ErrorDeclarationAndCorrectiveEvent.xml": ({"TransformationEvent": 2}, 0),
    "Example_9.6.1-ObjectEvent.jsonld": ({"ObjectEvent": 2}, 0),
    "GS1_US_Pharma_Example_2_2_1_1.xml": (
        {"ObjectEvent": 4, "AggregationEvent": 4},
        0,
    ),
    "Namespaces_at_different_level.xml": ({"ObjectEvent": 5}, 0),
    "ObjectEvent_all_possible_fields.json": ({"ObjectEvent": 1}, 0),
    "ObjectEvent_with_baseExtension_errorDeclaration.xml": ({"ObjectEvent": 3}, 0),
    "ObjectEvent_with_digitalLink.json": ({"ObjectEvent": 1}, 0),
    "ObjectEvent_with_invalid_action.json": ({}, 1),
    "ObjectEvent_with_sensorData.xml": ({"ObjectEvent": 1}, 0),
    "ReferenceEventHashAlgorithm.jsonld": ({"ObjectEvent": 1}, 0),
    "TransactionEvent.json": ({"TransactionEvent": 2}, 0),
    "TransformationEvent_all_possible_fields.json": ({"TransformationEvent": 1}, 0),
    "timestampTimeZone.xml": ({"ObjectEvent": 3}, 0),
}

EPCIS2 = 'xmlns:epcis="urn:epcglobal:epcis:xsd:2"'
EXT = "https://ns.example.com/ext/"


def data_dir() -> Path:
    if not DATA.is_dir():
        pytest.fail(
            f"the EPCIS samples folder {DATA} is missing; the shared/ folder must "
            "sit beside the checkout",
            pytrace=False,
        )
    return DATA


def parse_file(name: str) -> list[EpcisEvent | EventRejection]:
    with (data_dir() / name).open("rb") as source:
        return list(parse_epcis(source, name))


def events_of(name: str) -> list[EpcisEvent]:
    outcomes = parse_file(name)
    assert all(isinstance(outcome, EpcisEvent) for outcome in outcomes), outcomes
    return [outcome for outcome in outcomes if isinstance(outcome, EpcisEvent)]


def parse_bytes(data: bytes, name: str = "doc") -> list[EpcisEvent | EventRejection]:
    return list(parse_epcis(io.BytesIO(data), name))


def one_event(data: bytes, name: str = "doc") -> EpcisEvent:
    outcomes = parse_bytes(data, name)
    assert len(outcomes) == 1
    assert isinstance(outcomes[0], EpcisEvent), outcomes[0]
    return outcomes[0]


def xml_document(events: str, namespaces: str = "") -> bytes:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<epcis:EPCISDocument {EPCIS2} '
        f'{namespaces} schemaVersion="2.0" creationDate="2024-01-01T00:00:00Z">'
        f"<EPCISBody><EventList>{events}</EventList></EPCISBody>"
        "</epcis:EPCISDocument>"
    ).encode()


def json_document(events: str, context: str = '{"ext": "' + EXT + '"}') -> bytes:
    return (
        '{"@context": ["https://ref.gs1.org/standards/epcis/epcis-context.jsonld", '
        f'{context}], "type": "EPCISDocument", "schemaVersion": "2.0", '
        '"creationDate": "2024-01-01T00:00:00Z", '
        f'"epcisBody": {{"eventList": [{events}]}}}}'
    ).encode()


OBJECT_XML = (
    "<ObjectEvent><eventTime>2024-05-01T10:00:00+02:00</eventTime>"
    "<eventTimeZoneOffset>+02:00</eventTimeZoneOffset>"
    "<epcList><epc>urn:epc:id:sgtin:0614141.107346.2017</epc></epcList>"
    "<action>OBSERVE</action><bizStep>{step}</bizStep></ObjectEvent>"
)


# The sample documents: every one, with exact counts and a few exact fields.


def test_table_covers_every_sample_document() -> None:
    documents = {
        path.name
        for path in data_dir().iterdir()
        if path.suffix in (".xml", ".json", ".jsonld")
    }
    assert documents == set(EXPECTED_COUNTS)


@pytest.mark.parametrize("name", sorted(EXPECTED_COUNTS))
def test_sample_document_counts(name: str) -> None:
    outcomes = parse_file(name)

    types = Counter(o.type for o in outcomes if isinstance(o, EpcisEvent))
    rejections = [o for o in outcomes if isinstance(o, EventRejection)]
    expected_types, expected_rejections = EXPECTED_COUNTS[name]
    assert dict(types) == expected_types
    assert len(rejections) == expected_rejections
    assert [o.position for o in outcomes] == list(range(1, len(outcomes) + 1))


def test_invalid_action_gives_exactly_one_rejection() -> None:
    outcomes = parse_file("ObjectEvent_with_invalid_action.json")

    assert outcomes == [
        EventRejection(
            document="ObjectEvent_with_invalid_action.json",
            position=1,
            field="action",
            reason="action 'CREATE' is not one of ADD, OBSERVE, DELETE",
        )
    ]


def test_bad_check_digit_rejects_that_event_only() -> None:
    outcomes = parse_file("Combination_of_different_event.json")

    assert outcomes[0] == EventRejection(
        document="Combination_of_different_event.json",
        position=1,
        field="epcList",
        reason="epcList has a bad identifier: GRAI '03001345000771' has check "
        "digit 1, expected 6",
    )
    assert [o.type for o in outcomes[1:] if isinstance(o, EpcisEvent)] == [
        "AggregationEvent",
        "TransactionEvent",
        "TransformationEvent",
        "AssociationEvent",
        "AssociationEvent",
    ]


def test_combination_document_fields() -> None:
    aggregation, transaction, transformation, declared, corrective = [
        o for o in parse_file("Combination_of_different_event.json") if o.position > 1
    ]
    assert isinstance(aggregation, EpcisEvent)
    assert aggregation.action == "DELETE"
    assert aggregation.biz_step == "unpacking"
    assert (
        aggregation.parent_id == "https://id.gs1.org/01/19520010123455/21/22222223333"
    )
    assert aggregation.event_time == datetime(2020, 6, 8, 18, 11, 16, tzinfo=UTC)
    assert aggregation.time_zone_offset == "+02:00"
    assert isinstance(transaction, EpcisEvent)
    # A compact URI with a document prefix is expanded, not taken for a CBV word.
    assert transaction.biz_step == "http://example.com/ext1/summarising_discharge"
    assert transaction.biz_transactions == (
        BizTransaction("https://id.gs1.org/253/95252084000140003555480001000"),
    )
    assert isinstance(transformation, EpcisEvent)
    assert transformation.input_quantity_list[2] == QuantityElement(
        "https://id.gs1.org/01/04012345666663", Decimal(220)
    )
    assert transformation.extensions["{http://example.com/ext1/}boolean"] == "true"
    assert isinstance(declared, EpcisEvent)
    assert isinstance(corrective, EpcisEvent)
    assert declared.error_declaration == ErrorDeclaration(
        declaration_time=datetime(2019, 11, 7, 14, 0, tzinfo=UTC),
        reason="incorrect_data",
        corrective_event_ids=("urn:uuid:fd338495-0e6d-41dd-afee-a862ecd32518",),
    )
    assert corrective.event_id == "urn:uuid:fd338495-0e6d-41dd-afee-a862ecd32518"
    assert corrective.child_epcs == (
        "https://id.gs1.org/8004/400000112345",
        "https://id.gs1.org/8004/400000112346",
    )


def test_us_pharma_12_document_fields() -> None:
    events = events_of("GS1_US_Pharma_Example_2_2_1_1.xml")

    first, pallet_pack, shipping = events[0], events[6], events[7]
    assert len(first.epc_list) == 12
    assert first.epc_list[0] == "https://id.gs1.org/01/00300010123455/21/11"
    assert first.biz_step == "commissioning"
    assert first.disposition == "active"
    assert first.ilmd == {
        "{urn:epcglobal:cbv:mda}lotNumber": "A123",
        "{urn:epcglobal:cbv:mda}itemExpirationDate": "2025-03-27",
    }
    assert pallet_pack.type == "AggregationEvent"
    assert pallet_pack.parent_id == "https://id.gs1.org/00/403000112345678901"
    assert pallet_pack.child_epcs[2] == "https://id.gs1.org/01/10300010123452/21/121"
    assert shipping.biz_transactions == (
        BizTransaction("urn:epcglobal:cbv:bt:0399999999991:XYZPO189", "po"),
        BizTransaction("urn:epcglobal:cbv:bt:0300011111215:DEL100", "desadv"),
    )
    assert shipping.source_list == (
        SourceDestination("owning_party", "https://id.gs1.org/414/0300011111116"),
        SourceDestination("location", "https://id.gs1.org/414/0300011111215"),
    )
    assert shipping.destination_list[1] == SourceDestination(
        "location", "https://id.gs1.org/414/0399993456780"
    )
    assert shipping.extensions == {
        "{http://epcis.gs1us.org/hc/ns}dropShipment": "false"
    }
    assert shipping.event_time == datetime(2023, 4, 1, 7, 48, 16, tzinfo=UTC)


def test_base_extension_error_declaration_12() -> None:
    original, declared, corrective = events_of(
        "ObjectEvent_with_baseExtension_errorDeclaration.xml"
    )

    assert original.error_declaration is None
    assert declared.error_declaration == ErrorDeclaration(
        declaration_time=datetime(2023, 7, 17, 17, 0, tzinfo=UTC),
        reason="incorrect_data",
        corrective_event_ids=("urn:uuid:6926712e-599f-4c4e-b6e9-8dd888c906bd",),
    )
    assert corrective.event_id == "urn:uuid:6926712e-599f-4c4e-b6e9-8dd888c906bd"
    assert declared.source_list == (
        SourceDestination("owning_party", "https://id.gs1.org/414/9521141000007"),
    )
    # The error declaration is no part of the hash: it names the event it retracts.
    assert declared.event_hash == original.event_hash
    assert corrective.event_hash != original.event_hash


def test_error_declaration_and_corrective_event_20() -> None:
    declared, corrective = events_of("ErrorDeclarationAndCorrectiveEvent.xml")

    assert declared.error_declaration == ErrorDeclaration(
        declaration_time=datetime(2020, 1, 14, 23, 0, tzinfo=UTC),
        reason="incorrect_data",
        corrective_event_ids=("urn:uuid:404d95fc-9457-4a51-bd6a-0bba133845a8",),
        extensions={"{http://ns.example.com/epcis}vendorExtension": "Test1"},
    )
    assert declared.action is None
    # xsi:nil on the quantity: an unknown amount, not zero.
    assert declared.input_quantity_list == (
        QuantityElement("https://id.gs1.org/01/04012345222227/10/87545GHGH"),
    )
    assert corrective.output_quantity_list == (
        QuantityElement("https://id.gs1.org/01/04012345444445", Decimal(500), "KGM"),
    )
    assert corrective.event_id == "urn:uuid:404d95fc-9457-4a51-bd6a-0bba133845a8"


def test_aggregation_all_fields_20() -> None:
    (event,) = events_of("AggregationEvent_all_possible_fields.xml")

    assert event.parent_id == "https://id.gs1.org/00/106141412345678908"
    assert event.child_epcs == (
        "https://id.gs1.org/01/10614141073464/21/2017",
        "https://id.gs1.org/01/10614141073464/21/2018",
    )
    assert event.child_quantity_list == (
        QuantityElement("https://id.gs1.org/01/04012345987652", Decimal("10.0")),
        QuantityElement(
            "https://id.gs1.org/01/04012345123456/10/998877", Decimal("200.5"), "KGM"
        ),
    )
    assert event.read_point == "https://id.gs1.org/414/0037000007296/254/8202"
    assert event.biz_transactions[1] == BizTransaction(
        "https://id.gs1.org/8018/061414100000102534", "pedigree"
    )
    assert event.source_list[1] == SourceDestination(
        "possessing_party", "https://id.gs1.org/417/4012345002256"
    )
    assert event.error_declaration is not None
    assert event.error_declaration.reason == "incorrect_data"
    assert event.extensions["{http://example.com/ext1/}int"] == "10"
    assert event.extensions["{http://example.com/ext1/}object"] == (
        '{"{http://example.com/ext2/}array":["11","21","stringInArrayInObject"],'
        '"{http://example.com/ext2/}object":{"{http://example.com/ext2/}object":'
        '{"{http://example.com/ext3/}string":"stringInObjectInObject"}},'
        '"{http://example.com/ext2/}string":"stringInObject"}'
    )


def test_association_events() -> None:
    first, second = events_of("AssociationEvent.xml")

    assert first.parent_id == "https://id.gs1.org/8003/04012345555554987"
    assert first.biz_step == "assembling"
    assert first.record_time is None
    assert second.record_time == datetime(2019, 11, 6, 13, 5, tzinfo=UTC)
    assert second.biz_location == "https://id.gs1.org/414/4012345000023"
    assert second.biz_transactions == (
        BizTransaction("urn:epcglobal:cbv:bt:4023333000000:54545", "inv"),
    )
    assert second.destination_list == (
        SourceDestination("possessing_party", "https://id.gs1.org/417/4012345000009"),
    )


def test_object_event_all_fields_json() -> None:
    (event,) = events_of("ObjectEvent_all_possible_fields.json")

    assert event.event_id == "urn:uuid:374d95fc-9457-4a51-bd6a-0bba133845a8"
    assert event.event_time == datetime(2005, 4, 5, 2, 33, 31, 116000, tzinfo=UTC)
    assert event.time_zone_offset == "-06:00"
    assert event.quantity_list == (
        QuantityElement(
            "https://id.gs1.org/01/04012345123456/10/998877", Decimal(200), "KGM"
        ),
    )
    assert event.persistent_disposition_set == ("completeness_verified",)
    assert event.persistent_disposition_unset == ("completeness_inferred",)
    assert event.certification_info == (
        "https://accreditation-council.example.org/certificate/ABC12345"
    )
    assert event.ilmd["{urn:epcglobal:cbv:mda}lotNumber"] == "ABC123"
    assert event.ilmd["{http://example.com/ext1/}float"] == "20"
    assert event.error_declaration is not None
    assert event.error_declaration.declaration_time == datetime(
        2006, 11, 7, 13, 0, tzinfo=UTC
    )


def test_transformation_all_fields_json() -> None:
    (event,) = events_of("TransformationEvent_all_possible_fields.json")

    assert event.transformation_id == "https://id.gs1.org/253/0614141123452400"
    assert event.input_epcs == (
        "https://id.gs1.org/01/04012345111224/21/25",
        "https://id.gs1.org/01/04000001654321/21/99886655",
    )
    assert len(event.output_epcs) == 4
    assert event.output_quantity_list[1] == QuantityElement(
        "https://id.gs1.org/01/00614141777778/10/987", Decimal(30)
    )
    # This document binds cbvmda to its own namespace, which is kept.
    assert event.ilmd["{http://example.com/cbvmda/}lotNumber"] == "ABC123"


def test_transaction_events_json() -> None:
    untyped, rail = events_of("TransactionEvent.json")

    assert (
        untyped.biz_step == "http://epcis.example.org/hc/bizstep/summarising_discharge"
    )
    assert untyped.epc_list == ("https://id.gs1.org/8018/952520840000000010",)
    assert untyped.event_time == datetime(2019, 10, 4, 13, 12, tzinfo=UTC)
    assert untyped.time_zone_offset == "+01:00"
    assert rail.biz_transactions == (
        BizTransaction(
            "http://transaction.examplerail.com/passage/xyz12345",
            "urn:gs1:epcisapp:rail:btt:passage",
        ),
    )
    assert rail.read_point == "https://id.gs1.org/414/9520053850113/254/ts4711"
    assert rail.extensions["{urn:gs1:epcisapp:rail:}trainAxleCount"] == "12"


def test_digital_link_quantity_event_json() -> None:
    (event,) = events_of("ObjectEvent_with_digitalLink.json")

    assert event.epc_list == ()
    assert event.quantity_list == (
        QuantityElement(
            "https://id.gs1.org/01/70614141123451/10/998877", Decimal(200), "KGM"
        ),
    )
    assert event.destination_list[0] == SourceDestination(
        "owning_party", "https://id.gs1.org/414/0614141000012"
    )
    assert event.extensions == {
        "{http://ns.example.com/epcis/}myField": "Example of a vendor/user extension"
    }


def test_sensor_data_document_drops_sensors_keeps_event() -> None:
    (event,) = events_of("ObjectEvent_with_sensorData.xml")

    assert event.epc_list == ("https://id.gs1.org/01/04012345111118/21/9876",)
    assert event.biz_step == "inspecting"
    assert event.extensions == {}


def test_namespaces_declared_per_event() -> None:
    events = events_of("Namespaces_at_different_level.xml")

    assert events[0].extensions == {
        "{http://www.ext2.net/}address": "Cologne",
        "{https://ns.ext.de/epcis/}name": "Testing",
    }
    # The same local names under other namespaces are other fields.
    assert events[1].extensions == {
        "{https://ns.ext.de/epcis/}hello": "Testing",
        "{http://www.ext3.net/}name": "Testing",
        "{http://www.ext4.net/}address": '{"{http://www.ext4.net/}city":"Bangalore"}',
    }
    assert events[3].extensions == {"{http://www.ext4.net/}hello": "Testing"}
    assert events[2].epc_list == ("https://id.gs1.org/01/04012345999990/21/XYZ-1234",)


def test_spec_example_json() -> None:
    shipping, receiving = events_of("Example_9.6.1-ObjectEvent.jsonld")

    assert shipping.event_time == datetime(2005, 4, 4, 2, 33, 31, 116000, tzinfo=UTC)
    assert shipping.read_point == "https://id.gs1.org/414/0614141073467/254/1234"
    assert shipping.disposition == "in_transit"
    assert receiving.biz_location == "https://id.gs1.org/414/0012345111112"
    assert receiving.extensions == {
        "{http://ns.example.com/epcis/}myField": "Example of a vendor/user extension"
    }


# The event hash.


def test_reference_event_hash_and_prehash() -> None:
    folder = data_dir()
    expected_hash = (folder / "ReferenceEventHashAlgorithm.hashes").read_text().strip()
    expected_prehash = (
        (folder / "ReferenceEventHashAlgorithm.prehashes").read_text().strip()
    )

    with (folder / "ReferenceEventHashAlgorithm.jsonld").open("rb") as source:
        (raw,) = JsonDocument(source, "reference").events()
    event = build_event(raw, "reference")

    assert isinstance(event, EpcisEvent)
    assert prehash(event, raw.fields, raw.prefixes) == expected_prehash
    assert event.event_hash == expected_hash
    assert expected_hash == (
        "ni:///sha-256;6ae96341e0acc6d7a261364751f60e68278a81cdf51da0abb6b4e617014e39d7"
        "?ver=CBV2.0"
    )


def test_three_time_zone_spellings_hash_alike() -> None:
    events = events_of("timestampTimeZone.xml")

    assert len({event.event_hash for event in events}) == 1
    assert {event.event_time for event in events} == {
        datetime(2019, 10, 21, 12, 58, 56, tzinfo=UTC)
    }


SAME_EVENT_XML = xml_document(
    "<ObjectEvent>"
    "<eventTime>2024-05-01T10:00:00.5+02:00</eventTime>"
    "<eventTimeZoneOffset>+02:00</eventTimeZoneOffset>"
    "<epcList><epc>urn:epc:id:sgtin:0614141.107346.2017</epc>"
    "<epc>https://example.com/01/10614141073464/21/2018</epc></epcList>"
    "<action>OBSERVE</action>"
    "<bizStep>urn:epcglobal:cbv:bizstep:shipping</bizStep>"
    "<disposition>https://ref.gs1.org/cbv/Disp-in_transit</disposition>"
    "<readPoint><id>urn:epc:id:sgln:0614141.07346.0</id></readPoint>"
    "<bizTransactionList>"
    '<bizTransaction type="urn:epcglobal:cbv:btt:po">'
    "urn:epcglobal:cbv:bt:0614141073467:1</bizTransaction>"
    '<bizTransaction type="urn:epcglobal:cbv:btt:desadv">'
    "urn:epcglobal:cbv:bt:0614141073467:2</bizTransaction>"
    "</bizTransactionList>"
    "<extension><sourceList>"
    '<source type="urn:epcglobal:cbv:sdt:owning_party">'
    "urn:epc:id:pgln:0614141.00000</source>"
    "</sourceList></extension>"
    "<ext:batch>B-7</ext:batch>"
    "<ext:lot><ext:code>L1</ext:code><ext:code>L2</ext:code></ext:lot>"
    "</ObjectEvent>",
    f'xmlns:ext="{EXT}"',
)
SAME_EVENT_JSON = json_document(
    """{
      "type": "ObjectEvent",
      "ext:lot": {"ext:code": ["L2", "L1"]},
      "eventTime": "2024-05-01T08:00:00.500Z",
      "eventTimeZoneOffset": "+02:00",
      "epcList": ["https://id.gs1.org/01/10614141073464/21/2018",
                  "https://id.gs1.org/01/10614141073464/21/2017"],
      "action": "OBSERVE",
      "bizStep": "cbv:BizStep-shipping",
      "disposition": "in_transit",
      "readPoint": {"id": "https://id.gs1.org/414/0614141073467"},
      "bizTransactionList": [
        {"type": "desadv", "bizTransaction": "urn:epcglobal:cbv:bt:0614141073467:2"},
        {"type": "po", "bizTransaction": "urn:epcglobal:cbv:bt:0614141073467:1"}
      ],
      "sourceList": [
        {"type": "owning_party", "source": "urn:epc:id:pgln:0614141.00000"}
      ],
      "ext:batch": "B-7"
    }"""
)


def test_same_event_in_xml_and_json_with_permuted_lists_hashes_alike() -> None:
    from_xml = one_event(SAME_EVENT_XML, "same.xml")
    from_json = one_event(SAME_EVENT_JSON, "same.json")

    assert from_xml.event_hash == from_json.event_hash
    assert from_xml.biz_step == from_json.biz_step == "shipping"
    assert from_xml.disposition == from_json.disposition == "in_transit"
    assert from_xml.read_point == from_json.read_point
    assert from_xml.event_time == from_json.event_time
    assert from_xml.source_list == from_json.source_list


def test_any_change_changes_the_hash() -> None:
    base = one_event(xml_document(OBJECT_XML.format(step="shipping")))
    other = one_event(xml_document(OBJECT_XML.format(step="receiving")))
    later = one_event(
        xml_document(OBJECT_XML.format(step="shipping").replace("10:00:00", "10:00:01"))
    )

    assert len({base.event_hash, other.event_hash, later.event_hash}) == 3


# CBV values, extensions, syntax details.


@pytest.mark.parametrize(
    "spelling",
    [
        "shipping",
        "urn:epcglobal:cbv:bizstep:shipping",
        "https://ref.gs1.org/cbv/BizStep-shipping",
        "cbv:BizStep-shipping",
    ],
)
def test_cbv_spellings_fold_to_the_bare_word(spelling: str) -> None:
    reference = one_event(xml_document(OBJECT_XML.format(step="shipping")))

    event = one_event(xml_document(OBJECT_XML.format(step=spelling)))

    assert event.biz_step == "shipping"
    assert event.event_hash == reference.event_hash


def test_non_cbv_values_stay_verbatim() -> None:
    step = "https://example.com/steps/BizStep-shipping"

    event = one_event(xml_document(OBJECT_XML.format(step=step)))

    assert event.biz_step == step


def test_source_destination_types_from_every_spelling() -> None:
    ends = "".join(
        f'{{"type": "{kind}", "source": "urn:epc:id:pgln:0614141.00000"}}'
        for kind in (
            "owning_party",
            "urn:epcglobal:cbv:sdt:possessing_party",
            "https://ref.gs1.org/cbv/SDT-location",
        )
    ).replace("}{", "}, {")
    event = one_event(
        json_document(
            '{"type": "ObjectEvent", "eventTime": "2024-01-01T00:00:00Z", '
            '"eventTimeZoneOffset": "+00:00", "action": "OBSERVE", '
            f'"sourceList": [{ends}]}}'
        )
    )

    assert [end.type for end in event.source_list] == [
        "owning_party",
        "possessing_party",
        "location",
    ]
    assert {end.value for end in event.source_list} == {
        "https://id.gs1.org/417/0614141000005"
    }


def test_extension_with_standard_local_name_is_not_the_standard_field() -> None:
    document = xml_document(
        "<ObjectEvent>"
        "<eventTime>2024-01-01T00:00:00Z</eventTime>"
        "<eventTimeZoneOffset>+00:00</eventTimeZoneOffset>"
        "<ext:eventTime>1999-01-01T00:00:00Z</ext:eventTime>"
        '<ext:action unit="x">CREATE</ext:action>'
        "<epcList><epc>urn:epc:id:sgtin:0614141.107346.1</epc></epcList>"
        "<ext:epcList><epc>urn:epc:id:sgtin:0614141.107346.2</epc></ext:epcList>"
        "<action>ADD</action>"
        "</ObjectEvent>"
        "<ext:ObjectEvent><eventTime>bad</eventTime></ext:ObjectEvent>",
        f'xmlns:ext="{EXT}"',
    )

    event, namespaced = parse_bytes(document)

    assert isinstance(event, EpcisEvent)
    assert namespaced == EventRejection(
        "doc", 2, "type", f"type '{{{EXT}}}ObjectEvent' is not an EPCIS event type"
    )
    assert event.action == "ADD"
    assert event.event_time == datetime(2024, 1, 1, tzinfo=UTC)
    assert event.epc_list == ("https://id.gs1.org/01/10614141073464/21/1",)
    assert event.extensions == {
        f"{{{EXT}}}eventTime": "1999-01-01T00:00:00Z",
        f"{{{EXT}}}action": '{"@unit":"x","#text":"CREATE"}',
        f"{{{EXT}}}epcList": '{"epc":"urn:epc:id:sgtin:0614141.107346.2"}',
    }


def test_json_extension_with_standard_local_name() -> None:
    event = one_event(
        json_document(
            '{"type": "ObjectEvent", "eventTime": "2024-01-01T00:00:00Z", '
            '"eventTimeZoneOffset": "+00:00", "action": "ADD", '
            '"ext:action": "CREATE", "ext:bizStep": "shipping"}'
        )
    )

    assert event.action == "ADD"
    assert event.biz_step is None
    assert event.extensions == {
        f"{{{EXT}}}action": "CREATE",
        f"{{{EXT}}}bizStep": "shipping",
    }


def test_12_transformation_event_inside_extension() -> None:
    document = (
        b'<epcis:EPCISDocument xmlns:epcis="urn:epcglobal:epcis:xsd:1" '
        b'schemaVersion="1.2" creationDate="2024-01-01T00:00:00Z"><EPCISBody>'
        b"<EventList><extension><TransformationEvent>"
        b"<eventTime>2024-01-01T00:00:00Z</eventTime>"
        b"<eventTimeZoneOffset>+00:00</eventTimeZoneOffset>"
        b"<inputEPCList><epc>urn:epc:id:sgtin:0614141.107346.1</epc></inputEPCList>"
        b"<outputEPCList><epc>urn:epc:id:sgtin:0614141.107346.2</epc>"
        b"</outputEPCList>"
        b"<extension><ilmd><l:lot xmlns:l='urn:x:'>A1</l:lot></ilmd></extension>"
        b"</TransformationEvent></extension>"
        b"<ObjectEvent><eventTime>2024-01-02T00:00:00Z</eventTime>"
        b"<eventTimeZoneOffset>+00:00</eventTimeZoneOffset><action>ADD</action>"
        b"</ObjectEvent>"
        b"</EventList></EPCISBody></epcis:EPCISDocument>"
    )

    transformation, later = parse_bytes(document)

    assert isinstance(transformation, EpcisEvent)
    assert transformation.type == "TransformationEvent"
    assert transformation.output_epcs == ("https://id.gs1.org/01/10614141073464/21/2",)
    assert transformation.ilmd == {"{urn:x:}lot": "A1"}
    assert isinstance(later, EpcisEvent)
    assert later.position == 2


def test_xml_elements_in_the_event_list_that_are_no_event_are_rejected() -> None:
    event = (
        b"<ObjectEvent><eventTime>2024-01-02T00:00:00Z</eventTime>"
        b"<eventTimeZoneOffset>+00:00</eventTimeZoneOffset><action>ADD</action>"
        b"</ObjectEvent>"
    )
    document = (
        b'<epcis:EPCISDocument xmlns:epcis="urn:epcglobal:epcis:xsd:1" '
        b'xmlns:x="urn:x:" schemaVersion="1.2" creationDate="2024-01-01T00:00:00Z">'
        b"<EPCISBody><EventList><x:ObjectEvent/>"
        + event
        + b"<extension><x:Later/></extension><baseExtension/><QuantityEvent/>"
        + event
        + b"<x:Last>"
        + event
        + b"</x:Last></EventList></EPCISBody></epcis:EPCISDocument>"
    )

    outcomes = parse_bytes(document, "strays.xml")

    assert [o.position for o in outcomes if isinstance(o, EpcisEvent)] == [2, 6]
    assert [o for o in outcomes if isinstance(o, EventRejection)] == [
        EventRejection(
            "strays.xml", n, "type", f"type '{tag}' is not an EPCIS event type"
        )
        for n, tag in [
            (1, "{urn:x:}ObjectEvent"),
            (3, "{urn:x:}Later"),
            (4, "baseExtension"),
            (5, "QuantityEvent"),
            (7, "{urn:x:}Last"),
        ]
    ]


def test_xsi_nil_reads_as_absent() -> None:
    event = one_event(
        xml_document(
            OBJECT_XML.format(step="shipping").replace(
                "</ObjectEvent>", '<disposition xsi:nil="true"/></ObjectEvent>'
            ),
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"',
        )
    )

    assert event.disposition is None


@pytest.mark.parametrize("kind", ["xml", "json"])
def test_byte_order_mark(kind: str) -> None:
    body = (
        xml_document(OBJECT_XML.format(step="shipping"))
        if kind == "xml"
        else json_document(
            '{"type": "ObjectEvent", "eventTime": "2024-05-01T10:00:00+02:00", '
            '"eventTimeZoneOffset": "+02:00", "action": "OBSERVE", '
            '"epcList": ["urn:epc:id:sgtin:0614141.107346.2017"], '
            '"bizStep": "shipping"}'
        )
    )

    assert detect_epcis(b"\xef\xbb\xbf" + body) == kind
    event = one_event(b"\xef\xbb\xbf" + body)
    assert event.epc_list == ("https://id.gs1.org/01/10614141073464/21/2017",)
    assert event.biz_step == "shipping"


def test_same_event_with_and_without_bom_hashes_alike() -> None:
    body = xml_document(OBJECT_XML.format(step="shipping"))

    assert one_event(body).event_hash == one_event(b"\xef\xbb\xbf" + body).event_hash


@pytest.mark.parametrize(
    ("field", "fragment", "reason"),
    [
        (
            "eventTime",
            '"eventTime": "2024-01-01T00:00:00"',
            "eventTime '2024-01-01T00:00:00' is not a timestamp with a UTC offset",
        ),
        ("eventTime", '"eventTime": null', "eventTime is missing"),
        ("action", '"action": null', "action is missing"),
        (
            "eventTimeZoneOffset",
            '"eventTimeZoneOffset": "CET"',
            "eventTimeZoneOffset 'CET' is not a UTC offset like +02:00",
        ),
        (
            "epcList",
            '"epcList": ["https://id.gs1.org/01/10614141073465/21/1"]',
            "epcList has a bad identifier: GTIN '10614141073465' has check digit 5, "
            "expected 4",
        ),
        (
            "parentID",
            '"type": "AggregationEvent"',
            "parentID is missing (required in AggregationEvent)",
        ),
    ],
)
def test_rejections_name_the_field(field: str, fragment: str, reason: str) -> None:
    fields = {
        "type": '"type": "ObjectEvent"',
        "eventTime": '"eventTime": "2024-01-01T00:00:00Z"',
        "eventTimeZoneOffset": '"eventTimeZoneOffset": "+00:00"',
        "action": '"action": "ADD"',
    }
    fields[fragment.split(":")[0].strip('"')] = fragment
    good = '{"type": "ObjectEvent", "eventTime": "2024-01-02T00:00:00Z", '
    good += '"eventTimeZoneOffset": "+00:00", "action": "ADD"}'
    document = json_document("{" + ", ".join(fields.values()) + "}, " + good)

    rejected, accepted = parse_bytes(document, "bad.json")

    assert rejected == EventRejection("bad.json", 1, field, reason)
    assert isinstance(accepted, EpcisEvent)
    assert accepted.position == 2


def test_query_document_and_object_context() -> None:
    document = (
        b'{"@context": {"my": "https://my.example/"}, "type": "EPCISQueryDocument",'
        b' "schemaVersion": "2.0", "creationDate": "2024-01-01T00:00:00Z",'
        b' "epcisBody": {"queryResults": {"queryName": "SimpleEventQuery",'
        b' "resultsBody": {"eventList": [{"type": "ObjectEvent",'
        b' "eventTime": "2024-01-01T00:00:00Z", "eventTimeZoneOffset": "+00:00",'
        b' "action": "OBSERVE", "bizStep": "my:checking", "my:note": "n"}]}}}}'
    )

    event = one_event(document)

    assert event.biz_step == "https://my.example/checking"
    assert event.extensions == {"{https://my.example/}note": "n"}


def test_context_after_the_events_still_applies() -> None:
    document = (
        b'{"type": "EPCISDocument", "epcisBody": {"eventList": [{"type": '
        b'"ObjectEvent", "eventTime": "2024-01-01T00:00:00Z", "eventTimeZoneOffset":'
        b' "+00:00", "action": "OBSERVE", "late:x": "1"}]},'
        b' "@context": [{"late": "https://late.example/"}]}'
    )

    event = one_event(document)

    assert event.extensions == {"{https://late.example/}x": "1"}


def test_xml_query_document() -> None:
    document = (
        b'<epcisq:EPCISQueryDocument xmlns:epcisq="urn:epcglobal:epcis-query:xsd:2"'
        b' schemaVersion="2.0" creationDate="2024-01-01T00:00:00Z"><EPCISBody>'
        b"<epcisq:QueryResults><queryName>SimpleEventQuery</queryName><resultsBody>"
        b"<EventList><ObjectEvent><eventTime>2024-01-01T00:00:00Z</eventTime>"
        b"<eventTimeZoneOffset>+00:00</eventTimeZoneOffset><action>ADD</action>"
        b"</ObjectEvent></EventList></resultsBody></epcisq:QueryResults>"
        b"</EPCISBody></epcisq:EPCISQueryDocument>"
    )

    assert one_event(document).action == "ADD"


# Whole documents that cannot be read.


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"hello", "bad: not an EPCIS XML or JSON document"),
        (
            xml_document(OBJECT_XML.format(step="x"))[:-30],
            "bad:2:",
        ),
        (json_document("{") + b"]]", "bad: not valid JSON"),
        (b'{"type": "Other", "epcis": 1}', "bad: type 'Other' is not EPCISDocument"),
        (
            b'<root xmlns="urn:epcglobal:epcis:xsd:2"><EventList/></root>',
            "bad: root element {urn:epcglobal:epcis:xsd:2}root is not an EPCIS",
        ),
        (
            b'<EPCISDocument xmlns="urn:epcglobal:epcis:xsd:2">\n<EPCISBody>\n'
            b"<EventList>" + OBJECT_XML.format(step="x").encode() + b"</EventList>"
            b"</EPCISBody></EPCISDocument>",
            "bad:3: EventList is in the namespace urn:epcglobal:epcis:xsd:2; the "
            "elements below the root take no namespace",
        ),
        (
            # Refused at its first event, before the break further on is read.
            b'<EPCISDocument xmlns="urn:epcglobal:epcis:xsd:1"><EPCISBody>\n'
            b"<EventList>" + OBJECT_XML.format(step="x").encode() + b"<broken",
            "bad:2: EventList is in the namespace urn:epcglobal:epcis:xsd:1; the "
            "elements below the root take no namespace",
        ),
        (
            b'<EPCISDocument xmlns="urn:epcglobal:epcis:xsd:2"><EPCISBody>'
            b"<EventList/></EPCISBody></EPCISDocument>",
            "bad:1: EventList is in the namespace urn:epcglobal:epcis:xsd:2; the "
            "elements below the root take no namespace",
        ),
        (
            b'<e:EPCISDocument xmlns:e="urn:epcglobal:epcis:xsd:2"><EPCISBody/>'
            b"</e:EPCISDocument>",
            "bad: the document has no EventList",
        ),
    ],
)
def test_unreadable_documents_raise(data: bytes, message: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_bytes(data, "bad")

    assert str(caught.value).startswith(message)


def test_detect_epcis() -> None:
    assert detect_epcis(b'  {"@context": "https://ref.gs1.org/epcis", "x": 1}') == (
        "json"
    )
    assert detect_epcis(b"<?xml version='1.0'?><epcis:EPCISDocument/>") == "xml"
    assert detect_epcis(b'{"kind": "brand"}') is None
    assert detect_epcis(b"<html></html>") is None
    assert detect_epcis(b"") is None


# Security: entities and DTDs are never acted on.

BILLION_LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE lolz [\n<!ENTITY lol0 "lol">\n'
    + "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">\n' for i in range(1, 10))
    + "]>\n"
).encode() + xml_document(OBJECT_XML.format(step="&lol9;")).split(b"?>", 1)[1]


def test_billion_laughs_is_refused_quickly() -> None:
    start = time.perf_counter()

    with pytest.raises(InvalidInput):
        parse_bytes(BILLION_LAUGHS, "lolz.xml")

    assert time.perf_counter() - start < 1.0


def test_external_entity_is_refused_unread(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    document = (
        '<?xml version="1.0"?>\n'
        f'<!DOCTYPE d [<!ENTITY xxe SYSTEM "{secret.as_uri()}">]>'
    ).encode() + xml_document(OBJECT_XML.format(step="&xxe;")).split(b"?>", 1)[1]
    start = time.perf_counter()

    with pytest.raises(InvalidInput) as caught:
        parse_bytes(document, "xxe.xml")

    assert str(caught.value) == "xxe.xml: a document type declaration is not accepted"
    assert "TOP-SECRET" not in str(caught.value)
    assert time.perf_counter() - start < 1.0


def test_external_dtd_is_refused_without_network() -> None:
    document = (
        b'<?xml version="1.0"?>\n<!DOCTYPE d SYSTEM "http://127.0.0.1:9/x.dtd">'
        + xml_document("").split(b"?>", 1)[1]
    )

    with pytest.raises(InvalidInput, match="document type declaration"):
        parse_bytes(document, "dtd.xml")


# JSON read a value at a time: what the reader keeps and what it reports.

MINIMAL_JSON_EVENT = (
    '{"type": "ObjectEvent", "eventTime": "2024-01-01T00:00:00Z", '
    '"eventTimeZoneOffset": "+00:00", "action": "OBSERVE"'
)


def test_json_numbers_keep_every_digit() -> None:
    event = one_event(
        json_document(
            MINIMAL_JSON_EVENT + ', "quantityList": [{"epcClass": '
            '"urn:epc:class:lgtin:4012345.012345.998877", '
            '"quantity": 0.1000000000000000055511151231257827}], "ext:weight": 1.50}'
        )
    )

    assert event.quantity_list[0].quantity == Decimal(
        "0.1000000000000000055511151231257827"
    )
    assert event.extensions == {f"{{{EXT}}}weight": "1.50"}


def test_json_error_names_the_last_event_read_and_the_place() -> None:
    document = json_document(
        MINIMAL_JSON_EVENT + "},\n" + MINIMAL_JSON_EVENT + ' "ext:a": 1}'
    )

    outcomes: list[EpcisEvent | EventRejection] = []
    with pytest.raises(InvalidInput) as caught:
        outcomes.extend(parse_epcis(io.BytesIO(document), "cut.json"))

    assert [outcome.position for outcome in outcomes] == [1]
    # The second event lacks a comma before "ext:a", on line 2.
    column = len(MINIMAL_JSON_EVENT) + 2
    assert str(caught.value) == (
        "cut.json: not valid JSON after event 1: Expecting ',' delimiter "
        f"at line 2, column {column}"
    )


def test_json_events_before_a_cut_still_come_out() -> None:
    document = json_document(MINIMAL_JSON_EVENT + "}, " + MINIMAL_JSON_EVENT + "}")

    outcomes: list[EpcisEvent | EventRejection] = []
    with pytest.raises(InvalidInput, match="after event 2: expected '}', found 'the"):
        outcomes.extend(parse_epcis(io.BytesIO(document[:-2]), "cut.json"))

    assert [outcome.position for outcome in outcomes] == [1, 2]


def test_json_text_after_the_document_is_refused() -> None:
    document = json_document(MINIMAL_JSON_EVENT + "}") + b" {}"

    with pytest.raises(InvalidInput) as caught:
        parse_bytes(document, "more.json")

    assert str(caught.value).startswith(
        "more.json: not valid JSON after event 1: more text after the document"
    )


def test_json_second_event_list_on_the_same_path_is_read() -> None:
    events = json_document(MINIMAL_JSON_EVENT + "}")
    document = events[:-1] + (
        b', "epcisBody": {"eventList": [' + MINIMAL_JSON_EVENT.encode() + b"}]}}"
    )

    assert [outcome.position for outcome in parse_bytes(document)] == [1, 2]


def test_xml_nil_business_transaction_is_missing() -> None:
    document = xml_document(
        OBJECT_XML.format(step="shipping").replace(
            "</ObjectEvent>",
            '<bizTransactionList><bizTransaction type="po" xsi:nil="true">'
            "urn:epcglobal:cbv:bt:0614141000005:1</bizTransaction>"
            "</bizTransactionList></ObjectEvent>",
        ),
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"',
    )

    (outcome,) = parse_bytes(document, "nil.xml")

    assert outcome == EventRejection(
        "nil.xml", 1, "bizTransactionList", "bizTransactionList is missing"
    )


_NO_TRANSACTION = (
    "bizTransactionList",
    "bizTransactionList is missing (TransactionEvent requires at least one)",
)
_NO_INPUT_OR_OUTPUT = (
    "inputEPCList",
    "inputEPCList, inputQuantityList, outputEPCList and outputQuantityList are all "
    "missing (TransformationEvent requires an input or an output)",
)
_TIMES_XML = (
    "<eventTime>2024-05-01T10:00:00Z</eventTime>"
    "<eventTimeZoneOffset>+00:00</eventTimeZoneOffset>"
)
_TIMES_JSON = '"eventTime": "2024-05-01T10:00:00Z", "eventTimeZoneOffset": "+00:00"'
_EPC = "urn:epc:id:sgtin:0614141.107346.2017"


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        (
            xml_document(
                f"<TransactionEvent>{_TIMES_XML}<epcList><epc>{_EPC}</epc></epcList>"
                "<action>ADD</action></TransactionEvent>"
            ),
            _NO_TRANSACTION,
        ),
        (
            json_document(
                f'{{"type": "TransactionEvent", {_TIMES_JSON}, '
                f'"epcList": ["{_EPC}"], "action": "ADD", "bizTransactionList": []}}'
            ),
            _NO_TRANSACTION,
        ),
        (
            xml_document(
                f"<TransformationEvent>{_TIMES_XML}<inputEPCList/><outputEPCList/>"
                "<transformationID>urn:epc:id:gdti:0614141.12345.400</transformationID>"
                "</TransformationEvent>"
            ),
            _NO_INPUT_OR_OUTPUT,
        ),
        (
            json_document(
                f'{{"type": "TransformationEvent", {_TIMES_JSON}, '
                '"bizStep": "commissioning"}'
            ),
            _NO_INPUT_OR_OUTPUT,
        ),
    ],
    ids=[
        "transaction-xml",
        "transaction-json",
        "transformation-xml",
        "transformation-json",
    ],
)
def test_event_without_its_required_contents_is_rejected(
    document: bytes, expected: tuple[str, str]
) -> None:
    assert parse_bytes(document, "bare.doc") == [
        EventRejection("bare.doc", 1, *expected)
    ]


def test_transformation_with_only_an_input_quantity_is_kept() -> None:
    document = json_document(
        f'{{"type": "TransformationEvent", {_TIMES_JSON}, "inputQuantityList": '
        '[{"epcClass": "urn:epc:class:lgtin:4012345.012345.998877", "quantity": 2}]}'
    )

    event = one_event(document)

    assert event.input_quantity_list[0].quantity == 2
    assert event.output_epcs == ()


# Timestamps: read strictly, written for the hash rounded to the millisecond.


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-05-01T10:00:00Z", datetime(2024, 5, 1, 10, tzinfo=UTC)),
        (
            "2024-05-01T12:00:00.1234567+02:00",
            datetime(2024, 5, 1, 10, 0, 0, 123456, UTC),
        ),
        ("2024-05-01T00:30:00-14:00", datetime(2024, 5, 1, 14, 30, tzinfo=UTC)),
        ("2024-05-01T10:00:00-00:00", datetime(2024, 5, 1, 10, tzinfo=UTC)),
        (
            "\uff12\uff10\uff12\uff14-05-01T10:00:00Z",
            datetime(2024, 5, 1, 10, tzinfo=UTC),
        ),
    ],
)
def test_parse_timestamp(text: str, expected: datetime) -> None:
    assert parse_timestamp(text) == expected


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("2024-05-01T10:00:00", "is not a timestamp with a UTC offset"),
        ("2024-05-01 10:00:00Z", "is not a timestamp with a UTC offset"),
        ("2024-05-01T10:00:00+14:30", "has an impossible UTC offset +14:30"),
        ("2024-02-30T10:00:00Z", "is not a valid date and time (day is out of range"),
        ("0001-01-01T00:00:00+01:00", "falls outside the years 1 to 9999 in UTC"),
        ("9999-12-31T23:59:59-00:30", "falls outside the years 1 to 9999 in UTC"),
    ],
)
def test_parse_timestamp_refuses(text: str, reason: str) -> None:
    with pytest.raises(ValueError, match=re.escape(f"'{text}' {reason}")):
        parse_timestamp(text)


@pytest.mark.parametrize(
    ("instant", "text"),
    [
        (datetime(2024, 5, 1, 10, tzinfo=UTC), "2024-05-01T10:00:00.000Z"),
        (datetime(2024, 5, 1, 10, 0, 0, 499, UTC), "2024-05-01T10:00:00.000Z"),
        (datetime(2024, 5, 1, 10, 0, 0, 1500, UTC), "2024-05-01T10:00:00.002Z"),
        (datetime(2024, 12, 31, 23, 59, 59, 999500, UTC), "2025-01-01T00:00:00.000Z"),
        (datetime(987, 6, 5, 4, 3, 2, 100000, UTC), "0987-06-05T04:03:02.100Z"),
    ],
)
def test_hash_timestamp(instant: datetime, text: str) -> None:
    assert hash_timestamp(instant) == text


def test_offsets() -> None:
    assert [is_offset(text) for text in ("+14:00", "-13:59", "+00:00")] == [True] * 3
    assert [is_offset(text) for text in ("+14:01", "+1:00", "Z", "+02:60")] == [
        False
    ] * 4
    # Like the timestamp reading, this one takes any decimal digit where it can.
    assert is_offset("+0\u0662:00")
