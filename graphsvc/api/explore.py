"""`/explore`: the explorer page and its built assets.

The page talks only to `/graphql` and `/export`, with the key it asks for. When the
assets were never built, the page says so and how to build them, rather than failing.
"""

from __future__ import annotations

import logging
from html import escape
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response

from graphsvc.explorer import STATIC_DIR

log = logging.getLogger(__name__)

_MISSING = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>graphsvc explorer</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40em; margin: 3em auto">
<h1>The explorer is not built</h1>
<p>This installation of graphsvc has no explorer assets in <code>{where}</code>.
Build them from a checkout with <code>make explorer</code> (it needs Node.js and npm),
or install graphsvc from a wheel, which ships them.</p>
<p>GraphQL still answers at <a href="../graphql">/graphql</a>.</p>
</body></html>
"""


def explore_router(static_dir: Path = STATIC_DIR) -> APIRouter:
    """Routes that serve the explorer from `static_dir`."""
    router = APIRouter(include_in_schema=False)

    @router.get("/explore")
    def to_page(request: Request) -> RedirectResponse:
        # The page's assets and API calls are relative to `/explore/`.
        query = request.url.query
        return RedirectResponse("/explore/" + (f"?{query}" if query else ""))

    @router.get("/explore/")
    def page() -> Response:
        index = static_dir / "index.html"
        if not index.is_file():
            log.warning("explore.unbuilt static_dir=%s", static_dir)
            body = _MISSING.format(where=escape(str(static_dir)))
            return HTMLResponse(body, status_code=503)
        return FileResponse(index, headers={"Cache-Control": "no-cache"})

    @router.get("/explore/{name}")
    def asset(name: str) -> Response:
        path = _bundle_file(static_dir, name)
        if path is None:
            return Response("not found", status_code=404, media_type="text/plain")
        return FileResponse(path, headers={"Cache-Control": "no-cache"})

    return router


def _bundle_file(static_dir: Path, name: str) -> Path | None:
    """The bundle's file called `name`, or None for any other name."""
    # Only the bundle's own files: no hidden files, nothing outside the folder.
    if name.startswith(".") or "/" in name or "\\" in name:
        return None
    path = static_dir / name
    try:
        return path if path.is_file() else None
    except OSError:  # a name longer than the file system takes, for one
        return None
