"""Capture jobs: what became of an EPCIS document sent to the capture interface.

A job is saved as `running` when the document is accepted, and saved again with its
outcome when the document has been loaded; both stores keep it as one JSON value
beside its id, so that the outcome survives a restart.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, Final, Literal

Behaviour = Literal["rollback", "proceed"]
BEHAVIOURS: Final[tuple[Behaviour, ...]] = ("rollback", "proceed")
Status = Literal["running", "success", "partial", "failed"]


@dataclass(frozen=True)
class CaptureError:
    """Why an event, or the whole document, was not loaded.

    `position` is the event's 1-based place in the document, None when the document
    as a whole was refused; `field` names the value at fault when one is known.
    """

    reason: str
    position: int | None = None
    field: str | None = None


@dataclass(frozen=True)
class CaptureJob:
    """One capture request and its outcome.

    `counts` says what the load did (events loaded, duplicates, rejected, as the
    loader counts them); `errors` lists each rejected event, in document order.
    """

    id: str
    created_at: datetime
    behaviour: Behaviour
    running: bool = True
    success: bool = False
    finished_at: datetime | None = None
    counts: Mapping[str, int] = field(default_factory=dict)
    errors: tuple[CaptureError, ...] = ()

    @property
    def status(self) -> Status:
        if self.running:
            return "running"
        if self.success:
            return "success"
        # With `proceed`, valid events load beside the rejected ones: a client must
        # not read that as "nothing loaded" and send the document again.
        kept = self.counts.get("new", 0) + self.counts.get("duplicate", 0)
        return "partial" if kept else "failed"

    def finished(
        self,
        *,
        success: bool,
        counts: Mapping[str, int],
        errors: tuple[CaptureError, ...] = (),
        at: datetime | None = None,
    ) -> CaptureJob:
        """This job, done, with its outcome."""
        return replace(
            self,
            running=False,
            success=success,
            finished_at=at or datetime.now(UTC),
            counts=dict(counts),
            errors=errors,
        )


def job_to_json(job: CaptureJob) -> str:
    """The job as the JSON text both stores keep."""
    data = {
        "id": job.id,
        "created_at": job.created_at.isoformat(),
        "behaviour": job.behaviour,
        "running": job.running,
        "success": job.success,
        "finished_at": job.finished_at.isoformat() if job.finished_at else None,
        "counts": dict(job.counts),
        "errors": [
            {"reason": e.reason, "position": e.position, "field": e.field}
            for e in job.errors
        ],
    }
    return json.dumps(data, ensure_ascii=False, sort_keys=True)


def job_from_json(text: str) -> CaptureJob:
    """The job saved as `text` by `job_to_json`."""
    data: dict[str, Any] = json.loads(text)
    finished = data["finished_at"]
    return CaptureJob(
        id=data["id"],
        created_at=datetime.fromisoformat(data["created_at"]),
        behaviour=data["behaviour"],
        running=data["running"],
        success=data["success"],
        finished_at=datetime.fromisoformat(finished) if finished else None,
        counts=data["counts"],
        errors=tuple(
            CaptureError(e["reason"], e["position"], e["field"]) for e in data["errors"]
        ),
    )
