"""A sync killed at random points, then run again, ends as one clean run ends."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from graphsvc.generate import generate
from graphsvc.model import NODE_TYPES
from graphsvc.store.base import Edge, Node
from graphsvc.store.embedded import EmbeddedStore
from graphsvc.store.loads import LoadQuery

KILLS = 20
SEED = 8
BATCH = "40"

History = list[tuple[object, ...]]


def sync(data: Path, folder: Path) -> subprocess.Popen[bytes]:
    log = (data.parent / f"{data.name}.log").open("ab")
    command = [sys.executable, "-m", "graphsvc", "sync", "--data-dir", str(data)]
    return subprocess.Popen(
        [*command, "--batch-size", BATCH, str(folder)],
        stdout=subprocess.DEVNULL,
        stderr=log,
    )


def wait_until_open(data: Path, process: subprocess.Popen[bytes]) -> None:
    """Wait for the store to be open, so that kills land in the sync itself."""
    log = data.parent / f"{data.name}.log"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        if log.exists() and b"store.restored" in log.read_bytes().split(b"sync:")[-1]:
            return
        time.sleep(0.005)


def dump(data: Path) -> tuple[list[Node], list[Edge], History]:
    store = EmbeddedStore(data)
    try:
        nodes = [n for t in NODE_TYPES for n in store.nodes(t.label)]
        edges = list(store.edges())
        loads = store.loads(LoadQuery())
    finally:
        store.close()
    history: History = [
        (
            r.source,
            r.file_name,
            r.content_hash,
            r.size,
            dict(r.counts),
            r.rejected,
            r.outcome,
            r.reason,
        )
        for r in reversed(loads)
    ]
    return nodes, edges, history


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A demo feed as a partner's drop folder, plus a rejected record and a copy."""
    folder = tmp_path_factory.mktemp("kill") / "partner-k"
    generate(folder, items=300, seed=SEED)
    (folder / "late.jsonl").write_text(
        json.dumps({"kind": "brand", "id": "BR-LATE", "name": "Late"})
        + "\n"
        + json.dumps({"kind": "site", "id": "SI-NOWHERE"})
        + "\n"
    )
    copy = folder / "again" / "brands.csv"
    copy.parent.mkdir()
    copy.write_bytes((folder / "brands.csv").read_bytes())
    for n, path in enumerate(sorted(folder.rglob("*"))):
        os.utime(path, (1_000 + n, 1_000 + n))
    os.utime(copy, (9_000, 9_000))
    return folder


@pytest.mark.slow
def test_killed_syncs_rerun_end_like_one_clean_run(
    folder: Path, tmp_path: Path
) -> None:
    clean_dir = tmp_path / "clean"
    clean = sync(clean_dir, folder)
    wait_until_open(clean_dir, clean)
    opened = time.monotonic()
    assert clean.wait(timeout=120) == 1  # late.jsonl has a rejected record
    window = time.monotonic() - opened
    expected = dump(clean_dir)
    rng = random.Random(SEED)
    killed_at: list[float] = []
    recorded_when_killed: set[int] = set()

    n = 0
    while len(killed_at) < KILLS:
        # A kill that comes after the sync ended misses; try again until 20 land.
        assert n < 3 * KILLS, f"only {len(killed_at)} kills landed in {n} runs"
        data = tmp_path / f"run-{n}"
        for _ in range(rng.randint(1, 2)):
            victim = sync(data, folder)
            wait_until_open(data, victim)
            # Spread over the window, so that kills land before, between and
            # after files whatever the machine's speed; jittered within a slot.
            slot = len(killed_at) % KILLS
            delay = window * (slot + rng.random()) / KILLS
            time.sleep(delay)
            victim.send_signal(signal.SIGKILL)
            if victim.wait() == -signal.SIGKILL:
                killed_at.append(delay)
                recorded_when_killed.add(len(dump(data)[2]))
        assert sync(data, folder).wait(timeout=120) in (0, 1)

        assert dump(data) == expected, f"run {n}, last killed at {delay:.3f} s"
        n += 1

    # The kills landed at different stages: before, between and after files loaded.
    assert len(recorded_when_killed) >= 3
    files = [h[1] for h in expected[2]]
    assert len(files) == len(set(files)) == 9
    assert "again/brands.csv" not in files
