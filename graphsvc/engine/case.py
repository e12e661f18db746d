"""One item's evidence, put in a canonical order once for every rule.

Stores may return shipments and scans in any order, and two stores must still give
identical answers, so every rule reads them through a `Case`: shipments ordered by
`shipped_at`, then arrival (an undelivered one arriving at dispatch), then id; scans
by `at`, then id. Ties are broken by id so that the order never depends on the store.

Rules compare instants converted to UTC once, here, and show the originals. Aware
datetimes whose tzinfo objects differ (as parsed feeds give them) compare about
twenty times slower than ones sharing `UTC`, and comparing is most of what the rules
do.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import NamedTuple

from graphsvc.engine.evidence import (
    AuthorizationFacts,
    ItemEvidence,
    PartyFacts,
    ScanFacts,
    ShipmentFacts,
    SiteFacts,
)
from graphsvc.model import NEUTRAL_ROLES


class Leg(NamedTuple):
    """A shipment with its instants in UTC; `facts` keeps them as recorded.

    Legs sort in chain order by their own fields: dispatch, then arrival (an
    undelivered shipment arriving at dispatch), then id.
    """

    shipped: datetime
    ends: datetime
    id: str
    arrived: datetime | None
    facts: ShipmentFacts


class Sighting(NamedTuple):
    """A scan with its instant in UTC; sightings sort by instant, then id."""

    at: datetime
    id: str
    facts: ScanFacts


def _leg(shipment: ShipmentFacts) -> Leg:
    shipped = shipment.shipped_at.astimezone(UTC)
    if shipment.delivered_at is None:
        return Leg(shipped, shipped, shipment.id, None, shipment)
    arrived = shipment.delivered_at.astimezone(UTC)
    return Leg(shipped, arrived, shipment.id, arrived, shipment)


def _sighting(scan: ScanFacts) -> Sighting:
    return Sighting(scan.at.astimezone(UTC), scan.id, scan)


class Case:
    """An item's evidence with the lookups every rule needs."""

    __slots__ = (
        "_auths",
        "brand",
        "evidence",
        "item",
        "item_id",
        "legs",
        "produced",
        "producer",
        "sightings",
    )

    def __init__(self, evidence: ItemEvidence) -> None:
        item = evidence.item
        self.evidence = evidence
        self.item_id = evidence.item_id
        self.item = item
        self.brand = item.brand if item is not None else None
        self.producer = _producer(evidence)
        produced_on = item.produced_on if item is not None else None
        self.produced = produced_on.astimezone(UTC) if produced_on else None
        self.legs = sorted(map(_leg, evidence.shipments))
        self.sightings = sorted(map(_sighting, evidence.scans))
        self._auths: dict[str, list[AuthorizationFacts]] | None = None

    def party(self, party: str) -> PartyFacts:
        """The facts about `party`, or a bare record for one never described."""
        return self.evidence.parties.get(party) or PartyFacts(party)

    def site(self, site: str) -> SiteFacts:
        """The facts about `site`, or a bare record for one never described."""
        return self.evidence.sites.get(site) or SiteFacts(site)

    def judged(self, party: str | None) -> bool:
        """Whether receipts and scans by `party` are held against authorizations."""
        if party is None or party == self.producer:
            return False
        facts = self.evidence.parties.get(party)
        return facts is None or facts.role not in NEUTRAL_ROLES

    def authorizations(self, party: str) -> list[AuthorizationFacts]:
        """`party`'s authorizations from the item's brand."""
        if self._auths is None:
            self._auths = {}
            for auth in self.evidence.authorizations:
                if auth.brand == self.brand:
                    self._auths.setdefault(auth.party, []).append(auth)
        return self._auths.get(party, [])


def _producer(evidence: ItemEvidence) -> str | None:
    """The operator of the item's `produced_at` site, when both are known."""
    item = evidence.item
    if item is None or item.produced_at is None:
        return None
    site = evidence.sites.get(item.produced_at)
    return site.operator if site is not None else None
