"""The command line: exit codes, reports, rejects files and one-line errors."""

from __future__ import annotations

import gc
import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from graphsvc.cli import main

GOOD = {"kind": "brand", "id": "B1", "name": "Luma"}
BAD = {
    "kind": "shipment",
    "id": "SH1",
    "shipper": "A",
    "consignee": "B",
    "origin": "S1",
    "destination": "S2",
    "shipped_at": "2026-02-10 08:00",
}


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "graphsvc", *args],
        capture_output=True,
        text=True,
        check=False,
    )


def test_a_clean_load_exits_0_and_reports_counts(tmp_path: Path) -> None:
    feed = tmp_path / "feed.jsonl"
    feed.write_text(json.dumps(GOOD) + "\n")

    result = CliRunner().invoke(
        main, ["load", "--data-dir", str(tmp_path / "data"), str(feed)]
    )

    assert result.exit_code == 0
    assert result.stdout.splitlines()[:3] == [
        "loaded 1 records from 1 files",
        "kind                   new   updated unchanged",
        "brand                    1         0         0",
    ]


def test_rejections_exit_1_and_go_to_rejects_files_as_sent(tmp_path: Path) -> None:
    feed = tmp_path / "feed.jsonl"
    bad_line = json.dumps(BAD)
    feed.write_text(json.dumps(GOOD) + "\n" + bad_line + "\n")
    parties = tmp_path / "parties.csv"
    parties.write_text('id,name,role\nP1,"Nord, GmbH",reseller\nP2,Süd,retailer\n')
    rejects = tmp_path / "rejects"

    result = CliRunner().invoke(
        main,
        [
            "load",
            "--data-dir",
            str(tmp_path / "data"),
            "--rejects-dir",
            str(rejects),
            str(feed),
            str(parties),
        ],
    )

    assert result.exit_code == 1
    assert "  feed.jsonl:2: shipped_at '2026-02-10 08:00' has no UTC offset" in (
        result.stdout.splitlines()
    )
    assert (rejects / "feed.rejects.jsonl").read_text() == bad_line + "\n"
    assert (rejects / "parties.rejects.csv").read_bytes() == (
        b'id,name,role\r\nP1,"Nord, GmbH",reseller\r\n'
    )
    report = json.loads((rejects / "report.json").read_text())
    assert report["rejected"] == 2
    assert report["counts"] == {"brand": {"new": 1}, "party": {"new": 1}}


def test_by_default_rejects_go_under_the_data_directory(tmp_path: Path) -> None:
    feed = tmp_path / "feed.jsonl"
    feed.write_text(json.dumps(BAD) + "\n")

    result = CliRunner().invoke(
        main, ["load", "--data-dir", str(tmp_path / "data"), str(feed)]
    )

    (written,) = (tmp_path / "data" / "loads").glob("*/feed.rejects.jsonl")
    assert result.exit_code == 1
    assert written.read_text() == json.dumps(BAD) + "\n"


def test_an_unreadable_file_is_a_fatal_error_exit_2(tmp_path: Path) -> None:
    export = tmp_path / "export.csv"
    export.write_text("id,name\nB1,Luma\n")

    result = run("load", "--data-dir", str(tmp_path / "data"), str(export))

    assert result.returncode == 2
    assert "failed: export.csv: no 'kind' column" in result.stdout


def test_a_failed_epcis_document_is_named_once(tmp_path: Path) -> None:
    document = tmp_path / "doctype.xml"
    document.write_text(
        '<!DOCTYPE d [<!ENTITY e "e">]>'
        '<epcis:EPCISDocument xmlns:epcis="urn:epcglobal:epcis:xsd:2"/>'
    )

    result = run("load", "--data-dir", str(tmp_path / "data"), str(document))

    assert result.returncode == 2
    assert (
        "failed: doctype.xml: a document type declaration is not accepted\n"
        in result.stdout
    )


def test_serving_on_a_taken_port_is_a_fatal_error_before_the_store_opens(
    tmp_path: Path,
) -> None:
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        result = run("serve", "--data-dir", str(tmp_path / "data"), "--port", str(port))

    assert result.returncode == 2
    assert result.stderr.splitlines()[-1] == (
        f"graphsvc: error: cannot listen on 127.0.0.1:{port}: Address already in use"
    )
    assert not (tmp_path / "data").exists()


def test_usage_errors_exit_2_in_one_line(tmp_path: Path) -> None:
    result = run("load", str(tmp_path / "missing.jsonl"))

    assert result.returncode == 2
    assert result.stderr.splitlines()[-1] == (
        f"Error: Invalid value for 'PATHS...': Path '{tmp_path / 'missing.jsonl'}' "
        "does not exist."
    )


def test_errors_are_one_line_without_traceback_unless_debug(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "graph.sqlite3").write_text("this is not a database")

    plain = run("stats", "--data-dir", str(data))
    debug = run("--debug", "stats", "--data-dir", str(data))

    assert plain.returncode == 2
    assert plain.stderr.strip().splitlines() == [
        f"graphsvc: error: {data / 'graph.sqlite3'} is not a graphsvc store "
        "(file is not a database)"
    ]
    assert debug.returncode == 1
    assert "Traceback (most recent call last)" in debug.stderr


def test_a_neo4j_that_does_not_answer_is_one_line(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "NEO4J_URI": "bolt://127.0.0.1:1",
        "NEO4J_USER": "neo4j",
        "NEO4J_PASSWORD": "pw",
    }

    result = subprocess.run(
        [sys.executable, "-m", "graphsvc", "stats", "--store", "neo4j"],
        capture_output=True,
        text=True,
        check=False,
        env=env,
    )

    assert result.returncode == 2
    [line] = result.stderr.splitlines()
    assert line.startswith(
        "graphsvc: error: Neo4j at bolt://127.0.0.1:1 does not answer: Couldn't "
        "connect to 127.0.0.1:1 (resolved to ('127.0.0.1:1',)): Failed to establish "
    )
    assert line.endswith("(reason [Errno 111] Connection refused)")


def test_stats_on_a_directory_without_a_store_says_so(tmp_path: Path) -> None:
    result = run("stats", "--data-dir", str(tmp_path / "typo"))

    assert result.returncode == 2
    assert result.stderr.strip().splitlines()[-1] == (
        f"graphsvc: error: there is no graphsvc store in {tmp_path / 'typo'}"
    )
    assert not (tmp_path / "typo").exists()


def test_stats_prints_counts_per_label_and_type(tmp_path: Path) -> None:
    feed = tmp_path / "feed.jsonl"
    feed.write_text(json.dumps({"kind": "product", "id": "P1", "brand": "B1"}) + "\n")
    data = str(tmp_path / "data")
    CliRunner().invoke(main, ["load", "--data-dir", data, str(feed)])

    result = CliRunner().invoke(main, ["stats", "--data-dir", data])

    assert result.exit_code == 0
    assert result.stdout == (
        "nodes\n"
        "  Brand                      1\n"
        "  Product                    1\n"
        "relationships\n"
        "  OF_BRAND                   1\n"
    )


def test_the_data_directory_comes_from_the_environment(tmp_path: Path) -> None:
    feed = tmp_path / "feed.jsonl"
    feed.write_text(json.dumps(GOOD) + "\n")

    CliRunner().invoke(main, ["load", str(feed)])

    # conftest points GRAPHSVC_DATA_DIR at a temporary folder for every test.
    assert (tmp_path / "default-data" / "graph.sqlite3").exists()


def test_generate_into_a_path_that_cannot_be_a_folder_is_an_error(
    tmp_path: Path,
) -> None:
    blocker = tmp_path / "feeds"
    blocker.write_text("a file, not a folder")
    out = blocker / "demo"

    result = CliRunner().invoke(
        main, ["generate", "--items", "300", "--seed", "3", "--out", str(out)]
    )

    assert result.exit_code == 2
    assert result.stderr == (
        f"graphsvc: error: cannot write the demo feed to {out}: [Errno 20] Not a "
        f"directory: '{out}'\n"
    )


def test_generate_writes_the_demo_feed(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["generate", "--items", "300", "--seed", "3", "--out", str(tmp_path)]
    )

    assert result.exit_code == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "authorizations.csv",
        "brands.csv",
        "items.jsonl.gz",
        "parties.csv",
        "products.csv",
        "scans.jsonl.gz",
        "shipments.jsonl.gz",
        "sites.csv",
        "truth.json",
    ]


@pytest.mark.parametrize(
    "command",
    [
        ["load", "feed.jsonl"],
        ["sync", "partner-a"],
        ["serve", "--port", "0"],
        ["demo", "--port", "0"],
    ],
)
def test_a_data_dir_that_cannot_be_made_is_a_one_line_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: list[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("feed.jsonl").write_text(json.dumps(GOOD) + "\n")
    Path("partner-a").mkdir()
    Path("blocker").write_text("a file, not a folder")
    name, *rest = command

    result = CliRunner().invoke(main, [name, "--data-dir", "blocker/data", *rest])

    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr.splitlines()[-1] == (
        "graphsvc: error: cannot use the data directory blocker/data: Not a directory"
    )


@pytest.mark.parametrize(
    "command",
    [["history"], ["stats"], ["export", "--view", "neighborhood", "--id", "B1"]],
)
def test_a_data_dir_that_cannot_be_opened_is_a_one_line_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: list[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("data/lock").mkdir(parents=True)
    Path("data/graph.sqlite3").touch()
    name, *rest = command

    result = CliRunner().invoke(main, [name, "--data-dir", "data", *rest])

    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr.splitlines()[-1] == (
        "graphsvc: error: cannot use the data directory data: data/lock: Is a directory"
    )


@pytest.mark.parametrize(
    "command",
    [["history"], ["stats"], ["export", "--view", "neighborhood", "--id", "B1"]],
)
def test_a_data_dir_name_too_long_to_read_is_a_one_line_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: list[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    long = "d" * 300
    name, *rest = command

    result = CliRunner().invoke(main, [name, "--data-dir", long, *rest])

    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr.splitlines()[-1] == (
        f"graphsvc: error: cannot use the data directory {long}:"
        f" {long}/graph.sqlite3: File name too long"
    )


def test_a_command_runs_with_the_collector_tuned_for_loads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(gc, "set_threshold", lambda *t: applied.append(t))
    applied: list[tuple[int, ...]] = []

    result = CliRunner().invoke(main, ["stats", "--data-dir", str(tmp_path)])

    assert result.exit_code == 2
    assert applied == [(100_000, 50, 100)]


def test_a_reader_that_goes_away_ends_the_command_quietly(tmp_path: Path) -> None:
    data = tmp_path / "data"
    feed = tmp_path / "feed.jsonl"
    feed.write_text(json.dumps(GOOD) + "\n")
    CliRunner().invoke(main, ["load", "--data-dir", str(data), str(feed)])
    read_end, write_end = os.pipe()
    os.close(read_end)  # as `| head` does once it has read enough

    try:
        done = subprocess.run(
            [sys.executable, "-m", "graphsvc", "stats", "--data-dir", str(data)],
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            check=False,
        )
    finally:
        os.close(write_end)

    # Only the log's JSON lines: no error and no complaint from the interpreter.
    said = [line for line in done.stderr.splitlines() if not line.startswith("{")]
    assert (done.returncode, said) == (141, [])
    assert "error" not in done.stderr
