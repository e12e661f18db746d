"""Timestamps and numbers as EPCIS writes them: read strictly, written canonically."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Final

from graphsvc.instants import is_offset, to_utc

_TIMESTAMP: Final = re.compile(
    r"(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)\Z"
)
# An EPCIS timestamp, possible offsets only (`is_offset`), in ASCII digits, which
# fromisoformat reads.
_ISO_TIMESTAMP: Final = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]+)?"
    r"(?:Z|[+-](?:(?:0[0-9]|1[0-3]):[0-5][0-9]|14:00))"
)
_HALF_MILLISECOND: Final = timedelta(microseconds=500)
_NUMBER: Final = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)\Z")
_MAX_EXPONENT: Final = 64
"""Numbers beyond 10**64 keep their exponent: writing them out could take any memory."""


def parse_timestamp(text: str) -> datetime:
    """Read an xsd:dateTimeStamp (offset or `Z` required) as an aware UTC datetime.

    Digits past the microsecond are dropped. Raises ValueError with a reason that
    can be shown as is.
    """
    # Nearly every timestamp takes this path: one match, then the C parser.
    if _ISO_TIMESTAMP.fullmatch(text):
        try:
            return _in_utc(datetime.fromisoformat(text), text)
        except ValueError:
            pass  # An impossible date or time; the reading below words the error.

    match = _TIMESTAMP.match(text)
    if match is None:
        raise ValueError(f"'{text}' is not a timestamp with a UTC offset")
    year, month, day, hour, minute, second, fraction, offset = match.groups()
    micro = int((fraction or "0")[:6].ljust(6, "0"))

    if offset == "Z":
        zone = UTC
    elif is_offset(offset):
        hours, minutes = int(offset[1:3]), int(offset[4:6])
        delta = timedelta(hours=hours, minutes=minutes)
        zone = timezone(-delta if offset[0] == "-" else delta)
    else:
        raise ValueError(f"'{text}' has an impossible UTC offset {offset}")
    try:
        fields = (int(year), int(month), int(day), int(hour), int(minute), int(second))
        local = datetime(*fields, micro, zone)
    except ValueError as err:
        raise ValueError(f"'{text}' is not a valid date and time ({err})") from None
    return _in_utc(local, text)


def _in_utc(instant: datetime, text: str) -> datetime:
    """`instant` in UTC, refused when that falls outside years 1 to 9999."""
    try:
        return to_utc(instant)
    except ValueError as err:
        raise ValueError(f"'{text}' {err}") from None


def hash_timestamp(instant: datetime) -> str:
    """UTC with `Z` and milliseconds, the 4th decimal rounding half up (CBV 2.0).

    >>> hash_timestamp(parse_timestamp("2023-01-18T12:04:03.1415+01:00"))
    '2023-01-18T11:04:03.142Z'
    """
    at = instant.astimezone(UTC) + _HALF_MILLISECOND
    # isoformat leaves out a zero fraction, or else writes the microseconds after the
    # 19 characters of date and time: the first three of them, with the half
    # millisecond added, are the rounded milliseconds. It is the cheapest way to write
    # the fields of a datetime.
    text = at.isoformat()
    return f"{text[:23]}Z" if at.microsecond else f"{text[:19]}.000Z"


def looks_like_timestamp(text: str) -> bool:
    return _TIMESTAMP.match(text) is not None


def parse_decimal(value: object) -> Decimal:
    """A finite decimal number from JSON (int, float, Decimal) or XML text.

    Raises ValueError for anything else, including booleans, NaN and infinities.
    """
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a number")
    if isinstance(value, int | float | Decimal):
        number = Decimal(str(value))
    elif isinstance(value, str) and _NUMBER.match(value.strip()):
        number = Decimal(value.strip())
    else:
        raise ValueError(f"'{value}' is not a number")
    if not number.is_finite():
        raise ValueError(f"'{value}' is not a finite number")
    return number


def canonical_number(number: Decimal) -> str:
    """Decimal notation without trailing zeros or sign of zero (`10.0` -> `10`)."""
    if number.is_zero():
        return "0"
    reduced = number.normalize()
    exponent = reduced.as_tuple().exponent
    if isinstance(exponent, int) and abs(exponent) > _MAX_EXPONENT:
        return str(reduced)
    return format(reduced, "f")


def canonical_numeric_text(text: str) -> str | None:
    """`canonical_number` of a text written as a plain decimal, else None."""
    if not _NUMBER.match(text):
        return None
    return canonical_number(Decimal(text))
