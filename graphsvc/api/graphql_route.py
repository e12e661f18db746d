"""The GraphQL route: strawberry's router, reading request JSON strictly."""

from __future__ import annotations

import orjson
from strawberry.fastapi import GraphQLRouter

from graphsvc.api.context import Context


class GraphQLRoute(GraphQLRouter[Context, None]):
    """Reads request JSON with orjson, so that bad JSON is a 400, never a 500.

    The standard parser fails with a 500 on bytes that are not UTF-8 and on arrays
    nested thousands deep, and reads a lone surrogate escape (`\\ud800`) into a string
    that no store can encode. orjson refuses all three (and nesting past 1,024
    levels) with a JSONDecodeError, which strawberry answers with a 400.
    """

    def decode_json(self, data: str | bytes) -> object:
        return orjson.loads(data)
