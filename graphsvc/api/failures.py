"""A bound on wrong keys per client address, against guessing and hash floods."""

from __future__ import annotations

import math
import time

from limits import parse
from limits.aio.storage import MemoryStorage
from limits.aio.strategies import FixedWindowRateLimiter


class FailedKeys:
    """Counts refused keys per address; past `rate`, the address must wait.

    Checking a key costs a scrypt hash (about 10 ms), so an address sending many
    different wrong keys would also hold up everyone else. Once over the bound, an
    address's keyed requests are answered 429 before any key is checked, right or
    wrong, until the window that opened with its first wrong key has closed.
    Requests without a key are not counted: refusing them costs nothing.
    """

    def __init__(self, rate: str) -> None:
        self.rate = rate
        self.item = parse(rate)
        self.limiter = FixedWindowRateLimiter(MemoryStorage())

    async def wait(self, address: str) -> int | None:
        """Seconds `address` must wait before its next key is checked, or None."""
        if await self.limiter.test(self.item, address):
            return None
        reset = (await self.limiter.get_window_stats(self.item, address)).reset_time
        return max(1, math.ceil(reset - time.time()))

    async def refused(self, address: str) -> None:
        """Count one refused key from `address`."""
        await self.limiter.hit(self.item, address)
