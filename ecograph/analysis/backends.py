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
    "harmonic",
    "louvain",
    "resolve_backend",
    "to_igraph",
]

BACKENDS: tuple[str, ...] = ("auto", "networkx", "igraph")
AUTO_MIN_NODES = 500
"""With ``backend="auto"``, graphs with at least this many nodes go to igraph (when installed)."""

_CACHE: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
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
        raise UsageError("The igraph backend is not installed: pip install igraph, or use --backend networkx.")
    return name


@dataclass
class IGraphView:
    """An igraph copy of a networkx graph: vertex ``i`` is ``nodes[i]``."""

    graph: object
    nodes: list
    index: dict
    signature: tuple[int, int]
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
    and nothing is written into ``G.graph``) and checked against the node and edge counts;
    call :func:`clear_cache` after changing a graph in place without changing its size.

    Examples
    --------
    >>> view = to_igraph(nx.path_graph(3))
    >>> view.graph.vcount(), view.graph.ecount(), view.nodes
    (3, 2, [0, 1, 2])
    """
    if ig is None:  # pragma: no cover
        raise UsageError("The igraph backend is not installed.")
    signature = (G.number_of_nodes(), G.number_of_edges())
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


def clear_cache() -> None:
    """Forget every cached igraph copy."""
    with _CACHE_LOCK:
        _CACHE.clear()


def betweenness_sums(
    G: nx.Graph, sources: Sequence[Hashable] | None = None, *, backend: str = "networkx"
) -> dict:
    """Unnormalised betweenness over shortest paths from *sources* (all nodes when None).

    Each unordered pair is counted once when *sources* is None; with *sources*, the sum is
    half the dependency of the sources on each node, as networkx's
    ``betweenness_centrality_subset`` and igraph's ``betweenness(sources=...)`` both give.
    Paths are counted in hops.
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
    """Closeness in hops, networkx's definition (Wasserman–Faust scaling for disconnected graphs)."""
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
    """Harmonic centrality in hops, networkx's definition (sum of inverse distances)."""
    if backend != "igraph":
        return {n: float(v) for n, v in nx.harmonic_centrality(G).items()}
    view = to_igraph(G)
    values = view.graph.harmonic_centrality(normalized=False)
    return {n: float(v) for n, v in zip(view.nodes, values, strict=True)}


def distance_rows(
    G: nx.Graph, sources: Sequence[Hashable], *, backend: str = "networkx", chunk: int = 32
) -> Iterator[tuple[Hashable, np.ndarray]]:
    """For each source, its hop distances to every node in ``list(G)`` order (inf: unreachable)."""
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
    """Burt's constraint; nan for isolates. igraph and networkx give the same values."""
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
    """Louvain communities (Blondel et al. 2008), reproducible for a given *seed*."""
    rng = seed if seed is not None else random.Random(0)
    if backend != "igraph":
        return [set(c) for c in nx.community.louvain_communities(G, weight=weight, resolution=resolution, seed=rng)]
    view = to_igraph(G)
    if view.graph.ecount() == 0:
        return [{n} for n in view.nodes]
    with _RNG_LOCK:
        ig.set_random_number_generator(rng)
        try:
            clustering = view.graph.community_multilevel(weights=view.weights(G, weight), resolution=resolution)
        finally:
            ig.set_random_number_generator(random)
    groups: dict[int, set] = {}
    for node, label in zip(view.nodes, clustering.membership, strict=True):
        groups.setdefault(label, set()).add(node)
    return list(groups.values())


def bridges(G: nx.Graph, *, backend: str = "networkx") -> list[tuple]:
    """Every bridge of undirected *G* as ``(u, v)``, in the order of ``G.edges()``."""
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
    """Every articulation point of undirected *G*, in the order of ``list(G)``."""
    if backend != "igraph":
        found = set(nx.articulation_points(G))
    else:
        view = to_igraph(G)
        found = {view.nodes[i] for i in view.graph.articulation_points()}
    return [n for n in G if n in found]
