"""Which role each HTTP route needs, checked once for the whole application.

`ROUTES` is the one table: a new router adds one line for each of its routes. A
request whose route is not in the table is answered 404 whoever asks, so a route
cannot go out unprotected by being forgotten here.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Final

from starlette.datastructures import Headers
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from graphsvc.api.responses import error_response
from graphsvc.errors import AccessDenied, Forbidden, Unauthenticated
from graphsvc.security.keys import KeyRing
from graphsvc.security.roles import OPEN_ACCESS, Principal, Role

log = logging.getLogger(__name__)

PUBLIC: Final = None
"""The role of a route anyone may call, with or without a key."""


@dataclass(frozen=True)
class Route:
    """Requests with `method` (or any, for `*`) under `prefix` need `role`."""

    method: str
    prefix: str
    role: Role | None

    def matches(self, method: str, path: str) -> bool:
        if self.method not in ("*", method):
            return False
        return path == self.prefix or path.startswith(self.prefix.rstrip("/") + "/")


ROUTES: Final[tuple[Route, ...]] = (
    Route("GET", "/health", PUBLIC),
    Route("GET", "/graphql", Role.READER),
    Route("POST", "/graphql", Role.READER),
    Route("GET", "/metrics", Role.ADMIN),
    Route("GET", "/openapi.json", Role.READER),
    Route("GET", "/docs", Role.READER),
    # The explorer's page, script and stylesheet hold no data, and a browser cannot
    # add a key to a page navigation: the shell is public, and the page sends the
    # key it asks for on each /graphql and /export request, which stay keyed.
    Route("GET", "/explore", PUBLIC),
    Route("GET", "/export", Role.READER),
    Route("GET", "/events", Role.READER),
    Route("POST", "/capture", Role.LOADER),
    Route("GET", "/capture", Role.LOADER),
    Route("POST", "/feeds", Role.LOADER),
    Route("GET", "/feeds", Role.LOADER),
)
"""Longest matching prefix wins. Admins may call every route listed."""


def route_for(method: str, path: str) -> Route | None:
    """The table's rule for a request, None when no rule lists it."""
    found = [r for r in ROUTES if r.matches(method, path)]
    return max(found, key=lambda r: len(r.prefix)) if found else None


def presented_key(headers: Headers) -> str | None:
    """The key from `Authorization: Bearer <key>` or `X-API-Key: <key>`."""
    scheme, _, credentials = headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and credentials.strip():
        return credentials.strip()
    key = headers.get("x-api-key", "").strip()
    return key or None


def principal_of(scope: Scope) -> Principal:
    """The principal `AccessControl` found for this request."""
    principal = scope.get("state", {}).get("principal")
    return principal if isinstance(principal, Principal) else OPEN_ACCESS


def refusal(error: AccessDenied) -> JSONResponse:
    """The response for a refused request: a fixed code and sentence, nothing else."""
    code = "unauthenticated" if isinstance(error, Unauthenticated) else "forbidden"
    headers = {"WWW-Authenticate": "Bearer"} if error.status == 401 else None
    return error_response(error.status, code, str(error), headers=headers)


class AccessControl:
    """ASGI middleware: authenticate the key, then check the route's role.

    With no keys configured every caller acts as an admin; the server then listens
    on loopback only unless told otherwise (see `graphsvc.service.serve`).
    """

    def __init__(self, app: ASGIApp, keys: KeyRing) -> None:
        self.app = app
        self.keys = keys

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            # GraphQL over WebSocket would run queries past the role check, and no
            # route needs it: refuse the handshake (policy violation).
            log.info("access.refused path=%s transport=websocket", scope["path"])
            await send({"type": "websocket.close", "code": 1008})
            return
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        method, path = scope["method"], scope["path"]
        route = route_for("GET" if method == "HEAD" else method, path)
        if route is None:
            log.warning("access.unlisted method=%s path=%s", method, path)
            await JSONResponse({"detail": "Not Found"}, 404)(scope, receive, send)
            return

        try:
            principal = self._principal(Headers(scope=scope), route)
        except AccessDenied as err:
            log.info(
                "access.refused method=%s path=%s status=%d", method, path, err.status
            )
            await refusal(err)(scope, receive, send)
            return
        scope.setdefault("state", {})["principal"] = principal
        await self.app(scope, receive, send)

    def _principal(self, headers: Headers, route: Route) -> Principal:
        if not self.keys.configured:
            return OPEN_ACCESS
        key = presented_key(headers)
        principal = self.keys.authenticate(key) if key is not None else None
        if route.role is PUBLIC:
            return principal or Principal("-", Role.READER, frozenset())
        if principal is None:
            raise Unauthenticated
        if not principal.may(route.role):
            raise Forbidden
        return principal
