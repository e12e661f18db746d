"""Lawful traffic: lots going factory, exporter, importer, bonded warehouse, seller.

Every judged receipt goes to a party whose authorization from the brand is in force on
the receipt's UTC day and covers the receiving site's country; each hop is shipped by
the holder after the previous delivery, and scans by a party fall inside that party's
hop (after `delivered_at`, before the next `shipped_at`). None of it raises a finding.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from graphsvc.demodata.chains import HOUR, Chain, Context, business_time, transit
from graphsvc.demodata.world import Brand

GS1_SHARE: Final = 0.12
"""Share of lots serialised with GS1 keys rather than plain `IT-` ids."""
MINUTE: Final = 60


def forward(
    ctx: Context,
    chain: Chain,
    candidates: Sequence[str],
    country: str | None,
    dwell_days: tuple[int, int],
    *,
    clean: bool = True,
) -> str | None:
    """Ship the group to an authorized candidate; None if none is authorized then.

    `country` picks the candidate's site there; None takes its first site. `clean`
    is False only for goods coming back from an unauthorized holder (`REENTRY`).
    """
    rng, world = ctx.rng, ctx.world
    shipped = business_time(chain.since, chain.site, rng, dwell_days)
    for party in rng.sample(list(candidates), len(candidates)):
        if party == chain.holder:
            continue
        site = (
            world.sites_of[party][0]
            if country is None
            else world.site_in(party, country)
        )
        delivered = shipped + transit(chain.site, site, rng)
        if world.verdict(chain.brand, party, delivered, site.country) is None:
            chain.ship(party, site, shipped, delivered, clean=clean)
            return party
    return None


def run_lot(ctx: Context, brand: Brand, start: int, size: int) -> None:
    """Produce one lot at `start` and move it as far down the channel as it goes."""
    rng, world = ctx.rng, ctx.world
    product = rng.choice(world.products_of[brand.id])
    factory = rng.choice(world.factories[brand.id])
    chain = ctx.produce(brand, product, factory, start, size, rng.random() < GS1_SHARE)
    if rng.random() < 0.3:
        chain.scan_all("packed", factory.operator, chain.since + HOUR)

    market = rng.choice(world.markets[brand.id])
    if rng.random() < 0.7:
        exporter = forward(ctx, chain, world.exporters[brand.id], None, (2, 10))
        assert exporter is not None, "a primary exporter is always authorized"
        if rng.random() < 0.6:
            chain.scan_all(
                "received", exporter, chain.since + rng.randint(10, 120) * MINUTE
            )
        dwell = (3, 20)
    else:
        dwell = (2, 10)
        exporter = None

    shipped_scan = exporter is not None and rng.random() < 0.5
    holder, site = chain.holder, chain.site
    importer = forward(ctx, chain, world.importers[brand.id, market], market, dwell)
    assert importer is not None, "a primary importer is always authorized"
    if shipped_scan:
        # Scanned out before the shipment left, while the exporter still held the lot.
        chain.scan_all("shipped", holder, chain.left - 45 * MINUTE, site=site)
    if rng.random() < 0.8:
        chain.scan_all(
            "received", importer, chain.since + rng.randint(10, 180) * MINUTE
        )
    if rng.random() < 0.07:
        return

    if rng.random() < 0.12:
        _to_sellers(ctx, chain, market, (2, 12))
        return
    bonded = world.bonded_in[market]
    shipped = business_time(chain.since, chain.site, rng, (2, 12))
    chain.ship(
        bonded.operator,
        bonded,
        shipped,
        shipped + transit(chain.site, bonded, rng),
        clean=True,
    )
    chain.scan_all(
        "customs_cleared",
        world.customs_in[market],
        chain.since + rng.randint(2, 30) * HOUR,
    )
    if rng.random() < 0.5:
        chain.scan_all(
            "stored", bonded.operator, chain.since + rng.randint(40, 150) * MINUTE
        )
    if rng.random() < 0.03:
        inspector = rng.choice(world.inspectors)
        chain.scan_each("inspected", inspector, 0.3, (31 * HOUR, 40 * HOUR))
    if rng.random() < 0.04:
        return
    _to_sellers(ctx, chain, market, (2, 8))


def _to_sellers(
    ctx: Context, chain: Chain, market: str, dwell: tuple[int, int]
) -> None:
    """Split the lot into cases for retailers and marketplace sellers, and sell."""
    rng, world = ctx.rng, ctx.world
    count = len(chain.items)
    groups = rng.randint(1, min(4, count))
    cuts = sorted(rng.sample(range(1, count), groups - 1)) if groups > 1 else []
    sizes = [b - a for a, b in zip([0, *cuts], [*cuts, count], strict=True)]
    for part in chain.split(sizes):
        retailers = world.retailers.get((chain.brand, market), [])
        seller = None
        if retailers and rng.random() < 0.5:
            seller = forward(ctx, part, retailers, market, dwell)
        if seller is not None:
            if rng.random() < 0.7:
                part.scan_all(
                    "received", seller, part.since + rng.randint(10, 90) * MINUTE
                )
        else:
            seller = rng.choice(world.marketplaces_in[market])
            site = world.sites_of[seller][0]
            shipped = business_time(part.since, part.site, rng, dwell)
            if site.point is None and rng.random() < 0.05:
                # Still in transit: the hop opens unconfirmed at dispatch, at a site
                # without coordinates, so no speed check can misread it.
                part.ship(seller, site, shipped, None, clean=True)
                continue
            part.ship(
                seller,
                site,
                shipped,
                shipped + transit(part.site, site, rng),
                clean=True,
            )
        part.scan_each("sold", seller, 0.75, (2 * HOUR, 45 * 24 * HOUR))
