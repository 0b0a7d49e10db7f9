"""The graphs analyses take, as arrays: the undirected weighted projection and the directed one.

A :class:`Network` is one edge per pair of organisations (the weights of their ties summed);
:class:`Arcs` is the directed view (investment and spin-off one way, every other kind both
ways). Both are built from :class:`~ecograph.columns.EdgeTable` columns in vectorised code
(:func:`undirected`, :func:`directed`), or from a networkx graph a user made
(:meth:`Network.from_networkx`). Everything an analysis needs — the sparse adjacency, the
igraph copy, components, attribute codes — is derived on first use and kept with the
object, which is read-only: nothing is cached anywhere else, and a changed networkx graph
is simply converted again. :meth:`Network.to_networkx` gives the networkx graph for code
that wants one.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator, Sequence
from functools import cached_property
from typing import TypeVar

import networkx as nx
import numpy as np
import scipy as sp

from ecograph.columns import EdgeTable
from ecograph.names import fold

try:  # igraph is a dependency, but the analyses keep working without it.
    import igraph as ig
except ImportError:  # pragma: no cover - exercised only where igraph is missing
    ig = None

__all__ = ["Arcs", "Network", "directed", "undirected"]

NodeColumn = Callable[[str], Sequence]


T = TypeVar("T")


def _values(value: object) -> tuple:
    if value is None or value == "":
        return ()
    if isinstance(value, list | tuple | set | frozenset):
        return tuple(value)
    return (value,)


def _readonly(*arrays: np.ndarray) -> None:
    for array in arrays:
        array.flags.writeable = False


class _Nodes:
    """What both projections know of their organisations: ids, attributes and codes.

    Attributes come from *node_data* (one dict per organisation, a networkx graph's) or
    from *node_column* (``node_column(attr)`` gives every organisation's value); *node_attrs*
    names those a networkx copy carries in the second case.
    """

    def __init__(
        self,
        ids: list,
        node_column: NodeColumn | None,
        graph: dict,
        node_attrs: Sequence[str] = (),
        node_data: list[dict] | None = None,
    ):
        self.ids = ids
        self._node_data = node_data
        self._node_column = node_column or (lambda attr: [d.get(attr) for d in node_data or ()])
        self.node_attrs = tuple(node_attrs)
        self.graph = graph
        self._columns: dict[str, list] = {}
        self._tuples: dict[str, list[tuple]] = {}
        self._codes: dict[str, tuple[np.ndarray, list]] = {}
        self._members: dict[str, tuple[list, sp.sparse.csr_array]] = {}
        self._made: dict[Hashable, object] = {}

    @property
    def n(self) -> int:
        return len(self.ids)

    def __len__(self) -> int:
        return len(self.ids)

    def __iter__(self) -> Iterator:
        return iter(self.ids)

    def __contains__(self, node: object) -> bool:
        try:
            return node in self.index
        except TypeError:
            return False

    def number_of_nodes(self) -> int:
        return len(self.ids)

    def is_multigraph(self) -> bool:
        return False

    @cached_property
    def index(self) -> dict:
        """Node id → position."""
        return {v: i for i, v in enumerate(self.ids)}

    def column(self, attr: str) -> list:
        """Each organisation's value of *attr* (None where it has none), in node order."""
        found = self._columns.get(attr)
        if found is None:
            found = self._columns[attr] = list(self._node_column(attr))
        return found

    def values(self, attr: str) -> list[tuple]:
        """Each organisation's values of *attr* as a tuple: ``()`` when missing, several for a list."""
        found = self._tuples.get(attr)
        if found is None:
            found = self._tuples[attr] = [_values(x) for x in self.column(attr)]
        return found

    @cached_property
    def names(self) -> list[str]:
        """Each organisation's name, else its id as text."""
        return [str(name) if name else str(v) for v, name in zip(self.ids, self.column("name"), strict=True)]

    @cached_property
    def name_rank(self) -> np.ndarray:
        """Each organisation's place in name order: the name without case or diacritics, then
        as written, then the id as text (the order every listing "by name" follows)."""
        names = self.names
        keys = [(fold(name), name, str(v)) for name, v in zip(names, self.ids, strict=True)]
        order = sorted(range(self.n), key=keys.__getitem__)
        rank = np.empty(self.n, dtype=np.int64)
        rank[order] = np.arange(self.n)
        _readonly(rank)
        return rank

    def codes(self, attr: str) -> tuple[np.ndarray, list]:
        """*attr* as codes: each organisation's first value as a position in the sorted list
        of values (``-1`` where it has none), and that list."""
        found = self._codes.get(attr)
        if found is None:
            firsts = [vals[0] if vals else None for vals in self.values(attr)]
            groups = sorted({g for g in firsts if g is not None}, key=str)
            position = {g: i for i, g in enumerate(groups)}
            codes = np.fromiter((position.get(g, -1) for g in firsts), dtype=np.int64, count=self.n)
            _readonly(codes)
            found = self._codes[attr] = (codes, groups)
        return found

    def members(self, attr: str) -> tuple[list, sp.sparse.csr_array]:
        """*attr* as membership: the sorted values, and organisation × value (1 where it holds it)."""
        found = self._members.get(attr)
        if found is None:
            values = self.values(attr)
            groups = sorted({g for vals in values for g in vals}, key=str)
            position = {g: i for i, g in enumerate(groups)}
            rows = np.repeat(np.arange(self.n, dtype=np.int64), [len(set(vals)) for vals in values])
            cols = np.fromiter(
                (position[g] for vals in values for g in dict.fromkeys(vals)), dtype=np.int64, count=len(rows)
            )
            M = sp.sparse.csr_array((np.ones(len(rows)), (rows, cols)), shape=(self.n, max(len(groups), 0)))
            found = self._members[attr] = (groups, M)
        return found

    def made_once(self, key: Hashable, make: Callable[[], T]) -> T:
        """What ``make()`` gives, made on the first call for *key* and kept: for what analyses
        derive from the organisations' attributes alone, which several of them read."""
        if key not in self._made:
            self._made[key] = make()
        return self._made[key]  # type: ignore[return-value]

    def node_dicts(self) -> list[dict]:
        """Each organisation's attributes as a dict (for a networkx copy)."""
        if self._node_data is not None:
            return [dict(d) for d in self._node_data]
        columns = [self.column(a) for a in self.node_attrs]
        return [dict(zip(self.node_attrs, values, strict=True)) for values in zip(*columns, strict=True)] or [
            {} for _ in self.ids
        ]

    def _subset_nodes(self, picked: np.ndarray) -> dict:
        """Keyword arguments that give the organisations at positions *picked* their attributes."""
        rows = picked.tolist()
        if self._node_data is not None:
            return {"node_column": None, "node_data": [self._node_data[i] for i in rows]}
        parent = self

        def column(attr: str) -> list:
            values = parent.column(attr)
            return [values[i] for i in rows]

        return {"node_column": column, "node_attrs": self.node_attrs}


class Network(_Nodes):
    """An undirected graph as arrays: organisations, one edge per pair, and the edges' data.

    Parameters
    ----------
    ids : list
        The organisations, in order; position *i* is organisation ``ids[i]``.
    u, v : numpy.ndarray of int
        Each edge's ends as positions (each pair once; an edge may join a node to itself).
    node_column : callable, optional
        ``node_column(attr)`` gives every organisation's value of *attr* in order.
    edges : dict, optional
        Edge columns by attribute name (``weight``, ``ties``, ``first_year``…).
    edge_data : list of dict, optional
        Each edge's attributes, read when a column is not in *edges* (a networkx graph's).
    kinds : tuple, optional
        Tie kinds; the ``kind_bits`` column holds each edge's kinds as bits of positions in it.
    graph : dict, optional
        Attributes of the graph (``home_country``, ``store_version``, ``period``…).
    node_attrs : sequence of str, optional
        The attributes :meth:`to_networkx` gives each node, read through *node_column*.
    node_data : list of dict, optional
        Each organisation's attributes, instead of *node_column* (a networkx graph's).

    Examples
    --------
    >>> N = Network.from_networkx(nx.path_graph(3))
    >>> N.n, N.m, N.degree.tolist(), N.ids
    (3, 2, [1, 2, 1], [0, 1, 2])
    """

    def __init__(
        self,
        ids: list,
        u: np.ndarray,
        v: np.ndarray,
        node_column: NodeColumn | None = None,
        *,
        edges: dict[str, np.ndarray] | None = None,
        edge_data: list[dict] | None = None,
        kinds: tuple = (),
        graph: dict | None = None,
        node_attrs: Sequence[str] = (),
        node_data: list[dict] | None = None,
    ):
        super().__init__(ids, node_column, dict(graph or {}), node_attrs, node_data)
        self.u = np.asarray(u, dtype=np.int64)
        self.v = np.asarray(v, dtype=np.int64)
        _readonly(self.u, self.v)
        self._edges = dict(edges or {})
        self._edge_data = edge_data
        self.kinds = kinds
        self._adjacency: dict = {}
        self._weights: dict = {}

    @classmethod
    def from_networkx(cls, G: nx.Graph) -> Network:
        """*G* (undirected, simple) as a :class:`Network`: nodes in ``list(G)`` order, edges in
        ``G.edges()`` order, attributes read from *G*'s dicts when first needed."""
        if G.is_directed() or G.is_multigraph():
            raise nx.NetworkXNotImplemented("not implemented for directed or multigraph type")
        ids = list(G)
        index = {x: i for i, x in enumerate(ids)}
        edges = list(G.edges(data=True))
        m = len(edges)
        u = np.fromiter((index[a] for a, _, _ in edges), dtype=np.int64, count=m)
        v = np.fromiter((index[b] for _, b, _ in edges), dtype=np.int64, count=m)
        return cls(
            ids,
            u,
            v,
            edge_data=[d for _, _, d in edges],
            graph=dict(G.graph),
            node_data=[G.nodes[x] for x in ids],
        )

    def is_directed(self) -> bool:
        return False

    @property
    def m(self) -> int:
        return len(self.u)

    def number_of_edges(self) -> int:
        return len(self.u)

    # -- edge data -------------------------------------------------------------------------

    def edge_column(self, attr: str | None, default: float = 1.0) -> np.ndarray:
        """Each edge's *attr* as floats (*default* where missing; every edge 1 when *attr* is None)."""
        if attr is None:
            return np.ones(self.m)
        found = self._edges.get(attr)
        if found is None:
            if self._edge_data is None:
                found = np.full(self.m, default, dtype=float)
            else:
                found = np.fromiter(
                    (float(d.get(attr, default)) for d in self._edge_data), dtype=float, count=self.m
                )
            _readonly(found)
            self._edges[attr] = found
        return np.asarray(found, dtype=float)

    def edge_kinds(self, i: int) -> tuple:
        """The tie kinds of edge *i* (sorted), as :func:`ecograph.snapshot.undirected` records them."""
        if "kind_bits" in self._edges:
            bits = int(self._edges["kind_bits"][i])
            return tuple(sorted((k for j, k in enumerate(self.kinds) if bits >> j & 1), key=str))
        if self._edge_data is not None:
            return tuple(self._edge_data[i].get("kinds") or ())
        return ()

    def has_kind(self, kind: str) -> np.ndarray:
        """Which edges include a tie of *kind*."""
        if "kind_bits" in self._edges:
            if kind not in self.kinds:
                return np.zeros(self.m, dtype=bool)
            bit = 1 << self.kinds.index(kind)
            return (np.asarray(self._edges["kind_bits"]) & bit) != 0
        if self._edge_data is None:
            return np.zeros(self.m, dtype=bool)
        return np.fromiter(
            (kind in (d.get("kinds") or ()) for d in self._edge_data), dtype=bool, count=self.m
        )

    def edge_attrs(self, i: int) -> dict:
        """The attributes of edge *i* as :meth:`to_networkx` gives them."""
        if self._edge_data is not None:
            return dict(self._edge_data[i])
        out: dict = {}
        for attr in ("weight", "ties"):
            if attr in self._edges:
                value = self._edges[attr][i]
                out[attr] = int(value) if attr == "ties" else float(value)
        if "kind_bits" in self._edges:
            out["kinds"] = self.edge_kinds(i)
        for attr in ("first_year", "last_year"):
            if attr in self._edges:
                year = float(self._edges[attr][i])
                out[attr] = None if year != year else int(year)
        return out

    # -- structure ---------------------------------------------------------------------------

    @cached_property
    def loops(self) -> np.ndarray:
        """Which edges join an organisation to itself."""
        return self.u == self.v

    @cached_property
    def degree(self) -> np.ndarray:
        """Partners of each organisation, as networkx counts them (a self-loop twice)."""
        d = np.bincount(self.u, minlength=self.n) + np.bincount(self.v, minlength=self.n)
        _readonly(d)
        return d

    def strength(self, weight: str | None = "weight") -> np.ndarray:
        """Sum of the weights of each organisation's edges (a self-loop's twice), as networkx."""
        w = self.edge_column(weight)
        return np.bincount(self.u, weights=w, minlength=self.n) + np.bincount(
            self.v, weights=w, minlength=self.n
        )

    def adjacency(self, weight: str | None = None) -> sp.sparse.csr_array:
        """The symmetric adjacency in node order as CSR: *weight* (1 where missing) or 1 per
        edge when *weight* is None; self-loops left out; read-only, built once per weight."""
        found = self._adjacency.get(weight)
        if found is None:
            keep = ~self.loops
            u, v = self.u[keep], self.v[keep]
            data = self.edge_column(weight)[keep]
            A = sp.sparse.csr_array(
                (np.concatenate((data, data)), (np.concatenate((u, v)), np.concatenate((v, u)))),
                shape=(self.n, self.n),
            )
            A.sum_duplicates()
            A.sort_indices()
            _readonly(A.data, A.indices, A.indptr)
            found = self._adjacency[weight] = A
        return found

    @cached_property
    def partners(self) -> np.ndarray:
        """Distinct partners of each organisation, self-loops left out (CSR row lengths)."""
        return np.diff(self.adjacency().indptr)

    def neighbors(self, i: int) -> np.ndarray:
        """The partners of organisation *i* (positions, ascending; itself left out)."""
        A = self.adjacency()
        return A.indices[A.indptr[i] : A.indptr[i + 1]]

    @cached_property
    def components(self) -> tuple[int, np.ndarray]:
        """``(count, labels)``: connected components, labelled in order of their first node."""
        if self.n == 0:
            return 0, np.zeros(0, dtype=np.int64)
        count, labels = sp.sparse.csgraph.connected_components(self.adjacency(), directed=False)
        # Number components by their first node, as networkx's connected_components meets them.
        first = np.full(count, self.n, dtype=np.int64)
        np.minimum.at(first, labels, np.arange(self.n))
        rank = np.empty(count, dtype=np.int64)
        rank[np.argsort(first, kind="stable")] = np.arange(count)
        labels = rank[labels]
        _readonly(labels)
        return int(count), labels

    @cached_property
    def triangles(self) -> np.ndarray:
        """Every triangle once, as rows of three positions (``(k, 3)``).

        Each edge runs from the end with fewer partners to the other (ties by position),
        and each pair of edges leaving the same node closes a triangle when its far ends
        are tied: :math:`O(m^{3/2})` pairs at most, usually far fewer.
        """
        keep = ~self.loops
        u, v = self.u[keep], self.v[keep]
        rank = np.empty(self.n, dtype=np.int64)
        rank[np.lexsort((np.arange(self.n), self.degree))] = np.arange(self.n)
        up = rank[u] < rank[v]
        low, high = np.where(up, u, v), np.where(up, v, u)
        order = np.argsort(low, kind="stable")
        a, b = low[order], high[order]
        out = np.bincount(a, minlength=self.n)
        place = np.arange(len(a)) - (np.cumsum(out) - out)[a]  # each edge's place among its node's
        later = out[a] - 1 - place
        first = np.repeat(np.arange(len(a)), later)
        second = first + 1 + np.arange(len(first)) - np.repeat(np.cumsum(later) - later, later)
        closed = self.has_edges(b[first], b[second])
        found = np.stack((a[first][closed], b[first][closed], b[second][closed]), axis=1)
        _readonly(found)
        return found

    @cached_property
    def pair_codes(self) -> np.ndarray:
        """Each edge's pair ``min * n + max``, sorted (for :meth:`has_edges`)."""
        n = np.int64(max(self.n, 1))
        codes = np.sort(np.minimum(self.u, self.v) * n + np.maximum(self.u, self.v))
        _readonly(codes)
        return codes

    def has_edges(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """Which of the pairs (``a[k]``, ``b[k]``) of positions are joined by an edge."""
        n = np.int64(max(self.n, 1))
        want = np.minimum(a, b).astype(np.int64) * n + np.maximum(a, b)
        codes = self.pair_codes
        if not len(codes):
            return np.zeros(len(want), dtype=bool)
        at = np.minimum(np.searchsorted(codes, want), len(codes) - 1)
        return codes[at] == want

    def has_edge(self, a: Hashable, b: Hashable) -> bool:
        """Whether organisations *a* and *b* (ids) are tied."""
        index = self.index
        if a not in index or b not in index:
            return False
        return bool(self.has_edges(np.array([index[a]]), np.array([index[b]]))[0])

    def select(self, nodes: np.ndarray | None = None, edges: np.ndarray | None = None) -> Network:
        """The organisations *nodes* and edges *edges* (boolean masks) as a network of their own;
        an edge with an end left out is left out."""
        node_mask = np.ones(self.n, dtype=bool) if nodes is None else np.asarray(nodes, dtype=bool)
        keep = np.ones(self.m, dtype=bool) if edges is None else np.asarray(edges, dtype=bool).copy()
        keep &= node_mask[self.u] & node_mask[self.v]
        position = np.cumsum(node_mask) - 1
        picked = np.flatnonzero(node_mask)
        return Network(
            [self.ids[i] for i in picked.tolist()],
            position[self.u[keep]],
            position[self.v[keep]],
            edges={k: np.asarray(c)[keep] for k, c in self._edges.items()},
            edge_data=None if self._edge_data is None else [self._edge_data[i] for i in np.flatnonzero(keep)],
            kinds=self.kinds,
            graph=self.graph,
            **self._subset_nodes(picked),
        )

    # -- other libraries ---------------------------------------------------------------------

    @cached_property
    def igraph(self):
        """The igraph copy: vertex *i* is organisation *i*, edge *k* is edge *k*."""
        if ig is None:  # pragma: no cover
            raise RuntimeError("igraph is not installed")
        # Pairs as Python ints, handed over as an iterator: igraph reads that twice as fast as
        # a list of tuples, and a list faster than a numpy array.
        return ig.Graph(n=self.n, edges=zip(self.u.tolist(), self.v.tolist(), strict=True), directed=False)

    def igraph_weights(self, weight: str | None) -> list[float] | None:
        """Edge weights in igraph's edge order as a list (igraph takes lists), or None."""
        if weight is None:
            return None
        found = self._weights.get(weight)
        if found is None:
            found = self._weights[weight] = self.edge_column(weight).tolist()
        return found

    @cached_property
    def _networkx(self) -> nx.Graph:
        G = nx.Graph(**self.graph)
        G.add_nodes_from(zip(self.ids, self.node_dicts(), strict=True))
        G.add_edges_from(
            (self.ids[a], self.ids[b], self.edge_attrs(k))
            for k, (a, b) in enumerate(zip(self.u.tolist(), self.v.tolist(), strict=True))
        )
        return nx.freeze(G)

    def to_networkx(self) -> nx.Graph:
        """The network as a (frozen) networkx graph, built once: nodes with their attributes,
        edges with ``weight``, ``ties``, ``kinds``, ``first_year`` and ``last_year`` (or the
        attributes of the networkx graph it was made from)."""
        return self._networkx

    def both_ways(self) -> Arcs:
        """Each edge as two arcs (a self-loop as one), unweighted: the directed view of a graph
        that has none, as :meth:`Arcs.from_networkx` makes it of an undirected graph."""
        other = ~self.loops
        return Arcs(
            self.ids,
            np.concatenate((self.u, self.v[other])),
            np.concatenate((self.v, self.u[other])),
            self._node_column,
            graph=self.graph,
            node_attrs=self.node_attrs,
            node_data=self._node_data,
        )


class Arcs(_Nodes):
    """A directed graph as arrays: arcs ``a → b`` (each ordered pair once) with their weights.

    Examples
    --------
    >>> D = Arcs.from_networkx(nx.DiGraph([("x", "y"), ("y", "x"), ("y", "z")]))
    >>> D.a.tolist(), D.b.tolist()
    ([0, 1, 1], [1, 0, 2])
    """

    def __init__(
        self,
        ids: list,
        a: np.ndarray,
        b: np.ndarray,
        node_column: NodeColumn | None = None,
        *,
        weight: np.ndarray | None = None,
        ties: np.ndarray | None = None,
        graph: dict | None = None,
        node_attrs: Sequence[str] = (),
        node_data: list[dict] | None = None,
    ):
        super().__init__(ids, node_column, dict(graph or {}), node_attrs, node_data)
        self.a = np.asarray(a, dtype=np.int64)
        self.b = np.asarray(b, dtype=np.int64)
        self.weight = np.ones(len(self.a)) if weight is None else np.asarray(weight, dtype=float)
        self.ties = np.ones(len(self.a), dtype=np.int64) if ties is None else np.asarray(ties, dtype=np.int64)
        _readonly(self.a, self.b, self.weight, self.ties)

    @classmethod
    def from_networkx(cls, G: nx.Graph) -> Arcs:
        """*G* as arcs: a directed graph's edges as they are, an undirected graph's both ways."""
        if G.is_multigraph():
            raise nx.NetworkXNotImplemented("not implemented for multigraph type")
        ids = list(G)
        index = {x: i for i, x in enumerate(ids)}
        pairs = [(index[x], index[y]) for x, y in G.edges()]
        if not G.is_directed():
            pairs += [(y, x) for x, y in pairs if x != y]
        arr = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
        return cls(ids, arr[:, 0], arr[:, 1], graph=dict(G.graph), node_data=[G.nodes[x] for x in ids])

    def is_directed(self) -> bool:
        return True

    @cached_property
    def _networkx(self) -> nx.DiGraph:
        D = nx.DiGraph(**self.graph)
        D.add_nodes_from(zip(self.ids, self.node_dicts(), strict=True))
        ids = self.ids
        D.add_edges_from(
            (ids[a], ids[b], {"weight": w, "ties": t})
            for a, b, w, t in zip(
                self.a.tolist(), self.b.tolist(), self.weight.tolist(), self.ties.tolist(), strict=True
            )
        )
        return nx.freeze(D)

    def to_networkx(self) -> nx.DiGraph:
        """The arcs as a (frozen) networkx ``DiGraph``, built once: nodes with their
        attributes, arcs with ``weight`` and ``ties`` (as :func:`ecograph.snapshot.directed`)."""
        return self._networkx

    def number_of_edges(self) -> int:
        return len(self.a)

    def adjacency(self) -> sp.sparse.csr_array:
        """``A[a, b] = 1`` for each arc (self-loops left out), CSR, read-only, built once."""
        return self._adjacency

    @cached_property
    def _adjacency(self) -> sp.sparse.csr_array:
        keep = self.a != self.b
        A = sp.sparse.csr_array(
            (np.ones(int(keep.sum())), (self.a[keep], self.b[keep])), shape=(self.n, self.n)
        )
        A.sum_duplicates()
        A.data[:] = 1.0
        A.sort_indices()
        _readonly(A.data, A.indices, A.indptr)
        return A


def _kept(t: EdgeTable, node_column, node_attrs, node_data, edges, nodes) -> tuple:
    """The ties kept, the organisations' keyword arguments, and each organisation's new position."""
    keep = np.ones(len(t.source), dtype=bool) if edges is None else np.asarray(edges, dtype=bool).copy()
    if nodes is None:
        position = np.arange(len(t.nodes), dtype=np.int64)
        kw = {"ids": t.nodes, "node_column": node_column, "node_attrs": node_attrs, "node_data": node_data}
        return keep, kw, position
    nodes = np.asarray(nodes, dtype=bool)
    keep &= nodes[t.source] & nodes[t.target]
    picked = np.flatnonzero(nodes)
    whole = _Nodes(t.nodes, node_column, {}, node_attrs, node_data)
    return (
        keep,
        {"ids": [t.nodes[i] for i in picked.tolist()], **whole._subset_nodes(picked)},
        np.cumsum(nodes) - 1,
    )


def undirected(
    t: EdgeTable,
    node_column: NodeColumn | None = None,
    graph: dict | None = None,
    *,
    edges: np.ndarray | None = None,
    nodes: np.ndarray | None = None,
    node_attrs: Sequence[str] = (),
    node_data: list[dict] | None = None,
) -> Network:
    """The undirected weighted projection of ties *t*: one edge per pair of organisations.

    Edge columns: ``weight`` (sum of the ties' weights), ``ties`` (how many),
    ``kind_bits`` (their kinds), ``first_year`` and ``last_year`` (of their starts, nan
    when none has one). Edges run from the lower position to the higher, in that order.

    Parameters
    ----------
    t : EdgeTable
        The ties.
    node_column, node_attrs, node_data : optional
        The organisations' attributes, in ``t.nodes`` order, as :class:`Network` takes them.
    graph : dict, optional
        The graph's attributes.
    edges, nodes : numpy boolean arrays, optional
        Keep only these ties and organisations (an edge with an end left out is left out).

    Examples
    --------
    >>> t = EdgeTable(["a", "b"], np.array([0, 1]), np.array([1, 0]), np.array([1.0, 2.0]),
    ...               np.array([2019.0, 2021.0]), np.array([np.nan, np.nan]), np.array([0, 1]), ("mou", "research"))
    >>> N = undirected(t, lambda attr: [None, None])
    >>> N.u.tolist(), N.v.tolist(), N.edge_column("weight").tolist(), N.edge_kinds(0)
    ([0], [1], [3.0], ('mou', 'research'))
    """
    keep, nodes_kw, position = _kept(t, node_column, node_attrs, node_data, edges, nodes)
    at = np.flatnonzero(keep)
    src, dst = t.source[at], t.target[at]
    n = np.int64(max(len(t.nodes), 1))
    pairs, group = np.unique(np.minimum(src, dst) * n + np.maximum(src, dst), return_inverse=True)
    group = group.reshape(-1)
    u, v = position[pairs // n], position[pairs % n]
    k = len(pairs)
    weight = np.bincount(group, weights=t.weight[at], minlength=k)
    ties = np.bincount(group, minlength=k)
    year = t.start[at]
    first_year = np.full(k, np.nan)
    last_year = np.full(k, np.nan)
    np.fmin.at(first_year, group, year)
    np.fmax.at(last_year, group, year)
    bits = np.zeros(k, dtype=np.int64)
    np.bitwise_or.at(bits, group, np.left_shift(np.int64(1), t.kind[at]))
    return Network(
        u=u,
        v=v,
        edges={
            "weight": weight,
            "ties": ties,
            "kind_bits": bits,
            "first_year": first_year,
            "last_year": last_year,
        },
        kinds=tuple(t.kinds),
        graph=graph,
        **nodes_kw,
    )


def directed(
    t: EdgeTable,
    node_column: NodeColumn | None = None,
    graph: dict | None = None,
    *,
    edges: np.ndarray | None = None,
    nodes: np.ndarray | None = None,
    node_attrs: Sequence[str] = (),
    node_data: list[dict] | None = None,
) -> Arcs:
    """The directed projection of ties *t*: directed kinds one way, the others both ways,
    one arc per ordered pair with the weights summed (parameters as :func:`undirected`).

    Examples
    --------
    >>> t = EdgeTable(["a", "b", "c"], np.array([0, 0]), np.array([1, 2]), np.ones(2),
    ...               np.full(2, np.nan), np.full(2, np.nan), np.array([0, 1]), ("investment", "mou"))
    >>> D = directed(t, lambda attr: [None] * 3)
    >>> list(zip(D.a.tolist(), D.b.tolist()))
    [(0, 1), (0, 2), (2, 0)]
    """
    keep, nodes_kw, position = _kept(t, node_column, node_attrs, node_data, edges, nodes)
    both = keep & ~t.directed
    src = np.concatenate((t.source[keep], t.target[both]))
    dst = np.concatenate((t.target[keep], t.source[both]))
    w = np.concatenate((t.weight[keep], t.weight[both]))
    n = np.int64(max(len(t.nodes), 1))
    pairs, group = np.unique(src * n + dst, return_inverse=True)
    group = group.reshape(-1)
    weight = np.bincount(group, weights=w, minlength=len(pairs))
    ties = np.bincount(group, minlength=len(pairs))
    return Arcs(
        a=position[pairs // n], b=position[pairs % n], weight=weight, ties=ties, graph=graph, **nodes_kw
    )
