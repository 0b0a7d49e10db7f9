"""Summaries of groups of organisations: provinces, sectors, categories."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Hashable

import networkx as nx
from networkx.utils import not_implemented_for

from ecograph.analysis._util import UNKNOWN, values_of

__all__ = ["group_summary"]


@not_implemented_for("directed")
def group_summary(G: nx.Graph, attr: str = "province") -> list[dict]:
    """One row per group of organisations: size, make-up and how it is tied to others.

    For each value :math:`g` of *attr*, the organisations :math:`V_g` holding it, the ties
    inside the group, the ties to other groups and to foreign partners, and the share of
    external ties (:math:`E / (E + I)` in Krackhardt & Stern's terms).

    Parameters
    ----------
    G : networkx.Graph
        The undirected projection.
    attr : str, optional (default "province")
        A node attribute; list-valued attributes (``sectors``) count an organisation in
        each of its groups.

    Returns
    -------
    list of dict
        ``group``, ``organisations``, ``by_category`` (counts), ``internal_ties``,
        ``external_ties``, ``foreign_ties``, ``external_share``, ``isolates``; largest
        group first.

    Examples
    --------
    >>> G = nx.Graph()
    >>> G.add_nodes_from([(1, {"province": "A", "category": "startup"}),
    ...                   (2, {"province": "A", "category": "university"}),
    ...                   (3, {"province": "B", "category": "foreign_partner"})])
    >>> G.add_edges_from([(1, 2), (2, 3)])
    >>> [(r["group"], r["internal_ties"], r["external_ties"]) for r in group_summary(G)]
    [('A', 1, 1), ('B', 0, 1)]

    Notes
    -----
    :math:`O(n + m)` times the number of groups an organisation holds.

    References
    ----------
    .. [1] Krackhardt, D. & Stern, R. N. (1988). Informal networks and organizational
       crises: an experimental simulation. *Social Psychology Quarterly* 51(2), 123–140.
       https://doi.org/10.2307/2786835
    """
    members: dict[Hashable, list] = defaultdict(list)
    for node in G:
        for group in values_of(G, node, attr) or (UNKNOWN,):
            members[group].append(node)
    rows = []
    for group, nodes in members.items():
        inside = set(nodes)
        internal = external = foreign = 0
        for u in nodes:
            for v in G[u]:
                if v in inside:
                    internal += 1
                else:
                    external += 1
                    foreign += G.nodes[v].get("category") == "foreign_partner"
        internal //= 2
        total = internal + external
        rows.append(
            {
                "group": group,
                "organisations": len(nodes),
                "by_category": dict(Counter(G.nodes[n].get("category") for n in nodes).most_common()),
                "internal_ties": internal,
                "external_ties": external,
                "foreign_ties": foreign,
                "external_share": external / total if total else None,
                "isolates": sum(1 for n in nodes if G.degree(n) == 0),
            }
        )
    rows.sort(key=lambda r: (-r["organisations"], str(r["group"])))
    return rows
