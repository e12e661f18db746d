"""Stopping a sync: SIGTERM ends `--watch` cleanly; a stop ends a pass after a batch."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Collection, Sequence
from pathlib import Path
from typing import cast

import pytest

from graphsvc.records import Record
from graphsvc.store.base import BatchResult, NodeKey, Store
from graphsvc.store.embedded import EmbeddedStore
from graphsvc.store.loads import LoadQuery
from loaders.sync import HashCache, sync_once


def brands(*ids: str) -> str:
    lines = (json.dumps({"kind": "brand", "id": i, "name": i}) for i in ids)
    return "".join(line + "\n" for line in lines)


class StopAfterWrites:
    """A store that asks the sync to stop once it has written `writes` batches."""

    def __init__(self, store: Store, stop: threading.Event, writes: int) -> None:
        self.store = store
        self.stop = stop
        self.writes = writes

    def write(
        self, records: Sequence[Record], retire: Collection[NodeKey] = ()
    ) -> BatchResult:
        result = self.store.write(records, retire)
        self.writes -= 1
        if self.writes == 0:
            self.stop.set()
        return result

    def __getattr__(self, name: str) -> object:
        return getattr(self.store, name)


def test_a_stop_ends_the_pass_after_the_batch_being_written(tmp_path: Path) -> None:
    folder = tmp_path / "drop"
    folder.mkdir()
    (folder / "a.jsonl").write_text(brands("B1", "B2", "B3"))
    (folder / "b.jsonl").write_text(brands("B4"))
    cache = HashCache(tmp_path / "hashes.json")
    store = EmbeddedStore(tmp_path / "data")
    stop = threading.Event()
    stopping = cast(Store, StopAfterWrites(store, stop, writes=2))

    stopped = sync_once(
        stopping, [folder], cache=cache, loads_dir=tmp_path, batch_size=1, stop=stop
    )
    written = [n.id for n in store.nodes("Brand")]
    finished = sync_once(store, [folder], cache=cache, loads_dir=tmp_path)

    assert stopped.interrupted
    assert stopped.records == []
    assert stopped.render() == (
        "sync: 2 files, 0 loaded, 0 already loaded, 0 failed; 2 records written,"
        " 0 rejected; interrupted, the rest is left for the next run (2 of the"
        " records are of a file cut short)"
    )
    assert written == ["B1", "B2"]
    assert [r.file_name for r in finished.records] == ["a.jsonl", "b.jsonl"]
    assert [r.counts for r in finished.records] == [{"brand": 3}, {"brand": 1}]
    assert [n.id for n in store.nodes("Brand")] == ["B1", "B2", "B3", "B4"]
    store.close()


def wait_for(path: Path, text: str, count: int = 1) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if path.exists() and path.read_text().count(text) >= count:
            return
        time.sleep(0.05)
    pytest.fail(f"{text!r} did not appear {count} times in {path.read_text()}")


@pytest.mark.slow
def test_sigterm_ends_a_watching_sync_cleanly(tmp_path: Path) -> None:
    folder, data, out = tmp_path / "drop", tmp_path / "data", tmp_path / "out.txt"
    folder.mkdir()
    (folder / "a.jsonl").write_text(brands("B1"))
    command = [sys.executable, "-m", "graphsvc", "sync", "--data-dir", str(data)]
    with out.open("w") as stdout:
        process = subprocess.Popen(
            [*command, "--watch", "--interval", "0.2", str(folder)],
            stdout=stdout,
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_for(out, "1 loaded")
            (folder / "b.jsonl").write_text(brands("B2"))
            wait_for(out, "1 loaded", count=2)
            wait_for(out, "2 already loaded")

            process.send_signal(signal.SIGTERM)
            code = process.wait(timeout=30)
        finally:
            process.kill()
            process.wait()

    store = EmbeddedStore(data)
    loads = store.loads(LoadQuery())
    store.close()
    assert code == 0
    assert [r.file_name for r in reversed(loads)] == ["a.jsonl", "b.jsonl"]
