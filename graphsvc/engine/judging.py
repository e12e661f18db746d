"""Judging a receipt against the brand's authorizations.

A receipt is the start of a custody hop: a party takes the item at some instant at a
site. Where the definitions are silent, these rules were chosen:

- The day of a receipt is its UTC calendar day. Validity dates are whole UTC days,
  inclusive at both ends: an authorization ending on 2026-02-11 covers a receipt at
  2026-02-12T00:30:00+01:00 (still 2026-02-11 in UTC) but not one at
  2026-02-12T00:30:00Z.
- A receipt at a site whose country is unknown cannot be shown to lie outside a
  territory, so any authorization in force covers it; the explanation says the
  territory could not be checked.
- The party operating the item's `produced_at` site is never judged, whatever role it
  is described with, so returns to the brand's own factory raise nothing.
- A party referenced but never described (role unknown) is judged like a distributor.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

from graphsvc.engine import wording
from graphsvc.engine.evidence import AuthorizationFacts, PartyFacts, SiteFacts
from graphsvc.engine.findings import FindingKind


@dataclass(frozen=True, slots=True)
class Judgement:
    """The verdict on one receipt: None when authorized, else the finding kind.

    `authorization` is the id of the authorization that allows the receipt, when
    one does.
    """

    verdict: FindingKind | None
    explanation: str
    authorization: str | None = None

    @property
    def authorized(self) -> bool:
        return self.verdict is None


def receipt_day(at: datetime) -> date:
    """The UTC day a receipt falls on, which is what validity dates are about."""
    return at.astimezone(UTC).date()


def in_force(auth: AuthorizationFacts, day: date) -> bool:
    """Whether `auth` is valid on the whole UTC day `day`."""
    if auth.valid_from > day:
        return False
    return auth.valid_until is None or day <= auth.valid_until


def covers(auth: AuthorizationFacts, country: str | None) -> bool:
    """Whether `auth`'s territory includes `country`; an unknown country passes."""
    return country is None or country in auth.territories or "*" in auth.territories


def verdict(
    auths: Sequence[AuthorizationFacts], day: date, country: str | None
) -> FindingKind | None:
    """The rule itself, over the party's authorizations from the item's brand."""
    if not auths:
        return FindingKind.UNAUTHORIZED_HOLDER

    # One pass rather than filter-then-check: this runs for every judged hop.
    any_in_force = False
    for auth in auths:
        if in_force(auth, day):
            if covers(auth, country):
                return None
            any_in_force = True
    if any_in_force:
        return FindingKind.OUT_OF_TERRITORY
    return FindingKind.AUTHORIZATION_NOT_IN_FORCE


def judge_receipt(
    party: PartyFacts,
    brand: str,
    at: datetime,
    site: SiteFacts,
    authorizations: Iterable[AuthorizationFacts],
) -> Judgement:
    """Judge `party` taking an item of `brand` at `site` at instant `at`.

    `authorizations` may hold any authorizations; only those from `brand` to `party`
    count. The caller decides whether the party is judged at all: neutral roles and
    the item's producer are not.

    Example: a distributor authorized for DE and AT that receives in FR gets
    `Judgement(FindingKind.OUT_OF_TERRITORY, "Nordhafen Handel GmbH (PA-NORD)
    received the item in FR on 2026-02-12, but its authorization AU-1 from BR-LUMA
    (valid 2025-01-01 to 2026-12-31) covers DE, AT only.")`.
    """
    auths = sorted(
        (a for a in authorizations if a.brand == brand and a.party == party.id),
        key=lambda a: (a.valid_from, a.id),
    )
    day = receipt_day(at)
    kind = verdict(auths, day, site.country)
    receipt = f"{wording.party_label(party)} received the item {wording.place(site)}"
    receipt += f" on {day.isoformat()}"

    if kind is FindingKind.UNAUTHORIZED_HOLDER:
        text = f"{receipt}, but holds no authorization from {brand}."
        return Judgement(kind, text)

    current = [auth for auth in auths if in_force(auth, day)]
    if kind is FindingKind.AUTHORIZATION_NOT_IN_FORCE:
        return Judgement(kind, _not_in_force(receipt, brand, auths))
    if kind is FindingKind.OUT_OF_TERRITORY:
        return Judgement(kind, _out_of_territory(receipt, brand, current))

    allowing = next(auth for auth in current if covers(auth, site.country))
    text = f"{receipt} under authorization {wording.authorization(allowing)}"
    text += f" from {brand}."
    if site.country is None:
        text += " The site's country is unknown, so the territory was not checked."
    return Judgement(None, text, allowing.id)


def _not_in_force(receipt: str, brand: str, auths: Sequence[AuthorizationFacts]) -> str:
    if len(auths) == 1:
        only = wording.authorization(auths[0])
        return (
            f"{receipt}, but its authorization {only} from {brand} is not in force"
            " that day."
        )
    listed = "; ".join(wording.authorization(auth) for auth in auths)
    return (
        f"{receipt}, but none of its authorizations from {brand} is in force that"
        f" day: {listed}."
    )


def _out_of_territory(
    receipt: str, brand: str, current: Sequence[AuthorizationFacts]
) -> str:
    if len(current) == 1:
        auth = current[0]
        return (
            f"{receipt}, but its authorization {auth.id} from {brand}"
            f" ({wording.validity(auth)}) covers {wording.territories(auth)} only."
        )
    union = ", ".join(dict.fromkeys(c for auth in current for c in auth.territories))
    listed = "; ".join(wording.authorization(auth) for auth in current)
    return (
        f"{receipt}, but its authorizations in force from {brand} cover {union}"
        f" only: {listed}."
    )
