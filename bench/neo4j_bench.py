"""The Neo4j store beside the embedded store on the same generated data.

    python bench/neo4j_bench.py [--items N] [--batch-size B] [--start-neo4j]

Generates N demo items (default 100,000), then for each store: loads them (records per
second), brings findings up to date, times `Investigation.provenance` on 1,000 random
items (p50 and p99) and `Investigation.clusters`. It prints both stores' figures and
the ratio of Neo4j's to the embedded store's.

Neo4j is the one that ``NEO4J_URI``, ``NEO4J_USER``, ``NEO4J_PASSWORD`` and
``NEO4J_DATABASE`` name; the bench deletes every node in it first, so it asks for
``--wipe`` to be given. With ``--start-neo4j`` it starts its own throwaway server from
the test harness's Maven build instead, with the JIT fully on and a larger heap (the
test defaults favour start time over speed), and a page cache that holds the whole
store (the tests' 128 MiB does not).
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType

import neo4j

from graphsvc.generate import generate
from graphsvc.investigation import Investigation
from graphsvc.store.base import Store
from graphsvc.store.embedded import EmbeddedStore
from graphsvc.store.neo4j import Neo4jStore
from loaders.load import load_paths

HARNESS = Path(__file__).resolve().parents[1] / "tests" / "neo4j_harness.py"
BENCH_JVM = (
    "-Xms1g",
    "-Xmx4g",
    "-XX:+ExitOnOutOfMemoryError",
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
)
PAGE_CACHE_PER_ITEM = 6 << 10
"""Bytes: a store of 20,000 items takes about 95 MiB on disk, growing linearly, so
this holds the whole store with room to spare."""
MIN_PAGE_CACHE = 1 << 30
SAMPLE = 1_000

Endpoint = tuple[str, str, str, str]


def harness() -> ModuleType:
    """The test harness module, loaded from its file (tests/ is not a package)."""
    spec = importlib.util.spec_from_file_location("neo4j_harness", HARNESS)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    # Its dataclasses look their module up by name while being built.
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@contextmanager
def neo4j_server(
    start: bool, wipe: bool, scratch: Path, items: int
) -> Iterator[Endpoint]:
    """The Neo4j to measure, emptied: one started here, or the configured one."""
    if start:
        page_cache = max(MIN_PAGE_CACHE, items * PAGE_CACHE_PER_ITEM)
        server = harness().MavenNeo4jServer(
            scratch / "neo4j", jvm_options=BENCH_JVM, page_cache=page_cache
        )
        endpoint = server.start()
        try:
            yield endpoint.uri, endpoint.user, endpoint.password, endpoint.database
        finally:
            server.stop()
        return
    if not wipe:
        raise SystemExit("the bench deletes every node in NEO4J_URI: pass --wipe")
    uri, user, password = (
        os.environ[k] for k in ("NEO4J_URI", "NEO4J_USER", "NEO4J_PASSWORD")
    )
    database = os.environ.get("NEO4J_DATABASE") or "neo4j"
    with (
        neo4j.GraphDatabase.driver(uri, auth=(user, password)) as driver,
        driver.session(database=database) as session,
    ):
        session.run(
            "MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS"
        ).consume()
    yield uri, user, password, database


def timed(call: Callable[[], object]) -> float:
    started = time.perf_counter()
    call()
    return time.perf_counter() - started


def measure(store: Store, feed: Path, batch_size: int, seed: int) -> dict[str, float]:
    """Load, refresh, provenance and clusters figures for one store."""
    figures: dict[str, float] = {}
    started = time.perf_counter()
    report = load_paths(store, [feed], batch_size=batch_size)
    figures["load_s"] = time.perf_counter() - started
    figures["records"] = report.loaded
    investigation = Investigation(store)
    figures["refresh_s"] = timed(investigation.refresh)

    items = store.item_ids()
    sample = random.Random(seed).sample(items, min(SAMPLE, len(items)))
    latencies = []
    for item in sample:
        started = time.perf_counter()
        investigation.provenance(item)
        latencies.append(time.perf_counter() - started)
    cuts = statistics.quantiles(latencies, n=100)
    figures["provenance_p50_ms"] = cuts[49] * 1000
    figures["provenance_p99_ms"] = cuts[98] * 1000
    figures["clusters_s"] = timed(investigation.clusters)
    return figures


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--batch-size", type=int, default=5_000)
    parser.add_argument("--start-neo4j", action="store_true")
    parser.add_argument("--wipe", action="store_true")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as scratch_dir:
        scratch = Path(scratch_dir)
        feed = scratch / "feed"
        generate(feed, args.items, args.seed)

        embedded = EmbeddedStore(scratch / "embedded")
        try:
            ours = measure(embedded, feed, args.batch_size, args.seed)
        finally:
            embedded.close()
        print(f"embedded: {ours}", flush=True)
        with neo4j_server(args.start_neo4j, args.wipe, scratch, args.items) as endpoint:
            store = Neo4jStore(*endpoint)
            try:
                theirs = measure(store, feed, args.batch_size, args.seed)
            finally:
                store.close()
        print(f"neo4j: {theirs}", flush=True)

    records = ours["records"]
    print(f"items {args.items:,}  records {records:,.0f}  batch {args.batch_size:,}")
    print(f"{'':22}{'embedded':>12}{'neo4j':>12}{'neo4j/emb':>11}")
    rows = [
        ("load records/s", records / ours["load_s"], records / theirs["load_s"]),
        ("refresh s", ours["refresh_s"], theirs["refresh_s"]),
        ("provenance p50 ms", ours["provenance_p50_ms"], theirs["provenance_p50_ms"]),
        ("provenance p99 ms", ours["provenance_p99_ms"], theirs["provenance_p99_ms"]),
        ("clusters s", ours["clusters_s"], theirs["clusters_s"]),
    ]
    for name, mine, neo in rows:
        print(f"{name:22}{mine:>12,.1f}{neo:>12,.1f}{neo / mine:>11.2f}")


if __name__ == "__main__":
    main()
