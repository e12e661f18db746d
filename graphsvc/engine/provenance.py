"""`evaluate`: one item's custody chain and every finding about it.

This is the only entry point the stores need per item; it reads nothing but the
evidence it is given. Where the definitions are silent, these rules were chosen:

- An item nobody describes (`evidence.item` is None) gets one `UNKNOWN_ITEM` finding,
  dated at its earliest reference and naming every shipment and scan that references
  it. Its chain is still built from those shipments, and custody and cloning rules
  still apply, but its brand is unknown, so no receipt is judged (every hop has
  `authorized` None) and no authorization finding or `REENTRY` can follow. The same
  holds for a described item whose brand is unknown.
- A logistic unit (an SSCC) is never an `UNKNOWN_ITEM`: a pallet has no product,
  it is described by what it holds.
- An item inside a container moves with it: `containment.project` adds the
  container's shipments and scans within the span to the item's own.
- `REENTRY` is raised for every judged, authorized receipt that follows an
  unauthorized one anywhere earlier in the chain, as the definition reads; the
  explanation names the most recent unauthorized receipt before it.
- Findings are ordered by time, then kind (in `FindingKind` order), then id.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime

from graphsvc.engine import cloning, containment, custody, judging, wording
from graphsvc.engine.case import Case
from graphsvc.engine.custody import Stay
from graphsvc.engine.evidence import ItemEvidence
from graphsvc.engine.findings import (
    CustodyHop,
    Finding,
    FindingKind,
    Provenance,
    finding_order,
)

_REASON = {
    FindingKind.UNAUTHORIZED_HOLDER: "with no authorization from {brand}",
    FindingKind.AUTHORIZATION_NOT_IN_FORCE: (
        "while none of its authorizations from {brand} was in force"
    ),
    FindingKind.OUT_OF_TERRITORY: (
        "outside the territories of its authorizations from {brand}"
    ),
}


def evaluate(evidence: ItemEvidence) -> Provenance:
    """The custody chain of `evidence.item_id` and every finding about it.

    Example: an item produced by its brand's factory and shipped once to a
    distributor authorized for DE only, at a site in FR, answers two hops (the
    second with `authorized=False`) and one `OUT_OF_TERRITORY` finding.
    """
    case, stays, verdicts = _judged(evidence)
    hops = tuple(
        CustodyHop(
            stay.party,
            stay.site,
            stay.start,
            stay.until,
            stay.leg.facts.id if stay.leg is not None else None,
            stay.confirmed,
            None if verdict is _NOT_JUDGED else verdict is None,
        )
        for stay, verdict in zip(stays, verdicts, strict=True)
    )
    return Provenance(case.item_id, hops, _findings(case, stays, verdicts))


def findings_of(evidence: ItemEvidence) -> tuple[Finding, ...]:
    """`evaluate(evidence).findings`, without building the custody hops.

    Bringing the findings of many items up to date needs nothing else, and the hops
    are a fifth of what evaluating an item costs.
    """
    return _findings(*_judged(evidence))


def _judged(evidence: ItemEvidence) -> tuple[Case, list[Stay], list[_Verdict]]:
    """The item's case, its custody stays and the verdict on each stay's receipt."""
    case = Case(containment.project(evidence))
    stays = custody.chain(case)
    return case, stays, [_verdict(case, stay) for stay in stays]


def _findings(
    case: Case, stays: Sequence[Stay], verdicts: Sequence[_Verdict]
) -> tuple[Finding, ...]:
    findings = [
        *_unknown_item(case),
        *_receipt_findings(case, stays, verdicts),
        *custody.shipment_breaks(case, stays),
        *custody.scan_breaks(case, stays),
        *cloning.shipments_in_flight(case),
        *cloning.impossible_journeys(case),
        *cloning.produced_twice(case),
    ]
    if len(findings) > 1:
        findings.sort(key=finding_order)
    return tuple(findings)


class _NotJudged:
    """Marks a receipt that no rule judges (neutral party, producer, unknown brand)."""


_NOT_JUDGED = _NotJudged()
_Verdict = FindingKind | None | _NotJudged


def _verdict(case: Case, stay: Stay) -> _Verdict:
    if case.brand is None or not case.judged(stay.party):
        return _NOT_JUDGED
    assert stay.party is not None  # judged parties are known

    site = case.evidence.sites.get(stay.site)
    country = site.country if site is not None else None
    day = stay.start_utc.date()
    return judging.verdict(case.authorizations(stay.party), day, country)


def _judge(case: Case, stay: Stay) -> judging.Judgement:
    """The full judgement, with its explanation; only built when a finding needs it."""
    assert stay.party is not None
    assert case.brand is not None
    return judging.judge_receipt(
        case.party(stay.party),
        case.brand,
        stay.start,
        case.site(stay.site),
        case.authorizations(stay.party),
    )


def _receipt_findings(
    case: Case, stays: Sequence[Stay], verdicts: Sequence[_Verdict]
) -> Iterator[Finding]:
    """Authorization findings, and `REENTRY` for authorized receipts after them."""
    unauthorized: tuple[Stay, FindingKind] | None = None
    for stay, verdict in zip(stays, verdicts, strict=True):
        if isinstance(verdict, FindingKind):
            unauthorized = stay, verdict
            text = _judge(case, stay).explanation
            yield _receipt_finding(case, verdict, stay, text)
        elif verdict is None and unauthorized is not None:
            text = _reentry_text(case, stay, *unauthorized)
            yield _receipt_finding(
                case, FindingKind.REENTRY, stay, text, _ref(unauthorized[0])
            )


def _receipt_finding(
    case: Case, kind: FindingKind, stay: Stay, text: str, *refs: str
) -> Finding:
    shipment = stay.leg.facts.id if stay.leg is not None else None
    return Finding(
        kind,
        case.item_id,
        stay.party,
        stay.start,
        shipment,
        text,
        (_ref(stay), *refs),
    )


def _ref(stay: Stay) -> str:
    return stay.leg.facts.id if stay.leg is not None else "production"


def _reentry_text(case: Case, stay: Stay, earlier: Stay, kind: FindingKind) -> str:
    assert earlier.party is not None
    assert case.brand is not None
    holder = wording.party_label(case.party(earlier.party))
    reason = _REASON[kind].format(brand=case.brand)
    return (
        f"{_judge(case, stay).explanation} Earlier, {holder} had received it"
        f" on {wording.utc_day(earlier.start)} through shipment {_ref(earlier)}"
        f" {reason}, so the item has re-entered the official channel."
    )


def _unknown_item(case: Case) -> Iterator[Finding]:
    """`UNKNOWN_ITEM` once, when the item is referenced but never described."""
    if case.item is not None or not (case.legs or case.sightings):
        return
    if containment.is_logistic_unit(case.item_id):
        return

    # (UTC instant, shipments first on a tie, instant as recorded, party, shipment)
    references: list[tuple[datetime, int, datetime, str | None, str | None]] = [
        (leg.shipped, 0, leg.facts.shipped_at, leg.facts.shipper, leg.facts.id)
        for leg in case.legs[:1]
    ]
    references += [
        (seen.at, 1, seen.facts.at, seen.facts.party, None)
        for seen in case.sightings[:1]
    ]
    _, _, at, party, shipment = min(references, key=lambda r: (r[0], r[1]))
    yield Finding(
        FindingKind.UNKNOWN_ITEM,
        case.item_id,
        party,
        at,
        shipment,
        f"No item record or commissioning event describes {case.item_id}, yet it"
        f" is referenced by {_references(case)}.",
    )


def _references(case: Case) -> str:
    parts = []
    if case.legs:
        noun = "shipment" if len(case.legs) == 1 else "shipments"
        ids = wording.enumerate_ids(leg.facts.id for leg in case.legs)
        parts.append(f"{noun} {ids}")
    if case.sightings:
        noun = "scan" if len(case.sightings) == 1 else "scans"
        ids = wording.enumerate_ids(seen.facts.id for seen in case.sightings)
        parts.append(f"{noun} {ids}")
    return " and by ".join(parts)
