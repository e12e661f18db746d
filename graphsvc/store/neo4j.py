"""The Neo4j store: the model's graph in a Neo4j 5 database.

A batch is one managed write transaction. Inside it, the current properties of every
node the batch names are read, `planning.Plan` works out the changes exactly as for
the embedded store, and batched `UNWIND` statements write them: nodes per label,
removed and added relationships per type, then the batch's pending markers. The
driver retries the whole transaction on transient errors, within a time bound.
Inside a `unit`, batches run in the unit's one explicit transaction instead.
Questions are answered in read transactions (`neo4j_reads`), which a cluster routes
to its readers. Every statement is a file under `cypher/` (see `store.cypher`).

Besides the model's nodes the database holds `:Finding` nodes (linked to their item,
party and shipment for people browsing the graph), `:Pending` markers and one
`:Sequence` node numbering the batches; none of them is part of `nodes`, `edges` or
`counts`.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from typing import Any, Final, TypeVar

import neo4j
import neo4j.exceptions

from graphsvc.engine.clusters import Trade
from graphsvc.engine.evidence import ItemEvidence, PartyFacts
from graphsvc.engine.findings import Finding, finding_order
from graphsvc.errors import ConfigError, InvalidArgument, StoreError, StoreUnavailable
from graphsvc.model import BY_LABEL, NODE_TYPES
from graphsvc.records import Record
from graphsvc.store import graphreads, neo4j_loads, neo4j_reads
from graphsvc.store.base import (
    BatchResult,
    Edge,
    EventQuery,
    FindingQuery,
    GraphCounts,
    Node,
    NodeKey,
    Pending,
    StoredEvent,
    StoredFinding,
    Subgraph,
)
from graphsvc.store.codec import Properties, stored_node
from graphsvc.store.cypher import for_label, for_type, statement, statements
from graphsvc.store.event_codec import micros, retraction_json, to_row
from graphsvc.store.events import plan_saves
from graphsvc.store.jobs import CaptureJob, job_from_json, job_to_json
from graphsvc.store.loads import LoadQuery, LoadRecord, SourceFreshness
from graphsvc.store.neo4j_codec import (
    finding_from_neo4j,
    finding_to_neo4j,
    to_neo4j,
)
from graphsvc.store.neo4j_reads import ENDPOINTS, TYPES, Tx, rows_of
from graphsvc.store.planning import EdgeKey, Plan, keys_read

log = logging.getLogger(__name__)

T = TypeVar("T")

PENDING_CHUNK: Final = 10_000
"""Pending markers read or deleted per transaction, so large refreshes stay bounded."""
INDEX_WAIT: Final = 300
"""Seconds to wait at start for new indexes to come online."""

SCHEMES: Final = ("bolt", "bolt+s", "bolt+ssc", "neo4j", "neo4j+s", "neo4j+ssc")
"""The URI schemes of the Bolt protocol. The driver also takes http(s) for a preview
of Neo4j's HTTP query API, which this store does not use (and which needs packages it
does not install), so an http URI, often Browser's address, is refused by name."""

_DESCRIBING: Final = {
    t.label: [f.name for f in t.fields if f.required and f.name != "id"]
    for t in NODE_TYPES
}


class Neo4jStore:
    """The model's graph in a Neo4j 5 database, for larger graphs and shared use.

    Opening it checks that the server answers and creates the constraints and
    indexes it needs (idempotently). The credentials are used only to log in.

    >>> store = Neo4jStore(uri, user, password, "neo4j")  # doctest: +SKIP
    >>> store.counts().nodes["Item"]  # doctest: +SKIP

    `max_retry_time` bounds, in seconds, how long the driver retries a transaction
    that failed for a transient reason (a lost connection, a deadlock) before the
    store raises `StoreUnavailable`.
    """

    def __init__(
        self,
        uri: str,
        user: str,
        password: str,
        database: str,
        *,
        max_retry_time: float = 30.0,
        connection_timeout: float = 30.0,
    ) -> None:
        self.uri = uri
        self.database = database
        scheme, separator, _ = uri.partition("://")
        if not separator or scheme.lower() not in SCHEMES:
            starts = ", ".join(f"{scheme}://" for scheme in SCHEMES[:-1])
            raise ConfigError(
                f"{uri} is not a usable Neo4j URI: it must start with {starts} or "
                f"{SCHEMES[-1]}://"
            )
        try:
            self._driver = neo4j.GraphDatabase.driver(
                uri,
                auth=(user, password),
                max_transaction_retry_time=max_retry_time,
                connection_timeout=connection_timeout,
                # The statements name every label, type and property of the model,
                # and a graph that has none of some kind yet makes the server warn
                # about each of them on every run. Each start also creates the
                # schema if it is missing, and the server notes each part that was
                # there already. The other warnings stay on.
                notifications_disabled_classifications=[
                    neo4j.NotificationDisabledClassification.UNRECOGNIZED,
                    neo4j.NotificationDisabledClassification.SCHEMA,
                ],
            )
        except (ValueError, neo4j.exceptions.ConfigurationError) as err:
            raise ConfigError(f"{uri} is not a usable Neo4j URI: {_said(err)}") from err
        # Sessions share one bookmark manager, so that a read routed to another
        # cluster member sees the writes this store made before it.
        self._bookmarks = neo4j.GraphDatabase.bookmark_manager()
        self._units = threading.local()
        """`tx`: the open transaction of the calling thread's unit, if any."""
        try:
            self._connect()
        except BaseException:
            self._driver.close()
            raise

    def _connect(self) -> None:
        try:
            self._driver.verify_connectivity()
        except neo4j.exceptions.AuthError as err:
            raise StoreError(f"Neo4j at {self.uri} refused the login") from err
        except neo4j.exceptions.DriverError as err:
            raise StoreUnavailable(
                f"Neo4j at {self.uri} does not answer: {_said(err)}"
            ) from err
        except neo4j.exceptions.Neo4jError as err:
            raise StoreError(f"Neo4j at {self.uri}: {_said(err)}") from err

        # A schema statement needs a transaction of its own.
        schema = [for_label("schema/node_key", label) for label in BY_LABEL]
        schema += [*statements("schema/bookkeeping"), *statements("schema/indexes")]
        schema += statements("schema/capture_jobs")
        for text in schema:
            self._write(_runner(text))
        self._write(_runner(statement("schema/await_indexes"), seconds=INDEX_WAIT))
        log.info("neo4j.connected uri=%s database=%s", self.uri, self.database)

    # -- transactions --------------------------------------------------------------

    def _write(self, work: Callable[[Tx], T]) -> T:
        unit: neo4j.Transaction | None = getattr(self._units, "tx", None)
        if unit is not None:
            return self._guard(lambda: work(unit))
        with self._session() as session:
            return self._guard(lambda: session.execute_write(work))

    def _read(self, work: Callable[[Tx], T]) -> T:
        unit: neo4j.Transaction | None = getattr(self._units, "tx", None)
        if unit is not None:
            return self._guard(lambda: work(unit))
        with self._session() as session:
            return self._guard(lambda: session.execute_read(work))

    @contextlib.contextmanager
    def unit(self) -> Iterator[None]:
        """Run the calling thread's writes and reads inside in one transaction.

        It is an explicit transaction, which the driver does not retry: a transient
        failure inside fails the whole unit (`StoreUnavailable`), and Neo4j rolls
        back a transaction whose client dies before committing. Other threads read
        what was committed before it.
        """
        with self._session() as session:
            tx = self._guard(session.begin_transaction)
            self._units.tx = tx
            try:
                yield
                self._guard(tx.commit)
            except BaseException:
                if not tx.closed():
                    self._rollback(tx)
                raise
            finally:
                self._units.tx = None

    def _rollback(self, tx: neo4j.Transaction) -> None:
        try:
            tx.rollback()
        except (neo4j.exceptions.Neo4jError, neo4j.exceptions.DriverError) as err:
            # The server rolls back a transaction it cannot finish on its own.
            log.warning("neo4j.rollback_failed uri=%s error=%s", self.uri, err)

    def _session(self) -> neo4j.Session:
        return self._driver.session(
            database=self.database, bookmark_manager=self._bookmarks
        )

    def _guard(self, call: Callable[[], T]) -> T:
        """Run `call`, turning the driver's errors (after its retries) into ours."""
        try:
            return call()
        except neo4j.exceptions.IncompleteCommit as err:
            raise StoreUnavailable(
                f"the connection to Neo4j at {self.uri} broke while committing, so the"
                " transaction may or may not have been applied; writing the same"
                " batch again is safe"
            ) from err
        except (
            neo4j.exceptions.ServiceUnavailable,
            neo4j.exceptions.SessionExpired,
        ) as err:
            raise StoreUnavailable(
                f"Neo4j at {self.uri} is unavailable, retries exhausted: {_said(err)}"
            ) from err
        except neo4j.exceptions.TransientError as err:
            raise StoreUnavailable(
                f"Neo4j at {self.uri} failed for a transient reason, retries"
                f" exhausted: {_said(err)}"
            ) from err
        except neo4j.exceptions.Neo4jError as err:
            raise StoreError(f"Neo4j at {self.uri}: {_said(err)}") from err
        except neo4j.exceptions.DriverError as err:
            raise StoreError(f"Neo4j at {self.uri}: {_said(err)}") from err

    # -- writing -------------------------------------------------------------------

    def write(
        self, records: Sequence[Record], retire: Collection[NodeKey] = ()
    ) -> BatchResult:
        """Upsert the records in order, then remove the `retire` nodes left unlinked,
        in one transaction; durable when this returns."""
        own, referenced = keys_read(records)
        retiring = sorted(set(retire))
        return self._write(
            lambda tx: _write_batch(tx, records, own, referenced, retiring)
        )

    # -- reading nodes ---------------------------------------------------------------

    def node(self, label: str, id: str) -> Node | None:
        return self.nodes_by_key([(label, id)])[0]

    def nodes_by_key(self, keys: Sequence[NodeKey]) -> list[Node | None]:
        found = self._read(lambda tx: neo4j_reads.fetch(tx, keys))
        return [stored_node(k, found[k]) if k in found else None for k in keys]

    def nodes(self, label: str) -> Iterator[Node]:
        if label not in BY_LABEL:
            return iter(())
        rows = self._read(lambda tx: neo4j_reads.nodes_of_label(tx, label))
        return (stored_node((label, id_), props) for id_, props in rows)

    def referrers(self, key: NodeKey) -> list[Node]:
        label, id_ = key

        def work(tx: Tx) -> dict[NodeKey, Properties]:
            keys: list[NodeKey] = []
            for rel_type in TYPES:
                source, target = ENDPOINTS[rel_type]
                if target == label:
                    text = for_type("read/referrers", rel_type)
                    keys += [(source, s) for s in rows_of(tx, text, id=id_)]
            return neo4j_reads.fetch(tx, keys)

        found = self._read(work)
        return [stored_node(k, found[k]) for k in sorted(found)]

    def edges(self) -> Iterator[Edge]:
        def work(tx: Tx) -> list[Edge]:
            found = []
            for rel_type in TYPES:
                source, target = ENDPOINTS[rel_type]
                text = for_type("read/edges", rel_type)
                found += [
                    Edge(rel_type, (source, s), (target, d))
                    for s, d in rows_of(tx, text)
                ]
            return found

        return iter(
            sorted(self._read(work), key=lambda e: (e.type, e.source, e.target))
        )

    def counts(self) -> GraphCounts:
        def work(tx: Tx) -> GraphCounts:
            labels = {
                label: _single(tx, for_label("read/node_count", label))["count"]
                for label in sorted(BY_LABEL)
            }
            types = {
                t: _single(tx, for_type("read/relationship_count", t))["count"]
                for t in sorted(TYPES)
            }
            return GraphCounts(
                {k: n for k, n in labels.items() if n},
                {k: n for k, n in types.items() if n},
            )

        return self._read(work)

    def dangling(self) -> dict[str, list[str]]:
        def work(tx: Tx) -> dict[str, list[str]]:
            found = {}
            for label in sorted(_DESCRIBING):
                text = for_label("read/undescribed", label)
                ids = sorted(rows_of(tx, text, required=_DESCRIBING[label]))
                if ids:
                    found[label] = ids
            return found

        return self._read(work)

    def item_ids(self) -> list[str]:
        def work(tx: Tx) -> list[str]:
            return rows_of(tx, statement("read/item_ids"))

        return sorted(self._read(work))

    # -- pending nodes ---------------------------------------------------------------

    def pending(self) -> Pending:
        row = self._read(lambda tx: _single(tx, statement("read/pending")))
        return Pending(row["count"], row["upto"] or 0)

    def pending_keys(self, upto: int) -> Iterator[NodeKey]:
        """The pending markers up to batch `upto`, read a few batches at a time."""

        def batches(tx: Tx) -> list[tuple[int, int]]:
            rows = rows_of(tx, statement("read/pending_batches"), upto=upto)
            return [(seq, count) for seq, count in rows]

        def keys(first: int, last: int) -> Callable[[Tx], list[NodeKey]]:
            def work(tx: Tx) -> list[NodeKey]:
                text = statement("read/pending_keys")
                rows = rows_of(tx, text, first=first, last=last)
                return [(label, id_) for label, id_ in rows]

            return work

        for first, last in _spans(self._read(batches), PENDING_CHUNK):
            yield from self._read(keys(first, last))

    def clear_pending(self, upto: int) -> None:
        text = statement("write/clear_pending")
        while True:
            deleted = self._write(
                lambda tx: _single(tx, text, upto=upto, limit=PENDING_CHUNK)["deleted"]
            )
            if deleted < PENDING_CHUNK:
                return

    # -- investigation -----------------------------------------------------------------

    def affected_items(self, keys: Iterable[NodeKey]) -> set[str]:
        by_label: dict[str, set[str]] = defaultdict(set)
        for label, id_ in keys:
            by_label[label].add(id_)
        return self._read(lambda tx: neo4j_reads.affected_items(tx, by_label))

    def item_evidence(self, item_ids: Sequence[str]) -> list[ItemEvidence]:
        return self._read(lambda tx: neo4j_reads.item_evidence(tx, item_ids))

    def save_findings(
        self, item_ids: Sequence[str], findings: Sequence[Finding]
    ) -> None:
        """Replace the findings of `item_ids`, as nodes linked to what they concern."""

        def work(tx: Tx) -> None:
            brands = neo4j_reads.item_brands(tx, (f.item for f in findings))
            rows = [finding_to_neo4j(f, brands.get(f.item)) for f in findings]
            if item_ids:
                text = statement("write/delete_findings")
                tx.run(text, items=list(item_ids)).consume()
            if rows:
                tx.run(statement("write/save_findings"), findings=rows).consume()

        self._write(work)

    def findings(
        self, query: FindingQuery, first: int | None = None, after: str | None = None
    ) -> list[StoredFinding]:
        """Saved findings that match, in the engine's order, a page at a time."""
        found, cursor = self._read(lambda tx: _findings_after(tx, query, after))
        if after is not None and cursor is None:
            raise InvalidArgument(
                "after", "names no finding (the data changed); start again"
            )
        if cursor is not None:
            found = [f for f in found if finding_order(f.finding) > cursor]
        return found if first is None else found[:first]

    def count_findings(self, query: FindingQuery) -> int:
        found, _ = self._read(lambda tx: _findings_after(tx, query, None))
        return len(found)

    def item_findings(self, item_id: str) -> list[StoredFinding]:
        text = statement("read/findings_of_item")
        return self._read(lambda tx: neo4j_reads.findings(tx, text, {"item": item_id}))

    def party_facts(self, party_ids: Iterable[str]) -> dict[str, PartyFacts]:
        ids = list(party_ids)
        keys = [("Party", p) for p in ids]
        found = self._read(lambda tx: neo4j_reads.fetch(tx, keys))
        return {p: graphreads.party_facts(found.get, p) for p in ids}

    def trades(self, party_ids: Iterable[str]) -> list[Trade]:
        ids = list(party_ids)
        return self._read(lambda tx: neo4j_reads.trades(tx, ids))

    def neighborhood(self, start: NodeKey, depth: int, limit: int) -> Subgraph:
        return self._read(lambda tx: neo4j_reads.neighborhood(tx, start, depth, limit))

    # -- lifecycle -----------------------------------------------------------------

    def close(self) -> None:
        """Close the driver and its connections."""
        self._driver.close()
        log.info("neo4j.closed uri=%s", self.uri)

    # -- load history --------------------------------------------------------------

    def record_load(self, record: LoadRecord) -> None:
        self._write(lambda tx: neo4j_loads.record_load(tx, record))

    def loads(
        self, query: LoadQuery, first: int | None = None, after: str | None = None
    ) -> list[LoadRecord]:
        return self._read(lambda tx: neo4j_loads.loads(tx, query, first, after))

    def load_record(self, load_id: str) -> LoadRecord | None:
        return self._read(lambda tx: neo4j_loads.load_record(tx, load_id))

    def loaded_hashes(
        self, hashes: Iterable[str], source: str | None = None
    ) -> set[str]:
        wanted = list(hashes)
        return self._read(lambda tx: neo4j_loads.loaded_hashes(tx, wanted, source))

    def source_freshness(self) -> list[SourceFreshness]:
        return self._read(neo4j_loads.source_freshness)

    # -- EPCIS events ----------------------------------------------------------------

    def save_events(self, events: Sequence[StoredEvent]) -> list[bool]:
        """Keep the events with new ids and apply retractions, in one transaction."""

        def work(tx: Tx) -> list[bool]:
            found = neo4j_reads.events_by_id(tx, [e.id for e in events])
            kept = {e.id: e for e in found if e is not None}
            saves = plan_saves(events, kept)
            if saves.fresh:
                rows = [to_row(e) for e in saves.fresh]
                tx.run(statement("write/save_events"), events=rows).consume()
            if saves.retractions:
                rows = [
                    {"id": id_, "retraction": retraction_json(r)}
                    for id_, r in saves.retractions.items()
                ]
                text = statement("write/retract_events")
                tx.run(text, retractions=rows).consume()
            return saves.new

        return self._write(work)

    def events_by_id(self, ids: Sequence[str]) -> list[StoredEvent | None]:
        return self._read(lambda tx: neo4j_reads.events_by_id(tx, ids))

    def events(
        self, query: EventQuery, first: int, after: str | None = None
    ) -> list[StoredEvent]:
        def work(tx: Tx) -> list[StoredEvent]:
            after_time = None
            if after is not None:
                found = neo4j_reads.events_by_id(tx, [after])[0]
                if found is None:
                    raise InvalidArgument("after", "names no kept event; start again")
                after_time = micros(found.event_time)
            return neo4j_reads.events(tx, query, first, after, after_time)

        return self._read(work)

    # -- capture jobs ----------------------------------------------------------------

    def save_capture_job(self, job: CaptureJob) -> None:
        row = {
            "id": job.id,
            "createdAt": job.created_at.isoformat(),
            "running": job.running,
            "data": job_to_json(job),
        }
        self._write(_runner(statement("write/save_capture_job"), job=row))

    def capture_job(self, job_id: str) -> CaptureJob | None:
        def work(tx: Tx) -> str | None:
            row = tx.run(statement("read/capture_job"), id=job_id).single()
            return None if row is None else str(row["data"])

        data = self._read(work)
        return None if data is None else job_from_json(data)

    def running_capture_jobs(self) -> list[CaptureJob]:
        text = statement("read/running_capture_jobs")
        found = self._read(lambda tx: rows_of(tx, text))
        return [job_from_json(data) for data in found]

    # -- search --------------------------------------------------------------------

    def search(self, text: str, first: int) -> list[NodeKey]:
        return self._read(lambda tx: neo4j_reads.search(tx, text, first))


def _runner(text: str, **params: Any) -> Callable[[Tx], None]:
    """Work that runs one statement and discards its result."""

    def work(tx: Tx) -> None:
        tx.run(text, params).consume()

    return work


def _single(tx: Tx, text: str, **params: Any) -> neo4j.Record:
    return tx.run(text, params).single(strict=True)


def _write_batch(
    tx: Tx,
    records: Sequence[Record],
    own: Collection[NodeKey],
    referenced: Collection[NodeKey],
    retire: Sequence[NodeKey],
) -> BatchResult:
    current = neo4j_reads.fetch(tx, own)
    existing = neo4j_reads.existing(tx, (k for k in referenced if k not in current))
    plan = Plan(current.get, lambda key: key in current or key in existing)
    for record in records:
        plan.add(record)

    # Nodes first (relationships need both ends). Every group goes in key order, so
    # that concurrent batches lock the nodes they share in the same order.
    nodes: dict[str, list[dict[str, object]]] = defaultdict(list)
    for (label, id_), props in sorted(plan.nodes.items()):
        nodes[label].append(to_neo4j(id_, props))
    for label, rows in nodes.items():
        tx.run(for_label("write/upsert_nodes", label), nodes=rows).consume()
    for rel_type, pairs in _pairs(plan.removed):
        tx.run(for_type("write/delete_relationships", rel_type), pairs=pairs).consume()
    for rel_type, pairs in _pairs(plan.added):
        tx.run(for_type("write/merge_relationships", rel_type), pairs=pairs).consume()
    if retire:
        plan.result.retired = _retire(tx, retire)

    # The batch number is taken last: every batch locks the counter, and holding it
    # only until the commit keeps concurrent batches from queueing on it.
    seq = _single(tx, statement("write/next_batch"))["seq"]
    touched = sorted(plan.result.touched)
    if touched:
        tx.run(statement("write/mark_pending"), keys=touched, seq=seq).consume()
    log.debug(
        "neo4j.batch seq=%d records=%d nodes=%d added=%d removed=%d",
        seq,
        len(records),
        len(plan.nodes),
        len(plan.added),
        len(plan.removed),
    )
    return plan.result


def _retire(tx: Tx, keys: Sequence[NodeKey]) -> set[NodeKey]:
    """Delete those of the nodes that are undescribed and have no relationship."""
    by_label: dict[str, list[str]] = defaultdict(list)
    for label, id_ in keys:
        if label in BY_LABEL:
            by_label[label].append(id_)
    retired: set[NodeKey] = set()
    for label, ids in by_label.items():
        text = for_label("write/retire_nodes", label)
        gone = rows_of(tx, text, ids=ids, required=_DESCRIBING[label], types=TYPES)
        retired.update((label, id_) for id_ in gone)
    return retired


def _pairs(edges: Iterable[EdgeKey]) -> Iterator[tuple[str, list[tuple[str, str]]]]:
    """Relationships grouped by type, in the model's order, each group sorted."""
    by_type: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for rel_type, source, target in edges:
        by_type[rel_type].append((source[1], target[1]))
    for rel_type in TYPES:
        if rel_type in by_type:
            yield rel_type, sorted(by_type[rel_type])


def _spans(batches: Sequence[tuple[int, int]], size: int) -> Iterator[tuple[int, int]]:
    """Runs of consecutive batch numbers holding about `size` markers each."""
    first: int | None = None
    held = 0
    for seq, count in batches:
        if first is None:
            first = seq
        held += count
        if held >= size:
            yield first, seq
            first, held = None, 0
    if first is not None:
        yield first, batches[-1][0]


def _findings_after(
    tx: Tx, query: FindingQuery, after: str | None
) -> tuple[list[StoredFinding], tuple[Any, ...] | None]:
    """The findings matching `query`, and the order key of the finding `after`."""
    if query.party is not None:
        text, params = statement("read/findings_of_party"), {"party": query.party}
    elif query.brand is not None:
        text, params = statement("read/findings_of_brand"), {"brand": query.brand}
    else:
        text, params = statement("read/findings"), {}
    found = [f for f in neo4j_reads.findings(tx, text, params) if query.matches(f)]
    cursor = None
    if after is not None:
        row = tx.run(statement("read/finding"), id=after).single()
        stored = finding_from_neo4j(row["finding"]) if row is not None else None
        if stored is not None and query.pages(stored):
            cursor = finding_order(stored.finding)
    return found, cursor


def _said(err: Exception) -> str:
    """What the driver or the server said, on one line: the driver's messages span
    several, and graphsvc's errors are shown as one."""
    text = err.message if isinstance(err, neo4j.exceptions.Neo4jError) else str(err)
    return " ".join((text or type(err).__name__).split())
