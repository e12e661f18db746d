"""Sync drop folders into the store: load what is new, skip what was loaded before.

A file is recognised by its content (SHA-256), so a renamed copy is skipped and a
changed file is loaded again. What a source loaded is judged by that source's own
history: content another source delivered first loads again, and is recorded, under
each source that delivers it, so that every source's history and freshness say what
it sent. Hashing every file on every run would cost as much as reading the folders
whole, so hashes are cached by (path, size, modification time): an unchanged file is
only `stat`-ed. Files load oldest first (modification time, then name), each
recorded in the history once its last batch committed; a run killed at any point and
run again therefore loads every file exactly once. A file that cannot be read is
recorded as failed and tried again on the next run.

Partners should write a file under another name (`.part`, `.tmp`) and rename it when
complete: a file still being written would be loaded, and recorded, half-written.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Final, Literal, Protocol

from graphsvc.store.base import BatchResult, Store
from graphsvc.store.loads import LoadRecord
from loaders.epcis import HEAD_BYTES, detect_epcis
from loaders.feed import feed_format
from loaders.history import FileDigest, file_digest, load_file, record_load
from loaders.load import BATCH_SIZE, BatchHook

log = logging.getLogger(__name__)

CACHE_VERSION: Final = 1

FileKind = Literal["feed", "epcis", "other"]


class FileLoader(Protocol):
    """Loads one file found in a source and records it (as `load_file` does)."""

    def __call__(
        self,
        store: Store,
        path: Path,
        *,
        source: str,
        file_name: str,
        digest: FileDigest,
        loads_dir: Path,
        batch_size: int = BATCH_SIZE,
        after_batch: BatchHook | None = None,
    ) -> LoadRecord: ...


_LOADERS: Final[dict[FileKind, FileLoader]] = {
    "feed": load_file,
    # `load_paths` tells an EPCIS document by its content and ingests it as such.
    "epcis": load_file,
}
"""How each kind of file found in a source is loaded and recorded."""


@dataclass(frozen=True)
class Candidate:
    """A file found under a source folder."""

    path: Path
    source: str
    name: str
    """The path under its source folder, with `/` separators."""
    size: int
    mtime_ns: int


@dataclass
class SyncSummary:
    """What one pass over the sources did."""

    seen: int = 0
    skipped: int = 0
    """Files whose content their source loaded before (under this name or another)."""
    records: list[LoadRecord] = field(default_factory=list)
    """The loads this pass recorded, in order, failed ones included."""
    interrupted: bool = False
    unfinished: int = 0
    """Records written from the file a stop cut short, which is not recorded and
    loads again whole on the next pass."""

    @property
    def loaded(self) -> list[LoadRecord]:
        return [r for r in self.records if r.succeeded]

    @property
    def failed(self) -> list[LoadRecord]:
        return [r for r in self.records if not r.succeeded]

    @property
    def rejected(self) -> int:
        return sum(r.rejected for r in self.records)

    def render(self) -> str:
        """The summary as text for a person: one line, then one per recorded load."""
        written = sum(sum(r.counts.values()) for r in self.records) + self.unfinished
        head = (
            f"sync: {self.seen} files, {len(self.loaded)} loaded, {self.skipped}"
            f" already loaded, {len(self.failed)} failed; {written} records written,"
            f" {self.rejected} rejected"
        )
        if self.interrupted:
            head += "; interrupted, the rest is left for the next run"
        if self.unfinished:
            head += f" ({self.unfinished} of the records are of a file cut short)"
        lines = [head]
        for record in self.records:
            line = f"  {record.outcome.value}: {record.source}/{record.file_name}"
            if record.reason is not None:
                line += f": {record.reason}"
            elif record.rejected:
                line += f" ({record.rejected} rejected, see {record.rejects_file})"
            lines.append(line)
        return "\n".join(lines)


class Interrupted(Exception):
    """Raised between batches when a stop was asked for."""


class HashCache:
    """Content hashes by (path, size, modification time), kept in a JSON file.

    Only a cache: losing it costs a re-hash, never a wrong skip, unless a file is
    rewritten with the same size within the same nanosecond timestamp.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.entries: dict[str, tuple[int, int, str, FileKind]] = {}
        self.changed = False
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return
        if data.get("version") == CACHE_VERSION:
            self.entries = {k: tuple(v) for k, v in data["entries"].items()}

    def get(self, candidate: Candidate) -> tuple[str, FileKind] | None:
        entry = self.entries.get(str(candidate.path))
        if entry is None or entry[:2] != (candidate.size, candidate.mtime_ns):
            return None
        return entry[2], entry[3]

    def put(self, candidate: Candidate, content_hash: str, kind: FileKind) -> None:
        key = str(candidate.path)
        self.entries[key] = (candidate.size, candidate.mtime_ns, content_hash, kind)
        self.changed = True

    def save(self, seen: set[str]) -> None:
        """Write the entries of the files still there, atomically."""
        if not self.changed and seen >= self.entries.keys():
            return
        kept = {k: v for k, v in self.entries.items() if k in seen}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        partial = self.path.with_suffix(".part")
        partial.write_text(
            json.dumps({"version": CACHE_VERSION, "entries": kept}), encoding="utf-8"
        )
        partial.replace(self.path)
        self.entries, self.changed = kept, False


def candidates(sources: Sequence[Path]) -> list[Candidate]:
    """Every file under the source folders, oldest first (mtime, then name)."""
    found: list[Candidate] = []
    for source in sources:
        root = source.resolve()
        for path, stat in _walk(root):
            name = path.relative_to(root).as_posix()
            size, mtime = stat.st_size, stat.st_mtime_ns
            found.append(Candidate(path, root.name, name, size, mtime))
    found.sort(key=lambda c: (c.mtime_ns, c.source, c.name))
    return found


def _walk(root: Path) -> Iterator[tuple[Path, os.stat_result]]:
    with os.scandir(root) as entries:
        for entry in sorted(entries, key=lambda e: e.name):
            if entry.is_dir(follow_symlinks=False):
                yield from _walk(Path(entry.path))
            elif entry.is_file():
                yield Path(entry.path), entry.stat()


def file_kind(path: Path) -> FileKind:
    """A feed file by its name, an EPCIS document by its first bytes, or other."""
    if feed_format(path) is not None:
        return "feed"
    with path.open("rb") as stream:
        head = stream.read(HEAD_BYTES)
    return "epcis" if detect_epcis(head) is not None else "other"


def sync_once(
    store: Store,
    sources: Sequence[Path],
    *,
    cache: HashCache,
    loads_dir: Path,
    batch_size: int = BATCH_SIZE,
    stop: threading.Event | None = None,
) -> SyncSummary:
    """Load the new files under `sources` into `store`, recording each load.

    When `stop` is set, the pass ends after the batch being written; the file it
    belongs to is not recorded and loads again on the next pass.
    """
    stop = stop or threading.Event()
    survey = _Survey.of(sources, cache)
    summary = SyncSummary(seen=len(survey.wanted))
    digests, unreadable = survey.digests, survey.unreadable
    loaded = _loaded_by_source(store, survey)

    def check_stop(result: BatchResult) -> None:
        summary.unfinished += sum(result.changes.values())
        if stop.is_set():
            raise Interrupted

    for candidate, kind in survey.wanted:
        if stop.is_set():
            summary.interrupted = True
            break
        if candidate.path in unreadable:
            summary.records.append(
                _record_unreadable(store, candidate, unreadable[candidate.path])
            )
            continue
        digest = digests[candidate.path]
        known = (candidate.source, digest.content_hash)
        if known in loaded:
            summary.skipped += 1
            continue
        try:
            load = _LOADERS[kind]
            record = load(
                store,
                candidate.path,
                source=candidate.source,
                file_name=candidate.name,
                digest=digest,
                loads_dir=loads_dir,
                batch_size=batch_size,
                after_batch=check_stop,
            )
        except Interrupted:
            summary.interrupted = True
            break
        summary.unfinished = 0  # the file's record counts them now
        summary.records.append(record)
        if record.succeeded:
            loaded.add(known)

    log.info(
        "sync.done files=%d loaded=%d skipped=%d failed=%d interrupted=%s",
        summary.seen,
        len(summary.loaded),
        summary.skipped,
        len(summary.failed),
        summary.interrupted,
    )
    return summary


def _loaded_by_source(store: Store, survey: _Survey) -> set[tuple[str, str]]:
    """The (source, content hash) pairs of the survey that their source loaded."""
    hashes: dict[str, set[str]] = {}
    for candidate, _ in survey.wanted:
        digest = survey.digests.get(candidate.path)
        if digest is not None:
            hashes.setdefault(candidate.source, set()).add(digest.content_hash)
    return {
        (source, content_hash)
        for source, wanted in sorted(hashes.items())
        for content_hash in store.loaded_hashes(wanted, source)
    }


@dataclass
class _Survey:
    """The files of a pass: those to consider, their digests, the unreadable ones."""

    wanted: list[tuple[Candidate, FileKind]] = field(default_factory=list)
    digests: dict[Path, FileDigest] = field(default_factory=dict)
    unreadable: dict[Path, str] = field(default_factory=dict)

    @classmethod
    def of(cls, sources: Sequence[Path], cache: HashCache) -> _Survey:
        survey = cls()
        found = candidates(sources)
        for candidate in found:
            try:
                kind = _identify(candidate, cache, survey.digests)
            except OSError as err:
                if feed_format(candidate.path) is not None:
                    survey.unreadable[candidate.path] = err.strerror or str(err)
                    survey.wanted.append((candidate, "feed"))
                continue
            if kind != "other":
                survey.wanted.append((candidate, kind))
        cache.save({str(c.path) for c in found})
        return survey


def _identify(
    candidate: Candidate, cache: HashCache, digests: dict[Path, FileDigest]
) -> FileKind:
    """The file's kind, and its digest into `digests` unless it is neither."""
    cached = cache.get(candidate)
    if cached is not None:
        content_hash, kind = cached
    else:
        kind = file_kind(candidate.path)
        content_hash = ""
        if kind != "other":
            content_hash = file_digest(candidate.path).content_hash
        cache.put(candidate, content_hash, kind)
    if kind != "other":
        digests[candidate.path] = FileDigest(content_hash, candidate.size)
    return kind


def _record_unreadable(store: Store, candidate: Candidate, reason: str) -> LoadRecord:
    return record_load(
        store,
        source=candidate.source,
        file_name=candidate.name,
        digest=None,
        started=datetime.now(UTC),
        counts={},
        rejected=0,
        failure=reason,
    )
