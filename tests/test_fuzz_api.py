"""Schemathesis against the OpenAPI of the REST endpoints: no request gets a 500."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Final

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Ok
from secured import SECRETS, headers, loaded_data

from graphsvc.api.app import create_app
from graphsvc.api.guards import HttpGuards
from graphsvc.audit import AuditLog
from graphsvc.investigation import Investigation
from graphsvc.security.keys import KeyRing
from graphsvc.store import open_store


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> FastAPI:
    data: Path = loaded_data(tmp_path_factory.mktemp("fuzz"))
    return create_app(
        Investigation(open_store("embedded", data)),
        data_dir=data,
        keys=KeyRing(None, ";".join(SECRETS.values())),
        guards=HttpGuards(rate=None, failed_keys=None),
        audit=AuditLog(data / "audit.db"),
    )


OPERATIONS: Final = {
    "GET /graphql",
    "POST /graphql",
    "GET /health",
    "GET /metrics",
    "GET /export",
    "GET /events",
    "POST /capture",
    "GET /capture/{capture_id}",
    "POST /feeds",
    "GET /feeds/{load_id}/rejects",
}
CALLERS: Final = ("admin", "reader_b1", "loader", "none")
BUDGET: Final = settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)


def test_no_request_makes_the_server_fail(app: FastAPI) -> None:
    schema = schemathesis.openapi.from_asgi(
        "/openapi.json", app, headers=headers("admin")
    )
    results = list(schema.get_all_operations())
    operations = [r.ok() for r in results if isinstance(r, Ok)]

    assert len(operations) == len(results)
    assert {f"{o.method.upper()} {o.path}" for o in operations} == OPERATIONS
    for operation in operations:

        @BUDGET
        @given(case=operation.as_strategy())
        def no_server_error(case: schemathesis.Case[Any]) -> None:
            for who in CALLERS:
                case.call_and_validate(
                    headers=headers(who), checks=[not_a_server_error]
                )

        no_server_error()
