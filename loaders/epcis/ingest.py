"""Load one EPCIS document into a store: keep its events, write what they mean.

>>> with open("events.xml", "rb") as source:  # doctest: +SKIP
...     report = ingest_epcis(store, source, "events.xml")
>>> report.to_json()["new"]  # doctest: +SKIP

Events are kept as captured (`Store.save_events`, deduplicated by eventID or hash)
and, when new, turned into graph records (`loaders.epcis.mapping`) written in the
same batch. The graph meaning of each event kind is described in docs/epcis.md.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Final

from graphsvc.errors import InvalidInput
from graphsvc.records import Record
from graphsvc.store.base import BatchResult, Change, Retraction, Store, StoredEvent
from loaders.epcis import ByteStream, EpcisEvent, EventRejection, parse_epcis
from loaders.epcis.document import event_document, rfc3339
from loaders.epcis.mapping import Directory, event_records

log = logging.getLogger(__name__)

BATCH_SIZE: Final = 5_000
"""Events read before their records are written (one transaction) and the events
kept (another): fewer, larger transactions load faster, and memory stays bounded."""


@dataclass
class EpcisReport:
    """What loading one EPCIS document did.

    `read` counts the events that parsed; of those, `new` were kept for the first
    time, `duplicate` had been kept already (by eventID or hash), and `retracted`
    counts error declarations that retracted a kept event or arrived first.
    `written` counts graph records written per record kind. With all-or-nothing,
    `aborted` says that a rejection stopped the whole document.
    """

    document: str
    read: int = 0
    new: int = 0
    duplicate: int = 0
    retracted: int = 0
    rejected: list[EventRejection] = field(default_factory=list)
    written: Counter[str] = field(default_factory=Counter)
    changes: Counter[tuple[str, Change]] = field(default_factory=Counter)
    """What the written records changed, per record kind and change."""
    aborted: bool = False

    @property
    def ok(self) -> bool:
        return not self.rejected

    def to_json(self) -> dict[str, object]:
        """The report as JSON-ready data (the capture interface answers with it)."""
        return {
            "document": self.document,
            "read": self.read,
            "new": self.new,
            "duplicate": self.duplicate,
            "retracted": self.retracted,
            "rejected": [
                {
                    "document": r.document,
                    "position": r.position,
                    "field": r.field,
                    "reason": r.reason,
                }
                for r in self.rejected
            ],
            "written": dict(sorted(self.written.items())),
            "aborted": self.aborted,
        }


class DocumentBroken(InvalidInput):
    """A document broke off after some of its batches were written, which stay.

    `report` says what those batches did; the error's message says where it broke.
    """

    def __init__(self, err: InvalidInput, report: EpcisReport) -> None:
        super().__init__(err.message, err.field)
        self.report = report


def ingest_epcis(
    store: Store,
    source: ByteStream,
    name: str,
    *,
    all_or_nothing: bool = False,
    batch_size: int = BATCH_SIZE,
    after_batch: Callable[[BatchResult], None] | None = None,
) -> EpcisReport:
    """Keep the events of one EPCIS document and write their meaning into the graph.

    Valid events load even when others of the document are rejected, unless
    `all_or_nothing` is set: then one rejection keeps the whole document out (it is
    read to the end first, so its events are held in memory), and its batches are
    written in one `Store.unit`, so that a failure or a killed process leaves none
    of them. Raises InvalidInput when the document cannot be read at all; batches
    written before that stay, and without all-or-nothing the error is a
    DocumentBroken that carries the report of what they did. `after_batch` is
    called with what each graph write changed (to bring findings up to date as a
    load goes); with all-or-nothing, once the whole document is durable.
    """
    report = EpcisReport(name)
    outcomes = parse_epcis(source, name)
    if all_or_nothing:
        held = list(outcomes)
        report.rejected = [o for o in held if isinstance(o, EventRejection)]
        if report.rejected:
            report.aborted = True
            report.read = len(held) - len(report.rejected)
            log.info(
                "epcis.aborted document=%s rejected=%d", name, len(report.rejected)
            )
            return report
        outcomes = iter(held)

    now = datetime.now(UTC)
    directory = Directory.of(store)
    batches = _batches(_events(outcomes, report), batch_size)
    if all_or_nothing:
        written: list[BatchResult] = []
        with store.unit():
            for batch in batches:
                _ingest_batch(store, batch, now, directory, report, written.append)
        if after_batch is not None:
            for result in written:
                after_batch(result)
    else:
        try:
            for batch in batches:
                _ingest_batch(store, batch, now, directory, report, after_batch)
        except InvalidInput as err:
            raise DocumentBroken(err, report) from err
    log.info(
        "epcis.ingested document=%s read=%d new=%d duplicate=%d retracted=%d"
        " rejected=%d",
        name,
        report.read,
        report.new,
        report.duplicate,
        report.retracted,
        len(report.rejected),
    )
    return report


def _events(
    outcomes: Iterable[EpcisEvent | EventRejection], report: EpcisReport
) -> Iterator[EpcisEvent]:
    for outcome in outcomes:
        if isinstance(outcome, EventRejection):
            report.rejected.append(outcome)
        else:
            report.read += 1
            yield outcome


def _batches(events: Iterable[EpcisEvent], size: int) -> Iterator[list[EpcisEvent]]:
    batch: list[EpcisEvent] = []
    for event in events:
        batch.append(event)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _ingest_batch(
    store: Store,
    batch: Sequence[EpcisEvent],
    now: datetime,
    directory: Directory,
    report: EpcisReport,
    after_batch: Callable[[BatchResult], None] | None,
) -> None:
    """Write the meaning of the batch's unseen events and retractions, then keep it.

    The graph is written before the events are kept: if keeping fails, loading the
    document again finds the events unseen and writes the same records again.
    """
    stored = [stored_event(e, now) for e in batch]
    kept = store.events_by_id([s.id for s in stored])
    seen: dict[str, StoredEvent] = {k.id: k for k in kept if k is not None}
    records: list[Record] = []
    for event, keep in zip(batch, stored, strict=True):
        known = seen.get(keep.id)
        if known is None:
            seen[keep.id] = keep
            records += event_records(event, keep.id, directory)
            report.retracted += keep.retraction is not None
        elif keep.retraction is not None and known.retraction is None:
            seen[keep.id] = keep
            records += event_records(event, keep.id, directory)
            report.retracted += 1
    if records:
        result = store.write(records)
        report.written.update(r.kind for r in records)
        report.changes.update(result.changes)
        if after_batch is not None:
            after_batch(result)

    new = store.save_events(stored)
    report.new += sum(new)
    report.duplicate += len(new) - sum(new)


def stored_event(event: EpcisEvent, captured: datetime) -> StoredEvent:
    """The event as a store keeps it; `captured` stands in for a missing recordTime."""
    epcs = [("epc", e) for e in event.epc_list]
    if event.parent_id is not None:
        epcs.append(("parent", event.parent_id))
    epcs += [("child", e) for e in event.child_epcs]
    epcs += [("input", e) for e in event.input_epcs]
    epcs += [("output", e) for e in event.output_epcs]
    declaration = event.error_declaration
    retraction = None
    if declaration is not None:
        retraction = Retraction(
            declaration.declaration_time,
            declaration.reason,
            declaration.corrective_event_ids,
        )
    document = event_document(event)
    record_time = event.record_time or captured
    # A repository sets recordTime on capture; queries answer with it.
    document.setdefault("recordTime", rfc3339(record_time))
    return StoredEvent(
        id=event.event_id or event.event_hash,
        hash=event.event_hash,
        type=event.type,
        event_time=event.event_time,
        record_time=record_time,
        biz_step=event.biz_step,
        biz_location=event.biz_location,
        read_point=event.read_point,
        epcs=tuple(dict.fromkeys(epcs)),
        document=document,
        retraction=retraction,
    )
