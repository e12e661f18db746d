"""Normalised events written back as EPCIS 2.0 JSON-LD for the query interface."""

from __future__ import annotations

from pathlib import Path

from conftest import shared_dir

from loaders.epcis import EpcisEvent, parse_epcis
from loaders.epcis.document import CONTEXT, event_document

DL = "https://id.gs1.org"


def events(name: str) -> list[EpcisEvent]:
    path: Path = shared_dir() / "data" / "epcis" / name
    with path.open("rb") as source:
        return [e for e in parse_epcis(source, name) if isinstance(e, EpcisEvent)]


def test_a_shipping_event_reads_back_in_canonical_form() -> None:
    shipping = events("GS1_US_Pharma_Example_2_2_1_1.xml")[-1]

    document = event_document(shipping)

    assert document == {
        "@context": [CONTEXT, {"ext1": "http://epcis.gs1us.org/hc/ns"}],
        "type": "ObjectEvent",
        "eventID": shipping.event_hash,
        "eventTime": "2023-04-01T07:48:16Z",
        "eventTimeZoneOffset": "-05:00",
        "action": "OBSERVE",
        "epcList": [f"{DL}/00/403000112345678901"],
        "bizStep": "shipping",
        "disposition": "in_transit",
        "readPoint": {"id": f"{DL}/414/0300011111215"},
        "bizTransactionList": [
            {
                "type": "po",
                "bizTransaction": "urn:epcglobal:cbv:bt:0399999999991:XYZPO189",
            },
            {
                "type": "desadv",
                "bizTransaction": "urn:epcglobal:cbv:bt:0300011111215:DEL100",
            },
        ],
        "sourceList": [
            {"type": "owning_party", "source": f"{DL}/414/0300011111116"},
            {"type": "location", "source": f"{DL}/414/0300011111215"},
        ],
        "destinationList": [
            {"type": "owning_party", "destination": f"{DL}/414/0399999999991"},
            {"type": "location", "destination": f"{DL}/414/0399993456780"},
        ],
        "ext1:dropShipment": "false",
    }


def test_an_error_declaration_and_milliseconds_are_written_back() -> None:
    (event,) = events("ObjectEvent_all_possible_fields.json")

    document = event_document(event)

    assert document["eventTime"] == "2005-04-05T02:33:31.116Z"
    assert document["errorDeclaration"] == {
        "declarationTime": "2006-11-07T13:00:00Z",
        "reason": "incorrect_data",
        "correctiveEventIDs": [
            "ni:///sha-256;fec9667280c4710a3fa9558b7bc8ddc2ced0dc442d87f82becae24bb6ca6a46f"
            "?ver=CBV2.0"
        ],
    }
    assert document["quantityList"] == [
        {"epcClass": f"{DL}/01/04012345123456/10/998877", "quantity": 200, "uom": "KGM"}
    ]
    assert document["persistentDisposition"] == {
        "set": ["completeness_verified"],
        "unset": ["completeness_inferred"],
    }


def test_cbv_master_data_keeps_the_standard_prefix() -> None:
    commissioning = events("GS1_US_Pharma_Example_2_2_1_1.xml")[0]

    document = event_document(commissioning)

    assert "@context" not in document
    assert document["ilmd"] == {
        "cbvmda:lotNumber": "A123",
        "cbvmda:itemExpirationDate": "2025-03-27",
    }
