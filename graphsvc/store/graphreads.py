"""Questions the embedded store answers from its networkx graph.

Pure functions of the graph, in the style of networkx: the store calls them while
holding its lock. Nodes are `(label, id)` keys; relationship types are edge keys.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator, Mapping
from datetime import date, datetime
from typing import Final, TypeAlias

import networkx as nx

from graphsvc.engine.clusters import Trade
from graphsvc.engine.evidence import (
    AuthorizationFacts,
    ItemEvidence,
    ItemFacts,
    PartyFacts,
    ScanFacts,
    ShipmentFacts,
    SiteFacts,
)
from graphsvc.model import AUTHORIZATION, ITEM, SCAN, SHIPMENT
from graphsvc.store.base import Edge, NodeKey, Subgraph

Graph: TypeAlias = "nx.MultiDiGraph[NodeKey]"
Props = Mapping[str, object]

# Which relationships lead from a changed node towards the items it bears on.
_TOWARDS_ITEMS: Final[Mapping[str, tuple[str, ...]]] = {
    "Brand": ("OF_BRAND",),
    "Product": ("OF_PRODUCT",),
    "Party": ("SHIPPED_BY", "CONSIGNED_TO", "CARRIED_BY", "BY_PARTY", "OPERATED_BY"),
    "Site": ("PRODUCED_AT", "FROM_SITE", "TO_SITE", "AT_SITE"),
    "Authorization": (),
    "Shipment": (),
    "Scan": (),
}


Grants = Mapping[str, set[str]]
"""Authorization ids by the id of the party they authorize."""


def _props(graph: Graph) -> Mapping[NodeKey, Props]:
    # networkx keeps node attributes in this dict. Reading it directly spares a view
    # object per lookup, which otherwise dominates evidence building.
    props: Mapping[NodeKey, Props] = graph._node  # type: ignore[attr-defined]
    return props


def _in(graph: Graph, key: NodeKey) -> Mapping[NodeKey, Mapping[str, object]]:
    """Predecessors of `key`, each with its relationship types (networkx's own dict)."""
    pred: Mapping[NodeKey, Mapping[str, object]] = graph._pred[key]  # type: ignore[attr-defined]
    return pred


def affected_items(graph: Graph, keys: Iterable[NodeKey]) -> set[str]:
    """Items whose evidence includes any of `keys` (the nodes a batch changed)."""
    items: set[str] = set()
    for key in keys:
        if key in graph:
            items.update(_items_of(graph, key))
    return items


def _items_of(graph: Graph, key: NodeKey) -> Iterator[str]:
    label, id_ = key
    if label == "Item":
        yield id_
    elif label in ("Shipment", "Scan"):
        for _, target, rel in graph.out_edges(key, keys=True):
            if rel in ("CARRIES", "OF_ITEM"):
                yield target[1]
    elif label == "Authorization":
        party = graph.nodes[key].get("party")
        if isinstance(party, str):
            yield from _items_of(graph, ("Party", party))
    else:
        wanted = _TOWARDS_ITEMS[label]
        for source, _, rel in graph.in_edges(key, keys=True):
            if rel in wanted:
                yield from _items_of(graph, source)


def item_evidence(graph: Graph, grants: Grants, item_id: str) -> ItemEvidence | None:
    """Everything the engine needs to judge one item; None if the id is unknown."""
    key = ("Item", item_id)
    nodes = _props(graph)
    props = nodes.get(key)
    if props is None:
        return None
    item = _item_facts(graph, item_id, props) if ITEM.is_described(props) else None

    shipments: list[ShipmentFacts] = []
    scans: list[ScanFacts] = []
    for source, rels in _in(graph, key).items():
        source_props = nodes[source]
        if "CARRIES" in rels and SHIPMENT.is_described(source_props):
            shipments.append(_shipment_facts(source[1], source_props))
        elif "OF_ITEM" in rels and SCAN.is_described(source_props):
            scans.append(_scan_facts(source[1], source_props))
    shipments.sort(key=lambda s: (s.shipped_at, s.id))
    scans.sort(key=lambda s: (s.at, s.id))

    site_ids = {s for sh in shipments for s in (sh.origin, sh.destination)}
    site_ids.update(sc.site for sc in scans)
    if item is not None and item.produced_at is not None:
        site_ids.add(item.produced_at)
    sites = {s: _site_facts(graph, s) for s in sorted(site_ids)}
    party_ids = {p for sh in shipments for p in (sh.shipper, sh.consignee, sh.carrier)}
    party_ids.update(sc.party for sc in scans)
    party_ids.update(site.operator for site in sites.values())
    named = sorted(p for p in party_ids if p is not None)
    parties = {p: _party_facts(graph, p) for p in named}
    brand = item.brand if item is not None else None

    return ItemEvidence(
        item_id,
        item,
        tuple(shipments),
        tuple(scans),
        sites,
        parties,
        _authorizations(graph, grants, brand, parties) if brand is not None else (),
    )


def _item_facts(graph: Graph, item_id: str, props: Props) -> ItemFacts:
    product = str(props["product"])
    product_props = _props(graph).get(("Product", product), {})
    brand = product_props.get("brand")
    return ItemFacts(
        item_id,
        product,
        brand if isinstance(brand, str) else None,
        _opt_str(props.get("produced_at")),
        _opt_time(props.get("produced_on")),
        _opt_str(props.get("lot")),
    )


def _shipment_facts(shipment_id: str, props: Props) -> ShipmentFacts:
    shipped_at = props["shipped_at"]
    assert isinstance(shipped_at, datetime)
    return ShipmentFacts(
        shipment_id,
        str(props["shipper"]),
        str(props["consignee"]),
        str(props["origin"]),
        str(props["destination"]),
        shipped_at,
        _opt_time(props.get("delivered_at")),
        _opt_str(props.get("carrier")),
    )


def _scan_facts(scan_id: str, props: Props) -> ScanFacts:
    at = props["at"]
    assert isinstance(at, datetime)
    return ScanFacts(
        scan_id,
        str(props["site"]),
        at,
        str(props["step"]),
        _opt_str(props.get("party")),
    )


def _site_facts(graph: Graph, site_id: str) -> SiteFacts:
    props = _props(graph).get(("Site", site_id), {})
    return SiteFacts(
        site_id,
        _opt_str(props.get("operator")),
        _opt_str(props.get("country")),
        _opt_float(props.get("lat")),
        _opt_float(props.get("lon")),
        _opt_str(props.get("name")),
    )


def party_facts(graph: Graph, party_id: str) -> PartyFacts:
    """A party's facts; only its id when it was never described."""
    return _party_facts(graph, party_id)


def _party_facts(graph: Graph, party_id: str) -> PartyFacts:
    props = _props(graph).get(("Party", party_id), {})
    return PartyFacts(
        party_id,
        _opt_str(props.get("role")),
        _opt_str(props.get("name")),
        _opt_str(props.get("country")),
        _opt_str(props.get("phone")),
        _opt_str(props.get("email")),
        _opt_str(props.get("tax_id")),
        _opt_str(props.get("address")),
    )


def _authorizations(
    graph: Graph, grants: Grants, brand: str, parties: Mapping[str, PartyFacts]
) -> tuple[AuthorizationFacts, ...]:
    nodes = _props(graph)
    found = []
    for party in parties:
        for auth_id in grants.get(party, ()):
            props = nodes[("Authorization", auth_id)]
            if props.get("brand") == brand and AUTHORIZATION.is_described(props):
                found.append(_authorization_facts(auth_id, props))
    return tuple(sorted(found, key=lambda a: (a.party, a.valid_from, a.id)))


def _authorization_facts(auth_id: str, props: Props) -> AuthorizationFacts:
    valid_from = props["valid_from"]
    valid_until = props.get("valid_until")
    territories = props.get("territories", ("*",))
    assert isinstance(valid_from, date)
    assert isinstance(territories, tuple)
    return AuthorizationFacts(
        auth_id,
        str(props["brand"]),
        str(props["party"]),
        valid_from,
        valid_until if isinstance(valid_until, date) else None,
        territories,
    )


def trades(graph: Graph, parties: Iterable[str]) -> list[Trade]:
    """Every described shipment shipped by or consigned to one of `parties`."""
    shipments: set[NodeKey] = set()
    for party in parties:
        key = ("Party", party)
        if key not in graph:
            continue
        for source, _, rel in graph.in_edges(key, keys=True):
            if rel in ("SHIPPED_BY", "CONSIGNED_TO"):
                shipments.add(source)
    found = []
    for key in sorted(shipments):
        props = graph.nodes[key]
        if SHIPMENT.is_described(props):
            items = props.get("items", ())
            assert isinstance(items, tuple)
            brands = {item_brand(graph, item) for item in items}
            found.append(
                Trade(
                    key[1],
                    str(props["shipper"]),
                    str(props["consignee"]),
                    items,
                    tuple(sorted(b for b in brands if b is not None)),
                )
            )
    return found


def item_brand(graph: Graph, item_id: str) -> str | None:
    """The brand of an item's product, when both are known."""
    nodes = _props(graph)
    product = nodes.get(("Item", item_id), {}).get("product")
    if not isinstance(product, str):
        return None
    brand = nodes.get(("Product", product), {}).get("brand")
    return brand if isinstance(brand, str) else None


def neighborhood(graph: Graph, start: NodeKey, depth: int, limit: int) -> Subgraph:
    """Nodes within `depth` hops of `start` (either direction), at most `limit`.

    Breadth first, neighbours in key order, so the same graph gives the same answer.
    """
    seen = {start}
    order = [start]
    frontier = deque([(start, 0)])
    truncated = False
    while frontier and not truncated:
        key, distance = frontier.popleft()
        if distance == depth:
            continue
        for neighbour in sorted(
            set(graph.successors(key)) | set(graph.predecessors(key))
        ):
            if neighbour in seen:
                continue
            if len(order) >= limit:
                truncated = True
                break
            seen.add(neighbour)
            order.append(neighbour)
            frontier.append((neighbour, distance + 1))

    edges = [
        Edge(rel, source, target)
        for source, target, rel in graph.subgraph(order).edges(keys=True)
    ]
    edges.sort(key=lambda e: (e.type, e.source, e.target))
    return Subgraph(order, edges, truncated)


def _opt_str(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _opt_float(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) else None


def _opt_time(value: object) -> datetime | None:
    return value if isinstance(value, datetime) else None
