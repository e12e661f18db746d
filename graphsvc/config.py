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


def make_data_dir(path: Path) -> None:
    """Create the data directory unless it exists; ConfigError naming it and why not."""
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise ConfigError(data_dir_problem(path, err)) from err


def data_dir_problem(path: Path, err: OSError) -> str:
    """Why the data directory `path` cannot be used, as one line."""
    reason = err.strerror or str(err)
    if err.filename is not None and Path(err.filename) != path:
        reason = f"{err.filename}: {reason}"
    return f"cannot use the data directory {path}: {reason}"


def sqlite_sync() -> str:
    """`PRAGMA synchronous` for graphsvc's SQLite files, from `GRAPHSVC_SQLITE_SYNC`.

    In WAL mode NORMAL keeps every commit through a killed process; only a power cut
    can take back the last ones, and it costs no fsync per commit, which FULL would.
    """
    mode = os.environ.get("GRAPHSVC_SQLITE_SYNC", "normal").lower()
    if mode not in ("normal", "full"):
        raise ConfigError(f"GRAPHSVC_SQLITE_SYNC must be normal or full, not {mode!r}")
    return mode.upper()
