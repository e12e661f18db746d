"""Opaque page cursors: what a list is of, and where its page ended.

A cursor is `kind:id` in URL-safe base64, so that a client passes it back as given
and a cursor of one list is refused by another.

>>> decode_cursor("finding", encode_cursor("finding", "F1"))
'F1'
"""

from __future__ import annotations

import base64

from graphsvc.errors import InvalidArgument


def encode_cursor(kind: str, id_: str) -> str:
    """The cursor of the item `id_` of a list of `kind`."""
    return base64.urlsafe_b64encode(f"{kind}:{id_}".encode()).decode()


def decode_cursor(kind: str, cursor: str) -> str:
    """The id an `after` cursor names; InvalidArgument unless a `kind` list made it."""
    try:
        text = base64.urlsafe_b64decode(cursor.encode()).decode()
    except (ValueError, UnicodeDecodeError):
        text = ""
    if not text.startswith(f"{kind}:"):
        raise InvalidArgument("after", "is not a cursor this API gave out")
    return text.removeprefix(f"{kind}:")
