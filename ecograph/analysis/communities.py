"""Communities (Louvain), their make-up, and the few ties and organisations that link them."""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from networkx.utils import not_implemented_for

from ecograph.analysis import backends
from ecograph.analysis._util import MAKEUP_ATTRS, GraphLike, as_network, describe_at, group_makeups
from ecograph.projections import Network

__all__ = ["Partition", "community_links", "community_profiles", "louvain", "modularity"]


@dataclass(frozen=True)
class Partition:
    """Communities of a graph, largest first, with how they were found.

    Attributes
    ----------
    communities : list of frozenset
        The communities, largest first (ties broken by their first node in graph order);
        community *i* in every result is ``communities[i]``.
    membership : dict
        Node → community number.
    modularity : float
        Newman–Girvan modularity of the partition (at the resolution used).
    method : str
        E.g. ``"louvain resolution=1.0 seed=0"``.
    backend : str
        ``"networkx"`` or ``"igraph"``.
    """

    communities: list[frozenset]
    membership: dict = field(repr=False)
    modularity: float = 0.0
    method: str = ""
    backend: str = "networkx"


@not_implemented_for("directed")
@not_implemented_for("multigraph")
def louvain(
    G: GraphLike,
    *,
    method: str = "louvain",
    resolution: float = 1.0,
    seed: int = 0,
    weight: str | None = "weight",
    backend: str | None = None,
) -> Partition:
    r"""Communities by Louvain modularity optimisation, reproducible for a seed.

    Louvain greedily moves nodes between communities while modularity

    .. math::

       Q = \frac{1}{2m} \sum_{ij} \left(A_{ij} - \gamma \frac{k_i k_j}{2m}\right)
           \delta(c_i, c_j)

    grows, then merges each community into one node and repeats.

    Parameters
    ----------
    G : networkx.Graph or Network
        Undirected graph.
    method : {"louvain", "leiden"}, optional (default "louvain")
        Leiden (Traag et al. 2019) refines Louvain's moves so that every community is
        connected; it needs igraph.
    resolution : float, optional (default 1.0)
        :math:`\gamma`: above 1 favours smaller communities, below 1 larger ones.
    seed : int, optional (default 0)
        Seed for the order nodes are visited in.
    weight : str or None, optional (default "weight")
        Edge attribute holding tie strength; None counts every tie as 1.
    backend : {"auto", "networkx", "igraph"} or None, optional
        None reads ``ECOGRAPH_BACKEND``. The two find partitions of about the same
        modularity, not always the same partition.

    Returns
    -------
    Partition

    Examples
    --------
    >>> import networkx as nx
    >>> p = louvain(nx.barbell_graph(5, 0))
    >>> [sorted(c) for c in p.communities], round(p.modularity, 3)
    ([[0, 1, 2, 3, 4], [5, 6, 7, 8, 9]], 0.452)

    Notes
    -----
    About :math:`O(m \log n)`. Isolates are communities of one.

    References
    ----------
    .. [1] Blondel, V. D., Guillaume, J.-L., Lambiotte, R., & Lefebvre, E. (2008). Fast
       unfolding of communities in large networks. *Journal of Statistical Mechanics*
       P10008. https://doi.org/10.1088/1742-5468/2008/10/P10008
    """
    engine = backends.resolve_backend(backend)
    N = as_network(G)
    labels = backends.communities(
        N, method=method, resolution=resolution, seed=random.Random(seed), weight=weight, backend=engine
    )
    return partition_of(
        N, labels, method=method, resolution=resolution, seed=seed, weight=weight, backend=engine
    )


def partition_of(
    N: Network,
    labels: np.ndarray,
    *,
    method: str = "louvain",
    resolution: float = 1.0,
    seed: int = 0,
    weight: str | None = "weight",
    backend: str = "igraph",
) -> Partition:
    """The :class:`Partition` that :func:`louvain` makes of the community *labels* it found
    (one per organisation, in node order) with these parameters: from a second process
    (:mod:`ecograph.graph_worker`), the same as found here."""
    groups: dict[int, list] = defaultdict(list)
    for v, c in zip(N.ids, labels.tolist(), strict=True):
        groups[c].append(v)
    # Largest first, then by the first member in graph order (groups fill in that order).
    first = {c: N.index[members[0]] for c, members in groups.items()}
    order = sorted(groups, key=lambda c: (-len(groups[c]), first[c]))
    comms = [frozenset(groups[c]) for c in order]
    membership = {v: i for i, c in enumerate(comms) for v in c}
    q = modularity(N, labels, weight=weight, resolution=resolution)
    return Partition(comms, membership, q, f"{method} resolution={resolution} seed={seed}", backend)


def modularity(
    N: Network, labels: np.ndarray, *, weight: str | None = "weight", resolution: float = 1.0
) -> float:
    r"""Newman–Girvan modularity of the communities *labels* (one per organisation), as
    :func:`networkx.community.modularity` computes it: :math:`\sum_c L_c / m - \gamma (d_c / 2m)^2`
    with :math:`L_c` the weight inside community *c*, :math:`d_c` its total strength and
    :math:`m` the total weight; 0 without ties.

    Examples
    --------
    >>> import networkx as nx
    >>> round(modularity(Network.from_networkx(nx.barbell_graph(3, 0)), np.array([0, 0, 0, 1, 1, 1])), 4)
    0.3571
    """
    w = N.edge_column(weight)
    m = float(w.sum())
    if N.m == 0 or m == 0:
        return 0.0
    labels = np.asarray(labels, dtype=np.int64)
    count = int(labels.max()) + 1
    inside = labels[N.u] == labels[N.v]
    weight_in = np.bincount(labels[N.u[inside]], weights=w[inside], minlength=count)
    degree = np.bincount(labels, weights=N.strength(weight), minlength=count)
    return float((weight_in / m - resolution * (degree / (2 * m)) ** 2).sum())


def _labels(N: Network, partition: Partition) -> np.ndarray:
    """Each organisation's community number, in *N*'s node order."""
    member = partition.membership
    return np.fromiter((member[v] for v in N.ids), dtype=np.int64, count=N.n)


def community_profiles(
    G: GraphLike,
    partition: Partition,
    *,
    attrs: Sequence[str] = (*MAKEUP_ATTRS, "sectors"),
    top: int = 5,
    min_size: int = 2,
) -> list[dict]:
    """Each community's size, make-up, outward ties and the organisations holding them.

    Parameters
    ----------
    G : networkx.Graph or Network
        The graph the partition is of.
    partition : Partition
        From :func:`louvain`.
    attrs : sequence of str, optional
        Node attributes to count (default category, province, sectors).
    top : int, optional (default 5)
        How many hubs and linking organisations to list.
    min_size : int, optional (default 2)
        Leave out smaller communities (isolates are communities of one).

    Returns
    -------
    list of dict
        Largest first: ``community``, ``size``, ``internal_ties``, ``external_ties``,
        ``makeup``, ``hubs`` (most partners inside) and ``linkers`` (organisations with
        the most ties to other communities, each with ``id``, ``name``, ``category``,
        ``province``, ``outside_ties`` and ``communities`` reached).

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.barbell_graph(4, 0)
    >>> profiles = community_profiles(G, louvain(G))
    >>> [(p["size"], p["internal_ties"], p["external_ties"], p["linkers"][0]["id"]) for p in profiles]
    [(4, 6, 1, 3), (4, 6, 1, 4)]
    """
    N = as_network(G)
    labels = _labels(N, partition)
    count = len(partition.communities)
    a, b = labels[N.u], labels[N.v]
    inside = a == b
    internal = np.bincount(a[inside], minlength=count)
    external = np.bincount(a[~inside], minlength=count) + np.bincount(b[~inside], minlength=count)
    inside_degree = np.bincount(N.u[inside], minlength=N.n) + np.bincount(N.v[inside], minlength=N.n)
    # Each organisation's ties to other communities, and the distinct communities they reach.
    holder = np.concatenate((N.u[~inside], N.v[~inside]))
    reached = np.concatenate((b[~inside], a[~inside]))
    outside = np.bincount(holder, minlength=N.n)
    width = np.int64(max(count, 1))
    pairs = np.unique(holder * width + reached)
    reach_of, reach_to = pairs // width, pairs % width
    reach_start = np.searchsorted(reach_of, np.arange(N.n + 1))
    wanted = np.flatnonzero(np.array([len(c) >= min_size for c in partition.communities], dtype=bool))
    picked = np.full(count, -1, dtype=np.int64)
    picked[wanted] = np.arange(len(wanted))
    makeups = group_makeups(N, picked[labels], len(wanted), attrs)
    # Members of each community in node order.
    order = np.argsort(labels, kind="stable")
    starts = np.concatenate(([0], np.cumsum(np.bincount(labels, minlength=count))))
    rows = []
    for k, i in enumerate(wanted.tolist()):
        ordered = order[starts[i] : starts[i + 1]]
        hubs = ordered[np.argsort(-inside_degree[ordered], kind="stable")][:top]
        linking = ordered[outside[ordered] > 0]
        linkers = linking[np.argsort(-outside[linking], kind="stable")][:top]
        rows.append(
            {
                "community": i,
                "size": len(partition.communities[i]),
                "internal_ties": int(internal[i]),
                "external_ties": int(external[i]),
                "makeup": makeups[k],
                "hubs": [{**describe_at(N, v), "inside_ties": int(inside_degree[v])} for v in hubs.tolist()],
                "linkers": [
                    {
                        **describe_at(N, v),
                        "outside_ties": int(outside[v]),
                        "communities": reach_to[reach_start[v] : reach_start[v + 1]].tolist(),
                    }
                    for v in linkers.tolist()
                ],
            }
        )
    return rows


def community_links(
    G: GraphLike,
    partition: Partition,
    *,
    max_ties: int | None = None,
    min_size: int = 2,
    list_ties: int = 5,
) -> list[dict]:
    """Pairs of communities and the ties between them, fewest ties first.

    A pair joined by one or two ties is fragile: losing them separates the communities'
    collaboration. Pairs with no tie at all are not listed.

    Parameters
    ----------
    G : networkx.Graph or Network
        The graph the partition is of.
    partition : Partition
        From :func:`louvain`.
    max_ties : int or None, optional
        Only pairs joined by at most this many ties.
    min_size : int, optional (default 2)
        Only communities of at least this many organisations.
    list_ties : int, optional (default 5)
        List the ties (with names) of pairs joined by at most this many.

    Returns
    -------
    list of dict
        ``community_a``, ``community_b``, ``size_a``, ``size_b``, ``ties``, ``holders``
        (organisations holding the ties, most ties first, as ``id``, ``name``, ``ties``)
        and ``tie_list`` (``u``, ``v``, ``u_name``, ``v_name``; empty above
        *list_ties*). Sorted by ``ties``, then by the smaller community's size, largest
        first.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.barbell_graph(4, 0)
    >>> [(r["ties"], r["tie_list"][0]["u"], r["tie_list"][0]["v"]) for r in community_links(G, louvain(G))]
    [(1, 3, 4)]
    """
    N = as_network(G)
    comms = partition.communities
    count = np.int64(max(len(comms), 1))
    labels = _labels(N, partition)
    size = np.array([len(c) for c in comms], dtype=np.int64)
    a, b = labels[N.u], labels[N.v]
    across = np.flatnonzero(a != b)
    # Each tie between communities, its end in the lower-numbered community first.
    flip = a[across] > b[across]
    lo = np.where(flip, N.v[across], N.u[across])
    hi = np.where(flip, N.u[across], N.v[across])
    pair = np.minimum(a[across], b[across]) * count + np.maximum(a[across], b[across])
    by_pair = np.argsort(pair, kind="stable")
    keys, start, ties = np.unique(pair[by_pair], return_index=True, return_counts=True)
    ca, cb = keys // count, keys % count
    keep = (size[ca] >= min_size) & (size[cb] >= min_size)
    if max_ties is not None:
        keep &= ties <= max_ties
    ids, names = N.ids, N.names
    rows = []
    for k in np.flatnonzero(keep).tolist():
        at = by_pair[start[k] : start[k] + ties[k]]
        held, held_ties = np.unique(np.concatenate((lo[at], hi[at])), return_counts=True)
        ranked = held[np.lexsort((N.name_rank[held], -held_ties))][:10]
        tally = dict(zip(held.tolist(), held_ties.tolist(), strict=True))
        rows.append(
            {
                "community_a": int(ca[k]),
                "community_b": int(cb[k]),
                "size_a": int(size[ca[k]]),
                "size_b": int(size[cb[k]]),
                "ties": int(ties[k]),
                "holders": [{"id": ids[x], "name": names[x], "ties": tally[x]} for x in ranked.tolist()],
                "tie_list": [
                    {"u": ids[u], "v": ids[v], "u_name": names[u], "v_name": names[v]}
                    for u, v in zip(lo[at].tolist(), hi[at].tolist(), strict=True)
                ]
                if ties[k] <= list_ties
                else [],
            }
        )
    rows.sort(key=lambda r: (r["ties"], -min(r["size_a"], r["size_b"]), r["community_a"], r["community_b"]))
    return rows
