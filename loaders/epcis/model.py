"""EPCIS events as the loader hands them on, whatever syntax they came in.

Identifiers are canonical (`graphsvc.ids.canonical_id`: GS1 keys as Digital Link URIs on
id.gs1.org, anything else as given), CBV values are bare words (`shipping`), times are
aware UTC datetimes. Sensor reports are left out: nothing downstream reads them, though
they count towards `event_hash`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Final, Literal

EventType = Literal[
    "ObjectEvent",
    "AggregationEvent",
    "TransactionEvent",
    "TransformationEvent",
    "AssociationEvent",
]
Action = Literal["ADD", "OBSERVE", "DELETE"]

EVENT_TYPES: Final[tuple[EventType, ...]] = (
    "ObjectEvent",
    "AggregationEvent",
    "TransactionEvent",
    "TransformationEvent",
    "AssociationEvent",
)
ACTIONS: Final[tuple[Action, ...]] = ("ADD", "OBSERVE", "DELETE")

STANDARD_FIELDS: Final = frozenset(
    (
        "type", "eventID", "eventTime", "eventTimeZoneOffset", "recordTime", "action",
        "bizStep", "disposition", "readPoint", "bizLocation", "epcList", "parentID",
        "childEPCs", "inputEPCList", "outputEPCList", "quantityList",
        "childQuantityList", "inputQuantityList", "outputQuantityList",
        "transformationID", "bizTransactionList", "sourceList", "destinationList",
        "sensorElementList", "persistentDisposition", "errorDeclaration",
        "certificationInfo", "ilmd",
    )
)  # fmt: skip
"""Names of the EPCIS event fields, as JSON keys and as XML local names. Any other
name in an event is a user extension."""


@dataclass(frozen=True, slots=True)
class QuantityElement:
    """A quantity of a product class: `epc_class` is a Digital Link class URI.

    `quantity` is None when the document gives none (an unknown amount).
    """

    epc_class: str
    quantity: Decimal | None = None
    uom: str | None = None


@dataclass(frozen=True, slots=True)
class BizTransaction:
    """A business document the event belongs to (a purchase order, a despatch advice).

    `type` is a bare CBV word (`po`, `desadv`) or a URI, None when untyped.
    """

    value: str
    type: str | None = None


@dataclass(frozen=True, slots=True)
class SourceDestination:
    """One end of a transfer: `type` is `owning_party`, `possessing_party` or
    `location` (or a non-CBV URI), `value` the party or location identifier."""

    type: str
    value: str


@dataclass(frozen=True, slots=True)
class ErrorDeclaration:
    """The statement that an earlier event was wrong (it carries that event's data).

    `reason` is a bare CBV word (`incorrect_data`, `did_not_occur`) or a URI.
    """

    declaration_time: datetime
    reason: str | None = None
    corrective_event_ids: tuple[str, ...] = ()
    extensions: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class EpcisEvent:
    """One EPCIS event, normalised.

    `position` is the 1-based index of the event in its document, counting rejected
    events too. `event_hash` is the CBV 2.0 event hash (`ni:///sha-256;...?ver=CBV2.0`),
    the same for the same event in any syntax; `event_id` is the id the document gave,
    if any. `ilmd` and `extensions` map `{namespace}local` names to text; a field with
    structure (nested elements, repeats, attributes) is kept as compact JSON text whose
    keys use the same naming: repeats as lists, attributes prefixed with `@`, text
    beside child elements under `#text`.
    """

    type: EventType
    position: int
    event_id: str | None
    event_hash: str
    event_time: datetime
    time_zone_offset: str
    record_time: datetime | None = None
    action: Action | None = None
    biz_step: str | None = None
    disposition: str | None = None
    read_point: str | None = None
    biz_location: str | None = None
    epc_list: tuple[str, ...] = ()
    parent_id: str | None = None
    child_epcs: tuple[str, ...] = ()
    input_epcs: tuple[str, ...] = ()
    output_epcs: tuple[str, ...] = ()
    quantity_list: tuple[QuantityElement, ...] = ()
    child_quantity_list: tuple[QuantityElement, ...] = ()
    input_quantity_list: tuple[QuantityElement, ...] = ()
    output_quantity_list: tuple[QuantityElement, ...] = ()
    transformation_id: str | None = None
    biz_transactions: tuple[BizTransaction, ...] = ()
    source_list: tuple[SourceDestination, ...] = ()
    destination_list: tuple[SourceDestination, ...] = ()
    persistent_disposition_set: tuple[str, ...] = ()
    persistent_disposition_unset: tuple[str, ...] = ()
    certification_info: str | None = None
    error_declaration: ErrorDeclaration | None = None
    ilmd: Mapping[str, str] = field(default_factory=dict)
    extensions: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class EventRejection:
    """An event that was not loaded: where it is, the field at fault and why."""

    document: str
    position: int
    field: str
    reason: str

    def __str__(self) -> str:
        return f"{self.document}: event {self.position}: {self.reason}"
