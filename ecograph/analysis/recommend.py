"""Missing partnerships: pairs of organisations that should know each other, each with its reason as data."""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping

import numpy as np
import scipy as sp
from networkx.utils import not_implemented_for

from ecograph.analysis._util import GraphLike, as_network, positions, sparse_entries
from ecograph.errors import UsageError
from ecograph.projections import Network

__all__ = ["DEFAULT_WEIGHTS", "recommend"]

DEFAULT_WEIGHTS: dict[str, float] = {
    "common_partners": 1.0,
    "adamic_adar": 1.0,
    "resource_allocation": 1.0,
    "shared_sectors": 1.0,
}
"""Weights of the four signals in the combined score."""

_BLOCK_PAIRS = 2_000_000  # two-step paths expanded per block of source rows


def _popcount(x: np.ndarray) -> np.ndarray:
    if hasattr(np, "bitwise_count"):
        return np.bitwise_count(x).astype(np.int64)
    as_bytes = x.view(np.uint8).reshape(*x.shape, 8)  # pragma: no cover - numpy < 2
    table = np.array([bin(i).count("1") for i in range(256)], dtype=np.int64)
    return table[as_bytes].sum(axis=-1)


class _Index:
    """What scoring reads of a network: binary adjacency, partners, categories and sector bitmasks."""

    def __init__(self, N: Network):
        A = N.adjacency()
        n = N.n
        self.A = A
        self.degree = np.diff(A.indptr).astype(np.int64)
        with np.errstate(divide="ignore"):
            self.aa = np.where(self.degree > 1, 1.0 / np.log(np.maximum(self.degree, 2)), 0.0)
            self.ra = np.where(self.degree > 0, 1.0 / np.maximum(self.degree, 1), 0.0)
        self.category = N.column("category")
        self.sectors = N.values("sectors")  # tuples, kept by the network
        names, M = N.members("sectors")
        rows, cols, _ = sparse_entries(M)
        masks = np.zeros((n, max(1, math.ceil(len(names) / 64))), dtype=np.uint64)
        np.bitwise_or.at(
            masks, (rows, cols // 64), np.left_shift(np.uint64(1), (cols % 64).astype(np.uint64))
        )
        self.masks = masks

    def jaccard(self, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        a, b = self.masks[rows], self.masks[cols]
        inter = _popcount(a & b).sum(axis=1)
        union = _popcount(a | b).sum(axis=1)
        return np.where(union > 0, inter / np.maximum(union, 1), 0.0)


_NAMED = 3  # shared partners named in a reason; the rest are counted


def _why(N: Network, idx: _Index, i: int, j: int) -> tuple[np.ndarray, list, dict]:
    """Shared partners (positions, most specific first), shared sectors and the reason as data:
    the first partners' names, their count, the sectors and both provinces
    (:func:`ecograph.explain.recommendations.reason` words it)."""
    common = np.intersect1d(N.neighbors(i), N.neighbors(j), assume_unique=True)
    common = common[np.lexsort((N.name_rank[common], N.degree[common]))]
    sectors = sorted(set(idx.sectors[i]) & set(idx.sectors[j]), key=str)
    province = N.column("province")
    why = {
        "partners": [N.names[w] for w in common[:_NAMED].tolist()],
        "partner_count": len(common),
        "sectors": list(sectors),
        "provinces": [province[i], province[j]],
    }
    return common, sectors, why


_TIED = float(2**32)  # marks a pair already tied; more than any count of common partners


def _two_steps(Ab: sp.sparse.csr_array, R: sp.sparse.csr_array, idx: _Index) -> tuple[np.ndarray, ...]:
    """Every pair two steps apart from the rows of *Ab*: row (in *Ab*), column, common
    partners, and the Adamic–Adar and resource-allocation sums over them.

    *R* is the adjacency with :data:`_TIED` on its diagonal, so that a pair already tied
    comes out with at least :data:`_TIED` common partners. Two products with the same
    structure, whose entries line up without a lookup: the counts, and both sums at once
    as the real and imaginary parts of complex entries (never zero: every partner has
    ``ra > 0``). Each row's partners are taken in descending order, so that the sums add
    up in the order they always have.
    """
    counts = np.diff(Ab.indptr)
    ends = np.repeat(Ab.indptr[1:], counts)
    starts = np.repeat(Ab.indptr[:-1], counts)
    partners = Ab.indices[starts + ends - 1 - np.arange(Ab.nnz)]  # each row reversed
    shape = Ab.shape
    C = sp.sparse.csr_array((np.ones(Ab.nnz), partners, Ab.indptr), shape=shape) @ R
    S = sp.sparse.csr_array((idx.aa[partners] + 1j * idx.ra[partners], partners, Ab.indptr), shape=shape) @ R
    rows = np.repeat(np.arange(shape[0], dtype=np.int64), np.diff(C.indptr))
    return rows, C.indices, C.data, S.data


def _keep_best(rows, cols, scores, tiebreak, top):
    """The *top* best candidates (and any tied with the last), best first."""
    if len(scores) > top:
        cut = np.partition(scores, len(scores) - top)[len(scores) - top]
        keep = scores >= cut
        rows, cols, scores, tiebreak = rows[keep], cols[keep], scores[keep], tiebreak[keep]
    order = np.lexsort((cols, rows, -tiebreak, -scores))
    return rows[order], cols[order], scores[order], tiebreak[order]


@not_implemented_for("directed")
@not_implemented_for("multigraph")
def recommend(
    G: GraphLike,
    *,
    org: Hashable | None = None,
    source_category: str | None = None,
    target_category: str | None = None,
    top: int = 20,
    weights: Mapping[str, float] | None = None,
    sector_candidates: int = 5,
) -> list[dict]:
    r"""Missing partnerships, best first, each with the reason it is recommended.

    Every pair without a tie that has a common partner (distance two) is scored, and
    pairs sharing a sector are added when they could still make the list. With
    :math:`\Gamma(x)` the partners of :math:`x` and :math:`S(x)` its sectors:

    .. math::

       \text{score}(u, v) = w_1 |\Gamma(u) \cap \Gamma(v)|
         + w_2 \sum_{z \in \Gamma(u) \cap \Gamma(v)} \frac{1}{\ln d_z}
         + w_3 \sum_{z \in \Gamma(u) \cap \Gamma(v)} \frac{1}{d_z}
         + w_4 \frac{|S(u) \cap S(v)|}{|S(u) \cup S(v)|}

    common partners, Adamic–Adar, resource allocation and the Jaccard overlap of sectors.

    Parameters
    ----------
    G : networkx.Graph or Network
        Undirected graph.
    org : node, optional
        Only partnerships for this organisation (it is then always the ``source``).
    source_category, target_category : str, optional
        Only pairs from an organisation of the first category to one of the second
        (e.g. ``"university"`` → ``"startup"``).
    top : int, optional (default 20)
        How many recommendations.
    weights : mapping, optional
        :math:`w_1 \dots w_4` by name (see :data:`DEFAULT_WEIGHTS`); missing names keep
        their default.
    sector_candidates : int, optional (default 5)
        For each source organisation and each of its sectors, consider at most this many
        same-sector organisations without a common partner (those with most partners).

    Returns
    -------
    list of dict
        ``source``, ``source_name``, ``source_category``, ``target``, ``target_name``,
        ``target_category``, ``score``, ``common_partners`` (count),
        ``adamic_adar``, ``resource_allocation``, ``shared_sectors`` (list) and
        ``why``: the reason as data, ``{"partners": [the first three shared partners' names,
        most specific first], "partner_count", "sectors", "provinces": [source's, target's]}``
        (:func:`ecograph.explain.recommendations.reason` words it). Never a pair that is
        already tied. Ties in score go to the pair with more partners between them, then graph order.

    Raises
    ------
    ecograph.errors.UnknownOrganisation
        If *org* is not in the graph.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.Graph([("a", "hub"), ("b", "hub"), ("a", "lab"), ("b", "lab"), ("c", "hub")])
    >>> [(r["source"], r["target"], r["common_partners"]) for r in recommend(G, top=2)]
    [('hub', 'lab', 2), ('a', 'b', 2)]
    >>> recommend(G, org="c", top=1)[0]["why"]
    {'partners': ['hub'], 'partner_count': 1, 'sectors': [], 'provinces': [None, None]}

    Notes
    -----
    Sparse products over blocks of source rows: :math:`O(\sum_z d_z^2)` for the pairs at
    distance two, memory bounded by the block; plus :math:`O(n \cdot s \cdot c)` for *s*
    sectors per organisation and *c* ``sector_candidates``. A networkx graph is converted
    to a :class:`~ecograph.projections.Network`, which keeps its adjacency and attribute
    columns: given the workspace's network, asking for one organisation after another is fast.

    References
    ----------
    .. [1] Liben-Nowell, D., & Kleinberg, J. (2007). The link-prediction problem for social
       networks. *JASIST* 58(7), 1019–1031. https://doi.org/10.1002/asi.20591
    .. [2] Adamic, L. A., & Adar, E. (2003). Friends and neighbors on the Web. *Social
       Networks* 25(3), 211–230. https://doi.org/10.1016/S0378-8733(03)00009-1
    .. [3] Zhou, T., Lü, L., & Zhang, Y.-C. (2009). Predicting missing links via local
       information. *European Physical Journal B* 71, 623–630.
       https://doi.org/10.1140/epjb/e2009-00335-8
    """
    unknown = set(weights or ()) - set(DEFAULT_WEIGHTS)
    if unknown:
        raise UsageError(f"Unknown score weights {sorted(unknown)}: use {', '.join(DEFAULT_WEIGHTS)}.")
    w = {**DEFAULT_WEIGHTS, **(weights or {})}
    N = as_network(G)
    if top < 1 or N.n < 2:
        return []
    n = N.n
    cats = np.array(N.column("category"), dtype=object)
    if org is not None:
        sources = np.array(positions(N, [org]), dtype=np.int64)
    elif source_category is not None:
        sources = np.flatnonzero(cats == source_category)
    else:
        sources = np.arange(n)
    is_source = np.zeros(n, dtype=bool)
    is_source[sources] = True
    is_target = np.ones(n, dtype=bool) if target_category is None else (cats == target_category)
    idx = _Index(N)

    def allowed(r: np.ndarray, c: np.ndarray) -> np.ndarray:
        """Not the same node, a target, and each unordered pair once."""
        ok = (r != c) & is_target[c]
        twice = is_source[c] & is_target[r]
        return ok & ~(twice & (c < r))

    A = idx.A
    best = (np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0), np.zeros(0))
    two_step = A @ idx.degree.astype(np.float64)
    R = sp.sparse.csr_array(A + _TIED * sp.sparse.eye_array(n, format="csr"))
    start = 0
    while start < len(sources):
        stop, load = start, 0.0
        while stop < len(sources) and (stop == start or load + two_step[sources[stop]] <= _BLOCK_PAIRS):
            load += two_step[sources[stop]]
            stop += 1
        block = sources[start:stop]
        start = stop
        local, cols, cnv, sums = _two_steps(A[block], R, idx)
        rows = block[local]
        keep = (cnv < _TIED) & allowed(rows, cols)
        if not keep.any():
            continue
        rows, cols, cnv, sums = rows[keep], cols[keep].astype(np.int64), cnv[keep], sums[keep]
        aav, rav = sums.real, sums.imag
        scores = (
            w["common_partners"] * cnv
            + w["adamic_adar"] * aav
            + w["resource_allocation"] * rav
            + w["shared_sectors"] * idx.jaccard(rows, cols)
        )
        tiebreak = (idx.degree[rows] + idx.degree[cols]).astype(np.float64)
        merged = [np.concatenate((b, x)) for b, x in zip(best, (rows, cols, scores, tiebreak), strict=True)]
        best = _keep_best(*merged, top)

    # Same-sector pairs without a common partner score at most w4: add them if they can place.
    threshold = best[2][top - 1] if len(best[2]) >= top else -math.inf
    if w["shared_sectors"] > 0 and w["shared_sectors"] >= threshold and sector_candidates > 0:
        extra = _sector_pairs(N, idx, sources, is_target, allowed, sector_candidates)
        if len(extra[0]):
            rows, cols = extra
            scores = w["shared_sectors"] * idx.jaccard(rows, cols)
            tiebreak = (idx.degree[rows] + idx.degree[cols]).astype(np.float64)
            merged = [
                np.concatenate((b, x)) for b, x in zip(best, (rows, cols, scores, tiebreak), strict=True)
            ]
            best = _keep_best(*merged, top)

    out = []
    for i, j, score in zip(
        best[0][:top].tolist(), best[1][:top].tolist(), best[2][:top].tolist(), strict=True
    ):
        common, sectors, why = _why(N, idx, i, j)
        degs = N.degree[common].tolist()  # as networkx counts them: a self-loop twice
        out.append(
            {
                "source": N.ids[i],
                "source_name": N.names[i],
                "source_category": idx.category[i],
                "target": N.ids[j],
                "target_name": N.names[j],
                "target_category": idx.category[j],
                "score": float(score),
                "common_partners": len(common),
                "adamic_adar": float(sum(1 / math.log(d) for d in degs if d > 1)),
                "resource_allocation": float(sum(1 / d for d in degs)),
                "shared_sectors": sectors,
                "why": why,
            }
        )
    return out


def _sector_pairs(
    N: Network, idx: _Index, sources, is_target, allowed, cap: int
) -> tuple[np.ndarray, np.ndarray]:
    """Untied same-sector pairs without a common partner, *cap* per source and sector."""
    by_sector: dict = {}
    order = np.argsort(-idx.degree, kind="stable")
    for j in order.tolist():
        if is_target[j]:
            for s in dict.fromkeys(idx.sectors[j]):
                by_sector.setdefault(s, []).append(j)
    rows, cols = [], []
    for i in sources.tolist():
        if not idx.sectors[i]:
            continue
        near = set(N.neighbors(i).tolist())
        seen = set()
        for s in sorted(set(idx.sectors[i]), key=str):
            taken = 0
            for j in by_sector.get(s, ()):
                if taken == cap:
                    break
                if j == i or j in seen or j in near:
                    continue
                if not near.isdisjoint(N.neighbors(j).tolist()):
                    continue  # a common partner: already scored above
                seen.add(j)
                rows.append(i)
                cols.append(j)
                taken += 1
    r, c = np.asarray(rows, dtype=np.int64), np.asarray(cols, dtype=np.int64)
    if len(r):
        keep = allowed(r, c)
        r, c = r[keep], c[keep]
    return r, c
