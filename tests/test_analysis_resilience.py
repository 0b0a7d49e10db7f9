"""Resilience: targeted against random removal, and what-if changes."""

import networkx as nx
import pytest

from ecograph.analysis import attack_curve, centrality, what_if
from ecograph.errors import UnknownOrganisation


def test_attack_on_a_barbell_removes_the_bridge_node_first():
    G = nx.barbell_graph(5, 1)  # two K5 joined through node 5
    rows = attack_curve(G, fractions=(0.0, 0.1, 0.2))
    assert [r["removed"] for r in rows] == [0, 1, 2]
    assert rows[0]["targeted"] == rows[0]["random"] == 11
    assert rows[1]["removed_ids"] == [5] and rows[1]["targeted"] == 5
    assert rows[1]["targeted_share"] == pytest.approx(5 / 11)
    assert rows[1]["random"] >= rows[1]["targeted"]
    assert rows[2]["fraction"] == pytest.approx(2 / 11)


def test_targeted_removal_hurts_a_hub_network_more_than_random_removal():
    G = nx.barabasi_albert_graph(400, 2, seed=3)
    rows = attack_curve(G, fractions=(0.0, 0.05, 0.1), runs=4, seed=1)
    assert rows[-1]["targeted"] < rows[-1]["random"]
    assert all(r["targeted"] <= rows[0]["targeted"] for r in rows)
    # The same seed gives the same random orders whatever fractions are asked for.
    assert attack_curve(G, fractions=(0.05,), runs=4, seed=1) == [rows[1]]


def test_attack_with_a_given_ranking_and_on_an_empty_graph():
    G = nx.path_graph(5)
    rows = attack_curve(G, fractions=(0.2,), ranking={0: 5.0})
    assert rows[0]["removed_ids"] == [0] and rows[0]["targeted"] == 4
    between = centrality(G, "betweenness")
    assert attack_curve(G, fractions=(0.2,), ranking=between)[0]["removed_ids"] == [2]
    assert attack_curve(nx.Graph()) == []


def test_what_if_removing_an_articulation_point_and_adding_a_tie():
    G = nx.barbell_graph(4, 1)  # node 4 joins two K4
    out = what_if(G, remove=[4])
    assert out["before"]["components"] == 1 and out["after"]["components"] == 2
    assert out["change"]["bridges"] == -2
    assert out["change"]["organisations"] == -1 and out["change"]["ties"] == -2
    assert out["method"] == "exact"
    out = what_if(G, add=[(0, 8), (0, 1), (0, 0)])
    assert out["added"] == [(0, 8)] and out["skipped"] == [(0, 1), (0, 0)]
    assert out["after"]["bridges"] == 0
    assert out["change"]["average_distance"] < 0
    assert G.number_of_edges() == 14  # unchanged


def test_what_if_average_distance_exact_and_sampled_on_both_backends():
    G = nx.connected_watts_strogatz_graph(120, 4, 0.2, seed=2)
    exact = nx.average_shortest_path_length(G)
    for backend in ("networkx", "igraph"):
        out = what_if(G, backend=backend)
        assert out["before"]["average_distance"] == pytest.approx(exact)
        assert out["change"]["average_distance"] == 0
    sampled = what_if(G, k=40, seed=1, remove=[0])
    assert sampled["method"] == "sampled k=40 seed=1"
    assert sampled["before"]["average_distance"] == pytest.approx(exact, rel=0.1)
    assert sampled == what_if(G, k=40, seed=1, remove=[0])


def test_what_if_unknown_organisations_are_errors():
    G = nx.path_graph(3)
    with pytest.raises(UnknownOrganisation):
        what_if(G, remove=["x"])
    with pytest.raises(UnknownOrganisation):
        what_if(G, add=[(0, "x")])
    assert what_if(nx.empty_graph(2), remove=[0, 1])["after"]["average_distance"] is None
