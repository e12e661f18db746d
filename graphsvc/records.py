"""Validated records: what a loader hands a store to write."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

Value = str | float | date | datetime | tuple[str, ...]
"""A validated field value: text, number, date, instant or a list of strings."""


@dataclass(frozen=True, slots=True)
class Source:
    """Where a record came from: a file (or upload) name and its line or CSV row."""

    name: str
    line: int

    def __str__(self) -> str:
        return f"{self.name}:{self.line}"


@dataclass(frozen=True, slots=True)
class Record:
    """One feed record, checked against the model and ready to upsert.

    `values` holds only the fields the record carried; a store overwrites those and
    keeps the rest. For `shipment_item` records, `key` is the shipment's id and
    `values` holds `shipment` and `item`. `withdrawn` names ids that the record takes
    out of list fields (and their relationships): only a retracted EPCIS event does.
    """

    kind: str
    key: str
    values: dict[str, Value]
    extra: dict[str, object] = field(default_factory=dict)
    source: Source | None = None
    withdrawn: dict[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Rejection:
    """A record that was not loaded, the field at fault and why."""

    source: Source
    reason: str
    field: str | None = None
    raw: str = ""
    """The record as it was sent (a JSON line, or a CSV row re-encoded as CSV)."""
    header: str | None = None
    """For a CSV row, the file's header line, so rejects can be re-sent as a file."""

    def __str__(self) -> str:
        return f"{self.source}: {self.reason}"
