"""Stores: where the graph lives. `open_store` picks one from the configuration."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Final

from graphsvc.errors import ConfigError
from graphsvc.store.base import BatchResult, Change, Edge, GraphCounts, Node, Store

__all__ = [
    "STORES",
    "BatchResult",
    "Change",
    "Edge",
    "GraphCounts",
    "Node",
    "Store",
    "open_store",
]

STORES: Final = ("embedded", "neo4j")
NEO4J_SETTINGS: Final = ("NEO4J_URI", "NEO4J_USER", "NEO4J_PASSWORD")


def open_store(
    kind: str, data_dir: Path, environ: Mapping[str, str] | None = None
) -> Store:
    """The embedded store in `data_dir`, or Neo4j as the NEO4J_* variables say.

    Neo4j needs `NEO4J_URI`, `NEO4J_USER` and `NEO4J_PASSWORD`; `NEO4J_DATABASE`
    defaults to `neo4j`. Nothing is assumed for the others: a missing one is an error.
    """
    if kind == "embedded":
        from graphsvc.store.embedded import EmbeddedStore

        return EmbeddedStore(data_dir)
    if kind != "neo4j":
        raise ConfigError(f"store {kind!r} is not one of {', '.join(STORES)}")

    env = os.environ if environ is None else environ
    missing = [name for name in NEO4J_SETTINGS if not env.get(name)]
    if missing:
        raise ConfigError(f"the neo4j store needs {', '.join(missing)} to be set")
    from graphsvc.store.neo4j import Neo4jStore

    return Neo4jStore(
        env["NEO4J_URI"],
        env["NEO4J_USER"],
        env["NEO4J_PASSWORD"],
        env.get("NEO4J_DATABASE") or "neo4j",
    )
