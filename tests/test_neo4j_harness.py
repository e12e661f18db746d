"""The Neo4j harness gives a working server, and the Maven one survives restarts."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import neo4j
import pytest
from conftest_neo4j import neo4j_unavailable
from neo4j_harness import (
    MavenNeo4jServer,
    Neo4jEndpoint,
    Neo4jHarness,
    Neo4jUnavailable,
    build_is_current,
)

PROBE = "HarnessProbe"


def maven_server(harness: Neo4jHarness) -> MavenNeo4jServer:
    """The Maven-started server; other sources cannot be stopped by a test."""
    if harness.server is None:
        pytest.skip(f"needs the Maven-started server, not {harness.source}")
    return harness.server


def connect(endpoint: Neo4jEndpoint) -> neo4j.Driver:
    """A driver that reports a dead server at once instead of retrying for a minute."""
    return neo4j.GraphDatabase.driver(
        endpoint.uri, auth=endpoint.auth, max_transaction_retry_time=0
    )


def write_probe(endpoint: Neo4jEndpoint, key: str) -> None:
    with connect(endpoint) as driver:
        driver.execute_query(
            f"CREATE (:{PROBE} {{key: $key, count: 42, tags: ['a', 'b']}})",
            key=key,
            database_=endpoint.database,
        )


def read_probes(endpoint: Neo4jEndpoint, key: str) -> list[dict[str, object]]:
    with connect(endpoint) as driver:
        records, _, _ = driver.execute_query(
            f"MATCH (p:{PROBE} {{key: $key}}) RETURN p.count AS count, p.tags AS tags",
            key=key,
            database_=endpoint.database,
        )
    return [record.data() for record in records]


def delete_probes(endpoint: Neo4jEndpoint, key: str) -> None:
    with connect(endpoint) as driver:
        driver.execute_query(
            f"MATCH (p:{PROBE} {{key: $key}}) DELETE p",
            key=key,
            database_=endpoint.database,
        )


def alive(pid: int) -> bool:
    """True while the process exists and is not a zombie awaiting its reaper."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def test_server_answers_a_query(neo4j_server: Neo4jHarness) -> None:
    endpoint = neo4j_server.endpoint

    with connect(endpoint) as driver:
        records, _, _ = driver.execute_query(
            "RETURN 1 AS x", database_=endpoint.database
        )

    assert [record.data() for record in records] == [{"x": 1}]


def test_written_node_reads_back(neo4j_server: Neo4jHarness) -> None:
    endpoint = neo4j_server.endpoint

    write_probe(endpoint, "write-read")
    try:
        found = read_probes(endpoint, "write-read")
    finally:
        delete_probes(endpoint, "write-read")

    assert found == [{"count": 42, "tags": ["a", "b"]}]
    assert read_probes(endpoint, "write-read") == []


@pytest.mark.slow
def test_restart_keeps_data_and_address(neo4j_server: Neo4jHarness) -> None:
    server = maven_server(neo4j_server)
    before = neo4j_server.endpoint
    write_probe(before, "restart")

    after = server.restart()

    try:
        assert after == before
        assert read_probes(after, "restart") == [{"count": 42, "tags": ["a", "b"]}]
        assert build_is_current()
    finally:
        delete_probes(after, "restart")


@pytest.mark.slow
def test_kill_then_start_recovers_committed_data(neo4j_server: Neo4jHarness) -> None:
    server = maven_server(neo4j_server)
    endpoint = neo4j_server.endpoint
    write_probe(endpoint, "killed")

    server.kill()
    assert not server.running
    with pytest.raises(neo4j.exceptions.ServiceUnavailable):
        read_probes(endpoint, "killed")
    server.start()

    try:
        assert read_probes(endpoint, "killed") == [{"count": 42, "tags": ["a", "b"]}]
    finally:
        delete_probes(endpoint, "killed")


@pytest.mark.slow
def test_server_dies_with_the_process_that_started_it(
    neo4j_server: Neo4jHarness, tmp_path: Path
) -> None:
    maven_server(neo4j_server)  # only this source has a launcher to try
    starter = (
        "import sys, time\n"
        "from pathlib import Path\n"
        "from neo4j_harness import MavenNeo4jServer\n"
        "server = MavenNeo4jServer(Path(sys.argv[1]))\n"
        "server.start()\n"
        "print(server.pid, flush=True)\n"
        "time.sleep(600)\n"
    )
    parent = subprocess.Popen(
        [sys.executable, "-c", starter, str(tmp_path / "orphan")],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).parent)},
    )
    try:
        assert parent.stdout is not None
        java_pid = int(parent.stdout.readline())
        assert alive(java_pid)
    finally:
        parent.kill()
        parent.wait()

    deadline = time.monotonic() + 60
    while alive(java_pid) and time.monotonic() < deadline:
        time.sleep(0.2)

    assert not alive(java_pid)


def test_unreachable_neo4j_uri_is_not_replaced_by_another_source() -> None:
    harness = Neo4jHarness(environ={"NEO4J_URI": "bolt://127.0.0.1:1"})

    with pytest.raises(Neo4jUnavailable) as raised:
        harness.start()

    assert str(raised.value).startswith(
        "NEO4J_URI is set but bolt://127.0.0.1:1 (database neo4j) does not answer"
    )
    assert harness.source is None


def test_missing_neo4j_fails_in_ci() -> None:
    with pytest.raises(pytest.fail.Exception) as raised:
        neo4j_unavailable("no engine", {"CI": "true"})

    assert str(raised.value) == "Neo4j is required in CI: no engine"


def test_missing_neo4j_skips_outside_ci() -> None:
    with pytest.raises(pytest.skip.Exception) as raised:
        neo4j_unavailable("no engine", {"CI": "false"})

    assert str(raised.value) == "no Neo4j: no engine"
