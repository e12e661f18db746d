"""Fixtures shared by the test suite."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest_neo4j import neo4j_server  # noqa: F401 - fixtures, shared this way
from conftest_stores import any_store, stores  # noqa: F401

from graphsvc.store.embedded import EmbeddedStore

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


def shared_dir() -> Path:
    """The shared data folder beside the checkout; fails clearly when missing."""
    if not SHARED.is_dir():
        pytest.fail(
            f"the shared data folder {SHARED.name}/ is missing beside the checkout; "
            "tests that read the feed contract and EPCIS samples need it",
            pytrace=False,
        )
    return SHARED


@pytest.fixture
def store(tmp_path: Path) -> Iterator[EmbeddedStore]:
    """An empty embedded store in a fresh data directory."""
    opened = EmbeddedStore(tmp_path / "data")
    yield opened
    opened.close()


@pytest.fixture(autouse=True)
def _no_user_data_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Keep every test away from the user's own data directory."""
    monkeypatch.setenv("GRAPHSVC_DATA_DIR", str(tmp_path / "default-data"))
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    assert os.environ["GRAPHSVC_DATA_DIR"]
