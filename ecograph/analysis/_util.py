"""Helpers shared by the analyses: the graph as arrays, node labels, attribute values, make-up counts, names."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Hashable, Iterable, Mapping, Sequence
from itertools import pairwise

import networkx as nx
import numpy as np
import scipy as sp

from ecograph.columns import edge_table
from ecograph.errors import UnknownOrganisation
from ecograph.names import fold
from ecograph.projections import Arcs, Network, undirected

UNKNOWN = "(unknown)"
"""The make-up key for an organisation that has no value for an attribute."""

MAKEUP_ATTRS: tuple[str, ...] = ("category", "province")


GraphLike = Network | nx.Graph


def as_network(G: GraphLike) -> Network:
    """*G* as a :class:`~ecograph.projections.Network`: itself, or a networkx graph (a
    snapshot: its projection) converted on each call — the workspace's analysis state
    keeps the store's network, so a caller with a graph of its own converts it once.

    Raises
    ------
    networkx.NetworkXNotImplemented
        For a directed graph that is not a snapshot.
    """
    if isinstance(G, Network):
        return G
    if isinstance(G, Arcs):
        raise nx.NetworkXNotImplemented("not implemented for directed type")
    if G.is_multigraph():
        t = edge_table(G)
        return undirected(t, graph=dict(G.graph), node_data=[G.nodes[v] for v in t.nodes])
    return Network.from_networkx(G)


def positions(N: Network | Arcs, nodes: Iterable[Hashable]) -> list[int]:
    """The positions of *nodes* (ids) in *N*.

    Raises
    ------
    UnknownOrganisation
        For the first id that is not in *N*.
    """
    index = N.index
    out = []
    for v in nodes:
        i = index.get(v) if isinstance(v, Hashable) else None
        if i is None:
            raise UnknownOrganisation(f"No organisation with id {v!r} in the graph; check the id.")
        out.append(i)
    return out


def ranked(
    N: Network | Arcs, values: np.ndarray, descending: bool = True, among: np.ndarray | None = None
) -> np.ndarray:
    """Positions ordered by *values* (high first when *descending*), then by name, then id;
    nan values left out. *among* (a boolean mask) keeps only some organisations."""
    values = np.asarray(values, dtype=float)
    keep = ~np.isnan(values)
    if among is not None:
        keep &= among
    at = np.flatnonzero(keep)
    key = -values[at] if descending else values[at]
    return at[np.lexsort((N.name_rank[at], key))]


def group_codes(column: Sequence) -> tuple[np.ndarray, list]:
    """Each value of *column* as a code (lists as tuples, None a value like any other), and
    the distinct values in order of first appearance.

    Examples
    --------
    >>> codes, values = group_codes(["a", None, "a", ["x"]])
    >>> codes.tolist(), values
    ([0, 1, 0, 2], ['a', None, ('x',)])
    """
    codes: dict = {}
    out = np.fromiter(
        (codes.setdefault(tuple(x) if isinstance(x, list) else x, len(codes)) for x in column),
        dtype=np.int64,
        count=len(column),
    )
    return out, list(codes)


def values_of(G: nx.Graph, node: Hashable, attr: str) -> tuple:
    """The values of *attr* on *node* as a tuple: ``()`` when missing, several for a list."""
    value = G.nodes[node].get(attr)
    if value is None or value == "":
        return ()
    if isinstance(value, list | tuple | set | frozenset):
        return tuple(value)
    return (value,)


def label(G: nx.Graph, node: Hashable) -> str:
    """The organisation's name, else its id as text."""
    name = G.nodes[node].get("name")
    return str(name) if name else str(node)


def name_order(G: nx.Graph, node: Hashable) -> tuple[str, str, str]:
    """Sort key for "by name": the name without case or diacritics, then as written, then the id."""
    name = label(G, node)
    return fold(name), name, str(node)


def text_rank(N: Network) -> np.ndarray:
    """Each organisation's place in the order of names alone: without case or diacritics,
    then as written (organisations of the same name share a place; from
    :attr:`Network.name_rank`).

    Examples
    --------
    >>> N = Network.from_networkx(nx.Graph([("b", "a"), ("c", "a")]))
    >>> text_rank(N).tolist()
    [1, 0, 2]
    """
    order = np.argsort(N.name_rank)
    names = [N.names[i] for i in order.tolist()]
    changes = np.fromiter((a != b for a, b in pairwise(names)), dtype=np.int64, count=max(N.n - 1, 0))
    rank = np.empty(N.n, dtype=np.int64)
    rank[order] = np.concatenate((np.zeros(min(N.n, 1), dtype=np.int64), np.cumsum(changes)))
    return rank


def describe(G: nx.Graph, node: Hashable) -> dict[str, object]:
    """``id``, ``name``, ``category``, ``kind`` and ``province`` of one organisation."""
    data = G.nodes[node]
    return {
        "id": node,
        "name": label(G, node),
        "category": data.get("category"),
        "kind": data.get("kind"),
        "province": data.get("province"),
    }


def describe_at(N: Network, i: int) -> dict[str, object]:
    """:func:`describe` of the organisation at position *i* of *N*."""
    return {
        "id": N.ids[i],
        "name": N.names[i],
        "category": N.column("category")[i],
        "kind": N.column("kind")[i],
        "province": N.column("province")[i],
    }


def value_codes(N: Network, attr: str) -> tuple[np.ndarray, np.ndarray, list]:
    """Each organisation's values of *attr* for make-up counts, as ``(rows, codes, values)``:
    one entry per value held (a repeated value as often as it is listed, as :func:`makeup`
    counts it), ``(unknown)`` for an organisation without one; codes number *values*. Made
    once per network and attribute (the arrays are read-only).

    Examples
    --------
    >>> rows, codes, values = value_codes(Network.from_networkx(nx.Graph([("a", "b")])), "x")
    >>> rows.tolist(), codes.tolist(), values
    ([0, 1], [0, 0], ['(unknown)'])
    """
    rows, codes, values = N.made_once(("value_codes", attr), lambda: _value_codes(N, attr))
    return rows, codes, list(values)


def _value_codes(N: Network, attr: str) -> tuple[np.ndarray, np.ndarray, tuple]:
    held = [vals or (UNKNOWN,) for vals in N.values(attr)]
    rows = np.repeat(np.arange(N.n, dtype=np.int64), [len(vals) for vals in held])
    position: dict = {}
    codes = np.fromiter(
        (position.setdefault(x, len(position)) for vals in held for x in vals),
        dtype=np.int64,
        count=len(rows),
    )
    rows.flags.writeable = codes.flags.writeable = False  # shared by every caller
    return rows, codes, tuple(position)


def makeup_dict(values: Sequence, counts: np.ndarray) -> dict:
    """``value → count`` for the values counted, largest first, then by value as text (as :func:`makeup`)."""
    pairs = [(values[j], int(counts[j])) for j in np.flatnonzero(counts).tolist()]
    return dict(sorted(pairs, key=lambda kv: (-kv[1], str(kv[0]))))


def group_makeups(
    N: Network, groups: np.ndarray, count: int, attrs: Iterable[str] = MAKEUP_ATTRS
) -> list[dict]:
    """:func:`makeup` of each of *count* groups of organisations at once: ``groups[i]`` is
    the group of the organisation at position *i* (-1 for none)."""
    out: list[dict] = [{} for _ in range(count)]
    groups = np.asarray(groups, dtype=np.int64)
    for attr in attrs:
        rows, codes, values = value_codes(N, attr)
        g = groups[rows]
        inside = g >= 0
        width = max(len(values), 1)
        counts = np.bincount(g[inside] * width + codes[inside], minlength=count * width).reshape(count, width)
        for c in range(count):
            out[c][attr] = makeup_dict(values, counts[c])
    return out


def makeup(G: nx.Graph, nodes: Iterable[Hashable], attrs: Iterable[str] = MAKEUP_ATTRS) -> dict:
    """Counts of *nodes* by each attribute, largest first; missing values under ``(unknown)``."""
    nodes = list(nodes)
    out: dict[str, dict[str, int]] = {}
    for attr in attrs:
        counts: Counter = Counter()
        for n in nodes:
            vals = values_of(G, n, attr)
            counts.update(vals if vals else (UNKNOWN,))
        out[attr] = dict(sorted(counts.items(), key=lambda kv: (-kv[1], str(kv[0]))))
    return out


def name_list(G: nx.Graph, nodes: Iterable[Hashable], limit: int = 3) -> str:
    """``"A, B, C and 2 more"``: the first *limit* names of *nodes*."""
    names = [label(G, n) for n in nodes]
    shown = ", ".join(names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


def jsonable(x: object) -> object:
    """*x* with tuples and sets as lists, keys as text, and nan or inf as None (for JSON).

    Examples
    --------
    >>> jsonable({1: (2.0, float("nan"), {"a"})})
    {'1': [2.0, None, ['a']]}
    """
    if isinstance(x, Mapping):
        return {str(k): jsonable(v) for k, v in x.items()}
    if isinstance(x, list | tuple | set | frozenset):
        return [jsonable(v) for v in x]
    if isinstance(x, bool) or x is None or isinstance(x, str):
        return x
    if isinstance(x, int):
        return int(x)
    if isinstance(x, float):
        return float(x) if math.isfinite(x) else None
    if hasattr(x, "item"):  # numpy scalars
        return jsonable(x.item())
    return str(x)


def check_nodes(G: nx.Graph, nodes: Iterable[Hashable]) -> None:
    """Raise :class:`~ecograph.errors.UnknownOrganisation` for the first node not in *G*."""
    for n in nodes:
        if n not in G:
            raise UnknownOrganisation(f"No organisation with id {n!r} in the graph; check the id.")


def finite(x: float) -> float | None:
    """*x*, or None when it is not a finite number (for JSON)."""
    return x if isinstance(x, int | float) and math.isfinite(x) else None


def sparse_entries(M) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Row indices, column indices and values of the stored entries of sparse *M*."""
    M = sp.sparse.csr_array(M)
    M.sum_duplicates()
    rows = np.repeat(np.arange(M.shape[0], dtype=np.int64), np.diff(M.indptr))
    return rows, M.indices.astype(np.int64), M.data
