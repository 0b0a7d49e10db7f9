"""Peripheral organisations: isolates, small components, missing kinds of partner, single foreign gateways."""

from __future__ import annotations

import numpy as np
from networkx.utils import not_implemented_for

from ecograph.analysis._util import GraphLike, as_network, describe_at, group_codes, group_makeups
from ecograph.errors import UsageError
from ecograph.model import FOREIGN_PARTNER
from ecograph.projections import Network

__all__ = [
    "foreign_gatekeepers",
    "institutes_without_foreign_partner",
    "isolates",
    "periphery",
    "small_components",
    "startups_without_investor",
    "universities_without_industry",
]


def _rows(N: Network, at: np.ndarray) -> list[dict]:
    """The organisations at positions *at* as rows: who they are, their sectors and partners."""
    sectors = N.values("sectors")
    return [
        {**describe_at(N, i), "sectors": list(sectors[i]), "partners": int(N.degree[i])} for i in at.tolist()
    ]


def _is(N: Network, attr: str, wanted: tuple) -> np.ndarray:
    """Which organisations have one of the values *wanted* of *attr*."""
    return np.fromiter((x in wanted for x in N.column(attr)), dtype=bool, count=N.n)


def _lacking(N: Network, category: str, partner: np.ndarray, tie: np.ndarray | None = None) -> list[dict]:
    """Organisations of *category* with no partner in the mask *partner* and no tie in the
    mask *tie*, most partners first."""
    keep = ~N.loops
    u, v = N.u[keep], N.v[keep]
    good = np.zeros(N.m, dtype=bool) if tie is None else tie
    has = np.zeros(N.n, dtype=bool)
    has[u[partner[v] | good[keep]]] = True
    has[v[partner[u] | good[keep]]] = True
    at = np.flatnonzero(_is(N, "category", (category,)) & ~has)
    return _rows(N, at[np.lexsort((N.name_rank[at], -N.degree[at]))])


@not_implemented_for("directed")
@not_implemented_for("multigraph")
def isolates(G: GraphLike) -> list[dict]:
    """Organisations with no tie at all.

    Parameters
    ----------
    G : networkx.Graph or Network
        Undirected graph.

    Returns
    -------
    list of dict
        ``id``, ``name``, ``category``, ``kind``, ``province``, ``sectors``,
        ``partners`` (0), sorted by name.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.path_graph(2)
    >>> G.add_node(5, name="Lonely Lab")
    >>> [(r["id"], r["name"]) for r in isolates(G)]
    [(5, 'Lonely Lab')]

    Notes
    -----
    :math:`O(n)`.
    """
    N = as_network(G)
    at = np.flatnonzero(N.degree == 0)
    return _rows(N, at[np.argsort(N.name_rank[at], kind="stable")])


@not_implemented_for("directed")
@not_implemented_for("multigraph")
def small_components(G: GraphLike, *, max_size: int | None = None) -> list[dict]:
    """Groups of organisations tied to each other but not to the largest connected part.

    Parameters
    ----------
    G : networkx.Graph or Network
        Undirected graph.
    max_size : int or None, optional
        Only components of at most this many organisations.

    Returns
    -------
    list of dict
        Every connected component but the largest, of two or more organisations (see
        :func:`isolates` for the single ones), largest first: ``size``, ``ties``,
        ``members`` (ids), ``examples`` (up to five names) and ``makeup`` (category,
        province).

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.Graph([(1, 2), (2, 3), (3, 1), (7, 8)])
    >>> G.add_node(9)
    >>> [(c["size"], c["members"]) for c in small_components(G)]
    [(2, [7, 8])]

    Notes
    -----
    :math:`O(n + m)`.
    """
    N = as_network(G)
    count, labels = N.components
    sizes = np.bincount(labels, minlength=count)
    # Largest first, then by first organisation (components are numbered in that order).
    by_size = np.lexsort((np.arange(count), -sizes))[1:]
    wanted = by_size[(sizes[by_size] >= 2) & (sizes[by_size] <= (max_size if max_size is not None else N.n))]
    ties = np.bincount(labels[N.u], minlength=count)
    members = np.split(np.argsort(labels, kind="stable"), np.cumsum(sizes)[:-1]) if count else []
    picked = np.full(count, -1, dtype=np.int64)
    picked[wanted] = np.arange(len(wanted))
    makeups = group_makeups(N, picked[labels], len(wanted))
    ids, names = N.ids, N.names
    return [
        {
            "size": int(sizes[c]),
            "ties": int(ties[c]),
            "members": [ids[i] for i in members[c].tolist()],
            "examples": [names[i] for i in members[c][:5].tolist()],
            "makeup": makeups[k],
        }
        for k, c in enumerate(wanted.tolist())
    ]


@not_implemented_for("directed")
@not_implemented_for("multigraph")
def startups_without_investor(G: GraphLike) -> list[dict]:
    """Startups with no investor partner and no investment tie.

    Parameters
    ----------
    G : networkx.Graph or Network
        Undirected graph with node attributes ``category`` and ``kind`` and edge
        attribute ``kinds`` (as :func:`ecograph.snapshot.undirected` gives).

    Returns
    -------
    list of dict
        Home startups (category ``startup``) none of whose partners is of kind
        ``investor`` and none of whose ties is of kind ``investment``: ``id``, ``name``,
        ``category``, ``kind``, ``province``, ``sectors``, ``partners``; most partners
        first.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.Graph([("s1", "vc"), ("s2", "u")])
    >>> nx.set_node_attributes(G, {"s1": "startup", "s2": "startup", "vc": "investor", "u": "university"}, "kind")
    >>> nx.set_node_attributes(G, {"s1": "startup", "s2": "startup", "vc": "investor", "u": "university"}, "category")
    >>> [r["id"] for r in startups_without_investor(G)]
    ['s2']

    Notes
    -----
    :math:`O(n + m)`.
    """
    N = as_network(G)
    return _lacking(N, "startup", _is(N, "kind", ("investor",)), N.has_kind("investment"))


@not_implemented_for("directed")
@not_implemented_for("multigraph")
def universities_without_industry(G: GraphLike) -> list[dict]:
    """Universities with no company or startup partner, at home or abroad.

    Parameters
    ----------
    G : networkx.Graph or Network
        Undirected graph with node attributes ``category`` and ``kind``.

    Returns
    -------
    list of dict
        Home universities none of whose partners is of kind ``company`` or ``startup``;
        fields as :func:`startups_without_investor`.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.Graph([("u1", "co"), ("u2", "ri")])
    >>> kinds = {"u1": "university", "u2": "university", "co": "company", "ri": "research_institute"}
    >>> nx.set_node_attributes(G, kinds, "kind"); nx.set_node_attributes(G, kinds, "category")
    >>> [r["id"] for r in universities_without_industry(G)]
    ['u2']

    Notes
    -----
    :math:`O(n + m)`.
    """
    N = as_network(G)
    return _lacking(N, "university", _is(N, "kind", ("company", "startup")))


@not_implemented_for("directed")
@not_implemented_for("multigraph")
def institutes_without_foreign_partner(G: GraphLike) -> list[dict]:
    """Research institutes with no foreign partner.

    Parameters
    ----------
    G : networkx.Graph or Network
        Undirected graph with node attribute ``category``.

    Returns
    -------
    list of dict
        Home research institutes none of whose partners is a foreign partner; fields as
        :func:`startups_without_investor`.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.Graph([("ri1", "jp"), ("ri2", "u")])
    >>> cats = {"ri1": "research_institute", "ri2": "research_institute", "jp": "foreign_partner", "u": "university"}
    >>> nx.set_node_attributes(G, cats, "category")
    >>> [r["id"] for r in institutes_without_foreign_partner(G)]
    ['ri2']

    Notes
    -----
    :math:`O(n + m)`.
    """
    N = as_network(G)
    return _lacking(N, "research_institute", _is(N, "category", (FOREIGN_PARTNER,)))


@not_implemented_for("directed")
@not_implemented_for("multigraph")
def foreign_gatekeepers(
    G: GraphLike, *, by: str = "province", max_gateways: int = 1, min_organisations: int = 2
) -> list[dict]:
    """Groups whose ties abroad all run through one organisation (or a few).

    With ``by="province"``, a province's *gateways* are its home organisations with at
    least one foreign partner; a province with one gateway reaches foreign partners only
    through it. With ``by="country"``, a foreign country's gateways are the home
    organisations tied to any of its partners: the single gatekeeper of that country.

    Parameters
    ----------
    G : networkx.Graph or Network
        Undirected graph with node attributes ``category``, ``province`` and
        ``country``.
    by : {"province", "country"}, optional (default "province")
        Group home organisations by province, or foreign partners by country.
    max_gateways : int, optional (default 1)
        Report groups with at least one and at most this many gateways.
    min_organisations : int, optional (default 2)
        Only groups with at least this many organisations.

    Returns
    -------
    list of dict
        ``by``, ``group``, ``organisations`` (in the group), ``foreign_partners``
        (distinct foreign partners reached), ``gateways`` (each ``id``, ``name``,
        ``category``, ``kind``, ``province``, ``foreign_ties``); largest groups first.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.Graph([("a", "b"), ("b", "jp1"), ("b", "jp2"), ("c", "kr")])
    >>> for v, p in {"a": "Cần Thơ", "b": "Cần Thơ", "c": "Hà Nội"}.items():
    ...     G.nodes[v].update(category="university", province=p, country="VN")
    >>> for v, c in {"jp1": "JP", "jp2": "JP", "kr": "KR"}.items():
    ...     G.nodes[v].update(category="foreign_partner", country=c)
    >>> [(r["group"], [g["id"] for g in r["gateways"]]) for r in foreign_gatekeepers(G)]
    [('Cần Thơ', ['b'])]
    >>> [(r["group"], [g["id"] for g in r["gateways"]]) for r in foreign_gatekeepers(G, by="country")]
    [('JP', ['b'])]

    Notes
    -----
    :math:`O(n + m)`.
    """
    if by not in ("province", "country"):
        raise UsageError(f"by must be 'province' or 'country', not {by!r}")

    N = as_network(G)
    n = np.int64(max(N.n, 1))
    foreign = _is(N, "category", (FOREIGN_PARTNER,))
    column = N.column(by)
    # Members: home organisations with a province, or foreign partners with a country.
    member = np.fromiter((bool(x) for x in column), dtype=bool, count=N.n) & (
        foreign if by == "country" else ~foreign
    )
    at = np.flatnonzero(member)
    codes, groups = group_codes([column[i] for i in at.tolist()])
    group = np.full(N.n, -1, dtype=np.int64)
    group[at] = codes
    size = np.bincount(codes, minlength=len(groups))
    keep = ~N.loops
    ends = np.concatenate((N.u[keep], N.v[keep])), np.concatenate((N.v[keep], N.u[keep]))
    if by == "province":  # a member tied to a foreign partner is a gateway
        a, b = ends
        abroad = member[a] & foreign[b]
        gate, held, far = a[abroad], group[a[abroad]], b[abroad]
        reached = np.bincount(np.unique(held * n + far) // n, minlength=len(groups))
    else:  # a home organisation tied to a member is its country's gateway
        b, a = ends
        home = member[b] & ~foreign[a]
        gate, held = a[home], group[b[home]]
        reached = size
    keys, ties = np.unique(held * n + gate, return_counts=True)
    gates = np.bincount(keys // n, minlength=len(groups))
    start = np.concatenate(([0], np.cumsum(gates)))
    rows = []
    for k in np.flatnonzero((gates >= 1) & (gates <= max_gateways) & (size >= min_organisations)).tolist():
        found, counts = keys[start[k] : start[k + 1]] % n, ties[start[k] : start[k + 1]]
        order = np.lexsort((N.name_rank[found], -counts))
        rows.append(
            {
                "by": by,
                "group": groups[k],
                "organisations": int(size[k]),
                "foreign_partners": int(reached[k]),
                "gateways": [
                    {**describe_at(N, i), "foreign_ties": int(c)}
                    for i, c in zip(found[order].tolist(), counts[order].tolist(), strict=True)
                ],
            }
        )
    rows.sort(key=lambda r: (-r["organisations"], str(r["group"])))
    return rows


@not_implemented_for("directed")
@not_implemented_for("multigraph")
def periphery(G: GraphLike, *, max_component: int | None = None) -> dict[str, list[dict]]:
    """Every peripheral finding at once.

    Parameters
    ----------
    G : networkx.Graph or Network
        Undirected graph, as :func:`ecograph.snapshot.undirected` gives.
    max_component : int or None, optional
        Passed to :func:`small_components` as ``max_size``.

    Returns
    -------
    dict
        ``isolates``, ``small_components``, ``startups_without_investor``,
        ``universities_without_industry``, ``institutes_without_foreign_partner``,
        ``province_gatekeepers`` and ``country_gatekeepers``, each a list as its
        function returns.

    Examples
    --------
    >>> import networkx as nx
    >>> sorted(k for k, v in periphery(nx.path_graph(3)).items() if v)
    []

    Notes
    -----
    :math:`O(n + m)`.
    """
    return {
        "isolates": isolates(G),
        "small_components": small_components(G, max_size=max_component),
        "startups_without_investor": startups_without_investor(G),
        "universities_without_industry": universities_without_industry(G),
        "institutes_without_foreign_partner": institutes_without_foreign_partner(G),
        "province_gatekeepers": foreign_gatekeepers(G, by="province"),
        "country_gatekeepers": foreign_gatekeepers(G, by="country"),
    }
