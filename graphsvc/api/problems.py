"""graphsvc's errors as RFC 7807 problem responses, the way EPCIS 2.0 words them.

The EPCIS routes raise; this is the one place that turns an error into a status and
an `epcisException:...` type. Unexpected errors are logged with their traceback and
answered as an ImplementationException that says nothing of them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from typing import Any, Final

from fastapi import Request, Response
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute

from graphsvc.api.responses import RETRY_AFTER
from graphsvc.errors import (
    GraphsvcError,
    InvalidArgument,
    InvalidInput,
    NotFound,
    Overloaded,
    StoreUnavailable,
    TooLarge,
)

log = logging.getLogger(__name__)

PROBLEM_JSON: Final = "application/problem+json"

# Most specific first: TooLarge is an InvalidInput.
_KINDS: Final[tuple[tuple[type[GraphsvcError], int, str], ...]] = (
    (TooLarge, 413, "CaptureLimitExceededException"),
    (InvalidArgument, 400, "QueryParameterException"),
    (InvalidInput, 400, "ValidationException"),
    (NotFound, 404, "NoSuchNameException"),
    (Overloaded, 503, "ImplementationException"),
    (StoreUnavailable, 503, "ImplementationException"),
)


def problem(status: int, kind: str, detail: str, **extra: object) -> JSONResponse:
    """A problem response of `status` with the EPCIS exception `kind`."""
    body = {
        "type": f"epcisException:{kind}",
        "title": kind,
        "status": status,
        "detail": detail,
        **extra,
    }
    headers = RETRY_AFTER if status == 503 else None
    return JSONResponse(body, status, headers=headers, media_type=PROBLEM_JSON)


def problem_for(err: GraphsvcError) -> JSONResponse:
    """The problem response for one of graphsvc's errors."""
    for cls, status, kind in _KINDS:
        if isinstance(err, cls):
            extra: dict[str, object] = {}
            if isinstance(err, InvalidArgument):
                extra["parameter"] = err.argument
            elif isinstance(err, InvalidInput) and err.field is not None:
                extra["field"] = err.field
            return problem(status, kind, str(err), **extra)
    log.error("epcis.error error=%s", err)
    return problem(500, "ImplementationException", str(err))


class ProblemRoute(APIRoute):
    """A route whose errors are answered as problems (see `problem_for`)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def route(request: Request) -> Response:
            try:
                return await handler(request)
            except GraphsvcError as err:
                return problem_for(err)
            except Exception:
                log.exception("epcis.crashed path=%s", request.url.path)
                return problem(
                    500, "ImplementationException", "an internal error occurred"
                )

        return route
