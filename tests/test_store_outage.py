"""What a client gets while the store cannot be reached: a 503 that says so.

The outage is simulated: once it starts, every store call raises `StoreUnavailable`,
as the Neo4j store does when the server is gone and the driver's retries are spent.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, cast

import pytest
from fastapi.testclient import TestClient

from graphsvc import __version__
from graphsvc.api.app import create_app
from graphsvc.errors import StoreUnavailable
from graphsvc.investigation import Investigation
from graphsvc.store.base import Store
from graphsvc.store.embedded import EmbeddedStore

REASON = "Neo4j at bolt://db:7687 is unavailable, retries exhausted"


class Outage:
    """A store that answers until `down` is set, then fails every call but `close`."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.down = False

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self.store, name)
        if not callable(attr) or name == "close":
            return attr

        def call(*args: Any, **kwargs: Any) -> Any:
            if self.down:
                raise StoreUnavailable(REASON)
            return attr(*args, **kwargs)

        return call


@pytest.fixture
def outage(tmp_path: Path) -> Iterator[tuple[TestClient, Outage]]:
    store = Outage(EmbeddedStore(tmp_path / "data"))
    app = create_app(Investigation(cast(Store, store)), data_dir=tmp_path / "data")
    with TestClient(app, raise_server_exceptions=False) as client:
        store.down = True
        yield client, store
        store.down = False


def test_health_answers_503_without_the_reason(
    outage: tuple[TestClient, Outage],
) -> None:
    client, _ = outage

    response = client.get("/health")

    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "version": __version__}


@pytest.mark.parametrize("path", ["/events", "/capture/c1"])
def test_epcis_routes_answer_503_problems(
    outage: tuple[TestClient, Outage], path: str
) -> None:
    client, _ = outage

    response = client.get(path)

    assert response.status_code == 503
    assert response.headers["retry-after"] == "5"
    assert response.json() == {
        "type": "epcisException:ImplementationException",
        "title": "ImplementationException",
        "status": 503,
        "detail": REASON,
    }


@pytest.mark.parametrize(
    "send",
    [
        lambda c: c.post("/feeds?name=b.jsonl", content=b'{"kind": "brand"}\n'),
        lambda c: c.get("/export?view=provenance&id=I1"),
        lambda c: c.get("/metrics"),
    ],
    ids=["feeds", "export", "metrics"],
)
def test_other_routes_answer_503_errors(
    outage: tuple[TestClient, Outage], send: Callable[[TestClient], Any]
) -> None:
    client, _ = outage

    response = send(client)

    assert response.status_code == 503
    assert response.headers["retry-after"] == "5"
    assert response.json() == {"error": {"code": "unavailable", "message": REASON}}


def test_graphql_names_the_outage_as_the_error(
    outage: tuple[TestClient, Outage],
) -> None:
    client, _ = outage

    response = client.post("/graphql", json={"query": '{ item(id: "I1") { id } }'})

    assert response.status_code == 200
    assert response.json()["errors"][0]["message"] == REASON


def test_answers_come_back_with_the_store(outage: tuple[TestClient, Outage]) -> None:
    client, store = outage
    down = client.get("/health").status_code

    store.down = False

    assert (down, client.get("/health").status_code) == (503, 200)
