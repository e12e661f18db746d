"""EPCIS events as the stores keep them beside the graph, and how they are queried.

The graph holds what events mean (scans, production, hand-overs, containment); the
events themselves are kept too, as captured, so that the EPCIS query interface can
answer with them and an error declaration can find the event it retracts.
Identifiers are canonical (`graphsvc.ids.canonical_id`) and CBV values bare words
(`shipping`), as the EPCIS loader gives them; queries must use the same forms.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

EPC_ROLES = ("epc", "parent", "child", "input", "output")
"""Where an EPC appears in an event: epcList, parentID, childEPCs, inputs, outputs."""
DIRECT_ROLES = frozenset({"epc", "child"})
"""The roles that EPCIS `MATCH_epc` looks at (epcList and childEPCs)."""


@dataclass(frozen=True)
class Retraction:
    """An error declaration about a stored event.

    EPCIS repeats the erroneous event (same eventID, or same hash) with an
    `errorDeclaration`, so the declaration has no id of its own: it is this record.
    """

    declared_at: datetime
    reason: str | None = None
    corrective_event_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class StoredEvent:
    """One captured EPCIS event.

    `id` is the document's eventID, or the CBV 2.0 event hash when it gave none;
    `hash` is always the event hash. `epcs` pairs each EPC with its role (one of
    `EPC_ROLES`), in document order. `document` is the event as EPCIS 2.0 JSON-LD,
    what the query interface answers with. `retraction` is set once an error
    declaration named the event: it stays stored and queryable, for audit, but the
    graph no longer counts what it said.
    """

    id: str
    hash: str
    type: str
    event_time: datetime
    record_time: datetime | None
    biz_step: str | None
    biz_location: str | None
    read_point: str | None
    epcs: tuple[tuple[str, str], ...]
    document: Mapping[str, Any]
    retraction: Retraction | None = None

    @property
    def all_epcs(self) -> frozenset[str]:
        """Every EPC of the event, whatever its role (EPCIS `MATCH_anyEPC`)."""
        return frozenset(epc for _, epc in self.epcs)

    @property
    def direct_epcs(self) -> frozenset[str]:
        """The EPCs of epcList and childEPCs (EPCIS `MATCH_epc`)."""
        return frozenset(epc for role, epc in self.epcs if role in DIRECT_ROLES)


@dataclass(frozen=True)
class EventQuery:
    """Which events to list: every filter given must match (EPCIS simple query).

    Each set filter matches when the event's value is one of the set's members;
    `match_epc` and `match_any_epc` match exact EPCs (no EPC patterns).
    """

    event_types: frozenset[str] | None = None
    ge_event_time: datetime | None = None
    lt_event_time: datetime | None = None
    biz_steps: frozenset[str] | None = None
    biz_locations: frozenset[str] | None = None
    match_epc: frozenset[str] | None = None
    match_any_epc: frozenset[str] | None = None

    def matches(self, event: StoredEvent) -> bool:
        """Whether `event` passes every filter; the stores filter the same way."""
        return (
            (self.event_types is None or event.type in self.event_types)
            and (self.ge_event_time is None or event.event_time >= self.ge_event_time)
            and (self.lt_event_time is None or event.event_time < self.lt_event_time)
            and (self.biz_steps is None or event.biz_step in self.biz_steps)
            and (self.biz_locations is None or event.biz_location in self.biz_locations)
            and (self.match_epc is None or bool(event.direct_epcs & self.match_epc))
            and (
                self.match_any_epc is None or bool(event.all_epcs & self.match_any_epc)
            )
        )


@dataclass(frozen=True)
class EventSaves:
    """What saving a batch of events does, worked out alike for both stores."""

    new: list[bool]
    """For each event of the batch, whether its id was new."""
    fresh: list[StoredEvent]
    """The events to insert, one per new id (the first of repeats)."""
    retractions: dict[str, Retraction]
    """Kept events (or fresh ones) that a later event of the batch retracts."""


def plan_saves(
    events: Sequence[StoredEvent], kept: Mapping[str, StoredEvent]
) -> EventSaves:
    """Sort a batch into inserts and retractions, given the kept events of its ids."""
    fresh: dict[str, StoredEvent] = {}
    retractions: dict[str, Retraction] = {}
    new = []
    for event in events:
        known = kept.get(event.id) or fresh.get(event.id)
        new.append(known is None)
        if known is None:
            fresh[event.id] = event
        elif (
            event.retraction is not None
            and known.retraction is None
            and event.id not in retractions
        ):
            retractions[event.id] = event.retraction
    return EventSaves(new, list(fresh.values()), retractions)
