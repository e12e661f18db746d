"""Property values to and from what Neo4j stores.

Neo4j has no map-valued properties, so a node's undeclared feed fields (`extra`) are
kept as one JSON string. Dates are stored as Neo4j `Date`s and instants as `DateTime`s
with the UTC offset they came with. They travel as ISO 8601 text, converted by the
statements: the driver's own temporal types cost a fraction of a millisecond each to
convert, which would dominate loading and evidence reads. Read back, instants are
aware datetimes with a fixed-offset `timezone`, as the embedded store gives them.
Lists of identifiers are Neo4j lists and come back as tuples.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import date, datetime, timedelta, timezone
from typing import Any, Final

import neo4j.time

from graphsvc.engine.findings import Finding, FindingKind
from graphsvc.model import NODE_TYPES, FieldType
from graphsvc.store.base import StoredFinding
from graphsvc.store.codec import EXTRA, Properties

ID: Final = "id"

_PARSE: Final[Mapping[FieldType, Callable[[str], object]]] = {
    FieldType.DATE: date.fromisoformat,
    FieldType.INSTANT: datetime.fromisoformat,
}
_PARSERS: Final = {
    t.label: {f.name: _PARSE[f.type] for f in t.fields if f.type in _PARSE}
    for t in NODE_TYPES
}
DATES: Final = {
    t.label: [f.name for f in t.fields if f.type is FieldType.DATE] for t in NODE_TYPES
}
"""The date fields of each label, which statements convert from text."""
INSTANTS: Final = {
    t.label: [f.name for f in t.fields if f.type is FieldType.INSTANT]
    for t in NODE_TYPES
}
"""The instant fields of each label, which statements convert from text."""

_ZONES: dict[timedelta, timezone] = {}


def to_neo4j(id_: str, props: Mapping[str, object]) -> dict[str, object]:
    """What to send for node `id_`: its id, temporals as text, tuples as lists."""
    out: dict[str, object] = {ID: id_}
    for name, value in props.items():
        if name == EXTRA:
            out[name] = json.dumps(value, ensure_ascii=False)
        elif isinstance(value, date):
            out[name] = value.isoformat()
        elif isinstance(value, tuple):
            out[name] = list(value)
        else:
            out[name] = value
    return out


def from_neo4j(label: str, stored: Mapping[str, Any]) -> tuple[str, Properties]:
    """A fetched node's id and its properties as the model holds them.

    Absent values (null in a projection) are left out.
    """
    parsers = _PARSERS[label]
    props: Properties = {}
    id_ = ""
    for name, value in stored.items():
        if value is None:
            continue
        if name == ID:
            id_ = value
        elif name == EXTRA:
            props[name] = json.loads(value)
        elif isinstance(value, str) and name in parsers:
            props[name] = parsers[name](value)
        else:
            props[name] = native(value)
    return id_, props


def native(value: object) -> object:
    """A Python value for a Neo4j one: temporal values converted, lists as tuples."""
    if isinstance(value, neo4j.time.DateTime):
        return _datetime(value)
    if isinstance(value, neo4j.time.Date):
        return date(value.year, value.month, value.day)
    if isinstance(value, list):
        return tuple(value)
    return value


def _datetime(value: neo4j.time.DateTime) -> datetime:
    offset = value.utcoffset()
    if offset is None:
        raise ValueError(f"{value} has no UTC offset; instants are stored with one")
    # timezone(timedelta(0)) is timezone.utc itself, as the embedded store has it.
    zone = _ZONES.setdefault(offset, timezone(offset))
    return datetime(
        value.year,
        value.month,
        value.day,
        value.hour,
        value.minute,
        value.second,
        value.nanosecond // 1000,
        tzinfo=zone,
    )


def finding_to_neo4j(finding: Finding, brand: str | None) -> dict[str, object]:
    """A finding's node properties, `at` as text; absent values are left out."""
    props: dict[str, object | None] = {
        ID: finding.id,
        "kind": finding.kind.value,
        "item": finding.item,
        "party": finding.party,
        "at": finding.at.isoformat() if finding.at is not None else None,
        "shipment": finding.shipment,
        "explanation": finding.explanation,
        "refs": list(finding.refs),
        "brand": brand,
    }
    return {name: value for name, value in props.items() if value is not None}


def finding_from_neo4j(stored: Mapping[str, Any]) -> StoredFinding:
    """The inverse of `finding_to_neo4j`."""
    at = stored.get("at")
    finding = Finding(
        FindingKind(stored["kind"]),
        stored["item"],
        stored.get("party"),
        datetime.fromisoformat(at) if at is not None else None,
        stored.get("shipment"),
        stored["explanation"],
        tuple(stored.get("refs", ())),
    )
    return StoredFinding(finding, stored.get("brand"))
