"""Scorecard indicators: pure functions checked on small graphs worked out by hand."""

from __future__ import annotations

import math

import networkx as nx
import pytest

from ecograph.analysis.scorecard import (
    INDICATORS,
    bridges_cutting_off,
    ecosystem,
    foreign_gateway_share,
    main_component_share,
    organisations,
    scorecard,
    startup_research_share,
    ties,
    triple_helix,
    triple_helix_synergy,
    university_industry_ties,
)
from ecograph.explain import scorecard as explain


def graph(edges, kinds, provinces, foreign=()):
    G = nx.Graph(edges)
    for v in G:
        G.nodes[v].update(
            kind=kinds.get(v, "company"),
            category="foreign_partner" if v in foreign else kinds.get(v, "company"),
            province=None if v in foreign else provinces.get(v, "Huế"),
        )
    return G


def values(fn, G, **kwargs):
    eco = ecosystem(G, **kwargs)
    return dict(zip(eco.groups, fn(eco).tolist(), strict=True))


def test_organisations_and_ties_count_each_group():
    G = graph([("a", "b"), ("b", "c"), ("c", "d")], {}, {"a": "Huế", "b": "Huế", "c": "Vinh", "d": "Vinh"})
    assert values(organisations, G) == {"Huế": 2.0, "Vinh": 2.0}
    assert values(ties, G) == {"Huế": 2.0, "Vinh": 2.0}  # b–c counts for both


def test_startup_research_share():
    kinds = {"s1": "startup", "s2": "startup", "s3": "startup", "u": "university", "r": "research_institute"}
    G = graph([("s1", "u"), ("s2", "r"), ("s3", "c")], kinds, {"s3": "Vinh", "c": "Vinh"})
    assert values(startup_research_share, G) == {"Huế": 1.0, "Vinh": 0.0}
    G.remove_nodes_from(["s1", "s2"])
    assert math.isnan(values(startup_research_share, G)["Huế"])  # no startup: undefined


def test_university_industry_ties_per_university():
    kinds = {"u1": "university", "u2": "university", "s": "startup", "g": "government"}
    # u1: company and startup partners (2 ties); u2: only a government partner (0): 2 / 2 universities.
    G = graph([("u1", "c"), ("u1", "s"), ("u2", "g")], kinds, {})
    assert values(university_industry_ties, G) == {"Huế": 1.0}


def test_foreign_gateway_share():
    G = graph(
        [("a", "x"), ("a", "y"), ("a", "z"), ("b", "w"), ("c", "v")],
        {},
        {"c": "Vinh"},
        foreign={"v", "w", "x", "y", "z"},
    )
    got = values(foreign_gateway_share, G)
    assert got == {"Huế": 0.75, "Vinh": 1.0}  # a holds 3 of Huế's 4 foreign ties


def test_main_component_share_and_bridges_cutting_off():
    # A big piece in Vinh (two triangles sharing a node) with a Huế triangle on one tie,
    # and a Huế pair cut off from everything.
    edges = [(1, 2), (2, 3), (3, 1), (3, 4), (4, 5), (5, 3), (1, 6), (6, 7), (7, 8), (8, 6), (9, 10)]
    provinces = dict.fromkeys([1, 2, 3, 4, 5], "Vinh") | dict.fromkeys([6, 7, 8, 9, 10], "Huế")
    G = graph(edges, {}, provinces)
    assert values(main_component_share, G) == {"Huế": 0.6, "Vinh": 1.0}
    assert values(bridges_cutting_off, G) == {"Huế": 1.0, "Vinh": 0.0}
    # A single organisation on one tie is not counted by default.
    G.add_edge(2, 11)
    G.nodes[11].update(kind="company", category="company", province="Vinh")
    assert values(bridges_cutting_off, G)["Vinh"] == 0.0
    eco = ecosystem(G)
    assert bridges_cutting_off(eco, min_cut=1).tolist() == [1.0, 1.0]


def test_triple_helix_of_a_hand_worked_table():
    # Leydesdorff's T(uig) for 10 UI, 10 UG and 10 IG units: 3 H(2/3) - 3 log2 3 + log2 3 = log2 3 - 2.
    assert triple_helix([0, 0, 0, 10, 0, 10, 10, 0]) == pytest.approx(math.log2(3) - 2)
    # Only one kind of unit: no uncertainty, no mutual information.
    assert triple_helix([0, 0, 0, 0, 0, 0, 0, 7]) == 0.0
    # Three independent fair coins: every T is 0.
    assert triple_helix([1] * 8) == pytest.approx(0.0)
    # u = i xor g, the four combinations equally likely: each sphere is set by the other two,
    # the strongest reduction of uncertainty three binary variables allow: -1 bit.
    assert triple_helix([1, 0, 0, 1, 0, 1, 1, 0]) == pytest.approx(-1.0)
    assert math.isnan(triple_helix([0] * 8))


def test_triple_helix_synergy_of_a_province():
    kinds = {"u": "university", "c": "company", "g": "government", "i": "investor", "h": "support_org"}
    G = graph([("u", "c"), ("u", "g"), ("c", "g"), ("i", "h"), ("x", "y")], kinds, {"x": "Vinh", "y": "Vinh"})
    got = values(triple_helix_synergy, G)
    assert got["Huế"] == pytest.approx(math.log2(3) - 2)  # the investor–hub tie touches no sphere
    assert got["Vinh"] == 0.0  # one company–company tie: no information shared


def test_sectors_put_an_organisation_in_each_of_its_groups():
    G = graph([("a", "b")], {"a": "startup", "b": "university"}, {})
    G.nodes["a"]["sectors"] = ("ai", "iot")
    G.nodes["b"]["sectors"] = ("ai",)
    assert values(organisations, G, by="sectors") == {"ai": 2.0, "iot": 1.0}
    assert values(startup_research_share, G, by="sectors") == {"ai": 1.0, "iot": 1.0}


def test_scorecard_year_by_year_follows_the_period_rule():
    M = nx.MultiDiGraph(home_country="VN")
    for v, kind, founded in (("u", "university", 1990), ("s", "startup", 2021), ("g", "government", None)):
        M.add_node(v, kind=kind, category=kind, province="Huế", founded=founded)
    M.add_edge("u", "g", kind="mou", weight=1.0, start="2019", end="2020")
    M.add_edge("u", "s", kind="research", weight=1.0, start="2021")
    M.add_edge("s", "g", kind="mou", weight=1.0)  # undated: never counted
    card = scorecard(M, [2019, 2020, 2021, 2022])
    assert card["values"]["organisations"]["Huế"] == [2.0, 2.0, 3.0, 3.0]
    assert card["values"]["ties"]["Huế"] == [1.0, 1.0, 1.0, 1.0]
    assert card["values"]["startup_research_share"]["Huế"] == [None, None, 1.0, 1.0]
    assert card["change"]["organisations"]["Huế"] == 1.0
    assert card["undated_ties"] == 1
    assert [i["key"] for i in card["indicators"]] == [i.key for i in INDICATORS]


def test_every_indicator_has_a_definition_and_the_csv_is_formula_safe():
    assert set(explain.DEFINITIONS) == {i.key for i in INDICATORS}
    M = nx.MultiDiGraph()
    M.add_node("a", kind="company", category="company", province="=HYPERLINK(1)")
    M.add_node("b", kind="company", category="company", province="-2")
    M.add_edge("a", "b", kind="mou", weight=1.0, start="2020")
    text = explain.csv(scorecard(M, [2020]))
    assert "\n'=HYPERLINK(1),2020," in text and "\n'-2,2020," in text
    assert explain.trend_word(-1.0, higher_is_better=False) == "better"
