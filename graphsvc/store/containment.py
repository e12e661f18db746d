"""Containment spans from containment records, the same for both stores.

A store fetches the containment records of items (and the records that empty their
containers); `spans` pairs each `add` with the removal that ends it and follows
containers outwards, so that an item in a case on a pallet gets a span for the case
and one for the pallet. Retracted records are left out.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Final

Props = Mapping[str, object]
FetchRecords = Callable[[set[str]], Sequence[Props]]
"""Containment records whose `child` (or, for emptying, `parent`) is one of the ids."""

MAX_DEPTH: Final = 8
"""Levels of nesting followed: item, case, pallet, container, and some to spare."""


def retracted(props: Props) -> bool:
    """Whether an error declaration retracted the event that last wrote the node.

    A shipment (or an item's production) is written by its event and may be
    rewritten by a corrective one; it counts again once its `event` is no longer the
    retracted one.
    """
    by = props.get("retracted_by")
    return by is not None and by == props.get("event")


def delivery_retracted(props: Props) -> bool:
    """Whether an error declaration retracted the receiving that set `delivered_at`.

    A corrective receiving writes its own `delivery_event`, which confirms it again.
    """
    by = props.get("delivery_retracted_by")
    return by is not None and by == props.get("delivery_event")


@dataclass(frozen=True, slots=True)
class Span:
    """The item sat inside `container`, through `path`, from `start` until `until`."""

    container: str
    path: tuple[str, ...]
    start: datetime
    until: datetime | None


def spans(
    item_ids: Iterable[str], as_child: FetchRecords, emptied: FetchRecords
) -> dict[str, list[Span]]:
    """Every containment span of each item, nested levels flattened."""
    direct: dict[str, list[Span]] = {}
    frontier = set(item_ids)
    for _ in range(MAX_DEPTH):
        frontier -= direct.keys()
        if not frontier:
            break
        found = _direct(frontier, as_child, emptied)
        direct.update(found)
        frontier = {s.container for ss in found.values() for s in ss}

    flat: dict[str, list[Span]] = {}
    for item in item_ids:
        flat[item] = list(_outwards(item, direct, (item,), MAX_DEPTH))
    return flat


def _direct(
    ids: set[str], as_child: FetchRecords, emptied: FetchRecords
) -> dict[str, list[Span]]:
    """The spans of each id directly inside its parents."""
    records = [r for r in as_child(ids) if not retracted(r)]
    parents = {str(r["parent"]) for r in records}
    empties: dict[str, list[datetime]] = defaultdict(list)
    for r in emptied(parents):
        if r.get("child") is None and not retracted(r):
            empties[str(r["parent"])].append(_at(r))

    by_child: dict[str, list[Props]] = defaultdict(list)
    for r in records:
        by_child[str(r["child"])].append(r)
    found: dict[str, list[Span]] = {}
    for child in ids:
        found[child] = _pair(by_child[child], empties)
    return found


def _pair(
    records: Sequence[Props], empties: Mapping[str, list[datetime]]
) -> list[Span]:
    """Each `add` ends at the next removal from that parent or move to another."""
    adds = sorted((_at(r), str(r["parent"])) for r in records if r["action"] == "add")
    removals: dict[str, list[datetime]] = defaultdict(list)
    for r in records:
        if r["action"] == "delete":
            removals[str(r["parent"])].append(_at(r))

    found = []
    for start, parent in adds:
        ends = [t for t in (*removals[parent], *empties.get(parent, ())) if t > start]
        ends += [t for t, other in adds if other != parent and t > start]
        found.append(Span(parent, (parent,), start, min(ends, default=None)))
    return found


def _outwards(
    node: str, direct: Mapping[str, list[Span]], seen: tuple[str, ...], depth: int
) -> Iterable[Span]:
    if depth == 0:
        return
    for span in direct.get(node, ()):
        if span.container in seen:
            continue  # a cycle in bad data: a pallet inside its own case
        yield span
        for outer in _outwards(
            span.container, direct, (*seen, span.container), depth - 1
        ):
            start = max(span.start, outer.start)
            until = _earlier(span.until, outer.until)
            if until is None or start < until:
                path = (span.container, *outer.path)
                yield Span(outer.container, path, start, until)


def _earlier(a: datetime | None, b: datetime | None) -> datetime | None:
    if a is None:
        return b
    if b is None:
        return a
    return min(a, b)


def _at(record: Props) -> datetime:
    at = record["at"]
    assert isinstance(at, datetime)
    return at
