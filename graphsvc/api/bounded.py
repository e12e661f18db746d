"""Reading a request body without holding more of it than a bound allows."""

from __future__ import annotations

from fastapi import Request

from graphsvc.errors import TooLarge


async def read_bounded(request: Request, limit: int) -> bytes:
    """The whole body of `request`, or TooLarge as soon as it passes `limit` bytes.

    A declared Content-Length over the bound is refused before anything is read; a
    body sent in chunks is counted as it arrives, so neither way holds more than
    `limit` bytes.
    """
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise _too_large(int(declared), limit)

    parts: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _too_large(size, limit)
        parts.append(chunk)
    return b"".join(parts)


def _too_large(size: int, limit: int) -> TooLarge:
    return TooLarge(
        f"the document has more than {limit:,} bytes (at least {size:,}); split it "
        f"or raise GRAPHSVC_CAPTURE_MAX_BYTES",
        "body",
    )
