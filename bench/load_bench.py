"""Loading speed and memory of the embedded store, beside merely parsing the feed.

    python bench/load_bench.py [--items N] [--seed S] [--keep DIR]

Generates N demo items, then measures, each in a fresh process so that peak memory is
its own:

- parse: reading every record with json / csv and nothing else (the baseline);
- load: `graphsvc load` into an empty embedded store (validation, planning, SQLite);
- findings: evaluating every item once the load is done;
- reopen: opening the data directory again, rebuilding the graph from SQLite.

It prints records per second for parse and load and their ratio, the findings rate,
the reopen time and each phase's peak resident memory.
"""

from __future__ import annotations

import argparse
import csv
import json
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from loaders.feed import open_bytes


def parse_only(feed: Path) -> dict[str, float]:
    """Records read by the standard parsers alone."""
    records = 0
    start = time.perf_counter()
    for path in sorted(feed.iterdir()):
        if path.name == "truth.json":
            continue
        with open_bytes(path) as raw:
            if ".jsonl" in path.name:
                for line in raw:
                    json.loads(line)
                    records += 1
            else:
                lines = (line.decode("utf-8-sig") for line in raw)
                records += sum(1 for _ in csv.reader(lines)) - 1
    return {"records": records, "seconds": time.perf_counter() - start}


def load(feed: Path, data: Path) -> dict[str, float]:
    import gc

    from graphsvc.cli import GC_THRESHOLDS
    from graphsvc.investigation import Investigation
    from graphsvc.store.embedded import EmbeddedStore
    from loaders.load import load_paths

    gc.set_threshold(*GC_THRESHOLDS)  # as `graphsvc load` runs
    store = EmbeddedStore(data)
    start = time.perf_counter()
    report = load_paths(store, [feed])
    loaded = time.perf_counter()
    refreshed = Investigation(store).refresh()
    done = time.perf_counter()
    store.close()
    return {
        "records": report.loaded + report.rejected,
        "seconds": loaded - start,
        "items": refreshed.items,
        "findings_seconds": done - loaded,
    }


def reopen(data: Path) -> dict[str, float]:
    from graphsvc.store.embedded import EmbeddedStore

    start = time.perf_counter()
    store = EmbeddedStore(data)
    seconds = time.perf_counter() - start
    nodes = sum(store.counts().nodes.values())
    store.close()
    return {"seconds": seconds, "nodes": nodes}


def _phase(name: str, *args: str) -> dict[str, float]:
    """Run one phase in a fresh interpreter; its figures plus its peak memory."""
    out = subprocess.run(
        [sys.executable, __file__, "--phase", name, *args],
        check=True,
        capture_output=True,
        text=True,
    )
    figures: dict[str, float] = json.loads(out.stdout.splitlines()[-1])
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", type=Path, help="work here and keep the files")
    parser.add_argument("--phase", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.phase:
        name, *paths = args.phase
        phases: dict[str, Callable[..., dict[str, float]]] = {
            "parse": parse_only,
            "load": load,
            "reopen": reopen,
        }
        figures = phases[name](*map(Path, paths))
        peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print(json.dumps({**figures, "peak_mib": peak_kib / 1024}))
        return

    from graphsvc.generate import generate

    with tempfile.TemporaryDirectory(prefix="graphsvc-bench-") as scratch:
        root = args.keep or Path(scratch)
        feed, data = root / "feed", root / "data"
        if not (feed / "truth.json").exists():
            generate(feed, items=args.items, seed=args.seed)
        parsed = _phase("parse", str(feed))
        loaded = _phase("load", str(feed), str(data))
        reopened = _phase("reopen", str(data))

    parse_rate = parsed["records"] / parsed["seconds"]
    load_rate = loaded["records"] / loaded["seconds"]
    print(f"items generated      {args.items:>12,}")
    print(f"records              {int(parsed['records']):>12,}")
    print(f"parse only           {parse_rate:>12,.0f} records/s   (baseline)")
    print(
        f"load                 {load_rate:>12,.0f} records/s   "
        f"ratio {load_rate / parse_rate:.3f}"
    )
    print(
        f"findings             {loaded['items'] / loaded['findings_seconds']:>12,.0f}"
        f" items/s     ({loaded['findings_seconds']:.1f} s)"
    )
    print(f"reopen               {reopened['seconds']:>12.1f} s")
    print(
        f"peak memory          parse {parsed['peak_mib']:,.0f} MiB, "
        f"load {loaded['peak_mib']:,.0f} MiB, reopen {reopened['peak_mib']:,.0f} MiB"
    )


if __name__ == "__main__":
    main()
