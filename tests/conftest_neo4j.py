"""The session-wide Neo4j fixture, for conftest.py to bring in.

Locally a missing Neo4j skips its tests with the reason; in CI (``CI=true``) it fails
them, since a Neo4j suite that silently skipped would pass for tested when it was not.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import NoReturn

import pytest
from neo4j_harness import Neo4jHarness, Neo4jUnavailable


def neo4j_unavailable(reason: str, environ: Mapping[str, str]) -> NoReturn:
    """Fail the test in CI, skip it elsewhere, saying why Neo4j is missing."""
    if environ.get("CI", "").lower() == "true":
        pytest.fail(f"Neo4j is required in CI: {reason}", pytrace=False)
    pytest.skip(f"no Neo4j: {reason}")


@pytest.fixture(scope="session")
def neo4j_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Neo4jHarness]:
    """A running Neo4j 5 shared by the session; see `neo4j_harness` for its sources.

    Tests get the address from ``neo4j_server.endpoint``. They share one database, so
    each test cleans up what it wrote.
    """
    work_dir: Path = tmp_path_factory.mktemp("neo4j")
    harness = Neo4jHarness(work_dir)
    try:
        harness.start()
    except Neo4jUnavailable as err:
        harness.close()
        neo4j_unavailable(str(err), os.environ)
    yield harness
    harness.close()
