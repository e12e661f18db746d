"""Logging for the command line and the server: plain on a terminal, JSON elsewhere.

Only the CLI calls `configure_logging`; the library itself installs no handlers.
Every record carries the id of the request it was logged in (`-` outside one).
"""

from __future__ import annotations

import json
import logging
import re
import sys
from datetime import UTC, datetime
from typing import IO

from graphsvc.api.requestid import request_id

_EVENT = re.compile(r"[a-z_][a-z0-9_]*(\.[a-z0-9_]+)+")
_PLAIN = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"


class RequestIdFilter(logging.Filter):
    """Stamps each record with the id of the request it was logged in."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        return True


def _event(message: str, logger: str) -> str:
    """The message's leading event name, else the logger's name (uvicorn's lines)."""
    head = message.split(" ", 1)[0]
    return head if _EVENT.fullmatch(head) else logger


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, request id, event, message."""

    def format(self, record: logging.LogRecord) -> str:
        message = record.getMessage()
        line: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname.lower(),
            "logger": record.name,
            "request_id": getattr(record, "request_id", "-"),
            "event": _event(message, record.name),
            "message": message,
        }
        if record.exc_info:
            line["traceback"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)


def configure_logging(
    debug: bool = False, json_lines: bool | None = None, stream: IO[str] | None = None
) -> None:
    """Send logs to stderr: JSON lines unless it is a terminal (or told otherwise).

    Like `logging.basicConfig`, does nothing when the root logger already has
    handlers (a host program or test runner configured logging first).
    """
    root = logging.getLogger()
    if root.handlers:
        return
    stream = stream or sys.stderr
    if json_lines is None:
        json_lines = not stream.isatty()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter() if json_lines else logging.Formatter(_PLAIN))
    root.addHandler(handler)
    root.setLevel(logging.DEBUG if debug else logging.INFO)
