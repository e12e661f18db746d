"""Exports read back through networkx's own readers with the nodes and edges sent."""

from __future__ import annotations

import csv
import io
import json
import shutil
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import click
import networkx as nx
import pytest
from click.testing import CliRunner
from lxml import etree
from server import Server, serve

from graphsvc.cli import main
from graphsvc.errors import InvalidArgument, NotFound
from graphsvc.export import FORMATS, build_view, render
from graphsvc.export import VIEWS as VIEWS_OFFERED
from graphsvc.export.views import Graph
from graphsvc.investigation import Investigation
from graphsvc.service import load_into, prepare_demo
from graphsvc.store.base import Store
from graphsvc.store.embedded import EmbeddedStore
from loaders.load import load_paths

ITEM = "IT-00001171"
CLUSTER = "DC-d60ad2fd813c430c"
PARTY = "PA-PL-FENINA"
VIEWS = [
    # view, id, nodes, edges
    ("provenance", ITEM, 10, 9),
    ("neighborhood", PARTY, 10, 16),
    ("cluster", CLUSTER, 12, 12),
]
"""On the README's demo data (2,000 items, seed 7)."""


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return prepare_demo(tmp_path_factory.mktemp("export"), items=2_000, seed=7)


@pytest.fixture(scope="module")
def investigation(demo_store: Path) -> Iterator[Investigation]:
    store = EmbeddedStore(demo_store)
    yield Investigation(store)
    store.close()


def _csv_graph(nodes: bytes, edges: bytes) -> Graph:
    graph: Graph = nx.MultiDiGraph()
    for row in csv.DictReader(io.StringIO(nodes.decode())):
        graph.add_node(row.pop("id"), **row)
    for row in csv.DictReader(io.StringIO(edges.decode())):
        source, target = row.pop("source"), row.pop("target")
        assert source in graph, source
        assert target in graph, target
        graph.add_edge(source, target, key=row["relationship"], **row)
    return graph


def _read_zip(body: bytes) -> Graph:
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        assert archive.namelist() == ["nodes.csv", "edges.csv"]
        return _csv_graph(archive.read("nodes.csv"), archive.read("edges.csv"))


READERS: dict[str, Callable[[bytes], nx.Graph[str]]] = {
    "graphml": lambda b: nx.read_graphml(io.BytesIO(b), force_multigraph=True),
    "gexf": lambda b: nx.MultiDiGraph(nx.read_gexf(io.BytesIO(b))),
    "json": lambda b: nx.node_link_graph(json.loads(b), edges="edges"),
    "csv": _read_zip,
}


@pytest.mark.parametrize("fmt", sorted(READERS))
@pytest.mark.parametrize(("view", "id_", "nodes", "edges"), VIEWS)
def test_each_format_reads_back_with_every_node_and_edge(
    investigation: Investigation, fmt: str, view: str, id_: str, nodes: int, edges: int
) -> None:
    graph = build_view(investigation, view, id_)

    _, body = render(graph, fmt)
    back = READERS[fmt](body)

    assert (back.number_of_nodes(), back.number_of_edges()) == (nodes, edges)
    assert set(back.nodes) == set(graph.nodes)
    assert sorted(back.edges()) == sorted(graph.edges())


@pytest.mark.parametrize(("view", "id_", "nodes", "edges"), VIEWS)
def test_the_two_csv_files_hold_one_row_per_node_and_edge(
    investigation: Investigation, view: str, id_: str, nodes: int, edges: int
) -> None:
    graph = build_view(investigation, view, id_)

    _, node_csv = render(graph, "csv-nodes")
    _, edge_csv = render(graph, "csv-edges")
    back = _csv_graph(node_csv, edge_csv)

    assert (back.number_of_nodes(), back.number_of_edges()) == (nodes, edges)
    assert (
        node_csv.decode()
        .splitlines()[0]
        .startswith("id,node_type,record_id,label,described,")
    )


def test_graphml_gives_each_edge_an_id_of_its_own(
    investigation: Investigation,
) -> None:
    # Gephi drops an edge whose id it has seen, and yEd hides it.
    graph = build_view(investigation, "neighborhood", PARTY)

    back: Graph = nx.MultiDiGraph(READERS["graphml"](render(graph, "graphml")[1]))
    ids = [key for _, _, key in back.edges(keys=True)]

    assert len(ids) == 16
    assert len(set(ids)) == 16
    assert sorted(back.edges(data="relationship")) == sorted(
        graph.edges(data="relationship")
    )


def test_graphml_declares_each_attribute_under_an_id_of_its_own() -> None:
    # A node and an edge attribute may share a name (a hop's and a hand-over's
    # shipment); GraphML needs one key per name and domain, each with its own id.
    graph: Graph = nx.MultiDiGraph()
    graph.add_node("CustodyHop:1", shipment="SH-1", order=1)
    graph.add_node("CustodyHop:2", shipment="SH-2", order=2)
    graph.add_edge("CustodyHop:1", "CustodyHop:2", key="NEXT", shipment="SH-2")

    document = etree.fromstring(render(graph, "graphml")[1])
    keys = document.findall("{http://graphml.graphdrawing.org/xmlns}key")

    assert sorted((k.get("for"), k.get("attr.name")) for k in keys) == [
        ("edge", "shipment"),
        ("node", "order"),
        ("node", "shipment"),
    ]
    assert len({k.get("id") for k in keys}) == 3


def test_csv_cells_that_a_spreadsheet_would_run_as_formulas_are_quoted() -> None:
    graph: Graph = nx.MultiDiGraph()
    names = ['=HYPERLINK("http://x")', "+1 555", "-2+3", "@SUM(A1)", "\tTab", "A=B"]
    names.append("  =1+1")
    for n, name in enumerate(names):
        graph.add_node(f"Party:P{n}", node_type="Party", name=name, lat=-33.9)
    graph.add_edge("Party:P0", "Party:P1", key="phone", relationship="phone")
    graph.edges["Party:P0", "Party:P1", "phone"]["evidence"] = "=1+1"

    nodes = list(csv.DictReader(io.StringIO(render(graph, "csv-nodes")[1].decode())))
    edges = list(csv.DictReader(io.StringIO(render(graph, "csv-edges")[1].decode())))

    assert [(row["name"], row["lat"]) for row in nodes] == [
        ('\'=HYPERLINK("http://x")', "-33.9"),
        ("'+1 555", "-33.9"),
        ("'-2+3", "-33.9"),
        ("'@SUM(A1)", "-33.9"),
        ("'\tTab", "-33.9"),
        ("A=B", "-33.9"),
        ("'  =1+1", "-33.9"),
    ]
    assert [row["evidence"] for row in edges] == ["'=1+1"]


@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_xml_formats_replace_characters_xml_cannot_hold(fmt: str) -> None:
    # Feeds may carry control characters, which XML 1.0 forbids even escaped.
    graph: Graph = nx.MultiDiGraph()
    graph.add_node("Party:P\x01", name="Bad\x01Name\x1b[0m", address="a\tb\r\nc")
    graph.add_node("Party:Q", name="Q")
    graph.add_edge("Party:P\x01", "Party:Q", key="phone", relationship="ph\x0bone")

    back = READERS[fmt](render(graph, fmt)[1])

    assert {key: data["name"] for key, data in back.nodes(data=True)} == {
        "Party:P\ufffd": "Bad\ufffdName\ufffd[0m",
        "Party:Q": "Q",
    }
    assert back.nodes["Party:P\ufffd"]["address"] == "a\tb\r\nc"
    assert [d["relationship"] for _, _, d in back.edges(data=True)] == ["ph\ufffdone"]


def test_a_custody_chain_keeps_its_order_and_judgements(
    investigation: Investigation,
) -> None:
    graph = build_view(investigation, "provenance", ITEM)

    back = nx.read_graphml(io.BytesIO(render(graph, "graphml")[1]))
    hops = sorted(
        (data["order"], data["label"], data["country"], data["judgement"])
        for _, data in back.nodes(data=True)
        if data["node_type"] == "CustodyHop"
    )
    chain = [
        (s, t)
        for s, t, data in back.edges(data=True)
        if data["relationship"] != "CONCERNS"
    ]
    findings = sorted(
        data["kind"]
        for _, data in back.nodes(data=True)
        if data["node_type"] == "Finding"
    )

    assert hops == [
        (1, "Ombrelis Skin Science Manufacturing", "CH", "not judged"),
        (2, "Wenoro Supply LLC", "US", "authorized"),
        (3, "Wenune Import A.S.", "TR", "authorized"),
        (4, "Fenina Trading sp. z o.o.", "PL", "unauthorized"),
        (5, "Quenium Wholesale sp. z o.o.", "PL", "unauthorized"),
        (6, "Elvion Wholesale Ltd. Sti.", "TR", "authorized"),
    ]
    assert sorted(chain) == [
        *((f"CustodyHop:{n}", f"CustodyHop:{n + 1}") for n in range(1, 6)),
        (f"Item:{ITEM}", "CustodyHop:1"),
    ]
    assert findings == ["REENTRY", "UNAUTHORIZED_HOLDER", "UNAUTHORIZED_HOLDER"]
    assert back.graph["truncated"] is False


def test_a_cluster_marks_its_entry_points_and_exits(
    investigation: Investigation,
) -> None:
    graph = build_view(investigation, "cluster", CLUSTER)

    roles = {key: data["cluster_role"] for key, data in graph.nodes(data=True)}
    kinds = sorted(data["relationship"] for _, _, data in graph.edges(data=True))

    assert sorted(k for k, r in roles.items() if r == "entry point") == [
        "Party:PA-SG-TALUNE",
        "Party:PA-TR-WENUNE",
        "Party:PA-US-WENORO",
    ]
    assert sum(1 for r in roles.values() if r == "member") == 5
    assert sum(1 for r in roles.values() if r == "exit") == 4
    assert (
        kinds == ["ENTERS"] * 3 + ["EXITS"] * 5 + ["email", "phone"] + ["shipment"] * 2
    )


def test_a_party_that_is_entry_point_and_exit_is_one_node_with_both_roles(
    tmp_path: Path,
) -> None:
    # GREY and DARK trade with each other; FAB ships into the pair and gets the
    # goods back, so it is both where they enter and where they leave.
    def shipment(id_: str, shipper: str, consignee: str, day: int) -> dict[str, object]:
        return {
            "kind": "shipment",
            "id": id_,
            "shipper": shipper,
            "consignee": consignee,
            "origin": f"S-{shipper}",
            "destination": f"S-{consignee}",
            "shipped_at": f"2026-01-{day:02}T08:00:00Z",
            "delivered_at": f"2026-01-{day + 1:02}T08:00:00Z",
            "items": ["I1"],
        }

    parties = {"FAB": "manufacturer", "GREY": "distributor", "DARK": "distributor"}
    records = [
        {"kind": "brand", "id": "B1", "name": "Luma"},
        *({"kind": "party", "id": p, "name": p, "role": r} for p, r in parties.items()),
        *(
            {"kind": "site", "id": f"S-{p}", "operator": p, "country": "PL"}
            for p in parties
        ),
        {"kind": "product", "id": "P1", "brand": "B1"},
        {"kind": "item", "id": "I1", "product": "P1", "produced_at": "S-FAB"},
        shipment("SH1", "FAB", "GREY", 10),
        shipment("SH2", "GREY", "DARK", 12),
        shipment("SH3", "DARK", "FAB", 14),
    ]
    feed = tmp_path / "feed.jsonl"
    feed.write_text("".join(json.dumps(r) + "\n" for r in records))
    assert load_into(tmp_path / "data", [feed]).ok
    store = EmbeddedStore(tmp_path / "data")
    investigation = Investigation(store)
    [cluster] = investigation.clusters()

    graph = build_view(investigation, "cluster", cluster.id, limit=3)
    store.close()
    roles = {key: data["cluster_role"] for key, data in graph.nodes(data=True)}

    assert (cluster.entry_points, cluster.exits) == (("FAB",), ("FAB",))
    assert roles == {
        "Party:DARK": "member",
        "Party:FAB": "entry point|exit",
        "Party:GREY": "member",
    }
    assert graph.graph["truncated"] is False


def test_the_limit_cuts_a_view_and_says_so(investigation: Investigation) -> None:
    graph = build_view(investigation, "neighborhood", PARTY, depth=2, limit=3)

    back = nx.node_link_graph(json.loads(render(graph, "json")[1]), edges="edges")

    assert back.number_of_nodes() == 3
    assert back.graph["truncated"] is True


@pytest.mark.parametrize(("limit", "name"), [(3, f"{PARTY} (truncated)"), (200, PARTY)])
def test_gexf_names_the_view_and_says_when_the_limit_cut_it(
    investigation: Investigation, limit: int, name: str
) -> None:
    graph = build_view(investigation, "neighborhood", PARTY, depth=2, limit=limit)

    back = nx.read_gexf(io.BytesIO(render(graph, "gexf")[1]))

    assert back.graph["name"] == f"neighborhood {name}"


def test_caps_and_unknown_ids_are_refused(investigation: Investigation) -> None:
    with pytest.raises(InvalidArgument, match="limit: must be between 1 and 2000"):
        build_view(investigation, "neighborhood", PARTY, limit=2_001)
    with pytest.raises(InvalidArgument, match="depth: must be between 0 and 3"):
        build_view(investigation, "neighborhood", PARTY, depth=4)
    with pytest.raises(InvalidArgument, match="view: must be one of"):
        build_view(investigation, "everything", PARTY)
    with pytest.raises(NotFound, match="no item has the id 'IT-NOPE'"):
        build_view(investigation, "provenance", "IT-NOPE")
    with pytest.raises(NotFound, match="no distributor cluster has the id 'DC-0'"):
        build_view(investigation, "cluster", "DC-0")
    with pytest.raises(InvalidArgument, match="format: must be one of"):
        render(build_view(investigation, "provenance", ITEM), "pdf")


@pytest.mark.parametrize(
    "id_",
    [
        "urn:epc:id:sgtin:9521006.006001.100001",
        "http://example.com/01/09521006060016/21/100001",
        "Party:PA-COLON",
    ],
)
def test_a_neighbourhood_is_found_by_any_id_a_person_gives(
    any_store: Store, tmp_path: Path, id_: str
) -> None:
    rows = [
        {"kind": "brand", "id": "B1", "name": "Luma"},
        {"kind": "product", "id": "P1", "brand": "B1"},
        {
            "kind": "item",
            "id": "urn:epc:id:sgtin:9521006.006001.100001",
            "product": "P1",
        },
        {
            "kind": "party",
            "id": "Party:PA-COLON",
            "name": "Colon",
            "role": "distributor",
        },
    ]
    feed = tmp_path / "feed.jsonl"
    feed.write_text("".join(json.dumps(r) + "\n" for r in rows))
    report = load_paths(any_store, [feed])
    assert report.ok, report.render()

    graph = build_view(Investigation(any_store), "neighborhood", id_)

    item = "Item:https://id.gs1.org/01/09521006060016/21/100001"
    expected = (
        ["Party:Party:PA-COLON"] if id_.startswith("Party") else [item, "Product:P1"]
    )
    assert sorted(graph.nodes) == expected
    assert graph.graph == {"view": "neighborhood", "id": id_, "truncated": False}


@pytest.fixture(scope="module")
def demo_server(demo_store: Path) -> Iterator[Server]:
    # A process owns its data directory, so the server gets a copy of its own.
    copy = demo_store.parent / "served"
    shutil.copytree(demo_store, copy)
    with serve(copy) as running:
        yield running


@pytest.mark.slow
def test_get_export_serves_each_format_as_a_named_file(demo_server: Server) -> None:
    answers = {
        fmt: demo_server.client.get(
            "/export", params={"view": "cluster", "id": CLUSTER, "format": fmt}
        )
        for fmt in FORMATS
    }

    assert {fmt: a.status_code for fmt, a in answers.items()} == dict.fromkeys(
        FORMATS, 200
    )
    assert answers["graphml"].headers["content-disposition"] == (
        f'attachment; filename="cluster-{CLUSTER}.graphml"'
    )
    assert answers["csv"].headers["content-type"] == "application/zip"
    assert {a.headers["graphsvc-truncated"] for a in answers.values()} == {"false"}
    assert READERS["graphml"](answers["graphml"].content).number_of_nodes() == 12
    assert READERS["csv"](answers["csv"].content).number_of_edges() == 12


@pytest.mark.slow
def test_get_export_says_in_a_header_when_the_limit_cut_the_view(
    demo_server: Server,
) -> None:
    params: dict[str, str | int] = {
        "view": "neighborhood",
        "id": PARTY,
        "depth": 2,
        "format": "csv-nodes",
    }

    cut = demo_server.client.get("/export", params={**params, "limit": 3})
    whole = demo_server.client.get("/export", params={**params, "limit": 2000})

    assert (cut.status_code, cut.headers["graphsvc-truncated"]) == (200, "true")
    assert len(cut.text.splitlines()) == 1 + 3
    assert (whole.status_code, whole.headers["graphsvc-truncated"]) == (200, "false")


@pytest.mark.slow
def test_get_export_answers_400_and_404_with_the_reason(demo_server: Server) -> None:
    too_many = demo_server.client.get(
        "/export", params={"view": "neighborhood", "id": PARTY, "limit": 5000}
    )
    unknown = demo_server.client.get(
        "/export", params={"view": "provenance", "id": "IT-NOPE"}
    )
    bad_format = demo_server.client.get(
        "/export", params={"view": "provenance", "id": ITEM, "format": "pdf"}
    )

    assert (too_many.status_code, too_many.json()) == (
        400,
        {
            "error": {
                "code": "invalid_argument",
                "message": "limit: must be between 1 and 2000, got 5000",
                "field": "limit",
            }
        },
    )
    assert (unknown.status_code, unknown.json()) == (
        404,
        {"error": {"code": "not_found", "message": "no item has the id 'IT-NOPE'"}},
    )
    assert bad_format.status_code == 400
    assert bad_format.json()["error"]["field"] == "format"


@pytest.mark.slow
def test_get_export_takes_a_gs1_key_as_an_epc_urn(demo_server: Server) -> None:
    urn = "urn:epc:id:sgtin:9521006.006001.100001"

    answers = [
        demo_server.client.get(
            "/export", params={"view": view, "id": urn, "format": "json"}
        )
        for view in ("neighborhood", "provenance")
    ]

    assert [a.status_code for a in answers] == [200, 200]
    item = "Item:https://id.gs1.org/01/09521006060016/21/100001"
    assert all(item in READERS["json"](a.content) for a in answers)


def test_get_export_reads_its_parameters_into_the_same_error_shape(
    demo_server: Server,
) -> None:
    not_a_number = demo_server.client.get(
        "/export", params={"view": "neighborhood", "id": PARTY, "depth": "abc"}
    )
    missing = demo_server.client.get("/export", params={"view": "provenance"})
    schema = demo_server.client.get("/openapi.json").json()

    assert (not_a_number.status_code, not_a_number.json()) == (
        400,
        {
            "error": {
                "code": "invalid_argument",
                "message": "depth: must be a whole number, got 'abc'",
                "field": "depth",
            }
        },
    )
    assert (missing.status_code, missing.json()) == (
        400,
        {
            "error": {
                "code": "invalid_argument",
                "message": "id: is required",
                "field": "id",
            }
        },
    )
    assert sorted(schema["paths"]["/export"]["get"]["responses"]) == ["200", "4XX"]


def test_the_command_writes_a_file(tmp_path: Path) -> None:
    data = tmp_path / "data"
    feed = tmp_path / "feed.jsonl"
    rows = [
        {"kind": "brand", "id": "B1", "name": "Luma"},
        {"kind": "product", "id": "P1", "brand": "B1", "name": "Lamp"},
        {"kind": "product", "id": "P2", "brand": "B1"},
    ]
    feed.write_text("".join(json.dumps(r) + "\n" for r in rows))
    runner = CliRunner()
    runner.invoke(main, ["load", "--data-dir", str(data), str(feed)])
    out = tmp_path / "b1.gexf"

    result = runner.invoke(
        main,
        [
            *("export", "--data-dir", str(data), "--view", "neighborhood"),
            *("--id", "B1", "--format", "gexf", "--out", str(out)),
        ],
    )

    assert result.exit_code == 0, result.output
    back = nx.read_gexf(out)
    assert sorted(back.nodes(data="label")) == [
        ("Brand:B1", "Luma"),
        ("Product:P1", "Lamp"),
        ("Product:P2", "P2"),
    ]
    assert sorted(back.edges()) == [
        ("Product:P1", "Brand:B1"),
        ("Product:P2", "Brand:B1"),
    ]

    cut = runner.invoke(
        main,
        [
            *("export", "--data-dir", str(data), "--view", "neighborhood"),
            *("--id", "B1", "--format", "csv-nodes", "--limit", "2"),
        ],
    )

    assert cut.exit_code == 0, cut.output
    assert len(cut.stdout.splitlines()) == 1 + 2
    assert cut.stderr == (
        "graphsvc: warning: the view was cut at 2 nodes; raise --limit to see more\n"
    )

    nowhere = tmp_path / "no" / "such" / "dir" / "b1.gexf"
    refused = runner.invoke(
        main,
        [
            *("export", "--data-dir", str(data), "--view", "neighborhood"),
            *("--id", "B1", "--out", str(nowhere)),
        ],
    )

    assert refused.exit_code == 2
    assert refused.stderr == (
        f"graphsvc: error: cannot write {nowhere}: No such file or directory\n"
    )


def test_the_command_offers_every_view_and_format() -> None:
    command = main.commands["export"]
    choices = {
        p.name: list(p.type.choices)
        for p in command.params
        if isinstance(p.type, click.Choice)
    }

    assert choices["view"] == list(VIEWS_OFFERED)
    assert choices["format_"] == list(FORMATS)
