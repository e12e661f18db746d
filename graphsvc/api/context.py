"""What each GraphQL request carries: the investigation and its batching loaders."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from strawberry.dataloader import DataLoader
from strawberry.fastapi import BaseContext
from strawberry.types import Info as StrawberryInfo

from graphsvc.audit import AuditLog
from graphsvc.errors import ConfigError
from graphsvc.investigation import Investigation
from graphsvc.security.roles import OPEN_ACCESS, Principal
from graphsvc.security.scope import BrandScope
from graphsvc.store.base import Node, NodeKey


@dataclass(frozen=True)
class Limits:
    """Caps on what one request may ask for; documented in the schema and README."""

    max_page: int = 500
    max_depth: int = 3
    max_limit: int = 2_000
    max_query_depth: int = 10
    max_aliases: int = 30
    max_tokens: int = 2_000
    max_cost: int = 50_000
    timeout_seconds: float = 30.0
    introspection: bool = True

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Limits:
        """Defaults, each replaced by its `GRAPHSVC_...` variable when set.

        GRAPHSVC_MAX_QUERY_DEPTH, GRAPHSVC_MAX_ALIASES, GRAPHSVC_MAX_TOKENS,
        GRAPHSVC_MAX_COST, GRAPHSVC_TIMEOUT_SECONDS and GRAPHSVC_INTROSPECTION
        (`on` or `off`).
        """
        env = os.environ if environ is None else environ
        given: dict[str, Any] = {}
        for name, low in _WHOLE_NUMBERS.items():
            text = env.get(f"GRAPHSVC_{name.upper()}")
            if text is not None:
                if not text.isdigit() or int(text) < low:
                    raise ConfigError(
                        f"GRAPHSVC_{name.upper()} must be a whole number of {low} "
                        f"or more, not {text!r}"
                    )
                given[name] = int(text)
        timeout = env.get("GRAPHSVC_TIMEOUT_SECONDS")
        if timeout is not None:
            given["timeout_seconds"] = _positive(timeout, "GRAPHSVC_TIMEOUT_SECONDS")
        introspection = env.get("GRAPHSVC_INTROSPECTION")
        if introspection is not None:
            if introspection not in ("on", "off"):
                raise ConfigError(
                    f"GRAPHSVC_INTROSPECTION must be on or off, not {introspection!r}"
                )
            given["introspection"] = introspection == "on"
        return cls(**given)


_WHOLE_NUMBERS = {
    "max_query_depth": 2,
    "max_aliases": 0,
    "max_tokens": 10,
    "max_cost": 1,
}


def _positive(text: str, name: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not value > 0:
        raise ConfigError(f"{name} must be a number of seconds above 0, not {text!r}")
    return value


class Context(BaseContext):
    """Per request: one node loader, so a page of 50 findings fetches each node once.

    The loader hides nodes outside the caller's brand scope, so every field that
    resolves a reference through it shows them as absent.
    """

    def __init__(
        self,
        investigation: Investigation,
        limits: Limits,
        principal: Principal = OPEN_ACCESS,
        audit: AuditLog | None = None,
    ) -> None:
        super().__init__()
        self.investigation = investigation
        self.limits = limits
        self.principal = principal
        self.audit = audit
        self.scope = BrandScope.of(principal, investigation.store)
        self.nodes: DataLoader[NodeKey, Node | None] = DataLoader(
            load_fn=self._load_nodes, cache=True
        )

    async def _load_nodes(self, keys: Sequence[NodeKey]) -> list[Node | None]:
        return self.scope.visible(self.investigation.store.nodes_by_key(keys))


Info = StrawberryInfo[Context, Any]
