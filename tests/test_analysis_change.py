"""Comparing two states: each family of change on small graphs worked out by hand."""

from __future__ import annotations

import json

import networkx as nx
import pytest

from ecograph.analysis import compare
from ecograph.analysis.change import FAMILIES, state_summary
from ecograph.explain import compare as explain


def org(G, v, category="company", province="Huế", sectors=(), country="VN", name=None):
    G.add_node(v, category=category, kind=category if category != "foreign_partner" else "company",
               province=province, sectors=tuple(sectors), country=country, name=name or v.upper())  # fmt: skip


@pytest.fixture
def states():
    """Two triangles joined by one tie (a bridge) in the first state; a second route in the second."""
    before = nx.Graph()
    for v in "abc":
        org(before, v, province="Huế")
    for v in "xyz":
        org(before, v, province="Vinh")
    before.add_edges_from(
        [("a", "b"), ("b", "c"), ("c", "a"), ("c", "x"), ("x", "y"), ("y", "z"), ("z", "x")]
    )
    org(before, "lonely", province="Huế")
    after = before.copy()
    after.add_edge("a", "z")  # the second route
    after.add_edge("lonely", "b")  # the isolate joins
    after.remove_edge("y", "z")
    return before, after


def test_ties_gained_lost_and_kept_by_group_pair(states):
    found = compare(*states)
    assert (found["ties"]["gained"], found["ties"]["lost"], found["ties"]["kept"]) == (2, 1, 6)
    rows = {(r["group_a"], r["group_b"]): (r["gained"], r["lost"]) for r in found["ties"]["province"]}
    assert rows == {("Huế", "Vinh"): (1, 0), ("Huế", "Huế"): (1, 0), ("Vinh", "Vinh"): (0, 1)}


def test_a_bridge_with_a_second_route_is_healed_with_what_it_cut_off(states):
    healed = compare(*states)["bridges"]["healed"]
    assert len(healed) == 1
    row = healed[0]
    assert {row["u"], row["v"]} == {"c", "x"} and row["cut_off"] == 3 and row["tie_kept"]
    assert row["makeup"]["province"] in ({"Huế": 3}, {"Vinh": 3})


def test_a_new_bridge_appears_when_a_route_is_lost():
    before = nx.cycle_graph(6)
    before.add_edges_from([(0, 6), (6, 7), (7, 0)])
    after = before.copy()
    after.remove_edge(2, 3)  # the cycle opens: its far end hangs on single ties
    found = compare(before, after)
    assert {(r["u"], r["v"]) for r in found["bridges"]["appeared"]} >= {(0, 1), (0, 5)}
    assert all(not r["new_tie"] for r in found["bridges"]["appeared"])


def test_a_cut_point_that_is_healed(states):
    healed = compare(*states)["articulation_points"]["healed"]
    assert {r["id"] for r in healed} == {"c", "x"}


def test_isolates_and_small_groups_that_joined_the_main_network(states):
    before, after = states
    org(before, "p", province="Huế")
    org(before, "q", province="Huế")
    before.add_edge("p", "q")
    after = after.copy()
    after.add_nodes_from(before.nodes(data=True))
    after.add_edges_from([("p", "q"), ("q", "a")])
    joined = compare(before, after)["periphery"]
    assert joined["joined_count"] == 3 and joined["isolates_joined"] == 1 and joined["groups_joined"] == 1
    assert {r["size"] for r in joined["joined"]} == {1, 2}


def test_a_new_gatekeeper_and_a_diluted_one():
    before = nx.Graph()
    org(before, "home1", province="Huế")
    org(before, "home2", province="Huế")
    org(before, "de1", category="foreign_partner", province=None, country="DE")
    org(before, "fi1", category="foreign_partner", province=None, country="FI")
    org(before, "fi2", category="foreign_partner", province=None, country="FI")
    before.add_edges_from([("home1", "de1"), ("home1", "home2")])
    after = before.copy()
    after.add_edges_from([("home2", "de1"), ("home1", "fi1"), ("home1", "fi2")])
    found = compare(before, after)["gatekeepers"]
    appeared = {(r["by"], r["group"]): (r["gateway"]["id"], r["gateways_before"]) for r in found["appeared"]}
    assert appeared == {("country", "FI"): ("home1", 0)}
    diluted = {(r["by"], r["group"]): r["gateways_after"] for r in found["diluted"]}
    assert diluted == {("country", "DE"): 2, ("province", "Huế"): 2}


def test_a_sector_whose_startups_gain_their_first_research_partner():
    before = nx.Graph()
    org(before, "s1", category="startup", sectors=("robotics",))
    org(before, "s2", category="startup", sectors=("robotics",))
    org(before, "u", category="university")
    before.add_edge("s1", "s2")
    after = before.copy()
    after.add_edge("s1", "u")
    research = compare(before, after)["research"]
    assert [
        (r["sector"], r["with_research_before"], r["with_research_after"]) for r in research["gained_first"]
    ] == [("robotics", 0, 1)]
    assert compare(after, before)["research"]["lost_all"][0]["sector"] == "robotics"


def test_the_back_test_counts_recommendations_that_came_true_against_chance():
    # a and b share three partners and no tie: the recommender's first pair; it forms later.
    before = nx.Graph([("a", "c1"), ("a", "c2"), ("a", "c3"), ("b", "c1"), ("b", "c2"), ("b", "c3")])
    for v in before:
        org(before, v)
    after = before.copy()
    after.add_edge("a", "b")
    test = compare(before, after)["backtest"]
    assert test["came_true"][0]["source"] in ("a", "b") and test["came_true"][0]["target"] in ("a", "b")
    # 5 organisations, 10 pairs, 6 tied: 4 untied pairs, of which 1 got tied.
    assert (test["untied_pairs"], test["new_ties_between_them"], test["chance"]) == (4, 1, 0.25)
    assert test["share"] == 1 / test["recommended"]
    assert test["lift"] == pytest.approx(test["share"] / 0.25)


def test_brokers_that_moved():
    before = nx.star_graph(6)  # 0 is the broker
    after = before.copy()
    after.add_edges_from([(1, 7), (7, 8), (8, 9), (9, 1), (1, 10), (10, 11), (1, 12)])
    moves = compare(before, after, top=20)["brokers"]
    assert moves["method"] == "exact"
    first = {r["id"]: r for r in moves["betweenness"]}
    assert first[1]["rank_after"] == 1 and first[1]["moved"] > 0


def test_gap_ratios_before_and_after():
    before = nx.relabel_nodes(nx.complete_bipartite_graph(4, 4), str)
    for v in list(before):
        org(before, v, category="university" if int(v) < 4 else "startup")
    after = before.copy()
    after.add_edges_from([("0", "1"), ("1", "2"), ("2", "3"), ("3", "0")])
    rows = {(r["group_a"], r["group_b"]): r for r in compare(before, after)["gaps"]["category"]}
    same = rows[("university", "university")]
    assert same["observed_before"] == 0 and same["observed_after"] == 4
    assert same["change"] == pytest.approx(same["ratio_after"] - same["ratio_before"]) and same["change"] > 0


def test_province_filter_keeps_only_what_involves_it(states):
    found = compare(*states, province="Vinh")
    assert found["province"] == "Vinh"
    assert found["ties"]["gained"] == 1 and found["ties"]["lost"] == 1  # a–z, y–z
    assert set(found["gaps"]) == {"province"}
    assert all(r["province"] == "Vinh" for r in found["brokers"]["betweenness"])


def test_the_result_is_json_and_every_family_is_there(states):
    found = compare(*states)
    assert json.loads(json.dumps(found)) == found
    assert set(FAMILIES) <= set(found)
    assert found["before"] == state_summary(states[0])


def test_explained_in_sentences_with_names_escaped(states):
    before, after = states
    before.nodes["c"]["name"] = "<img src=x onerror=alert(1)>"
    after.nodes["c"]["name"] = "<img src=x onerror=alert(1)>"
    found = compare(before, after)
    sentences = [f["sentence"] for s in explain.sections(found) for f in s["findings"]]
    assert any(s.startswith("Healed: in the store now the tie between") for s in sentences)
    page = explain.render_html(found)
    assert "<img src=x" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "<img" not in explain.render_markdown(found)
