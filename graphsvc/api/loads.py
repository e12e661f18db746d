"""GraphQL types and the resolver of `loads`: the load history, a page at a time."""

from __future__ import annotations

import enum
from datetime import UTC, datetime

import strawberry

from graphsvc.api.context import Info
from graphsvc.api.cursors import decode_cursor, encode_cursor
from graphsvc.api.types import PageInfo
from graphsvc.errors import Forbidden, InvalidArgument
from graphsvc.store import loads as history


@strawberry.enum(description="How a load ended.")
class LoadOutcome(enum.Enum):
    LOADED = "loaded"
    LOADED_WITH_REJECTIONS = "loaded_with_rejections"
    FAILED = "failed"


@strawberry.type(description="How many records of one kind a load wrote.")
class KindCount:
    kind: str = strawberry.field(description="The record kind, as in the feed.")
    records: int = strawberry.field(
        description="Records written: new, updated or unchanged alike."
    )


@strawberry.type(description="One file loaded (or tried): what came in and when.")
class Load:
    record: strawberry.Private[history.LoadRecord]

    @strawberry.field(description="The load's id; ids sort as loads started.")
    def id(self) -> strawberry.ID:
        return strawberry.ID(self.record.id)

    @strawberry.field(description="Who sent the file: a drop folder, `upload`, ...")
    def source(self) -> str:
        return self.record.source

    @strawberry.field(description="The file's name (its path under a drop folder).")
    def file_name(self) -> str:
        return self.record.file_name

    @strawberry.field(
        description="SHA-256 of the file's bytes as sent; null when unreadable."
    )
    def content_hash(self) -> str | None:
        return self.record.content_hash

    @strawberry.field(
        description="The file's size in bytes (a Float: files may pass 2 GiB)."
    )
    def size(self) -> float | None:
        size = self.record.size
        return float(size) if size is not None else None

    @strawberry.field(description="When the load started.")
    def started(self) -> datetime:
        return self.record.started

    @strawberry.field(description="When the load ended.")
    def finished(self) -> datetime:
        return self.record.finished

    @strawberry.field(description="Records written per kind, by kind.")
    def counts(self) -> list[KindCount]:
        counts = sorted(self.record.counts.items())
        return [KindCount(kind=kind, records=n) for kind, n in counts]

    @strawberry.field(description="How many records were rejected.")
    def rejected(self) -> int:
        return self.record.rejected

    @strawberry.field(description="How the load ended.")
    def outcome(self) -> LoadOutcome:
        return LoadOutcome(self.record.outcome.value)

    @strawberry.field(description="Why the load failed; null unless it did.")
    def reason(self) -> str | None:
        return self.record.reason

    @strawberry.field(
        description="Where to download the rejected records (GET); null when none."
    )
    def rejects_url(self) -> str | None:
        if not self.record.rejected or self.record.rejects_file is None:
            return None
        return f"/feeds/{self.record.id}/rejects"


@strawberry.type(description="A load with its cursor.")
class LoadEdge:
    cursor: str = strawberry.field(description="Pass as `after` to go on from here.")
    node: Load = strawberry.field(description="The load.")


@strawberry.type(description="When a source last loaded successfully.")
class SourceFreshness:
    source: str = strawberry.field(description="The source's name.")
    last_loaded: datetime | None = strawberry.field(
        description="The end of its last successful load; null when none succeeded."
    )
    last_attempt: datetime = strawberry.field(
        description="The end of its last load, successful or not."
    )


@strawberry.type(description="A page of loads, newest first.")
class LoadConnection:
    edges: list[LoadEdge] = strawberry.field(description="The page's loads.")
    page_info: PageInfo = strawberry.field(description="How to get the next page.")
    info: strawberry.Private[Info]
    source: strawberry.Private[str | None]

    @strawberry.field(
        description="Every source that has tried a load, by name, with its freshness;"
        " only the source asked for when `loads` was given one."
    )
    def freshness(self) -> list[SourceFreshness]:
        found = self.info.context.investigation.store.source_freshness()
        return [
            SourceFreshness(
                source=f.source, last_loaded=f.last_loaded, last_attempt=f.last_attempt
            )
            for f in found
            if self.source is None or f.source == self.source
        ]


def loads_page(
    info: Info,
    first: int | None,
    after: str | None,
    source: str | None,
    since: datetime | None,
) -> LoadConnection:
    """The `loads` query: a page of the history after the cursor `after`.

    As `graphsvc history` does, `since` without an offset (a date, say) is taken in
    UTC, and `source` filters the freshness list too. Sources and file names tell who
    delivers to whom, across brands: a key scoped to some brands is refused the
    history.
    """
    if not info.context.scope.unrestricted:
        raise Forbidden()
    most = info.context.limits.max_page
    first = 50 if first is None else first
    if not 0 <= first <= most:
        raise InvalidArgument("first", f"must be between 0 and {most}, got {first}")
    if since is not None and since.tzinfo is None:
        since = since.replace(tzinfo=UTC)
    query = history.LoadQuery(source=source, since=since)
    after_id = decode_cursor("load", after) if after is not None else None

    # One more than asked tells whether another page follows.
    found = info.context.investigation.store.loads(query, first + 1, after_id)
    edges = [
        LoadEdge(cursor=encode_cursor("load", r.id), node=Load(record=r))
        for r in found[:first]
    ]
    return LoadConnection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=len(found) > first,
            end_cursor=edges[-1].cursor if edges else None,
        ),
        info=info,
        source=source,
    )
