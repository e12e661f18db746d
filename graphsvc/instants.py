"""Instants, which the graph compares in UTC."""

from __future__ import annotations

from datetime import UTC, datetime

OUT_OF_RANGE = "falls outside the years 1 to 9999 in UTC"
"""Why an instant has no UTC datetime: year 9999 with a negative offset, say."""


def to_utc(instant: datetime) -> datetime:
    """`instant` in UTC; ValueError (`OUT_OF_RANGE`) when that has no datetime."""
    try:
        return instant.astimezone(UTC)
    except OverflowError:
        raise ValueError(OUT_OF_RANGE) from None
