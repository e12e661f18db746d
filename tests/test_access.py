"""Every role against every HTTP interface: allowed and refused, exactly.

A route added to the service adds one row to `MATRIX` (and one to the access table
in graphsvc/api/access.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any, Final

import pytest
from fastapi.testclient import TestClient
from secured import client, headers, loaded_data
from starlette.websockets import WebSocketDisconnect

from graphsvc.api.access import ROUTES, Route, route_for
from graphsvc.security.roles import Role

WHO: Final = ("none", "bad", "reader", "loader", "admin", "reader_b1")

QUERY: Final = {"query": '{ brand(id: "B1") { id } }'}
EPCIS: Final = {
    "type": "EPCISDocument",
    "schemaVersion": "2.0",
    "creationDate": "2026-03-05T00:00:00Z",
    "epcisBody": {"eventList": []},
}

EXPORT: Final = "/export?view=provenance&id=I1&format=json"

# (method, path, JSON body, status for each of WHO)
MATRIX: Final[list[tuple[str, str, Any, tuple[int, ...]]]] = [
    ("GET", "/health", None, (200, 200, 200, 200, 200, 200)),
    ("POST", "/graphql", QUERY, (401, 401, 200, 403, 200, 200)),
    ("GET", "/graphql?query={__typename}", None, (401, 401, 200, 403, 200, 200)),
    ("GET", "/metrics", None, (401, 401, 403, 403, 200, 403)),
    ("GET", "/openapi.json", None, (401, 401, 200, 403, 200, 200)),
    ("GET", "/export?view=neighborhood&id=B1", None, (401, 401, 200, 403, 200, 200)),
    ("GET", "/export?view=neighborhood&id=B2", None, (401, 401, 200, 403, 200, 404)),
    ("GET", "/events", None, (401, 401, 200, 403, 200, 403)),
    ("POST", "/capture", EPCIS, (401, 401, 403, 202, 202, 403)),
    ("GET", "/capture/none", None, (401, 401, 403, 404, 404, 403)),
    ("POST", "/feeds?name=b.jsonl", {"kind": "brand"}, (401, 401, 403, 201, 201, 403)),
    ("GET", "/feeds/none/rejects", None, (401, 401, 403, 404, 404, 403)),
    # The explorer's shell is public (its router answers with a redirect); the
    # data it shows comes from /graphql and /export, which stay keyed.
    ("GET", "/explore?view=node", None, (307, 307, 307, 307, 307, 307)),
    ("GET", EXPORT, None, (401, 401, 200, 403, 200, 200)),
    ("GET", "/no/such/route", None, (404, 404, 404, 404, 404, 404)),
    ("DELETE", "/graphql", None, (404, 404, 404, 404, 404, 404)),
]

UNAUTHENTICATED: Final = {
    "error": {"code": "unauthenticated", "message": "a valid API key is required"}
}
FORBIDDEN: Final = {
    "error": {"code": "forbidden", "message": "this API key may not do that"}
}


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    data = loaded_data(tmp_path_factory.mktemp("access"))
    with client(data) as running:
        yield running


@pytest.mark.parametrize(("method", "path", "body", "statuses"), MATRIX)
@pytest.mark.parametrize("who", WHO)
def test_each_role_is_allowed_or_refused_exactly(
    app: TestClient,
    who: str,
    method: str,
    path: str,
    body: Any,
    statuses: tuple[int, ...],
) -> None:
    expected = statuses[WHO.index(who)]

    response = app.request(
        method, path, json=body, headers=headers(who), follow_redirects=False
    )

    assert response.status_code == expected
    if expected == 401:
        assert response.json() == UNAUTHENTICATED
        assert response.headers["www-authenticate"] == "Bearer"
    elif expected == 403:
        assert response.json() == FORBIDDEN
    elif route_for(method, path.partition("?")[0]) is None:
        assert response.json() == {"detail": "Not Found"}


def test_the_key_may_come_in_x_api_key(app: TestClient) -> None:
    response = app.post(
        "/graphql", json=QUERY, headers={"X-API-Key": "reader-one.r-secret"}
    )

    assert response.json() == {"data": {"brand": {"id": "B1"}}}


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("reader", {"data": None, "errors": ["this API key may not do that"]}),
        ("admin", {"data": {"auditLog": {"entries": []}}, "errors": []}),
    ],
)
def test_only_admins_read_the_audit_log(
    app: TestClient, who: str, expected: dict[str, Any]
) -> None:
    body = app.post(
        "/graphql",
        json={"query": "{ auditLog(first: 5) { entries { operation } } }"},
        headers=headers(who),
    ).json()

    messages = [e["message"] for e in body.get("errors", [])]
    assert {"data": body["data"], "errors": messages} == expected


def test_refusals_are_the_same_whether_or_not_the_thing_exists(
    app: TestClient,
) -> None:
    known = app.get("/metrics", headers=headers("bad"))
    unknown_key = app.get("/metrics", headers={"X-API-Key": "nobody.secret"})
    malformed = app.get("/metrics", headers={"Authorization": "Bearer x"})

    assert known.json() == unknown_key.json() == malformed.json() == UNAUTHENTICATED


def test_without_keys_everyone_may_do_everything(tmp_path: Path) -> None:
    from graphsvc.security.keys import KeyRing

    with client(loaded_data(tmp_path), keys=KeyRing()) as open_app:
        query = open_app.post("/graphql", json=QUERY)
        metrics = open_app.get("/metrics")

    assert query.json() == {"data": {"brand": {"id": "B1"}}}
    assert metrics.status_code == 200


def test_routes_of_other_areas_are_declared_with_their_roles() -> None:
    assert [(r.method, r.prefix, r.role) for r in ROUTES if r.role is not None] == [
        ("GET", "/graphql", Role.READER),
        ("POST", "/graphql", Role.READER),
        ("GET", "/metrics", Role.ADMIN),
        ("GET", "/openapi.json", Role.READER),
        ("GET", "/docs", Role.READER),
        ("GET", "/export", Role.READER),
        ("GET", "/events", Role.READER),
        ("POST", "/capture", Role.LOADER),
        ("GET", "/capture", Role.LOADER),
        ("POST", "/feeds", Role.LOADER),
        ("GET", "/feeds", Role.LOADER),
    ]
    assert route_for("GET", "/explore/explorer.js") == Route("GET", "/explore", None)
    assert route_for("GET", "/capture/abc") == route_for("GET", "/capture")
    assert route_for("GET", "/exporter") is None


@pytest.mark.parametrize("who", ["none", "admin"])
def test_graphql_over_websocket_is_refused(app: TestClient, who: str) -> None:
    with (
        pytest.raises(WebSocketDisconnect) as refused,
        app.websocket_connect(
            "/graphql", subprotocols=["graphql-transport-ws"], headers=headers(who)
        ),
    ):
        pass

    assert refused.value.code == 1008
