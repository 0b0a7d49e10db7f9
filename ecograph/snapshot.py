"""The store's graph as networkx: the full multigraph and the projections analyses use."""

from __future__ import annotations

from collections.abc import Iterable

import networkx as nx

from ecograph.model import Collaboration, Organization, category

__all__ = ["build_snapshot", "directed", "tie_year", "undirected"]


def tie_year(start: str | None) -> int | None:
    """The year of a ``YYYY`` or ``YYYY-MM-DD`` date, or None."""
    return int(start[:4]) if start else None


def build_snapshot(
    organizations: Iterable[Organization],
    collaborations: Iterable[Collaboration],
    home_country: str,
    **graph_attrs: object,
) -> nx.MultiDiGraph:
    """Every organisation and collaboration as a ``MultiDiGraph``.

    Nodes carry every organisation field plus ``category``; each collaboration is one edge
    from ``source`` to ``target`` keyed by its identity, carrying its fields plus ``year``
    (of ``start``) and ``directed``. Mutual ties are stored once, in the order written;
    :func:`undirected` and :func:`directed` give the views analyses need.
    """
    G = nx.MultiDiGraph(home_country=home_country, **graph_attrs)
    for org in organizations:
        attrs = org.as_dict()
        del attrs["id"]
        attrs["category"] = category(org.kind, org.country, home_country)
        G.add_node(org.id, **attrs)
    for tie in collaborations:
        G.add_edge(
            tie.source,
            tie.target,
            key=tie.key,
            kind=tie.kind,
            weight=tie.weight,
            start=tie.start,
            end=tie.end,
            amount=tie.amount,
            currency=tie.currency,
            evidence=tie.evidence,
            id=tie.id,
            year=tie_year(tie.start),
            directed=tie.directed,
        )
    return G


def undirected(G: nx.MultiDiGraph) -> nx.Graph:
    """The undirected weighted projection: one edge per pair of organisations.

    Edge attributes: ``weight`` (sum of the ties' weights), ``ties`` (how many),
    ``kinds`` (sorted tuple of tie kinds), ``first_year`` and ``last_year``.

    Examples
    --------
    >>> M = nx.MultiDiGraph()
    >>> M.add_edge("a", "b", kind="mou", weight=1.0, year=2019)
    0
    >>> M.add_edge("b", "a", kind="research", weight=2.0, year=2021)
    0
    >>> undirected(M).edges["a", "b"]["weight"], undirected(M).edges["a", "b"]["kinds"]
    (3.0, ('mou', 'research'))
    """
    H = nx.Graph(**G.graph)
    H.add_nodes_from(G.nodes(data=True))
    acc: dict[tuple[str, str], list] = {}
    for u, v, data in G.edges(data=True):
        pair = (u, v) if (v, u) not in acc else (v, u)
        entry = acc.get(pair)
        if entry is None:
            entry = acc[pair] = [0.0, 0, set(), None, None]
        entry[0] += data.get("weight", 1.0)
        entry[1] += 1
        entry[2].add(data.get("kind"))
        year = data.get("year")
        if year is not None:
            entry[3] = year if entry[3] is None else min(entry[3], year)
            entry[4] = year if entry[4] is None else max(entry[4], year)
    H.add_edges_from(
        (
            u,
            v,
            {"weight": w, "ties": n, "kinds": tuple(sorted(k)), "first_year": fy, "last_year": ly},
        )
        for (u, v), (w, n, k, fy, ly) in acc.items()
    )
    return H


def directed(G: nx.MultiDiGraph) -> nx.DiGraph:
    """The directed view: directed kinds (investment, spin-off) one way, the others both ways.

    Edge attributes as in :func:`undirected`, summed per direction.
    """
    D = nx.DiGraph(**G.graph)
    D.add_nodes_from(G.nodes(data=True))
    for u, v, data in G.edges(data=True):
        w = data.get("weight", 1.0)
        arcs = ((u, v),) if data.get("directed") else ((u, v), (v, u))
        for a, b in arcs:
            if D.has_edge(a, b):
                D[a][b]["weight"] += w
                D[a][b]["ties"] += 1
            else:
                D.add_edge(a, b, weight=w, ties=1)
    return D
