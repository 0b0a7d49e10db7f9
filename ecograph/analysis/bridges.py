"""Bridges, articulation points and local bridges, with the size and make-up of what each cuts off."""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence

import numpy as np
import scipy as sp
from networkx.utils import not_implemented_for

from ecograph.analysis._util import (
    MAKEUP_ATTRS,
    GraphLike,
    as_network,
    makeup_dict,
    positions,
    text_rank,
    value_codes,
)
from ecograph.projections import Network, ig

__all__ = ["articulation_cuts", "bridge_cuts", "cuts", "local_bridge_edges", "local_bridges"]

_EXAMPLES = 5


def _search(A: sp.sparse.csr_array, roots: np.ndarray, ladder: int = 64) -> tuple[np.ndarray, np.ndarray]:
    """Depth-first preorder and parents (-1 for a root) over the adjacency *A*: from each of
    *roots* in turn, partners visited in the order of *A*'s rows, as a recursive search.

    scipy's traversal gives that order, from an extra node whose partners are *roots*, but
    rescans a row from its start each time it comes back to it: quadratic in the partners
    of a hub. So a row longer than *ladder* becomes a ladder of extra nodes, each holding
    one partner and the next rung, which the search passes in the same order.
    """
    n = A.shape[0]
    counts = np.append(np.diff(A.indptr), len(roots))
    cols = np.concatenate((A.indices, roots)).astype(np.int64)
    row = np.repeat(np.arange(n + 1, dtype=np.int64), counts)
    slot = np.arange(len(cols)) - np.repeat(np.cumsum(counts) - counts, counts)
    hub = counts > ladder
    rung = hub[row] & (slot > 0)  # every partner of a hub but its first sits on a rung
    owner = np.repeat(np.arange(n + 1, dtype=np.int64), np.where(hub, counts - 1, 0))
    rungs = len(owner)
    # Rung k holds one partner (slot 0) and the next rung of the same hub (slot 1).
    first_rung = n + 1 + np.cumsum(np.where(hub, counts - 1, 0)) - np.where(hub, counts - 1, 0)
    at = np.flatnonzero(rung)
    rung_of = first_rung[row[at]] + slot[at] - 1
    next_rung = rung_of + 1
    has_next = slot[at] < counts[row[at]] - 1
    starts = hub & (counts > 1)
    entry_rows = np.concatenate((row[~rung], np.flatnonzero(starts), rung_of, rung_of[has_next]))
    entry_slots = np.concatenate(
        (
            slot[~rung],
            np.ones(int(starts.sum()), dtype=np.int64),
            np.zeros(len(at), dtype=np.int64),
            np.ones(int(has_next.sum()), dtype=np.int64),
        )
    )
    entry_cols = np.concatenate((cols[~rung], first_rung[starts], cols[at], next_rung[has_next]))
    size = n + 1 + rungs
    by = np.lexsort((entry_slots, entry_rows))
    S = sp.sparse.csr_array(
        (
            np.ones(len(by)),
            entry_cols[by],
            np.concatenate(([0], np.cumsum(np.bincount(entry_rows, minlength=size)))),
        ),
        shape=(size, size),
    )
    found, pred = sp.sparse.csgraph.depth_first_order(S, n, directed=True, return_predecessors=True)
    order = found[found < n].astype(np.int64)
    parent = pred[:n].astype(np.int64)
    on_rung = parent > n
    parent[on_rung] = owner[parent[on_rung] - n - 1]
    parent[parent == n] = -1
    return order, parent


class _Cuts:
    """One depth-first search over every component: preorder, subtrees and low-links.

    The search starts at each component's first organisation, in node order, and visits
    partners in node order (:func:`_search`; rows longer than *ladder* are laddered).
    Components are contiguous in preorder, and so is each DFS subtree, so the make-up of
    any subtree or component is a difference of prefix sums.
    """

    def __init__(self, N: Network, attrs: Sequence[str], ladder: int = 64):
        self.N = N
        n = N.n
        A = N.adjacency()
        _, labels = N.components
        roots = np.unique(labels, return_index=True)[1]
        order, parent = _search(A, roots, ladder)
        tin = np.empty(n, dtype=np.int64)
        tin[order] = np.arange(n)
        # low[v] starts as the earliest preorder among v's partners but its parent.
        rows = np.repeat(np.arange(n, dtype=np.int64), np.diff(A.indptr))
        reach = np.where(A.indices == parent[rows], n, tin[A.indices])
        low = tin.copy()
        has = np.diff(A.indptr) > 0
        if has.any():
            low[has] = np.minimum(low[has], np.minimum.reduceat(reach, A.indptr[:-1][has]))
        size = np.ones(n, dtype=np.int64)
        size_list, low_list, parent_list = size.tolist(), low.tolist(), parent.tolist()
        for v in reversed(order.tolist()):  # children before parents: subtree sizes and low-links
            p = parent_list[v]
            if p >= 0:
                size_list[p] += size_list[v]
                if low_list[v] < low_list[p]:
                    low_list[p] = low_list[v]
        size, low = np.array(size_list, dtype=np.int64), np.array(low_list, dtype=np.int64)
        root = roots[labels]
        # Children in the order the search finishes them (post-order): by subtree end, deepest first.
        post = np.lexsort((-tin, tin + size))
        child = post[parent[post] >= 0]
        p_of = parent[child]
        self.bridge_children = child[low[child] > tin[p_of]].tolist()
        cut = child[low[child] >= tin[p_of]]
        self.cut_children: dict[int, list[int]] = {}
        for c, p in zip(cut.tolist(), parent[cut].tolist(), strict=True):
            self.cut_children.setdefault(p, []).append(c)
        self.tin, self.size, self.parent, self.root = (
            tin.tolist(),
            size.tolist(),
            parent.tolist(),
            root.tolist(),
        )
        self.order = order
        # prefix[attr][i, j]: how many of the first i organisations in preorder have value j.
        self.values: dict[str, list] = {}
        self.prefix: dict[str, np.ndarray] = {}
        for attr in attrs:
            rows, codes, values = value_codes(N, attr)
            width = max(len(values), 1)
            counts = np.bincount((tin[rows] + 1) * width + codes, minlength=(n + 1) * width).reshape(
                n + 1, width
            )
            self.prefix[attr] = np.cumsum(counts, axis=0)
            self.values[attr] = values

    def counts(self, start: int, stop: int) -> dict[str, np.ndarray]:
        """Value counts of the organisations at preorder positions ``start:stop``."""
        return {a: p[stop] - p[start] for a, p in self.prefix.items()}

    def subtree(self, i: int) -> tuple[int, int]:
        return self.tin[i], self.tin[i] + self.size[i]

    def component(self, i: int) -> tuple[int, int]:
        return self.subtree(self.root[i])

    def makeup(self, counts: dict[str, np.ndarray]) -> dict[str, dict]:
        return {attr: makeup_dict(self.values[attr], c) for attr, c in counts.items()}

    def names(self, ranges: list[tuple[int, int]]) -> list[str]:
        """Names of the first few organisations at the preorder positions in *ranges*."""
        out: list[str] = []
        names = self.N.names
        for start, stop in ranges:
            for i in self.order[start : min(stop, start + _EXAMPLES)].tolist():
                out.append(names[i])
                if len(out) == _EXAMPLES:
                    return out
        return out


def _complement(span: tuple[int, int], holes: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The parts of the range *span* outside the disjoint ranges *holes*."""
    out, start = [], span[0]
    for a, b in sorted(holes):
        if a > start:
            out.append((start, a))
        start = max(start, b)
    if start < span[1]:
        out.append((start, span[1]))
    return out


def _minus(a: dict, *others: dict) -> dict:
    out = {k: v.copy() for k, v in a.items()}
    for o in others:
        for k in out:
            out[k] -= o[k]
    return out


@not_implemented_for("directed")
@not_implemented_for("multigraph")
def bridge_cuts(G: GraphLike, *, min_size: int = 1, attrs: Sequence[str] = MAKEUP_ATTRS) -> list[dict]:
    """Every bridge with the size and make-up of the smaller side it cuts off.

    A *bridge* is a tie whose removal disconnects its component. Removing it leaves two
    sides; the smaller one (fewer organisations; on a tie, the side of the tie's second
    end in depth-first order) is the part the bridge *cuts off*.

    Parameters
    ----------
    G : networkx.Graph or Network
        Undirected graph.
    min_size : int, optional (default 1)
        Leave out bridges that cut off fewer organisations (2 drops the ties of
        organisations with a single partner).
    attrs : sequence of str, optional (default ("category", "province"))
        Node attributes to count in the cut-off side.

    Returns
    -------
    list of dict
        One per bridge, largest cut first: ``u``, ``v`` (the ends, ``v`` on the cut-off
        side), ``u_name``, ``v_name``, ``cut_off`` (organisations on the smaller side),
        ``component_size``, ``makeup`` (attribute → value → count on the cut-off side,
        missing values under ``"(unknown)"``) and ``examples`` (up to five names).

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.barbell_graph(4, 0)
    >>> [(c["u"], c["v"], c["cut_off"], c["component_size"]) for c in bridge_cuts(G)]
    [(3, 4, 4, 8)]
    >>> G.add_edge(7, 8)
    >>> [(c["v"], c["cut_off"]) for c in bridge_cuts(G)]
    [(3, 4), (8, 1)]

    Notes
    -----
    One depth-first search, :math:`O(n + m)`, then :math:`O(a)` per bridge for *a*
    distinct attribute values. Isolates have no bridges.

    References
    ----------
    .. [1] Tarjan, R. E. (1974). A note on finding the bridges of a graph. *Information
       Processing Letters* 2(6), 160–161. https://doi.org/10.1016/0020-0190(74)90003-9
    """
    N = as_network(G)
    return _bridge_rows(N, _Cuts(N, attrs), min_size)


def _bridge_rows(N: Network, cuts: _Cuts, min_size: int) -> list[dict]:
    names = N.names
    rows = []
    for c in cuts.bridge_children:
        if cuts.size[c] < min_size:
            continue
        p = cuts.parent[c]
        comp = cuts.component(c)
        total = comp[1] - comp[0]
        sub = cuts.subtree(c)
        inside = cuts.size[c]
        if inside <= total - inside:
            near, far, cut = p, c, inside
            counts = cuts.counts(*sub)
            examples = cuts.names([sub])
        else:
            near, far, cut = c, p, total - inside
            if cut < min_size:
                continue
            counts = _minus(cuts.counts(*comp), cuts.counts(*sub))
            examples = cuts.names(_complement(comp, [sub]))
        rows.append(
            {
                "u": N.ids[near],
                "v": N.ids[far],
                "u_name": names[near],
                "v_name": names[far],
                "cut_off": cut,
                "component_size": total,
                "makeup": cuts.makeup(counts),
                "examples": examples,
            }
        )
    # By size, then by the two names, else in the order the search finished them.
    rank = text_rank(N)
    index = N.index
    rows.sort(key=lambda r: (-r["cut_off"], -r["component_size"], rank[index[r["u"]]], rank[index[r["v"]]]))
    return rows


@not_implemented_for("directed")
@not_implemented_for("multigraph")
def articulation_cuts(G: GraphLike, *, min_size: int = 1, attrs: Sequence[str] = MAKEUP_ATTRS) -> list[dict]:
    """Every articulation point with the size and make-up of the parts it cuts off.

    An *articulation point* is an organisation whose removal splits its component into
    two or more parts. The largest part stays "the rest"; the others are *cut off*.

    Parameters
    ----------
    G : networkx.Graph or Network
        Undirected graph.
    min_size : int, optional (default 1)
        Leave out points that cut off fewer organisations in all.
    attrs : sequence of str, optional (default ("category", "province"))
        Node attributes to count in the cut-off parts.

    Returns
    -------
    list of dict
        One per articulation point, largest cut first: ``id``, ``name``, ``category``,
        ``province``, ``parts`` (how many parts its removal leaves), ``cut_off``
        (organisations in all but the largest part), ``largest_part``,
        ``component_size``, ``makeup`` of the cut-off parts and ``examples``.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.barbell_graph(3, 1)  # two triangles joined through node 3
    >>> [(c["id"], c["parts"], c["cut_off"]) for c in articulation_cuts(G)]
    [(3, 2, 3), (2, 2, 2), (4, 2, 2)]

    Notes
    -----
    One depth-first search, :math:`O(n + m)`, then :math:`O(a \\cdot p)` per point with
    *p* parts.

    References
    ----------
    .. [1] Hopcroft, J., & Tarjan, R. (1973). Algorithm 447: Efficient algorithms for graph
       manipulation. *Communications of the ACM* 16(6), 372–378.
       https://doi.org/10.1145/362248.362272
    """
    N = as_network(G)
    return _articulation_rows(N, _Cuts(N, attrs), min_size)


def _articulation_rows(N: Network, cuts: _Cuts, min_size: int) -> list[dict]:
    category, province = N.column("category"), N.column("province")
    rows = []
    for p, children in cuts.cut_children.items():
        is_root = cuts.root[p] == p
        if is_root and len(children) < 2:
            continue
        comp = cuts.component(p)
        total = comp[1] - comp[0]
        parts = [(cuts.size[c], ("sub", c)) for c in children]
        rest = total - 1 - sum(s for s, _ in parts)
        if rest > 0:
            parts.append((rest, ("rest", p)))
        parts.sort(key=lambda x: (-x[0], x[1][0] != "rest"))
        cut_parts = parts[1:]
        cut = sum(s for s, _ in cut_parts)
        if cut < min_size:
            continue
        counts = None
        ranges: list[tuple[int, int]] = []
        for _, (what, i) in cut_parts:
            if what == "sub":
                part = cuts.counts(*cuts.subtree(i))
                ranges.append(cuts.subtree(i))
            else:  # the parent side: the component less p and p's separated subtrees
                part = _minus(
                    cuts.counts(*comp),
                    cuts.counts(cuts.tin[p], cuts.tin[p] + 1),
                    *(cuts.counts(*cuts.subtree(c)) for c in children),
                )
                holes = [(cuts.tin[p], cuts.tin[p] + 1), *(cuts.subtree(c) for c in children)]
                ranges.extend(_complement(comp, holes))
            counts = part if counts is None else {a: counts[a] + part[a] for a in counts}
        rows.append(
            {
                "id": N.ids[p],
                "name": N.names[p],
                "category": category[p],
                "province": province[p],
                "parts": len(parts),
                "cut_off": cut,
                "largest_part": parts[0][0],
                "component_size": total,
                "makeup": cuts.makeup(counts),
                "examples": cuts.names(ranges),
            }
        )
    rank, index = N.name_rank, N.index  # by name, then id as text
    rows.sort(key=lambda r: (-r["cut_off"], -r["component_size"], rank[index[r["id"]]]))
    return rows


def cuts(
    N: Network, *, min_size: int = 1, attrs: Sequence[str] = MAKEUP_ATTRS
) -> tuple[list[dict], list[dict]]:
    """``(bridge_cuts(N, ...), articulation_cuts(N, ...))`` from one depth-first search.

    Examples
    --------
    >>> import networkx as nx
    >>> bridges, points = cuts(Network.from_networkx(nx.barbell_graph(3, 1)))
    >>> len(bridges), [p["id"] for p in points]
    (2, [3, 2, 4])
    """
    found = _Cuts(N, attrs)
    return _bridge_rows(N, found, min_size), _articulation_rows(N, found, min_size)


def _detour(A: sp.sparse.csr_array, u: int, v: int, cutoff: float) -> float:
    """Hops from *u* to *v* (positions) without the tie u–v (bidirectional BFS over the
    adjacency *A*); inf beyond *cutoff*."""
    indptr, indices = A.indptr, A.indices
    seen_u, seen_v = {u: 0}, {v: 0}
    front_u, front_v = [u], [v]
    du = dv = 0
    while front_u and front_v and du + dv < cutoff:
        if len(front_u) <= len(front_v):
            front, seen, other, du = front_u, seen_u, seen_v, du + 1
            depth = du
        else:
            front, seen, other, dv = front_v, seen_v, seen_u, dv + 1
            depth = dv
        nxt = []
        best = math.inf
        for x in front:
            for y in indices[indptr[x] : indptr[x + 1]].tolist():
                if (x == u and y == v) or (x == v and y == u) or y in seen:
                    continue
                if y in other:
                    best = min(best, depth + other[y])
                seen[y] = depth
                nxt.append(y)
        if best < math.inf:
            return best if best <= cutoff else math.inf
        if front is front_u:
            front_u = nxt
        else:
            front_v = nxt
    return math.inf


@not_implemented_for("directed")
@not_implemented_for("multigraph")
def local_bridges(
    G: GraphLike, *, with_span: bool = True, cutoff: int | None = None, edges=None
) -> Iterator[tuple]:
    """Ties whose two ends share no partner, with the detour their loss would force.

    A *local bridge* is an edge whose ends have no common neighbour; its *span* is the
    distance between the ends once the edge is removed (infinite for a bridge). Long
    spans are Granovetter's weak ties: the only short route between two circles. A tie
    of an organisation with itself makes no partner.

    Parameters
    ----------
    G : networkx.Graph or Network
        Undirected graph.
    with_span : bool, optional (default True)
        Also give each local bridge's span.
    cutoff : int or None, optional
        Stop searching for a detour beyond this many hops (the span is then ``inf``).
    edges : iterable of (u, v), optional
        Only look at these ties (default: every tie, in the graph's edge order).

    Yields
    ------
    tuple
        ``(u, v)`` or, with *with_span*, ``(u, v, span)``.

    Examples
    --------
    >>> import networkx as nx
    >>> sorted(local_bridges(nx.cycle_graph(5)))[:2]
    [(0, 1, 4), (0, 4, 4)]
    >>> list(local_bridges(nx.complete_graph(4)))
    []

    Notes
    -----
    Every tie at once: the ties on none of igraph's triangles (:func:`local_bridge_edges`).
    Given *edges*, each is tested from its end with fewer partners: is any of them tied to
    the other end (:math:`O(\\sum_{uv} \\min(d_u, d_v))`, vectorised). A bidirectional
    breadth-first search per local bridge for its span.

    References
    ----------
    .. [1] Granovetter, M. (1973). The strength of weak ties. *American Journal of
       Sociology* 78(6), 1360–1380. https://doi.org/10.1086/225469
    """
    N = as_network(G)
    if edges is None:
        at = local_bridge_edges(N)
        a, b = N.u[at], N.v[at]
    else:
        pairs = [(u, v) for u, v in edges if u != v]
        ends = np.array(positions(N, [x for pair in pairs for x in pair]), dtype=np.int64)
        alone = ~_shares_partner(N, ends[0::2], ends[1::2])
        a, b = ends[0::2][alone], ends[1::2][alone]
    limit = math.inf if cutoff is None else cutoff
    ids, A = N.ids, N.adjacency()
    for u, v in zip(a.tolist(), b.tolist(), strict=True):
        if with_span:
            yield ids[u], ids[v], _detour(A, u, v, limit)
        else:
            yield ids[u], ids[v]


def local_bridge_edges(N: Network) -> np.ndarray:
    """The positions of *N*'s local bridges among its edges (self-loops left out), in edge
    order: the edges on no triangle, from igraph's list of triangles (or
    :func:`shares_partner` without igraph).

    Examples
    --------
    >>> import networkx as nx
    >>> local_bridge_edges(Network.from_networkx(nx.Graph([(0, 1), (1, 2), (2, 0), (2, 3)]))).tolist()
    [3]
    """
    tie = np.flatnonzero(~N.loops)
    if ig is None:  # pragma: no cover - exercised only where igraph is missing
        return tie[~_shares_partner(N, N.u[tie], N.v[tie])]
    corners = np.array(N.igraph.list_triangles(), dtype=np.int64).reshape(-1, 3)
    sides = np.concatenate((corners[:, [0, 1]], corners[:, [1, 2]], corners[:, [0, 2]]))
    n = np.int64(max(N.n, 1))
    on_triangle = np.unique(sides.min(axis=1) * n + sides.max(axis=1))
    codes = np.minimum(N.u[tie], N.v[tie]) * n + np.maximum(N.u[tie], N.v[tie])
    return tie[~np.isin(codes, on_triangle)]


def _shares_partner(N: Network, a: np.ndarray, b: np.ndarray, chunk: int = 4_000_000) -> np.ndarray:
    """Whether organisations ``a[k]`` and ``b[k]`` (positions) have a partner in common.

    From the end with fewer partners, each of its partners is looked up among the other
    end's ties (:meth:`Network.has_edges`), in chunks of about *chunk* look-ups.
    """
    out = np.zeros(len(a), dtype=bool)
    A = N.adjacency()
    partners = N.partners
    small = np.where(partners[a] <= partners[b], a, b)
    other = np.where(partners[a] <= partners[b], b, a)
    counts = partners[small]
    ends = np.cumsum(counts)
    start = 0
    while start < len(a):
        stop = int(np.searchsorted(ends, (ends[start - 1] if start else 0) + chunk, side="right"))
        stop = max(stop, start + 1)
        rep = np.repeat(np.arange(start, stop), counts[start:stop])
        # Each pair's k-th look-up reads the k-th partner of its smaller end.
        first = np.cumsum(counts[start:stop]) - counts[start:stop]
        k = np.arange(len(rep)) - np.repeat(first, counts[start:stop])
        w = A.indices[A.indptr[small[rep]] + k]
        hit = (w != other[rep]) & N.has_edges(w, other[rep])
        out[np.unique(rep[hit])] = True
        start = stop
    return out
