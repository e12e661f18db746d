"""The embedded store's kept EPCIS events: two SQLite tables beside the graph's.

`events` holds one row per event (see `event_codec`), ordered for paging by event
time and id; `event_epcs` indexes each event by its EPCs and their roles, for the
EPC filters of a query.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any, Final

from graphsvc.errors import InvalidArgument, StoreError
from graphsvc.store.event_codec import from_row, micros, retraction_json, to_row
from graphsvc.store.events import DIRECT_ROLES, EventQuery, StoredEvent, plan_saves
from graphsvc.store.sqlgraph import chunked, transaction

_SCHEMA: Final = (
    # A rowid table: rows hold whole documents, too large to sit in an index's
    # b-tree as a WITHOUT ROWID table would keep them.
    "CREATE TABLE IF NOT EXISTS events (id TEXT NOT NULL UNIQUE, hash TEXT NOT NULL,"
    " type TEXT NOT NULL, event_time INTEGER NOT NULL, record_time INTEGER,"
    " biz_step TEXT, biz_location TEXT, read_point TEXT, epcs TEXT NOT NULL,"
    " document TEXT NOT NULL, retraction TEXT)",
    "CREATE INDEX IF NOT EXISTS events_time ON events (event_time, id)",
    "CREATE TABLE IF NOT EXISTS event_epcs (epc TEXT NOT NULL, role TEXT NOT NULL,"
    " event TEXT NOT NULL, PRIMARY KEY (epc, role, event)) WITHOUT ROWID",
)
_COLUMNS: Final = (
    "id",
    "hash",
    "type",
    "event_time",
    "record_time",
    "biz_step",
    "biz_location",
    "read_point",
    "epcs",
    "document",
    "retraction",
)
_SELECT: Final = f"SELECT {', '.join(_COLUMNS)} FROM events"


def _marks(n: int) -> str:
    return ",".join("?" * n)


class SqlEvents:
    """Reads and writes kept events on the store's connection; not thread-safe."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db
        with db:
            for statement in _SCHEMA:
                db.execute(statement)

    def save(self, events: Sequence[StoredEvent]) -> list[bool]:
        """Insert events with new ids, retract kept ones; True where the id was new."""
        found = self.by_id([e.id for e in events])
        kept = {e.id: e for e in found if e is not None}
        saves = plan_saves(events, kept)

        rows = [to_row(e) for e in saves.fresh]
        marks = _marks(len(_COLUMNS))
        try:
            with transaction(self.db):
                self.db.executemany(
                    f"INSERT INTO events ({', '.join(_COLUMNS)}) VALUES ({marks})",
                    [tuple(row[c] for c in _COLUMNS) for row in rows],
                )
                self.db.executemany(
                    "INSERT OR IGNORE INTO event_epcs (epc, role, event)"
                    " VALUES (?, ?, ?)",
                    [(epc, role, e.id) for e in saves.fresh for role, epc in e.epcs],
                )
                self.db.executemany(
                    "UPDATE events SET retraction = ? WHERE id = ?"
                    " AND retraction IS NULL",
                    [(retraction_json(r), id_) for id_, r in saves.retractions.items()],
                )
        except sqlite3.Error as err:
            raise StoreError(f"could not keep events: {err}") from err
        return saves.new

    def by_id(self, ids: Sequence[str]) -> list[StoredEvent | None]:
        found: dict[str, StoredEvent] = {}
        for part in chunked(sorted(set(ids))):
            sql = f"{_SELECT} WHERE id IN ({_marks(len(part))})"
            for values in self.db.execute(sql, part):
                event = from_row(dict(zip(_COLUMNS, values, strict=True)))
                found[event.id] = event
        return [found.get(id_) for id_ in ids]

    def query(
        self, query: EventQuery, first: int, after: str | None
    ) -> list[StoredEvent]:
        where: list[str] = []
        params: list[Any] = []
        if after is not None:
            row = self.db.execute(
                "SELECT event_time FROM events WHERE id = ?", (after,)
            ).fetchone()
            if row is None:
                raise InvalidArgument("after", "names no kept event; start again")
            where.append("(event_time > ? OR (event_time = ? AND id > ?))")
            params += [row[0], row[0], after]
        for column, values in (
            ("type", query.event_types),
            ("biz_step", query.biz_steps),
            ("biz_location", query.biz_locations),
        ):
            if values is not None:
                where.append(f"{column} IN ({_marks(len(values))})")
                params += sorted(values)
        if query.ge_event_time is not None:
            where.append("event_time >= ?")
            params.append(micros(query.ge_event_time))
        if query.lt_event_time is not None:
            where.append("event_time < ?")
            params.append(micros(query.lt_event_time))
        for epcs, roles in (
            (query.match_epc, sorted(DIRECT_ROLES)),
            (query.match_any_epc, None),
        ):
            if epcs is None:
                continue
            clause = "SELECT 1 FROM event_epcs x WHERE x.event = events.id"
            clause += f" AND x.epc IN ({_marks(len(epcs))})"
            params += sorted(epcs)
            if roles is not None:
                clause += f" AND x.role IN ({_marks(len(roles))})"
                params += roles
            where.append(f"EXISTS ({clause})")

        sql = _SELECT
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY event_time, id LIMIT ?"
        rows = self.db.execute(sql, (*params, first))
        return [from_row(dict(zip(_COLUMNS, values, strict=True))) for values in rows]
