"""Under-connected group pairs and the E–I index."""

import math

import networkx as nx
import pytest

from ecograph.analysis import ei_index, group_gaps


def two_groups():
    """Two triangles of "x" and "y" joined by one tie."""
    G = nx.barbell_graph(3, 0)
    nx.set_node_attributes(G, {v: "x" if v < 3 else "y" for v in G}, "category")
    return G


def test_configuration_model_expectations_on_a_barbell():
    rows = {(r["group_a"], r["group_b"]): r for r in group_gaps(two_groups())}
    # Degrees 2, 2, 3 per triangle: d_x = d_y = 7, 2m = 14.
    xy = rows["x", "y"]
    assert xy["observed"] == 1
    assert xy["expected"] == pytest.approx(7 * 7 / 14)
    assert xy["ratio"] == pytest.approx(1 / 3.5)
    assert xy["z"] == pytest.approx((1 - 3.5) / math.sqrt(3.5))
    assert rows["x", "x"]["expected"] == pytest.approx(7 * 7 / 28)
    assert rows["x", "x"]["observed"] == 3
    assert next(iter(rows)) == ("x", "y")  # most under-connected first
    assert xy["attr"] == "category"


def test_expected_ties_add_up_to_all_ties_for_single_valued_groups():
    G = nx.gnm_random_graph(60, 150, seed=1)
    nx.set_node_attributes(G, {v: "abcd"[v % 4] for v in G}, "category")
    rows = group_gaps(G, min_expected=0)
    assert sum(r["expected"] for r in rows) == pytest.approx(G.number_of_edges())
    assert sum(r["observed"] for r in rows) == G.number_of_edges()


def test_multi_valued_sectors_count_in_each_group():
    G = nx.Graph([("a", "b"), ("b", "c"), ("c", "d")])
    sectors = {"a": ("ai", "iot"), "b": ("ai",), "c": ("fintech",), "d": ()}
    nx.set_node_attributes(G, sectors, "sectors")
    rows = {(r["group_a"], r["group_b"]): r for r in group_gaps(G, "sectors", min_expected=0)}
    assert rows["ai", "ai"]["observed"] == 1  # a–b
    assert rows["ai", "iot"]["observed"] == 1  # a–b again, as an ai–iot tie
    assert rows["ai", "fintech"]["observed"] == 1  # b–c
    # d has no sector: its tie counts in 2m, not in any group's degree.
    assert rows["ai", "fintech"]["expected"] == pytest.approx((1 + 2) * 2 / 6)
    assert ("fintech", "fintech") in rows and rows["fintech", "fintech"]["observed"] == 0


def test_weighted_gaps_and_min_expected():
    G = two_groups()
    nx.set_edge_attributes(G, 2.0, "weight")
    rows = {(r["group_a"], r["group_b"]): r for r in group_gaps(G, weight="weight")}
    assert rows["x", "y"]["observed"] == 2.0
    assert rows["x", "y"]["expected"] == pytest.approx(14 * 14 / 28)
    assert group_gaps(G, min_expected=100) == []
    assert group_gaps(nx.empty_graph(3)) == []


def test_ei_index():
    G = two_groups()
    G.add_node(9, category="z")
    ei = ei_index(G)
    assert ei["x"] == {"internal": 3.0, "external": 1.0, "ei": -0.5}
    assert ei["z"] == {"internal": 0.0, "external": 0.0, "ei": None}
    H = nx.Graph([("a", "b"), ("b", "c")])
    nx.set_node_attributes(H, {"a": ("ai",), "b": ("ai", "iot"), "c": ("iot",)}, "sectors")
    assert ei_index(H, "sectors") == {
        "ai": {"internal": 1.0, "external": 1.0, "ei": 0.0},
        "iot": {"internal": 1.0, "external": 1.0, "ei": 0.0},
    }
