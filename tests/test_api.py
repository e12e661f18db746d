"""The GraphQL API end to end, against a real server over HTTP."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from server import Server, serve
from store_data import Row, ask, load

from graphsvc.api.context import Context, Limits
from graphsvc.api.schema import build_schema
from graphsvc.investigation import Investigation
from graphsvc.service import load_into
from graphsvc.store.base import Store

PARTIES = [
    {"kind": "brand", "id": "B1", "name": "Luma Botanica"},
    {
        "kind": "party",
        "id": "FAB",
        "name": "Luma Fab",
        "role": "manufacturer",
        "country": "FR",
    },
    {
        "kind": "party",
        "id": "NORD",
        "name": "Nordhafen",
        "role": "distributor",
        "country": "DE",
    },
    {
        "kind": "party",
        "id": "GREY",
        "name": "Grey Trading",
        "role": "distributor",
        "country": "PL",
        "phone": "+48 22 555 0101",
    },
    {
        "kind": "party",
        "id": "DARK",
        "name": "Dark Goods",
        "role": "wholesaler",
        "country": "PL",
        "phone": "+48 (22) 555-0101",
    },
    {
        "kind": "authorization",
        "id": "AU-NORD",
        "brand": "B1",
        "party": "NORD",
        "valid_from": "2025-01-01",
        "valid_until": "2026-12-31",
        "territories": ["DE"],
    },
    {
        "kind": "site",
        "id": "S-FAB",
        "operator": "FAB",
        "country": "FR",
        "type": "factory",
        "lat": 43.66,
        "lon": 6.92,
    },
    {
        "kind": "site",
        "id": "S-HAM",
        "operator": "NORD",
        "country": "DE",
        "lat": 53.55,
        "lon": 9.99,
    },
    {
        "kind": "site",
        "id": "S-WAW",
        "operator": "GREY",
        "country": "PL",
        "lat": 52.23,
        "lon": 21.01,
    },
    {"kind": "site", "id": "S-DARK", "operator": "DARK", "country": "PL"},
    {"kind": "product", "id": "P1", "brand": "B1", "name": "Night serum"},
]
ITEMS = [f"I{n}" for n in range(1, 9)]
MOVES = [
    *(
        {
            "kind": "item",
            "id": item,
            "product": "P1",
            "produced_at": "S-FAB",
            "produced_on": "2026-01-05T09:00:00+01:00",
        }
        for item in ITEMS
    ),
    {
        "kind": "shipment",
        "id": "SH1",
        "shipper": "FAB",
        "consignee": "NORD",
        "origin": "S-FAB",
        "destination": "S-HAM",
        "shipped_at": "2026-01-10T08:00:00Z",
        "delivered_at": "2026-01-12T10:00:00Z",
        "items": ITEMS,
    },
    {
        "kind": "shipment",
        "id": "SH2",
        "shipper": "NORD",
        "consignee": "GREY",
        "origin": "S-HAM",
        "destination": "S-WAW",
        "shipped_at": "2026-02-01T08:00:00Z",
        "delivered_at": "2026-02-02T10:00:00+01:00",
        "items": ITEMS[1:],
    },
    {
        "kind": "shipment",
        "id": "SH3",
        "shipper": "GREY",
        "consignee": "DARK",
        "origin": "S-WAW",
        "destination": "S-DARK",
        "shipped_at": "2026-02-03T08:00:00Z",
        "items": ["I8"],
    },
]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    root = tmp_path_factory.mktemp("api")
    feed = root / "feed.jsonl"
    feed.write_text("".join(json.dumps(r) + "\n" for r in [*PARTIES, *MOVES]))
    report = load_into(root / "data", [feed])
    assert report.ok, report.render()
    with serve(root / "data", env={"GRAPHSVC_MAX_QUERY_DEPTH": "4"}) as running:
        yield running


PROVENANCE = """
query($id: ID!) {
  provenance(itemId: $id) {
    item { id product { name brand { name } } }
    hops { party { id } site { id } from until shipment { id } confirmed authorized }
    findings { kind party { id } at shipment { id } }
  }
}
"""


def test_the_custody_chain_of_an_item(server: Server) -> None:
    answer = server.graphql(PROVENANCE, id="I2")

    assert answer == {
        "data": {
            "provenance": {
                "item": {
                    "id": "I2",
                    "product": {
                        "name": "Night serum",
                        "brand": {"name": "Luma Botanica"},
                    },
                },
                "hops": [
                    {
                        "party": {"id": "FAB"},
                        "site": {"id": "S-FAB"},
                        "from": "2026-01-05T09:00:00+01:00",
                        "until": "2026-01-10T08:00:00+00:00",
                        "shipment": None,
                        "confirmed": True,
                        "authorized": None,
                    },
                    {
                        "party": {"id": "NORD"},
                        "site": {"id": "S-HAM"},
                        "from": "2026-01-12T10:00:00+00:00",
                        "until": "2026-02-01T08:00:00+00:00",
                        "shipment": {"id": "SH1"},
                        "confirmed": True,
                        "authorized": True,
                    },
                    {
                        "party": {"id": "GREY"},
                        "site": {"id": "S-WAW"},
                        "from": "2026-02-02T10:00:00+01:00",
                        "until": None,
                        "shipment": {"id": "SH2"},
                        "confirmed": True,
                        "authorized": False,
                    },
                ],
                "findings": [
                    {
                        "kind": "UNAUTHORIZED_HOLDER",
                        "party": {"id": "GREY"},
                        "at": "2026-02-02T10:00:00+01:00",
                        "shipment": {"id": "SH2"},
                    },
                ],
            }
        }
    }


def test_an_item_that_stayed_in_the_channel_has_no_finding(server: Server) -> None:
    answer = server.graphql(PROVENANCE, id="I1")

    provenance = answer["data"]["provenance"]
    assert [h["party"]["id"] for h in provenance["hops"]] == ["FAB", "NORD"]
    assert provenance["findings"] == []


def test_unknown_ids_answer_null(server: Server) -> None:
    answer = server.graphql(
        '{ item(id: "nope") { id } party(id: "nope") { id }'
        ' shipment(id: "nope") { id } provenance(itemId: "nope") { item { id } } }'
    )

    assert answer == {
        "data": {"item": None, "party": None, "shipment": None, "provenance": None}
    }


FINDINGS = """
query($first: Int, $after: String) {
  findings(brand: "B1", kinds: [UNAUTHORIZED_HOLDER], first: $first, after: $after) {
    edges { cursor node { item { id } party { id } kind } }
    pageInfo { hasNextPage endCursor }
    totalCount
  }
}
"""


def test_pagination_walks_every_finding_once(server: Server) -> None:
    seen: list[str] = []
    pages: list[int] = []
    after: str | None = None
    while True:
        page = server.graphql(FINDINGS, first=3, after=after)["data"]["findings"]
        seen += [edge["node"]["item"]["id"] for edge in page["edges"]]
        pages.append(len(page["edges"]))
        assert page["totalCount"] == 8
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]

    assert pages == [3, 3, 2]
    assert sorted(seen) == sorted([*ITEMS[1:], "I8"])


def test_explanations_name_the_party_and_the_brand(server: Server) -> None:
    answer = server.graphql(
        '{ findings(party: "GREY", first: 1) { edges { node { explanation } } } }'
    )

    (edge,) = answer["data"]["findings"]["edges"]
    assert edge["node"]["explanation"] == (
        "Grey Trading (GREY) received the item in PL on 2026-02-02, but holds no "
        "authorization from B1."
    )


def errors(answer: dict[str, Any]) -> list[str]:
    return [e["message"] for e in answer["errors"]]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        (
            "{ findings(first: 501) { totalCount } }",
            "first: must be between 0 and 500, got 501",
        ),
        (
            '{ neighborhood(id: "I1", depth: 4) { truncated } }',
            "depth: must be between 0 and 3, got 4",
        ),
        (
            '{ neighborhood(id: "I1", limit: 0) { truncated } }',
            "limit: must be between 1 and 2000, got 0",
        ),
        (
            "{ distributorClusters(minSize: 0) { id } }",
            "minSize: must be between 1 and 1000000, got 0",
        ),
        (
            '{ findings(after: "bogus") { totalCount } }',
            "after: is not a cursor this API gave out",
        ),
        (
            '{ loads(since: "9999-12-31T23:30:00-01:00") { pageInfo { hasNextPage } }'
            " }",
            "since: 9999-12-31T23:30:00-01:00 falls outside the years 1 to 9999 in UTC",
        ),
    ],
)
def test_bad_arguments_name_the_argument_and_its_bound(
    server: Server, query: str, message: str
) -> None:
    assert errors(server.graphql(query)) == [message]


def test_several_operations_need_an_operation_name(server: Server) -> None:
    document = 'query A { item(id: "I1") { id } } query B { item(id: "I2") { id } }'

    unnamed = server.client.post("/graphql", json={"query": document})
    named = server.client.post(
        "/graphql", json={"query": document, "operationName": "B"}
    )

    assert (unnamed.status_code, unnamed.text) == (
        400,
        "the document holds several operations; name the one to run in operationName",
    )
    assert (named.status_code, named.json()) == (200, {"data": {"item": {"id": "I2"}}})


def test_queries_deeper_than_the_configured_limit_are_refused(server: Server) -> None:
    depth_4 = '{ provenance(itemId: "I2") { hops { shipment { origin { id } } } } }'
    depth_5 = (
        '{ provenance(itemId: "I2") '
        "{ hops { shipment { origin { operator { id } } } } } }"
    )

    assert "errors" not in server.graphql(depth_4)
    assert errors(server.graphql(depth_5)) == [
        "'anonymous' exceeds maximum operation depth of 4"
    ]


def test_the_neighborhood_is_capped_and_says_so(server: Server) -> None:
    full = server.graphql(
        '{ neighborhood(id: "Party:GREY", depth: 1) '
        "{ nodes { id } edges { type source target } truncated } }"
    )
    capped = server.graphql(
        '{ neighborhood(id: "GREY", depth: 2, limit: 3) { nodes { id } truncated } }'
    )

    grey, sh2, sh3, waw = "Party:GREY", "Shipment:SH2", "Shipment:SH3", "Site:S-WAW"
    assert full["data"]["neighborhood"] == {
        "nodes": [{"id": grey}, {"id": sh2}, {"id": sh3}, {"id": waw}],
        "edges": [
            {"type": "CONSIGNED_TO", "source": sh2, "target": grey},
            {"type": "FROM_SITE", "source": sh3, "target": waw},
            {"type": "OPERATED_BY", "source": waw, "target": grey},
            {"type": "SHIPPED_BY", "source": sh3, "target": grey},
            {"type": "TO_SITE", "source": sh2, "target": waw},
        ],
        "truncated": False,
    }
    assert capped["data"]["neighborhood"] == {
        "nodes": [{"id": grey}, {"id": sh2}, {"id": sh3}],
        "truncated": True,
    }


def test_clusters_link_parties_by_shared_phone(server: Server) -> None:
    answer = server.graphql(
        "{ distributorClusters { members { id } links { kind evidence } itemCount "
        "entryPoints { id } exits { id } brands { id } } }"
    )

    assert answer["data"]["distributorClusters"] == [
        {
            "members": [{"id": "DARK"}, {"id": "GREY"}],
            "links": [
                {"kind": "phone", "evidence": "48225550101"},
                {"kind": "shipment", "evidence": "SH3"},
            ],
            "itemCount": 7,
            "entryPoints": [{"id": "NORD"}],
            "exits": [],
            "brands": [{"id": "B1"}],
        }
    ]


def test_health_answers(server: Server) -> None:
    response = server.client.get("/health")

    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_the_committed_schema_matches_the_code() -> None:

    committed = (
        Path(__file__).resolve().parents[1] / "graphsvc" / "api" / "schema.graphql"
    )
    assert build_schema().as_str() + "\n" == committed.read_text(encoding="utf-8")


def test_every_type_and_field_is_described() -> None:
    from graphql import GraphQLInputObjectType, GraphQLInterfaceType, GraphQLObjectType

    schema = build_schema()._schema
    missing = [
        f"{name}.{field}"
        for name, type_ in schema.type_map.items()
        if not name.startswith("__")
        and isinstance(
            type_, GraphQLObjectType | GraphQLInterfaceType | GraphQLInputObjectType
        )
        for field, definition in type_.fields.items()
        if not definition.description
    ]
    undescribed_types = [
        name
        for name, type_ in schema.type_map.items()
        if not name.startswith("__")
        and isinstance(type_, GraphQLObjectType | GraphQLInterfaceType)
        and name != "Query"
        and not type_.description
    ]

    assert missing == []
    assert undescribed_types == []


def test_graphiql_is_served_at_the_graphql_path(server: Server) -> None:
    response = server.client.get("/graphql", headers={"Accept": "text/html"})

    assert response.status_code == 200
    assert "graphiql" in response.text.lower()


def test_unexpected_errors_are_masked_and_logged_with_their_traceback(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:

    from graphsvc.api.schema import build_schema
    from graphsvc.store.embedded import EmbeddedStore

    class BrokenStore(EmbeddedStore):
        def trades(self, party_ids: object) -> list[Any]:
            raise RuntimeError("secret internals at /var/lib/db")

    store = BrokenStore(tmp_path / "data")
    context = Context(Investigation(store), Limits())

    result = asyncio.run(
        build_schema().execute("{ distributorClusters { id } }", context_value=context)
    )
    store.close()

    assert [e.message for e in result.errors or []] == ["Unexpected error."]
    (record,) = [r for r in caplog.records if r.name == "graphsvc.api.schema"]
    assert record.levelname == "ERROR"
    assert record.exc_info is not None
    assert "secret internals" in str(record.exc_info[1])


@pytest.mark.parametrize(
    ("query", "variables", "message"),
    [
        (
            "query($kinds: [FindingKind!]) { findings(kinds: $kinds) { totalCount } }",
            {"kinds": ["BOGUS"]},
            "Variable '$kinds' has invalid value at [0]: "
            "Value 'BOGUS' does not exist in 'FindingKind' enum.",
        ),
        (
            'query($limit: Int!) { neighborhood(id: "I1", limit: $limit) {'
            " truncated } }",
            {"limit": "many"},
            "Variable '$limit' has invalid value: "
            "Int cannot represent non-integer value: 'many'",
        ),
    ],
)
def test_a_bad_variable_value_is_named_not_masked(
    server: Server, query: str, variables: dict[str, Any], message: str
) -> None:
    assert errors(server.graphql(query, **variables)) == [message]


def test_a_refused_argument_is_logged_as_a_refusal_without_traceback(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    import logging

    from graphsvc.api.schema import build_schema
    from graphsvc.store.embedded import EmbeddedStore

    store = EmbeddedStore(tmp_path / "data")
    context = Context(Investigation(store), Limits())
    caplog.set_level(logging.INFO, logger="graphsvc.api.schema")

    result = asyncio.run(
        build_schema().execute(
            "{ findings(first: 501) { totalCount } }", context_value=context
        )
    )
    store.close()

    message = "first: must be between 0 and 500, got 501"
    assert [e.message for e in result.errors or []] == [message]
    (record,) = [r for r in caplog.records if r.name == "graphsvc.api.schema"]
    assert (record.levelname, record.exc_info) == ("INFO", None)
    assert record.getMessage() == f"graphql.refused path=['findings'] message={message}"


SEARCH = "query($text: String!, $first: Int) { search(text: $text, first: $first) {"
SEARCH += " id label caption } }"


def test_search_finds_nodes_by_id_start_and_by_name(server: Server) -> None:
    by_name = server.graphql(SEARCH, text="luma")
    by_id = server.graphql(SEARCH, text="SH", first=2)
    empty = server.graphql(SEARCH, text="  ")
    too_many = server.graphql(SEARCH, text="I", first=101)

    assert by_name["data"]["search"] == [
        {"id": "Brand:B1", "label": "Brand", "caption": "Luma Botanica"},
        {"id": "Party:FAB", "label": "Party", "caption": "Luma Fab"},
    ]
    assert by_id["data"]["search"] == [
        {"id": "Shipment:SH1", "label": "Shipment", "caption": "SH1"},
        {"id": "Shipment:SH2", "label": "Shipment", "caption": "SH2"},
    ]
    assert [e["message"] for e in empty["errors"]] == ["text: must not be empty"]
    assert [e["message"] for e in too_many["errors"]] == [
        "first: must be between 1 and 100, got 101"
    ]


# -- ids as a person gives them, on each store -----------------------------------------

URN = "urn:epc:id:sgtin:9521006.006001.100001"
LINK = "https://id.gs1.org/01/09521006060016/21/100001"
PGLN = "urn:epc:id:pgln:9521006.00001"
GLN_LINK = "https://id.gs1.org/417/9521006000012"
SPELLINGS: list[Mapping[str, object]] = [
    {"kind": "brand", "id": "B1", "name": "Luma"},
    {"kind": "product", "id": "P1", "brand": "B1"},
    {"kind": "item", "id": URN, "product": "P1"},
    *(
        {"kind": "party", "id": id_, "name": name, "role": "distributor"}
        for id_, name in ((PGLN, "Gln"), ("Party:PA-COLON", "Colon"), ("PA-1", "One"))
    ),
    {"kind": "site", "id": "S-COLON", "operator": "Party:PA-COLON", "country": "PL"},
    {"kind": "site", "id": "Party:PA-1", "operator": "FAB", "country": "PL"},
]


def load_all(store: Store, tmp_path: Path, *rows: Row) -> None:
    """Load feed lines, none of which may be rejected."""
    report = load(store, tmp_path, *rows)
    assert report.ok, report.render()


def answer(store: Store, query: str, *, refresh: bool = False) -> Any:
    """The data of `query` run against `store`, which must answer without errors;
    with `refresh`, once findings are evaluated."""
    answered = ask(store, query, refresh=refresh)
    assert "errors" not in answered, answered["errors"]
    return answered["data"]


def neighbours(store: Store, id_: str) -> list[str]:
    query = f"{{ neighborhood(id: {json.dumps(id_)}) {{ nodes {{ id }} }} }}"
    return sorted(n["id"] for n in answer(store, query)["neighborhood"]["nodes"])


@pytest.mark.parametrize(
    "id_", [URN, LINK, "http://example.com/01/09521006060016/21/100001", f"Item:{URN}"]
)
def test_a_neighborhood_takes_every_spelling_of_a_gs1_key(
    any_store: Store, tmp_path: Path, id_: str
) -> None:
    load_all(any_store, tmp_path, *SPELLINGS)

    assert neighbours(any_store, id_) == [f"Item:{LINK}", "Product:P1"]


def test_a_node_whose_id_looks_like_label_and_id_is_found_by_it(
    any_store: Store, tmp_path: Path
) -> None:
    load_all(any_store, tmp_path, *SPELLINGS)

    assert neighbours(any_store, "Party:PA-COLON") == [
        "Party:Party:PA-COLON",
        "Site:S-COLON",
    ]
    assert neighbours(any_store, "Party:Party:PA-COLON") == [
        "Party:Party:PA-COLON",
        "Site:S-COLON",
    ]
    # The node of the label named comes first; the site keyed `Party:PA-1` is
    # reached as `Site:Party:PA-1`.
    assert neighbours(any_store, "Party:PA-1") == ["Party:PA-1"]
    assert neighbours(any_store, "Site:Party:PA-1") == ["Party:FAB", "Site:Party:PA-1"]


def test_lookups_by_id_ignore_spaces_around_it_as_feeds_do(
    any_store: Store, tmp_path: Path
) -> None:
    load_all(
        any_store,
        tmp_path,
        {"kind": "party", "id": " PA-LEAD ", "name": "Lead", "role": "retailer"},
    )

    found = answer(
        any_store,
        '{ party(id: "  PA-LEAD\t") { id name }'
        ' neighborhood(id: " Party:PA-LEAD ") { nodes { id } } }',
    )

    assert found == {
        "party": {"id": "PA-LEAD", "name": "Lead"},
        "neighborhood": {"nodes": [{"id": "Party:PA-LEAD"}]},
    }


def test_lookups_by_id_take_every_spelling_of_a_gs1_key(
    any_store: Store, tmp_path: Path
) -> None:
    load_all(any_store, tmp_path, *SPELLINGS)

    found = answer(
        any_store,
        f'{{ item(id: "{URN}") {{ id }} party(id: "{PGLN}") {{ id name }}'
        ' bad: item(id: "urn:epc:id:sgtin:9521006.006001") { id } }',
    )

    assert found == {
        "item": {"id": LINK},
        "party": {"id": GLN_LINK, "name": "Gln"},
        "bad": None,
    }


def test_findings_of_a_party_take_every_spelling_of_its_gs1_key(
    any_store: Store, tmp_path: Path
) -> None:
    shipment = {
        "kind": "shipment",
        "id": "SH-GLN",
        "shipper": "FAB",
        "consignee": PGLN,
        "origin": "S-FAB",
        "destination": "S-GLN",
        "shipped_at": "2026-01-10T08:00:00Z",
        "items": [URN],
    }
    site = {"kind": "site", "id": "S-GLN", "operator": PGLN, "country": "PL"}
    load_all(any_store, tmp_path, *SPELLINGS, site, shipment)

    found = answer(
        any_store,
        f'{{ findings(party: "{PGLN}") {{ edges {{ node {{ kind party {{ id }} }} }}'
        " } }",
        refresh=True,
    )

    assert found["findings"]["edges"] == [
        {"node": {"kind": "UNAUTHORIZED_HOLDER", "party": {"id": GLN_LINK}}}
    ]
