"""A page of findings fetches its nodes in a few batches, not one call per field."""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

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


CHAIN = [
    {"kind": "brand", "id": "B", "name": "Luma"},
    {"kind": "product", "id": "P", "brand": "B"},
    {"kind": "party", "id": "F", "name": "Fab", "role": "manufacturer"},
    {"kind": "party", "id": "X", "name": "Grey", "role": "distributor"},
    {"kind": "site", "id": "SF", "operator": "F", "country": "FR"},
    {"kind": "site", "id": "SX", "operator": "X", "country": "PL"},
    {"kind": "item", "id": "I1", "product": "P", "produced_at": "SF"},
    {
        "kind": "shipment",
        "id": "SH1",
        "shipper": "F",
        "consignee": "X",
        "origin": "SF",
        "destination": "SX",
        "items": ["I1"],
        "shipped_at": "2026-01-02T08:00:00Z",
        "delivered_at": "2026-01-03T08:00:00Z",
    },
]

HOPS = "party { id name } site { id country } shipment { id } from"


def _chain_store(tmp_path: Path) -> tuple[CountingStore, Investigation]:
    feed = tmp_path / "feed.jsonl"
    feed.write_text("".join(json.dumps(r) + "\n" for r in CHAIN))
    store = CountingStore(tmp_path / "data")
    store.calls = Counter()
    load_paths(store, [feed])
    investigation = Investigation(store)
    investigation.refresh()
    store.calls.clear()
    return store, investigation


def _ask(investigation: Investigation, query: str) -> dict[str, Any]:
    result = asyncio.run(
        build_schema().execute(query, context_value=Context(investigation, Limits()))
    )
    assert result.errors is None, result.errors
    assert result.data is not None
    return result.data


def test_a_provenance_fetches_its_item_and_hops_in_one_lookup(
    tmp_path: Path,
) -> None:
    store, investigation = _chain_store(tmp_path)

    data = _ask(
        investigation, f'{{ provenance(itemId: "I1") {{ hops {{ {HOPS} }} }} }}'
    )
    store.close()

    assert data == {
        "provenance": {
            "hops": [
                {
                    "party": {"id": "F", "name": "Fab"},
                    "site": {"id": "SF", "country": "FR"},
                    "shipment": None,
                    "from": "2026-01-02T08:00:00+00:00",
                },
                {
                    "party": {"id": "X", "name": "Grey"},
                    "site": {"id": "SX", "country": "PL"},
                    "shipment": {"id": "SH1"},
                    "from": "2026-01-03T08:00:00+00:00",
                },
            ]
        }
    }
    assert store.calls == Counter({"nodes_by_key": 1})


def test_hops_asked_through_fragments_and_aliases_answer_the_same(
    tmp_path: Path,
) -> None:
    store, investigation = _chain_store(tmp_path)
    plain = f'{{ provenance(itemId: "I1") {{ hops {{ {HOPS} }} }} }}'
    fragments = f"""{{ provenance(itemId: "I1") {{ ...Chain }} }}
        fragment Chain on Provenance {{
          steps: hops {{ ... on CustodyHop {{ {HOPS} }} }}
        }}"""

    expected = _ask(investigation, plain)
    found = _ask(investigation, fragments)
    store.close()

    assert found == {"provenance": {"steps": expected["provenance"]["hops"]}}
