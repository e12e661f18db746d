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

from graphsvc.api.quota import Quota
from graphsvc.api.responses import error_response
from graphsvc.errors import AccessDenied, Forbidden, Unauthenticated
from graphsvc.security.keys import KeyRing
from graphsvc.security.roles import OPEN_ACCESS, Principal, Role

log = logging.getLogger(__name__)

PUBLIC: Final = None
"""The role of a route anyone may call, with or without a key."""

ANONYMOUS: Final = Principal("-", Role.READER, frozenset())
"""Who calls a public route without a key that is accepted."""


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


def throttled(rate: str, wait: int) -> JSONResponse:
    """The response for an address past its bound on wrong keys."""
    return error_response(
        429,
        "too_many_failed_keys",
        f"limit of {rate} wrong keys per address reached; retry in {wait} s",
        headers={"Retry-After": str(wait)},
    )


class AccessControl:
    """ASGI middleware: authenticate the key, then check the route's role.

    With no keys configured every caller acts as an admin; the server then listens
    on loopback only unless told otherwise (see `graphsvc.service.serve`).

    Checking a key costs a scrypt hash (about 10 ms), so an address sending many
    different wrong keys could guess at leisure and hold up everyone else. With
    `failed_keys` (a rate such as `30/minute`), an address that sent that many is
    answered 429 for the rest of its window before any key is checked, right or
    wrong. Requests without a key are not counted: refusing them costs nothing.
    """

    def __init__(
        self, app: ASGIApp, keys: KeyRing, failed_keys: str | None = None
    ) -> None:
        self.app = app
        self.keys = keys
        self.failures = Quota(failed_keys) if failed_keys else None

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

        answer = await self._admit(scope, route)
        if not isinstance(answer, Principal):
            await answer(scope, receive, send)
            return
        scope.setdefault("state", {})["principal"] = answer
        await self.app(scope, receive, send)

    async def _admit(self, scope: Scope, route: Route) -> Principal | JSONResponse:
        """The caller's principal, or the response that refuses the request."""
        method, path = scope["method"], scope["path"]
        key = presented_key(Headers(scope=scope)) if self.keys.configured else None
        address = (scope.get("client") or ("unknown", 0))[0]
        if key is not None and self.failures is not None:
            wait = await self.failures.wait(address)
            if wait is not None and route.role is PUBLIC:
                return ANONYMOUS  # health checks stay answerable; no key is checked
            if wait is not None:
                log.info("access.throttled method=%s path=%s", method, path)
                return throttled(self.failures.rate, wait)

        principal = self.keys.authenticate(key) if key is not None else None
        if key is not None and principal is None and self.failures is not None:
            await self.failures.hit(address)
        try:
            return self._checked(principal, route)
        except AccessDenied as err:
            log.info(
                "access.refused method=%s path=%s status=%d", method, path, err.status
            )
            return refusal(err)

    def _checked(self, principal: Principal | None, route: Route) -> Principal:
        if not self.keys.configured:
            return OPEN_ACCESS
        if route.role is PUBLIC:
            return principal or ANONYMOUS
        if principal is None:
            raise Unauthenticated
        if not principal.may(route.role):
            raise Forbidden
        return principal
