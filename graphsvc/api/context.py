"""What each GraphQL request carries: the investigation and its batching loaders."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from strawberry.dataloader import DataLoader
from strawberry.fastapi import BaseContext
from strawberry.types import Info as StrawberryInfo

from graphsvc.errors import ConfigError
from graphsvc.investigation import Investigation
from graphsvc.store.base import Node, NodeKey


@dataclass(frozen=True)
class Limits:
    """Caps on what one request may ask for; documented in the schema."""

    max_page: int = 500
    max_depth: int = 3
    max_limit: int = 2_000
    max_query_depth: int = 10

    @classmethod
    def from_env(cls) -> Limits:
        """Defaults, with `GRAPHSVC_MAX_QUERY_DEPTH` when it is set."""
        depth = os.environ.get("GRAPHSVC_MAX_QUERY_DEPTH")
        if depth is None:
            return cls()
        if not depth.isdigit() or int(depth) < 2:
            raise ConfigError(
                f"GRAPHSVC_MAX_QUERY_DEPTH must be a whole number of 2 or more, "
                f"not {depth!r}"
            )
        return cls(max_query_depth=int(depth))


class Context(BaseContext):
    """Per request: one node loader, so a page of 50 findings fetches each node once."""

    def __init__(self, investigation: Investigation, limits: Limits) -> None:
        super().__init__()
        self.investigation = investigation
        self.limits = limits
        self.nodes: DataLoader[NodeKey, Node | None] = DataLoader(
            load_fn=self._load_nodes, cache=True
        )

    async def _load_nodes(self, keys: Sequence[NodeKey]) -> list[Node | None]:
        return self.investigation.store.nodes_by_key(keys)


Info = StrawberryInfo[Context, Any]
