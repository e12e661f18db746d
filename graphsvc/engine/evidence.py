"""What the stores hand the investigation engine: plain, immutable facts.

The engine's rules run over these values only, so the embedded store and the Neo4j
store answer identically as long as they return the same evidence. Instants are
timezone-aware datetimes carrying the offset they were given with; compare them
directly (Python compares aware datetimes as UTC instants).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime


@dataclass(frozen=True, slots=True)
class PartyFacts:
    """A party as the rules see it; `role` is None for a party never described."""

    id: str
    role: str | None = None
    name: str | None = None
    country: str | None = None
    phone: str | None = None
    email: str | None = None
    tax_id: str | None = None
    address: str | None = None


@dataclass(frozen=True, slots=True)
class SiteFacts:
    """A site; `country` is None for a site never described."""

    id: str
    operator: str | None = None
    country: str | None = None
    lat: float | None = None
    lon: float | None = None
    name: str | None = None


@dataclass(frozen=True, slots=True)
class ShipmentFacts:
    """A shipment that carries the item under investigation."""

    id: str
    shipper: str
    consignee: str
    origin: str
    destination: str
    shipped_at: datetime
    delivered_at: datetime | None = None
    carrier: str | None = None


@dataclass(frozen=True, slots=True)
class ScanFacts:
    """A scan of the item; `party` is None when the scan only places the item."""

    id: str
    site: str
    at: datetime
    step: str
    party: str | None = None


@dataclass(frozen=True, slots=True)
class AuthorizationFacts:
    """One authorization record: `valid_until` None means open-ended.

    `territories` holds ISO country codes, or `("*",)` for every country. Dates are
    whole UTC days, inclusive at both ends.
    """

    id: str
    brand: str
    party: str
    valid_from: date
    valid_until: date | None = None
    territories: tuple[str, ...] = ("*",)


@dataclass(frozen=True, slots=True)
class ItemFacts:
    """The item record itself.

    `product` is None for an item that only a commissioning event describes, with
    no GTIN to name its product.
    """

    id: str
    product: str | None
    brand: str | None = None
    produced_at: str | None = None
    produced_on: datetime | None = None
    lot: str | None = None


@dataclass(frozen=True, slots=True)
class ContainmentFacts:
    """A span during which the item sat inside `container`, which moved meanwhile.

    `path` lists the containers from the item's direct parent out to `container`
    (a case, then its pallet); the span is the overlap of every level's span, from
    `start` until `until` (None: not taken out). `shipments` and `scans` are every
    shipment and scan of the container itself; the engine keeps those that fall
    within the span.
    """

    container: str
    path: tuple[str, ...]
    start: datetime
    until: datetime | None
    shipments: tuple[ShipmentFacts, ...] = ()
    scans: tuple[ScanFacts, ...] = ()


@dataclass(frozen=True, slots=True)
class ItemEvidence:
    """Everything the rules need to judge one item.

    `item` is None when shipments or scans reference an item id that no item record
    (or commissioning event) describes. `sites` and `parties` hold every site and
    party that `item`, `shipments` and `scans` mention; `authorizations` holds every
    authorization from the item's brand to any of those parties, including those
    of `containment`, the spans when the item moved inside a container.
    """

    item_id: str
    item: ItemFacts | None
    shipments: tuple[ShipmentFacts, ...] = ()
    scans: tuple[ScanFacts, ...] = ()
    sites: Mapping[str, SiteFacts] = field(default_factory=dict)
    parties: Mapping[str, PartyFacts] = field(default_factory=dict)
    authorizations: tuple[AuthorizationFacts, ...] = ()
    containment: tuple[ContainmentFacts, ...] = ()
