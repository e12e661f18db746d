"""The `loads` query answers as `graphsvc history` does, filters included."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from click.testing import CliRunner
from secured import client, headers

from graphsvc.cli import main
from graphsvc.store.embedded import EmbeddedStore
from graphsvc.store.loads import LoadOutcome, LoadRecord

MARCH = datetime(2026, 3, 1, tzinfo=UTC)
QUERY = """
query ($source: String, $since: DateTime) {
  loads(source: $source, since: $since) {
    edges { node { source fileName } }
    freshness { source }
  }
}
"""


def record(source: str, file_name: str, started: datetime) -> LoadRecord:
    return LoadRecord(
        id=f"{started:%Y%m%dT%H%M%S}-{source}",
        source=source,
        file_name=file_name,
        content_hash="ab",
        size=2,
        started=started,
        finished=started + timedelta(seconds=1),
        counts={"brand": 1},
        rejected=0,
        outcome=LoadOutcome.LOADED,
    )


def test_loads_filters_as_the_history_command_does(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    store = EmbeddedStore(data_dir)
    store.record_load(record("partner-a", "late.csv", MARCH - timedelta(minutes=1)))
    store.record_load(record("partner-a", "new.csv", MARCH))
    store.record_load(record("demo", "brands.csv", MARCH + timedelta(hours=1)))
    store.close()

    with client(data_dir) as app:
        answer = app.post(
            "/graphql",
            json={
                "query": QUERY,
                "variables": {"source": "partner-a", "since": "2026-03-01"},
            },
            headers=headers("admin"),
        ).json()
    printed = CliRunner().invoke(
        main,
        [
            "history",
            "--data-dir",
            str(data_dir),
            "--source",
            "partner-a",
            "--since",
            "2026-03-01",
        ],
    )

    assert answer == {
        "data": {
            "loads": {
                "edges": [{"node": {"source": "partner-a", "fileName": "new.csv"}}],
                "freshness": [{"source": "partner-a"}],
            }
        }
    }
    assert printed.stdout.splitlines()[1:] == [
        "2026-03-01 00:00:00Z loaded                          1        0  partner-a"
        "  new.csv sha256:ab",
        "sources (last successful load)",
        "  partner-a: 2026-03-01 00:00:01Z",
    ]
