"""The embedded store owns its directory, and a killed load loses no committed batch.

The store-independent durability tests are in test_store_contract.py.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

import pytest

from graphsvc.errors import DataDirLocked
from graphsvc.store.embedded import DB_FILE, EmbeddedStore


def test_a_data_directory_has_one_owner(store: EmbeddedStore) -> None:
    with pytest.raises(DataDirLocked, match="in use by another graphsvc process"):
        EmbeddedStore(store.data_dir)


def count_brands(db: Path) -> int:
    """Brands committed so far, read beside the running loader (0 before its schema)."""
    if not db.exists():
        return 0
    with closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as conn:
        try:
            (n,) = conn.execute(
                "SELECT count(*) FROM nodes WHERE label = 'Brand'"
            ).fetchone()
        except sqlite3.OperationalError:
            return 0
    return int(n)


@pytest.mark.slow
def test_a_killed_load_leaves_whole_batches_and_a_rerun_finishes(
    tmp_path: Path,
) -> None:
    total, batch = 40_000, 1_000
    feed = tmp_path / "brands.jsonl"
    feed.write_text(
        "".join(
            json.dumps({"kind": "brand", "id": f"B{n:06d}", "name": f"Brand {n}"})
            + "\n"
            for n in range(total)
        )
    )
    data = tmp_path / "data"
    command = [
        sys.executable,
        "-m",
        "graphsvc",
        "load",
        "--data-dir",
        str(data),
        "--batch-size",
        str(batch),
        str(feed),
    ]

    loader = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if count_brands(data / DB_FILE) >= 3 * batch:
            break
        time.sleep(0.005)
    os.kill(loader.pid, signal.SIGKILL)
    loader.wait()
    killed_at = count_brands(data / DB_FILE)

    rerun = subprocess.run(command, capture_output=True, text=True, check=False)

    assert loader.returncode == -signal.SIGKILL
    assert killed_at % batch == 0
    assert 3 * batch <= killed_at < total
    assert rerun.returncode == 0, rerun.stderr
    store = EmbeddedStore(data)
    assert store.counts().nodes == {"Brand": total}
    assert [n.id for n in store.nodes("Brand")][:2] == ["B000000", "B000001"]
    store.close()
    assert f"{'brand':<16}{total - killed_at:>10}{0:>10}{killed_at:>10}" in rerun.stdout
