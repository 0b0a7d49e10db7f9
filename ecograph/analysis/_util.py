"""Helpers shared by the analyses: node labels, attribute values, make-up counts, names."""

from __future__ import annotations

import math
import weakref
from collections import Counter
from collections.abc import Hashable, Iterable, Mapping

import networkx as nx
import numpy as np
import scipy as sp

from ecograph.analysis.backends import graph_version, register_cache
from ecograph.errors import UnknownOrganisation
from ecograph.names import fold

UNKNOWN = "(unknown)"
"""The make-up key for an organisation that has no value for an attribute."""

MAKEUP_ATTRS: tuple[str, ...] = ("category", "province")


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


def text_order(text: str) -> tuple[str, str]:
    """Sort key for a name already in hand."""
    return fold(text), text


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


def sort_key(values: Mapping, G: nx.Graph, descending: bool = True):
    """Order nodes by value (nan last), then name, then id as text: a stable ranking."""

    def key(n):
        v = values[n]
        bad = v is None or (isinstance(v, float) and math.isnan(v))
        return (bad, 0.0 if bad else (-v if descending else v), *name_order(G, n))

    return key


def sparse_entries(M) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Row indices, column indices and values of the stored entries of sparse *M*."""
    M = sp.sparse.csr_array(M)
    M.sum_duplicates()
    rows = np.repeat(np.arange(M.shape[0], dtype=np.int64), np.diff(M.indptr))
    return rows, M.indices.astype(np.int64), M.data


def sparse_lookup(M, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """The entries ``M[rows[k], cols[k]]`` of sparse *M* (0 where none is stored)."""
    r, c, data = sparse_entries(M)
    width = np.int64(M.shape[1])
    keys = r * width + c  # sorted: csr rows in order, indices sorted by sum_duplicates
    want = rows * width + cols
    if len(keys) == 0:
        return np.zeros(len(want))
    at = np.minimum(np.searchsorted(keys, want), len(keys) - 1)
    return np.where(keys[at] == want, data[at], 0.0)


_ADJACENCY: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
register_cache(_ADJACENCY)


def adjacency(G: nx.Graph, weight: str | None = None) -> tuple[list, dict, sp.sparse.csr_array]:
    """``(nodes, position, A)``: *G*'s symmetric adjacency in ``list(G)`` order, as CSR.

    Entries are the *weight* attribute (1 where missing) or 1 when *weight* is None;
    self-loops are left out. Built once per graph and weight (cached while the graph
    lives and is unchanged, see :func:`~ecograph.analysis.backends.graph_version`); the
    matrix is read-only.
    """
    signature = graph_version(G)
    entry = _ADJACENCY.get(G)
    if entry is None or entry[0] != signature:
        entry = (signature, {})
        _ADJACENCY[G] = entry
    if weight in entry[1]:
        return entry[1][weight]
    nodes = list(G)
    pos = {v: i for i, v in enumerate(nodes)}
    m = G.number_of_edges()
    if weight is None:
        pairs = G.edges()
        data = np.ones(m)
    else:
        pairs = [(u, v) for u, v, _ in G.edges(data=weight)]
        data = np.fromiter(
            (float(w) for _, _, w in G.edges(data=weight, default=1.0)), dtype=np.float64, count=m
        )
    rows = np.fromiter((pos[u] for u, _ in pairs), dtype=np.int64, count=m)
    cols = np.fromiter((pos[v] for _, v in pairs), dtype=np.int64, count=m)
    keep = rows != cols
    rows, cols, data = rows[keep], cols[keep], data[keep]
    A = sp.sparse.csr_array(
        (np.concatenate((data, data)), (np.concatenate((rows, cols)), np.concatenate((cols, rows)))),
        shape=(len(nodes), len(nodes)),
    )
    A.sum_duplicates()
    A.sort_indices()
    for array in (A.data, A.indices, A.indptr):
        array.flags.writeable = False
    entry[1][weight] = (nodes, pos, A)
    return entry[1][weight]
