"""Request quotas per caller, counted in memory with `limits`."""

from __future__ import annotations

import math
import time

from limits import parse
from limits.aio.storage import MemoryStorage
from limits.aio.strategies import FixedWindowRateLimiter


class Quota:
    """At most `rate` (such as `600/minute`) hits per caller.

    A caller's window opens with its first hit and lasts the rate's period. A fixed
    window, not a moving one: the moving window of `limits` hands each caller's
    expiry to a thread, which cost about a millisecond a request.
    """

    def __init__(self, rate: str) -> None:
        self.rate = rate
        self.item = parse(rate)
        self.limiter = FixedWindowRateLimiter(MemoryStorage())

    async def hit(self, caller: str) -> int | None:
        """Count one hit: None within the quota, else the seconds to wait."""
        if await self.limiter.hit(self.item, caller):
            return None
        return await self._wait(caller)

    async def wait(self, caller: str) -> int | None:
        """The seconds `caller` must wait before its next hit counts, or None."""
        if await self.limiter.test(self.item, caller):
            return None
        return await self._wait(caller)

    async def _wait(self, caller: str) -> int:
        reset = (await self.limiter.get_window_stats(self.item, caller)).reset_time
        return max(1, math.ceil(reset - time.time()))
