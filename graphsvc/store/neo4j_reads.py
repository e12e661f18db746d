"""The Neo4j store's questions, each answered inside one read transaction.

Each function fetches the part of the graph a question needs in a few batched
queries, then answers it the way the embedded store does, with the functions of
`graphreads` where they apply, so that both stores give the same answers.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final

import neo4j

from graphsvc.engine.clusters import Trade
from graphsvc.engine.evidence import ItemEvidence
from graphsvc.engine.findings import finding_order
from graphsvc.model import BY_LABEL, NODE_TYPES, REL_TYPES
from graphsvc.store import containment, event_codec, graphreads
from graphsvc.store.base import (
    Edge,
    EventQuery,
    NodeKey,
    StoredEvent,
    StoredFinding,
    Subgraph,
)
from graphsvc.store.codec import Properties
from graphsvc.store.cypher import for_label, statement
from graphsvc.store.neo4j_codec import DATES, INSTANTS, finding_from_neo4j, from_neo4j
from graphsvc.store.search import NAMED, SEARCHABLE, best

Tx = neo4j.ManagedTransaction | neo4j.Transaction
"""A managed transaction, or the explicit one of a unit (`Neo4jStore.unit`)."""

TYPES: Final = list(dict.fromkeys(r.type for r in REL_TYPES))
"""The model's relationship types: findings' links are not among them."""
ENDPOINTS: Final = {r.type: (r.source, r.target) for r in REL_TYPES}

_TEMPORAL: Final = {t.label: DATES[t.label] + INSTANTS[t.label] for t in NODE_TYPES}
AFFECTED_CHUNK: Final = 5_000
"""Changed nodes traced to their items per query."""
_EVERY: Final = 2**31 - 1
"""A `most` that no node's neighbours reach (Cypher slices take 32-bit ints)."""
_Sources = list[tuple[str, Properties]]
"""The shipments or scans of an item: each one's id and properties."""
_AFFECTED: Final = {
    "Shipment": "shipments",
    "Scan": "scans",
    "Product": "products",
    "Brand": "brands",
}
"""The parameters of affected_items.cypher named after the label of their ids."""


def rows_of(tx: Tx, text: str, **params: Any) -> list[Any]:
    """The list in the one column of the one row that `text` returns."""
    record = tx.run(text, params).single(strict=True)
    rows: list[Any] = record[0]
    return rows


def fetch(tx: Tx, keys: Iterable[NodeKey]) -> dict[NodeKey, Properties]:
    """The properties of those keys that exist (none for labels outside the model)."""
    return {key: props for key, (props, _) in fetch_elements(tx, keys).items()}


def existing(tx: Tx, keys: Iterable[NodeKey]) -> set[NodeKey]:
    """Those of the keys that name a node (none for labels outside the model)."""
    found: set[NodeKey] = set()
    for label, ids in _ids_by_label(keys).items():
        text = for_label("read/existing_ids", label)
        found.update((label, id_) for id_ in rows_of(tx, text, ids=sorted(ids)))
    return found


def fetch_elements(
    tx: Tx, keys: Iterable[NodeKey]
) -> dict[NodeKey, tuple[Properties, str]]:
    """Like `fetch`, with each node's element id."""
    found: dict[NodeKey, tuple[Properties, str]] = {}
    for label, ids in _ids_by_label(keys).items():
        text = for_label("read/nodes_by_id", label)
        rows = rows_of(tx, text, ids=sorted(ids), temporal=_TEMPORAL[label])
        for row in rows:
            id_, props = from_neo4j(label, dict(row["props"]))
            found[label, id_] = (props, row["element"])
    return found


def _ids_by_label(keys: Iterable[NodeKey]) -> dict[str, set[str]]:
    by_label: dict[str, set[str]] = defaultdict(set)
    for label, id_ in keys:
        if label in BY_LABEL:
            by_label[label].add(id_)
    return by_label


def nodes_of_label(tx: Tx, label: str) -> list[tuple[str, Properties]]:
    """Every node of `label` with its properties, in id order."""
    text = for_label("read/nodes_of_label", label)
    rows = rows_of(tx, text, temporal=_TEMPORAL[label])
    found = [from_neo4j(label, dict(pairs)) for pairs in rows]
    return sorted(found, key=lambda node: node[0])


def affected_items(tx: Tx, by_label: Mapping[str, set[str]]) -> set[str]:
    """Items whose evidence includes any of the nodes, given as ids per label."""
    parties = set(by_label.get("Party", ()))
    changed = by_label.get("Authorization", ())
    for grant in fetch(tx, (("Authorization", a) for a in changed)).values():
        _add(parties, grant, "party")
    sites = set(by_label.get("Site", ()))
    if parties:
        text = statement("read/sites_operated_by")
        sites.update(rows_of(tx, text, parties=sorted(parties)))

    params = {name: sorted(by_label.get(key, ())) for key, name in _AFFECTED.items()}
    params["parties"] = sorted(parties)
    params["sites"] = sorted(sites)
    items = set(by_label.get("Item", ()))
    # A refresh after a large load asks about every node it wrote; asked at once,
    # Neo4j would hold all their paths to items in one transaction's memory.
    text = statement("read/affected_items")
    empty: dict[str, list[str]] = {name: [] for name in params}
    for name, ids in params.items():
        for start in range(0, len(ids), AFFECTED_CHUNK):
            part = ids[start : start + AFFECTED_CHUNK]
            items.update(rows_of(tx, text, **{**empty, name: part}))
    changed = by_label.get("Containment", ())
    for record in fetch(tx, (("Containment", c) for c in changed)).values():
        _add(items, record, "parent", "child")
    return items | _contents(tx, items)


def item_evidence(tx: Tx, item_ids: Sequence[str]) -> list[ItemEvidence]:
    """Evidence for each known item id, in the order asked.

    One statement fetches the items, their shipments and scans, and every site,
    party and grant these name; a second does the same for the containers the items
    sat in (`containment.spans`). `graphreads.item_evidence` picks what the rules
    need.
    """
    nodes: dict[NodeKey, Properties] = {}
    grants: dict[str, set[str]] = defaultdict(set)
    items, brands = _evidence_rows(tx, item_ids, [], nodes, grants)
    spans = containment.spans(
        items,
        lambda ids: _containment(tx, "read/containment_of_children", ids),
        lambda ids: _containment(tx, "read/containment_emptied", ids),
    )
    containers = sorted({s.container for ss in spans.values() for s in ss})
    moves: dict[str, graphreads.Movements] = {}
    if containers:
        found, _ = _evidence_rows(tx, containers, sorted(brands), nodes, grants)
        moves = {id_: (row[1], row[2]) for id_, row in found.items()}
    for id_ in containers:
        moves.setdefault(id_, ([], []))

    facts = graphreads.Facts(nodes.get, grants)
    return [
        graphreads.item_evidence(
            i,
            *items[i],
            facts,
            [(span, moves[span.container]) for span in spans[i]],
        )
        for i in item_ids
        if i in items
    ]


def _evidence_rows(
    tx: Tx,
    ids: Sequence[str],
    brands: list[str],
    nodes: dict[NodeKey, Properties],
    grants: dict[str, set[str]],
) -> tuple[dict[str, tuple[Properties, _Sources, _Sources]], set[str]]:
    """Run read/evidence for `ids`, adding the nodes and grants it names; answer the
    items found with their shipments and scans, and the brands of their products."""
    text = statement("read/evidence")
    record = tx.run(text, ids=sorted(set(ids)), brands=brands).single(strict=True)
    items: dict[str, tuple[Properties, _Sources, _Sources]] = {}
    found_brands: set[str] = set()
    for row in record["items"]:
        id_, props = from_neo4j("Item", row["item"])
        shipments = [from_neo4j("Shipment", s) for s in row["shipments"]]
        scans = [from_neo4j("Scan", s) for s in row["scans"]]
        items[id_] = (props, shipments, scans)
        product, brand = props.get("product"), row["brand"]
        if isinstance(product, str) and brand is not None:
            nodes["Product", product] = {"brand": brand}
            found_brands.add(brand)
    for label, found in (("Site", "sites"), ("Party", "parties")):
        for stored in record[found]:
            node_id, props = from_neo4j(label, stored)
            nodes[label, node_id] = props
    for stored in record["grants"]:
        grant_id, props = from_neo4j("Authorization", stored)
        nodes["Authorization", grant_id] = props
        grants[str(props["party"])].add(grant_id)
    return items, found_brands


def _containment(tx: Tx, name: str, ids: set[str]) -> list[Properties]:
    if not ids:
        return []
    rows = rows_of(tx, statement(name), ids=sorted(ids))
    return [from_neo4j("Containment", dict(row))[1] for row in rows]


def _contents(tx: Tx, containers: set[str]) -> set[str]:
    """Every item ever put inside the containers, at any depth."""
    found: set[str] = set()
    frontier = containers
    for _ in range(containment.MAX_DEPTH):
        if not frontier:
            break
        children = rows_of(tx, statement("read/contents"), ids=sorted(frontier))
        frontier = set(children) - found
        found |= frontier
    return found


def _add(found: set[str], props: Mapping[str, object], *names: str) -> None:
    for name in names:
        value = props.get(name)
        if isinstance(value, str):
            found.add(value)


def item_brands(tx: Tx, item_ids: Iterable[str]) -> dict[str, str | None]:
    """The brand of each existing item's product (None when either is unknown)."""
    ids = sorted(set(item_ids))
    if not ids:
        return {}
    return dict(rows_of(tx, statement("read/item_brands"), ids=ids))


def trades(tx: Tx, party_ids: Sequence[str]) -> list[Trade]:
    """Trade shipped by or consigned to any of the parties (`is_trade`)."""
    shipments: dict[str, Properties] = {}
    text = statement("read/trades")
    for row in rows_of(tx, text, parties=sorted(set(party_ids))):
        id_, props = from_neo4j("Shipment", row)
        shipments[id_] = props
    traded = [
        (id_, props)
        for id_, props in sorted(shipments.items())
        if graphreads.is_trade(props)
    ]
    listed = {i for _, props in traded for i in graphreads.listed_items(props)}
    inside = containment.spans(
        _contents(tx, listed),
        lambda ids: _containment(tx, "read/containment_of_children", ids),
        lambda ids: _containment(tx, "read/containment_emptied", ids),
    )
    carried = graphreads.carried(traded, inside)
    brands = item_brands(tx, (i for items in carried.values() for i in items))

    return [graphreads.trade(id_, props, carried[id_], brands) for id_, props in traded]


def findings(tx: Tx, text: str, params: dict[str, Any]) -> list[StoredFinding]:
    """The findings a statement returns, in the engine's order."""
    found = [finding_from_neo4j(row) for row in rows_of(tx, text, **params)]
    found.sort(key=lambda f: finding_order(f.finding))
    return found


def neighborhood(tx: Tx, start: NodeKey, depth: int, limit: int) -> Subgraph:
    """`graphreads.neighborhood`, expanding one breadth-first level per query."""
    found = fetch_elements(tx, [start])
    if start not in found:
        return Subgraph([], [], truncated=False)
    expander = _Expander(tx, start, found[start][1])
    return graphreads.neighborhood(
        start, depth, limit, expander.neighbours, expander.edges_among
    )


class _Expander:
    """Neighbours for `graphreads.neighborhood`, fetched a level at a time.

    The walk asks for one node's neighbours at a time. On a node not fetched yet,
    every node discovered so far and not fetched is fetched with it: breadth first,
    those are the rest of its level.
    """

    def __init__(self, tx: Tx, start: NodeKey, element: str) -> None:
        self.tx = tx
        self.element = {start: element}
        self.key_of = {element: start}
        self.fetched: dict[NodeKey, tuple[int, list[NodeKey]]] = {}

    def neighbours(self, key: NodeKey, most: int) -> list[NodeKey]:
        if key not in self.fetched or self.fetched[key][0] < most:
            level = [k for k in self.element if k not in self.fetched]
            self._fetch(level if key in level else [key], most)
        return self.fetched[key][1][:most]

    def _fetch(self, keys: Sequence[NodeKey], most: int) -> None:
        exotic = self._expand(keys, most)
        if exotic:
            # Neo4j's text order differs from Python's here: take all and sort.
            self._expand(exotic, _EVERY)
            for key in exotic:
                self.fetched[key] = (most, sorted(self.fetched[key][1])[:most])

    def _expand(self, keys: Sequence[NodeKey], most: int) -> list[NodeKey]:
        rows = rows_of(
            self.tx,
            statement("read/neighbours"),
            nodes=[self.element[k] for k in keys],
            types=TYPES,
            most=most,
        )
        exotic = []
        for row in rows:
            key = self.key_of[row["element"]]
            found = []
            for label, id_, element in row["neighbours"]:
                neighbour = (label, id_)
                self.element.setdefault(neighbour, element)
                self.key_of[element] = neighbour
                found.append(neighbour)
            self.fetched[key] = (most, found)
            if row["exotic"]:
                exotic.append(key)
        return exotic

    def edges_among(self, keys: Sequence[NodeKey]) -> list[Edge]:
        chosen = set(keys)
        rows = rows_of(
            self.tx,
            statement("read/outgoing"),
            nodes=[self.element[k] for k in keys],
            types=TYPES,
        )
        found = []
        for source, rel_type, element in rows:
            target = self.key_of.get(element)
            if target in chosen:
                found.append(Edge(rel_type, self.key_of[source], target))
        return found


def events_by_id(tx: Tx, ids: Sequence[str]) -> list[StoredEvent | None]:
    """The kept EPCIS event of each id, in order; None where there is none."""
    rows = rows_of(tx, statement("read/events_by_id"), ids=sorted(set(ids)))
    found = {e.id: e for e in (event_codec.from_row(dict(row)) for row in rows)}
    return [found.get(id_) for id_ in ids]


def events(
    tx: Tx, query: EventQuery, first: int, after: str | None, after_time: int | None
) -> list[StoredEvent]:
    """A page of kept EPCIS events matching `query` (see read/events.cypher)."""

    def listed(values: frozenset[str] | None) -> list[str] | None:
        return sorted(values) if values is not None else None

    rows = rows_of(
        tx,
        statement("read/events"),
        after=after,
        after_time=after_time,
        types=listed(query.event_types),
        steps=listed(query.biz_steps),
        locations=listed(query.biz_locations),
        ge=event_codec.micros(query.ge_event_time) if query.ge_event_time else None,
        lt=event_codec.micros(query.lt_event_time) if query.lt_event_time else None,
        match_epc=listed(query.match_epc),
        match_any_epc=listed(query.match_any_epc),
        first=first,
    )
    return [event_codec.from_row(dict(row)) for row in rows]


def search(tx: Tx, text: str, first: int) -> list[NodeKey]:
    """The nodes a search for `text` lists (see `store.search`)."""
    # Each label's candidates are cut in Neo4j's order (UTF-16), which differs from
    # code point order only between ids with characters above U+E000; a search
    # among such ids may then list a different few of them than the embedded store.
    candidates: list[tuple[NodeKey, object]] = []
    for label in SEARCHABLE:
        found = rows_of(
            tx, for_label("read/search_ids", label), prefix=text, most=first
        )
        if label in NAMED:
            names = for_label("read/search_names", label)
            found += rows_of(tx, names, lowered=text.lower(), most=first)
        candidates += [((label, id_), name) for id_, name in found]
    return best(candidates, text, first)
