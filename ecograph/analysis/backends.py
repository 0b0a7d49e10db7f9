"""Graph backends: networkx everywhere, igraph as a fast path behind the same functions."""

from __future__ import annotations

import random
import threading
import weakref
from collections.abc import Hashable, Iterator, Sequence
from dataclasses import dataclass, field

import networkx as nx
import numpy as np

from ecograph import settings
from ecograph.errors import UsageError

try:  # igraph is a dependency, but the analyses keep working without it.
    import igraph as ig
except ImportError:  # pragma: no cover - exercised only where igraph is missing
    ig = None

__all__ = [
    "AUTO_MIN_NODES",
    "BACKENDS",
    "IGraphView",
    "articulation_points",
    "betweenness_sums",
    "bridges",
    "clear_cache",
    "closeness",
    "constraint",
    "distance_rows",
    "graph_version",
    "harmonic",
    "louvain",
    "register_cache",
    "resolve_backend",
    "to_igraph",
]

BACKENDS: tuple[str, ...] = ("auto", "networkx", "igraph")
AUTO_MIN_NODES = 500
"""With ``backend="auto"``, graphs with at least this many nodes go to igraph (when installed)."""

_CACHE: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_CACHES: list[weakref.WeakKeyDictionary] = [_CACHE]
_CACHE_LOCK = threading.Lock()
_RNG_LOCK = threading.Lock()


def resolve_backend(backend: str | None = None, G: nx.Graph | None = None) -> str:
    """The backend that will run: ``"networkx"`` or ``"igraph"``.

    Parameters
    ----------
    backend : {"auto", "networkx", "igraph"} or None, optional
        None reads the ``ECOGRAPH_BACKEND`` setting (default ``"auto"``). ``"auto"`` picks
        igraph for graphs of at least :data:`AUTO_MIN_NODES` nodes when it is installed,
        networkx otherwise.
    G : graph, optional
        The graph the work is for (its size decides ``"auto"``).

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
    >>> resolve_backend("auto", nx.path_graph(3))
    'networkx'
    """
    name = (settings.get("backend") if backend is None else backend).strip().lower()
    if name not in BACKENDS:
        raise UsageError(f"Unknown graph backend {name!r}: use one of {', '.join(BACKENDS)}.")
    if name == "auto":
        big = G is not None and G.number_of_nodes() >= AUTO_MIN_NODES
        return "igraph" if (ig is not None and big) else "networkx"
    if name == "igraph" and ig is None:
        raise UsageError(
            "The igraph backend is not installed: pip install igraph, or use --backend networkx."
        )
    return name


@dataclass
class IGraphView:
    """An igraph copy of a networkx graph: vertex ``i`` is ``nodes[i]``."""

    graph: object
    nodes: list
    index: dict
    signature: tuple
    _weights: dict = field(default_factory=dict)

    def weights(self, G: nx.Graph, weight: str | None) -> list[float] | None:
        """Edge weights in igraph's edge order (missing weights count 1), or None."""
        if weight is None:
            return None
        if weight not in self._weights:
            self._weights[weight] = [float(w) for _, _, w in G.edges(data=weight, default=1.0)]
        return self._weights[weight]


def to_igraph(G: nx.Graph) -> IGraphView:
    """The igraph copy of undirected *G*, converted once and cached while *G* lives.

    The cache is keyed on the graph object itself (a weak reference, so frozen graphs work
    and nothing is written into ``G.graph``) and checked with :func:`graph_version`.

    Examples
    --------
    >>> view = to_igraph(nx.path_graph(3))
    >>> view.graph.vcount(), view.graph.ecount(), view.nodes
    (3, 2, [0, 1, 2])
    """
    if ig is None:  # pragma: no cover
        raise UsageError("The igraph backend is not installed.")
    signature = graph_version(G)
    with _CACHE_LOCK:
        view = _CACHE.get(G)
        if view is not None and view.signature == signature:
            return view
    nodes = list(G)
    index = {n: i for i, n in enumerate(nodes)}
    graph = ig.Graph(n=len(nodes), edges=[(index[u], index[v]) for u, v in G.edges()], directed=False)
    view = IGraphView(graph, nodes, index, signature)
    with _CACHE_LOCK:
        _CACHE[G] = view
    return view


_TOKEN = "ecograph.analysis"


def graph_version(G: nx.Graph) -> tuple:
    """What a cached result of *G* must match: its size and a token that networkx drops when *G* changes.

    networkx empties ``G.__networkx_cache__`` whenever its methods change the graph (adding
    or removing nodes and edges, ``set_node_attributes``…); the token lives there, so a
    changed graph gets a new version. Editing ``G.nodes[v]`` in place is not seen: call
    :func:`clear_cache` after that.

    Parameters
    ----------
    G : networkx graph

    Returns
    -------
    tuple
        ``(nodes, edges, token)``.

    Examples
    --------
    >>> G = nx.path_graph(3)
    >>> v = graph_version(G)
    >>> graph_version(G) == v
    True
    >>> G.add_edge(0, 2)
    >>> graph_version(G) == v
    False
    """
    cache = getattr(G, "__networkx_cache__", None)
    token = None
    if isinstance(cache, dict):
        token = cache.get(_TOKEN)
        if token is None:
            token = cache[_TOKEN] = object()
    return G.number_of_nodes(), G.number_of_edges(), token


def register_cache(cache: weakref.WeakKeyDictionary) -> None:
    """Have :func:`clear_cache` empty *cache* too (a per-graph cache of another analysis).

    Parameters
    ----------
    cache : weakref.WeakKeyDictionary
        Graph → cached value; values must not refer to their graph, or it is never freed.
    """
    _CACHES.append(cache)


def clear_cache() -> None:
    """Forget every cached igraph copy and every other per-graph cache of the analyses.

    Examples
    --------
    >>> G = nx.path_graph(3)
    >>> first = to_igraph(G)
    >>> clear_cache()
    >>> to_igraph(G) is first
    False
    """
    with _CACHE_LOCK:
        for cache in _CACHES:
            cache.clear()


def betweenness_sums(
    G: nx.Graph, sources: Sequence[Hashable] | None = None, *, backend: str = "networkx"
) -> dict:
    r"""Unnormalised betweenness over shortest paths (in hops) from *sources*.

    .. math::

       b(v) = \frac{1}{2} \sum_{s \in S} \sum_{t \ne s, v} \frac{\sigma_{st}(v)}{\sigma_{st}}

    with :math:`S` the sources (all nodes by default: each unordered pair counted once),
    as networkx's ``betweenness_centrality_subset`` and igraph's
    ``betweenness(sources=...)`` both give.

    Parameters
    ----------
    G : networkx.Graph
        Undirected graph.
    sources : sequence of nodes, optional
        Sources of the shortest paths (default: every node).
    backend : {"networkx", "igraph"}, optional (default "networkx")
        A resolved backend (see :func:`resolve_backend`).

    Returns
    -------
    dict
        Node → sum.

    Examples
    --------
    >>> betweenness_sums(nx.path_graph(3), backend="igraph")
    {0: 0.0, 1: 1.0, 2: 0.0}
    >>> betweenness_sums(nx.path_graph(3), [0])
    {0: 0.0, 1: 0.5, 2: 0.0}

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
        view = to_igraph(G)
        src = None if sources is None else [view.index[s] for s in sources]
        values = view.graph.betweenness(directed=False, sources=src)
        return dict(zip(view.nodes, values, strict=True))
    if sources is None:
        return nx.betweenness_centrality(G, normalized=False)
    return nx.betweenness_centrality_subset(G, list(sources), list(G), normalized=False)


def _component_sizes(G: nx.Graph) -> dict:
    size = {}
    for comp in nx.connected_components(G):
        for n in comp:
            size[n] = len(comp)
    return size


def closeness(G: nx.Graph, *, backend: str = "networkx") -> dict:
    """Closeness in hops, as networkx defines it (Wasserman–Faust scaling when disconnected).

    Parameters
    ----------
    G : networkx.Graph
        Undirected graph.
    backend : {"networkx", "igraph"}, optional (default "networkx")
        A resolved backend.

    Returns
    -------
    dict
        Node → closeness; 0 for isolates.

    Examples
    --------
    >>> closeness(nx.path_graph(3), backend="igraph")
    {0: 0.6666666666666666, 1: 1.0, 2: 0.6666666666666666}

    Notes
    -----
    One breadth-first search per node: :math:`O(nm)`.
    """
    if backend != "igraph":
        return nx.closeness_centrality(G)
    view = to_igraph(G)
    n = len(view.nodes)
    size = _component_sizes(G)
    values = view.graph.closeness(normalized=True)
    out = {}
    for node, c in zip(view.nodes, values, strict=True):
        r = size[node]
        out[node] = 0.0 if r <= 1 or c != c else c * (r - 1) / (n - 1)
    return out


def harmonic(G: nx.Graph, *, backend: str = "networkx") -> dict:
    """Harmonic centrality in hops, as networkx defines it (the sum of inverse distances).

    Parameters
    ----------
    G : networkx.Graph
        Undirected graph.
    backend : {"networkx", "igraph"}, optional (default "networkx")
        A resolved backend.

    Returns
    -------
    dict
        Node → harmonic centrality.

    Examples
    --------
    >>> harmonic(nx.path_graph(3), backend="igraph")
    {0: 1.5, 1: 2.0, 2: 1.5}

    Notes
    -----
    One breadth-first search per node: :math:`O(nm)`.
    """
    if backend != "igraph":
        return {n: float(v) for n, v in nx.harmonic_centrality(G).items()}
    view = to_igraph(G)
    values = view.graph.harmonic_centrality(normalized=False)
    return {n: float(v) for n, v in zip(view.nodes, values, strict=True)}


def distance_rows(
    G: nx.Graph, sources: Sequence[Hashable], *, backend: str = "networkx", chunk: int = 32
) -> Iterator[tuple[Hashable, np.ndarray]]:
    """For each source, its hop distances to every node, in ``list(G)`` order.

    Parameters
    ----------
    G : networkx.Graph
        Undirected graph.
    sources : sequence of nodes
        Where the breadth-first searches start.
    backend : {"networkx", "igraph"}, optional (default "networkx")
        A resolved backend.
    chunk : int, optional (default 32)
        Sources per igraph call (bounds memory).

    Yields
    ------
    (node, numpy.ndarray)
        The source and its distances; ``inf`` where unreachable.

    Examples
    --------
    >>> G = nx.path_graph(3)
    >>> G.add_node(9)
    >>> [(s, row.tolist()) for s, row in distance_rows(G, [0], backend="igraph")]
    [(0, [0.0, 1.0, 2.0, inf])]

    Notes
    -----
    :math:`O(m)` per source.
    """
    if backend == "igraph":
        view = to_igraph(G)
        for start in range(0, len(sources), chunk):
            part = list(sources[start : start + chunk])
            rows = view.graph.distances(source=[view.index[s] for s in part])
            for s, row in zip(part, rows, strict=True):
                yield s, np.asarray(row, dtype=float)
        return
    index = {n: i for i, n in enumerate(G)}
    for s in sources:
        row = np.full(len(index), np.inf)
        for t, d in nx.single_source_shortest_path_length(G, s).items():
            row[index[t]] = d
        yield s, row


def constraint(G: nx.Graph, *, weight: str | None = "weight", backend: str = "networkx") -> dict:
    """Burt's constraint of every node; nan for isolates.

    Parameters
    ----------
    G : networkx.Graph
        Undirected graph.
    weight : str or None, optional (default "weight")
        Edge attribute holding tie strength.
    backend : {"networkx", "igraph"}, optional (default "networkx")
        A resolved backend; networkx runs
        :func:`~ecograph.analysis.structural.structural_holes`.

    Returns
    -------
    dict
        Node → constraint.

    Examples
    --------
    >>> {v: round(c, 3) for v, c in constraint(nx.star_graph(2), backend="igraph").items()}
    {0: 0.5, 1: 1.0, 2: 1.0}

    Notes
    -----
    :math:`O(\\sum_v d_v^2)`.

    References
    ----------
    .. [1] Burt, R. S. (1992). *Structural Holes: The Social Structure of Competition.*
       Harvard University Press.
    """
    if backend != "igraph":
        from ecograph.analysis.structural import structural_holes

        return {v: s["constraint"] for v, s in structural_holes(G, weight=weight).items()}
    view = to_igraph(G)
    values = view.graph.constraint(weights=view.weights(G, weight))
    return {n: float(v) for n, v in zip(view.nodes, values, strict=True)}


def louvain(
    G: nx.Graph,
    *,
    resolution: float = 1.0,
    seed: random.Random | None = None,
    weight: str | None = "weight",
    backend: str = "networkx",
) -> list[set]:
    """Louvain communities, reproducible for a given *seed*.

    Parameters
    ----------
    G : networkx.Graph
        Undirected graph.
    resolution : float, optional (default 1.0)
        Modularity resolution.
    seed : random.Random, optional
        Random source (default ``random.Random(0)``); igraph draws from it while it runs.
    weight : str or None, optional (default "weight")
        Edge attribute holding tie strength.
    backend : {"networkx", "igraph"}, optional (default "networkx")
        A resolved backend.

    Returns
    -------
    list of set
        The communities, in no particular order (see
        :func:`ecograph.analysis.communities.louvain` for a sorted, described result).

    Examples
    --------
    >>> sorted(sorted(c) for c in louvain(nx.barbell_graph(3, 0), backend="igraph"))
    [[0, 1, 2], [3, 4, 5]]

    Notes
    -----
    About :math:`O(m \\log n)`.

    References
    ----------
    .. [1] Blondel, V. D., Guillaume, J.-L., Lambiotte, R., & Lefebvre, E. (2008). Fast
       unfolding of communities in large networks. *Journal of Statistical Mechanics*
       P10008. https://doi.org/10.1088/1742-5468/2008/10/P10008
    """
    rng = seed if seed is not None else random.Random(0)
    if backend != "igraph":
        return [
            set(c)
            for c in nx.community.louvain_communities(G, weight=weight, resolution=resolution, seed=rng)
        ]
    view = to_igraph(G)
    if view.graph.ecount() == 0:
        return [{n} for n in view.nodes]
    with _RNG_LOCK:
        ig.set_random_number_generator(rng)
        try:
            clustering = view.graph.community_multilevel(
                weights=view.weights(G, weight), resolution=resolution
            )
        finally:
            ig.set_random_number_generator(random)
    groups: dict[int, set] = {}
    for node, label in zip(view.nodes, clustering.membership, strict=True):
        groups.setdefault(label, set()).add(node)
    return list(groups.values())


def bridges(G: nx.Graph, *, backend: str = "networkx") -> list[tuple]:
    """Every bridge of undirected *G*.

    Parameters
    ----------
    G : networkx.Graph
        Undirected graph.
    backend : {"networkx", "igraph"}, optional (default "networkx")
        A resolved backend.

    Returns
    -------
    list of tuple
        The bridges as ``(u, v)``, in the order and orientation of ``G.edges()``.

    Examples
    --------
    >>> bridges(nx.barbell_graph(3, 0), backend="igraph")
    [(2, 3)]

    Notes
    -----
    One depth-first search: :math:`O(n + m)`.
    """
    if backend != "igraph":
        found = set()
        for u, v in nx.bridges(G):
            found.add((u, v))
            found.add((v, u))
        return [(u, v) for u, v in G.edges() if (u, v) in found]
    view = to_igraph(G)
    ids = sorted(view.graph.bridges())
    edges = list(G.edges())  # igraph's edge i is the i-th edge of G
    return [edges[e] for e in ids]


def articulation_points(G: nx.Graph, *, backend: str = "networkx") -> list:
    """Every articulation point of undirected *G*.

    Parameters
    ----------
    G : networkx.Graph
        Undirected graph.
    backend : {"networkx", "igraph"}, optional (default "networkx")
        A resolved backend.

    Returns
    -------
    list
        The articulation points, in the order of ``list(G)``.

    Examples
    --------
    >>> articulation_points(nx.barbell_graph(3, 0), backend="igraph")
    [2, 3]

    Notes
    -----
    One depth-first search: :math:`O(n + m)`.
    """
    if backend != "igraph":
        found = set(nx.articulation_points(G))
    else:
        view = to_igraph(G)
        found = {view.nodes[i] for i in view.graph.articulation_points()}
    return [n for n in G if n in found]
