"""The HTTP service: GraphQL at /graphql (with GraphiQL), EPCIS capture and query at
/capture and /events, feed uploads at /feeds, the explorer at /explore, exports at
/export, readiness at /health.

Every request passes, outermost first: request id, metrics, CORS (when origins are
configured), access control, rate limit, body size limit and the REST audit.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import Response

from graphsvc import __version__
from graphsvc.api.access import AccessControl, principal_of, refusal
from graphsvc.api.bodylimit import BodyLimit
from graphsvc.api.context import Context, Limits
from graphsvc.api.epcis import epcis_router
from graphsvc.api.explore import explore_router
from graphsvc.api.export import export_router
from graphsvc.api.feeds import feeds_router, upload_limit_from_env
from graphsvc.api.graphql_route import GraphQLRoute
from graphsvc.api.guards import HttpGuards
from graphsvc.api.metrics import MeasureRequests, Metrics
from graphsvc.api.observe import AuditRequests
from graphsvc.api.ratelimit import RateLimit
from graphsvc.api.requestid import RequestId
from graphsvc.api.responses import RETRY_AFTER, invalid_parameter, store_unavailable
from graphsvc.api.schema import build_schema
from graphsvc.audit import AuditLog
from graphsvc.errors import Forbidden, StoreUnavailable
from graphsvc.investigation import Investigation
from graphsvc.security.keys import KeyRing

log = logging.getLogger(__name__)


def create_app(
    investigation: Investigation,
    limits: Limits | None = None,
    *,
    data_dir: Path,
    keys: KeyRing | None = None,
    guards: HttpGuards | None = None,
    audit: AuditLog | None = None,
) -> FastAPI:
    """The FastAPI application serving one store; it closes the store on shutdown.

    Uploads (`POST /feeds`) are staged, and their rejects kept, under `data_dir`.
    Without `keys` (or with a key ring that has no
    keys) every caller may do everything; `graphsvc.service.serve` then listens on
    loopback only.
    """
    limits = limits or Limits()
    keys = keys or KeyRing()
    guards = guards or HttpGuards()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        log.info("service.started version=%s", __version__)
        yield
        investigation.store.close()
        if audit is not None:
            audit.close()
        log.info("service.stopped")

    app = FastAPI(
        title="graphsvc",
        version=__version__,
        description="Graph-based supply chain investigation service.",
        lifespan=lifespan,
    )
    metrics = Metrics(investigation.store)
    app.state.metrics = metrics
    app.state.guards = guards

    async def context(request: Request) -> Context:
        principal = principal_of(request.scope)
        return Context(investigation, limits, principal, audit)

    app.include_router(
        GraphQLRoute(
            build_schema(limits, audit, metrics),
            context_getter=context,
            limits=limits,
        ),
        prefix="/graphql",
    )
    app.include_router(epcis_router(investigation))

    app.include_router(feeds_router(investigation, data_dir, upload_limit_from_env()))

    app.include_router(export_router(investigation, limits))
    app.include_router(explore_router())

    app.add_exception_handler(RequestValidationError, invalid_parameter)
    app.add_exception_handler(StoreUnavailable, store_unavailable)

    @app.get("/health", summary="Readiness: the store is open and answering.")
    def health() -> JSONResponse:
        try:
            pending = investigation.store.pending()
        except StoreUnavailable as err:
            # The route is public: the reason, which names the database, is logged.
            log.warning("health.unavailable error=%s", err)
            body = {"status": "unavailable", "version": __version__}
            return JSONResponse(body, 503, headers=RETRY_AFTER)
        return JSONResponse(
            {"status": "ok", "version": __version__, "pending": pending.count}
        )

    @app.get("/metrics", summary="Prometheus metrics; admins only.")
    def prometheus(request: Request) -> Response:
        # Loads by source and findings of every brand: not for a brand-scoped key.
        if principal_of(request.scope).brands is not None:
            return refusal(Forbidden())
        return metrics.response()

    # Starlette runs the middleware added last first.
    if audit is not None:
        app.add_middleware(AuditRequests, audit=audit)
    app.add_middleware(BodyLimit, limits=guards.body_limits())
    if guards.rate is not None:
        app.add_middleware(RateLimit, rate=guards.rate)
    app.add_middleware(AccessControl, keys=keys, failed_keys=guards.failed_keys)
    if guards.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(guards.cors_origins),
            allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "X-API-Key", "Content-Type"],
        )
    app.add_middleware(MeasureRequests, metrics=metrics)
    app.add_middleware(RequestId)
    return app
