"""Load feed files into a store: stream, validate, write in batches, report.

>>> report = load_paths(store, [Path("feeds/")])  # doctest: +SKIP
>>> print(report.render())  # doctest: +SKIP
"""

from __future__ import annotations

import json
import logging
import zlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Final

from graphsvc.errors import InvalidInput
from graphsvc.model import BY_KIND, SHIPMENT_ITEM
from graphsvc.records import Record, Rejection, Source
from graphsvc.store.base import BatchResult, Change, Store
from loaders.epcis import HEAD_BYTES, detect_epcis
from loaders.epcis.ingest import ingest_epcis
from loaders.epcis.links import placeholder_links
from loaders.feed import feed_format, open_bytes, read_feed, read_head

log = logging.getLogger(__name__)

BATCH_SIZE: Final = 5_000
"""Records per transaction: enough to amortise a commit, few enough to stream.

Measured loading 20,000 demo items (133,668 records) into Neo4j 5.26 on two shared
cores, in records/s: 1,000: 4,400; 2,000: 5,500; 5,000: 5,200 to 5,400; 10,000: 5,000;
20,000: 4,400. Smaller batches pay a commit and a dozen round trips each, larger ones
hold more transaction state on the server; between 2,000 and 5,000 it is flat.
"""
EPCIS_SUFFIXES: Final = (".xml", ".json", ".jsonld")
"""Names of files in a directory that are read when their content is EPCIS."""
SAMPLE: Final = 20
"""How many rejections and dangling ids a report shows; the files hold them all."""

Progress = Callable[[str, int], None]
"""Called with a file name and the number of its records read so far."""
BatchHook = Callable[[BatchResult], None]
"""Called after each committed batch, e.g. to bring findings up to date."""


@dataclass(frozen=True)
class FileLoad:
    """What loading one file did; `failure` says why it could not be read at all."""

    path: Path
    started: datetime
    finished: datetime
    counts: Mapping[str, int]
    """Records written per kind (new, updated or unchanged)."""
    rejected: int
    failure: str | None
    rejects_file: Path | None


FileHook = Callable[[FileLoad], None]
"""Called after each file, once its last batch committed (to record it as loaded)."""


@dataclass
class LoadReport:
    """What a load did: per kind and change, rejections, dangling references."""

    files: list[str] = field(default_factory=list)
    changes: Counter[tuple[str, Change]] = field(default_factory=Counter)
    rejected: int = 0
    rejections: list[Rejection] = field(default_factory=list)
    """The first rejections, in order; the rejects files hold every one."""
    failed_files: dict[str, str] = field(default_factory=dict)
    """Files that could not be read at all, with the reason."""
    dangling: Mapping[str, list[str]] = field(default_factory=dict)
    batches: int = 0
    rejects_dir: Path | None = None
    epcis_events: int = 0
    """Events read from EPCIS documents (their records count in `changes`)."""

    @property
    def loaded(self) -> int:
        return sum(self.changes.values())

    @property
    def ok(self) -> bool:
        return not self.rejected and not self.failed_files

    def render(self) -> str:
        """The report as text for a person."""
        lines = [f"loaded {self.loaded} records from {len(self.files)} files"]
        if self.epcis_events:
            lines.append(f"EPCIS events read: {self.epcis_events}")
        lines.append(f"{'kind':<16}{'new':>10}{'updated':>10}{'unchanged':>10}")
        for kind in (*BY_KIND, SHIPMENT_ITEM.kind):
            row = [self.changes[kind, change] for change in Change]
            if any(row):
                lines.append(f"{kind:<16}" + "".join(f"{n:>10}" for n in row))
        lines.append(f"rejected: {self.rejected}")
        lines.extend(f"  {r}" for r in self.rejections)
        if self.rejected > len(self.rejections):
            lines.append(f"  ... {self.rejected - len(self.rejections)} more")
        if self.rejected and self.rejects_dir is not None:
            lines.append(f"rejected records written to {self.rejects_dir}")
        for name, reason in self.failed_files.items():
            # An EPCIS parser's reason names the file already, with line and column.
            named = reason if reason.startswith(f"{name}:") else f"{name}: {reason}"
            lines.append(f"failed: {named}")
        total = sum(len(ids) for ids in self.dangling.values())
        lines.append(f"dangling references: {total}")
        for label, ids in self.dangling.items():
            shown = ", ".join(ids[:SAMPLE]) + (" ..." if len(ids) > SAMPLE else "")
            lines.append(f"  {label} ({len(ids)}): {shown}")
        return "\n".join(lines)

    def to_json(self) -> dict[str, object]:
        """The report as JSON-compatible data (written beside the rejects)."""
        counts: dict[str, dict[str, int]] = {}
        for (kind, change), n in sorted(self.changes.items(), key=str):
            counts.setdefault(kind, {})[change.value] = n
        return {
            "files": self.files,
            "counts": counts,
            "rejected": self.rejected,
            "rejections": [
                {"source": str(r.source), "field": r.field, "reason": r.reason}
                for r in self.rejections
            ],
            "failed_files": self.failed_files,
            "dangling": {k: len(v) for k, v in self.dangling.items()},
        }


def feed_files(paths: Iterable[Path]) -> list[Path]:
    """The feed files named, or found recursively under named directories, in order.

    A named file is taken whatever its suffix (it is reported if unreadable); inside a
    directory only feed files and EPCIS documents are taken.
    """
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(
                sorted(
                    p
                    for p in path.rglob("*")
                    if p.is_file() and (feed_format(p) or _maybe_epcis(p))
                )
            )
        else:
            found.append(path)
    return found


def _maybe_epcis(path: Path) -> bool:
    """Whether a file found in a directory is an EPCIS document, by name and content.

    Other `.json` and `.xml` files beside feeds (a manifest) are not loaded.
    """
    if not path.name.lower().removesuffix(".gz").endswith(EPCIS_SUFFIXES):
        return False
    return _is_epcis(path)


def load_paths(
    store: Store,
    paths: Sequence[Path],
    *,
    rejects_dir: Path | None = None,
    batch_size: int = BATCH_SIZE,
    progress: Progress | None = None,
    after_batch: BatchHook | None = None,
    after_file: FileHook | None = None,
) -> LoadReport:
    """Load every feed file under `paths` into `store`.

    Rejected records are reported and, when `rejects_dir` is given, written there as
    they were sent (one rejects file per input file). Each batch is one transaction.
    A batch whose parties, sites or products carry the GS1 key of a placeholder that
    EPCIS events left also re-points the events' records to them, in that
    transaction (`loaders.epcis.links`); those records count as updated.
    """
    report = LoadReport(rejects_dir=rejects_dir)
    with _RejectsWriter(rejects_dir) as rejects:
        for path in feed_files(paths):
            tally = _Tally(path, report)
            report.files.append(path.name)
            if not feed_format(path) and _is_epcis(path):
                tally.failure = _load_epcis(store, path, report, after_batch)
                if after_file is not None:
                    after_file(tally.done(report, None))
                continue
            records = _records(path, report, rejects, progress, tally)
            for batch in _batches(records, batch_size):
                links = placeholder_links(store, batch)
                result = store.write([*batch, *links.records], links.retire)
                report.changes.update(result.changes)
                report.batches += 1
                if after_batch is not None:
                    after_batch(result)
            if after_file is not None:
                rejects.flush()
                after_file(tally.done(report, rejects.paths.get(path.name)))
    report.dangling = store.dangling()
    if rejects_dir is not None:
        rejects_dir.mkdir(parents=True, exist_ok=True)
        (rejects_dir / "report.json").write_text(
            json.dumps(report.to_json(), indent=2) + "\n", encoding="utf-8"
        )
    log.info(
        "load.done files=%d loaded=%d rejected=%d batches=%d",
        len(report.files),
        report.loaded,
        report.rejected,
        report.batches,
    )
    return report


class _Tally:
    """Where a report stood when one file started, to tell what that file did."""

    def __init__(self, path: Path, report: LoadReport) -> None:
        self.path = path
        self.started = datetime.now(UTC)
        self.changes = report.changes.copy()
        self.rejected = report.rejected
        self.failure: str | None = None

    def done(self, report: LoadReport, rejects_file: Path | None) -> FileLoad:
        counts: Counter[str] = Counter()
        for (kind, _), n in (report.changes - self.changes).items():
            counts[kind] += n
        rejected = report.rejected - self.rejected
        return FileLoad(
            path=self.path,
            started=self.started,
            finished=datetime.now(UTC),
            counts=dict(sorted(counts.items())),
            rejected=rejected,
            failure=self.failure,
            rejects_file=rejects_file if rejected else None,
        )


def _is_epcis(path: Path) -> bool:
    """Whether the file holds an EPCIS document, by its content.

    Only files not named as feeds (`.jsonl`, `.csv`) are asked: a feed line may
    mention EPCIS in a value, which content sniffing would take for a document.
    """
    try:
        return detect_epcis(read_head(path, HEAD_BYTES)) is not None
    except OSError:
        return False  # reading it as a feed reports the failure


def _load_epcis(
    store: Store, path: Path, report: LoadReport, after_batch: BatchHook | None
) -> str | None:
    """Ingest one EPCIS document into the report; the reason when it failed whole."""
    try:
        with open_bytes(path) as stream:
            outcome = ingest_epcis(store, stream, path.name, after_batch=after_batch)
    except InvalidInput as err:
        report.failed_files[path.name] = err.message
        log.warning("load.file_failed file=%s reason=%s", path.name, err.message)
        return err.message
    except OSError as err:
        reason = err.strerror or str(err)
        report.failed_files[path.name] = reason
        log.warning("load.file_failed file=%s reason=%s", path.name, err)
        return reason
    except (EOFError, zlib.error) as err:
        reason = _broken_gzip(err)
        report.failed_files[path.name] = reason
        log.warning("load.file_failed file=%s reason=%s", path.name, reason)
        return reason
    report.changes.update(outcome.changes)
    report.epcis_events += outcome.read
    for rejection in outcome.rejected:
        report.rejected += 1
        if len(report.rejections) < SAMPLE:
            # An EPCIS event has a position, not a line; the reason says which it is.
            source = Source(rejection.document, rejection.position)
            reason = f"event {rejection.position}: {rejection.reason}"
            report.rejections.append(Rejection(source, reason, rejection.field))
    return None


def _records(
    path: Path,
    report: LoadReport,
    rejects: _RejectsWriter,
    progress: Progress | None,
    tally: _Tally,
) -> Iterator[Record]:
    count = 0
    try:
        for outcome in read_feed(path):
            count += 1
            if isinstance(outcome, Rejection):
                report.rejected += 1
                if len(report.rejections) < SAMPLE:
                    report.rejections.append(outcome)
                rejects.write(outcome)
                log.debug(
                    "load.rejected source=%s reason=%s", outcome.source, outcome.reason
                )
            else:
                yield outcome
            if progress is not None and count % 10_000 == 0:
                progress(path.name, count)
    except InvalidInput as err:
        report.failed_files[path.name] = tally.failure = err.message
        log.warning("load.file_failed file=%s reason=%s", path.name, err.message)
    except OSError as err:
        report.failed_files[path.name] = tally.failure = err.strerror or str(err)
        log.warning("load.file_failed file=%s reason=%s", path.name, err)
    except (EOFError, zlib.error) as err:
        # A truncated or corrupt gzip file; EOFError would otherwise end the CLI as
        # if the user had pressed Ctrl-D.
        reason = _broken_gzip(err)
        report.failed_files[path.name] = tally.failure = reason
        log.warning("load.file_failed file=%s reason=%s", path.name, reason)
    if progress is not None:
        progress(path.name, count)


def _broken_gzip(err: EOFError | zlib.error) -> str:
    return f"the compressed file is truncated or corrupt ({err})"


def _batches(records: Iterable[Record], size: int) -> Iterator[list[Record]]:
    batch: list[Record] = []
    for record in records:
        batch.append(record)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


class _RejectsWriter:
    """Writes rejected records, as they were sent, one file per input file."""

    def __init__(self, directory: Path | None) -> None:
        self.directory = directory
        self.files: dict[str, IO[str]] = {}
        self.paths: dict[str, Path] = {}

    def __enter__(self) -> _RejectsWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        for stream in self.files.values():
            stream.close()

    def flush(self) -> None:
        for stream in self.files.values():
            stream.flush()

    def write(self, rejection: Rejection) -> None:
        if self.directory is None:
            return
        name = rejection.source.name
        stream = self.files.get(name)
        if stream is None:
            self.directory.mkdir(parents=True, exist_ok=True)
            stem = name.removesuffix(".gz")
            suffix = ".csv" if rejection.header is not None else ".jsonl"
            stem = stem.removesuffix(suffix)
            self.paths[name] = self.directory / f"{stem}.rejects{suffix}"
            stream = self.paths[name].open(
                "w", encoding="utf-8", errors="surrogateescape", newline=""
            )
            if rejection.header is not None:
                stream.write(rejection.header + "\r\n")
            self.files[name] = stream
        ending = "\r\n" if rejection.header is not None else "\n"
        stream.write(rejection.raw + ending)
