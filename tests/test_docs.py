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


def test_the_rejections_shown_in_the_feed_page_are_the_loaders_own(
    tmp_path: Path,
) -> None:
    from loaders.feed import read_feed

    page = (REPO / "docs" / "feeds.md").read_text(encoding="utf-8")
    parties = tmp_path / "parties.csv"
    parties.write_text("id,name,role\nP1,Reseller,reseller\n")
    feed = tmp_path / "feed.jsonl"
    feed.write_text(
        '{"kind": "shipment", "id": "S", "shipper": "A", "consignee": "B", '
        '"origin": "O", "destination": "D", "shipped_at": "2026-02-10 08:00"}\n'
        '{"kind": "item", "id": "https://id.gs1.org/01/10614141073465/21/2017", '
        '"product": "P"}\n'
    )

    reasons = [str(r).split(": ", 1)[1] for f in (parties, feed) for r in read_feed(f)]

    assert len(reasons) == 3
    for reason in reasons:
        assert f": {reason}\n" in page


def test_the_investigation_page_defines_every_finding_kind_and_neutral_role() -> None:
    import re

    from graphsvc.engine import FindingKind
    from graphsvc.model import NEUTRAL_ROLES

    page = (REPO / "docs" / "investigation.md").read_text(encoding="utf-8")
    defined = re.findall(r"^\| `([A-Z_]+)` \|", page, re.MULTILINE)
    neutral = re.search(r"role is (`\w+`(?:, `\w+`)* or `\w+`)", page)

    assert defined == [kind.value for kind in FindingKind]
    assert neutral is not None
    assert set(re.findall(r"`(\w+)`", neutral.group(1))) == NEUTRAL_ROLES
