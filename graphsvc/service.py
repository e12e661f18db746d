"""Operations that tie a store, the loaders and the engine together."""

from __future__ import annotations

import ipaddress
import json
import logging
import os
import socket
import threading
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Final

from graphsvc.config import make_data_dir
from graphsvc.errors import ConfigError
from graphsvc.investigation import Investigation
from graphsvc.store import open_store
from loaders.history import FileDigest, file_digest, record_file_load, unloaded_files
from loaders.load import BATCH_SIZE, FileLoad, LoadReport, Progress, load_paths
from loaders.sync import HashCache, SyncSummary, sync_once

log = logging.getLogger(__name__)

DEMO_ITEMS: Final = 2_000
DEMO_SEED: Final = 7
"""The size and seed of a new demo when none is asked for."""

SYNC_CACHE: Final = Path("sync") / "hashes.json"
"""Where, under the data directory, sync keeps the hashes of the files it saw."""


def rejects_dir_for(data_dir: Path) -> Path:
    """A fresh directory for one load's report and rejected records."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S.%fZ")
    return data_dir / "loads" / stamp


def load_into(
    data_dir: Path,
    paths: list[Path],
    *,
    store_kind: str = "embedded",
    rejects_dir: Path | None = None,
    batch_size: int = BATCH_SIZE,
    progress: Progress | None = None,
    source: str = "cli",
    only_unloaded: bool = False,
) -> LoadReport:
    """Load feed files into the store, then bring findings up to date.

    Each file is recorded in the load history under `source`. With `only_unloaded`,
    files whose content `source` loaded before are left out, as sync leaves them;
    when none is left, nothing is loaded or written.
    """
    make_data_dir(data_dir)
    store = open_store(store_kind, data_dir)

    def record(loaded: FileLoad) -> None:
        record_file_load(
            store,
            loaded,
            source=source,
            file_name=str(loaded.path),
            digest=_digest_if_readable(loaded.path),
        )

    try:
        if only_unloaded:
            paths = unloaded_files(store, paths, source)
            if not paths:
                return LoadReport()
        report = load_paths(
            store,
            paths,
            rejects_dir=rejects_dir,
            batch_size=batch_size,
            progress=progress,
            after_file=record,
        )
        Investigation(store).refresh()
        return report
    finally:
        store.close()


def _digest_if_readable(path: Path) -> FileDigest | None:
    try:
        return file_digest(path)
    except OSError:
        return None


def sync_into(
    data_dir: Path,
    sources: Sequence[Path],
    *,
    store_kind: str = "embedded",
    batch_size: int = BATCH_SIZE,
    stop: threading.Event | None = None,
) -> SyncSummary:
    """One sync pass over `sources`, then findings brought up to date.

    The store is opened for the pass only, so that other commands can use the data
    directory between passes of `graphsvc sync --watch`. An interrupted pass leaves
    its findings to the next start (the written nodes stay pending until then).
    """
    make_data_dir(data_dir)
    cache = HashCache(data_dir / SYNC_CACHE)
    store = open_store(store_kind, data_dir)
    try:
        summary = sync_once(
            store,
            sources,
            cache=cache,
            loads_dir=data_dir / "loads",
            batch_size=batch_size,
            stop=stop,
        )
        if not summary.interrupted:
            Investigation(store).refresh()
        return summary
    finally:
        store.close()


def serve(
    data_dir: Path,
    *,
    host: str,
    port: int,
    store_kind: str = "embedded",
    allow_open: bool = False,
) -> None:
    """Open the store, catch up on findings, and serve HTTP until stopped.

    Raises ConfigError, before opening anything, when asked to listen beyond
    loopback with no API keys configured, unless `allow_open`; and, before opening
    the store, when the data directory cannot be made.
    """
    import uvicorn

    from graphsvc.api.app import create_app
    from graphsvc.api.context import Limits
    from graphsvc.api.guards import HttpGuards
    from graphsvc.audit import AuditLog, audit_path
    from graphsvc.security.keys import KeyRing

    keys = KeyRing.from_env()
    check_exposure(host, keys_configured=keys.configured, allow_open=allow_open)
    limits = Limits.from_env()
    guards = HttpGuards.from_env()
    with listening_socket(host, port) as sock:
        make_data_dir(data_dir)
        store = open_store(store_kind, data_dir)
        investigation = Investigation(store)
        investigation.refresh()
        audit = AuditLog(audit_path(data_dir))
        log.info("service.listening url=http://%s:%d/graphql", host, port)
        app = create_app(
            investigation,
            limits,
            data_dir=data_dir,
            keys=keys,
            guards=guards,
            audit=audit,
        )
        uvicorn.Server(uvicorn.Config(app, log_config=None)).run(sockets=[sock])


def listening_socket(host: str, port: int) -> socket.socket:
    """A socket listening on `host` and `port`, so that a taken port is refused
    before the store is opened and caught up, rather than after.

    It is made with the TCP protocol named: asyncio turns Nagle's algorithm off only
    on connections whose socket says so, and with it on every answer waits for the
    client's delayed acknowledgement, about 40 ms.

    Raises ConfigError naming the address and the reason.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen()
    except OSError as err:
        sock.close()
        reason = os.strerror(err.errno) if err.errno else str(err)
        raise ConfigError(f"cannot listen on {host}:{port}: {reason}") from err
    return sock


def check_exposure(host: str, *, keys_configured: bool, allow_open: bool) -> None:
    """Refuse to serve everyone everything beyond loopback; log what access is."""
    if keys_configured:
        log.info("access.keys host=%s", host)
        return
    if is_loopback(host):
        log.warning(
            "access.open host=%s reason=no API keys configured; every local caller "
            "is an admin (set GRAPHSVC_KEYS_FILE or GRAPHSVC_API_KEYS)",
            host,
        )
        return
    if not allow_open:
        raise ConfigError(
            f"refusing to listen on {host} without API keys: configure keys "
            "(GRAPHSVC_KEYS_FILE or GRAPHSVC_API_KEYS), or pass --allow-open "
            "(GRAPHSVC_ALLOW_OPEN=1) to serve everyone everything"
        )
    log.warning("access.open host=%s reason=--allow-open; anyone is an admin", host)


def is_loopback(host: str) -> bool:
    """True for localhost and loopback addresses."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def prepare_demo(
    data_dir: Path,
    *,
    items: int | None = None,
    seed: int | None = None,
    progress: Progress | None = None,
) -> Path:
    """Generate the demo feed unless it is there, then load the files of it not
    loaded yet (so that changes made since are kept); the store's directory.

    `items` and `seed` (`DEMO_ITEMS` and `DEMO_SEED` when None) shape a new feed only.
    A feed already there is kept as it is, with a warning when they ask for another.
    """
    from graphsvc.generate import TRUTH_FILE, generate

    make_data_dir(data_dir)
    feed = data_dir / "feed"
    if (feed / TRUTH_FILE).exists():
        _warn_if_asked_otherwise(data_dir, feed / TRUTH_FILE, items, seed)
    else:
        items = DEMO_ITEMS if items is None else items
        seed = DEMO_SEED if seed is None else seed
        log.info("demo.generating items=%d seed=%d dir=%s", items, seed, feed)
        generate(feed, items=items, seed=seed)
    store_dir = data_dir / "store"
    report = load_into(
        store_dir,
        [feed],
        rejects_dir=rejects_dir_for(store_dir),
        progress=progress,
        source="demo",
        only_unloaded=True,
    )
    log.info(
        "demo.loaded files=%d records=%d rejected=%d",
        len(report.files),
        report.loaded,
        report.rejected,
    )
    return store_dir


def _warn_if_asked_otherwise(
    data_dir: Path, truth: Path, items: int | None, seed: int | None
) -> None:
    """Say so when the demo feed kept was made with other items or seed than asked."""
    try:
        made = json.loads(truth.read_text(encoding="utf-8"))
        made_items, made_seed = int(made["items"]), int(made["seed"])
    except (OSError, ValueError, TypeError, KeyError):
        return
    asked_items = made_items if items is None else items
    asked_seed = made_seed if seed is None else seed
    if (asked_items, asked_seed) == (made_items, made_seed):
        return
    reason = (
        f"{data_dir} holds a demo of {made_items} items (seed {made_seed}), kept as it"
        f" is with what changed since; delete {data_dir} to start over with"
        f" {asked_items} items (seed {asked_seed})"
    )
    log.warning(
        "demo.kept dir=%s items=%d seed=%d asked_items=%d asked_seed=%d reason=%s",
        data_dir,
        made_items,
        made_seed,
        asked_items,
        asked_seed,
        reason,
    )
