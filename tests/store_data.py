"""Small feeds for store tests, and ways to write them and look at the result."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from graphsvc.api.context import Context, Limits
from graphsvc.api.schema import build_schema
from graphsvc.investigation import Investigation
from graphsvc.model import NODE_TYPES
from graphsvc.records import Record
from graphsvc.store.base import Edge, Node, Store
from loaders.feed import read_feed
from loaders.load import LoadReport, load_paths

Row = Mapping[str, object]


def records(tmp_path: Path, *lines: Row) -> list[Record]:
    """The records of feed lines, all of them valid."""
    path = tmp_path / "feed.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    found = list(read_feed(path))
    assert all(isinstance(r, Record) for r in found), found
    return [r for r in found if isinstance(r, Record)]


def write(store: Store, tmp_path: Path, *lines: Row) -> dict[str, int]:
    """Write feed lines as one batch; the changes as `kind:change` counts."""
    result = store.write(records(tmp_path, *lines))
    return {f"{kind}:{change.value}": n for (kind, change), n in result.changes.items()}


def load(store: Store, tmp_path: Path, *rows: Row) -> LoadReport:
    """Load feed lines through the loader, in its batches; what it reported."""
    feed = tmp_path / "feed.jsonl"
    feed.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return load_paths(store, [feed])


def ask(store: Store, query: str, *, refresh: bool = True) -> dict[str, Any]:
    """`query` answered as the API does (once findings are up to date, with
    `refresh`): its data, and its error messages when there are any."""
    investigation = Investigation(store)
    if refresh:
        investigation.refresh()
    context = Context(investigation, Limits())
    result = asyncio.run(build_schema().execute(query, context_value=context))
    answer: dict[str, Any] = {"data": result.data}
    if result.errors:
        answer["errors"] = [error.message for error in result.errors]
    return answer


def snapshot(store: Store) -> tuple[list[Node], list[Edge]]:
    """Every node, label by label, and every relationship."""
    nodes = [n for t in NODE_TYPES for n in store.nodes(t.label)]
    return nodes, list(store.edges())


def write_feed(directory: Path, items: int) -> list[Path]:
    """A small, connected feed split over three files."""
    directory.mkdir(parents=True, exist_ok=True)
    master = [
        {"kind": "brand", "id": "B1", "name": "Luma"},
        {"kind": "party", "id": "FAB", "name": "Fab", "role": "manufacturer"},
        {"kind": "party", "id": "DIS", "name": "Dis", "role": "distributor"},
        {"kind": "site", "id": "S1", "operator": "FAB", "country": "FR"},
        {"kind": "site", "id": "S2", "operator": "DIS", "country": "DE"},
        {"kind": "product", "id": "P1", "brand": "B1"},
        {
            "kind": "authorization",
            "brand": "B1",
            "party": "DIS",
            "valid_from": "2025-01-01",
            "territories": ["DE"],
        },
    ]
    items_feed = [
        {
            "kind": "item",
            "id": f"I{n:06d}",
            "product": "P1",
            "produced_at": "S1",
            "produced_on": "2026-01-01T08:00:00+01:00",
            "colour": "red",
        }
        for n in range(items)
    ]
    moves = [
        {
            "kind": "shipment",
            "id": f"SH{n // 10:05d}",
            "shipper": "FAB",
            "consignee": "DIS",
            "origin": "S1",
            "destination": "S2",
            "shipped_at": "2026-01-05T08:00:00Z",
            "items": [f"I{n:06d}"],
        }
        for n in range(items)
    ]
    paths = []
    for name, rows in (
        ("a-master", master),
        ("b-items", items_feed),
        ("c-moves", moves),
    ):
        path = directory / f"{name}.jsonl"
        path.write_text("".join(json.dumps(r) + "\n" for r in rows))
        paths.append(path)
    return paths


WORLD: list[Row] = [
    {"kind": "brand", "id": "B", "name": "Luma"},
    {"kind": "product", "id": "P", "brand": "B"},
    {"kind": "party", "id": "FAB", "name": "Fab", "role": "manufacturer"},
    {"kind": "party", "id": "NORD", "name": "Nord", "role": "distributor"},
    {"kind": "site", "id": "S-FAB", "operator": "FAB", "country": "FR"},
    {"kind": "site", "id": "S-HAM", "operator": "NORD", "country": "DE"},
    *(
        {
            "kind": "item",
            "id": f"I{n}",
            "product": "P",
            "produced_at": "S-FAB",
            "produced_on": "2026-01-01T00:00:00Z",
        }
        for n in range(5)
    ),
]
"""A brand's factory and a distributor with no authorization, and five items."""


def shipment(id_: str, items: list[str]) -> dict[str, object]:
    """A shipment of items from the factory to the distributor."""
    return {
        "kind": "shipment",
        "id": id_,
        "shipper": "FAB",
        "consignee": "NORD",
        "origin": "S-FAB",
        "destination": "S-HAM",
        "items": items,
        "shipped_at": "2026-02-01T00:00:00Z",
    }
