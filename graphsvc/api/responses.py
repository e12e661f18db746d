"""The one shape of an error answer on the REST routes other than EPCIS.

    {"error": {"code": "invalid_argument", "message": "...", "field": "limit"}}

`code` is a fixed word a client can branch on, `message` a sentence safe to show,
`field` (when there is one) the argument or field at fault. The EPCIS routes answer
RFC 7807 problems instead, as that standard requires (see `problems`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from starlette.responses import JSONResponse


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
