"""Stores: where the graph lives. `open_store` picks one from the configuration."""

from __future__ import annotations

from graphsvc.store.base import BatchResult, Change, Edge, GraphCounts, Node, Store

__all__ = ["BatchResult", "Change", "Edge", "GraphCounts", "Node", "Store"]
