"""Investigation speed on the embedded store: provenance, findings, clusters, HTTP.

    python bench/investigation_bench.py [--items N] [--seed S] [--keep DIR]

Generates and loads N demo items (or reuses DIR), then prints:

- provenance latency p50/p99 through the engine, beside the store's raw lookup of
  the same item (the baseline) and their ratio;
- the same query through GraphQL over HTTP against a real server on loopback;
- requests per second for that query with 8 concurrent clients;
- the time to compute every item's findings (items/s) and the clusters.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx2

SAMPLES = 1_000
CLIENTS = 8
REQUESTS_PER_CLIENT = 250
QUERY = """query($id: ID!) { provenance(itemId: $id) {
  hops { party { id name } site { id country } from until authorized }
  findings { kind explanation } } }"""


def percentiles(seconds: list[float]) -> tuple[float, float]:
    """p50 and p99, in milliseconds."""
    ordered = sorted(seconds)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return statistics.median(ordered) * 1e3, p99 * 1e3


def timed(call: Callable[[str], object], ids: list[str]) -> list[float]:
    found = []
    for id_ in ids:
        start = time.perf_counter()
        call(id_)
        found.append(time.perf_counter() - start)
    return found


def prepare(root: Path, items: int, seed: int) -> Path:
    from graphsvc.generate import generate
    from graphsvc.investigation import Investigation
    from graphsvc.store.embedded import EmbeddedStore
    from loaders.load import load_paths

    feed, data = root / "feed", root / "data"
    if not (feed / "truth.json").exists():
        generate(feed, items=items, seed=seed)
    if not data.exists():
        store = EmbeddedStore(data)
        load_paths(store, [feed])
        Investigation(store).refresh()
        store.close()
    return data


def in_process(data: Path, rng: random.Random) -> list[str]:
    from graphsvc.engine import findings_of
    from graphsvc.investigation import Investigation
    from graphsvc.store.embedded import EmbeddedStore

    store = EmbeddedStore(data)
    investigation = Investigation(store)
    ids = rng.sample(store.item_ids(), min(SAMPLES, len(store.item_ids())))

    raw = percentiles(timed(lambda i: store.node("Item", i), ids))
    engine = percentiles(timed(investigation.provenance, ids))
    print(f"raw lookup (baseline)  p50 {raw[0]:8.3f} ms   p99 {raw[1]:8.3f} ms")
    print(
        f"provenance, engine     p50 {engine[0]:8.3f} ms   p99 {engine[1]:8.3f} ms"
        f"   ratio p50 {engine[0] / raw[0]:,.0f}x"
    )

    everything = store.item_ids()
    start = time.perf_counter()
    for chunk in range(0, len(everything), 2_000):
        part = everything[chunk : chunk + 2_000]
        [findings_of(e) for e in store.item_evidence(part)]
    seconds = time.perf_counter() - start
    print(
        f"findings, all items    {len(everything) / seconds:12,.0f} items/s "
        f"({seconds:.1f} s for {len(everything):,})"
    )

    start = time.perf_counter()
    clusters = investigation.clusters()
    print(
        f"clusters               {time.perf_counter() - start:12.3f} s "
        f"({len(clusters)} clusters)"
    )
    store.close()
    return ids


def over_http(data: Path, ids: list[str]) -> None:
    port = _free_port()
    # The bench sends thousands of requests a minute from one address; a rate far
    # above that keeps the limiter's cost in the figures without refusing any.
    env = {**os.environ, "GRAPHSVC_RATE_LIMIT": "1000000/minute"}
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "graphsvc",
            "serve",
            "--data-dir",
            str(data),
            "--port",
            str(port),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait(url)
        with httpx2.Client(base_url=url, timeout=30) as client:

            def ask(id_: str) -> object:
                response = client.post(
                    "/graphql", json={"query": QUERY, "variables": {"id": id_}}
                )
                response.raise_for_status()
                return response

            http = percentiles(timed(ask, ids))
            print(
                f"provenance, HTTP       p50 {http[0]:8.3f} ms   p99 {http[1]:8.3f} ms"
            )

            start = time.perf_counter()
            with ThreadPoolExecutor(CLIENTS) as pool:
                batches = [ids[n::CLIENTS] * 3 for n in range(CLIENTS)]
                list(
                    pool.map(
                        lambda b: [ask(i) for i in b[:REQUESTS_PER_CLIENT]], batches
                    )
                )
            seconds = time.perf_counter() - start
            total = CLIENTS * min(REQUESTS_PER_CLIENT, len(batches[0]))
            print(f"8 concurrent clients   {total / seconds:12,.0f} requests/s")
    finally:
        server.terminate()
        server.wait(timeout=30)


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def _wait(url: str) -> None:
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        try:
            if httpx2.get(f"{url}/health", timeout=2).status_code == 200:
                return
        except httpx2.TransportError:
            pass
        time.sleep(0.5)
    raise RuntimeError("the server did not become ready")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", type=Path, help="work here and keep the files")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="graphsvc-bench-") as scratch:
        data = prepare(args.keep or Path(scratch), args.items, args.seed)
        print(f"items                  {args.items:12,}")
        ids = in_process(data, random.Random(args.seed))
        over_http(data, ids)


if __name__ == "__main__":
    main()
