"""Province (or sector) scorecards: indicators of an ecosystem's health, year by year.

Each indicator is a pure function of an :class:`Ecosystem` — one state of the ecosystem
as columns (organisations, their groups, the partnering pairs) — that returns one value
per group. :func:`ecosystem` builds one from an undirected projection (small, hand-worked
graphs in the tests); :func:`scorecard` builds one per year from a store's columns (or a
snapshot's), with the period rule of :mod:`ecograph.period`, so that ten years of a 50,000-organisation
ecosystem never copy a networkx graph.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, replace

import networkx as nx
import numpy as np
import scipy as sp

from ecograph.analysis.backends import ig
from ecograph.columns import EdgeTable, GraphColumns, edge_table
from ecograph.errors import UsageError
from ecograph.model import FOREIGN_PARTNER
from ecograph.period import Period, founded_years, kept_in_period

__all__ = [
    "BY",
    "INDICATORS",
    "SPHERES",
    "Ecosystem",
    "Indicator",
    "bridges_cutting_off",
    "ecosystem",
    "foreign_gateway_share",
    "main_component_share",
    "organisations",
    "scorecard",
    "startup_research_share",
    "ties",
    "triple_helix",
    "triple_helix_synergy",
    "university_industry_ties",
]

BY: tuple[str, ...] = ("province", "sectors")
"""What a scorecard's rows can be: provinces, or sectors."""

SPHERES: dict[str, int] = {
    "university": 1,
    "research_institute": 1,
    "company": 2,
    "startup": 2,
    "government": 4,
}
"""The Triple Helix sphere of each organisation kind, as a bit: academia 1, industry 2, state 4.

Other kinds (investors, support organisations, other) belong to none."""
_ACADEMIA, _INDUSTRY, _STATE = 1, 2, 4


@dataclass(frozen=True)
class Ecosystem:
    """One state of the ecosystem as columns: what every indicator takes.

    Attributes
    ----------
    kind : numpy.ndarray of str (object)
        Each organisation's kind.
    foreign : numpy.ndarray of bool
        Foreign partners (category ``foreign_partner``).
    present : numpy.ndarray of bool
        Organisations that exist in this state (founded by then).
    u, v : numpy.ndarray of int
        The partnering pairs (each once), as indices of organisations.
    groups : list
        The groups (provinces or sectors), in order.
    members : scipy.sparse.csr_array
        Organisation × group, 1 where the organisation belongs to the group.
    """

    kind: np.ndarray
    foreign: np.ndarray
    present: np.ndarray
    u: np.ndarray
    v: np.ndarray
    groups: list
    members: sp.sparse.csr_array

    @property
    def n(self) -> int:
        return len(self.kind)

    def per_group(self, values: np.ndarray, where: np.ndarray | None = None) -> np.ndarray:
        """Sum of *values* over each group's present members (and *where*)."""
        keep = self.present if where is None else self.present & where
        return self.members.T @ np.where(keep, values, 0).astype(float)

    def is_kind(self, *kinds: str) -> np.ndarray:
        return np.isin(self.kind, kinds)


def _membership(
    node_groups: Sequence[tuple], order: Sequence | None = None
) -> tuple[list, sp.sparse.csr_array]:
    groups = list(order) if order is not None else sorted({g for gs in node_groups for g in gs}, key=str)
    code = {g: i for i, g in enumerate(groups)}
    rows, cols = [], []
    for i, gs in enumerate(node_groups):
        for g in gs:
            if g in code:
                rows.append(i)
                cols.append(code[g])
    M = sp.sparse.csr_array(
        (np.ones(len(rows)), (np.asarray(rows, dtype=np.int64), np.asarray(cols, dtype=np.int64))),
        shape=(len(node_groups), len(groups)),
    )
    return groups, M


def _check_by(by: str) -> None:
    if by not in BY:
        raise UsageError(f"a scorecard is by {' or '.join(BY)}, not {by!r}")


def _node_groups(values: Sequence, foreign: np.ndarray) -> list[tuple]:
    """Each organisation's groups from its value of the grouping attribute (None or ``""``:
    none; a list: each). Foreign partners belong to no province; a sector counts home
    organisations only."""
    return [
        ()
        if away or value is None or value == ""
        else tuple(value)
        if isinstance(value, list | tuple)
        else (value,)
        for value, away in zip(values, foreign.tolist(), strict=True)
    ]


def _base(kind: Sequence, foreign: np.ndarray, values: Sequence, groups: Sequence | None) -> Ecosystem:
    """Every organisation present, no pair yet."""
    names, M = _membership(_node_groups(values, foreign), groups)
    none = np.zeros(0, dtype=np.int64)
    return Ecosystem(
        np.array(kind, dtype=object), foreign, np.ones(len(foreign), dtype=bool), none, none, names, M
    )


def ecosystem(G: nx.Graph, by: str = "province", *, groups: Sequence | None = None) -> Ecosystem:
    """The columns of an undirected projection, every organisation present.

    Parameters
    ----------
    G : networkx.Graph
        Undirected graph with node attributes ``kind``, ``category`` and *by*.
    by : {"province", "sectors"}
        What the groups are.
    groups : sequence, optional
        The groups, in this order (default: every value found, by name).

    Examples
    --------
    >>> G = nx.Graph([("s", "u")])
    >>> G.nodes["s"].update(kind="startup", category="startup", province="Huế")
    >>> G.nodes["u"].update(kind="university", category="university", province="Huế")
    >>> eco = ecosystem(G)
    >>> eco.groups, eco.u.tolist(), eco.v.tolist()
    (['Huế'], [0], [1])
    """
    _check_by(by)
    nodes = list(G)
    index = {v: i for i, v in enumerate(nodes)}
    pairs = np.array([(index[a], index[b]) for a, b in G.edges() if a != b], dtype=np.int64).reshape(-1, 2)
    base = _base(*_attributes(G, nodes, by), groups)
    return replace(base, u=pairs[:, 0], v=pairs[:, 1])


def _attributes(G: nx.Graph, nodes: Sequence, by: str) -> tuple[list, np.ndarray, list]:
    """The organisations' kinds, whether each is a foreign partner, and their values of *by*."""
    foreign = np.array([G.nodes[v].get("category") == FOREIGN_PARTNER for v in nodes], dtype=bool)
    return [G.nodes[v].get("kind") for v in nodes], foreign, [G.nodes[v].get(by) for v in nodes]


def _ratio(part: np.ndarray, whole: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(whole > 0, part / np.where(whole > 0, whole, 1), np.nan)


def _touching(eco: Ecosystem) -> sp.sparse.csr_array:
    """Pair × group: 1 where the pair has an end among the group's present members."""
    M = eco.members.multiply(eco.present[:, None]).tocsr()
    touched = M[eco.u] + M[eco.v]
    touched.data = np.minimum(touched.data, 1.0)
    return touched


def organisations(eco: Ecosystem) -> np.ndarray:
    """Organisations in each group.

    Examples
    --------
    >>> G = nx.Graph([("a", "b")])
    >>> nx.set_node_attributes(G, {"a": "Huế", "b": "Vinh"}, "province")
    >>> organisations(ecosystem(G)).tolist()
    [1.0, 1.0]
    """
    return eco.per_group(np.ones(eco.n))


def ties(eco: Ecosystem) -> np.ndarray:
    """Partnering pairs with at least one end in each group.

    Examples
    --------
    >>> G = nx.Graph([("a", "b"), ("b", "c")])
    >>> nx.set_node_attributes(G, {"a": "Huế", "b": "Huế", "c": "Vinh"}, "province")
    >>> ties(ecosystem(G)).tolist()
    [2.0, 1.0]
    """
    return np.asarray(_touching(eco).sum(axis=0), dtype=float).ravel()


def _partner_flags(eco: Ecosystem, mine: np.ndarray, theirs: np.ndarray) -> np.ndarray:
    """Per organisation: the number of its partners in *theirs*, counted where it is in *mine*."""
    count = np.zeros(eco.n)
    for a, b in ((eco.u, eco.v), (eco.v, eco.u)):
        hit = mine[a] & theirs[b]
        np.add.at(count, a[hit], 1)
    return count


def startup_research_share(eco: Ecosystem) -> np.ndarray:
    """Share of each group's startups with at least one university or research institute partner.

    nan for a group without startups.

    Examples
    --------
    >>> G = nx.Graph([("s1", "u"), ("s2", "c")])
    >>> kinds = {"s1": "startup", "s2": "startup", "u": "university", "c": "company"}
    >>> nx.set_node_attributes(G, kinds, "kind")
    >>> nx.set_node_attributes(G, "Huế", "province")
    >>> startup_research_share(ecosystem(G)).tolist()
    [0.5]
    """
    startup = eco.is_kind("startup")
    with_research = _partner_flags(eco, startup, eco.is_kind("university", "research_institute")) > 0
    return _ratio(eco.per_group(with_research.astype(float), startup), eco.per_group(startup.astype(float)))


def university_industry_ties(eco: Ecosystem) -> np.ndarray:
    """Ties between each group's universities and companies or startups, per university.

    nan for a group without a university.

    Examples
    --------
    >>> G = nx.Graph([("u1", "c"), ("u1", "s"), ("u2", "u1")])
    >>> kinds = {"u1": "university", "u2": "university", "c": "company", "s": "startup"}
    >>> nx.set_node_attributes(G, kinds, "kind")
    >>> nx.set_node_attributes(G, "Huế", "province")
    >>> university_industry_ties(ecosystem(G)).tolist()
    [1.0]
    """
    university = eco.is_kind("university")
    links = _partner_flags(eco, university, eco.is_kind("company", "startup"))
    return _ratio(eco.per_group(links, university), eco.per_group(university.astype(float)))


def foreign_gateway_share(eco: Ecosystem) -> np.ndarray:
    """Share of each group's ties to foreign partners held by its single largest gateway.

    A *gateway* is one of the group's organisations with foreign partners; 1.0 means the
    group reaches abroad through one organisation. nan for a group without foreign ties.

    Examples
    --------
    >>> G = nx.Graph([("a", "x"), ("a", "y"), ("b", "z")])
    >>> nx.set_node_attributes(G, {v: "foreign_partner" for v in "xyz"}, "category")
    >>> nx.set_node_attributes(G, {"a": "Huế", "b": "Huế"}, "province")
    >>> [round(x, 3) for x in foreign_gateway_share(ecosystem(G)).tolist()]
    [0.667]
    """
    home = ~eco.foreign
    abroad = _partner_flags(eco, home, eco.foreign)
    abroad = np.where(eco.present, abroad, 0.0)
    M = eco.members.tocsc()
    largest = np.zeros(len(eco.groups))
    for g in range(len(eco.groups)):
        rows = M.indices[M.indptr[g] : M.indptr[g + 1]]
        if len(rows):
            largest[g] = abroad[rows].max()
    return _ratio(largest, eco.per_group(abroad))


def _graph(eco: Ecosystem):
    if ig is None:  # pragma: no cover - igraph is a dependency
        raise UsageError("scorecards need igraph: pip install igraph")
    return ig.Graph(n=eco.n, edges=np.column_stack((eco.u, eco.v)).tolist(), directed=False)


def _main_component(eco: Ecosystem, graph) -> np.ndarray:
    """Per organisation: True in the largest connected part of the present organisations."""
    membership = np.asarray(graph.connected_components().membership)
    sizes = np.bincount(membership, weights=eco.present.astype(float))
    return (membership == int(np.argmax(sizes))) & eco.present if len(sizes) else eco.present.copy()


def main_component_share(eco: Ecosystem, *, graph=None) -> np.ndarray:
    """Share of each group's organisations in the national main network (largest connected part).

    Examples
    --------
    >>> G = nx.Graph([("a", "b"), ("b", "c"), ("d", "e")])
    >>> nx.set_node_attributes(G, {"a": "Huế", "b": "Huế", "c": "Vinh", "d": "Huế", "e": "Vinh"}, "province")
    >>> [round(x, 3) for x in main_component_share(ecosystem(G)).tolist()]
    [0.667, 0.5]
    """
    main = _main_component(eco, graph if graph is not None else _graph(eco))
    return _ratio(eco.per_group(main.astype(float)), organisations(eco))


def bridges_cutting_off(eco: Ecosystem, *, graph=None, min_cut: int = 2) -> np.ndarray:
    """Bridges of the main network whose loss would cut at least *min_cut* of a group's organisations off it.

    A bridge is a tie whose loss splits its connected part in two; the side away from
    the main network's largest 2-edge-connected piece is the side it cuts off. Bridges
    that cut off a single organisation (its only tie) are not counted with the default
    *min_cut*.

    Examples
    --------
    A triangle in Huế hangs on one tie from a larger piece in Vinh:

    >>> G = nx.barbell_graph(3, 0)
    >>> G.add_edges_from([(5, 6), (6, 7), (7, 5)])
    >>> nx.set_node_attributes(G, {v: "Huế" if v in (0, 1, 2) else "Vinh" for v in G}, "province")
    >>> bridges_cutting_off(ecosystem(G)).tolist()
    [1.0, 0.0]
    """
    graph = graph if graph is not None else _graph(eco)
    out = np.zeros(len(eco.groups))
    cut = graph.bridges()
    main = _main_component(eco, graph)
    if not cut:
        return out
    is_bridge = np.zeros(graph.ecount(), dtype=bool)
    is_bridge[cut] = True
    pieces = graph.subgraph_edges(np.flatnonzero(~is_bridge).tolist(), delete_vertices=False)
    piece = np.asarray(pieces.connected_components().membership)
    n_pieces = int(piece.max()) + 1
    ends = np.column_stack((eco.u[is_bridge], eco.v[is_bridge]))  # igraph's edge i is (u[i], v[i])
    inside = main[ends[:, 0]]  # a bridge of the main network has both ends in it
    ends = ends[inside]
    if not len(ends):
        return out
    # The bridge tree of the main network, rooted at its largest piece.
    size = np.bincount(piece[main], minlength=n_pieces)
    root = int(np.argmax(size))
    tree = ig.Graph(n=n_pieces, edges=np.column_stack((piece[ends[:, 0]], piece[ends[:, 1]])).tolist())
    order, layers, parent = tree.bfs(root)
    depth = np.full(n_pieces, -1)
    for d in range(len(layers) - 1):
        depth[order[layers[d] : layers[d + 1]]] = d
    # counts[p, g]: the group's present members in piece p, then in p's whole subtree.
    P = sp.sparse.csr_array((eco.present.astype(float), (piece, np.arange(eco.n))), shape=(n_pieces, eco.n))
    counts = (P @ eco.members).toarray()
    parent = np.asarray(parent)
    for d in range(int(depth.max()), 0, -1):
        at = np.flatnonzero(depth == d)
        np.add.at(counts, parent[at], counts[at])
    a, b = piece[ends[:, 0]], piece[ends[:, 1]]
    child = np.where(depth[a] > depth[b], a, b)
    return (counts[child] >= min_cut).sum(axis=0).astype(float)


def triple_helix(cells: Sequence[float]) -> float:
    r"""Leydesdorff's mutual information in three dimensions of a 2×2×2 table, in bits.

    With each unit (a document, a partnership) coded by whether academia (*u*), industry
    (*i*) and the state (*g*) take part, and :math:`H` Shannon's entropy of the marginal
    and joint distributions of those three yes/no variables,

    .. math::

       T_{uig} = H_u + H_i + H_g - H_{ui} - H_{ug} - H_{ig} + H_{uig}

    A negative :math:`T_{uig}` is a reduction of uncertainty — synergy among the three
    spheres; a positive one, their relations pulling apart.

    Parameters
    ----------
    cells : sequence of 8 numbers
        Counts by code ``u + 2 i + 4 g`` (index 0: none of the three).

    Returns
    -------
    float
        :math:`T_{uig}` in bits; nan for an empty table.

    Examples
    --------
    Partnerships that each join two spheres, as many of each pair: synergy of
    :math:`\log_2 3 - 2` bits.

    >>> round(triple_helix([0, 0, 0, 10, 0, 10, 10, 0]), 4)
    -0.415
    >>> triple_helix([0, 0, 0, 5, 0, 0, 0, 0])
    0.0

    References
    ----------
    .. [1] Leydesdorff, L. (2003). The mutual information of university-industry-government
       relations: An indicator of the Triple Helix dynamics. *Scientometrics* 58(2),
       445–467. https://doi.org/10.1023/A:1026253130577
    .. [2] Abramson, N. (1963). *Information Theory and Coding.* McGraw-Hill.
    """
    p = np.asarray(cells, dtype=float)
    total = p.sum()
    if total <= 0:
        return math.nan
    p = (p / total).reshape(2, 2, 2)  # axes: g, i, u (code u + 2i + 4g)

    def h(q: np.ndarray) -> float:
        q = q[q > 0]
        return float(-(q * np.log2(q)).sum())

    g_, i_, u_ = (p.sum(axis=axes) for axes in ((1, 2), (0, 2), (0, 1)))
    gi, gu, iu = p.sum(axis=2), p.sum(axis=1), p.sum(axis=0)
    value = h(u_) + h(i_) + h(g_) - h(iu) - h(gu) - h(gi) + h(p)
    return 0.0 if abs(value) < 1e-12 else value


def triple_helix_synergy(eco: Ecosystem) -> np.ndarray:
    r"""Leydesdorff's Triple Helix synergy :math:`T_{uig}` of each group's partnerships, in bits.

    Every partnering pair with an end in the group is one unit; it is coded by the spheres
    its two organisations belong to (academia: universities and research institutes;
    industry: companies and startups; the state: government bodies — see
    :data:`SPHERES`), and the group's table of codes goes to :func:`triple_helix`. Pairs
    that touch no sphere are left out. Negative values are synergy: the more negative,
    the more the three spheres' relations reduce each other's uncertainty.

    Examples
    --------
    A province with one university–company, one university–government and one
    company–government partnership:

    >>> G = nx.Graph([("u", "c"), ("u", "g"), ("c", "g")])
    >>> nx.set_node_attributes(G, {"u": "university", "c": "company", "g": "government"}, "kind")
    >>> nx.set_node_attributes(G, "Huế", "province")
    >>> [round(x, 4) for x in triple_helix_synergy(ecosystem(G)).tolist()]
    [-0.415]

    References
    ----------
    .. [1] Leydesdorff, L. (2003). The mutual information of university-industry-government
       relations: An indicator of the Triple Helix dynamics. *Scientometrics* 58(2),
       445–467. https://doi.org/10.1023/A:1026253130577
    """
    sphere = np.array([SPHERES.get(k, 0) for k in eco.kind.tolist()], dtype=np.int64)
    code = sphere[eco.u] | sphere[eco.v]
    touched = _touching(eco).tocoo()
    table = np.zeros((len(eco.groups), 8))
    np.add.at(table, (touched.col, code[touched.row]), 1.0)
    table[:, 0] = 0.0  # pairs outside the three spheres
    return np.array([triple_helix(row) for row in table])


@dataclass(frozen=True)
class Indicator:
    """One column of a scorecard: its key, whether a higher value is better, and its function."""

    key: str
    higher_is_better: bool
    compute: Callable[..., np.ndarray]
    needs_graph: bool = False


INDICATORS: tuple[Indicator, ...] = (
    Indicator("organisations", True, organisations),
    Indicator("ties", True, ties),
    Indicator("startup_research_share", True, startup_research_share),
    Indicator("university_industry_ties", True, university_industry_ties),
    Indicator("foreign_gateway_share", False, foreign_gateway_share),
    Indicator("main_component_share", True, main_component_share, needs_graph=True),
    Indicator("bridges_cutting_off", False, bridges_cutting_off, needs_graph=True),
    Indicator("triple_helix", False, triple_helix_synergy),
)
"""The indicators, in column order (the Triple Helix synergy is better when lower)."""


def _values(eco: Ecosystem) -> dict[str, np.ndarray]:
    graph = _graph(eco)
    return {
        ind.key: (ind.compute(eco, graph=graph) if ind.needs_graph else ind.compute(eco))
        for ind in INDICATORS
    }


def _as_of(base: Ecosystem, t: EdgeTable, kept) -> Ecosystem:
    """*base*'s organisations and groups with the pairs and organisations *kept* (a PeriodFilter)."""
    n = np.int64(max(base.n, 1))
    src, dst = t.source[kept.edges], t.target[kept.edges]
    pairs = np.unique(np.minimum(src, dst) * n + np.maximum(src, dst))
    return Ecosystem(base.kind, base.foreign, kept.nodes, pairs // n, pairs % n, base.groups, base.members)


def _change(series: list) -> float | None:
    known = [x for x in series if x is not None]
    return known[-1] - known[0] if len(known) >= 2 else None


def scorecard(
    G: nx.MultiDiGraph | GraphColumns,
    years: Sequence[int],
    *,
    by: str = "province",
    table: EdgeTable | None = None,
) -> dict:
    """Every indicator of :data:`INDICATORS` for every group and year: the ecosystem as of each year.

    Parameters
    ----------
    G : networkx.MultiDiGraph or GraphColumns
        A snapshot (:func:`ecograph.snapshot.build_snapshot`), or a store's columns
        (:attr:`ecograph.workspace.Workspace.columns`: the same scorecard, read without a
        networkx graph).
    years : sequence of int
        The years, each analysed as of that year (:func:`ecograph.period.period_filter`).
    by : {"province", "sectors"}
        One row per province, or per sector (home organisations only).
    table : EdgeTable, optional
        :func:`ecograph.columns.edge_table` of a snapshot *G*, when the caller already has it.

    Returns
    -------
    dict
        JSON-able: ``by``, ``years``, ``groups``, ``indicators`` (keys, in order, each with
        ``higher_is_better``), ``values`` (indicator → group → list of values by year,
        None where undefined), ``change`` (indicator → group → last known value minus
        first, or None) and ``undated_ties``.

    Examples
    --------
    >>> M = nx.MultiDiGraph()
    >>> M.add_node("u", kind="university", category="university", province="Huế")
    >>> M.add_node("c", kind="company", category="company", province="Huế")
    >>> M.add_edge("u", "c", kind="research", start="2021")
    0
    >>> card = scorecard(M, [2020, 2021])
    >>> card["values"]["university_industry_ties"]["Huế"]
    [0.0, 1.0]

    Notes
    -----
    Per year, one mask of the snapshot's columns and a few passes in igraph and numpy:
    :math:`O(n + m)`.
    """
    _check_by(by)
    if isinstance(G, GraphColumns):
        t, founded = G.table, G.founded
        base = _base(G.column("kind"), G.category == FOREIGN_PARTNER, G.column(by), None)
    else:
        t = table if table is not None else edge_table(G)
        founded = founded_years(G, t.nodes)
        base = _base(*_attributes(G, t.nodes, by), None)
    names = base.groups
    values: dict[str, dict[Hashable, list]] = {ind.key: {g: [] for g in names} for ind in INDICATORS}
    undated = 0
    for year in years:
        kept = kept_in_period(founded, t, Period(year, year))
        undated = kept.undated_ties
        for key, column in _values(_as_of(base, t, kept)).items():
            for g, x in zip(names, column.tolist(), strict=True):
                values[key][g].append(None if math.isnan(x) else x)
    return {
        "by": by,
        "years": list(years),
        "groups": names,
        "indicators": [{"key": ind.key, "higher_is_better": ind.higher_is_better} for ind in INDICATORS],
        "values": values,
        "change": {key: {g: _change(series) for g, series in rows.items()} for key, rows in values.items()},
        "undated_ties": undated,
    }
