"""The capture worker's queue: bounded, drained at stop, recovered at start."""

from __future__ import annotations

import functools
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import BinaryIO

import pytest

from graphsvc.capture import INTERRUPTED, CaptureWorker, LoadOutcome, ingest_document
from graphsvc.errors import Overloaded
from graphsvc.investigation import Investigation
from graphsvc.store.base import EventQuery, Store
from graphsvc.store.embedded import EmbeddedStore
from graphsvc.store.jobs import CaptureError, CaptureJob

WAIT = 10.0


class GatedIngest:
    """An ingest that holds each document until the test opens the gate."""

    def __init__(self) -> None:
        self.started = threading.Event()
        self.gate = threading.Event()
        self.names: list[str] = []

    def __call__(
        self, store: Store, source: BinaryIO, name: str, all_or_nothing: bool
    ) -> LoadOutcome:
        self.names.append(name)
        self.started.set()
        assert self.gate.wait(WAIT)
        return LoadOutcome({"new": len(source.read())}, ())


@pytest.fixture
def ingest() -> Iterator[GatedIngest]:
    gated = GatedIngest()
    yield gated
    gated.gate.set()


def test_jobs_a_stopped_service_left_running_are_failed_at_start(
    store: EmbeddedStore, ingest: GatedIngest
) -> None:
    left = CaptureJob("left", datetime(2026, 3, 1, tzinfo=UTC), "proceed")
    store.save_capture_job(left)
    worker = CaptureWorker(Investigation(store), queue_size=1, ingest=ingest)

    worker.start()
    worker.stop()

    found = store.capture_job("left")
    assert found is not None
    assert (found.status, found.behaviour) == ("failed", "proceed")
    assert found.errors == (CaptureError(INTERRUPTED),)
    assert store.running_capture_jobs() == []


def test_a_full_queue_refuses_a_document_without_saving_a_job(
    store: EmbeddedStore, ingest: GatedIngest
) -> None:
    worker = CaptureWorker(Investigation(store), queue_size=1, ingest=ingest)
    worker.start()
    loading = worker.submit(b"12345", "rollback")
    assert ingest.started.wait(WAIT)
    waiting = worker.submit(b"123", "rollback")

    with pytest.raises(Overloaded, match="1 documents are waiting to be loaded"):
        worker.submit(b"1", "rollback")

    assert [j.id for j in store.running_capture_jobs()] == [loading.id, waiting.id]
    ingest.gate.set()
    deadline = time.monotonic() + WAIT
    while store.running_capture_jobs() and time.monotonic() < deadline:
        time.sleep(0.01)
    worker.stop()
    for job, size in ((loading, 5), (waiting, 3)):
        done = store.capture_job(job.id)
        assert done is not None
        assert (done.status, dict(done.counts)) == ("success", {"new": size})
    assert ingest.names == [f"capture {loading.id}", f"capture {waiting.id}"]


def test_stopping_finishes_the_loading_document_and_fails_the_waiting_ones(
    store: EmbeddedStore, ingest: GatedIngest
) -> None:
    worker = CaptureWorker(Investigation(store), queue_size=2, ingest=ingest)
    worker.start()
    loading = worker.submit(b"12345", "rollback")
    assert ingest.started.wait(WAIT)
    waiting = worker.submit(b"123", "proceed")

    stopping = threading.Thread(target=worker.stop)
    stopping.start()
    deadline = time.monotonic() + WAIT
    while not worker.stopping and time.monotonic() < deadline:
        time.sleep(0.01)
    ingest.gate.set()
    stopping.join(WAIT)

    assert not stopping.is_alive()
    done, dropped = store.capture_job(loading.id), store.capture_job(waiting.id)
    assert done is not None
    assert dropped is not None
    assert done.status == "success"
    assert (dropped.status, dropped.errors) == ("failed", (CaptureError(INTERRUPTED),))
    with pytest.raises(Overloaded, match="the service is stopping"):
        worker.submit(b"1", "rollback")


def test_a_document_breaking_off_counts_the_events_kept_before_the_break(
    store: EmbeddedStore,
) -> None:
    observed = (
        '{"type": "ObjectEvent", "eventTime": "2024-02-01T10:00:00Z", '
        '"eventTimeZoneOffset": "+00:00", "action": "OBSERVE", '
        '"epcList": ["urn:epc:id:sgtin:0614141.107346.%d"], '
        '"readPoint": {"id": "urn:epc:id:sgln:0614141.00777.0"}}'
    )
    document = (
        '{"@context": ["https://ref.gs1.org/standards/epcis/epcis-context.jsonld"], '
        '"type": "EPCISDocument", "schemaVersion": "2.0", '
        '"creationDate": "2024-01-01T00:00:00Z", "epcisBody": {"eventList": ['
        + ", ".join(observed % serial for serial in (1, 2, 3))
        + ', {"type": "ObjectEvent", "eventTime": '
    ).encode()
    worker = CaptureWorker(
        Investigation(store),
        queue_size=1,
        ingest=functools.partial(ingest_document, batch_size=2),
    )
    worker.start()

    job = worker.submit(document, "proceed")
    worker.stop()

    done = store.capture_job(job.id)
    assert done is not None
    assert done.status == "partial"
    assert done.counts == {
        "read": 3,
        "new": 2,
        "duplicate": 0,
        "retracted": 0,
        "rejected": 0,
    }
    assert done.errors == (
        CaptureError(
            f"capture {job.id}: not valid JSON after event 3: Expecting value at "
            "line 1, column 896",
        ),
    )
    assert len(store.events(EventQuery(), 10)) == 2
