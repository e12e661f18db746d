"""The investigation rules, as pure functions over evidence the stores hand in.

`evaluate` answers one item's custody chain and findings (`findings_of` the findings
alone); `find_clusters` groups the parties those findings name. Nothing here reads a
store, so both stores answer the same as long as they hand in the same evidence.
"""

from graphsvc.engine.clusters import (
    ClusterLink,
    DistributorCluster,
    Trade,
    find_clusters,
)
from graphsvc.engine.findings import CustodyHop, Finding, FindingKind, Provenance
from graphsvc.engine.judging import Judgement, judge_receipt
from graphsvc.engine.provenance import evaluate, findings_of

__all__ = [
    "ClusterLink",
    "CustodyHop",
    "DistributorCluster",
    "Finding",
    "FindingKind",
    "Judgement",
    "Provenance",
    "Trade",
    "evaluate",
    "find_clusters",
    "findings_of",
    "judge_receipt",
]
