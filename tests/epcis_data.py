"""Small EPCIS documents for tests, and ways to load them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from graphsvc.store.base import Store
from loaders.epcis.ingest import EpcisReport, ingest_epcis

DL = "https://id.gs1.org"


def object_document(events: list[dict[str, object]]) -> dict[str, object]:
    """An EPCIS 2.0 JSON-LD document holding `events`."""
    return {
        "@context": ["https://ref.gs1.org/standards/epcis/epcis-context.jsonld"],
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": "2024-01-01T00:00:00Z",
        "epcisBody": {"eventList": events},
    }


def jsonl(path: Path, rows: list[dict[str, str]]) -> Path:
    """Feed rows written as a JSON Lines file at `path`."""
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def load_text(store: Store, name: str, text: str) -> EpcisReport:
    """Ingest a document given as text."""
    return ingest_epcis(store, Bytes(text.encode()), name)


class Bytes:
    """A source that hands over `data` in one read."""

    def __init__(self, data: bytes) -> None:
        self._chunks: Iterator[bytes] = iter([data])

    def read(self, size: int = -1) -> bytes:
        return next(self._chunks, b"")


# A manufacturer ships an item to a distributor that the brand never authorized.
CHAIN_FEED: list[dict[str, str]] = [
    {"kind": "brand", "id": "BR-T", "name": "Tovera"},
    {"kind": "product", "id": "PR-T", "brand": "BR-T", "gtin": "04012345111118"},
    {
        "kind": "party",
        "id": "PA-MFG",
        "name": "Tovera Werk",
        "role": "manufacturer",
        "gln": "4012345000016",
    },
    {
        "kind": "party",
        "id": "PA-DST",
        "name": "Dorado Trading",
        "role": "distributor",
        "gln": "0614141000012",
    },
    {
        "kind": "site",
        "id": "SI-MFG",
        "operator": "PA-MFG",
        "country": "DE",
        "gln": "4012345000016",
    },
    {
        "kind": "site",
        "id": "SI-DST",
        "operator": "PA-DST",
        "country": "US",
        "gln": "0614141000029",
    },
]
CHAIN_ITEM = f"{DL}/01/04012345111118/21/7"
HANDOVER: dict[str, object] = {
    "type": "ObjectEvent",
    "epcList": [CHAIN_ITEM],
    "action": "OBSERVE",
    "bizTransactionList": [
        {"type": "po", "bizTransaction": "urn:epcglobal:cbv:bt:4012345000016:PO9"}
    ],
    "sourceList": [{"type": "owning_party", "source": "urn:epc:id:pgln:4012345.00001"}],
    "destinationList": [
        {"type": "owning_party", "destination": "urn:epc:id:pgln:0614141.00001"},
        {"type": "location", "destination": "urn:epc:id:sgln:0614141.00002.0"},
    ],
}
CHAIN_EVENTS: list[dict[str, object]] = [
    {
        "type": "ObjectEvent",
        "eventID": "urn:uuid:0b4a6a54-0004-4000-8000-000000000001",
        "eventTime": "2024-01-02T09:00:00Z",
        "eventTimeZoneOffset": "+01:00",
        "epcList": [CHAIN_ITEM],
        "action": "ADD",
        "bizStep": "commissioning",
        "bizLocation": {"id": "urn:epc:id:sgln:4012345.00001.0"},
    },
    {
        **HANDOVER,
        "eventID": "urn:uuid:0b4a6a54-0004-4000-8000-000000000002",
        "eventTime": "2024-01-03T07:00:00Z",
        "eventTimeZoneOffset": "+01:00",
        "bizStep": "shipping",
        "bizLocation": {"id": "urn:epc:id:sgln:4012345.00001.0"},
    },
]
RECEIVE: dict[str, object] = {
    **HANDOVER,
    "eventID": "urn:uuid:0b4a6a54-0004-4000-8000-000000000003",
    "eventTime": "2024-01-05T14:00:00Z",
    "eventTimeZoneOffset": "-05:00",
    "bizStep": "receiving",
    "bizLocation": {"id": "urn:epc:id:sgln:0614141.00002.0"},
}
