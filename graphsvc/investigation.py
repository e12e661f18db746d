"""The investigation service: the engine's rules applied to what a store holds.

Findings are kept current as data loads: after each batch, only the items whose
evidence the batch touched are evaluated again, and their findings saved. Requests
read saved findings; a provenance request evaluates its one item.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import islice
from typing import Final

from graphsvc.engine import (
    DistributorCluster,
    Provenance,
    evaluate,
    find_clusters,
    findings_of,
)
from graphsvc.engine.findings import UNAUTHORIZED_KINDS
from graphsvc.store.base import FindingQuery, Store, StoredFinding

log = logging.getLogger(__name__)

EVALUATION_BATCH: Final = 2_000
"""Items fetched and evaluated together; bounds memory during a large refresh."""
TRACE_BATCH: Final = 50_000
"""Pending nodes traced to their items at a time. A large load leaves millions
pending (a scan per step of every item), and tracing them all at once held every
scan id twice over; an item is affected by a set of nodes if any one of them
affects it, so tracing in parts finds the same items."""


@dataclass(frozen=True)
class RefreshReport:
    """How many items a refresh evaluated and how many findings they now have."""

    items: int
    findings: int


class Investigation:
    """Answers investigators' questions from a store, keeping findings current."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def refresh(self) -> RefreshReport:
        """Evaluate the items of every node written since the last refresh.

        Safe to interrupt: the written nodes stay pending until their items' findings
        are saved, and the next refresh (at the latest, the next start) picks them up.
        """
        pending = self.store.pending()
        if not pending.count:
            return RefreshReport(0, 0)
        affected: set[str] = set()
        keys = self.store.pending_keys(pending.upto)
        while part := list(islice(keys, TRACE_BATCH)):
            affected |= self.store.affected_items(part)
        items = sorted(affected)

        count = 0
        for chunk in chunks(items, EVALUATION_BATCH):
            evidence = self.store.item_evidence(chunk)
            findings = [f for e in evidence for f in findings_of(e)]
            count += len(findings)
            self.store.save_findings(chunk, findings)
        self.store.clear_pending(pending.upto)
        log.info("findings.refreshed items=%d findings=%d", len(items), count)
        return RefreshReport(len(items), count)

    def provenance(self, item_id: str) -> Provenance | None:
        """The custody chain and findings of one item; None for an unknown id."""
        found = self.store.item_evidence([item_id])
        return evaluate(found[0]) if found else None

    def findings(
        self, query: FindingQuery, first: int | None = None, after: str | None = None
    ) -> list[StoredFinding]:
        """A page of saved findings (see `Store.findings`)."""
        return self.store.findings(query, first, after)

    def count_findings(self, query: FindingQuery) -> int:
        return self.store.count_findings(query)

    def clusters(
        self, brand: str | None = None, min_size: int = 2
    ) -> list[DistributorCluster]:
        """Groups of unauthorized holders, largest first (see INVESTIGATION rules)."""
        query = FindingQuery(brand=brand, kinds=frozenset(UNAUTHORIZED_KINDS))
        members = sorted(
            {s.finding.party for s in self.store.findings(query) if s.finding.party}
        )
        facts = self.store.party_facts(members)
        return find_clusters(facts, self.store.trades(members), min_size)


def chunks(values: Sequence[str], size: int) -> Iterator[Sequence[str]]:
    """`values` in slices of `size`."""
    for start in range(0, len(values), size):
        yield values[start : start + size]
