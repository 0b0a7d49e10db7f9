"""Burt's structural-hole measures (constraint, effective size, efficiency, hierarchy) on sparse matrices."""

from __future__ import annotations

import itertools
import math
from collections.abc import Hashable, Iterable

import numpy as np
from networkx.utils import not_implemented_for

from ecograph.analysis._util import GraphLike, as_network, positions
from ecograph.projections import Network

__all__ = ["STRUCTURAL_MEASURES", "holes", "structural_holes"]

STRUCTURAL_MEASURES: tuple[str, ...] = ("constraint", "effective_size", "efficiency", "hierarchy")


@not_implemented_for("directed")
@not_implemented_for("multigraph")
def structural_holes(
    G: GraphLike, *, nodes: Iterable[Hashable] | None = None, weight: str | None = "weight"
) -> dict[Hashable, dict[str, float]]:
    r"""Burt's four structural-hole measures of each organisation, in one pass.

    With :math:`p_{ij}` the share of :math:`i`'s tie strength invested in :math:`j`,
    :math:`m_{jq}` the strength of :math:`j`'s tie to :math:`q` divided by :math:`j`'s
    strongest tie, :math:`N(i)` the contacts of :math:`i` and :math:`n_i = |N(i)|`:

    .. math::

       c_{ij} &= \Big(p_{ij} + \sum_{q} p_{iq} p_{qj}\Big)^2, \qquad
       C_i = \sum_{j \in N(i)} c_{ij} \\
       E_i &= \sum_{j \in N(i)} \Big(1 - \sum_{q \in N(i)} p_{iq} m_{jq}\Big), \qquad
       \mathit{eff}_i = E_i / n_i \\
       H_i &= \frac{\sum_j \frac{c_{ij}}{C_i / n_i} \ln \frac{c_{ij}}{C_i / n_i}}{n_i \ln n_i}

    *Constraint* :math:`C_i` is low for a broker whose contacts are not tied to each
    other; *effective size* :math:`E_i` counts contacts less their redundancy;
    *efficiency* is effective size per contact; *hierarchy* :math:`H_i` is 0 when
    constraint is spread evenly over the contacts and tends to 1 when one contact
    holds it all. Neither a tie to itself nor a tie of weight 0 is a contact. Constraint
    and effective size equal networkx's :func:`~networkx.constraint` and
    :func:`~networkx.effective_size` on graphs without either.

    Parameters
    ----------
    G : networkx.Graph or Network
        Undirected graph.
    nodes : iterable, optional
        Only these organisations (default: all).
    weight : str or None, optional (default "weight")
        Edge attribute holding tie strength; None counts every tie as 1.

    Returns
    -------
    dict
        Node → ``{"constraint", "effective_size", "efficiency", "hierarchy"}``. All are
        nan for an isolate; hierarchy is nan with fewer than two contacts.

    Raises
    ------
    ecograph.errors.UnknownOrganisation
        For a node in *nodes* that is not in *G*.

    Examples
    --------
    The centre of a star has no redundant contact and spreads its constraint evenly:

    >>> import networkx as nx
    >>> s = structural_holes(nx.star_graph(3))
    >>> {k: round(v, 3) for k, v in s[0].items()}
    {'constraint': 0.333, 'effective_size': 3.0, 'efficiency': 1.0, 'hierarchy': 0.0}

    Notes
    -----
    The two-step sums of a tie (i, j) run over the contacts *i* and *j* share, so they
    are sums over the network's triangles (:attr:`~ecograph.projections.Network.triangles`,
    listed once per network): :math:`O(m + t)` for *t* triangles after the listing, all
    in numpy (:func:`holes` gives the four as arrays).

    References
    ----------
    .. [1] Burt, R. S. (1992). *Structural Holes: The Social Structure of Competition.*
       Harvard University Press.
    .. [2] Borgatti, S. P. (1997). Structural holes: Unpacking Burt's redundancy
       measures. *Connections* 20(1), 35–38.
    """
    N = as_network(G)
    wanted = np.arange(N.n) if nodes is None else np.asarray(positions(N, nodes), dtype=np.int64)
    found = holes(N, wanted, weight=weight)
    columns = [found[m].tolist() for m in STRUCTURAL_MEASURES]
    return {
        N.ids[i]: dict(zip(STRUCTURAL_MEASURES, values, strict=True))
        for i, *values in zip(wanted.tolist(), *columns, strict=True)
    }


def holes(
    N: Network, wanted: np.ndarray | None = None, *, weight: str | None = "weight"
) -> dict[str, np.ndarray]:
    """:func:`structural_holes` as arrays: measure → values of the organisations at *wanted*
    (positions; default all), in that order."""
    wanted = np.arange(N.n) if wanted is None else np.asarray(wanted, dtype=np.int64)
    out = {m: np.full(len(wanted), math.nan) for m in STRUCTURAL_MEASURES}
    if N.n == 0 or len(wanted) == 0:
        return out
    # One entry per tie and direction (i, j), in the adjacency's order.
    W = N.adjacency(weight)
    rows = np.repeat(np.arange(N.n, dtype=np.int64), np.diff(W.indptr))
    cols = W.indices.astype(np.int64)
    strength = np.bincount(rows, weights=W.data, minlength=N.n)
    top = W.max(axis=1).toarray().ravel() if W.nnz else np.zeros(N.n)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = np.where(strength[rows] > 0, W.data / strength[rows], 0.0)  # p_ij
        m = np.where(top[rows] > 0, W.data / top[rows], 0.0)  # m_ij
    # The two-step sums over q run over the contacts i and j share: the triangles (i, j, q).
    indirect = np.zeros(len(p))
    shared = np.zeros(len(p))
    T = N.triangles
    if len(T):
        width = np.int64(N.n)
        keys = rows * width + cols  # sorted: the adjacency is in canonical order

        def entry(x: np.ndarray, y: np.ndarray) -> np.ndarray:
            return np.searchsorted(keys, x * width + y)

        for i, j, q in itertools.permutations(range(3)):
            ij, iq, qj = entry(T[:, i], T[:, j]), entry(T[:, i], T[:, q]), entry(T[:, q], T[:, j])
            indirect += np.bincount(ij, weights=p[iq] * p[qj], minlength=len(p))
            shared += np.bincount(ij, weights=m[qj], minlength=len(p))
    # A contact is a tie with a share of the strength (a tie of weight 0 is none).
    contact = p != 0
    local = np.where(contact, (p + indirect) ** 2, 0.0)
    contacts = np.bincount(rows[contact], minlength=N.n).astype(np.float64)
    constraint = np.bincount(rows, weights=local, minlength=N.n)
    redundancy = np.bincount(rows, weights=p * shared, minlength=N.n)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = local * contacts[rows] / constraint[rows]
        terms = np.where(contact & (ratio > 0), ratio * np.log(ratio), 0.0)
        spread = np.bincount(rows, weights=terms, minlength=N.n) / (contacts * np.log(contacts))
        size = contacts - redundancy
        isolated = contacts == 0
        values = {
            "constraint": np.where(isolated, math.nan, constraint),
            "effective_size": np.where(isolated, math.nan, size),
            "efficiency": np.where(isolated, math.nan, size / contacts),
            "hierarchy": np.where(contacts >= 2, spread, math.nan),
        }
    return {k: v[wanted] for k, v in values.items()}
