"""The audit log, /metrics, and request ids in logs that hold no secrets."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from secured import SECRETS, client, headers, loaded_data
from server import serve

from graphsvc.audit import AuditLog, audit_path
from graphsvc.errors import ConfigError


def test_entries_come_back_newest_first_a_page_at_a_time(tmp_path: Path) -> None:
    log = AuditLog(tmp_path / "audit.db")
    for n in range(3):
        log.record("k1", f"op{n}", {"n": n}, 10 * n)

    first = log.entries(2)
    rest = log.entries(2, before=first[-1].id)
    log.close()

    assert [(e.operation, e.variables, e.result_size) for e in first] == [
        ("op2", '{"n": 2}', 20),
        ("op1", '{"n": 1}', 10),
    ]
    assert [e.operation for e in rest] == ["op0"]


@pytest.mark.parametrize(
    "statement", ["UPDATE audit SET key_id = 'someone else'", "DELETE FROM audit"]
)
def test_the_log_refuses_to_be_rewritten(tmp_path: Path, statement: str) -> None:
    log = AuditLog(tmp_path / "audit.db")
    log.record("k1", "findings", None, 1)
    log.close()
    db = sqlite3.connect(tmp_path / "audit.db")

    with pytest.raises(sqlite3.IntegrityError, match="the audit log is append-only"):
        db.execute(statement)
    db.close()


@pytest.mark.parametrize(("setting", "level"), [(None, 1), ("normal", 1), ("full", 2)])
def test_the_log_syncs_as_the_store_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, setting: str | None, level: int
) -> None:
    if setting is not None:
        monkeypatch.setenv("GRAPHSVC_SQLITE_SYNC", setting)
    log = AuditLog(tmp_path / "audit.db")

    # PRAGMA synchronous answers 1 for NORMAL and 2 for FULL.
    assert log._db.execute("PRAGMA synchronous").fetchone() == (level,)
    log.close()


def test_an_unknown_sync_mode_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GRAPHSVC_SQLITE_SYNC", "off")

    with pytest.raises(ConfigError) as refused:
        AuditLog(tmp_path / "audit.db")

    assert str(refused.value) == (
        "GRAPHSVC_SQLITE_SYNC must be normal or full, not 'off'"
    )
    assert not (tmp_path / "audit.db").exists()


def test_the_log_lives_in_the_audit_dir_when_one_is_set(tmp_path: Path) -> None:
    assert audit_path(tmp_path / "data", {}) == tmp_path / "data" / "audit.db"
    assert audit_path(tmp_path, {"GRAPHSVC_AUDIT_DIR": "/var/audit"}) == Path(
        "/var/audit/audit.db"
    )


AUDIT_QUERY = """{ auditLog(first: 10) { entries { keyId operation variables
  resultSize outcome } hasNextPage } }"""


def test_admins_see_who_ran_what(tmp_path: Path) -> None:
    data = loaded_data(tmp_path)
    query = "query One($id: ID!) { brand(id: $id) { name } }"

    with client(data, audit=True) as app:
        asked = app.post(
            "/graphql",
            json={"query": query, "variables": {"id": "B1"}},
            headers=headers("reader_b1"),
        )
        failed = app.post(
            "/graphql", json={"query": "{ nope }"}, headers=headers("reader")
        )
        openapi = app.get("/openapi.json?x=1", headers=headers("reader"))
        log = app.post(
            "/graphql", json={"query": AUDIT_QUERY}, headers=headers("admin")
        )

    assert asked.json() == {"data": {"brand": {"name": "Luma"}}}
    assert failed.json()["errors"]
    assert log.json()["data"]["auditLog"] == {
        "entries": [
            {
                "keyId": "reader-one",
                "operation": "GET /openapi.json",
                "variables": {"x": ["1"]},
                "resultSize": len(openapi.content),
                "outcome": "ok",
            },
            {
                "keyId": "reader-one",
                "operation": "nope",
                "variables": {},
                "resultSize": 0,
                "outcome": "error",
            },
            {
                "keyId": "luma-team",
                "operation": "brand",
                "variables": {"id": "B1"},
                "resultSize": len(b'{"brand":{"name":"Luma"}}'),
                "outcome": "ok",
            },
        ],
        "hasNextPage": False,
    }


def metric_lines(text: str) -> set[str]:
    return {line for line in text.splitlines() if not line.startswith("#")}


def test_metrics_count_requests_operations_nodes_and_findings(tmp_path: Path) -> None:
    data = loaded_data(tmp_path)

    with client(data) as app:
        for _ in range(2):
            app.post(
                "/graphql",
                json={"query": "{ findings { totalCount } }"},
                headers=headers("reader"),
            )
        app.get("/metrics", headers=headers("reader"))
        scraped = app.get("/metrics", headers=headers("admin"))

    lines = metric_lines(scraped.text)
    assert scraped.headers["content-type"].startswith("text/plain; version=0.0.4")
    assert {
        'graphsvc_http_requests_total{method="POST",route="/graphql",status="200"} 2.0',
        'graphsvc_http_requests_total{method="GET",route="/metrics",status="403"} 1.0',
        'graphsvc_graphql_operations_total{operation="findings",outcome="ok"} 2.0',
        'graphsvc_graphql_operation_seconds_count{operation="findings"} 2.0',
        'graphsvc_loads{outcome="loaded",source="cli"} 1.0',
        'graphsvc_load_records{outcome="written",source="cli"} 14.0',
        'graphsvc_load_records{outcome="rejected",source="cli"} 0.0',
        'graphsvc_nodes{label="Item"} 2.0',
        'graphsvc_findings{kind="UNAUTHORIZED_HOLDER"} 3.0',
        'graphsvc_findings{kind="REENTRY"} 0.0',
    } <= lines


@pytest.mark.slow
def test_server_logs_carry_request_ids_and_never_a_key(tmp_path: Path) -> None:
    data = loaded_data(tmp_path)
    env = {"GRAPHSVC_API_KEYS": ";".join(SECRETS.values())}
    wrong = "reader-one.not-the-secret"

    with serve(data, env=env) as server:
        ok = server.client.post(
            "/graphql",
            json={"query": "{ findings { totalCount } }"},
            headers={**headers("reader"), "X-Request-ID": "case-42"},
        )
        refused = server.client.get("/metrics", headers={"X-API-Key": wrong})
        log_file = next(tmp_path.glob("server-*.log"))
    lines = [json.loads(line) for line in log_file.read_text().splitlines()]

    assert ok.headers["x-request-id"] == "case-42"
    assert len(refused.headers["x-request-id"]) == 32
    logged = log_file.read_text()
    for entry in SECRETS.values():
        assert entry.split(":")[2] not in logged
    assert wrong not in logged
    operation: dict[str, Any] = next(
        line for line in lines if line["event"] == "graphql.operation"
    )
    assert operation["request_id"] == "case-42"
    assert operation["message"].startswith(
        "graphql.operation key=reader-one operation=findings outcome=ok bytes="
    )


def test_json_log_lines_name_their_event_and_request() -> None:
    import io
    import logging

    from graphsvc.api.requestid import request_id
    from graphsvc.logsetup import JsonFormatter, RequestIdFilter

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("graphsvc.test.jsonlines")
    logger.addHandler(handler)
    logger.propagate = False
    token = request_id.set("r-1")
    try:
        logger.warning("keys.loaded file=%s keys=%d", "k.json", 2)
        logger.warning('127.0.0.1:5 - "GET /health HTTP/1.1" 200')
    finally:
        request_id.reset(token)
        logger.removeHandler(handler)
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]

    assert [(x["event"], x["request_id"], x["level"]) for x in lines] == [
        ("keys.loaded", "r-1", "warning"),
        ("graphsvc.test.jsonlines", "r-1", "warning"),
    ]
    assert lines[0]["message"] == "keys.loaded file=k.json keys=2"


def test_an_event_name_may_hold_digits() -> None:
    import logging

    from graphsvc.logsetup import JsonFormatter

    record = logging.LogRecord(
        "graphsvc.store.neo4j",
        logging.INFO,
        __file__,
        1,
        "neo4j.closed uri=b",
        (),
        None,
    )

    assert json.loads(JsonFormatter().format(record))["event"] == "neo4j.closed"
