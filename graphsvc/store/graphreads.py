"""Evidence and subgraphs built from node properties, for the embedded store.

The store hands these functions the properties it holds (in memory or in SQLite) and
a way to look up more; they build the engine's evidence and walk neighbourhoods the
same way whatever holds the nodes.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime

from graphsvc.engine.clusters import Trade
from graphsvc.engine.containment import is_logistic_unit
from graphsvc.engine.evidence import (
    AuthorizationFacts,
    ContainmentFacts,
    ItemEvidence,
    ItemFacts,
    PartyFacts,
    ScanFacts,
    ShipmentFacts,
    SiteFacts,
)
from graphsvc.model import AUTHORIZATION, ITEM, SCAN, SHIPMENT
from graphsvc.store.base import Edge, NodeKey, Subgraph
from graphsvc.store.containment import Span, delivery_retracted, retracted

Props = Mapping[str, object]
Lookup = Callable[[NodeKey], Props | None]
"""Properties of a node held in memory (None when there is no such node)."""
Grants = Mapping[str, set[str]]
"""Authorization ids by the id of the party they authorize."""


Movements = tuple[Sequence[tuple[str, Props]], Sequence[tuple[str, Props]]]
"""The shipments and the scans of one item or container: each one's id and props."""


class Facts:
    """The parties, sites and authorizations of one batch of items, each built once.

    The items of a batch share most of these (a distributor receives thousands of
    them), so building their facts once per batch rather than once per item is most
    of what assembling evidence costs.
    """

    __slots__ = ("_authorizations", "_grants", "_lookup", "_parties", "_sites")

    def __init__(self, lookup: Lookup, grants: Grants) -> None:
        self._lookup = lookup
        self._grants = grants
        self._parties: dict[str, PartyFacts] = {}
        self._sites: dict[str, SiteFacts] = {}
        self._authorizations: dict[tuple[str, str], list[AuthorizationFacts]] = {}

    def lookup(self, key: NodeKey) -> Props | None:
        return self._lookup(key)

    def party(self, party_id: str) -> PartyFacts:
        found = self._parties.get(party_id)
        if found is None:
            found = self._parties[party_id] = party_facts(self._lookup, party_id)
        return found

    def site(self, site_id: str) -> SiteFacts:
        found = self._sites.get(site_id)
        if found is None:
            found = self._sites[site_id] = _site_facts(self._lookup, site_id)
        return found

    def authorizations(self, brand: str, party: str) -> list[AuthorizationFacts]:
        """`party`'s described authorizations from `brand`."""
        found = self._authorizations.get((brand, party))
        if found is None:
            found = self._authorizations[brand, party] = []
            for auth_id in self._grants.get(party, ()):
                props = self._lookup(("Authorization", auth_id)) or {}
                if props.get("brand") == brand and AUTHORIZATION.is_described(props):
                    found.append(_authorization_facts(auth_id, props))
        return found


def item_evidence(
    item_id: str,
    props: Props,
    shipments: Sequence[tuple[str, Props]],
    scans: Sequence[tuple[str, Props]],
    facts: Facts,
    containment: Sequence[tuple[Span, Movements]] = (),
) -> ItemEvidence:
    """The engine's evidence for one item from its node and its neighbours' nodes.

    `containment` pairs each span of the item inside a container with the
    container's own shipments and scans. Retracted shipments and scans are left out.
    """
    lookup = facts.lookup
    known = ITEM.is_described(props) or _commissioned(props)
    item = _item_facts(lookup, item_id, props) if known else None
    shipment_facts = _shipments(shipments)
    scan_facts = _scans(scans)
    spans = tuple(
        ContainmentFacts(
            span.container,
            span.path,
            span.start,
            span.until,
            tuple(_shipments(moved[0])),
            tuple(_scans(moved[1])),
        )
        for span, moved in containment
    )
    moved_shipments = [s for span in spans for s in span.shipments]
    moved_scans = [s for span in spans for s in span.scans]

    site_ids = {
        s
        for sh in (*shipment_facts, *moved_shipments)
        for s in (sh.origin, sh.destination)
    }
    site_ids.update(sc.site for sc in (*scan_facts, *moved_scans))
    if item is not None and item.produced_at is not None:
        site_ids.add(item.produced_at)
    sites = {s: facts.site(s) for s in sorted(site_ids)}
    party_ids = {
        p
        for sh in (*shipment_facts, *moved_shipments)
        for p in (sh.shipper, sh.consignee, sh.carrier)
    }
    party_ids.update(sc.party for sc in (*scan_facts, *moved_scans))
    party_ids.update(site.operator for site in sites.values())
    named = sorted(p for p in party_ids if p is not None)
    parties = {p: facts.party(p) for p in named}
    brand = item.brand if item is not None else None

    return ItemEvidence(
        item_id,
        item,
        tuple(shipment_facts),
        tuple(scan_facts),
        sites,
        parties,
        _authorizations(facts, brand, parties) if brand is not None else (),
        spans,
    )


def _shipments(shipments: Sequence[tuple[str, Props]]) -> list[ShipmentFacts]:
    """Described, unretracted shipments, in dispatch order."""
    return sorted(
        (
            _shipment_facts(i, p)
            for i, p in shipments
            if SHIPMENT.is_described(p) and not retracted(p)
        ),
        key=lambda s: (s.shipped_at, s.id),
    )


def _scans(scans: Sequence[tuple[str, Props]]) -> list[ScanFacts]:
    """Described, unretracted scans, in time order."""
    return sorted(
        (
            _scan_facts(i, p)
            for i, p in scans
            if SCAN.is_described(p) and not retracted(p)
        ),
        key=lambda s: (s.at, s.id),
    )


def _commissioned(props: Props) -> bool:
    """Whether a commissioning event wrote the item.

    That describes it even without a product: an asset's GIAI names none.
    """
    return "event" in props


def _item_facts(lookup: Lookup, item_id: str, props: Props) -> ItemFacts:
    """The item; a retracted commissioning event leaves it without its production."""
    product = _opt_str(props.get("product"))
    record = lookup(("Product", product)) if product is not None else None
    brand = (record or {}).get("brand")
    produced = not retracted(props)
    return ItemFacts(
        item_id,
        product,
        brand if isinstance(brand, str) else None,
        _opt_str(props.get("produced_at")) if produced else None,
        _opt_time(props.get("produced_on")) if produced else None,
        _opt_str(props.get("lot")),
    )


def _shipment_facts(shipment_id: str, props: Props) -> ShipmentFacts:
    """The shipment; a retracted receiving leaves its delivery unconfirmed."""
    shipped_at = props["shipped_at"]
    assert isinstance(shipped_at, datetime)
    delivered = not delivery_retracted(props)
    return ShipmentFacts(
        shipment_id,
        str(props["shipper"]),
        str(props["consignee"]),
        str(props["origin"]),
        str(props["destination"]),
        shipped_at,
        _opt_time(props.get("delivered_at")) if delivered else None,
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


def _site_facts(lookup: Lookup, site_id: str) -> SiteFacts:
    props = lookup(("Site", site_id)) or {}
    return SiteFacts(
        site_id,
        _opt_str(props.get("operator")),
        _opt_str(props.get("country")),
        _opt_float(props.get("lat")),
        _opt_float(props.get("lon")),
        _opt_str(props.get("name")),
    )


def party_facts(lookup: Lookup, party_id: str) -> PartyFacts:
    """A party's facts; only its id when it was never described."""
    props = lookup(("Party", party_id)) or {}
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
    facts: Facts, brand: str, parties: Mapping[str, PartyFacts]
) -> tuple[AuthorizationFacts, ...]:
    found = [a for party in parties for a in facts.authorizations(brand, party)]
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


def is_trade(props: Props) -> bool:
    """Whether a shipment counts as trade: described, and its event not retracted."""
    return SHIPMENT.is_described(props) and not retracted(props)


def listed_items(props: Props) -> tuple[str, ...]:
    """The ids a shipment names as carried: items, and containers such as pallets."""
    items = props.get("items", ())
    assert isinstance(items, tuple)
    return items


def carried(
    traded: Sequence[tuple[str, Props]], inside: Mapping[str, Sequence[Span]]
) -> dict[str, tuple[str, ...]]:
    """The items each shipment carried, containers replaced by what they held.

    `inside` holds the containment spans of every item that was ever in one of the
    listed containers. An item counts when it sat inside a listed container as the
    shipment left, by the rule custody follows (`graphsvc.engine.containment`); a
    logistic unit (an SSCC) is a container, not an item, so it counts only through
    what it held.
    """
    held: dict[str, list[tuple[str, Span]]] = {}
    for item, spans in inside.items():
        for span in spans:
            held.setdefault(span.container, []).append((item, span))

    found: dict[str, tuple[str, ...]] = {}
    for shipment_id, props in traded:
        listed = listed_items(props)
        left = props["shipped_at"]
        assert isinstance(left, datetime)
        contents = {
            item
            for container in listed
            for item, span in held.get(container, ())
            if span.start <= left and (span.until is None or left < span.until)
        }
        own = (i for i in listed if not is_logistic_unit(i))
        found[shipment_id] = tuple(dict.fromkeys([*own, *sorted(contents)]))
    return found


def trade(
    shipment_id: str,
    props: Props,
    items: tuple[str, ...],
    brands: Mapping[str, str | None],
) -> Trade:
    """A shipment as the cluster rules see it: the `items` it carried, their brands."""
    branded = tuple((i, b) for i in items if (b := brands.get(i)) is not None)
    return Trade(
        shipment_id,
        str(props["shipper"]),
        str(props["consignee"]),
        items,
        tuple(sorted({b for _, b in branded})),
        branded,
    )


Neighbours = Callable[[NodeKey, int], list[NodeKey]]
"""At most n neighbours of a node (either direction), in key order."""
EdgesAmong = Callable[[Sequence[NodeKey]], list[Edge]]
"""The relationships between the given nodes."""


def neighborhood(
    start: NodeKey,
    depth: int,
    limit: int,
    neighbours: Neighbours,
    edges_among: EdgesAmong,
) -> Subgraph:
    """Nodes within `depth` hops of `start` (either direction), at most `limit`.

    Breadth first, neighbours in key order, so the same graph gives the same answer;
    `truncated` tells that the limit left some out.
    """
    seen = {start}
    order = [start]
    frontier = deque([(start, 0)])
    truncated = False
    while frontier and not truncated:
        key, distance = frontier.popleft()
        if distance == depth:
            continue
        room = limit - len(order)
        for neighbour in neighbours(key, room + len(seen) + 1):
            if neighbour in seen:
                continue
            if len(order) >= limit:
                truncated = True
                break
            seen.add(neighbour)
            order.append(neighbour)
            frontier.append((neighbour, distance + 1))

    edges = sorted(edges_among(order), key=lambda e: (e.type, e.source, e.target))
    return Subgraph(order, edges, truncated)


def _opt_str(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _opt_float(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) else None


def _opt_time(value: object) -> datetime | None:
    return value if isinstance(value, datetime) else None
