"""The store interface that the embedded and the Neo4j stores implement."""

from __future__ import annotations

import enum
from collections import Counter
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from graphsvc.engine.clusters import Trade
from graphsvc.engine.evidence import ItemEvidence, PartyFacts
from graphsvc.engine.findings import Finding, FindingKind
from graphsvc.records import Record, Value

# Re-exported: the event types belong to the store interface but live apart.
from graphsvc.store.events import EventQuery as EventQuery
from graphsvc.store.events import Retraction as Retraction
from graphsvc.store.events import StoredEvent as StoredEvent
from graphsvc.store.jobs import CaptureJob
from graphsvc.store.loads import LoadQuery, LoadRecord, SourceFreshness

NodeKey = tuple[str, str]
"""A node's label and id."""


class Change(enum.Enum):
    """What writing one record did to the graph."""

    NEW = "new"
    UPDATED = "updated"
    UNCHANGED = "unchanged"


@dataclass
class BatchResult:
    """What one written batch changed, per record kind, and what it touched."""

    changes: Counter[tuple[str, Change]] = field(default_factory=Counter)
    touched: set[NodeKey] = field(default_factory=set)
    """Nodes that the batch created or changed, stubs included."""
    retired: set[NodeKey] = field(default_factory=set)
    """Placeholder nodes that the batch removed (see `Store.write`)."""

    def merge(self, other: BatchResult) -> None:
        self.changes.update(other.changes)
        self.touched |= other.touched
        self.retired |= other.retired


@dataclass(frozen=True)
class Node:
    """A node as stored: label, id, properties and whether a record described it."""

    label: str
    id: str
    properties: Mapping[str, Value]
    extra: Mapping[str, object]
    described: bool


@dataclass(frozen=True)
class Edge:
    """A relationship between two nodes."""

    type: str
    source: NodeKey
    target: NodeKey


@dataclass(frozen=True)
class GraphCounts:
    """How many nodes of each label and relationships of each type the graph holds."""

    nodes: Mapping[str, int]
    relationships: Mapping[str, int]


@dataclass(frozen=True)
class Pending:
    """Nodes written but not yet evaluated: how many, and the newest batch's number."""

    count: int
    upto: int


@dataclass(frozen=True)
class Subgraph:
    """Nodes and relationships around a node, and whether a cap cut them."""

    nodes: list[NodeKey]
    edges: list[Edge]
    truncated: bool


@dataclass(frozen=True)
class StoredFinding:
    """A finding as a store keeps it, with the brand of its item."""

    finding: Finding
    brand: str | None


@dataclass(frozen=True)
class FindingQuery:
    """Which findings to list: every filter given must match."""

    brand: str | None = None
    party: str | None = None
    kinds: frozenset[FindingKind] | None = None

    def pages(self, stored: StoredFinding) -> bool:
        """True when a page of this query may start after `stored`.

        A finding of another brand may not: a key scoped to one brand could
        otherwise tell another brand's findings, whose ids are hashes of what they
        are about, from ids that name nothing.
        """
        return self.brand is None or stored.brand == self.brand

    def matches(self, stored: StoredFinding) -> bool:
        finding = stored.finding
        return (
            (self.brand is None or stored.brand == self.brand)
            and (self.party is None or finding.party == self.party)
            and (self.kinds is None or finding.kind in self.kinds)
        )


@runtime_checkable
class Store(Protocol):
    """A durable property graph of the model in `graphsvc.model`.

    `write` is one transaction: when it returns, every record of the batch is
    durable; when it raises, none is.
    """

    def write(
        self, records: Sequence[Record], retire: Collection[NodeKey] = ()
    ) -> BatchResult:
        """Upsert a batch of validated records, in order, in one transaction.

        Then, in the same transaction, remove each node of `retire` that no record
        describes and that no relationship of the model touches any more: the
        placeholders whose references the records moved elsewhere. A node still
        described or referenced stays; `BatchResult.retired` lists those removed.
        """
        ...

    def unit(self) -> AbstractContextManager[None]:
        """A transaction that the `write` and `save_events` calls inside join.

        They are durable together when the block exits normally; when it raises, or
        the process dies inside it, none of them is. Reads inside see its writes.
        One thread at a time uses a unit, and units do not nest.
        """
        ...

    def node(self, label: str, id: str) -> Node | None:
        """The node with that label and id, or None."""
        ...

    def nodes_by_key(self, keys: Sequence[NodeKey]) -> list[Node | None]:
        """The node for each key, in order; None where there is none."""
        ...

    def nodes(self, label: str) -> Iterable[Node]:
        """Every node of a label, in id order."""
        ...

    def referrers(self, key: NodeKey) -> list[Node]:
        """The nodes with a reference field naming `key`, by label, then id."""
        ...

    def edges(self) -> Iterable[Edge]:
        """Every relationship, ordered by type, source and target."""
        ...

    def counts(self) -> GraphCounts:
        """Node counts per label and relationship counts per type."""
        ...

    def dangling(self) -> Mapping[str, list[str]]:
        """Ids of referenced but never described nodes, per label, sorted."""
        ...

    def pending(self) -> Pending:
        """How many nodes were written since their items were last evaluated."""
        ...

    def pending_keys(self, upto: int) -> Iterator[NodeKey]:
        """The pending nodes written by batches up to sequence number `upto`.

        Streamed, so that a refresh after a large load holds only the item ids.
        """
        ...

    def clear_pending(self, upto: int) -> None:
        """Forget the pending nodes up to `upto`: their items have been evaluated."""
        ...

    def item_ids(self) -> list[str]:
        """Every item id in the graph, described or only referenced, sorted."""
        ...

    def affected_items(self, keys: Iterable[NodeKey]) -> set[str]:
        """Items whose evidence includes any of these nodes."""
        ...

    def item_evidence(self, item_ids: Sequence[str]) -> list[ItemEvidence]:
        """Evidence for each known item id, in the order asked; unknown ids left out."""
        ...

    def save_findings(
        self, item_ids: Sequence[str], findings: Sequence[Finding]
    ) -> None:
        """Replace the saved findings of `item_ids` with `findings`."""
        ...

    def findings(
        self, query: FindingQuery, first: int | None = None, after: str | None = None
    ) -> list[StoredFinding]:
        """Saved findings matching `query`, ordered by time, kind and id.

        At most `first` of them (all when None), starting after the finding whose id
        is `after`; an `after` that names no saved finding, or one of a brand other
        than the query's, raises InvalidArgument.
        """
        ...

    def count_findings(self, query: FindingQuery) -> int:
        """How many saved findings match `query`."""
        ...

    def item_findings(self, item_id: str) -> list[StoredFinding]:
        """Saved findings of one item, in order."""
        ...

    def party_facts(self, party_ids: Iterable[str]) -> dict[str, PartyFacts]:
        """Facts of each party id (only the id for parties never described)."""
        ...

    def trades(self, party_ids: Iterable[str]) -> list[Trade]:
        """Shipments shipped by or consigned to any of the parties, as trade.

        Left out: shipments never described, and those whose event was retracted.
        """
        ...

    def neighborhood(self, start: NodeKey, depth: int, limit: int) -> Subgraph:
        """Nodes within `depth` of `start`, at most `limit`, and their relationships."""
        ...

    def close(self) -> None:
        """Release the store's files or connections."""
        ...

    def record_load(self, record: LoadRecord) -> None:
        """Add one load to the history (durable when this returns)."""
        ...

    def loads(
        self, query: LoadQuery, first: int | None = None, after: str | None = None
    ) -> list[LoadRecord]:
        """Loads matching `query`, newest first.

        At most `first` of them (all when None), starting after the load whose id is
        `after`; an `after` that names no load raises InvalidArgument.
        """
        ...

    def load_record(self, load_id: str) -> LoadRecord | None:
        """The load with that id, or None."""
        ...

    def loaded_hashes(
        self, hashes: Iterable[str], source: str | None = None
    ) -> set[str]:
        """Those of `hashes` whose content a load of `source` (of any source when
        None) has loaded successfully."""
        ...

    def source_freshness(self) -> list[SourceFreshness]:
        """Each source that has tried a load, by name, with its last success."""
        ...

    def save_events(self, events: Sequence[StoredEvent]) -> list[bool]:
        """Keep EPCIS events, in one transaction; for each, True if its id was new.

        An event whose id is kept already is not replaced, with one exception: if it
        carries a retraction and the kept one has none, the kept one takes it.
        """
        ...

    def events_by_id(self, ids: Sequence[str]) -> list[StoredEvent | None]:
        """The kept event of each id, in order; None where there is none."""
        ...

    def events(
        self, query: EventQuery, first: int, after: str | None = None
    ) -> list[StoredEvent]:
        """Kept events matching `query`, ordered by event time then id.

        At most `first` of them, starting after the event whose id is `after`; an
        `after` that names no kept event raises InvalidArgument.
        """
        ...

    def save_capture_job(self, job: CaptureJob) -> None:
        """Save a capture job, replacing the one with the same id; durable on return."""
        ...

    def capture_job(self, job_id: str) -> CaptureJob | None:
        """The capture job with that id, or None."""
        ...

    def running_capture_jobs(self) -> list[CaptureJob]:
        """Capture jobs saved as running, oldest first (a stopped service left them)."""
        ...

    def search(self, text: str, first: int) -> list[NodeKey]:
        """At most `first` brands, items, parties, products, shipments and sites whose
        id starts with `text` or whose name contains it, ranked as `store.search`
        ranks them."""
        ...
