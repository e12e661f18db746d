"""What the `graphsvc sync` and `graphsvc history` commands of `graphsvc.cli` do."""

from __future__ import annotations

import logging
import signal
import threading
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType

import click

from graphsvc.cli import EXIT_FATAL, EXIT_REJECTED, open_existing_store
from graphsvc.store.loads import LoadQuery, LoadRecord
from loaders.load import BATCH_SIZE
from loaders.sync import SyncSummary

log = logging.getLogger("graphsvc")


def exit_code(summary: SyncSummary) -> int:
    """As `graphsvc load`: 2 when files failed and none loaded, 1 on any rejection."""
    if summary.failed and not summary.loaded:
        return EXIT_FATAL
    if summary.failed or summary.rejected:
        return EXIT_REJECTED
    return 0


def stop_on_signals(stop: threading.Event) -> None:
    """Set `stop` on SIGTERM or SIGINT; a second signal ends the process at once."""

    def handle(signum: int, frame: FrameType | None) -> None:
        log.info("sync.stopping signal=%s", signal.Signals(signum).name)
        stop.set()
        signal.signal(signum, signal.SIG_DFL)

    signal.signal(signal.SIGTERM, handle)
    signal.signal(signal.SIGINT, handle)


def run_sync(
    data_dir: Path,
    store_kind: str,
    sources: tuple[Path, ...],
    *,
    watch: bool,
    interval: float,
    batch_size: int = BATCH_SIZE,
) -> int:
    """Sync once, or every `interval` seconds until a signal; the last exit code."""
    from graphsvc.service import sync_into

    stop = threading.Event()
    stop_on_signals(stop)
    while True:
        summary = sync_into(
            data_dir,
            list(sources),
            store_kind=store_kind,
            batch_size=batch_size,
            stop=stop,
        )
        click.echo(summary.render())
        code = exit_code(summary)
        if not watch or stop.wait(interval):
            return code


def parse_since(value: str) -> datetime:
    """An ISO 8601 date or time; without an offset it is taken as UTC."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(
            f"{value!r} is not an ISO 8601 date or time (2026-03-01, "
            "2026-03-01T08:00:00+01:00)",
            param_hint="--since",
        ) from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def print_history(
    data_dir: Path, store_kind: str, source: str | None, since: datetime | None
) -> None:
    """Print the loads (newest first) and each source's last successful load."""
    store = open_existing_store(store_kind, data_dir)
    try:
        records = store.loads(LoadQuery(source=source, since=since))
        freshness = store.source_freshness()
    finally:
        store.close()

    width = max([len("source"), *(len(r.source) for r in records)])
    header = f"{'started':<21}{'outcome':<24}{'records':>9}{'rejected':>9}"
    click.echo(f"{header}  {'source':<{width}}  file")
    for record in records:
        click.echo(_history_line(record, width))
    click.echo("sources (last successful load)")
    for fresh in freshness:
        if source is None or fresh.source == source:
            last = _moment(fresh.last_loaded) if fresh.last_loaded else "never"
            click.echo(f"  {fresh.source}: {last}")


def _history_line(record: LoadRecord, width: int) -> str:
    """One load as a row of the table, its source padded to `width` characters."""
    written = sum(record.counts.values())
    line = (
        f"{_moment(record.started):<21}{record.outcome.value:<24}{written:>9}"
        f"{record.rejected:>9}  {record.source:<{width}}  {record.file_name}"
    )
    if record.content_hash is not None:
        line += f" sha256:{record.content_hash[:12]}"
    if record.reason is not None:
        line += f" ({record.reason})"
    return line


def _moment(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%SZ")
