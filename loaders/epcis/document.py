"""A normalised event written back as EPCIS 2.0 JSON-LD, for the query interface.

The output uses the normalised forms: identifiers as Digital Link URIs, CBV values as
bare words (which the standard JSON-LD context reads), times in UTC with the original
`eventTimeZoneOffset` beside them. User extensions and ILMD get a prefix per
namespace (`ext1`, `ext2`, ... in order of first use) declared in the event's own
`@context`, after the standard context; CBV master data (`cbvmda:lotNumber`) keeps the
prefix the standard context declares. Sensor data is not kept by the parser, so it
is not written back; a structured extension value comes back as the compact JSON text
the parser kept.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any, Final

from loaders.epcis.cbv import MDA_NAMESPACE
from loaders.epcis.model import EpcisEvent, QuantityElement, SourceDestination

CONTEXT: Final = "https://ref.gs1.org/standards/epcis/epcis-context.jsonld"

Document = dict[str, Any]


def event_document(event: EpcisEvent) -> Document:
    """The event as an EPCIS 2.0 JSON-LD object; `eventID` is its hash if it had none.

    >>> event_document(event)["eventID"]  # doctest: +SKIP
    'urn:uuid:374d95fc-9457-4a51-bd6a-0bba133845a8'
    """
    prefixes: dict[str, str] = {}
    doc: Document = {
        "type": event.type,
        "eventID": event.event_id or event.event_hash,
        "eventTime": rfc3339(event.event_time),
        "eventTimeZoneOffset": event.time_zone_offset,
    }
    _put(doc, "recordTime", event.record_time and rfc3339(event.record_time))
    _put(doc, "action", event.action)
    _put(doc, "parentID", event.parent_id)
    _put(doc, "epcList", list(event.epc_list))
    _put(doc, "childEPCs", list(event.child_epcs))
    _put(doc, "inputEPCList", list(event.input_epcs))
    _put(doc, "outputEPCList", list(event.output_epcs))
    _put(doc, "quantityList", _quantities(event.quantity_list))
    _put(doc, "childQuantityList", _quantities(event.child_quantity_list))
    _put(doc, "inputQuantityList", _quantities(event.input_quantity_list))
    _put(doc, "outputQuantityList", _quantities(event.output_quantity_list))
    _put(doc, "transformationID", event.transformation_id)
    _put(doc, "bizStep", event.biz_step)
    _put(doc, "disposition", event.disposition)
    _put(doc, "readPoint", event.read_point and {"id": event.read_point})
    _put(doc, "bizLocation", event.biz_location and {"id": event.biz_location})
    _put(
        doc,
        "bizTransactionList",
        [
            {"type": t.type, "bizTransaction": t.value}
            if t.type is not None
            else {"bizTransaction": t.value}
            for t in event.biz_transactions
        ],
    )
    _put(doc, "sourceList", _ends(event.source_list, "source"))
    _put(doc, "destinationList", _ends(event.destination_list, "destination"))
    persistent: Document = {}
    _put(persistent, "set", list(event.persistent_disposition_set))
    _put(persistent, "unset", list(event.persistent_disposition_unset))
    _put(doc, "persistentDisposition", persistent)
    _put(doc, "certificationInfo", event.certification_info)
    _put(doc, "ilmd", _named(event.ilmd, prefixes))
    if event.error_declaration is not None:
        declaration = event.error_declaration
        error: Document = {"declarationTime": rfc3339(declaration.declaration_time)}
        _put(error, "reason", declaration.reason)
        _put(error, "correctiveEventIDs", list(declaration.corrective_event_ids))
        error.update(_named(declaration.extensions, prefixes))
        doc["errorDeclaration"] = error
    doc.update(_named(event.extensions, prefixes))
    if prefixes:
        doc = {"@context": [CONTEXT, {p: ns for ns, p in prefixes.items()}], **doc}
    return doc


def _put(doc: Document, key: str, value: object) -> None:
    """Set `key` unless the value is absent or empty, as EPCIS JSON leaves them out."""
    if value is not None and value != [] and value != {}:
        doc[key] = value


def rfc3339(instant: datetime) -> str:
    """An instant as RFC 3339, to the millisecond unless it is finer."""
    micro = instant.microsecond
    spec = "seconds" if not micro else "milliseconds" if not micro % 1000 else "auto"
    return instant.isoformat(timespec=spec).replace("+00:00", "Z")


def _quantities(elements: tuple[QuantityElement, ...]) -> list[Document]:
    out = []
    for element in elements:
        item: Document = {"epcClass": element.epc_class}
        if element.quantity is not None:
            item["quantity"] = _number(element.quantity)
        _put(item, "uom", element.uom)
        out.append(item)
    return out


def _number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def _ends(ends: tuple[SourceDestination, ...], key: str) -> list[Document]:
    return [{"type": end.type, key: end.value} for end in ends]


def _named(values: Mapping[str, str], prefixes: dict[str, str]) -> Document:
    """`{namespace}local` keys as `prefix:local`, adding prefixes as needed."""
    out: Document = {}
    for key, value in values.items():
        namespace, _, local = key[1:].partition("}")
        if not key.startswith("{") or not local:
            out[key] = value
            continue
        if namespace == MDA_NAMESPACE:
            # The standard context binds `cbvmda` (with its trailing `#`); a prefix
            # of our own bound to this spelling would expand to `...cbv:mdalotNumber`.
            out[f"cbvmda:{local}"] = value
            continue
        prefix = prefixes.setdefault(namespace, f"ext{len(prefixes) + 1}")
        out[f"{prefix}:{local}"] = value
    return out
