"""Unauthorized distributor clusters over a handful of parties and trades."""

from __future__ import annotations

import hashlib
from collections.abc import Callable

import pytest

from graphsvc.engine import ClusterLink, DistributorCluster, Trade, find_clusters
from graphsvc.engine.clusters import (
    cluster_id,
    normalise_address,
    normalise_email,
    normalise_phone,
    normalise_tax_id,
)
from graphsvc.engine.evidence import PartyFacts
from graphsvc.errors import InvalidArgument

MEMBERS = {
    p.id: p
    for p in (
        PartyFacts("PA-A", "distributor", "Alpha", phone="+49 40 5550 1234"),
        PartyFacts("PA-B", None, "Beta", phone="(49) 40 5550-1234"),
        PartyFacts("PA-C", "retailer", "Gamma"),
        PartyFacts("PA-D", "retailer", "Delta", address="Hafenstr. 12,  Hamburg"),
        PartyFacts("PA-E", "retailer", "Epsilon", address="HAFENSTR 12 Hamburg"),
        PartyFacts("PA-F", "retailer", "Phi", phone="123-456"),
        PartyFacts("PA-G", "retailer", "Gimel", phone="123 456"),
    )
}
TRADES = (
    Trade("SH-1", "PA-W", "PA-A", ("IT-1", "IT-2"), ("BR-LUMA",)),
    Trade("SH-5", "PA-B", "PA-C", ("IT-2",), ("BR-LUMA",)),
    Trade("SH-6", "PA-B", "PA-C", ("IT-3",), ("BR-X",)),
    Trade("SH-7", "PA-C", "PA-R", ("IT-1",), ("BR-LUMA",)),
    Trade("SH-8", "PA-W", "PA-D", ("IT-4",), ("BR-LUMA",)),
    Trade("SH-9", "PA-E", "PA-S", ("IT-4",), ("BR-LUMA",)),
    Trade("SH-10", "PA-X", "PA-Y", ("IT-9",), ("BR-Z",)),
    Trade("SH-11", "PA-A", "PA-A", ("IT-5",), ("BR-LUMA",)),
)
ABC = DistributorCluster(
    id=cluster_id(["PA-A", "PA-B", "PA-C"]),
    members=("PA-A", "PA-B", "PA-C"),
    links=(
        ClusterLink("PA-A", "PA-B", "phone", "494055501234"),
        ClusterLink("PA-B", "PA-C", "shipment", "SH-5, SH-6"),
    ),
    item_count=4,
    brands=("BR-LUMA", "BR-X"),
    entry_points=("PA-W",),
    exits=("PA-R",),
)
DE = DistributorCluster(
    id=cluster_id(["PA-D", "PA-E"]),
    members=("PA-D", "PA-E"),
    links=(ClusterLink("PA-D", "PA-E", "address", "hafenstr 12 hamburg"),),
    item_count=1,
    brands=("BR-LUMA",),
    entry_points=("PA-W",),
    exits=("PA-S",),
)


@pytest.mark.parametrize(
    ("normalise", "raw", "expected"),
    [
        (normalise_phone, "+49 40 5550 1234", "494055501234"),
        (normalise_phone, "555-1234", "5551234"),
        (normalise_phone, "123-456", None),
        (normalise_phone, None, None),
        (normalise_email, "  Foo@Bar.COM ", "foo@bar.com"),
        (normalise_email, "   ", None),
        (normalise_tax_id, "de 123\t456", "DE123456"),
        (normalise_address, "Hafenstr. 12,Hamburg", "hafenstr 12 hamburg"),
        (normalise_address, " Rue de l'Église  3 ", "rue de l église 3"),
        (normalise_address, "--", None),
    ],
)
def test_normalisation(
    normalise: Callable[[str | None], str | None], raw: str | None, expected: str | None
) -> None:
    assert normalise(raw) == expected


def test_clusters_link_by_trade_and_identifiers_largest_first() -> None:
    clusters = find_clusters(MEMBERS, TRADES)

    assert clusters == [ABC, DE]


def test_min_size_one_keeps_singletons_after_larger_clusters() -> None:
    clusters = find_clusters(MEMBERS, TRADES, min_size=1)

    # Six-digit phones are too short to link PA-F and PA-G.
    singletons = sorted([cluster_id(["PA-F"]), cluster_id(["PA-G"])])
    assert [c.id for c in clusters] == [ABC.id, DE.id, *singletons]
    assert [c.item_count for c in clusters] == [4, 1, 0, 0]


def test_min_size_filters_small_clusters() -> None:
    assert find_clusters(MEMBERS, TRADES, min_size=3) == [ABC]


def test_cluster_id_hashes_the_sorted_member_ids() -> None:
    expected = "DC-" + hashlib.sha256(b"PA-A\nPA-B\nPA-C").hexdigest()[:16]

    assert cluster_id(["PA-C", "PA-A", "PA-B"]) == expected


def test_input_order_does_not_change_the_answer() -> None:
    reversed_members = dict(reversed(list(MEMBERS.items())))

    clusters = find_clusters(reversed_members, reversed(TRADES))

    assert clusters == [ABC, DE]


def test_a_value_shared_by_many_links_them_as_a_star() -> None:
    spellings = ("de 123 456", "DE123456", "De 123456 ", "DE 123 456")
    members = {
        f"PA-T{i}": PartyFacts(f"PA-T{i}", tax_id=tax_id)
        for i, tax_id in enumerate(spellings, start=1)
    }

    (cluster,) = find_clusters(members, ())

    assert cluster.links == tuple(
        ClusterLink("PA-T1", f"PA-T{i}", "tax_id", "DE123456") for i in (2, 3, 4)
    )
    assert (cluster.item_count, cluster.entry_points, cluster.exits) == (0, (), ())


def test_shared_email_links_and_names_the_normalised_address() -> None:
    members = {
        "PA-1": PartyFacts("PA-1", email=" Sales@Grey.example "),
        "PA-2": PartyFacts("PA-2", email="sales@grey.example"),
    }

    (cluster,) = find_clusters(members, ())

    assert cluster.links == (
        ClusterLink("PA-1", "PA-2", "email", "sales@grey.example"),
    )


def test_many_shipments_between_two_members_are_counted_past_ten() -> None:
    members = {"PA-1": PartyFacts("PA-1"), "PA-2": PartyFacts("PA-2")}
    trades = [Trade(f"SH-{n:02}", "PA-1", "PA-2", (f"IT-{n}",)) for n in range(12)]

    (cluster,) = find_clusters(members, trades)

    listed = ", ".join(f"SH-{n:02}" for n in range(10))
    assert cluster.links == (
        ClusterLink("PA-1", "PA-2", "shipment", f"{listed} and 2 more"),
    )
    assert cluster.item_count == 12


def test_min_size_below_one_is_refused() -> None:
    with pytest.raises(InvalidArgument) as raised:
        find_clusters(MEMBERS, TRADES, min_size=0)

    assert raised.value.argument == "min_size"
    assert str(raised.value) == "min_size: must be at least 1, got 0"
