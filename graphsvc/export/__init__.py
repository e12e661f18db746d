"""Exports of what the explorer shows, for Gephi, yEd, Cytoscape and spreadsheets.

`views` turns a neighbourhood, a custody chain or a distributor cluster into a
networkx graph; `formats` writes such a graph as GraphML, GEXF, node-link JSON or
CSV.
"""

from graphsvc.export.formats import FORMATS, Format, render
from graphsvc.export.views import VIEWS, build_view

__all__ = ["FORMATS", "VIEWS", "Format", "build_view", "render"]
