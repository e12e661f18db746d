"""The three views an investigator exports, each as a networkx multigraph.

Every node is keyed `Label:id` (the explorer's and the GraphQL `GraphNode.id`) and
carries `node_type` (the label), `record_id` and `label`, the text a viewer shows
(a name, else the id); every edge carries `relationship` and is keyed by it. The
graph's own attributes say which view it is and whether a cap cut it. Values stay
Python values here; `formats` flattens them for each writer.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final, TypeAlias

import networkx as nx

from graphsvc.api.context import Limits
from graphsvc.engine import DistributorCluster
from graphsvc.engine.findings import CustodyHop, Finding
from graphsvc.errors import InvalidArgument, NotFound
from graphsvc.ids import lookup_id
from graphsvc.investigation import Investigation
from graphsvc.model import NODE_TYPES
from graphsvc.security.scope import BrandScope
from graphsvc.store.base import Node, NodeKey, Store

VIEWS: Final = ("neighborhood", "provenance", "cluster")
_LABELS: Final = tuple(t.label for t in NODE_TYPES)
_JUDGEMENT: Final = {True: "authorized", False: "unauthorized", None: "not judged"}

Graph: TypeAlias = "nx.MultiDiGraph[str]"
"""An exported view: nodes keyed `Label:id`, edges keyed by relationship."""


def build_view(
    investigation: Investigation,
    view: str,
    id_: str,
    *,
    depth: int = 1,
    limit: int = 200,
    brand: str | None = None,
    limits: Limits | None = None,
    scope: BrandScope | None = None,
) -> Graph:
    """The graph of one view, within the API's caps.

    `id_` is a node id (`Label:id` or bare) for a neighbourhood, an item id for a
    provenance, a cluster id for a cluster (found among the clusters of `brand`, or
    of every brand). `depth` applies to neighbourhoods; `limit` caps the nodes of
    every view, and the graph's `truncated` attribute tells when it cut. A brand
    `scope` (an API key's) keeps what other brands own out, and answers NotFound, as
    for an unknown id, when the view's subject is not the key's to see.

    >>> build_view(investigation, "provenance", "IT-00001171")  # doctest: +SKIP
    """
    limits = limits or Limits()
    if view not in VIEWS:
        raise InvalidArgument(
            "view", f"must be one of {', '.join(VIEWS)}, not {view!r}"
        )
    _bounded("depth", depth, 0, limits.max_depth)
    _bounded("limit", limit, 1, limits.max_limit)

    scope = scope or BrandScope(None, investigation.store)
    if view == "neighborhood":
        return neighborhood_graph(investigation.store, id_, depth, limit, scope)
    if view == "provenance":
        return provenance_graph(investigation, id_, limit, scope)
    brand, visible = scope.query_brand(lookup_id(brand) if brand else brand)
    if not visible:
        raise NotFound(f"no distributor cluster of brand {brand!r} has the id {id_!r}")
    return cluster_graph(investigation, id_, limit, brand)


def neighborhood_graph(
    store: Store, id_: str, depth: int, limit: int, scope: BrandScope | None = None
) -> Graph:
    """The nodes within `depth` of a node, at most `limit`, and their relationships.

    With a brand `scope`, only what the scope can reach through visible nodes.
    """
    scope = scope or BrandScope(None, store)
    key = find_node(store, id_)
    if key is None:
        raise NotFound(f"no node has the id {id_!r}")
    found = store.neighborhood(key, depth, limit)
    nodes, edges = scope.subgraph(
        key, [n for n in store.nodes_by_key(found.nodes) if n is not None], found.edges
    )
    if not nodes:
        raise NotFound(f"no node has the id {id_!r}")

    graph = _graph("neighborhood", id_, truncated=found.truncated)
    for node in nodes:
        _add_node(graph, node)
    for edge in edges:
        _add_edge(graph, node_id(edge.source), node_id(edge.target), edge.type)
    return graph


def provenance_graph(
    investigation: Investigation,
    item_id: str,
    limit: int,
    scope: BrandScope | None = None,
) -> Graph:
    """An item, its custody hops chained in time order, and its findings.

    The item links to its first hop (`CUSTODY`), each hop to the next (`NEXT`, with
    the shipment through which the item arrived), each finding to the item
    (`CONCERNS`). With a brand `scope`, an item of another brand is not found.
    """
    scope = scope or BrandScope(None, investigation.store)
    canonical = lookup_id(item_id)
    (item,) = scope.visible([investigation.store.node("Item", canonical)])
    found = investigation.provenance(canonical) if item is not None else None
    if found is None or item is None:
        raise NotFound(f"no item has the id {item_id!r}")

    hops = list(found.hops)[: max(limit - 1, 0)]
    findings = list(found.findings)[: max(limit - 1 - len(hops), 0)]
    truncated = len(hops) + len(findings) < len(found.hops) + len(found.findings)
    graph = _graph("provenance", canonical, truncated=truncated)
    item_key = _add_node(graph, item)
    names = _names(investigation.store, hops)

    previous = item_key
    for order, hop in enumerate(hops, start=1):
        key = f"CustodyHop:{order}"
        graph.add_node(key, **_hop_attributes(order, hop, names))
        relationship = "CUSTODY" if previous == item_key else "NEXT"
        _add_edge(graph, previous, key, relationship, shipment=hop.shipment)
        previous = key
    for finding in findings:
        key = f"Finding:{finding.id}"
        graph.add_node(key, **_finding_attributes(finding))
        _add_edge(graph, key, item_key, "CONCERNS")
    return graph


def cluster_graph(
    investigation: Investigation, cluster_id: str, limit: int, brand: str | None
) -> Graph:
    """A cluster's members and links, and the parties goods enter and leave it by.

    Members are joined by their links (`relationship` is the link's kind: shipment,
    phone, email, tax_id or address). Entry points link to the members they shipped
    to (`ENTERS`), members to the exits they shipped to (`EXITS`), each with the
    shipments as evidence. `cluster_role` is `member`, `entry point` or `exit`, or
    `entry point|exit` for a party goods both enter and leave by.
    """
    cluster = _cluster(investigation, cluster_id, brand)
    # Goods can leave through the party they entered by: one node, both roles.
    roles: dict[str, list[str]] = {}
    for parties, role in (
        (cluster.members, "member"),
        (cluster.entry_points, "entry point"),
        (cluster.exits, "exit"),
    ):
        for party in parties:
            roles.setdefault(party, []).append(role)
    kept = list(roles)[:limit]
    graph = _graph("cluster", cluster.id, truncated=len(kept) < len(roles))
    nodes = investigation.store.nodes_by_key([("Party", p) for p in kept])
    for party, node in zip(kept, nodes, strict=True):
        role = "|".join(roles[party])
        graph.add_node(
            f"Party:{party}", **_party_attributes(party, node), cluster_role=role
        )

    for link in cluster.links:
        _add_edge(
            graph,
            f"Party:{link.source}",
            f"Party:{link.target}",
            link.kind,
            evidence=link.evidence,
        )
    members = set(cluster.members)
    crossings: dict[tuple[str, str, str], set[str]] = {}
    for trade in investigation.store.trades(cluster.members):
        if trade.shipper in cluster.entry_points and trade.consignee in members:
            ends = ("ENTERS", trade.shipper, trade.consignee)
        elif trade.shipper in members and trade.consignee in cluster.exits:
            ends = ("EXITS", trade.shipper, trade.consignee)
        else:
            continue
        crossings.setdefault(ends, set()).add(trade.shipment)
    for (relationship, source, target), shipments in sorted(crossings.items()):
        evidence = ", ".join(sorted(shipments))
        _add_edge(
            graph, f"Party:{source}", f"Party:{target}", relationship, evidence=evidence
        )
    return graph


def node_keys(id_: str) -> list[NodeKey]:
    """Candidate keys for a node id a person gave, in the order to try them.

    `Label:id` names the node of that label first; the whole text is then tried as
    a bare id under every label in turn, so that a node whose own id looks like
    `Label:id` is found as well. GS1 keys may be given in any spelling.

    >>> node_keys("Party:PA-1")[:2]
    [('Party', 'PA-1'), ('Brand', 'Party:PA-1')]
    """
    keys: list[NodeKey] = []
    label, sep, rest = id_.strip().partition(":")
    if sep and label in _LABELS:
        keys.append((label, lookup_id(rest)))
    whole = lookup_id(id_)
    keys += [(label_, whole) for label_ in _LABELS]
    return keys


def find_node(store: Store, id_: str) -> NodeKey | None:
    """The key of the node a person means by `id_` (see `node_keys`), if any."""
    keys = node_keys(id_)
    found = store.nodes_by_key(keys)
    return next((k for k, n in zip(keys, found, strict=True) if n is not None), None)


def node_id(key: NodeKey) -> str:
    """`Label:id`, the key of a node in an exported graph."""
    return f"{key[0]}:{key[1]}"


def _graph(view: str, id_: str, *, truncated: bool) -> Graph:
    graph: Graph = nx.MultiDiGraph()
    graph.graph.update(view=view, id=id_, truncated=truncated)
    return graph


def _add_node(graph: Graph, node: Node) -> str:
    """Add a stored node with its properties; its key in the graph."""
    key = node_id((node.label, node.id))
    name = node.properties.get("name")
    attributes: dict[str, object] = dict(node.properties)
    attributes.update(
        node_type=node.label,
        record_id=node.id,
        label=name if isinstance(name, str) else node.id,
        described=node.described,
    )
    graph.add_node(key, **attributes)
    return key


def _add_edge(
    graph: Graph, source: str, target: str, relationship: str, **extra: object
) -> None:
    """Add an edge unless a cap left one of its ends out."""
    if source in graph and target in graph:
        graph.add_edge(
            source, target, key=relationship, relationship=relationship, **extra
        )


def _hop_attributes(
    order: int, hop: CustodyHop, names: Mapping[NodeKey, Node]
) -> dict[str, object]:
    party = names.get(("Party", hop.party or ""))
    site = names.get(("Site", hop.site or ""))
    return {
        "node_type": "CustodyHop",
        "record_id": str(order),
        "label": _name(party) or hop.party or "unknown holder",
        "order": order,
        "party": hop.party,
        "site": hop.site,
        "country": site.properties.get("country") if site is not None else None,
        "from": hop.start,
        "until": hop.until,
        "shipment": hop.shipment,
        "confirmed": hop.confirmed,
        "judgement": _JUDGEMENT[hop.authorized],
    }


def _finding_attributes(finding: Finding) -> dict[str, object]:
    return {
        "node_type": "Finding",
        "record_id": finding.id,
        "label": finding.kind.value,
        "kind": finding.kind.value,
        "party": finding.party,
        "at": finding.at,
        "shipment": finding.shipment,
        "explanation": finding.explanation,
    }


def _party_attributes(party: str, node: Node | None) -> dict[str, object]:
    properties: dict[str, object] = dict(node.properties) if node else {}
    properties.update(
        node_type="Party",
        record_id=party,
        label=_name(node) or party,
        described=node.described if node is not None else False,
    )
    return properties


def _names(store: Store, hops: list[CustodyHop]) -> dict[NodeKey, Node]:
    """The parties and sites of the hops, fetched in one call."""
    keys: list[NodeKey] = []
    for hop in hops:
        if hop.party is not None:
            keys.append(("Party", hop.party))
        if hop.site is not None:
            keys.append(("Site", hop.site))
    found = store.nodes_by_key(keys)
    return {key: node for key, node in zip(keys, found, strict=True) if node}


def _name(node: Node | None) -> str | None:
    name = node.properties.get("name") if node is not None else None
    return name if isinstance(name, str) else None


def _cluster(
    investigation: Investigation, cluster_id: str, brand: str | None
) -> DistributorCluster:
    for cluster in investigation.clusters(brand):
        if cluster.id == cluster_id:
            return cluster
    scope = f" of brand {brand!r}" if brand is not None else ""
    raise NotFound(f"no distributor cluster{scope} has the id {cluster_id!r}")


def _bounded(argument: str, value: int, low: int, high: int) -> None:
    if not low <= value <= high:
        raise InvalidArgument(
            argument, f"must be between {low} and {high}, got {value}"
        )
