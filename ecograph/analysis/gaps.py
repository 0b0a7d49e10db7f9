"""Under-connected groups: observed ties between groups against those expected from their degrees."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Hashable

import networkx as nx
from networkx.utils import not_implemented_for

from ecograph.analysis._util import values_of

__all__ = ["ei_index", "group_gaps"]


@not_implemented_for("directed")
@not_implemented_for("multigraph")
def group_gaps(
    G: nx.Graph,
    attr: str = "category",
    *,
    across: str | None = None,
    weight: str | None = None,
    min_expected: float = 1.0,
) -> list[dict]:
    r"""Pairs of groups with fewer ties between them than their degrees would give.

    Under the configuration model (ties placed at random, each organisation keeping its
    degree), with :math:`d_r` the total degree of group :math:`r` and :math:`m` the
    number of ties, the expected number of ties between groups :math:`r` and :math:`s`
    is

    .. math::

       E_{rs} = \frac{d_r d_s}{2m} \quad (r \ne s), \qquad E_{rr} = \frac{d_r^2}{4m}

    and the gap is reported as the ratio :math:`O_{rs}/E_{rs}` and the Poisson z-score
    :math:`(O_{rs} - E_{rs}) / \sqrt{E_{rs}}`.

    With *across*, the pairs join a group of *attr* at one end of a tie to a group of
    *across* at the other (a sector and a category: "agritech organisations and
    universities"), with :math:`E_{rs} = d_r d_s / 2m` for every pair.

    Parameters
    ----------
    G : networkx.Graph
        Undirected graph.
    attr : str, optional (default "category")
        Node attribute defining the groups: ``category``, ``province``, ``sectors``… A
        list-valued attribute (``sectors``) puts an organisation in each of its groups:
        a tie counts once for every pair of groups it joins, and groups then overlap, so
        the expectation is an approximation. Organisations without a value belong to
        no group (their ties still count in :math:`m`).
    across : str or None, optional (default None)
        A second node attribute: pair each group of *attr* with each group of *across*
        (``attr="sectors", across="category"``) instead of with the other groups of *attr*.
    weight : str or None, optional (default None)
        Count ties by this edge attribute (and degrees by strength) instead of 1 each.
    min_expected : float, optional (default 1.0)
        Leave out pairs expected to have fewer ties: too few to call a gap.

    Returns
    -------
    list of dict
        ``attr``, ``group_a``, ``group_b``, ``observed``, ``expected``, ``ratio`` and
        ``z``; most under-connected (lowest *z*) first, ties broken by names.

    Examples
    --------
    Two triangles of "x" joined by one tie to "y":

    >>> G = nx.barbell_graph(3, 0)
    >>> nx.set_node_attributes(G, {v: "x" if v < 3 else "y" for v in G}, "kind")
    >>> [(r["group_a"], r["group_b"], r["observed"], round(r["expected"], 2)) for r in group_gaps(G, "kind")]
    [('x', 'y', 1.0, 3.5), ('x', 'x', 3.0, 1.75), ('y', 'y', 3.0, 1.75)]

    Across two attributes, each "x" node also in sector "s" and each "y" node in "t":

    >>> nx.set_node_attributes(G, {v: "s" if v < 3 else "t" for v in G}, "sector")
    >>> [(r["group_a"], r["group_b"], r["observed"]) for r in group_gaps(G, "sector", across="kind")]
    [('s', 'y', 1.0), ('t', 'x', 1.0), ('s', 'x', 3.0), ('t', 'y', 3.0)]

    Notes
    -----
    :math:`O(m \cdot a^2 + g^2)` for at most *a* values per node and *g* groups.

    References
    ----------
    .. [1] Newman, M. E. J. (2003). Mixing patterns in networks. *Physical Review E* 67,
       026126. https://doi.org/10.1103/PhysRevE.67.026126
    .. [2] Molloy, M., & Reed, B. (1995). A critical point for random graphs with a given
       degree sequence. *Random Structures & Algorithms* 6, 161–180.
    """
    degree = dict(G.degree(weight=weight))
    two_m = float(sum(degree.values()))
    if two_m == 0:
        return []
    if across is None:
        observed, totals = _within(G, attr, degree, weight)
        pairs = [(r, s) for i, r in enumerate(totals) for s in list(totals)[i:]]
        other = totals
    else:
        observed, totals, other = _across(G, attr, across, degree, weight)
        pairs = [(r, s) for r in totals for s in other]
    rows = []
    for r, s in pairs:
        expected = totals[r] * other[s] / (2 * two_m if across is None and r == s else two_m)
        if expected < min_expected or expected == 0:
            continue
        got = float(observed.get((r, s), 0.0))
        rows.append(
            {
                "attr": attr if across is None else f"{attr}×{across}",
                "group_a": r,
                "group_b": s,
                "observed": got,
                "expected": expected,
                "ratio": got / expected,
                "z": (got - expected) / math.sqrt(expected),
            }
        )
    rows.sort(key=lambda row: (row["z"], str(row["group_a"]), str(row["group_b"])))
    return rows


def _degree_totals(G: nx.Graph, attr: str, degree: dict) -> tuple[dict, dict[Hashable, tuple]]:
    """Each group's total degree, groups in name order, and each node's groups."""
    values = {v: values_of(G, v, attr) for v in G}
    totals: Counter = Counter()
    for v, vals in values.items():
        for r in vals:
            totals[r] += degree[v]
    return {g: totals[g] for g in sorted(totals, key=str)}, values


def _within(G: nx.Graph, attr: str, degree: dict, weight: str | None) -> tuple[Counter, dict]:
    """Ties between the groups of one attribute, keyed by the pair in name order."""
    totals, values = _degree_totals(G, attr, degree)
    # Group values as numbers in name order, so that a pair's key is (smaller, larger).
    groups = list(totals)
    code = {g: i for i, g in enumerate(groups)}
    codes = {v: tuple(code[g] for g in vals) for v, vals in values.items()}
    counted: Counter = Counter()
    for u, v, w in G.edges(data=weight, default=1.0):
        w = 1.0 if weight is None else float(w)
        cu, cv = codes[u], codes[v]
        if len(cu) == 1 and len(cv) == 1:
            a, b = cu[0], cv[0]
            counted[(a, b) if a <= b else (b, a)] += w
        else:
            for key in {(a, b) if a <= b else (b, a) for a in cu for b in cv}:
                counted[key] += w
    observed = Counter({(groups[a], groups[b]): w for (a, b), w in counted.items()})
    return observed, totals


def _across(
    G: nx.Graph, attr: str, across: str, degree: dict, weight: str | None
) -> tuple[Counter, dict, dict]:
    """Ties with a group of *attr* at one end and a group of *across* at the other."""
    totals, values = _degree_totals(G, attr, degree)
    other, others = _degree_totals(G, across, degree)
    observed: Counter = Counter()
    for u, v, w in G.edges(data=weight, default=1.0):
        w = 1.0 if weight is None else float(w)
        keys = {(r, s) for r in values[u] for s in others[v]} | {(r, s) for r in values[v] for s in others[u]}
        for key in keys:
            observed[key] += w
    return observed, totals, other


@not_implemented_for("directed")
@not_implemented_for("multigraph")
def ei_index(G: nx.Graph, attr: str = "category", *, weight: str | None = None) -> dict[Hashable, dict]:
    r"""Krackhardt and Stern's E–I index of each group: outward against inward ties.

    .. math::

       EI_r = \frac{E_r - I_r}{E_r + I_r}

    where :math:`I_r` counts the ties with both ends in group :math:`r` and :math:`E_r`
    the ties with exactly one end in it. It runs from −1 (all ties inside the group)
    to +1 (all ties leave it).

    Parameters
    ----------
    G : networkx.Graph
        Undirected graph.
    attr : str, optional (default "category")
        Node attribute defining the groups; list values put a node in several groups.
    weight : str or None, optional (default None)
        Count ties by this edge attribute instead of 1 each.

    Returns
    -------
    dict
        Group → ``{"internal", "external", "ei"}``; ``ei`` is None for a group with no
        ties.

    Examples
    --------
    >>> G = nx.barbell_graph(3, 0)
    >>> nx.set_node_attributes(G, {v: "x" if v < 3 else "y" for v in G}, "kind")
    >>> ei_index(G, "kind")["x"]
    {'internal': 3.0, 'external': 1.0, 'ei': -0.5}

    Notes
    -----
    :math:`O(m \cdot a)` for at most *a* values per node.

    References
    ----------
    .. [1] Krackhardt, D., & Stern, R. N. (1988). Informal networks and organizational
       crises: An experimental simulation. *Social Psychology Quarterly* 51(2), 123–140.
       https://doi.org/10.2307/2786835
    """
    values = {v: set(values_of(G, v, attr)) for v in G}
    internal: Counter = Counter()
    external: Counter = Counter()
    for u, v, w in G.edges(data=weight, default=1.0):
        w = 1.0 if weight is None else float(w)
        for r in values[u] | values[v]:
            if r in values[u] and r in values[v]:
                internal[r] += w
            else:
                external[r] += w
    groups = sorted({r for vals in values.values() for r in vals}, key=str)
    out = {}
    for r in groups:
        i, e = float(internal[r]), float(external[r])
        out[r] = {"internal": i, "external": e, "ei": (e - i) / (e + i) if e + i else None}
    return out
