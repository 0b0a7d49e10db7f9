"""Summaries: of the whole network, and of groups of organisations (provinces, sectors, categories)."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable

import networkx as nx
import numpy as np
from networkx.utils import not_implemented_for

from ecograph.analysis._util import UNKNOWN, values_of
from ecograph.projections import Network

__all__ = ["group_summary", "network_summary", "research_reach"]


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


RESEARCH_CATEGORIES = frozenset({"university", "research_institute"})


@not_implemented_for("directed")
def research_reach(
    G: nx.Graph,
    attr: str = "sectors",
    *,
    category: str = "startup",
    partners: frozenset[str] = RESEARCH_CATEGORIES,
    nodes: Iterable[Hashable] | None = None,
) -> list[dict]:
    """For each group, how many of its organisations of one category have a research partner.

    A sector whose startups have no university or research institute partner is cut off
    from the knowledge side of the ecosystem. For each value :math:`g` of *attr*, count
    the organisations of *category* in :math:`g` and those with at least one neighbour
    whose category is in *partners*; the groups with the lowest share come first.

    Parameters
    ----------
    G : networkx.Graph
        The undirected projection.
    attr : str, optional (default "sectors")
        The grouping attribute (list-valued attributes count an organisation in each group).
    category : str, optional (default "startup")
        Whose reach to measure.
    partners : frozenset of str, optional
        The categories that count as research partners.
    nodes : iterable of nodes, optional
        Count only these organisations (their partners may be anywhere).

    Returns
    -------
    list of dict
        ``group``, ``organisations`` (of *category* in the group), ``with_research``,
        ``share`` (``with_research / organisations``) and ``research_ties`` (ties of those
        organisations to research partners); lowest share first, then largest group.

    Examples
    --------
    >>> G = nx.Graph([("s1", "u"), ("s2", "c")])
    >>> G.nodes["s1"].update(category="startup", sectors=("ai",))
    >>> G.nodes["s2"].update(category="startup", sectors=("fintech",))
    >>> G.nodes["u"].update(category="university"); G.nodes["c"].update(category="company")
    >>> [(r["group"], r["share"]) for r in research_reach(G)]
    [('fintech', 0.0), ('ai', 1.0)]

    Notes
    -----
    :math:`O(n + m)`.
    """
    counts: dict[Hashable, list[int]] = defaultdict(lambda: [0, 0, 0])
    chosen = G.nodes(data=True) if nodes is None else ((v, G.nodes[v]) for v in nodes)
    for node, data in chosen:
        if data.get("category") != category:
            continue
        ties = sum(1 for v in G[node] if G.nodes[v].get("category") in partners)
        for group in values_of(G, node, attr) or (UNKNOWN,):
            entry = counts[group]
            entry[0] += 1
            entry[1] += ties > 0
            entry[2] += ties
    rows = [
        {"group": g, "organisations": n, "with_research": w, "share": w / n, "research_ties": t}
        for g, (n, w, t) in counts.items()
    ]
    rows.sort(key=lambda r: (r["share"], -r["organisations"], str(r["group"])))
    return rows


def network_summary(N: Network) -> dict:
    """The headline numbers of network *N*: its size, make-up and how it holds together.

    Returns
    -------
    dict
        ``organisations``, ``ties`` (pairs tied), ``by_category`` (counts, largest first;
        missing under ``(unknown)``), ``components``, ``largest_component``,
        ``largest_share``, ``isolates`` (organisations without a partner), ``density``
        and ``average_partners``, as networkx counts them (a self-loop is a tie).

    Examples
    --------
    >>> s = network_summary(Network.from_networkx(nx.Graph([(1, 2), (3, 3)])))
    >>> s["components"], s["largest_component"], s["isolates"], s["density"]
    (2, 2, 1, 0.6666666666666666)
    """
    n, m = N.n, N.m
    count, labels = N.components
    sizes = np.bincount(labels, minlength=count)
    largest = int(sizes.max()) if count else 0
    by_category = Counter(c or UNKNOWN for c in N.column("category"))
    return {
        "organisations": n,
        "ties": m,
        "by_category": dict(sorted(by_category.items(), key=lambda kv: (-kv[1], str(kv[0])))),
        "components": count,
        "largest_component": largest,
        "largest_share": largest / n if n else 0.0,
        "isolates": int((sizes == 1).sum()),
        "density": m / (n * (n - 1)) * 2 if n > 1 else 0.0,  # as networkx rounds it
        "average_partners": 2 * m / n if n else 0.0,
    }
