"""The embedded store: a networkx graph in memory, made durable by SQLite.

Every batch is planned against the in-memory graph, committed to SQLite in one
transaction, and only then applied to the graph. A process killed mid-batch leaves
SQLite as it was before the batch, and reopening the data directory rebuilds exactly
the graph of the committed batches. One process at a time owns a data directory.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import sqlite3
import threading
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from itertools import islice
from pathlib import Path
from typing import Any, Final

import networkx as nx

from graphsvc.engine.clusters import Trade
from graphsvc.engine.evidence import ItemEvidence, PartyFacts
from graphsvc.engine.findings import Finding, FindingKind, finding_order
from graphsvc.errors import DataDirLocked, InvalidArgument, StoreError
from graphsvc.model import REL_TYPES, node_type
from graphsvc.records import Record
from graphsvc.store import graphreads
from graphsvc.store.base import (
    BatchResult,
    Edge,
    FindingQuery,
    GraphCounts,
    Node,
    NodeKey,
    Pending,
    StoredFinding,
    Subgraph,
)
from graphsvc.store.codec import EXTRA, decode, encode
from graphsvc.store.planning import Plan

log = logging.getLogger(__name__)

DB_FILE: Final = "graph.sqlite3"
LOCK_FILE: Final = "lock"
SCHEMA_VERSION: Final = 1
PENDING_CHUNK: Final = 10_000
"""Pending keys read at a time, so catching up after a large load stays bounded."""

_ENDPOINTS: Final = {r.type: (r.source, r.target) for r in REL_TYPES}
_SCHEMA: Final = (
    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS nodes (label TEXT NOT NULL, id TEXT NOT NULL,"
    " props TEXT NOT NULL, PRIMARY KEY (label, id)) WITHOUT ROWID",
    "CREATE TABLE IF NOT EXISTS edges (type TEXT NOT NULL, src TEXT NOT NULL,"
    " dst TEXT NOT NULL, PRIMARY KEY (type, src, dst)) WITHOUT ROWID",
    # Nodes written since findings were last brought up to date: a crash between a
    # batch and its findings leaves them here, to be evaluated at the next start.
    "CREATE TABLE IF NOT EXISTS pending (label TEXT NOT NULL, id TEXT NOT NULL,"
    " seq INTEGER NOT NULL, PRIMARY KEY (label, id)) WITHOUT ROWID",
    "CREATE TABLE IF NOT EXISTS findings (item TEXT NOT NULL, id TEXT NOT NULL,"
    " data TEXT NOT NULL, PRIMARY KEY (item, id)) WITHOUT ROWID",
)


class EmbeddedStore:
    """The default store: no server, one data directory.

    >>> store = EmbeddedStore(Path("graphsvc-data"))  # doctest: +SKIP
    >>> store.counts().nodes["Item"]  # doctest: +SKIP
    """

    def __init__(self, data_dir: Path) -> None:
        data_dir.mkdir(parents=True, exist_ok=True)
        self.data_dir = data_dir
        self._lock_fd = _lock(data_dir / LOCK_FILE)
        self._mutex = threading.RLock()
        self._graph: nx.MultiDiGraph[NodeKey] = nx.MultiDiGraph()
        self._findings: dict[str, list[StoredFinding]] = {}
        self._grants: dict[str, set[str]] = {}
        self._seq = 0
        self._ordered: list[StoredFinding] | None = None
        self._position: dict[str, int] = {}
        try:
            self._db = _connect(data_dir / DB_FILE)
            self._restore()
        except sqlite3.DatabaseError as err:
            os.close(self._lock_fd)
            raise StoreError(
                f"{data_dir / DB_FILE} is not a graphsvc store ({err})"
            ) from err
        except BaseException:
            os.close(self._lock_fd)
            raise

    # -- writing -----------------------------------------------------------------

    def write(self, records: Sequence[Record]) -> BatchResult:
        """Upsert the records in order; all of them are durable when this returns."""
        with self._mutex:
            plan = Plan(self._graph.nodes.get)
            for record in records:
                plan.add(record)
            self._commit(plan)
            self._seq += 1
            self._apply(plan)
            return plan.result

    def _apply(self, plan: Plan) -> None:
        """Make a committed plan visible in the graph and its index."""
        graph = self._graph
        for key, props in plan.nodes.items():
            if key[0] == "Authorization":
                self._ungrant(key[1])
            if key in graph:
                attrs = graph.nodes[key]
                attrs.clear()
                attrs.update(props)
            else:
                graph.add_node(key, **props)
            if key[0] == "Authorization":
                self._grant(key[1], props)
        for rel, source, target in plan.removed:
            graph.remove_edge(source, target, rel)
        for rel, source, target in plan.added:
            graph.add_edge(source, target, rel)

    def _grant(self, auth_id: str, props: Mapping[str, object]) -> None:
        party = props.get("party")
        if isinstance(party, str):
            self._grants.setdefault(party, set()).add(auth_id)

    def _ungrant(self, auth_id: str) -> None:
        props = self._graph.nodes.get(("Authorization", auth_id))
        party = props.get("party") if props is not None else None
        if isinstance(party, str):
            self._grants.get(party, set()).discard(auth_id)

    def _commit(self, plan: Plan) -> None:
        node_rows = [
            (label, id_, json.dumps(encode(props), ensure_ascii=False))
            for (label, id_), props in plan.nodes.items()
        ]
        try:
            with self._db:
                self._db.executemany(
                    "INSERT INTO nodes (label, id, props) VALUES (?, ?, ?)"
                    " ON CONFLICT (label, id) DO UPDATE SET props = excluded.props",
                    node_rows,
                )
                self._db.executemany(
                    "DELETE FROM edges WHERE type = ? AND src = ? AND dst = ?",
                    [(t, s[1], d[1]) for t, s, d in plan.removed],
                )
                self._db.executemany(
                    "INSERT OR IGNORE INTO edges (type, src, dst) VALUES (?, ?, ?)",
                    [(t, s[1], d[1]) for t, s, d in plan.added],
                )
                self._db.executemany(
                    "INSERT INTO pending (label, id, seq) VALUES (?, ?, ?)"
                    " ON CONFLICT (label, id) DO UPDATE SET seq = excluded.seq",
                    [(label, id_, self._seq + 1) for label, id_ in plan.result.touched],
                )
        except sqlite3.Error as err:
            raise StoreError(f"could not write to {self.data_dir}: {err}") from err

    # -- reading -----------------------------------------------------------------

    def node(self, label: str, id: str) -> Node | None:
        with self._mutex:
            props = self._graph.nodes.get((label, id))
            return None if props is None else _node((label, id), props)

    def nodes_by_key(self, keys: Sequence[NodeKey]) -> list[Node | None]:
        with self._mutex:
            found = [(k, self._graph.nodes.get(k)) for k in keys]
        return [None if props is None else _node(k, props) for k, props in found]

    def nodes(self, label: str) -> Iterator[Node]:
        with self._mutex:
            keys = sorted(k for k in self._graph.nodes if k[0] == label)
            found = [_node(k, self._graph.nodes[k]) for k in keys]
        return iter(found)

    def edges(self) -> Iterator[Edge]:
        with self._mutex:
            found = sorted(self._graph.edges(keys=True), key=_edge_order)
        return (Edge(t, s, d) for s, d, t in found)

    def counts(self) -> GraphCounts:
        with self._mutex:
            labels = Counter(label for label, _ in self._graph.nodes)
            types = Counter(t for _, _, t in self._graph.edges(keys=True))
        return GraphCounts(dict(sorted(labels.items())), dict(sorted(types.items())))

    def dangling(self) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {}
        with self._mutex:
            for (label, id_), props in self._graph.nodes(data=True):
                if not node_type(label).is_described(props):
                    found.setdefault(label, []).append(id_)
        return {label: sorted(ids) for label, ids in sorted(found.items())}

    # -- investigation -------------------------------------------------------------

    def pending(self) -> Pending:
        with self._mutex:
            count, seq = self._db.execute(
                "SELECT count(*), max(seq) FROM pending"
            ).fetchone()
        return Pending(count, seq or 0)

    def pending_keys(self, upto: int) -> Iterator[NodeKey]:
        last: NodeKey = ("", "")
        while True:
            with self._mutex:
                rows = self._db.execute(
                    "SELECT label, id FROM pending WHERE seq <= ?"
                    " AND (label, id) > (?, ?) ORDER BY label, id LIMIT ?",
                    (upto, *last, PENDING_CHUNK),
                ).fetchall()
            yield from rows
            if len(rows) < PENDING_CHUNK:
                return
            last = rows[-1]

    def clear_pending(self, upto: int) -> None:
        with self._mutex, self._db:
            self._db.execute("DELETE FROM pending WHERE seq <= ?", (upto,))

    def item_ids(self) -> list[str]:
        with self._mutex:
            return sorted(id_ for label, id_ in self._graph.nodes if label == "Item")

    def affected_items(self, keys: Iterable[NodeKey]) -> set[str]:
        with self._mutex:
            return graphreads.affected_items(self._graph, keys)

    def item_evidence(self, item_ids: Sequence[str]) -> list[ItemEvidence]:
        with self._mutex:
            found = (
                graphreads.item_evidence(self._graph, self._grants, i) for i in item_ids
            )
            return [e for e in found if e is not None]

    def save_findings(
        self, item_ids: Sequence[str], findings: Sequence[Finding]
    ) -> None:
        """Replace the findings of `item_ids`."""
        with self._mutex:
            brands = {i: graphreads.item_brand(self._graph, i) for i in item_ids}
            rows = [
                (f.item, f.id, json.dumps(_finding_json(f, brands.get(f.item))))
                for f in findings
            ]
            try:
                with self._db:
                    self._db.executemany(
                        "DELETE FROM findings WHERE item = ?", [(i,) for i in item_ids]
                    )
                    self._db.executemany(
                        "INSERT OR REPLACE INTO findings (item, id, data)"
                        " VALUES (?, ?, ?)",
                        rows,
                    )
            except sqlite3.Error as err:
                raise StoreError(f"could not save findings: {err}") from err
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
                if after not in position:
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
            return {p: graphreads.party_facts(self._graph, p) for p in party_ids}

    def trades(self, party_ids: Iterable[str]) -> list[Trade]:
        with self._mutex:
            return graphreads.trades(self._graph, party_ids)

    def neighborhood(self, start: NodeKey, depth: int, limit: int) -> Subgraph:
        with self._mutex:
            if start not in self._graph:
                return Subgraph([], [], truncated=False)
            return graphreads.neighborhood(self._graph, start, depth, limit)

    # -- lifecycle ---------------------------------------------------------------

    def close(self) -> None:
        with self._mutex:
            self._db.close()
            os.close(self._lock_fd)

    def _restore(self) -> None:
        rows = self._db.execute("SELECT label, id, props FROM nodes")
        self._graph.add_nodes_from(
            ((label, id_), decode(label, json.loads(props)))
            for label, id_, props in rows
        )
        for (label, id_), props in self._graph.nodes(data=True):
            if label == "Authorization":
                self._grant(id_, props)
        edges = self._db.execute("SELECT type, src, dst FROM edges")
        self._graph.add_edges_from(
            ((_ENDPOINTS[t][0], s), (_ENDPOINTS[t][1], d), t) for t, s, d in edges
        )
        (seq,) = self._db.execute("SELECT max(seq) FROM pending").fetchone()
        self._seq = seq or 0
        for item, data in self._db.execute("SELECT item, data FROM findings"):
            stored = _finding_from_json(item, json.loads(data))
            self._findings.setdefault(item, []).append(stored)
        log.info(
            "store.restored data_dir=%s nodes=%d edges=%d",
            self.data_dir,
            self._graph.number_of_nodes(),
            self._graph.number_of_edges(),
        )


def _mapping(value: object) -> Mapping[str, object]:
    return value if isinstance(value, dict) else {}


def _node(key: NodeKey, props: Mapping[str, object]) -> Node:
    label, id_ = key
    values = {k: v for k, v in props.items() if k != EXTRA}
    return Node(
        label,
        id_,
        values,  # type: ignore[arg-type]  # only model values are stored there
        _mapping(props.get(EXTRA)),
        node_type(label).is_described(props),
    )


def _edge_order(edge: tuple[NodeKey, NodeKey, str]) -> tuple[str, NodeKey, NodeKey]:
    source, target, rel = edge
    return rel, source, target


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


def _connect(path: Path) -> sqlite3.Connection:
    db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
    db.execute("PRAGMA journal_mode = WAL")
    # FULL makes each committed batch survive a power cut, not only a killed process.
    db.execute("PRAGMA synchronous = FULL")
    for statement in _SCHEMA:
        db.execute(statement)
    found = db.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
    if found is None:
        db.execute(
            "INSERT INTO meta (key, value) VALUES ('schema', ?)", (str(SCHEMA_VERSION),)
        )
    elif found[0] != str(SCHEMA_VERSION):
        raise StoreError(
            f"{path} has schema version {found[0]}; this graphsvc reads version "
            f"{SCHEMA_VERSION}"
        )
    db.isolation_level = "DEFERRED"
    return db


def _lock(path: Path) -> int:
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise DataDirLocked(
            f"the data directory {path.parent} is in use by another graphsvc process"
        ) from None
    return fd
