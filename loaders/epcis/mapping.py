"""What an EPCIS event means in the graph, as feed records (rules in docs/epcis.md).

Every record id derives from the event id, so the same event mapped twice writes the
same records: the graph is written once. An event that carries an error declaration
maps to the same records marked `retracted_by` the event id (a receiving marks the
shipment's delivery, `delivery_retracted_by`), so the stores stop counting them as
evidence; a retracted transformation withdraws the `made_from` links it wrote.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Final

from graphsvc.ids import CANONICAL_BASE, gln_of, gtin_of
from graphsvc.records import Record, Value
from graphsvc.store.base import Node, Store
from loaders.epcis.model import EpcisEvent, SourceDestination

STEPS: Final[Mapping[str, str]] = {
    "commissioning": "produced",
    "packing": "packed",
    "unpacking": "packed",
    "shipping": "shipped",
    "departing": "shipped",
    "receiving": "received",
    "arriving": "received",
    "accepting": "received",
    "storing": "stored",
    "holding": "stored",
    "inspecting": "inspected",
    "retail_selling": "sold",
    "dispensing": "sold",
    "returning": "returned",
    "destroying": "destroyed",
    "decommissioning": "destroyed",
}
"""CBV business steps onto our scan steps; any other step (or none) is `inspected`,
an observation of the item at the place."""
DEFAULT_STEP: Final = "inspected"
PARTY_TYPES: Final = ("possessing_party", "owning_party")
"""Source and destination types that name a party, the one who holds goods first."""
SHIPMENT_KEYS: Final = ("po", "desadv", "bol", "inv")
"""Business transactions that pair a receiving with its shipping, in this order."""
_LOT: Final = "{urn:epcglobal:cbv:mda}lotNumber"
_LOCATION: Final = f"{CANONICAL_BASE}/414/"


@dataclass
class Directory:
    """Feed records the mapping links to: parties, sites and products by GS1 key.

    A key that no feed record carries yet maps to a placeholder, its Digital Link;
    `loaders.epcis.links` moves the placeholder's references when the record comes.
    """

    party_by_gln: dict[str, str] = field(default_factory=dict)
    site_by_gln: dict[str, str] = field(default_factory=dict)
    product_by_gtin: dict[str, str] = field(default_factory=dict)
    operator: dict[str, str] = field(default_factory=dict)
    """The operator of each described site, by site id."""
    _sites: dict[str, str] = field(default_factory=dict)
    _parties: dict[str, str] = field(default_factory=dict)
    """Answers given so far: a document names few places many times."""

    @classmethod
    def of(cls, store: Store) -> Directory:
        """Read the parties, sites and products of a store once."""
        directory = cls()
        for node in store.nodes("Party"):
            _index(directory.party_by_gln, node, "gln")
        for node in store.nodes("Site"):
            _index(directory.site_by_gln, node, "gln")
            operator = node.properties.get("operator")
            if isinstance(operator, str):
                directory.operator[node.id] = operator
        for node in store.nodes("Product"):
            _index(directory.product_by_gtin, node, "gtin")
        return directory

    def site(self, location: str) -> str:
        """The feed site with the location's GLN (no extension), else the location."""
        found = self._sites.get(location)
        if found is None:
            found = location
            gln = gln_of(location)
            if gln is not None and location == f"{CANONICAL_BASE}/414/{gln}":
                found = self.site_by_gln.get(gln, location)
            self._sites[location] = found
        return found

    def party(self, identifier: str) -> str:
        """The feed party with the identifier's GLN, else the identifier itself."""
        found = self._parties.get(identifier)
        if found is None:
            gln = gln_of(identifier)
            found = (
                identifier if gln is None else self.party_by_gln.get(gln, identifier)
            )
            self._parties[identifier] = found
        return found

    def product(self, gtin: str) -> str:
        return self.product_by_gtin.get(gtin, f"{CANONICAL_BASE}/01/{gtin}")


def _index(into: dict[str, str], node: Node, name: str) -> None:
    value = node.properties.get(name)
    if isinstance(value, str):
        into.setdefault(value, node.id)


def event_records(
    event: EpcisEvent, event_id: str, directory: Directory
) -> list[Record]:
    """The records that `event` (kept as `event_id`) writes into the graph."""
    retracted = event_id if event.error_declaration is not None else None
    at = _local(event.event_time, event.time_zone_offset)
    location = event.biz_location or event.read_point
    site = directory.site(location) if location is not None else None
    objects = _objects(event)
    ends = _ends(event, directory, site)
    records: list[Record] = []

    made = _made(event) if event.biz_step == "commissioning" else ()
    records += _production(event, event_id, directory, site, at, made, retracted)
    records += _classes(event, directory)
    if ends is not None and objects:
        records.append(_shipment(event, event_id, objects, at, ends, retracted))
    if event.type == "AggregationEvent" and event.action in ("ADD", "DELETE"):
        records += _containment(event, event_id, at, retracted)
    if event.type == "TransformationEvent" and event.input_epcs:
        records += _made_from(event, retracted)
    if site is not None:
        party = directory.operator.get(site)
        if party is None and ends is not None:
            party = ends.shipper if event.biz_step == "shipping" else ends.consignee
        step = STEPS.get(event.biz_step or "", DEFAULT_STEP)
        produced = frozenset(made)
        for epc in objects:
            values: dict[str, Value] = {
                "item": epc,
                "site": site,
                "at": at,
                # What a commissioning reads but does not make (a transformation's
                # inputs) was only there: a second production would clone it.
                "step": step if step != "produced" or epc in produced else DEFAULT_STEP,
                "event": event_id,
            }
            if party is not None:
                values["party"] = party
            if retracted is not None:
                values["retracted_by"] = retracted
            records.append(Record("scan", f"{epc} @ {event_id}", values))
    return records


def _objects(event: EpcisEvent) -> tuple[str, ...]:
    """The instance-level objects of an event: whatever it reads, moves or makes."""
    parent = (event.parent_id,) if event.parent_id is not None else ()
    every = (
        *event.epc_list,
        *parent,
        *event.child_epcs,
        *event.input_epcs,
        *event.output_epcs,
    )
    return tuple(dict.fromkeys(every))


def _made(event: EpcisEvent) -> tuple[str, ...]:
    """The items a commissioning event makes: its outputs, else the EPCs it adds."""
    if event.type == "TransformationEvent":
        return event.output_epcs
    return event.epc_list if event.action in ("ADD", None) else ()


def _production(
    event: EpcisEvent,
    event_id: str,
    directory: Directory,
    site: str | None,
    at: datetime,
    made: Iterable[str],
    retracted: str | None,
) -> Iterable[Record]:
    """Items made by a commissioning event, at its place and time."""
    lot = event.ilmd.get(_LOT)
    for epc in made:
        values: dict[str, Value] = {"produced_on": at, "event": event_id}
        if retracted is not None:
            values["retracted_by"] = retracted
        gtin = gtin_of(epc)
        if gtin is not None:
            values["product"] = directory.product(gtin)
        if site is not None:
            values["produced_at"] = site
        if lot is not None:
            values["lot"] = lot
        yield Record("item", epc, values)


def _made_from(event: EpcisEvent, retracted: str | None) -> list[Record]:
    """Links from each output to the inputs; a retracted event takes them back."""
    inputs = event.input_epcs
    if retracted is not None:
        return [
            Record("item", e, {}, withdrawn={"made_from": inputs})
            for e in event.output_epcs
        ]
    return [Record("item", e, {"made_from": inputs}) for e in event.output_epcs]


def _classes(event: EpcisEvent, directory: Directory) -> list[Record]:
    """The products that class-level (quantity) parts of an event name.

    A quantity moves no particular item, so it makes no scan or hand-over; it
    references the product, which a feed may describe. Lots are not modelled.
    """
    elements = (
        *event.quantity_list,
        *event.child_quantity_list,
        *event.input_quantity_list,
        *event.output_quantity_list,
    )
    products = dict.fromkeys(
        directory.product(gtin)
        for element in elements
        if (gtin := gtin_of(element.epc_class)) is not None
    )
    return [Record("product", product, {}) for product in products]


@dataclass(frozen=True)
class _Ends:
    shipper: str
    consignee: str
    origin: str | None
    destination: str | None
    named: tuple[str, str]
    """The shipper and consignee as the event names them, before any link."""


def _ends(event: EpcisEvent, directory: Directory, site: str | None) -> _Ends | None:
    """Who hands over to whom, for a shipping or receiving event naming both.

    The origin is the source location, else the shipping event's own place, else
    the place the shipper's identifier names when it is a location (an SGLN); the
    destination likewise, from the receiving event's place.
    """
    if event.biz_step not in ("shipping", "receiving"):
        return None
    shipper = _party(event.source_list)
    consignee = _party(event.destination_list)
    if shipper is None or consignee is None:
        return None
    origin = _location(event.source_list, directory)
    destination = _location(event.destination_list, directory)
    if event.biz_step == "shipping":
        origin = origin or site
    else:
        destination = destination or site
    return _Ends(
        directory.party(shipper),
        directory.party(consignee),
        origin or _named_place(shipper, directory),
        destination or _named_place(consignee, directory),
        (shipper, consignee),
    )


def _party(ends: Iterable[SourceDestination]) -> str | None:
    by_type = {end.type: end.value for end in ends}
    return next((by_type[t] for t in PARTY_TYPES if t in by_type), None)


def _named_place(party: str, directory: Directory) -> str | None:
    """The site a party identifier names when it is a location (an SGLN)."""
    return directory.site(party) if party.startswith(_LOCATION) else None


def _location(ends: Iterable[SourceDestination], directory: Directory) -> str | None:
    found = next((end.value for end in ends if end.type == "location"), None)
    return directory.site(found) if found is not None else None


def shipment_id(event: EpcisEvent, objects: Iterable[str], ends: _Ends) -> str:
    """The id shared by a shipping event and the receiving event that pairs with it.

    It hashes the shipper and the consignee as the event names them (canonical
    identifiers, not the feed parties they link to) and the first business
    transaction of the types in `SHIPMENT_KEYS` (else the objects moved), so both
    sides agree without either knowing the other's event id, whether or not the
    parties' feed records had been loaded when each side arrived.
    """
    by_type = {t.type: t.value for t in event.biz_transactions}
    key = next((f"{t}={by_type[t]}" for t in SHIPMENT_KEYS if t in by_type), None)
    if key is None:
        key = "objects=" + " ".join(sorted(objects))
    text = "\n".join((*ends.named, key))
    return "EPCIS-SH-" + hashlib.sha256(text.encode()).hexdigest()[:20]


def _shipment(
    event: EpcisEvent,
    event_id: str,
    objects: tuple[str, ...],
    at: datetime,
    ends: _Ends,
    retracted: str | None,
) -> Record:
    values: dict[str, Value] = {
        "shipper": ends.shipper,
        "consignee": ends.consignee,
        "items": objects,
    }
    if ends.origin is not None:
        values["origin"] = ends.origin
    if ends.destination is not None:
        values["destination"] = ends.destination
    # The shipping event owns the shipment and the receiving event its delivery, so
    # that retracting one leaves what the other wrote.
    if event.biz_step == "shipping":
        values["shipped_at"] = at
        values["event"] = event_id
        if retracted is not None:
            values["retracted_by"] = retracted
    else:
        values["delivered_at"] = at
        values["delivery_event"] = event_id
        if retracted is not None:
            values["delivery_retracted_by"] = retracted
    return Record("shipment", shipment_id(event, objects, ends), values)


def _containment(
    event: EpcisEvent, event_id: str, at: datetime, retracted: str | None
) -> list[Record]:
    parent = event.parent_id
    if parent is None:
        return []
    action = "add" if event.action == "ADD" else "delete"
    base: dict[str, Value] = {"parent": parent, "at": at, "action": action}
    base["event"] = event_id
    if retracted is not None:
        base["retracted_by"] = retracted
    if not event.child_epcs and action == "delete":
        return [Record("containment", f"{parent} @ {event_id}", base)]
    return [
        Record("containment", f"{child} @ {event_id}", {**base, "child": child})
        for child in event.child_epcs
    ]


def _local(instant: datetime, offset: str) -> datetime:
    """A UTC instant shown at the event's own offset (`+05:30`)."""
    return instant.astimezone(_zone(offset))


@functools.lru_cache(maxsize=256)
def _zone(offset: str) -> timezone:
    # A document's events share a few offsets; each is read once.
    sign = -1 if offset.startswith("-") else 1
    hours, _, minutes = offset[1:].partition(":")
    return timezone(sign * timedelta(hours=int(hours), minutes=int(minutes or 0)))
