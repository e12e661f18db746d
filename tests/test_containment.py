"""Containment spans from records, and their projection onto an item's evidence."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta

from graphsvc.engine.containment import is_logistic_unit, project
from graphsvc.engine.evidence import (
    ContainmentFacts,
    ItemEvidence,
    ScanFacts,
    ShipmentFacts,
)
from graphsvc.store.containment import Span, spans

T0 = datetime(2024, 1, 1, tzinfo=UTC)


def at(hours: int) -> datetime:
    return T0 + timedelta(hours=hours)


def record(
    parent: str, child: str | None, hours: int, action: str = "add", **more: str
) -> dict[str, object]:
    found: dict[str, object] = {"parent": parent, "at": at(hours), "action": action}
    if child is not None:
        found["child"] = child
    return {**found, **more}


def spans_of(
    records: Sequence[Mapping[str, object]], *items: str
) -> dict[str, list[Span]]:
    def as_child(ids: set[str]) -> list[Mapping[str, object]]:
        return [r for r in records if r.get("child") in ids]

    def emptied(ids: set[str]) -> list[Mapping[str, object]]:
        return [r for r in records if r["parent"] in ids]

    return spans(items, as_child, emptied)


def test_an_add_lasts_until_the_child_is_removed() -> None:
    found = spans_of(
        [record("case", "unit", 1), record("case", "unit", 5, "delete")], "unit"
    )

    assert found == {"unit": [Span("case", ("case",), at(1), at(5))]}


def test_emptying_the_parent_or_moving_the_child_ends_a_span() -> None:
    found = spans_of(
        [
            record("case", "a", 1),
            record("case", "b", 1),
            record("case", None, 4, "delete"),
            record("other", "b", 3),
        ],
        "a",
        "b",
    )

    assert found == {
        "a": [Span("case", ("case",), at(1), at(4))],
        "b": [
            Span("case", ("case",), at(1), at(3)),
            Span("other", ("other",), at(3), None),
        ],
    }


def test_nested_levels_overlap() -> None:
    found = spans_of(
        [
            record("case", "unit", 1),
            record("pallet", "case", 2),
            record("pallet", "case", 6, "delete"),
            record("case", "unit", 8, "delete"),
        ],
        "unit",
    )

    assert found == {
        "unit": [
            Span("case", ("case",), at(1), at(8)),
            Span("pallet", ("case", "pallet"), at(2), at(6)),
        ]
    }


def test_retracted_records_and_cycles_are_left_out() -> None:
    event = {"event": "e1", "retracted_by": "e1"}
    found = spans_of(
        [
            record("case", "unit", 1, **event),
            record("box", "unit", 2),
            record("unit", "box", 3),
        ],
        "unit",
    )

    assert found == {"unit": [Span("box", ("box",), at(2), None)]}


def _shipment(id_: str, hours: int) -> ShipmentFacts:
    return ShipmentFacts(id_, "FAB", "DIS", "S1", "S2", at(hours))


def test_a_container_moves_count_for_the_item_within_its_span() -> None:
    inside = ContainmentFacts(
        "pallet",
        ("case", "pallet"),
        at(2),
        at(6),
        (_shipment("before", 1), _shipment("during", 2), _shipment("after", 6)),
        (ScanFacts("seen", "S1", at(5), "stored"),),
    )
    evidence = ItemEvidence("unit", None, (_shipment("own", 0),), containment=(inside,))

    projected = project(evidence)

    assert [s.id for s in projected.shipments] == ["own", "during"]
    assert [s.id for s in projected.scans] == ["seen"]


def test_only_an_sscc_is_a_logistic_unit() -> None:
    assert is_logistic_unit("https://id.gs1.org/00/403000112345678901")
    assert not is_logistic_unit("https://id.gs1.org/01/00300010123455/21/11")
