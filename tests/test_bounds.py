"""Each bound on a request, tripped once, with its exact error."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from secured import client, headers, loaded_data

from graphsvc.api.bounds import query_cost
from graphsvc.api.context import Limits
from graphsvc.api.guards import HttpGuards
from graphsvc.audit import AuditLog
from graphsvc.errors import ConfigError

ADMIN = headers("admin")


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return loaded_data(tmp_path_factory.mktemp("bounds"))


def errors_of(app: TestClient, query: str) -> list[str]:
    response = app.post("/graphql", json={"query": query}, headers=ADMIN)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return [e["message"] for e in body.get("errors", [])]


@pytest.mark.parametrize(
    ("limits", "query", "messages"),
    [
        (
            Limits(max_aliases=2),
            '{ a: brand(id: "B1") { id } b: brand(id: "B1") { id } c: brand(id: "B1")'
            " { id } }",
            ["3 aliases found. Allowed: 2"],
        ),
        (
            Limits(max_tokens=20),
            "{ " + " ".join(f"f{n}: __typename" for n in range(8)) + " }",
            ["Syntax Error: Document contains more than 20 tokens. Parsing aborted."],
        ),
        (
            Limits(max_query_depth=2),
            '{ item(id: "I1") { product { brand { id } } } }',
            ["'anonymous' exceeds maximum operation depth of 2"],
        ),
        (
            Limits(max_cost=100),
            "{ findings(first: 50) { edges { node { id kind } } } }",
            [
                "query cost 201 is over the limit of 100 (each field counts once per"
                " result of its parent)"
            ],
        ),
        (
            Limits(max_cost=3000),
            'query($l: Int) { neighborhood(id: "I1", limit: $l) { nodes { id } } }',
            [
                "query cost 4001 is over the limit of 3000 (each field counts once per"
                " result of its parent)"
            ],
        ),
        (
            Limits(timeout_seconds=1e-9),
            "{ __typename }",
            ["the request ran longer than 1e-09 s and was stopped"],
        ),
        (
            Limits(introspection=False),
            "{ __schema { types { name } } }",
            [
                "GraphQL introspection has been disabled, but the requested query "
                "contained the field '__schema'.",
                "GraphQL introspection has been disabled, but the requested query "
                "contained the field 'types'.",
            ],
        ),
        (
            Limits(max_page=10),
            "{ findings(first: 11) { totalCount } }",
            ["first: must be between 0 and 10, got 11"],
        ),
    ],
)
def test_each_graphql_bound_refuses_with_its_message(
    data: Path, limits: Limits, query: str, messages: list[str]
) -> None:
    with client(data, limits=limits) as app:
        assert errors_of(app, query) == messages


def test_a_document_seen_before_is_refused_again(data: Path) -> None:
    # Parsing and validation are cached by query text: the cached verdict must
    # still refuse, and a harmless query after them must still pass.
    limits = Limits(max_query_depth=2, max_cost=50)
    deep = '{ item(id: "I1") { product { brand { id } } } }'
    costly = "{ findings(first: 50) { totalCount } }"

    with client(data, limits=limits) as app:
        answers = [errors_of(app, q) for q in (deep, costly, deep, costly)]
        harmless = errors_of(app, '{ item(id: "I1") { id } }')

    depth = ["'anonymous' exceeds maximum operation depth of 2"]
    cost = [
        "query cost 51 is over the limit of 50 (each field counts once per result"
        " of its parent)"
    ]
    assert answers == [depth, cost, depth, cost]
    assert harmless == []


TOO_COMPLEX = (
    "Validation aborted: the document is too complex to check in full (too many"
    " fields of one name, or fragments spread too often); send a smaller document."
)
UNKNOWN = "Cannot query field 'nope' on type 'Item'."


@pytest.mark.parametrize(
    ("fields", "messages"),
    [
        # Valid, but more than graphql-core will compare for merging.
        ("id " * 800, [TOO_COMPLEX]),
        ("nope " + "id " * 800, [UNKNOWN, TOO_COMPLEX]),
        (
            "nope " * 800,
            [
                *[UNKNOWN] * 100,
                "Too many validation errors, error limit reached. Validation aborted.",
                TOO_COMPLEX,
            ],
        ),
    ],
)
def test_a_document_too_complex_to_validate_says_so_after_its_first_errors(
    data: Path, fields: str, messages: list[str]
) -> None:
    query = '{ item(id: "I1") { ' + fields + "} }"

    with client(data) as app:
        answers = [errors_of(app, query) for _ in range(2)]

    assert answers == [messages, messages]


def cost_of(query: str) -> int:
    """`query_cost` of `query`'s one operation, with the default bounds on sizes."""
    from graphql import OperationDefinitionNode, parse

    operation = parse(query).definitions[0]
    assert isinstance(operation, OperationDefinitionNode)
    return query_cost(operation.selection_set, {}, {"first": 500, "limit": 2000})


def test_the_cost_counts_fields_per_parent_result() -> None:
    cost = cost_of(
        "{ a: findings(first: 10) { edges { node { id } } } b: findings { totalCount }"
        " n: neighborhood(id: $x, limit: $l) { nodes { id } }"
        " f: findings(first: $f) { totalCount } }"
    )

    # a: 1 + 10 (edges) + 10 (node) + 10 (id); b: 1 + 50; n: 1 + 2000 + 2000, as a
    # limit may be 2,000; f: 1 + 500, as first may be 500.
    assert cost == 31 + 51 + 4001 + 501


def test_a_shipment_s_items_in_a_variable_count_at_their_own_cap() -> None:
    cost = cost_of(
        "{ shipment(id: $s) { items(first: $n) { id } itemIds(first: $n) } }"
    )

    # shipment: 1; items: 1 + 1,000 (id); itemIds: 1, a list of scalars.
    assert cost == 1 + 1001 + 1


def test_a_negative_size_does_not_cancel_the_cost_of_its_siblings() -> None:
    cost = cost_of(
        "{ a: findings(first: 10) { edges { node { id } } }"
        " b: findings(first: -1000) { edges { node { id } } } }"
    )

    # a: 1 + 10 (edges) + 10 (node) + 10 (id); b: 1, its edges counted as none.
    assert cost == 31 + 1


def test_a_graphql_body_over_the_limit_is_refused_before_it_is_read(
    data: Path,
) -> None:
    expected = {
        "error": {
            "code": "payload_too_large",
            "message": "the request body is larger than 200 bytes",
        }
    }

    def chunked() -> Iterator[bytes]:
        yield b" " * 150
        yield b" " * 150

    with client(data, guards=HttpGuards(rate=None, max_graphql_bytes=200)) as app:
        declared = app.post("/graphql", content=b" " * 201, headers=ADMIN)
        streamed = app.post("/graphql", content=chunked(), headers=ADMIN)
        small = app.post("/graphql", json={"query": "{ __typename }"}, headers=ADMIN)

    assert (declared.status_code, declared.json()) == (413, expected)
    assert (streamed.status_code, streamed.json()) == (413, expected)
    assert small.json() == {"data": {"__typename": "Query"}}


@pytest.mark.parametrize(
    "body",
    [
        b'{"query": "{ __typename }", "variables": {"a": "\xff"}}',
        b'{"query": "{ __typename }", "variables": {"a": '
        + b"[" * 5000
        + b"]" * 5000
        + b"}}",
        b'{"query": "query($t: ID!) { item(id: $t) { id } }", '
        b'"variables": {"t": "\\ud800"}}',
    ],
    ids=["not-utf8", "nested-5000", "lone-surrogate"],
)
def test_a_graphql_body_json_cannot_take_is_a_400(data: Path, body: bytes) -> None:
    with client(data, audit=True) as app:
        posted = app.post(
            "/graphql",
            content=body,
            headers={**ADMIN, "Content-Type": "application/json"},
        )

    assert (posted.status_code, posted.text) == (
        400,
        "Unable to parse request body as JSON",
    )


def test_graphql_json_nested_past_the_cap_is_refused_and_below_it_audited(
    data: Path,
) -> None:
    def nested(levels: int) -> bytes:
        variables = b"[" * levels + b"]" * levels
        return b'{"query": "{ __typename }", "variables": {"x": ' + variables + b"}}"

    sent = {**ADMIN, "Content-Type": "application/json"}
    with client(data, audit=True) as app:
        deep = app.post("/graphql", content=nested(1000), headers=sent)
        within = app.post("/graphql", content=nested(30), headers=sent)
        entries = AuditLog(data / "audit.db").entries(1)

    assert (deep.status_code, deep.text) == (
        400,
        "Unable to parse request body as JSON",
    )
    assert within.json() == {"data": {"__typename": "Query"}}
    assert entries[0].variables == '{"x": ' + "[" * 30 + "]" * 30 + "}"


def test_graphql_variables_in_a_query_string_are_read_as_strictly(data: Path) -> None:
    with client(data) as app:
        got = app.get(
            "/graphql",
            params={
                "query": "query($t: ID!) { item(id: $t) { id } }",
                "variables": '{"t": "\\udc00"}',
            },
            headers=ADMIN,
        )

    assert (got.status_code, got.text) == (400, "Unable to parse request body as JSON")


def test_a_key_over_its_rate_is_told_when_to_retry(data: Path) -> None:
    query = {"query": "{ __typename }"}

    with client(data, guards=HttpGuards(rate="2/minute")) as app:
        first = [app.post("/graphql", json=query, headers=ADMIN) for _ in range(2)]
        refused = app.post("/graphql", json=query, headers=ADMIN)
        other_key = app.post("/graphql", json=query, headers=headers("reader"))
        health = [app.get("/health") for _ in range(3)]

    assert [r.status_code for r in first] == [200, 200]
    assert refused.status_code == 429
    assert refused.headers["retry-after"] == "60"
    assert refused.json() == {
        "error": {
            "code": "rate_limited",
            "message": "rate limit of 2/minute reached; retry in 60 s",
        }
    }
    assert other_key.status_code == 200
    assert [r.status_code for r in health] == [200, 200, 200]


def test_an_address_sending_wrong_keys_must_wait(data: Path) -> None:
    query = {"query": "{ __typename }"}
    guards = HttpGuards(rate=None, failed_keys="2/minute")

    with client(data, guards=guards) as app:
        first = app.post("/graphql", json=query, headers=headers("bad"))
        right = app.post("/graphql", json=query, headers=ADMIN)
        second = app.post("/graphql", json=query, headers=headers("bad"))
        keyless = app.post("/graphql", json=query)
        throttled = app.post("/graphql", json=query, headers=ADMIN)
        health = app.get("/health", headers=headers("bad"))

    assert [first.status_code, right.status_code] == [401, 200]
    assert [second.status_code, keyless.status_code] == [401, 401]
    assert throttled.status_code == 429
    assert throttled.headers["retry-after"] == "60"
    assert throttled.json() == {
        "error": {
            "code": "too_many_failed_keys",
            "message": (
                "limit of 2/minute wrong keys per address reached; retry in 60 s"
            ),
        }
    }
    assert health.status_code == 200


def test_cors_is_off_unless_origins_are_configured(data: Path) -> None:
    preflight = {
        "Origin": "https://investigations.example",
        "Access-Control-Request-Method": "POST",
    }

    with client(data) as closed:
        refused = closed.options("/graphql", headers=preflight)
        plain = closed.get("/health", headers={"Origin": preflight["Origin"]})
    guards = HttpGuards(rate=None, cors_origins=("https://investigations.example",))
    with client(data, guards=guards) as opened:
        allowed = opened.options("/graphql", headers=preflight)

    assert refused.status_code == 404
    assert "access-control-allow-origin" not in plain.headers
    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == preflight["Origin"]


@pytest.mark.parametrize(
    ("env", "message"),
    [
        (
            {"GRAPHSVC_MAX_COST": "lots"},
            "GRAPHSVC_MAX_COST must be a whole number of 1 or more, not 'lots'",
        ),
        (
            {"GRAPHSVC_TIMEOUT_SECONDS": "0"},
            "GRAPHSVC_TIMEOUT_SECONDS must be a number of seconds above 0, not '0'",
        ),
        (
            {"GRAPHSVC_INTROSPECTION": "maybe"},
            "GRAPHSVC_INTROSPECTION must be on or off, not 'maybe'",
        ),
    ],
)
def test_bounds_from_the_environment_are_checked(
    env: dict[str, str], message: str
) -> None:
    with pytest.raises(ConfigError) as raised:
        Limits.from_env(env)

    assert str(raised.value) == message


def test_http_guards_read_the_environment() -> None:
    guards = HttpGuards.from_env(
        {
            "GRAPHSVC_RATE_LIMIT": "off",
            "GRAPHSVC_FAILED_KEY_LIMIT": "5/hour",
            "GRAPHSVC_MAX_UPLOAD_BYTES": "1000",
            "GRAPHSVC_CORS_ORIGINS": "https://a.example, https://b.example",
        }
    )

    assert guards == HttpGuards(
        rate=None,
        failed_keys="5/hour",
        max_upload_bytes=1000,
        cors_origins=("https://a.example", "https://b.example"),
    )
    with pytest.raises(ConfigError, match="must read like 600/minute, not 'often'"):
        HttpGuards(rate="often")
    with pytest.raises(ConfigError, match="wrong-key limit must read like 600/minute"):
        HttpGuards(failed_keys="3")


def test_upload_routes_read_their_body_within_a_limit() -> None:
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse, Response
    from starlette.routing import Route

    from graphsvc.api.bodylimit import PayloadTooLarge, read_limited, too_large

    async def upload(request: Request) -> Response:
        try:
            body = await read_limited(request, 10)
        except PayloadTooLarge as err:
            return too_large(err)
        return JSONResponse({"bytes": len(body)})

    def chunked() -> Iterator[bytes]:
        yield b"x" * 6
        yield b"x" * 6

    with TestClient(Starlette(routes=[Route("/up", upload, methods=["POST"])])) as app:
        small = app.post("/up", content=b"x" * 10)
        declared = app.post("/up", content=b"x" * 11)
        streamed = app.post("/up", content=chunked())

    refused = {
        "error": {
            "code": "payload_too_large",
            "message": "the request body is larger than 10 bytes",
        }
    }
    assert small.json() == {"bytes": 10}
    assert (declared.status_code, declared.json()) == (413, refused)
    assert (streamed.status_code, streamed.json()) == (413, refused)


def test_a_fragment_cycle_is_refused_by_graphql_not_by_the_cost(data: Path) -> None:
    cycle = "query { ...A } fragment A on Query { ...B } fragment B on Query { ...A }"

    with client(data) as app:
        messages = errors_of(app, cycle)

    assert messages == [
        "Cannot spread fragment 'A' within itself via 'B'.",
    ]
