"""Unauthorized distributor clusters: members linked by trade or shared identifiers.

The caller selects the members (parties with an authorization finding, for one brand
when asked) and fetches every shipment with at least one end among them, as `Trade`
values; this module only links and groups. Where the definitions are silent, these
rules were chosen:

- A `Trade` carries the brands of the items it carried, so the brands affected by a
  cluster are those of every trade touching a member; no separate item-to-brand map
  is needed. With a brand filter the members are chosen for that brand, but the
  brands reported are all that passed through them.
- Shipment links keep their direction: one link per (shipper, consignee) pair of
  members, its evidence the shipment ids (sorted; past ten, the rest is counted).
  A member shipping to itself links nothing.
- A value shared by k members gives k - 1 links, from the member with the smallest id
  to each other one: the same components as linking every pair, without the k^2.
- Address folding replaces every character that is neither a letter, a digit nor a
  space with a space, then collapses runs of spaces: `Hafenstr. 12,Hamburg` and
  `hafenstr 12 hamburg` match. Values that fold to nothing are ignored.
- Items passed through a cluster are the items of every trade with an end among its
  members. Entry points are the outside shippers of those trades, exits the outside
  consignees.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Final

import networkx as nx

from graphsvc.engine.evidence import PartyFacts
from graphsvc.errors import InvalidArgument

MIN_PHONE_DIGITS: Final = 7
SHIPMENTS_LISTED: Final = 10

_NOT_DIGIT: Final = re.compile(r"\D")
_SPACE: Final = re.compile(r"\s")
_NOT_WORD: Final = re.compile(r"[\W_]")


@dataclass(frozen=True, slots=True)
class Trade:
    """A shipment with at least one end among the members, and what it carried."""

    shipment: str
    shipper: str
    consignee: str
    items: tuple[str, ...]
    brands: tuple[str, ...] = ()
    item_brands: tuple[tuple[str, str], ...] = ()
    """`(item, brand)` for each item whose brand is known."""


@dataclass(frozen=True, slots=True)
class ClusterLink:
    """Why two members belong together.

    `kind` is `shipment`, `phone`, `email`, `tax_id` or `address`; `evidence` is the
    shipment ids or the shared value, normalised.
    """

    source: str
    target: str
    kind: str
    evidence: str


@dataclass(frozen=True, slots=True)
class DistributorCluster:
    """A connected group of unauthorized holders and how goods enter and leave it."""

    id: str
    members: tuple[str, ...]
    links: tuple[ClusterLink, ...]
    item_count: int
    brands: tuple[str, ...]
    entry_points: tuple[str, ...]
    exits: tuple[str, ...]
    brand_items: tuple[tuple[str, int], ...] = ()
    """`(brand, items)`: how many of the items are of each brand, by brand."""

    def items_of(self, allowed: Callable[[str], bool]) -> int:
        """How many of the items are of a brand that `allowed` accepts."""
        return sum(n for brand, n in self.brand_items if allowed(brand))


def normalise_phone(value: str | None) -> str | None:
    """Digits only; None below `MIN_PHONE_DIGITS` digits."""
    digits = _NOT_DIGIT.sub("", value or "")
    return digits if len(digits) >= MIN_PHONE_DIGITS else None


def normalise_email(value: str | None) -> str | None:
    """Trimmed and lower case."""
    return (value or "").strip().lower() or None


def normalise_tax_id(value: str | None) -> str | None:
    """Upper case without spaces."""
    return _SPACE.sub("", value or "").upper() or None


def normalise_address(value: str | None) -> str | None:
    """Lower case, punctuation and runs of spaces folded to single spaces."""
    return " ".join(_NOT_WORD.sub(" ", (value or "").lower()).split()) or None


_IDENTIFIERS: Final[tuple[tuple[str, Callable[[PartyFacts], str | None]], ...]] = (
    ("phone", lambda p: normalise_phone(p.phone)),
    ("email", lambda p: normalise_email(p.email)),
    ("tax_id", lambda p: normalise_tax_id(p.tax_id)),
    ("address", lambda p: normalise_address(p.address)),
)


def find_clusters(
    members: Mapping[str, PartyFacts], trades: Iterable[Trade], min_size: int = 2
) -> list[DistributorCluster]:
    """Group `members` into clusters of at least `min_size`, largest trade first.

    Example: two members that share the phone `+49 40 5550 1234` (and one of them
    received from an authorized wholesaler) form one cluster with a `phone` link whose
    evidence is `494055501234`, and the wholesaler as its entry point.
    """
    if min_size < 1:
        raise InvalidArgument("min_size", f"must be at least 1, got {min_size}")

    relevant = [t for t in trades if t.shipper in members or t.consignee in members]
    links = _shipment_links(members, relevant) + _identifier_links(members)
    graph: nx.Graph[str] = nx.Graph()
    graph.add_nodes_from(members)
    graph.add_edges_from((link.source, link.target) for link in links)
    groups = [
        tuple(sorted(component))
        for component in nx.connected_components(graph)
        if len(component) >= min_size
    ]

    clusters = [_Accumulator(group) for group in groups]
    cluster_of = {member: acc for acc in clusters for member in acc.members}
    for link in links:
        if link.source in cluster_of:
            cluster_of[link.source].links.append(link)
    for trade in relevant:
        _account(trade, cluster_of)

    answers = [acc.answer() for acc in clusters]
    answers.sort(key=lambda cluster: (-cluster.item_count, cluster.id))
    return answers


def cluster_id(members: Iterable[str]) -> str:
    """Stable id of a cluster: a hash of its sorted member ids."""
    key = "\n".join(sorted(members))
    return "DC-" + hashlib.sha256(key.encode()).hexdigest()[:16]


def _shipment_links(
    members: Mapping[str, PartyFacts], trades: Iterable[Trade]
) -> list[ClusterLink]:
    shipments: dict[tuple[str, str], set[str]] = defaultdict(set)
    for trade in trades:
        ends = trade.shipper, trade.consignee
        if trade.shipper != trade.consignee and all(end in members for end in ends):
            shipments[ends].add(trade.shipment)
    return [
        ClusterLink(shipper, consignee, "shipment", _listed(ids))
        for (shipper, consignee), ids in sorted(shipments.items())
    ]


def _listed(ids: Iterable[str]) -> str:
    ordered = sorted(ids)
    shown = ", ".join(ordered[:SHIPMENTS_LISTED])
    hidden = len(ordered) - SHIPMENTS_LISTED
    return f"{shown} and {hidden} more" if hidden > 0 else shown


def _identifier_links(members: Mapping[str, PartyFacts]) -> list[ClusterLink]:
    links: list[ClusterLink] = []
    for kind, normalise in _IDENTIFIERS:
        buckets: dict[str, list[str]] = defaultdict(list)
        for member in sorted(members):
            value = normalise(members[member])
            if value is not None:
                buckets[value].append(member)

        for value, sharing in sorted(buckets.items()):
            anchor = sharing[0]
            links.extend(ClusterLink(anchor, o, kind, value) for o in sharing[1:])
    return links


class _Accumulator:
    """What one cluster collects while trades are read."""

    def __init__(self, members: tuple[str, ...]) -> None:
        self.members = members
        self.links: list[ClusterLink] = []
        self.items: set[str] = set()
        self.item_brands: dict[str, str] = {}
        self.brands: set[str] = set()
        self.entry_points: set[str] = set()
        self.exits: set[str] = set()

    def answer(self) -> DistributorCluster:
        return DistributorCluster(
            id=cluster_id(self.members),
            members=self.members,
            links=tuple(sorted(self.links, key=_link_order)),
            item_count=len(self.items),
            brands=tuple(sorted(self.brands)),
            entry_points=tuple(sorted(self.entry_points)),
            exits=tuple(sorted(self.exits)),
            brand_items=tuple(sorted(Counter(self.item_brands.values()).items())),
        )


def _link_order(link: ClusterLink) -> tuple[str, str, str, str]:
    return link.source, link.target, link.kind, link.evidence


def _account(trade: Trade, cluster_of: Mapping[str, _Accumulator]) -> None:
    """Credit a trade's items and brands to the clusters at its ends."""
    source = cluster_of.get(trade.shipper)
    target = cluster_of.get(trade.consignee)
    for cluster in (source, target):
        if cluster is not None:  # both ends in one cluster: sets absorb the repeat
            cluster.items.update(trade.items)
            cluster.item_brands.update(trade.item_brands)
            cluster.brands.update(trade.brands)
    if target is not None and source is not target:
        target.entry_points.add(trade.shipper)
    if source is not None and source is not target:
        source.exits.add(trade.consignee)
