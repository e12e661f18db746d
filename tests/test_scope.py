"""Brand scope: a key limited to brand B1 sees its items, findings and clusters."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from epcis_data import DL, load_text, object_document
from fastapi.testclient import TestClient
from secured import RECORDS, client, headers, loaded_data

from graphsvc.api.cursors import encode_cursor
from graphsvc.security.scope import BrandScope
from graphsvc.store import open_store


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    data = loaded_data(tmp_path_factory.mktemp("scope"))
    with client(data) as running:
        yield running


def ask(app: TestClient, who: str, query: str) -> dict[str, Any]:
    response = app.post("/graphql", json={"query": query}, headers=headers(who))
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


FINDINGS = "{ findings { totalCount edges { node { item { id } party { id } } } } }"


def test_findings_are_those_of_the_keys_brand(app: TestClient) -> None:
    everything = ask(app, "admin", FINDINGS)["data"]["findings"]
    scoped = ask(app, "reader_b1", FINDINGS)["data"]["findings"]

    assert everything["totalCount"] == 3
    assert scoped == {
        "totalCount": 1,
        "edges": [{"node": {"item": {"id": "I1"}, "party": {"id": "GREY"}}}],
    }


def test_asking_for_another_brand_finds_nothing(app: TestClient) -> None:
    found = ask(
        app, "reader_b1", '{ findings(brand: "B2") { totalCount edges { cursor } } }'
    )

    assert found == {"data": {"findings": {"totalCount": 0, "edges": []}}}


def test_a_cursor_of_another_brands_finding_names_no_finding(
    app: TestClient,
) -> None:
    every = ask(app, "admin", "{ findings { edges { cursor node { item { id } } } } }")
    cursors = [
        e["cursor"]
        for e in every["data"]["findings"]["edges"]
        if e["node"]["item"]["id"] == "J1"
    ]
    unknown = encode_cursor("finding", "0" * 20)
    page = '{{ findings(after: "{}") {{ edges {{ cursor }} }} }}'

    answers = [ask(app, "reader_b1", page.format(c)) for c in [*cursors, unknown]]

    assert len(cursors) == 2
    assert [(a["data"], [e["message"] for e in a["errors"]]) for a in answers] == [
        (None, ["after: names no finding (the data changed); start again"])
    ] * 3


def test_a_key_of_several_brands_names_one(app: TestClient) -> None:
    without = ask(app, "reader_b1b2", "{ findings { totalCount } }")
    with_brand = ask(app, "reader_b1b2", '{ findings(brand: "B2") { totalCount } }')

    assert without["errors"][0]["message"] == (
        "brand: is required: this API key is scoped to several brands"
    )
    assert with_brand == {"data": {"findings": {"totalCount": 2}}}


def test_items_products_and_brands_of_other_brands_do_not_exist(
    app: TestClient,
) -> None:
    query = """{ i1: item(id: "I1") { id } j1: item(id: "J1") { id }
      p2: product(id: "P2") { id } b2: brand(id: "B2") { id }
      provenance(itemId: "J1") { item { id } } }"""

    assert ask(app, "reader_b1", query) == {
        "data": {
            "i1": {"id": "I1"},
            "j1": None,
            "p2": None,
            "b2": None,
            "provenance": None,
        }
    }


def test_the_same_query_text_keeps_to_each_keys_scope(app: TestClient) -> None:
    # Parsing and validation are cached by query text; the answer must not be.
    query = '{ provenance(itemId: "J1") { item { id } hops { party { id } } } }'

    first = ask(app, "reader", query)
    scoped = ask(app, "reader_b1", query)
    again = ask(app, "reader", query)

    assert first == again
    assert first["data"]["provenance"]["item"] == {"id": "J1"}
    assert scoped == {"data": {"provenance": None}}


def test_shipments_show_only_the_keys_items(app: TestClient) -> None:
    query = '{ shipment(id: "SH1") { itemCount itemIds } }'

    assert ask(app, "admin", query)["data"]["shipment"] == {
        "itemCount": 2,
        "itemIds": ["I1", "J1"],
    }
    assert ask(app, "reader_b1", query)["data"]["shipment"] == {
        "itemCount": 1,
        "itemIds": ["I1"],
    }


def test_a_shipments_properties_list_only_the_keys_items(app: TestClient) -> None:
    hood = '{ neighborhood(id: "Shipment:SH1") { nodes { id properties } } }'
    found = '{ search(text: "SH1") { id properties } }'

    nodes = ask(app, "reader_b1", hood)["data"]["neighborhood"]["nodes"]
    matches = ask(app, "reader_b1", found)["data"]["search"]
    exported = app.get(
        "/export",
        params={"view": "neighborhood", "id": "Shipment:SH1", "format": "json"},
        headers=headers("reader_b1"),
    ).json()["nodes"]

    assert [n["properties"]["items"] for n in nodes if n["id"] == "Shipment:SH1"] == [
        ["I1"]
    ]
    assert [m["properties"]["items"] for m in matches if m["id"] == "Shipment:SH1"] == [
        ["I1"]
    ]
    assert [n["items"] for n in exported if n["id"] == "Shipment:SH1"] == ["I1"]


def test_clusters_are_chosen_and_described_within_the_scope(app: TestClient) -> None:
    query = "{ distributorClusters { members { id } brands { id } } }"
    b2 = '{ distributorClusters(brand: "B2") { members { id } brands { id } } }'

    assert ask(app, "admin", query)["data"]["distributorClusters"] == [
        {
            "members": [{"id": "DARK"}, {"id": "GREY"}],
            "brands": [{"id": "B1"}, {"id": "B2"}],
        }
    ]
    assert ask(app, "reader_b1", query)["data"]["distributorClusters"] == []
    assert ask(app, "reader_b1b2", b2)["data"]["distributorClusters"] == [
        {
            "members": [{"id": "DARK"}, {"id": "GREY"}],
            "brands": [{"id": "B1"}, {"id": "B2"}],
        }
    ]


def test_a_clusters_item_count_counts_only_the_keys_items(app: TestClient) -> None:
    # GREY received I1 (B1) and J1 (B2) on SH1.
    query = "{ distributorClusters(minSize: 1) { members { id } itemCount } }"
    b1 = '{ distributorClusters(brand: "B1", minSize: 1) { members { id } itemCount } }'

    assert ask(app, "admin", b1)["data"]["distributorClusters"] == [
        {"members": [{"id": "GREY"}], "itemCount": 2}
    ]
    assert ask(app, "reader_b1", query)["data"]["distributorClusters"] == [
        {"members": [{"id": "GREY"}], "itemCount": 1}
    ]


def test_clusters_are_ordered_by_the_items_the_key_sees(tmp_path: Path) -> None:
    # GREY holds one B1 item and three of B2's; DARK two of B1's: everyone sees
    # GREY's cluster first, a B1 key DARK's.
    records = [
        *RECORDS[:12],
        *(
            {"kind": "item", "id": i, "product": p}
            for i, p in [("J2", "P2"), ("J3", "P2"), ("I2", "P1"), ("I3", "P1")]
        ),
        {**RECORDS[12], "items": ["I1", "J1", "J2", "J3"]},
        {**RECORDS[12], "id": "SH3", "consignee": "DARK", "destination": "S-DARK"}
        | {"items": ["I2", "I3"]},
    ]
    query = (
        '{ distributorClusters(brand: "B1", minSize: 1) { members { id } itemCount } }'
    )

    with client(loaded_data(tmp_path, records)) as app:
        every = ask(app, "admin", query)["data"]["distributorClusters"]
        scoped = ask(app, "reader_b1", query)["data"]["distributorClusters"]

    assert every == [
        {"members": [{"id": "GREY"}], "itemCount": 4},
        {"members": [{"id": "DARK"}], "itemCount": 2},
    ]
    assert scoped == [
        {"members": [{"id": "DARK"}], "itemCount": 2},
        {"members": [{"id": "GREY"}], "itemCount": 1},
    ]


def test_a_neighbourhood_hides_other_brands_and_what_only_they_reach(
    app: TestClient,
) -> None:
    query = '{ neighborhood(id: "Item:I1", depth: 2) { nodes { id } } }'
    hidden = '{ neighborhood(id: "Item:J1", depth: 2) { nodes { id } edges { id } } }'

    every = ask(app, "admin", query)["data"]["neighborhood"]["nodes"]
    nodes = ask(app, "reader_b1", query)["data"]["neighborhood"]["nodes"]

    assert "Item:J1" in {n["id"] for n in every}
    assert sorted(n["id"] for n in nodes) == [
        "Brand:B1",
        "Item:I1",
        "Party:FAB",
        "Party:GREY",
        "Product:P1",
        "Shipment:SH1",
        "Site:S-FAB",
        "Site:S-GREY",
    ]
    assert ask(app, "reader_b1", hidden)["data"]["neighborhood"] == {
        "nodes": [],
        "edges": [],
    }


def test_a_hidden_neighbourhood_answers_as_an_unknown_id_does(app: TestClient) -> None:
    shape = (
        '{{ neighborhood(id: "{}", depth: 2, limit: 1)'
        " {{ nodes {{ id }} truncated }} }}"
    )

    hidden = ask(app, "reader_b1", shape.format("Item:J1"))
    unknown = ask(app, "reader_b1", shape.format("Item:NONE"))
    seen = ask(app, "admin", shape.format("Item:J1"))

    assert (
        hidden
        == unknown
        == {"data": {"neighborhood": {"nodes": [], "truncated": False}}}
    )
    assert seen["data"]["neighborhood"]["truncated"] is True


def test_packing_another_brands_item_answers_as_an_unknown_id(
    tmp_path: Path,
) -> None:
    data = gs1_data(tmp_path, packing(B1_ITEM, B2_ITEM))
    query = (
        '{{ neighborhood(id: "Containment:{} @ urn:uuid:{}") {{ nodes {{ id }} }} }}'
    )

    with client(data) as app:
        own = ask(app, "reader_b1", query.format(B1_ITEM, EVENTS[0]))
        other = ask(app, "reader_b1", query.format(B2_ITEM, EVENTS[1]))
        seen = ask(app, "admin", query.format(B2_ITEM, EVENTS[1]))

    assert own["data"]["neighborhood"]["nodes"] == [
        {"id": f"Containment:{B1_ITEM} @ urn:uuid:{EVENTS[0]}"},
        {"id": f"Item:{B1_ITEM}"},
    ]
    assert other == {"data": {"neighborhood": {"nodes": []}}}
    assert [n["id"] for n in seen["data"]["neighborhood"]["nodes"]] == [
        f"Containment:{B2_ITEM} @ urn:uuid:{EVENTS[1]}",
        f"Item:{DL}/00/106141412345678908",
        f"Item:{B2_ITEM}",
    ]


def test_an_item_lists_only_the_keys_items_it_was_made_from(tmp_path: Path) -> None:
    kit = f"{DL}/01/{GTINS['B1']}/21/2"
    kitting: dict[str, object] = {
        "type": "TransformationEvent",
        "eventID": f"urn:uuid:{EVENTS[0]}",
        "eventTime": "2026-01-09T12:00:00Z",
        "eventTimeZoneOffset": "+01:00",
        "inputEPCList": [B1_ITEM, B2_ITEM],
        "outputEPCList": [kit],
        "bizStep": "commissioning",
    }
    data = gs1_data(tmp_path, [kitting])
    query = f'{{ search(text: "{kit}") {{ id properties }} }}'

    with client(data) as app:
        every = ask(app, "admin", query)["data"]["search"]
        scoped = ask(app, "reader_b1", query)["data"]["search"]
        exported = app.get(
            "/export",
            params={"view": "provenance", "id": kit, "format": "json"},
            headers=headers("reader_b1"),
        ).json()["nodes"]

    assert [n["properties"]["madeFrom"] for n in every] == [[B1_ITEM, B2_ITEM]]
    assert [n["properties"]["madeFrom"] for n in scoped] == [[B1_ITEM]]
    assert [n["made_from"] for n in exported if n["id"] == f"Item:{kit}"] == [B1_ITEM]


def gs1_data(tmp_path: Path, events: list[dict[str, object]]) -> Path:
    """`RECORDS` with an item of each brand keyed by GS1, and `events` captured."""
    records = [
        *RECORDS,
        *(
            {"kind": "product", "id": g, "brand": b, "gtin": g}
            for b, g in GTINS.items()
        ),
        {"kind": "item", "id": B1_ITEM, "product": GTINS["B1"]},
        {"kind": "item", "id": B2_ITEM, "product": GTINS["B2"]},
    ]
    data = loaded_data(tmp_path, records)
    store = open_store("embedded", data)
    try:
        report = load_text(store, "events.json", json.dumps(object_document(events)))
    finally:
        store.close()
    assert report.rejected == []
    return data


GTINS = {"B1": "04012345111125", "B2": "04012345111118"}
B1_ITEM, B2_ITEM = (f"{DL}/01/{gtin}/21/1" for gtin in GTINS.values())
EVENTS = (
    "0b4a6a54-0005-4000-8000-000000000001",
    "0b4a6a54-0005-4000-8000-000000000002",
)


def packing(*children: str) -> list[dict[str, object]]:
    """One EPCIS event per child, packing it onto the same pallet."""
    return [
        {
            "type": "AggregationEvent",
            "eventID": f"urn:uuid:{event}",
            "eventTime": "2026-01-09T12:00:00Z",
            "eventTimeZoneOffset": "+01:00",
            "parentID": f"{DL}/00/106141412345678908",
            "childEPCs": [child],
            "action": "ADD",
            "bizStep": "packing",
        }
        for event, child in zip(EVENTS, children, strict=True)
    ]


def test_the_scope_filters_nodes_for_any_reader(tmp_path: Any) -> None:
    store = open_store("embedded", loaded_data(tmp_path))
    try:
        scope = BrandScope(frozenset({"B2"}), store)
        keys = [("Item", "I1"), ("Item", "J1"), ("Party", "GREY"), ("Product", "P1")]

        shown = scope.visible(store.nodes_by_key(keys))
    finally:
        store.close()

    assert [n.id if n is not None else None for n in shown] == [
        None,
        "J1",
        "GREY",
        None,
    ]


def exported(app: TestClient, who: str, **params: str) -> tuple[int, list[str]]:
    """The status of an export as node-link JSON, and its node ids, sorted."""
    response = app.get(
        "/export", params={"format": "json", **params}, headers=headers(who)
    )
    if response.status_code != 200:
        return response.status_code, []
    return 200, sorted(node["id"] for node in response.json()["nodes"])


def test_exports_keep_to_the_keys_brands(app: TestClient) -> None:
    clusters = ask(app, "admin", "{ distributorClusters { id } }")
    cluster = clusters["data"]["distributorClusters"][0]["id"]

    hood = exported(app, "reader_b1", view="neighborhood", id="Item:I1", depth="2")
    other_hood = exported(app, "reader_b1", view="neighborhood", id="Item:J1")
    own_chain = exported(app, "reader_b1", view="provenance", id="I1")
    other_chain = exported(app, "reader_b1", view="provenance", id="J1")
    other_cluster = exported(app, "reader_b1", view="cluster", id=cluster)
    shared_cluster = exported(
        app, "reader_b1b2", view="cluster", id=cluster, brand="B2"
    )

    assert hood == (
        200,
        [
            "Brand:B1",
            "Item:I1",
            "Party:FAB",
            "Party:GREY",
            "Product:P1",
            "Shipment:SH1",
            "Site:S-FAB",
            "Site:S-GREY",
        ],
    )
    assert other_hood == (404, [])
    # I1 went from its factory to GREY, which B1 never authorized: one finding.
    assert own_chain[0] == 200
    assert [n.partition(":")[0] for n in own_chain[1]] == [
        "CustodyHop",
        "CustodyHop",
        "Finding",
        "Item",
    ]
    assert other_chain == (404, [])
    assert other_cluster == (404, [])
    assert shared_cluster == (200, ["Party:DARK", "Party:FAB", "Party:GREY"])


def test_search_finds_only_what_the_key_may_see(app: TestClient) -> None:
    query = '{{ search(text: "{}") {{ id }} }}'

    assert ask(app, "admin", query.format("J1"))["data"]["search"] == [
        {"id": "Item:J1"}
    ]
    assert ask(app, "reader_b1", query.format("J1"))["data"]["search"] == []
    assert ask(app, "reader_b1", query.format("I1"))["data"]["search"] == [
        {"id": "Item:I1"}
    ]


def test_a_scoped_search_reads_on_past_other_brands_matches(tmp_path: Any) -> None:
    store = open_store("embedded", loaded_data(tmp_path))
    try:
        everyone = BrandScope(None, store).search("P", 1)
        b2 = BrandScope(frozenset({"B2"}), store).search("P", 1)
        nobody = BrandScope(frozenset({"B3"}), store).search("P", 5)
    finally:
        store.close()

    assert [n.id for n in everyone] == ["P1"]
    assert [n.id for n in b2] == ["P2"]
    assert nobody == []


def test_the_load_history_is_refused_to_scoped_keys(app: TestClient) -> None:
    query = "{ loads { edges { node { source } } } }"

    everything = ask(app, "admin", query)
    scoped = ask(app, "reader_b1", query)

    assert everything["data"]["loads"]["edges"] == [{"node": {"source": "cli"}}]
    assert scoped["data"] is None
    assert [e["message"] for e in scoped["errors"]] == ["this API key may not do that"]


def test_a_scoped_admin_is_refused_the_audit_log_and_metrics(app: TestClient) -> None:
    audit = ask(app, "admin_b1", "{ auditLog(first: 5) { entries { operation } } }")
    metrics = app.get("/metrics", headers=headers("admin_b1"))
    own = ask(app, "admin_b1", '{ item(id: "I1") { id } }')

    assert audit["data"] is None
    assert [e["message"] for e in audit["errors"]] == ["this API key may not do that"]
    assert (metrics.status_code, metrics.json()) == (
        403,
        {"error": {"code": "forbidden", "message": "this API key may not do that"}},
    )
    assert own == {"data": {"item": {"id": "I1"}}}
