"""The CBV 2.0 event hash: one id for one event, whatever syntax or spelling it came in.

The hash is the SHA-256 of a pre-hash string built by the rules of the GS1 Core
Business Vocabulary 2.0 ("EPCIS Event Hash ID"): fields in a fixed order, each as
`name=value` (a container as its name followed by its children), no separators;
identifiers as constrained canonical Digital Link URIs, CBV values as web URIs, compact
URIs expanded, times in UTC with milliseconds, numbers without trailing zeros; list
entries and user extensions (`{namespace}local`) sorted by code point. `eventID`,
`recordTime`, `certificationInfo` and `errorDeclaration` are not part of it, so an
event and its error declaration share a hash.

Two choices the standard leaves open: attributes of user extension elements (XML only)
count as child fields, and a text that reads as a number or a timestamp is written in
canonical form wherever it appears.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Final

from graphsvc.errors import InvalidIdentifier
from graphsvc.ids import CANONICAL_BASE, canonical_id
from loaders.epcis.cbv import Vocabulary, web_uri
from loaders.epcis.model import (
    EpcisEvent,
    QuantityElement,
    SourceDestination,
)
from loaders.epcis.terms import Terms
from loaders.epcis.values import (
    canonical_number,
    canonical_numeric_text,
    hash_timestamp,
    looks_like_timestamp,
    parse_timestamp,
)

HASH_VERSION: Final = "CBV2.0"

_SENSOR_METADATA: Final = (
    "time", "startTime", "endTime", "deviceID", "deviceMetadata", "rawData",
    "dataProcessingMethod", "bizRules",
)  # fmt: skip
_SENSOR_REPORT: Final = (
    "type", "exception", "deviceID", "deviceMetadata", "rawData",
    "dataProcessingMethod", "time", "microorganism", "chemicalSubstance", "value",
    "component", "stringValue", "booleanValue", "hexBinaryValue", "uriValue",
    "minValue", "maxValue", "meanValue", "sDev", "percRank", "percValue", "uom",
    "coordinateReferenceSystem",
)  # fmt: skip
_VERBATIM: Final = frozenset(("stringValue", "hexBinaryValue", "uom"))
"""Sensor fields whose text is data, not a number or identifier to canonicalise."""
_MEASUREMENT_TYPES: Final = "https://gs1.org/voc/"
_CBV_URNS: Final = tuple(Vocabulary)
# The vocabularies of nearly every event, looked up once: reading a member of an enum
# from its class runs Python code.
_BIZ_STEP: Final = Vocabulary.BIZ_STEP
_DISPOSITION: Final = Vocabulary.DISPOSITION
_BIZ_TRANSACTION_TYPE: Final = Vocabulary.BIZ_TRANSACTION_TYPE
_DL_GTIN: Final = CANONICAL_BASE + "/01/"
_MAPPING: Final = (dict, Mapping)
"""For isinstance: events as read hold dicts, found without the slower Mapping check."""


def event_hash(prehash: str) -> str:
    """The `ni:` URI of a pre-hash string (RFC 6920, SHA-256)."""
    digest = hashlib.sha256(prehash.encode("utf-8")).hexdigest()
    return f"ni:///sha-256;{digest}?ver={HASH_VERSION}"


def prehash(
    event: EpcisEvent, fields: Mapping[str, object], prefixes: Mapping[str, str]
) -> str:
    """The CBV 2.0 pre-hash string of `event`.

    Standard fields come from `event`, already canonical; sensor data, ILMD and user
    extensions, which `event` keeps only in part, come from `fields`, the event as
    read (standard names, `{namespace}local` for extensions). `prefixes` expands
    compact URIs in those.
    """
    return prehash_with_terms(event, fields, Terms(prefixes))


def prehash_with_terms(
    event: EpcisEvent, fields: Mapping[str, object], terms: Terms
) -> str:
    """`prehash`, with the `Terms` of the event's document (and its prefixes), which
    remember the spellings that recur from event to event."""
    out = [
        f"eventType={event.type}eventTime={hash_timestamp(event.event_time)}"
        f"eventTimeZoneOffset={event.time_zone_offset}"
    ]
    # The standard's order. Most events leave most fields empty, and those add nothing.
    if event.epc_list:
        out.append(_ids("epcList", event.epc_list))
    if event.parent_id is not None:
        out.append(f"parentID={_dl(event.parent_id)}")
    if event.input_epcs:
        out.append(_ids("inputEPCList", event.input_epcs))
    if event.child_epcs:
        out.append(_ids("childEPCs", event.child_epcs))
    if event.quantity_list:
        out.append(_quantities("quantityList", event.quantity_list))
    if event.child_quantity_list:
        out.append(_quantities("childQuantityList", event.child_quantity_list))
    if event.input_quantity_list:
        out.append(_quantities("inputQuantityList", event.input_quantity_list))
    if event.output_epcs:
        out.append(_ids("outputEPCList", event.output_epcs))
    if event.output_quantity_list:
        out.append(_quantities("outputQuantityList", event.output_quantity_list))

    if event.action is not None:
        out.append(f"action={event.action}")
    if event.transformation_id is not None:
        out.append(f"transformationID={_dl(event.transformation_id)}")
    if event.biz_step is not None:
        step = terms.web_uri(event.biz_step, _BIZ_STEP)
        out.append(f"bizStep={step}")
    if event.disposition is not None:
        disposition = terms.web_uri(event.disposition, _DISPOSITION)
        out.append(f"disposition={disposition}")
    if event.persistent_disposition_set or event.persistent_disposition_unset:
        out.append(_persistent_disposition(event, terms))
    _location(out, "readPoint", event.read_point, fields, terms)
    _location(out, "bizLocation", event.biz_location, fields, terms)

    if event.biz_transactions:
        entries = [
            f"bizTransaction={_dl(bt.value)}"
            + (
                ""
                if bt.type is None
                else f"type={terms.web_uri(bt.type, _BIZ_TRANSACTION_TYPE)}"
            )
            for bt in event.biz_transactions
        ]
        out.append("bizTransactionList" + "".join(sorted(entries)))
    if event.source_list:
        out.append(_ends("source", event.source_list, terms))
    if event.destination_list:
        out.append(_ends("destination", event.destination_list, terms))

    sensors = fields.get("sensorElementList")
    if isinstance(sensors, list):
        elements = [_sensor_element(item, terms) for item in sensors]
        if any(elements):
            out.append("sensorElementList" + "".join(sorted(elements)))
    ilmd = fields.get("ilmd")
    if isinstance(ilmd, _MAPPING):
        strings = _extensions(ilmd.items(), terms)
        if strings:
            out.append("ilmd" + strings)
    # The event's extensions have the keys of the user fields, in order: no need to
    # look through all of `fields` for them again.
    out.append(_extensions([(key, fields[key]) for key in event.extensions], terms))
    return "".join(out)


def _ids(name: str, values: tuple[str, ...]) -> str:
    return name + "".join(sorted([f"epc={_dl(value)}" for value in values]))


def _quantities(name: str, elements: tuple[QuantityElement, ...]) -> str:
    entries = []
    for element in elements:
        entry = f"quantityElementepcClass={_dl(element.epc_class)}"
        if element.quantity is not None:
            entry += f"quantity={canonical_number(element.quantity)}"
        if element.uom is not None:
            entry += f"uom={element.uom}"
        entries.append(entry)
    return name + "".join(sorted(entries))


def _ends(name: str, ends: tuple[SourceDestination, ...], terms: Terms) -> str:
    # The same few parties and places recur: each entry is spelled once.
    known = terms.hashed_ends
    entries = []
    for end in ends:
        key = (name, end.value, end.type)
        entry = known.get(key)
        if entry is None:
            kind = terms.web_uri(end.type, Vocabulary.SOURCE_DESTINATION_TYPE)
            entry = known.remember(key, f"{name}={_dl(end.value)}type={kind}")
        entries.append(entry)
    return f"{name}List" + "".join(sorted(entries))


def _persistent_disposition(event: EpcisEvent, terms: Terms) -> str:
    text = "persistentDisposition"
    for name, values in (
        ("set", event.persistent_disposition_set),
        ("unset", event.persistent_disposition_unset),
    ):
        uris = (terms.web_uri(value, _DISPOSITION) for value in values)
        text += "".join(sorted(f"{name}={uri}" for uri in uris))
    return text


def _location(
    out: list[str],
    name: str,
    identifier: str | None,
    fields: Mapping[str, object],
    terms: Terms,
) -> None:
    raw = fields.get(name)
    extra = ""
    # Extensions of a location are rare: look for them only if there is more than id.
    if isinstance(raw, _MAPPING) and (len(raw) > 1 or "id" not in raw):
        extra = _extensions(
            ((key, value) for key, value in raw.items() if key != "id"), terms
        )
    if identifier is not None or extra:
        head = "" if identifier is None else f"id={_dl(identifier)}"
        out.append(name + head + extra)


def _sensor_element(element: object, terms: Terms) -> str:
    if not isinstance(element, Mapping):
        return ""
    text = ""
    metadata = element.get("sensorMetadata")
    if isinstance(metadata, Mapping):
        text += _sensor_part("sensorMetadata", metadata, _SENSOR_METADATA, terms)
    reports = element.get("sensorReport")
    if isinstance(reports, Mapping):
        reports = [reports]
    if isinstance(reports, list):
        text += "".join(
            sorted(
                _sensor_part("sensorReport", report, _SENSOR_REPORT, terms)
                for report in reports
                if isinstance(report, Mapping)
            )
        )
    rest = (
        (key, value)
        for key, value in element.items()
        if key not in ("sensorMetadata", "sensorReport")
    )
    text += _extensions(rest, terms)
    return "sensorElement" + text if text else ""


def _sensor_part(
    name: str,
    part: Mapping[str, object],
    order: tuple[str, ...],
    terms: Terms,
) -> str:
    text = ""
    for key in order:
        value = part.get(key)
        if value is None:
            continue
        if key in _VERBATIM:
            rendered = _scalar_text(value)
        elif key == "type" and isinstance(value, str) and ":" not in value:
            # JSON-LD writes a GS1 measurement type as a bare gs1 vocabulary term.
            rendered = _MEASUREMENT_TYPES + value.strip()
        else:
            rendered = _canonical_value(value, terms)
        if rendered:
            text += f"{key}={rendered}"
    rest = ((key, value) for key, value in part.items() if key not in order)
    text += _extensions(rest, terms)
    return name + text if text else ""


def _extensions(items: Iterable[tuple[str, object]], terms: Terms) -> str:
    strings: list[str] = []
    for key, value in items:
        _extension_strings(strings, key.removeprefix("@"), value, terms)
    if not strings:
        return ""
    return "".join(sorted(strings))


def _extension_strings(into: list[str], key: str, value: object, terms: Terms) -> None:
    """Append the pre-hash string of each occurrence of extension field `key`."""
    if isinstance(value, list):
        for item in value:
            _extension_strings(into, key, item, terms)
        return
    if isinstance(value, Mapping):
        text = value.get("#text")
        own = _canonical_value(text, terms) if text is not None else ""
        children = _extensions(
            ((k, v) for k, v in value.items() if k != "#text"), terms
        )
        into.append(key + (f"={own}" if own else "") + children)
        return
    rendered = _canonical_value(value, terms)
    into.append(f"{key}={rendered}" if rendered else key)


def _scalar_text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal | int | float):
        return canonical_number(Decimal(str(value)))
    return str(value).strip() if isinstance(value, str) else ""


def _canonical_value(value: object, terms: Terms) -> str:
    """A user or sensor value the way every CBV 2.0 rule that can apply writes it."""
    if not isinstance(value, str):
        return _scalar_text(value)
    known = terms.hashed_texts.get(value)
    if known is None:
        known = terms.hashed_texts.remember(value, _canonical_text(value, terms))
    return known


def _canonical_text(value: str, terms: Terms) -> str:
    text = value.strip()
    if not text:
        return ""
    number = canonical_numeric_text(text)
    if number is not None:
        return number
    if looks_like_timestamp(text):
        try:
            return hash_timestamp(parse_timestamp(text))
        except ValueError:
            return text
    text = terms.expand(text)
    if text.startswith("urn:epcglobal:cbv:"):
        for vocabulary in _CBV_URNS:
            if text.startswith(vocabulary.urn):
                return web_uri(text, vocabulary)
        return text
    try:
        return _dl(canonical_id(text))
    except InvalidIdentifier:
        return text


def _dl(identifier: str) -> str:
    """A canonical id as the constrained Digital Link the hash takes.

    `canonical_id` already keeps only the finest level of identification, except
    that a product variant (AI 22) may stay beside a lot; the hash drops it.
    """
    if not identifier.startswith(_DL_GTIN) or "/22/" not in identifier:
        return identifier
    segments = identifier[len(CANONICAL_BASE) + 1 :].split("/")
    pairs = zip(segments[::2], segments[1::2], strict=True)
    kept = "".join(f"/{ai}/{text}" for ai, text in pairs if ai != "22")
    return CANONICAL_BASE + kept
