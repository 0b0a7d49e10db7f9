"""Published reference values: the analyses reproduce what the literature reports.

- Krackhardt's kite (Krackhardt 1990) and Padgett's Florentine families (Padgett & Ansell
  1993, as in networkx): normalised betweenness and Wasserman–Faust closeness, three
  decimals as published in networkx's own reference tests.
- Zachary's karate club (Zachary 1977): its only bridge (Mr Hi to member 12) and only
  articulation point (Mr Hi); Louvain's modularity near the published optimum 0.4198
  (Brandes et al. 2008).

Burt's constraint and effective size against Borgatti's (1997) UCINET values are in
``test_analysis_centrality.py``; Gould–Fernandez brokerage against the definition sna's
``brokerage`` counts (every open two-path) in ``test_analysis_brokerage.py``.
"""

import networkx as nx
import pytest

from ecograph.analysis import articulation_cuts, bridge_cuts, centrality, louvain

KITE_BETWEENNESS = {
    0: 0.023,
    1: 0.023,
    2: 0.0,
    3: 0.102,
    4: 0.0,
    5: 0.231,
    6: 0.231,
    7: 0.389,
    8: 0.222,
    9: 0.0,
}
KITE_CLOSENESS = {0: 0.529, 1: 0.529, 2: 0.5, 3: 0.6, 4: 0.5, 5: 0.643, 6: 0.643, 7: 0.6, 8: 0.429, 9: 0.31}
FLORENTINE_BETWEENNESS = {
    "Acciaiuoli": 0.000, "Albizzi": 0.212, "Barbadori": 0.093, "Bischeri": 0.104, "Castellani": 0.055,
    "Ginori": 0.000, "Guadagni": 0.255, "Lamberteschi": 0.000, "Medici": 0.522, "Pazzi": 0.000,
    "Peruzzi": 0.022, "Ridolfi": 0.114, "Salviati": 0.143, "Strozzi": 0.103, "Tornabuoni": 0.092,
}  # fmt: skip
FLORENTINE_CLOSENESS = {
    "Acciaiuoli": 0.368, "Albizzi": 0.483, "Barbadori": 0.4375, "Bischeri": 0.400, "Castellani": 0.389,
    "Ginori": 0.333, "Guadagni": 0.467, "Lamberteschi": 0.326, "Medici": 0.560, "Pazzi": 0.286,
    "Peruzzi": 0.368, "Ridolfi": 0.500, "Salviati": 0.389, "Strozzi": 0.4375, "Tornabuoni": 0.483,
}  # fmt: skip


def karate() -> nx.Graph:
    """Zachary's club as the unweighted graph of the literature (networkx adds tie strengths)."""
    return nx.Graph(nx.karate_club_graph().edges())


@pytest.mark.parametrize("backend", ["networkx", "igraph"])
@pytest.mark.parametrize(
    ("graph", "measure", "expected"),
    [
        (nx.krackhardt_kite_graph, "betweenness", KITE_BETWEENNESS),
        (nx.krackhardt_kite_graph, "closeness", KITE_CLOSENESS),
        (nx.florentine_families_graph, "betweenness", FLORENTINE_BETWEENNESS),
        (nx.florentine_families_graph, "closeness", FLORENTINE_CLOSENESS),
    ],
)
def test_published_betweenness_and_closeness(graph, measure, expected, backend):
    values = centrality(graph(), measure, backend=backend).values
    assert set(values) == set(expected)
    for v, published in expected.items():
        assert values[v] == pytest.approx(published, abs=5e-4), (v, values[v])


def test_karate_club_bridge_and_articulation_point():
    G = karate()
    bridges = bridge_cuts(G)
    assert [(c["u"], c["v"], c["cut_off"]) for c in bridges] == [(0, 11, 1)]
    points = articulation_cuts(G)
    # Mr Hi alone holds member 12 and the five members 5, 6, 7, 11 and 17 to the rest
    assert [(p["id"], p["parts"], p["cut_off"]) for p in points] == [(0, 3, 6)]


@pytest.mark.parametrize("backend", ["networkx", "igraph"])
def test_karate_club_louvain_modularity_near_the_published_optimum(backend):
    G = karate()
    partition = louvain(G, seed=0, backend=backend)
    assert 0.41 <= partition.modularity <= 0.4198 + 1e-4
    assert partition.modularity == pytest.approx(nx.community.modularity(G, partition.communities))
    assert 3 <= len(partition.communities) <= 4
