"""Load test: concurrent clients mixing queries and captures against a real server.

    python bench/load_test.py [--clients 50] [--seconds 60] [--items 2000] [--keep DIR]

Generates and loads the demo data (or reuses DIR), starts `graphsvc serve` on
loopback with a reader and a loader key (rate limiting off), and runs the clients
(httpx2, asyncio) for the given time. Each client picks, by weight: a provenance,
a page of findings, a neighbourhood, an item, or, when the server has the EPCIS
`POST /capture` route, a capture of one ObjectEvent. At the end every accepted
capture is asked for again (`GET /capture/{id}`); one that is not found, or did not
end in success, is lost.

Prints throughput, p50 and p99 latency (overall and by kind) and error counts;
exits 1 on any 5xx or lost capture.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import httpx2

READER = "bench-reader:reader:bench-reader-secret"
LOADER = "bench-loader:loader:bench-loader-secret"
READER_KEY = "bench-reader.bench-reader-secret"
LOADER_KEY = "bench-loader.bench-loader-secret"

PROVENANCE = """query($id: ID!) { provenance(itemId: $id) {
  hops { party { id name } site { country } from authorized }
  findings { kind explanation } } }"""
FINDINGS = """query($after: String) { findings(first: 50, after: $after) {
  edges { node { kind item { id } party { name } at } }
  pageInfo { endCursor hasNextPage } } }"""
NEIGHBOURHOOD = """query($id: ID!) { neighborhood(id: $id, depth: 2, limit: 200) {
  nodes { id label caption } edges { type source target } truncated } }"""
ITEM = (
    """query($id: ID!) { item(id: $id) { id lot product { name brand { name } } } }"""
)

WEIGHTS = {"provenance": 40, "findings": 25, "neighbourhood": 15, "item": 10}
CAPTURE_WEIGHT = 10


@dataclass
class Tally:
    """What the clients saw: latencies by kind, statuses, accepted captures."""

    seconds: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    statuses: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    transport_errors: int = 0
    graphql_errors: int = 0
    captures_sent: int = 0
    captures: list[str] = field(default_factory=list)


def prepare(root: Path, items: int, seed: int) -> tuple[Path, list[str], list[str]]:
    """The loaded data directory, its item ids and its party ids."""
    from graphsvc.service import load_into

    feed, data = root / "feed", root / "data"
    if not (feed / "truth.json").exists():
        from graphsvc.generate import generate

        generate(feed, items=items, seed=seed)
    if not data.exists():
        load_into(data, [feed])

    from graphsvc.store.embedded import EmbeddedStore

    store = EmbeddedStore(data)
    try:
        item_ids = store.item_ids()
        parties = [n.id for n in store.nodes("Party")]
    finally:
        store.close()
    return data, item_ids, parties


def capture_document(item: str, rng: random.Random) -> dict[str, object]:
    """One EPCIS 2.0 ObjectEvent observing `item` now."""
    return {
        "@context": ["https://ref.gs1.org/standards/epcis/epcis-context.jsonld"],
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": _now(),
        "epcisBody": {
            "eventList": [
                {
                    "type": "ObjectEvent",
                    "eventTime": _now(),
                    "eventTimeZoneOffset": "+00:00",
                    "epcList": [item],
                    "action": "OBSERVE",
                    "bizStep": "inspecting",
                    "eventID": f"ni:///sha-256;{rng.getrandbits(128):032x}?ver=CBV2.0",
                }
            ]
        },
    }


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


async def client(
    url: str,
    deadline: float,
    tally: Tally,
    rng: random.Random,
    items: list[str],
    parties: list[str],
    kinds: dict[str, int],
) -> None:
    names, weights = list(kinds), list(kinds.values())
    reader = {"Authorization": f"Bearer {READER_KEY}"}
    loader = {"Authorization": f"Bearer {LOADER_KEY}"}
    async with httpx2.AsyncClient(base_url=url, timeout=60) as http:
        while time.monotonic() < deadline:
            kind = rng.choices(names, weights)[0]
            started = time.perf_counter()
            try:
                if kind == "capture":
                    tally.captures_sent += 1
                    document = capture_document(rng.choice(items), rng)
                    response = await http.post(
                        "/capture", json=document, headers=loader
                    )
                    capture_id = _capture_id(response)
                    if response.is_success and capture_id is not None:
                        tally.captures.append(capture_id)
                else:
                    query, variables = _query(kind, rng, items, parties)
                    response = await http.post(
                        "/graphql",
                        json={"query": query, "variables": variables},
                        headers=reader,
                    )
                    if response.is_success and response.json().get("errors"):
                        tally.graphql_errors += 1
            except httpx2.TransportError:
                tally.transport_errors += 1
                continue
            tally.seconds[kind].append(time.perf_counter() - started)
            tally.statuses[response.status_code] += 1


def _query(
    kind: str, rng: random.Random, items: list[str], parties: list[str]
) -> tuple[str, dict[str, object]]:
    if kind == "provenance":
        return PROVENANCE, {"id": rng.choice(items)}
    if kind == "findings":
        return FINDINGS, {"after": None}
    if kind == "neighbourhood":
        return NEIGHBOURHOOD, {"id": f"Party:{rng.choice(parties)}"}
    return ITEM, {"id": rng.choice(items)}


def _capture_id(response: httpx2.Response) -> str | None:
    """The capture's id from `Location: .../capture/{id}` or a JSON `id`."""
    location: str | None = response.headers.get("location")
    if location:
        return location.rstrip("/").rsplit("/", 1)[-1]
    try:
        body = response.json()
    except ValueError:
        return None
    value = body.get("id") if isinstance(body, dict) else None
    return str(value) if value is not None else None


async def lost_captures(url: str, captures: list[str]) -> int:
    """Accepted captures that did not end loaded: unknown, failed, or still running
    a minute after the clients stopped."""
    lost = 0
    headers = {"Authorization": f"Bearer {LOADER_KEY}"}
    deadline = time.monotonic() + 60
    async with httpx2.AsyncClient(base_url=url, timeout=60) as http:
        for capture_id in captures:
            while True:
                response = await http.get(f"/capture/{capture_id}", headers=headers)
                job = response.json() if response.status_code == 200 else {}
                if not job.get("running") or time.monotonic() > deadline:
                    break
                await asyncio.sleep(0.2)
            lost += job.get("status") != "success"
    return lost


async def run(
    url: str,
    clients: int,
    seconds: float,
    seed: int,
    items: list[str],
    parties: list[str],
) -> tuple[Tally, float, bool]:
    async with httpx2.AsyncClient(base_url=url, timeout=30) as http:
        spec = await http.get(
            "/openapi.json", headers={"Authorization": f"Bearer {READER_KEY}"}
        )
    has_capture = "/capture" in spec.json().get("paths", {})
    kinds = {**WEIGHTS, **({"capture": CAPTURE_WEIGHT} if has_capture else {})}

    tally = Tally()
    started = time.monotonic()
    deadline = started + seconds
    await asyncio.gather(
        *(
            client(url, deadline, tally, random.Random(seed + n), items, parties, kinds)
            for n in range(clients)
        )
    )
    return tally, time.monotonic() - started, has_capture


def report(tally: Tally, elapsed: float, clients: int, lost: int | None) -> bool:
    """Print the figures; True when there was no 5xx and no lost capture."""
    every = [s for values in tally.seconds.values() for s in values]
    total = len(every)
    server_errors = sum(n for status, n in tally.statuses.items() if status >= 500)
    other = sum(n for status, n in tally.statuses.items() if 400 <= status < 500)
    print(f"clients                {clients:12}")
    print(f"seconds                {elapsed:12.1f}")
    print(f"requests               {total:12,}")
    print(f"throughput             {total / elapsed:12,.1f} requests/s")
    print(f"latency p50, p99       {_p(every, 50):8.1f} ms {_p(every, 99):8.1f} ms")
    for kind, values in sorted(tally.seconds.items()):
        print(
            f"  {kind:<20} {len(values):8,}  p50 {_p(values, 50):8.1f} ms"
            f"  p99 {_p(values, 99):8.1f} ms"
        )
    errors = server_errors + other + tally.transport_errors + tally.graphql_errors
    print(f"errors                 {errors:12,}")
    print(f"  5xx                  {server_errors:12,}")
    print(f"  4xx                  {other:12,}")
    print(f"  transport            {tally.transport_errors:12,}")
    print(f"  GraphQL errors       {tally.graphql_errors:12,}")
    if lost is None:
        print("captures               the server has no POST /capture; queries only")
    else:
        print(f"captures sent          {tally.captures_sent:12,}")
        print(f"captures accepted      {len(tally.captures):12,}")
        print(f"captures lost          {lost:12,}")
    return server_errors == 0 and not lost


def _p(values: list[float], percent: int) -> float:
    if not values:
        return 0.0
    if percent == 50:
        return statistics.median(values) * 1e3
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, len(ordered) * percent // 100)] * 1e3


def serve(data: Path, root: Path) -> tuple[subprocess.Popen[bytes], str]:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    env = {
        **os.environ,
        "GRAPHSVC_API_KEYS": f"{READER};{LOADER}",
        "GRAPHSVC_RATE_LIMIT": "off",
    }
    log = (root / "server.log").open("wb")
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
        stdout=log,
        stderr=subprocess.STDOUT,
        env=env,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the server exited; see {root / 'server.log'}")
        try:
            if httpx2.get(f"{url}/health", timeout=2).status_code == 200:
                return server, url
        except httpx2.TransportError:
            pass
        time.sleep(0.5)
    raise RuntimeError("the server did not become ready")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--items", type=int, default=2_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", type=Path, help="work here and keep the files")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="graphsvc-load-") as scratch:
        root = args.keep or Path(scratch)
        root.mkdir(parents=True, exist_ok=True)
        data, items, parties = prepare(root, args.items, args.seed)
        server, url = serve(data, root)
        try:
            tally, elapsed, has_capture = asyncio.run(
                run(url, args.clients, args.seconds, args.seed, items, parties)
            )
            lost = (
                asyncio.run(lost_captures(url, tally.captures)) if has_capture else None
            )
        finally:
            server.terminate()
            server.wait(timeout=30)
        passed = report(tally, elapsed, args.clients, lost)
    sys.exit(0 if passed else 1)


if __name__ == "__main__":
    main()
