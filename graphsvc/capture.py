"""The EPCIS capture queue: documents accepted over HTTP, loaded one at a time.

A captured document is answered at once with a job; a thread of its own loads it
into the store, brings findings up to date and saves the job's outcome. The queue is
bounded, so that a burst of large documents is refused (and may be sent again) rather
than held in memory. Jobs that a stopped service left running are marked failed at
the next start: their documents were only in memory.
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
import queue
import threading
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import BinaryIO, Final

from graphsvc.errors import ConfigError, GraphsvcError, InvalidInput, Overloaded
from graphsvc.investigation import Investigation
from graphsvc.store.base import Store
from graphsvc.store.jobs import Behaviour, CaptureError, CaptureJob
from loaders.epcis.ingest import (
    BATCH_SIZE,
    DocumentBroken,
    EpcisReport,
    ingest_epcis,
)
from loaders.history import FileDigest, record_load

log = logging.getLogger(__name__)

MAX_BYTES: Final = 64 * 1024 * 1024
"""Default bound on one captured document (GRAPHSVC_CAPTURE_MAX_BYTES)."""
QUEUE_SIZE: Final = 4
"""Default number of documents waiting to be loaded (GRAPHSVC_CAPTURE_QUEUE)."""
STOP_SECONDS: Final = 120.0
"""How long stopping waits for the document being loaded."""
INTERRUPTED: Final = (
    "the service stopped before this capture was finished, perhaps after its events"
    " were stored; send it again to be sure (events already stored are kept once)"
)
"""Why a capture the service was running when it stopped failed.

The job's state is written after the document's transaction commits, so a stop
between the two leaves the events stored under a failed job."""


@dataclass(frozen=True)
class LoadOutcome:
    """What loading one document did: counts by name, and each rejected event.

    `written` counts the graph records written per kind, for the load history;
    `rolled_back` says that a rejection kept the whole document out.
    """

    counts: Mapping[str, int]
    errors: tuple[CaptureError, ...]
    written: Mapping[str, int] = field(default_factory=dict)
    rolled_back: bool = False


Ingest = Callable[[Store, BinaryIO, str, bool], LoadOutcome]
"""Loads one document (store, bytes, name, all-or-nothing) and says what it did."""


def ingest_document(
    store: Store,
    source: BinaryIO,
    name: str,
    all_or_nothing: bool,
    *,
    batch_size: int = BATCH_SIZE,
) -> LoadOutcome:
    """Load an EPCIS document with `ingest_epcis`; its report as counts and errors.

    Raises DocumentBroken, with what was kept, for a document that breaks off.
    """
    report = ingest_epcis(
        store, source, name, all_or_nothing=all_or_nothing, batch_size=batch_size
    )
    return outcome_of(report)


def outcome_of(report: EpcisReport) -> LoadOutcome:
    """A report of `ingest_epcis` as counts and errors."""
    counts = {
        "read": report.read,
        "new": report.new,
        "duplicate": report.duplicate,
        "retracted": report.retracted,
        "rejected": len(report.rejected),
    }
    errors = tuple(CaptureError(r.reason, r.position, r.field) for r in report.rejected)
    return LoadOutcome(counts, errors, dict(report.written), report.aborted)


@dataclass(frozen=True)
class CaptureSettings:
    """Bounds of the capture interface, from the environment."""

    max_bytes: int = MAX_BYTES
    queue_size: int = QUEUE_SIZE

    @classmethod
    def from_env(cls) -> CaptureSettings:
        """`GRAPHSVC_CAPTURE_MAX_BYTES` and `GRAPHSVC_CAPTURE_QUEUE`, else defaults."""
        return cls(
            max_bytes=_positive("GRAPHSVC_CAPTURE_MAX_BYTES", MAX_BYTES),
            queue_size=_positive("GRAPHSVC_CAPTURE_QUEUE", QUEUE_SIZE),
        )


def _positive(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None:
        return default
    if not value.isdigit() or int(value) < 1:
        raise ConfigError(f"{name} must be a whole number of 1 or more, not {value!r}")
    return int(value)


class CaptureWorker:
    """Loads captured documents in the order they came, in one background thread.

    >>> worker = CaptureWorker(investigation, queue_size=4)  # doctest: +SKIP
    >>> worker.start()  # doctest: +SKIP
    >>> job = worker.submit(document_bytes, "rollback")  # doctest: +SKIP
    >>> worker.stop()  # doctest: +SKIP
    """

    def __init__(
        self,
        investigation: Investigation,
        *,
        queue_size: int,
        ingest: Ingest = ingest_document,
    ) -> None:
        self.investigation = investigation
        self._ingest = ingest
        self._queue: queue.Queue[tuple[CaptureJob, bytes]] = queue.Queue(queue_size)
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def store(self) -> Store:
        return self.investigation.store

    @property
    def stopping(self) -> bool:
        """True once `stop` was called: no document is taken any more."""
        return self._stopping.is_set()

    def start(self) -> None:
        """Fail the jobs a stopped service left running, then start loading."""
        for job in self.store.running_capture_jobs():
            self._fail(job, INTERRUPTED)
        self._thread = threading.Thread(
            target=self._run, name="epcis-capture", daemon=True
        )
        self._thread.start()

    def submit(self, document: bytes, behaviour: Behaviour) -> CaptureJob:
        """Save a running job for `document` and queue it; Overloaded when full."""
        job = CaptureJob(uuid.uuid4().hex, datetime.now(UTC), behaviour)
        # The check, the save and the put happen together, so that no job is saved
        # as running without its document queued.
        with self._lock:
            if self._stopping.is_set():
                raise Overloaded("the service is stopping; send the document again")
            if self._queue.full():
                raise Overloaded(
                    f"{self._queue.maxsize} documents are waiting to be loaded; "
                    "send this one again later"
                )
            self.store.save_capture_job(job)
            self._queue.put_nowait((job, document))
        log.info(
            "capture.accepted job=%s bytes=%d behaviour=%s",
            job.id,
            len(document),
            behaviour,
        )
        return job

    def stop(self, timeout: float = STOP_SECONDS) -> None:
        """Finish the document being loaded; fail those still waiting."""
        with self._lock:
            self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout)
            if self._thread.is_alive():
                log.warning("capture.stop_timeout seconds=%.0f", timeout)
        while True:
            try:
                job, _ = self._queue.get_nowait()
            except queue.Empty:
                return
            self._fail(job, INTERRUPTED)

    def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                job, document = self._queue.get(timeout=0.2)
            except queue.Empty:
                continue
            self._load(job, document)

    def _load(self, job: CaptureJob, document: bytes) -> None:
        name = f"capture {job.id}"
        rollback = job.behaviour == "rollback"
        started = datetime.now(UTC)
        try:
            outcome = self._ingest(self.store, io.BytesIO(document), name, rollback)
            self.investigation.refresh()
        except DocumentBroken as err:
            self._broken(job, document, started, err)
            return
        except InvalidInput as err:
            self._record(job, document, started, failure=str(err))
            self._finish(
                job, counts={}, errors=(CaptureError(str(err), None, err.field),)
            )
            return
        except GraphsvcError as err:
            log.warning("capture.failed job=%s error=%s", job.id, err)
            self._finish(job, counts={}, errors=(CaptureError(str(err)),))
            return
        except Exception:
            log.exception("capture.crashed job=%s", job.id)
            self._finish(
                job,
                counts={},
                errors=(CaptureError("an internal error stopped the load"),),
            )
            return
        failure = None
        if outcome.rolled_back:
            count = len(outcome.errors)
            failure = f"rolled back for {count} rejected event{'s' * (count != 1)}"
        self._conclude(job, document, started, outcome, failure, outcome.errors)

    def _broken(
        self, job: CaptureJob, document: bytes, started: datetime, err: DocumentBroken
    ) -> None:
        """Finish a document that broke off: the events before the break stay, so the
        job counts them (a `partial` status when some were kept)."""
        outcome = outcome_of(err.report)
        try:
            self.investigation.refresh()
        except GraphsvcError as refresh_err:
            log.warning("capture.unrefreshed job=%s error=%s", job.id, refresh_err)
        errors = (*outcome.errors, CaptureError(str(err), None, err.field))
        self._conclude(job, document, started, outcome, str(err), errors)

    def _conclude(
        self,
        job: CaptureJob,
        document: bytes,
        started: datetime,
        outcome: LoadOutcome,
        failure: str | None,
        errors: tuple[CaptureError, ...],
    ) -> None:
        """Record what loading the document did, then finish its job with `errors`."""
        self._record(
            job,
            document,
            started,
            written=outcome.written,
            rejected=len(outcome.errors),
            failure=failure,
        )
        self._finish(job, counts=outcome.counts, errors=errors)

    def _record(
        self,
        job: CaptureJob,
        document: bytes,
        started: datetime,
        *,
        written: Mapping[str, int] | None = None,
        rejected: int = 0,
        failure: str | None = None,
    ) -> None:
        """Add the capture to the load history, under the source `capture`."""
        digest = FileDigest(hashlib.sha256(document).hexdigest(), len(document))
        try:
            record_load(
                self.store,
                source="capture",
                file_name=f"capture {job.id}",
                digest=digest,
                started=started,
                counts=written or {},
                rejected=rejected,
                failure=failure,
            )
        except GraphsvcError as err:
            log.error("capture.unrecorded job=%s error=%s", job.id, err)

    def _finish(
        self,
        job: CaptureJob,
        *,
        counts: Mapping[str, int],
        errors: tuple[CaptureError, ...],
    ) -> None:
        done = job.finished(success=not errors, counts=counts, errors=errors)
        try:
            self.store.save_capture_job(done)
        except GraphsvcError as err:
            log.error("capture.unsaved job=%s error=%s", job.id, err)
            return
        log.info(
            "capture.finished job=%s status=%s errors=%d",
            job.id,
            done.status,
            len(errors),
        )

    def _fail(self, job: CaptureJob, reason: str) -> None:
        self._finish(job, counts={}, errors=(CaptureError(reason),))
