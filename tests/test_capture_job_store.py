"""Capture jobs kept by each store: saved, replaced, found again after reopening."""

from __future__ import annotations

from datetime import UTC, datetime

from conftest_stores import Stores

from graphsvc.store.base import Store
from graphsvc.store.jobs import CaptureError, CaptureJob

CREATED = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
FINISHED = datetime(2026, 3, 1, 8, 0, 5, 250000, tzinfo=UTC)


def _job(job_id: str, minute: int = 0) -> CaptureJob:
    return CaptureJob(job_id, CREATED.replace(minute=minute), "rollback")


def test_a_job_is_saved_running_then_replaced_by_its_outcome(
    any_store: Store,
) -> None:
    running = _job("c1")
    any_store.save_capture_job(running)

    assert any_store.capture_job("c1") == running
    assert any_store.capture_job("c1").status == "running"  # type: ignore[union-attr]

    done = running.finished(
        success=False,
        counts={"events": 1, "rejected": 1},
        errors=(CaptureError("unknown action 'FOO'", 2, "action"),),
        at=FINISHED,
    )
    any_store.save_capture_job(done)

    found = any_store.capture_job("c1")
    assert found == done
    assert found is not None
    assert (found.status, found.finished_at) == ("failed", FINISHED)
    assert found.errors == (CaptureError("unknown action 'FOO'", 2, "action"),)
    assert any_store.capture_job("c2") is None


def test_running_jobs_are_listed_oldest_first_and_survive_reopening(
    stores: Stores,
) -> None:
    store = stores.open()
    store.save_capture_job(_job("late", minute=9))
    store.save_capture_job(_job("early", minute=1))
    store.save_capture_job(
        _job("done", minute=5).finished(success=True, counts={"events": 3})
    )
    stores.close(store)

    reopened = stores.open()

    assert [j.id for j in reopened.running_capture_jobs()] == ["early", "late"]
    done = reopened.capture_job("done")
    assert done is not None
    assert (done.status, dict(done.counts)) == ("success", {"events": 3})
