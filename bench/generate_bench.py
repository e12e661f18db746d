"""How fast the demo generator writes, and how much memory it holds while doing so.

    python bench/generate_bench.py 1000000 --out /tmp/demo

Prints the records written per second and the peak resident set size. Memory should
not grow with the item count: lots are written as they are made.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

from graphsvc.generate import generate


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("items", type=int, nargs="?", default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, help="keep the files here")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as scratch:
        out = args.out or Path(scratch)
        started = time.perf_counter()
        summary = generate(out, args.items, args.seed)
        seconds = time.perf_counter() - started
        size = sum(path.stat().st_size for path in out.iterdir())

    records = sum(summary.records.values())
    # ru_maxrss is in KiB on Linux, in bytes on macOS.
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    peak_mib = peak / 2**20 if sys.platform == "darwin" else peak / 2**10
    print(summary.render())
    print(f"items          {args.items:>14,}")
    print(f"records        {records:>14,}")
    print(f"seconds        {seconds:>14,.1f}")
    print(f"records/s      {records / seconds:>14,.0f}")
    print(f"items/s        {args.items / seconds:>14,.0f}")
    print(f"output MiB     {size / 2**20:>14,.1f}")
    print(f"peak RSS MiB   {peak_mib:>14,.1f}")


if __name__ == "__main__":
    main()
