"""Property values to and from JSON-compatible form, by the model's field types."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import Final

from graphsvc.model import NODE_TYPES, FieldType, node_type
from graphsvc.records import Value
from graphsvc.store.base import Node, NodeKey

EXTRA: Final = "extra"
"""The property that holds a node's undeclared feed fields."""

Properties = dict[str, object]
"""A node's properties: declared field values, and `extra` when it has any."""


def _strings(value: object) -> tuple[str, ...]:
    assert isinstance(value, list)
    return tuple(value)


_DECODE: Final[Mapping[FieldType, Callable[[object], Value]]] = {
    FieldType.DATE: lambda v: date.fromisoformat(str(v)),
    FieldType.INSTANT: lambda v: datetime.fromisoformat(str(v)),
    FieldType.IDENTIFIERS: _strings,
    FieldType.TERRITORIES: _strings,
}
_DECODERS: Final = {
    t.label: {f.name: _DECODE[f.type] for f in t.fields if f.type in _DECODE}
    for t in NODE_TYPES
}


def encode(props: Mapping[str, object]) -> dict[str, object]:
    """JSON-compatible copy: dates and instants as ISO strings, tuples as lists."""
    out: dict[str, object] = {}
    for name, value in props.items():
        if isinstance(value, date):
            out[name] = value.isoformat()
        elif isinstance(value, tuple):
            out[name] = list(value)
        else:
            out[name] = value
    return out


def decode(label: str, obj: Mapping[str, object]) -> Properties:
    """The inverse of `encode` for a node of `label`."""
    decoders = _DECODERS[label]
    return {
        name: decoders[name](value) if name in decoders else value
        for name, value in obj.items()
    }


def stored_node(key: NodeKey, props: Mapping[str, object]) -> Node:
    """The `Node` of stored properties, its values in the order the model declares.

    Each store hands properties back in an order of its own (SQLite as the writes set
    them, Neo4j in none that is fixed), and answers and exports show that order.
    """
    label, id_ = key
    declared = node_type(label)
    values = {f.name: props[f.name] for f in declared.fields if f.name in props}
    extra = props.get(EXTRA)
    return Node(
        label,
        id_,
        values,  # type: ignore[arg-type]  # the codecs give only model values there
        extra if isinstance(extra, dict) else {},
        declared.is_described(props),
    )
