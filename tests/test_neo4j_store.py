"""What only the Neo4j store does: its schema, its statements, findings a person can
browse, answers equal to the embedded store's, and a server that dies mid-load."""

from __future__ import annotations

import json
import random
import threading
from collections.abc import Iterator
from pathlib import Path

import neo4j
import pytest
from conftest_stores import Stores
from neo4j_harness import Neo4jEndpoint, Neo4jHarness
from store_data import WORLD, load, shipment, snapshot, write

from graphsvc.errors import ConfigError, StoreError, StoreUnavailable
from graphsvc.generate import generate
from graphsvc.investigation import Investigation
from graphsvc.model import BY_LABEL, REL_TYPES
from graphsvc.store import cypher
from graphsvc.store.base import FindingQuery, NodeKey, Store
from graphsvc.store.embedded import EmbeddedStore
from graphsvc.store.neo4j import Neo4jStore
from loaders.load import load_paths


@pytest.fixture
def neo4j_stores(neo4j_server: Neo4jHarness, tmp_path: Path) -> Iterator[Stores]:
    """Neo4j stores on the emptied test database, closed after the test."""
    opened = Stores("neo4j", tmp_path, neo4j_server)
    opened.wipe()
    yield opened
    opened.close_all()


@pytest.fixture
def neo4j_store(neo4j_stores: Stores) -> Store:
    return neo4j_stores.open()


def query(endpoint: Neo4jEndpoint, text: str) -> list[dict[str, object]]:
    with neo4j.GraphDatabase.driver(endpoint.uri, auth=endpoint.auth) as driver:
        records, _, _ = driver.execute_query(text, database_=endpoint.database)
    return [record.data() for record in records]


def test_the_schema_is_created_once_whatever_the_starts(
    neo4j_stores: Stores, neo4j_server: Neo4jHarness
) -> None:
    neo4j_stores.open()
    neo4j_stores.open()

    constraints = query(
        neo4j_server.endpoint,
        "SHOW CONSTRAINTS YIELD type, labelsOrTypes, properties"
        " RETURN type, labelsOrTypes[0] + '.' + properties[0] AS key",
    )
    indexes = query(
        neo4j_server.endpoint,
        "SHOW INDEXES YIELD type, labelsOrTypes, properties, owningConstraint"
        " WHERE owningConstraint IS NULL AND type = 'RANGE'"
        " RETURN labelsOrTypes[0] + '.' + properties[0] AS key",
    )

    assert {c["type"] for c in constraints} == {"UNIQUENESS"}
    assert sorted(str(c["key"]) for c in constraints) == sorted(
        [
            *(f"{label}.id" for label in BY_LABEL),
            "CaptureJob.id",
            "EpcisEvent.id",
            "Finding.id",
            "Load.id",
            "Sequence.name",
        ]
    )
    assert sorted(str(i["key"]) for i in indexes) == [
        "Authorization.party",
        "CaptureJob.running",
        "EpcisEvent.event_time",
        "Finding.brand",
        "Finding.item",
        "Finding.party",
        "Load.content_hash",
        "Pending.seq",
    ]


def test_values_travel_as_parameters_never_as_text(
    neo4j_store: Store, tmp_path: Path
) -> None:
    awkward = "O'Neil \"}) DETACH DELETE n //"

    write(
        neo4j_store,
        tmp_path,
        {"kind": "product", "id": "PR}1", "brand": awkward, "name": "{x: 1}"},
    )

    product = neo4j_store.node("Product", "PR}1")
    assert product is not None
    assert product.properties == {"brand": awkward, "name": "{x: 1}"}
    assert neo4j_store.dangling() == {"Brand": [awkward]}
    assert neo4j_store.counts().nodes == {"Brand": 1, "Product": 1}


def test_findings_are_nodes_linked_to_what_they_concern(
    neo4j_store: Store, tmp_path: Path, neo4j_server: Neo4jHarness
) -> None:
    load(neo4j_store, tmp_path, *WORLD, shipment("SH1", ["I1", "I3"]))
    Investigation(neo4j_store).refresh()

    linked = query(
        neo4j_server.endpoint,
        "MATCH (f:Finding)-[:ABOUT]->(item:Item)"
        " MATCH (f)-[:CONCERNS]->(party:Party)"
        " MATCH (f)-[:IN_SHIPMENT]->(shipment:Shipment)"
        " RETURN f.kind AS kind, item.id AS item, party.id AS party,"
        " shipment.id AS shipment, f.brand AS brand, toString(f.at) AS at"
        " ORDER BY item",
    )

    assert linked == [
        {
            "kind": "UNAUTHORIZED_HOLDER",
            "item": item,
            "party": "NORD",
            "shipment": "SH1",
            "brand": "B",
            "at": "2026-02-01T00:00:00Z",
        }
        for item in ("I1", "I3")
    ]
    assert "Finding" not in neo4j_store.counts().nodes
    assert "Pending" not in neo4j_store.counts().nodes
    assert {e.type for e in neo4j_store.edges()} <= {r.type for r in REL_TYPES}


def test_kinds_the_graph_has_none_of_yet_raise_no_server_warnings(
    neo4j_store: Store, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    load(neo4j_store, tmp_path, *WORLD)
    caplog.set_level("INFO", logger="neo4j.notifications")

    Investigation(neo4j_store).refresh()
    neo4j_store.item_evidence(neo4j_store.item_ids())

    warned = [r for r in caplog.records if r.name == "neo4j.notifications"]
    assert [r.getMessage() for r in warned] == []


def test_opening_a_database_that_has_the_schema_logs_no_server_notes(
    neo4j_stores: Stores, caplog: pytest.LogCaptureFixture
) -> None:
    neo4j_stores.open()
    caplog.set_level("INFO", logger="neo4j.notifications")

    neo4j_stores.open()

    noted = [r for r in caplog.records if r.name == "neo4j.notifications"]
    assert [r.getMessage() for r in noted] == []


def test_an_unreachable_server_is_named_and_the_password_is_not() -> None:
    with pytest.raises(StoreUnavailable) as raised:
        Neo4jStore(
            "bolt://127.0.0.1:1",
            "neo4j",
            "pw-that-must-not-leak",
            "neo4j",
            max_retry_time=0,
            connection_timeout=2,
        )

    assert "Neo4j at bolt://127.0.0.1:1 does not answer" in str(raised.value)
    assert "pw-that-must-not-leak" not in str(raised.value)


@pytest.mark.parametrize("uri", ["http://127.0.0.1:7474", "https://db:7473", "db:7687"])
def test_a_uri_the_bolt_protocol_cannot_take_is_a_config_error(uri: str) -> None:
    with pytest.raises(ConfigError) as raised:
        Neo4jStore(uri, "neo4j", "pw", "neo4j", connection_timeout=2)

    assert str(raised.value) == (
        f"{uri} is not a usable Neo4j URI: it must start with bolt://, bolt+s://, "
        "bolt+ssc://, neo4j://, neo4j+s:// or neo4j+ssc://"
    )


def test_statements_take_labels_and_types_only_from_the_model() -> None:
    filled = [cypher.for_label("write/upsert_nodes", label) for label in BY_LABEL]
    filled += [cypher.for_type("write/merge_relationships", r.type) for r in REL_TYPES]

    assert all("$$" not in text for text in filled)
    assert "MERGE (source)-[:OF_BRAND]->(target)" in cypher.for_type(
        "write/merge_relationships", "OF_BRAND"
    )
    with pytest.raises(StoreError, match="not a node label of the model"):
        cypher.for_label("write/upsert_nodes", "Item) DETACH DELETE (n")
    with pytest.raises(StoreError, match="nothing fills"):
        cypher.statement("write/upsert_nodes")


def operators(plan: dict[str, object]) -> list[str]:
    """The operator names of an EXPLAIN plan, depth first."""
    children = plan.get("children", [])
    assert isinstance(children, list)
    found = [str(plan["operatorType"]).split("@")[0]]
    for child in children:
        found += operators(child)
    return found


def test_a_write_batch_seeks_nodes_by_key_and_never_buffers_all_rows(
    neo4j_store: Store, neo4j_server: Neo4jHarness
) -> None:
    keyed = [cypher.for_label("write/upsert_nodes", label) for label in BY_LABEL]
    keyed += [cypher.for_label("read/nodes_by_id", label) for label in BY_LABEL]
    keyed += [cypher.for_label("read/existing_ids", label) for label in BY_LABEL]
    keyed += [cypher.for_type("write/merge_relationships", r.type) for r in REL_TYPES]
    keyed += [cypher.for_type("read/referrers", r.type) for r in REL_TYPES]
    batch = [*keyed, cypher.statement("write/mark_pending")]
    endpoint = neo4j_server.endpoint

    with (
        neo4j.GraphDatabase.driver(
            endpoint.uri, auth=endpoint.auth, notifications_min_severity="OFF"
        ) as driver,
        driver.session(database=endpoint.database) as session,
    ):
        explained = [session.run("EXPLAIN " + text).consume().plan for text in batch]

    for text, found in zip(batch, explained, strict=True):
        assert found is not None
        plan = operators(found)
        assert "Eager" not in plan, text
        assert not any("Scan" in op for op in plan), text
        seeks = [op for op in plan if "Seek" in op]
        assert all(op.startswith("NodeUniqueIndexSeek") for op in seeks), text
        assert seeks or text not in keyed, text


@pytest.mark.slow
def test_a_killed_server_fails_the_load_and_a_rerun_completes_it(
    neo4j_server: Neo4jHarness, tmp_path: Path
) -> None:
    server = neo4j_server.server
    if server is None:
        pytest.skip(f"needs the Maven-started server, not {neo4j_server.source}")
    total, batch = 6_000, 500
    feed = tmp_path / "brands.jsonl"
    feed.write_text(
        "".join(
            json.dumps({"kind": "brand", "id": f"B{n:05d}", "name": f"Brand {n}"})
            + "\n"
            for n in range(total)
        )
    )
    Stores("neo4j", tmp_path, neo4j_server).wipe()
    endpoint = neo4j_server.endpoint
    store = Neo4jStore(
        endpoint.uri,
        endpoint.user,
        endpoint.password,
        endpoint.database,
        max_retry_time=3,
    )
    batches = 0

    def kill_soon(_: object) -> None:
        nonlocal batches
        batches += 1
        if batches == 3:
            # Most likely while the fourth batch is being written.
            threading.Timer(0.02, server.kill).start()

    try:
        with pytest.raises(StoreUnavailable, match=f"Neo4j at {endpoint.uri}"):
            load_paths(store, [feed], batch_size=batch, after_batch=kill_soon)
        server.restart()
        survived = store.counts().nodes.get("Brand", 0)
        load_paths(store, [feed], batch_size=batch)
        embedded = EmbeddedStore(tmp_path / "embedded")
        load_paths(embedded, [feed], batch_size=batch)

        assert survived % batch == 0
        assert 3 * batch <= survived < total
        assert store.counts() == embedded.counts()
        assert snapshot(store) == snapshot(embedded)
        embedded.close()
    finally:
        store.close()
        if not server.running:
            server.start()


def answers(store: Store, keys: list[NodeKey]) -> list[object]:
    """Every question the stores answer, asked about the given nodes."""
    items = store.item_ids()
    parties = [n.id for n in store.nodes("Party")]
    return [
        snapshot(store),
        store.counts(),
        store.dangling(),
        items,
        store.item_evidence(items),
        store.affected_items(keys),
        store.trades(parties),
        store.party_facts(parties),
        store.findings(FindingQuery()),
        *(
            store.neighborhood(key, depth, limit)
            for key in keys
            for depth, limit in ((1, 200), (2, 25), (3, 300))
        ),
    ]


@pytest.mark.slow
def test_both_stores_answer_alike_on_the_demo(
    neo4j_store: Store, tmp_path: Path
) -> None:
    feed = tmp_path / "feed"
    generate(feed, items=600, seed=5)
    embedded = EmbeddedStore(tmp_path / "embedded")
    for store in (embedded, neo4j_store):
        load_paths(store, [feed], batch_size=1_000)
        Investigation(store).refresh()
    nodes, _ = snapshot(embedded)
    keys = [(n.label, n.id) for n in random.Random(5).sample(nodes, 60)]

    expected = answers(embedded, keys)
    found = answers(neo4j_store, keys)
    embedded.close()

    assert len(found) == len(expected) == 9 + 60 * 3
    for n, (mine, theirs) in enumerate(zip(found, expected, strict=True)):
        assert mine == theirs, n
