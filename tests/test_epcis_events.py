"""Kept EPCIS events, on each store: saved once, retracted, queried a page at a time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from graphsvc.errors import InvalidArgument
from graphsvc.store.base import EventQuery, Retraction, Store, StoredEvent

T0 = datetime(2024, 5, 1, 8, 0, tzinfo=UTC)
ITEM = "https://id.gs1.org/01/04012345111118/21/1"
CASE = "https://id.gs1.org/01/14012345111115/21/9"
DEPOT = "https://id.gs1.org/414/4012345000016"


def event(
    id_: str,
    minutes: int,
    *,
    type_: str = "ObjectEvent",
    step: str | None = "shipping",
    epcs: tuple[tuple[str, str], ...] = (("epc", ITEM),),
    retraction: Retraction | None = None,
) -> StoredEvent:
    return StoredEvent(
        id=id_,
        hash=f"ni:///sha-256;{id_}?ver=CBV2.0",
        type=type_,
        event_time=T0 + timedelta(minutes=minutes),
        record_time=None,
        biz_step=step,
        biz_location=DEPOT,
        read_point=None,
        epcs=epcs,
        document={"type": type_, "eventID": id_, "bizStep": step},
        retraction=retraction,
    )


def test_an_event_is_kept_once(any_store: Store) -> None:
    first = any_store.save_events([event("e1", 0), event("e2", 1), event("e1", 0)])
    again = any_store.save_events([event("e2", 1), event("e3", 2)])

    assert first == [True, True, False]
    assert again == [False, True]
    assert [e.id for e in any_store.events(EventQuery(), 10)] == ["e1", "e2", "e3"]


def test_an_event_reads_back_as_saved(any_store: Store) -> None:
    saved = event(
        "e1",
        0,
        type_="AggregationEvent",
        epcs=(("parent", CASE), ("child", ITEM)),
    )
    any_store.save_events([saved])

    assert any_store.events_by_id(["e1", "nope"]) == [saved, None]


def test_a_retraction_reaches_a_kept_event_once(any_store: Store) -> None:
    declared = Retraction(T0 + timedelta(days=1), "did_not_occur", ("e9",))
    later = Retraction(T0 + timedelta(days=2), "incorrect_data", ())
    any_store.save_events([event("e1", 0)])

    saved = any_store.save_events([event("e1", 0, retraction=declared)])
    any_store.save_events([event("e1", 0, retraction=later)])

    (found,) = any_store.events_by_id(["e1"])
    assert saved == [False]
    assert found is not None
    assert found.retraction == declared


def _page(store: Store, query: EventQuery, first: int = 10) -> list[str]:
    return [e.id for e in store.events(query, first)]


def test_filters_match_like_the_epcis_simple_query(any_store: Store) -> None:
    any_store.save_events(
        [
            event("a", 0),
            event("b", 10, step="receiving"),
            event(
                "c",
                20,
                type_="AggregationEvent",
                step="packing",
                epcs=(("parent", CASE), ("child", ITEM)),
            ),
            event("d", 30, step=None, epcs=(("input", ITEM), ("output", CASE))),
        ]
    )

    assert _page(any_store, EventQuery(biz_steps=frozenset({"shipping"}))) == ["a"]
    assert _page(
        any_store, EventQuery(event_types=frozenset({"AggregationEvent"}))
    ) == ["c"]
    assert _page(
        any_store,
        EventQuery(
            ge_event_time=T0 + timedelta(minutes=10),
            lt_event_time=T0 + timedelta(minutes=30),
        ),
    ) == ["b", "c"]
    assert _page(any_store, EventQuery(match_epc=frozenset({ITEM}))) == [
        "a",
        "b",
        "c",
    ]
    assert _page(any_store, EventQuery(match_epc=frozenset({CASE}))) == []
    assert _page(any_store, EventQuery(match_any_epc=frozenset({CASE}))) == ["c", "d"]
    assert _page(any_store, EventQuery(biz_locations=frozenset({DEPOT}))) == [
        "a",
        "b",
        "c",
        "d",
    ]
    assert _page(any_store, EventQuery(biz_locations=frozenset({"elsewhere"}))) == []


def test_pages_follow_event_time_then_id(any_store: Store) -> None:
    any_store.save_events([event(i, 0 if i in "xy" else 5) for i in "zyxw"])

    first = any_store.events(EventQuery(), 2)
    second = any_store.events(EventQuery(), 2, after=first[-1].id)
    rest = any_store.events(EventQuery(), 2, after=second[-1].id)

    assert [e.id for e in first + second + rest] == ["x", "y", "w", "z"]
    assert rest == []


def test_a_page_after_an_unknown_event_is_refused(any_store: Store) -> None:
    with pytest.raises(InvalidArgument, match="after: names no kept event"):
        any_store.events(EventQuery(), 10, after="gone")
