"""Resilience: how the ecosystem holds together as brokers go, and what-if changes to it."""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence

import networkx as nx
import numpy as np
import scipy as sp
from networkx.utils import not_implemented_for, py_random_state

from ecograph.analysis import backends
from ecograph.analysis._util import GraphLike, as_network, check_nodes, label, positions
from ecograph.analysis.centrality import DEFAULT_SAMPLES, EXACT_NODE_LIMIT, CentralityResult, centrality
from ecograph.projections import Network

__all__ = ["DEFAULT_FRACTIONS", "attack_curve", "what_if"]

DEFAULT_FRACTIONS: tuple[float, ...] = (0.0, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2)


def _largest_after(N: Network, removed: np.ndarray) -> int:
    """Size of the largest connected part once the organisations *removed* (positions) are gone."""
    keep = np.ones(N.n, dtype=bool)
    keep[removed] = False
    if not keep.any():
        return 0
    # The edges left, on all positions: the removed become parts of one, never the largest
    # while anything is left (they are not counted below).
    ok = keep[N.u] & keep[N.v]
    A = sp.sparse.coo_array((np.ones(int(ok.sum())), (N.u[ok], N.v[ok])), shape=(N.n, N.n))
    _, labels = sp.sparse.csgraph.connected_components(A, directed=False)
    return int(np.bincount(labels[keep]).max())


@py_random_state("seed")
def _random_orders(n: int, runs: int, seed: random.Random) -> list[list[int]]:
    """*runs* random orders of all *n* nodes: the same seed, the same orders whatever is measured."""
    return [seed.sample(range(n), n) for _ in range(runs)]


@not_implemented_for("directed")
@not_implemented_for("multigraph")
def attack_curve(
    G: GraphLike,
    *,
    fractions: Sequence[float] = DEFAULT_FRACTIONS,
    ranking: CentralityResult
    | Mapping[Hashable, float]
    | Callable[[], CentralityResult | Mapping[Hashable, float]]
    | None = None,
    runs: int = 5,
    k: int | None = None,
    seed: int = 0,
    backend: str | None = None,
) -> list[dict]:
    """The largest connected part as the top brokers are removed, against random removal.

    The *targeted* attack removes organisations in order of betweenness (computed once on
    the whole graph: a static ranking), the *random* one in random order; both are
    measured after removing each fraction of all organisations.

    Parameters
    ----------
    G : networkx.Graph or Network
        Undirected graph.
    fractions : sequence of float, optional
        Shares of all organisations to remove (default 0, 0.5 %, 1 %, 2 %, 5 %, 10 %, 20 %).
    ranking : CentralityResult, mapping or function, optional
        Node → score to remove by, highest first (default: betweenness, exact or
        sampled as :func:`~ecograph.analysis.centrality.centrality` decides); or a
        function giving one, called once the random removals are measured (the weak-link
        report's betweenness may still be computing in a second process then).
    runs : int, optional (default 5)
        Random orders to average over.
    k, seed, backend : optional
        For the betweenness ranking (see :func:`~ecograph.analysis.centrality.centrality`);
        *seed* also seeds the random orders.

    Returns
    -------
    list of dict
        One row per fraction: ``removed`` (count), ``fraction``, ``targeted`` and
        ``random`` (size of the largest connected part; ``random`` is the mean over the
        runs), ``targeted_share`` and ``random_share`` (of all organisations), and
        ``removed_ids`` (the brokers removed since the previous row, at most 10).

    Examples
    --------
    >>> rows = attack_curve(nx.barbell_graph(5, 1), fractions=(0, 0.1))
    >>> [(r["removed"], r["targeted"], r["removed_ids"]) for r in rows]
    [(0, 11, []), (1, 5, [5])]

    Notes
    -----
    One betweenness ranking, then :math:`O(m)` per row and run (sparse connected
    components).

    References
    ----------
    .. [1] Albert, R., Jeong, H., & Barabási, A.-L. (2000). Error and attack tolerance of
       complex networks. *Nature* 406, 378–382. https://doi.org/10.1038/35019019
    """
    N = as_network(G)
    nodes = N.ids
    n = N.n
    if n == 0:
        return []
    counts = sorted({min(n, max(0, round(f * n))) for f in fractions})
    orders = [np.asarray(o, dtype=np.int64) for o in _random_orders(n, runs, seed)]
    random_sizes = [float(np.mean([_largest_after(N, o[:c]) for o in orders])) for c in counts]
    if callable(ranking):
        ranking = ranking()
    if ranking is None:
        ranking = centrality(N, "betweenness", k=k, seed=seed, backend=backend)
    if isinstance(ranking, CentralityResult) and ranking.ids == nodes:
        score = ranking.array
    else:
        scores = ranking.values if isinstance(ranking, CentralityResult) else ranking
        score = np.fromiter((scores.get(v, 0.0) for v in nodes), dtype=float, count=n)
    # Highest score first, then most partners (a self-loop twice, as networkx counts), then position.
    order = np.lexsort((np.arange(n), -N.degree, -score)).tolist()
    rows, previous = [], 0
    for c, rand in zip(counts, random_sizes, strict=True):
        targeted = _largest_after(N, np.asarray(order[:c], dtype=np.int64))
        rows.append(
            {
                "removed": c,
                "fraction": c / n,
                "targeted": targeted,
                "random": rand,
                "targeted_share": targeted / n,
                "random_share": rand / n,
                "removed_ids": [nodes[i] for i in order[previous:c][:10]],
            }
        )
        previous = c
    return rows


def _metrics(H: nx.Graph, sources: list | None, backend: str) -> dict:
    """Components, largest part, bridges and mean distance of *H*."""
    comps = [len(c) for c in nx.connected_components(H)]
    engine = backends.resolve_backend(backend)
    N = as_network(H)
    if sources is None:
        if engine == "igraph" and N.n:
            mean = N.igraph.average_path_length(directed=False, unconn=True)
        else:
            total = pairs = 0
            for s in H:
                for d in nx.single_source_shortest_path_length(H, s).values():
                    total += d
                    pairs += d > 0
            mean = total / pairs if pairs else math.nan
    else:
        total = pairs = 0.0
        for _, block in backends.distance_blocks(N, positions(N, sources), backend=engine):
            ok = np.isfinite(block) & (block > 0)
            total += block[ok].sum()
            pairs += ok.sum()
        mean = total / pairs if pairs else math.nan
    return {
        "organisations": H.number_of_nodes(),
        "ties": H.number_of_edges(),
        "components": len(comps),
        "largest_component": max(comps, default=0),
        "bridges": len(backends.bridges(N, backend=engine)),
        "average_distance": None if mean != mean else float(mean),
    }


@not_implemented_for("directed")
@not_implemented_for("multigraph")
def what_if(
    G: nx.Graph,
    *,
    remove: Iterable[Hashable] = (),
    add: Iterable[tuple[Hashable, Hashable]] = (),
    k: int | None = None,
    seed: int = 0,
    backend: str | None = None,
) -> dict:
    """What removing organisations and adding proposed ties would change.

    Parameters
    ----------
    G : networkx.Graph
        Undirected graph; it is not changed.
    remove : iterable of nodes, optional
        Organisations to take out (with their ties).
    add : iterable of (u, v), optional
        Proposed ties; pairs already tied, or involving a removed organisation, are
        listed under ``skipped``.
    k : int or None, optional
        Sources to sample for the average distance: None is exact up to
        :data:`~ecograph.analysis.centrality.EXACT_NODE_LIMIT` organisations, else
        :data:`~ecograph.analysis.centrality.DEFAULT_SAMPLES`.
        The same sources, drawn from the organisations left, serve before and after.
    seed : int, optional (default 0)
        Seed for the sampled sources.
    backend : {"auto", "networkx", "igraph"} or None, optional
        For bridges and distances; None reads ``ECOGRAPH_BACKEND``.

    Returns
    -------
    dict
        ``removed`` (ids), ``added`` (pairs), ``skipped`` (pairs), ``method``
        (``"exact"`` or ``"sampled k=… seed=…"``), and ``before``, ``after`` and
        ``change`` (after − before), each with ``organisations``, ``ties``,
        ``components``, ``largest_component``, ``bridges`` and ``average_distance``
        (mean hops between connected organisations; None without any).

    Raises
    ------
    ecograph.errors.UnknownOrganisation
        For an id that is not in the graph.

    Examples
    --------
    >>> result = what_if(nx.barbell_graph(4, 0), add=[(0, 7)])
    >>> result["change"]["bridges"], result["change"]["components"]
    (-1, 0)
    >>> what_if(nx.barbell_graph(4, 0), remove=[3])["after"]["components"]
    2

    Notes
    -----
    Copies the graph's structure, then components and bridges in :math:`O(n + m)` and
    distances in :math:`O(nm)` exact or :math:`O(km)` sampled.
    """
    remove = list(dict.fromkeys(remove))
    add = [tuple(p) for p in add]
    check_nodes(G, remove)
    check_nodes(G, [x for p in add for x in p])
    H = nx.Graph()
    H.add_nodes_from(G)
    H.add_edges_from(G.edges())
    H.remove_nodes_from(remove)
    gone = set(remove)
    added, skipped = [], []
    for u, v in add:
        if u == v or u in gone or v in gone or H.has_edge(u, v):
            skipped.append((u, v))
        else:
            H.add_edge(u, v)
            added.append((u, v))
    n = H.number_of_nodes()
    if k is None:
        samples = None if G.number_of_nodes() <= EXACT_NODE_LIMIT else DEFAULT_SAMPLES
    else:
        samples = None if k >= n else k
    sources = None if samples is None else random.Random(seed).sample(list(H), samples)
    before = _metrics(G, sources, backend)
    after = _metrics(H, sources, backend)
    change = {}
    for key, value in after.items():
        old = before[key]
        change[key] = None if value is None or old is None else value - old
    return {
        "removed": remove,
        "removed_names": [label(G, v) for v in remove],
        "added": added,
        "skipped": skipped,
        "method": "exact" if samples is None else f"sampled k={samples} seed={seed}",
        "before": before,
        "after": after,
        "change": change,
    }
