"""Settings read from the environment, with their defaults."""

from __future__ import annotations

import os
from pathlib import Path

from graphsvc.errors import ConfigError


def default_data_dir() -> Path:
    """`$GRAPHSVC_DATA_DIR`, else `graphsvc` under the user's data directory."""
    configured = os.environ.get("GRAPHSVC_DATA_DIR")
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "graphsvc"


def sqlite_sync() -> str:
    """`PRAGMA synchronous` for graphsvc's SQLite files, from `GRAPHSVC_SQLITE_SYNC`.

    In WAL mode NORMAL keeps every commit through a killed process; only a power cut
    can take back the last ones, and it costs no fsync per commit, which FULL would.
    """
    mode = os.environ.get("GRAPHSVC_SQLITE_SYNC", "normal").lower()
    if mode not in ("normal", "full"):
        raise ConfigError(f"GRAPHSVC_SQLITE_SYNC must be normal or full, not {mode!r}")
    return mode.upper()
