"""Caps on what the loaders read: line length, nesting and document size."""

from __future__ import annotations

import io

import pytest

from graphsvc.errors import InvalidInput
from graphsvc.records import Rejection, Source
from loaders.epcis import parse_epcis
from loaders.feed import MAX_LINE_BYTES, MAX_NESTING, read_jsonl

EPCIS_JSON = (
    b'{"type": "EPCISDocument", "schemaVersion": "2.0", "epcisBody": {"eventList": '
    b'[{"type": "ObjectEvent", "eventTime": "2024-01-01T00:00:00Z", '
    b'"eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "epcList": '
    b'["urn:epc:id:sgtin:0614141.107346.2017"]}]}}'
)


def rejection_of(line: bytes) -> Rejection:
    first = b'{"kind": "brand", "id": "B1", "name": "L"}\n'
    outcomes = list(read_jsonl(io.BytesIO(first + line), "f"))
    assert len(outcomes) == 2
    assert not isinstance(outcomes[0], Rejection)
    rejected = outcomes[1]
    assert isinstance(rejected, Rejection)
    return rejected


def test_a_line_over_the_length_cap_is_rejected_with_its_place() -> None:
    line = b'{"kind": "brand", "id": "' + b"x" * MAX_LINE_BYTES + b'"}\n'

    rejected = rejection_of(line)

    assert (rejected.source, rejected.reason, rejected.field, rejected.raw) == (
        Source("f", 2),
        f"line is longer than {MAX_LINE_BYTES} bytes",
        None,
        "",
    )


def test_a_short_line_that_looks_like_an_internal_marker_is_read_as_sent() -> None:
    rejected = rejection_of(b"\x00overlong\n")

    assert (rejected.reason, rejected.raw) == (
        "line is not JSON: Expecting value at column 1",
        "\x00overlong",
    )


def test_a_line_nested_past_the_cap_is_rejected_before_parsing() -> None:
    depth = MAX_NESTING + 1
    line = b'{"kind": "brand", "id": "B2", "x": ' + b"[" * depth + b"]" * depth + b"}\n"

    rejected = rejection_of(line)

    assert (rejected.source, rejected.reason) == (
        Source("f", 2),
        "line nests arrays and objects more than 32 deep",
    )


def test_brackets_inside_strings_do_not_count_as_nesting() -> None:
    line = b'{"kind": "brand", "id": "B2", "name": "' + b"[{" * 40 + b'"}\n'

    outcomes = list(read_jsonl(io.BytesIO(line), "f"))

    assert not isinstance(outcomes[0], Rejection)


def test_an_epcis_document_over_the_size_cap_is_refused() -> None:
    events = parse_epcis(io.BytesIO(EPCIS_JSON), "big.json", max_bytes=100)

    with pytest.raises(InvalidInput) as raised:
        list(events)

    assert raised.value.message == "big.json: the document is larger than 100 bytes"


def test_an_epcis_document_within_the_cap_is_read() -> None:
    events = list(
        parse_epcis(io.BytesIO(EPCIS_JSON), "d.json", max_bytes=len(EPCIS_JSON))
    )

    assert len(events) == 1


@pytest.mark.parametrize(
    ("document", "message"),
    [
        (
            EPCIS_JSON.replace(
                b'"OBSERVE"', b'"OBSERVE", "x": ' + b"[" * 3000 + b"]" * 3000
            ),
            "deep: not valid JSON: values nested too deeply at line 1, column 79",
        ),
        (
            b'<epcis:EPCISDocument xmlns:epcis="urn:epcglobal:epcis:xsd:2"><EPCISBody>'
            b"<EventList><ObjectEvent>"
            + b"<a>" * 300
            + b"</a>" * 300
            + b"</ObjectEvent></EventList></EPCISBody></epcis:EPCISDocument>",
            "deep:1:855: not well-formed XML: Excessive depth in document: 256, "
            "use XML_PARSE_HUGE option",
        ),
    ],
)
def test_epcis_nesting_is_bounded_by_each_reader(document: bytes, message: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        list(parse_epcis(io.BytesIO(document), "deep"))

    assert raised.value.message == message
