"""The shortcut `canonical_id` takes for serialised items agrees with the general
reading: it gives the same spelling, and what it declines fails the same way."""

from __future__ import annotations

import pytest

from graphsvc.errors import InvalidIdentifier
from graphsvc.ids import canonical_id, check_digit, gtin_of, parse_gs1

ITEMS = [
    "urn:epc:id:sgtin:0614141.107346.2017",
    "URN:EPC:ID:SGTIN:0614141.107346.2017",
    "urn:epc:id:sgtin:061414112345.1.S9",
    "urn:epc:id:sgtin:061414.1234567.a-b_c.d",
    "urn:epc:id:sgtin:0614141.107346.12345678901234567890",
    "https://id.gs1.org/01/10614141073464/21/2017",
    "HTTP://example.com/01/10614141073464/21/x.y-z_?17=270101#frag",
    "https://example.com/01/10614141073464/21/12345678901234567890",
]


@pytest.mark.parametrize("item", ITEMS)
def test_shortcut_spells_items_as_the_general_reading(item: str) -> None:
    key = parse_gs1(item)

    assert key is not None
    assert canonical_id(item) == key.canonical


@pytest.mark.parametrize("item", ITEMS)
def test_shortcut_reads_the_gtin_of_items_as_the_general_reading(item: str) -> None:
    key = parse_gs1(item)

    assert key is not None
    assert gtin_of(item) == key.value


@pytest.mark.parametrize(
    ("item", "message"),
    [
        (
            "urn:epc:id:sgtin:0614141.10734.1",
            "EPC URN 'urn:epc:id:sgtin:0614141.10734.1': company prefix and item "
            "reference must have 13 digits together, have 12",
        ),
        (
            "https://id.gs1.org/01/10614141073465/21/1",
            "GTIN '10614141073465' has check digit 5, expected 4",
        ),
        (
            "urn:epc:id:sgtin:0614141.107346.123456789012345678901",
            "serial '123456789012345678901' is longer than 20 characters",
        ),
    ],
)
def test_items_the_shortcut_declines_fail_as_before(item: str, message: str) -> None:
    with pytest.raises(InvalidIdentifier) as caught:
        canonical_id(item)
    with pytest.raises(InvalidIdentifier) as read:
        gtin_of(item)

    assert str(caught.value) == message
    assert str(read.value) == message


@pytest.mark.parametrize(
    ("item", "canonical"),
    [
        (
            "urn:epc:id:sgtin:0614141.107346.20%2F17",
            "https://id.gs1.org/01/10614141073464/21/20%2F17",
        ),
        (
            "https://id.gs1.org/01/614141073467/21/7",
            "https://id.gs1.org/01/00614141073467/21/7",
        ),
    ],
)
def test_items_with_escapes_or_short_gtins_take_the_general_path(
    item: str, canonical: str
) -> None:
    assert canonical_id(item) == canonical


@pytest.mark.parametrize(
    ("digits", "expected"),
    [("1061414107346", "4"), ("0", "0"), ("7", "9"), ("00000000000000000", "0")],
)
def test_check_digit(digits: str, expected: str) -> None:
    assert check_digit(digits) == expected
