"""The demo feed generator: reproducible, within the feed contract, and truthful.

The files are read back with csv, gzip and json only. `findings_oracle` derives every
finding and cluster from them independently of the generator's bookkeeping, so the
truth file is checked in both directions: nothing missing, nothing extra.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import findings_oracle as oracle
import pytest

from graphsvc import model
from graphsvc.demodata.chains import stamp
from graphsvc.demodata.world import Site
from graphsvc.errors import InvalidArgument
from graphsvc.generate import GenerateSummary, generate
from graphsvc.ids import canonical_gtin, canonical_id

ITEMS = 300
SEED = 11
FILES = (
    "authorizations.csv",
    "brands.csv",
    "items.jsonl.gz",
    "parties.csv",
    "products.csv",
    "scans.jsonl.gz",
    "shipments.jsonl.gz",
    "sites.csv",
    "truth.json",
)
KINDS = {
    "UNAUTHORIZED_HOLDER",
    "AUTHORIZATION_NOT_IN_FORCE",
    "OUT_OF_TERRITORY",
    "BROKEN_CUSTODY",
    "CLONED_SERIAL",
    "UNKNOWN_ITEM",
    "REENTRY",
}
INSTANT = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)")


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, GenerateSummary]:
    folder = tmp_path_factory.mktemp("demo")
    return folder, generate(folder, ITEMS, SEED)


@pytest.fixture(scope="module")
def folder(generated: tuple[Path, GenerateSummary]) -> Path:
    return generated[0]


@pytest.fixture(scope="module")
def truth(folder: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((folder / "truth.json").read_text("utf-8"))
    return loaded


def hashes(folder: Path) -> dict[str, str]:
    return {
        path.name: hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.iterdir())
    }


def events(folder: Path, name: str) -> list[dict[str, Any]]:
    return list(oracle.read_jsonl(folder / name))


# -- reproducibility ---------------------------------------------------------------


def test_same_seed_writes_byte_identical_files(folder: Path, tmp_path: Path) -> None:
    generate(tmp_path, ITEMS, SEED)

    assert hashes(tmp_path) == hashes(folder)


def test_another_seed_writes_other_files(folder: Path, tmp_path: Path) -> None:
    generate(tmp_path, ITEMS, SEED + 1)

    first, second = hashes(folder), hashes(tmp_path)
    assert sorted(first) == sorted(second) == list(FILES)
    same = {name for name in FILES if first[name] == second[name]}
    assert same == {"brands.csv", "products.csv"}  # one fixed catalogue


def test_gzip_headers_carry_no_file_name_and_no_time(folder: Path) -> None:
    for name in ("items.jsonl.gz", "shipments.jsonl.gz", "scans.jsonl.gz"):
        header = (folder / name).read_bytes()[:10]

        assert header[:3] == b"\x1f\x8b\x08", name
        assert header[3] & 0x08 == 0, f"{name} names a file"
        assert header[4:8] == b"\0\0\0\0", f"{name} carries a time"


def test_summary_counts_what_was_written(
    generated: tuple[Path, GenerateSummary], truth: dict[str, Any]
) -> None:
    folder, summary = generated
    shipments = Counter(r["kind"] for r in events(folder, "shipments.jsonl.gz"))

    assert sorted(summary.files) == list(FILES)
    assert summary.records["item"] == ITEMS
    assert summary.records["scan"] == len(events(folder, "scans.jsonl.gz"))
    assert summary.records["shipment"] == shipments["shipment"]
    assert summary.records["shipment_item"] == shipments["shipment_item"]
    assert summary.records["party"] == len(oracle.read_csv(folder / "parties.csv"))
    assert summary.cases == len(truth["cases"])
    assert summary.rings == len(truth["rings"]) == 3
    assert f"truth: {summary.cases:,} findings, 3 rings" in summary.render()


def test_too_few_items_for_the_plants_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InvalidArgument, match=r"^items: must be at least \d+") as info:
        generate(tmp_path, 40, SEED)

    assert info.value.argument == "items"
    assert not tmp_path.joinpath("truth.json").exists()


# -- the feed contract -------------------------------------------------------------


def all_records(folder: Path) -> list[tuple[str, dict[str, Any]]]:
    """(kind, record) for every record, CSV cells already split into lists."""
    out: list[tuple[str, dict[str, Any]]] = []
    for kind, name in (
        ("brand", "brands.csv"),
        ("party", "parties.csv"),
        ("authorization", "authorizations.csv"),
        ("site", "sites.csv"),
        ("product", "products.csv"),
    ):
        for row in oracle.read_csv(folder / name):
            present: dict[str, Any] = {k: v for k, v in row.items() if v != ""}
            if kind == "authorization" and "territories" in present:
                present["territories"] = present["territories"].split("|")
            out.append((kind, present))
    for name in ("items.jsonl.gz", "shipments.jsonl.gz", "scans.jsonl.gz"):
        out += [(record["kind"], record) for record in events(folder, name)]
    return out


def test_every_record_meets_the_feed_contract(folder: Path) -> None:
    records = all_records(folder)

    for kind, record in records:
        if kind == "shipment_item":
            assert {"shipment", "item"} <= set(record), record
            continue
        node_type = model.BY_KIND[kind]
        for spec in node_type.required:
            assert spec.name in record, f"{kind} lacks {spec.name}: {record}"
        for name, value in record.items():
            declared = node_type.by_name.get(name)
            if declared is not None:
                _check_value(declared, value, record)
        if kind == "site":
            assert ("lat" in record) == ("lon" in record), record
    assert {kind for kind, _ in records} == set(model.KINDS)


def _check_value(spec: model.Field, value: Any, record: dict[str, Any]) -> None:
    kinds = model.FieldType
    if spec.type is kinds.INSTANT:
        assert INSTANT.fullmatch(value), f"{spec.name} {value!r} in {record}"
        assert datetime.fromisoformat(value).utcoffset() is not None
    elif spec.type is kinds.DATE:
        assert date.fromisoformat(value).isoformat() == value
    elif spec.type is kinds.CHOICE:
        assert value in spec.choices, f"{spec.name} {value!r}"
    elif spec.type is kinds.COUNTRY:
        assert re.fullmatch(r"[A-Z]{2}", value), value
    elif spec.type is kinds.TERRITORIES:
        assert all(re.fullmatch(r"[A-Z]{2}|\*", t) for t in value), value
    elif spec.type is kinds.NUMBER:
        limit = 90 if spec.name == "lat" else 180
        assert -limit <= float(value) <= limit
    elif spec.type is kinds.GTIN:
        assert canonical_gtin(value) == value
    elif spec.type is kinds.IDENTIFIERS:
        assert value
        assert all(isinstance(v, str) for v in value)


def test_gs1_items_appear_in_both_spellings(folder: Path) -> None:
    records = {canonical_id(r["id"]): r["id"] for r in events(folder, "items.jsonl.gz")}
    references = [r["item"] for r in events(folder, "scans.jsonl.gz")]
    for shipment in events(folder, "shipments.jsonl.gz"):
        references += shipment.get("items", [shipment.get("item")])
    respelled = {
        ref for ref in references if ref and records.get(canonical_id(ref), ref) != ref
    }

    spelled = Counter(i.split(":")[0] for i in records.values())
    assert spelled["urn"] > 0
    assert spelled["https"] > 0
    assert any(ref.startswith("urn:epc:id:sgtin:") for ref in respelled)
    assert any(ref.startswith("https://") for ref in respelled)
    assert sum(i.startswith("IT-") for i in records.values()) > ITEMS // 2


def test_some_shipments_list_items_through_shipment_item_records(folder: Path) -> None:
    records = events(folder, "shipments.jsonl.gz")
    listed = {r["id"] for r in records if r["kind"] == "shipment" and "items" in r}
    linked = {r["shipment"] for r in records if r["kind"] == "shipment_item"}
    shipments = {r["id"] for r in records if r["kind"] == "shipment"}

    assert linked - listed, "no shipment uses shipment_item records alone"
    assert linked & listed, "no shipment combines both"
    assert listed | linked == shipments


@pytest.mark.parametrize(
    ("zone", "switch"),
    [
        ("Europe/Berlin", "2024-03-31T01:00:00+00:00"),
        ("America/New_York", "2024-11-03T06:00:00+00:00"),
        ("Australia/Sydney", "2024-04-06T16:00:00+00:00"),
        ("Asia/Kolkata", "2024-03-31T01:00:00+00:00"),
    ],
)
def test_local_stamps_match_isoformat_across_offset_changes(
    zone: str, switch: str
) -> None:
    tz = ZoneInfo(zone)
    site = Site("SI-X", "PA-X", "DE", "x", None, "x", None, None, tz)
    middle = int(datetime.fromisoformat(switch).timestamp())

    for ts in range(middle - 7_200, middle + 7_200, 13):
        assert stamp(ts, site) == datetime.fromtimestamp(ts, tz).isoformat()


# -- truth -------------------------------------------------------------------------


def test_truth_has_stable_key_order_and_canonical_items(truth: dict[str, Any]) -> None:
    cases = truth["cases"]

    assert list(truth) == ["seed", "items", "cases", "rings"]
    assert (truth["seed"], truth["items"]) == (SEED, ITEMS)
    assert all(list(c) == ["kind", "item", "party", "shipment"] for c in cases)
    assert all(canonical_id(c["item"]) == c["item"] for c in cases)
    assert {c["kind"] for c in cases} == KINDS
    assert cases == sorted(
        cases,
        key=lambda c: (c["kind"], c["item"], c["party"] or "", c["shipment"] or ""),
    )


def test_every_case_names_records_present_in_the_files(
    folder: Path, truth: dict[str, Any]
) -> None:
    feed = oracle.load(folder)
    referenced = {s.item for s in feed.scans}
    referenced |= {i for s in feed.shipments.values() for i in s.items}
    parties = set(feed.parties) | {site["operator"] for site in feed.sites.values()}

    for case in truth["cases"]:
        assert case["item"] in referenced
        assert (case["item"] in feed.items) == (case["kind"] != "UNKNOWN_ITEM")
        assert case["party"] is None or case["party"] in parties
        assert case["shipment"] is None or case["shipment"] in feed.shipments


def test_rings_have_members_an_authorized_entry_point_and_exits(
    folder: Path, truth: dict[str, Any]
) -> None:
    feed = oracle.load(folder)
    rings = truth["rings"]

    assert len(rings) >= 3
    for ring in rings:
        members = set(ring["members"])
        assert 3 <= len(members) <= 6
        assert ring["exits"]
        assert ring["entry_points"]
        assert not members & set(ring["entry_points"] + ring["exits"])
        for entry in ring["entry_points"]:
            leak = next(
                s
                for s in feed.shipments.values()
                if s.shipper == entry and s.consignee in members
            )
            brand = feed.brand_of_product[str(feed.items[leak.items[0]]["product"])]
            grants = feed.auths[brand, entry]
            day = leak.shipped_at.date()
            assert any(g[0] <= day and (g[1] is None or day <= g[1]) for g in grants)


def test_ring_members_alone_share_identifiers(
    folder: Path, truth: dict[str, Any]
) -> None:
    ring_of = {m: n for n, ring in enumerate(truth["rings"]) for m in ring["members"]}
    holders: dict[tuple[str, str], set[str]] = {}
    for party in oracle.read_csv(folder / "parties.csv"):
        for kind in ("phone", "email", "tax_id", "address"):
            value = oracle.normalised(kind, party[kind]) if party[kind] else None
            if value is not None:
                holders.setdefault((kind, value), set()).add(party["id"])

    shared = [ids for ids in holders.values() if len(ids) > 1]
    assert shared
    for ids in shared:
        assert {ring_of.get(i) for i in ids} in ({0}, {1}, {2}), ids


@pytest.mark.parametrize(("items", "seed"), [(ITEMS, SEED), (ITEMS, 5), (2_000, 2)])
def test_truth_lists_exactly_what_the_rules_imply(
    tmp_path: Path, items: int, seed: int
) -> None:
    generate(tmp_path, items, seed)
    truth = json.loads((tmp_path / "truth.json").read_text("utf-8"))

    feed = oracle.load(tmp_path)
    found = oracle.findings(feed)

    expected = Counter(
        (c["kind"], c["item"], c["party"], c["shipment"]) for c in truth["cases"]
    )
    assert Counter(found) == expected
    assert oracle.clusters(feed, found) == truth["rings"]
