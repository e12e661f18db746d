"""Turn one event as read (XML or JSON, same shape) into an `EpcisEvent` or a rejection.

Both readers hand over an event as JSON-shaped data: standard fields under their EPCIS
names, with the structure of EPCIS 2.0 JSON (lists as lists, a bizTransaction as
`{"type", "bizTransaction"}`), and user extensions under `{namespace}local` names. All
checking and normalising happens here, once for both syntaxes.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Mapping
from datetime import datetime
from decimal import Decimal
from typing import Final, NamedTuple, Protocol, TypeGuard

from graphsvc.errors import InvalidIdentifier
from graphsvc.instants import is_offset
from loaders.epcis.cbv import Vocabulary
from loaders.epcis.hashing import event_hash, prehash_with_terms
from loaders.epcis.model import (
    ACTIONS,
    EVENT_TYPES,
    STANDARD_FIELDS,
    Action,
    BizTransaction,
    EpcisEvent,
    ErrorDeclaration,
    EventRejection,
    EventType,
    QuantityElement,
    SourceDestination,
)
from loaders.epcis.terms import Terms
from loaders.epcis.values import parse_decimal, parse_timestamp

log = logging.getLogger(__name__)

_PARENT_REQUIRED: Final = frozenset(("AssociationEvent",))
MAX_ID_CHARS: Final = 1_000
"""The longest eventID or identifier an event may give. Graph keys join an object's
identifier to its event's (`{epc} @ {eventID}`), and Neo4j cannot index a key past
8 KB: two ids of this length, even of four-byte characters, stay under it."""
# The vocabularies of nearly every event, looked up once: reading a member of an enum
# from its class runs Python code.
_BIZ_STEP: Final = Vocabulary.BIZ_STEP
_DISPOSITION: Final = Vocabulary.DISPOSITION
_BIZ_TRANSACTION_TYPE: Final = Vocabulary.BIZ_TRANSACTION_TYPE
_MAPPING: Final = (dict, Mapping)
"""For isinstance: the readers produce dicts, which this finds without the slower
Mapping check."""
_ERROR_DECLARATION_FIELDS: Final = frozenset(
    ("declarationTime", "reason", "correctiveEventIDs")
)


class ByteStream(Protocol):
    """What the readers need of a source: a binary file, a gzip stream, a socket."""

    def read(self, size: int = ..., /) -> bytes: ...


class RawEvent(NamedTuple):
    """One event as a reader found it: its type name, place and fields.

    `terms` resolves the event's values with the compact URI prefixes in force; a
    reader shares one among the events of a document.
    """

    type: str
    position: int
    fields: Mapping[str, object]
    terms: Terms

    @property
    def prefixes(self) -> Mapping[str, str]:
        """The compact URI prefixes in force for the event's values."""
        return self.terms.prefixes


class _Rejected(Exception):
    """A field breaks a rule; `reason` starts with the field's name."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(reason)
        self.field = field
        self.reason = reason


def build_event(raw: RawEvent, document: str) -> EpcisEvent | EventRejection:
    """Check and normalise `raw`, read from `document`, and compute its hash."""
    try:
        event = _build(raw, _Fields(raw.fields, raw.terms))
    except _Rejected as err:
        log.debug(
            "epcis.event_rejected document=%s position=%d field=%s",
            document,
            raw.position,
            err.field,
        )
        return EventRejection(document, raw.position, err.field, err.reason)
    # The event is new and not shared yet, so its last field can be set in place;
    # dataclasses.replace would copy every field again, for each event.
    hashed = event_hash(prehash_with_terms(event, raw.fields, raw.terms))
    object.__setattr__(event, "event_hash", hashed)
    return event


def _build(raw: RawEvent, fields: _Fields) -> EpcisEvent:
    if not _is_event_type(raw.type):
        raise _Rejected("type", f"type '{raw.type}' is not an EPCIS event type")
    event_time = fields.time("eventTime")
    offset = fields.text("eventTimeZoneOffset")
    if not is_offset(offset):
        raise _Rejected(
            "eventTimeZoneOffset",
            f"eventTimeZoneOffset '{offset}' is not a UTC offset like +02:00",
        )
    action = fields.action(required=raw.type != "TransformationEvent")
    parent_id = fields.identifier("parentID")
    if parent_id is None and (
        raw.type in _PARENT_REQUIRED
        or (raw.type == "AggregationEvent" and action in ("ADD", "DELETE"))
    ):
        raise _Rejected("parentID", f"parentID is missing (required in {raw.type})")

    event = EpcisEvent(
        type=raw.type,
        position=raw.position,
        event_id=fields.event_id(),
        event_hash="",
        event_time=event_time,
        time_zone_offset=offset,
        record_time=fields.optional_time("recordTime"),
        action=action,
        biz_step=fields.vocabulary("bizStep", _BIZ_STEP),
        disposition=fields.vocabulary("disposition", _DISPOSITION),
        read_point=fields.location("readPoint"),
        biz_location=fields.location("bizLocation"),
        epc_list=fields.items("epcList"),
        parent_id=parent_id,
        child_epcs=fields.items("childEPCs"),
        input_epcs=fields.items("inputEPCList"),
        output_epcs=fields.items("outputEPCList"),
        quantity_list=fields.quantities("quantityList"),
        child_quantity_list=fields.quantities("childQuantityList"),
        input_quantity_list=fields.quantities("inputQuantityList"),
        output_quantity_list=fields.quantities("outputQuantityList"),
        transformation_id=fields.identifier("transformationID"),
        biz_transactions=fields.biz_transactions(),
        source_list=fields.ends("sourceList", "source"),
        destination_list=fields.ends("destinationList", "destination"),
        persistent_disposition_set=fields.persistent_disposition("set"),
        persistent_disposition_unset=fields.persistent_disposition("unset"),
        certification_info=fields.optional_text("certificationInfo"),
        error_declaration=fields.error_declaration(),
        ilmd=fields.ilmd(),
        extensions=extension_texts(
            [
                (key, value)
                for key, value in fields.raw.items()
                if key not in STANDARD_FIELDS and not key.startswith("@")
            ]
        ),
    )
    _require_contents(event)
    return event


def _require_contents(event: EpcisEvent) -> None:
    """Reject what EPCIS requires of a type's contents and `_build` did not check."""
    # Such an event says nothing the graph could hold, so keeping it would hide a
    # sender's mistake.
    if event.type == "TransactionEvent" and not event.biz_transactions:
        raise _Rejected(
            "bizTransactionList",
            "bizTransactionList is missing (TransactionEvent requires at least one)",
        )
    if event.type == "TransformationEvent" and not (
        event.input_epcs
        or event.output_epcs
        or event.input_quantity_list
        or event.output_quantity_list
    ):
        raise _Rejected(
            "inputEPCList",
            "inputEPCList, inputQuantityList, outputEPCList and outputQuantityList "
            "are all missing (TransformationEvent requires an input or an output)",
        )


def _too_long(what: str, text: str) -> str:
    """A rejection's reason for `text`, shown by its start only."""
    return (
        f"{what} of {len(text):,} characters, longer than {MAX_ID_CHARS:,} "
        f"('{text[:40]}...')"
    )


def _is_event_type(name: str) -> TypeGuard[EventType]:
    return name in EVENT_TYPES


def _is_action(name: str) -> TypeGuard[Action]:
    return name in ACTIONS


class _Fields:
    """Typed, checked access to the fields of one event (or of one part of it).

    A `label` names the field in rejections when its key alone would not (a part's
    field: `readPoint.id`).
    """

    __slots__ = ("raw", "terms")

    def __init__(self, raw: Mapping[str, object], terms: Terms) -> None:
        self.raw = raw
        self.terms = terms

    def text(self, name: str, *, label: str = "") -> str:
        value = self.optional_text(name, label=label)
        if value is None:
            raise _Rejected(label or name, f"{label or name} is missing")
        return value

    def optional_text(self, name: str, *, label: str = "") -> str | None:
        value = self.raw.get(name)
        if value is None:
            return None
        if not isinstance(value, str):
            raise _Rejected(label or name, f"{label or name} must be text")
        return value.strip() or None

    def time(self, name: str, *, label: str = "") -> datetime:
        text = self.text(name, label=label)
        try:
            return parse_timestamp(text)
        except ValueError as err:
            raise _Rejected(label or name, f"{label or name} {err}") from None

    def optional_time(self, name: str) -> datetime | None:
        return None if self.raw.get(name) is None else self.time(name)

    def action(self, *, required: bool) -> Action | None:
        text = self.text("action") if required else self.optional_text("action")
        if text is None:
            return None
        if not _is_action(text):
            raise _Rejected(
                "action", f"action '{text}' is not one of {', '.join(ACTIONS)}"
            )
        return text

    def vocabulary(
        self, name: str, vocabulary: Vocabulary, *, label: str = ""
    ) -> str | None:
        text = self.optional_text(name, label=label)
        return None if text is None else self.terms.word(text, vocabulary)

    def event_id(self) -> str | None:
        text = self.optional_text("eventID")
        if text is not None and len(text) > MAX_ID_CHARS:
            raise _Rejected("eventID", _too_long("eventID", text))
        return text

    def identifier(self, name: str, *, label: str = "") -> str | None:
        text = self.optional_text(name, label=label)
        return None if text is None else self._canonical(text, label or name)

    def items(self, name: str) -> tuple[str, ...]:
        """An EPC list: serialised items, each seen once, so not remembered."""
        if name not in self.raw:
            return ()  # Most events give one of the four EPC lists, or none.
        texts = self._texts(name)
        if not texts:
            return ()
        item = self.terms.item
        try:
            items = tuple([item(text) for text in texts])
        except InvalidIdentifier as err:
            raise _Rejected(name, f"{name} has a bad identifier: {err}") from None
        longest = max(items, key=len)
        if len(longest) > MAX_ID_CHARS:
            raise _Rejected(name, _too_long(f"{name} has an identifier", longest))
        return items

    def location(self, name: str) -> str | None:
        value = self.raw.get(name)
        if value is None:
            return None
        if not isinstance(value, _MAPPING):
            raise _Rejected(name, f"{name} must be an object with an id")
        return _Fields(value, self.terms).identifier("id", label=f"{name}.id")

    def quantities(self, name: str) -> tuple[QuantityElement, ...]:
        if name not in self.raw:
            return ()  # Most events give none of the four quantity lists.
        elements = []
        for entry in self._objects(name):
            text = entry.text("epcClass", label=f"{name}.epcClass")
            try:
                epc_class = self.terms.product_class(text)
            except InvalidIdentifier as err:
                raise _Rejected(name, f"{name} has a bad epcClass: {err}") from None
            if len(epc_class) > MAX_ID_CHARS:
                raise _Rejected(name, _too_long(f"{name} has an epcClass", epc_class))
            elements.append(
                QuantityElement(
                    epc_class,
                    entry._quantity(name),
                    entry.optional_text("uom", label=f"{name}.uom"),
                )
            )
        return tuple(elements)

    def _quantity(self, name: str) -> Decimal | None:
        value = self.raw.get("quantity")
        if value is None:
            return None
        try:
            return parse_decimal(value)
        except ValueError as err:
            raise _Rejected(name, f"{name} quantity {err}") from None

    def biz_transactions(self) -> tuple[BizTransaction, ...]:
        return tuple(
            [
                BizTransaction(
                    entry._canonical(
                        entry.text("bizTransaction", label="bizTransactionList"),
                        "bizTransactionList.bizTransaction",
                    ),
                    entry.vocabulary(
                        "type",
                        _BIZ_TRANSACTION_TYPE,
                        label="bizTransactionList.type",
                    ),
                )
                for entry in self._objects("bizTransactionList")
            ]
        )

    def ends(self, name: str, key: str) -> tuple[SourceDestination, ...]:
        entries = self._entries(name)
        if not entries:
            return ()
        # The same few parties and places recur: an entry made once is reused.
        known = self.terms.ends
        ends = []
        for entry in entries:
            kind, value = entry.get("type"), entry.get(key)
            if isinstance(kind, str) and isinstance(value, str):
                end = known.get((kind, value))
                if end is None:
                    end = self._end(entry, name, key)
                    known.remember((kind, value), end)
            else:
                end = self._end(entry, name, key)
            ends.append(end)
        return tuple(ends)

    def _end(self, raw: Mapping[str, object], name: str, key: str) -> SourceDestination:
        """Entry `raw` of source or destination list `name`, `key` its identifier."""
        entry = _Fields(raw, self.terms)
        kind = entry.vocabulary(
            "type", Vocabulary.SOURCE_DESTINATION_TYPE, label=f"{name}.type"
        )
        if kind is None:
            raise _Rejected(name, f"{name} has an entry without a type")
        value = entry.text(key, label=f"{name}.{key}")
        return SourceDestination(kind, entry._canonical(value, name))

    def persistent_disposition(self, which: str) -> tuple[str, ...]:
        value = self.raw.get("persistentDisposition")
        if value is None:
            return ()
        if not isinstance(value, _MAPPING):
            raise _Rejected(
                "persistentDisposition", "persistentDisposition must be an object"
            )
        part = _Fields(value, self.terms)
        words = part._texts(which, label=f"persistentDisposition.{which}")
        return tuple([self.terms.word(word, _DISPOSITION) for word in words])

    def error_declaration(self) -> ErrorDeclaration | None:
        name = "errorDeclaration"
        value = self.raw.get(name)
        if value is None:
            return None
        if not isinstance(value, _MAPPING):
            raise _Rejected(name, f"{name} must be an object")
        part = _Fields(value, self.terms)
        return ErrorDeclaration(
            declaration_time=part.time(
                "declarationTime", label=f"{name}.declarationTime"
            ),
            reason=part.vocabulary(
                "reason", Vocabulary.ERROR_REASON, label=f"{name}.reason"
            ),
            corrective_event_ids=part._texts(
                "correctiveEventIDs", label=f"{name}.correctiveEventIDs"
            ),
            extensions=extension_texts(
                [
                    (key, item)
                    for key, item in value.items()
                    if key not in _ERROR_DECLARATION_FIELDS
                ]
            ),
        )

    def ilmd(self) -> dict[str, str]:
        value = self.raw.get("ilmd")
        if value is None:
            return {}
        if not isinstance(value, _MAPPING):
            raise _Rejected("ilmd", "ilmd must be an object")
        return extension_texts(value.items())

    def _canonical(self, text: str, name: str) -> str:
        try:
            canonical = self.terms.identifier(text)
        except InvalidIdentifier as err:
            raise _Rejected(name, f"{name} has a bad identifier: {err}") from None
        if len(canonical) > MAX_ID_CHARS:
            raise _Rejected(name, _too_long(f"{name} has an identifier", canonical))
        return canonical

    def _texts(self, name: str, *, label: str = "") -> tuple[str, ...]:
        value = self.raw.get(name)
        if value is None:
            return ()
        if isinstance(value, list):
            texts = []
            for item in value:
                if not isinstance(item, str):
                    break  # Not a list of texts after all.
                if text := item.strip():
                    texts.append(text)
            else:
                return tuple(texts)
        label = label or name
        raise _Rejected(label, f"{label} must be a list of texts")

    def _objects(self, name: str) -> list[_Fields]:
        terms = self.terms
        return [_Fields(entry, terms) for entry in self._entries(name)]

    def _entries(self, name: str) -> list[Mapping[str, object]]:
        value = self.raw.get(name)
        if value is None:
            return []
        if isinstance(value, list):
            entries = [item for item in value if isinstance(item, _MAPPING)]
            if len(entries) == len(value):
                return entries
        raise _Rejected(name, f"{name} must be a list of objects")


def extension_texts(items: Iterable[tuple[str, object]]) -> dict[str, str]:
    """User extension fields as text: scalars as written, structure as compact JSON."""
    texts: dict[str, str] = {}
    for key, value in items:
        plain = _plain(value)
        texts[key] = (
            plain
            if isinstance(plain, str)
            else json.dumps(plain, ensure_ascii=False, separators=(",", ":"))
        )
    return texts


def _plain(value: object) -> object:
    """JSON data with every scalar as the text the XML spelling would carry."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, _MAPPING):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return "" if value is None else str(value)
