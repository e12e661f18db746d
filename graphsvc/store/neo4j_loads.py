"""The Neo4j store's load history: `:Load` nodes, apart from the model's graph."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any, Final

from graphsvc.errors import InvalidArgument
from graphsvc.store.cypher import statement
from graphsvc.store.loads import (
    LoadOutcome,
    LoadQuery,
    LoadRecord,
    SourceFreshness,
    utc_text,
)
from graphsvc.store.neo4j_reads import Tx, rows_of

NO_LIMIT: Final = 2**62
"""`LIMIT` for a listing without `first`."""


def record_load(tx: Tx, record: LoadRecord) -> None:
    props = {
        "id": record.id,
        "source": record.source,
        "file_name": record.file_name,
        "content_hash": record.content_hash,
        "size": record.size,
        "started": utc_text(record.started),
        "finished": utc_text(record.finished),
        "counts": json.dumps(dict(sorted(record.counts.items()))),
        "rejected": record.rejected,
        "outcome": record.outcome.value,
        "reason": record.reason,
        "rejects_file": record.rejects_file,
    }
    tx.run(statement("write/record_load"), load=props).consume()


def loads(
    tx: Tx, query: LoadQuery, first: int | None, after: str | None
) -> list[LoadRecord]:
    if after is not None and load_record(tx, after) is None:
        raise InvalidArgument("after", "names no load; start again")
    rows = rows_of(
        tx,
        statement("read/loads"),
        after=after,
        source=query.source,
        since=utc_text(query.since) if query.since is not None else None,
        limit=NO_LIMIT if first is None else first,
    )
    return [_record(row) for row in rows]


def load_record(tx: Tx, load_id: str) -> LoadRecord | None:
    rows = rows_of(tx, statement("read/load_by_id"), id=load_id)
    return _record(rows[0]) if rows else None


def loaded_hashes(tx: Tx, hashes: Iterable[str], source: str | None) -> set[str]:
    wanted = sorted(set(hashes))
    rows = rows_of(tx, statement("read/loaded_hashes"), hashes=wanted, source=source)
    return set(rows)


def source_freshness(tx: Tx) -> list[SourceFreshness]:
    rows = rows_of(tx, statement("read/source_freshness"))
    return [
        SourceFreshness(
            row["source"],
            datetime.fromisoformat(row["loaded"]) if row["loaded"] else None,
            datetime.fromisoformat(row["attempted"]),
        )
        for row in rows
    ]


def _record(props: Mapping[str, Any]) -> LoadRecord:
    return LoadRecord(
        id=props["id"],
        source=props["source"],
        file_name=props["file_name"],
        content_hash=props.get("content_hash"),
        size=props.get("size"),
        started=datetime.fromisoformat(props["started"]),
        finished=datetime.fromisoformat(props["finished"]),
        counts=json.loads(props["counts"]),
        rejected=props["rejected"],
        outcome=LoadOutcome(props["outcome"]),
        reason=props.get("reason"),
        rejects_file=props.get("rejects_file"),
    )
