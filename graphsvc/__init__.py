"""graphsvc: a graph-based supply chain investigation service."""

__version__ = "0.1.0"
