"""The investigation's GraphQL answers, asked of each store in turn."""

from __future__ import annotations

from pathlib import Path

from store_data import Row, ask, load

from graphsvc.engine.clusters import cluster_id
from graphsvc.store.base import Store

GREY_MARKET: list[Row] = [
    {"kind": "brand", "id": "B", "name": "Luma"},
    {"kind": "product", "id": "P", "brand": "B"},
    {"kind": "party", "id": "FAB", "name": "Fab", "role": "manufacturer"},
    {"kind": "party", "id": "GREY", "name": "Grey", "role": "distributor"},
    {"kind": "site", "id": "S-FAB", "operator": "FAB", "country": "FR"},
    {"kind": "site", "id": "S-GREY", "operator": "GREY", "country": "PL"},
    {"kind": "item", "id": "I1", "product": "P", "produced_at": "S-FAB"}
    | {"produced_on": "2026-01-01T00:00:00Z"},
    {"kind": "shipment", "id": "SH1", "shipper": "FAB", "consignee": "GREY"}
    | {"origin": "S-FAB", "destination": "S-GREY", "items": ["I1"]}
    | {"shipped_at": "2026-02-01T00:00:00Z"},
]
"""A factory that ships one item to a distributor the brand never authorized."""


def test_a_lone_unauthorized_holder_is_a_cluster_of_min_size_one(
    any_store: Store, tmp_path: Path
) -> None:
    load(any_store, tmp_path, *GREY_MARKET)

    answer = ask(
        any_store,
        "{ distributorClusters(minSize: 1) { id members { id } links { kind }"
        " itemCount brands { id } entryPoints { id } exits { id } } }",
    )
    default = ask(any_store, "{ distributorClusters { id } }")
    refused = ask(any_store, "{ distributorClusters(minSize: 0) { id } }")

    assert answer == {
        "data": {
            "distributorClusters": [
                {
                    "id": cluster_id(["GREY"]),
                    "members": [{"id": "GREY"}],
                    "links": [],
                    "itemCount": 1,
                    "brands": [{"id": "B"}],
                    "entryPoints": [{"id": "FAB"}],
                    "exits": [],
                }
            ]
        }
    }
    assert default == {"data": {"distributorClusters": []}}
    assert refused == {
        "data": None,
        "errors": ["minSize: must be between 1 and 1000000, got 0"],
    }


def test_a_shipment_answers_its_items_under_the_feed_field_name(
    any_store: Store, tmp_path: Path
) -> None:
    added = {"kind": "shipment_item", "shipment": "SH1", "item": "I0"}
    load(any_store, tmp_path, *GREY_MARKET, added)

    answer = ask(
        any_store,
        '{ shipment(id: "SH1") { items { id described } one: items(first: 1)'
        " { id } itemIds itemCount } }",
    )

    assert answer == {
        "data": {
            "shipment": {
                "items": [
                    {"id": "I1", "described": True},
                    {"id": "I0", "described": False},
                ],
                "one": [{"id": "I1"}],
                "itemIds": ["I1", "I0"],
                "itemCount": 2,
            }
        }
    }


def test_a_page_of_carried_items_past_its_cap_is_refused(
    any_store: Store, tmp_path: Path
) -> None:
    load(any_store, tmp_path, *GREY_MARKET)

    over = [
        ask(any_store, f'{{ shipment(id: "SH1") {{ {field} }} }}')
        for field in ("items(first: 1001) { id }", "itemIds(first: 1001)")
    ]
    negative = ask(any_store, '{ shipment(id: "SH1") { itemIds(first: -1) } }')

    message = "first: must be between 0 and 1000, got 1001"
    assert [answer["errors"] for answer in over] == [[message], [message]]
    assert negative["errors"] == ["first: must be between 0 and 1000, got -1"]
