"""The durable half of the embedded store: the whole graph as SQLite rows.

Nodes are rows keyed by label and id with their properties as JSON; relationships are
rows keyed by type, source id and target id (a type has one source and one target
label), indexed both ways. Every committed batch is one transaction.
"""

from __future__ import annotations

import contextlib
import json
import re
import sqlite3
from collections.abc import Collection, Iterable, Iterator, Sequence
from operator import itemgetter
from pathlib import Path
from typing import Final, TypeVar

import orjson

from graphsvc.config import sqlite_sync
from graphsvc.errors import StoreError
from graphsvc.model import REL_TYPES, node_type
from graphsvc.store.base import Edge, NodeKey
from graphsvc.store.codec import Properties, decode, encode
from graphsvc.store.planning import Plan

SCHEMA_VERSION: Final = 2
CACHE_KIB: Final = 256 * 1024
"""SQLite's page cache: inserts into a large graph miss it less."""
CHECKPOINT_PAGES: Final = 10_000
"""WAL pages (about 40 MiB) written before SQLite copies them into the database.

SQLite's default, 1,000 pages, is less than one load batch writes, so every batch
paid for a checkpoint and its fsync; a larger WAL lets a page changed by several
batches be copied once. Committed batches are in the WAL either way."""
CHUNK: Final = 900
"""Ids bound in one `IN (...)` list; below SQLite's oldest limit on parameters."""
ENDPOINTS: Final = {r.type: (r.source, r.target) for r in REL_TYPES}
_LINKS: Final = {
    label: (
        tuple(sorted({r.type for r in REL_TYPES if r.target == label})),
        tuple(sorted({r.type for r in REL_TYPES if r.source == label})),
    )
    for label in {end for r in REL_TYPES for end in (r.source, r.target)}
}
"""Per label, the relationship types that end at its nodes and those that leave."""
_LAST_CHAR: Final = "\U0010ffff"
_LONG_DIGITS: Final = re.compile(rb"[0-9]{19}")
_Row = TypeVar("_Row", bound=tuple[str, ...])

_SCHEMA: Final = (
    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS nodes (label TEXT NOT NULL, id TEXT NOT NULL,"
    " props TEXT NOT NULL, described INTEGER NOT NULL,"
    " PRIMARY KEY (label, id)) WITHOUT ROWID",
    # Only the few nodes that are referenced but not described yet are indexed.
    "CREATE INDEX IF NOT EXISTS undescribed ON nodes (label, id) WHERE described = 0",
    "CREATE TABLE IF NOT EXISTS edges (type TEXT NOT NULL, src TEXT NOT NULL,"
    " dst TEXT NOT NULL, PRIMARY KEY (type, src, dst)) WITHOUT ROWID",
    "CREATE INDEX IF NOT EXISTS edges_in ON edges (type, dst, src)",
    # Nodes written since findings were last brought up to date: a crash between a
    # batch and its findings leaves them here, to be evaluated at the next start.
    # Appended to, never updated: a node written by several batches is listed once
    # per batch, and readers fold the repeats.
    "CREATE TABLE IF NOT EXISTS pending (seq INTEGER NOT NULL, label TEXT NOT NULL,"
    " id TEXT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS pending_seq ON pending (seq)",
    "CREATE TABLE IF NOT EXISTS findings (item TEXT NOT NULL, id TEXT NOT NULL,"
    " data TEXT NOT NULL, PRIMARY KEY (item, id)) WITHOUT ROWID",
)


def _dumps(props: Properties) -> bytes:
    try:
        # orjson hands back its bytes in a buffer of at least 4 KiB; a batch holds
        # tens of thousands of rows at once, so each is copied to its own size.
        return bytes(memoryview(orjson.dumps(props)))
    except orjson.JSONEncodeError:
        # orjson refuses integers beyond 64 bits, which a feed's extra fields may hold.
        return json.dumps(encode(props), ensure_ascii=False).encode()


def _loads(raw: bytes) -> Properties:
    """The inverse of `_dumps`."""
    props: Properties = orjson.loads(raw)
    # orjson reads an integer beyond 64 bits, which `_dumps` wrote exact, as a float.
    # Such an integer takes 19 digits or more, and a float is rare outside a site's
    # coordinates, so the slower exact parser seldom runs. The float comes first:
    # scanning the text for digits costs several times the parse itself, on ids
    # and hashes full of them.
    if _has_float(props) and _LONG_DIGITS.search(raw) is not None:
        exact: Properties = json.loads(raw)
        return exact
    return props


def _has_float(value: dict[str, object] | list[object]) -> bool:
    """Whether a parsed JSON object or array holds a float anywhere."""
    for item in value.values() if isinstance(value, dict) else value:
        kind = type(item)
        if kind is str:
            continue
        if kind is float:
            return True
        if isinstance(item, (dict, list)) and _has_float(item):
            return True
    return False


def chunked(values: Sequence[str], size: int = CHUNK) -> Iterator[Sequence[str]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def in_order(rows: Iterable[_Row]) -> list[_Row]:
    """`sorted(rows)` for tuples of strings of one length, only faster.

    One stable sort per column, last column first, gives the same order; each sort
    compares plain strings, which is several times cheaper than comparing tuples.
    """
    ordered = list(rows)
    if ordered:
        for column in reversed(range(len(ordered[0]))):
            ordered.sort(key=itemgetter(column))
    return ordered


def _marks(n: int) -> str:
    return ",".join("?" * n)


@contextlib.contextmanager
def transaction(db: sqlite3.Connection) -> Iterator[None]:
    """One transaction, or a part of the unit that `SqlGraph.unit` holds open.

    Every write outside a unit commits in a block of its own, so an open transaction
    between writes is a unit's: the write joins it and leaves the commit to it.
    """
    if db.in_transaction:
        yield
        return
    with db:
        yield


SCANNED_ITEMS: Final = (
    "SELECT DISTINCT o.dst FROM edges r CROSS JOIN edges o"
    " ON o.type = 'OF_ITEM' AND o.src = r.src"
    " WHERE r.type = ? AND r.dst IN ({})"
)
"""The items of the scans into some parties or sites. CROSS JOIN fixes the order:
without statistics SQLite may walk every OF_ITEM relationship once per chunk of
targets, where this seeks the targets' scans first and then each scan's item."""


class SqlGraph:
    """Reads and writes the graph's rows; not thread-safe, the store serialises."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        try:
            self._prepare()
        except BaseException:
            self.db.close()
            raise

    def _prepare(self) -> None:
        db = self.db
        db.execute("PRAGMA journal_mode = WAL")
        db.execute(f"PRAGMA synchronous = {sqlite_sync()}")
        db.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
        db.execute(f"PRAGMA wal_autocheckpoint = {CHECKPOINT_PAGES}")
        found = None
        tables = db.execute("SELECT name FROM sqlite_master WHERE name = 'meta'")
        if tables.fetchone() is not None:
            found = db.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
        if found is not None and found[0] != str(SCHEMA_VERSION):
            raise StoreError(
                f"{self.path} has schema version {found[0]}; this graphsvc reads "
                f"version {SCHEMA_VERSION}"
            )
        for statement in _SCHEMA:
            db.execute(statement)
        db.execute(
            "INSERT OR IGNORE INTO meta (key, value) VALUES ('schema', ?)",
            (str(SCHEMA_VERSION),),
        )
        db.isolation_level = "DEFERRED"

    def close(self) -> None:
        self.db.close()

    # -- writing -------------------------------------------------------------------

    @contextlib.contextmanager
    def unit(self) -> Iterator[None]:
        """One transaction that the writes inside join: all of them, or none."""
        try:
            self.db.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as err:
            raise StoreError(f"could not write to {self.path}: {err}") from err
        try:
            yield
            self.db.commit()
        except sqlite3.Error as err:
            self.db.rollback()
            raise StoreError(f"could not write to {self.path}: {err}") from err
        except BaseException:
            self.db.rollback()
            raise

    def commit(
        self, plan: Plan, seq: int, retire: Collection[NodeKey] = ()
    ) -> set[NodeKey]:
        """Write a planned batch, mark its nodes pending as batch `seq` and remove the
        `retire` nodes left unlinked, at once; answer those removed."""
        # Rows go in in key order: each insert then lands beside the last one in the
        # B-tree, rather than on a random page, which is most of a large batch's cost.
        nodes = plan.nodes
        node_rows = [
            (label, id_, _dumps(props), node_type(label).is_described(props))
            for (label, id_), props in ((key, nodes[key]) for key in in_order(nodes))
        ]
        try:
            with transaction(self.db):
                self.db.executemany(
                    "INSERT INTO nodes (label, id, props, described) VALUES (?,?,?,?)"
                    " ON CONFLICT (label, id) DO UPDATE SET props = excluded.props,"
                    " described = excluded.described",
                    node_rows,
                )
                self.db.executemany(
                    "DELETE FROM edges WHERE type = ? AND src = ? AND dst = ?",
                    in_order((t, s[1], d[1]) for t, s, d in plan.removed),
                )
                self.db.executemany(
                    "INSERT OR IGNORE INTO edges (type, src, dst) VALUES (?, ?, ?)",
                    in_order((t, s[1], d[1]) for t, s, d in plan.added),
                )
                self.db.executemany(
                    "INSERT INTO pending (seq, label, id) VALUES (?, ?, ?)",
                    [(seq, label, id_) for label, id_ in plan.result.touched],
                )
                return self.retire(sorted(set(retire))) if retire else set()
        except sqlite3.Error as err:
            raise StoreError(f"could not write to {self.path}: {err}") from err

    def retire(self, keys: Iterable[NodeKey]) -> set[NodeKey]:
        """Delete those of the nodes that are undescribed and have no relationship."""
        retired: set[NodeKey] = set()
        for label, id_ in keys:
            into, out = _LINKS.get(label, ((), ()))
            sql = "DELETE FROM nodes WHERE label = ? AND id = ? AND described = 0"
            params: list[str] = [label, id_]
            for types, end in ((into, "dst"), (out, "src")):
                if types:
                    sql += (
                        " AND NOT EXISTS (SELECT 1 FROM edges"
                        f" WHERE type IN ({_marks(len(types))}) AND {end} = ?)"
                    )
                    params += [*types, id_]
            cursor = self.db.execute(sql, params)
            if cursor.rowcount:
                retired.add((label, id_))
        return retired

    # -- nodes ---------------------------------------------------------------------

    def props(self, label: str, ids: Iterable[str]) -> dict[str, Properties]:
        """Properties of the nodes of `label` with these ids that exist."""
        found: dict[str, Properties] = {}
        for part in chunked(sorted(set(ids))):
            sql = "SELECT id, props FROM nodes WHERE label = ? AND id IN ({})"
            rows = self.db.execute(sql.format(_marks(len(part))), (label, *part))
            for id_, props in rows:
                found[id_] = decode(label, _loads(props))
        return found

    def rows(self, label: str) -> Iterator[tuple[str, Properties]]:
        """Every node of `label`, in id order."""
        rows = self.db.execute(
            "SELECT id, props FROM nodes WHERE label = ? ORDER BY id", (label,)
        ).fetchall()
        for id_, props in rows:
            yield id_, decode(label, _loads(props))

    def ids(self, label: str) -> list[str]:
        rows = self.db.execute(
            "SELECT id FROM nodes WHERE label = ? ORDER BY id", (label,)
        )
        return [id_ for (id_,) in rows]

    def undescribed(self) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {}
        rows = self.db.execute(
            "SELECT label, id FROM nodes WHERE described = 0 ORDER BY label, id"
        )
        for label, id_ in rows:
            found.setdefault(label, []).append(id_)
        return found

    def node_counts(self) -> dict[str, int]:
        rows = self.db.execute(
            "SELECT label, count(*) FROM nodes GROUP BY label ORDER BY label"
        )
        return dict(rows.fetchall())

    # -- relationships -------------------------------------------------------------

    def sources(self, rel: str, targets: Iterable[str]) -> list[tuple[str, str]]:
        """(target, source) ids of the `rel` relationships into `targets`."""
        found: list[tuple[str, str]] = []
        for part in chunked(sorted(set(targets))):
            sql = "SELECT dst, src FROM edges WHERE type = ? AND dst IN ({})"
            found += self.db.execute(sql.format(_marks(len(part))), (rel, *part))
        return found

    def source_ids(self, rel: str, targets: Iterable[str]) -> set[str]:
        """Ids of the nodes with a `rel` relationship into any of `targets`."""
        found: set[str] = set()
        for part in chunked(sorted(set(targets))):
            sql = "SELECT src FROM edges WHERE type = ? AND dst IN ({})"
            rows = self.db.execute(sql.format(_marks(len(part))), (rel, *part))
            found.update(source for (source,) in rows)
        return found

    def targets(self, rel: str, sources: Iterable[str]) -> list[tuple[str, str]]:
        """(source, target) ids of the `rel` relationships out of `sources`."""
        found: list[tuple[str, str]] = []
        for part in chunked(sorted(set(sources))):
            sql = "SELECT src, dst FROM edges WHERE type = ? AND src IN ({})"
            found += self.db.execute(sql.format(_marks(len(part))), (rel, *part))
        return found

    def scanned_items(self, rel: str, targets: Iterable[str]) -> set[str]:
        """Ids of the items of every scan with a `rel` relationship into `targets`.

        A party or site may have millions of scans; joining in SQLite hands back
        only their items, never the scan ids.
        """
        found: set[str] = set()
        for part in chunked(sorted(set(targets))):
            sql = SCANNED_ITEMS.format(_marks(len(part)))
            rows = self.db.execute(sql, (rel, *part))
            found.update(item for (item,) in rows)
        return found

    def neighbours(self, rel: str, id_: str, outgoing: bool, limit: int) -> list[str]:
        """At most `limit` ids at the other end of `rel` from one node, in id order."""
        if outgoing:
            sql = (
                "SELECT dst FROM edges WHERE type = ? AND src = ? ORDER BY dst LIMIT ?"
            )
        else:
            sql = (
                "SELECT src FROM edges WHERE type = ? AND dst = ? ORDER BY src LIMIT ?"
            )
        return [other for (other,) in self.db.execute(sql, (rel, id_, limit))]

    def edges_among(
        self, rel: str, sources: Sequence[str], targets: Sequence[str]
    ) -> list[tuple[str, str]]:
        """(source, target) of `rel` relationships between the two sets of ids."""
        if not sources or not targets:
            return []
        found: list[tuple[str, str]] = []
        for part in chunked(list(sources), CHUNK // 2):
            for other in chunked(list(targets), CHUNK // 2):
                sql = "SELECT src, dst FROM edges WHERE type = ? AND src IN ({})"
                sql += " AND dst IN ({})"
                marks = (_marks(len(part)), _marks(len(other)))
                found += self.db.execute(sql.format(*marks), (rel, *part, *other))
        return found

    def edges(self) -> Iterator[Edge]:
        """Every relationship, ordered by type, source and target."""
        rows = self.db.execute(
            "SELECT type, src, dst FROM edges ORDER BY type, src, dst"
        )
        for rel, src, dst in rows.fetchall():
            source, target = ENDPOINTS[rel]
            yield Edge(rel, (source, src), (target, dst))

    def edge_rows(self, rels: Iterable[str]) -> list[tuple[str, str, str]]:
        """(type, source id, target id) of every relationship of these types."""
        rels = list(rels)
        return self.db.execute(
            f"SELECT type, src, dst FROM edges WHERE type IN ({_marks(len(rels))})",
            rels,
        ).fetchall()

    def edge_counts(self) -> dict[str, int]:
        rows = self.db.execute(
            "SELECT type, count(*) FROM edges GROUP BY type ORDER BY type"
        )
        return dict(rows.fetchall())

    # -- pending -------------------------------------------------------------------

    def pending(self) -> tuple[int, int]:
        count, seq = self.db.execute(
            "SELECT count(*), max(seq) FROM pending"
        ).fetchone()
        return count, seq or 0

    def pending_chunk(
        self, upto: int, after: int, size: int
    ) -> tuple[list[NodeKey], int]:
        """Pending nodes of batches up to `upto` listed after row `after`, and the
        last row read (repeats included)."""
        rows = self.db.execute(
            "SELECT rowid, label, id FROM pending WHERE rowid > ? AND seq <= ?"
            " ORDER BY rowid LIMIT ?",
            (after, upto, size),
        ).fetchall()
        last = rows[-1][0] if rows else after
        return [(label, id_) for _, label, id_ in rows], last

    def clear_pending(self, upto: int) -> None:
        with self.db:
            self.db.execute("DELETE FROM pending WHERE seq <= ?", (upto,))

    # -- findings ------------------------------------------------------------------

    def replace_findings(
        self, item_ids: Sequence[str], rows: Sequence[tuple[str, str, str]]
    ) -> None:
        """Replace the findings of `item_ids` with (item, id, JSON data) rows."""
        try:
            with self.db:
                self.db.executemany(
                    "DELETE FROM findings WHERE item = ?", [(i,) for i in item_ids]
                )
                self.db.executemany(
                    "INSERT OR REPLACE INTO findings (item, id, data) VALUES (?, ?, ?)",
                    rows,
                )
        except sqlite3.Error as err:
            raise StoreError(f"could not save findings: {err}") from err

    def finding_rows(self) -> list[tuple[str, str]]:
        return self.db.execute("SELECT item, data FROM findings").fetchall()

    # -- search --------------------------------------------------------------------

    def ids_starting(self, label: str, prefix: str, limit: int) -> list[str]:
        """At most `limit` ids of `label` that start with `prefix`, in id order."""
        # A range on the primary key, so that millions of items are not scanned;
        # ids compare as UTF-8 bytes, which is code point order.
        rows = self.db.execute(
            "SELECT id FROM nodes WHERE label = ? AND id >= ? AND id < ?"
            " ORDER BY id LIMIT ?",
            (label, prefix, prefix + _LAST_CHAR, limit),
        )
        return [id_ for (id_,) in rows]
