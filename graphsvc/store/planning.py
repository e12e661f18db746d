"""What a batch of records changes, worked out before anything is written.

Both stores plan a batch the same way: they look up the current properties of the
nodes the batch names, and `Plan` derives the node writes, the relationships to add
and to remove, and what changed per record. Every relationship mirrors a reference
property, so the current properties alone tell which relationships exist.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Final

from graphsvc.model import BY_KIND, REL_TYPES, SHIPMENT_ITEM, FieldType, NodeType
from graphsvc.records import Record
from graphsvc.store.base import BatchResult, Change, NodeKey
from graphsvc.store.codec import EXTRA, Properties

EdgeKey = tuple[str, NodeKey, NodeKey]
"""A relationship's type, source and target."""
Lookup = Callable[[NodeKey], Properties | None]
"""The committed properties of a node, or None when it does not exist."""

_FIELD_OF: Final = {r.type: r.field for r in REL_TYPES}
_UNIONS: Final = {
    t.kind: frozenset(f.name for f in t.fields if f.type is FieldType.IDENTIFIERS)
    for t in BY_KIND.values()
}
"""Per kind, the list fields that a record adds to rather than replaces."""
_DEFAULTS: Final = {
    t.kind: tuple((f.name, f.default) for f in t.fields if f.default is not None)
    for t in BY_KIND.values()
}
"""Per kind, the values a node takes when first described without them."""


def _references(t: NodeType) -> tuple[tuple[str, str, str], ...]:
    """The reference fields of `t`: name, relationship type and target label."""
    found = []
    for f in t.references:
        assert f.rel is not None
        assert f.target is not None
        found.append((f.name, f.rel, f.target))
    return tuple(found)


_REFERENCES: Final = {t.kind: _references(t) for t in BY_KIND.values()}
_LISTS: Final = {
    kind: {name: (rel, label) for name, rel, label in references}
    for kind, references in _REFERENCES.items()
}
"""Per kind, the relationship type and target label of each reference field."""
_LABELS: Final = {t.kind: t.label for t in BY_KIND.values()}


def keys_named(records: Iterable[Record]) -> set[NodeKey]:
    """Every node a batch may read: the records' own nodes and what they reference."""
    own, referenced = keys_read(records)
    return own | referenced


def keys_read(records: Iterable[Record]) -> tuple[set[NodeKey], set[NodeKey]]:
    """The nodes whose properties a batch reads, and those it only checks exist.

    The first are the records' own nodes (a shipment for its items); the second are
    the nodes they reference, which a plan only needs to know whether to create as
    stubs.
    """
    own: set[NodeKey] = set()
    referenced: set[NodeKey] = set()
    for record in records:
        if record.kind == SHIPMENT_ITEM.kind:
            own.add(("Shipment", str(record.values["shipment"])))
            referenced.add(("Item", str(record.values["item"])))
            continue
        own.add((_LABELS[record.kind], record.key))
        values = record.values
        for name, _, label in _REFERENCES[record.kind]:
            value = values.get(name)
            if isinstance(value, str):
                referenced.add((label, value))
            elif isinstance(value, tuple):
                referenced.update((label, v) for v in value)
    return own, referenced


class Plan:
    """The changes one batch makes, staged over the committed state.

    `lookup` is asked only about the records' own nodes (the first set of
    `keys_read`); `exists`, by default whether `lookup` finds the node, about the
    nodes they reference too.
    """

    def __init__(
        self, lookup: Lookup, exists: Callable[[NodeKey], bool] | None = None
    ) -> None:
        self.lookup = lookup
        self.exists = exists or (lambda key: lookup(key) is not None)
        self.nodes: dict[NodeKey, Properties] = {}
        """Nodes to write, with their complete new properties."""
        self.added: set[EdgeKey] = set()
        self.removed: set[EdgeKey] = set()
        self.result = BatchResult()

    def props(self, key: NodeKey) -> Properties | None:
        """The node's properties as this batch has left them so far."""
        staged = self.nodes.get(key)
        return staged if staged is not None else self.lookup(key)

    def add(self, record: Record) -> None:
        """Stage one record: an upsert that keeps the fields it does not carry."""
        if record.kind == SHIPMENT_ITEM.kind:
            self._add_link(record)
            return

        t = BY_KIND[record.kind]
        key = (t.label, record.key)
        values = record.values
        committed = self.lookup(key)
        staged = self.nodes.get(key)
        old = staged if staged is not None else committed
        new: Properties = dict(old) if old is not None else {}
        unions = _UNIONS[record.kind]
        if "id" in values or (unions and not unions.isdisjoint(values)):
            for name, value in values.items():
                if name == "id":
                    continue
                if name in unions:
                    value = _union(new.get(name, ()), value)
                new[name] = value
        else:
            new.update(values)
        if record.extra:
            new[EXTRA] = {**_mapping(new.get(EXTRA)), **record.extra}
        was_described = old is not None and t.is_described(old)
        if not was_described:
            for name, default in _DEFAULTS[record.kind]:
                if name not in new:
                    new[name] = default

        for name, rel, label in _REFERENCES[record.kind]:
            if name not in values:
                continue
            targets = values[name]
            if isinstance(targets, tuple):
                for target in targets:
                    self._edge(rel, key, (label, target), committed)
                continue
            previous = old.get(name) if old is not None else None
            if isinstance(previous, str) and previous != targets:
                self._unedge(rel, key, (label, previous), committed)
                self.result.touched.add((label, previous))
            self._edge(rel, key, (label, str(targets)), committed)
        for name, gone in record.withdrawn.items():
            self._withdraw(record.kind, key, name, gone, new, committed)

        if new == old:
            change = Change.UNCHANGED
        else:
            change = Change.UPDATED if was_described else Change.NEW
            self.nodes[key] = new
            self.result.touched.add(key)
        self.result.changes[record.kind, change] += 1

    def _withdraw(
        self,
        kind: str,
        key: NodeKey,
        name: str,
        gone: tuple[str, ...],
        new: Properties,
        committed: Properties | None,
    ) -> None:
        """Take ids out of a list field, and their relationships with them."""
        current = new.get(name, ())
        assert isinstance(current, tuple)
        kept = tuple(v for v in current if v not in gone)
        if kept:
            new[name] = kept
        else:
            new.pop(name, None)
        rel, label = _LISTS[kind][name]
        for target in gone:
            self._unedge(rel, key, (label, target), committed)

    def _add_link(self, record: Record) -> None:
        shipment = ("Shipment", str(record.values["shipment"]))
        item = str(record.values["item"])
        props = self.props(shipment)
        carried = props.get("items", ()) if props is not None else ()
        assert isinstance(carried, tuple)
        if item in carried:
            self.result.changes[record.kind, Change.UNCHANGED] += 1
            return
        new = dict(props) if props is not None else {}
        new["items"] = (*carried, item)
        self.nodes[shipment] = new
        self._edge(SHIPMENT_ITEM.rel, shipment, ("Item", item), self.lookup(shipment))
        self.result.touched.add(shipment)
        self.result.changes[record.kind, Change.NEW] += 1

    def _edge(
        self, rel: str, source: NodeKey, target: NodeKey, committed: Properties | None
    ) -> None:
        """Stage a relationship; `committed` holds the source's committed properties."""
        if target not in self.nodes and not self.exists(target):
            self.nodes[target] = {}
            self.result.touched.add(target)
        edge = (rel, source, target)
        self.removed.discard(edge)
        if not _has_edge(committed, rel, target):
            self.added.add(edge)

    def _unedge(
        self, rel: str, source: NodeKey, target: NodeKey, committed: Properties | None
    ) -> None:
        edge = (rel, source, target)
        self.added.discard(edge)
        if _has_edge(committed, rel, target):
            self.removed.add(edge)


def _has_edge(committed: Properties | None, rel: str, target: NodeKey) -> bool:
    """Whether a source node with these committed properties has the relationship."""
    if committed is None:
        return False
    value = committed.get(_FIELD_OF[rel])
    return value == target[1] or (isinstance(value, tuple) and target[1] in value)


def _union(current: object, more: object) -> tuple[str, ...]:
    assert isinstance(current, tuple)
    assert isinstance(more, tuple)
    return current + tuple(v for v in more if v not in current)


def _mapping(value: object) -> Mapping[str, object]:
    return value if isinstance(value, dict) else {}
