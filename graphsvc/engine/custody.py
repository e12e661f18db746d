"""The custody chain of an item and the findings that contradict it.

The chain follows docs/investigation.md: a production hop, then one hop per shipment in
dispatch order. Where the definitions are silent, these rules were chosen:

- Without `produced_on`, the production hop starts at the item's earliest recorded
  instant (first dispatch or first scan) and is marked unconfirmed; with no recorded
  instant at all there is nothing to anchor it and the chain starts with the first
  shipment.
- Without `produced_at` there is no production hop; the shipper of the first
  shipment is presumed to have held the item before dispatching it, so its own
  shipment and scans before it raise nothing.
- A hop ends when the next shipment leaves. If that shipment leaves before the
  previous one arrived, the hop ends where it starts (a hop cannot end before it
  begins); the overlap itself is a `CLONED_SERIAL` finding (see `cloning`).
- The holder when a shipment leaves is the party of the latest hop, even one whose
  delivery is still ahead; a holder that is unknown (a production site never
  described) contradicts nobody.
- Scans never open or close hops: they are evidence checked against the chain. A
  judged party holds the item at instant t when t lies within one of its hops (both
  ends included), or when it is the shipper, consignee or carrier of a shipment in
  transit at t. Scans by neutral parties, by the producer, or without a party never
  raise `BROKEN_CUSTODY`, and neither do scans while the holder is unknown.
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Iterator, Sequence
from datetime import datetime

from graphsvc.engine import wording
from graphsvc.engine.case import Case, Leg, Sighting
from graphsvc.engine.findings import Finding, FindingKind


class Stay:
    """One hop of the chain: who held the item, where, and from when until when.

    Instants are kept twice: as recorded, to show, and in UTC (`*_utc`), to compare.
    `leg` is the shipment that opened the hop, None for production.
    """

    __slots__ = (
        "confirmed",
        "leg",
        "party",
        "site",
        "start",
        "start_utc",
        "until",
        "until_utc",
    )

    def __init__(
        self,
        party: str | None,
        site: str,
        start: datetime,
        start_utc: datetime,
        leg: Leg | None,
        confirmed: bool,
    ) -> None:
        self.party = party
        self.site = site
        self.start = start
        self.start_utc = start_utc
        self.leg = leg
        self.confirmed = confirmed
        self.until: datetime | None = None
        self.until_utc: datetime | None = None

    def covers(self, at: datetime) -> bool:
        """Whether the UTC instant `at` falls within the hop, both ends included."""
        return self.start_utc <= at and (self.until_utc is None or at <= self.until_utc)


def chain(case: Case) -> list[Stay]:
    """Every hop, in chain order, each ended by the next shipment."""
    stays: list[Stay] = []
    production = _production(case)
    if production is not None:
        stays.append(production)

    for leg in case.legs:
        if stays:
            _close(stays[-1], leg)
        shipment = leg.facts
        stays.append(
            Stay(
                shipment.consignee,
                shipment.destination,
                shipment.delivered_at or shipment.shipped_at,
                leg.ends,
                leg,
                leg.arrived is not None,
            )
        )
    return stays


def _production(case: Case) -> Stay | None:
    item = case.item
    if item is None or item.produced_at is None:
        return None
    if item.produced_on is not None and case.produced is not None:
        return Stay(
            case.producer, item.produced_at, item.produced_on, case.produced, None, True
        )

    recorded = [(leg.shipped, leg.facts.shipped_at) for leg in case.legs[:1]]
    recorded += [(seen.at, seen.facts.at) for seen in case.sightings[:1]]
    if not recorded:
        return None
    utc, start = min(recorded, key=lambda pair: pair[0])
    return Stay(case.producer, item.produced_at, start, utc, None, False)


def _close(stay: Stay, leg: Leg) -> None:
    """End `stay` when `leg` leaves, but never before `stay` began."""
    if leg.shipped >= stay.start_utc:
        stay.until, stay.until_utc = leg.facts.shipped_at, leg.shipped
    else:
        stay.until, stay.until_utc = stay.start, stay.start_utc


def shipment_breaks(case: Case, stays: Sequence[Stay]) -> Iterator[Finding]:
    """`BROKEN_CUSTODY` for each shipment sent by someone other than the holder."""
    for previous, current in itertools.pairwise(stays):
        assert current.leg is not None  # only the first hop is production
        shipment = current.leg.facts
        holder = previous.party
        if holder is None or holder == shipment.shipper:
            continue

        text = (
            f"Shipment {shipment.id} was shipped by"
            f" {wording.party_label(case.party(shipment.shipper))} on"
            f" {wording.instant(shipment.shipped_at)}, but the custody chain has the"
            f" item with {wording.party_label(case.party(holder))} then, since"
            f" {_since(previous)}."
        )
        yield Finding(
            FindingKind.BROKEN_CUSTODY,
            case.item_id,
            shipment.shipper,
            shipment.shipped_at,
            shipment.id,
            text,
            (shipment.id,),
        )


def scan_breaks(case: Case, stays: Sequence[Stay]) -> Iterator[Finding]:
    """`BROKEN_CUSTODY` for each scan naming a judged party that lacks the item."""
    if not stays:
        return
    starts = [stay.start_utc for stay in stays]
    for seen in case.sightings:
        party = seen.facts.party
        if party is None or not case.judged(party):
            continue

        # Most scans are by the holder of the latest hop: settle those first.
        latest = bisect.bisect_right(starts, seen.at) - 1
        if (
            latest >= 0
            and stays[latest].party == party
            and stays[latest].covers(seen.at)
        ):
            continue
        if _holds(party, seen.at, stays):
            continue

        custody = _custody_at(case, seen.at, stays)
        if custody is not None:
            yield _scan_finding(case, seen, party, custody)


def _holds(party: str, at: datetime, stays: Sequence[Stay]) -> bool:
    first = stays[0].leg
    if first is not None and party == first.facts.shipper and at <= first.shipped:
        return True  # the presumed holder before the first recorded dispatch

    for stay in stays:
        if party == stay.party and stay.covers(at):
            return True
        leg = stay.leg
        if leg is None or party not in _movers(leg):
            continue
        arrival = leg.arrived or stay.until_utc
        if leg.shipped <= at and (arrival is None or at <= arrival):
            return True
    return False


def _movers(leg: Leg) -> tuple[str, str, str | None]:
    """Who handles a shipment in transit: shipper, consignee and carrier."""
    return leg.facts.shipper, leg.facts.consignee, leg.facts.carrier


def _custody_at(case: Case, at: datetime, stays: Sequence[Stay]) -> str | None:
    """Where the chain has the item at `at`, as a clause; None when nobody is known."""
    started = [stay for stay in stays if stay.start_utc <= at]
    if not started:
        return _before_chain(case, at, stays[0])

    stay = started[-1]
    if stay.until_utc is not None and at > stay.until_utc:
        following = stays[stays.index(stay) + 1].leg
        assert following is not None  # only the first hop is production
        return _in_transit(case, following)
    if stay.party is None:
        return None
    holder = wording.party_label(case.party(stay.party))
    return f"the custody chain has the item with {holder} then, since {_since(stay)}"


def _before_chain(case: Case, at: datetime, first: Stay) -> str:
    if first.leg is None:
        return f"the item was only produced on {wording.instant(first.start)}"
    if at > first.leg.shipped:
        return _in_transit(case, first.leg)
    shipment = first.leg.facts
    shipper = wording.party_label(case.party(shipment.shipper))
    return (
        f"the item was with {shipper} then, until shipment {shipment.id} left on"
        f" {wording.instant(shipment.shipped_at)}"
    )


def _in_transit(case: Case, leg: Leg) -> str:
    return (
        f"the item was in transit on shipment {leg.facts.id} from"
        f" {wording.party_label(case.party(leg.facts.shipper))} to"
        f" {wording.party_label(case.party(leg.facts.consignee))} then"
    )


def _since(stay: Stay) -> str:
    when = wording.instant(stay.start)
    if stay.leg is None:
        return f"production on {when}"
    if stay.confirmed:
        return f"shipment {stay.leg.facts.id} arrived on {when}"
    return f"shipment {stay.leg.facts.id} left on {when} (delivery not confirmed)"


def _scan_finding(case: Case, seen: Sighting, party: str, custody: str) -> Finding:
    scan = seen.facts
    text = (
        f"Scan {scan.id} ({scan.step}) at {wording.site_label(case.site(scan.site))}"
        f" on {wording.instant(scan.at)} names"
        f" {wording.party_label(case.party(party))}, but {custody}."
    )
    return Finding(
        FindingKind.BROKEN_CUSTODY,
        case.item_id,
        party,
        scan.at,
        None,
        text,
        (scan.id,),
    )
