"""Finding nodes by what a person types: the start of an id, or part of a name.

Both stores gather candidates their own way and rank them here, so they answer the
same. Ids are matched from their start and with their case (the stores' indexes
serve that); names anywhere and ignoring case.

Ids keep their case because a start is read as a range of the id index: SQLite's
primary key and Neo4j's node key, both in code point order. Ignoring case would need
a second, lower-cased id written and indexed by both stores, or a scan of every item
on each search.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

from graphsvc.model import BY_LABEL
from graphsvc.store.base import NodeKey

SEARCHABLE: Final = ("Brand", "Item", "Party", "Product", "Shipment", "Site")
"""The labels a search looks through, in the order results are listed."""
NAMED: Final = tuple(label for label in SEARCHABLE if "name" in BY_LABEL[label].by_name)
"""The searchable labels whose nodes have a name."""


def rank(id_: str, name: object, text: str) -> int | None:
    """0 for an id equal to `text`, 1 for an id starting with it, 2 for a name
    containing it (ignoring case); None when nothing matches."""
    if id_ == text:
        return 0
    if id_.startswith(text):
        return 1
    if isinstance(name, str) and text.lower() in name.lower():
        return 2
    return None


def best(
    candidates: Iterable[tuple[NodeKey, object]], text: str, first: int
) -> list[NodeKey]:
    """The first `first` matching candidates (key and name), best rank first, then
    by label and id."""
    ranked: dict[NodeKey, int] = {}
    for key, name in candidates:
        found = rank(key[1], name, text)
        if found is not None:
            ranked[key] = found
    order = sorted(ranked, key=lambda k: (ranked[k], SEARCHABLE.index(k[0]), k[1]))
    return order[:first]
