"""GS1 identifiers: one canonical spelling for EPC URNs and Digital Link URIs."""

from __future__ import annotations

import doctest
import re
from pathlib import Path

import pytest

from graphsvc import ids
from graphsvc.errors import InvalidIdentifier
from graphsvc.ids import (
    GS1Key,
    canonical_class,
    canonical_gln,
    canonical_gtin,
    canonical_id,
    check_digit,
    gln_of,
    gtin_of,
    parse_gs1,
)

BASE = "https://id.gs1.org/"
EPCIS_SAMPLES = Path(__file__).parents[1] / ".." / "shared" / "data" / "epcis"

# (EPC URN, the same key as a Digital Link on another host, canonical form)
SAME_KEY = [
    (
        "urn:epc:id:sgtin:0614141.107346.2017",
        "http://example.com/01/10614141073464/21/2017",
        "https://id.gs1.org/01/10614141073464/21/2017",
    ),
    (
        "urn:epc:id:sgtin:061414112345.1.S9",
        "https://brand.example/01/10614141123459/21/S9",
        "https://id.gs1.org/01/10614141123459/21/S9",
    ),
    (
        "urn:epc:id:sgtin:952001.1012345.22222223333",
        "https://id.gs1.org/01/19520010123455/21/22222223333",
        "https://id.gs1.org/01/19520010123455/21/22222223333",
    ),
    (
        "urn:epc:id:upui:1234567.089456.51qIgY)%3C%26Jp3*j7'SDB",
        "https://example.com/01/01234567894560/235/51qIgY)%3C%26Jp3*j7'SDB",
        "https://id.gs1.org/01/01234567894560/235/51qIgY%29%3C%26Jp3%2Aj7%27SDB",
    ),
    (
        "urn:epc:id:sscc:0614141.1234567890",
        "https://example.com/00/106141412345678908",
        "https://id.gs1.org/00/106141412345678908",
    ),
    (
        "urn:epc:id:sgln:0037000.00729.8202",
        "https://example.com/414/0037000007296/254/8202",
        "https://id.gs1.org/414/0037000007296/254/8202",
    ),
    (
        "urn:epc:id:sgln:0614141.00777.0",
        "https://example.com/414/0614141007776",
        "https://id.gs1.org/414/0614141007776",
    ),
    (
        "urn:epc:id:pgln:0614141.00777",
        "http://id.gs1.org/417/0614141007776",
        "https://id.gs1.org/417/0614141007776",
    ),
    (
        "urn:epc:id:grai:4012345.55555.987",
        "https://example.com/8003/04012345555554987",
        "https://id.gs1.org/8003/04012345555554987",
    ),
    (
        "urn:epc:id:giai:4000001.111",
        "https://example.org/8004/4000001111",
        "https://id.gs1.org/8004/4000001111",
    ),
    (
        "urn:epc:id:gsrn:0614141.0000010253",
        "https://example.com/8018/061414100000102534",
        "https://id.gs1.org/8018/061414100000102534",
    ),
    (
        "urn:epc:id:gsrnp:0614141.0000010253",
        "https://example.com/8017/061414100000102534",
        "https://id.gs1.org/8017/061414100000102534",
    ),
    (
        "urn:epc:id:gdti:0614141.12345.400",
        "https://example.com/253/0614141123452400",
        "https://id.gs1.org/253/0614141123452400",
    ),
    (
        "urn:epc:id:sgcn:4012345.67890.04711",
        "https://example.com/255/401234567890104711",
        "https://id.gs1.org/255/401234567890104711",
    ),
    (
        "urn:epc:id:ginc:0614141.xyz47%2F11",
        "https://example.com/401/0614141xyz47%2f11",
        "https://id.gs1.org/401/0614141xyz47%2F11",
    ),
    (
        "urn:epc:id:gsin:0614141.123456789",
        "https://example.com/402/06141411234567890",
        "https://id.gs1.org/402/06141411234567890",
    ),
    (
        "urn:epc:class:lgtin:4012345.012345.998877",
        "https://example.com/01/04012345123456/10/998877",
        "https://id.gs1.org/01/04012345123456/10/998877",
    ),
    (
        "urn:epc:idpat:sgtin:4012345.066666.*",
        "https://example.com/01/04012345666663",
        "https://id.gs1.org/01/04012345666663",
    ),
]


@pytest.mark.parametrize(("urn", "digital_link", "canonical"), SAME_KEY)
def test_urn_and_digital_link_give_one_canonical_form(
    urn: str, digital_link: str, canonical: str
) -> None:
    assert canonical_id(urn) == canonical
    assert canonical_id(digital_link) == canonical
    assert canonical_id(canonical) == canonical


@pytest.mark.parametrize(
    ("spelling", "canonical"),
    [
        (
            "HTTPS://Example.COM/01/10614141073464/21/2017",
            "https://id.gs1.org/01/10614141073464/21/2017",
        ),
        (
            "https://id.gs1.de:8443/01/10614141073464/21/2017?17=270101&linkType=all",
            "https://id.gs1.org/01/10614141073464/21/2017",
        ),
        (
            "https://example.com/01/10614141073464#top",
            "https://id.gs1.org/01/10614141073464",
        ),
        (
            "https://example.com/gs1/products/01/10614141073464/21/2017",
            "https://id.gs1.org/01/10614141073464/21/2017",
        ),
        (
            "URN:EPC:ID:SGTIN:0614141.107346.2017",
            "https://id.gs1.org/01/10614141073464/21/2017",
        ),
        ("https://example.com/01/95012346", "https://id.gs1.org/01/00000095012346"),
        ("https://example.com/01/614141000036", "https://id.gs1.org/01/00614141000036"),
        (
            "https://example.com/01/4012345123456",
            "https://id.gs1.org/01/04012345123456",
        ),
        (
            "https://example.com/414/0614141007776/254/0",
            "https://id.gs1.org/414/0614141007776",
        ),
    ],
)
def test_other_spellings_of_a_digital_link(spelling: str, canonical: str) -> None:
    assert canonical_id(spelling) == canonical


@pytest.mark.parametrize(
    "digital_link",
    [
        "https://example.com/01/10614141073464/10/LOT7/21/2017",
        "https://example.com/01/10614141073464/22/V2/10/LOT7/21/2017",
        "https://example.com/01/10614141073464/22/V2/21/2017",
    ],
)
def test_a_serialised_item_is_its_gtin_and_serial_whatever_the_lot(
    digital_link: str,
) -> None:
    canonical = canonical_id(digital_link)

    assert canonical == "https://id.gs1.org/01/10614141073464/21/2017"
    assert canonical == canonical_id("urn:epc:id:sgtin:0614141.107346.2017")


def test_the_lot_stays_readable_beside_the_serial() -> None:
    key = parse_gs1("https://example.com/01/10614141073464/10/LOT%2F7/21/2017")

    assert key == GS1Key("01", "10614141073464", (("10", "LOT/7"), ("21", "2017")))
    assert key.qualifier("10") == "LOT/7"
    assert key.qualifier("22") is None


def test_without_a_serial_the_lot_and_variant_stay() -> None:
    canonical = canonical_id("https://example.com/01/10614141073464/22/V2/10/LOT7")

    assert canonical == "https://id.gs1.org/01/10614141073464/22/V2/10/LOT7"


# (serial as escaped in an EPC URN, as written in a Digital Link, decoded, canonical)
SERIALS = [
    ("A.b-C_9", "A.b-C_9", "A.b-C_9", "A.b-C_9"),
    ("a%2Fb", "a%2fb", "a/b", "a%2Fb"),
    ("%22%25%26%3C%3E%3F", "%22%25%26%3C%3E%3F", '"%&<>?', "%22%25%26%3C%3E%3F"),
    ("!'()*+,:;=", "!'()*+,:;=", "!'()*+,:;=", "%21%27%28%29%2A%2B%2C%3A%3B%3D"),
    ("%41%62", "Ab", "Ab", "Ab"),
]


@pytest.mark.parametrize(("in_urn", "in_link", "decoded", "encoded"), SERIALS)
def test_serial_escapes_round_trip(
    in_urn: str, in_link: str, decoded: str, encoded: str
) -> None:
    urn = f"urn:epc:id:sgtin:0614141.107346.{in_urn}"
    link = f"https://example.com/01/10614141073464/21/{in_link}"
    canonical = f"https://id.gs1.org/01/10614141073464/21/{encoded}"

    assert canonical_id(urn) == canonical
    assert canonical_id(link) == canonical
    key = parse_gs1(canonical)
    assert key is not None
    assert key.qualifier("21") == decoded


@pytest.mark.parametrize(
    "value",
    [
        "IT-000001",
        "",
        "http",
        "httpbin-7",
        "urn",
        "SH-1001",
        "urn:uuid:6d8ff0f2-30a3-4bd3-8c4b-8b8b5a1cf8a1",
        "urn:epcglobal:cbv:bizstep:shipping",
        "urn:epc:id:gid:95100000.12345.400",
        "urn:epc:id:itip:4012345.012345.01.02.987",
        "urn:epc:tag:sgtin-96:3.0614141.107346.2017",
        "urn:epc:idpat:sgtin:4012345.*.*",
        "urn:epc:idpat:sgtin:4012345.066666.7",
        "urn:epc:id",
        "https://example.com",
        "https://example.com/",
        "https://example.com/products/123",
        "http://www.opengis.net/def/crs/EPSG/0/27700",
        "https://example.com/shop/00/123",
        "https://example.com/gs1/01/10614141073465",
        "https://example.com/8006/040123451234560102/21/9",
        "ftp://example.com/01/10614141073464",
        "mailto:ops@example.com",
    ],
)
def test_anything_else_is_returned_unchanged(value: str) -> None:
    assert canonical_id(value) == value
    assert parse_gs1(value) is None


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (
            "https://id.gs1.org/01/10614141073465",
            "GTIN '10614141073465' has check digit 5, expected 4",
        ),
        (
            "https://example.com/01/95012345",
            "GTIN '00000095012345' has check digit 5, expected 6",
        ),
        (
            "https://example.com/00/106141412345678907",
            "SSCC '106141412345678907' has check digit 7, expected 8",
        ),
        (
            "https://example.com/414/0614141007777",
            "GLN '0614141007777' has check digit 7, expected 6",
        ),
        (
            "https://example.com/417/0614141007770",
            "GLN '0614141007770' has check digit 0, expected 6",
        ),
        (
            "https://example.com/8003/04012345555553987",
            "GRAI '04012345555553' has check digit 3, expected 4",
        ),
        (
            "https://example.com/8018/061414100000102535",
            "GSRN '061414100000102535' has check digit 5, expected 4",
        ),
        (
            "https://example.com/253/0614141123451400",
            "GDTI '0614141123451' has check digit 1, expected 2",
        ),
        (
            "https://example.com/402/06141411234567891",
            "GSIN '06141411234567891' has check digit 1, expected 0",
        ),
    ],
)
def test_wrong_check_digits_are_rejected(value: str, message: str) -> None:
    with pytest.raises(InvalidIdentifier) as caught:
        canonical_id(value)

    assert caught.value.message == message


URN_FAULTS = [
    (
        "urn:epc:id:sgtin:0614141.107346",
        "EPC URN 'urn:epc:id:sgtin:0614141.107346' must have 3 parts separated by "
        "dots (company prefix, item reference, serial), has 2",
    ),
    (
        "urn:epc:id:sgtin",
        "EPC URN 'urn:epc:id:sgtin' must have 3 parts separated by dots (company "
        "prefix, item reference, serial), has 0",
    ),
    (
        "urn:epc:id:sscc:0614141.1234567890.1",
        "EPC URN 'urn:epc:id:sscc:0614141.1234567890.1': serial reference "
        "'1234567890.1' must be digits",
    ),
    (
        "urn:epc:id:sgtin:0614141.10734.2017",
        "EPC URN 'urn:epc:id:sgtin:0614141.10734.2017': company prefix and item "
        "reference must have 13 digits together, have 12",
    ),
    (
        "urn:epc:id:sgtin:06141.41073460.2017",
        "EPC URN 'urn:epc:id:sgtin:06141.41073460.2017': company prefix '06141' must "
        "be 6 to 12 digits",
    ),
    (
        "urn:epc:id:sgtin:0614141.10734X.2017",
        "EPC URN 'urn:epc:id:sgtin:0614141.10734X.2017': item reference '10734X' "
        "must be digits",
    ),
    (
        "urn:epc:id:sgtin:0614141.107346.",
        "EPC URN 'urn:epc:id:sgtin:0614141.107346.' has an empty serial",
    ),
    (
        "urn:epc:id:giai:4000001.",
        "EPC URN 'urn:epc:id:giai:4000001.' has an empty asset reference",
    ),
    (
        "urn:epc:id:sgtin:0614141.107346.a%2",
        "serial 'a%2' has a '%' that is not followed by two hex digits",
    ),
    (
        "urn:epc:id:sgtin:0614141.107346.a%20b",
        "serial 'a b' contains ' ', which is not in the GS1 AI 82 character set",
    ),
    (
        "urn:epc:id:sgtin:0614141.107346.caf%C3%A9",
        "serial 'cafÃ©' contains 'Ã', which is not in the GS1 AI 82 character set",
    ),
    (
        "urn:epc:id:sgtin:0614141.107346.123456789012345678901",
        "serial '123456789012345678901' is longer than 20 characters",
    ),
    (
        "urn:epc:class:lgtin:0614141.107346.L 1",
        "lot 'L 1' contains ' ', which is not in the GS1 AI 82 character set",
    ),
    (
        "urn:epc:id:grai:4012345.55555.12345678901234567",
        "GRAI serial '12345678901234567' is longer than 16 characters",
    ),
    (
        "urn:epc:id:sgcn:4012345.67890.12A",
        "GCN serial '12A' must be digits",
    ),
    (
        "urn:epc:id:giai:4000001.1234567890123456789012345",
        "GIAI '40000011234567890123456789012345' is longer than 30 characters",
    ),
]


@pytest.mark.parametrize(("urn", "message"), URN_FAULTS)
def test_malformed_urns_are_rejected(urn: str, message: str) -> None:
    with pytest.raises(InvalidIdentifier) as caught:
        canonical_id(urn)

    assert caught.value.message == message


DIGITAL_LINK_FAULTS = [
    (
        "https://example.com/01/10614141073464/21",
        "Digital Link 'https://example.com/01/10614141073464/21': AI 21 has no value",
    ),
    (
        "https://example.com/01/10614141073464/",
        "Digital Link 'https://example.com/01/10614141073464/' has an empty path "
        "segment",
    ),
    (
        "https://example.com/01/10614141073464/17/270101",
        "Digital Link 'https://example.com/01/10614141073464/17/270101': 17 is not "
        "a key qualifier of AI 01 (allowed: 22, 10, 21, 235)",
    ),
    (
        "https://example.com/00/106141412345678908/21/1",
        "Digital Link 'https://example.com/00/106141412345678908/21/1': 21 is not a "
        "key qualifier of AI 00 (allowed: none)",
    ),
    (
        "https://example.com/01/10614141073464/21/S/10/L",
        "Digital Link 'https://example.com/01/10614141073464/21/S/10/L': qualifier "
        "10 must come before 21",
    ),
    (
        "https://example.com/01/10614141073464/21/S/21/T",
        "Digital Link 'https://example.com/01/10614141073464/21/S/21/T': qualifier "
        "21 appears twice",
    ),
    ("https://example.com/01/123", "GTIN '123' must be 8, 12, 13 or 14 digits"),
    (
        "https://example.com/01/1061414107346A",
        "GTIN '1061414107346A' must be 8, 12, 13 or 14 digits",
    ),
    ("https://example.com/00/1234", "SSCC '1234' must be 18 digits"),
    ("https://example.com/253/061414", "GDTI '061414' must start with 13 digits"),
    (
        "https://example.com/8003/14012345555554987",
        "GRAI '14012345555554987' must start with 0",
    ),
    (
        "https://example.com/414/0614141007776/254/a%zz",
        "GLN extension 'a%zz' has a '%' that is not followed by two hex digits",
    ),
    (
        "https://example.com/01/10614141073464/10/123456789012345678901",
        "lot '123456789012345678901' is longer than 20 characters",
    ),
]


@pytest.mark.parametrize(("link", "message"), DIGITAL_LINK_FAULTS)
def test_malformed_digital_links_are_rejected(link: str, message: str) -> None:
    with pytest.raises(InvalidIdentifier) as caught:
        canonical_id(link)

    assert caught.value.message == message


@pytest.mark.parametrize(
    ("value", "gtin"),
    [
        ("95012346", "00000095012346"),
        ("614141000036", "00614141000036"),
        ("4012345123456", "04012345123456"),
        ("10614141073464", "10614141073464"),
        ("https://example.com/01/614141000036", "00614141000036"),
        ("urn:epc:idpat:sgtin:0614141.107346.*", "10614141073464"),
    ],
)
def test_canonical_gtin_pads_to_14_digits(value: str, gtin: str) -> None:
    assert canonical_gtin(value) == gtin


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("10614141073465", "GTIN '10614141073465' has check digit 5, expected 4"),
        ("95012345", "GTIN '00000095012345' has check digit 5, expected 6"),
        ("12345", "GTIN '12345' must be 8, 12, 13 or 14 digits"),
        ("0614141O07346", "GTIN '0614141O07346' must be 8, 12, 13 or 14 digits"),
        ("PR-LUMA-SERUM", "GTIN 'PR-LUMA-SERUM' must be 8, 12, 13 or 14 digits"),
        (
            "https://id.gs1.org/01/10614141073464/21/2017",
            "'https://id.gs1.org/01/10614141073464/21/2017' adds serial to the GTIN; "
            "give the GTIN alone",
        ),
        (
            "urn:epc:id:sscc:0614141.1234567890",
            "'urn:epc:id:sscc:0614141.1234567890' has key SSCC (AI 00), not GTIN",
        ),
    ],
)
def test_canonical_gtin_rejects(value: str, message: str) -> None:
    with pytest.raises(InvalidIdentifier) as caught:
        canonical_gtin(value)

    assert caught.value.message == message


@pytest.mark.parametrize(
    "value",
    [
        "0614141007776",
        "urn:epc:id:sgln:0614141.00777.0",
        "urn:epc:id:pgln:0614141.00777",
        "https://example.com/414/0614141007776",
        "https://id.gs1.org/417/0614141007776",
    ],
)
def test_canonical_gln_reads_every_spelling(value: str) -> None:
    assert canonical_gln(value) == "0614141007776"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("0614141007777", "GLN '0614141007777' has check digit 7, expected 6"),
        ("061414100777", "GLN '061414100777' must be 13 digits"),
        (
            "urn:epc:id:sgln:0037000.00729.8202",
            "'urn:epc:id:sgln:0037000.00729.8202' adds GLN extension to the GLN; "
            "give the GLN alone",
        ),
        (
            "https://example.com/01/10614141073464",
            "'https://example.com/01/10614141073464' has key GTIN (AI 01), not GLN",
        ),
    ],
)
def test_canonical_gln_rejects(value: str, message: str) -> None:
    with pytest.raises(InvalidIdentifier) as caught:
        canonical_gln(value)

    assert caught.value.message == message


@pytest.mark.parametrize(
    ("value", "canonical"),
    [
        (
            "urn:epc:class:lgtin:0614141.077777.987",
            "https://id.gs1.org/01/00614141777778/10/987",
        ),
        (
            "urn:epc:idpat:sgtin:0614141.107346.*",
            "https://id.gs1.org/01/10614141073464",
        ),
        (
            "http://example.com/01/10614141073464/10/L1",
            "https://id.gs1.org/01/10614141073464/10/L1",
        ),
        ("urn:epc:idpat:sgtin:0614141.*.*", "urn:epc:idpat:sgtin:0614141.*.*"),
        ("https://example.com/classes/7", "https://example.com/classes/7"),
        ("PR-LUMA-SERUM", "PR-LUMA-SERUM"),
    ],
)
def test_canonical_class(value: str, canonical: str) -> None:
    assert canonical_class(value) == canonical


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (
            "urn:epc:id:sgtin:0614141.107346.2017",
            "'urn:epc:id:sgtin:0614141.107346.2017' names one item (serial), not a "
            "product class",
        ),
        (
            "urn:epc:id:sscc:0614141.1234567890",
            "'urn:epc:id:sscc:0614141.1234567890' has key SSCC (AI 00), not a product "
            "class (GTIN, optionally with lot or variant)",
        ),
    ],
)
def test_canonical_class_rejects_instances(value: str, message: str) -> None:
    with pytest.raises(InvalidIdentifier) as caught:
        canonical_class(value)

    assert caught.value.message == message


@pytest.mark.parametrize(
    ("identifier", "gtin", "gln"),
    [
        ("https://id.gs1.org/01/10614141073464/21/2017", "10614141073464", None),
        ("https://id.gs1.org/01/04012345123456/10/998877", "04012345123456", None),
        ("https://id.gs1.org/01/04012345666663", "04012345666663", None),
        ("urn:epc:id:sgtin:0614141.107346.2017", "10614141073464", None),
        ("https://id.gs1.org/414/0037000007296/254/8202", None, "0037000007296"),
        ("https://id.gs1.org/417/0614141007776", None, "0614141007776"),
        ("https://id.gs1.org/00/106141412345678908", None, None),
        ("IT-000001", None, None),
        ("https://example.com/products/123", None, None),
    ],
)
def test_gtin_of_and_gln_of(identifier: str, gtin: str | None, gln: str | None) -> None:
    assert gtin_of(identifier) == gtin
    assert gln_of(identifier) == gln


@pytest.mark.parametrize(
    ("digits", "expected"),
    [
        ("1061414107346", "4"),
        ("10614141234567890", "8"),
        ("061414100777", "6"),
        ("9501234", "6"),
        ("0000000", "0"),
    ],
)
def test_check_digit(digits: str, expected: str) -> None:
    assert check_digit(digits) == expected


def test_check_digit_needs_digits() -> None:
    with pytest.raises(InvalidIdentifier) as caught:
        check_digit("12a")

    assert caught.value.message == "'12a' is not a string of digits"


def test_every_epc_urn_in_the_epcis_samples_reads() -> None:
    assert EPCIS_SAMPLES.is_dir(), f"EPCIS samples missing at {EPCIS_SAMPLES}"
    pattern = re.compile(r"urn:epc:(?:id|class|idpat):[a-z]+:[^\s\"'<]+")
    urns = {
        urn
        for path in EPCIS_SAMPLES.iterdir()
        if path.is_file()
        for urn in pattern.findall(path.read_text(encoding="utf-8"))
    }

    canonical = {urn: canonical_id(urn) for urn in urns}

    assert len(urns) == 92
    unread = [urn for urn, uri in canonical.items() if not uri.startswith(BASE)]
    assert unread == []
    assert canonical["urn:epc:id:sgln:952005385.011.ts4711"] == (
        "https://id.gs1.org/414/9520053850113/254/ts4711"
    )


def test_docstring_examples() -> None:
    failures, tried = doctest.testmod(ids)

    assert (failures, tried) == (0, 13)
