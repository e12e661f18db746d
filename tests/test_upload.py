"""Uploading feeds over HTTP to a real server, and reading the history in GraphQL."""

from __future__ import annotations

import gzip
import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from server import Server, serve

from graphsvc.api.feeds import UNPACK_RATIO

LIMIT = 4096
BRANDS = (
    b'{"kind": "brand", "id": "B1", "name": "Luma"}\n'
    b'{"kind": "brand", "id": "B2", "name": "Nord"}\n'
)
SITES = b"id,operator,country\r\nS1,P1,DE\r\nS2,P1,\r\nS3,P2,FR\r\n"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    data = tmp_path_factory.mktemp("upload") / "data"
    with serve(data, env={"GRAPHSVC_MAX_UPLOAD_BYTES": str(LIMIT)}) as running:
        yield running


def stable(load: dict[str, Any]) -> dict[str, Any]:
    """The load record without what the clock decides."""
    return {
        k: v
        for k, v in load.items()
        if k not in ("id", "started", "finished", "rejects_file")
    }


@pytest.mark.slow
def test_uploads_a_stopped_service_left_staged_are_removed_at_start(
    tmp_path: Path,
) -> None:
    left = tmp_path / "data" / "uploads" / "tmp1234" / "scans.jsonl.gz"
    left.parent.mkdir(parents=True)
    left.write_bytes(b"half a file")

    with serve(tmp_path / "data") as running:
        health = running.client.get("/health")

    assert health.status_code == 200
    assert not left.parent.exists()


def test_a_blank_long_or_unprintable_source_is_a_400_naming_the_field(
    server: Server,
) -> None:
    def refused(source: str) -> tuple[int, str]:
        answer = server.client.post(
            "/feeds", params={"name": "b.jsonl", "source": source}, content=BRANDS
        )
        error = answer.json()["error"]
        assert error["field"] == "source"
        return answer.status_code, error["message"]

    trimmed = server.client.post(
        "/feeds", params={"name": "b.jsonl", "source": " north "}, content=BRANDS
    )

    assert refused(" ") == (400, "the source is blank")
    assert refused("a\tb") == (400, "the source holds a control character")
    assert refused("s" * 101) == (400, "the source is longer than 100 characters")
    assert (trimmed.status_code, trimmed.json()["load"]["source"]) == (201, "north")


def test_a_raw_upload_loads_and_answers_its_record(server: Server) -> None:
    response = server.client.post(
        "/feeds", params={"name": "brands.jsonl", "source": "raw"}, content=BRANDS
    )

    assert response.status_code == 201
    body = response.json()
    assert stable(body["load"]) == {
        "source": "raw",
        "file_name": "brands.jsonl",
        "content_hash": hashlib.sha256(BRANDS).hexdigest(),
        "size": len(BRANDS),
        "counts": {"brand": 2},
        "rejected": 0,
        "outcome": "loaded",
        "reason": None,
    }
    assert "rejects_url" not in body
    assert "rejects_file" not in body["load"]


@pytest.mark.slow
def test_a_multipart_upload_with_rejections_links_its_rejects(
    server: Server,
) -> None:
    files = {"file": ("sites.csv", SITES, "text/csv")}

    response = server.client.post("/feeds", params={"source": "form"}, files=files)
    body = response.json()
    rejects = server.client.get(body["rejects_url"])

    assert response.status_code == 201
    assert stable(body["load"]) == {
        "source": "form",
        "file_name": "sites.csv",
        "content_hash": hashlib.sha256(SITES).hexdigest(),
        "size": len(SITES),
        "counts": {"site": 2},
        "rejected": 1,
        "outcome": "loaded_with_rejections",
        "reason": None,
    }
    assert body["rejects_url"] == (f"{server.url}/feeds/{body['load']['id']}/rejects")
    assert body["rejections"] == [
        {"source": "sites.csv:3", "field": "country", "reason": "country is missing"}
    ]
    assert rejects.status_code == 200
    assert rejects.content == b"id,operator,country\r\nS2,P1,\r\n"


@pytest.mark.slow
def test_a_gzip_upload_is_read_as_the_cli_reads_it(server: Server) -> None:
    packed = gzip.compress(BRANDS.replace(b"B1", b"B7").replace(b"B2", b"B8"))

    response = server.client.post(
        "/feeds", params={"name": "more.jsonl.gz", "source": "gz"}, content=packed
    )

    assert response.status_code == 201
    assert response.json()["load"]["counts"] == {"brand": 2}
    assert response.json()["load"]["size"] == len(packed)


@pytest.mark.slow
def test_an_unreadable_file_answers_422_with_its_failed_record(
    server: Server,
) -> None:
    response = server.client.post(
        "/feeds", params={"name": "misc.csv", "source": "bad"}, content=b"id\r\nX\r\n"
    )

    assert response.status_code == 422
    load = response.json()["load"]
    assert (load["outcome"], load["counts"], load["source"]) == ("failed", {}, "bad")
    assert "kind" in load["reason"]


def test_a_gzip_upload_that_unpacks_past_its_bound_is_refused_with_413(
    server: Server,
) -> None:
    bound = LIMIT * UNPACK_RATIO
    bomb = gzip.compress(b"\n" * (bound + 1))
    brands = BRANDS.replace(b"B1", b"B5")
    just = gzip.compress(brands + b"\n" * (bound - len(brands)))

    refused = server.client.post("/feeds", params={"name": "x.jsonl.gz"}, content=bomb)
    kept = server.client.post("/feeds", params={"name": "y.jsonl.gz"}, content=just)

    assert len(bomb) < LIMIT
    assert (refused.status_code, refused.json()) == (
        413,
        {
            "error": {
                "code": "payload_too_large",
                "message": f"the file unpacks to more than {bound} bytes",
            }
        },
    )
    assert (kept.status_code, kept.json()["load"]["counts"]) == (201, {"brand": 2})


@pytest.mark.slow
def test_uploads_past_the_bound_are_refused_with_413(server: Server) -> None:
    big = b" " * (LIMIT + 1)

    declared = server.client.post("/feeds", params={"name": "a.jsonl"}, content=big)
    streamed = server.client.post(
        "/feeds", params={"name": "a.jsonl"}, content=iter([big[:2000], big[2000:]])
    )
    as_form = server.client.post(
        "/feeds", files={"file": ("a.jsonl", big, "application/jsonl")}
    )

    message = {
        "error": {
            "code": "payload_too_large",
            "message": f"the request body is larger than {LIMIT} bytes",
        }
    }
    assert (declared.status_code, declared.json()) == (413, message)
    assert (streamed.status_code, streamed.json()) == (413, message)
    assert (as_form.status_code, as_form.json()) == (413, message)


@pytest.mark.slow
def test_a_missing_or_foreign_file_name_is_a_400_naming_the_field(
    server: Server,
) -> None:
    unnamed = server.client.post("/feeds", content=BRANDS)
    foreign = server.client.post("/feeds", params={"name": "x.pdf"}, content=BRANDS)
    unknown = server.client.get("/feeds/20260101T000000000000Z-00000000/rejects")

    assert (unnamed.status_code, unnamed.json()) == (
        400,
        {
            "error": {
                "code": "invalid_input",
                "message": "the file needs a name: ?name=... or a multipart file part",
                "field": "name",
            }
        },
    )
    assert (foreign.status_code, foreign.json()) == (
        400,
        {
            "error": {
                "code": "invalid_input",
                "message": "'x.pdf' is not a feed file name"
                " (.jsonl or .csv, maybe .gz)",
                "field": "name",
            }
        },
    )
    assert unknown.status_code == 404


@pytest.mark.slow
def test_a_file_name_the_disk_cannot_hold_is_a_400_naming_the_field(
    server: Server,
) -> None:
    nul = server.client.post("/feeds", params={"name": "a\x00.jsonl"}, content=BRANDS)
    long = server.client.post(
        "/feeds", params={"name": "a" * 250 + ".jsonl"}, content=BRANDS
    )

    assert (nul.status_code, nul.json()) == (
        400,
        {
            "error": {
                "code": "invalid_input",
                "message": "the file name holds a control character",
                "field": "name",
            }
        },
    )
    assert (long.status_code, long.json()) == (
        400,
        {
            "error": {
                "code": "invalid_input",
                "message": "the file name is longer than 255 bytes",
                "field": "name",
            }
        },
    )


@pytest.mark.slow
def test_a_form_that_cannot_be_read_is_a_400_in_the_error_shape(
    server: Server,
) -> None:
    two = server.client.post(
        "/feeds",
        files=[("a", ("a.jsonl", BRANDS)), ("b", ("b.jsonl", BRANDS))],
    )
    unbounded = server.client.post(
        "/feeds",
        content=BRANDS,
        headers={"Content-Type": "multipart/form-data"},
    )

    assert (two.status_code, two.json()) == (
        400,
        {
            "error": {
                "code": "invalid_input",
                "message": "the form could not be read:"
                " Too many files. Maximum number of files is 1.",
                "field": "file",
            }
        },
    )
    assert (unbounded.status_code, unbounded.json()) == (
        400,
        {
            "error": {
                "code": "invalid_input",
                "message": "the form could not be read: Missing boundary in multipart.",
                "field": "file",
            }
        },
    )


LOADS = """
query ($source: String, $after: String) {
  loads(first: 1, source: $source, after: $after) {
    edges { node { fileName source outcome rejected counts { kind records }
                   rejectsUrl contentHash } }
    pageInfo { hasNextPage endCursor }
    freshness { source lastLoaded lastAttempt }
  }
}
"""


@pytest.mark.slow
def test_graphql_pages_through_loads_with_each_source_freshness(
    server: Server,
) -> None:
    one = b'{"kind": "brand", "id": "B9", "name": "Nine"}\n'
    for name in ("first.jsonl", "second.jsonl"):
        server.client.post(
            "/feeds", params={"name": name, "source": "paged"}, content=one
        )
    server.client.post(
        "/feeds", params={"name": "misc.csv", "source": "never"}, content=b"id\r\n"
    )

    page_1 = server.graphql(LOADS, source="paged")["data"]["loads"]
    after = page_1["pageInfo"]["endCursor"]
    page_2 = server.graphql(LOADS, source="paged", after=after)["data"]["loads"]
    never = server.graphql(LOADS, source="never")["data"]["loads"]
    bad = server.graphql(LOADS, after="nonsense")

    node = {
        "source": "paged",
        "outcome": "LOADED",
        "rejected": 0,
        "counts": [{"kind": "brand", "records": 1}],
        "rejectsUrl": None,
        "contentHash": hashlib.sha256(one).hexdigest(),
    }
    assert page_1["edges"] == [{"node": {"fileName": "second.jsonl", **node}}]
    assert page_1["pageInfo"]["hasNextPage"] is True
    assert page_2["edges"] == [{"node": {"fileName": "first.jsonl", **node}}]
    assert page_2["pageInfo"]["hasNextPage"] is False
    (paged,) = page_1["freshness"]
    assert paged["source"] == "paged"
    assert paged["lastLoaded"] == paged["lastAttempt"]
    assert paged["lastLoaded"].endswith("+00:00")
    (unloaded,) = never["freshness"]
    assert unloaded["source"] == "never"
    assert unloaded["lastLoaded"] is None
    assert unloaded["lastAttempt"].endswith("+00:00")
    assert bad["errors"][0]["message"] == "after: is not a cursor this API gave out"
