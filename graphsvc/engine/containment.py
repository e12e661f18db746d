"""Containment: an item inside a case inside a pallet moves with them.

The stores hand over, with an item's evidence, the spans during which it sat inside
each container (nested levels already flattened) and the containers' own shipments
and scans. `project` turns those that fall within a span into the item's own
evidence, so the custody rules need not know about containers. A shipment counts
when it leaves within the span, a scan when it happens within it; the span starts at
the instant the item was put in (included) and ends when it was taken out
(excluded).
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Final

from graphsvc.engine.evidence import ContainmentFacts, ItemEvidence
from graphsvc.ids import CANONICAL_BASE

_LOGISTIC_UNIT: Final = f"{CANONICAL_BASE}/00/"
"""The canonical prefix of an SSCC, a pallet's or parcel's identifier."""


def is_logistic_unit(item_id: str) -> bool:
    """Whether the id is an SSCC: a container, described by what it holds."""
    return item_id.startswith(_LOGISTIC_UNIT)


def project(evidence: ItemEvidence) -> ItemEvidence:
    """The evidence with its containers' movements within each span added."""
    if not evidence.containment:
        return evidence
    shipments = {s.id: s for s in evidence.shipments}
    scans = {s.id: s for s in evidence.scans}
    for span in evidence.containment:
        for shipment in span.shipments:
            if _within(span, shipment.shipped_at):
                shipments.setdefault(shipment.id, shipment)
        for scan in span.scans:
            if _within(span, scan.at):
                scans.setdefault(scan.id, scan)
    return dataclasses.replace(
        evidence,
        shipments=tuple(sorted(shipments.values(), key=lambda s: (s.shipped_at, s.id))),
        scans=tuple(sorted(scans.values(), key=lambda s: (s.at, s.id))),
    )


def _within(span: ContainmentFacts, at: datetime) -> bool:
    return span.start <= at and (span.until is None or at < span.until)
