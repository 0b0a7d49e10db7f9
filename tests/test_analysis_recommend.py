"""Recommended partnerships: scores, filters, reasons, and never an existing tie."""

import itertools
import math

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ecograph.analysis import recommend
from ecograph.errors import UnknownOrganisation, UsageError
from ecograph.explain.recommendations import reason


@st.composite
def ecosystems(draw, with_sectors=True):
    n = draw(st.integers(2, 14))
    pairs = list(itertools.combinations(range(n), 2))
    G = nx.Graph()
    for v in range(n):
        G.add_node(
            v,
            name=f"Org {v}",
            category=draw(st.sampled_from(["startup", "university", "company"])),
            sectors=tuple(draw(st.sets(st.sampled_from(["ai", "iot", "agritech"]), max_size=2)))
            if with_sectors
            else (),
            province=draw(st.sampled_from(["Hà Nội", "Huế", None])),
        )
    G.add_edges_from(draw(st.lists(st.sampled_from(pairs), max_size=2 * n, unique=True)))
    return G


def brute_force(G, weights=(1, 1, 1, 1)):
    scores = {}
    for u, v in itertools.combinations(G, 2):
        if G.has_edge(u, v):
            continue
        common = list(nx.common_neighbors(G, u, v))
        if not common:
            continue
        aa = sum(1 / math.log(G.degree(w)) for w in common)
        ra = sum(1 / G.degree(w) for w in common)
        su, sv = set(G.nodes[u].get("sectors", ())), set(G.nodes[v].get("sectors", ()))
        jac = len(su & sv) / len(su | sv) if su | sv else 0.0
        scores[u, v] = weights[0] * len(common) + weights[1] * aa + weights[2] * ra + weights[3] * jac
    return scores


@settings(max_examples=80, deadline=None)
@given(ecosystems(), st.integers(1, 8))
def test_never_an_existing_tie_a_self_pair_or_a_pair_twice(G, top):
    for kwargs in (
        {},
        {"source_category": "university"},
        {"source_category": "startup", "target_category": "startup"},
    ):
        rows = recommend(G, top=top, **kwargs)
        pairs = [frozenset((r["source"], r["target"])) for r in rows]
        assert len(rows) <= top
        assert len(set(pairs)) == len(pairs)
        for r in rows:
            assert r["source"] != r["target"]
            assert not G.has_edge(r["source"], r["target"])
    for v in list(G)[:2]:
        for r in recommend(G, org=v, top=top):
            assert r["source"] == v and not G.has_edge(v, r["target"]) and r["target"] != v


@settings(max_examples=60, deadline=None)
@given(ecosystems(with_sectors=False), st.integers(1, 6))
def test_top_scores_equal_a_brute_force_ranking(G, top):
    expected = sorted(brute_force(G).values(), reverse=True)[:top]
    got = [r["score"] for r in recommend(G, top=top)]
    assert got == pytest.approx(expected)


def test_signals_equal_networkx_link_prediction():
    G = nx.karate_club_graph()
    rows = recommend(G, top=15)
    pairs = [(r["source"], r["target"]) for r in rows]
    aa = {(u, v): p for u, v, p in nx.adamic_adar_index(G, pairs)}
    ra = {(u, v): p for u, v, p in nx.resource_allocation_index(G, pairs)}
    for r in rows:
        key = (r["source"], r["target"])
        assert r["adamic_adar"] == pytest.approx(aa[key])
        assert r["resource_allocation"] == pytest.approx(ra[key])
        assert r["common_partners"] == len(list(nx.common_neighbors(G, *key)))
        assert r["score"] == pytest.approx(r["common_partners"] + aa[key] + ra[key])
    assert [r["score"] for r in rows] == sorted((r["score"] for r in rows), reverse=True)


def ecosystem():
    G = nx.Graph()
    orgs = {
        "u": ("Đại học Cần Thơ", "university", "Cần Thơ", ("agritech",)),
        "s": ("Mekong Agri", "startup", "Hà Nội", ("agritech", "iot")),
        "a": ("Viện Lúa", "research_institute", "Cần Thơ", ()),
        "b": ("Quỹ Mekong", "investor", "Cần Thơ", ()),
        "c": ("Hub Cần Thơ", "support_org", "Cần Thơ", ()),
        "x": ("Lonely Agri", "startup", "Huế", ("agritech",)),
        "big": ("Big Agri Co", "company", "Hà Nội", ("agritech",)),
    }
    for v, (name, cat, prov, sectors) in orgs.items():
        G.add_node(v, name=name, category=cat, kind=cat, province=prov, sectors=sectors)
    G.add_edges_from([("u", "a"), ("u", "b"), ("u", "c"), ("s", "a"), ("s", "b"), ("s", "c")])
    G.add_edges_from([("big", "a"), ("big", "b")])
    return G


def test_reason_names_shared_partners_sectors_and_provinces():
    rows = recommend(ecosystem(), source_category="university", target_category="startup")
    assert [(r["source"], r["target"]) for r in rows] == [("u", "s"), ("u", "x")]
    best = rows[0]
    assert best["common_partners"] == 3
    assert best["shared_sectors"] == ["agritech"]
    assert reason(best) == (
        "3 shared partners: Hub Cần Thơ, Quỹ Mekong, Viện Lúa; both in agritech; different provinces (Cần Thơ, Hà Nội)"
    )
    assert best["source_name"] == "Đại học Cần Thơ" and best["target_category"] == "startup"
    # x shares no partner with u: a same-sector candidate, scored by sector overlap only.
    assert rows[1]["common_partners"] == 0
    assert rows[1]["score"] == pytest.approx(1.0)
    assert reason(rows[1]) == "both in agritech; different provinces (Cần Thơ, Huế)"


def test_an_isolated_startup_gets_same_sector_partners_with_most_partners_first():
    rows = recommend(ecosystem(), org="x", top=3)
    assert [r["target"] for r in rows] == ["u", "big", "s"]  # u has 3 partners, big 2
    assert all(r["source"] == "x" for r in rows)
    assert rows[2]["score"] == pytest.approx(0.5)  # agritech of {agritech, iot}
    assert recommend(ecosystem(), org="x", weights={"shared_sectors": 0}) == []
    assert recommend(ecosystem(), org="x", sector_candidates=0) == []


def test_more_than_three_shared_partners_are_summarised():
    G = nx.complete_bipartite_graph(2, 5)
    rows = recommend(G, top=1)
    assert reason(rows[0]) == "5 shared partners: 2, 3, 4 and 2 more"


def test_unknown_org_and_weights_are_errors():
    G = ecosystem()
    with pytest.raises(UnknownOrganisation, match="'nobody'"):
        recommend(G, org="nobody")
    with pytest.raises(UsageError, match="fame"):
        recommend(G, weights={"fame": 1})
    assert recommend(G, top=0) == []
    assert recommend(nx.empty_graph(1)) == []
