"""Feed upload over HTTP: `POST /feeds` loads one file as `graphsvc load` would.

The body is the file itself (with `?name=`) or a multipart form with one file part.
It is streamed to disk under the data directory, never held in memory whole, and
refused with 413 as soon as it passes the size bound. The load runs in a worker
thread, one upload at a time, so the event loop keeps answering queries meanwhile.
The answer is the upload's load record; when records were rejected, also the URL of
`GET /feeds/{load id}/rejects`, which serves them as they were sent.
"""

from __future__ import annotations

import gzip
import json
import logging
import os
import shutil
import tempfile
import threading
import zlib
from pathlib import Path
from typing import Final

from fastapi import APIRouter, Query, Request
from fastapi.responses import FileResponse, JSONResponse
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.types import Message, Receive

from graphsvc.api.bodylimit import PayloadTooLarge, too_large
from graphsvc.api.guards import HttpGuards
from graphsvc.api.responses import error_response
from graphsvc.errors import ConfigError, InvalidInput
from graphsvc.investigation import Investigation
from graphsvc.store.loads import LoadRecord
from loaders.feed import feed_format, open_bytes
from loaders.history import file_digest, load_file

log = logging.getLogger(__name__)

MAX_UPLOAD_BYTES: Final = HttpGuards.max_upload_bytes
"""The default bound on an upload's size; `GRAPHSVC_MAX_UPLOAD_BYTES` changes it."""
COPY_CHUNK: Final = 1 << 20
UNPACK_RATIO: Final = 16
"""A gzip upload may unpack to this many times the upload bound, no more.

Feeds compress about tenfold; a file of zeros or blank lines a thousandfold, and
would keep the loader busy for hours on a body that passed the bound."""
MAX_NAME_BYTES: Final = 255
"""The longest file name (in UTF-8) that common file systems hold."""
MAX_SOURCE_CHARS: Final = 100
"""The longest source name an upload may give, as drop folders' names are short."""


class _TooLarge(Exception):
    """The request body passed the bound."""


def upload_limit_from_env() -> int:
    """`GRAPHSVC_MAX_UPLOAD_BYTES`, else `MAX_UPLOAD_BYTES`."""
    value = os.environ.get("GRAPHSVC_MAX_UPLOAD_BYTES")
    if value is None:
        return MAX_UPLOAD_BYTES
    if not value.isdigit() or int(value) < 1:
        raise ConfigError(
            f"GRAPHSVC_MAX_UPLOAD_BYTES must be a positive whole number, not {value!r}"
        )
    return int(value)


def feeds_router(
    investigation: Investigation, data_dir: Path, max_bytes: int
) -> APIRouter:
    """The `/feeds` routes, loading into the investigation's store."""
    router = APIRouter(prefix="/feeds", tags=["feeds"])
    one_at_a_time = threading.Lock()
    staging_root = data_dir / "uploads"
    # One process owns the data directory, so what is staged there now is what a
    # stopped process left mid-upload: nothing will load it.
    shutil.rmtree(staging_root, ignore_errors=True)

    def load(path: Path, name: str, source: str) -> LoadRecord:
        with one_at_a_time:
            record = load_file(
                investigation.store,
                path,
                source=source,
                file_name=name,
                digest=file_digest(path),
                loads_dir=data_dir / "loads",
            )
            investigation.refresh()
        return record

    @router.post(
        "",
        summary="Load one feed file (JSON Lines or CSV, gzip allowed).",
        responses={
            201: {
                "description": "Loaded: the load record; when records were rejected,"
                " rejects_url and the first rejections with their reasons."
            },
            400: {"description": "A bad file name, or a form that cannot be read."},
            413: {"description": "The upload is larger than the bound."},
            422: {"description": "The file could not be read: its failed load record."},
        },
    )
    async def upload(
        request: Request,
        name: str | None = Query(None, description="The file's name, for a raw body."),
        source: str = Query(
            "upload", description="Who sent it, for the history (1 to 100 characters)."
        ),
    ) -> JSONResponse:
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > max_bytes:
            return _too_large(max_bytes)
        staging_root.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(dir=staging_root))
        try:
            source = _checked_source(source)
            bounded = Request(request.scope, _bounded(request.receive, max_bytes))
            content_type = request.headers.get("content-type", "")
            if content_type.startswith("multipart/form-data"):
                path = await _save_part(bounded, staging, name)
            else:
                path = await _save_body(bounded, staging, name)
            unpacked = max_bytes * UNPACK_RATIO
            if not await run_in_threadpool(_unpacks_within, path, unpacked):
                message = f"the file unpacks to more than {unpacked} bytes"
                return error_response(413, "payload_too_large", message)
            record = await run_in_threadpool(load, path, path.name, source)
        except _TooLarge:
            return _too_large(max_bytes)
        except InvalidInput as err:
            return error_response(400, "invalid_input", err.message, field=err.field)
        finally:
            shutil.rmtree(staging, ignore_errors=True)

        # The rejects file's place on the server's disk is not the caller's business;
        # `rejects_url` serves it.
        answer = {k: v for k, v in record.to_json().items() if k != "rejects_file"}
        body: dict[str, object] = {"load": answer}
        if record.rejected:
            url = request.url_for("feed_rejects", load_id=record.id)
            body["rejects_url"] = str(url)
            body["rejections"] = _first_rejections(data_dir / "loads" / record.id)
        return JSONResponse(body, status_code=201 if record.succeeded else 422)

    @router.get(
        "/{load_id}/rejects",
        name="feed_rejects",
        summary="The records a load rejected, as they were sent.",
        response_model=None,
    )
    def rejects(load_id: str) -> FileResponse | JSONResponse:
        record = investigation.store.load_record(load_id)
        if record is None:
            return error_response(404, "not_found", f"no load {load_id}")
        if record.rejects_file is None or not Path(record.rejects_file).is_file():
            return error_response(
                404, "not_found", f"load {load_id} has no rejects file here"
            )
        path = Path(record.rejects_file)
        media = "text/csv" if path.suffix == ".csv" else "application/jsonl"
        return FileResponse(path, media_type=media, filename=path.name)

    return router


def _bounded(receive: Receive, max_bytes: int) -> Receive:
    """`receive` that raises _TooLarge once the body passes `max_bytes`."""
    seen = 0

    async def bounded() -> Message:
        nonlocal seen
        message = await receive()
        seen += len(message.get("body", b""))
        if seen > max_bytes:
            raise _TooLarge
        return message

    return bounded


def _first_rejections(rejects_dir: Path) -> list[object]:
    """The first rejections of a load, each with its line, field and reason, from
    the report the loader wrote beside its rejects."""
    try:
        report = json.loads((rejects_dir / "report.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    found = report.get("rejections", [])
    return found if isinstance(found, list) else []


def _unpacks_within(path: Path, limit: int) -> bool:
    """Whether the file, unpacked if it is gzip, holds at most `limit` bytes.

    Only as much as the limit is unpacked. A file that is not gzip, or whose gzip
    is broken, passes: the upload bound already holds the one, and the load reports
    what is wrong with the other.
    """
    try:
        with open_bytes(path) as stream:
            if not isinstance(stream, gzip.GzipFile):
                return True
            seen = 0
            while chunk := stream.read(COPY_CHUNK):
                seen += len(chunk)
                if seen > limit:
                    return False
    except (OSError, EOFError, zlib.error):
        pass
    return True


def _checked_source(source: str) -> str:
    """The source an upload names, for the history: short, printable text."""
    text = source.strip()
    if not text:
        raise InvalidInput("the source is blank", field="source")
    if any(c < " " or c == "\x7f" for c in text):
        raise InvalidInput("the source holds a control character", field="source")
    if len(text) > MAX_SOURCE_CHARS:
        raise InvalidInput(
            f"the source is longer than {MAX_SOURCE_CHARS} characters", field="source"
        )
    return text


def _checked_name(name: str | None) -> str:
    """The base name of an uploaded file, if it names a feed file."""
    base = Path(name or "").name
    if not base:
        raise InvalidInput(
            "the file needs a name: ?name=... or a multipart file part", field="name"
        )
    # The upload is staged under its own name, which the disk must be able to hold.
    if any(c < " " or c == "\x7f" for c in base):
        raise InvalidInput("the file name holds a control character", field="name")
    if len(base.encode()) > MAX_NAME_BYTES:
        raise InvalidInput(
            f"the file name is longer than {MAX_NAME_BYTES} bytes", field="name"
        )
    if feed_format(Path(base)) is None:
        raise InvalidInput(
            f"{base!r} is not a feed file name (.jsonl or .csv, maybe .gz)",
            field="name",
        )
    return base


async def _save_body(request: Request, staging: Path, name: str | None) -> Path:
    path = staging / _checked_name(name)
    with path.open("wb") as sink:
        async for chunk in request.stream():
            sink.write(chunk)
    return path


async def _save_part(request: Request, staging: Path, name: str | None) -> Path:
    try:
        async with request.form(max_files=1, max_fields=10) as form:
            parts = [v for v in form.values() if isinstance(v, UploadFile)]
            if len(parts) != 1:
                raise InvalidInput("the form needs exactly one file part", field="file")
            part = parts[0]
            path = staging / _checked_name(name or part.filename)
            with path.open("wb") as sink:
                while chunk := await part.read(COPY_CHUNK):
                    sink.write(chunk)
    except HTTPException as err:
        # Starlette answers a form it cannot parse with an HTTP error of its own.
        raise InvalidInput(
            f"the form could not be read: {err.detail}", field="file"
        ) from err
    return path


def _too_large(max_bytes: int) -> JSONResponse:
    return too_large(PayloadTooLarge(max_bytes))
