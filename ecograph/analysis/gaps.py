"""Under-connected groups: observed ties between groups against those expected from their degrees."""

from __future__ import annotations

import math
from collections.abc import Hashable

import numpy as np
import scipy as sp
from networkx.utils import not_implemented_for

from ecograph.analysis._util import GraphLike, as_network
from ecograph.projections import Network

__all__ = ["ei_index", "group_gaps"]


@not_implemented_for("directed")
@not_implemented_for("multigraph")
def group_gaps(
    G: GraphLike,
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
    G : networkx.Graph or Network
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

    >>> import networkx as nx
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
    N = as_network(G)
    degree = N.strength(weight)
    two_m = float(degree.sum())
    if two_m == 0:
        return []
    w = N.edge_column(weight)
    groups, totals, M = _groups(N, attr, degree)
    if across is None:
        # Ties joining {r, s}: (r at one end and s at the other) or the reverse; a tie with
        # both groups at both ends counted once.
        P = _between(M, M, N, w)
        C = _both(M, N)
        both = (C.T @ sp.sparse.diags_array(w) @ C).toarray()
        observed = P + P.T - both
        np.fill_diagonal(observed, np.diag(P))
        pairs = [(i, j) for i in range(len(groups)) for j in range(i, len(groups))]
        others, other_totals = groups, totals
    else:
        others, other_totals, B = _groups(N, across, degree)
        observed = (
            _between(M, B, N, w)
            + _between(B, M, N, w).T
            - (_both(M, N).T @ sp.sparse.diags_array(w) @ _both(B, N)).toarray()
        )
        pairs = [(i, j) for i in range(len(groups)) for j in range(len(others))]
    rows = []
    for i, j in pairs:
        r, s = groups[i], others[j]
        expected = totals[i] * other_totals[j] / (2 * two_m if across is None and i == j else two_m)
        if expected < min_expected or expected == 0:
            continue
        got = float(observed[i, j])
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


def _groups(N: Network, attr: str, degree: np.ndarray) -> tuple[list, list[float], sp.sparse.csr_array]:
    """The groups of *attr* in name order, each group's total degree (an organisation
    listing a value twice counts twice), and organisation × group membership."""
    groups, M = N.members(attr)
    position = {g: i for i, g in enumerate(groups)}
    totals = [0.0] * len(groups)
    for vals, d in zip(N.values(attr), degree.tolist(), strict=True):
        for g in vals:
            totals[position[g]] += d
    return groups, totals, M


def _between(A: sp.sparse.csr_array, B: sp.sparse.csr_array, N: Network, w: np.ndarray) -> np.ndarray:
    """``out[r, s]``: the weight of ties with group *r* of *A* at their first end and group
    *s* of *B* at the second."""
    return (A[N.u].T @ sp.sparse.diags_array(w) @ B[N.v]).toarray()


def _both(M: sp.sparse.csr_array, N: Network) -> sp.sparse.csr_array:
    """Tie × group: 1 where both ends of the tie are in the group."""
    return M[N.u].multiply(M[N.v]).tocsr()


@not_implemented_for("directed")
@not_implemented_for("multigraph")
def ei_index(G: GraphLike, attr: str = "category", *, weight: str | None = None) -> dict[Hashable, dict]:
    r"""Krackhardt and Stern's E–I index of each group: outward against inward ties.

    .. math::

       EI_r = \frac{E_r - I_r}{E_r + I_r}

    where :math:`I_r` counts the ties with both ends in group :math:`r` and :math:`E_r`
    the ties with exactly one end in it. It runs from −1 (all ties inside the group)
    to +1 (all ties leave it).

    Parameters
    ----------
    G : networkx.Graph or Network
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
    >>> import networkx as nx
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
    N = as_network(G)
    w = N.edge_column(weight)
    groups, M = N.members(attr)
    ends = M[N.u] + M[N.v]  # tie × group: how many of its ends are in the group
    internal = (_both(M, N).T @ w).tolist()
    external = ((ends - 2 * _both(M, N)).T @ w).tolist()
    out = {}
    for r, i, e in zip(groups, internal, external, strict=True):
        out[r] = {"internal": i, "external": e, "ei": (e - i) / (e + i) if e + i else None}
    return out
