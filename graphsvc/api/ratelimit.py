"""Per-key request rate limits, answered with 429 and `Retry-After`."""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from graphsvc.api.access import PUBLIC, principal_of, route_for
from graphsvc.api.quota import Quota
from graphsvc.api.responses import error_response
from graphsvc.security.roles import OPEN_ACCESS


class RateLimit:
    """ASGI middleware, inside `AccessControl`: at most `rate` requests per key.

    Without keys every caller is the same open principal, so callers are told
    apart by their address instead. Public routes (health checks) are not counted.
    """

    def __init__(self, app: ASGIApp, rate: str) -> None:
        self.app = app
        self.quota = Quota(rate)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        route = route_for(scope.get("method", ""), scope.get("path", ""))
        if scope["type"] != "http" or route is None or route.role is PUBLIC:
            await self.app(scope, receive, send)
            return
        principal = principal_of(scope)
        client = scope.get("client") or ("unknown", 0)
        who = f"addr:{client[0]}" if principal is OPEN_ACCESS else principal.key_id
        wait = await self.quota.hit(who)
        if wait is None:
            await self.app(scope, receive, send)
            return

        response = error_response(
            429,
            "rate_limited",
            f"rate limit of {self.quota.rate} reached; retry in {wait} s",
            headers={"Retry-After": str(wait)},
        )
        await response(scope, receive, send)
