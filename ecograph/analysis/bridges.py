"""Bridges, articulation points and local bridges, with the size and make-up of what each cuts off."""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterator, Sequence

import networkx as nx
import numpy as np
from networkx.utils import not_implemented_for

from ecograph.analysis._util import MAKEUP_ATTRS, UNKNOWN, adjacency, label, text_order, values_of
from ecograph.analysis.backends import kept

__all__ = ["articulation_cuts", "bridge_cuts", "local_bridges"]

_EXAMPLES = 5


class _Cuts:
    """One depth-first search over every component: preorder, subtrees and low-links.

    Components are contiguous in preorder, and so is each DFS subtree, so the make-up of
    any subtree or component is a difference of prefix sums.
    """

    def __init__(self, G: nx.Graph, attrs: Sequence[str]):
        self.nodes = nodes = list(G)
        index = {v: i for i, v in enumerate(nodes)}
        adj = [[index[w] for w in G[v] if w != v] for v in nodes]
        n = len(nodes)
        tin = [-1] * n
        low = [0] * n
        parent = [-1] * n
        size = [1] * n
        root = [0] * n
        order: list[int] = []
        self.bridge_children: list[int] = []
        self.cut_children: dict[int, list[int]] = {}
        for r in range(n):
            if tin[r] != -1:
                continue
            tin[r] = low[r] = len(order)
            order.append(r)
            root[r] = r
            stack = [(r, iter(adj[r]))]
            while stack:
                v, neighbours = stack[-1]
                for w in neighbours:
                    if tin[w] == -1:
                        parent[w] = v
                        tin[w] = low[w] = len(order)
                        order.append(w)
                        root[w] = r
                        stack.append((w, iter(adj[w])))
                        break
                    if w != parent[v] and tin[w] < low[v]:
                        low[v] = tin[w]
                else:
                    stack.pop()
                    if stack:
                        p = stack[-1][0]
                        size[p] += size[v]
                        if low[v] < low[p]:
                            low[p] = low[v]
                        if low[v] > tin[p]:
                            self.bridge_children.append(v)
                        if low[v] >= tin[p]:
                            self.cut_children.setdefault(p, []).append(v)
        self.tin, self.size, self.parent, self.root, self.order = tin, size, parent, root, order
        # prefix[attr][i, j]: how many of the first i nodes in preorder have value j.
        self.values: dict[str, list] = {}
        self.prefix: dict[str, np.ndarray] = {}
        for attr in attrs:
            codes: dict = {}
            rows, cols = [], []
            for pos, i in enumerate(order):
                for value in values_of(G, nodes[i], attr) or (UNKNOWN,):
                    rows.append(pos)
                    cols.append(codes.setdefault(value, len(codes)))
            counts = np.zeros((n + 1, max(len(codes), 1)), dtype=np.int64)
            np.add.at(counts, (np.asarray(rows, dtype=np.int64) + 1, np.asarray(cols, dtype=np.int64)), 1)
            self.prefix[attr] = np.cumsum(counts, axis=0)
            self.values[attr] = list(codes)

    def counts(self, start: int, stop: int) -> dict[str, np.ndarray]:
        """Value counts of the nodes at preorder positions ``start:stop``."""
        return {a: p[stop] - p[start] for a, p in self.prefix.items()}

    def subtree(self, i: int) -> tuple[int, int]:
        return self.tin[i], self.tin[i] + self.size[i]

    def component(self, i: int) -> tuple[int, int]:
        return self.subtree(self.root[i])

    def makeup(self, counts: dict[str, np.ndarray]) -> dict[str, dict]:
        out = {}
        for attr, c in counts.items():
            pairs = [(self.values[attr][j], int(x)) for j, x in enumerate(c) if x > 0]
            out[attr] = dict(sorted(pairs, key=lambda kv: (-kv[1], str(kv[0]))))
        return out

    def names(self, G: nx.Graph, ranges: list[tuple[int, int]]) -> list[str]:
        """Names of the first few nodes at the preorder positions in *ranges*."""
        out = []
        for start, stop in ranges:
            for pos in range(start, min(stop, start + _EXAMPLES)):
                out.append(label(G, self.nodes[self.order[pos]]))
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


def _cuts(G: nx.Graph, attrs: Sequence[str]) -> _Cuts:
    """The depth-first search of *G*, shared by :func:`bridge_cuts` and :func:`articulation_cuts`."""
    return kept(G, ("cuts", tuple(attrs)), lambda: _Cuts(G, attrs))


def _minus(a: dict, *others: dict) -> dict:
    out = {k: v.copy() for k, v in a.items()}
    for o in others:
        for k in out:
            out[k] -= o[k]
    return out


@not_implemented_for("directed")
@not_implemented_for("multigraph")
def bridge_cuts(G: nx.Graph, *, min_size: int = 1, attrs: Sequence[str] = MAKEUP_ATTRS) -> list[dict]:
    """Every bridge with the size and make-up of the smaller side it cuts off.

    A *bridge* is a tie whose removal disconnects its component. Removing it leaves two
    sides; the smaller one (fewer organisations; on a tie, the side of the tie's second
    end in depth-first order) is the part the bridge *cuts off*.

    Parameters
    ----------
    G : networkx.Graph
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
    cuts = _cuts(G, attrs)
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
            examples = cuts.names(G, [sub])
        else:
            near, far, cut = c, p, total - inside
            if cut < min_size:
                continue
            counts = _minus(cuts.counts(*comp), cuts.counts(*sub))
            examples = cuts.names(G, _complement(comp, [sub]))
        u, v = cuts.nodes[near], cuts.nodes[far]
        rows.append(
            {
                "u": u,
                "v": v,
                "u_name": label(G, u),
                "v_name": label(G, v),
                "cut_off": cut,
                "component_size": total,
                "makeup": cuts.makeup(counts),
                "examples": examples,
            }
        )
    rows.sort(
        key=lambda r: (-r["cut_off"], -r["component_size"], text_order(r["u_name"]), text_order(r["v_name"]))
    )
    return rows


@not_implemented_for("directed")
@not_implemented_for("multigraph")
def articulation_cuts(G: nx.Graph, *, min_size: int = 1, attrs: Sequence[str] = MAKEUP_ATTRS) -> list[dict]:
    """Every articulation point with the size and make-up of the parts it cuts off.

    An *articulation point* is an organisation whose removal splits its component into
    two or more parts. The largest part stays "the rest"; the others are *cut off*.

    Parameters
    ----------
    G : networkx.Graph
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
    cuts = _cuts(G, attrs)
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
        node = cuts.nodes[p]
        rows.append(
            {
                "id": node,
                "name": label(G, node),
                "category": G.nodes[node].get("category"),
                "province": G.nodes[node].get("province"),
                "parts": len(parts),
                "cut_off": cut,
                "largest_part": parts[0][0],
                "component_size": total,
                "makeup": cuts.makeup(counts),
                "examples": cuts.names(G, ranges),
            }
        )
    rows.sort(key=lambda r: (-r["cut_off"], -r["component_size"], text_order(r["name"]), str(r["id"])))
    return rows


def _detour(G: nx.Graph, u: Hashable, v: Hashable, cutoff: float) -> float:
    """Hops from *u* to *v* without the tie u–v (bidirectional BFS); inf beyond *cutoff*."""
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
            for y in G[x]:
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
    G: nx.Graph, *, with_span: bool = True, cutoff: int | None = None, edges=None
) -> Iterator[tuple]:
    """Ties whose two ends share no partner, with the detour their loss would force.

    A *local bridge* is an edge whose ends have no common neighbour; its *span* is the
    distance between the ends once the edge is removed (infinite for a bridge). Long
    spans are Granovetter's weak ties: the only short route between two circles.

    Parameters
    ----------
    G : networkx.Graph
        Undirected graph.
    with_span : bool, optional (default True)
        Also give each local bridge's span.
    cutoff : int or None, optional
        Stop searching for a detour beyond this many hops (the span is then ``inf``).
    edges : iterable of (u, v), optional
        Only look at these ties (default: every tie).

    Yields
    ------
    tuple
        ``(u, v)`` or, with *with_span*, ``(u, v, span)``.

    Examples
    --------
    >>> sorted(local_bridges(nx.cycle_graph(5)))[:2]
    [(0, 1, 4), (0, 4, 4)]
    >>> list(local_bridges(nx.complete_graph(4)))
    []

    Notes
    -----
    Sparse row products, :math:`O(d_u + d_v)` per tie, to test it; a bidirectional
    breadth-first search per local bridge for its span.

    References
    ----------
    .. [1] Granovetter, M. (1973). The strength of weak ties. *American Journal of
       Sociology* 78(6), 1360–1380. https://doi.org/10.1086/225469
    """
    limit = math.inf if cutoff is None else cutoff
    edges = [(u, v) for u, v in (G.edges() if edges is None else edges) if u != v]
    for (u, v), common in zip(edges, _common_partners(G, edges), strict=True):
        if common:
            continue
        if with_span:
            yield u, v, _detour(G, u, v, limit)
        else:
            yield u, v


def _common_partners(G: nx.Graph, edges: list[tuple], chunk: int = 20_000) -> np.ndarray:
    """How many partners the two ends of each edge share (sparse row products, in chunks)."""
    out = np.zeros(len(edges), dtype=np.int64)
    if len(edges) < 1000:  # a few ties: set intersections beat building the matrix
        for i, (u, v) in enumerate(edges):
            out[i] = len(G[u].keys() & G[v].keys())
        return out
    _, pos, A = adjacency(G)
    rows = np.fromiter((pos[u] for u, _ in edges), dtype=np.int64, count=len(edges))
    cols = np.fromiter((pos[v] for _, v in edges), dtype=np.int64, count=len(edges))
    for start in range(0, len(edges), chunk):
        stop = start + chunk
        both = A[rows[start:stop]].multiply(A[cols[start:stop]])
        out[start:stop] = np.rint(np.asarray(both.sum(axis=1)).ravel()).astype(np.int64)
    return out
