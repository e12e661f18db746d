"""A small, independent reading of docs/investigation.md over feed files on disk.

The generator derives its truth by construction; this module derives it again from
the files alone, the slow and obvious way, so that a test can compare the two. It
follows the choices `graphsvc.engine` documents where the definitions are silent
(see `graphsvc.generate`), and handles only what the generator writes: CSV master
data and gzip JSON Lines events.
"""

from __future__ import annotations

import csv
import gzip
import itertools
import json
import math
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from graphsvc.ids import canonical_id

NEUTRAL = {"logistics", "customs", "inspector", "marketplace"}
UNAUTHORIZED = {"UNAUTHORIZED_HOLDER", "AUTHORIZATION_NOT_IN_FORCE", "OUT_OF_TERRITORY"}
MAX_KMH = 1000.0

Finding = tuple[str, str, str | None, str | None]
"""(kind, canonical item, party, shipment), as truth.json lists a case."""


@dataclass
class Shipment:
    id: str
    shipper: str
    consignee: str
    origin: str
    destination: str
    shipped_at: datetime
    delivered_at: datetime | None
    carrier: str | None
    items: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Scan:
    id: str
    item: str
    site: str
    at: datetime
    step: str
    party: str | None


@dataclass(frozen=True)
class Hop:
    party: str | None
    site: str
    start: datetime
    shipment: Shipment | None


@dataclass
class Feed:
    """Every record of a generated feed, read back and keyed canonically."""

    parties: dict[str, dict[str, str]]
    sites: dict[str, dict[str, str]]
    brand_of_product: dict[str, str]
    auths: dict[tuple[str, str], list[tuple[date, date | None, set[str]]]]
    items: dict[str, dict[str, object]]
    shipments: dict[str, Shipment]
    scans: list[Scan]


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def read_jsonl(path: Path) -> Iterator[dict[str, object]]:
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                yield json.loads(line)


def instant(text: object) -> datetime:
    assert isinstance(text, str)
    return datetime.fromisoformat(text)


def load(folder: Path) -> Feed:
    parties = {row["id"]: row for row in read_csv(folder / "parties.csv")}
    sites = {row["id"]: row for row in read_csv(folder / "sites.csv")}
    products = {row["id"]: row["brand"] for row in read_csv(folder / "products.csv")}
    auths: dict[tuple[str, str], list[tuple[date, date | None, set[str]]]] = (
        defaultdict(list)
    )
    for row in read_csv(folder / "authorizations.csv"):
        until = date.fromisoformat(row["valid_until"]) if row["valid_until"] else None
        territories = set((row["territories"] or "*").split("|"))
        start = date.fromisoformat(row["valid_from"])
        auths[row["brand"], row["party"]].append((start, until, territories))

    items = {
        canonical_id(str(r["id"])): r for r in read_jsonl(folder / "items.jsonl.gz")
    }
    shipments: dict[str, Shipment] = {}
    links: list[tuple[str, str]] = []
    for r in read_jsonl(folder / "shipments.jsonl.gz"):
        if r["kind"] == "shipment_item":
            links.append((str(r["shipment"]), canonical_id(str(r["item"]))))
            continue
        listed = r.get("items", [])
        assert isinstance(listed, list)
        shipments[str(r["id"])] = Shipment(
            str(r["id"]),
            str(r["shipper"]),
            str(r["consignee"]),
            str(r["origin"]),
            str(r["destination"]),
            instant(r["shipped_at"]),
            instant(r["delivered_at"]) if "delivered_at" in r else None,
            str(r["carrier"]) if "carrier" in r else None,
            [canonical_id(str(i)) for i in listed],
        )
    for shipment, item in links:
        shipments[shipment].items.append(item)

    scans = []
    for r in read_jsonl(folder / "scans.jsonl.gz"):
        key = (r["item"], r["site"], r["at"], r["step"])
        scans.append(
            Scan(
                "|".join(map(str, key)),
                canonical_id(str(r["item"])),
                str(r["site"]),
                instant(r["at"]),
                str(r["step"]),
                str(r["party"]) if "party" in r else None,
            )
        )
    return Feed(parties, sites, products, auths, items, shipments, scans)


def findings(feed: Feed) -> list[Finding]:
    """Every finding of every item referenced anywhere in the feed."""
    by_item_shipments: dict[str, list[Shipment]] = defaultdict(list)
    for shipment in feed.shipments.values():
        for item in shipment.items:
            by_item_shipments[item].append(shipment)
    by_item_scans: dict[str, list[Scan]] = defaultdict(list)
    for scan in feed.scans:
        by_item_scans[scan.item].append(scan)

    keys = set(feed.items) | set(by_item_shipments) | set(by_item_scans)
    found: list[Finding] = []
    for key in sorted(keys):
        found += _item_findings(feed, key, by_item_shipments[key], by_item_scans[key])
    return found


def _item_findings(
    feed: Feed, key: str, shipments: list[Shipment], scans: list[Scan]
) -> list[Finding]:
    shipments.sort(key=lambda s: (s.shipped_at, s.delivered_at or s.shipped_at, s.id))
    scans.sort(key=lambda s: (s.at, s.id))
    item = feed.items.get(key)
    out: list[Finding] = []
    if item is None:
        refs: list[tuple[datetime, int, str | None, str | None]]
        refs = [(s.shipped_at, 0, s.shipper, s.id) for s in shipments[:1]]
        refs += [(s.at, 1, s.party, None) for s in scans[:1]]
        _, _, party, shipment = min(refs, key=lambda r: (r[0], r[1]))
        out.append(("UNKNOWN_ITEM", key, party, shipment))
        brand = producer = None
        hops: list[Hop] = []
    else:
        brand = feed.brand_of_product[str(item["product"])]
        made_at = str(item["produced_at"])
        producer = feed.sites[made_at]["operator"]
        hops = [Hop(producer, made_at, instant(item["produced_on"]), None)]
    for s in shipments:
        hops.append(Hop(s.consignee, s.destination, s.delivered_at or s.shipped_at, s))

    def judged(party: str | None) -> bool:
        role = feed.parties.get(party or "", {}).get("role")
        return party is not None and party != producer and role not in NEUTRAL

    # Receipts, and REENTRY after an unauthorized one.
    tainted = False
    for hop in hops:
        if brand is None or not judged(hop.party) or hop.shipment is None:
            continue
        assert hop.party is not None
        verdict = _verdict(feed, brand, hop.party, hop.start, hop.site)
        shipment_id = hop.shipment.id
        if verdict is not None:
            tainted = True
            out.append((verdict, key, hop.party, shipment_id))
        elif tainted:
            out.append(("REENTRY", key, hop.party, shipment_id))

    # Shippers that do not hold the item.
    for previous, current in itertools.pairwise(hops):
        assert current.shipment is not None
        holder, shipper = previous.party, current.shipment.shipper
        if holder is not None and holder != shipper:
            out.append(("BROKEN_CUSTODY", key, shipper, current.shipment.id))

    # Scans naming a judged party outside its custody.
    ends = [
        max(h.start, n.shipment.shipped_at) if n.shipment else None
        for h, n in itertools.pairwise(hops)
    ] + [None]
    for scan in scans:
        if hops and judged(scan.party) and not _holds(scan, hops, ends):
            out.append(("BROKEN_CUSTODY", key, scan.party, None))

    # Shipments in flight at once: each one that leaves before an earlier one
    # arrives, or at the instant an earlier one left.
    for n, s in enumerate(shipments):
        if any(
            s.shipped_at < (e.delivered_at or e.shipped_at)
            or s.shipped_at == e.shipped_at
            for e in shipments[:n]
        ):
            out.append(("CLONED_SERIAL", key, s.shipper, s.id))

    out += _too_fast(feed, key, item, producer, shipments, scans)

    if item is not None:
        for scan in scans:
            if scan.step == "produced" and scan.site != item["produced_at"]:
                party = scan.party or feed.sites[scan.site]["operator"]
                out.append(("CLONED_SERIAL", key, party, None))
    return out


def _verdict(feed: Feed, brand: str, party: str, at: datetime, site: str) -> str | None:
    grants = feed.auths.get((brand, party), [])
    if not grants:
        return "UNAUTHORIZED_HOLDER"
    day = at.astimezone(UTC).date()
    current = [g for g in grants if g[0] <= day and (g[1] is None or day <= g[1])]
    if not current:
        return "AUTHORIZATION_NOT_IN_FORCE"
    country = feed.sites[site]["country"]
    if any("*" in g[2] or country in g[2] for g in current):
        return None
    return "OUT_OF_TERRITORY"


def _holds(scan: Scan, hops: list[Hop], ends: list[datetime | None]) -> bool:
    party, at = scan.party, scan.at
    for hop, end in zip(hops, ends, strict=True):
        if hop.party == party and hop.start <= at and (end is None or at <= end):
            return True
        s = hop.shipment
        if s is not None and party in (s.shipper, s.consignee, s.carrier):
            arrival = s.delivered_at or end
            if s.shipped_at <= at and (arrival is None or at <= arrival):
                return True
    return False


def _too_fast(
    feed: Feed,
    key: str,
    item: dict[str, object] | None,
    producer: str | None,
    shipments: list[Shipment],
    scans: list[Scan],
) -> list[Finding]:
    # (instant, order, ref, site, party, shipment)
    places: list[tuple[datetime, int, str, str, str | None, str | None]] = []
    if item is not None:
        made = instant(item["produced_on"])
        places.append((made, 0, "", str(item["produced_at"]), producer, None))
    for s in shipments:
        places.append((s.shipped_at, 1, s.id, s.origin, s.shipper, s.id))
        if s.delivered_at is not None:
            places.append((s.delivered_at, 2, s.id, s.destination, s.consignee, s.id))
    places += [(c.at, 3, c.id, c.site, c.party, None) for c in scans]
    located = sorted(
        (p for p in places if feed.sites[p[3]]["lat"]), key=lambda p: p[:3]
    )

    out: list[Finding] = []
    for before, after in itertools.pairwise(located):
        if before[3] == after[3]:
            continue
        km = _km(feed.sites[before[3]], feed.sites[after[3]])
        hours = (after[0] - before[0]).total_seconds() / 3600
        if km > 0 and (hours <= 0 or km / hours > MAX_KMH):
            out.append(("CLONED_SERIAL", key, after[4], after[5]))
    return out


def _km(a: dict[str, str], b: dict[str, str]) -> float:
    lat1, lon1, lat2, lon2 = (
        math.radians(float(v)) for v in (a["lat"], a["lon"], b["lat"], b["lon"])
    )
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371.0088 * math.asin(min(1.0, math.sqrt(h)))


# -- clusters --------------------------------------------------------------------


def normalised(kind: str, value: str) -> str | None:
    """A party identifier as the cluster rule compares it; None if it cannot link."""
    if kind == "phone":
        digits = re.sub(r"\D", "", value)
        return digits if len(digits) >= 7 else None
    if kind == "email":
        return value.strip().lower() or None
    if kind == "tax_id":
        return re.sub(r"\s", "", value).upper() or None
    return " ".join(re.sub(r"[\W_]", " ", value.lower()).split()) or None


def clusters(feed: Feed, found: list[Finding]) -> list[dict[str, list[str]]]:
    """Connected groups of two or more members, with entry points and exits."""
    members = sorted({f[2] for f in found if f[0] in UNAUTHORIZED and f[2]})
    parent = {m: m for m in members}

    def root(m: str) -> str:
        while parent[m] != m:
            m = parent[m]
        return m

    def join(a: str, b: str) -> None:
        parent[root(a)] = root(b)

    for s in feed.shipments.values():
        if s.shipper in parent and s.consignee in parent:
            join(s.shipper, s.consignee)
    for kind in ("phone", "email", "tax_id", "address"):
        seen: dict[str, str] = {}
        for m in members:
            raw = feed.parties.get(m, {}).get(kind)
            value = normalised(kind, raw) if raw else None
            if value is None:
                continue
            if value in seen:
                join(seen[value], m)
            seen.setdefault(value, m)

    groups: dict[str, list[str]] = defaultdict(list)
    for m in members:
        groups[root(m)].append(m)
    answer = []
    for group in groups.values():
        if len(group) < 2:
            continue
        inside = set(group)
        entries = {
            s.shipper
            for s in feed.shipments.values()
            if s.consignee in inside and s.shipper not in inside
        }
        exits = {
            s.consignee
            for s in feed.shipments.values()
            if s.shipper in inside and s.consignee not in inside
        }
        answer.append(
            {
                "members": sorted(group),
                "entry_points": sorted(entries),
                "exits": sorted(exits),
            }
        )
    return sorted(answer, key=lambda c: c["members"])
