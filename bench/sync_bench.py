"""How fast a sync skips what it loaded before, beside merely listing the folder.

    python bench/sync_bench.py [--files N] [--size BYTES]

Writes N small feed files into a drop folder and syncs them once into an empty
embedded store, then measures, per thousand files:

- list: walking the folder and `stat`-ing every file, nothing else (the baseline);
- skip: a second sync pass, which finds every file known (hashes cached);
- rehash: the same pass after deleting the hash cache, which reads every file.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from graphsvc.store.embedded import EmbeddedStore
from loaders.sync import HashCache, sync_once


def timed(work: Callable[[], object]) -> float:
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


def list_only(folder: Path) -> int:
    count = 0
    for root, _, names in os.walk(folder):
        for name in names:
            Path(root, name).stat()
            count += 1
    return count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=5_000)
    parser.add_argument("--size", type=int, default=2_000, help="bytes per file")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as work_dir:
        work = Path(work_dir)
        folder = work / "partner"
        for n in range(args.files):
            path = folder / f"day-{n // 500:03d}" / f"feed-{n:06d}.jsonl"
            path.parent.mkdir(parents=True, exist_ok=True)
            record = {"kind": "brand", "id": f"B{n}", "name": "x" * args.size}
            path.write_text(json.dumps(record) + "\n")
        cache_path = work / "hashes.json"
        store = EmbeddedStore(work / "data")
        try:
            first = timed(
                lambda: sync_once(
                    store, [folder], cache=HashCache(cache_path), loads_dir=work
                )
            )
            listing = min(timed(lambda: list_only(folder)) for _ in range(3))
            skip = min(
                timed(
                    lambda: sync_once(
                        store, [folder], cache=HashCache(cache_path), loads_dir=work
                    )
                )
                for _ in range(3)
            )
            cache_path.unlink()
            rehash = timed(
                lambda: sync_once(
                    store, [folder], cache=HashCache(cache_path), loads_dir=work
                )
            )
        finally:
            store.close()

    per_k = 1_000 / args.files
    print(f"files: {args.files} of {args.size} bytes")
    print(f"first sync, loading every file: {first:.2f} s")
    print(f"list (walk and stat), per 1,000 files: {listing * per_k * 1000:.1f} ms")
    print(f"skip (cached hashes), per 1,000 files: {skip * per_k * 1000:.1f} ms")
    print(f"rehash (no cache), per 1,000 files: {rehash * per_k * 1000:.1f} ms")


if __name__ == "__main__":
    main()
