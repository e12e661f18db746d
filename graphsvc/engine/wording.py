"""How explanations name parties, sites, times and authorizations.

Explanations must read without the raw data, so a party or site is named by its name
followed by its id when a name is known, and by its id alone otherwise. Instants are
shown with the offset they were recorded with; days are UTC days, as the rules use.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from graphsvc.engine.evidence import AuthorizationFacts, PartyFacts, SiteFacts


def party_label(party: PartyFacts) -> str:
    """`Name (id)`, or the id alone for a party never described."""
    return f"{party.name} ({party.id})" if party.name else party.id


def site_label(site: SiteFacts) -> str:
    """`Name (id, country)`, `id (country)` or `id`, as far as the site is known."""
    if site.name:
        inner = f"{site.id}, {site.country}" if site.country else site.id
        return f"{site.name} ({inner})"
    return f"{site.id} ({site.country})" if site.country else site.id


def place(site: SiteFacts) -> str:
    """`in DE`, or which site it was when its country is unknown."""
    if site.country:
        return f"in {site.country}"
    return f"at {site.id} (country unknown)"


def instant(at: datetime) -> str:
    """An instant as recorded, e.g. `2026-02-12T15:30:00+01:00`."""
    return at.isoformat()


def utc_day(at: datetime) -> str:
    """The UTC calendar day of an instant, e.g. `2026-02-12`."""
    return at.astimezone(UTC).date().isoformat()


def validity(auth: AuthorizationFacts) -> str:
    """`valid 2025-01-01 to 2026-12-31`, or `valid from 2025-01-01, open-ended`."""
    if auth.valid_until is None:
        return f"valid from {auth.valid_from.isoformat()}, open-ended"
    return f"valid {auth.valid_from.isoformat()} to {auth.valid_until.isoformat()}"


def territories(auth: AuthorizationFacts) -> str:
    """`DE, AT`, or `every country` for `*`."""
    if "*" in auth.territories:
        return "every country"
    return ", ".join(auth.territories)


def authorization(auth: AuthorizationFacts) -> str:
    """`AU-1 (valid 2025-01-01 to 2026-12-31, covering DE, AT)`."""
    return f"{auth.id} ({validity(auth)}, covering {territories(auth)})"


def enumerate_ids(ids: Iterable[str], limit: int = 10) -> str:
    """`A, B and C`; past `limit` ids, the rest is counted rather than listed."""
    listed = list(ids)
    if len(listed) > limit:
        return f"{', '.join(listed[:limit])} and {len(listed) - limit} more"
    if len(listed) > 1:
        return f"{', '.join(listed[:-1])} and {listed[-1]}"
    return "".join(listed)
