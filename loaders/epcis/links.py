"""Link what EPCIS events named by GS1 key to feed records that arrive after them.

An event names parties and sites by GLN and products by GTIN. `mapping.Directory`
links such a name to the feed record with that `gln` or `gtin` when the record is
loaded already; when it is not, the event's records reference a placeholder keyed by
the canonical identifier (`https://id.gs1.org/417/{gln}`, `/414/{gln}`,
`/01/{gtin}`). When the feed record arrives, `placeholder_links` plans what the
mapping would have written had the record come first: the references that events
wrote to the placeholder move to the record, a scan at a site that gets linked takes
the site's operator as its party, and the placeholder goes. The feed loader writes
the plan in the batch that carries the record, so it happens whole or not at all.

References that a feed wrote itself are left alone (a feed names exactly the node it
means), as are the fields that the batch's own records write, and a placeholder that
one of them still names stays. The records that name
a placeholder are read and re-pointed in one batch, held in memory: a site that
events named millions of times before its feed record arrived makes a batch that
large.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final

from graphsvc.errors import InvalidIdentifier
from graphsvc.ids import CANONICAL_BASE, gln_of
from graphsvc.model import BY_KIND, BY_LABEL
from graphsvc.records import Record, Value
from graphsvc.store.base import Node, NodeKey, Store
from loaders.epcis.mapping import Directory

log = logging.getLogger(__name__)

CODES: Final = {"party": "gln", "site": "gln", "product": "gtin"}
"""The feed kinds that events link to, and the field holding their GS1 key."""
_LABELS: Final = ("Party", "Site", "Product")
"""The order placeholders are re-pointed in: a site's operator, set on its scans,
wins over the party that a party's placeholder hands on to the same scans."""
_EVENT_FIELDS: Final = ("event", "delivery_event")
"""A node holding one of these was written by an EPCIS event."""
_PARTY_PREFIX: Final = f"{CANONICAL_BASE}/"


@dataclass
class Links:
    """What linking placeholders to a batch's feed records writes beside them."""

    records: list[Record] = field(default_factory=list)
    """Upserts that move references from placeholders to feed records."""
    retire: list[NodeKey] = field(default_factory=list)
    """The placeholders, for `Store.write` to remove once nothing names them."""


def placeholder_links(store: Store, batch: Sequence[Record]) -> Links:
    """The records and retirements that link `batch`'s feed records to placeholders.

    Reads only what the batch can link: nothing for a batch without parties, sites
    or products that carry a GS1 key.
    """
    codes = _codes(batch)
    if not codes:
        return Links()
    placeholders = _placeholders(store, codes)
    if not placeholders:
        return Links()

    targets = _Targets(Directory.of(store), batch)
    written = _written(batch)
    links = Links()
    updates: dict[NodeKey, dict[str, Value]] = defaultdict(dict)
    for key in sorted(placeholders, key=lambda k: (_LABELS.index(k[0]), k[1])):
        label, id_ = key
        target = targets.of(label, placeholders[key])
        if target == id_:
            continue  # the feed record is keyed by the Digital Link itself
        links.retire.append(key)
        for node in store.referrers(key):
            if not any(name in node.properties for name in _EVENT_FIELDS):
                continue
            moved = updates[node.label, node.id]
            own = written.get((node.label, node.id), frozenset())
            for name in _fields_naming(node, label, id_):
                if name not in own:
                    moved[name] = target
            if label == "Site" and node.label == "Scan" and "party" not in own:
                operator = targets.operator.get(target)
                if operator is not None:
                    moved["party"] = operator

    for (label, id_), values in sorted(updates.items()):
        if values:
            links.records.append(Record(BY_LABEL[label].kind, id_, values))
    log.info(
        "links.planned placeholders=%d records=%d",
        len(links.retire),
        len(links.records),
    )
    return links


def _codes(batch: Iterable[Record]) -> dict[str, set[str]]:
    """The GS1 keys that the batch's parties, sites and products carry, per label."""
    found: dict[str, set[str]] = defaultdict(set)
    for record in batch:
        name = CODES.get(record.kind)
        code = record.values.get(name) if name is not None else None
        if isinstance(code, str):
            found[BY_KIND[record.kind].label].add(code)
    return found


def _written(batch: Iterable[Record]) -> dict[NodeKey, frozenset[str]]:
    """The fields each node of the batch gets from it, which linking leaves alone.

    The batch is written before the links, so a link would otherwise replace what a
    feed record, loaded last, says of the same node.
    """
    fields: dict[NodeKey, set[str]] = defaultdict(set)
    for record in batch:
        node_type = BY_KIND.get(record.kind)
        if node_type is not None:
            fields[node_type.label, record.key].update(record.values)
    return {key: frozenset(names) for key, names in fields.items()}


def _placeholders(store: Store, codes: Mapping[str, set[str]]) -> dict[NodeKey, str]:
    """The undescribed nodes that events keyed by one of the codes, with the code.

    A site or product placeholder has exactly the Digital Link of its key; a party
    may be named by any identifier of its GLN, a location with an extension too.
    """
    wanted: dict[NodeKey, str] = {}
    for site_gln in codes.get("Site", ()):
        wanted["Site", f"{CANONICAL_BASE}/414/{site_gln}"] = site_gln
    for gtin in codes.get("Product", ()):
        wanted["Product", f"{CANONICAL_BASE}/01/{gtin}"] = gtin
    keys = sorted(wanted)
    found = {
        key: wanted[key]
        for key, node in zip(keys, store.nodes_by_key(keys), strict=True)
        if node is not None and not node.described
    }
    glns = codes.get("Party", set())
    if glns:
        for node in store.nodes("Party"):
            gln = None if node.described else _gln(node.id)
            if gln is not None and gln in glns:
                found["Party", node.id] = gln
    return found


def _gln(identifier: str) -> str | None:
    if not identifier.startswith(_PARTY_PREFIX):
        return None
    try:
        return gln_of(identifier)
    except InvalidIdentifier:
        return None  # a feed's own id that only looks like a Digital Link


class _Targets:
    """The feed record each GS1 key links to, as `Directory` chooses it: the lowest
    id among the records with that key, stored or in the batch."""

    def __init__(self, directory: Directory, batch: Iterable[Record]) -> None:
        self.by_code: dict[str, dict[str, str]] = {
            "Party": dict(directory.party_by_gln),
            "Site": dict(directory.site_by_gln),
            "Product": dict(directory.product_by_gtin),
        }
        self.operator: dict[str, str] = dict(directory.operator)
        for record in batch:
            name = CODES.get(record.kind)
            code = record.values.get(name) if name is not None else None
            if not isinstance(code, str):
                continue
            index = self.by_code[BY_KIND[record.kind].label]
            index[code] = min(index.get(code, record.key), record.key)
            operator = record.values.get("operator")
            if record.kind == "site" and isinstance(operator, str):
                self.operator[record.key] = operator

    def of(self, label: str, code: str) -> str:
        return self.by_code[label][code]


def _fields_naming(node: Node, label: str, id_: str) -> list[str]:
    """The reference fields of `node` that name the node `(label, id_)`."""
    return [
        f.name
        for f in BY_LABEL[node.label].references
        if f.target == label and node.properties.get(f.name) == id_
    ]
