"""Recording GraphQL operations: the audit log and the per-operation metrics."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from typing import Final
from urllib.parse import parse_qs

import orjson
from graphql import FieldNode, OperationDefinitionNode
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from strawberry.extensions import SchemaExtension

from graphsvc.api.access import PUBLIC, principal_of, route_for
from graphsvc.api.context import Context
from graphsvc.api.metrics import Metrics
from graphsvc.audit import AuditLog

log = logging.getLogger(__name__)

UNPARSED: Final = "(unparsed)"


class Observe(SchemaExtension):
    """Time each operation, then count it and append it to the audit log.

    The operation is named by its root fields (`findings+provenance`), which the
    schema bounds, rather than by the client's operation name, which it does not.
    """

    def __init__(self, audit: AuditLog | None, metrics: Metrics | None) -> None:
        self.audit = audit
        self.metrics = metrics

    def on_operation(self) -> Iterator[None]:
        started = time.perf_counter()
        yield
        elapsed = time.perf_counter() - started
        execution = self.execution_context
        operation = self._root_fields()
        result = execution.result
        errors = bool(execution.pre_execution_errors) or bool(
            result is not None and result.errors
        )
        outcome = "error" if errors else "ok"
        data = result.data if result is not None else None
        size = len(orjson.dumps(data, default=str)) if data is not None else 0

        if self.metrics is not None:
            self.metrics.operations.labels(operation, outcome).inc()
            self.metrics.operation_seconds.labels(operation).observe(elapsed)
        context = execution.context
        key_id = context.principal.key_id if isinstance(context, Context) else "-"
        if self.audit is not None:
            self.audit.record(key_id, operation, execution.variables, size, outcome)
        log.info(
            "graphql.operation key=%s operation=%s outcome=%s bytes=%d ms=%.1f",
            key_id,
            operation,
            outcome,
            size,
            elapsed * 1000,
        )

    def _root_fields(self) -> str:
        document = self.execution_context.graphql_document
        if document is None:
            return UNPARSED
        wanted = self.execution_context.operation_name
        names: set[str] = set()
        for definition in document.definitions:
            if not isinstance(definition, OperationDefinitionNode):
                continue
            if wanted is not None and (
                definition.name is None or definition.name.value != wanted
            ):
                continue
            names.update(
                s.name.value
                for s in definition.selection_set.selections
                if isinstance(s, FieldNode)
            )
        return "+".join(sorted(names))[:200] or UNPARSED


class AuditRequests:
    """ASGI middleware, inside `AccessControl`: audit REST calls as `METHOD /path`.

    GraphQL is audited per operation by `Observe`; public routes and /metrics
    (scraped every few seconds) are not audited.
    """

    SKIPPED: Final = ("/graphql", "/metrics")

    def __init__(self, app: ASGIApp, audit: AuditLog) -> None:
        self.app = app
        self.audit = audit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        route = route_for(scope.get("method", ""), scope.get("path", ""))
        if (
            scope["type"] != "http"
            or route is None
            or route.role is PUBLIC
            or route.prefix in self.SKIPPED
        ):
            await self.app(scope, receive, send)
            return
        size = 0
        status = 500

        async def count(message: Message) -> None:
            nonlocal size, status
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body":
                size += len(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, receive, count)
        finally:
            query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
            self.audit.record(
                principal_of(scope).key_id,
                f"{scope['method']} {scope['path']}",
                query,
                size,
                "ok" if status < 400 else "error",
            )
