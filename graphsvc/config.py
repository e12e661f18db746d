"""Settings read from the environment, with their defaults."""

from __future__ import annotations

import os
from pathlib import Path


def default_data_dir() -> Path:
    """`$GRAPHSVC_DATA_DIR`, else `graphsvc` under the user's data directory."""
    configured = os.environ.get("GRAPHSVC_DATA_DIR")
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "graphsvc"
