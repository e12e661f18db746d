"""Capture jobs in the embedded store's SQLite database, one row per job."""

from __future__ import annotations

import sqlite3
from typing import Final

from graphsvc.errors import StoreError
from graphsvc.store.jobs import CaptureJob, job_from_json, job_to_json

_SCHEMA: Final = (
    "CREATE TABLE IF NOT EXISTS capture_jobs (id TEXT PRIMARY KEY,"
    " created_at TEXT NOT NULL, running INTEGER NOT NULL, data TEXT NOT NULL)",
    # Only the few jobs still running are indexed: they are looked for at each start.
    "CREATE INDEX IF NOT EXISTS capture_jobs_running ON capture_jobs (created_at)"
    " WHERE running = 1",
)


class CaptureJobTable:
    """Reads and writes capture jobs; not thread-safe, the store serialises."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db
        with db:
            for statement in _SCHEMA:
                db.execute(statement)

    def save(self, job: CaptureJob) -> None:
        row = (job.id, job.created_at.isoformat(), job.running, job_to_json(job))
        try:
            with self.db:
                self.db.execute(
                    "INSERT OR REPLACE INTO capture_jobs"
                    " (id, created_at, running, data) VALUES (?, ?, ?, ?)",
                    row,
                )
        except sqlite3.Error as err:
            raise StoreError(f"could not save capture job {job.id}: {err}") from err

    def get(self, job_id: str) -> CaptureJob | None:
        row = self.db.execute(
            "SELECT data FROM capture_jobs WHERE id = ?", (job_id,)
        ).fetchone()
        return None if row is None else job_from_json(row[0])

    def running(self) -> list[CaptureJob]:
        rows = self.db.execute(
            "SELECT data FROM capture_jobs WHERE running = 1 ORDER BY created_at, id"
        )
        return [job_from_json(data) for (data,) in rows]
