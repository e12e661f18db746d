"""The investigation rules over tiny hand-written evidence, one behaviour per test.

The world: Luma Fabrication (manufacturer) makes item IT-1 in Grasse and ships it to
Nordhafen Handel, a distributor authorized for DE and AT; Sud Retail is a retailer,
Fast Freight a logistics company. Each test changes only what it is about.
"""

from __future__ import annotations

import dataclasses
import hashlib
from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from graphsvc.engine import (
    CustodyHop,
    Finding,
    FindingKind,
    evaluate,
    judge_receipt,
)
from graphsvc.engine.evidence import (
    AuthorizationFacts,
    ItemEvidence,
    ItemFacts,
    PartyFacts,
    ScanFacts,
    ShipmentFacts,
    SiteFacts,
)

CET = timezone(timedelta(hours=1))

PARTIES = {
    p.id: p
    for p in (
        PartyFacts("PA-FAB", "manufacturer", "Luma Fabrication SAS", "FR"),
        PartyFacts("PA-NORD", "distributor", "Nordhafen Handel GmbH", "DE"),
        PartyFacts("PA-SUD", "retailer", "Sud Retail", "DE"),
        PartyFacts("PA-GREY", "distributor", "Grey Trade SARL", "FR"),
        PartyFacts("PA-SHIP", "logistics", "Fast Freight"),
    )
}
SITES = {
    s.id: s
    for s in (
        SiteFacts("SI-GRASSE", "PA-FAB", "FR", 43.66, 6.92, "Grasse factory"),
        SiteFacts("SI-HAMBURG", "PA-NORD", "DE", 53.55, 9.99, "Hamburg warehouse"),
        SiteFacts("SI-PARIS", "PA-NORD", "FR", 48.86, 2.35, "Paris depot"),
        SiteFacts("SI-MUNICH", "PA-SUD", "DE", 48.14, 11.58, "Munich store"),
        SiteFacts("SI-LYON", "PA-GREY", "FR", None, None, "Lyon depot"),
    )
}
ITEM = ItemFacts(
    "IT-1", "PR-SERUM", "BR-LUMA", "SI-GRASSE", datetime(2026, 2, 2, 9, tzinfo=CET)
)


def cet(day: int, hour: int, minute: int = 0, month: int = 2) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=CET)


def ship(
    shipment: str,
    route: str,
    shipped: datetime,
    delivered: datetime | None,
    carrier: str | None = None,
) -> ShipmentFacts:
    """`route` reads `SHIPPER>CONSIGNEE@ORIGIN>DESTINATION` without prefixes."""
    parties, sites = route.split("@")
    shipper, consignee = parties.split(">")
    origin, destination = sites.split(">")
    return ShipmentFacts(
        shipment,
        f"PA-{shipper}",
        f"PA-{consignee}",
        f"SI-{origin}",
        f"SI-{destination}",
        shipped,
        delivered,
        carrier,
    )


def auth(
    party: str,
    valid_from: date,
    valid_until: date | None = None,
    territories: tuple[str, ...] = ("DE", "AT"),
    auth_id: str = "AU-1",
) -> AuthorizationFacts:
    return AuthorizationFacts(
        auth_id, "BR-LUMA", party, valid_from, valid_until, territories
    )


def evidence(
    shipments: tuple[ShipmentFacts, ...] = (),
    scans: tuple[ScanFacts, ...] = (),
    auths: tuple[AuthorizationFacts, ...] = (),
    item: ItemFacts | None = ITEM,
) -> ItemEvidence:
    return ItemEvidence("IT-1", item, shipments, scans, SITES, PARTIES, auths)


SH1 = ship("SH-1", "FAB>NORD@GRASSE>HAMBURG", cet(10, 8), cet(12, 15, 30))
NORD_2026 = auth("PA-NORD", date(2025, 1, 1), date(2026, 12, 31))
PRODUCTION_HOP = CustodyHop(
    "PA-FAB", "SI-GRASSE", cet(2, 9), cet(10, 8), None, True, None
)


def kinds(findings: tuple[Finding, ...]) -> list[FindingKind]:
    return [f.kind for f in findings]


# The custody chain


def test_clean_chain_has_a_production_hop_and_an_authorized_receipt() -> None:
    provenance = evaluate(evidence((SH1,), auths=(NORD_2026,)))

    assert provenance.item_id == "IT-1"
    assert provenance.hops == (
        PRODUCTION_HOP,
        CustodyHop("PA-NORD", "SI-HAMBURG", cet(12, 15, 30), None, "SH-1", True, True),
    )
    assert provenance.findings == ()


def test_unconfirmed_delivery_opens_the_hop_at_dispatch() -> None:
    undelivered = dataclasses.replace(SH1, delivered_at=None)

    provenance = evaluate(evidence((undelivered,), auths=(NORD_2026,)))

    assert provenance.hops[1] == CustodyHop(
        "PA-NORD", "SI-HAMBURG", cet(10, 8), None, "SH-1", False, True
    )
    assert provenance.findings == ()


def test_missing_produced_on_starts_production_at_first_record_unconfirmed() -> None:
    item = dataclasses.replace(ITEM, produced_on=None)

    provenance = evaluate(evidence((SH1,), auths=(NORD_2026,), item=item))

    assert provenance.hops[0] == CustodyHop(
        "PA-FAB", "SI-GRASSE", cet(10, 8), cet(10, 8), None, False, None
    )


def test_without_produced_at_the_chain_starts_with_the_first_shipment() -> None:
    item = dataclasses.replace(ITEM, produced_at=None, produced_on=None)
    # The first shipper is presumed to have held the item before dispatching it.
    scan = ScanFacts("SC-1", "SI-GRASSE", cet(9, 8), "packed", "PA-FAB")

    provenance = evaluate(evidence((SH1,), (scan,), (NORD_2026,), item=item))

    assert [hop.shipment for hop in provenance.hops] == ["SH-1"]
    assert provenance.findings == ()


def test_shipments_are_ordered_by_dispatch_whatever_order_they_come_in() -> None:
    sh2 = ship("SH-2", "NORD>SUD@HAMBURG>MUNICH", cet(14, 9), cet(15, 9))
    auths = (NORD_2026, auth("PA-SUD", date(2026, 1, 1), auth_id="AU-2"))

    forward = evaluate(evidence((SH1, sh2), auths=auths))
    backward = evaluate(evidence((sh2, SH1), auths=auths))

    assert forward == backward
    assert [hop.until for hop in forward.hops] == [cet(10, 8), cet(14, 9), None]


# Judging receipts: validity days, territories, roles


def test_authorization_ending_the_day_before_the_receipt_is_not_in_force() -> None:
    expired = auth("PA-NORD", date(2025, 1, 1), date(2026, 2, 11))

    provenance = evaluate(evidence((SH1,), auths=(expired,)))

    assert provenance.hops[1].authorized is False
    (finding,) = provenance.findings
    assert finding.kind is FindingKind.AUTHORIZATION_NOT_IN_FORCE
    assert (finding.party, finding.at, finding.shipment) == (
        "PA-NORD",
        cet(12, 15, 30),
        "SH-1",
    )
    assert finding.explanation == (
        "Nordhafen Handel GmbH (PA-NORD) received the item in DE on 2026-02-12, but"
        " its authorization AU-1 (valid 2025-01-01 to 2026-02-11, covering DE, AT)"
        " from BR-LUMA is not in force that day."
    )


def test_authorization_ending_on_the_day_of_the_receipt_is_in_force() -> None:
    ending = auth("PA-NORD", date(2025, 1, 1), date(2026, 2, 12))

    provenance = evaluate(evidence((SH1,), auths=(ending,)))

    assert provenance.hops[1].authorized is True
    assert provenance.findings == ()


@pytest.mark.parametrize(
    ("delivered", "authorized"),
    [
        # 00:30 in Hamburg is still 2026-02-11 in UTC: the last valid day.
        (datetime(2026, 2, 12, 0, 30, tzinfo=CET), True),
        (datetime(2026, 2, 12, 0, 30, tzinfo=UTC), False),
    ],
)
def test_validity_days_are_utc_days(delivered: datetime, authorized: bool) -> None:
    ending = auth("PA-NORD", date(2025, 1, 1), date(2026, 2, 11))
    shipment = dataclasses.replace(SH1, delivered_at=delivered)

    provenance = evaluate(evidence((shipment,), auths=(ending,)))

    assert provenance.hops[1].authorized is authorized


def test_authorization_valid_from_the_day_after_is_not_yet_in_force() -> None:
    future = auth("PA-NORD", date(2026, 2, 13))

    provenance = evaluate(evidence((SH1,), auths=(future,)))

    assert kinds(provenance.findings) == [FindingKind.AUTHORIZATION_NOT_IN_FORCE]
    assert provenance.findings[0].explanation.endswith(
        "AU-1 (valid from 2026-02-13, open-ended, covering DE, AT) from BR-LUMA is"
        " not in force that day."
    )


def test_star_territory_covers_every_country() -> None:
    to_paris = dataclasses.replace(SH1, destination="SI-PARIS")
    everywhere = auth("PA-NORD", date(2025, 1, 1), territories=("*",))

    provenance = evaluate(evidence((to_paris,), auths=(everywhere,)))

    assert provenance.hops[1].authorized is True
    assert provenance.findings == ()


def test_receipt_outside_the_territory_in_force_is_out_of_territory() -> None:
    to_paris = dataclasses.replace(SH1, destination="SI-PARIS")

    provenance = evaluate(evidence((to_paris,), auths=(NORD_2026,)))

    (finding,) = provenance.findings
    assert finding.kind is FindingKind.OUT_OF_TERRITORY
    assert finding.explanation == (
        "Nordhafen Handel GmbH (PA-NORD) received the item in FR on 2026-02-12, but"
        " its authorization AU-1 from BR-LUMA (valid 2025-01-01 to 2026-12-31)"
        " covers DE, AT only."
    )


def test_wrong_country_with_nothing_in_force_is_not_in_force() -> None:
    to_paris = dataclasses.replace(SH1, destination="SI-PARIS")
    expired = auth("PA-NORD", date(2024, 1, 1), date(2024, 12, 31))

    provenance = evaluate(evidence((to_paris,), auths=(expired,)))

    assert kinds(provenance.findings) == [FindingKind.AUTHORIZATION_NOT_IN_FORCE]


def test_renewal_after_a_gap_judges_each_receipt_by_its_own_day() -> None:
    old = auth("PA-NORD", date(2025, 1, 1), date(2025, 12, 31), auth_id="AU-1")
    renewed = auth("PA-NORD", date(2026, 3, 1), auth_id="AU-2")
    in_gap = evidence((SH1,), auths=(renewed, old))
    after = evidence(
        (dataclasses.replace(SH1, delivered_at=cet(2, 9, month=3)),),
        auths=(renewed, old),
    )

    gap_finding = evaluate(in_gap).findings
    after_renewal = evaluate(after)

    assert kinds(gap_finding) == [FindingKind.AUTHORIZATION_NOT_IN_FORCE]
    assert gap_finding[0].explanation == (
        "Nordhafen Handel GmbH (PA-NORD) received the item in DE on 2026-02-12, but"
        " none of its authorizations from BR-LUMA is in force that day: AU-1 (valid"
        " 2025-01-01 to 2025-12-31, covering DE, AT); AU-2 (valid from 2026-03-01,"
        " open-ended, covering DE, AT)."
    )
    assert after_renewal.hops[1].authorized is True
    assert after_renewal.findings == ()


@pytest.mark.parametrize("role", ["logistics", "customs", "inspector", "marketplace"])
def test_neutral_roles_are_never_judged_and_raise_nothing(role: str) -> None:
    parties = {**PARTIES, "PA-NEUTRAL": PartyFacts("PA-NEUTRAL", role, "Neutral")}
    to_neutral = ship("SH-1", "FAB>NEUTRAL@GRASSE>MUNICH", cet(10, 8), cet(11, 8))
    # Seen far from the item and before it arrived: still not held against it.
    scan = ScanFacts("SC-1", "SI-PARIS", cet(6, 8), "inspected", "PA-NEUTRAL")
    case = dataclasses.replace(evidence((to_neutral,), (scan,)), parties=parties)

    provenance = evaluate(case)

    assert provenance.hops[1].authorized is None
    assert provenance.findings == ()


def test_manufacturer_of_the_item_is_not_judged_even_on_a_return() -> None:
    back = ship("SH-2", "NORD>FAB@HAMBURG>GRASSE", cet(20, 8), cet(22, 8))

    provenance = evaluate(evidence((SH1, back), auths=(NORD_2026,)))

    assert [hop.authorized for hop in provenance.hops] == [None, True, None]
    assert provenance.findings == ()


def test_party_referenced_but_never_described_is_judged() -> None:
    to_ghost = ship("SH-1", "FAB>GHOST@GRASSE>HAMBURG", cet(10, 8), cet(12, 15, 30))

    provenance = evaluate(evidence((to_ghost,), auths=(NORD_2026,)))

    assert provenance.hops[1].authorized is False
    (finding,) = provenance.findings
    assert finding.kind is FindingKind.UNAUTHORIZED_HOLDER
    assert finding.party == "PA-GHOST"
    assert finding.explanation == (
        "PA-GHOST received the item in DE on 2026-02-12, but holds no authorization"
        " from BR-LUMA."
    )


# Broken custody


def test_shipment_by_someone_other_than_the_holder_breaks_custody() -> None:
    sh2 = ship("SH-2", "FAB>SUD@GRASSE>MUNICH", cet(15, 8), cet(17, 10))
    auths = (NORD_2026, auth("PA-SUD", date(2026, 1, 1), auth_id="AU-2"))

    provenance = evaluate(evidence((SH1, sh2), auths=auths))

    (finding,) = provenance.findings
    assert finding == Finding(
        FindingKind.BROKEN_CUSTODY,
        "IT-1",
        "PA-FAB",
        cet(15, 8),
        "SH-2",
        "Shipment SH-2 was shipped by Luma Fabrication SAS (PA-FAB) on"
        " 2026-02-15T08:00:00+01:00, but the custody chain has the item with"
        " Nordhafen Handel GmbH (PA-NORD) then, since shipment SH-1 arrived on"
        " 2026-02-12T15:30:00+01:00.",
        ("SH-2",),
    )


def test_scan_naming_a_judged_party_without_the_item_breaks_custody() -> None:
    scans = (
        ScanFacts("SC-9", "SI-MUNICH", cet(13, 10), "stored", "PA-SUD"),
        ScanFacts("SC-1", "SI-HAMBURG", cet(12, 15, 45), "received", "PA-NORD"),
        ScanFacts("SC-2", "SI-MUNICH", cet(14, 10), "inspected", "PA-SHIP"),
        ScanFacts("SC-3", "SI-MUNICH", cet(15, 10), "stored", None),
    )

    provenance = evaluate(evidence((SH1,), scans, (NORD_2026,)))

    (finding,) = provenance.findings
    assert (finding.kind, finding.party, finding.at, finding.shipment) == (
        FindingKind.BROKEN_CUSTODY,
        "PA-SUD",
        cet(13, 10),
        None,
    )
    assert finding.explanation == (
        "Scan SC-9 (stored) at Munich store (SI-MUNICH, DE) on"
        " 2026-02-13T10:00:00+01:00 names Sud Retail (PA-SUD), but the custody chain"
        " has the item with Nordhafen Handel GmbH (PA-NORD) then, since shipment SH-1"
        " arrived on 2026-02-12T15:30:00+01:00."
    )


def test_scan_while_in_transit_is_fine_for_the_carrier_only() -> None:
    carried = dataclasses.replace(SH1, carrier="PA-TRUCK")
    scans = (
        ScanFacts("SC-1", "SI-GRASSE", cet(11, 8), "shipped", "PA-TRUCK"),
        ScanFacts("SC-2", "SI-GRASSE", cet(11, 9), "shipped", "PA-SUD"),
    )

    provenance = evaluate(evidence((carried,), scans, (NORD_2026,)))

    (finding,) = provenance.findings
    assert finding.party == "PA-SUD"
    assert finding.explanation.endswith(
        "names Sud Retail (PA-SUD), but the item was in transit on shipment SH-1"
        " from Luma Fabrication SAS (PA-FAB) to Nordhafen Handel GmbH (PA-NORD)"
        " then."
    )


def test_scan_before_production_breaks_custody() -> None:
    scan = ScanFacts("SC-1", "SI-GRASSE", cet(1, 9), "packed", "PA-SUD")

    provenance = evaluate(evidence((SH1,), (scan,), (NORD_2026,)))

    assert kinds(provenance.findings) == [FindingKind.BROKEN_CUSTODY]
    assert provenance.findings[0].explanation.endswith(
        "but the item was only produced on 2026-02-02T09:00:00+01:00."
    )


# Cloned serials


def test_shipments_in_flight_at_once_mean_a_cloned_serial() -> None:
    early = ship("SH-2", "NORD>SUD@HAMBURG>MUNICH", cet(12, 10), cet(13, 10))
    auths = (NORD_2026, auth("PA-SUD", date(2026, 1, 1), auth_id="AU-2"))

    provenance = evaluate(evidence((SH1, early), auths=auths))

    (finding,) = provenance.findings
    assert finding == Finding(
        FindingKind.CLONED_SERIAL,
        "IT-1",
        "PA-NORD",
        cet(12, 10),
        "SH-2",
        "Shipments SH-1 (shipped 2026-02-10T08:00:00+01:00, delivered"
        " 2026-02-12T15:30:00+01:00) and SH-2 (shipped 2026-02-12T10:00:00+01:00,"
        " delivered 2026-02-13T10:00:00+01:00) carry the item at the same time, so"
        " two physical items share this serial.",
        ("SH-1", "SH-2"),
    )
    # The hop that SH-2 interrupts cannot end before it began.
    assert provenance.hops[1].start == provenance.hops[1].until == cet(12, 15, 30)


def test_shipments_that_only_touch_do_not_overlap() -> None:
    at_arrival = ship("SH-2", "NORD>SUD@HAMBURG>MUNICH", cet(12, 15, 30), cet(13, 10))
    auths = (NORD_2026, auth("PA-SUD", date(2026, 1, 1), auth_id="AU-2"))

    provenance = evaluate(evidence((SH1, at_arrival), auths=auths))

    assert provenance.findings == ()


def test_shipments_leaving_together_overlap_even_as_an_earlier_one_arrives() -> None:
    # SH-1 arrives as both leave, so it only touches them; SH-2 is undelivered, so
    # its interval is the instant it left, and SH-3 leaves at that same instant.
    undelivered = ship("SH-2", "NORD>SUD@HAMBURG>MUNICH", cet(12, 15, 30), None)
    same_instant = ship("SH-3", "NORD>GREY@HAMBURG>LYON", cet(12, 15, 30), cet(13, 9))
    shipments = (SH1, undelivered, same_instant)

    provenance = evaluate(evidence(shipments, auths=(NORD_2026,)))

    cloned = [f for f in provenance.findings if f.kind is FindingKind.CLONED_SERIAL]
    assert cloned == [
        Finding(
            FindingKind.CLONED_SERIAL,
            "IT-1",
            "PA-NORD",
            cet(12, 15, 30),
            "SH-3",
            "Shipments SH-2 (shipped 2026-02-12T15:30:00+01:00, delivery not"
            " confirmed) and SH-3 (shipped 2026-02-12T15:30:00+01:00, delivered"
            " 2026-02-13T09:00:00+01:00) carry the item at the same time, so two"
            " physical items share this serial.",
            ("SH-2", "SH-3"),
        )
    ]


def test_two_placements_faster_than_1000_kmh_mean_a_cloned_serial() -> None:
    to_paris = dataclasses.replace(SH1, destination="SI-PARIS")
    scan = ScanFacts("SC-1", "SI-HAMBURG", cet(12, 15, 45), "received", "PA-NORD")
    star = auth("PA-NORD", date(2025, 1, 1), territories=("*",))

    provenance = evaluate(evidence((to_paris,), (scan,), (star,)))

    (finding,) = provenance.findings
    assert (finding.kind, finding.party, finding.at, finding.shipment) == (
        FindingKind.CLONED_SERIAL,
        "PA-NORD",
        cet(12, 15, 45),
        None,
    )
    assert finding.explanation == (
        "The item was at Paris depot (SI-PARIS, FR) on 2026-02-12T15:30:00+01:00"
        " (delivery of shipment SH-1) and at Hamburg warehouse (SI-HAMBURG, DE) on"
        " 2026-02-12T15:45:00+01:00 (scan SC-1): 744 km in 15 minutes, 2,978 km/h,"
        " faster than 1,000 km/h, so two physical items share this serial."
    )


def test_same_site_at_the_same_instant_is_fine() -> None:
    scan = ScanFacts("SC-1", "SI-HAMBURG", cet(12, 15, 30), "received", "PA-NORD")

    provenance = evaluate(evidence((SH1,), (scan,), (NORD_2026,)))

    assert provenance.findings == ()


def test_different_sites_at_the_same_instant_is_infinite_speed() -> None:
    scan = ScanFacts("SC-1", "SI-MUNICH", cet(12, 15, 30), "inspected", "PA-SHIP")

    provenance = evaluate(evidence((SH1,), (scan,), (NORD_2026,)))

    (finding,) = provenance.findings
    assert (finding.kind, finding.party) == (FindingKind.CLONED_SERIAL, "PA-SHIP")
    assert finding.explanation.endswith(
        "(scan SC-1): 612 km apart at the same instant, faster than 1,000 km/h, so"
        " two physical items share this serial."
    )


def test_production_at_a_second_site_means_a_cloned_serial() -> None:
    scans = (
        ScanFacts("SC-P", "SI-MUNICH", cet(3, 9), "produced"),
        ScanFacts("SC-Q", "SI-GRASSE", cet(3, 10), "produced"),
    )

    provenance = evaluate(evidence((SH1,), scans, (NORD_2026,)))

    (finding,) = provenance.findings
    assert finding == Finding(
        FindingKind.CLONED_SERIAL,
        "IT-1",
        "PA-SUD",
        cet(3, 9),
        None,
        "The item was produced at Grasse factory (SI-GRASSE, FR) on"
        " 2026-02-02T09:00:00+01:00 according to the item record, and again at"
        " Munich store (SI-MUNICH, DE) on 2026-02-03T09:00:00+01:00 according to"
        " scan SC-P, so two physical items share this serial.",
        ("item", "SC-P"),
    )


# Unknown items and re-entry


def test_unknown_item_is_reported_once_and_its_receipts_are_not_judged() -> None:
    scan = ScanFacts("SC-1", "SI-HAMBURG", cet(12, 15, 45), "received", "PA-NORD")
    to_paris = dataclasses.replace(SH1, destination="SI-PARIS")

    provenance = evaluate(evidence((to_paris,), (scan,), (NORD_2026,), item=None))

    assert provenance.hops == (
        CustodyHop("PA-NORD", "SI-PARIS", cet(12, 15, 30), None, "SH-1", True, None),
    )
    # The Paris-Hamburg jump in 15 minutes still counts: cloning needs no brand.
    assert kinds(provenance.findings) == [
        FindingKind.UNKNOWN_ITEM,
        FindingKind.CLONED_SERIAL,
    ]
    unknown = provenance.findings[0]
    assert (unknown.party, unknown.at, unknown.shipment) == (
        "PA-FAB",
        cet(10, 8),
        "SH-1",
    )
    assert unknown.explanation == (
        "No item record or commissioning event describes IT-1, yet it is referenced"
        " by shipment SH-1 and by scan SC-1."
    )


def test_authorized_receipts_after_an_unauthorized_one_are_reentries() -> None:
    shipments = (
        ship("SH-1", "FAB>GREY@GRASSE>LYON", cet(10, 8), cet(12, 10)),
        ship("SH-2", "GREY>NORD@LYON>HAMBURG", cet(14, 8), cet(16, 10)),
        ship("SH-3", "NORD>SUD@HAMBURG>MUNICH", cet(18, 8), cet(19, 10)),
    )
    auths = (NORD_2026, auth("PA-SUD", date(2026, 1, 1), auth_id="AU-2"))

    provenance = evaluate(evidence(shipments, auths=auths))

    assert [hop.authorized for hop in provenance.hops] == [None, False, True, True]
    assert [(f.kind, f.party, f.shipment) for f in provenance.findings] == [
        (FindingKind.UNAUTHORIZED_HOLDER, "PA-GREY", "SH-1"),
        (FindingKind.REENTRY, "PA-NORD", "SH-2"),
        (FindingKind.REENTRY, "PA-SUD", "SH-3"),
    ]
    assert provenance.findings[1].explanation == (
        "Nordhafen Handel GmbH (PA-NORD) received the item in DE on 2026-02-16 under"
        " authorization AU-1 (valid 2025-01-01 to 2026-12-31, covering DE, AT) from"
        " BR-LUMA. Earlier, Grey Trade SARL (PA-GREY) had received it on 2026-02-12"
        " through shipment SH-1 with no authorization from BR-LUMA, so the item has"
        " re-entered the official channel."
    )


# Ordering and identity of findings


def test_findings_at_one_instant_are_ordered_by_kind() -> None:
    # Unconfirmed, so the ghost's receipt and the broken hand-over share an instant.
    sh2 = ship("SH-2", "SUD>GHOST@MUNICH>HAMBURG", cet(14, 8), None)

    provenance = evaluate(evidence((SH1, sh2), auths=(NORD_2026,)))

    assert [(f.kind, f.at) for f in provenance.findings] == [
        (FindingKind.UNAUTHORIZED_HOLDER, cet(14, 8)),
        (FindingKind.BROKEN_CUSTODY, cet(14, 8)),
    ]


def test_finding_id_hashes_content_in_utc_and_ignores_the_explanation() -> None:
    finding = Finding(
        FindingKind.BROKEN_CUSTODY, "IT-1", "PA-SUD", cet(13, 10), None, "x", ("SC-9",)
    )
    same_instant = dataclasses.replace(
        finding, at=datetime(2026, 2, 13, 9, tzinfo=UTC), explanation="reworded"
    )
    key = "\x1f".join(
        ("BROKEN_CUSTODY", "IT-1", "PA-SUD", "2026-02-13T09:00:00+00:00", "", "SC-9")
    )

    assert finding.id == hashlib.sha256(key.encode()).hexdigest()[:20]
    assert same_instant.id == finding.id
    assert dataclasses.replace(finding, refs=("SC-8",)).id != finding.id


def test_evidence_order_does_not_change_the_answer() -> None:
    scans = (
        ScanFacts("SC-9", "SI-MUNICH", cet(13, 10), "stored", "PA-SUD"),
        ScanFacts("SC-8", "SI-MUNICH", cet(13, 10), "stored", "PA-GREY"),
    )
    sh2 = ship("SH-2", "FAB>SUD@GRASSE>MUNICH", cet(15, 8), cet(17, 10))
    forward = evidence((SH1, sh2), scans, (NORD_2026,))
    backward = evidence((sh2, SH1), scans[::-1], (NORD_2026,))

    assert evaluate(forward) == evaluate(backward)
    assert len(evaluate(forward).findings) == 4


# judge_receipt on its own


def test_judge_receipt_names_each_authorization_in_force_out_of_territory() -> None:
    auths = (
        auth("PA-NORD", date(2025, 1, 1), territories=("DE", "AT"), auth_id="AU-1"),
        auth("PA-NORD", date(2026, 1, 1), territories=("CH",), auth_id="AU-2"),
        auth("PA-SUD", date(2025, 1, 1), territories=("FR",), auth_id="AU-3"),
    )

    judgement = judge_receipt(
        PARTIES["PA-NORD"], "BR-LUMA", cet(12, 9), SITES["SI-PARIS"], auths
    )

    assert judgement.verdict is FindingKind.OUT_OF_TERRITORY
    assert not judgement.authorized
    assert judgement.explanation == (
        "Nordhafen Handel GmbH (PA-NORD) received the item in FR on 2026-02-12, but"
        " its authorizations in force from BR-LUMA cover DE, AT, CH only: AU-1 (valid"
        " from 2025-01-01, open-ended, covering DE, AT); AU-2 (valid from 2026-01-01,"
        " open-ended, covering CH)."
    )


def test_judge_receipt_at_a_site_of_unknown_country_says_so() -> None:
    judgement = judge_receipt(
        PARTIES["PA-NORD"], "BR-LUMA", cet(12, 9), SiteFacts("SI-X"), (NORD_2026,)
    )

    assert judgement.authorized
    assert judgement.authorization == "AU-1"
    assert judgement.explanation == (
        "Nordhafen Handel GmbH (PA-NORD) received the item at SI-X (country unknown)"
        " on 2026-02-12 under authorization AU-1 (valid 2025-01-01 to 2026-12-31,"
        " covering DE, AT) from BR-LUMA. The site's country is unknown, so the"
        " territory was not checked."
    )
