"""The array versions of bridges, gaps, periphery and community profiles against networkx.

Each family is computed here a second way, plainly with networkx (brute force where that
is clearest: remove the bridge, remove the organisation, count the components), and the
two must give the same rows in the same order: on random small graphs (isolates, several
components, repeated names, list values, missing values), on edge cases, and on the
1,500-organisation demo.
"""

import math
from collections import Counter, defaultdict

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ecograph.analysis import (
    articulation_cuts,
    bridge_cuts,
    community_links,
    community_profiles,
    ei_index,
    group_gaps,
    local_bridges,
    louvain,
    periphery,
)
from ecograph.analysis._util import MAKEUP_ATTRS, describe, label, makeup, name_order, values_of
from ecograph.analysis.bridges import _search
from ecograph.model import FOREIGN_PARTNER
from ecograph.names import fold
from ecograph.projections import Network
from ecograph.workspace import Workspace

# -- networkx references ------------------------------------------------------------------


def text_order(name):
    """Names in order: without case or diacritics, then as written."""
    return fold(name), name


def _dfs(G):
    """Preorder, post-order and DFS parent of every node (networkx's own depth-first search)."""
    pre = {v: i for i, v in enumerate(nx.dfs_preorder_nodes(G))}
    post = {v: i for i, v in enumerate(nx.dfs_postorder_nodes(G))}
    return pre, post, nx.dfs_predecessors(G)


def ref_bridge_cuts(G, attrs=MAKEUP_ATTRS):
    pre, post, parent = _dfs(G)
    rows = []
    H = nx.Graph(G)
    for a, b in nx.bridges(G):
        child, near = (a, b) if parent.get(a) == b else (b, a)
        H.remove_edge(a, b)
        below, above = nx.node_connected_component(H, child), nx.node_connected_component(H, near)
        H.add_edge(a, b)
        if len(below) > len(above):
            child, near, below = near, child, above
        side = sorted(below, key=pre.get)
        row = {
            "u": near,
            "v": child,
            "u_name": label(G, near),
            "v_name": label(G, child),
            "cut_off": len(side),
            "component_size": len(nx.node_connected_component(G, a)),
            "makeup": makeup(G, side, attrs),
            "examples": [label(G, v) for v in side[:5]],
        }
        rows.append((post[a if parent.get(a) == b else b], row))
    rows = [row for _, row in sorted(rows, key=lambda r: r[0])]
    rows.sort(
        key=lambda r: (-r["cut_off"], -r["component_size"], text_order(r["u_name"]), text_order(r["v_name"]))
    )
    return rows


def ref_articulation_cuts(G, attrs=MAKEUP_ATTRS):
    pre, _, parent = _dfs(G)
    rows = []
    H = nx.Graph(G)
    for p in nx.articulation_points(G):
        comp = nx.node_connected_component(G, p)
        H.remove_node(p)
        parts = [sorted(c, key=pre.get) for c in nx.connected_components(H) if c <= comp]
        H.add_edges_from((p, w) for w in G[p])
        # Largest first; on a tie the part holding p's DFS parent, then in preorder.
        parts.sort(key=lambda c: (-len(c), parent.get(p) not in c, pre[c[0]]))
        cut = [v for part in parts[1:] for v in part]
        rows.append(
            {
                "id": p,
                "name": label(G, p),
                "category": G.nodes[p].get("category"),
                "province": G.nodes[p].get("province"),
                "parts": len(parts),
                "cut_off": len(cut),
                "largest_part": len(parts[0]),
                "component_size": len(comp),
                "makeup": makeup(G, cut, attrs),
                "examples": [label(G, v) for v in cut[:5]],
            }
        )
    rows.sort(key=lambda r: (-r["cut_off"], -r["component_size"], text_order(r["name"]), str(r["id"])))
    return rows


def ref_group_gaps(G, attr, across=None, weight=None, min_expected=1.0):
    degree = dict(G.degree(weight=weight))
    two_m = float(sum(degree.values()))
    if two_m == 0:
        return []

    def totals(a):
        out = Counter()
        for v in G:
            for g in values_of(G, v, a):
                out[g] += degree[v]
        return {g: out[g] for g in sorted(out, key=str)}

    mine = totals(attr)
    other = mine if across is None else totals(across)
    observed = Counter()
    rank = {g: i for i, g in enumerate(mine)}
    for u, v, w in G.edges(data=weight, default=1.0):
        w = 1.0 if weight is None else float(w)
        if across is None:
            keys = {
                (r, s) if rank[r] <= rank[s] else (s, r)
                for r in values_of(G, u, attr)
                for s in values_of(G, v, attr)
            }
        else:
            keys = {(r, s) for r in values_of(G, u, attr) for s in values_of(G, v, across)}
            keys |= {(r, s) for r in values_of(G, v, attr) for s in values_of(G, u, across)}
        for key in keys:
            observed[key] += w
    groups = list(mine)
    pairs = (
        [(r, s) for i, r in enumerate(groups) for s in groups[i:]]
        if across is None
        else [(r, s) for r in groups for s in other]
    )
    rows = []
    for r, s in pairs:
        expected = mine[r] * other[s] / (2 * two_m if across is None and r == s else two_m)
        if expected < min_expected or expected == 0:
            continue
        rows.append((r, s, float(observed[(r, s)]), expected))
    # Most under-connected (lowest z-score) first, then by the groups' names.
    return sorted(rows, key=lambda row: ((row[2] - row[3]) / row[3] ** 0.5, str(row[0]), str(row[1])))


def ref_ei_index(G, attr, weight=None):
    values = {v: set(values_of(G, v, attr)) for v in G}
    inside, outside = Counter(), Counter()
    for u, v, w in G.edges(data=weight, default=1.0):
        w = 1.0 if weight is None else float(w)
        for r in values[u] | values[v]:
            (inside if r in values[u] and r in values[v] else outside)[r] += w
    out = {}
    for r in sorted(set().union(*values.values()), key=str):
        i, e = float(inside[r]), float(outside[r])
        out[r] = {"internal": i, "external": e, "ei": (e - i) / (e + i) if e + i else None}
    return out


def ref_periphery(G, max_component=None):
    def row(v):
        return {**describe(G, v), "sectors": list(values_of(G, v, "sectors")), "partners": G.degree(v)}

    def lacking(category, has):
        found = [
            v
            for v, c in G.nodes(data="category")
            if c == category and not any(has(v, w) for w in G[v] if w != v)
        ]
        return [row(v) for v in sorted(found, key=lambda v: (-G.degree(v), *name_order(G, v)))]

    order = {v: i for i, v in enumerate(G)}
    comps = sorted(
        (sorted(c, key=order.get) for c in nx.connected_components(G)), key=lambda c: (-len(c), order[c[0]])
    )
    small = [
        {
            "size": len(c),
            "ties": G.subgraph(c).number_of_edges(),
            "members": c,
            "examples": [label(G, v) for v in c[:5]],
            "makeup": makeup(G, c),
        }
        for c in comps[1:]
        if len(c) >= 2 and (max_component is None or len(c) <= max_component)
    ]
    foreign = {v for v, c in G.nodes(data="category") if c == FOREIGN_PARTNER}

    def gatekeepers(by):
        members, gates, reached = defaultdict(list), defaultdict(Counter), defaultdict(set)
        for v, data in G.nodes(data=True):
            if by == "province" and v not in foreign and data.get("province"):
                members[data["province"]].append(v)
                for w in G[v]:
                    if w in foreign:
                        gates[data["province"]][v] += 1
                        reached[data["province"]].add(w)
            elif by == "country" and v in foreign and data.get("country"):
                members[data["country"]].append(v)
                reached[data["country"]].add(v)
                for w in G[v]:
                    if w not in foreign:
                        gates[data["country"]][w] += 1
        rows = [
            {
                "by": by,
                "group": g,
                "organisations": len(orgs),
                "foreign_partners": len(reached[g]),
                "gateways": [
                    {**describe(G, x), "foreign_ties": gates[g][x]}
                    for x in sorted(gates[g], key=lambda x: (-gates[g][x], *name_order(G, x)))
                ],
            }
            for g, orgs in members.items()
            if len(gates[g]) == 1 and len(orgs) >= 2
        ]
        return sorted(rows, key=lambda r: (-r["organisations"], str(r["group"])))

    kind = dict(G.nodes(data="kind"))
    return {
        "isolates": [row(v) for v in sorted(nx.isolates(G), key=lambda v: name_order(G, v))],
        "small_components": small,
        "startups_without_investor": lacking(
            "startup", lambda v, w: kind[w] == "investor" or "investment" in (G[v][w].get("kinds") or ())
        ),
        "universities_without_industry": lacking(
            "university", lambda v, w: kind[w] in ("company", "startup")
        ),
        "institutes_without_foreign_partner": lacking("research_institute", lambda v, w: w in foreign),
        "province_gatekeepers": gatekeepers("province"),
        "country_gatekeepers": gatekeepers("country"),
    }


def ref_community_profiles(G, partition, attrs=(*MAKEUP_ATTRS, "sectors"), top=5, min_size=2):
    member = partition.membership
    order = {v: i for i, v in enumerate(G)}
    inside, reach = Counter(), defaultdict(Counter)
    internal, external = Counter(), Counter()
    for u, v in G.edges():
        a, b = member[u], member[v]
        if a == b:
            internal[a] += 1
            inside[u] += 1
            inside[v] += 1
        else:
            external[a] += 1
            external[b] += 1
            reach[u][b] += 1
            reach[v][a] += 1
    rows = []
    for i, comm in enumerate(partition.communities):
        if len(comm) < min_size:
            continue
        ordered = sorted(comm, key=order.get)
        hubs = sorted(ordered, key=lambda v: -inside[v])[:top]
        linkers = sorted((v for v in ordered if reach[v]), key=lambda v: -reach[v].total())[:top]
        rows.append(
            {
                "community": i,
                "size": len(comm),
                "internal_ties": internal[i],
                "external_ties": external[i],
                "makeup": makeup(G, ordered, attrs),
                "hubs": [{**describe(G, v), "inside_ties": inside[v]} for v in hubs],
                "linkers": [
                    {**describe(G, v), "outside_ties": reach[v].total(), "communities": sorted(reach[v])}
                    for v in linkers
                ],
            }
        )
    return rows


def ref_community_links(G, partition, max_ties=None, min_size=2, list_ties=5):
    member, comms = partition.membership, partition.communities
    between = defaultdict(list)
    for u, v in G.edges():
        a, b = member[u], member[v]
        if a != b:
            between[min(a, b), max(a, b)].append((u, v) if a < b else (v, u))
    rows = []
    for (a, b), ties in between.items():
        if (
            len(comms[a]) < min_size
            or len(comms[b]) < min_size
            or (max_ties is not None and len(ties) > max_ties)
        ):
            continue
        holders = Counter(x for tie in ties for x in tie)
        ranked = sorted(holders, key=lambda x: (-holders[x], *name_order(G, x)))[:10]
        rows.append(
            {
                "community_a": a,
                "community_b": b,
                "size_a": len(comms[a]),
                "size_b": len(comms[b]),
                "ties": len(ties),
                "holders": [{"id": x, "name": label(G, x), "ties": holders[x]} for x in ranked],
                "tie_list": [{"u": u, "v": v, "u_name": label(G, u), "v_name": label(G, v)} for u, v in ties]
                if len(ties) <= list_ties
                else [],
            }
        )
    rows.sort(key=lambda r: (r["ties"], -min(r["size_a"], r["size_b"]), r["community_a"], r["community_b"]))
    return rows


# -- the comparison -------------------------------------------------------------------------


def same(a, b):
    """Equal, with the same types all the way down (an int is not a float, a list not a tuple)."""
    if isinstance(a, dict):
        return isinstance(b, dict) and list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list | tuple):
        return type(a) is type(b) and len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-12)
    return type(a) is type(b) and a == b


def assert_same(a, b):
    assert same(a, b), (a, b)


def assert_families_equal_networkx(G, N=None):
    """Every ported function on *N* (default: *G* converted) equals the networkx reference on *G*."""

    def gaps(rows):
        return [(r["group_a"], r["group_b"], r["observed"], r["expected"]) for r in rows]

    N = N if N is not None else Network.from_networkx(G)
    for ours, reference in ((bridge_cuts, ref_bridge_cuts(G)), (articulation_cuts, ref_articulation_cuts(G))):
        assert_same(ours(N), reference)
        assert_same(ours(N, min_size=2), [r for r in reference if r["cut_off"] >= 2])
    assert_same(bridge_cuts(G), bridge_cuts(N))  # a networkx graph is converted: the same rows
    local = [(u, v) for u, v in nx.local_bridges(G, with_span=False) if u != v]
    assert_same(list(local_bridges(N, with_span=False)), local)
    # Given the ties, each is looked up on its own rather than through the triangles.
    assert_same(list(local_bridges(N, with_span=False, edges=G.edges())), local)
    for attr, across in (("category", None), ("sectors", None), ("sectors", "category"), ("province", None)):
        for weight in (None, "weight"):
            ours = group_gaps(N, attr, across=across, weight=weight, min_expected=0.5)
            assert_same(gaps(ours), ref_group_gaps(G, attr, across, weight, min_expected=0.5))
            assert {r["attr"] for r in ours} <= {attr if across is None else f"{attr}×{across}"}
    for attr in ("category", "sectors"):
        for weight in (None, "weight"):
            assert_same(ei_index(N, attr, weight=weight), ref_ei_index(G, attr, weight))
    assert_same(periphery(N), ref_periphery(G))
    assert_same(periphery(N, max_component=3), ref_periphery(G, max_component=3))
    partition = louvain(N)
    assert_same(community_profiles(N, partition), ref_community_profiles(G, partition))
    assert_same(
        community_profiles(N, partition, top=2, min_size=1),
        ref_community_profiles(G, partition, top=2, min_size=1),
    )
    assert_same(community_links(N, partition), ref_community_links(G, partition))
    assert_same(
        community_links(N, partition, max_ties=1, min_size=1, list_ties=1),
        ref_community_links(G, partition, max_ties=1, min_size=1, list_ties=1),
    )


NAMES = ["Alpha", "alpha", "Ánh", "Beta", None, ""]
CATEGORIES = ["startup", "university", "company", "research_institute", FOREIGN_PARTNER, None]
KINDS = ["investor", "startup", "company", "university", None]


@st.composite
def ecosystems(draw, max_nodes=16):
    """Small graphs with the attributes the families read; node order shuffled, partners
    added in ascending node order (as the store's projection has them)."""
    n = draw(st.integers(0, max_nodes))
    ids = draw(st.permutations(list(range(n))))
    G = nx.Graph()
    for v in ids:
        G.add_node(
            v,
            name=draw(st.sampled_from(NAMES)),
            category=draw(st.sampled_from(CATEGORIES)),
            kind=draw(st.sampled_from(KINDS)),
            province=draw(st.sampled_from(["Huế", "Hà Nội", None])),
            country=draw(st.sampled_from(["VN", "JP", "KR", None])),
            sectors=tuple(draw(st.lists(st.sampled_from(["agri", "ict", "bio"]), max_size=3))),
        )
    pairs = [(a, b) for a in range(n) for b in range(a + 1, n)]
    edges = draw(st.lists(st.sampled_from(pairs), max_size=2 * n, unique=True)) if pairs else []
    position = {v: i for i, v in enumerate(ids)}
    for a, b in sorted(edges, key=lambda e: sorted((position[e[0]], position[e[1]]))):
        G.add_edge(
            a,
            b,
            weight=draw(st.sampled_from([1.0, 0.5, 2.0])),
            kinds=tuple(draw(st.lists(st.sampled_from(["investment", "mou"]), max_size=2, unique=True))),
        )
    return G


@settings(max_examples=80, deadline=None)
@given(ecosystems())
def test_families_equal_networkx_on_random_ecosystems(G):
    assert_families_equal_networkx(G)


@settings(max_examples=60, deadline=None)
@given(ecosystems())
def test_the_search_order_is_networkx_depth_first_order_with_or_without_ladders(G):
    N = Network.from_networkx(G)
    roots = np.unique(N.components[1], return_index=True)[1]
    preorder = [N.index[v] for v in nx.dfs_preorder_nodes(G)]
    parents = nx.dfs_predecessors(G)
    for ladder in (0, 1, 2, 64):
        order, parent = _search(N.adjacency(), roots, ladder)
        assert order.tolist() == preorder
        assert parent.tolist() == [N.index[parents[v]] if v in parents else -1 for v in N.ids]


def test_a_hub_is_searched_through_its_ladder():
    # A hub of 300 partners and two more components; laddered from 64 partners on.
    G = nx.Graph()
    G.add_edges_from((0, w) for w in range(1, 301))
    G.add_edges_from([(5, 6), (301, 302), (303, 304), (304, 305)])
    N = Network.from_networkx(G)
    roots = np.unique(N.components[1], return_index=True)[1]
    assert roots.tolist() == [0, 301, 303]
    order, parent = _search(N.adjacency(), roots)
    assert order.tolist() == [N.index[v] for v in nx.dfs_preorder_nodes(G)]
    assert parent[N.index[6]] == N.index[5] and parent[N.index[300]] == 0 and parent[N.index[303]] == -1
    assert_families_equal_networkx(G, N)


@pytest.mark.parametrize(
    "G",
    [
        nx.Graph(),
        nx.empty_graph(4),
        nx.barbell_graph(4, 2),
        nx.disjoint_union_all([nx.path_graph(5), nx.star_graph(3), nx.cycle_graph(4), nx.empty_graph(2)]),
        nx.complete_graph(5),
    ],
    ids=["empty", "isolates", "barbell", "components", "clique"],
)
def test_families_equal_networkx_on_edge_cases(G):
    assert_families_equal_networkx(G)


def test_ties_of_the_same_pair_become_one_edge_and_give_the_same_rows():
    # The store's multigraph: two ties between a and b (no self-loop) are one weighted edge.
    M = nx.MultiDiGraph()
    M.add_nodes_from(
        (v, {"name": v.upper(), "category": c, "kind": c, "province": "Huế"})
        for v, c in (("a", "startup"), ("b", "investor"), ("c", "university"), ("d", "company"))
    )
    M.add_edge("a", "b", kind="investment", weight=1.0, year=2020)
    M.add_edge("b", "a", kind="mou", weight=2.0, year=2021)
    M.add_edge("b", "c", kind="mou", weight=1.0, year=2021)
    M.add_edge("c", "d", kind="mou", weight=1.0, year=2021)
    from ecograph.analysis._util import as_network

    N = as_network(M)
    G = N.to_networkx()
    assert G["a"]["b"]["weight"] == 3.0
    assert_families_equal_networkx(G, N)
    assert [(c["u"], c["v"]) for c in bridge_cuts(N)][-1] == ("c", "d")


@pytest.fixture(scope="module")
def demo_network(demo_store_url):
    with Workspace(demo_store_url, cache_dir=False) as ws:
        return ws.network


def test_families_equal_networkx_on_the_demo(demo_network):
    N = demo_network
    G = N.to_networkx()
    assert N.n == 1500 and len(bridge_cuts(N)) > 10 and articulation_cuts(N)
    assert_families_equal_networkx(G, N)
    some = list(local_bridges(N, with_span=False))[::50]
    spans = []
    for u, v in some:
        H = G.copy()
        H.remove_edge(u, v)
        spans.append((u, v, nx.shortest_path_length(H, u, v) if nx.has_path(H, u, v) else math.inf))
    assert list(local_bridges(N, edges=some)) == spans
    assert any(math.isinf(s) for *_, s in spans) and any(s < math.inf for *_, s in spans)
