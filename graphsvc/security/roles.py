"""Roles and the principal a request acts as."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Role(enum.Enum):
    """What a key may do. `admin` may do everything the other two may."""

    READER = "reader"
    """GraphQL queries, the explorer, exports and reading EPCIS events."""

    LOADER = "loader"
    """Captures and feed uploads."""

    ADMIN = "admin"
    """Everything, including key management and the audit log."""


@dataclass(frozen=True)
class Principal:
    """The caller of one request: a key's id, role and brand scope.

    `brands` None means every brand; otherwise the key sees only those brands'
    items, findings and clusters.
    """

    key_id: str
    role: Role
    brands: frozenset[str] | None = None

    def may(self, role: Role) -> bool:
        """True when this principal holds `role`, or is an admin."""
        return self.role is Role.ADMIN or self.role is role


OPEN_ACCESS = Principal("-", Role.ADMIN)
"""Who every caller is when no keys are configured (loopback only, by default)."""
