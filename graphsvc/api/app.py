"""The HTTP service: GraphQL at /graphql (with GraphiQL), EPCIS capture and query
at /capture and /events, readiness at /health."""

from __future__ import annotations

import logging
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from strawberry.fastapi import GraphQLRouter

from graphsvc import __version__
from graphsvc.api.context import Context, Limits
from graphsvc.api.epcis import epcis_router
from graphsvc.api.explore import explore_router
from graphsvc.api.export import export_router
from graphsvc.api.feeds import feeds_router, upload_limit_from_env
from graphsvc.api.schema import build_schema
from graphsvc.investigation import Investigation

log = logging.getLogger(__name__)


def create_app(
    investigation: Investigation,
    limits: Limits | None = None,
    data_dir: Path | None = None,
) -> FastAPI:
    """The FastAPI application serving one store; it closes the store on shutdown.

    Uploads (`POST /feeds`) are staged, and their rejects kept, under `data_dir`; a
    temporary directory when None.
    """
    limits = limits or Limits()
    data_dir = data_dir or Path(tempfile.mkdtemp(prefix="graphsvc-"))

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        log.info("service.started version=%s", __version__)
        yield
        investigation.store.close()
        log.info("service.stopped")

    app = FastAPI(
        title="graphsvc",
        version=__version__,
        description="Graph-based supply chain investigation service.",
        lifespan=lifespan,
    )

    async def context() -> Context:
        return Context(investigation, limits)

    app.include_router(
        GraphQLRouter(build_schema(limits), context_getter=context),
        prefix="/graphql",
    )
    app.include_router(epcis_router(investigation))

    app.include_router(feeds_router(investigation, data_dir, upload_limit_from_env()))

    app.include_router(export_router(investigation, limits))
    app.include_router(explore_router())

    @app.get("/health", summary="Readiness: the store is open and answering.")
    def health() -> JSONResponse:
        pending = investigation.store.pending()
        return JSONResponse(
            {"status": "ok", "version": __version__, "pending": pending.count}
        )

    return app
