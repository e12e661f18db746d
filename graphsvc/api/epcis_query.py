"""The query parameters of `GET /events`, read and checked.

The supported subset of the EPCIS 2.0 SimpleEventQuery parameters is `SUPPORTED`; any
other parameter is refused by name rather than ignored, since ignoring a filter would
answer with events the client did not ask for. A parameter that takes several values
takes them repeated (`EQ_bizStep=a&EQ_bizStep=b`) or separated by `|`. Values are
read the way documents are: CBV values in any spelling, identifiers as EPC URNs or
Digital Links, times with a UTC offset.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Final

from graphsvc.errors import InvalidArgument, InvalidIdentifier
from graphsvc.ids import canonical_id
from graphsvc.store.events import EventQuery
from loaders.epcis.cbv import Vocabulary, bare
from loaders.epcis.model import EVENT_TYPES
from loaders.epcis.values import parse_timestamp

DEFAULT_PER_PAGE: Final = 30
MAX_PER_PAGE: Final = 1_000
SUPPORTED: Final = (
    "eventType",
    "GE_eventTime",
    "LT_eventTime",
    "EQ_bizStep",
    "MATCH_epc",
    "MATCH_anyEPC",
    "EQ_bizLocation",
    "perPage",
    "nextPageToken",
)
_SINGLE: Final = frozenset(("GE_eventTime", "LT_eventTime", "perPage", "nextPageToken"))
_PATTERN_PREFIX: Final = "urn:epc:idpat:"


@dataclass(frozen=True)
class EventParams:
    """A checked `GET /events` request: the store query and the page asked for."""

    query: EventQuery
    per_page: int = DEFAULT_PER_PAGE
    after: str | None = None
    """The last event of the previous page, from `nextPageToken`."""

    def fingerprint(self) -> str:
        """A short digest of the filters, so a page token serves only its query."""
        q = self.query
        filters = [
            sorted(q.event_types or ()),
            q.ge_event_time.isoformat() if q.ge_event_time else None,
            q.lt_event_time.isoformat() if q.lt_event_time else None,
            sorted(q.biz_steps or ()),
            sorted(q.biz_locations or ()),
            sorted(q.match_epc or ()),
            sorted(q.match_any_epc or ()),
        ]
        text = json.dumps(filters, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()[:16]


def parse_event_params(pairs: Sequence[tuple[str, str]]) -> EventParams:
    """The checked parameters of a query string given as (name, value) pairs.

    Raises InvalidArgument naming the first parameter that is unknown, repeated
    where only one value is allowed, or has a value that cannot be read.

    >>> params = parse_event_params([("EQ_bizStep", "cbv:BizStep-shipping|receiving")])
    >>> sorted(params.query.biz_steps or ())
    ['receiving', 'shipping']
    """
    values: dict[str, list[str]] = {}
    for name, value in pairs:
        if name not in SUPPORTED:
            raise InvalidArgument(
                name,
                "is not a supported query parameter; the supported ones are "
                + ", ".join(SUPPORTED),
            )
        values.setdefault(name, []).extend(_split(name, value))
    for name, given in values.items():
        if name in _SINGLE and len(given) > 1:
            raise InvalidArgument(name, "takes one value")

    query = EventQuery(
        event_types=_event_types(values.get("eventType")),
        ge_event_time=_time("GE_eventTime", values.get("GE_eventTime")),
        lt_event_time=_time("LT_eventTime", values.get("LT_eventTime")),
        biz_steps=_words(values.get("EQ_bizStep")),
        biz_locations=_identifiers("EQ_bizLocation", values.get("EQ_bizLocation")),
        match_epc=_identifiers("MATCH_epc", values.get("MATCH_epc")),
        match_any_epc=_identifiers("MATCH_anyEPC", values.get("MATCH_anyEPC")),
    )
    params = EventParams(query, _per_page(values.get("perPage")))
    token = values.get("nextPageToken")
    if token is None:
        return params
    return replace(params, after=read_token(token[0], params.fingerprint()))


def _split(name: str, value: str) -> list[str]:
    if name in _SINGLE:
        return [value]
    parts = [part.strip() for part in value.split("|")]
    if not all(parts):
        raise InvalidArgument(name, f"has an empty value in {value!r}")
    return parts


def _event_types(given: list[str] | None) -> frozenset[str] | None:
    if given is None:
        return None
    for value in given:
        if value not in EVENT_TYPES:
            raise InvalidArgument(
                "eventType",
                f"{value!r} is not an event type; use {', '.join(EVENT_TYPES)}",
            )
    return frozenset(given)


def _time(name: str, given: list[str] | None) -> datetime | None:
    if given is None:
        return None
    # A `+` left unencoded in a query string arrives as a space.
    text = given[0].replace(" ", "+")
    try:
        return parse_timestamp(text)
    except ValueError as err:
        raise InvalidArgument(name, str(err)) from None


def _words(given: list[str] | None) -> frozenset[str] | None:
    if given is None:
        return None
    return frozenset(bare(value, Vocabulary.BIZ_STEP) for value in given)


def _identifiers(name: str, given: list[str] | None) -> frozenset[str] | None:
    if given is None:
        return None
    found = set()
    for value in given:
        if value.startswith(_PATTERN_PREFIX) or "*" in value:
            raise InvalidArgument(
                name, f"{value!r}: EPC patterns are not supported, only identifiers"
            )
        try:
            found.add(canonical_id(value))
        except InvalidIdentifier as err:
            raise InvalidArgument(name, err.message) from None
    return frozenset(found)


def _per_page(given: list[str] | None) -> int:
    if given is None:
        return DEFAULT_PER_PAGE
    value = given[0]
    if not value.isdigit() or not 1 <= int(value) <= MAX_PER_PAGE:
        raise InvalidArgument(
            "perPage", f"{value!r} is not a whole number from 1 to {MAX_PER_PAGE}"
        )
    return int(value)


def make_token(after: str, params: EventParams) -> str:
    """The opaque `nextPageToken` for the page after event `after`."""
    data = json.dumps([params.fingerprint(), after], separators=(",", ":"))
    return base64.urlsafe_b64encode(data.encode()).decode().rstrip("=")


def read_token(token: str, fingerprint: str) -> str:
    """The event a page token continues after; InvalidArgument when it is not ours."""
    try:
        padded = token + "=" * (-len(token) % 4)
        found, after = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, binascii.Error, TypeError):
        raise InvalidArgument(
            "nextPageToken", "is not a token this service gave out"
        ) from None
    if found != fingerprint or not isinstance(after, str):
        raise InvalidArgument(
            "nextPageToken",
            "belongs to a query with other parameters; repeat the query it came with",
        )
    return after
