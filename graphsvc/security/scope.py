"""Brand scope: what a key limited to some brands may see.

A scoped key sees its brands, their products, items, scans, authorizations,
what their items were packed into (containment), findings and clusters. Parties,
sites and shipments are shared by every brand and stay visible; what a shipment
carried, and what an item was made from, is filtered to the key's items. Every read
path (GraphQL, exports, search) asks a `BrandScope` rather than deciding alone.

One thing still shows through: a neighbourhood around a node the key may see is
cut at `limit` before other brands' nodes are taken out, so its `truncated` flag
can tell that a shared party or site has more neighbours than the key sees. It
matters only for keys of competing brands that share distributors.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import Final

from graphsvc.errors import InvalidArgument
from graphsvc.security.roles import Principal
from graphsvc.store.base import Edge, Node, NodeKey, Store

SCOPED_LABELS: Final = frozenset(
    {"Brand", "Product", "Item", "Scan", "Authorization", "Containment"}
)
"""Labels that belong to one brand, hidden from keys scoped to other brands."""

ITEM_LISTS: Final = {"Shipment": "items", "Item": "made_from"}
"""The property of each label that lists items, of any brand: a shipment's cargo, the
inputs an item was made from."""

SEARCH_SCAN_MAX: Final = 2_000
"""How many matches a scoped search reads, at most, to fill its page."""


class BrandScope:
    """The brands one request may see, with the store to look brands up in."""

    def __init__(self, brands: frozenset[str] | None, store: Store) -> None:
        self.brands = brands
        self.store = store

    @classmethod
    def of(cls, principal: Principal, store: Store) -> BrandScope:
        return cls(principal.brands, store)

    @property
    def unrestricted(self) -> bool:
        return self.brands is None

    def allows_brand(self, brand: str | None) -> bool:
        """True when a node or finding of `brand` may be shown."""
        return self.brands is None or (brand is not None and brand in self.brands)

    def query_brand(self, requested: str | None) -> tuple[str | None, bool]:
        """The brand filter to apply for `requested`, and whether anything can match.

        A scoped key that names none of its brands gets nothing (as for a brand
        with no findings); a key scoped to one brand gets that brand by default.
        Raises InvalidArgument when a key of several brands names none, since a
        listing across several brands cannot be paged in one store query.
        """
        if self.brands is None:
            return requested, True
        if requested is not None:
            return requested, requested in self.brands
        if len(self.brands) == 1:
            return next(iter(self.brands)), True
        raise InvalidArgument(
            "brand", "is required: this API key is scoped to several brands"
        )

    def visible(self, nodes: Sequence[Node | None]) -> list[Node | None]:
        """`nodes` with those of other brands replaced by None."""
        if self.brands is None:
            return list(nodes)
        brands = self.brands_of([n for n in nodes if n is not None])
        shown = [
            n
            if n is not None
            and (n.label not in SCOPED_LABELS or self.allows_brand(brands.get(key(n))))
            else None
            for n in nodes
        ]
        return self._carrying_visible_items(shown)

    def _carrying_visible_items(self, nodes: list[Node | None]) -> list[Node | None]:
        """`nodes` with their lists of items (`ITEM_LISTS`) cut to those it sees."""
        listed = {
            item
            for n in nodes
            if n is not None and n.label in ITEM_LISTS
            for item in _texts(n, ITEM_LISTS[n.label])
        }
        if not listed:
            return nodes
        item_brands = self._item_brands(listed)
        return [
            replace(
                n,
                properties={
                    **n.properties,
                    name: tuple(
                        i
                        for i in _texts(n, name)
                        if self.allows_brand(item_brands.get(i))
                    ),
                },
            )
            if n is not None
            and (name := ITEM_LISTS.get(n.label)) is not None
            and name in n.properties
            else n
            for n in nodes
        ]

    def visible_items(self, item_ids: Iterable[str]) -> list[str]:
        """The ids, in order, of the items this scope may see."""
        ids = list(item_ids)
        if self.brands is None:
            return ids
        nodes = self.store.nodes_by_key([("Item", i) for i in ids])
        shown = self.visible(nodes)
        return [i for i, node in zip(ids, shown, strict=True) if node is not None]

    def brands_of(self, nodes: Iterable[Node]) -> dict[NodeKey, str | None]:
        """The brand of each brand-owned node: directly, via its product or item.

        A containment record has the brand of its child, or of its parent when it
        empties a container (a container has none, so only unscoped keys see it).
        """
        brands: dict[NodeKey, str | None] = {}
        items: dict[NodeKey, str] = {}
        for node in nodes:
            if node.label == "Brand":
                brands[key(node)] = node.id
            elif node.label in ("Product", "Authorization"):
                brands[key(node)] = _text(node, "brand")
            elif node.label == "Item":
                items[key(node)] = node.id
            elif node.label == "Scan" and (item := _text(node, "item")) is not None:
                items[key(node)] = item
            elif node.label == "Containment":
                # What went in, or the emptied container when nothing is named.
                item = _text(node, "child") or _text(node, "parent")
                if item is not None:
                    items[key(node)] = item

        item_brands = self._item_brands(set(items.values()))
        for node_key, item in items.items():
            brands[node_key] = item_brands.get(item)
        return brands

    def _item_brands(self, item_ids: set[str]) -> dict[str, str | None]:
        ordered = sorted(item_ids)
        item_nodes = self.store.nodes_by_key([("Item", i) for i in ordered])
        products = {
            n.id: p for n in item_nodes if n is not None and (p := _text(n, "product"))
        }
        wanted = sorted(set(products.values()))
        product_nodes = self.store.nodes_by_key([("Product", p) for p in wanted])
        product_brand = {n.id: _text(n, "brand") for n in product_nodes if n}
        return {i: product_brand.get(p) for i, p in products.items()}

    def search(self, text: str, first: int) -> list[Node]:
        """The first `first` visible matches of `store.search`, in its order.

        Matches of other brands are skipped, and more are read to take their place,
        up to `SEARCH_SCAN_MAX`: past that, a scoped key may get a short page for a
        text that many of other brands' items share.
        """
        asked = first
        while True:
            keys = self.store.search(text, asked)
            shown = [n for n in self.visible(self.store.nodes_by_key(keys)) if n]
            if len(shown) >= first or len(keys) < asked or asked >= SEARCH_SCAN_MAX:
                return shown[:first]
            asked = min(asked * 4, SEARCH_SCAN_MAX)

    def subgraph(
        self, start: NodeKey, nodes: Sequence[Node], edges: Sequence[Edge]
    ) -> tuple[list[Node], list[Edge]]:
        """The part of a neighbourhood reachable from `start` through visible nodes.

        Hiding nodes alone would still show, say, two parties joined through an item
        of another brand; walking only visible nodes does not.
        """
        if self.brands is None:
            return list(nodes), list(edges)
        shown = {key(n): n for n in self.visible(nodes) if n is not None}
        links: dict[NodeKey, list[NodeKey]] = {}
        for edge in edges:
            if edge.source in shown and edge.target in shown:
                links.setdefault(edge.source, []).append(edge.target)
                links.setdefault(edge.target, []).append(edge.source)

        reached = {start} if start in shown else set()
        queue = deque(reached)
        while queue:
            for neighbour in links.get(queue.popleft(), ()):
                if neighbour not in reached:
                    reached.add(neighbour)
                    queue.append(neighbour)
        kept = [shown[key(n)] for n in nodes if key(n) in reached]
        kept_edges = [e for e in edges if e.source in reached and e.target in reached]
        return kept, kept_edges


def key(node: Node) -> NodeKey:
    return (node.label, node.id)


def _text(node: Node, name: str) -> str | None:
    value = node.properties.get(name)
    return value if isinstance(value, str) else None


def _texts(node: Node, name: str) -> tuple[str, ...]:
    value = node.properties.get(name)
    return value if isinstance(value, tuple) else ()
