"""Fuzzing the feed and EPCIS parsers: InvalidInput or outcomes, never a crash."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graphsvc.errors import InvalidInput
from graphsvc.records import Record, Rejection
from loaders.epcis import EpcisEvent, EventRejection, parse_epcis
from loaders.feed import read_csv, read_jsonl

SAMPLES = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "epcis"
BUDGET = settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=True,
)

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=20,
)
field_names = st.sampled_from(
    ["kind", "id", "name", "brand", "product", "items", "shipped_at", "lat", "party"]
)
feed_objects = st.dictionaries(
    field_names, json_values | st.sampled_from(["brand", "item", "shipment"])
)


def sample(name: str) -> bytes:
    if not SAMPLES.is_dir():
        pytest.fail(f"the EPCIS samples folder {SAMPLES} is missing", pytrace=False)
    return (SAMPLES / name).read_bytes()


@BUDGET
@given(
    lines=st.lists(
        feed_objects.map(json.dumps).map(str.encode) | st.binary(), max_size=5
    )
)
def test_jsonl_lines_become_records_or_rejections(lines: list[bytes]) -> None:
    stream = io.BytesIO(b"\n".join(lines))

    outcomes = list(read_jsonl(stream, "fuzz.jsonl"))

    assert all(isinstance(o, Record | Rejection) for o in outcomes)


@BUDGET
@given(
    header=st.lists(field_names, min_size=1, max_size=5),
    rows=st.lists(st.lists(st.text(max_size=12), max_size=6), max_size=5),
)
def test_csv_rows_become_records_or_rejections(
    header: list[str], rows: list[list[str]]
) -> None:
    text = "\n".join(",".join(json.dumps(c) for c in row) for row in [header, *rows])

    try:
        outcomes = list(read_csv(io.BytesIO(text.encode()), "fuzz.csv", "party"))
    except InvalidInput:
        return

    assert all(isinstance(o, Record | Rejection) for o in outcomes)


def mutate(data: bytes, edits: list[tuple[int, int, bytes]]) -> bytes:
    for position, cut, insert in edits:
        at = position % (len(data) + 1)
        data = data[:at] + insert + data[at + cut :]
    return data


edits = st.lists(
    st.tuples(st.integers(0, 10**6), st.integers(0, 8), st.binary(max_size=8)),
    min_size=1,
    max_size=4,
)


@BUDGET
@given(
    name=st.sampled_from(
        [
            "ObjectEvent_all_possible_fields.json",
            "Combination_of_different_event.json",
            "AssociationEvent.xml",
            "ObjectEvent_with_sensorData.xml",
        ]
    ),
    changes=edits,
)
def test_damaged_epcis_documents_raise_only_invalid_input(
    name: str, changes: list[tuple[int, int, bytes]]
) -> None:
    document = mutate(sample(name), changes)

    try:
        outcomes = list(parse_epcis(io.BytesIO(document), name))
    except InvalidInput:
        return

    assert all(isinstance(o, EpcisEvent | EventRejection) for o in outcomes)


@BUDGET
@given(event=st.dictionaries(st.text(max_size=15), json_values, max_size=8))
def test_arbitrary_json_events_raise_only_invalid_input(
    event: dict[str, object],
) -> None:
    document = json.dumps(
        {"type": "EPCISDocument", "epcisBody": {"eventList": [event]}}
    ).encode()

    try:
        outcomes = list(parse_epcis(io.BytesIO(document), "fuzz.json"))
    except InvalidInput:
        return

    assert all(isinstance(o, EpcisEvent | EventRejection) for o in outcomes)
