"""The EPCIS capture and query interface end to end, against a real server."""

from __future__ import annotations

import hashlib
import json
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx2
import pytest
from conftest import REPO, shared_dir
from server import Server, serve

from graphsvc.api.epcis_query import (
    MAX_PER_PAGE,
    SUPPORTED,
    make_token,
    parse_event_params,
)

pytestmark = pytest.mark.slow

MAX_BYTES = 64 * 1024
POLL_SECONDS = 120

A1 = "urn:epc:id:sgtin:0614141.107346.2017"
A2 = "urn:epc:id:sgtin:0614141.107346.2018"
B1 = "urn:epc:id:sgtin:0614141.107346.3001"
PALLET = "urn:epc:id:sscc:0614141.1234567890"
PALLET_LINK = "https://id.gs1.org/00/106141412345678908"
A2_LINK = "https://id.gs1.org/01/10614141073464/21/2018"
FACTORY = "urn:epc:id:sgln:0614141.00777.0"
STORE = "urn:epc:id:sgln:0614141.00888.0"

EVENTS: list[dict[str, Any]] = [
    {
        "type": "ObjectEvent",
        "eventID": "urn:uuid:00000000-0000-4000-8000-000000000001",
        "eventTime": "2026-03-01T08:00:00+01:00",
        "eventTimeZoneOffset": "+01:00",
        "action": "ADD",
        "epcList": [A1, A2],
        "bizStep": "commissioning",
        "bizLocation": {"id": FACTORY},
    },
    {
        "type": "AggregationEvent",
        "eventID": "urn:uuid:00000000-0000-4000-8000-000000000002",
        "eventTime": "2026-03-01T09:00:00+01:00",
        "eventTimeZoneOffset": "+01:00",
        "action": "ADD",
        "parentID": PALLET,
        "childEPCs": [A1, A2],
        "bizStep": "packing",
        "bizLocation": {"id": FACTORY},
    },
    {
        "type": "ObjectEvent",
        "eventID": "urn:uuid:00000000-0000-4000-8000-000000000003",
        "eventTime": "2026-03-02T10:00:00+01:00",
        "eventTimeZoneOffset": "+01:00",
        "action": "OBSERVE",
        "epcList": [PALLET],
        "bizStep": "shipping",
        "readPoint": {"id": FACTORY},
    },
    {
        "type": "ObjectEvent",
        "eventID": "urn:uuid:00000000-0000-4000-8000-000000000004",
        "eventTime": "2026-03-03T11:00:00-05:00",
        "eventTimeZoneOffset": "-05:00",
        "action": "OBSERVE",
        "epcList": [PALLET],
        "bizStep": "receiving",
        "bizLocation": {"id": STORE},
    },
    {
        "type": "TransformationEvent",
        "eventID": "urn:uuid:00000000-0000-4000-8000-000000000005",
        "eventTime": "2026-03-04T12:00:00Z",
        "eventTimeZoneOffset": "+00:00",
        "inputEPCList": [A2],
        "outputEPCList": [B1],
        "bizStep": "repackaging",
        "bizLocation": {"id": STORE},
    },
]
OURS = [f"urn:uuid:00000000-0000-4000-8000-00000000000{n}" for n in range(1, 6)]
E1, E2, E3, E4, E5 = OURS

# The pharma example has no eventIDs: its events are known by their CBV 2.0 hashes.
PHARMA = [
    "ni:///sha-256;06709e6b28d37a664e69e981e6dcd83a651698a0403dfadc1bee38ef7d63dff3",
    "ni:///sha-256;9a35e4e929f296217bc8bdbf2791d940144afb10ce0bfa2d4302873609fa9c67",
    "ni:///sha-256;d061561d8ddd8cb1c43464f2e38d755a44d971bd79d3367c1a54d29f94d3c949",
    "ni:///sha-256;6a53cf6f0383f408680fb35792d6802b45a4c45593a9b569cd4ea44c12c37561",
    "ni:///sha-256;67b7077137e5e97589ef06d3fab1c3e0a338d2a0b7a658f39cb1ab9122b56007",
    "ni:///sha-256;b6668ef7f4ebd9267d8dbc00440aae993e116e3608ca38674613551af9b55c4a",
    "ni:///sha-256;62f38b2e58bdb4585f0538434f5ebf20446cecdc666f5107aa349afb2c292a55",
    "ni:///sha-256;aa9289ebd7c639e189cd72f537227e9be9450570548cf04bea64f625a0903405",
]
PHARMA = [f"{h}?ver=CBV2.0" for h in PHARMA]


def document(*events: dict[str, Any]) -> bytes:
    return json.dumps(
        {
            "@context": ["https://ref.gs1.org/standards/epcis/epcis-context.jsonld"],
            "type": "EPCISDocument",
            "schemaVersion": "2.0",
            "creationDate": "2026-03-05T00:00:00Z",
            "epcisBody": {"eventList": list(events)},
        }
    ).encode()


def sample(name: str) -> bytes:
    return (shared_dir() / "data" / "epcis" / name).read_bytes()


def capture(
    server: Server,
    body: bytes,
    *,
    behaviour: str | None = None,
    content_type: str = "application/ld+json",
) -> dict[str, Any]:
    """Capture a document and wait for its job to finish; the finished job."""
    headers = {"Content-Type": content_type}
    if behaviour is not None:
        headers["GS1-Capture-Error-Behaviour"] = behaviour
    response = server.client.post("/capture", content=body, headers=headers)
    assert response.status_code == 202, response.text
    job: dict[str, Any] = response.json()
    assert response.headers["Location"] == f"/capture/{job['captureID']}"
    assert (job["running"], job["status"], job["errors"]) == (True, "running", [])
    return finished(server, job["captureID"])


def finished(server: Server, capture_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + POLL_SECONDS
    while time.monotonic() < deadline:
        response = server.client.get(f"/capture/{capture_id}")
        assert response.status_code == 200, response.text
        job: dict[str, Any] = response.json()
        if not job["running"]:
            return job
        time.sleep(0.05)
    raise AssertionError(f"capture {capture_id} still running after {POLL_SECONDS} s")


def event_ids(server: Server, **params: str) -> list[str]:
    response = server.client.get("/events", params=params)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/ld+json"
    body = response.json()
    events = body["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
    return [e["eventID"] for e in events]


def problem(response: httpx2.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    return body


@pytest.fixture(scope="module")
def queried(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A server holding our five events and the eight of the pharma example."""
    root = tmp_path_factory.mktemp("epcis-query")
    with serve(root / "data") as server:
        assert capture(server, document(*EVENTS))["status"] == "success"
        pharma = sample("GS1_US_Pharma_Example_2_2_1_1.xml")
        job = capture(server, pharma, content_type="application/xml")
        assert job["status"] == "success"
        yield server


@pytest.fixture(scope="module")
def capturing(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """An empty server whose capture bound is 64 KiB."""
    root = tmp_path_factory.mktemp("epcis-capture")
    env = {"GRAPHSVC_CAPTURE_MAX_BYTES": str(MAX_BYTES)}
    with serve(root / "data", env=env) as server:
        yield server


# -- capture -----------------------------------------------------------------------


def test_a_captured_document_is_loaded_and_its_job_says_so(capturing: Server) -> None:
    body = sample("GS1_US_Pharma_Example_2_2_1_1.xml")

    first = capture(capturing, body, content_type="application/xml")
    again = capture(capturing, body, content_type="text/xml; charset=utf-8")

    assert (first["status"], first["success"], first["errors"]) == ("success", True, [])
    assert first["captureErrorBehaviour"] == "rollback"
    assert first["counts"] == {
        "read": 8,
        "new": 8,
        "duplicate": 0,
        "retracted": 0,
        "rejected": 0,
    }
    assert first["createdAt"] <= first["finishedAt"]
    assert again["counts"]["new"] == 0
    assert again["counts"]["duplicate"] == 8
    assert event_ids(capturing, LT_eventTime="2024-01-01T00:00:00Z") == PHARMA


def test_an_invalid_document_is_rejected_with_the_event_and_field(
    capturing: Server,
) -> None:
    body = sample("ObjectEvent_with_invalid_action.json")

    for behaviour in ("rollback", "proceed"):
        job = capture(capturing, body, behaviour=behaviour)

        assert (job["status"], job["running"], job["success"]) == (
            "failed",
            False,
            False,
        )
        assert job["captureErrorBehaviour"] == behaviour
        assert job["counts"] == {
            "read": 0,
            "new": 0,
            "duplicate": 0,
            "retracted": 0,
            "rejected": 1,
        }
        assert job["errors"] == [
            {
                "type": "epcisException:ValidationException",
                "title": "ValidationException",
                "status": 400,
                "detail": "action 'CREATE' is not one of ADD, OBSERVE, DELETE",
                "position": 1,
                "field": "action",
            }
        ]


def test_rollback_keeps_a_whole_document_out_and_proceed_loads_its_valid_events(
    capturing: Server,
) -> None:
    valid = {**EVENTS[0], "eventID": "urn:uuid:10000000-0000-4000-8000-000000000001"}
    bad_time = {**EVENTS[3], "eventTime": "2026-03-03 11:00", "eventID": "urn:x:bad"}
    body = document(valid, bad_time)

    rolled_back = capture(capturing, body, behaviour="rollback")
    after_rollback = event_ids(capturing, MATCH_epc=A1)
    proceeded = capture(capturing, body, behaviour="Proceed")
    after_proceed = event_ids(capturing, MATCH_epc=A1)

    assert rolled_back["counts"]["new"] == 0
    assert after_rollback == []
    assert proceeded["counts"]["new"] == 1
    assert proceeded["status"] == "partial"
    assert [(e["position"], e["field"]) for e in proceeded["errors"]] == [
        (2, "eventTime")
    ]
    assert after_proceed == [valid["eventID"]]


def test_a_body_over_the_bound_is_refused_before_it_is_read(
    capturing: Server,
) -> None:
    body = document(*EVENTS) + b" " * MAX_BYTES

    declared = capturing.client.post("/capture", content=body)
    streamed = capturing.client.post(
        "/capture", content=iter([body[:1000], body[1000:]])
    )

    for response in (declared, streamed):
        refused = problem(response, 413)
        assert refused["type"] == "epcisException:CaptureLimitExceededException"
        assert refused["detail"].startswith(
            "the document has more than 65,536 bytes (at least "
        )
        assert refused["field"] == "body"


@pytest.mark.parametrize(
    ("body", "headers", "status", "detail"),
    [
        (
            b'{"type": "Invoice"}',
            {},
            400,
            "the body is not an EPCIS document (JSON, JSON-LD or XML)",
        ),
        (
            document(EVENTS[0]),
            {"GS1-Capture-Error-Behaviour": "ignore"},
            400,
            "GS1-Capture-Error-Behaviour: 'ignore' is not one of rollback, proceed",
        ),
        (
            document(EVENTS[0]),
            {"Content-Type": "text/csv"},
            400,
            "Content-Type 'text/csv' is not accepted; send one of application/json,"
            " application/ld+json, application/xml, text/xml",
        ),
    ],
)
def test_a_capture_that_cannot_be_taken_is_refused_at_once(
    capturing: Server, body: bytes, headers: dict[str, str], status: int, detail: str
) -> None:
    response = capturing.client.post("/capture", content=body, headers=headers)

    assert problem(response, status)["detail"] == detail


def test_an_unknown_capture_id_is_not_found(capturing: Server) -> None:
    response = capturing.client.get("/capture/0123456789abcdef")

    assert problem(response, 404) == {
        "type": "epcisException:NoSuchNameException",
        "title": "NoSuchNameException",
        "status": 404,
        "detail": "no capture job has the id '0123456789abcdef'",
    }


def test_a_job_outcome_survives_a_restart(tmp_path: Path) -> None:
    with serve(tmp_path / "data") as server:
        job = capture(server, sample("ObjectEvent_with_invalid_action.json"))

    with serve(tmp_path / "data") as restarted:
        again = restarted.client.get(f"/capture/{job['captureID']}")

    assert again.status_code == 200
    assert again.json() == job


# -- query -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, PHARMA + OURS),
        ({"perPage": "5"}, PHARMA[:5]),
        (
            {
                "eventType": "AggregationEvent|TransformationEvent",
                "GE_eventTime": "2026-01-01T00:00:00Z",
            },
            [E2, E5],
        ),
        # E4 happened at 16:00 UTC: LT_eventTime leaves it out.
        (
            {
                "GE_eventTime": "2026-03-02T10:00:00+01:00",
                "LT_eventTime": "2026-03-03T16:00:00Z",
            },
            [E3],
        ),
        ({"EQ_bizStep": "urn:epcglobal:cbv:bizstep:shipping"}, [PHARMA[7], E3]),
        ({"EQ_bizStep": "https://ref.gs1.org/cbv/BizStep-receiving"}, [E4]),
        ({"MATCH_epc": A2}, [E1, E2]),
        ({"MATCH_epc": A2_LINK}, [E1, E2]),
        ({"MATCH_anyEPC": A2}, [E1, E2, E5]),
        ({"MATCH_epc": PALLET_LINK}, [E3, E4]),
        ({"MATCH_anyEPC": PALLET}, [E2, E3, E4]),
        ({"MATCH_anyEPC": f"{B1}|{A1}"}, [E1, E2, E5]),
        ({"EQ_bizLocation": STORE}, [E4, E5]),
        ({"EQ_bizLocation": STORE, "eventType": "ObjectEvent"}, [E4]),
        ({"EQ_bizStep": "storing"}, []),
    ],
)
def test_events_are_filtered_by_each_parameter(
    queried: Server, params: dict[str, str], expected: list[str]
) -> None:
    assert event_ids(queried, **params) == expected


def test_events_are_paged_with_a_token_in_the_link_and_the_body(
    queried: Server,
) -> None:
    pages: list[list[str]] = []
    url: str | None = "/events?perPage=4&GE_eventTime=2023-01-01T00:00:00Z"
    while url is not None:
        response = queried.client.get(url)
        assert response.status_code == 200, response.text
        body = response.json()
        pages.append(
            [
                e["eventID"]
                for e in body["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
            ]
        )
        link = response.headers.get("Link")
        if link is None:
            assert "nextPageToken" not in body
            url = None
        else:
            url = link.removeprefix("<").split(">;")[0]
            assert url.endswith(f"nextPageToken={body['nextPageToken']}")
            assert link.endswith('; rel="next"')

    assert pages == [PHARMA[:4], PHARMA[4:], OURS[:4], OURS[4:]]


def test_an_event_is_answered_as_epcis_json_ld(queried: Server) -> None:
    response = queried.client.get("/events", params={"MATCH_epc": B1})

    body = response.json()
    assert body["@context"] == [
        "https://ref.gs1.org/standards/epcis/epcis-context.jsonld"
    ]
    assert (body["type"], body["schemaVersion"]) == ("EPCISQueryDocument", "2.0")
    results = body["epcisBody"]["queryResults"]
    assert results["queryName"] == "SimpleEventQuery"
    assert results["resultsBody"]["eventList"] == []

    response = queried.client.get("/events", params={"MATCH_anyEPC": B1})
    [event] = response.json()["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
    assert {k: event[k] for k in ("type", "eventID", "eventTime", "bizStep")} == {
        "type": "TransformationEvent",
        "eventID": E5,
        "eventTime": "2026-03-04T12:00:00Z",
        "bizStep": "repackaging",
    }
    assert event["inputEPCList"] == [A2_LINK]


@pytest.mark.parametrize(
    ("query", "parameter", "detail"),
    [
        (
            "EQ_action=ADD",
            "EQ_action",
            "EQ_action: is not a supported query parameter; the supported ones are"
            " eventType, GE_eventTime, LT_eventTime, EQ_bizStep, MATCH_epc,"
            " MATCH_anyEPC, EQ_bizLocation, perPage, nextPageToken",
        ),
        ("perPage=0", "perPage", "perPage: '0' is not a whole number from 1 to 1000"),
        (
            "perPage=1001",
            "perPage",
            "perPage: '1001' is not a whole number from 1 to 1000",
        ),
        ("perPage=2&perPage=3", "perPage", "perPage: takes one value"),
        (
            "GE_eventTime=2026-03-01",
            "GE_eventTime",
            "GE_eventTime: '2026-03-01' is not a timestamp with a UTC offset",
        ),
        (
            "eventType=QuantityEvent",
            "eventType",
            "eventType: 'QuantityEvent' is not an event type; use ObjectEvent,"
            " AggregationEvent, TransactionEvent, TransformationEvent,"
            " AssociationEvent",
        ),
        (
            "MATCH_epc=urn:epc:idpat:sgtin:0614141.107346.*",
            "MATCH_epc",
            "MATCH_epc: 'urn:epc:idpat:sgtin:0614141.107346.*': EPC patterns are not"
            " supported, only identifiers",
        ),
        (
            "EQ_bizStep=shipping||receiving",
            "EQ_bizStep",
            "EQ_bizStep: has an empty value in 'shipping||receiving'",
        ),
        (
            "nextPageToken=bm90LW91cnM",
            "nextPageToken",
            "nextPageToken: is not a token this service gave out",
        ),
    ],
)
def test_a_bad_query_is_refused_naming_the_parameter(
    queried: Server, query: str, parameter: str, detail: str
) -> None:
    response = queried.client.get(f"/events?{query}")

    refused = problem(response, 400)
    assert refused["type"] == "epcisException:QueryParameterException"
    assert (refused["parameter"], refused["detail"]) == (parameter, detail)


def test_a_bad_identifier_is_refused_naming_the_parameter(queried: Server) -> None:
    response = queried.client.get(
        "/events", params={"EQ_bizLocation": "https://id.gs1.org/414/0614141007771"}
    )

    refused = problem(response, 400)
    assert (refused["parameter"], refused["detail"]) == (
        "EQ_bizLocation",
        "EQ_bizLocation: GLN '0614141007771' has check digit 1, expected 6",
    )


def test_a_page_token_after_no_kept_event_is_refused(queried: Server) -> None:
    token = make_token("urn:uuid:never-captured", parse_event_params([]))

    response = queried.client.get("/events", params={"nextPageToken": token})

    assert problem(response, 400)["detail"] == (
        "nextPageToken: names no kept event; start the query again"
    )


def test_a_page_token_serves_only_the_query_it_came_with(queried: Server) -> None:
    first = queried.client.get("/events", params={"perPage": "1"})
    token = first.json()["nextPageToken"]

    same = queried.client.get(
        "/events", params={"perPage": "1", "nextPageToken": token}
    )
    other = queried.client.get(
        "/events", params={"EQ_bizStep": "packing", "nextPageToken": token}
    )

    assert (
        event_ids(queried, perPage="2")[1]
        == same.json()["epcisBody"]["queryResults"]["resultsBody"]["eventList"][0][
            "eventID"
        ]
    )
    assert problem(other, 400)["detail"] == (
        "nextPageToken: belongs to a query with other parameters; repeat the query it"
        " came with"
    )


# -- the documentation -------------------------------------------------------------


def test_the_documented_parameters_and_refusal_are_the_services_own(
    queried: Server,
) -> None:
    page = (REPO / "docs" / "epcis.md").read_text(encoding="utf-8")
    query_section = page.split("### Querying events")[1]
    documented = re.findall(r"^\| `(\w+)` \|", query_section, re.MULTILINE)
    [refusal] = re.findall(r"```json\n(.*?)```", query_section, re.DOTALL)

    response = queried.client.get("/events", params={"EQ_action": "ADD"})

    assert documented == list(SUPPORTED)
    assert f"page size: 1 to {MAX_PER_PAGE}," in query_section
    assert problem(response, 400) == json.loads(refusal)


def test_each_capture_is_recorded_in_the_load_history(tmp_path: Path) -> None:
    body = sample("GS1_US_Pharma_Example_2_2_1_1.xml")
    query = """{ loads(source: "capture") { edges { node {
        fileName contentHash size rejected outcome reason counts { kind records }
    } } } }"""

    with serve(tmp_path / "data") as server:
        loaded = capture(server, body, content_type="application/xml")
        refused = capture(server, sample("ObjectEvent_with_invalid_action.json"))
        response = server.client.post("/graphql", json={"query": query})

    assert response.status_code == 200, response.text
    nodes = [e["node"] for e in response.json()["data"]["loads"]["edges"]]
    assert [n["fileName"] for n in nodes] == [
        f"capture {refused['captureID']}",
        f"capture {loaded['captureID']}",
    ]
    assert [(n["outcome"], n["rejected"], n["reason"]) for n in nodes] == [
        ("FAILED", 1, "rolled back for 1 rejected event"),
        ("LOADED", 0, None),
    ]
    assert nodes[1]["contentHash"] == hashlib.sha256(body).hexdigest()
    assert nodes[1]["size"] == len(body)
    assert nodes[1]["counts"] == [
        {"kind": "containment", "records": 15},
        {"kind": "item", "records": 16},
        {"kind": "scan", "records": 36},
        {"kind": "shipment", "records": 1},
    ]


def test_a_full_capture_queue_answers_503_with_retry_after(tmp_path: Path) -> None:
    many = [
        {
            **EVENTS[0],
            "eventID": f"urn:uuid:20000000-0000-4000-8000-{n:012d}",
            "epcList": [f"urn:epc:id:sgtin:0614141.107346.9{n}"],
        }
        for n in range(2_000)
    ]
    slow = document(*many)
    headers = {"Content-Type": "application/ld+json"}

    with serve(tmp_path / "data", env={"GRAPHSVC_CAPTURE_QUEUE": "1"}) as server:
        # The first document keeps the worker busy for seconds, the second fills
        # the queue: the third arrives within milliseconds and finds it full.
        answers = [
            server.client.post("/capture", content=slow, headers=headers)
            for _ in range(3)
        ]

        assert [a.status_code for a in answers] == [202, 202, 503]
        refused = problem(answers[2], 503)
        assert answers[2].headers["Retry-After"] == "5"
        assert refused["detail"] == (
            "1 documents are waiting to be loaded; send this one again later"
        )
        loaded = finished(server, answers[0].json()["captureID"])
        assert loaded["counts"]["new"] == 2_000
