"""Instants, which the graph compares in UTC."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Final

OUT_OF_RANGE = "falls outside the years 1 to 9999 in UTC"
"""Why an instant has no UTC datetime: year 9999 with a negative offset, say."""
_OFFSET: Final = re.compile(r"[+-](?:(?:0\d|1[0-3]):[0-5]\d|14:00)\Z")
_OFFSETS: Final = frozenset(
    f"{sign}{hours:02d}:{minutes:02d}"
    for sign in "+-"
    for hours in range(14)
    for minutes in range(60)
) | {"+14:00", "-14:00"}
"""The offsets `_OFFSET` matches, spelled with ASCII digits: a set finds them faster."""


def to_utc(instant: datetime) -> datetime:
    """`instant` in UTC; ValueError (`OUT_OF_RANGE`) when that has no datetime."""
    try:
        return instant.astimezone(UTC)
    except OverflowError:
        raise ValueError(OUT_OF_RANGE) from None


def is_offset(text: str) -> bool:
    """True for a UTC offset some place keeps: `-14:00` to `+14:00`, as `+05:30`.

    Wider offsets parse in Python but not in every store (Neo4j stops at 18 hours),
    so both feed formats refuse them.
    """
    return text in _OFFSETS or _OFFSET.match(text) is not None
