"""Centrality and structural holes: textbook values, both backends agreeing, sampling and filters."""

import importlib
import math
import random

import networkx as nx
import numpy as np
import pytest

from ecograph.analysis import backends, centrality, structural_holes, top_nodes
from ecograph.errors import UsageError
from ecograph.projections import Network

# The package exports the function ``centrality``, which hides the module of the same name.
centrality_module = importlib.import_module("ecograph.analysis.centrality")


def borgatti():
    """The example of Borgatti (1997) used by networkx's structural-holes tests (UCINET values)."""
    G = nx.Graph()
    weights = {
        ("A", "B"): 2,
        ("A", "F"): 3,
        ("A", "G"): 5,
        ("A", "E"): 2,
        ("E", "G"): 8,
        ("F", "G"): 3,
        ("B", "G"): 4,
        ("B", "D"): 1,
        ("D", "G"): 3,
        ("G", "C"): 10,
    }
    for (u, v), w in weights.items():
        G.add_edge(u, v, weight=w)
    return G


def weighted_random(n=120, m=360, seed=3):
    G = nx.gnm_random_graph(n, m, seed=seed)
    rng = random.Random(seed)
    for u, v in G.edges():
        G[u][v]["weight"] = rng.choice([1.0, 2.0, 3.5])
    G.add_node(n)  # an isolate
    return G


@pytest.mark.parametrize("backend", ["networkx", "igraph"])
def test_constraint_matches_ucinet_values_unweighted(backend):
    c = centrality(borgatti(), "constraint", weight=None, backend=backend).values
    assert c["G"] == pytest.approx(0.400, abs=1e-3)
    assert c["A"] == pytest.approx(0.595, abs=1e-3)
    assert c["C"] == pytest.approx(1.0, abs=1e-3)


@pytest.mark.parametrize("backend", ["networkx", "igraph"])
def test_constraint_matches_ucinet_values_weighted(backend):
    c = centrality(borgatti(), "constraint", backend=backend).values
    assert c["G"] == pytest.approx(0.299, abs=1e-3)
    assert c["A"] == pytest.approx(0.795, abs=1e-3)
    assert c["C"] == pytest.approx(1.0, abs=1e-3)


def test_effective_size_and_efficiency_match_borgatti():
    G = borgatti()
    size = centrality(G, "effective_size", weight=None).values
    assert size["G"] == pytest.approx(4.67, abs=1e-2)
    assert size["A"] == pytest.approx(2.50, abs=1e-2)
    assert size["C"] == pytest.approx(1.0)
    weighted = centrality(G, "effective_size").values
    assert weighted["G"] == pytest.approx(5.47, abs=1e-2)
    assert weighted["A"] == pytest.approx(2.47, abs=1e-2)
    efficiency = centrality(G, "efficiency", weight=None).values
    assert efficiency["G"] == pytest.approx(4.67 / 6, abs=1e-2)


def test_structural_holes_equal_networkx_on_a_random_weighted_graph():
    G = weighted_random(60, 150)
    ours = structural_holes(G)
    constraint = nx.constraint(G, nodes=list(G), weight="weight")
    size = nx.effective_size(G, nodes=list(G), weight="weight")
    for v in G:
        if G.degree(v) == 0:
            assert all(math.isnan(x) for x in ours[v].values())
            continue
        assert ours[v]["constraint"] == pytest.approx(constraint[v])
        assert ours[v]["effective_size"] == pytest.approx(size[v])


def test_hierarchy_follows_burts_formula():
    G = weighted_random(40, 100)
    h = centrality(G, "hierarchy").values
    for v in G:
        contacts = list(G[v])
        if len(contacts) < 2:
            assert math.isnan(h[v])
            continue
        local = [nx.local_constraint(G, v, j, weight="weight") for j in contacts]
        mean = sum(local) / len(local)
        n = len(local)
        expected = sum((c / mean) * math.log(c / mean) for c in local) / (n * math.log(n))
        assert h[v] == pytest.approx(expected, abs=1e-9)


def test_hierarchy_is_one_sided_for_a_dominant_contact():
    # Ego tied to a hub that ties all of ego's other contacts: constraint concentrates on the hub.
    G = nx.Graph(
        [("ego", "hub"), ("ego", "a"), ("ego", "b"), ("ego", "c"), ("hub", "a"), ("hub", "b"), ("hub", "c")]
    )
    h = centrality(G, "hierarchy").values
    assert h["ego"] > 0.05
    assert centrality(nx.star_graph(4), "hierarchy").values[0] == pytest.approx(0.0)


def test_betweenness_of_the_barbell_bridge_ends():
    result = centrality(nx.barbell_graph(5, 0), "betweenness")
    assert result.method == "exact" and result.exact and result.k is None
    # 5 x 5 pairs cross the bridge, each through both ends: 25 of the 45 pairs.
    assert result.values[4] == pytest.approx(25 / 45)
    assert result.values[0] == 0


# PageRank: networkx iterates to a tolerance of 1e-6 in total, igraph solves exactly (PRPACK).
TOLERANCE = {"pagerank": 1e-6, "eigenvector": 1e-9}


def assert_same_values(reference, fast):
    assert reference.ids == fast.ids
    tolerance = TOLERANCE.get(reference.measure, 1e-9)
    np.testing.assert_allclose(fast.array, reference.array, rtol=0, atol=tolerance, equal_nan=True)


@pytest.mark.parametrize("measure", centrality_module.MEASURES)
def test_both_backends_agree_exactly(measure):
    G = weighted_random()
    a = centrality(G, measure, backend="networkx")
    b = centrality(G, measure, backend="igraph")
    assert a.backend == "networkx" and b.backend in ("igraph", "numpy", "scipy")
    assert_same_values(a, b)


@pytest.fixture(scope="module")
def demo_network(demo_store_url):
    """The 1,500-organisation demo as the network analyses take, straight from the store's columns."""
    from ecograph.columns import GraphColumns
    from ecograph.projections import undirected
    from ecograph.store import open_store

    with open_store(demo_store_url) as store:
        columns = GraphColumns.from_tables(*store.tables(), store.home_country)
    return undirected(columns.table, columns.column, columns.graph, node_attrs=columns.attributes)


@pytest.mark.parametrize("measure", centrality_module.MEASURES)
def test_every_measure_equals_networkx_on_the_demo(demo_network, measure):
    reference = centrality(demo_network, measure, backend="networkx")
    fast = centrality(demo_network, measure)
    assert fast.backend != "networkx" and fast.method == reference.method == "exact"
    assert_same_values(reference, fast)


def test_sampled_measures_equal_networkx_on_the_demo(demo_network):
    for measure in ("betweenness", "closeness", "harmonic"):
        reference = centrality(demo_network, measure, k=64, seed=3, backend="networkx")
        fast = centrality(demo_network, measure, k=64, seed=3)
        assert fast.method == reference.method == "sampled k=64 seed=3"
        assert_same_values(reference, fast)


def test_distance_blocks_are_the_same_on_both_backends_across_chunks():
    G = nx.connected_watts_strogatz_graph(90, 4, 0.2, seed=6)
    G.add_edges_from([(200, 201)])
    G.add_node(300)
    N = Network.from_networkx(G)
    sources, targets = [5, 0, 91, 40, 92, 7, 60], [3, 90, 91, 0, 50]
    for columns in (None, targets):
        found = {
            engine: list(backends.distance_blocks(N, sources, columns, backend=engine, chunk=3))
            for engine in ("igraph", "networkx")
        }
        assert [part for part, _ in found["igraph"]] == [[5, 0, 91], [40, 92, 7], [60]]
        for (a, x), (b, y) in zip(found["igraph"], found["networkx"], strict=True):
            assert a == b and x.shape == y.shape == (len(a), N.n if columns is None else len(targets))
            assert np.array_equal(x, y)
    lengths = dict(nx.all_pairs_shortest_path_length(G))
    block = np.vstack([b for _, b in backends.distance_blocks(N, sources, targets, chunk=3)])
    expected = [[lengths[N.ids[s]].get(N.ids[t], math.inf) for t in targets] for s in sources]
    assert block.tolist() == expected


def test_components_bridges_cut_points_and_communities_equal_networkx_on_the_demo(demo_network):
    from ecograph.analysis import louvain
    from ecograph.analysis.communities import modularity

    N = demo_network
    G = N.to_networkx()
    count, labels = N.components
    parts = {frozenset(np.flatnonzero(labels == c).tolist()) for c in range(count)}
    index = N.index
    assert parts == {frozenset(index[v] for v in c) for c in nx.connected_components(G)}
    for found in (backends.bridges, backends.articulation_points):
        assert found(N).tolist() == found(N, backend="networkx").tolist()
    assert len(backends.bridges(N)) == len(list(nx.bridges(G)))
    for method in ("louvain", "leiden"):
        p = louvain(N, method=method)
        assert p.modularity == pytest.approx(nx.community.modularity(G, p.communities, weight="weight"))
    reference = louvain(N, backend="networkx")
    assert reference.modularity == pytest.approx(
        modularity(N, np.array([reference.membership[v] for v in N.ids])), abs=1e-12
    )
    assert louvain(N, method="leiden").modularity >= reference.modularity - 0.01


def test_sampled_betweenness_is_the_same_on_both_backends_and_close_to_exact():
    G = nx.connected_watts_strogatz_graph(300, 6, 0.2, seed=1)
    a = centrality(G, "betweenness", k=100, seed=5, backend="networkx")
    b = centrality(G, "betweenness", k=100, seed=5, backend="igraph")
    assert a.method == b.method == "sampled k=100 seed=5"
    assert not a.exact and a.k == 100
    for v in G:
        assert b.values[v] == pytest.approx(a.values[v], abs=1e-12)
    exact = centrality(G, "betweenness", backend="igraph").values
    top_exact = sorted(G, key=exact.get, reverse=True)[:10]
    top_sampled = sorted(G, key=a.values.get, reverse=True)[:10]
    assert len(set(top_exact) & set(top_sampled)) >= 6


def test_sampling_is_reproducible_and_seeded():
    G = nx.connected_watts_strogatz_graph(200, 4, 0.3, seed=2)
    one = centrality(G, "betweenness", k=20, seed=1).values
    assert centrality(G, "betweenness", k=20, seed=1).values == one
    assert centrality(G, "betweenness", k=20, seed=2).values != one


@pytest.mark.parametrize("measure", ["closeness", "harmonic"])
def test_sampled_closeness_estimates_the_exact_values(measure):
    G = nx.connected_watts_strogatz_graph(250, 6, 0.1, seed=4)
    G.add_edges_from([(1000, 1001), (1001, 1002)])  # a small component: computed exactly
    G.add_node(2000)
    exact = centrality(G, measure, backend="igraph").values
    sampled = centrality(G, measure, k=100, seed=0)
    assert sampled.method == "sampled k=100 seed=0"
    for v in G:
        assert sampled.values[v] == pytest.approx(exact[v], rel=0.1, abs=1e-9)
    assert sampled.values[1001] == pytest.approx(exact[1001])
    assert sampled.values[2000] == 0
    one = centrality(G, measure, k=1, seed=3)  # a single source: still a value for everyone
    assert all(v == v and v >= 0 for v in one.values.values())


def test_large_graphs_are_sampled_by_default(monkeypatch):
    monkeypatch.setattr(centrality_module, "EXACT_NODE_LIMIT", 50)
    monkeypatch.setattr(centrality_module, "DEFAULT_SAMPLES", 16)
    G = nx.path_graph(60)
    assert centrality(G, "betweenness").method == "sampled k=16 seed=0"
    assert centrality(G, "betweenness", k=100).method == "exact"  # k >= n
    assert centrality(G, "degree").method == "exact"


def test_eigenvector_on_a_disconnected_graph_uses_the_largest_part():
    G = nx.barbell_graph(5, 0)
    G.add_edges_from([(20, 21), (21, 22)])
    G.add_node(30)
    values = centrality(G, "eigenvector").values
    assert values[20] == values[30] == 0
    assert values[4] > values[0] > 0
    assert math.isclose(sum(x * x for x in values.values()), 1.0)
    big = nx.connected_watts_strogatz_graph(200, 6, 0.2, seed=3)
    nx.set_edge_attributes(big, {e: 1.0 + (sum(e) % 3) for e in big.edges()}, "weight")
    ours = centrality(big, "eigenvector").values
    theirs = nx.eigenvector_centrality_numpy(big, weight="weight")
    assert all(ours[v] == pytest.approx(theirs[v], abs=1e-9) for v in big)
    small = centrality(nx.path_graph(3), "eigenvector").values
    assert small[1] == pytest.approx(math.sqrt(0.5))
    assert centrality(nx.empty_graph(3), "eigenvector").values == {0: 0.0, 1: 0.0, 2: 0.0}


def test_every_measure_runs_on_an_awkward_graph():
    G = nx.Graph()
    G.add_nodes_from(range(3))
    G.add_edge(5, 6)
    for measure in centrality_module.MEASURES:
        for backend in ("networkx", "igraph"):
            result = centrality(G, measure, backend=backend)
            assert set(result.values) == set(G)
    assert centrality(nx.Graph(), "pagerank").values == {}


def test_kcore_degree_strength_pagerank():
    G = nx.complete_graph(4)
    G.add_edge(3, 4, weight=5.0)
    assert centrality(G, "kcore").values == {0: 3.0, 1: 3.0, 2: 3.0, 3: 3.0, 4: 1.0}
    assert centrality(G, "degree").values[3] == 4.0
    assert centrality(G, "strength").values[3] == 8.0
    assert sum(centrality(G, "pagerank").values.values()) == pytest.approx(1.0)


def test_unknown_measure_backend_and_bad_k_are_usage_errors():
    G = nx.path_graph(3)
    with pytest.raises(UsageError, match="Unknown measure 'fame'"):
        centrality(G, "fame")
    with pytest.raises(UsageError, match="Unknown graph backend"):
        centrality(G, "betweenness", backend="gpu")
    with pytest.raises(UsageError, match="k must be"):
        centrality(G, "betweenness", k=0)
    with pytest.raises(nx.NetworkXNotImplemented):
        centrality(nx.DiGraph(G), "degree")


def test_backend_setting_is_read_from_the_environment(monkeypatch):
    G = nx.path_graph(3)
    monkeypatch.setenv("ECOGRAPH_BACKEND", "igraph")
    assert centrality(G, "betweenness").backend == "igraph"
    monkeypatch.setenv("ECOGRAPH_BACKEND", "networkx")
    assert centrality(G, "betweenness").backend == "networkx"
    monkeypatch.setenv("ECOGRAPH_BACKEND", "auto")
    assert backends.resolve_backend(None) == "igraph"
    assert centrality(G, "pagerank").backend == "igraph"


def test_the_igraph_copy_is_the_networks_own_and_a_changed_graph_is_converted_again():
    G = nx.path_graph(4)
    N = Network.from_networkx(G)
    assert N.igraph is N.igraph and N.igraph.ecount() == 3
    G.add_edge(3, 4)
    assert centrality(G, "degree").values[4] == 1.0  # converted again: nothing cached on G
    frozen = nx.freeze(nx.path_graph(3))
    assert Network.from_networkx(frozen).igraph.vcount() == 3
    assert frozen.graph == {}


def test_cached_analyses_see_a_rewired_graph():
    from ecograph.analysis import bridge_cuts, recommend

    G = nx.path_graph(4)
    assert len(bridge_cuts(G)) == 3
    assert {(r["source"], r["target"]) for r in recommend(G)} == {(0, 2), (1, 3)}
    G.remove_edge(2, 3)
    G.add_edge(0, 2)  # a triangle and an isolate: no bridge, nothing to recommend, same size
    assert bridge_cuts(G) == []
    assert recommend(G) == []
    assert centrality(G, "constraint").values[0] == pytest.approx(nx.constraint(G)[0])


def ecosystem():
    G = nx.Graph()
    orgs = {
        "u1": ("Đại học A", "university", "Hà Nội", ("ai",)),
        "u2": ("Đại học B", "university", "Cần Thơ", ("agritech",)),
        "s1": ("Startup One", "startup", "Hà Nội", ("ai", "fintech")),
        "s2": ("Startup Two", "startup", "Cần Thơ", ("agritech",)),
        "s3": ("Startup Three", "startup", "Hà Nội", ()),
        "vc": ("Quỹ Đầu tư", "investor", "Hà Nội", ("fintech",)),
    }
    for v, (name, cat, prov, sectors) in orgs.items():
        G.add_node(v, name=name, category=cat, kind=cat, province=prov, sectors=sectors)
    G.add_edges_from([("u1", "s1"), ("u1", "s3"), ("u1", "u2"), ("u2", "s2"), ("vc", "s1"), ("vc", "s2")])
    return G


def test_top_nodes_filters_and_attaches_attributes():
    G = ecosystem()
    result = centrality(G, "degree")
    rows = top_nodes(G, result, n=2)
    # Ties go by name without diacritics: Đại học B before Quỹ before Startup One.
    assert [(r["rank"], r["id"], r["value"]) for r in rows] == [(1, "u1", 3.0), (2, "u2", 2.0)]
    assert rows[0] == {
        "rank": 1,
        "id": "u1",
        "name": "Đại học A",
        "category": "university",
        "kind": "university",
        "province": "Hà Nội",
        "sectors": ["ai"],
        "value": 3.0,
    }
    assert [r["id"] for r in top_nodes(G, result, category="startup")] == ["s1", "s2", "s3"]
    assert [r["id"] for r in top_nodes(G, result, province="Cần Thơ")] == ["u2", "s2"]
    assert [r["id"] for r in top_nodes(G, result, sector="agritech", kind="startup")] == ["s2"]
    assert [r["id"] for r in top_nodes(G, result, sector=["ai", "fintech"])] == ["u1", "vc", "s1"]
    assert top_nodes(G, result, category="government") == []


def test_top_nodes_ranks_constraint_lowest_first_and_skips_nan():
    G = ecosystem()
    G.add_node("lonely", name="Lonely")
    rows = top_nodes(G, centrality(G, "constraint"), n=None)
    assert "lonely" not in [r["id"] for r in rows]
    values = [r["value"] for r in rows]
    assert values == sorted(values)
    assert [r["id"] for r in top_nodes(G, {"u1": 1.0, "s1": 2.0}, descending=False)] == ["u1", "s1"]


def _threads(user_api: str) -> dict:
    from threadpoolctl import threadpool_info

    return {i["filepath"]: i["num_threads"] for i in threadpool_info() if i["user_api"] == user_api}


@pytest.mark.parametrize(
    ("measure", "user_api", "owner", "solver"),
    [
        ("eigenvector", "blas", lambda: importlib.import_module("scipy.sparse.linalg"), "eigsh"),
        ("pagerank", "openmp", lambda: importlib.import_module("igraph").Graph, "pagerank"),
    ],
)
def test_the_solver_runs_on_one_thread_and_gives_the_threads_back(
    monkeypatch, measure, user_api, owner, solver
):
    target = owner()
    original, seen = getattr(target, solver), []

    def watched(*args, **kwargs):  # igraph's PageRank is a method: its graph comes first
        seen.append(_threads(user_api))
        return original(*args, **kwargs)

    monkeypatch.setattr(target, solver, watched)
    big = nx.connected_watts_strogatz_graph(300, 6, 0.2, seed=3)
    nx.set_edge_attributes(big, {e: 1.0 + (sum(e) % 3) for e in big.edges()}, "weight")
    before = _threads(user_api)
    values = centrality(big, measure).values
    assert len(seen) == 1 and seen[0] and set(seen[0].values()) == {1}
    assert _threads(user_api) == before
    reference = centrality(big, measure, backend="networkx").values
    assert all(values[v] == pytest.approx(reference[v], abs=1e-9) for v in big)
