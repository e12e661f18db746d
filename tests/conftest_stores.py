"""The `any_store` fixture: store-contract tests run once per store.

`stores` opens the store of its parameter, empty; `any_store` is the store it opened
first. Tests that reopen a store (durability) or need a second empty one ask `stores`
for it. For Neo4j, emptying means deleting every node of the shared test database;
the constraints and indexes stay, as a deployed database keeps them.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import neo4j
import pytest
from neo4j_harness import Neo4jHarness

from graphsvc.store.base import Store
from graphsvc.store.embedded import EmbeddedStore
from graphsvc.store.neo4j import Neo4jStore


class Stores:
    """Opens one kind of store for a test and closes whatever the test left open."""

    def __init__(
        self, kind: str, tmp_path: Path, harness: Neo4jHarness | None = None
    ) -> None:
        self.kind = kind
        self.tmp_path = tmp_path
        self.harness = harness
        self.generation = 0
        self.opened: list[Store] = []
        self.closed: set[int] = set()

    def open(self) -> Store:
        """The store holding this test's current data (reopened if opened before)."""
        if self.harness is None:
            store: Store = EmbeddedStore(self.tmp_path / f"data-{self.generation}")
        else:
            endpoint = self.harness.endpoint
            store = Neo4jStore(
                endpoint.uri, endpoint.user, endpoint.password, endpoint.database
            )
        self.opened.append(store)
        return store

    def close(self, store: Store) -> None:
        store.close()
        self.closed.add(id(store))

    def empty(self) -> Store:
        """Close every open store, forget the data, and open an empty store."""
        self.close_all()
        self.generation += 1
        self.wipe()
        return self.open()

    def wipe(self) -> None:
        if self.harness is None:
            return
        endpoint = self.harness.endpoint
        with (
            neo4j.GraphDatabase.driver(endpoint.uri, auth=endpoint.auth) as driver,
            driver.session(database=endpoint.database) as session,
        ):
            session.run(
                "MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS"
            ).consume()

    def child_env(self) -> dict[str, str]:
        """The environment for another process to open this test's current store:
        `DATA_DIR` for the embedded store, `URI`, `USER`, `PASSWORD` and `DB` for
        Neo4j."""
        env = {**os.environ, "DATA_DIR": str(self.tmp_path / f"data-{self.generation}")}
        if self.harness is not None:
            endpoint = self.harness.endpoint
            env |= {
                "URI": endpoint.uri,
                "USER": endpoint.user,
                "PASSWORD": endpoint.password,
                "DB": endpoint.database,
            }
        return env

    def close_all(self) -> None:
        for store in self.opened:
            if id(store) not in self.closed:
                self.close(store)


@pytest.fixture(params=["embedded", "neo4j"])
def stores(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Stores]:
    """A way to open the store of the parameter, empty at first."""
    harness = None
    if request.param == "neo4j":
        harness = request.getfixturevalue("neo4j_server")
    opened = Stores(request.param, tmp_path, harness)
    opened.wipe()
    yield opened
    opened.close_all()


@pytest.fixture
def any_store(stores: Stores) -> Store:
    """An empty store of each kind in turn."""
    return stores.open()
