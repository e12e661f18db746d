"""The `graphsvc` command line.

Errors are one line on stderr (a traceback only with `--debug`). Exit codes: 0 when
all went well, 1 when a load or sync rejected records or a file failed, 2 when files
failed and nothing loaded or on a usage or fatal error, 141 when the reader of the
output went away.
"""

from __future__ import annotations

import gc
import logging
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Final, NoReturn

import click

from graphsvc import __version__
from graphsvc.config import data_dir_problem, default_data_dir
from graphsvc.errors import ConfigError, GraphsvcError
from graphsvc.logsetup import configure_logging
from graphsvc.store import STORES, open_store
from graphsvc.store.base import Store
from graphsvc.store.embedded import DB_FILE
from loaders.load import BATCH_SIZE

log = logging.getLogger("graphsvc")

EXIT_REJECTED: Final = 1
EXIT_FATAL: Final = 2
EXIT_BROKEN_PIPE: Final = 141
"""As a shell reports a command ended by SIGPIPE: 128 + 13."""

_data_dir_option = click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="GRAPHSVC_DATA_DIR",
    default=default_data_dir,
    show_default="$GRAPHSVC_DATA_DIR, else the user data directory",
    help="Where the embedded store keeps the graph.",
)


_store_option = click.option(
    "--store",
    "store_kind",
    type=click.Choice(STORES),
    envvar="GRAPHSVC_STORE",
    default="embedded",
    show_default=True,
    help="Where the graph lives; neo4j reads NEO4J_URI, NEO4J_USER, NEO4J_PASSWORD "
    "and NEO4J_DATABASE.",
)

_batch_size_option = click.option(
    "--batch-size",
    type=click.IntRange(min=1, max=1_000_000),
    default=BATCH_SIZE,
    show_default=True,
    help="Records written per transaction.",
)


class _Group(click.Group):
    """Turns graphsvc's own errors into one line and exit code 2."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except GraphsvcError as err:
            if ctx.meta.get("debug"):
                raise
            _fail(str(err))
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except BrokenPipeError:
            # The reader went away (`graphsvc stats | head`): nothing is wrong with
            # graphsvc, and nothing more can be written. The stream is pointed at
            # /dev/null so that closing it at exit does not fail again.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(EXIT_BROKEN_PIPE)
        except Exception as err:
            if ctx.meta.get("debug"):
                raise
            log.debug("cli.unexpected", exc_info=True)
            _fail(f"unexpected {type(err).__name__}: {err} (--debug shows where)")


GC_THRESHOLDS: Final = (100_000, 50, 100)
"""The collector's thresholds for a graphsvc process.

Loads and refreshes make millions of small objects that mostly live on; with the
default 700, collecting the youngest generation took about a tenth of a feed load's
CPU (23,300 records/s against 25,200 with these, loading 20,000 demo items)."""


def _fail(message: str) -> NoReturn:
    click.echo(f"graphsvc: error: {message}", err=True)
    sys.exit(EXIT_FATAL)


def open_existing_store(store_kind: str, data_dir: Path) -> Store:
    """The store to read, refusing an embedded data directory that holds none."""
    if store_kind == "embedded":
        try:
            found = (data_dir / DB_FILE).exists()
        except OSError as err:  # a name too long for the disk, say
            raise ConfigError(data_dir_problem(data_dir, err)) from err
        if not found:
            raise ConfigError(f"there is no graphsvc store in {data_dir}")
    return open_store(store_kind, data_dir)


@click.group(cls=_Group)
@click.version_option(__version__, prog_name="graphsvc")
@click.option("--debug", is_flag=True, help="Show debug logs and full tracebacks.")
@click.pass_context
def main(ctx: click.Context, debug: bool) -> None:
    """Graph-based supply chain investigation: load feeds, find what leaked."""
    ctx.meta["debug"] = debug
    configure_logging(debug)
    gc.set_threshold(*GC_THRESHOLDS)


@main.command()
@_data_dir_option
@_store_option
@click.option(
    "--rejects-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Where to write rejected records and report.json "
    "[default: DATA_DIR/loads/TIME].",
)
@_batch_size_option
@click.option(
    "--source",
    default="cli",
    show_default=True,
    help="Who sent the files, as the load history names it.",
)
@click.argument(
    "paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path)
)
def load(
    data_dir: Path,
    store_kind: str,
    rejects_dir: Path | None,
    batch_size: int,
    source: str,
    paths: tuple[Path, ...],
) -> None:
    """Load feed files, or every feed file under directories, into the store."""
    from graphsvc.service import load_into, rejects_dir_for

    with _progress() as progress:
        report = load_into(
            data_dir,
            list(paths),
            store_kind=store_kind,
            rejects_dir=rejects_dir or rejects_dir_for(data_dir),
            batch_size=batch_size,
            progress=progress,
            source=source,
        )
    click.echo(report.render())
    if report.failed_files and not report.loaded:
        sys.exit(EXIT_FATAL)
    if not report.ok:
        sys.exit(EXIT_REJECTED)


@main.command()
@click.option("--items", type=click.IntRange(min=1), default=2_000, show_default=True)
@click.option("--seed", type=int, default=7, show_default=True)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="Directory for the feed files and truth.json.",
)
def generate(items: int, seed: int, out: Path) -> None:
    """Write a realistic demo feed with planted cases and truth.json."""
    from graphsvc.generate import generate as write_demo

    try:
        summary = write_demo(out, items=items, seed=seed)
    except OSError as err:
        raise ConfigError(f"cannot write the demo feed to {out}: {err}") from None
    click.echo(summary.render())


@main.command()
@_data_dir_option
@_store_option
def stats(data_dir: Path, store_kind: str) -> None:
    """Print node counts per label and relationship counts per type."""
    store = open_existing_store(store_kind, data_dir)
    try:
        counts = store.counts()
    finally:
        store.close()
    click.echo("nodes")
    for label, n in counts.nodes.items():
        click.echo(f"  {label:<16}{n:>12}")
    click.echo("relationships")
    for rel, n in counts.relationships.items():
        click.echo(f"  {rel:<16}{n:>12}")


_host_option = click.option(
    "--host", default="127.0.0.1", show_default=True, help="Address to listen on."
)
_port_option = click.option(
    "--port", type=click.IntRange(0, 65535), default=8000, show_default=True
)


@main.command()
@_data_dir_option
@_store_option
@_host_option
@_port_option
@click.option(
    "--allow-open",
    is_flag=True,
    envvar="GRAPHSVC_ALLOW_OPEN",
    help="Serve beyond loopback with no API keys configured (anyone is an admin).",
)
def serve(
    data_dir: Path, store_kind: str, host: str, port: int, allow_open: bool
) -> None:
    """Serve the GraphQL API (and GraphiQL) at /graphql."""
    from graphsvc.service import serve as run

    run(data_dir, host=host, port=port, store_kind=store_kind, allow_open=allow_open)


@main.command()
@click.option(
    "--items",
    type=click.IntRange(min=1),
    help="Items of a new demo [default: 2000]; a demo already there keeps its own.",
)
@click.option(
    "--seed",
    type=int,
    help="Seed of a new demo [default: 7]; a demo already there keeps its own.",
)
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("demo-data"),
    show_default=True,
    help="Holds the generated feed (feed/) and the store (store/); delete it to "
    "start over.",
)
@_host_option
@_port_option
def demo(
    items: int | None, seed: int | None, data_dir: Path, host: str, port: int
) -> None:
    """Generate demo data (once), load the files of it not loaded yet, serve it."""
    from graphsvc.service import prepare_demo
    from graphsvc.service import serve as run

    with _progress() as progress:
        store_dir = prepare_demo(data_dir, items=items, seed=seed, progress=progress)
    run(store_dir, host=host, port=port)


_keys_file_option = click.option(
    "--keys-file",
    type=click.Path(dir_okay=False, path_type=Path),
    envvar="GRAPHSVC_KEYS_FILE",
    required=True,
    help="The keys file the server reads (also $GRAPHSVC_KEYS_FILE).",
)


@main.group()
def keys() -> None:
    """Manage API keys: each has an id, a role and optionally brands."""


@keys.command("add")
@_keys_file_option
@click.option("--role", type=click.Choice(["reader", "loader", "admin"]), required=True)
@click.option(
    "--brand", "brands", multiple=True, help="Limit the key to a brand; repeatable."
)
@click.argument("key_id")
def keys_add(keys_file: Path, role: str, brands: tuple[str, ...], key_id: str) -> None:
    """Add a key and print it; it cannot be shown again."""
    from graphsvc.security.keys import add_key
    from graphsvc.security.roles import Role

    click.echo(add_key(keys_file, key_id, Role(role), brands or None))


@keys.command("revoke")
@_keys_file_option
@click.argument("key_id")
def keys_revoke(keys_file: Path, key_id: str) -> None:
    """Revoke a key; a running server refuses it from its next request."""
    from graphsvc.security.keys import revoke_key

    revoke_key(keys_file, key_id)
    click.echo(f"revoked {key_id}")


@keys.command("list")
@_keys_file_option
def keys_list(keys_file: Path) -> None:
    """List the keys: id, role, brands, created and revoked (never the secrets)."""
    from graphsvc.security.keys import read_keys

    for record in read_keys(keys_file).values():
        brands = ",".join(record.brands) if record.brands else "*"
        revoked = f"revoked {record.revoked}" if record.revoked else "active"
        click.echo(
            f"{record.id}\t{record.role.value}\t{brands}\t{record.created}\t{revoked}"
        )


@main.command()
def schema() -> None:
    """Print the GraphQL schema (SDL)."""
    from graphsvc.api.schema import build_schema

    click.echo(build_schema().as_str())


@main.command()
def model() -> None:
    """Print the graph model (labels, keys, properties, relationships) as Markdown."""
    from graphsvc.modeldoc import render_markdown

    click.echo(render_markdown(), nl=False)


@contextmanager
def _progress() -> Iterator[Callable[[str, int], None]]:
    """A progress bar on a terminal, plain log lines otherwise."""
    if not sys.stderr.isatty():
        yield lambda name, count: log.info(
            "load.progress file=%s records=%d", name, count
        )
        return

    from rich.progress import (
        Progress,
        SpinnerColumn,
        TaskID,
        TextColumn,
        TimeElapsedColumn,
    )

    columns = (SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn())
    with Progress(*columns, transient=True) as bar:
        tasks: dict[str, TaskID] = {}

        def update(name: str, count: int) -> None:
            task = tasks.get(name)
            if task is None:
                task = tasks[name] = bar.add_task(name)
            bar.update(task, description=f"{name}: {count:,} records")

        yield update


@main.command()
@_data_dir_option
@_store_option
@click.option(
    "--watch", is_flag=True, help="Keep syncing every --interval seconds until stopped."
)
@click.option(
    "--interval",
    type=click.FloatRange(min=0.1),
    default=60.0,
    show_default=True,
    help="Seconds between passes with --watch.",
)
@_batch_size_option
@click.argument(
    "sources",
    nargs=-1,
    required=True,
    type=click.Path(exists=True, file_okay=False, path_type=Path),
)
def sync(
    data_dir: Path,
    store_kind: str,
    watch: bool,
    interval: float,
    batch_size: int,
    sources: tuple[Path, ...],
) -> None:
    """Load the files under drop folders that were not loaded before, oldest first.

    A file is known by its content, so renamed copies are skipped and changed files
    load again; each source (a folder's name) is judged by its own history, so content
    another source loaded loads again under this one. SIGTERM ends the pass after the
    batch being written.
    """
    from graphsvc.cli_sync import run_sync

    code = run_sync(
        data_dir,
        store_kind,
        sources,
        watch=watch,
        interval=interval,
        batch_size=batch_size,
    )
    if code:
        sys.exit(code)


@main.command()
@_data_dir_option
@_store_option
@click.option("--source", help="Only the loads of this source.")
@click.option(
    "--since",
    help="Only loads started at or after this ISO 8601 date or time (in UTC when it "
    "has no offset).",
)
def history(
    data_dir: Path, store_kind: str, source: str | None, since: str | None
) -> None:
    """Print the load history, newest first, and each source's last load."""
    from graphsvc.cli_sync import parse_since, print_history

    moment = parse_since(since) if since is not None else None
    print_history(data_dir, store_kind, source, moment)


@main.command()
@_data_dir_option
@_store_option
@click.option(
    "--view",
    type=click.Choice(["neighborhood", "provenance", "cluster"]),
    required=True,
    help="What to export.",
)
@click.option(
    "--id",
    "id_",
    required=True,
    help="A node id (neighborhood), an item id (provenance) or a cluster id.",
)
@click.option(
    "--format",
    "format_",
    type=click.Choice(["graphml", "gexf", "json", "csv-nodes", "csv-edges", "csv"]),
    default="graphml",
    show_default=True,
    help="csv is a zip of nodes.csv and edges.csv.",
)
@click.option("--depth", type=int, default=1, show_default=True)
@click.option("--limit", type=int, default=200, show_default=True, help="Most nodes.")
@click.option("--brand", help="The brand a cluster was found for.")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="File to write [default: standard output].",
)
def export(
    data_dir: Path,
    store_kind: str,
    view: str,
    id_: str,
    format_: str,
    depth: int,
    limit: int,
    brand: str | None,
    out: Path | None,
) -> None:
    """Export a neighbourhood, a custody chain or a cluster for other tools."""
    from graphsvc.api.context import Limits
    from graphsvc.export import build_view, render
    from graphsvc.investigation import Investigation

    store = open_existing_store(store_kind, data_dir)
    try:
        investigation = Investigation(store)
        investigation.refresh()
        graph = build_view(
            investigation,
            view,
            id_,
            depth=depth,
            limit=limit,
            brand=brand,
            limits=Limits.from_env(),
        )
    finally:
        store.close()
    _, body = render(graph, format_)
    if graph.graph["truncated"]:
        click.echo(
            f"graphsvc: warning: the view was cut at {limit} nodes;"
            " raise --limit to see more",
            err=True,
        )
    if out is None:
        sys.stdout.buffer.write(body)
    else:
        try:
            out.write_bytes(body)
        except OSError as err:
            raise ConfigError(f"cannot write {out}: {err.strerror or err}") from None
        log.info(
            "export.written path=%s nodes=%d edges=%d",
            out,
            graph.number_of_nodes(),
            graph.number_of_edges(),
        )
