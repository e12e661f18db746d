"""The admin-only `auditLog` query: entries of the audit log, newest first."""

from __future__ import annotations

import json
from datetime import datetime

import strawberry
from strawberry.scalars import JSON

from graphsvc import audit
from graphsvc.api.context import Info
from graphsvc.api.cursors import decode_cursor, encode_cursor
from graphsvc.errors import Forbidden, InvalidArgument
from graphsvc.security.roles import Role


@strawberry.type(description="One recorded operation.")
class AuditEntry:
    entry: strawberry.Private[audit.AuditEntry]

    @strawberry.field(description="When it ran (UTC).")
    def at(self) -> datetime:
        return self.entry.at

    @strawberry.field(description="The id of the API key that ran it; `-` if none.")
    def key_id(self) -> str:
        return self.entry.key_id

    @strawberry.field(
        description="The root fields of a GraphQL operation, or `METHOD /path`."
    )
    def operation(self) -> str:
        return self.entry.operation

    @strawberry.field(description="The variables (or query parameters) it was sent.")
    def variables(self) -> JSON:
        return JSON(audit_variables(self.entry))

    @strawberry.field(description="Bytes of the result it returned.")
    def result_size(self) -> int:
        return self.entry.result_size

    @strawberry.field(description="ok, or error when it answered with errors.")
    def outcome(self) -> str:
        return self.entry.outcome


@strawberry.type(description="A page of the audit log.")
class AuditPage:
    entries: list[AuditEntry] = strawberry.field(description="Newest first.")
    end_cursor: str | None = strawberry.field(
        description="Pass as `after` for older entries; null on an empty page."
    )
    has_next_page: bool = strawberry.field(
        description="True when older entries follow."
    )


def audit_variables(entry: audit.AuditEntry) -> object:
    return json.loads(entry.variables)


def audit_page(info: Info, first: int, after: str | None) -> AuditPage:
    """The page after cursor `after`; only admins may read the log.

    The log holds every key's operations and variables, whatever their brand: a
    key scoped to some brands is refused it, as it is the load history.
    """
    principal = info.context.principal
    if not principal.may(Role.ADMIN) or principal.brands is not None:
        raise Forbidden
    if not 1 <= first <= info.context.limits.max_page:
        raise InvalidArgument(
            "first",
            f"must be between 1 and {info.context.limits.max_page}, got {first}",
        )
    log = info.context.audit
    if log is None:
        return AuditPage(entries=[], end_cursor=None, has_next_page=False)

    before = _entry(after) if after is not None else None
    found = log.entries(first + 1, before)
    page = found[:first]
    return AuditPage(
        entries=[AuditEntry(entry=e) for e in page],
        end_cursor=encode_cursor("audit", str(page[-1].id)) if page else None,
        has_next_page=len(found) > first,
    )


def _entry(cursor: str) -> int:
    """The audit entry number an `after` cursor names."""
    number = decode_cursor("audit", cursor)
    if not number.isdigit():
        raise InvalidArgument("after", "is not a cursor this API gave out")
    return int(number)
