"""The GraphQL route: strawberry's router, reading request JSON strictly."""

from __future__ import annotations

import json
from typing import Final

import orjson
from strawberry.fastapi import GraphQLRouter

from graphsvc.api.context import Context

MAX_JSON_NESTING: Final = 32
"""Arrays and objects nested deeper in a request are refused; no argument needs 3."""


class GraphQLRoute(GraphQLRouter[Context, None]):
    """Reads request JSON with orjson, so that bad JSON is a 400, never a 500.

    The standard parser fails with a 500 on bytes that are not UTF-8 and on arrays
    nested thousands deep, and reads a lone surrogate escape (`\\ud800`) into a string
    that no store can encode. orjson refuses all three with a JSONDecodeError, which
    strawberry answers with a 400. Nesting is capped well below what orjson takes,
    because the audit log writes the variables with the standard encoder, which
    fails near a thousand levels.
    """

    def decode_json(self, data: str | bytes) -> object:
        value = orjson.loads(data)
        if _nesting(value) > MAX_JSON_NESTING:
            text = data if isinstance(data, str) else data.decode()
            raise json.JSONDecodeError(
                f"nested more than {MAX_JSON_NESTING} levels deep", text, 0
            )
        return value


def _nesting(value: object) -> int:
    """How deep arrays and objects nest in a parsed JSON value (without recursion)."""
    deepest = 0
    pending = [(value, 1)]
    while pending:
        current, depth = pending.pop()
        if isinstance(current, dict):
            children: list[object] = list(current.values())
        elif isinstance(current, list):
            children = current
        else:
            continue
        deepest = max(deepest, depth)
        if depth <= MAX_JSON_NESTING:
            pending.extend((child, depth + 1) for child in children)
    return deepest
