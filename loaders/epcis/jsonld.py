"""Read EPCIS 2.0 JSON / JSON-LD documents as a stream of events.

No JSON-LD processor is involved: the document is read as plain JSON, and only the
prefixes its `@context` binds (object or list form) are used, to expand compact URIs in
keys and values. `EPCISDocument` (`epcisBody.eventList`) and `EPCISQueryDocument`
(`epcisBody.queryResults.resultsBody.eventList`) are both read.

The document is walked key by key down to its event list, and the events are then
decoded one at a time (`JsonText`), so memory holds one event plus the document head.
A document that puts its `@context` after its events (or has none) cannot be read that
way: it is held in memory up to its context (whole, if it has none) and walked twice,
and a warning is logged.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from typing import Final

from graphsvc.errors import InvalidInput
from loaders.epcis.build import ByteStream, RawEvent
from loaders.epcis.cbv import STANDARD_PREFIXES, clark_name
from loaders.epcis.jsontext import JsonSyntaxError, JsonText
from loaders.epcis.model import STANDARD_FIELDS
from loaders.epcis.terms import Terms

log = logging.getLogger(__name__)

KeyPath = tuple[str, ...]

EVENT_LISTS: Final[tuple[KeyPath, ...]] = (
    ("epcisBody", "eventList"),
    ("epcisBody", "queryResults", "resultsBody", "eventList"),
)
_ON_THE_WAY: Final = frozenset(
    path[:end] for path in EVENT_LISTS for end in range(1, len(path))
)
"""The objects that lead to an event list, so are walked into rather than skipped."""
_DOCUMENT_TYPES: Final = frozenset(("EPCISDocument", "EPCISQueryDocument"))
_PLAIN_FIELDS: Final = STANDARD_FIELDS - {
    "readPoint", "bizLocation", "ilmd", "errorDeclaration", "sensorElementList"
}  # fmt: skip
"""Standard fields that cannot hold user extensions, so need no key rewriting."""
_CONTEXT: Final[KeyPath] = ("@context",)
"""Where the document walk stops after reading a top-level context."""
_NAMES_KEPT: Final = 4096
"""How many extension key spellings a document's name cache keeps."""


class JsonDocument:
    """One JSON document: its prefixes and a stream of its events.

    Reading the events consumes the source; do it once.
    """

    def __init__(self, stream: ByteStream, name: str) -> None:
        self.name = name
        self.prefixes: dict[str, str] = dict(STANDARD_PREFIXES)
        self._text = JsonText(stream)
        self._document_type: object = None
        self._context_seen = False
        self._learning = True
        self._names: dict[str, str] = {}
        self._walk = self._walk_document()
        self._event_list = self._read_head()
        self._terms = Terms(self.prefixes)

    def events(self) -> Iterator[RawEvent]:
        """The events in document order, with extension keys as `{namespace}local`."""
        position = 0
        stop = self._event_list
        try:
            while stop is not None:
                # Like the first, any further list on the same path holds events.
                if stop == self._event_list:
                    for item in self._text.items():
                        position += 1
                        yield self._raw_event(item, position)
                elif stop != _CONTEXT:
                    self._skip_items()
                stop = next(self._walk, None)
        except JsonSyntaxError as err:
            place = f"after event {position}" if position else "in the first event"
            raise InvalidInput(f"{self.name}: not valid JSON {place}: {err}") from None

    def _read_head(self) -> KeyPath | None:
        """Walk up to the first event list, learning the context; return its path."""
        try:
            event_list = next(self._walk, None)
            while event_list == _CONTEXT:
                event_list = next(self._walk, None)
            if event_list is not None and not self._context_seen:
                log.warning(
                    "epcis.context_after_events document=%s "
                    "detail=holding the document in memory",
                    self.name,
                )
                event_list = self._learn_whole_document()
        except JsonSyntaxError as err:
            raise InvalidInput(f"{self.name}: not valid JSON: {err}") from None
        self._text.release()

        document_type = self._document_type
        if document_type is not None and document_type not in _DOCUMENT_TYPES:
            raise InvalidInput(
                f"{self.name}: type '{document_type}' is not EPCISDocument or "
                "EPCISQueryDocument",
                field="type",
            )
        if event_list is None and document_type is None:
            raise InvalidInput(f"{self.name}: not an EPCIS document (no type)")
        return event_list

    def _learn_whole_document(self) -> KeyPath | None:
        """From inside the first event list, read on to the context (or the end), then
        walk the document again (still held) up to that list."""
        self._skip_items()
        stop = next(self._walk, None)
        while stop is not None and stop != _CONTEXT:
            self._skip_items()  # Any other stop is an event list.
            stop = next(self._walk, None)
        self._text.rewind()
        self._learning = False
        self._walk = self._walk_document()
        return next(self._walk, None)

    def _walk_document(self) -> Iterator[KeyPath]:
        """Walk the document, stopping inside each event list (its `[` read) and after
        each top-level `@context` (the stop `_CONTEXT`).

        At an event list, the caller reads its items and its `]` before walking on.
        """
        yield from self._walk_object(())
        if self._text.peek():
            self._text.fail("more text after the document")

    def _walk_object(self, path: KeyPath) -> Iterator[KeyPath]:
        text = self._text
        text.take("{")
        if text.skip("}"):
            return
        while True:
            if text.peek() != '"':
                text.fail("expected a key in double quotes")
            key = str(text.value())
            text.take(":")
            inner = (*path, key)
            if inner in EVENT_LISTS and text.peek() == "[":
                text.take("[")
                yield inner
            elif inner in _ON_THE_WAY and text.peek() == "{":
                yield from self._walk_object(inner)
            elif path:
                text.value()
            elif self._top_level(key, text.value()):
                yield _CONTEXT
            if not text.skip(","):
                break
        text.take("}")

    def _top_level(self, key: str, value: object) -> bool:
        """Note what a top-level field says; True for a context."""
        if key == "@context":
            self._context_seen = True
            if self._learning:
                self.prefixes = _with_context(self.prefixes, value)
            return True
        if key == "type" and isinstance(value, str):
            self._document_type = value
        return False

    def _skip_items(self) -> None:
        for _ in self._text.items():
            pass

    def _raw_event(self, item: object, position: int) -> RawEvent:
        if not isinstance(item, dict):
            return RawEvent("", position, {}, self._terms)
        if "@context" in item:
            terms = Terms(_with_context(self.prefixes, item["@context"]))
            fields = _clark_keys(item, terms.prefixes, {})
        else:
            terms = self._terms
            fields = _clark_keys(item, terms.prefixes, self._names)
        kind = fields.get("type")
        return RawEvent(kind if isinstance(kind, str) else "", position, fields, terms)


def _with_context(prefixes: Mapping[str, str], context: object) -> dict[str, str]:
    """`prefixes` plus those `context` binds; remote contexts (URLs) add nothing."""
    merged = dict(prefixes)
    for part in context if isinstance(context, list) else [context]:
        if not isinstance(part, dict):
            continue
        for term, definition in part.items():
            if term.startswith("@"):
                continue
            if isinstance(definition, dict):
                definition = definition.get("@id")
            if isinstance(definition, str) and ":" in definition:
                merged[term] = definition
    return merged


def _clark_keys(
    event: dict[str, object], prefixes: Mapping[str, str], names: dict[str, str]
) -> dict[str, object]:
    """The event with every compact or full URI key written `{namespace}local`.

    `names` caches key spellings for `prefixes`: the same few recur in every event.
    """
    fields: dict[str, object] = {}
    for key, value in event.items():
        if key in _PLAIN_FIELDS:
            fields[key] = value
        else:
            fields[_key(key, prefixes, names)] = _convert(value, prefixes, names)
    return fields


def _convert(
    value: object, prefixes: Mapping[str, str], names: dict[str, str]
) -> object:
    if isinstance(value, dict):
        return {
            _key(key, prefixes, names): _convert(item, prefixes, names)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_convert(item, prefixes, names) for item in value]
    return value


def _key(key: str, prefixes: Mapping[str, str], names: dict[str, str]) -> str:
    if ":" not in key or key.startswith("@"):
        return key
    name = names.get(key)
    if name is None:
        name = clark_name(key, prefixes)
        if len(names) < _NAMES_KEPT:
            names[key] = name
    return name
