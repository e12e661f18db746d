"""Per-key request rate limits, answered with 429 and `Retry-After`."""

from __future__ import annotations

import math
import time

from limits import parse
from limits.aio.storage import MemoryStorage
from limits.aio.strategies import FixedWindowRateLimiter
from starlette.types import ASGIApp, Receive, Scope, Send

from graphsvc.api.access import PUBLIC, principal_of, route_for
from graphsvc.api.responses import error_response
from graphsvc.security.roles import OPEN_ACCESS


class RateLimit:
    """ASGI middleware, inside `AccessControl`: at most `rate` requests per key.

    A key's window opens with its first request and lasts the rate's period.
    Without keys every caller is the same open principal, so callers are told
    apart by their address instead. Public routes (health checks) are not counted.
    A fixed window, not a moving one: the moving window of `limits` hands each
    key's expiry to a thread, which cost about a millisecond a request.
    """

    def __init__(self, app: ASGIApp, rate: str) -> None:
        self.app = app
        self.rate = rate
        self.item = parse(rate)
        self.limiter = FixedWindowRateLimiter(MemoryStorage())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        route = route_for(scope.get("method", ""), scope.get("path", ""))
        if scope["type"] != "http" or route is None or route.role is PUBLIC:
            await self.app(scope, receive, send)
            return
        principal = principal_of(scope)
        client = scope.get("client") or ("unknown", 0)
        who = f"addr:{client[0]}" if principal is OPEN_ACCESS else principal.key_id
        if await self.limiter.hit(self.item, who):
            await self.app(scope, receive, send)
            return

        reset = (await self.limiter.get_window_stats(self.item, who)).reset_time
        wait = max(1, math.ceil(reset - time.time()))
        response = error_response(
            429,
            "rate_limited",
            f"rate limit of {self.rate} reached; retry in {wait} s",
            headers={"Retry-After": str(wait)},
        )
        await response(scope, receive, send)
