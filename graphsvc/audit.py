"""The audit log: who ran what, when, and how much it returned.

An append-only SQLite file (`audit.db`) kept apart from the graph, so that it works
the same whichever store serves the graph: beside the embedded store in its data
directory, or in `GRAPHSVC_AUDIT_DIR` (which a Neo4j deployment should set to a
directory that is backed up). Triggers refuse every update and delete.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Final

from graphsvc.config import sqlite_sync

log = logging.getLogger(__name__)

AUDIT_FILE: Final = "audit.db"
AUDIT_DIR_ENV: Final = "GRAPHSVC_AUDIT_DIR"

_SCHEMA: Final = (
    "CREATE TABLE IF NOT EXISTS audit (id INTEGER PRIMARY KEY AUTOINCREMENT,"
    " at TEXT NOT NULL, key_id TEXT NOT NULL, operation TEXT NOT NULL,"
    " variables TEXT NOT NULL, result_size INTEGER NOT NULL,"
    " outcome TEXT NOT NULL)",
    "CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit"
    " BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END",
    "CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit"
    " BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END",
)


@dataclass(frozen=True)
class AuditEntry:
    """One operation: its key, name, variables (JSON text) and result size."""

    id: int
    at: datetime
    key_id: str
    operation: str
    variables: str
    result_size: int
    """Bytes of the result's data as JSON (or of the response body, for REST)."""
    outcome: str
    """`ok`, or `error` when the operation answered with errors."""


def audit_path(data_dir: Path, environ: Mapping[str, str] | None = None) -> Path:
    """`$GRAPHSVC_AUDIT_DIR/audit.db`, else `audit.db` in the data directory."""
    env = os.environ if environ is None else environ
    configured = env.get(AUDIT_DIR_ENV)
    return Path(configured or data_dir) / AUDIT_FILE


class AuditLog:
    """Appends entries and pages through them, newest first. Thread-safe."""

    def __init__(self, path: Path) -> None:
        # One commit per entry, on the request's path: with FULL each would wait
        # for an fsync, as long as a tenth of a whole provenance request.
        sync = sqlite_sync()
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._lock = threading.Lock()
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute(f"PRAGMA synchronous = {sync}")
        for statement in _SCHEMA:
            self._db.execute(statement)

    def record(
        self,
        key_id: str,
        operation: str,
        variables: Mapping[str, object] | None,
        result_size: int,
        outcome: str = "ok",
    ) -> None:
        """Append one entry, stamped now."""
        text = json.dumps(variables or {}, sort_keys=True, default=str)
        at = datetime.now(UTC).isoformat(timespec="milliseconds")
        with self._lock:
            self._db.execute(
                "INSERT INTO audit (at, key_id, operation, variables, result_size,"
                " outcome) VALUES (?, ?, ?, ?, ?, ?)",
                (at, key_id, operation, text, result_size, outcome),
            )

    def entries(self, first: int, before: int | None = None) -> list[AuditEntry]:
        """Up to `first` entries, newest first, older than entry `before` if given."""
        with self._lock:
            rows = self._db.execute(
                "SELECT id, at, key_id, operation, variables, result_size, outcome"
                " FROM audit WHERE id < ? ORDER BY id DESC LIMIT ?",
                (before if before is not None else 2**62, first),
            ).fetchall()
        return [
            AuditEntry(r[0], datetime.fromisoformat(r[1]), r[2], r[3], r[4], r[5], r[6])
            for r in rows
        ]

    def close(self) -> None:
        with self._lock:
            self._db.close()
