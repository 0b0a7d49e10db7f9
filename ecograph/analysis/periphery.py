"""Peripheral organisations: isolates, small components, missing kinds of partner, single foreign gateways."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable

import networkx as nx
from networkx.utils import not_implemented_for

from ecograph.analysis._util import describe, label, makeup, name_order, text_order, values_of
from ecograph.errors import UsageError
from ecograph.model import FOREIGN_PARTNER

__all__ = [
    "foreign_gatekeepers",
    "institutes_without_foreign_partner",
    "isolates",
    "periphery",
    "small_components",
    "startups_without_investor",
    "universities_without_industry",
]


def _row(G: nx.Graph, v: Hashable) -> dict:
    return {**describe(G, v), "sectors": list(values_of(G, v, "sectors")), "partners": G.degree(v)}


def _lacking(G: nx.Graph, category: str, has: Callable[[Hashable, Hashable], bool]) -> list[dict]:
    """Organisations of *category* with no neighbour *w* such that ``has(v, w)``."""
    rows = [
        _row(G, v)
        for v, cat in G.nodes(data="category")
        if cat == category and not any(has(v, w) for w in G[v] if w != v)
    ]
    rows.sort(key=lambda r: (-r["partners"], text_order(r["name"]), str(r["id"])))
    return rows


@not_implemented_for("directed")
@not_implemented_for("multigraph")
def isolates(G: nx.Graph) -> list[dict]:
    """Organisations with no tie at all.

    Parameters
    ----------
    G : networkx.Graph
        Undirected graph.

    Returns
    -------
    list of dict
        ``id``, ``name``, ``category``, ``kind``, ``province``, ``sectors``,
        ``partners`` (0), sorted by name.

    Examples
    --------
    >>> G = nx.path_graph(2)
    >>> G.add_node(5, name="Lonely Lab")
    >>> [(r["id"], r["name"]) for r in isolates(G)]
    [(5, 'Lonely Lab')]

    Notes
    -----
    :math:`O(n)`.
    """
    rows = [_row(G, v) for v in nx.isolates(G)]
    rows.sort(key=lambda r: (text_order(r["name"]), str(r["id"])))
    return rows


@not_implemented_for("directed")
@not_implemented_for("multigraph")
def small_components(G: nx.Graph, *, max_size: int | None = None) -> list[dict]:
    """Groups of organisations tied to each other but not to the largest connected part.

    Parameters
    ----------
    G : networkx.Graph
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
    >>> G = nx.Graph([(1, 2), (2, 3), (3, 1), (7, 8)])
    >>> G.add_node(9)
    >>> [(c["size"], c["members"]) for c in small_components(G)]
    [(2, [7, 8])]

    Notes
    -----
    :math:`O(n + m)`.
    """
    order = {v: i for i, v in enumerate(G)}
    comps = sorted(
        (sorted(c, key=order.__getitem__) for c in nx.connected_components(G)),
        key=lambda c: (-len(c), order[c[0]]),
    )
    rows = []
    for comp in comps[1:]:
        if len(comp) < 2 or (max_size is not None and len(comp) > max_size):
            continue
        rows.append(
            {
                "size": len(comp),
                "ties": G.subgraph(comp).number_of_edges(),
                "members": comp,
                "examples": [label(G, v) for v in comp[:5]],
                "makeup": makeup(G, comp),
            }
        )
    return rows


@not_implemented_for("directed")
@not_implemented_for("multigraph")
def startups_without_investor(G: nx.Graph) -> list[dict]:
    """Startups with no investor partner and no investment tie.

    Parameters
    ----------
    G : networkx.Graph
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
    >>> G = nx.Graph([("s1", "vc"), ("s2", "u")])
    >>> nx.set_node_attributes(G, {"s1": "startup", "s2": "startup", "vc": "investor", "u": "university"}, "kind")
    >>> nx.set_node_attributes(G, {"s1": "startup", "s2": "startup", "vc": "investor", "u": "university"}, "category")
    >>> [r["id"] for r in startups_without_investor(G)]
    ['s2']

    Notes
    -----
    :math:`O(n + m)`.
    """

    def invests(v, w):
        return G.nodes[w].get("kind") == "investor" or "investment" in (G[v][w].get("kinds") or ())

    return _lacking(G, "startup", invests)


@not_implemented_for("directed")
@not_implemented_for("multigraph")
def universities_without_industry(G: nx.Graph) -> list[dict]:
    """Universities with no company or startup partner, at home or abroad.

    Parameters
    ----------
    G : networkx.Graph
        Undirected graph with node attributes ``category`` and ``kind``.

    Returns
    -------
    list of dict
        Home universities none of whose partners is of kind ``company`` or ``startup``;
        fields as :func:`startups_without_investor`.

    Examples
    --------
    >>> G = nx.Graph([("u1", "co"), ("u2", "ri")])
    >>> kinds = {"u1": "university", "u2": "university", "co": "company", "ri": "research_institute"}
    >>> nx.set_node_attributes(G, kinds, "kind"); nx.set_node_attributes(G, kinds, "category")
    >>> [r["id"] for r in universities_without_industry(G)]
    ['u2']

    Notes
    -----
    :math:`O(n + m)`.
    """
    return _lacking(G, "university", lambda v, w: G.nodes[w].get("kind") in ("company", "startup"))


@not_implemented_for("directed")
@not_implemented_for("multigraph")
def institutes_without_foreign_partner(G: nx.Graph) -> list[dict]:
    """Research institutes with no foreign partner.

    Parameters
    ----------
    G : networkx.Graph
        Undirected graph with node attribute ``category``.

    Returns
    -------
    list of dict
        Home research institutes none of whose partners is a foreign partner; fields as
        :func:`startups_without_investor`.

    Examples
    --------
    >>> G = nx.Graph([("ri1", "jp"), ("ri2", "u")])
    >>> cats = {"ri1": "research_institute", "ri2": "research_institute", "jp": "foreign_partner", "u": "university"}
    >>> nx.set_node_attributes(G, cats, "category")
    >>> [r["id"] for r in institutes_without_foreign_partner(G)]
    ['ri2']

    Notes
    -----
    :math:`O(n + m)`.
    """
    return _lacking(G, "research_institute", lambda v, w: G.nodes[w].get("category") == FOREIGN_PARTNER)


@not_implemented_for("directed")
@not_implemented_for("multigraph")
def foreign_gatekeepers(
    G: nx.Graph, *, by: str = "province", max_gateways: int = 1, min_organisations: int = 2
) -> list[dict]:
    """Groups whose ties abroad all run through one organisation (or a few).

    With ``by="province"``, a province's *gateways* are its home organisations with at
    least one foreign partner; a province with one gateway reaches foreign partners only
    through it. With ``by="country"``, a foreign country's gateways are the home
    organisations tied to any of its partners: the single gatekeeper of that country.

    Parameters
    ----------
    G : networkx.Graph
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

    abroad_set = {v for v, c in G.nodes(data="category") if c == FOREIGN_PARTNER}
    foreign = abroad_set.__contains__

    members: dict[Hashable, list] = defaultdict(list)
    gateways: dict[Hashable, dict] = defaultdict(dict)  # group -> gateway -> foreign ties
    reached: dict[Hashable, set] = defaultdict(set)
    for v, data in G.nodes(data=True):
        if by == "province" and not foreign(v) and data.get("province"):
            group = data["province"]
            members[group].append(v)
            abroad = [w for w in G[v] if foreign(w)]
            if abroad:
                gateways[group][v] = len(abroad)
                reached[group].update(abroad)
        elif by == "country" and foreign(v) and data.get("country"):
            group = data["country"]
            members[group].append(v)
            for w in G[v]:
                if not foreign(w):
                    gateways[group][w] = gateways[group].get(w, 0) + 1
            reached[group].add(v)
    rows = []
    for group, orgs in members.items():
        gates = gateways.get(group, {})
        if not 1 <= len(gates) <= max_gateways or len(orgs) < min_organisations:
            continue
        ranked = sorted(gates, key=lambda g: (-gates[g], *name_order(G, g)))
        rows.append(
            {
                "by": by,
                "group": group,
                "organisations": len(orgs),
                "foreign_partners": len(reached[group]),
                "gateways": [{**describe(G, g), "foreign_ties": gates[g]} for g in ranked],
            }
        )
    rows.sort(key=lambda r: (-r["organisations"], str(r["group"])))
    return rows


@not_implemented_for("directed")
@not_implemented_for("multigraph")
def periphery(G: nx.Graph, *, max_component: int | None = None) -> dict[str, list[dict]]:
    """Every peripheral finding at once.

    Parameters
    ----------
    G : networkx.Graph
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
