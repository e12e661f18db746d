"""The GraphQL route: strawberry's router, reading requests strictly."""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any, Final

import orjson
from cross_web import HTTPException
from fastapi import Request, Response
from graphql import GraphQLError, OperationDefinitionNode, parse
from strawberry.fastapi import GraphQLRouter
from strawberry.http import GraphQLRequestData
from strawberry.types import ExecutionResult

from graphsvc.api.bounds import CACHED_DOCUMENTS
from graphsvc.api.context import Context, Limits

MAX_JSON_NESTING: Final = 32
"""Arrays and objects nested deeper in a request are refused; no argument needs 3."""


class GraphQLRoute(GraphQLRouter[Context, None]):
    """Reads request JSON with orjson, and asks which operation to run when in doubt.

    JSON is read with orjson so that bad JSON is a 400, never a 500.
    The standard parser fails with a 500 on bytes that are not UTF-8 and on arrays
    nested thousands deep, and reads a lone surrogate escape (`\\ud800`) into a string
    that no store can encode. orjson refuses all three with a JSONDecodeError, which
    strawberry answers with a 400. Nesting is capped well below what orjson takes,
    because the audit log writes the variables with the standard encoder, which
    fails near a thousand levels.

    A document with several operations and no `operationName` is refused, as the
    GraphQL specification requires; strawberry would run the first one.
    """

    def __init__(self, *args: Any, limits: Limits, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._max_tokens = limits.max_tokens

    async def execute_single(
        self,
        request: Request,
        request_adapter: Any,
        sub_response: Response,
        context: Context,
        root_value: None,
        request_data: GraphQLRequestData,
    ) -> ExecutionResult:
        query = request_data.query
        unnamed = request_data.operation_name is None and query is not None
        if unnamed and _operations(query or "", self._max_tokens) > 1:
            raise HTTPException(
                400,
                "the document holds several operations; name the one to run in "
                "operationName",
            )
        return await super().execute_single(
            request, request_adapter, sub_response, context, root_value, request_data
        )

    def decode_json(self, data: str | bytes) -> object:
        value = orjson.loads(data)
        if _nesting(value) > MAX_JSON_NESTING:
            text = data if isinstance(data, str) else data.decode()
            raise json.JSONDecodeError(
                f"nested more than {MAX_JSON_NESTING} levels deep", text, 0
            )
        return value


@lru_cache(maxsize=CACHED_DOCUMENTS)
def _operations(query: str, max_tokens: int) -> int:
    """How many operations `query` defines; 0 when it does not parse.

    A document that does not parse is left for the schema to refuse, with its own
    message and within the same token bound. Clients send the same few texts over
    and over, so the count is kept for as many as the schema keeps parsed.
    """
    try:
        document = parse(query, max_tokens=max_tokens)
    except GraphQLError:
        return 0
    return sum(isinstance(d, OperationDefinitionNode) for d in document.definitions)


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
