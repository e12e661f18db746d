"""Custody bookkeeping: items move in groups, and every move is judged as it is written.

A `Chain` is a group of items that share their history so far (a lot, a case, a
parcel). Moving it writes the shipment and judges the consignee's receipt with the
rules of docs/investigation.md, so authorization findings and `REENTRY` are recorded by
construction; the planted cases add the custody and cloning findings they cause
themselves (`Context.record`).
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Final

from graphsvc.demodata.feed import JsonLinesGz
from graphsvc.demodata.places import distance_km
from graphsvc.demodata.world import DAY, UNIX_EPOCH_ORDINAL, Brand, Product, Site, World
from graphsvc.ids import canonical_id

REENTRY: Final = "REENTRY"
BROKEN_CUSTODY: Final = "BROKEN_CUSTODY"
CLONED_SERIAL: Final = "CLONED_SERIAL"
UNKNOWN_ITEM: Final = "UNKNOWN_ITEM"
HOUR: Final = 3600
_CACHE_LIMIT: Final = 50_000
UNKNOWN_DISTANCE_KM: Final = 600.0
"""Assumed road distance when a site has no coordinates, for transit times only."""


@dataclass(frozen=True, slots=True)
class ItemRef:
    """An item's canonical id and the spellings the feed may use for it.

    `spellings[0]` is the spelling of the item record itself.
    """

    key: str
    spellings: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Case:
    """One finding the rules imply, as truth.json lists it."""

    kind: str
    item: str
    party: str | None
    shipment: str | None


class Context:
    """Shared state of one generation run: randomness, master data, files, truth."""

    def __init__(
        self,
        rng: random.Random,
        world: World,
        items: JsonLinesGz,
        shipments: JsonLinesGz,
        scans: JsonLinesGz,
    ) -> None:
        self.rng = rng
        self.world = world
        self.items_out = items
        self.shipments_out = shipments
        self.scans_out = scans
        self.cases: list[Case] = []
        self.items_written = 0
        self._shipments = 0
        self._unknown = 0
        self._serials: dict[str, int] = {}

    def record(
        self, kind: str, item: str, party: str | None, shipment: str | None
    ) -> None:
        self.cases.append(Case(kind, item, party, shipment))

    def shipment_id(self) -> str:
        self._shipments += 1
        return f"SH-{self._shipments:08d}"

    def ref(self, item: ItemRef) -> str:
        """One of the item's spellings, for a shipment or scan that references it."""
        spellings = item.spellings
        if len(spellings) == 1:
            return spellings[0]
        return spellings[self.rng.randrange(len(spellings))]

    def new_items(
        self, brand: Brand, product: Product, count: int, gs1: bool
    ) -> list[ItemRef]:
        """Fresh item identities: plain `IT-` ids, or GS1 serials in two spellings."""
        if not gs1:
            first = self.items_written + 1
            self.items_written += count
            return [
                ItemRef(plain, (plain,))
                for plain in (f"IT-{n:08d}" for n in range(first, first + count))
            ]

        self.items_written += count
        start = self._serials.get(product.id, 100_000)
        self._serials[product.id] = start + count
        return [
            self.gs1_item(brand, product, str(start + n)) for n in range(1, count + 1)
        ]

    def gs1_item(self, brand: Brand, product: Product, serial: str) -> ItemRef:
        urn = f"urn:epc:id:sgtin:{brand.prefix}.0{product.item_ref}.{serial}"
        link = f"https://id.gs1.org/01/{product.gtin}/21/{serial}"
        own = f"https://{brand.resolver}/01/{product.gtin}/21/{serial}"
        first, second = (urn, link) if self.rng.random() < 0.5 else (link, urn)
        return ItemRef(canonical_id(urn), (first, second, first, second, own))

    def unknown_item(self, brand: Brand, product: Product) -> ItemRef:
        """An id no item record describes: a number or serial the traffic never uses."""
        self._unknown += 1
        if self._unknown % 2:
            plain = f"IT-9{self._unknown:07d}"
            return ItemRef(plain, (plain,))
        serial = str(9_000_000 + self._unknown)
        urn = f"urn:epc:id:sgtin:{brand.prefix}.0{product.item_ref}.{serial}"
        return ItemRef(canonical_id(urn), (urn,))

    def produce(
        self,
        brand: Brand,
        product: Product,
        factory: Site,
        start: int,
        count: int,
        gs1: bool,
    ) -> Chain:
        """Write the item records and `produced` scans of a new lot at `factory`."""
        items = self.new_items(brand, product, count, gs1)
        local = datetime.fromtimestamp(start, factory.tz)
        lot = f"L{local:%y%m%d}-{self.rng.randrange(1000):03d}"
        maker = factory.operator
        where = f'"product":"{product.id}","produced_at":"{factory.id}"'
        for offset, item in enumerate(items):
            at = stamp(start + offset * 11, factory)
            line = f'{{"kind":"item","id":"{item.spellings[0]}",{where},'
            line += f'"produced_on":"{at}","lot":"{lot}"}}'
            self.items_out.write_line("item", line)
            self.scan(item, factory, at, "produced", maker)
        return Chain(self, brand.id, items, maker, factory, start + count * 11, maker)

    def scan(
        self, item: ItemRef, site: Site, at: str, step: str, party: str | None
    ) -> None:
        # Every value here is an id or instant the generator built from letters,
        # digits and URI punctuation, so no JSON escaping is ever needed.
        by = f',"party":"{party}"' if party is not None else ""
        line = (
            f'{{"kind":"scan","item":"{self.ref(item)}","site":"{site.id}",'
            f'"at":"{at}","step":"{step}"{by}}}'
        )
        self.scans_out.write_line("scan", line)


_offsets: dict[tuple[str, int], tuple[str, int]] = {}
_dates: dict[int, str] = {}


def stamp(ts: int, site: Site) -> str:
    """RFC 3339 in the site's local offset.

    The offset of each zone is looked up once per UTC hour, when it is the same at
    both ends of that hour (time zones change on whole hours); day strings are
    cached too. This is the generator's hottest function.
    """
    tz = site.tz
    hour = ts // HOUR
    offset = _offsets.get((tz.key, hour))
    if offset is None:
        at = datetime.fromtimestamp(ts, tz)
        delta = at.utcoffset()
        end = datetime.fromtimestamp((hour + 1) * HOUR - 1, tz)
        if delta is None or end.utcoffset() != delta:
            return at.isoformat()
        if len(_offsets) > _CACHE_LIMIT:
            _offsets.clear()
        offset = _offsets[tz.key, hour] = (
            at.isoformat()[19:],
            int(delta.total_seconds()),
        )
    suffix, shift = offset
    day, seconds = divmod(ts + shift, DAY)
    text = _dates.get(day)
    if text is None:
        text = _dates[day] = date.fromordinal(day + UNIX_EPOCH_ORDINAL).isoformat()
    hours, rest = divmod(seconds, HOUR)
    minutes, secs = divmod(rest, 60)
    return f"{text}T{hours:02d}:{minutes:02d}:{secs:02d}{suffix}"


def business_time(
    ts: int, site: Site, rng: random.Random, days: tuple[int, int]
) -> int:
    """A working-hours instant at `site`, some whole days (in `days`) after `ts`."""
    target = ts + rng.randint(*days) * DAY
    local = datetime.fromtimestamp(target, site.tz)
    hour = rng.randint(7, 17)
    chosen = int(
        local.replace(hour=hour, minute=rng.randrange(60), second=0).timestamp()
    )
    return chosen if chosen > target else chosen + DAY


def transit(origin: Site, destination: Site, rng: random.Random) -> int:
    """Door-to-door seconds: far below any speed the cloning rule would question."""
    a, b = origin.point, destination.point
    km = distance_km(a, b) if a is not None and b is not None else UNKNOWN_DISTANCE_KM
    hours = 6 + km / rng.uniform(40, 70) + rng.uniform(0, 18)
    return int(hours * HOUR)


class Chain:
    """A group of items with one holder, site and history."""

    def __init__(
        self,
        ctx: Context,
        brand: str,
        items: list[ItemRef],
        holder: str,
        site: Site,
        since: int,
        producer: str,
    ) -> None:
        self.ctx = ctx
        self.brand = brand
        self.items = items
        self.holder = holder
        self.site = site
        self.since = since
        """When the current hop started (the last item's, for a fresh lot)."""
        self.left = since
        """When the shipment that opened the current hop left its origin."""
        self.producer = producer
        self.produced_at = site.id
        """The production site, for a chain started by `Context.produce`."""
        self.tainted = False
        """An earlier hop was an unauthorized receipt (see `REENTRY`)."""
        self.verdicts: list[str | None] = []
        """Verdict of each judged receipt so far (None: authorized)."""

    def split(self, sizes: Sequence[int]) -> list[Chain]:
        """Cut the group into consecutive groups of `sizes` items (same history)."""
        parts: list[Chain] = []
        start = 0
        for size in sizes:
            part = Chain(
                self.ctx,
                self.brand,
                self.items[start : start + size],
                self.holder,
                self.site,
                self.since,
                self.producer,
            )
            part.left = self.left
            part.produced_at = self.produced_at
            part.tainted = self.tainted
            part.verdicts = list(self.verdicts)
            parts.append(part)
            start += size
        return parts

    def ship(
        self,
        consignee: str,
        destination: Site,
        shipped_at: int,
        delivered_at: int | None,
        *,
        shipper: str | None = None,
        origin: Site | None = None,
        extra_items: Sequence[ItemRef] = (),
        clean: bool = False,
    ) -> str:
        """Write a shipment of the whole group, judge the receipt, move the group.

        `shipper` and `origin` default to the holder and its site; a planted case
        passes others. `extra_items` are listed on the shipment without moving with
        the group (unknown ids). With `clean`, a receipt that raises a finding is a
        bug in the caller.
        """
        ctx = self.ctx
        rng = ctx.rng
        origin = origin or self.site
        shipment = ctx.shipment_id()
        record: dict[str, object] = {
            "kind": "shipment",
            "id": shipment,
            "shipper": shipper or self.holder,
            "consignee": consignee,
            "origin": origin.id,
            "destination": destination.id,
            "shipped_at": stamp(shipped_at, origin),
        }
        if delivered_at is not None:
            record["delivered_at"] = stamp(delivered_at, destination)
        if rng.random() < 0.85:
            record["carrier"] = rng.choice(ctx.world.carriers)
        if rng.random() < 0.4:
            record["reference"] = f"PO-{rng.randrange(10**6):06d}"

        refs = [ctx.ref(item) for item in (*self.items, *extra_items)]
        style = rng.random()
        linked = 0 if style < 0.8 else len(refs) if style < 0.92 else len(refs) // 2
        if linked < len(refs):
            record["items"] = refs[linked:]
        ctx.shipments_out.write(record)
        for ref in refs[:linked]:
            ctx.shipments_out.write(
                {"kind": "shipment_item", "shipment": shipment, "item": ref}
            )

        start = delivered_at if delivered_at is not None else shipped_at
        self._judge(consignee, destination, start, shipment, clean)
        self.holder, self.site, self.since = consignee, destination, start
        self.left = shipped_at
        return shipment

    def _judge(
        self, party: str, site: Site, at: int, shipment: str, clean: bool
    ) -> None:
        ctx = self.ctx
        if not ctx.world.judged(party, self.producer):
            return
        verdict = ctx.world.verdict(self.brand, party, at, site.country)
        self.verdicts.append(verdict)
        if verdict is None and not self.tainted:
            return
        assert not clean, f"baseline receipt by {party} in {shipment} raises {verdict}"
        kind = verdict or REENTRY
        self.tainted = True
        for item in self.items:
            ctx.record(kind, item.key, party, shipment)

    def scan_all(
        self, step: str, party: str | None, at: int, *, site: Site | None = None
    ) -> None:
        """One scan per item, a few seconds apart, starting at `at`."""
        where = site or self.site
        for offset, item in enumerate(self.items):
            self.ctx.scan(item, where, stamp(at + offset * 7, where), step, party)

    def scan_each(
        self, step: str, party: str | None, share: float, window: tuple[int, int]
    ) -> None:
        """Scan a `share` of the items, each at its own instant within `window`."""
        rng = self.ctx.rng
        for item in self.items:
            if rng.random() < share:
                at = self.since + rng.randint(*window)
                self.ctx.scan(item, self.site, stamp(at, self.site), step, party)
