"""Centrality and structural-hole measures of organisations, with the top organisations by any of them."""

from __future__ import annotations

import contextlib
import functools
import math
import random
import threading
from collections.abc import Hashable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property

import networkx as nx
import numpy as np
import scipy as sp
from networkx.utils import not_implemented_for, py_random_state
from threadpoolctl import ThreadpoolController

from ecograph.analysis import backends
from ecograph.analysis._util import GraphLike, as_network, ranked
from ecograph.analysis.structural import holes
from ecograph.errors import UsageError
from ecograph.projections import Network

__all__ = [
    "DEFAULT_SAMPLES",
    "EXACT_NODE_LIMIT",
    "LOW_IS_CENTRAL",
    "MEASURES",
    "NORMALISATION",
    "CentralityResult",
    "centrality",
    "top_nodes",
]

MEASURES: tuple[str, ...] = (
    "degree",
    "strength",
    "betweenness",
    "closeness",
    "harmonic",
    "eigenvector",
    "pagerank",
    "kcore",
    "constraint",
    "effective_size",
    "efficiency",
    "hierarchy",
)
NORMALISATION: dict[str, str] = {
    "degree": "number of partners, not divided by n − 1",
    "strength": "sum of tie weights, not normalised",
    "betweenness": "share of the (n − 1)(n − 2)/2 pairs of other organisations whose shortest paths "
    "pass through it (0 to 1); paths count hops, not weights",
    "closeness": "(r − 1)/Σd over the r organisations it reaches, times (r − 1)/(n − 1) "
    "(Wasserman–Faust, as networkx); distances in hops",
    "harmonic": "Σ 1/d over the other organisations, not divided by n − 1; distances in hops",
    "eigenvector": "principal eigenvector of the weighted adjacency on the largest connected part, "
    "unit length there (sum of squares 1); 0 elsewhere",
    "pagerank": "PageRank with damping 0.85 over tie weights; the values sum to 1",
    "kcore": "core number, an integer",
    "constraint": "Burt's constraint over tie weights: 1 for a single contact, lower for contacts "
    "not tied to each other (1.125 in a closed triangle); undefined for isolates",
    "effective_size": "Burt's effective size over tie weights, in contacts; undefined for isolates",
    "efficiency": "effective size divided by the number of contacts (0 to 1); undefined for isolates",
    "hierarchy": "Burt's hierarchy, 0 to 1; undefined for isolates and single-contact organisations",
}
"""How each measure's values are scaled: said in ``ecograph centrality --help``, its JSON
output and the README."""

LOW_IS_CENTRAL: frozenset[str] = frozenset({"constraint", "hierarchy"})
"""Measures whose *lowest* values mark the brokers (the top of a ranking is the lowest)."""

EXACT_NODE_LIMIT = 5000
"""Path-based measures are exact up to this many nodes, sampled above it (unless ``k`` is given)."""
DEFAULT_SAMPLES = 256
"""Sources sampled for path-based measures above :data:`EXACT_NODE_LIMIT` nodes."""

_PATH_MEASURES = frozenset({"betweenness", "closeness", "harmonic"})
_SCIPY = "scipy"  # numpy and scipy's sparse matrices: Burt's measures and the eigenvector
_THREADS_LOCK = threading.Lock()


@dataclass(frozen=True, eq=False)
class CentralityResult:
    """The values of one measure for every organisation, and how they were computed.

    Attributes
    ----------
    measure : str
        One of :data:`MEASURES`.
    ids : list
        The organisations, in the order of :attr:`array`.
    array : numpy.ndarray
        Their values. Isolates get 0, except where the measure is undefined for them
        (constraint, effective size, efficiency, hierarchy: nan).
    method : str
        ``"exact"``, or ``"sampled k=256 seed=0"`` for an estimate from *k* sources.
    backend : str
        The library that computed the values: ``"igraph"``, ``"scipy"`` (ecograph's own
        sparse-matrix code) or ``"networkx"``.
    k : int or None
        Sources sampled, or None when exact.
    """

    measure: str
    ids: list
    array: np.ndarray = field(repr=False)
    method: str = "exact"
    backend: str = "networkx"
    k: int | None = None

    @cached_property
    def values(self) -> dict:
        """Node → value, made from :attr:`array` when first asked for."""
        return dict(zip(self.ids, self.array.tolist(), strict=True))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, CentralityResult):
            return NotImplemented
        same = (self.measure, self.ids, self.method, self.backend, self.k)
        theirs = (other.measure, other.ids, other.method, other.backend, other.k)
        return same == theirs and np.array_equal(self.array, other.array, equal_nan=True)

    __hash__ = None  # type: ignore[assignment]

    @property
    def exact(self) -> bool:
        """True when the values are exact, False when estimated from sampled sources."""
        return self.k is None

    @property
    def descending(self) -> bool:
        """True when high values mark the central organisations (False for constraint, hierarchy)."""
        return self.measure not in LOW_IS_CENTRAL


@py_random_state("seed")
def _sources(nodes: list, k: int, seed: random.Random) -> list:
    """*k* nodes drawn without replacement, reproducibly for a given seed."""
    return seed.sample(nodes, k)


def _plan(N: Network, k: int | None) -> int | None:
    """The number of sources to sample, or None for an exact computation."""
    n = N.n
    if k is None:
        return None if n <= EXACT_NODE_LIMIT else DEFAULT_SAMPLES
    if k < 1:
        raise UsageError(f"k must be a positive number of sampled sources, not {k}.")
    return None if k >= n else k


SOURCE_BLOCK = 32
"""Sampled betweenness sums the paths from this many sources at a time, then adds the blocks
in order: the weak-link report's two processes can share the blocks and still give the sums
of one process (each block's are igraph's, whoever computes them)."""


def betweenness_sources(N: Network, k: int | None = None, seed: int = 0) -> list[int] | None:
    """The positions betweenness's shortest paths start from: None for every node (exact),
    else the sources sampled for *k* and *seed* (see :func:`centrality`)."""
    samples = _plan(N, k)
    return None if samples is None else _sources(list(range(N.n)), samples, seed)


def source_blocks(sources: list[int]) -> list[list[int]]:
    """*sources* in blocks of :data:`SOURCE_BLOCK`, whose sums :func:`add_blocks` adds."""
    return [sources[i : i + SOURCE_BLOCK] for i in range(0, len(sources), SOURCE_BLOCK)]


def add_blocks(parts: list[np.ndarray]) -> np.ndarray:
    """The sums of the blocks of :func:`source_blocks`, added in block order."""
    total = np.array(parts[0], dtype=float)
    for part in parts[1:]:
        total += part
    return total


def betweenness_from(
    N: Network, sums: np.ndarray, *, k: int | None = None, seed: int = 0, backend: str | None = None
) -> CentralityResult:
    """``centrality(N, "betweenness", k=k, seed=seed, backend=backend)`` from its unnormalised
    *sums* over the paths from :func:`betweenness_sources`, computed elsewhere (by igraph in a
    second process: :mod:`ecograph.graph_worker`)."""
    engine = backends.resolve_backend(backend)
    samples = _plan(N, k)
    values = _betweenness(N, samples, seed, engine, sums)
    return CentralityResult("betweenness", N.ids, values, _method(samples, seed), engine, samples)


def _method(samples: int | None, seed: int) -> str:
    return "exact" if samples is None else f"sampled k={samples} seed={seed}"


def _betweenness(
    N: Network, k: int | None, seed: int, backend: str, sums: np.ndarray | None = None
) -> np.ndarray:
    n = N.n
    if n <= 2:
        return np.zeros(n)
    sources = None if k is None else _sources(list(range(n)), k, seed)
    if sums is None and sources is None:
        sums = backends.betweenness_sums(N, backend=backend)
    elif sums is None:
        sums = add_blocks([backends.betweenness_sums(N, b, backend=backend) for b in source_blocks(sources)])
    if k is None:
        return sums * (2.0 / ((n - 1) * (n - 2)))
    # Each sampled source contributes its dependency on v; v itself is no source for v.
    chosen = np.zeros(n, dtype=np.int64)
    chosen[sources] = 1
    others = k - chosen
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(others > 0, 2.0 * sums / (others * (n - 2)), 0.0)


def _sampled_closeness(N: Network, k: int, seed: int, backend: str, harmonic: bool) -> np.ndarray:
    """Closeness or harmonic centrality estimated from *k* sources per large component.

    Components of at most *k* nodes are computed exactly; in a larger component the mean
    distance from a node to the others is estimated by its mean distance to *k* sources
    drawn in that component (Eppstein & Wang 2004); the sources themselves are exact.
    """
    n = N.n
    out = np.zeros(n)
    count, labels = N.components
    sizes = np.bincount(labels, minlength=count)
    small = sizes[labels] <= k
    if small.any():
        # Exact within each small component: the same measure on the small components alone.
        part = N.select(small)
        inside = (backends.harmonic if harmonic else backends.closeness)(part, backend=backend)
        if not harmonic:  # closeness scales by the reachable share of the whole graph
            inside = inside * (part.n - 1) / (n - 1) if n > 1 else inside
        out[small] = inside
    rng = random.Random(seed)
    members_of = np.argsort(labels, kind="stable")
    bounds = np.concatenate(([0], np.cumsum(sizes)))
    for c in np.flatnonzero(sizes > k).tolist():
        members = members_of[bounds[c] : bounds[c + 1]]
        r = len(members)
        sources = _sources(members.tolist(), k, rng)
        # Sums over the sources of each member's distance (or its inverse) to them: every
        # distance within the component is finite, and 0 only from a source to itself.
        total, inverse = np.zeros(r), np.zeros(r)
        own = []  # each source's own row: its exact sum
        for _, block in backends.distance_blocks(N, sources, members, backend=backend):
            inverted = np.divide(1.0, block, out=np.zeros_like(block), where=block > 0)
            total += block.sum(axis=0)
            inverse += inverted.sum(axis=0)
            own.append((inverted if harmonic else block).sum(axis=1))
        exact = np.concatenate(own)
        with np.errstate(divide="ignore", invalid="ignore"):
            if harmonic:
                out[members] = (r - 1) * inverse / k
            else:
                out[members] = (r - 1) / (n - 1) * k / total
                exact = (r - 1) / (n - 1) * (r - 1) / exact
        out[sources] = exact
    return out


@functools.cache
def _thread_pools() -> ThreadpoolController:
    """The thread pools of the libraries loaded: igraph's OpenMP, and the BLAS that scipy's
    eigensolver calls (looked up once: a few ms)."""
    import scipy.sparse.linalg  # noqa: F401 - loads its BLAS

    return ThreadpoolController()


@contextlib.contextmanager
def _one_thread(user_api: str) -> Iterator[None]:
    """*user_api*'s (``"blas"``, ``"openmp"``) thread pools limited to one thread.

    ARPACK's vector operations and PRPACK's iterations gain a few milliseconds from a
    second thread on a quiet machine, and on a busy one the threads' waits cost several
    times the work: at 50,000 organisations under load, 0.4-1.2 s of CPU for the
    eigenvector's solver and 0.07-0.86 s for PageRank, against 0.08 s each on one thread.
    The limit is the process's: one caller at a time.
    """
    with _THREADS_LOCK, _thread_pools().limit(limits=1, user_api=user_api):
        yield


def _eigenvector(N: Network, weight: str | None) -> np.ndarray:
    """Eigenvector centrality on the largest connected component; 0 elsewhere.

    The same principal eigenvector as networkx's ``eigenvector_centrality_numpy``, found
    with the symmetric (Lanczos) solver on the weighted adjacency matrix.
    """
    values = np.zeros(N.n)
    if N.m == 0 or not N.partners.any():
        return values
    A = N.adjacency(weight)
    count, labels = N.components
    largest = int(np.argmax(np.bincount(labels, minlength=count)))
    index = np.flatnonzero(labels == largest)
    sub = A[index][:, index]
    if len(index) >= 20:
        with _one_thread("blas"):
            _, vectors = sp.sparse.linalg.eigsh(sub, k=1, which="LA")
    else:
        _, vectors = np.linalg.eigh(sub.toarray())
    vector = np.abs(vectors[:, -1])
    values[index] = vector / np.linalg.norm(vector)
    return values


def _networkx(N: Network, measure: str, weight: str | None) -> np.ndarray:
    """networkx's own computation of the measures that are not path-based: the reference."""
    G = N.to_networkx()
    if measure in ("degree", "strength"):
        found = dict(G.degree(weight=weight if measure == "strength" else None))
    elif measure == "eigenvector":
        found = dict.fromkeys(G, 0.0)
        part = max(nx.connected_components(G), key=len, default=())
        if len(part) == 2:  # one tie: networkx's sparse solver refuses a 2 × 2 matrix
            found.update(dict.fromkeys(part, math.sqrt(0.5)))
        elif len(part) > 2:
            found.update(nx.eigenvector_centrality_numpy(G.subgraph(part), weight=weight))
    elif measure == "pagerank":
        found = nx.pagerank(G, weight=weight, tol=1e-12)  # networkx's default stops ~1e-6 short
    elif measure == "kcore":
        found = nx.core_number(G)
    elif measure == "constraint":
        found = nx.constraint(G, weight=weight)
    elif measure in ("effective_size", "efficiency"):
        # Weighted, Burt's formula as written (networkx's weighted variant normalises the
        # contacts' ties otherwise and misses the published values of Borgatti 1997).
        found = nx.effective_size(G) if weight is None else {v: _effective_size(G, v, weight) for v in G}
        if measure == "efficiency":
            found = {v: x / G.degree(v) if G.degree(v) else math.nan for v, x in found.items()}
    else:  # hierarchy: Burt's formula over networkx's local constraint
        found = {v: _hierarchy(G, v, weight) for v in G}
    return np.fromiter((float(found[v]) for v in N.ids), dtype=float, count=N.n)


def _effective_size(G: nx.Graph, v: Hashable, weight: str) -> float:
    """Burt's effective size of *v*: each contact *j* less its redundancy, the sum over the
    other contacts *q* of *v*'s share of ties to *q* times *j*'s tie to *q* relative to
    *j*'s strongest tie."""
    contacts = [w for w in G[v] if w != v]
    if not contacts:
        return math.nan

    def tie(a, b):
        return G[a][b].get(weight, 1.0) if G.has_edge(a, b) else 0.0

    total = sum(tie(v, q) for q in contacts)
    strongest = {j: max(tie(j, x) for x in G[j] if x != j) for j in contacts}
    return sum(
        1 - sum(tie(v, q) / total * tie(j, q) / strongest[j] for q in contacts if q != j) for j in contacts
    )


def _hierarchy(G: nx.Graph, v: Hashable, weight: str | None) -> float:
    contacts = [w for w in G[v] if w != v]
    if len(contacts) < 2:
        return math.nan
    local = [nx.local_constraint(G, v, w, weight=weight) for w in contacts]
    mean, k = sum(local) / len(local), len(local)
    return sum((c / mean) * math.log(c / mean) for c in local if c > 0) / (k * math.log(k))


@not_implemented_for("directed")
@not_implemented_for("multigraph")
def centrality(
    G: GraphLike,
    measure: str,
    *,
    k: int | None = None,
    seed: int = 0,
    backend: str | None = None,
    weight: str | None = "weight",
) -> CentralityResult:
    r"""One centrality or structural-hole measure for every organisation.

    ``degree``
        Number of partners.
    ``strength``
        Sum of tie weights.
    ``betweenness``
        Share of shortest paths between other pairs that pass through the node,
        :math:`\sum_{s \ne v \ne t} \sigma_{st}(v) / \sigma_{st}` over
        :math:`(n-1)(n-2)/2` pairs.
    ``closeness``
        Inverse mean distance to reachable nodes, scaled by the reachable share
        (Wasserman–Faust, as networkx).
    ``harmonic``
        :math:`\sum_{u \ne v} 1 / d(u, v)`.
    ``eigenvector``
        Principal eigenvector of the weighted adjacency (as
        :func:`networkx.eigenvector_centrality_numpy`), on the largest connected part:
        other organisations get 0.
    ``pagerank``
        PageRank with damping 0.85.
    ``kcore``
        Core number: the largest *k* such that the node is in the *k*-core.
    ``constraint``
        Burt's constraint :math:`C_i = \sum_j (p_{ij} + \sum_q p_{iq} p_{qj})^2`; low
        values mark brokers across structural holes.
    ``effective_size``
        Burt's effective size: contacts less their redundancy.
    ``efficiency``
        Burt's efficiency: effective size divided by the number of contacts.
    ``hierarchy``
        Burt's hierarchy: how far one contact concentrates the constraint.

    The last four are Burt's structural-hole measures; see
    :func:`~ecograph.analysis.structural.structural_holes` for their definitions.

    Parameters
    ----------
    G : Network or networkx.Graph
        Undirected graph: a workspace's :class:`~ecograph.projections.Network`, or a
        networkx graph such as :func:`ecograph.snapshot.undirected` of a snapshot.
    measure : str
        One of :data:`MEASURES`.
    k : int or None, optional (default None)
        Sources to sample for betweenness, closeness and harmonic. None: exact up to
        :data:`EXACT_NODE_LIMIT` nodes, else :data:`DEFAULT_SAMPLES` sources.
    seed : int, optional (default 0)
        Seed for the sampled sources.
    backend : {"auto", "networkx", "igraph"} or None, optional
        None reads the ``ECOGRAPH_BACKEND`` setting. ``"networkx"`` runs networkx's own
        algorithm of every measure (the reference); ``"igraph"`` (what ``"auto"`` picks
        when igraph is installed) runs igraph's for the path-based measures, PageRank,
        k-core and constraint, and ecograph's numpy and scipy code for degree, strength,
        the eigenvector and Burt's other three measures. The result's ``backend`` says which
        ran; all give the same values (for the same sampled sources).
    weight : str or None, optional (default "weight")
        Edge attribute holding tie strength, for strength, eigenvector, pagerank and the
        structural-hole measures. Path-based measures count hops: a tie's weight is its
        strength, not its length.

    Returns
    -------
    CentralityResult
        The values (an array in node order, and as a dict), with the measure, method
        (exact or sampled) and backend.

    Raises
    ------
    ecograph.errors.UsageError
        For an unknown measure or backend, or *k* below 1.

    Examples
    --------
    >>> G = nx.barbell_graph(3, 0)
    >>> result = centrality(G, "betweenness")
    >>> result.method, round(result.values[2], 3)
    ('exact', 0.6)
    >>> round(centrality(G, "constraint").values[2], 3)
    0.611

    Notes
    -----
    Exact betweenness is :math:`O(nm)`; with *k* sources :math:`O(km)`. Closeness and
    harmonic estimated from *k* sources per large component (Eppstein & Wang 2004).
    Constraint, effective size and hierarchy use sparse products, :math:`O(\sum_v d_v^2)`.

    References
    ----------
    .. [1] Burt, R. S. (1992). *Structural Holes: The Social Structure of Competition.*
       Harvard University Press.
    .. [2] Brandes, U. (2001). A faster algorithm for betweenness centrality. *Journal of
       Mathematical Sociology* 25(2), 163–177. https://doi.org/10.1080/0022250X.2001.9990249
    .. [3] Eppstein, D., & Wang, J. (2004). Fast approximation of centrality. *Journal of
       Graph Algorithms and Applications* 8(1), 39–45.
    """
    if measure not in MEASURES:
        raise UsageError(f"Unknown measure {measure!r}: use one of {', '.join(MEASURES)}.")
    engine = backends.resolve_backend(backend)
    if isinstance(seed, random.Random):
        raise UsageError("seed must be an int, so that the method can be reported.")
    N = as_network(G)
    samples = _plan(N, k) if measure in _PATH_MEASURES else None
    values, used = _compute(N, measure, samples, seed, engine, weight)
    return CentralityResult(measure, N.ids, values, _method(samples, seed), used, samples)


def _compute(
    N: Network, measure: str, samples: int | None, seed: int, engine: str, weight: str | None
) -> tuple[np.ndarray, str]:
    """The values of *measure* in node order, and the backend that computed them."""
    if measure == "betweenness":
        return _betweenness(N, samples, seed, engine), engine
    if measure in ("closeness", "harmonic"):
        harmonic = measure == "harmonic"
        if samples is None:
            return (backends.harmonic if harmonic else backends.closeness)(N, backend=engine), engine
        return _sampled_closeness(N, samples, seed, engine, harmonic), engine
    if engine == "networkx":
        return _networkx(N, measure, weight), engine
    if measure == "degree":
        return N.degree.astype(float), "numpy"
    if measure == "strength":
        return N.strength(weight), "numpy"
    if measure == "eigenvector":
        return _eigenvector(N, weight), _SCIPY
    if measure == "pagerank":
        if N.n == 0:
            return np.zeros(0), engine
        with _one_thread("openmp"):  # PRPACK's
            found = N.igraph.pagerank(weights=N.igraph_weights(weight), damping=0.85)
        return np.asarray(found), engine
    if measure == "kcore":
        return np.asarray(N.igraph.coreness(), dtype=float), engine
    if measure == "constraint":
        return backends.constraint(N, weight=weight, backend=engine), engine
    return holes(N, weight=weight)[measure], _SCIPY


def top_nodes(
    G: GraphLike,
    values: CentralityResult | Mapping[Hashable, float],
    *,
    n: int | None = 10,
    category: str | Iterable[str] | None = None,
    kind: str | Iterable[str] | None = None,
    sector: str | Iterable[str] | None = None,
    province: str | Iterable[str] | None = None,
    descending: bool | None = None,
) -> list[dict]:
    """The top organisations by a measure, filtered by category, kind, sector or province.

    Parameters
    ----------
    G : Network or networkx graph
        The graph the values belong to (for names and attributes).
    values : CentralityResult or mapping
        Node → value, e.g. ``centrality(G, "betweenness")``.
    n : int or None, optional (default 10)
        How many rows; None for all.
    category, kind, sector, province : str or iterable of str, optional
        Keep organisations with one of these values (an organisation with several
        sectors matches any of them).
    descending : bool or None, optional
        High values first; None takes it from the result (constraint and hierarchy rank
        lowest first) or True for a plain mapping.

    Returns
    -------
    list of dict
        ``rank``, ``id``, ``name``, ``category``, ``kind``, ``province``, ``sectors``
        (list) and ``value``, best first; ties broken by name then id. Nodes whose value
        is nan (or that have none) are left out.

    Examples
    --------
    >>> G = nx.Graph([("a", "b"), ("b", "c")])
    >>> nx.set_node_attributes(G, {"a": "startup", "b": "university", "c": "startup"}, "category")
    >>> [(r["id"], r["value"]) for r in top_nodes(G, centrality(G, "degree"), n=2)]
    [('b', 2.0), ('a', 1.0)]
    >>> [r["id"] for r in top_nodes(G, centrality(G, "degree"), category="startup")]
    ['a', 'c']
    """
    N = as_network(G)
    if isinstance(values, CentralityResult):
        if descending is None:
            descending = values.descending
        array = values.array if values.ids == N.ids else _aligned(N, values.values)
    else:
        array = _aligned(N, values)
    if descending is None:
        descending = True
    among = None
    for attr, wanted in (("category", category), ("kind", kind), ("province", province), ("sectors", sector)):
        if wanted is None:
            continue
        wanted = {wanted} if isinstance(wanted, str) else set(wanted)
        match = np.fromiter((not wanted.isdisjoint(vals) for vals in N.values(attr)), dtype=bool, count=N.n)
        among = match if among is None else among & match
    order = ranked(N, array, descending, among)
    if n is not None:
        order = order[:n]
    category_of, kind_of, province_of = N.column("category"), N.column("kind"), N.column("province")
    sectors = N.values("sectors")
    return [
        {
            "rank": rank,
            "id": N.ids[i],
            "name": N.names[i],
            "category": category_of[i],
            "kind": kind_of[i],
            "province": province_of[i],
            "sectors": list(sectors[i]),
            "value": float(array[i]),
        }
        for rank, i in enumerate(order.tolist(), start=1)
    ]


def _aligned(N: Network, values: Mapping[Hashable, float]) -> np.ndarray:
    """*values* in *N*'s node order; nan for an organisation without one."""
    out = np.full(N.n, math.nan)
    index = N.index
    for v, x in values.items():
        i = index.get(v)
        if i is not None and x is not None:
            out[i] = x
    return out
