"""The load history: one record per file loaded (or tried), kept in the store.

Every way data comes in (`graphsvc load`, `graphsvc sync`, an upload, an EPCIS
capture) ends with a `LoadRecord`, so that "we sent it" can be checked: which file,
with which content, when, and what became of its records.
"""

from __future__ import annotations

import enum
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final

from graphsvc.errors import InvalidArgument
from graphsvc.instants import to_utc

ID_TIME: Final = "%Y%m%dT%H%M%S%fZ"
"""The time part of a load id: ids sort as their loads started."""


class LoadOutcome(enum.Enum):
    """How a load ended."""

    LOADED = "loaded"
    LOADED_WITH_REJECTIONS = "loaded_with_rejections"
    FAILED = "failed"


@dataclass(frozen=True)
class LoadRecord:
    """One file's load: what came in, when, and what became of it.

    `counts` holds the records written per kind (new, updated or unchanged alike), so
    that loading a file again after an interruption records the same counts.
    `content_hash` is the SHA-256 of the file's bytes as delivered (compressed if it
    was); it is None only when the file could not be read. `reason` says why a load
    failed; `rejects_file` is where its rejected records were written.
    """

    id: str
    source: str
    file_name: str
    content_hash: str | None
    size: int | None
    started: datetime
    finished: datetime
    counts: Mapping[str, int]
    rejected: int
    outcome: LoadOutcome
    reason: str | None = None
    rejects_file: str | None = None

    @property
    def succeeded(self) -> bool:
        return self.outcome is not LoadOutcome.FAILED

    def to_json(self) -> dict[str, Any]:
        """The record as JSON-compatible data (the upload endpoint's answer)."""
        return {
            "id": self.id,
            "source": self.source,
            "file_name": self.file_name,
            "content_hash": self.content_hash,
            "size": self.size,
            "started": self.started.isoformat(),
            "finished": self.finished.isoformat(),
            "counts": dict(sorted(self.counts.items())),
            "rejected": self.rejected,
            "outcome": self.outcome.value,
            "reason": self.reason,
            "rejects_file": self.rejects_file,
        }


def utc_text(moment: datetime) -> str:
    """`moment` in UTC as fixed-width ISO 8601 text, which sorts as time does."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def new_load_id(started: datetime) -> str:
    """A fresh load id that sorts by `started`, then at random."""
    return f"{started.astimezone(UTC).strftime(ID_TIME)}-{secrets.token_hex(4)}"


def outcome_of(rejected: int, failure: str | None) -> LoadOutcome:
    """The outcome of a load that rejected `rejected` records and maybe failed."""
    if failure is not None:
        return LoadOutcome.FAILED
    return LoadOutcome.LOADED_WITH_REJECTIONS if rejected else LoadOutcome.LOADED


@dataclass(frozen=True)
class LoadQuery:
    """Which loads to list: every filter given must match."""

    source: str | None = None
    since: datetime | None = None
    """Loads that started at or after this time."""

    def __post_init__(self) -> None:
        if self.since is None:
            return
        try:
            to_utc(self.since)
        except ValueError as err:
            raise InvalidArgument("since", f"{self.since.isoformat()} {err}") from None


@dataclass(frozen=True)
class SourceFreshness:
    """When a source last loaded successfully (None: never) and last tried at all."""

    source: str
    last_loaded: datetime | None
    last_attempt: datetime
