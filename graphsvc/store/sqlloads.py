"""The embedded store's load history: one SQLite table beside the graph's.

The table is created when first needed (`CREATE TABLE IF NOT EXISTS`), so a data
directory written before load history existed gains it without a migration.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from datetime import datetime
from typing import Any, Final

from graphsvc.errors import InvalidArgument, StoreError
from graphsvc.store.loads import (
    LoadOutcome,
    LoadQuery,
    LoadRecord,
    SourceFreshness,
    utc_text,
)
from graphsvc.store.sqlgraph import chunked

_SCHEMA: Final = (
    "CREATE TABLE IF NOT EXISTS loads (id TEXT PRIMARY KEY, source TEXT NOT NULL,"
    " file_name TEXT NOT NULL, content_hash TEXT, size INTEGER,"
    " started TEXT NOT NULL, finished TEXT NOT NULL, counts TEXT NOT NULL,"
    " rejected INTEGER NOT NULL, outcome TEXT NOT NULL, reason TEXT,"
    " rejects_file TEXT) WITHOUT ROWID",
    "CREATE INDEX IF NOT EXISTS loads_hash ON loads (content_hash, outcome)",
    "CREATE INDEX IF NOT EXISTS loads_source ON loads (source, id)",
)
_COLUMNS: Final = (
    "id, source, file_name, content_hash, size, started, finished, counts,"
    " rejected, outcome, reason, rejects_file"
)


class SqlLoads:
    """Reads and writes the `loads` table of the store's SQLite connection."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db
        try:
            with db:
                for statement in _SCHEMA:
                    db.execute(statement)
        except sqlite3.Error as err:
            raise StoreError(f"could not prepare the load history: {err}") from err

    def add(self, record: LoadRecord) -> None:
        row = (
            record.id,
            record.source,
            record.file_name,
            record.content_hash,
            record.size,
            utc_text(record.started),
            utc_text(record.finished),
            json.dumps(dict(sorted(record.counts.items()))),
            record.rejected,
            record.outcome.value,
            record.reason,
            record.rejects_file,
        )
        try:
            with self.db:
                self.db.execute(
                    f"INSERT OR REPLACE INTO loads ({_COLUMNS})"
                    " VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                    row,
                )
        except sqlite3.Error as err:
            raise StoreError(f"could not record the load: {err}") from err

    def select(
        self, query: LoadQuery, first: int | None, after: str | None
    ) -> list[LoadRecord]:
        where = ["1 = 1"]
        params: list[Any] = []
        if after is not None:
            if self.get(after) is None:
                raise InvalidArgument("after", "names no load; start again")
            where.append("id < ?")
            params.append(after)
        if query.source is not None:
            where.append("source = ?")
            params.append(query.source)
        if query.since is not None:
            where.append("started >= ?")
            params.append(utc_text(query.since))
        sql = f"SELECT {_COLUMNS} FROM loads WHERE {' AND '.join(where)}"
        sql += " ORDER BY id DESC LIMIT ?"
        params.append(-1 if first is None else first)
        return [_record(row) for row in self.db.execute(sql, params)]

    def get(self, load_id: str) -> LoadRecord | None:
        row = self.db.execute(
            f"SELECT {_COLUMNS} FROM loads WHERE id = ?", (load_id,)
        ).fetchone()
        return None if row is None else _record(row)

    def loaded_hashes(self, hashes: Iterable[str], source: str | None) -> set[str]:
        found: set[str] = set()
        for part in chunked(sorted(set(hashes))):
            marks = ",".join("?" * len(part))
            rows = self.db.execute(
                f"SELECT DISTINCT content_hash FROM loads WHERE content_hash IN"
                f" ({marks}) AND outcome != ? AND (? IS NULL OR source = ?)",
                (*part, LoadOutcome.FAILED.value, source, source),
            )
            found.update(hash_ for (hash_,) in rows)
        return found

    def freshness(self) -> list[SourceFreshness]:
        rows = self.db.execute(
            "SELECT source, max(CASE WHEN outcome != ? THEN finished END),"
            " max(finished) FROM loads GROUP BY source ORDER BY source",
            (LoadOutcome.FAILED.value,),
        )
        return [
            SourceFreshness(
                source,
                datetime.fromisoformat(loaded) if loaded is not None else None,
                datetime.fromisoformat(attempted),
            )
            for source, loaded, attempted in rows
        ]


def _record(row: tuple[Any, ...]) -> LoadRecord:
    (id_, source, name, hash_, size, started, finished, counts) = row[:8]
    rejected, outcome, reason, rejects_file = row[8:]
    return LoadRecord(
        id=id_,
        source=source,
        file_name=name,
        content_hash=hash_,
        size=size,
        started=datetime.fromisoformat(started),
        finished=datetime.fromisoformat(finished),
        counts=json.loads(counts),
        rejected=rejected,
        outcome=LoadOutcome(outcome),
        reason=reason,
        rejects_file=rejects_file,
    )
