"""A page of findings fetches its nodes in a few batches, not one call per field."""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from graphsvc.api.context import Context, Limits
from graphsvc.api.schema import build_schema
from graphsvc.investigation import Investigation
from graphsvc.store.base import Node, NodeKey
from graphsvc.store.embedded import EmbeddedStore
from loaders.load import load_paths


class CountingStore(EmbeddedStore):
    """The embedded store, counting calls to its node lookups."""

    calls: Counter[str]

    def nodes_by_key(self, keys: Sequence[NodeKey]) -> list[Node | None]:
        self.calls["nodes_by_key"] += 1
        return super().nodes_by_key(keys)

    def node(self, label: str, id: str) -> Node | None:
        self.calls["node"] += 1
        return super().node(label, id)


def test_fifty_findings_with_their_nodes_take_a_handful_of_lookups(
    tmp_path: Path,
) -> None:
    rows: list[dict[str, object]] = [
        {"kind": "brand", "id": "B", "name": "Luma"},
        {"kind": "product", "id": "P", "brand": "B"},
        {"kind": "party", "id": "X", "name": "Grey", "role": "distributor"},
        {"kind": "site", "id": "S", "operator": "X", "country": "PL"},
    ]
    for n in range(60):
        rows.append({"kind": "item", "id": f"I{n:02d}", "product": "P"})
        rows.append(
            {
                "kind": "shipment",
                "id": f"SH{n:02d}",
                "shipper": "F",
                "consignee": "X",
                "origin": "O",
                "destination": "S",
                "items": [f"I{n:02d}"],
                "shipped_at": f"2026-01-01T{n % 24:02d}:00:00Z",
            }
        )
    feed = tmp_path / "feed.jsonl"
    feed.write_text("".join(json.dumps(r) + "\n" for r in rows))
    store = CountingStore(tmp_path / "data")
    store.calls = Counter()
    load_paths(store, [feed])
    investigation = Investigation(store)
    investigation.refresh()
    query = """{ findings(first: 50) { edges { node {
        item { id product { brand { name } } }
        party { name } shipment { id origin { id } destination { operator { id } } }
    } } } }"""

    result = asyncio.run(
        build_schema().execute(query, context_value=Context(investigation, Limits()))
    )
    store.close()

    assert result.errors is None
    assert len(result.data["findings"]["edges"]) == 50  # type: ignore[index]
    # One lookup per level of nesting: items, parties and shipments; their products
    # and sites; brands and operators.
    assert store.calls == Counter({"nodes_by_key": 3})
