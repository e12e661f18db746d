"""Check one raw feed record against the model and turn it into a `Record`.

The rules are those of the feed contract: required fields, value types, RFC 3339
instants with an offset, whole-day dates, ISO country codes, GS1 keys in one canonical
form. Anything the model does not declare goes, unchanged, into the record's `extra`.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime
from typing import Final

import pycountry

from graphsvc import ids
from graphsvc.errors import InvalidIdentifier, InvalidInput
from graphsvc.instants import is_offset, to_utc
from graphsvc.model import (
    FEED_BY_KIND,
    KINDS,
    SHIPMENT_ITEM,
    Field,
    FieldType,
    NodeType,
)
from graphsvc.records import Record, Source, Value

LIST_SEPARATOR: Final = "|"
"""How CSV cells write list fields."""

COUNTRIES: Final = frozenset(c.alpha_2 for c in pycountry.countries)
_INSTANT = re.compile(
    r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?"
    r"(?P<offset>[Zz]|[+-]\d{2}:\d{2})?"
)
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def validate(
    raw: Mapping[str, object], kind: str, source: Source | None = None
) -> Record:
    """Check `raw` (a JSON object or a CSV row, without `kind`) as a `kind` record.

    Raises InvalidInput naming the first field at fault. Values that are None, or
    empty strings, count as absent. `source` is where the record was read.

    >>> validate({"id": "BR-1", "name": "Luma"}, "brand").values
    {'id': 'BR-1', 'name': 'Luma'}
    """
    if kind == SHIPMENT_ITEM.kind:
        return _validate_link(raw, source)
    node_type = FEED_BY_KIND.get(kind)
    if node_type is None:
        raise InvalidInput(
            f"kind {_quote(kind)} is not one of {', '.join(KINDS)}", "kind"
        )

    values: dict[str, Value] = {}
    for f, convert in _FIELD_CONVERTERS[kind]:
        value = raw.get(f.name)
        if value is None or value == "" or value == []:
            if f.required:
                raise InvalidInput(f"{f.name} is missing", f.name)
            continue
        values[f.name] = _convert(f, convert, value)
    _check_together(node_type, values)

    feed_fields = _FEED_FIELDS[kind]
    extra = {}
    if not feed_fields.issuperset(raw):
        extra = {
            k: v for k, v in raw.items() if k not in feed_fields and not _absent(v)
        }
    return Record(kind, _key(node_type, values), values, extra, source)


def _validate_link(raw: Mapping[str, object], source: Source | None) -> Record:
    values: dict[str, Value] = {}
    for f in (SHIPMENT_ITEM.source, SHIPMENT_ITEM.target):
        value = raw.get(f.name)
        if _absent(value):
            raise InvalidInput(f"{f.name} is missing", f.name)
        values[f.name] = _convert(f, _CONVERTERS[f.type], value)
    return Record(SHIPMENT_ITEM.kind, str(values["shipment"]), values, {}, source)


def _key(node_type: NodeType, values: Mapping[str, Value]) -> str:
    """The record's id, or the one derived from its identity fields."""
    given = values.get("id")
    if isinstance(given, str):
        return given
    if node_type.kind == "authorization":
        brand, party, valid_from = (values[n] for n in node_type.derived_key)
        assert isinstance(valid_from, date)
        return f"{brand}/{party}/{valid_from.isoformat()}"
    parts = []
    for name in node_type.derived_key:
        value = values[name]
        # Instants enter the key in UTC, so a re-sent scan written with another
        # offset for the same instant keeps its id.
        if isinstance(value, datetime):
            value = value.astimezone(UTC).isoformat()
        parts.append(str(value))
    digest = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:16]
    # Leading with the first identity field (a scan's item) keeps the ids of one
    # item's scans together, which keeps a store's index writes local.
    return f"{node_type.kind}:{parts[0]}:{digest}"


def _check_together(node_type: NodeType, values: Mapping[str, Value]) -> None:
    """Rules that tie two fields of one record."""
    if node_type.kind == "site" and ("lat" in values) != ("lon" in values):
        missing = "lon" if "lat" in values else "lat"
        raise InvalidInput(
            f"{missing} is missing: give both lat and lon, or neither", missing
        )
    _check_order(values, "valid_from", "valid_until")
    _check_order(values, "shipped_at", "delivered_at")


def _check_order(values: Mapping[str, Value], first: str, then: str) -> None:
    start, end = values.get(first), values.get(then)
    if start is None or end is None:
        return
    assert isinstance(start, date)
    assert isinstance(end, date)
    if end < start:
        raise InvalidInput(
            f"{then} {_quote(_text(end))} is before {first} {_quote(_text(start))}",
            then,
        )


def _convert(f: Field, convert: Converter, value: object) -> Value:
    try:
        return convert(f, value)
    except InvalidIdentifier as err:
        raise InvalidInput(f"{f.name}: {err.message}", f.name) from err
    except InvalidInput as err:
        if err.field is None:
            raise InvalidInput(f"{f.name} {err.message}", f.name) from err
        raise


def _text(value: object) -> str:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def _quote(value: object) -> str:
    return "'" + str(value).replace("'", "\\'") + "'"


def _absent(value: object) -> bool:
    return value is None or value == "" or value == []


def _string(f: Field, value: object) -> str:
    if isinstance(value, str):
        if f.required and not value.strip():
            raise InvalidInput("is blank")
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise InvalidInput(f"must be text, not the number {value}")
    raise InvalidInput(f"must be text, not {type(value).__name__}")


def _number(f: Field, value: object) -> float:
    if isinstance(value, bool):
        raise InvalidInput(f"must be a number, not {value}")
    if isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            raise InvalidInput(f"{_quote(value)} is not a number") from None
    elif isinstance(value, int | float):
        number = float(value)
    else:
        raise InvalidInput(f"must be a number, not {type(value).__name__}")
    bound = {"lat": 90.0, "lon": 180.0}.get(f.name)
    if not math.isfinite(number) or (bound is not None and abs(number) > bound):
        span = f"[-{bound:g}, {bound:g}]" if bound is not None else "a finite range"
        raise InvalidInput(f"{_text(value)} is outside {span}")
    return number


def _date(f: Field, value: object) -> date:
    text = _string(f, value)
    if not _DATE.fullmatch(text):
        raise InvalidInput(f"{_quote(text)} is not a date (YYYY-MM-DD)")
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f"{_quote(text)} is not a calendar date") from None


def _instant(f: Field, value: object) -> datetime:
    text = _string(f, value)
    match = _INSTANT.fullmatch(text)
    if match is None:
        raise InvalidInput(f"{_quote(text)} is not an RFC 3339 timestamp")
    if match["offset"] is None:
        raise InvalidInput(f"{_quote(text)} has no UTC offset")
    offset = match["offset"]
    if offset not in ("Z", "z") and not is_offset(offset):
        raise InvalidInput(f"{_quote(text)} has an impossible UTC offset {offset}")
    try:
        instant = datetime.fromisoformat(text.upper() if text.endswith("z") else text)
    except ValueError:
        raise InvalidInput(f"{_quote(text)} is not a valid date and time") from None
    try:
        to_utc(instant)
    except ValueError as err:
        raise InvalidInput(f"{_quote(text)} {err}") from None
    return instant


def _country(f: Field, value: object) -> str:
    text = _string(f, value)
    if text not in COUNTRIES:
        raise InvalidInput(
            f"{_quote(text)} is not an ISO 3166-1 alpha-2 country code (upper case)"
        )
    return text


def _strings(f: Field, value: object) -> tuple[str, ...]:
    if isinstance(value, str):
        parts = value.split(LIST_SEPARATOR)
    elif isinstance(value, list):
        parts = [_string(f, v) for v in value]
    else:
        raise InvalidInput(f"must be a list, not {type(value).__name__}")
    stripped = tuple(p.strip() for p in parts)
    if any(not p for p in stripped):
        raise InvalidInput("has an empty entry")
    return stripped


def _territories(f: Field, value: object) -> tuple[str, ...]:
    entries = _strings(f, value)
    for entry in entries:
        if entry != "*" and entry not in COUNTRIES:
            raise InvalidInput(
                f"entry {_quote(entry)} is neither '*' nor an ISO 3166-1 alpha-2 "
                "country code"
            )
    return tuple(dict.fromkeys(entries))


def _choice(f: Field, value: object) -> str:
    text = _string(f, value)
    if text not in f.choices:
        raise InvalidInput(f"{_quote(text)} is not one of {', '.join(f.choices)}")
    return text


def _identifier(f: Field, value: object) -> str:
    text = _string(f, value).strip()
    if not text:
        raise InvalidInput("is blank")
    return ids.canonical_id(text)


def _identifiers(f: Field, value: object) -> tuple[str, ...]:
    return tuple(dict.fromkeys(ids.canonical_id(v) for v in _strings(f, value)))


def _gtin(f: Field, value: object) -> str:
    return ids.canonical_gtin(_string(f, value).strip())


def _gln(f: Field, value: object) -> str:
    return ids.canonical_gln(_string(f, value).strip())


Converter = Callable[[Field, object], Value]

_CONVERTERS: Final[dict[FieldType, Converter]] = {
    FieldType.TEXT: _string,
    FieldType.NUMBER: _number,
    FieldType.DATE: _date,
    FieldType.INSTANT: _instant,
    FieldType.COUNTRY: _country,
    FieldType.TERRITORIES: _territories,
    FieldType.CHOICE: _choice,
    FieldType.IDENTIFIER: _identifier,
    FieldType.IDENTIFIERS: _identifiers,
    FieldType.GTIN: _gtin,
    FieldType.GLN: _gln,
}
_FIELD_CONVERTERS: Final = {
    t.kind: tuple((f, _CONVERTERS[f.type]) for f in t.fields if f.feed)
    for t in FEED_BY_KIND.values()
}
"""Each kind's feed fields with the function that checks them, looked up once."""
_FEED_FIELDS: Final = {
    kind: frozenset(f.name for f, _ in fields)
    for kind, fields in _FIELD_CONVERTERS.items()
}
