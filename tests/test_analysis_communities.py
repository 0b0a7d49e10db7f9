"""Louvain communities on both backends, their make-up and the few ties between them."""

import networkx as nx
import pytest

from ecograph.analysis import community_links, community_profiles, louvain
from ecograph.errors import UsageError


def planted(groups=4, size=60, seed=1):
    G = nx.planted_partition_graph(groups, size, 0.2, 0.004, seed=seed)
    for v in G:
        G.nodes[v].update(
            name=f"Org {v}", category="startup" if v % 2 else "university", province=f"P{v // size}"
        )
    return G


def test_louvain_finds_the_bells_of_a_barbell():
    p = louvain(nx.barbell_graph(6, 0))
    assert [sorted(c) for c in p.communities] == [list(range(6)), list(range(6, 12))]
    assert p.membership[0] == 0 and p.membership[11] == 1
    assert p.method == "louvain resolution=1.0 seed=0"
    assert p.backend == "igraph"  # "auto" picks igraph wherever it is installed


@pytest.mark.parametrize("backend", ["networkx", "igraph"])
def test_louvain_is_reproducible_for_a_seed(backend):
    G = planted()
    a = louvain(G, seed=3, backend=backend)
    b = louvain(G, seed=3, backend=backend)
    assert a.communities == b.communities
    assert a.backend == backend


def test_backends_reach_the_same_modularity():
    G = planted()
    nx_part = louvain(G, backend="networkx")
    ig_part = louvain(G, backend="igraph")
    assert ig_part.modularity == pytest.approx(nx_part.modularity, abs=0.02)
    assert len(ig_part.communities) == len(nx_part.communities) == 4
    assert ig_part.modularity == pytest.approx(
        nx.community.modularity(G, ig_part.communities, weight="weight")
    )


def test_leiden_finds_connected_communities_at_least_as_modular_as_louvain():
    G = planted()
    found = louvain(G, method="leiden", seed=2)
    assert found.method == "leiden resolution=1.0 seed=2" and found.backend == "igraph"
    assert found.modularity == pytest.approx(nx.community.modularity(G, found.communities, weight="weight"))
    assert found.modularity >= louvain(G, seed=2).modularity - 1e-9
    assert all(nx.is_connected(G.subgraph(c)) for c in found.communities)
    assert found.communities == louvain(G, method="leiden", seed=2).communities


def test_leiden_needs_igraph_and_an_unknown_method_is_a_usage_error():
    with pytest.raises(UsageError, match="Leiden communities need igraph"):
        louvain(planted(), method="leiden", backend="networkx")
    with pytest.raises(UsageError, match="Unknown community method 'spectral'"):
        louvain(planted(), method="spectral")


def test_resolution_and_edgeless_graphs():
    G = planted()
    coarse = louvain(G, resolution=0.05)
    fine = louvain(G, resolution=5)
    assert len(coarse.communities) < len(fine.communities)
    empty = louvain(nx.empty_graph(3), backend="igraph")
    assert [len(c) for c in empty.communities] == [1, 1, 1] and empty.modularity == 0.0


def test_profiles_count_makeup_and_name_the_linkers():
    G = nx.barbell_graph(4, 0)
    for v in G:
        G.nodes[v].update(
            name=f"Org {v}", category="startup" if v < 4 else "investor", province="Huế", sectors=("ai",)
        )
    p = louvain(G)
    profiles = community_profiles(G, p)
    assert [x["size"] for x in profiles] == [4, 4]
    first = profiles[0]
    assert first["internal_ties"] == 6 and first["external_ties"] == 1
    assert first["makeup"] == {"category": {"startup": 4}, "province": {"Huế": 4}, "sectors": {"ai": 4}}
    assert first["linkers"] == [
        {
            "id": 3,
            "name": "Org 3",
            "category": "startup",
            "kind": None,
            "province": "Huế",
            "outside_ties": 1,
            "communities": [1],
        }
    ]
    assert [(h["id"], h["inside_ties"]) for h in first["hubs"]] == [(0, 3), (1, 3), (2, 3), (3, 3)]


def test_links_list_the_fragile_ties_first():
    G = nx.barbell_graph(4, 0)
    G.add_edges_from([(10, 11), (11, 12), (12, 10), (10, 13), (13, 11)])
    G.add_edges_from([(0, 10), (1, 11)])  # two ties between the first bell and the new group
    p = louvain(G)
    links = community_links(G, p)
    assert [r["ties"] for r in links] == [1, 2]
    single = links[0]
    assert {single["tie_list"][0]["u"], single["tie_list"][0]["v"]} == {3, 4}
    assert [h["ties"] for h in single["holders"]] == [1, 1]
    assert community_links(G, p, max_ties=1) == [single]
    assert community_links(G, p, list_ties=1)[1]["tie_list"] == []
    assert community_links(G, p, min_size=5) == []
