"""Syncing a drop folder: new content loads once, known content is skipped."""

from __future__ import annotations

import gzip
import hashlib
import json
import os
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import shared_dir

import loaders.sync
from graphsvc.cli import main
from graphsvc.service import sync_into
from graphsvc.store.embedded import EmbeddedStore
from graphsvc.store.loads import LoadQuery
from loaders.history import FileDigest, file_digest

BRAND = {"kind": "brand", "id": "B1", "name": "Luma"}
PARTY = {"kind": "party", "id": "P1", "name": "Nord", "role": "distributor"}
UNDATED = {"kind": "site", "id": "S1", "party": "P1"}  # no country: rejected


def jsonl(*records: dict[str, Any]) -> bytes:
    return b"".join(json.dumps(r).encode() + b"\n" for r in records)


def drop(folder: Path, name: str, content: bytes, mtime: int) -> Path:
    """Put a file in the drop folder, dated `mtime` seconds after the epoch."""
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    os.utime(path, (mtime, mtime))
    return path


def sha(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def history(data_dir: Path) -> list[tuple[object, ...]]:
    """The history, oldest first, on the fields that do not depend on the clock."""
    store = EmbeddedStore(data_dir)
    try:
        records = store.loads(LoadQuery())
    finally:
        store.close()
    return [
        (
            r.source,
            r.file_name,
            r.outcome.value,
            dict(r.counts),
            r.rejected,
            r.reason,
            r.content_hash,
            r.size,
        )
        for r in reversed(records)
    ]


def locked(names: set[str]) -> Any:
    """A file_digest that cannot read files of these names, as if permission lacked.

    (Tests may run as root, whom file permissions do not stop.)
    """

    def digest(path: Path) -> FileDigest:
        if path.name in names:
            raise PermissionError(13, "Permission denied", str(path))
        return file_digest(path)

    return digest


def test_a_drop_folder_loads_each_content_once_and_retries_failures(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder, data = tmp_path / "partner-a", tmp_path / "data"
    a = jsonl(BRAND, PARTY)
    b = jsonl({**BRAND, "id": "B2"}, UNDATED)
    secret = jsonl({**BRAND, "id": "B3"})
    corrupt = gzip.compress(jsonl({**BRAND, "id": "B4"}), mtime=0)[:-8]
    drop(folder, "a.jsonl", a, 1_000)
    drop(folder, "sub/b.jsonl", b, 2_000)
    drop(folder, "locked.jsonl", secret, 3_000)
    drop(folder, "bad.jsonl.gz", corrupt, 4_000)
    drop(folder, "notes.txt", b"not a feed", 5_000)
    monkeypatch.setattr(loaders.sync, "file_digest", locked({"locked.jsonl"}))

    first = sync_into(data, [folder])

    # The truncated file's one record was read and written before its end was found
    # missing; the counts say so.
    truncated = (
        "the compressed file is truncated or corrupt (Compressed file ended before"
        " the end-of-stream marker was reached)"
    )
    run_1 = [
        ("partner-a", "a.jsonl", "loaded", {"brand": 1, "party": 1}, 0, None,
         sha(a), len(a)),
        ("partner-a", "sub/b.jsonl", "loaded_with_rejections", {"brand": 1}, 1, None,
         sha(b), len(b)),
        ("partner-a", "locked.jsonl", "failed", {}, 0, "Permission denied", None,
         None),
        ("partner-a", "bad.jsonl.gz", "failed", {"brand": 1}, 0, truncated,
         sha(corrupt), len(corrupt)),
    ]  # fmt: skip
    assert history(data) == run_1
    assert (first.seen, first.skipped, len(first.loaded), len(first.failed)) == (
        4, 0, 2, 2
    )  # fmt: skip

    changed_a = jsonl(BRAND, PARTY, {**PARTY, "id": "P2"})
    c = jsonl({**PARTY, "id": "P3"})
    drop(folder, "copy-of-a.jsonl", a, 6_000)
    drop(folder, "c.jsonl", c, 7_000)
    drop(folder, "a.jsonl", changed_a, 8_000)

    second = sync_into(data, [folder])

    run_2 = [
        run_1[2],
        run_1[3],
        ("partner-a", "c.jsonl", "loaded", {"party": 1}, 0, None, sha(c), len(c)),
        ("partner-a", "a.jsonl", "loaded", {"brand": 1, "party": 2}, 0, None,
         sha(changed_a), len(changed_a)),
    ]  # fmt: skip
    assert history(data) == run_1 + run_2
    assert (second.seen, second.skipped, len(second.loaded)) == (6, 2, 2)

    monkeypatch.setattr(loaders.sync, "file_digest", locked(set()))
    fixed = gzip.compress(jsonl({**BRAND, "id": "B4"}), mtime=0)
    drop(folder, "bad.jsonl.gz", fixed, 4_000)

    third = sync_into(data, [folder])

    run_3 = [
        ("partner-a", "locked.jsonl", "loaded", {"brand": 1}, 0, None, sha(secret),
         len(secret)),
        ("partner-a", "bad.jsonl.gz", "loaded", {"brand": 1}, 0, None, sha(fixed),
         len(fixed)),
    ]  # fmt: skip
    assert history(data) == run_1 + run_2 + run_3
    assert (third.seen, third.skipped, len(third.loaded)) == (6, 4, 2)

    store = EmbeddedStore(data)
    try:
        brands = [n.id for n in store.nodes("Brand")]
        parties = [n.id for n in store.nodes("Party")]
        freshness = store.source_freshness()
    finally:
        store.close()
    assert brands == ["B1", "B2", "B3", "B4"]
    assert parties == ["P1", "P2", "P3"]
    assert [f.source for f in freshness] == ["partner-a"]


def test_content_another_source_loaded_loads_again_under_each_source(
    tmp_path: Path,
) -> None:
    partner_a, partner_b, data = (
        tmp_path / "partner-a",
        tmp_path / "partner-b",
        tmp_path / "data",
    )
    same = jsonl(BRAND)
    drop(partner_a, "new.jsonl", same, 1_000)
    drop(partner_b, "new.jsonl", same, 2_000)
    drop(partner_b, "copy.jsonl", same, 3_000)

    first = sync_into(data, [partner_a, partner_b])
    again = sync_into(data, [partner_a, partner_b])

    loaded = ("new.jsonl", "loaded", {"brand": 1}, 0, None, sha(same), len(same))
    assert history(data) == [("partner-a", *loaded), ("partner-b", *loaded)]
    assert (first.seen, len(first.loaded), first.skipped) == (3, 2, 1)
    assert (again.seen, len(again.loaded), again.skipped) == (3, 0, 3)
    store = EmbeddedStore(data)
    try:
        freshness = [f.source for f in store.source_freshness()]
    finally:
        store.close()
    assert freshness == ["partner-a", "partner-b"]


def test_unchanged_files_are_not_hashed_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder, data = tmp_path / "drop", tmp_path / "data"
    for n in range(5):
        drop(folder, f"f{n}.jsonl", jsonl({**BRAND, "id": f"B{n}"}), 1_000 + n)
    sync_into(data, [folder])
    hashed: list[str] = []

    def counting(path: Path) -> FileDigest:
        hashed.append(path.name)
        return file_digest(path)

    monkeypatch.setattr(loaders.sync, "file_digest", counting)
    drop(folder, "f9.jsonl", jsonl({**BRAND, "id": "B9"}), 2_000)
    drop(folder, "f2.jsonl", jsonl({**BRAND, "id": "B2", "name": "New"}), 2_001)

    summary = sync_into(data, [folder])

    assert hashed == ["f9.jsonl", "f2.jsonl"]
    assert [r.file_name for r in summary.loaded] == ["f9.jsonl", "f2.jsonl"]
    assert summary.skipped == 4


def test_sync_and_history_on_the_command_line(tmp_path: Path) -> None:
    folder, data = tmp_path / "partner-b", tmp_path / "data"
    good = jsonl(BRAND)
    drop(folder, "good.jsonl", good, 1_000)
    drop(folder, "mixed.jsonl", jsonl(PARTY, UNDATED), 2_000)
    runner = CliRunner()
    sync = ["sync", "--data-dir", str(data), str(folder)]

    first = runner.invoke(main, sync)
    again = runner.invoke(main, sync)
    listed = runner.invoke(main, ["history", "--data-dir", str(data)])
    none = runner.invoke(
        main, ["history", "--data-dir", str(data), "--source", "partner-x"]
    )
    bad_since = runner.invoke(
        main, ["history", "--data-dir", str(data), "--since", "yesterday"]
    )

    lines = first.stdout.splitlines()
    assert first.exit_code == 1
    assert lines[0] == (
        "sync: 2 files, 2 loaded, 0 already loaded, 0 failed; 2 records written,"
        " 1 rejected"
    )
    assert lines[1] == "  loaded: partner-b/good.jsonl"
    assert lines[2].startswith(
        "  loaded_with_rejections: partner-b/mixed.jsonl (1 rejected, see "
    )
    rejects = Path(lines[2].split(", see ")[1].rstrip(")"))
    assert rejects.name == "mixed.rejects.jsonl"
    assert rejects.read_bytes() == jsonl(UNDATED)
    assert (again.exit_code, again.stdout) == (
        0,
        "sync: 2 files, 0 loaded, 2 already loaded, 0 failed; 0 records written,"
        " 0 rejected\n",
    )
    rows = [line[21:] for line in listed.stdout.splitlines()]
    assert listed.exit_code == 0
    assert rows[0] == "outcome                   records rejected  source     file"
    assert rows[1:3] == [
        "loaded_with_rejections          1        1  partner-b  mixed.jsonl sha256:"
        + sha(jsonl(PARTY, UNDATED))[:12],
        "loaded                          1        0  partner-b  good.jsonl sha256:"
        + sha(good)[:12],
    ]
    assert listed.stdout.splitlines()[3] == "sources (last successful load)"
    assert listed.stdout.splitlines()[4].startswith("  partner-b: 20")
    assert none.stdout.splitlines()[1:] == ["sources (last successful load)"]
    assert bad_since.exit_code == 2
    assert "'yesterday' is not an ISO 8601 date or time" in bad_since.stderr


def test_a_run_where_every_file_failed_exits_2(tmp_path: Path) -> None:
    folder = tmp_path / "partner-c"
    drop(folder, "shipments.csv.gz", b"\x1f\x8b", 1_000)

    result = CliRunner().invoke(
        main, ["sync", "--data-dir", str(tmp_path / "data"), str(folder)]
    )

    assert result.exit_code == 2
    assert result.stdout.splitlines()[0] == (
        "sync: 1 files, 0 loaded, 0 already loaded, 1 failed; 0 records written,"
        " 0 rejected"
    )


def test_graphsvc_load_records_each_file_it_loads(tmp_path: Path) -> None:
    folder, data = tmp_path / "feeds", tmp_path / "data"
    good, mixed = jsonl(BRAND), jsonl(PARTY, UNDATED)
    drop(folder, "good.jsonl", good, 1_000)
    drop(folder, "mixed.jsonl", mixed, 2_000)
    runner = CliRunner()

    loaded = runner.invoke(
        main, ["load", "--data-dir", str(data), "--source", "nightly", str(folder)]
    )
    future = runner.invoke(
        main, ["history", "--data-dir", str(data), "--since", "2999-01-01"]
    )
    listed = runner.invoke(main, ["history", "--data-dir", str(data)])

    assert loaded.exit_code == 1
    assert history(data) == [
        ("nightly", str(folder / "good.jsonl"), "loaded", {"brand": 1}, 0, None,
         sha(good), len(good)),
        ("nightly", str(folder / "mixed.jsonl"), "loaded_with_rejections",
         {"party": 1}, 1, None, sha(mixed), len(mixed)),
    ]  # fmt: skip
    header, sources, nightly = future.stdout.splitlines()
    assert header.split() == [
        "started", "outcome", "records", "rejected", "source", "file"
    ]  # fmt: skip
    newest = listed.stdout.splitlines()[1].split()
    assert newest[2:] == [
        "loaded_with_rejections", "1", "1", "nightly", str(folder / "mixed.jsonl"),
        f"sha256:{sha(mixed)[:12]}",
    ]  # fmt: skip
    assert sources == "sources (last successful load)"
    assert nightly.startswith("  nightly: 20")


def test_history_since_an_instant_beyond_utc_is_an_error(tmp_path: Path) -> None:
    feed, data = tmp_path / "brands.jsonl", tmp_path / "data"
    feed.write_bytes(jsonl(BRAND))
    since = "9999-12-31T23:30:00-01:00"
    runner = CliRunner()

    runner.invoke(main, ["load", "--data-dir", str(data), str(feed)])
    result = runner.invoke(main, ["history", "--data-dir", str(data), "--since", since])

    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == (
        f"graphsvc: error: since: {since} falls outside the years 1 to 9999 in UTC"
    )


def test_epcis_documents_are_found_and_other_files_left_alone(tmp_path: Path) -> None:
    folder, data = tmp_path / "partner-e", tmp_path / "data"
    document = shared_dir() / "data" / "epcis" / "Example_9.6.1-ObjectEvent.jsonld"
    content = document.read_bytes()
    drop(folder, "events.json", content, 1_000)
    drop(folder, "truth.json", b'{"planted": []}', 2_000)
    drop(folder, "readme.txt", b"hello", 3_000)

    summary = sync_into(data, [folder])

    # Two events: the first reads two items, the second one of them.
    assert summary.seen == 1
    assert history(data) == [
        ("partner-e", "events.json", "loaded", {"scan": 3}, 0, None, sha(content),
         len(content)),
    ]  # fmt: skip
