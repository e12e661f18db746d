"""The GraphQL schema: investigators' questions and the bounds on asking them."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Annotated, Final

import strawberry
from graphql import GraphQLError
from strawberry.extensions import MaskErrors
from strawberry.types import ExecutionContext

from graphsvc import engine
from graphsvc.api.audit_types import AuditPage, audit_page
from graphsvc.api.bounds import bound_extensions
from graphsvc.api.context import Info, Limits
from graphsvc.api.cursors import decode_cursor, encode_cursor
from graphsvc.api.loads import LoadConnection, loads_page
from graphsvc.api.metrics import Metrics
from graphsvc.api.observe import Observe
from graphsvc.api.types import (
    Authorization,
    Brand,
    CustodyHop,
    DistributorCluster,
    Entity,
    Finding,
    FindingConnection,
    FindingEdge,
    FindingKind,
    GraphEdge,
    GraphNode,
    Item,
    PageInfo,
    Party,
    Product,
    Provenance,
    Shipment,
    Site,
    Subgraph,
    load,
    node_id,
    visible_item_count,
)
from graphsvc.audit import AuditLog
from graphsvc.errors import GraphsvcError, InvalidArgument
from graphsvc.export.views import find_node
from graphsvc.ids import lookup_id
from graphsvc.store.base import FindingQuery, NodeKey

log = logging.getLogger(__name__)

SEARCH_MAX: Final = 100
_NODE_ID: Final = (
    "A `GraphNode.id` (`Label:id`) or a bare id. `Label:id` names the node of that"
    " label when there is one; otherwise the whole text is looked up as a bare id"
    " under each label in turn, so a party whose own id is `Party:PA-1` is found by"
    " it unless a party `PA-1` exists (`Party:Party:PA-1` then names it). GS1 keys"
    " may be EPC URNs or Digital Links on any host."
)


def _bounded(argument: str, value: int, low: int, high: int) -> int:
    if not low <= value <= high:
        raise InvalidArgument(
            argument, f"must be between {low} and {high}, got {value}"
        )
    return value


@strawberry.type
class Query:
    @strawberry.field(description="An item by id (EPC URN or Digital Link accepted).")
    async def item(self, info: Info, id: strawberry.ID) -> Item | None:
        node = await load(info, "Item", lookup_id(id))
        return Item(node=node) if node is not None else None

    @strawberry.field(description="A party by id.")
    async def party(self, info: Info, id: strawberry.ID) -> Party | None:
        node = await load(info, "Party", lookup_id(id))
        return Party(node=node) if node is not None else None

    @strawberry.field(description="A shipment by id.")
    async def shipment(self, info: Info, id: strawberry.ID) -> Shipment | None:
        node = await load(info, "Shipment", lookup_id(id))
        return Shipment(node=node) if node is not None else None

    @strawberry.field(description="A site by id.")
    async def site(self, info: Info, id: strawberry.ID) -> Site | None:
        node = await load(info, "Site", lookup_id(id))
        return Site(node=node) if node is not None else None

    @strawberry.field(description="A brand by id.")
    async def brand(self, info: Info, id: strawberry.ID) -> Brand | None:
        node = await load(info, "Brand", lookup_id(id))
        return Brand(node=node) if node is not None else None

    @strawberry.field(description="A product by id.")
    async def product(self, info: Info, id: strawberry.ID) -> Product | None:
        node = await load(info, "Product", lookup_id(id))
        return Product(node=node) if node is not None else None

    @strawberry.field(description="An authorization by id.")
    async def authorization(
        self, info: Info, id: strawberry.ID
    ) -> Authorization | None:
        node = await load(info, "Authorization", lookup_id(id))
        return Authorization(node=node) if node is not None else None

    @strawberry.field(
        description="The custody chain of an item, in time order, with its findings."
        " Null for an unknown item."
    )
    async def provenance(self, info: Info, item_id: strawberry.ID) -> Provenance | None:
        canonical = lookup_id(item_id)
        found = info.context.investigation.provenance(canonical)
        if found is None:
            return None
        # The item and every node the hops name come in one load; the hops then
        # answer without a resolver to await each.
        keys: list[NodeKey] = [("Item", canonical)]
        for hop in found.hops:
            keys += [
                (label, id_)
                for label, id_ in (
                    ("Party", hop.party),
                    ("Site", hop.site),
                    ("Shipment", hop.shipment),
                )
                if id_ is not None
            ]
        loaded = await info.context.nodes.load_many(keys)
        node = loaded[0]
        if node is None:
            return None
        nodes = dict(zip(keys, loaded, strict=True))
        return Provenance(
            item=Item(node=node),
            hops=[CustodyHop(hop=h, nodes=nodes) for h in found.hops],
            findings=[Finding(finding=f) for f in found.findings],
        )

    @strawberry.field(
        description="Findings, ordered by time, kind and id, filtered by brand, party"
        " and kinds. `first` is at most 500 (see the error when it is more)."
    )
    def findings(
        self,
        info: Info,
        brand: strawberry.ID | None = None,
        party: strawberry.ID | None = None,
        kinds: list[FindingKind] | None = None,
        first: int | None = 50,
        after: str | None = None,
    ) -> FindingConnection:
        limits = info.context.limits
        first = _bounded("first", 50 if first is None else first, 0, limits.max_page)
        brand_filter, visible = info.context.scope.query_brand(
            lookup_id(brand) if brand is not None else None
        )
        if not visible:
            return _no_findings()
        query = FindingQuery(
            brand=brand_filter,
            party=lookup_id(party) if party is not None else None,
            kinds=frozenset(engine.FindingKind(k.value) for k in kinds)
            if kinds is not None
            else None,
        )
        investigation = info.context.investigation
        after_id = decode_cursor("finding", after) if after is not None else None
        # One more than asked tells whether another page follows.
        found = investigation.findings(query, first + 1, after_id)
        page = found[:first]
        edges = [
            FindingEdge(
                cursor=encode_cursor("finding", s.finding.id),
                node=Finding(finding=s.finding),
            )
            for s in page
        ]
        return FindingConnection(
            edges=edges,
            page_info=PageInfo(
                has_next_page=len(found) > first,
                end_cursor=edges[-1].cursor if edges else None,
            ),
            count=lambda: investigation.count_findings(query),
        )

    @strawberry.field(
        description="Clusters of unauthorized distributors, largest first (by items,"
        " then id). `minSize` is at least 1: one keeps lone unauthorized holders."
    )
    def distributor_clusters(
        self, info: Info, brand: strawberry.ID | None = None, min_size: int | None = 2
    ) -> list[DistributorCluster]:
        min_size = _bounded("minSize", 2 if min_size is None else min_size, 1, 10**6)
        brand_filter, visible = info.context.scope.query_brand(
            lookup_id(brand) if brand is not None else None
        )
        if not visible:
            return []
        found = info.context.investigation.clusters(brand_filter, min_size)
        scope = info.context.scope
        # Largest first by what the key may see: an order by every brand's items
        # would tell a scoped key how many items of other brands each one holds.
        ordered = sorted(found, key=lambda c: (-visible_item_count(c, scope), c.id))
        return [DistributorCluster(cluster=c) for c in ordered]

    @strawberry.field(
        description="The nodes and relationships within `depth` (at most 3) of a node,"
        " at most `limit` nodes (at most 2000)."
    )
    def neighborhood(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description=_NODE_ID)],
        depth: int | None = 1,
        limit: int | None = 200,
    ) -> Subgraph:
        limits = info.context.limits
        depth = _bounded("depth", 1 if depth is None else depth, 0, limits.max_depth)
        limit = _bounded("limit", 200 if limit is None else limit, 1, limits.max_limit)
        store = info.context.investigation.store
        key = find_node(store, id)
        if key is None:
            return Subgraph(nodes=[], edges=[], truncated=False)
        found = store.neighborhood(key, depth, limit)
        nodes, kept = info.context.scope.subgraph(
            key,
            [n for n in store.nodes_by_key(found.nodes) if n is not None],
            found.edges,
        )
        edges = [
            GraphEdge(
                id=strawberry.ID(f"{e.type}:{node_id(e.source)}->{node_id(e.target)}"),
                type=e.type,
                source=strawberry.ID(node_id(e.source)),
                target=strawberry.ID(node_id(e.target)),
            )
            for e in kept
        ]
        return Subgraph(
            nodes=[GraphNode(node=n) for n in nodes],
            edges=edges,
            # Said only of what the key may see: a hidden start answers as an
            # unknown id does, or `limit` could count another brand's neighbours.
            truncated=found.truncated and bool(nodes),
        )

    @strawberry.field(
        description="The load history, newest first, with each source's freshness."
        " `source` keeps that source's loads and freshness; `since` keeps the loads"
        " started at or after it (a date or a time without an offset is in UTC);"
        " `first` is at most 500."
    )
    def loads(
        self,
        info: Info,
        first: int | None = 50,
        after: str | None = None,
        source: str | None = None,
        since: datetime | None = None,
    ) -> LoadConnection:
        return loads_page(info, first, after, source, since)

    @strawberry.field(
        description="Brands, items, parties, products, shipments and sites whose id"
        " starts with `text` (with its case) or whose name contains it (in any"
        " case): ids equal to the text first, then other ids, then names, each by"
        " label and id. `first` is at most 100."
    )
    def search(self, info: Info, text: str, first: int | None = 20) -> list[GraphNode]:
        first = _bounded("first", 20 if first is None else first, 1, SEARCH_MAX)
        wanted = text.strip()
        if not wanted:
            raise InvalidArgument("text", "must not be empty")
        found = info.context.scope.search(lookup_id(wanted), first)
        return [GraphNode(node=n) for n in found]

    @strawberry.field(
        description="The audit log, newest first; admins only, and not those scoped to"
        " brands. `first` is at most 500."
    )
    def audit_log(
        self, info: Info, first: int = 50, after: str | None = None
    ) -> AuditPage:
        return audit_page(info, first, after)


def _no_findings() -> FindingConnection:
    return FindingConnection(
        edges=[],
        page_info=PageInfo(has_next_page=False, end_cursor=None),
        count=lambda: 0,
    )


def _should_mask(error: GraphQLError) -> bool:
    """Hide what went wrong unless it is one of graphsvc's own, safe messages."""
    original = error.original_error
    # graphql-core refuses a variable's value with an error that wraps its own;
    # when nothing else is inside, the message only describes the caller's input.
    while isinstance(original, GraphQLError):
        original = original.original_error
    return original is not None and not isinstance(original, GraphsvcError)


class _Schema(strawberry.Schema):
    """Logs refusals (bad arguments, bounds, access) as such, not as failures."""

    def process_errors(
        self,
        errors: list[GraphQLError],
        execution_context: ExecutionContext | None = None,
    ) -> None:
        for error in errors:
            if _should_mask(error):
                log.error(
                    "graphql.unexpected path=%s",
                    error.path,
                    exc_info=error.original_error,
                )
            else:
                log.info(
                    "graphql.refused path=%s message=%s", error.path, error.message
                )


def build_schema(
    limits: Limits | None = None,
    audit: AuditLog | None = None,
    metrics: Metrics | None = None,
) -> strawberry.Schema:
    """The schema, with its bounds, recording, and masking of unexpected errors."""
    limits = limits or Limits()
    return _Schema(
        query=Query,
        types=[Entity],
        extensions=[
            lambda: Observe(audit, metrics),
            *bound_extensions(limits),
            lambda: MaskErrors(should_mask_error=_should_mask),
        ],
    )
