"""A small two-brand graph and an in-process app with keys, for security tests."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from graphsvc.api.app import create_app
from graphsvc.api.context import Limits
from graphsvc.api.guards import HttpGuards
from graphsvc.audit import AuditLog
from graphsvc.investigation import Investigation
from graphsvc.security.keys import KeyRing
from graphsvc.service import load_into
from graphsvc.store import open_store

RECORDS: list[dict[str, Any]] = [
    {"kind": "brand", "id": "B1", "name": "Luma"},
    {"kind": "brand", "id": "B2", "name": "Orba"},
    {"kind": "party", "id": "FAB", "name": "Fab", "role": "manufacturer"},
    {"kind": "party", "id": "GREY", "name": "Grey", "role": "distributor"},
    {"kind": "party", "id": "DARK", "name": "Dark", "role": "distributor"},
    {"kind": "site", "id": "S-FAB", "operator": "FAB", "country": "FR"},
    {"kind": "site", "id": "S-GREY", "operator": "GREY", "country": "PL"},
    {"kind": "site", "id": "S-DARK", "operator": "DARK", "country": "PL"},
    {"kind": "product", "id": "P1", "brand": "B1", "name": "Serum"},
    {"kind": "product", "id": "P2", "brand": "B2", "name": "Cream"},
    {"kind": "item", "id": "I1", "product": "P1", "produced_at": "S-FAB"},
    {"kind": "item", "id": "J1", "product": "P2", "produced_at": "S-FAB"},
    {
        "kind": "shipment",
        "id": "SH1",
        "shipper": "FAB",
        "consignee": "GREY",
        "origin": "S-FAB",
        "destination": "S-GREY",
        "shipped_at": "2026-01-10T08:00:00Z",
        "delivered_at": "2026-01-11T08:00:00Z",
        "items": ["I1", "J1"],
    },
    {
        "kind": "shipment",
        "id": "SH2",
        "shipper": "GREY",
        "consignee": "DARK",
        "origin": "S-GREY",
        "destination": "S-DARK",
        "shipped_at": "2026-01-12T08:00:00Z",
        "delivered_at": "2026-01-13T08:00:00Z",
        "items": ["J1"],
    },
]

SECRETS = {
    "reader": "reader-one:reader:r-secret",
    "loader": "loader-one:loader:l-secret",
    "admin": "admin-one:admin:a-secret",
    "reader_b1": "luma-team:reader:b1-secret:B1",
    "reader_b1b2": "both-team:reader:bb-secret:B1,B2",
    "admin_b1": "luma-admin:admin:ab1-secret:B1",
}
"""GRAPHSVC_API_KEYS entries, by the name tests use for them."""

KEYS = {name: ".".join(entry.split(":")[0::2][:2]) for name, entry in SECRETS.items()}
"""The key each caller sends: `id.secret`."""


def loaded_data(root: Path, records: list[dict[str, Any]] | None = None) -> Path:
    """A data directory holding `records` (by default `RECORDS`), with findings."""
    feed = root / "feed.jsonl"
    given = RECORDS if records is None else records
    feed.write_text("".join(json.dumps(r) + "\n" for r in given))
    report = load_into(root / "data", [feed])
    assert report.ok, report.render()
    return root / "data"


@contextmanager
def client(
    data_dir: Path,
    *,
    keys: KeyRing | None = None,
    limits: Limits | None = None,
    guards: HttpGuards | None = None,
    audit: bool = False,
) -> Iterator[TestClient]:
    """An in-process app on `data_dir`; by default with every key of `SECRETS`."""
    ring = keys if keys is not None else KeyRing(None, ";".join(SECRETS.values()))
    log = AuditLog(data_dir / "audit.db") if audit else None
    investigation = Investigation(open_store("embedded", data_dir))
    app = create_app(
        investigation,
        limits,
        data_dir=data_dir,
        keys=ring,
        guards=guards or HttpGuards(rate=None, failed_keys=None),
        audit=log,
    )
    with TestClient(app) as running:
        yield running


def headers(who: str) -> dict[str, str]:
    """The headers `who` sends: a key by name, `bad` for an unknown one, else none."""
    if who == "none":
        return {}
    if who == "bad":
        return {"Authorization": "Bearer reader-one.wrong"}
    return {"Authorization": f"Bearer {KEYS[who]}"}
