"""GraphQL types: the model's nodes and the engine's answers.

Entity types carry the feed's fields under the same names in camelCase; reference
fields (`product`, `shipper`, ...) resolve to the node they name, through the
request's loader. A node that is referenced but was never described resolves with
its id only and `described: false`.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import Annotated, Any, Final

import strawberry
from strawberry.scalars import JSON

from graphsvc import engine
from graphsvc.api.bounds import FIELD_CAPS
from graphsvc.api.context import Info
from graphsvc.errors import InvalidArgument
from graphsvc.security.scope import BrandScope
from graphsvc.store.base import Node, NodeKey
from graphsvc.store.containment import delivery_retracted

CARRIED_MAX: Final = FIELD_CAPS["itemIds"]
"""The most item ids of one shipment that a request may ask for."""


@strawberry.enum(description="What is suspicious about an item's path.")
class FindingKind(enum.Enum):
    UNAUTHORIZED_HOLDER = "UNAUTHORIZED_HOLDER"
    AUTHORIZATION_NOT_IN_FORCE = "AUTHORIZATION_NOT_IN_FORCE"
    OUT_OF_TERRITORY = "OUT_OF_TERRITORY"
    BROKEN_CUSTODY = "BROKEN_CUSTODY"
    CLONED_SERIAL = "CLONED_SERIAL"
    UNKNOWN_ITEM = "UNKNOWN_ITEM"
    REENTRY = "REENTRY"


def _text(node: Node, name: str) -> str | None:
    value = node.properties.get(name)
    return value if isinstance(value, str) else None


def _number(node: Node, name: str) -> float | None:
    value = node.properties.get(name)
    return float(value) if isinstance(value, int | float) else None


def _instant(node: Node, name: str) -> datetime | None:
    value = node.properties.get(name)
    return value if isinstance(value, datetime) else None


def _day(node: Node, name: str) -> date | None:
    value = node.properties.get(name)
    return (
        value if isinstance(value, date) and not isinstance(value, datetime) else None
    )


def _strings(node: Node, name: str) -> list[str]:
    value = node.properties.get(name, ())
    return list(value) if isinstance(value, tuple) else []


async def load(info: Info, label: str, id_: str | None) -> Node | None:
    """The node `label`/`id_` through the request's loader; None for no id."""
    if id_ is None:
        return None
    node: Node | None = await info.context.nodes.load((label, id_))
    return node


async def _party(info: Info, id_: str | None) -> Party | None:
    node = await load(info, "Party", id_)
    return Party(node=node) if node is not None else None


async def _site(info: Info, id_: str | None) -> Site | None:
    node = await load(info, "Site", id_)
    return Site(node=node) if node is not None else None


async def _item(info: Info, id_: str | None) -> Item | None:
    node = await load(info, "Item", id_)
    return Item(node=node) if node is not None else None


async def _shipment(info: Info, id_: str | None) -> Shipment | None:
    node = await load(info, "Shipment", id_)
    return Shipment(node=node) if node is not None else None


async def _brand(info: Info, id_: str | None) -> Brand | None:
    node = await load(info, "Brand", id_)
    return Brand(node=node) if node is not None else None


@strawberry.interface(description="A node of the graph, keyed by its id.")
class Entity:
    node: strawberry.Private[Node]

    @strawberry.field(description="The record's id (GS1 keys in canonical form).")
    def id(self) -> strawberry.ID:
        return strawberry.ID(self.node.id)

    @strawberry.field(
        description="False when the node is only referenced: no record of its own "
        "kind has described it yet."
    )
    def described(self) -> bool:
        return self.node.described

    @strawberry.field(description="Feed fields outside the contract, as sent.")
    def extra(self) -> JSON:
        return JSON(dict(self.node.extra))


@strawberry.type(description="A brand owner, which authorizes distributors.")
class Brand(Entity):
    @strawberry.field(description="Display name.")
    def name(self) -> str | None:
        return _text(self.node, "name")

    @strawberry.field(description="ISO 3166-1 alpha-2 country code.")
    def country(self) -> str | None:
        return _text(self.node, "country")


@strawberry.type(
    description="A company in the chain: manufacturer, distributor, retailer, "
    "carrier, customs and so on."
)
class Party(Entity):
    @strawberry.field(description="Display name.")
    def name(self) -> str | None:
        return _text(self.node, "name")

    @strawberry.field(
        description="manufacturer, distributor, wholesaler, retailer, marketplace, "
        "logistics, customs or inspector; null when never described."
    )
    def role(self) -> str | None:
        return _text(self.node, "role")

    @strawberry.field(description="ISO 3166-1 alpha-2 country code.")
    def country(self) -> str | None:
        return _text(self.node, "country")

    @strawberry.field(description="Global Location Number, 13 digits.")
    def gln(self) -> str | None:
        return _text(self.node, "gln")

    @strawberry.field(description="Postal address, as sent.")
    def address(self) -> str | None:
        return _text(self.node, "address")

    @strawberry.field(description="Phone number, as sent.")
    def phone(self) -> str | None:
        return _text(self.node, "phone")

    @strawberry.field(description="Email address, as sent.")
    def email(self) -> str | None:
        return _text(self.node, "email")

    @strawberry.field(description="Tax or VAT identification number, as sent.")
    def tax_id(self) -> str | None:
        return _text(self.node, "tax_id")

    @strawberry.field(description="Web site.")
    def website(self) -> str | None:
        return _text(self.node, "website")


@strawberry.type(description="A place: factory, warehouse, port, store and so on.")
class Site(Entity):
    @strawberry.field(description="The party that operates the site.")
    async def operator(self, info: Info) -> Party | None:
        return await _party(info, _text(self.node, "operator"))

    @strawberry.field(description="ISO 3166-1 alpha-2 country code.")
    def country(self) -> str | None:
        return _text(self.node, "country")

    @strawberry.field(description="Display name.")
    def name(self) -> str | None:
        return _text(self.node, "name")

    @strawberry.field(
        description="factory, warehouse, bonded_warehouse, store, port, hub or office."
    )
    def type(self) -> str | None:
        return _text(self.node, "type")

    @strawberry.field(description="City.")
    def city(self) -> str | None:
        return _text(self.node, "city")

    @strawberry.field(description="Latitude, degrees north.")
    def lat(self) -> float | None:
        return _number(self.node, "lat")

    @strawberry.field(description="Longitude, degrees east.")
    def lon(self) -> float | None:
        return _number(self.node, "lon")

    @strawberry.field(description="Global Location Number, 13 digits.")
    def gln(self) -> str | None:
        return _text(self.node, "gln")


@strawberry.type(description="A product of a brand; items are its serialised units.")
class Product(Entity):
    @strawberry.field(description="The brand.")
    async def brand(self, info: Info) -> Brand | None:
        return await _brand(info, _text(self.node, "brand"))

    @strawberry.field(description="Display name.")
    def name(self) -> str | None:
        return _text(self.node, "name")

    @strawberry.field(description="Product category.")
    def category(self) -> str | None:
        return _text(self.node, "category")

    @strawberry.field(description="GTIN, 14 digits.")
    def gtin(self) -> str | None:
        return _text(self.node, "gtin")


@strawberry.type(description="One serialised unit of a product.")
class Item(Entity):
    @strawberry.field(description="The product this item is a unit of.")
    async def product(self, info: Info) -> Product | None:
        node = await load(info, "Product", _text(self.node, "product"))
        return Product(node=node) if node is not None else None

    @strawberry.field(description="The site where the item was made.")
    async def produced_at(self, info: Info) -> Site | None:
        return await _site(info, _text(self.node, "produced_at"))

    @strawberry.field(description="When the item was made.")
    def produced_on(self) -> datetime | None:
        return _instant(self.node, "produced_on")

    @strawberry.field(description="Production lot or batch.")
    def lot(self) -> str | None:
        return _text(self.node, "lot")


@strawberry.type(description="A brand's authorization of a party, for a period.")
class Authorization(Entity):
    @strawberry.field(description="The brand.")
    async def brand(self, info: Info) -> Brand | None:
        return await _brand(info, _text(self.node, "brand"))

    @strawberry.field(description="The party.")
    async def party(self, info: Info) -> Party | None:
        return await _party(info, _text(self.node, "party"))

    @strawberry.field(description="First day in force (whole UTC day).")
    def valid_from(self) -> date | None:
        return _day(self.node, "valid_from")

    @strawberry.field(description="Last day in force, inclusive; null: open-ended.")
    def valid_until(self) -> date | None:
        return _day(self.node, "valid_until")

    @strawberry.field(description="Countries covered; `*` means every country.")
    def territories(self) -> list[str]:
        return _strings(self.node, "territories")


@strawberry.type(description="Goods moved from a shipper to a consignee.")
class Shipment(Entity):
    @strawberry.field(description="The party that sent the shipment.")
    async def shipper(self, info: Info) -> Party | None:
        return await _party(info, _text(self.node, "shipper"))

    @strawberry.field(description="The party it was sent to.")
    async def consignee(self, info: Info) -> Party | None:
        return await _party(info, _text(self.node, "consignee"))

    @strawberry.field(description="The site it left from.")
    async def origin(self, info: Info) -> Site | None:
        return await _site(info, _text(self.node, "origin"))

    @strawberry.field(description="The site it was sent to.")
    async def destination(self, info: Info) -> Site | None:
        return await _site(info, _text(self.node, "destination"))

    @strawberry.field(description="When the goods left the origin.")
    def shipped_at(self) -> datetime | None:
        return _instant(self.node, "shipped_at")

    @strawberry.field(description="Null while the delivery is not confirmed.")
    def delivered_at(self) -> datetime | None:
        if delivery_retracted(self.node.properties):
            return None
        return _instant(self.node, "delivered_at")

    @strawberry.field(description="The party that carried it, if any.")
    async def carrier(self, info: Info) -> Party | None:
        return await _party(info, _text(self.node, "carrier"))

    @strawberry.field(description="The shipper's own reference (waybill, order).")
    def reference(self) -> str | None:
        return _text(self.node, "reference")

    @strawberry.field(
        description="The items carried, in the order they were reported; `first` is"
        " at most 1000 (see the error when it is more)."
    )
    async def items(self, info: Info, first: int = 100) -> list[Item]:
        ids = self._carried(info, first)
        nodes = await info.context.nodes.load_many([("Item", i) for i in ids])
        return [
            Item(node=node or Node("Item", id_, {}, {}, described=False))
            for id_, node in zip(ids, nodes, strict=True)
        ]

    @strawberry.field(description="How many items the shipment carried.")
    def item_count(self, info: Info) -> int:
        return len(info.context.scope.visible_items(_strings(self.node, "items")))

    @strawberry.field(
        description="The ids of the items carried, in the order they were reported; "
        "`first` is at most 1000 (see the error when it is more)."
    )
    def item_ids(self, info: Info, first: int = 100) -> list[strawberry.ID]:
        return [strawberry.ID(i) for i in self._carried(info, first)]

    def _carried(self, info: Info, first: int) -> list[str]:
        """The first `first` visible item ids; a `first` past the cap is refused."""
        if not 0 <= first <= CARRIED_MAX:
            raise InvalidArgument(
                "first", f"must be between 0 and {CARRIED_MAX}, got {first}"
            )
        items = info.context.scope.visible_items(_strings(self.node, "items"))
        return items[:first]


@strawberry.type(description="A stretch of time during which one party held the item.")
class CustodyHop:
    hop: strawberry.Private[engine.CustodyHop]
    nodes: strawberry.Private[Mapping[NodeKey, Node | None]]
    """Nodes the hop names, loaded with the rest of its chain (see `provenance`)."""

    @strawberry.field(description="The holder; null when unknown.")
    def party(self) -> Party | None:
        node = self._node("Party", self.hop.party)
        return Party(node=node) if node is not None else None

    @strawberry.field(description="Where the item was held.")
    def site(self) -> Site | None:
        node = self._node("Site", self.hop.site)
        return Site(node=node) if node is not None else None

    @strawberry.field(name="from", description="When the hop began.")
    def start(self) -> datetime:
        return self.hop.start

    @strawberry.field(description="When it ended; null for the current holder.")
    def until(self) -> datetime | None:
        return self.hop.until

    @strawberry.field(description="The shipment through which the item arrived.")
    def shipment(self) -> Shipment | None:
        node = self._node("Shipment", self.hop.shipment)
        return Shipment(node=node) if node is not None else None

    @strawberry.field(description="False while the arriving shipment has no delivery.")
    def confirmed(self) -> bool:
        return self.hop.confirmed

    @strawberry.field(
        description="Whether the receipt was authorized; null when it was not judged "
        "(producing manufacturer, logistics, customs, inspector, marketplace)."
    )
    def authorized(self) -> bool | None:
        return self.hop.authorized

    def _node(self, label: str, id_: str | None) -> Node | None:
        return self.nodes[label, id_] if id_ is not None else None


@strawberry.type(description="One suspicious fact about an item, explained.")
class Finding:
    finding: strawberry.Private[engine.Finding]

    @strawberry.field(description="Stable id of the finding (same data, same id).")
    def id(self) -> strawberry.ID:
        return strawberry.ID(self.finding.id)

    @strawberry.field(description="What the finding is.")
    def kind(self) -> FindingKind:
        return FindingKind(self.finding.kind.value)

    @strawberry.field(description="The item.")
    async def item(self, info: Info) -> Item | None:
        return await _item(info, self.finding.item)

    @strawberry.field(description="The party the finding is about.")
    async def party(self, info: Info) -> Party | None:
        return await _party(info, self.finding.party)

    @strawberry.field(description="When it happened.")
    def at(self) -> datetime | None:
        return self.finding.at

    @strawberry.field(description="The shipment involved, if any.")
    async def shipment(self, info: Info) -> Shipment | None:
        return await _shipment(info, self.finding.shipment)

    @strawberry.field(
        description="Plain-language explanation: the authorization checked or the "
        "two observations in conflict."
    )
    def explanation(self) -> str:
        return self.finding.explanation


@strawberry.type(description="An item's custody chain and every finding about it.")
class Provenance:
    item: Item = strawberry.field(description="The item.")
    hops: list[CustodyHop] = strawberry.field(
        description="Who held the item, in time order."
    )
    findings: list[Finding] = strawberry.field(
        description="Everything suspicious about the path, in time order."
    )


@strawberry.type(description="A finding and its place in the listing.")
class FindingEdge:
    cursor: str = strawberry.field(description="Pass as `after` to go on from here.")
    node: Finding = strawberry.field(description="The finding.")


@strawberry.type(description="Where a page ends and whether more follow.")
class PageInfo:
    has_next_page: bool = strawberry.field(description="True when more items follow.")
    end_cursor: str | None = strawberry.field(
        description="The cursor of the last edge; null on an empty page."
    )


@strawberry.type(description="A page of findings.")
class FindingConnection:
    edges: list[FindingEdge] = strawberry.field(description="The page's findings.")
    page_info: PageInfo = strawberry.field(description="How to get the next page.")
    count: strawberry.Private[Callable[[], int]]

    @strawberry.field(
        description="How many findings match, over all pages (counted only when asked)."
    )
    def total_count(self) -> int:
        return self.count()


@strawberry.type(description="Why two cluster members belong together.")
class ClusterLink:
    link: strawberry.Private[engine.ClusterLink]

    @strawberry.field(description="One member.")
    async def source(self, info: Info) -> Party:
        return await _required_party(info, self.link.source)

    @strawberry.field(description="The other member (the consignee for shipments).")
    async def target(self, info: Info) -> Party:
        return await _required_party(info, self.link.target)

    @strawberry.field(description="shipment, phone, email, tax_id or address.")
    def kind(self) -> str:
        return self.link.kind

    @strawberry.field(description="The shipments, or the shared value (normalised).")
    def evidence(self) -> str:
        return self.link.evidence


async def _required_party(info: Info, id_: str) -> Party:
    node = await load(info, "Party", id_)
    return Party(node=node or Node("Party", id_, {}, {}, described=False))


async def _parties(info: Info, ids: tuple[str, ...]) -> list[Party]:
    return [await _required_party(info, p) for p in ids]


@strawberry.type(
    description="Unauthorized holders linked by trade or shared identifiers."
)
class DistributorCluster:
    cluster: strawberry.Private[engine.DistributorCluster]

    @strawberry.field(description="Stable across reloads of the same data.")
    def id(self) -> strawberry.ID:
        return strawberry.ID(self.cluster.id)

    @strawberry.field(description="The unauthorized holders in the cluster, by id.")
    async def members(self, info: Info) -> list[Party]:
        return await _parties(info, self.cluster.members)

    @strawberry.field(
        description="The links that join the members, with their evidence."
    )
    def links(self) -> list[ClusterLink]:
        return [ClusterLink(link=link) for link in self.cluster.links]

    @strawberry.field(
        description="Distinct items that passed through the members, counting what"
        " their pallets and cases held rather than the containers themselves; for a"
        " key scoped to some brands, only the items of those brands."
    )
    def item_count(self, info: Info) -> int:
        return visible_item_count(self.cluster, info.context.scope)

    @strawberry.field(description="Brands whose items passed through the members.")
    async def brands(self, info: Info) -> list[Brand]:
        found = []
        scope = info.context.scope
        for id_ in filter(scope.allows_brand, self.cluster.brands):
            node = await load(info, "Brand", id_)
            found.append(Brand(node=node or Node("Brand", id_, {}, {}, False)))
        return found

    @strawberry.field(description="Outside parties that shipped into the cluster.")
    async def entry_points(self, info: Info) -> list[Party]:
        return await _parties(info, self.cluster.entry_points)

    @strawberry.field(description="Outside parties that received from the cluster.")
    async def exits(self, info: Info) -> list[Party]:
        return await _parties(info, self.cluster.exits)


def visible_item_count(cluster: engine.DistributorCluster, scope: BrandScope) -> int:
    """The items of a cluster that `scope` may see, as `itemCount` gives them."""
    if scope.unrestricted:
        return cluster.item_count
    return cluster.items_of(scope.allows_brand)


def node_id(key: NodeKey) -> str:
    """The id of a graph node across labels: `Label:id`."""
    return f"{key[0]}:{key[1]}"


@strawberry.type(description="A node of a subgraph, for drawing.")
class GraphNode:
    node: strawberry.Private[Node]

    @strawberry.field(description="`Label:id`, unique across labels.")
    def id(self) -> strawberry.ID:
        return strawberry.ID(node_id((self.node.label, self.node.id)))

    @strawberry.field(description="Brand, Party, Site, Product, Item, Shipment, ...")
    def label(self) -> str:
        return self.node.label

    @strawberry.field(description="The record's own id.")
    def key(self) -> str:
        return self.node.id

    @strawberry.field(description="A short name to show: the name, else the id.")
    def caption(self) -> str:
        return _text(self.node, "name") or self.node.id

    @strawberry.field(
        description="False for a node that is referenced but was never described."
    )
    def described(self) -> bool:
        return self.node.described

    @strawberry.field(
        description="The node's feed fields, camelCase keys, JSON values, in the "
        "order the graph model declares them."
    )
    def properties(self) -> JSON:
        return JSON(_camel_json(self.node.properties))


@strawberry.type(description="A relationship of a subgraph.")
class GraphEdge:
    id: strawberry.ID = strawberry.field(description="`TYPE:source->target`.")
    type: str = strawberry.field(description="The relationship type, e.g. CARRIES.")
    source: strawberry.ID = strawberry.field(
        description="The `GraphNode.id` it leaves."
    )
    target: strawberry.ID = strawberry.field(
        description="The `GraphNode.id` it points to."
    )


@strawberry.type(description="Nodes and relationships around a node.")
class Subgraph:
    nodes: list[GraphNode] = strawberry.field(description="Nodes, nearest first.")
    edges: list[GraphEdge] = strawberry.field(
        description="Relationships between the nodes."
    )
    truncated: bool = strawberry.field(
        description="True when `limit` cut the neighborhood."
    )


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def _camel_json(props: Any) -> dict[str, object]:
    out: dict[str, object] = {}
    for name, value in props.items():
        if isinstance(value, date):
            value = value.isoformat()
        elif isinstance(value, tuple):
            value = list(value)
        out[_camel(name)] = value
    return out


Cursor = Annotated[
    str, strawberry.argument(description="An `endCursor` to go on from.")
]
