"""Gould–Fernandez brokerage roles: who mediates between which groups of organisations."""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Iterable

import networkx as nx
import numpy as np
import scipy as sp
from networkx.utils import not_implemented_for

from ecograph.analysis._util import group_codes, positions
from ecograph.projections import Arcs

__all__ = ["ROLES", "brokerage_expected", "brokerage_roles", "role_counts"]

ROLES: tuple[str, ...] = ("coordinator", "itinerant", "gatekeeper", "representative", "liaison")
"""The five roles, in Gould & Fernandez's order; results also carry ``"total"``."""


def _group_column(G: nx.Graph | Arcs, attr: str) -> list:
    """Each node's group (lists as tuples), in node order."""
    values = G.column(attr) if isinstance(G, Arcs) else [value for _, value in G.nodes(data=attr)]
    return [tuple(value) if isinstance(value, list) else value for value in values]


@not_implemented_for("multigraph")
def brokerage_roles(
    G: nx.Graph | Arcs,
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
    G : networkx.DiGraph, networkx.Graph or Arcs
        Directed graph, such as :attr:`ecograph.workspace.Workspace.arcs` or
        :func:`ecograph.snapshot.directed` of a snapshot. An undirected graph counts each
        tie in both directions.
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
    Counts per broker from its in- and out-neighbours by group (two sparse products),
    less the closed two-paths, found as the common successors of each arc's ends (sparse
    row products in blocks of arcs): :math:`O(m + T)` for *T* transitive triples, in
    numpy and scipy.

    References
    ----------
    .. [1] Gould, R. V., & Fernandez, R. M. (1989). Structures of mediation: A formal
       approach to brokerage in transaction networks. *Sociological Methodology* 19,
       89–126. https://doi.org/10.2307/270949
    """
    D = G if isinstance(G, Arcs) else Arcs.from_networkx(G)
    codes, values = group_codes(_group_column(D, attr))
    counts = role_counts(D, attr, codes=(codes, values))
    totals = counts.sum(axis=1)
    brokers = range(D.n) if nodes is None else positions(D, nodes)
    expected = brokerage_expected(G, attr) if normalized else None
    out: dict[Hashable, dict[str, float]] = {}
    for i in brokers:
        result = dict(zip(ROLES, counts[i].tolist(), strict=True))
        result["total"] = float(totals[i])
        if expected is not None:
            exp = expected[values[codes[i]]]
            result = {r: (x / exp[r] if exp[r] > 0 else 0.0) for r, x in result.items()}
        out[D.ids[i]] = result
    return out


def role_counts(D: Arcs, attr: str = "category", *, codes: tuple | None = None) -> np.ndarray:
    """:func:`brokerage_roles`' counts as one array: a row per organisation in *D*'s node
    order, a column per role in :data:`ROLES` order (what the weak-link report ranks by).

    Examples
    --------
    >>> D = Arcs.from_networkx(nx.DiGraph([("a", "b"), ("b", "c")]))
    >>> role_counts(D).tolist()[1]
    [1.0, 0.0, 0.0, 0.0, 0.0]
    """
    group, values = codes if codes is not None else group_codes(_group_column(D, attr))
    return _role_counts(D.adjacency(), group, len(values))


_BLOCK_ARCS = 200_000  # arcs whose common successors are found at once (bounds memory)


def _role_counts(A: sp.sparse.csr_array, group: np.ndarray, k: int) -> np.ndarray:
    """Each node's brokered pairs per role (columns in :data:`ROLES` order), as floats.

    *A* is the binary adjacency (``A[a, c]`` for an arc a → c, no self-loops), *group* each
    node's group code (``0 … k-1``). Every two-path a → b → c is counted by the groups of
    its ends from the broker's in- and out-neighbours per group; the closed ones (a → c, or
    c = a) are then found per arc a → b as the common successors of a and b, in blocks of
    arcs, and taken off.
    """
    n = A.shape[0]
    if n == 0:
        return np.zeros((0, len(ROLES)))
    H = sp.sparse.csr_array((np.ones(n), (np.arange(n), group)), shape=(n, max(k, 1)))
    into = (A.T @ H).toarray()  # in-neighbours of b per group
    outof = (A @ H).toarray()  # out-neighbours of b per group
    rows = np.arange(n)
    own = group
    in_b, out_b = into[rows, own], outof[rows, own]
    n_in, n_out = into.sum(axis=1), outof.sum(axis=1)
    same = (into * outof).sum(axis=1) - in_b * out_b  # a and c in one group, not b's
    counts = np.column_stack(
        (
            in_b * out_b,
            same,
            (n_in - in_b) * out_b,
            in_b * (n_out - out_b),
            (n_in - in_b) * (n_out - out_b) - same,
        )
    )
    # closed[b, group of a, group of c]: two-paths a -> b -> c that a closes.
    g = H.shape[1]
    # Each block keeps only its nonzero counts: one bincount at the end, not one n·g² array
    # per block (the counts are whole numbers, so their order of addition does not matter).
    places, found = [], []
    a_all, b_all = A.nonzero()  # every arc a -> b
    for start in range(0, len(a_all), _BLOCK_ARCS):
        a, b = a_all[start : start + _BLOCK_ARCS], b_all[start : start + _BLOCK_ARCS]
        common = (A[a].multiply(A[b]) @ H).toarray() if len(a) else np.zeros((0, g))
        back = A[b, a] if len(a) else np.zeros(0)  # b -> a: a -> b -> a is no two-path
        common[np.arange(len(a)), group[a]] += np.asarray(back).ravel()
        at = ((b * g + group[a])[:, None] * g + np.arange(g)).ravel()
        some = common.ravel() != 0
        places.append(at[some])
        found.append(common.ravel()[some])
    closed = np.bincount(
        np.concatenate(places or [np.zeros(0, np.int64)]),
        weights=np.concatenate(found or [np.zeros(0)]),
        minlength=n * g * g,
    )
    C = closed.reshape(n, g, g)
    coordinator = C[rows, own, own]
    representative = C[rows, own, :].sum(axis=1) - coordinator
    gatekeeper = C[rows, :, own].sum(axis=1) - coordinator
    itinerant = np.trace(C, axis1=1, axis2=2) - coordinator
    liaison = C.sum(axis=(1, 2)) - coordinator - representative - gatekeeper - itinerant
    counts -= np.column_stack((coordinator, itinerant, gatekeeper, representative, liaison))
    return counts


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
    sizes = Counter(_group_column(G, attr))
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
