"""Throughput of `evaluate` on typical items: five hops and five scans, no finding.

Run with `python bench/bench_engine.py [items]`; prints items per second of CPU time
on one core. Instants are parsed from text with a +01:00 offset, as a store returns
them, so each carries its own tzinfo object.
"""

from __future__ import annotations

import sys
import time
from datetime import UTC, date, datetime, timedelta, timezone

from graphsvc.engine import evaluate
from graphsvc.engine.evidence import (
    AuthorizationFacts,
    ItemEvidence,
    ItemFacts,
    PartyFacts,
    ScanFacts,
    ShipmentFacts,
    SiteFacts,
)

_CHAIN = ("PA-FAB", "PA-DIST", "PA-WHOLE", "PA-RETAIL-1", "PA-RETAIL-2")
_ROLES = ("manufacturer", "distributor", "wholesaler", "retailer", "retailer")
_CET = timezone(timedelta(hours=1))


def _parsed(instant: datetime) -> datetime:
    return datetime.fromisoformat(instant.astimezone(_CET).isoformat())


def typical_item(n: int) -> ItemEvidence:
    """Produced, shipped four times down the official channel, scanned at each hop."""
    start = datetime(2026, 1, 5, 8, tzinfo=UTC) + timedelta(minutes=n % 997)
    sites = {
        f"SI-{i}": SiteFacts(f"SI-{i}", party, "DE", 50.0 + i, 8.0 + i)
        for i, party in enumerate(_CHAIN)
    }
    shipments = tuple(
        ShipmentFacts(
            f"SH-{n}-{i}",
            _CHAIN[i - 1],
            _CHAIN[i],
            f"SI-{i - 1}",
            f"SI-{i}",
            _parsed(start + timedelta(days=3 * i)),
            _parsed(start + timedelta(days=3 * i + 1)),
        )
        for i in range(1, 5)
    )
    scans = tuple(
        ScanFacts(
            f"SC-{n}-{i}",
            f"SI-{i}",
            _parsed(start + timedelta(days=3 * i + 1, hours=1)),
            "received",
            party,
        )
        for i, party in enumerate(_CHAIN)
    )
    return ItemEvidence(
        item_id=f"IT-{n}",
        item=ItemFacts(f"IT-{n}", "PR-1", "BR-1", "SI-0", _parsed(start)),
        shipments=shipments,
        scans=scans,
        sites=sites,
        parties={
            party: PartyFacts(party, role, party.title())
            for party, role in zip(_CHAIN, _ROLES, strict=True)
        },
        authorizations=tuple(
            AuthorizationFacts(f"AU-{p}", "BR-1", p, date(2025, 1, 1), None, ("DE",))
            for p in _CHAIN[1:]
        ),
    )


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 50_000
    items = [typical_item(n) for n in range(count)]
    assert not evaluate(items[0]).findings, "the typical item should be clean"

    # CPU time, best of three: the figure should reflect the code, not a busy
    # neighbour on the same machine.
    best = float("inf")
    for _ in range(3):
        began = time.process_time()
        for evidence in items:
            evaluate(evidence)
        best = min(best, time.process_time() - began)
    print(
        f"{count} items in {best:.2f} s: {count / best:,.0f} items/s,"
        f" {best / count * 1e6:.1f} us per item"
    )


if __name__ == "__main__":
    main()
