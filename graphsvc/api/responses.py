"""The one shape of an error answer on the REST routes other than EPCIS.

    {"error": {"code": "invalid_argument", "message": "...", "field": "limit"}}

`code` is a fixed word a client can branch on, `message` a sentence safe to show,
`field` (when there is one) the argument or field at fault. The EPCIS routes answer
RFC 7807 problems instead, as that standard requires (see `problems`).
"""

from __future__ import annotations

from collections.abc import Mapping

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
