"""Gould–Fernandez brokerage roles: who mediates between which groups of organisations."""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Iterable

import networkx as nx
from networkx.utils import not_implemented_for

__all__ = ["ROLES", "brokerage_expected", "brokerage_roles"]

ROLES: tuple[str, ...] = ("coordinator", "itinerant", "gatekeeper", "representative", "liaison")
"""The five roles, in Gould & Fernandez's order; results also carry ``"total"``."""


def _group(G: nx.Graph, attr: str) -> dict:
    out = {}
    for v, value in G.nodes(data=attr):
        out[v] = tuple(value) if isinstance(value, list) else value
    return out


@not_implemented_for("multigraph")
def brokerage_roles(
    G: nx.Graph,
    attr: str = "category",
    *,
    nodes: Iterable[Hashable] | None = None,
    normalized: bool = False,
) -> dict[Hashable, dict[str, float]]:
    r"""Gould–Fernandez brokerage roles of each organisation between groups.

    Node :math:`b` *brokers* the ordered pair :math:`(a, c)` when :math:`a \to b \to c`,
    :math:`a \ne c` and there is no tie :math:`a \to c` (a tie :math:`c \to a` does not
    matter). With :math:`A, B, C` the groups of :math:`a, b, c`, each brokered pair
    counts in one role of :math:`b`:

    ============== ===================== ===============================================
    role           two-path              the broker ...
    ============== ===================== ===============================================
    coordinator    A → A → A             mediates inside its own group
    itinerant      A → B → A             mediates inside another group (consultant)
    gatekeeper     A → B → B             lets an outsider reach its own group
    representative A → A → B             carries its own group's contact outward
    liaison        A → B → C             mediates between two other groups
    ============== ===================== ===============================================

    Parameters
    ----------
    G : networkx.DiGraph or networkx.Graph
        Directed graph, such as :func:`ecograph.snapshot.directed` of a snapshot. An
        undirected graph counts each tie in both directions.
    attr : str, optional (default "category")
        Node attribute naming each organisation's group (one value per node; a node
        without it is in group None).
    nodes : iterable, optional
        Brokers to report (default: every node).
    normalized : bool, optional (default False)
        Divide each count by its expectation in a random graph of the same density and
        group sizes (Gould & Fernandez 1989, as in statnet's ``sna::brokerage``); 0 where
        the expectation is 0.

    Returns
    -------
    dict
        Node → ``{"coordinator", "itinerant", "gatekeeper", "representative",
        "liaison", "total"}``.

    Examples
    --------
    The four-node example of R's ``cograph`` brokerage documentation, worked by hand:

    >>> D = nx.DiGraph([("A", "B"), ("A", "C"), ("B", "C"), ("B", "D"), ("C", "D"), ("D", "A")])
    >>> nx.set_node_attributes(D, {"A": 1, "B": 1, "C": 2, "D": 2}, "group")
    >>> roles = brokerage_roles(D, "group")
    >>> {v: {r: int(x) for r, x in roles[v].items() if x and r != "total"} for v in D}
    {'A': {'itinerant': 1, 'gatekeeper': 1}, 'B': {'representative': 1}, 'C': {'gatekeeper': 1}, 'D': {'itinerant': 1, 'representative': 1}}

    B brokers A → B → D (A and B in group 1, D in group 2), but not A → B → C, since A
    reaches C directly.

    Notes
    -----
    Counts per broker from its in- and out-neighbours by group, less the closed
    two-paths found by set intersections: :math:`O(m + T)` for *T* transitive triples.

    References
    ----------
    .. [1] Gould, R. V., & Fernandez, R. M. (1989). Structures of mediation: A formal
       approach to brokerage in transaction networks. *Sociological Methodology* 19,
       89–126. https://doi.org/10.2307/270949
    """
    group = _group(G, attr)
    directed = G.is_directed()
    succ = {v: set(G.successors(v) if directed else G[v]) - {v} for v in G}
    members: dict = {}
    for v, g in group.items():
        members.setdefault(g, set()).add(v)
    brokers = list(G) if nodes is None else list(nodes)
    expected = brokerage_expected(G, attr) if normalized else None
    out: dict[Hashable, dict[str, float]] = {}
    for b in brokers:
        gb = group[b]
        preds = [a for a in (G.predecessors(b) if directed else G[b]) if a != b]
        after = succ[b]
        # All pairs (a, c) with a -> b -> c, by role, from group counts alone ...
        into = Counter(group[a] for a in preds)
        outof = Counter(group[c] for c in after)
        n_in, n_out = len(preds), len(after)
        in_b, out_b = into.get(gb, 0), outof.get(gb, 0)
        same_outside = sum(x * outof.get(g, 0) for g, x in into.items() if g != gb)
        counts = {
            "coordinator": in_b * out_b,
            "itinerant": same_outside,
            "gatekeeper": (n_in - in_b) * out_b,
            "representative": in_b * (n_out - out_b),
            "liaison": (n_in - in_b) * (n_out - out_b) - same_outside,
        }
        own = members[gb]
        for a in preds:
            ga = group[a]
            closed = succ[a] & after  # a reaches c directly: nothing to broker
            if a in after:  # a -> b -> a is no two-path either
                closed.add(a)
            if not closed:
                continue
            k = len(closed)
            if ga == gb:
                inside = len(closed & own)
                counts["coordinator"] -= inside
                counts["representative"] -= k - inside
            else:
                to_b = len(closed & own)
                to_a = len(closed & members[ga])
                counts["gatekeeper"] -= to_b
                counts["itinerant"] -= to_a
                counts["liaison"] -= k - to_b - to_a
        result = {r: float(counts[r]) for r in ROLES}
        result["total"] = float(sum(counts.values()))
        if expected is not None:
            exp = expected[gb]
            result = {r: (x / exp[r] if exp[r] > 0 else 0.0) for r, x in result.items()}
        out[b] = result
    return out


def brokerage_expected(G: nx.Graph, attr: str = "category") -> dict[Hashable, dict[str, float]]:
    r"""Expected brokerage counts per broker's group in a random graph like *G*.

    Each ordered pair is tied with probability :math:`p = m / (N (N - 1))`, so a given
    two-path is open with probability :math:`p^2 (1 - p)`, times the number of ordered
    pairs of the role's groups. For a broker in a group of :math:`n_i` of :math:`N`:

    .. math::

       E[\text{coordinator}] &= p^2(1-p)\,(n_i - 1)(n_i - 2) \\
       E[\text{itinerant}] &= p^2(1-p) \textstyle\sum_{j \ne i} n_j (n_j - 1) \\
       E[\text{gatekeeper}] = E[\text{representative}] &= p^2(1-p)\,(n_i - 1)(N - n_i) \\
       E[\text{liaison}] &= p^2(1-p) \left((N - n_i)^2 - \textstyle\sum_{j \ne i} n_j^2\right) \\
       E[\text{total}] &= p^2(1-p)\,(N - 1)(N - 2)

    Parameters
    ----------
    G : networkx.DiGraph or networkx.Graph
        As in :func:`brokerage_roles` (an undirected tie counts as two arcs).
    attr : str, optional (default "category")
        Node attribute naming each organisation's group.

    Returns
    -------
    dict
        Group → role → expected count, roles as in :func:`brokerage_roles`.

    Examples
    --------
    >>> D = nx.complete_graph(3, nx.DiGraph)  # every arc present: nothing to broker
    >>> brokerage_expected(D, "g")[None]["total"]
    0.0

    Notes
    -----
    :math:`O(n + g^2)` for *g* groups.

    References
    ----------
    .. [1] Gould, R. V., & Fernandez, R. M. (1989). Structures of mediation: A formal
       approach to brokerage in transaction networks. *Sociological Methodology* 19,
       89–126. https://doi.org/10.2307/270949
    """
    N = G.number_of_nodes()
    arcs = G.number_of_edges() * (1 if G.is_directed() else 2)
    p = arcs / (N * (N - 1)) if N > 1 else 0.0
    q = p * p * (1 - p)
    sizes = Counter(_group(G, attr).values())
    squares = sum(x * x for x in sizes.values())
    out = {}
    for g, ni in sizes.items():
        others = N - ni
        out[g] = {
            "coordinator": q * (ni - 1) * (ni - 2),
            "itinerant": q * sum(x * (x - 1) for h, x in sizes.items() if h != g),
            "gatekeeper": q * (ni - 1) * others,
            "representative": q * (ni - 1) * others,
            "liaison": q * (others * others - (squares - ni * ni)),
            "total": q * (N - 1) * (N - 2),
        }
    return out
