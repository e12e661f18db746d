"""GS1 EPCIS documents (1.2 XML, 2.0 XML, 2.0 JSON / JSON-LD) as normalised events.

    >>> with open("events.jsonld", "rb") as source:  # doctest: +SKIP
    ...     for outcome in parse_epcis(source, "events.jsonld"):
    ...         print(outcome)

Each event comes out as an `EpcisEvent` or, when it breaks a rule, an
`EventRejection` that names the field; the other events of the document still come
out. Only a document that cannot be read at all raises `InvalidInput`.
"""

from __future__ import annotations

import codecs
import logging
from collections.abc import Iterator
from typing import Final, Literal

from graphsvc.errors import InvalidInput
from loaders.epcis.build import ByteStream, RawEvent, build_event
from loaders.epcis.jsonld import JsonDocument
from loaders.epcis.model import (
    BizTransaction,
    EpcisEvent,
    ErrorDeclaration,
    EventRejection,
    QuantityElement,
    SourceDestination,
)
from loaders.epcis.xml import read_xml

__all__ = [
    "HEAD_BYTES",
    "MAX_DOCUMENT_BYTES",
    "BizTransaction",
    "ByteStream",
    "EpcisEvent",
    "ErrorDeclaration",
    "EventRejection",
    "QuantityElement",
    "SourceDestination",
    "detect_epcis",
    "parse_epcis",
]

log = logging.getLogger(__name__)

HEAD_BYTES: Final = 8192
"""How much of a document `detect_epcis` wants to see."""
MAX_DOCUMENT_BYTES: Final = 1 << 30
"""The largest document read by default; callers serving uploads pass less."""

_XML_MARKERS: Final = ("EPCISDocument", "EPCISQueryDocument", "urn:epcglobal:epcis")
_UTF16_BOMS: Final = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


def detect_epcis(head: bytes) -> Literal["xml", "json"] | None:
    """Tell an EPCIS XML from an EPCIS JSON document by its first bytes.

    `head` should be the first `HEAD_BYTES` bytes (fewer if the document is shorter).
    Returns None for anything that does not look like EPCIS.

    >>> detect_epcis(b'{"type": "EPCISDocument", "epcisBody": {}}')
    'json'
    """
    if head.startswith(_UTF16_BOMS):
        text = head.decode("utf-16", errors="ignore")
    else:
        text = head.decode("utf-8", errors="ignore").removeprefix("\ufeff")
    start = text.lstrip()[:1]
    if start == "<" and any(marker in text for marker in _XML_MARKERS):
        return "xml"
    if start == "{" and "epcis" in text.lower():
        return "json"
    return None


def parse_epcis(
    source: ByteStream, name: str, *, max_bytes: int = MAX_DOCUMENT_BYTES
) -> Iterator[EpcisEvent | EventRejection]:
    """The events of one EPCIS document, in document order.

    `source` is read once, as a stream; `name` is how messages and rejections name
    the document. Raises InvalidInput (while iterating) when the document is not
    EPCIS, cannot be parsed or is longer than `max_bytes`; the message names the
    document and the place. Nesting is bounded by each reader (256 levels of XML,
    and the JSON reader's own limit).
    """
    source = _Capped(source, name, max_bytes)
    head = source.read(HEAD_BYTES)
    kind = detect_epcis(head)
    if kind is None:
        raise InvalidInput(f"{name}: not an EPCIS XML or JSON document")
    stream = _Prefixed(head, source)
    raws: Iterator[RawEvent] = (
        read_xml(stream, name) if kind == "xml" else JsonDocument(stream, name).events()
    )

    events = rejected = 0
    for raw in raws:
        outcome = build_event(raw, name)
        if isinstance(outcome, EventRejection):
            rejected += 1
        else:
            events += 1
        yield outcome
    log.info(
        "epcis.parsed document=%s format=%s events=%d rejected=%d",
        name,
        kind,
        events,
        rejected,
    )


class _Prefixed:
    """`head`, already read from `rest`, followed by the remainder of `rest`."""

    def __init__(self, head: bytes, rest: ByteStream) -> None:
        self._head = head
        self._rest = rest

    def read(self, size: int = -1) -> bytes:
        if not self._head:
            return self._rest.read(size)
        if 0 <= size < len(self._head):
            data, self._head = self._head[:size], self._head[size:]
            return data
        data, self._head = self._head, b""
        if size < 0:
            return data + self._rest.read()
        return data


class _Capped:
    """`source`, refusing to yield more than `limit` bytes in all."""

    def __init__(self, source: ByteStream, name: str, limit: int) -> None:
        self._source = source
        self._name = name
        self._limit = limit
        self._read = 0

    def read(self, size: int = -1) -> bytes:
        wanted = self._limit + 1 - self._read
        data = self._source.read(wanted if size < 0 else min(size, wanted))
        self._read += len(data)
        if self._read > self._limit:
            raise InvalidInput(
                f"{self._name}: the document is larger than {self._limit} bytes"
            )
        return data
