"""The one shape of an error answer on the REST routes other than EPCIS.

    {"error": {"code": "invalid_argument", "message": "...", "field": "limit"}}

`code` is a fixed word a client can branch on, `message` a sentence safe to show,
`field` (when there is one) the argument or field at fault. The EPCIS routes answer
RFC 7807 problems instead, as that standard requires (see `problems`).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any, Final

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from starlette.responses import JSONResponse

from graphsvc.errors import GraphsvcError, StoreUnavailable

log = logging.getLogger(__name__)

RETRY_AFTER: Final = {"Retry-After": "5"}
"""Sent with every 503: when a client may try the same request again."""


def error_response(
    status: int,
    code: str,
    message: str,
    *,
    field: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    """An error answer with `status`, in the shape this module describes."""
    error: dict[str, str] = {"code": code, "message": message}
    if field is not None:
        error["field"] = field
    return JSONResponse({"error": error}, status_code=status, headers=headers)


def unavailable(err: GraphsvcError) -> JSONResponse:
    """A 503 for an error that kept the request from being served; `Retry-After`
    when the same request may succeed later (the store could not be reached)."""
    headers = RETRY_AFTER if err.retryable else None
    return error_response(503, "unavailable", str(err), headers=headers)


async def store_unavailable(request: Request, err: Exception) -> JSONResponse:
    """The store could not be reached for a REST route: 503, not a crash."""
    assert isinstance(err, StoreUnavailable)
    log.warning("store.unavailable path=%s error=%s", request.url.path, err)
    return unavailable(err)


async def invalid_parameter(_: Request, err: Exception) -> JSONResponse:
    """A query parameter FastAPI could not read (missing, or not a number where one
    is declared), answered 400 in the shape above rather than as FastAPI's 422."""
    assert isinstance(err, RequestValidationError)
    problem: dict[str, Any] = err.errors()[0]
    field = str(problem["loc"][-1])
    if problem["type"] == "missing":
        reason = "is required"
    elif problem["type"] == "int_parsing":
        reason = f"must be a whole number, got {problem['input']!r}"
    else:
        reason = str(problem["msg"])
    return error_response(400, "invalid_argument", f"{field}: {reason}", field=field)
