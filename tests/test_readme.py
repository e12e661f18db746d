"""The README's example queries give the answers it shows, over HTTP, on demo data."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from server import Server, serve

from graphsvc import service
from graphsvc.service import prepare_demo

README = Path(__file__).resolve().parents[1] / "README.md"
EXAMPLE = re.compile(r"```graphql\n(.*?)```\s*```json\n(.*?)```", re.DOTALL)
DEMO_ITEMS, DEMO_SEED = 2_000, 7
"""What `make demo` generates, as the README says."""


def examples() -> list[tuple[str, str]]:
    found = EXAMPLE.findall(README.read_text(encoding="utf-8"))
    assert len(found) == 3, "the README should show three example queries"
    return [(query, answer) for query, answer in found]


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    root = tmp_path_factory.mktemp("readme")
    store = prepare_demo(root)
    with serve(store) as running:
        yield running


@pytest.mark.parametrize(("query", "answer"), examples())
def test_each_example_gives_the_answer_shown(
    demo_server: Server, query: str, answer: str
) -> None:
    assert demo_server.graphql(query) == json.loads(answer)


def test_the_readme_names_the_demo_it_was_run_on() -> None:
    text = README.read_text(encoding="utf-8")

    makefile = (README.parent / "Makefile").read_text()

    assert f"{DEMO_ITEMS:,} items, seed {DEMO_SEED}" in text
    assert (service.DEMO_ITEMS, service.DEMO_SEED) == (DEMO_ITEMS, DEMO_SEED)
    # Without ITEMS, make demo asks for no size: a new demo gets DEMO_ITEMS.
    assert "ITEMS ?=\n" in makefile
    assert "graphsvc demo $(if $(ITEMS),--items $(ITEMS)) --port" in makefile
