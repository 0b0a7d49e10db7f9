"""Burt's structural-hole measures (constraint, effective size, efficiency, hierarchy) on sparse matrices."""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable

import numpy as np
import scipy as sp
from networkx.utils import not_implemented_for

from ecograph.analysis._util import GraphLike, as_network, positions, sparse_lookup
from ecograph.projections import Network

__all__ = ["STRUCTURAL_MEASURES", "holes", "structural_holes"]

STRUCTURAL_MEASURES: tuple[str, ...] = ("constraint", "effective_size", "efficiency", "hierarchy")

_BLOCK_PAIRS = 3_000_000  # two-step products expanded per block of rows


def _blocks(rows: np.ndarray, load: np.ndarray):
    """Consecutive slices of *rows* whose summed *load* stays under the block budget."""
    start = 0
    while start < len(rows):
        stop, total = start, 0.0
        while stop < len(rows) and (stop == start or total + load[rows[stop]] <= _BLOCK_PAIRS):
            total += load[rows[stop]]
            stop += 1
        yield rows[start:stop]
        start = stop


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
    holds it all. Constraint and effective size equal networkx's
    :func:`~networkx.constraint` and :func:`~networkx.effective_size`.

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
    Sparse products over blocks of rows: :math:`O(\sum_j d_j^2)` time, memory bounded
    by the block (:func:`holes` gives the four as arrays).

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
    W = N.adjacency(weight)
    strength = np.asarray(W.sum(axis=1)).ravel()
    top = W.max(axis=1).toarray().ravel() if W.nnz else np.zeros(N.n)
    with np.errstate(divide="ignore"):
        P = sp.sparse.csr_array(sp.sparse.diags_array(np.where(strength > 0, 1.0 / strength, 0.0)) @ W)
        M = sp.sparse.csr_array(sp.sparse.diags_array(np.where(top > 0, 1.0 / top, 0.0)) @ W)
    B = N.adjacency()
    degree = np.diff(W.indptr)
    load = B @ degree.astype(np.float64)
    done = 0
    for block in _blocks(wanted, load):
        Pb = sp.sparse.csr_array(P[block])
        Pb.sort_indices()
        local_rows = np.repeat(np.arange(len(block), dtype=np.int64), np.diff(Pb.indptr))
        cols = Pb.indices.astype(np.int64)
        indirect = sparse_lookup(Pb @ P, local_rows, cols)
        shared = sparse_lookup(B[block] @ M, local_rows, cols)
        local = (Pb.data + indirect) ** 2
        k = len(block)
        constraint = np.bincount(local_rows, weights=local, minlength=k)
        redundancy = np.bincount(local_rows, weights=Pb.data * shared, minlength=k)
        contacts = np.diff(Pb.indptr).astype(np.float64)
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = local * contacts[local_rows] / constraint[local_rows]
            terms = np.where(ratio > 0, ratio * np.log(ratio), 0.0)
            spread = np.bincount(local_rows, weights=terms, minlength=k) / (contacts * np.log(contacts))
            size = contacts - redundancy
            here = slice(done, done + k)
            isolated = contacts == 0
            out["constraint"][here] = np.where(isolated, math.nan, constraint)
            out["effective_size"][here] = np.where(isolated, math.nan, size)
            out["efficiency"][here] = np.where(isolated, math.nan, size / contacts)
            out["hierarchy"][here] = np.where(contacts >= 2, spread, math.nan)
        done += k
    return out
