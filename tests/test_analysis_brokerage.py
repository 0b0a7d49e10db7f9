"""Gould–Fernandez brokerage: hand-worked examples, a brute-force reference and the expectations."""

import itertools

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ecograph.analysis import ROLES, brokerage_expected, brokerage_roles


def reference(D, attr):
    """Gould & Fernandez by definition: every a -> b -> c with a != c and no a -> c."""
    group = dict(D.nodes(data=attr))
    out = {b: dict.fromkeys((*ROLES, "total"), 0) for b in D}
    for a, b, c in itertools.permutations(D, 3):
        if D.has_edge(a, b) and D.has_edge(b, c) and not D.has_edge(a, c):
            ga, gb, gc = group[a], group[b], group[c]
            if ga == gb == gc:
                role = "coordinator"
            elif ga == gc:
                role = "itinerant"
            elif gb == gc:
                role = "gatekeeper"
            elif ga == gb:
                role = "representative"
            else:
                role = "liaison"
            out[b][role] += 1
            out[b]["total"] += 1
    return out


def test_each_role_on_a_hand_worked_two_path():
    # One two-path a -> b -> c, with groups chosen to give each role in turn.
    cases = {
        "coordinator": ("x", "x", "x"),
        "itinerant": ("x", "y", "x"),
        "gatekeeper": ("x", "y", "y"),
        "representative": ("x", "x", "y"),
        "liaison": ("x", "y", "z"),
    }
    for role, (ga, gb, gc) in cases.items():
        D = nx.DiGraph([("a", "b"), ("b", "c")])
        nx.set_node_attributes(D, {"a": ga, "b": gb, "c": gc}, "group")
        roles = brokerage_roles(D, "group")
        assert roles["b"] == {**dict.fromkeys(ROLES, 0.0), role: 1.0, "total": 1.0}, role
        assert roles["a"]["total"] == roles["c"]["total"] == 0


def test_the_direct_tie_a_to_c_closes_the_two_path_but_c_to_a_does_not():
    D = nx.DiGraph([("a", "b"), ("b", "c"), ("a", "c")])
    assert brokerage_roles(D, "g")["b"]["total"] == 0
    D = nx.DiGraph([("a", "b"), ("b", "c"), ("c", "a")])
    # Each node of the directed 3-cycle brokers one pair: the reverse tie does not count.
    assert {v: r["total"] for v, r in brokerage_roles(D, "g").items()} == {"a": 1.0, "b": 1.0, "c": 1.0}


def test_cograph_documentation_example_worked_by_hand():
    D = nx.DiGraph([("A", "B"), ("A", "C"), ("B", "C"), ("B", "D"), ("C", "D"), ("D", "A")])
    nx.set_node_attributes(D, {"A": 1, "B": 1, "C": 2, "D": 2}, "group")
    roles = brokerage_roles(D, "group")
    nonzero = {v: {r: x for r, x in roles[v].items() if x and r != "total"} for v in D}
    assert nonzero == {
        "A": {"itinerant": 1.0, "gatekeeper": 1.0},  # D -> A -> C and D -> A -> B
        "B": {"representative": 1.0},  # A -> B -> D (A -> B -> C is closed by A -> C)
        "C": {"gatekeeper": 1.0},  # A -> C -> D
        "D": {"itinerant": 1.0, "representative": 1.0},  # B -> D -> A and C -> D -> A
    }
    assert roles == reference(D, "group")


def test_an_ecosystem_gatekeeper():
    # Three foreign partners reach two startups only through one university, which also
    # ties to the startups' investor; the startups know each other.
    D = nx.DiGraph()
    groups = {"uni": "university", "s1": "startup", "s2": "startup", "vc": "investor"}
    groups.update({f"f{i}": "foreign_partner" for i in range(3)})
    for v, g in groups.items():
        D.add_node(v, category=g)
    mutual = [("f0", "uni"), ("f1", "uni"), ("f2", "uni"), ("uni", "s1"), ("uni", "s2"), ("s1", "s2")]
    for u, v in mutual:
        D.add_edge(u, v)
        D.add_edge(v, u)
    D.add_edge("vc", "s1")  # an investment: one way
    roles = brokerage_roles(D)
    assert roles["uni"]["liaison"] == 12  # f_i -> uni -> s_j and s_j -> uni -> f_i: 2 x 3 x 2
    assert roles["uni"]["itinerant"] == 6  # f_i -> uni -> f_j
    assert roles["uni"]["coordinator"] == 0
    assert roles["s1"]["coordinator"] == 0  # uni and s2 know each other
    assert roles["s1"]["gatekeeper"] == 1  # vc -> s1 -> s2, vc does not reach s2
    assert roles["s1"]["liaison"] == 1  # vc -> s1 -> uni
    assert roles == reference(D, "category")


@st.composite
def digraphs(draw):
    n = draw(st.integers(2, 9))
    pairs = [(u, v) for u in range(n) for v in range(n) if u != v]
    D = nx.DiGraph()
    D.add_nodes_from(range(n))
    D.add_edges_from(draw(st.lists(st.sampled_from(pairs), max_size=3 * n, unique=True)))
    groups = draw(st.lists(st.sampled_from("abc"), min_size=n, max_size=n))
    nx.set_node_attributes(D, dict(enumerate(groups)), "g")
    return D


@settings(max_examples=80, deadline=None)
@given(digraphs())
def test_counts_equal_the_definition(D):
    assert brokerage_roles(D, "g") == reference(D, "g")


@settings(max_examples=30, deadline=None)
@given(digraphs())
def test_an_undirected_graph_counts_each_tie_both_ways(D):
    G = D.to_undirected()
    assert brokerage_roles(G, "g") == brokerage_roles(G.to_directed(), "g")


def test_only_the_requested_brokers():
    D = nx.DiGraph([(0, 1), (1, 2)])
    assert list(brokerage_roles(D, "g", nodes=[1])) == [1]


def test_expected_counts_follow_gould_and_fernandez():
    # 6 nodes, groups of 3, 2 and 1, 9 arcs: p = 9 / 30.
    D = nx.DiGraph([(0, 1), (1, 2), (2, 3), (3, 4), (4, 5), (5, 0), (0, 3), (1, 4), (2, 5)])
    nx.set_node_attributes(D, {0: "a", 1: "a", 2: "a", 3: "b", 4: "b", 5: "c"}, "g")
    p = 9 / 30
    q = p * p * (1 - p)
    e = brokerage_expected(D, "g")
    assert e["a"]["coordinator"] == pytest.approx(q * 2 * 1)
    assert e["a"]["itinerant"] == pytest.approx(q * (2 * 1 + 1 * 0))
    assert e["a"]["gatekeeper"] == e["a"]["representative"] == pytest.approx(q * 2 * 3)
    assert e["a"]["liaison"] == pytest.approx(q * (3 * 3 - (4 + 1)))
    assert e["c"]["liaison"] == pytest.approx(q * (5 * 5 - (9 + 4)))
    assert e["b"]["total"] == pytest.approx(q * 5 * 4)
    # For every broker, the role expectations add up to the total over all ordered pairs.
    for g in e:
        assert sum(e[g][r] for r in ROLES) == pytest.approx(e[g]["total"])


def test_normalised_counts_divide_by_the_expectation():
    D = nx.gnp_random_graph(30, 0.1, seed=4, directed=True)
    nx.set_node_attributes(D, {v: "abc"[v % 3] for v in D}, "g")
    raw = brokerage_roles(D, "g")
    ratio = brokerage_roles(D, "g", normalized=True)
    expected = brokerage_expected(D, "g")
    for v in D:
        for role in (*ROLES, "total"):
            assert ratio[v][role] == pytest.approx(raw[v][role] / expected[D.nodes[v]["g"]][role])


def test_multigraphs_are_refused():
    with pytest.raises(nx.NetworkXNotImplemented):
        brokerage_roles(nx.MultiDiGraph([(0, 1)]))


def test_the_vectorised_counts_equal_the_definition_on_the_demo(demo_store_url):
    from ecograph.snapshot import directed
    from ecograph.store import open_store
    from ecograph.workspace import Workspace

    with open_store(demo_store_url) as store, Workspace(store, cache_dir=False) as ws:
        D = directed(store.snapshot())
        fast = brokerage_roles(ws.arcs, "category")
    expected = {b: dict.fromkeys((*ROLES, "total"), 0) for b in D}
    for b in D:  # the definition, walked from each broker's in- and out-neighbours
        for a in D.predecessors(b):
            for c in D.successors(b):
                if a in (b, c) or c == b or D.has_edge(a, c):
                    continue
                ga, gb, gc = (D.nodes[x]["category"] for x in (a, b, c))
                role = (
                    "coordinator"
                    if ga == gb == gc
                    else "itinerant"
                    if ga == gc
                    else "gatekeeper"
                    if gb == gc
                    else "representative"
                    if ga == gb
                    else "liaison"
                )
                expected[b][role] += 1
                expected[b]["total"] += 1
    assert fast == expected
    assert sum(r["total"] for r in fast.values()) > 1000
