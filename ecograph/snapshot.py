"""The store's graph as networkx: the full multigraph and the projections analyses use."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import networkx as nx
import numpy as np

from ecograph.model import Collaboration, Organization, category

__all__ = ["EdgeTable", "build_snapshot", "directed", "edge_table", "tie_year", "undirected"]


def tie_year(start: str | None) -> int | None:
    """The year of a ``YYYY`` or ``YYYY-MM-DD`` date, or None."""
    return int(start[:4]) if start else None


def build_snapshot(
    organizations: Iterable[Organization],
    collaborations: Iterable[Collaboration],
    home_country: str,
    **graph_attrs: object,
) -> nx.MultiDiGraph:
    """Every organisation and collaboration as a ``MultiDiGraph``.

    Nodes carry every organisation field plus ``category``; each collaboration is one edge
    from ``source`` to ``target`` keyed by its identity, carrying its fields plus ``year``
    (of ``start``) and ``directed``. Mutual ties are stored once, in the order written;
    :func:`undirected` and :func:`directed` give the views analyses need.
    """
    G = nx.MultiDiGraph(home_country=home_country, **graph_attrs)
    for org in organizations:
        attrs = org.as_dict()
        del attrs["id"]
        attrs["category"] = category(org.kind, org.country, home_country)
        G.add_node(org.id, **attrs)
    for tie in collaborations:
        G.add_edge(
            tie.source,
            tie.target,
            key=tie.key,
            kind=tie.kind,
            weight=tie.weight,
            start=tie.start,
            end=tie.end,
            amount=tie.amount,
            currency=tie.currency,
            evidence=tie.evidence,
            id=tie.id,
            year=tie_year(tie.start),
            directed=tie.directed,
        )
    return G


@dataclass(frozen=True)
class EdgeTable:
    """The snapshot's collaborations as columns, one entry per edge in ``G.edges()`` order.

    ``source`` and ``target`` index :attr:`nodes` (``list(G)``); ``start`` and ``end`` are
    the years of the tie's dates (nan when missing); ``kind`` indexes :attr:`kinds`.
    Analyses that run over many periods mask these columns instead of copying graphs.
    """

    nodes: list
    source: np.ndarray
    target: np.ndarray
    weight: np.ndarray
    start: np.ndarray
    end: np.ndarray
    kind: np.ndarray
    kinds: tuple


def _date_year(date: object) -> float:
    return float(date[:4]) if isinstance(date, str) and date else math.nan


def edge_table(G: nx.MultiDiGraph) -> EdgeTable:
    """The edges of *G* as :class:`EdgeTable` columns (one pass over the edges).

    Examples
    --------
    >>> M = nx.MultiDiGraph()
    >>> M.add_edge("a", "b", kind="mou", start="2019-04-01", end="2021")
    0
    >>> t = edge_table(M)
    >>> t.nodes, t.source.tolist(), t.target.tolist(), t.start.tolist(), t.end.tolist()
    (['a', 'b'], [0], [1], [2019.0], [2021.0])
    """
    nodes = list(G)
    index = {v: i for i, v in enumerate(nodes)}
    m = G.number_of_edges()
    source = np.empty(m, dtype=np.int64)
    target = np.empty(m, dtype=np.int64)
    weight = np.empty(m)
    start = np.empty(m)
    end = np.empty(m)
    kind = np.empty(m, dtype=np.int64)
    kinds: dict = {}
    for i, (u, v, d) in enumerate(G.edges(data=True)):
        source[i] = index[u]
        target[i] = index[v]
        weight[i] = d.get("weight", 1.0)
        year = d.get("year")
        start[i] = year if year is not None else _date_year(d.get("start"))
        end[i] = _date_year(d.get("end"))
        kind[i] = kinds.setdefault(d.get("kind"), len(kinds))
    return EdgeTable(nodes, source, target, weight, start, end, kind, tuple(kinds))


def undirected(
    G: nx.MultiDiGraph,
    *,
    table: EdgeTable | None = None,
    edges: np.ndarray | None = None,
    nodes: np.ndarray | None = None,
) -> nx.Graph:
    """The undirected weighted projection: one edge per pair of organisations.

    Edge attributes: ``weight`` (sum of the ties' weights), ``ties`` (how many),
    ``kinds`` (sorted tuple of tie kinds), ``first_year`` and ``last_year`` (of the ties'
    starts). Pairs come in the order of their first tie, in the orientation it was written.

    Parameters
    ----------
    G : networkx.MultiDiGraph
        A snapshot (:func:`build_snapshot`).
    table : EdgeTable, optional
        :func:`edge_table` of *G*, when the caller already has it.
    edges, nodes : numpy boolean arrays, optional
        Keep only these edges (in ``G.edges()`` order) and nodes (in ``list(G)`` order);
        an edge with an end left out is left out. :func:`ecograph.period.projection`
        passes the ties and organisations of a period.

    Examples
    --------
    >>> M = nx.MultiDiGraph()
    >>> M.add_edge("a", "b", kind="mou", weight=1.0, year=2019)
    0
    >>> M.add_edge("b", "a", kind="research", weight=2.0, year=2021)
    0
    >>> undirected(M).edges["a", "b"]["weight"], undirected(M).edges["a", "b"]["kinds"]
    (3.0, ('mou', 'research'))
    >>> undirected(M, edges=np.array([False, True])).edges["a", "b"]["kinds"]
    ('research',)
    """
    t = table if table is not None else edge_table(G)
    H = nx.Graph(**G.graph)
    if nodes is None:
        H.add_nodes_from(G.nodes(data=True))
    else:
        H.add_nodes_from((v, G.nodes[v]) for v, keep in zip(t.nodes, nodes.tolist(), strict=True) if keep)
    keep = np.ones(len(t.source), dtype=bool) if edges is None else np.asarray(edges, dtype=bool).copy()
    if nodes is not None:
        keep &= nodes[t.source] & nodes[t.target]
    at = np.flatnonzero(keep)
    if not len(at):
        return H
    src, dst = t.source[at], t.target[at]
    n = np.int64(max(len(t.nodes), 1))
    pair = np.minimum(src, dst) * n + np.maximum(src, dst)
    # Each pair once, in the order of its first tie (as a loop over G.edges() would add it).
    _, first, group = np.unique(pair, return_index=True, return_inverse=True)
    order = np.argsort(first, kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    group = rank[group]
    firsts = first[order]
    weight = np.bincount(group, weights=t.weight[at])
    ties = np.bincount(group)
    year = t.start[at]
    by_group = np.argsort(group, kind="stable")
    bounds = np.flatnonzero(np.r_[True, np.diff(group[by_group]) != 0])
    first_year = np.fmin.reduceat(year[by_group], bounds)
    last_year = np.fmax.reduceat(year[by_group], bounds)
    # The kinds of a pair as a bit set, then as the sorted tuple of names (few distinct sets).
    bits = np.bitwise_or.reduceat(np.left_shift(1, t.kind[at])[by_group], bounds)
    spelled: dict[int, tuple] = {}
    for b in np.unique(bits).tolist():
        spelled[b] = tuple(sorted((k for i, k in enumerate(t.kinds) if b >> i & 1), key=str))
    names = t.nodes
    H.add_edges_from(
        (
            names[u],
            names[v],
            {
                "weight": w,
                "ties": c,
                "kinds": spelled[ks],
                "first_year": None if fy != fy else int(fy),
                "last_year": None if ly != ly else int(ly),
            },
        )
        for u, v, w, c, ks, fy, ly in zip(
            src[firsts].tolist(),
            dst[firsts].tolist(),
            weight.tolist(),
            ties.tolist(),
            bits.tolist(),
            first_year.tolist(),
            last_year.tolist(),
            strict=True,
        )
    )
    return H


def directed(G: nx.MultiDiGraph) -> nx.DiGraph:
    """The directed view: directed kinds (investment, spin-off) one way, the others both ways.

    Edge attributes as in :func:`undirected`, summed per direction.
    """
    D = nx.DiGraph(**G.graph)
    D.add_nodes_from(G.nodes(data=True))
    for u, v, data in G.edges(data=True):
        w = data.get("weight", 1.0)
        arcs = ((u, v),) if data.get("directed") else ((u, v), (v, u))
        for a, b in arcs:
            if D.has_edge(a, b):
                D[a][b]["weight"] += w
                D[a][b]["ties"] += 1
            else:
                D.add_edge(a, b, weight=w, ties=1)
    return D
