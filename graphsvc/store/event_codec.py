"""Kept EPCIS events as flat rows of text and numbers, the same for both stores.

Times become integer microseconds since the epoch (UTC), so that both SQLite and
Neo4j compare and order them as numbers; the document, the EPC roles and the
retraction become JSON text.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, Final

import orjson

from graphsvc.store.events import Retraction, StoredEvent

_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_MICRO: Final = timedelta(microseconds=1)

Row = dict[str, Any]


def micros(instant: datetime) -> int:
    """An aware instant as microseconds since the epoch."""
    return (instant - _EPOCH) // _MICRO


def instant(value: int) -> datetime:
    """Microseconds since the epoch as an aware UTC instant."""
    return _EPOCH + timedelta(microseconds=value)


def retraction_json(retraction: Retraction | None) -> str | None:
    if retraction is None:
        return None
    data = {
        "declared_at": micros(retraction.declared_at),
        "reason": retraction.reason,
        "corrective_event_ids": list(retraction.corrective_event_ids),
    }
    return orjson.dumps(data).decode()


def to_row(event: StoredEvent) -> Row:
    """The event as a flat row; `all_epcs` and `direct_epcs` serve the EPC filters."""
    return {
        "id": event.id,
        "hash": event.hash,
        "type": event.type,
        "event_time": micros(event.event_time),
        "record_time": (
            micros(event.record_time) if event.record_time is not None else None
        ),
        "biz_step": event.biz_step,
        "biz_location": event.biz_location,
        "read_point": event.read_point,
        "epcs": orjson.dumps(event.epcs).decode(),
        "document": orjson.dumps(event.document).decode(),
        "retraction": retraction_json(event.retraction),
        "all_epcs": sorted(event.all_epcs),
        "direct_epcs": sorted(event.direct_epcs),
    }


def from_row(row: Row) -> StoredEvent:
    """The event a row from `to_row` holds."""
    retraction = None
    if row.get("retraction") is not None:
        data = orjson.loads(row["retraction"])
        retraction = Retraction(
            instant(data["declared_at"]),
            data["reason"],
            tuple(data["corrective_event_ids"]),
        )
    record_time = row.get("record_time")
    return StoredEvent(
        id=row["id"],
        hash=row["hash"],
        type=row["type"],
        event_time=instant(row["event_time"]),
        record_time=instant(record_time) if record_time is not None else None,
        biz_step=row.get("biz_step"),
        biz_location=row.get("biz_location"),
        read_point=row.get("read_point"),
        epcs=tuple((role, epc) for role, epc in orjson.loads(row["epcs"])),
        document=orjson.loads(row["document"]),
        retraction=retraction,
    )
