"""What an investigation answers: custody hops, findings and an item's provenance.

These values leave the engine and reach the API unchanged, so they are immutable and
carry ids only; names are looked up by whoever displays them. A finding's `id` is
derived from its content, never from load order, so it stays the same when the same
data is loaded again and can serve as a pagination cursor.
"""

from __future__ import annotations

import enum
import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final


class FindingKind(enum.Enum):
    """What is wrong; declaration order is the order of findings at the same instant."""

    UNAUTHORIZED_HOLDER = "UNAUTHORIZED_HOLDER"
    AUTHORIZATION_NOT_IN_FORCE = "AUTHORIZATION_NOT_IN_FORCE"
    OUT_OF_TERRITORY = "OUT_OF_TERRITORY"
    BROKEN_CUSTODY = "BROKEN_CUSTODY"
    CLONED_SERIAL = "CLONED_SERIAL"
    UNKNOWN_ITEM = "UNKNOWN_ITEM"
    REENTRY = "REENTRY"


UNAUTHORIZED_KINDS: Final = frozenset(
    {
        FindingKind.UNAUTHORIZED_HOLDER,
        FindingKind.AUTHORIZATION_NOT_IN_FORCE,
        FindingKind.OUT_OF_TERRITORY,
    }
)
"""The verdicts of a judged receipt that is not authorized."""

_KIND_RANK: Final = {kind: rank for rank, kind in enumerate(FindingKind)}
_NO_TIME: Final = datetime.max.replace(tzinfo=UTC)


# No slots on these: in CPython 3.11 a frozen dataclass with slots takes about twice
# as long to build, and `evaluate` builds several hops for every item.
@dataclass(frozen=True)
class CustodyHop:
    """One holder of the item, where, and from when until when.

    `until` is None for the current holder. `confirmed` is False while the shipment
    that opened the hop has no delivery time (the hop then opens at dispatch).
    `authorized` is None when the receipt was not judged.
    """

    party: str | None
    site: str | None
    start: datetime
    until: datetime | None
    shipment: str | None
    confirmed: bool
    authorized: bool | None


@dataclass(frozen=True)
class Finding:
    """One thing an investigator should look at, explained in plain language.

    `refs` holds the ids of the records the finding rests on (shipments, scans,
    authorizations); it tells apart findings that would otherwise look alike.
    """

    kind: FindingKind
    item: str
    party: str | None
    at: datetime | None
    shipment: str | None
    explanation: str
    refs: tuple[str, ...] = ()

    @property
    def id(self) -> str:
        """A short content hash: the same finding gets the same id on every load.

        The explanation is left out on purpose, so rewording it keeps ids stable.
        """
        at = self.at.astimezone(UTC).isoformat() if self.at is not None else ""
        key = "\x1f".join(
            (
                self.kind.value,
                self.item,
                self.party or "",
                at,
                self.shipment or "",
                "\x1e".join(self.refs),
            )
        )
        return hashlib.sha256(key.encode()).hexdigest()[:20]


@dataclass(frozen=True)
class Provenance:
    """An item's custody chain and every finding about it, in time order."""

    item_id: str
    hops: tuple[CustodyHop, ...]
    findings: tuple[Finding, ...]


def finding_order(finding: Finding) -> tuple[datetime, int, str]:
    """Sort key: time (undated last), then kind, then id so ties are deterministic."""
    at = finding.at if finding.at is not None else _NO_TIME
    return at, _KIND_RANK[finding.kind], finding.id
