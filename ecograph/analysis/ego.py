"""The neighbourhood of one organisation: its partners and their partners."""

from __future__ import annotations

from collections.abc import Hashable

import networkx as nx
import numpy as np
from networkx.utils import not_implemented_for

from ecograph.analysis._util import GraphLike, as_network, check_nodes, positions

__all__ = ["ego_network", "ego_ties"]


@not_implemented_for("directed")
def ego_network(G: GraphLike, org: Hashable, *, radius: int = 1) -> list[dict]:
    """The organisations within *radius* steps of *org*, nearest first.

    The ego network of :math:`v` with radius :math:`r` is the subgraph induced by the
    nodes at shortest-path distance at most :math:`r` from :math:`v` (Wasserman & Faust
    1994, ch. 2). Each row describes one of those organisations, *org* itself first.

    Parameters
    ----------
    G : networkx.Graph or Network
        The undirected projection (:attr:`ecograph.workspace.Workspace.network`, or
        :func:`ecograph.snapshot.undirected`).
    org : node
        The organisation at the centre.
    radius : int, optional (default 1)
        How many steps out: 1 for partners, 2 for partners of partners.

    Returns
    -------
    list of dict
        ``id``, ``name``, ``category``, ``kind``, ``province``, ``distance`` (steps from
        *org*), ``via`` (for distance 2: the first partner of *org*, in the graph's node
        order, that leads there), ``weight`` and ``kinds`` of the tie to *org* (for
        distance 1). Rows at the same distance run by weight (heaviest first), then name,
        then in breadth-first order.

    Raises
    ------
    UnknownOrganisation
        *org* is not in *G*.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.path_graph(4)
    >>> [(r["id"], r["distance"]) for r in ego_network(G, 0, radius=2)]
    [(0, 0), (1, 1), (2, 2)]

    Notes
    -----
    A breadth-first search cut at *radius*, partners in node order: :math:`O(n_r + m_r)`
    for the part reached, plus :math:`O(m)` to find the ties of *org*.

    References
    ----------
    .. [1] Wasserman, S. & Faust, K. (1994). *Social Network Analysis: Methods and
       Applications*. Cambridge University Press. https://doi.org/10.1017/CBO9780511815478
    """
    N = as_network(G)
    (centre,) = positions(N, [org])
    reached = [centre]
    distance = {centre: 0}
    frontier = [centre]
    for step in range(1, radius + 1):
        if not frontier:
            break
        found = np.concatenate([N.neighbors(x) for x in frontier]).tolist()
        frontier = [w for w in dict.fromkeys(found) if w not in distance]
        for w in frontier:
            distance[w] = step
        reached.extend(frontier)
    partners = N.neighbors(centre).tolist()
    via: dict[int, int] = {}
    for partner in partners:
        for far in N.neighbors(partner).tolist():
            if distance.get(far) == 2 and far not in via:
                via[far] = partner
    # The edge to each partner, for the tie's weight and kinds.
    at = np.flatnonzero((N.u == centre) ^ (N.v == centre))
    edge_to = dict(zip(np.where(N.u[at] == centre, N.v[at], N.u[at]).tolist(), at.tolist(), strict=True))
    columns = {attr: N.column(attr) for attr in ("category", "kind", "province")}
    rows = []
    for i in reached:
        steps = distance[i]
        tie = N.edge_attrs(edge_to[i]) if steps == 1 else {}
        rows.append(
            {
                "id": N.ids[i],
                "name": N.names[i],
                **{attr: values[i] for attr, values in columns.items()},
                "distance": steps,
                "via": N.ids[via[i]] if i in via else None,
                "weight": tie.get("weight"),
                "kinds": tie.get("kinds"),
            }
        )
    rows.sort(key=lambda r: (r["distance"], -(r["weight"] or 0), str(r["name"])))
    return rows


def ego_ties(M: nx.MultiDiGraph, org: Hashable) -> list[dict]:
    """Every collaboration of *org*, one row each, newest first.

    Parameters
    ----------
    M : networkx.MultiDiGraph
        The store's snapshot, where each collaboration is one edge.
    org : node
        The organisation.

    Returns
    -------
    list of dict
        ``partner``, ``partner_name``, ``direction`` (``out``/``in`` for directed kinds,
        ``mutual`` otherwise), ``kind``, ``weight``, ``start``, ``end``, ``amount``,
        ``currency``, ``evidence``.

    Examples
    --------
    >>> M = nx.MultiDiGraph()
    >>> M.add_node("a", name="A"); M.add_node("b", name="B")
    >>> _ = M.add_edge("a", "b", kind="investment", weight=1.0, start="2020", directed=True)
    >>> [(r["partner"], r["direction"]) for r in ego_ties(M, "b")]
    [('a', 'in')]
    """
    check_nodes(M, [org])
    rows = []
    for edges, outgoing in ((M.out_edges(org, data=True), True), (M.in_edges(org, data=True), False)):
        for u, v, data in edges:
            partner = v if outgoing else u
            rows.append(
                {
                    "partner": partner,
                    "partner_name": M.nodes[partner].get("name", partner),
                    "direction": ("out" if outgoing else "in") if data.get("directed") else "mutual",
                    **{
                        f: data.get(f)
                        for f in ("kind", "weight", "start", "end", "amount", "currency", "evidence")
                    },
                }
            )
    rows.sort(key=lambda r: (r["start"] or "", str(r["partner_name"])), reverse=True)
    return rows
