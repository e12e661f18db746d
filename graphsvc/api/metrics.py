"""Prometheus metrics: requests and their latency, loads, and findings by kind."""

from __future__ import annotations

import collections
import time
from collections.abc import Iterator

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from graphsvc.api.access import route_for
from graphsvc.engine import FindingKind
from graphsvc.store.base import FindingQuery, Store
from graphsvc.store.loads import LoadQuery

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


class Metrics:
    """One application's metrics, in a registry of its own (not the global one)."""

    def __init__(self, store: Store) -> None:
        self.registry = CollectorRegistry()
        self.http_requests = Counter(
            "graphsvc_http_requests",
            "HTTP requests by method, route (the access table's prefix) and status.",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.http_seconds = Histogram(
            "graphsvc_http_request_seconds",
            "HTTP request latency by route.",
            ["route"],
            registry=self.registry,
        )
        self.operations = Counter(
            "graphsvc_graphql_operations",
            "GraphQL operations by their root fields and outcome (ok or error).",
            ["operation", "outcome"],
            registry=self.registry,
        )
        self.operation_seconds = Histogram(
            "graphsvc_graphql_operation_seconds",
            "GraphQL operation latency by root fields.",
            ["operation"],
            registry=self.registry,
        )
        self.registry.register(_StoreCollector(store))

    def response(self) -> Response:
        return Response(generate_latest(self.registry), media_type=CONTENT_TYPE)


class _StoreCollector(Collector):
    """Reads node counts and findings by kind from the store at each scrape."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def collect(self) -> Iterator[Metric]:
        counts = self.store.counts()
        nodes = GaugeMetricFamily(
            "graphsvc_nodes", "Nodes in the graph by label.", labels=["label"]
        )
        for label, count in counts.nodes.items():
            nodes.add_metric([label], count)
        yield nodes

        findings = GaugeMetricFamily(
            "graphsvc_findings", "Saved findings by kind.", labels=["kind"]
        )
        for kind in FindingKind:
            query = FindingQuery(kinds=frozenset({kind}))
            findings.add_metric([kind.value], self.store.count_findings(query))
        yield findings

        # From the load history, so that every way in (CLI, sync, upload, capture)
        # counts, whichever process loaded.
        loads = GaugeMetricFamily(
            "graphsvc_loads",
            "Loads in the history by source and outcome.",
            labels=["source", "outcome"],
        )
        records = GaugeMetricFamily(
            "graphsvc_load_records",
            "Records written or rejected by the loads in the history, by source.",
            labels=["source", "outcome"],
        )
        tally: collections.Counter[tuple[str, str]] = collections.Counter()
        written: collections.Counter[tuple[str, str]] = collections.Counter()
        for load in self.store.loads(LoadQuery()):
            tally[load.source, load.outcome.value] += 1
            written[load.source, "written"] += sum(load.counts.values())
            written[load.source, "rejected"] += load.rejected
        for labels, count in sorted(tally.items()):
            loads.add_metric(list(labels), count)
        for labels, count in sorted(written.items()):
            records.add_metric(list(labels), count)
        yield loads
        yield records


class MeasureRequests:
    """ASGI middleware: count and time every HTTP request by its route's prefix."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        route = route_for(scope["method"], scope["path"])
        name = route.prefix if route is not None else "unlisted"
        status = 500
        started = time.perf_counter()

        async def observe(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, observe)
        finally:
            self.metrics.http_seconds.labels(name).observe(
                time.perf_counter() - started
            )
            self.metrics.http_requests.labels(scope["method"], name, str(status)).inc()
