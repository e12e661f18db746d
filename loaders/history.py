"""Recording loads in the store's history, whichever way the file came in.

`record_load` is the one way to add a load to the history; `load_file` loads one file
and records it, as sync and upload do. A load is recorded only after its last batch
committed: a process killed before that leaves no record, and loading the file again
(the loader is idempotent) records it then.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Final

from graphsvc.store.base import Store
from graphsvc.store.loads import LoadRecord, new_load_id, outcome_of
from loaders.load import BATCH_SIZE, BatchHook, FileLoad, feed_files, load_paths

log = logging.getLogger(__name__)

HASH_CHUNK: Final = 1 << 20


@dataclass(frozen=True)
class FileDigest:
    """A file's content hash (SHA-256 of its bytes as delivered) and size."""

    content_hash: str
    size: int


def file_digest(path: Path) -> FileDigest:
    """Hash a file's bytes; raises OSError when it cannot be read."""
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as stream:
        while chunk := stream.read(HASH_CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return FileDigest(digest.hexdigest(), size)


def unloaded_files(store: Store, paths: Sequence[Path], source: str) -> list[Path]:
    """The feed files under `paths` whose content `source` has not loaded, in order.

    As sync judges them: by content, against the source's successful loads. A file
    that cannot be read is kept, so that loading it reports why.
    """
    files = feed_files(paths)
    digests: dict[Path, str] = {}
    for path in files:
        try:
            digests[path] = file_digest(path).content_hash
        except OSError:
            continue
    loaded = store.loaded_hashes(digests.values(), source)
    return [path for path in files if digests.get(path) not in loaded]


def record_load(
    store: Store,
    *,
    source: str,
    file_name: str,
    digest: FileDigest | None,
    started: datetime,
    counts: Mapping[str, int],
    rejected: int,
    failure: str | None = None,
    rejects_file: Path | None = None,
    load_id: str | None = None,
) -> LoadRecord:
    """Add one load to the store's history and return its record.

    Call it once the load's records are committed. `digest` is None only when the
    file could not be read; `failure` says why a load failed, and makes its outcome
    `failed` (its content is then loaded again next time it is offered).

    >>> record_load(store, source="partner-a", file_name="events.xml",
    ...     digest=file_digest(path), started=started, counts={"scan": 12},
    ...     rejected=0)  # doctest: +SKIP
    """
    record = LoadRecord(
        id=load_id or new_load_id(started),
        source=source,
        file_name=file_name,
        content_hash=digest.content_hash if digest is not None else None,
        size=digest.size if digest is not None else None,
        started=started,
        finished=datetime.now(UTC),
        counts=dict(counts),
        rejected=rejected,
        outcome=outcome_of(rejected, failure),
        reason=failure,
        rejects_file=str(rejects_file) if rejects_file is not None else None,
    )
    store.record_load(record)
    log.info(
        "history.recorded id=%s source=%s file=%s outcome=%s rejected=%d",
        record.id,
        source,
        file_name,
        record.outcome.value,
        rejected,
    )
    return record


def record_file_load(
    store: Store,
    loaded: FileLoad,
    *,
    source: str,
    file_name: str,
    digest: FileDigest | None,
    load_id: str | None = None,
) -> LoadRecord:
    """Record what `load_paths` reported for one file."""
    return record_load(
        store,
        source=source,
        file_name=file_name,
        digest=digest,
        started=loaded.started,
        counts=loaded.counts,
        rejected=loaded.rejected,
        failure=loaded.failure,
        rejects_file=loaded.rejects_file,
        load_id=load_id,
    )


def load_file(
    store: Store,
    path: Path,
    *,
    source: str,
    file_name: str,
    digest: FileDigest,
    loads_dir: Path,
    batch_size: int = BATCH_SIZE,
    after_batch: BatchHook | None = None,
) -> LoadRecord:
    """Load one feed file and record it; its rejects go to `loads_dir`/LOAD_ID/.

    When `after_batch` raises, the load stops after that batch and is not recorded.
    """
    load_id = new_load_id(datetime.now(UTC))
    reported: list[FileLoad] = []
    load_paths(
        store,
        [path],
        rejects_dir=loads_dir / load_id,
        batch_size=batch_size,
        after_batch=after_batch,
        after_file=reported.append,
    )
    return record_file_load(
        store,
        reported[0],
        source=source,
        file_name=file_name,
        digest=digest,
        load_id=load_id,
    )
