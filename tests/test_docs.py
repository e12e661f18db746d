"""Documents that are generated from code stay in step with it."""

from __future__ import annotations

from pathlib import Path

from graphsvc.modeldoc import render_markdown

REPO = Path(__file__).resolve().parents[1]


def test_the_model_page_shows_the_declared_model() -> None:
    page = (REPO / "docs" / "model.md").read_text(encoding="utf-8")

    assert page.endswith("\n" + render_markdown())


def test_every_label_and_relationship_type_is_in_the_model_page() -> None:
    from graphsvc.model import NODE_TYPES, REL_TYPES

    page = (REPO / "docs" / "model.md").read_text(encoding="utf-8")

    assert [t.label for t in NODE_TYPES if f"### {t.label}\n" not in page] == []
    assert [r.type for r in REL_TYPES if f"| `{r.type}` |" not in page] == []
