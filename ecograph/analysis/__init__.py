"""Weak-link analyses: pure functions of networkx graphs that return dicts and lists.

Most take the undirected projection (:func:`ecograph.snapshot.undirected`);
:func:`brokerage_roles` takes the directed view (:func:`ecograph.snapshot.directed`),
:func:`weak_link_report` and :func:`scorecard` the snapshot itself, and :func:`compare`
two projections (two periods or two saved states).
"""

from ecograph.analysis.backends import BACKENDS, resolve_backend
from ecograph.analysis.bridges import articulation_cuts, bridge_cuts, local_bridges
from ecograph.analysis.brokerage import ROLES, brokerage_expected, brokerage_roles
from ecograph.analysis.centrality import MEASURES, NORMALISATION, CentralityResult, centrality, top_nodes
from ecograph.analysis.change import compare
from ecograph.analysis.communities import Partition, community_links, community_profiles, louvain
from ecograph.analysis.gaps import ei_index, group_gaps
from ecograph.analysis.periphery import (
    foreign_gatekeepers,
    institutes_without_foreign_partner,
    isolates,
    periphery,
    small_components,
    startups_without_investor,
    universities_without_industry,
)
from ecograph.analysis.recommend import recommend
from ecograph.analysis.report import SECTIONS, weak_link_report
from ecograph.analysis.resilience import attack_curve, what_if
from ecograph.analysis.scorecard import INDICATORS, scorecard
from ecograph.analysis.structural import structural_holes

__all__ = [
    "BACKENDS",
    "INDICATORS",
    "MEASURES",
    "NORMALISATION",
    "ROLES",
    "SECTIONS",
    "CentralityResult",
    "Partition",
    "articulation_cuts",
    "attack_curve",
    "bridge_cuts",
    "brokerage_expected",
    "brokerage_roles",
    "centrality",
    "community_links",
    "community_profiles",
    "compare",
    "ei_index",
    "foreign_gatekeepers",
    "group_gaps",
    "institutes_without_foreign_partner",
    "isolates",
    "local_bridges",
    "louvain",
    "periphery",
    "recommend",
    "resolve_backend",
    "scorecard",
    "small_components",
    "startups_without_investor",
    "structural_holes",
    "top_nodes",
    "universities_without_industry",
    "weak_link_report",
    "what_if",
]
