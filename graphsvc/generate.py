"""A realistic demo feed with planted cases, and the truth to check an engine against.

`generate(out_dir, items, seed)` writes, in the format of `docs/feeds.md`:

- master data as CSV: `brands.csv`, `parties.csv`, `authorizations.csv` (territories
  as `DE|AT` or `*`), `sites.csv`, `products.csv`;
- events as gzip JSON Lines: `items.jsonl.gz`, `shipments.jsonl.gz` (shipments, and
  `shipment_item` records for some of them, alone or beside an `items` field),
  `scans.jsonl.gz`;
- `truth.json`: every finding that the rules of docs/investigation.md imply on those
  files (kind, canonical item id, party, shipment) and every distributor cluster.

The same `items` and `seed` give byte-identical files: all randomness comes from one
`random.Random(seed)`, no clock is read, and gzip headers carry no name or time. Lots
are written as they are made, so memory stays flat whatever `items` is.

The world: seven fictional brands (fragrance, cosmetics, fashion, infant formula,
supplements), their factories, exporters in hub countries, importers, retailers,
marketplace sellers, bonded warehouses, customs posts, carriers and inspectors in 33
countries. Authorizations come open-ended, expired, renewed after a gap, starting
late, for one or two countries or for `*`. About one lot in eight is serialised with
GS1 keys, spelled as EPC URNs or Digital Links (on id.gs1.org or the brand's own
host) and referenced in either spelling; the rest use plain `IT-` ids.

Lawful traffic (raises nothing): a lot is produced at a factory, goes to an exporter
(seven lots in ten), an importer, a bonded warehouse (cleared by customs) and on to
retailers and marketplace sellers, which sell. Every judged receipt (not the
producing manufacturer, not a logistics, customs, inspector or marketplace party) is
by a party holding an authorization from the brand in force on the receipt's UTC day
that covers the receiving site's country. Each shipment leaves its holder after the
previous delivery; scans naming a party fall inside that party's hop; transit times
keep every journey under 70 km/h; every item is produced once. A shipment still in
transit (no `delivered_at`) is always an item's last and goes to a site without
coordinates.

How truth is derived. Where those rules are silent, truth follows the choices
documented in `graphsvc.engine`: a finding's party and shipment are those of the
receipt for authorization findings and `REENTRY`; the shipper and shipment for a
wrong shipper; the scan's party for a scan by a non-holder; for two shipments in
flight at once, the later shipment and its shipper; for an impossible speed, the
party of the later placement (the scan's party, or none); for a second production,
the scan's party, else the operator of its site; for an unknown item, the shipper
and shipment that reference it, or the party of the scan (or none). Every plant
starts from a clean lot at an authorized importer and keeps every pair of
consecutive placements more than 20 hours apart, so the speed rule cannot fire
except where planted. `REENTRY` is raised for every authorized judged receipt after
an unauthorized one; the plants have at most one such receipt per item.

Plants, a handful of each (more as `items` grows), and what each implies:

- Unauthorized holder: the importer ships to a party with no authorization from the
  brand (sometimes one from another brand; once a party never described). One
  `UNAUTHORIZED_HOLDER` per item; half are then sold to a marketplace seller.
- Not in force: the receiving party's only authorization from the brand expired 40
  days before, or starts 30 days after, or the receipt falls in a 60-day gap between
  two. One more receipt comes at 01:00 UTC on the day after the last valid day,
  which is still the last day in the Americas where it happens. One
  `AUTHORIZATION_NOT_IN_FORCE` per item.
- Decoy: a receipt at 23:00 UTC on the last valid day, already the next day at the
  receiving site in Asia or Oceania: authorized, no finding.
- Out of territory: the party's authorization in force covers its home country; it
  receives at its second site in the market, which only an expired grant covered.
  One `OUT_OF_TERRITORY` per item.
- Wrong shipper: a lawful distributor that never received the items ships them to a
  marketplace seller. One `BROKEN_CUSTODY` per item (shipper, shipment).
- Scan by a non-holder: an authorized retailer or importer of the market, not
  holding the items, scans them as received. One `BROKEN_CUSTODY` per item (scan's
  party, no shipment).
- Shipments in flight at once: while the importer's 60-hour shipment to the bonded
  warehouse travels, another distributor ships the same items to a marketplace
  seller, leaving 26 hours after it. Per item, `CLONED_SERIAL` and `BROKEN_CUSTODY`,
  both naming the second shipment and its shipper.
- Impossible speed: three hours after the importer scans the items in, a customs
  post (named or not) more than 7,000 km away scans them. One `CLONED_SERIAL` per
  item, party that customs post or none.
- Produced twice: a `produced` scan days later at the brand's other factory (by its
  manufacturer) or at a counterfeit workshop (no party). One `CLONED_SERIAL` per item,
  party the site's operator.
- Unknown item: an id with no item record listed on a shipment to a bonded warehouse,
  or scanned at a customs post. One `UNKNOWN_ITEM` each; the shipper's hold is not
  questioned, nor the receipt judged, since nothing is known of the item.
- Re-entry: an unauthorized, lapsed or out-of-territory holder sells the items back
  to an authorized retailer (else importer). Per item, the first receipt's finding
  and one `REENTRY` for the authorized receipt.
- Rings (three or more): 3 to 6 parties in one country, each without a valid
  authorization from the brand (one ring in three has a lapsed member, one an
  out-of-territory member), linked in a tree by shipments between them or by a
  shared phone, e-mail, tax id or address spelled differently. Authorized importers
  or exporters leak parcels into the ring (its entry points); members pass goods on
  and sell the rest to marketplace sellers, at most once per ring back to an
  authorized party (its exits). Every receipt by a member is a finding; the planted
  rings are the only clusters of two or more members in the data.
"""

from __future__ import annotations

import json
import logging
import random
from collections import Counter, deque
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Final

from graphsvc.demodata.baseline import run_lot
from graphsvc.demodata.chains import Context
from graphsvc.demodata.feed import JsonLinesGz, write_csv
from graphsvc.demodata.plants import Job, Planner
from graphsvc.demodata.world import (
    DAY,
    TIMELINE_END,
    TIMELINE_START,
    World,
    build_world,
    ts_of,
)
from graphsvc.errors import InvalidArgument

log = logging.getLogger(__name__)

MIN_BASELINE_ITEMS: Final = 50
"""Lawful items needed beside the planted ones, so the plants do not stand out."""
LOT_SIZES: Final = (24, 120)
CSV_FILES: Final = (
    "brands.csv",
    "parties.csv",
    "authorizations.csv",
    "sites.csv",
    "products.csv",
)
EVENT_FILES: Final = ("items.jsonl.gz", "shipments.jsonl.gz", "scans.jsonl.gz")
TRUTH_FILE: Final = "truth.json"


@dataclass(frozen=True)
class GenerateSummary:
    """What `generate` wrote: file names, records per kind, planted findings."""

    out_dir: Path
    files: tuple[str, ...]
    records: dict[str, int]
    cases: int
    rings: int

    def render(self) -> str:
        """A few lines for the command line."""
        lines = [f"wrote {len(self.files)} files to {self.out_dir}"]
        lines += [f"  {kind:<16}{count:>12,}" for kind, count in self.records.items()]
        lines.append(f"truth: {self.cases:,} findings, {self.rings} rings")
        return "\n".join(lines)


def generate(out_dir: Path, items: int, seed: int) -> GenerateSummary:
    """Write a demo feed of `items` item records and its truth into `out_dir`.

    Raises InvalidArgument when `items` is too small to hold the planted cases
    beside some lawful traffic (a few hundred is enough).

    >>> summary = generate(Path("demo"), items=2_000, seed=7)  # doctest: +SKIP
    >>> summary.records["item"]  # doctest: +SKIP
    2000
    """
    rng = random.Random(seed)  # noqa: S311 -- reproducible demo data, not secrets
    world = build_world(rng)
    planner = Planner(world, rng, items)
    jobs = planner.plan()
    lawful = items - planner.items
    if lawful < MIN_BASELINE_ITEMS:
        least = planner.items + MIN_BASELINE_ITEMS
        raise InvalidArgument("items", f"must be at least {least} for seed {seed}")

    out_dir.mkdir(parents=True, exist_ok=True)
    records = _write_master_data(out_dir, world)
    writers = [JsonLinesGz(out_dir / name) for name in EVENT_FILES]
    try:
        ctx = Context(rng, world, *writers)
        _write_events(ctx, jobs, lawful)
    finally:
        for writer in writers:
            writer.close()
    assert ctx.items_written == items, f"wrote {ctx.items_written} items, not {items}"

    for writer in writers:
        records.update(writer.counts)
    cases = sorted(
        ctx.cases, key=lambda c: (c.kind, c.item, c.party or "", c.shipment or "")
    )
    truth = {
        "seed": seed,
        "items": items,
        "cases": [
            {"kind": c.kind, "item": c.item, "party": c.party, "shipment": c.shipment}
            for c in cases
        ],
        "rings": [
            {
                "members": ring.members,
                "entry_points": sorted(ring.entry_points),
                "exits": sorted(ring.exits),
            }
            for ring in sorted(planner.rings, key=lambda r: r.members)
        ],
    }
    text = json.dumps(truth, indent=2, ensure_ascii=False) + "\n"
    (out_dir / TRUTH_FILE).write_text(text, encoding="utf-8")

    log.info(
        "generate.done out=%s items=%d cases=%d rings=%d",
        out_dir,
        items,
        len(cases),
        len(planner.rings),
    )
    return GenerateSummary(
        out_dir,
        (*CSV_FILES, *EVENT_FILES, TRUTH_FILE),
        dict(records),
        len(cases),
        len(planner.rings),
    )


def _write_events(ctx: Context, jobs: list[Job], lawful: int) -> None:
    """Lawful lots in production order, each plant written when its time comes."""
    rng, world = ctx.rng, ctx.world
    pending = deque(jobs)
    first, span = ts_of(TIMELINE_START), ts_of(TIMELINE_END) - ts_of(TIMELINE_START)
    made = 0
    while made < lawful:
        size = min(rng.randint(*LOT_SIZES), lawful - made)
        start = first + span * made // lawful + rng.randrange(DAY)
        while pending and pending[0].start <= start:
            pending.popleft().run(ctx)
        run_lot(ctx, rng.choice(world.brands), start, size)
        made += size
    while pending:
        pending.popleft().run(ctx)


def _day(ordinal: int | None) -> str | None:
    return None if ordinal is None else date.fromordinal(ordinal).isoformat()


def _write_master_data(out_dir: Path, world: World) -> Counter[str]:
    counts: Counter[str] = Counter()
    counts["brand"] = write_csv(
        out_dir / "brands.csv",
        ("id", "name", "country", "category"),
        ((b.id, b.name, b.country, b.category) for b in world.brands),
    )
    counts["party"] = write_csv(
        out_dir / "parties.csv",
        (
            "id",
            "name",
            "role",
            "country",
            "gln",
            "address",
            "phone",
            "email",
            "tax_id",
            "website",
        ),
        (
            (
                p.id,
                p.name,
                p.role,
                p.country,
                p.gln,
                p.address,
                p.phone,
                p.email,
                p.tax_id,
                p.website,
            )
            for p in world.parties
        ),
    )
    counts["authorization"] = write_csv(
        out_dir / "authorizations.csv",
        ("id", "brand", "party", "territories", "valid_from", "valid_until"),
        (
            (
                a.id,
                a.brand,
                a.party,
                "|".join(a.territories),
                _day(a.valid_from),
                _day(a.valid_until),
            )
            for a in world.authorizations
        ),
    )
    counts["site"] = write_csv(
        out_dir / "sites.csv",
        ("id", "operator", "country", "name", "type", "city", "lat", "lon", "gln"),
        (
            (s.id, s.operator, s.country, s.name, s.type, s.city, s.lat, s.lon, s.gln)
            for s in world.sites
        ),
    )
    counts["product"] = write_csv(
        out_dir / "products.csv",
        ("id", "brand", "name", "category", "gtin"),
        ((p.id, p.brand, p.name, p.category, p.gtin) for p in world.products),
    )
    return counts
