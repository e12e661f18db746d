"""What every store does with the load history, checked on each of them alike."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from conftest_stores import Stores

from graphsvc.errors import InvalidArgument
from graphsvc.store.base import Store
from graphsvc.store.loads import LoadOutcome, LoadQuery, LoadRecord, SourceFreshness

T0 = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
SECOND = timedelta(seconds=1)


def record(
    n: int,
    source: str = "partner-a",
    outcome: LoadOutcome = LoadOutcome.LOADED,
    content_hash: str | None = None,
) -> LoadRecord:
    started = T0 + n * SECOND
    failed = outcome is LoadOutcome.FAILED
    return LoadRecord(
        id=f"load-{n:02d}",
        source=source,
        file_name=f"feed-{n}.jsonl",
        content_hash=content_hash if content_hash is not None else f"hash-{n}",
        size=100 + n,
        started=started,
        finished=started + SECOND / 2,
        counts={} if failed else {"scan": n, "item": 1},
        rejected=1 if outcome is LoadOutcome.LOADED_WITH_REJECTIONS else 0,
        outcome=outcome,
        reason="Permission denied" if failed else None,
        rejects_file="loads/load-1/feed.rejects.jsonl" if not failed else None,
    )


def test_a_recorded_load_reads_back_whole(any_store: Store) -> None:
    sent = record(1, outcome=LoadOutcome.LOADED_WITH_REJECTIONS)

    any_store.record_load(sent)

    assert any_store.load_record("load-01") == sent
    assert any_store.load_record("load-99") is None
    assert any_store.loads(LoadQuery()) == [sent]


def test_loads_are_listed_newest_first_a_page_at_a_time(any_store: Store) -> None:
    for n in (3, 1, 4, 2):
        any_store.record_load(record(n, source="b" if n % 2 else "a"))

    everything = [r.id for r in any_store.loads(LoadQuery())]
    first_page = [r.id for r in any_store.loads(LoadQuery(), first=2)]
    second_page = [r.id for r in any_store.loads(LoadQuery(), 2, after="load-03")]
    of_a = [r.id for r in any_store.loads(LoadQuery(source="a"))]
    since = [r.id for r in any_store.loads(LoadQuery(since=T0 + 2 * SECOND))]
    of_b_since = any_store.loads(LoadQuery(source="b", since=T0 + 2 * SECOND))

    assert everything == ["load-04", "load-03", "load-02", "load-01"]
    assert first_page == ["load-04", "load-03"]
    assert second_page == ["load-02", "load-01"]
    assert of_a == ["load-04", "load-02"]
    assert since == ["load-04", "load-03", "load-02"]
    assert [r.id for r in of_b_since] == ["load-03"]


def test_a_cursor_naming_no_load_is_refused(any_store: Store) -> None:
    any_store.record_load(record(1))

    with pytest.raises(InvalidArgument, match="after: names no load"):
        any_store.loads(LoadQuery(), after="load-77")


def test_only_successful_loads_count_as_loaded_content(any_store: Store) -> None:
    any_store.record_load(record(1, content_hash="h1"))
    any_store.record_load(
        record(2, outcome=LoadOutcome.LOADED_WITH_REJECTIONS, content_hash="h2")
    )
    any_store.record_load(record(3, outcome=LoadOutcome.FAILED, content_hash="h3"))

    found = any_store.loaded_hashes(["h1", "h2", "h3", "h4", "h1"])

    assert found == {"h1", "h2"}
    assert any_store.loaded_hashes([]) == set()


def test_loaded_content_can_be_asked_of_one_source(any_store: Store) -> None:
    any_store.record_load(record(1, source="a", content_hash="h1"))
    any_store.record_load(record(2, source="b", content_hash="h2"))
    any_store.record_load(
        record(3, source="b", outcome=LoadOutcome.FAILED, content_hash="h1")
    )

    of_a = any_store.loaded_hashes(["h1", "h2"], "a")
    of_b = any_store.loaded_hashes(["h1", "h2"], "b")
    of_c = any_store.loaded_hashes(["h1", "h2"], "c")

    assert (of_a, of_b, of_c) == ({"h1"}, {"h2"}, set())


def test_each_source_has_its_last_successful_load(any_store: Store) -> None:
    any_store.record_load(record(1, source="a"))
    any_store.record_load(record(2, source="a", outcome=LoadOutcome.FAILED))
    any_store.record_load(record(3, source="b", outcome=LoadOutcome.FAILED))
    any_store.record_load(record(4, source="c"))

    freshness = any_store.source_freshness()

    assert freshness == [
        SourceFreshness("a", T0 + 1.5 * SECOND, T0 + 2.5 * SECOND),
        SourceFreshness("b", None, T0 + 3.5 * SECOND),
        SourceFreshness("c", T0 + 4.5 * SECOND, T0 + 4.5 * SECOND),
    ]


def test_the_history_outlives_the_store_and_stays_out_of_the_graph(
    stores: Stores,
) -> None:
    store = stores.open()
    store.record_load(record(1))
    stores.close(store)

    reopened = stores.open()

    assert [r.id for r in reopened.loads(LoadQuery())] == ["load-01"]
    assert sum(reopened.counts().nodes.values()) == 0
    assert list(reopened.edges()) == []
