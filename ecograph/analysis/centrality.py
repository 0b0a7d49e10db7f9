"""Centrality and structural-hole measures of organisations, with the top organisations by any of them."""

from __future__ import annotations

import random
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass

import networkx as nx
import numpy as np
import scipy as sp
from networkx.utils import not_implemented_for, py_random_state

from ecograph.analysis import backends
from ecograph.analysis._util import adjacency, label, sort_key, values_of
from ecograph.analysis.structural import structural_holes
from ecograph.errors import UsageError

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
_IGRAPH_MEASURES = frozenset({"betweenness", "closeness", "harmonic", "constraint"})


@dataclass(frozen=True)
class CentralityResult:
    """The values of one measure for every organisation, and how they were computed.

    Attributes
    ----------
    measure : str
        One of :data:`MEASURES`.
    values : dict
        Node → value. Isolates get 0, except where the measure is undefined for them
        (constraint, effective size, efficiency, hierarchy: nan).
    method : str
        ``"exact"``, or ``"sampled k=256 seed=0"`` for an estimate from *k* sources.
    backend : str
        ``"networkx"`` or ``"igraph"``: the library that computed the values.
    k : int or None
        Sources sampled, or None when exact.
    """

    measure: str
    values: dict
    method: str = "exact"
    backend: str = "networkx"
    k: int | None = None

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


def _plan(G: nx.Graph, k: int | None) -> int | None:
    """The number of sources to sample, or None for an exact computation."""
    n = G.number_of_nodes()
    if k is None:
        return None if n <= EXACT_NODE_LIMIT else DEFAULT_SAMPLES
    if k < 1:
        raise UsageError(f"k must be a positive number of sampled sources, not {k}.")
    return None if k >= n else k


def _betweenness(G: nx.Graph, k: int | None, seed: int, backend: str) -> dict:
    n = G.number_of_nodes()
    if n <= 2:
        return dict.fromkeys(G, 0.0)
    if k is None:
        sums = backends.betweenness_sums(G, backend=backend)
        scale = 2.0 / ((n - 1) * (n - 2))
        return {v: s * scale for v, s in sums.items()}
    sources = _sources(list(G), k, seed)
    sums = backends.betweenness_sums(G, sources, backend=backend)
    chosen = set(sources)
    # Each sampled source contributes its dependency on v; v itself is no source for v.
    return {
        v: 2.0 * s / ((k - (v in chosen)) * (n - 2)) if k > (v in chosen) else 0.0 for v, s in sums.items()
    }


def _sampled_closeness(G: nx.Graph, k: int, seed: int, backend: str, harmonic: bool) -> dict:
    """Closeness or harmonic centrality estimated from *k* sources per large component.

    Components of at most *k* nodes are computed exactly; in a larger component the mean
    distance from a node to the others is estimated by its mean distance to *k* sources
    drawn in that component (Eppstein & Wang 2004); the sources themselves are exact.
    """
    n = G.number_of_nodes()
    order = {v: i for i, v in enumerate(G)}
    out: dict = {}
    rng = random.Random(seed)
    for comp in nx.connected_components(G):
        r = len(comp)
        members = sorted(comp, key=order.__getitem__)
        if r == 1:
            out[members[0]] = 0.0
            continue
        if r <= k:
            for u in members:
                dist = nx.single_source_shortest_path_length(G, u)
                if harmonic:
                    out[u] = float(sum(1.0 / d for d in dist.values() if d > 0))
                else:
                    out[u] = (r - 1) / (n - 1) * (r - 1) / sum(dist.values())
            continue
        sources = _sources(members, k, rng)
        total = np.zeros(n)
        inverse = np.zeros(n)
        count = np.zeros(n)
        exact = {}
        for s, row in backends.distance_rows(G, sources, backend=backend):
            mask = np.isfinite(row) & (row > 0)
            total[mask] += row[mask]
            inverse[mask] += 1.0 / row[mask]
            count[mask] += 1
            # A source's own row gives its exact value.
            far = row[mask]
            exact[s] = (
                float((1.0 / far).sum()) if harmonic else (r - 1) / (n - 1) * (r - 1) / float(far.sum())
            )
        for u in members:
            i = order[u]
            if u in exact:
                out[u] = exact[u]
            elif harmonic:
                out[u] = float((r - 1) * inverse[i] / count[i])
            else:
                out[u] = float((r - 1) / (n - 1) * count[i] / total[i])
    return {v: out[v] for v in G}


def _eigenvector(G: nx.Graph, weight: str | None) -> dict:
    """Eigenvector centrality on the largest connected component; 0 elsewhere.

    The same principal eigenvector as networkx's ``eigenvector_centrality_numpy``, found
    with the symmetric (Lanczos) solver on the cached adjacency matrix.
    """
    values = dict.fromkeys(G, 0.0)
    if G.number_of_edges() == 0:
        return values
    nodes, pos, A = adjacency(G, weight)
    comp = max(nx.connected_components(G), key=len)
    index = np.sort(np.fromiter((pos[v] for v in comp), dtype=np.int64, count=len(comp)))
    sub = A[index][:, index]
    if len(index) >= 20:
        _, vectors = sp.sparse.linalg.eigsh(sub, k=1, which="LA")
    else:
        _, vectors = np.linalg.eigh(sub.toarray())
    vector = np.abs(vectors[:, -1])
    vector /= np.linalg.norm(vector)
    values.update(zip((nodes[i] for i in index), vector.tolist(), strict=True))
    return values


@not_implemented_for("directed")
@not_implemented_for("multigraph")
def centrality(
    G: nx.Graph,
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
    G : networkx.Graph
        Undirected graph, such as :func:`ecograph.snapshot.undirected` of a snapshot.
    measure : str
        One of :data:`MEASURES`.
    k : int or None, optional (default None)
        Sources to sample for betweenness, closeness and harmonic. None: exact up to
        :data:`EXACT_NODE_LIMIT` nodes, else :data:`DEFAULT_SAMPLES` sources.
    seed : int, optional (default 0)
        Seed for the sampled sources.
    backend : {"auto", "networkx", "igraph"} or None, optional
        Library for betweenness, closeness, harmonic and constraint; None reads the
        ``ECOGRAPH_BACKEND`` setting. Both give the same values for the same sources.
    weight : str or None, optional (default "weight")
        Edge attribute holding tie strength, for strength, eigenvector, pagerank and the
        structural-hole measures. Path-based measures count hops: a tie's weight is its
        strength, not its length.

    Returns
    -------
    CentralityResult
        The values with the measure, method (exact or sampled) and backend.

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
    engine = backends.resolve_backend(backend, G) if measure in _IGRAPH_MEASURES else "networkx"
    if isinstance(seed, random.Random):
        raise UsageError("seed must be an int, so that the method can be reported.")
    samples = _plan(G, k) if measure in _PATH_MEASURES else None
    if measure == "degree":
        values = {v: float(d) for v, d in G.degree()}
    elif measure == "strength":
        values = {v: float(d) for v, d in G.degree(weight=weight)}
    elif measure == "betweenness":
        values = _betweenness(G, samples, seed, engine)
    elif measure in ("closeness", "harmonic"):
        harmonic = measure == "harmonic"
        if samples is None:
            values = (backends.harmonic if harmonic else backends.closeness)(G, backend=engine)
        else:
            values = _sampled_closeness(G, samples, seed, engine, harmonic)
    elif measure == "eigenvector":
        values = _eigenvector(G, weight)
    elif measure == "pagerank":
        values = nx.pagerank(G, weight=weight) if len(G) else {}
    elif measure == "kcore":
        values = {v: float(c) for v, c in nx.core_number(G).items()}
    elif measure == "constraint":
        values = backends.constraint(G, weight=weight, backend=engine)
    else:  # effective_size, efficiency, hierarchy
        values = {v: s[measure] for v, s in structural_holes(G, weight=weight).items()}
    method = "exact" if samples is None else f"sampled k={samples} seed={seed}"
    return CentralityResult(measure, values, method, engine, samples)


def top_nodes(
    G: nx.Graph,
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
    G : networkx graph
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
        is nan are left out.

    Examples
    --------
    >>> G = nx.Graph([("a", "b"), ("b", "c")])
    >>> nx.set_node_attributes(G, {"a": "startup", "b": "university", "c": "startup"}, "category")
    >>> [(r["id"], r["value"]) for r in top_nodes(G, centrality(G, "degree"), n=2)]
    [('b', 2.0), ('a', 1.0)]
    >>> [r["id"] for r in top_nodes(G, centrality(G, "degree"), category="startup")]
    ['a', 'c']
    """
    if isinstance(values, CentralityResult):
        if descending is None:
            descending = values.descending
        values = values.values
    if descending is None:
        descending = True
    filters = [
        (attr, {wanted} if isinstance(wanted, str) else set(wanted))
        for attr, wanted in (
            ("category", category),
            ("kind", kind),
            ("province", province),
            ("sectors", sector),
        )
        if wanted is not None
    ]
    keep = []
    for v, x in values.items():
        if x is None or x != x:  # nan
            continue
        if filters and not all(wanted.intersection(values_of(G, v, attr)) for attr, wanted in filters):
            continue
        keep.append(v)
    keep.sort(key=sort_key(values, G, descending))
    if n is not None:
        keep = keep[:n]
    return [
        {
            "rank": i,
            "id": v,
            "name": label(G, v),
            "category": G.nodes[v].get("category"),
            "kind": G.nodes[v].get("kind"),
            "province": G.nodes[v].get("province"),
            "sectors": list(values_of(G, v, "sectors")),
            "value": float(values[v]),
        }
        for i, v in enumerate(keep, start=1)
    ]
