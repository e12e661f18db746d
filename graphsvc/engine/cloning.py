"""Signs that two physical items share one serial: `CLONED_SERIAL`.

Three rules, each over observations of the item. Where the definitions are silent,
these rules were chosen:

- In flight: a shipment's interval is [shipped_at, delivered_at]; an undelivered
  shipment counts as the single instant of its dispatch (treating it as open-ended
  would flag every later shipment). Intervals that only touch (one arrives the
  instant the next leaves) do not overlap; two shipments leaving at the same instant
  do. A later shipment that leaves while any earlier one is still travelling raises
  one finding, naming the earlier shipment that arrives last.
- Speed: placements are observations of where the item was: production
  (`produced_on` at `produced_at`), each dispatch (`shipped_at` at `origin`), each
  confirmed delivery (`delivered_at` at `destination`) and each scan. The start of an
  unconfirmed hop is not an observation of place and is left out. Placements at
  sites without coordinates are skipped, so each pair checked is consecutive among
  the located ones (the speed then is a lower bound, which is all the rule needs).
  Ties in time are ordered production, dispatch, delivery, scan, then by id.
  Distances are great-circle (haversine, mean Earth radius). Two sites at distance
  zero are the same place at any speed; a positive distance in zero time is
  infinite speed and raises the finding.
- Produced twice: the production sites are `produced_at` and the site of every scan
  with step `produced`. Each such scan at a site other than the first production
  site (`produced_at`, else the earliest `produced` scan) raises one finding.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator
from datetime import datetime
from typing import Final, NamedTuple

from graphsvc.engine import wording
from graphsvc.engine.case import Case, Leg
from graphsvc.engine.evidence import ScanFacts, ShipmentFacts
from graphsvc.engine.findings import Finding, FindingKind

MAX_SPEED_KMH: Final = 1000.0
EARTH_RADIUS_KM: Final = 6371.0088
_NEVER_TOO_FAST_S: Final = math.pi * EARTH_RADIUS_KM / MAX_SPEED_KMH * 3600
"""No two places are further apart than half the Earth's circumference, so
placements at least this many seconds apart never exceed the speed limit."""

_PRODUCTION, _DISPATCH, _DELIVERY, _SCAN = range(4)
_WHAT: Final = ("production", "dispatch of shipment", "delivery of shipment", "scan")
_REF: Final = ("production", "dispatch", "delivery", "scan")

_Placement = tuple[datetime, int, str, str, datetime]
"""(UTC instant, kind of observation, id of the shipment or scan, site id, instant
as recorded). A plain tuple: an item has a dozen of these and they are sorted."""


def shipments_in_flight(case: Case) -> Iterator[Finding]:
    """One finding per shipment that leaves while an earlier one still travels."""
    travelling: Leg | None = None  # the shipment that arrives last so far
    previous: Leg | None = None  # the shipment just before, in dispatch order
    for leg in case.legs:
        earlier = _overlapped(leg, travelling, previous)
        if earlier is not None:
            yield _in_flight_finding(case, earlier.facts, leg.facts)

        if travelling is None or leg.ends > travelling.ends:
            travelling = leg
        previous = leg


def _overlapped(leg: Leg, travelling: Leg | None, previous: Leg | None) -> Leg | None:
    """The earlier shipment that arrives last among those `leg` overlaps, if any."""
    if travelling is None or previous is None:
        return None
    if leg.shipped < travelling.ends or leg.shipped == travelling.shipped:
        return travelling
    # Every earlier shipment has arrived when `leg` leaves, but one that left at
    # that same instant without arriving later (undelivered, say) still overlaps
    # it; shipments sharing a dispatch instant sort together, by arrival.
    if leg.shipped == previous.shipped:
        return previous
    return None


def _in_flight_finding(
    case: Case, earlier: ShipmentFacts, later: ShipmentFacts
) -> Finding:
    text = (
        f"Shipments {earlier.id} ({_interval(earlier)}) and {later.id}"
        f" ({_interval(later)}) carry the item at the same time, so two physical"
        " items share this serial."
    )
    return Finding(
        FindingKind.CLONED_SERIAL,
        case.item_id,
        later.shipper,
        later.shipped_at,
        later.id,
        text,
        (earlier.id, later.id),
    )


def _interval(shipment: ShipmentFacts) -> str:
    shipped = f"shipped {wording.instant(shipment.shipped_at)}"
    if shipment.delivered_at is None:
        return f"{shipped}, delivery not confirmed"
    return f"{shipped}, delivered {wording.instant(shipment.delivered_at)}"


def impossible_journeys(case: Case) -> Iterator[Finding]:
    """One finding per consecutive pair of placements faster than `MAX_SPEED_KMH`."""
    coordinates: dict[str, tuple[float, float] | None] = {}
    located = _located_placements(case, coordinates)

    for before, after in itertools.pairwise(located):
        if before[3] == after[3]:
            continue
        seconds = (after[0] - before[0]).total_seconds()
        if seconds >= _NEVER_TOO_FAST_S:
            continue
        here, there = coordinates[before[3]], coordinates[after[3]]
        assert here is not None  # only located placements are kept
        assert there is not None
        km = _distance_km(here, there)
        if km == 0.0 or (seconds > 0 and km / seconds * 3600 <= MAX_SPEED_KMH):
            continue
        yield _journey_finding(case, before, after, km, seconds)


def _located_placements(
    case: Case, coordinates: dict[str, tuple[float, float] | None]
) -> list[_Placement]:
    """Every placement at a site with coordinates, in time order.

    `coordinates` is filled with each site's (lat, lon) in radians, or None.
    """
    placements: list[_Placement] = []
    item = case.item
    if item is not None and item.produced_at and item.produced_on and case.produced:
        placements.append(
            (case.produced, _PRODUCTION, "", item.produced_at, item.produced_on)
        )
    for leg in case.legs:
        shipment = leg.facts
        placements.append(
            (leg.shipped, _DISPATCH, leg.id, shipment.origin, shipment.shipped_at)
        )
        if leg.arrived is not None and shipment.delivered_at is not None:
            placements.append(
                (
                    leg.arrived,
                    _DELIVERY,
                    leg.id,
                    shipment.destination,
                    shipment.delivered_at,
                )
            )
    placements.extend(
        (seen.at, _SCAN, seen.id, seen.facts.site, seen.facts.at)
        for seen in case.sightings
    )

    for placement in placements:
        site = placement[3]
        if site not in coordinates:
            coordinates[site] = _radians(case, site)
    located = [p for p in placements if coordinates[p[3]] is not None]
    located.sort()
    return located


def _radians(case: Case, site: str) -> tuple[float, float] | None:
    facts = case.evidence.sites.get(site)
    if facts is None or facts.lat is None or facts.lon is None:
        return None
    return math.radians(facts.lat), math.radians(facts.lon)


def _distance_km(here: tuple[float, float], there: tuple[float, float]) -> float:
    """Great-circle distance between two (lat, lon) points in radians (haversine)."""
    (lat1, lon1), (lat2, lon2) = here, there
    half_dlat = math.sin((lat2 - lat1) / 2)
    half_dlon = math.sin((lon2 - lon1) / 2)
    h = half_dlat * half_dlat + math.cos(lat1) * math.cos(lat2) * half_dlon * half_dlon
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def _journey_finding(
    case: Case, before: _Placement, after: _Placement, km: float, seconds: float
) -> Finding:
    if seconds > 0:
        speed = f"{km:,.0f} km in {_duration(seconds)}, {km / seconds * 3600:,.0f} km/h"
    else:
        speed = f"{km:,.0f} km apart at the same instant"
    text = (
        f"The item was at {_where(case, before)} and at {_where(case, after)}:"
        f" {speed}, faster than {MAX_SPEED_KMH:,.0f} km/h, so two physical items"
        " share this serial."
    )
    party, shipment = _actor(case, after)
    return Finding(
        FindingKind.CLONED_SERIAL,
        case.item_id,
        party,
        after[4],
        shipment,
        text,
        (_ref(before), _ref(after)),
    )


def _where(case: Case, placement: _Placement) -> str:
    _, kind, ref, site, recorded = placement
    what = f"{_WHAT[kind]} {ref}" if ref else _WHAT[kind]
    return (
        f"{wording.site_label(case.site(site))} on {wording.instant(recorded)} ({what})"
    )


def _ref(placement: _Placement) -> str:
    return f"{_REF[placement[1]]}:{placement[2]}"


def _duration(seconds: float) -> str:
    if seconds < 7200:
        return f"{seconds / 60:.0f} minutes"
    return f"{seconds / 3600:.1f} hours"


def _actor(case: Case, placement: _Placement) -> tuple[str | None, str | None]:
    """The party seen at a placement, and its shipment if it came from one."""
    kind, ref = placement[1], placement[2]
    if kind == _PRODUCTION:
        return case.producer, None
    if kind == _SCAN:
        scan = next(seen.facts for seen in case.sightings if seen.facts.id == ref)
        return scan.party, None
    shipment = next(leg.facts for leg in case.legs if leg.facts.id == ref)
    party = shipment.shipper if kind == _DISPATCH else shipment.consignee
    return party, shipment.id


class _Origin(NamedTuple):
    """The first production: where, when, and which record says so."""

    site: str
    at: datetime | None
    what: str
    ref: str


def produced_twice(case: Case) -> Iterator[Finding]:
    """One finding per `produced` scan at a site other than the first production."""
    produced = [seen.facts for seen in case.sightings if seen.facts.step == "produced"]
    if not produced:
        return

    item = case.item
    if item is not None and item.produced_at is not None:
        origin = _Origin(item.produced_at, item.produced_on, "item record", "item")
    else:
        scan = produced[0]
        origin = _Origin(scan.site, scan.at, f"scan {scan.id}", scan.id)

    for scan in produced:
        if scan.site != origin.site:
            yield _produced_finding(case, origin, scan)


def _produced_finding(case: Case, origin: _Origin, scan: ScanFacts) -> Finding:
    when = f" on {wording.instant(origin.at)}" if origin.at is not None else ""
    text = (
        f"The item was produced at {wording.site_label(case.site(origin.site))}{when}"
        f" according to the {origin.what}, and again at"
        f" {wording.site_label(case.site(scan.site))} on {wording.instant(scan.at)}"
        f" according to scan {scan.id}, so two physical items share this serial."
    )
    party = scan.party or case.site(scan.site).operator
    return Finding(
        FindingKind.CLONED_SERIAL,
        case.item_id,
        party,
        scan.at,
        None,
        text,
        (origin.ref, scan.id),
    )
