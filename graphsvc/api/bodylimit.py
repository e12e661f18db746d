"""Request body size limits: one middleware for every route, one helper for uploads.

The middleware refuses a declared `Content-Length` over the route's limit before
reading anything, and counts what a chunked body actually sends. Upload routes that
stream their body can call `read_limited` for the same answer.
"""

from __future__ import annotations

from collections.abc import Mapping

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from graphsvc.api.responses import error_response
from graphsvc.errors import LimitExceeded


class PayloadTooLarge(LimitExceeded):
    """A request body is larger than its route accepts (HTTP 413)."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"the request body is larger than {limit} bytes")
        self.limit = limit


def too_large(error: PayloadTooLarge) -> JSONResponse:
    return error_response(413, "payload_too_large", str(error))


async def read_limited(request: Request, limit: int) -> bytes:
    """The whole body of `request`; raises PayloadTooLarge past `limit` bytes."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise PayloadTooLarge(limit)
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise PayloadTooLarge(limit)
    return bytes(body)


class BodyLimit:
    """ASGI middleware: bodies under each prefix of `limits` stay within its size.

    A chunked body is read into memory up to the limit before the route sees it, so
    the route never starts on a body it would have to abandon.
    """

    def __init__(self, app: ASGIApp, limits: Mapping[str, int]) -> None:
        self.app = app
        self.limits = dict(limits)

    def limit_for(self, path: str) -> int | None:
        for prefix, limit in self.limits.items():
            if path == prefix or path.startswith(prefix + "/"):
                return limit
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        limit = self.limit_for(scope["path"]) if scope["type"] == "http" else None
        if limit is None:
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length", b"")
        if declared.isdigit():
            if int(declared) > limit:
                await too_large(PayloadTooLarge(limit))(scope, receive, send)
                return
            await self.app(scope, receive, send)
            return

        messages: list[Message] = []
        size = 0
        while True:
            message = await receive()
            messages.append(message)
            size += len(message.get("body", b""))
            if size > limit:
                await too_large(PayloadTooLarge(limit))(scope, receive, send)
                return
            if message["type"] != "http.request" or not message.get("more_body"):
                break

        async def replay() -> Message:
            return messages.pop(0) if messages else await receive()

        await self.app(scope, replay, send)
