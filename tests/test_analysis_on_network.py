"""Missing links, resilience, ego networks and the report's summary on the Network: equal to
the networkx computation on small graphs (edge cases) and on the demo."""

import itertools
import math
import random

import networkx as nx
import pytest

from ecograph.analysis import attack_curve, centrality, recommend, structural_holes, weak_link_report
from ecograph.analysis._util import name_order
from ecograph.analysis.ego import ego_network
from ecograph.analysis.summary import network_summary
from ecograph.errors import UnknownOrganisation, UsageError
from ecograph.explain.recommendations import reason
from ecograph.projections import Arcs, Network


def small_graphs() -> list[nx.Graph]:
    """Edge cases: empty, isolates only, several components, self-loops, a string-id path."""
    barbell = nx.barbell_graph(5, 2)
    barbell.add_edges_from([(0, 0), (3, 3)])
    barbell.add_node(99)
    karate = nx.karate_club_graph()
    for v in karate:
        karate.nodes[v].update(
            category=("university", "startup", "company")[v % 3],
            sectors=(("ai",), ("ai", "iot"), ())[v % 3],
            province=("Hà Nội", None)[v % 2],
            name=f"Org {v % 7}",  # names repeat: ties go to the node order
        )
    karate.add_edge(5, 5)
    path = nx.path_graph(["x", "y", "z"])
    path.add_edge("z", "z")
    two = nx.disjoint_union(nx.cycle_graph(4), nx.star_graph(3))
    return [nx.Graph(), nx.empty_graph(3), barbell, karate, path, two]


GRAPHS = small_graphs()


@pytest.fixture(scope="module")
def demo(demo_store_url):
    """The demo as the workspace gives it: the Network and its networkx copy."""
    from ecograph.workspace import Workspace

    with Workspace(demo_store_url, cache_dir=False) as ws:
        yield ws.network, ws.graph


# -- missing links -------------------------------------------------------------------------


def reference_signals(G: nx.Graph, u, v) -> tuple[list, float, float]:
    """Common partners (fewest partners first, then by name), Adamic–Adar and resource
    allocation as networkx counts partners (a self-loop twice)."""
    common = sorted(
        (w for w in nx.common_neighbors(G, u, v) if w not in (u, v)),
        key=lambda w: (G.degree(w), *name_order(G, w)),
    )
    degs = [G.degree(w) for w in common]
    return common, sum(1 / math.log(d) for d in degs if d > 1), sum(1 / d for d in degs)


def check_recommendations(G: nx.Graph, N: Network, **kwargs) -> None:
    rows = recommend(N, **kwargs)
    assert rows == recommend(G, **kwargs)
    for r in rows:
        u, v = r["source"], r["target"]
        assert u != v and not G.has_edge(u, v)
        common, aa, ra = reference_signals(G, u, v)
        assert r["common_partners"] == len(common)
        assert r["adamic_adar"] == pytest.approx(aa) and r["resource_allocation"] == pytest.approx(ra)
        assert r["source_name"] == str(G.nodes[u].get("name") or u)
        if common:
            named = ", ".join(str(G.nodes[w].get("name") or w) for w in common[:3])
            assert reason(r).startswith(f"{len(common)} shared partner") and named in reason(r)


@pytest.mark.parametrize("G", GRAPHS, ids=lambda G: f"{G.number_of_nodes()}n{G.number_of_edges()}m")
def test_recommendations_on_the_network_equal_networkx(G):
    N = Network.from_networkx(G)
    for kwargs in ({"top": 1}, {"top": 12}, {"source_category": "university", "target_category": "startup"}):
        check_recommendations(G, N, **kwargs)
    for org in list(G)[:3]:
        check_recommendations(G, N, org=org, top=5)
    if G.number_of_nodes() >= 2:
        with pytest.raises(UnknownOrganisation, match="nobody"):
            recommend(N, org="nobody")


def test_recommendations_on_the_demo_equal_networkx(demo):
    N, G = demo
    for kwargs in ({"top": 30}, {"source_category": "university", "target_category": "startup", "top": 5}):
        check_recommendations(G, N, **kwargs)
    for org in N.ids[:300:60]:
        check_recommendations(G, N, org=org, top=8)


# -- resilience ----------------------------------------------------------------------------


def reference_attack(G: nx.Graph, fractions, ranking, runs: int, seed: int) -> list[tuple]:
    """The removal curve with networkx: the same order, the same random orders."""
    nodes = list(G)
    n = len(nodes)
    order = sorted(range(n), key=lambda i: (-ranking.get(nodes[i], 0.0), -G.degree(nodes[i]), i))
    rng = random.Random(seed)
    orders = [rng.sample(range(n), n) for _ in range(runs)]

    def largest(removed) -> int:
        H = G.subgraph(set(nodes) - {nodes[i] for i in removed})
        return max((len(c) for c in nx.connected_components(H)), default=0)

    out = []
    for c in sorted({min(n, max(0, round(f * n))) for f in fractions}) if n else ():
        out += [c, largest(order[:c]), sum(largest(o[:c]) for o in orders) / runs]
    return out


@pytest.mark.parametrize("G", GRAPHS, ids=lambda G: f"{G.number_of_nodes()}n{G.number_of_edges()}m")
def test_removal_curves_on_the_network_equal_networkx(G):
    N = Network.from_networkx(G)
    fractions = (0.0, 0.1, 0.3, 1.0)
    ranking = centrality(G, "betweenness", backend="networkx").values if len(G) else {}
    rows = attack_curve(N, fractions=fractions, runs=3, seed=2)
    assert rows == attack_curve(G, fractions=fractions, runs=3, seed=2)
    got = [x for r in rows for x in (r["removed"], r["targeted"], r["random"])]
    assert got == pytest.approx(reference_attack(G, fractions, ranking, 3, 2))


def test_removal_curve_on_the_demo_equals_networkx(demo):
    N, G = demo
    ranking = centrality(N, "betweenness")
    fractions = (0.0, 0.01, 0.05, 0.2)
    rows = attack_curve(N, ranking=ranking, fractions=fractions, runs=2, seed=1)
    got = [x for r in rows for x in (r["removed"], r["targeted"], r["random"])]
    assert got == pytest.approx(reference_attack(G, fractions, ranking.values, 2, 1))
    assert rows[1]["removed_ids"] == [r["id"] for r in sorted_by(ranking.values, G)[:10]]


def sorted_by(values, G):
    nodes = list(G)
    at = sorted(range(len(nodes)), key=lambda i: (-values[nodes[i]], -G.degree(nodes[i]), i))
    return [{"id": nodes[i]} for i in at]


# -- ego networks --------------------------------------------------------------------------


def reference_ego(G: nx.Graph, org, radius: int) -> list[dict]:
    """The ego network by networkx's breadth-first search (partners in the graph's order)."""
    distance = nx.single_source_shortest_path_length(G, org, cutoff=radius)
    via = {}
    for partner in G[org]:
        for far in G[partner]:
            if distance.get(far) == 2 and far not in via:
                via[far] = partner
    rows = []
    for node, steps in distance.items():
        data = G.nodes[node]
        tie = G.edges[org, node] if steps == 1 else {}
        rows.append(
            {
                "id": node,
                "name": str(data.get("name") or node),
                "category": data.get("category"),
                "kind": data.get("kind"),
                "province": data.get("province"),
                "distance": steps,
                "via": via.get(node),
                "weight": tie.get("weight"),
                "kinds": tie.get("kinds"),
            }
        )
    rows.sort(key=lambda r: (r["distance"], -(r["weight"] or 0), str(r["name"])))
    return rows


def in_node_order(G: nx.Graph) -> nx.Graph:
    """*G* with each node's partners listed in node order (as a store's graph lists them)."""
    H = nx.Graph(G.graph)
    H.add_nodes_from(G.nodes(data=True))
    position = {v: i for i, v in enumerate(G)}
    H.add_edges_from(sorted(G.edges(data=True), key=lambda e: sorted((position[e[0]], position[e[1]]))))
    return H


@pytest.mark.parametrize("G", GRAPHS[1:], ids=lambda G: f"{G.number_of_nodes()}n{G.number_of_edges()}m")
def test_ego_networks_on_the_network_equal_networkx(G):
    G = in_node_order(G)
    N = Network.from_networkx(G)
    for org, radius in itertools.product(list(G)[:6], (1, 2, 3)):
        assert ego_network(N, org, radius=radius) == reference_ego(G, org, radius)
        assert ego_network(G, org, radius=radius) == reference_ego(G, org, radius)
    with pytest.raises(UnknownOrganisation, match="nobody"):
        ego_network(N, "nobody")


def test_ego_networks_on_the_demo_equal_networkx(demo):
    N, G = demo
    for org in N.ids[::150]:
        for radius in (1, 2):
            assert ego_network(N, org, radius=radius) == reference_ego(G, org, radius)


# -- triangles and Burt's measures ---------------------------------------------------------


def weighted(G: nx.Graph, seed: int = 0) -> nx.Graph:
    """*G* with weights from 0.5 to 3."""
    rng = random.Random(seed)
    H = nx.Graph(G)
    for a, b in H.edges():
        H[a][b]["weight"] = rng.choice((0.5, 1.0, 2.0, 3.0))
    return H


@pytest.mark.parametrize("G", GRAPHS, ids=lambda G: f"{G.number_of_nodes()}n{G.number_of_edges()}m")
def test_triangles_are_listed_once_each(G):
    found = Network.from_networkx(G).triangles
    ids = list(G)
    triples = {frozenset(ids[i] for i in row) for row in found.tolist()}
    assert len(triples) == len(found) and all(len(t) == 3 for t in triples)
    assert len(found) == sum(nx.triangles(nx.Graph(G)).values()) // 3
    assert all(G.has_edge(a, b) for t in triples for a, b in itertools.combinations(t, 2))


@pytest.mark.parametrize("G", [*GRAPHS[1:], *(weighted(G, i) for i, G in enumerate(GRAPHS[1:]))])
@pytest.mark.parametrize("weight", [None, "weight"])
def test_burts_measures_from_triangles_equal_networkx(G, weight):
    G = nx.Graph(G)
    G.remove_edges_from(
        list(nx.selfloop_edges(G))
    )  # networkx counts one as a contact; a tie to itself is none
    ours = structural_holes(Network.from_networkx(G), weight=weight)
    for measure in ("constraint", "effective_size", "efficiency", "hierarchy"):
        reference = centrality(G, measure, weight=weight, backend="networkx")
        for v in G:
            assert ours[v][measure] == pytest.approx(reference.values[v], nan_ok=True), (measure, v)


def test_triangles_on_the_demo_equal_networkx(demo):
    N, G = demo
    assert len(N.triangles) == sum(nx.triangles(G).values()) // 3


# -- the report ----------------------------------------------------------------------------


@pytest.mark.parametrize("G", GRAPHS, ids=lambda G: f"{G.number_of_nodes()}n{G.number_of_edges()}m")
def test_the_summary_equals_networkx(G):
    s = network_summary(Network.from_networkx(G))
    comps = [len(c) for c in nx.connected_components(G)]
    n = G.number_of_nodes()
    assert (s["organisations"], s["ties"], s["components"]) == (n, G.number_of_edges(), len(comps))
    assert s["largest_component"] == max(comps, default=0)
    assert s["isolates"] == sum(1 for c in comps if c == 1)
    assert s["density"] == pytest.approx(nx.density(G) if n > 1 else 0.0)
    assert sum(s["by_category"].values()) == n


def test_the_report_builds_no_networkx_graph_for_its_array_families(demo, monkeypatch):
    N, G = demo
    sections = ("brokers", "missing_links", "resilience")
    from_graph = weak_link_report(G, sections=sections, top=4)

    def refuse(self):
        raise AssertionError("a networkx graph was built")

    monkeypatch.setattr(Network, "to_networkx", refuse)
    monkeypatch.setattr(Arcs, "to_networkx", refuse)
    from_network = weak_link_report(network=N, sections=sections, top=4)
    assert from_network == from_graph
    assert [s["key"] for s in from_network["sections"]] == list(sections)
    assert from_network["summary"]["organisations"] == G.number_of_nodes()


@pytest.mark.parametrize("G", GRAPHS, ids=lambda G: f"{G.number_of_nodes()}n{G.number_of_edges()}m")
def test_each_tie_both_ways_equals_networkx_arcs(G):
    D, reference = Network.from_networkx(G).both_ways(), Arcs.from_networkx(G)
    assert D.ids == reference.ids and D.column("name") == reference.column("name")
    arcs = sorted(zip(D.a.tolist(), D.b.tolist(), strict=True))
    assert arcs == sorted(zip(reference.a.tolist(), reference.b.tolist(), strict=True))


def test_the_report_needs_a_graph_or_a_network():
    with pytest.raises(UsageError, match="needs a graph or a network"):
        weak_link_report()
