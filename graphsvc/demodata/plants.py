"""Planted cases and distributor rings, planned before the feed is written.

Planning creates the parties, sites and authorizations each plant needs (they are
master data, written first) and returns jobs that write the plant's events later,
interleaved with the lawful traffic. The rules each plant follows, and the findings
it implies, are listed in the documentation of `graphsvc.generate`.

Every plant starts from a clean prefix: a small lot produced 80 days before the
plant's anchor instant, shipped to an authorized exporter and on to an authorized
importer in the plant's market, which scans it in. The prefix takes at most about 56
days, and the plant's own shipment travels at most 22 days, so both fit.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Final

from graphsvc.demodata.baseline import forward
from graphsvc.demodata.chains import (
    BROKEN_CUSTODY,
    CLONED_SERIAL,
    HOUR,
    UNKNOWN_ITEM,
    Chain,
    Context,
    business_time,
    stamp,
    transit,
)
from graphsvc.demodata.places import BY_CODE, COUNTRIES, NEIGHBOURS, distance_km
from graphsvc.demodata.world import (
    DAY,
    TIMELINE_END,
    TIMELINE_START,
    Brand,
    Party,
    Site,
    World,
    day_of,
    ts_of,
)

MINUTE: Final = 60
PREFIX_DAYS: Final = 80
FAR_KM: Final = 7000.0
"""How far the impossible-speed scan lands from the item's last known place."""
GREY_COUNTRIES: Final = ("AE", "HK", "TR", "PL", "MY", "MX", "ZA", "TH")
"""Where the planted rings trade."""
BEHIND_UTC: Final = ("US", "CA", "MX", "BR")
AHEAD_OF_UTC: Final = ("JP", "KR", "AU", "NZ", "CN", "HK", "SG", "MY", "TH", "AE", "IN")
GREY_ROLES: Final = ("distributor", "wholesaler", "distributor", "retailer")
LINK_KINDS: Final = ("shipment", "shipment", "phone", "email", "tax_id", "address")


@dataclass(frozen=True, slots=True)
class Job:
    """Events of one plant, written when the traffic reaches `start`."""

    start: int
    items: int
    run: Callable[[Context], None]


@dataclass
class Ring:
    """A planted ring, as truth.json lists it once its traffic is written."""

    members: list[str]
    entry_points: set[str] = field(default_factory=set)
    exits: set[str] = field(default_factory=set)


class Planner:
    """Plans a handful of every finding kind, scaled mildly with the item count."""

    def __init__(self, world: World, rng: random.Random, items: int) -> None:
        self.world = world
        self.rng = rng
        self.per_kind = 2 + (items >= 2_000) + (items >= 20_000) + (items >= 200_000)
        self.ring_count = 3 + (items >= 100_000) + (items >= 1_000_000)
        self.jobs: list[Job] = []
        self.rings: list[Ring] = []

    @property
    def items(self) -> int:
        """Item records the planted jobs will write."""
        return sum(job.items for job in self.jobs)

    def plan(self) -> list[Job]:
        """Create every plant's master data; return the jobs in start order."""
        for n in range(self.per_kind):
            self._unauthorized_holder(described=n > 0)
            self._not_in_force("expired")
            self._not_in_force("not_yet_valid")
            self._out_of_territory()
            self._wrong_shipper()
            self._scan_by_non_holder()
            self._overlapping_shipments()
            self._impossible_speed()
            self._produced_twice(second_factory=n % 2 == 0)
            self._unknown_in_shipment()
            self._unknown_in_scan()
            self._reentry(
                ("UNAUTHORIZED_HOLDER", "NOT_IN_FORCE", "OUT_OF_TERRITORY")[n % 3]
            )
        self._not_in_force("gap")
        self._not_in_force("utc_day_after")
        self._authorized_on_last_utc_day()
        for grey in self.rng.sample(GREY_COUNTRIES, self.ring_count):
            self._ring(grey)
        self.jobs.sort(key=lambda job: job.start)
        return self.jobs

    # -- helpers ------------------------------------------------------------------

    def _pick(self, markets: Sequence[str] | None = None) -> tuple[Brand, str]:
        """A brand and one of its markets (among `markets`, if given and possible).

        Should no brand sell in any of `markets`, any market does: the truth is
        judged from the data either way, only the plant is less tricky.
        """
        world = self.world
        pairs = [(b, m) for b in world.brands for m in world.markets[b.id]]
        wanted = [(b, m) for b, m in pairs if markets is None or m in markets]
        return self.rng.choice(wanted or pairs)

    def _anchor(self) -> int:
        day = self.rng.randint(TIMELINE_START + 90, TIMELINE_END)
        return ts_of(day) + self.rng.randrange(DAY)

    def _add(self, anchor: int, items: int, run: Callable[[Context], None]) -> None:
        self.jobs.append(Job(anchor - PREFIX_DAYS * DAY, items, run))

    def _grey(self, country: str, role: str | None = None, **shared: str) -> Party:
        """A party the lawful traffic never uses, with one warehouse in `country`."""
        world = self.world
        party = world.add_party(
            role or self.rng.choice(GREY_ROLES), country, shared=shared
        )
        site_type = "store" if party.role == "retailer" else None
        world.add_site(party.id, country, site_type)
        world.reserved.add(party.id)
        return party

    def _camouflage(self, party: str, brand: Brand, market: str) -> None:
        """Half the time, an authorization from another brand: judged per brand."""
        if self.rng.random() < 0.5:
            other = self.rng.choice([b for b in self.world.brands if b.id != brand.id])
            self.world.add_auth(other.id, party, TIMELINE_START - 200, None, (market,))

    def _elsewhere(self, market: str) -> str:
        """A country that is neither `market` nor licensed together with it."""
        codes = [c.code for c in COUNTRIES]
        return self.rng.choice(
            [c for c in codes if c != market and NEIGHBOURS.get(c) != market]
        )

    # -- receipts outside the authorizations --------------------------------------

    def _unauthorized_holder(self, described: bool) -> None:
        brand, market = self._pick()
        anchor = self._anchor()
        world = self.world
        if described:
            holder = self._grey(market).id
            self._camouflage(holder, brand, market)
        else:
            _, stem = world.identities.company("distributor", BY_CODE[market])
            holder = world.identities.party_id(market, stem)
            world.reserved.add(holder)
            world.add_site(holder, market, None)
        site = world.sites_of[holder][0]
        count = self.rng.randint(1, 3)

        def run(ctx: Context) -> None:
            chain = _prefix(ctx, brand, count, market, anchor)
            _deliver(chain, holder, site, anchor)
            if described:
                chain.scan_all("received", holder, anchor + 25 * MINUTE)
            _maybe_sell_off(ctx, chain, market)

        self._add(anchor, count, run)

    def _not_in_force(self, variant: str) -> None:
        world = self.world
        brand, market = self._pick(BEHIND_UTC if variant == "utc_day_after" else None)
        anchor = self._anchor()
        day = day_of(anchor)
        holder = self._grey(market, "distributor").id
        territory = (market,)
        if variant == "expired":
            world.add_auth(brand.id, holder, day - 400, day - 40, territory)
        elif variant == "not_yet_valid":
            world.add_auth(brand.id, holder, day + 30, None, territory)
        elif variant == "gap":
            world.add_auth(brand.id, holder, day - 400, day - 30, territory)
            world.add_auth(brand.id, holder, day + 30, None, territory)
        else:
            # 01:00 UTC on the day after the last valid day: still that last day in
            # the local time of the Americas, already outside it in UTC.
            anchor = ts_of(day) + HOUR
            world.add_auth(brand.id, holder, day - 300, day - 1, territory)
        self._receive(brand, market, anchor, holder, world.sites_of[holder][0])

    def _authorized_on_last_utc_day(self) -> None:
        """A decoy: 23:00 UTC on the last valid day is the next day locally."""
        world = self.world
        brand, market = self._pick(AHEAD_OF_UTC)
        day = self.rng.randint(TIMELINE_START + 90, TIMELINE_END)
        anchor = ts_of(day) + 23 * HOUR
        holder = self._grey(market, "distributor").id
        world.add_auth(brand.id, holder, day - 300, day, (market,))
        self._receive(brand, market, anchor, holder, world.sites_of[holder][0])

    def _out_of_territory(self) -> None:
        world = self.world
        brand, market = self._pick()
        anchor = self._anchor()
        day = day_of(anchor)
        home = self._elsewhere(market)
        holder = self._grey(home, "distributor").id
        site = world.add_site(holder, market, None)
        world.add_auth(brand.id, holder, day - 300, None, (home,))
        # An old grant for the market itself, expired: covering is not enough.
        world.add_auth(brand.id, holder, day - 700, day - 365, (market,))
        self._receive(brand, market, anchor, holder, site)

    def _receive(
        self, brand: Brand, market: str, anchor: int, holder: str, site: Site
    ) -> None:
        """A job: a clean prefix, then `holder` receives at `site` at `anchor`."""
        count = self.rng.randint(1, 3)

        def run(ctx: Context) -> None:
            chain = _prefix(ctx, brand, count, market, anchor)
            _deliver(chain, holder, site, anchor)
            chain.scan_all("received", holder, anchor + 25 * MINUTE)
            _maybe_sell_off(ctx, chain, site.country)

        self._add(anchor, count, run)

    def _reentry(self, via: str) -> None:
        world = self.world
        brand, market = self._pick()
        anchor = self._anchor()
        day = day_of(anchor)
        site: Site | None = None
        if via == "OUT_OF_TERRITORY":
            home = self._elsewhere(market)
            holder = self._grey(home, "distributor").id
            site = world.add_site(holder, market, None)
            world.add_auth(brand.id, holder, day - 300, None, (home,))
        else:
            holder = self._grey(market, "wholesaler").id
            if via == "NOT_IN_FORCE":
                world.add_auth(brand.id, holder, day - 500, day - 60, (market,))
            else:
                self._camouflage(holder, brand, market)
        receiving = site or world.sites_of[holder][0]
        count = self.rng.randint(1, 3)

        def run(ctx: Context) -> None:
            chain = _prefix(ctx, brand, count, market, anchor)
            _deliver(chain, holder, receiving, anchor)
            chain.scan_all("received", holder, anchor + 25 * MINUTE)
            _launder(ctx, chain, market)

        self._add(anchor, count, run)

    # -- custody ------------------------------------------------------------------

    def _wrong_shipper(self) -> None:
        brand, market = self._pick()
        anchor = self._anchor()
        count = self.rng.randint(1, 3)

        def run(ctx: Context) -> None:
            rng, world = ctx.rng, ctx.world
            chain = _prefix(ctx, brand, count, market, anchor)
            shipper = _other_distributor(ctx, market, chain.holder)
            origin = world.sites_of[shipper][0]
            seller = rng.choice(world.marketplaces_in[market])
            destination = world.sites_of[seller][0]
            shipped = business_time(chain.since, origin, rng, (2, 6))
            delivered = shipped + transit(origin, destination, rng)
            shipment = chain.ship(
                seller, destination, shipped, delivered, shipper=shipper, origin=origin
            )
            for item in chain.items:
                ctx.record(BROKEN_CUSTODY, item.key, shipper, shipment)
            chain.scan_each("sold", seller, 0.5, (3 * HOUR, 20 * DAY))

        self._add(anchor, count, run)

    def _scan_by_non_holder(self) -> None:
        brand, market = self._pick()
        anchor = self._anchor()
        count = self.rng.randint(1, 3)

        def run(ctx: Context) -> None:
            rng, world = ctx.rng, ctx.world
            chain = _prefix(ctx, brand, count, market, anchor)
            at = business_time(chain.since, chain.site, rng, (2, 6))
            # Someone who could lawfully hold it, so only custody is in question.
            lawful = [
                p
                for p in (
                    *world.retailers.get((brand.id, market), ()),
                    *world.importers[brand.id, market],
                )
                if p != chain.holder and world.verdict(brand.id, p, at, market) is None
            ]
            scanner = (
                lawful[0] if lawful else _other_distributor(ctx, market, chain.holder)
            )
            site = world.site_in(scanner, market)
            for offset, item in enumerate(chain.items):
                ctx.scan(item, site, stamp(at + offset * 7, site), "received", scanner)
                ctx.record(BROKEN_CUSTODY, item.key, scanner, None)

        self._add(anchor, count, run)

    # -- cloned serials -----------------------------------------------------------

    def _overlapping_shipments(self) -> None:
        brand, market = self._pick()
        anchor = self._anchor()
        count = self.rng.randint(1, 3)

        def run(ctx: Context) -> None:
            rng, world = ctx.rng, ctx.world
            chain = _prefix(ctx, brand, count, market, anchor)
            clone = chain.split([len(chain.items)])[0]
            bonded = world.bonded_in[market]
            shipper = _other_distributor(ctx, market, chain.holder)
            origin = world.sites_of[shipper][0]
            seller = rng.choice(world.marketplaces_in[market])
            # Every consecutive pair of placements is over 20 hours apart, so only
            # the overlap itself (26 hours into a 60-hour trip) is suspicious.
            genuine_left = business_time(chain.since, chain.site, rng, (2, 4))
            chain.ship(bonded.operator, bonded, genuine_left, genuine_left + 60 * HOUR)
            clone_left = genuine_left + 26 * HOUR
            shipment = clone.ship(
                seller,
                world.sites_of[seller][0],
                clone_left,
                clone_left + 64 * HOUR,
                shipper=shipper,
                origin=origin,
            )
            for item in chain.items:
                ctx.record(CLONED_SERIAL, item.key, shipper, shipment)
                ctx.record(BROKEN_CUSTODY, item.key, shipper, shipment)

        self._add(anchor, count, run)

    def _impossible_speed(self) -> None:
        brand, market = self._pick()
        anchor = self._anchor()
        count = self.rng.randint(1, 3)

        def run(ctx: Context) -> None:
            rng, world = ctx.rng, ctx.world
            chain = _prefix(ctx, brand, count, market, anchor)
            here = chain.site.point
            assert here is not None, "importer sites have coordinates"
            far = [
                code
                for code, port in sorted(world.ports_in.items())
                if port.point is not None and distance_km(here, port.point) > FAR_KM
            ]
            country = rng.choice(far)
            port = world.ports_in[country]
            party = world.customs_in[country] if rng.random() < 0.5 else None
            # Three hours after the importer's own scan, more than 7,000 km away.
            at = chain.since + _RECEIVED_AFTER + 3 * HOUR
            for offset, item in enumerate(chain.items):
                ctx.scan(item, port, stamp(at + offset * 7, port), "inspected", party)
                ctx.record(CLONED_SERIAL, item.key, party, None)

        self._add(anchor, count, run)

    def _produced_twice(self, second_factory: bool) -> None:
        world = self.world
        if second_factory:
            brand = self.rng.choice(
                [b for b in world.brands if len(world.factories[b.id]) > 1]
            )
            market = self.rng.choice(world.markets[brand.id])
            workshop = None
        else:
            brand, market = self._pick()
            maker = self._grey(
                self.rng.choice(("CN", "TR", "VN", "TH")), "manufacturer"
            )
            workshop = world.add_site(maker.id, maker.country, "factory")
        anchor = self._anchor()
        count = self.rng.randint(1, 3)

        def run(ctx: Context) -> None:
            rng = ctx.rng
            chain = _prefix(ctx, brand, count, market, anchor)
            if workshop is None:
                site = next(
                    f for f in world.factories[brand.id] if f.id != chain.produced_at
                )
                party: str | None = site.operator
            else:
                site, party = workshop, None
            at = business_time(chain.since, site, rng, (2, 6))
            for offset, item in enumerate(chain.items):
                ctx.scan(item, site, stamp(at + offset * 7, site), "produced", party)
                ctx.record(CLONED_SERIAL, item.key, site.operator, None)

        self._add(anchor, count, run)

    # -- unknown items ------------------------------------------------------------

    def _unknown_in_shipment(self) -> None:
        brand, market = self._pick()
        anchor = self._anchor()
        count = self.rng.randint(1, 3)

        def run(ctx: Context) -> None:
            rng, world = ctx.rng, ctx.world
            chain = _prefix(ctx, brand, count, market, anchor)
            unknown = ctx.unknown_item(brand, rng.choice(world.products_of[brand.id]))
            shipper = chain.holder
            bonded = world.bonded_in[market]
            shipped = business_time(chain.since, chain.site, rng, (2, 6))
            delivered = shipped + transit(chain.site, bonded, rng)
            shipment = chain.ship(
                bonded.operator, bonded, shipped, delivered, extra_items=[unknown]
            )
            ctx.record(UNKNOWN_ITEM, unknown.key, shipper, shipment)
            chain.scan_all(
                "customs_cleared", world.customs_in[market], delivered + 5 * HOUR
            )

        self._add(anchor, count, run)

    def _unknown_in_scan(self) -> None:
        brand, market = self._pick()
        anchor = self._anchor()

        def run(ctx: Context) -> None:
            rng, world = ctx.rng, ctx.world
            unknown = ctx.unknown_item(brand, rng.choice(world.products_of[brand.id]))
            port = world.ports_in[market]
            party = world.customs_in[market] if rng.random() < 0.5 else None
            ctx.scan(unknown, port, stamp(anchor, port), "inspected", party)
            ctx.record(UNKNOWN_ITEM, unknown.key, party, None)

        self._add(anchor, 0, run)

    # -- rings --------------------------------------------------------------------

    def _ring(self, grey: str) -> None:
        """3 to 6 unauthorized members in `grey`, linked by trade or identifiers.

        Member 0 and every member linked by an identifier get goods straight from an
        authorized distributor of the brand (an entry point); a member linked by a
        shipment gets them from its parent. Each member passes some goods on to its
        shipment-linked children and sells the rest to a marketplace seller, or once
        per ring back into the official channel (`REENTRY`).
        """
        rng, world = self.rng, self.world
        brand, market = self._pick([c for c in BY_CODE if c != grey])
        anchor = self._anchor()
        size = rng.randint(3, 6)
        parents = [0] + [rng.randrange(i) for i in range(1, size)]
        links = ["entry"] + [rng.choice(LINK_KINDS) for _ in range(1, size)]

        members: list[Party] = []
        for index in range(size):
            shared: dict[str, str] = {}
            kind = links[index]
            if kind not in ("entry", "shipment"):
                value = getattr(members[parents[index]], kind)
                shared[kind] = _variant(kind, value, rng)
            members.append(self._grey(grey, **shared))
        ids = [member.id for member in members]
        self._ring_authorizations(brand, ids, grey, anchor)

        children: list[list[int]] = [[] for _ in range(size)]
        for index in range(1, size):
            if links[index] == "shipment":
                children[parents[index]].append(index)
        needs = [1] * size
        for index in reversed(range(size)):
            needs[index] += sum(needs[child] for child in children[index])
        roots = [i for i in range(size) if links[i] != "shipment"]
        parcels = {root: needs[root] + rng.randint(0, 2) for root in roots}
        ring = Ring(sorted(ids))
        self.rings.append(ring)

        def run(ctx: Context) -> None:
            reentered = False

            def hold(chain: Chain, index: int) -> None:
                nonlocal reentered
                member = ids[index]
                if ctx.rng.random() < 0.7:
                    chain.scan_all("received", member, chain.since + 30 * MINUTE)
                kids = children[index]
                sizes = [needs[kid] for kid in kids]
                parts = chain.split([*sizes, len(chain.items) - sum(sizes)])
                for kid, part in zip(kids, parts, strict=False):
                    site = world.sites_of[ids[kid]][0]
                    shipped = business_time(part.since, part.site, ctx.rng, (2, 10))
                    part.ship(
                        ids[kid],
                        site,
                        shipped,
                        shipped + transit(part.site, site, ctx.rng),
                    )
                    hold(part, kid)
                rest = parts[-1]
                if not reentered and ctx.rng.random() < 0.5:
                    reentered = True
                    ring.exits.add(_launder(ctx, rest, market))
                else:
                    ring.exits.add(_sell_off(ctx, rest, ctx.rng.choice((grey, market))))

            for number, root in enumerate(roots):
                leak_at = anchor + number * ctx.rng.randint(3, 15) * DAY
                # Later parcels leak from the exporter half the time.
                via_importer = number == 0 or ctx.rng.random() < 0.5
                chain = _prefix(
                    ctx, brand, parcels[root], market, leak_at, via_importer
                )
                ring.entry_points.add(chain.holder)
                _deliver(chain, ids[root], world.sites_of[ids[root]][0], leak_at)
                hold(chain, root)

        self.jobs.append(Job(anchor - PREFIX_DAYS * DAY, sum(parcels.values()), run))

    def _ring_authorizations(
        self, brand: Brand, members: list[str], grey: str, anchor: int
    ) -> None:
        """One ring in three has a lapsed member, one an out-of-territory member."""
        world = self.world
        day = day_of(anchor)
        variant = len(self.rings) % 3
        if variant == 1:
            world.add_auth(brand.id, members[-1], day - 700, day - 200, (grey,))
        elif variant == 2:
            elsewhere = self._elsewhere(grey)
            world.add_auth(brand.id, members[-1], day - 500, None, (elsewhere,))
        for member in members[:-1]:
            self._camouflage(member, brand, grey)


# -- steps shared by the plants ---------------------------------------------------

_RECEIVED_AFTER: Final = 20 * MINUTE
"""When the prefix's importer scans the lot in, after delivery."""


def _prefix(
    ctx: Context,
    brand: Brand,
    count: int,
    market: str,
    anchor: int,
    via_importer: bool = True,
) -> Chain:
    """A clean lot at an authorized importer of `market` (or at the exporter)."""
    rng, world = ctx.rng, ctx.world
    product = rng.choice(world.products_of[brand.id])
    factory = rng.choice(world.factories[brand.id])
    start = anchor - PREFIX_DAYS * DAY
    chain = ctx.produce(brand, product, factory, start, count, rng.random() < 0.3)
    holder = forward(ctx, chain, world.exporters[brand.id], None, (2, 5))
    if via_importer:
        holder = forward(ctx, chain, world.importers[brand.id, market], market, (2, 5))
    assert holder is not None, "a primary partner is always authorized"
    chain.scan_all("received", holder, chain.since + _RECEIVED_AFTER)
    assert chain.since + 23 * DAY < anchor, "the prefix must leave room for the plant"
    return chain


def _deliver(chain: Chain, party: str, site: Site, at: int) -> str:
    """Ship the group from its holder so that it arrives at `site` exactly at `at`."""
    shipped = at - transit(chain.site, site, chain.ctx.rng)
    assert shipped > chain.since + DAY, "the plant's shipment leaves after the prefix"
    return chain.ship(party, site, shipped, at)


def _sell_off(ctx: Context, chain: Chain, country: str) -> str:
    """Ship the group to a marketplace seller in `country`, which sells some of it."""
    rng, world = ctx.rng, ctx.world
    seller = rng.choice(world.marketplaces_in[country])
    site = world.sites_of[seller][0]
    shipped = business_time(chain.since, chain.site, rng, (3, 10))
    chain.ship(seller, site, shipped, shipped + transit(chain.site, site, rng))
    chain.scan_each("sold", seller, 0.6, (3 * HOUR, 30 * DAY))
    return seller


def _maybe_sell_off(ctx: Context, chain: Chain, country: str) -> None:
    if ctx.rng.random() < 0.5:
        _sell_off(ctx, chain, country)


def _launder(ctx: Context, chain: Chain, market: str) -> str:
    """Sell the group back to an authorized retailer (or importer) of `market`.

    The receipt is authorized, so it raises `REENTRY` for every item.
    """
    world = ctx.world
    retailers = world.retailers.get((chain.brand, market), [])
    receiver = forward(ctx, chain, retailers, market, (3, 12), clean=False)
    if receiver is None:
        importers = world.importers[chain.brand, market]
        receiver = forward(ctx, chain, importers, market, (3, 12), clean=False)
    assert receiver is not None, "a primary importer is always authorized"
    chain.scan_all("received", receiver, chain.since + 40 * MINUTE)
    if world.party[receiver].role == "retailer":
        chain.scan_each("sold", receiver, 0.8, (3 * HOUR, 30 * DAY))
    return receiver


def _other_distributor(ctx: Context, market: str, holder: str) -> str:
    """A lawful distributor of `market` that does not hold the goods."""
    return ctx.rng.choice([p for p in ctx.world.distributors_in[market] if p != holder])


def _variant(kind: str, value: str | None, rng: random.Random) -> str:
    """Another spelling of a phone, e-mail, tax id or address that normalises equal.

    Punctuation only changes next to spaces, so folding it away or into spaces gives
    the same result.
    """
    assert value is not None, "every generated party has contact details"
    options: tuple[str, ...]
    if kind == "phone":
        options = (
            value.replace(" ", ""),
            value.lstrip("+").replace(" ", "-"),
            value.replace(" ", "."),
        )
    elif kind == "email":
        options = (value.upper(), f"  {value.title()} ", f" {value}")
    elif kind == "tax_id":
        compact = value.replace(" ", "")
        options = (
            compact.lower(),
            value.lower(),
            f"{compact[:4]} {compact[4:8]} {compact[8:]}",
        )
    else:
        options = (
            value.upper(),
            value.replace(", ", " - "),
            value.lower().replace(",", ""),
            value.replace(" ", "  "),
        )
    return rng.choice(options)
