"""The embedded store: SQLite on disk, the network of parties in memory with networkx.

SQLite holds the whole graph and is the store of record: every batch is planned,
committed there in one transaction, and only then applied in memory, so a process
killed mid-batch leaves SQLite as it was before the batch and reopening the data
directory restores exactly what was acknowledged. A `unit` makes several batches one
such transaction.

The networkx graph in memory holds every node and relationship except items and
scans: brands, parties, sites, products, authorizations and shipments, the network
that analytics walk. Items and scans are the millions (a scan per step of every item),
so they stay on disk, indexed both ways, and are read in batches when evidence or a
neighbourhood needs them. That keeps a million items within a few hundred megabytes
and reopening down to the size of the network. One process at a time owns a data
directory.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import json
import logging
import os
import sqlite3
import threading
from collections import defaultdict
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from itertools import islice
from pathlib import Path
from typing import Any, Final

import networkx as nx

from graphsvc.config import data_dir_problem
from graphsvc.engine.clusters import Trade
from graphsvc.engine.evidence import ItemEvidence, PartyFacts
from graphsvc.engine.findings import Finding, FindingKind, finding_order
from graphsvc.errors import DataDirLocked, InvalidArgument, StoreError
from graphsvc.model import NODE_TYPES, REL_TYPES
from graphsvc.records import Record
from graphsvc.store import containment, graphreads
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
from graphsvc.store.jobs import CaptureJob
from graphsvc.store.jobsql import CaptureJobTable
from graphsvc.store.loads import LoadQuery, LoadRecord, SourceFreshness
from graphsvc.store.planning import Plan, keys_named
from graphsvc.store.search import SEARCHABLE, best
from graphsvc.store.sqlevents import SqlEvents
from graphsvc.store.sqlgraph import SqlGraph
from graphsvc.store.sqlloads import SqlLoads

log = logging.getLogger(__name__)

DB_FILE: Final = "graph.sqlite3"
LOCK_FILE: Final = "lock"
PENDING_CHUNK: Final = 10_000
"""Pending keys read at a time, so catching up after a large load stays bounded."""

ON_DISK: Final = frozenset({"Item", "Scan", "Containment"})
"""Labels kept only in SQLite: there are millions of them."""
_IN_MEMORY_RELS: Final = frozenset(
    r.type for r in REL_TYPES if r.source not in ON_DISK and r.target not in ON_DISK
)
_TO_SHIPMENTS: Final = {
    "Party": ("SHIPPED_BY", "CONSIGNED_TO", "CARRIED_BY"),
    "Site": ("FROM_SITE", "TO_SITE"),
}


class EmbeddedStore:
    """The default store: no server, one data directory.

    >>> store = EmbeddedStore(Path("graphsvc-data"))  # doctest: +SKIP
    >>> store.counts().nodes["Item"]  # doctest: +SKIP
    """

    def __init__(self, data_dir: Path) -> None:
        try:
            data_dir.mkdir(parents=True, exist_ok=True)
            self._lock_fd = _lock(data_dir / LOCK_FILE)
        except OSError as err:
            raise StoreError(data_dir_problem(data_dir, err)) from err
        self.data_dir = data_dir
        self._mutex = threading.RLock()
        self._graph: nx.MultiDiGraph[NodeKey] = nx.MultiDiGraph()
        # networkx keeps node attributes in this dict; reading it directly spares a
        # view object per lookup on the hot paths.
        self._props: dict[NodeKey, Properties] = self._graph._node  # type: ignore[attr-defined]
        self._findings: dict[str, list[StoredFinding]] = {}
        self._grants: dict[str, set[str]] = {}
        self._seq = 0
        self._ordered: list[StoredFinding] | None = None
        self._position: dict[str, int] = {}
        try:
            self._sql = SqlGraph(data_dir / DB_FILE)
            self._events = SqlEvents(self._sql.db)
        except sqlite3.DatabaseError as err:
            os.close(self._lock_fd)
            raise StoreError(
                f"{data_dir / DB_FILE} is not a graphsvc store ({err})"
            ) from err
        except BaseException:
            os.close(self._lock_fd)
            raise
        try:
            self._restore()
        except BaseException:
            self.close()
            raise

    # -- writing -----------------------------------------------------------------

    def write(
        self, records: Sequence[Record], retire: Collection[NodeKey] = ()
    ) -> BatchResult:
        """Upsert the records in order, then remove the `retire` nodes left unlinked;
        all of it is durable when this returns."""
        with self._mutex:
            on_disk = self._fetch(keys_named(records))
            memory = self._props

            def lookup(key: NodeKey) -> Properties | None:
                return on_disk.get(key) if key[0] in ON_DISK else memory.get(key)

            plan = Plan(lookup)
            for record in records:
                plan.add(record)
            plan.result.retired = self._sql.commit(plan, self._seq + 1, retire)
            self._seq += 1
            self._apply(plan)
            return plan.result

    @contextlib.contextmanager
    def unit(self) -> Iterator[None]:
        """Commit the writes and event saves inside as one SQLite transaction.

        The store is held for the whole unit, so other threads wait rather than read
        what may yet be rolled back. When the unit fails, the graph in memory is read
        again from SQLite, which kept nothing of it.
        """
        with self._mutex:
            try:
                with self._sql.unit():
                    yield
            except BaseException:
                self._reload()
                raise

    def _reload(self) -> None:
        """Forget the in-memory graph and findings and read them from SQLite again."""
        self._graph.clear()
        self._findings.clear()
        self._grants.clear()
        self._ordered = None
        self._position = {}
        self._restore()

    def _fetch(self, keys: Iterable[NodeKey]) -> dict[NodeKey, Properties]:
        """Properties of the on-disk nodes among `keys` that exist."""
        wanted: dict[str, list[str]] = defaultdict(list)
        for label, id_ in keys:
            if label in ON_DISK:
                wanted[label].append(id_)
        return {
            (label, id_): props
            for label, ids in wanted.items()
            for id_, props in self._sql.props(label, ids).items()
        }

    def _apply(self, plan: Plan) -> None:
        """Make a committed plan visible in memory."""
        graph = self._graph
        for key, props in plan.nodes.items():
            if key[0] in ON_DISK:
                continue
            if key[0] == "Authorization":
                self._ungrant(key[1])
            if key in graph:
                attrs = self._props[key]
                attrs.clear()
                attrs.update(props)
            else:
                graph.add_node(key, **props)
            if key[0] == "Authorization":
                self._grant(key[1], props)
        for rel, source, target in plan.removed:
            if rel in _IN_MEMORY_RELS:
                graph.remove_edge(source, target, rel)
        for rel, source, target in plan.added:
            if rel in _IN_MEMORY_RELS:
                graph.add_edge(source, target, rel)
        for key in plan.result.retired:
            if key in graph:
                graph.remove_node(key)

    def _grant(self, auth_id: str, props: Mapping[str, object]) -> None:
        party = props.get("party")
        if isinstance(party, str):
            self._grants.setdefault(party, set()).add(auth_id)

    def _ungrant(self, auth_id: str) -> None:
        props = self._props.get(("Authorization", auth_id))
        party = props.get("party") if props is not None else None
        if isinstance(party, str):
            self._grants.get(party, set()).discard(auth_id)

    # -- reading -----------------------------------------------------------------

    def node(self, label: str, id: str) -> Node | None:
        found = self.nodes_by_key([(label, id)])
        return found[0]

    def nodes_by_key(self, keys: Sequence[NodeKey]) -> list[Node | None]:
        with self._mutex:
            on_disk = self._fetch(keys)
            found = [
                on_disk.get(k) if k[0] in ON_DISK else self._props.get(k) for k in keys
            ]
        return [
            None if props is None else stored_node(k, props)
            for k, props in zip(keys, found, strict=True)
        ]

    def nodes(self, label: str) -> Iterator[Node]:
        with self._mutex:
            if label in ON_DISK:
                rows = list(self._sql.rows(label))
            else:
                rows = sorted(
                    (id_, props)
                    for (lbl, id_), props in self._props.items()
                    if lbl == label
                )
        return (stored_node((label, id_), props) for id_, props in rows)

    def referrers(self, key: NodeKey) -> list[Node]:
        label, id_ = key
        found: dict[NodeKey, Properties] = {}
        with self._mutex:
            for r in REL_TYPES:
                if r.target != label:
                    continue
                if r.type in _IN_MEMORY_RELS:
                    for source in self._sources(key, r.type):
                        found[r.source, source] = self._props[r.source, source]
                else:
                    ids = self._sql.source_ids(r.type, [id_])
                    for source, props in self._sql.props(r.source, ids).items():
                        found[r.source, source] = props
            return [stored_node(k, found[k]) for k in sorted(found)]

    def edges(self) -> Iterator[Edge]:
        with self._mutex:
            return iter(list(self._sql.edges()))

    def counts(self) -> GraphCounts:
        with self._mutex:
            return GraphCounts(self._sql.node_counts(), self._sql.edge_counts())

    def dangling(self) -> dict[str, list[str]]:
        with self._mutex:
            return self._sql.undescribed()

    def item_ids(self) -> list[str]:
        with self._mutex:
            return self._sql.ids("Item")

    # -- investigation -------------------------------------------------------------

    def pending(self) -> Pending:
        with self._mutex:
            return Pending(*self._sql.pending())

    def pending_keys(self, upto: int) -> Iterator[NodeKey]:
        last = 0
        while True:
            with self._mutex:
                rows, last = self._sql.pending_chunk(upto, last, PENDING_CHUNK)
            yield from rows
            if len(rows) < PENDING_CHUNK:
                return

    def clear_pending(self, upto: int) -> None:
        with self._mutex:
            self._sql.clear_pending(upto)

    def affected_items(self, keys: Iterable[NodeKey]) -> set[str]:
        """Items whose evidence includes any of `keys`, traced label by label."""
        with self._mutex:
            by_label: dict[str, set[str]] = defaultdict(set)
            for label, id_ in keys:
                by_label[label].add(id_)
            return self._items_of(by_label)

    def _items_of(self, by_label: dict[str, set[str]]) -> set[str]:
        sql = self._sql
        for auth in by_label.pop("Authorization", ()):
            party = self._props.get(("Authorization", auth), {}).get("party")
            if isinstance(party, str):
                by_label["Party"].add(party)
        for brand in by_label.pop("Brand", ()):
            by_label["Product"].update(self._sources(("Brand", brand), "OF_BRAND"))
        for party in by_label["Party"]:
            by_label["Site"].update(self._sources(("Party", party), "OPERATED_BY"))
        for label in ("Party", "Site"):
            for id_ in by_label[label]:
                for rel in _TO_SHIPMENTS[label]:
                    by_label["Shipment"].update(self._sources((label, id_), rel))
        items = set(by_label["Item"])
        items.update(i for _, i in sql.targets("OF_ITEM", by_label["Scan"]))
        items |= sql.scanned_items("BY_PARTY", by_label["Party"])
        items |= sql.scanned_items("AT_SITE", by_label["Site"])
        items |= sql.source_ids("PRODUCED_AT", by_label["Site"])
        items |= sql.source_ids("OF_PRODUCT", by_label["Product"])
        for shipment in by_label["Shipment"]:
            carried = self._props.get(("Shipment", shipment), {}).get("items", ())
            assert isinstance(carried, tuple)
            items.update(carried)
        touched = sql.props("Containment", by_label["Containment"]).values()
        items.update(
            str(p[end]) for p in touched for end in ("parent", "child") if end in p
        )
        return items | self._contents(items)

    def _contents(self, containers: set[str]) -> set[str]:
        """Every item ever put inside the containers, at any depth."""
        found: set[str] = set()
        frontier = containers
        for _ in range(containment.MAX_DEPTH):
            rows = self._sql.sources("IN_PARENT", frontier)
            records = self._sql.props("Containment", [c for _, c in rows]).values()
            frontier = {str(p["child"]) for p in records if "child" in p} - found
            if not frontier:
                break
            found |= frontier
        return found

    def _sources(self, key: NodeKey, rel: str) -> list[str]:
        """Ids of in-memory nodes with a `rel` relationship into `key`."""
        if key not in self._graph:
            return []
        pred: Mapping[NodeKey, Mapping[str, object]] = self._graph._pred[key]  # type: ignore[attr-defined]
        return [source[1] for source, rels in pred.items() if rel in rels]

    def item_evidence(self, item_ids: Sequence[str]) -> list[ItemEvidence]:
        with self._mutex:
            sql = self._sql
            items = sql.props("Item", item_ids)
            spans = containment.spans(items, self._as_child, self._emptied)
            containers = {s.container for ss in spans.values() for s in ss}
            moves = self._movements([*items, *containers])
            facts = graphreads.Facts(self._props.get, self._grants)

            found = []
            for item_id in item_ids:
                props = items.get(item_id)
                if props is None:
                    continue
                shipments, scans = moves[item_id]
                inside = [(s, moves[s.container]) for s in spans[item_id]]
                found.append(
                    graphreads.item_evidence(
                        item_id, props, shipments, scans, facts, inside
                    )
                )
            return found

    def _movements(self, ids: Sequence[str]) -> dict[str, graphreads.Movements]:
        """The shipments and scans of each item or container id."""
        sql = self._sql
        carried: dict[str, list[str]] = defaultdict(list)
        for item, shipment in sql.sources("CARRIES", ids):
            carried[item].append(shipment)
        scanned: dict[str, list[str]] = defaultdict(list)
        for item, scan in sql.sources("OF_ITEM", ids):
            scanned[item].append(scan)
        scans = sql.props("Scan", [s for ss in scanned.values() for s in ss])
        return {
            id_: (
                [(s, self._props.get(("Shipment", s), {})) for s in carried[id_]],
                [(s, scans[s]) for s in scanned[id_] if s in scans],
            )
            for id_ in ids
        }

    def _as_child(self, ids: set[str]) -> list[Mapping[str, object]]:
        rows = self._sql.sources("OF_CHILD", ids)
        return list(self._sql.props("Containment", [c for _, c in rows]).values())

    def _emptied(self, ids: set[str]) -> list[Mapping[str, object]]:
        rows = self._sql.sources("IN_PARENT", ids)
        found = self._sql.props("Containment", [c for _, c in rows]).values()
        return [props for props in found if "child" not in props]

    def _brands(self, item_ids: Iterable[str]) -> dict[str, str | None]:
        """The brand of each item's product, when both are known."""
        brands: dict[str, str | None] = {}
        for item, props in self._sql.props("Item", item_ids).items():
            product = props.get("product")
            brand = self._props.get(("Product", str(product)), {}).get("brand")
            brands[item] = brand if isinstance(brand, str) else None
        return brands

    def save_findings(
        self, item_ids: Sequence[str], findings: Sequence[Finding]
    ) -> None:
        """Replace the findings of `item_ids`."""
        with self._mutex:
            brands = self._brands({f.item for f in findings})
            rows = [
                (f.item, f.id, json.dumps(_finding_json(f, brands.get(f.item))))
                for f in findings
            ]
            self._sql.replace_findings(item_ids, rows)
            for item in item_ids:
                self._findings.pop(item, None)
            for finding in findings:
                self._findings.setdefault(finding.item, []).append(
                    StoredFinding(finding, brands.get(finding.item))
                )
            self._ordered = None

    def findings(
        self, query: FindingQuery, first: int | None = None, after: str | None = None
    ) -> list[StoredFinding]:
        with self._mutex:
            ordered, position = self._in_order()
            start = 0
            if after is not None:
                if after not in position or not query.pages(ordered[position[after]]):
                    raise InvalidArgument(
                        "after", "names no finding (the data changed); start again"
                    )
                start = position[after] + 1
            page: list[StoredFinding] = []
            for stored in islice(ordered, start, None):
                if first is not None and len(page) >= first:
                    break
                if query.matches(stored):
                    page.append(stored)
            return page

    def count_findings(self, query: FindingQuery) -> int:
        with self._mutex:
            ordered, _ = self._in_order()
            return sum(1 for f in ordered if query.matches(f))

    def _in_order(self) -> tuple[list[StoredFinding], dict[str, int]]:
        """Every saved finding in order, and each one's position, rebuilt on change."""
        if self._ordered is None:
            every = (f for fs in self._findings.values() for f in fs)
            self._ordered = sorted(every, key=lambda f: finding_order(f.finding))
            self._position = {f.finding.id: n for n, f in enumerate(self._ordered)}
        return self._ordered, self._position

    def item_findings(self, item_id: str) -> list[StoredFinding]:
        with self._mutex:
            found = list(self._findings.get(item_id, ()))
        return sorted(found, key=lambda f: finding_order(f.finding))

    def party_facts(self, party_ids: Iterable[str]) -> dict[str, PartyFacts]:
        with self._mutex:
            return {p: graphreads.party_facts(self._props.get, p) for p in party_ids}

    def trades(self, party_ids: Iterable[str]) -> list[Trade]:
        """Trade shipped by or consigned to any of the parties (`is_trade`)."""
        with self._mutex:
            shipments = {
                s
                for party in party_ids
                for rel in ("SHIPPED_BY", "CONSIGNED_TO")
                for s in self._sources(("Party", party), rel)
            }
            traded = []
            for shipment in sorted(shipments):
                props = self._props[("Shipment", shipment)]
                if graphreads.is_trade(props):
                    traded.append((shipment, props))
            listed = {i for _, props in traded for i in graphreads.listed_items(props)}
            inside = containment.spans(
                self._contents(listed), self._as_child, self._emptied
            )
            carried = graphreads.carried(traded, inside)
            brands = self._brands({i for items in carried.values() for i in items})

        return [graphreads.trade(s, props, carried[s], brands) for s, props in traded]

    def neighborhood(self, start: NodeKey, depth: int, limit: int) -> Subgraph:
        with self._mutex:
            if self.nodes_by_key([start])[0] is None:
                return Subgraph([], [], truncated=False)
            return graphreads.neighborhood(
                start, depth, limit, self._neighbours, self._edges_among
            )

    def _neighbours(self, key: NodeKey, most: int) -> list[NodeKey]:
        label, id_ = key
        found: set[NodeKey] = set()
        for r in REL_TYPES:
            for here, there, outgoing in (
                (r.source, r.target, True),
                (r.target, r.source, False),
            ):
                if here != label:
                    continue
                if r.type in _IN_MEMORY_RELS:
                    found.update(self._memory_neighbours(key, r.type, outgoing))
                else:
                    ids = self._sql.neighbours(r.type, id_, outgoing, most)
                    found.update((there, other) for other in ids)
        return sorted(found)[:most]

    def _memory_neighbours(
        self, key: NodeKey, rel: str, outgoing: bool
    ) -> list[NodeKey]:
        if key not in self._graph:
            return []
        adjacency = self._graph._succ if outgoing else self._graph._pred  # type: ignore[attr-defined]
        return [other for other, rels in adjacency[key].items() if rel in rels]

    def _edges_among(self, keys: Sequence[NodeKey]) -> list[Edge]:
        chosen = set(keys)
        by_label: dict[str, list[str]] = defaultdict(list)
        for label, id_ in keys:
            by_label[label].append(id_)
        found = []
        for r in REL_TYPES:
            sources, targets = by_label.get(r.source, []), by_label.get(r.target, [])
            if r.type in _IN_MEMORY_RELS:
                for id_ in sources:
                    key = (r.source, id_)
                    found += [
                        Edge(r.type, key, other)
                        for other in self._memory_neighbours(key, r.type, True)
                        if other in chosen
                    ]
            else:
                found += [
                    Edge(r.type, (r.source, s), (r.target, t))
                    for s, t in self._sql.edges_among(r.type, sources, targets)
                ]
        return found

    # -- lifecycle ---------------------------------------------------------------

    def close(self) -> None:
        with self._mutex:
            self._sql.close()
            os.close(self._lock_fd)

    def _restore(self) -> None:
        for t in NODE_TYPES:
            if t.label in ON_DISK:
                continue
            self._graph.add_nodes_from(
                ((t.label, id_), props) for id_, props in self._sql.rows(t.label)
            )
        for (label, id_), props in self._props.items():
            if label == "Authorization":
                self._grant(id_, props)
        for rel, s, d in self._sql.edge_rows(_IN_MEMORY_RELS):
            source, target = _ENDPOINTS[rel]
            self._graph.add_edge((source, s), (target, d), rel)
        self._seq = self._sql.pending()[1]
        for item, data in self._sql.finding_rows():
            stored = _finding_from_json(item, json.loads(data))
            self._findings.setdefault(item, []).append(stored)
        log.info(
            "store.restored data_dir=%s nodes_in_memory=%d edges_in_memory=%d",
            self.data_dir,
            self._graph.number_of_nodes(),
            self._graph.number_of_edges(),
        )

    # -- load history --------------------------------------------------------------

    @functools.cached_property
    def _loads(self) -> SqlLoads:
        return SqlLoads(self._sql.db)

    def record_load(self, record: LoadRecord) -> None:
        with self._mutex:
            self._loads.add(record)

    def loads(
        self, query: LoadQuery, first: int | None = None, after: str | None = None
    ) -> list[LoadRecord]:
        with self._mutex:
            return self._loads.select(query, first, after)

    def load_record(self, load_id: str) -> LoadRecord | None:
        with self._mutex:
            return self._loads.get(load_id)

    def loaded_hashes(
        self, hashes: Iterable[str], source: str | None = None
    ) -> set[str]:
        with self._mutex:
            return self._loads.loaded_hashes(hashes, source)

    def source_freshness(self) -> list[SourceFreshness]:
        with self._mutex:
            return self._loads.freshness()

    # -- EPCIS events ----------------------------------------------------------------

    def save_events(self, events: Sequence[StoredEvent]) -> list[bool]:
        with self._mutex:
            return self._events.save(events)

    def events_by_id(self, ids: Sequence[str]) -> list[StoredEvent | None]:
        with self._mutex:
            return self._events.by_id(ids)

    def events(
        self, query: EventQuery, first: int, after: str | None = None
    ) -> list[StoredEvent]:
        with self._mutex:
            return self._events.query(query, first, after)

    # -- capture jobs ----------------------------------------------------------------

    @functools.cached_property
    def _capture_jobs(self) -> CaptureJobTable:
        return CaptureJobTable(self._sql.db)

    def save_capture_job(self, job: CaptureJob) -> None:
        with self._mutex:
            self._capture_jobs.save(job)

    def capture_job(self, job_id: str) -> CaptureJob | None:
        with self._mutex:
            return self._capture_jobs.get(job_id)

    def running_capture_jobs(self) -> list[CaptureJob]:
        with self._mutex:
            return self._capture_jobs.running()

    # -- search ------------------------------------------------------------------

    def search(self, text: str, first: int) -> list[NodeKey]:
        with self._mutex:
            candidates: list[tuple[NodeKey, object]] = [
                (key, props.get("name"))
                for key, props in self._props.items()
                if key[0] in SEARCHABLE
            ]
            for label in sorted(ON_DISK.intersection(SEARCHABLE)):
                ids = self._sql.ids_starting(label, text, first)
                candidates += [((label, id_), None) for id_ in ids]
        return best(candidates, text, first)


_ENDPOINTS: Final = {r.type: (r.source, r.target) for r in REL_TYPES}


def _strings(props: Mapping[str, object], name: str) -> tuple[str, ...]:
    value = props.get(name, ())
    assert isinstance(value, tuple)
    return value


def _finding_json(finding: Finding, brand: str | None) -> dict[str, object]:
    return {
        "kind": finding.kind.value,
        "party": finding.party,
        "at": finding.at.isoformat() if finding.at is not None else None,
        "shipment": finding.shipment,
        "explanation": finding.explanation,
        "refs": list(finding.refs),
        "brand": brand,
    }


def _finding_from_json(item: str, data: Mapping[str, Any]) -> StoredFinding:
    at = data["at"]
    finding = Finding(
        FindingKind(data["kind"]),
        item,
        data["party"],
        datetime.fromisoformat(at) if at is not None else None,
        data["shipment"],
        data["explanation"],
        tuple(data["refs"]),
    )
    return StoredFinding(finding, data["brand"])


def _lock(path: Path) -> int:
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise DataDirLocked(
            f"the data directory {path.parent} is in use by another graphsvc process"
        ) from None
    except OSError:
        os.close(fd)
        raise
    return fd
