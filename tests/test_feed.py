"""Every rule of the feed contract: one accepted and one rejected example each."""

from __future__ import annotations

import gzip
import json
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from graphsvc.errors import InvalidInput
from graphsvc.records import Record, Rejection
from loaders.feed import MAX_LINE_BYTES, read_feed

BRAND = {"kind": "brand", "id": "BR-LUMA", "name": "Luma Botanica", "country": "FR"}
PARTY = {"kind": "party", "id": "PA-NORD", "name": "Nordhafen", "role": "distributor"}
SITE = {"kind": "site", "id": "SI-HAM", "operator": "PA-NORD", "country": "DE"}
PRODUCT = {"kind": "product", "id": "PR-1", "brand": "BR-LUMA"}
ITEM = {"kind": "item", "id": "IT-1", "product": "PR-1"}
AUTH = {
    "kind": "authorization",
    "brand": "BR-LUMA",
    "party": "PA-NORD",
    "valid_from": "2025-01-01",
}
SHIPMENT = {
    "kind": "shipment",
    "id": "SH-1",
    "shipper": "PA-FAB",
    "consignee": "PA-NORD",
    "origin": "SI-GRASSE",
    "destination": "SI-HAM",
    "shipped_at": "2026-02-10T08:00:00+01:00",
}
SCAN = {
    "kind": "scan",
    "item": "IT-1",
    "site": "SI-HAM",
    "at": "2026-02-12T15:45:00+01:00",
    "step": "received",
}
LINK = {"kind": "shipment_item", "shipment": "SH-1", "item": "IT-1"}
VALID = [BRAND, PARTY, SITE, PRODUCT, ITEM, AUTH, SHIPMENT, SCAN, LINK]


def jsonl(
    tmp_path: Path, *records: Mapping[str, object], name: str = "feed.jsonl"
) -> Path:
    path = tmp_path / name
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def only(path: Path) -> Record | Rejection:
    (outcome,) = list(read_feed(path))
    return outcome


def rejected(tmp_path: Path, record: Mapping[str, object]) -> str:
    outcome = only(jsonl(tmp_path, record))
    assert isinstance(outcome, Rejection), outcome
    return str(outcome)


def accepted(tmp_path: Path, record: Mapping[str, object]) -> Record:
    outcome = only(jsonl(tmp_path, record))
    assert isinstance(outcome, Record), outcome
    return outcome


def test_every_kind_of_the_contract_example_is_accepted(tmp_path: Path) -> None:
    outcomes = list(read_feed(jsonl(tmp_path, *VALID)))

    assert [o.kind for o in outcomes if isinstance(o, Record)] == [
        "brand",
        "party",
        "site",
        "product",
        "item",
        "authorization",
        "shipment",
        "scan",
        "shipment_item",
    ]


@pytest.mark.parametrize(
    ("record", "field"),
    [
        (BRAND, "name"),
        (PARTY, "role"),
        (AUTH, "valid_from"),
        (SITE, "operator"),
        (SITE, "country"),
        (PRODUCT, "brand"),
        (ITEM, "product"),
        (SHIPMENT, "shipper"),
        (SHIPMENT, "consignee"),
        (SHIPMENT, "origin"),
        (SHIPMENT, "destination"),
        (SHIPMENT, "shipped_at"),
        (SCAN, "at"),
        (SCAN, "step"),
        (LINK, "item"),
    ],
)
def test_a_missing_required_field_is_named(
    tmp_path: Path, record: Mapping[str, object], field: str
) -> None:
    broken = {k: v for k, v in record.items() if k != field}

    assert rejected(tmp_path, broken) == f"feed.jsonl:1: {field} is missing"


def test_an_empty_required_field_counts_as_missing(tmp_path: Path) -> None:
    assert rejected(tmp_path, {**BRAND, "name": ""}) == "feed.jsonl:1: name is missing"


@pytest.mark.parametrize(
    ("record", "field"),
    [(BRAND, "name"), (PARTY, "name"), (AUTH, "valid_from"), (SCAN, "at")],
)
def test_a_blank_required_field_is_rejected(
    tmp_path: Path, record: Mapping[str, object], field: str
) -> None:
    blank = {**record, field: " \t "}

    assert rejected(tmp_path, blank) == f"feed.jsonl:1: {field} is blank"


def test_the_line_number_counts_blank_lines_which_are_skipped(tmp_path: Path) -> None:
    path = tmp_path / "feed.jsonl"
    path.write_text(f"\n{json.dumps(BRAND)}\n\n{json.dumps({'kind': 'brand'})}\n")

    outcomes = [str(o) if isinstance(o, Rejection) else o.key for o in read_feed(path)]

    assert outcomes == ["BR-LUMA", "feed.jsonl:4: id is missing"]


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        (
            "{not json",
            "line is not JSON: Expecting property name enclosed in double "
            "quotes at column 2",
        ),
        ('["brand"]', "line is not a JSON object"),
        ('{"id": "BR-1"}', "kind is missing"),
        ('{"kind": 3}', "kind must be text"),
        (
            '{"kind": "brands"}',
            "kind 'brands' is not one of brand, party, authorization, site, product, "
            "item, shipment, scan, shipment_item",
        ),
    ],
)
def test_lines_that_are_not_records(tmp_path: Path, line: str, reason: str) -> None:
    path = tmp_path / "feed.jsonl"
    path.write_text(line + "\n")

    assert str(only(path)) == f"feed.jsonl:1: {reason}"


def test_a_line_that_is_not_utf8_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "feed.jsonl"
    path.write_bytes(b'{"kind": "brand", "id": "B\xff", "name": "x"}\n')

    assert str(only(path)) == "feed.jsonl:1: line is not UTF-8 (byte 27)"


@pytest.mark.parametrize(
    ("line", "field"),
    [
        ('{"kind": "brand", "id": "BR-1", "name": "a\\ud800"}', "name"),
        ('{"kind": "brand", "id": "BR-1", "name": "x", "note": ["\\udc00"]}', "note"),
        ('{"kind": "\\ud83d"}', "kind"),
        ('{"\\ud800": 1, "kind": "brand", "id": "BR-1", "name": "x"}', "\\ud800"),
    ],
)
def test_a_lone_surrogate_escape_is_rejected_naming_its_field(
    tmp_path: Path, line: str, field: str
) -> None:
    path = tmp_path / "feed.jsonl"
    path.write_text(line + "\n")

    outcome = only(path)

    assert isinstance(outcome, Rejection)
    assert outcome.field == field
    assert str(outcome) == (
        f"feed.jsonl:1: {field} holds an escaped lone UTF-16 surrogate, which is not "
        "text"
    )


def test_an_escaped_surrogate_pair_is_one_character(tmp_path: Path) -> None:
    path = tmp_path / "feed.jsonl"
    path.write_text('{"kind": "brand", "id": "BR-1", "name": "\\ud83d\\ude00"}\n')

    outcome = only(path)

    assert isinstance(outcome, Record)
    assert outcome.values["name"] == "\U0001f600"


def test_timestamps_keep_their_offset_and_compare_in_utc(tmp_path: Path) -> None:
    record = accepted(tmp_path, SHIPMENT)

    shipped = record.values["shipped_at"]
    assert shipped == datetime(2026, 2, 10, 7, 0, tzinfo=UTC)
    assert isinstance(shipped, datetime)
    assert shipped.utcoffset() == timedelta(hours=1)


def test_z_means_utc(tmp_path: Path) -> None:
    record = accepted(tmp_path, {**SHIPMENT, "shipped_at": "2026-02-10T08:00:00Z"})

    assert record.values["shipped_at"] == datetime(2026, 2, 10, 8, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("2026-02-10 08:00", "shipped_at '2026-02-10 08:00' has no UTC offset"),
        ("2026-02-10T08:00:00", "shipped_at '2026-02-10T08:00:00' has no UTC offset"),
        ("10/02/2026", "shipped_at '10/02/2026' is not an RFC 3339 timestamp"),
        (
            "2026-02-30T08:00:00Z",
            "shipped_at '2026-02-30T08:00:00Z' is not a valid date and time",
        ),
        (1770710400, "shipped_at must be text, not the number 1770710400"),
        (
            "9999-12-31T23:30:00-01:00",
            "shipped_at '9999-12-31T23:30:00-01:00' falls outside the years 1 to "
            "9999 in UTC",
        ),
        (
            "0001-01-01T00:30:00+01:00",
            "shipped_at '0001-01-01T00:30:00+01:00' falls outside the years 1 to "
            "9999 in UTC",
        ),
    ],
)
def test_timestamps_without_offset_or_malformed_are_rejected(
    tmp_path: Path, value: object, reason: str
) -> None:
    assert rejected(tmp_path, {**SHIPMENT, "shipped_at": value}) == (
        f"feed.jsonl:1: {reason}"
    )


def test_delivery_before_shipping_is_rejected(tmp_path: Path) -> None:
    record = {**SHIPMENT, "delivered_at": "2026-02-10T07:30:00+01:00"}

    assert rejected(tmp_path, record) == (
        "feed.jsonl:1: delivered_at '2026-02-10T07:30:00+01:00' is before shipped_at "
        "'2026-02-10T08:00:00+01:00'"
    )


def test_dates_are_whole_days(tmp_path: Path) -> None:
    record = accepted(tmp_path, {**AUTH, "valid_until": "2026-12-31"})

    assert record.values["valid_from"] == date(2025, 1, 1)
    assert record.values["valid_until"] == date(2026, 12, 31)


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("2025/01/01", "valid_from '2025/01/01' is not a date (YYYY-MM-DD)"),
        (
            "2025-01-01T00:00:00Z",
            "valid_from '2025-01-01T00:00:00Z' is not a date (YYYY-MM-DD)",
        ),
        ("2025-02-29", "valid_from '2025-02-29' is not a calendar date"),
    ],
)
def test_bad_dates_are_rejected(tmp_path: Path, value: str, reason: str) -> None:
    assert (
        rejected(tmp_path, {**AUTH, "valid_from": value}) == f"feed.jsonl:1: {reason}"
    )


def test_validity_that_ends_before_it_starts_is_rejected(tmp_path: Path) -> None:
    assert rejected(tmp_path, {**AUTH, "valid_until": "2024-12-31"}) == (
        "feed.jsonl:1: valid_until '2024-12-31' is before valid_from '2025-01-01'"
    )


@pytest.mark.parametrize("value", ["de", "DEU", "XX", "Germany"])
def test_countries_are_upper_case_alpha_2(tmp_path: Path, value: str) -> None:
    assert rejected(tmp_path, {**SITE, "country": value}) == (
        f"feed.jsonl:1: country '{value}' is not an ISO 3166-1 alpha-2 country code "
        "(upper case)"
    )


def test_territories_default_to_every_country_when_absent(tmp_path: Path) -> None:
    record = accepted(tmp_path, AUTH)

    assert "territories" not in record.values


def test_territories_are_a_list_of_countries_or_star(tmp_path: Path) -> None:
    record = accepted(tmp_path, {**AUTH, "territories": ["DE", "AT", "DE"]})
    star = accepted(tmp_path, {**AUTH, "territories": ["*"]})

    assert record.values["territories"] == ("DE", "AT")
    assert star.values["territories"] == ("*",)


def test_a_territory_that_is_not_a_country_is_rejected(tmp_path: Path) -> None:
    assert rejected(tmp_path, {**AUTH, "territories": ["DE", "EU"]}) == (
        "feed.jsonl:1: territories entry 'EU' is neither '*' nor an ISO 3166-1 "
        "alpha-2 country code"
    )


def test_authorization_identity_without_id_includes_valid_from(tmp_path: Path) -> None:
    first = accepted(tmp_path, AUTH)
    renewal = accepted(tmp_path, {**AUTH, "valid_from": "2026-03-01"})
    named = accepted(tmp_path, {**AUTH, "id": "AU-7"})

    assert first.key == "BR-LUMA/PA-NORD/2025-01-01"
    assert renewal.key == "BR-LUMA/PA-NORD/2026-03-01"
    assert named.key == "AU-7"


@pytest.mark.parametrize(
    ("record", "reason"),
    [
        (
            {**PARTY, "role": "reseller"},
            "role 'reseller' is not one of manufacturer, distributor, wholesaler, "
            "retailer, marketplace, logistics, customs, inspector",
        ),
        (
            {**SITE, "type": "shop"},
            "type 'shop' is not one of factory, warehouse, bonded_warehouse, store, "
            "port, hub, office",
        ),
        (
            {**SCAN, "step": "scanned"},
            "step 'scanned' is not one of produced, packed, shipped, received, "
            "stored, customs_cleared, inspected, sold, returned, destroyed",
        ),
    ],
)
def test_choices_are_checked(
    tmp_path: Path, record: Mapping[str, object], reason: str
) -> None:
    assert rejected(tmp_path, record) == f"feed.jsonl:1: {reason}"


def test_coordinates_come_in_pairs_within_range(tmp_path: Path) -> None:
    ok = accepted(tmp_path, {**SITE, "lat": 53.55, "lon": 9.99})

    assert (ok.values["lat"], ok.values["lon"]) == (53.55, 9.99)
    assert rejected(tmp_path, {**SITE, "lat": 53.55}) == (
        "feed.jsonl:1: lon is missing: give both lat and lon, or neither"
    )
    assert rejected(tmp_path, {**SITE, "lat": 91, "lon": 0}) == (
        "feed.jsonl:1: lat 91 is outside [-90, 90]"
    )
    assert rejected(tmp_path, {**SITE, "lat": 0, "lon": -180.5}) == (
        "feed.jsonl:1: lon -180.5 is outside [-180, 180]"
    )
    assert rejected(tmp_path, {**SITE, "lat": "north", "lon": 0}) == (
        "feed.jsonl:1: lat 'north' is not a number"
    )


def test_fields_not_in_the_contract_go_to_extra(tmp_path: Path) -> None:
    record = accepted(tmp_path, {**BRAND, "segment": "luxury", "tier": 2})

    assert record.extra == {"segment": "luxury", "tier": 2}
    assert "segment" not in record.values


def test_extra_values_keep_what_the_standard_json_reading_gives(
    tmp_path: Path,
) -> None:
    path = tmp_path / "feed.jsonl"
    path.write_text(
        '{"kind": "brand", "id": "BR-1", "name": "Luma", "serial": '
        '123456789012345678901234, "huge": 1e400}\n',
        encoding="utf-8",
    )

    (record,) = list(read_feed(path))

    assert isinstance(record, Record)
    assert record.extra == {
        "serial": 123456789012345678901234,
        "huge": float("inf"),
    }


def test_gs1_spellings_of_one_item_key_give_one_identifier(tmp_path: Path) -> None:
    urn = accepted(tmp_path, {**ITEM, "id": "urn:epc:id:sgtin:0614141.107346.2017"})
    link = accepted(
        tmp_path, {**ITEM, "id": "http://example.com/01/10614141073464/21/2017"}
    )

    assert urn.key == link.key == "https://id.gs1.org/01/10614141073464/21/2017"


def test_a_wrong_check_digit_is_rejected(tmp_path: Path) -> None:
    reason = rejected(
        tmp_path, {**ITEM, "id": "https://id.gs1.org/01/10614141073465/21/2017"}
    )

    assert reason == (
        "feed.jsonl:1: id: GTIN '10614141073465' has check digit 5, expected 4"
    )


def test_gtins_are_stored_with_14_digits(tmp_path: Path) -> None:
    record = accepted(tmp_path, {**PRODUCT, "gtin": "3761234500014"})

    assert record.values["gtin"] == "03761234500014"


def test_a_gtin_with_a_wrong_check_digit_is_rejected(tmp_path: Path) -> None:
    # The product line of the feed contract's example carries this GTIN.
    assert rejected(tmp_path, {**PRODUCT, "gtin": "03761234500017"}) == (
        "feed.jsonl:1: gtin: GTIN '03761234500017' has check digit 7, expected 4"
    )


def test_scan_ids_are_deterministic_and_offset_independent(tmp_path: Path) -> None:
    first = accepted(tmp_path, SCAN)
    same_instant = accepted(tmp_path, {**SCAN, "at": "2026-02-12T14:45:00Z"})
    later = accepted(tmp_path, {**SCAN, "at": "2026-02-12T15:46:00+01:00"})
    named = accepted(tmp_path, {**SCAN, "id": "SC-9"})

    assert first.key == same_instant.key
    assert first.key.startswith("scan:")
    assert later.key != first.key
    assert named.key == "SC-9"


def test_shipment_items_are_a_list(tmp_path: Path) -> None:
    record = accepted(tmp_path, {**SHIPMENT, "items": ["IT-1", "IT-2", "IT-1"]})

    assert record.values["items"] == ("IT-1", "IT-2")
    assert rejected(tmp_path, {**SHIPMENT, "items": "IT-1|"}) == (
        "feed.jsonl:1: items has an empty entry"
    )


def test_text_fields_must_be_text(tmp_path: Path) -> None:
    assert rejected(tmp_path, {**PARTY, "phone": 4940555}) == (
        "feed.jsonl:1: phone must be text, not the number 4940555"
    )


CSV_PARTIES = (
    "\ufeffid,name,role,country,phone,address\r\n"
    'PA-NORD,"Nordhafen Handel, GmbH",distributor,DE,,"Kai 1\r\nHamburg"\r\n'
    "PA-X,Reseller,reseller,DE,,\r\n"
)


def test_csv_with_bom_quoting_and_kind_from_file_name(tmp_path: Path) -> None:
    path = tmp_path / "parties.csv"
    path.write_text(CSV_PARTIES, encoding="utf-8")

    first, second = read_feed(path)

    assert isinstance(first, Record)
    assert first.kind == "party"
    assert first.values == {
        "id": "PA-NORD",
        "name": "Nordhafen Handel, GmbH",
        "role": "distributor",
        "country": "DE",
        "address": "Kai 1\r\nHamburg",
    }
    assert str(second) == (
        "parties.csv:4: role 'reseller' is not one of manufacturer, distributor, "
        "wholesaler, retailer, marketplace, logistics, customs, inspector"
    )


def test_csv_kind_column_wins_and_lists_use_pipes(tmp_path: Path) -> None:
    path = tmp_path / "mixed.csv"
    path.write_text(
        "kind,brand,party,valid_from,territories,lat\n"
        "authorization,BR-LUMA,PA-NORD,2025-01-01,DE|AT,\n"
    )

    (record,) = read_feed(path)

    assert isinstance(record, Record)
    assert record.values["territories"] == ("DE", "AT")
    assert record.extra == {}


def test_csv_numbers_are_parsed(tmp_path: Path) -> None:
    path = tmp_path / "sites.csv"
    path.write_text("id,operator,country,lat,lon\nSI-1,PA-1,DE,53.5,-9.25\n")

    (record,) = read_feed(path)

    assert isinstance(record, Record)
    assert (record.values["lat"], record.values["lon"]) == (53.5, -9.25)


def test_a_csv_whose_kind_cannot_be_told_fails_as_a_file(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text("id,name\nBR-1,Luma\n")

    with pytest.raises(Exception, match="no 'kind' column"):
        list(read_feed(path))


def test_a_csv_header_that_is_not_utf8_fails_the_file(tmp_path: Path) -> None:
    path = tmp_path / "brands.csv"
    path.write_bytes(b"id,name,\xff\xfe\nBR-1,Luma,x\n")

    with pytest.raises(InvalidInput) as raised:
        list(read_feed(path))

    assert raised.value.message == "the header is not UTF-8 (column 3)"


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("id,name,id", "the header names the column 'id' twice (columns 1 and 3)"),
        # Cells are trimmed, so a padded name is the same column.
        (
            "name,id, name ",
            "the header names the column 'name' twice (columns 1 and 3)",
        ),
    ],
)
def test_a_csv_header_naming_a_column_twice_fails_the_file(
    tmp_path: Path, header: str, message: str
) -> None:
    path = tmp_path / "brands.csv"
    path.write_text(f"{header}\nBR-1,Luma,BR-2\n")

    with pytest.raises(InvalidInput) as raised:
        list(read_feed(path))

    assert raised.value.message == message


def test_a_csv_header_may_end_in_unnamed_columns(tmp_path: Path) -> None:
    path = tmp_path / "brands.csv"
    path.write_text("id,name,,\nBR-1,Luma,,\n")

    (record,) = read_feed(path)

    assert isinstance(record, Record)
    assert (record.values, record.extra) == ({"id": "BR-1", "name": "Luma"}, {})


def test_a_csv_row_with_the_wrong_number_of_cells_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "brands.csv"
    path.write_text("id,name\nBR-1,Luma,extra\n")

    assert str(only(path)) == "brands.csv:2: row has 3 cells, the header has 2"


def test_csv_quoting_is_strict_so_no_row_is_swallowed(tmp_path: Path) -> None:
    stray = tmp_path / "stray.csv"
    stray.write_text('kind,id,name\nbrand,BR-1,"Lu"ma\nbrand,BR-2,Orba\n')
    unclosed = tmp_path / "unclosed.csv"
    unclosed.write_text('kind,id,name\nbrand,BR-1,"never closed\nbrand,BR-2,Orba\n')

    from_stray = [o.key if isinstance(o, Record) else str(o) for o in read_feed(stray)]
    from_unclosed = [str(o) for o in read_feed(unclosed)]

    assert from_stray == [
        "stray.csv:2: bad CSV quoting: ',' expected after '\"'",
        "BR-2",
    ]
    assert from_unclosed == [
        "unclosed.csv:2: bad CSV quoting: a quoted cell is never closed, so this line"
        " and the 1 after it were not read"
    ]


def test_a_csv_cell_may_be_as_long_as_a_json_line(tmp_path: Path) -> None:
    # Longer than the csv module's own bound of 131,072 characters.
    name = "q" * 200_000
    path = tmp_path / "brands.csv"
    path.write_text(f'id,name\nBR-1,{name}\nBR-2,"{name}\n{name}"\n')

    records = list(read_feed(path))

    assert [(r.key, r.values["name"]) for r in records if isinstance(r, Record)] == [
        ("BR-1", name),
        ("BR-2", f"{name}\n{name}"),
    ]


def test_a_csv_row_longer_than_a_json_line_is_rejected_and_skipped(
    tmp_path: Path,
) -> None:
    long = "q" * (MAX_LINE_BYTES // 4)
    spread = "\n".join([long] * 6)  # one quoted cell over six lines
    path = tmp_path / "brands.csv"
    path.write_text(
        f'id,name\nBR-1,{long * 5}\nBR-2,Luma\nBR-3,"{spread}"\nBR-4,Orba\nBR-5,,,\n'
    )

    outcomes = [o.key if isinstance(o, Record) else str(o) for o in read_feed(path)]

    assert outcomes == [
        f"brands.csv:2: row is longer than {MAX_LINE_BYTES} characters",
        "BR-2",
        f"brands.csv:4: row is longer than {MAX_LINE_BYTES} characters (lines 4 to 9,"
        " not read)",
        "BR-4",
        "brands.csv:11: row has 4 cells, the header has 2",
    ]


def test_gzip_is_read_whatever_the_name(tmp_path: Path) -> None:
    path = tmp_path / "brands.csv.gz"
    path.write_bytes(gzip.compress(b"id,name\nBR-1,Luma\n"))

    (record,) = read_feed(path)

    assert isinstance(record, Record)
    assert record.values == {"id": "BR-1", "name": "Luma"}


def test_offsets_are_kept_for_display(tmp_path: Path) -> None:
    record = accepted(tmp_path, {**SCAN, "at": "2026-03-01T08:00:00+08:00"})

    at = record.values["at"]
    assert isinstance(at, datetime)
    assert at.tzinfo == timezone(timedelta(hours=8))
    assert at.isoformat() == "2026-03-01T08:00:00+08:00"
