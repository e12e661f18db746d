"""The graph model, declared once as data.

Every node type, its key, its properties and the relationships that its reference
fields create are listed here. The loaders validate against these declarations, both
stores write from them, and `docs/model.md` describes the same model for people who
read the graph in Neo4j Browser.

A node is keyed by its label and its `id`. A reference field (a shipment's `shipper`)
is kept as a property holding the target's id and also drawn as a relationship from
the node that has the field to the target, so both stores can traverse it. A
reference to a node that was never described creates a stub node holding only its
`id`; it becomes described when a record of its own kind arrives.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final


class FieldType(enum.Enum):
    """How a feed value is checked and stored."""

    TEXT = "text"
    NUMBER = "number"
    DATE = "date"
    INSTANT = "instant"
    COUNTRY = "country"
    TERRITORIES = "territories"
    CHOICE = "choice"
    IDENTIFIER = "identifier"
    IDENTIFIERS = "identifiers"
    GTIN = "gtin"
    GLN = "gln"


@dataclass(frozen=True)
class Field:
    """One field of a record kind, as the feed names it."""

    name: str
    type: FieldType
    required: bool = False
    choices: tuple[str, ...] = ()
    target: str | None = None
    """Label of the node that an identifier field refers to, if it is a reference."""
    rel: str | None = None
    """Relationship type drawn from the record's node to `target`."""
    default: str | tuple[str, ...] | None = None
    """Value a store sets when a record first describes the node without this field."""
    feed: bool = True
    """False for fields that only the EPCIS loader writes: a feed field of the same
    name is kept in `extra` like any other field outside the contract."""

    @property
    def is_reference(self) -> bool:
        return self.target is not None


@dataclass(frozen=True)
class NodeType:
    """A node label, the feed kind that describes it and its fields."""

    label: str
    kind: str
    fields: tuple[Field, ...]
    derived_key: tuple[str, ...] = ()
    """Fields whose values make the key when the record has no `id`."""
    feed: bool = True
    """False for node types that only the EPCIS loader writes (not a feed kind)."""
    by_name: Mapping[str, Field] = field(init=False, repr=False, compare=False)
    _describing: frozenset[str] = field(init=False, repr=False, compare=False)
    references: tuple[Field, ...] = field(init=False, repr=False, compare=False)
    """The fields that draw relationships, in declaration order."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_name", {f.name: f for f in self.fields})
        references = tuple(f for f in self.fields if f.is_reference)
        object.__setattr__(self, "references", references)
        describing = frozenset(
            f.name for f in self.fields if f.required and f.name != "id"
        )
        object.__setattr__(self, "_describing", describing)

    @property
    def required(self) -> tuple[Field, ...]:
        return tuple(f for f in self.fields if f.required)

    def is_described(self, props: Mapping[str, object]) -> bool:
        """True once a record of this kind has set the node's required fields."""
        return props.keys() >= self._describing


@dataclass(frozen=True)
class LinkType:
    """A record kind that only draws a relationship between two existing keys."""

    kind: str
    rel: str
    source: Field
    target: Field


@dataclass(frozen=True)
class RelType:
    """A relationship type: its name, its endpoints and the field that draws it."""

    type: str
    source: str
    target: str
    field: str


def _ref(
    name: str, target: str, rel: str, *, required: bool = False, feed: bool = True
) -> Field:
    return Field(
        name, FieldType.IDENTIFIER, required, target=target, rel=rel, feed=feed
    )


_EVENT = Field("event", FieldType.TEXT, feed=False)
"""The id of the EPCIS event a node was derived from."""
_RETRACTED_BY = Field("retracted_by", FieldType.TEXT, feed=False)
"""The id of the EPCIS event whose error declaration retracted this node: it stays
for audit but no longer counts as evidence."""
_DELIVERY_EVENT = Field("delivery_event", FieldType.TEXT, feed=False)
"""The id of the EPCIS receiving event that set a shipment's `delivered_at`."""
_DELIVERY_RETRACTED_BY = Field("delivery_retracted_by", FieldType.TEXT, feed=False)
"""The id of the receiving event whose error declaration retracted the delivery: while
it is the `delivery_event`, `delivered_at` stays for audit but confirms nothing."""


ROLES: Final = (
    "manufacturer",
    "distributor",
    "wholesaler",
    "retailer",
    "marketplace",
    "logistics",
    "customs",
    "inspector",
)
SITE_TYPES: Final = (
    "factory",
    "warehouse",
    "bonded_warehouse",
    "store",
    "port",
    "hub",
    "office",
)
SCAN_STEPS: Final = (
    "produced",
    "packed",
    "shipped",
    "received",
    "stored",
    "customs_cleared",
    "inspected",
    "sold",
    "returned",
    "destroyed",
)
NEUTRAL_ROLES: Final = frozenset({"logistics", "customs", "inspector", "marketplace"})
"""Roles whose receipts are never judged against authorizations."""

_ID = Field("id", FieldType.IDENTIFIER, required=True)

BRAND = NodeType(
    "Brand",
    "brand",
    (_ID, Field("name", FieldType.TEXT, True), Field("country", FieldType.COUNTRY)),
)
PARTY = NodeType(
    "Party",
    "party",
    (
        _ID,
        Field("name", FieldType.TEXT, True),
        Field("role", FieldType.CHOICE, True, choices=ROLES),
        Field("country", FieldType.COUNTRY),
        Field("gln", FieldType.GLN),
        Field("address", FieldType.TEXT),
        Field("phone", FieldType.TEXT),
        Field("email", FieldType.TEXT),
        Field("tax_id", FieldType.TEXT),
        Field("website", FieldType.TEXT),
    ),
)
AUTHORIZATION = NodeType(
    "Authorization",
    "authorization",
    (
        Field("id", FieldType.IDENTIFIER),
        _ref("brand", "Brand", "GRANTED_BY", required=True),
        _ref("party", "Party", "GRANTED_TO", required=True),
        Field("valid_from", FieldType.DATE, True),
        Field("valid_until", FieldType.DATE),
        Field("territories", FieldType.TERRITORIES, default=("*",)),
    ),
    derived_key=("brand", "party", "valid_from"),
)
SITE = NodeType(
    "Site",
    "site",
    (
        _ID,
        _ref("operator", "Party", "OPERATED_BY", required=True),
        Field("country", FieldType.COUNTRY, True),
        Field("name", FieldType.TEXT),
        Field("type", FieldType.CHOICE, choices=SITE_TYPES, default="warehouse"),
        Field("city", FieldType.TEXT),
        Field("lat", FieldType.NUMBER),
        Field("lon", FieldType.NUMBER),
        Field("gln", FieldType.GLN),
    ),
)
PRODUCT = NodeType(
    "Product",
    "product",
    (
        _ID,
        _ref("brand", "Brand", "OF_BRAND", required=True),
        Field("name", FieldType.TEXT),
        Field("category", FieldType.TEXT),
        Field("gtin", FieldType.GTIN),
    ),
)
ITEM = NodeType(
    "Item",
    "item",
    (
        _ID,
        _ref("product", "Product", "OF_PRODUCT", required=True),
        _ref("produced_at", "Site", "PRODUCED_AT"),
        Field("produced_on", FieldType.INSTANT),
        Field("lot", FieldType.TEXT),
        Field(
            "made_from",
            FieldType.IDENTIFIERS,
            target="Item",
            rel="MADE_FROM",
            feed=False,
        ),
        _EVENT,
        _RETRACTED_BY,
    ),
)
SHIPMENT = NodeType(
    "Shipment",
    "shipment",
    (
        _ID,
        _ref("shipper", "Party", "SHIPPED_BY", required=True),
        _ref("consignee", "Party", "CONSIGNED_TO", required=True),
        _ref("origin", "Site", "FROM_SITE", required=True),
        _ref("destination", "Site", "TO_SITE", required=True),
        Field("shipped_at", FieldType.INSTANT, True),
        Field("delivered_at", FieldType.INSTANT),
        _ref("carrier", "Party", "CARRIED_BY"),
        Field("items", FieldType.IDENTIFIERS, target="Item", rel="CARRIES"),
        Field("reference", FieldType.TEXT),
        _EVENT,
        _RETRACTED_BY,
        _DELIVERY_EVENT,
        _DELIVERY_RETRACTED_BY,
    ),
)
SCAN = NodeType(
    "Scan",
    "scan",
    (
        Field("id", FieldType.IDENTIFIER),
        _ref("item", "Item", "OF_ITEM", required=True),
        _ref("site", "Site", "AT_SITE", required=True),
        Field("at", FieldType.INSTANT, True),
        Field("step", FieldType.CHOICE, True, choices=SCAN_STEPS),
        _ref("party", "Party", "BY_PARTY"),
        _EVENT,
        _RETRACTED_BY,
    ),
    derived_key=("item", "site", "at", "step"),
)
CONTAINMENT_ACTIONS: Final = ("add", "delete")
CONTAINMENT = NodeType(
    "Containment",
    "containment",
    (
        Field("id", FieldType.IDENTIFIER),
        _ref("parent", "Item", "IN_PARENT", required=True),
        _ref("child", "Item", "OF_CHILD"),
        Field("at", FieldType.INSTANT, True),
        Field("action", FieldType.CHOICE, True, choices=CONTAINMENT_ACTIONS),
        _EVENT,
        _RETRACTED_BY,
    ),
    derived_key=("parent", "child", "at", "action"),
    feed=False,
)
"""A child put into (`add`) or taken out of (`delete`) a parent at an instant.

A `delete` without a child empties the parent. Between an `add` and the next
`delete` the child follows its parent: the parent's shipments and scans count for it.
"""

NODE_TYPES: Final[tuple[NodeType, ...]] = (
    BRAND,
    PARTY,
    AUTHORIZATION,
    SITE,
    PRODUCT,
    ITEM,
    SHIPMENT,
    SCAN,
    CONTAINMENT,
)
SHIPMENT_ITEM = LinkType(
    "shipment_item",
    "CARRIES",
    _ref("shipment", "Shipment", "CARRIES", required=True),
    _ref("item", "Item", "CARRIES", required=True),
)

BY_LABEL: Final[Mapping[str, NodeType]] = {t.label: t for t in NODE_TYPES}
BY_KIND: Final[Mapping[str, NodeType]] = {t.kind: t for t in NODE_TYPES}
FEED_BY_KIND: Final[Mapping[str, NodeType]] = {t.kind: t for t in NODE_TYPES if t.feed}
"""The node types a feed may describe."""
KINDS: Final[tuple[str, ...]] = (*FEED_BY_KIND, SHIPMENT_ITEM.kind)
"""The record kinds of the feed format."""

REL_TYPES: Final[tuple[RelType, ...]] = tuple(
    RelType(f.rel, t.label, f.target, f.name)
    for t in NODE_TYPES
    for f in t.references
    if f.rel is not None and f.target is not None
)
"""Every relationship type, in declaration order: the allow-list for Cypher too."""


def node_type(label: str) -> NodeType:
    """The declared type of `label`; raises KeyError for a label not in the model."""
    return BY_LABEL[label]
