"""Writing an exported view: GraphML, GEXF, node-link JSON, and CSV with `csv`.

GraphML and GEXF declare one type per attribute, and neither takes None, lists or
dates; so every value is flattened first: None is left out, a list becomes its
items joined by `|`, a date or instant its ISO 8601 text, and an attribute whose
values are not all of one number or boolean type becomes text everywhere. Feeds
come from partners, so a CSV cell of text that a spreadsheet would run as a
formula (`=...`, `+...`, `-...`, `@...`, after any spaces) is written with a `'`
before it, and in GraphML and GEXF a character XML cannot hold (a control character)
becomes U+FFFD. GEXF keeps no graph attributes, so its graph's name says what the
view is and whether the limit cut it.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Final

import networkx as nx

from graphsvc.errors import InvalidArgument
from graphsvc.export.views import Graph

Flat = str | int | float | bool
_NODE_FIRST: Final = ("id", "node_type", "record_id", "label", "described")
_EDGE_FIRST: Final = ("source", "target", "relationship")
_NOT_XML: Final = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
"""Characters that XML 1.0 forbids: C0 controls but tab and line ends, and more."""
_FORMULA_STARTS: Final = ("=", "+", "-", "@", "\t", "\r")
"""How a cell starts that Excel, LibreOffice or Sheets reads as a formula.

Some of them skip leading spaces first, so a cell is judged after its spaces."""


@dataclass(frozen=True)
class Format:
    """How one export format is named, served and written."""

    name: str
    media_type: str
    suffix: str
    write: Callable[[Graph], bytes]


def render(graph: Graph, name: str) -> tuple[Format, bytes]:
    """`graph` written in the format called `name`, and that format."""
    found = FORMATS.get(name)
    if found is None:
        raise InvalidArgument(
            "format", f"must be one of {', '.join(FORMATS)}, not {name!r}"
        )
    return found, found.write(flatten(graph))


def flatten(graph: Graph) -> Graph:
    """A copy of `graph` whose attribute values every writer accepts."""
    flat: Graph = nx.MultiDiGraph()
    flat.graph.update(_flat_row(graph.graph))
    nodes = {key: _flat_row(data) for key, data in graph.nodes(data=True)}
    edges = {
        (s, t, k): _flat_row(data)
        for s, t, k, data in graph.edges(keys=True, data=True)
    }
    _one_type_each(nodes.values())
    _one_type_each(edges.values())
    flat.add_nodes_from(nodes.items())
    for (source, target, key), data in edges.items():
        flat.add_edge(source, target, key=key, **data)
    return flat


def _flat_row(data: Mapping[str, object]) -> dict[str, Flat]:
    return {name: _flat(v) for name, v in data.items() if v is not None}


def _flat(value: object) -> Flat:
    if isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return "|".join(str(_flat(v)) for v in value)
    return str(value)


def _one_type_each(rows: Iterable[dict[str, Flat]]) -> None:
    """Turn to text every attribute whose values are of more than one type."""
    rows = list(rows)
    types: dict[str, set[type]] = {}
    for row in rows:
        for name, value in row.items():
            types.setdefault(name, set()).add(type(value))
    mixed = {name for name, found in types.items() if len(found) > 1}
    for row in rows:
        for name in mixed & row.keys():
            row[name] = str(row[name])


def _graphml(graph: Graph) -> bytes:
    # networkx writes an edge's key as its id, and the keys (relationship types)
    # repeat; Gephi drops an edge whose id it has seen and yEd hides it, so each
    # edge is numbered instead. The relationship stays in its attribute. Attribute
    # keys are numbered too: a node and an edge attribute may share a name, and
    # key ids must differ; tools read the name from `attr.name`.
    buffer = io.BytesIO()
    nx.write_graphml(_for_xml(graph, number_edges=True), buffer)
    return buffer.getvalue()


def _gexf(graph: Graph) -> bytes:
    ready = _for_xml(graph, number_edges=False)
    ready.graph["name"] = _xml_text(_title(graph))
    buffer = io.BytesIO()
    nx.write_gexf(ready, buffer)
    return buffer.getvalue()


def _title(graph: Graph) -> str:
    """What the view is, and whether the limit cut it: `cluster DC-1 (truncated)`."""
    text = f"{graph.graph.get('view', 'graph')} {graph.graph.get('id', '')}".strip()
    return f"{text} (truncated)" if graph.graph.get("truncated") else text


def _for_xml(graph: Graph, *, number_edges: bool) -> Graph:
    """A copy of `graph` with ids and text XML 1.0 can hold, edges numbered if asked."""
    ready: Graph = nx.MultiDiGraph()
    ready.graph.update(_xml_row(graph.graph))
    ready.add_nodes_from((_xml_text(k), _xml_row(d)) for k, d in graph.nodes(data=True))
    edges = graph.edges(keys=True, data=True)
    for n, (source, target, key, data) in enumerate(edges):
        ready.add_edge(
            _xml_text(source),
            _xml_text(target),
            key=f"e{n}" if number_edges else _xml_text(key),
            **_xml_row(data),
        )
    return ready


def _xml_row(data: Mapping[str, Flat]) -> dict[str, Flat]:
    return {name: _xml_text(v) if isinstance(v, str) else v for name, v in data.items()}


def _xml_text(text: str) -> str:
    """`text` with each character XML 1.0 cannot hold, even escaped, made U+FFFD."""
    return _NOT_XML.sub("\ufffd", text)


def _node_link(graph: Graph) -> bytes:
    data = nx.node_link_data(graph, edges="edges")
    return json.dumps(data, ensure_ascii=False, indent=1).encode()


def _node_rows(graph: Graph) -> tuple[list[str], list[dict[str, Flat]]]:
    rows = [{"id": key, **data} for key, data in graph.nodes(data=True)]
    return _columns(_NODE_FIRST, rows), rows


def _edge_rows(graph: Graph) -> tuple[list[str], list[dict[str, Flat]]]:
    rows = [{"source": s, "target": t, **data} for s, t, data in graph.edges(data=True)]
    return _columns(_EDGE_FIRST, rows), rows


def _columns(first: tuple[str, ...], rows: list[dict[str, Flat]]) -> list[str]:
    rest = sorted({name for row in rows for name in row} - set(first))
    return [*first, *rest]


def _csv(table: tuple[list[str], list[dict[str, Flat]]]) -> bytes:
    columns, rows = table
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, columns, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows({k: _inert(v) for k, v in row.items()} for row in rows)
    return buffer.getvalue().encode()


def _inert(value: Flat) -> Flat:
    """Text a spreadsheet would run as a formula, with `'` before it to show it."""
    if isinstance(value, str) and value.lstrip(" ").startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def _csv_zip(graph: Graph) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("nodes.csv", _csv(_node_rows(graph)))
        archive.writestr("edges.csv", _csv(_edge_rows(graph)))
    return buffer.getvalue()


FORMATS: Final = {
    f.name: f
    for f in (
        Format("graphml", "application/graphml+xml", "graphml", _graphml),
        Format("gexf", "application/gexf+xml", "gexf", _gexf),
        Format("json", "application/json", "json", _node_link),
        Format("csv-nodes", "text/csv", "nodes.csv", lambda g: _csv(_node_rows(g))),
        Format("csv-edges", "text/csv", "edges.csv", lambda g: _csv(_edge_rows(g))),
        Format("csv", "application/zip", "csv.zip", _csv_zip),
    )
}
"""Every export format by name."""
