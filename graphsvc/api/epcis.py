"""The EPCIS 2.0 REST capture and query interface, as one router.

- `POST /capture` takes an EPCIS document (JSON, JSON-LD or XML) of at most
  `GRAPHSVC_CAPTURE_MAX_BYTES`, answers 202 with a capture job and its `Location`,
  and loads it in the background (`graphsvc.capture`).
- `GET /capture/{captureID}` answers the job: running, success, partial or failed,
  with counts and the rejected events.
- `GET /events` answers an EPCISQueryDocument of the events matching the supported
  query parameters (`graphsvc.api.epcis_query`), a page at a time.

Errors are RFC 7807 problems (`graphsvc.api.problems`). docs/epcis.md describes the
supported subset for clients.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any, Final
from urllib.parse import urlencode

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse

from graphsvc.api.access import principal_of, refusal
from graphsvc.api.bounded import read_bounded
from graphsvc.api.epcis_query import make_token, parse_event_params
from graphsvc.api.problems import ProblemRoute
from graphsvc.capture import CaptureSettings, CaptureWorker, Ingest, ingest_document
from graphsvc.errors import Forbidden, InvalidArgument, InvalidInput, NotFound
from graphsvc.investigation import Investigation
from graphsvc.store.base import StoredEvent
from graphsvc.store.jobs import BEHAVIOURS, Behaviour, CaptureJob
from loaders.epcis import HEAD_BYTES, detect_epcis
from loaders.epcis.document import CONTEXT

log = logging.getLogger(__name__)

BEHAVIOUR_HEADER: Final = "GS1-Capture-Error-Behaviour"
CONTENT_TYPES: Final = frozenset(
    (
        "application/json",
        "application/ld+json",
        "application/xml",
        "text/xml",
    )
)
JSON_LD: Final = "application/ld+json"


def epcis_router(
    investigation: Investigation,
    settings: CaptureSettings | None = None,
    ingest: Ingest = ingest_document,
) -> APIRouter:
    """The capture and query routes over the investigation's store.

    The router's lifespan starts the capture worker and, at shutdown, lets it finish
    the document it is loading before the application closes the store.
    """
    settings = settings or CaptureSettings.from_env()
    worker = CaptureWorker(investigation, queue_size=settings.queue_size, ingest=ingest)
    store = investigation.store

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await asyncio.to_thread(worker.start)
        yield
        await asyncio.to_thread(worker.stop)

    router = APIRouter(route_class=ProblemRoute, lifespan=lifespan, tags=["EPCIS"])

    @router.post(
        "/capture",
        status_code=202,
        summary="Capture an EPCIS document; answers a capture job to poll.",
    )
    async def capture(request: Request) -> JSONResponse:
        behaviour = _behaviour(request.headers.get(BEHAVIOUR_HEADER))
        _check_content_type(request.headers.get("content-type"))
        document = await read_bounded(request, settings.max_bytes)
        if detect_epcis(document[:HEAD_BYTES]) is None:
            raise InvalidInput(
                "the body is not an EPCIS document (JSON, JSON-LD or XML)", "body"
            )

        job = await asyncio.to_thread(worker.submit, document, behaviour)
        return JSONResponse(
            job_json(job), 202, headers={"Location": f"/capture/{job.id}"}
        )

    @router.get("/capture/{capture_id}", summary="The outcome of a capture job.")
    def capture_job(capture_id: str) -> JSONResponse:
        job = store.capture_job(capture_id)
        if job is None:
            raise NotFound(f"no capture job has the id {capture_id!r}")
        return JSONResponse(job_json(job))

    @router.get("/events", summary="EPCIS events matching the query parameters.")
    def events(request: Request) -> JSONResponse:
        # Events name objects, not brands: a key scoped to some brands could read
        # other brands' movements here, so it is refused the raw event log.
        if principal_of(request.scope).brands is not None:
            return refusal(Forbidden())
        params = parse_event_params(list(request.query_params.multi_items()))
        try:
            found = store.events(params.query, params.per_page + 1, params.after)
        except InvalidArgument as err:
            if err.argument != "after":
                raise
            raise InvalidArgument(
                "nextPageToken", "names no kept event; start the query again"
            ) from err

        page, more = found[: params.per_page], len(found) > params.per_page
        token = make_token(page[-1].id, params) if more else None
        headers = {}
        if token is not None:
            headers["Link"] = f'<{_next_url(request, token)}>; rel="next"'
        return JSONResponse(
            query_document(page, token), headers=headers, media_type=JSON_LD
        )

    return router


def _behaviour(value: str | None) -> Behaviour:
    if value is None:
        return "rollback"
    for behaviour in BEHAVIOURS:
        if value.strip().lower() == behaviour:
            return behaviour
    raise InvalidArgument(
        BEHAVIOUR_HEADER, f"{value!r} is not one of {', '.join(BEHAVIOURS)}"
    )


def _check_content_type(value: str | None) -> None:
    if value is None:
        return
    media = value.split(";", 1)[0].strip().lower()
    if media not in CONTENT_TYPES:
        raise InvalidInput(
            f"Content-Type {media!r} is not accepted; send one of "
            + ", ".join(sorted(CONTENT_TYPES)),
            "Content-Type",
        )


def _next_url(request: Request, token: str) -> str:
    kept = [
        (k, v) for k, v in request.query_params.multi_items() if k != "nextPageToken"
    ]
    return f"{request.url.path}?{urlencode([*kept, ('nextPageToken', token)])}"


def job_json(job: CaptureJob) -> dict[str, Any]:
    """A capture job as EPCIS 2.0 capture job JSON, with graphsvc's counts."""
    body: dict[str, Any] = {
        "captureID": job.id,
        "createdAt": _instant(job.created_at),
        "running": job.running,
        "success": job.success,
        "captureErrorBehaviour": job.behaviour,
        "status": job.status,
        "counts": dict(job.counts),
        "errors": [
            {
                "type": "epcisException:ValidationException",
                "title": "ValidationException",
                "status": 400,
                "detail": error.reason,
                "position": error.position,
                "field": error.field,
            }
            for error in job.errors
        ],
    }
    if job.finished_at is not None:
        body["finishedAt"] = _instant(job.finished_at)
    return body


def query_document(events: list[StoredEvent], token: str | None) -> dict[str, Any]:
    """An EPCISQueryDocument holding `events`, and the next page's token if any."""
    body: dict[str, Any] = {
        "@context": [CONTEXT],
        "type": "EPCISQueryDocument",
        "schemaVersion": "2.0",
        "creationDate": _instant(datetime.now(UTC)),
        "epcisBody": {
            "queryResults": {
                "queryName": "SimpleEventQuery",
                "resultsBody": {"eventList": [dict(e.document) for e in events]},
            }
        },
    }
    if token is not None:
        body["nextPageToken"] = token
    return body


def _instant(value: datetime) -> str:
    return (
        value.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    )
