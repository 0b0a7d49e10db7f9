"""Bridges, articulation points and local bridges: known answers and properties on random graphs."""

import math

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ecograph.analysis import articulation_cuts, backends, bridge_cuts, local_bridges
from ecograph.projections import Network


@st.composite
def graphs(draw, max_nodes=14):
    n = draw(st.integers(1, max_nodes))
    pairs = [(u, v) for u in range(n) for v in range(u + 1, n)]
    edges = draw(st.lists(st.sampled_from(pairs), max_size=2 * n, unique=True)) if pairs else []
    G = nx.Graph()
    G.add_nodes_from(range(n))
    G.add_edges_from(edges)
    cats = draw(st.lists(st.sampled_from(["startup", "university", None]), min_size=n, max_size=n))
    for v, c in zip(range(n), cats, strict=True):
        if c:
            G.nodes[v]["category"] = c
    return G


def test_barbell_bridge_cuts_off_one_bell():
    G = nx.barbell_graph(5, 0)
    for v in G:
        G.nodes[v].update(name=f"Org {v}", category="university" if v < 5 else "startup", province="Huế")
    cuts = bridge_cuts(G)
    assert len(cuts) == 1
    cut = cuts[0]
    assert {cut["u"], cut["v"]} == {4, 5}
    assert cut["cut_off"] == 5 and cut["component_size"] == 10
    side = "university" if cut["v"] == 4 else "startup"
    assert cut["makeup"] == {"category": {side: 5}, "province": {"Huế": 5}}
    assert len(cut["examples"]) == 5


def test_bridge_makeup_counts_the_smaller_side_whichever_end_the_search_starts_from():
    # A long path 0..9 with a triangle hanging off node 9: the cut-off side is the triangle side.
    G = nx.path_graph(10)
    G.add_edges_from([(9, 10), (10, 11), (11, 9)])
    for v in G:
        G.nodes[v]["category"] = "startup" if v < 10 else "investor"
    for start in (0, 11):
        H = nx.Graph()
        H.add_node(start, **G.nodes[start])
        H.add_nodes_from(G.nodes(data=True))
        H.add_edges_from(G.edges())
        by_end = {frozenset((c["u"], c["v"])): c for c in bridge_cuts(H)}
        cut = by_end[frozenset((4, 5))]
        assert cut["cut_off"] == 5 and cut["component_size"] == 12
        cut = by_end[frozenset((8, 9))]
        assert cut["v"] == 9 and cut["cut_off"] == 3
        assert cut["makeup"]["category"] == {"investor": 2, "startup": 1}
        assert cut["makeup"]["province"] == {"(unknown)": 3}


def test_min_size_leaves_out_single_partner_bridges():
    G = nx.star_graph(3)
    assert [c["cut_off"] for c in bridge_cuts(G)] == [1, 1, 1]
    assert bridge_cuts(G, min_size=2) == []


def test_articulation_points_with_several_parts_and_makeup():
    # Centre 0 joins a triangle {1,2,3}, a pair {4,5} and a leaf 6; the triangle is the rest.
    G = nx.Graph([(0, 1), (1, 2), (2, 3), (3, 1), (0, 4), (4, 5), (0, 6)])
    for v in G:
        G.nodes[v].update(name=f"N{v}", category="company", province="Hà Nội" if v < 4 else "Huế")
    rows = {r["id"]: r for r in articulation_cuts(G)}
    assert set(rows) == {0, 1, 4}
    centre = rows[0]
    assert centre["parts"] == 3 and centre["largest_part"] == 3 and centre["cut_off"] == 3
    assert centre["makeup"]["province"] == {"Huế": 3}
    assert sorted(centre["examples"]) == ["N4", "N5", "N6"]
    assert rows[1]["cut_off"] == 2  # removing 1 leaves {2,3} apart from {0,4,5,6}
    assert sorted(rows[1]["examples"]) == ["N2", "N3"]
    assert rows[4]["cut_off"] == 1


def test_articulation_point_whose_parent_side_is_the_smaller_part():
    # 0-1-2 then node 2 joins a big clique: removing 2 cuts off {0, 1}, the DFS-parent side.
    G = nx.complete_graph(range(2, 8))
    G.add_edges_from([(0, 1), (1, 2)])
    rows = {r["id"]: r for r in articulation_cuts(G)}
    assert rows[2]["cut_off"] == 2 and rows[2]["largest_part"] == 5
    assert rows[2]["makeup"]["category"] == {"(unknown)": 2}
    assert sorted(rows[2]["examples"]) == ["0", "1"]


@settings(max_examples=60, deadline=None)
@given(graphs())
def test_removing_a_reported_bridge_adds_a_component(G):
    before = nx.number_connected_components(G)
    cuts = bridge_cuts(G)
    assert {frozenset((c["u"], c["v"])) for c in cuts} == {frozenset(e) for e in nx.bridges(G)}
    for c in cuts:
        H = G.copy()
        H.remove_edge(c["u"], c["v"])
        assert nx.number_connected_components(H) == before + 1
        side = nx.node_connected_component(H, c["v"])
        assert len(side) == c["cut_off"] <= len(nx.node_connected_component(H, c["u"]))
        assert sum(c["makeup"]["category"].values()) == c["cut_off"]


@settings(max_examples=60, deadline=None)
@given(graphs())
def test_removing_an_articulation_point_adds_components(G):
    before = nx.number_connected_components(G)
    rows = articulation_cuts(G)
    assert {r["id"] for r in rows} == set(nx.articulation_points(G))
    for r in rows:
        H = G.copy()
        comp = nx.node_connected_component(G, r["id"])
        H.remove_node(r["id"])
        after = nx.number_connected_components(H)
        assert after > before
        parts = sorted((len(c) for c in nx.connected_components(H.subgraph(comp - {r["id"]}))), reverse=True)
        assert r["parts"] == len(parts) == after - before + 1
        assert r["cut_off"] == sum(parts[1:])
        assert r["largest_part"] == parts[0]


@settings(max_examples=40, deadline=None)
@given(graphs())
def test_backends_agree_on_bridges_and_articulation_points(G):
    N = Network.from_networkx(G)
    for found in (backends.bridges, backends.articulation_points):
        a = found(N, backend="networkx")
        b = found(N, backend="igraph")
        assert a.tolist() == b.tolist()
    assert len(backends.bridges(N)) == len(list(nx.bridges(G)))
    assert {N.ids[i] for i in backends.articulation_points(N).tolist()} == set(nx.articulation_points(G))


def test_bridges_are_positions_in_the_networks_edge_order():
    G = nx.Graph([("b", "a"), ("a", "c"), ("c", "d"), ("d", "a")])
    N = Network.from_networkx(G)
    for backend in ("igraph", "networkx"):
        assert backends.bridges(N, backend=backend).tolist() == [0]
    assert (N.ids[N.u[0]], N.ids[N.v[0]]) == ("b", "a")


@settings(max_examples=40, deadline=None)
@given(graphs(10))
def test_local_bridges_and_spans_equal_networkx(G):
    ours = {frozenset((u, v)): span for u, v, span in local_bridges(G)}
    theirs = {frozenset((u, v)): span for u, v, span in nx.local_bridges(G, with_span=True)}
    assert ours == theirs


def test_local_bridge_span_cutoff():
    G = nx.cycle_graph(8)
    spans = {frozenset((u, v)): s for u, v, s in local_bridges(G, cutoff=4)}
    assert all(math.isinf(s) for s in spans.values())
    assert list(local_bridges(G, with_span=False, edges=[(0, 1)])) == [(0, 1)]
    assert dict(((u, v), s) for u, v, s in local_bridges(G, edges=[(0, 1)])) == {(0, 1): 7}


def test_directed_graphs_are_refused():
    with pytest.raises(nx.NetworkXNotImplemented):
        bridge_cuts(nx.DiGraph([(0, 1)]))


def test_local_bridges_on_a_larger_graph_use_the_sparse_test_and_agree_with_networkx():
    G = nx.gnm_random_graph(600, 1500, seed=7)
    ours = {frozenset(e) for e in local_bridges(G, with_span=False)}
    assert ours == {frozenset(e) for e in nx.local_bridges(G, with_span=False)}
