"""The explorer: a web page for looking at the graph, served at `/explore`.

Its source is under `web/` (JavaScript, bundled with esbuild from npm packages);
the bundle is built into `static/`, which the wheel ships and `graphsvc.api.explore`
serves.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

STATIC_DIR: Final = Path(__file__).resolve().parent / "static"
"""Where the built page, script and stylesheet are."""
