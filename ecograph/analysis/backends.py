"""Graph backends: igraph (and numpy/scipy) as the fast path, networkx as the tested reference.

Every function here takes a :class:`~ecograph.projections.Network` and a resolved backend
name, works on positions, and returns numpy arrays in node order: the analyses turn them
into results keyed by organisation.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Iterator, Sequence

import networkx as nx
import numpy as np

from ecograph import settings
from ecograph.errors import UsageError
from ecograph.projections import Network, ig

__all__ = [
    "BACKENDS",
    "COMMUNITY_METHODS",
    "articulation_points",
    "betweenness_sums",
    "bridges",
    "closeness",
    "communities",
    "constraint",
    "distance_blocks",
    "harmonic",
    "resolve_backend",
]

BACKENDS: tuple[str, ...] = ("auto", "networkx", "igraph")
COMMUNITY_METHODS: tuple[str, ...] = ("louvain", "leiden")

_RNG_LOCK = threading.Lock()


def resolve_backend(backend: str | None = None) -> str:
    """The backend that will run: ``"networkx"`` or ``"igraph"``.

    Parameters
    ----------
    backend : {"auto", "networkx", "igraph"} or None, optional
        None reads the ``ECOGRAPH_BACKEND`` setting (default ``"auto"``). ``"auto"`` is
        igraph when it is installed (the fastest here), networkx otherwise; ``"networkx"``
        runs networkx's own algorithms, the reference the others are tested against.

    Returns
    -------
    str
        ``"networkx"`` or ``"igraph"``.

    Raises
    ------
    ecograph.errors.UsageError
        For an unknown backend name, or ``"igraph"`` when igraph is not installed.

    Examples
    --------
    >>> resolve_backend("networkx")
    'networkx'
    >>> resolve_backend("auto")
    'igraph'
    """
    name = (settings.get("backend") if backend is None else backend).strip().lower()
    if name not in BACKENDS:
        raise UsageError(f"Unknown graph backend {name!r}: use one of {', '.join(BACKENDS)}.")
    if name == "auto":
        return "igraph" if ig is not None else "networkx"
    if name == "igraph" and ig is None:
        raise UsageError(
            "The igraph backend is not installed: pip install igraph, or use --backend networkx."
        )
    return name


def _in_order(N: Network, values: dict) -> np.ndarray:
    return np.fromiter((values[v] for v in N.ids), dtype=float, count=N.n)


def betweenness_sums(
    N: Network, sources: Sequence[int] | None = None, *, backend: str = "igraph"
) -> np.ndarray:
    r"""Unnormalised betweenness over shortest paths (in hops) from *sources*.

    .. math::

       b(v) = \frac{1}{2} \sum_{s \in S} \sum_{t \ne s, v} \frac{\sigma_{st}(v)}{\sigma_{st}}

    with :math:`S` the sources (all nodes by default: each unordered pair counted once),
    as networkx's ``betweenness_centrality_subset`` and igraph's
    ``betweenness(sources=...)`` both give.

    Parameters
    ----------
    N : Network
    sources : sequence of int, optional
        Positions of the sources of the shortest paths (default: every node).
    backend : {"networkx", "igraph"}, optional (default "igraph")
        A resolved backend (see :func:`resolve_backend`).

    Returns
    -------
    numpy.ndarray
        The sum of each node, in node order.

    Examples
    --------
    >>> betweenness_sums(Network.from_networkx(nx.path_graph(3))).tolist()
    [0.0, 1.0, 0.0]
    >>> betweenness_sums(Network.from_networkx(nx.path_graph(3)), [0], backend="networkx").tolist()
    [0.0, 0.5, 0.0]

    Notes
    -----
    Brandes' algorithm: :math:`O(|S| m)`.

    References
    ----------
    .. [1] Brandes, U. (2008). On variants of shortest-path betweenness centrality and their
       generic computation. *Social Networks* 30(2), 136–145.
       https://doi.org/10.1016/j.socnet.2007.11.001
    """
    if backend == "igraph":
        src = None if sources is None else [int(s) for s in sources]
        return np.asarray(N.igraph.betweenness(directed=False, sources=src), dtype=float)
    G = N.to_networkx()
    if sources is None:
        return _in_order(N, nx.betweenness_centrality(G, normalized=False))
    chosen = [N.ids[s] for s in sources]
    return _in_order(N, nx.betweenness_centrality_subset(G, chosen, list(G), normalized=False))


def closeness(N: Network, *, backend: str = "igraph") -> np.ndarray:
    """Closeness in hops, as networkx defines it (Wasserman–Faust scaling when disconnected).

    Parameters
    ----------
    N : Network
    backend : {"networkx", "igraph"}, optional (default "igraph")
        A resolved backend.

    Returns
    -------
    numpy.ndarray
        Each node's closeness, in node order; 0 for isolates.

    Examples
    --------
    >>> closeness(Network.from_networkx(nx.path_graph(3))).tolist()
    [0.6666666666666666, 1.0, 0.6666666666666666]

    Notes
    -----
    One breadth-first search per node: :math:`O(nm)`.
    """
    if backend != "igraph":
        return _in_order(N, nx.closeness_centrality(N.to_networkx()))
    n = N.n
    if n <= 1:
        return np.zeros(n)
    _, labels = N.components
    size = np.bincount(labels)[labels]
    values = np.asarray(N.igraph.closeness(normalized=True), dtype=float)
    with np.errstate(invalid="ignore"):
        out = values * (size - 1) / (n - 1)
    return np.where((size <= 1) | np.isnan(values), 0.0, out)


def harmonic(N: Network, *, backend: str = "igraph") -> np.ndarray:
    """Harmonic centrality in hops, as networkx defines it (the sum of inverse distances).

    Examples
    --------
    >>> harmonic(Network.from_networkx(nx.path_graph(3))).tolist()
    [1.5, 2.0, 1.5]

    Notes
    -----
    One breadth-first search per node: :math:`O(nm)`.
    """
    if backend != "igraph":
        return _in_order(N, {v: float(x) for v, x in nx.harmonic_centrality(N.to_networkx()).items()})
    return np.asarray(N.igraph.harmonic_centrality(normalized=False), dtype=float)


def distance_blocks(
    N: Network,
    sources: Sequence[int],
    targets: Sequence[int] | None = None,
    *,
    backend: str = "igraph",
    chunk: int = 64,
) -> Iterator[tuple[list[int], np.ndarray]]:
    """Hop distances from *sources* to *targets* (positions), a block of sources at a time.

    Parameters
    ----------
    N : Network
    sources : sequence of int
        Where the breadth-first searches start.
    targets : sequence of int, optional
        The columns of each block (default: every node, in node order).
    backend : {"networkx", "igraph"}, optional (default "igraph")
        A resolved backend.
    chunk : int, optional (default 64)
        Sources per block: a block holds ``chunk × len(targets)`` floats, whatever the
        number of sources.

    Yields
    ------
    (list of int, numpy.ndarray)
        The block's sources and their distances, one row per source and one column per
        target; ``inf`` where unreachable.

    Examples
    --------
    >>> G = nx.path_graph(3)
    >>> G.add_node(9)
    >>> [(s, block.tolist()) for s, block in distance_blocks(Network.from_networkx(G), [0, 2])]
    [([0, 2], [[0.0, 1.0, 2.0, inf], [2.0, 1.0, 0.0, inf]])]
    >>> [block.tolist() for _, block in distance_blocks(Network.from_networkx(G), [1], [0, 2])]
    [[[1.0, 1.0]]]

    Notes
    -----
    :math:`O(m)` per source. igraph answers a block with one call, as nested lists turned
    into one array, the only copy made.
    """
    sources = [int(s) for s in sources]
    columns = None if targets is None else [int(t) for t in targets]
    width = N.n if columns is None else len(columns)
    for start in range(0, len(sources), chunk):
        part = sources[start : start + chunk]
        if backend == "igraph":
            found = N.igraph.distances(source=part, target=columns)
            yield part, np.array(found, dtype=float).reshape(len(part), width)
            continue
        G, index = N.to_networkx(), N.index
        block = np.full((len(part), N.n), np.inf)
        for row, s in zip(block, part, strict=True):
            for t, d in nx.single_source_shortest_path_length(G, N.ids[s]).items():
                row[index[t]] = d
        yield part, block if columns is None else block[:, columns]


def constraint(N: Network, *, weight: str | None = "weight", backend: str = "igraph") -> np.ndarray:
    """Burt's constraint of every node (igraph's, or networkx's); nan for isolates.

    Examples
    --------
    >>> [round(c, 3) for c in constraint(Network.from_networkx(nx.star_graph(2))).tolist()]
    [0.5, 1.0, 1.0]

    Notes
    -----
    :math:`O(\\sum_v d_v^2)`.

    References
    ----------
    .. [1] Burt, R. S. (1992). *Structural Holes: The Social Structure of Competition.*
       Harvard University Press.
    """
    if backend != "igraph":
        values = nx.constraint(N.to_networkx(), weight=weight)
        return _in_order(N, values)
    values = np.asarray(N.igraph.constraint(weights=N.igraph_weights(weight)), dtype=float)
    return np.where(N.partners > 0, values, np.nan)


def communities(
    N: Network,
    *,
    method: str = "louvain",
    resolution: float = 1.0,
    seed: random.Random | None = None,
    weight: str | None = "weight",
    backend: str = "igraph",
) -> np.ndarray:
    """Community labels by Louvain or Leiden modularity optimisation, reproducible for a *seed*.

    Parameters
    ----------
    N : Network
    method : {"louvain", "leiden"}, optional (default "louvain")
        Leiden refines Louvain's communities so that each is connected (two rounds, as
        igraph's default); it needs igraph.
    resolution : float, optional (default 1.0)
        Modularity resolution.
    seed : random.Random, optional
        Random source (default ``random.Random(0)``); igraph draws from it while it runs.
    weight : str or None, optional (default "weight")
        Edge attribute holding tie strength.
    backend : {"networkx", "igraph"}, optional (default "igraph")
        A resolved backend.

    Returns
    -------
    numpy.ndarray
        Each node's community label (labels in no particular order: see
        :func:`ecograph.analysis.communities.louvain` for a sorted, described result).

    Examples
    --------
    >>> labels = communities(Network.from_networkx(nx.barbell_graph(3, 0)))
    >>> len(set(labels[:3].tolist())), bool(labels[0] != labels[5])
    (1, True)

    Notes
    -----
    About :math:`O(m \\log n)`.

    References
    ----------
    .. [1] Blondel, V. D., Guillaume, J.-L., Lambiotte, R., & Lefebvre, E. (2008). Fast
       unfolding of communities in large networks. *Journal of Statistical Mechanics*
       P10008. https://doi.org/10.1088/1742-5468/2008/10/P10008
    .. [2] Traag, V. A., Waltman, L., & van Eck, N. J. (2019). From Louvain to Leiden:
       guaranteeing well-connected communities. *Scientific Reports* 9, 5233.
       https://doi.org/10.1038/s41598-019-41695-z
    """
    if method not in COMMUNITY_METHODS:
        raise UsageError(f"Unknown community method {method!r}: use one of {', '.join(COMMUNITY_METHODS)}.")
    rng = seed if seed is not None else random.Random(0)
    if backend != "igraph":
        if method == "leiden":
            raise UsageError(
                "Leiden communities need igraph (networkx has no Leiden of its own); use louvain."
            )
        found = nx.community.louvain_communities(
            N.to_networkx(), weight=weight, resolution=resolution, seed=rng
        )
        labels = np.empty(N.n, dtype=np.int64)
        index = N.index
        for c, members in enumerate(found):
            labels[[index[v] for v in members]] = c
        return labels
    if N.m == 0:
        return np.arange(N.n, dtype=np.int64)
    g, weights = N.igraph, N.igraph_weights(weight)
    with _RNG_LOCK:
        ig.set_random_number_generator(rng)
        try:
            if method == "leiden":
                found = g.community_leiden(
                    objective_function="modularity", weights=weights, resolution=resolution
                )
            else:
                found = g.community_multilevel(weights=weights, resolution=resolution)
        finally:
            ig.set_random_number_generator(random)
    return np.asarray(found.membership, dtype=np.int64)


def bridges(N: Network, *, backend: str = "igraph") -> np.ndarray:
    """The positions, in ``N``'s edge order, of every bridge.

    Examples
    --------
    >>> N = Network.from_networkx(nx.barbell_graph(3, 0))
    >>> [(N.ids[N.u[k]], N.ids[N.v[k]]) for k in bridges(N)]
    [(2, 3)]

    Notes
    -----
    One depth-first search: :math:`O(n + m)`.
    """
    if backend != "igraph":
        found = set()
        for a, b in nx.bridges(N.to_networkx()):
            found.add((a, b))
            found.add((b, a))
        ids = N.ids
        return np.array(
            [
                k
                for k, (a, b) in enumerate(zip(N.u.tolist(), N.v.tolist(), strict=True))
                if (ids[a], ids[b]) in found
            ],
            dtype=np.int64,
        )
    return np.sort(np.asarray(N.igraph.bridges(), dtype=np.int64))


def articulation_points(N: Network, *, backend: str = "igraph") -> np.ndarray:
    """The positions of every articulation point, ascending.

    Examples
    --------
    >>> articulation_points(Network.from_networkx(nx.barbell_graph(3, 0))).tolist()
    [2, 3]

    Notes
    -----
    One depth-first search: :math:`O(n + m)`.
    """
    if backend != "igraph":
        found = set(nx.articulation_points(N.to_networkx()))
        return np.array([i for i, v in enumerate(N.ids) if v in found], dtype=np.int64)
    return np.sort(np.asarray(N.igraph.articulation_points(), dtype=np.int64))
