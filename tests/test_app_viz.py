"""The network picture (ecograph.viz): offline, escaped, deterministic, fast enough."""

from __future__ import annotations

import json
import re

import networkx as nx
import pytest

from ecograph import viz

XSS = "<img src=x onerror=alert(1)>"
CLOSE = "</script><script>alert(2)</script>"


def _data(page: str, name: str) -> list[dict]:
    """The JSON given to ``new vis.DataSet(...)`` for ``nodes`` or ``edges``."""
    match = re.search(rf"{name} = new vis\.DataSet\((\[.*?\])\);\n", page, re.DOTALL)
    assert match, f"no {name} DataSet"
    return json.loads(match.group(1))


@pytest.fixture
def hostile() -> nx.Graph:
    G = nx.Graph()
    G.add_node("x", name=XSS, category="startup", kind="startup", province="Hà Nội", sectors=("ai",))
    G.add_node("y", name=CLOSE, category="university", kind="university")
    G.add_node("z", name='R&D "Lab" <a href="javascript:alert(3)">', category="company")
    G.add_edge("x", "y", ties=2, kinds=("mou", "research"), first_year=2020, last_year=2022)
    G.add_edge("y", "z", ties=1, kinds=("<b>other</b>",))
    return G


def test_page_is_self_contained(hostile: nx.Graph) -> None:
    page = viz.network_html(hostile)
    assert "new vis.Network" in page
    assert "data:image" not in page  # vis-network's button images: unused, 200 kB
    tags = re.findall(r"<(?:script|link|img|iframe)\b[^>]*\b(?:src|href)\s*=[^>]*>", page, re.IGNORECASE)
    assert tags == []  # vis-network inlined, pyvis's bootstrap links removed
    assert "cdn.jsdelivr.net" not in page and "cdnjs.cloudflare.com" not in page


def test_page_is_rendered_by_pyvis(hostile: nx.Graph, monkeypatch: pytest.MonkeyPatch) -> None:
    from pyvis.network import Network

    made: list[Network] = []
    render = Network.generate_html

    def spy(self: Network, *args: object, **kwargs: object) -> str:
        made.append(self)
        return render(self, *args, **kwargs)

    monkeypatch.setattr(Network, "generate_html", spy)
    page = viz.network_html(hostile)
    (net,) = made
    assert page == net.html and net.path == "network.html"  # our template, set on the network
    assert {n["id"] for n in net.nodes} == set(hostile)
    assert [(e["from"], e["to"]) for e in net.edges] == list(hostile.edges)
    assert not any("arrows" in e for e in net.edges)  # declared directed only to add edges fast
    assert _data(page, "nodes") == net.nodes


def test_names_cannot_break_out_of_the_script(hostile: nx.Graph) -> None:
    page = viz.network_html(hostile)
    assert XSS not in page and CLOSE not in page
    for v in hostile:
        hostile.nodes[v]["name"] = "plain"
    plain = viz.network_html(hostile)
    assert page.count("</script>") == plain.count("</script>")  # no script closed early
    labels = {n["id"]: n.get("label") for n in _data(page, "nodes")}
    assert labels["x"] == XSS  # drawn on the canvas as text, exactly as written
    assert labels["y"] == CLOSE


def test_tooltips_are_escaped_html(hostile: nx.Graph) -> None:
    nodes = {n["id"]: n for n in _data(viz.network_html(hostile), "nodes")}
    assert (
        nodes["x"]["tip"] == "<b>&lt;img src=x onerror=alert(1)&gt;</b><br>startup<br>Hà Nội<br>sectors: ai"
    )
    assert nodes["z"]["tip"].startswith(
        "<b>R&amp;D &quot;Lab&quot; &lt;a href=&quot;javascript:alert(3)&quot;&gt;</b>"
    )
    edges = _data(viz.network_html(hostile), "edges")
    assert edges[1]["tip"] == "&lt;b&gt;other&lt;/b&gt; · 1 tie"
    assert all("title" not in n for n in nodes.values())  # vis-network gets elements, built in the page
    # Colour groups are named g0, g1…: no organisation text becomes a key of the options object.
    assert {n["group"] for n in nodes.values()} == {"g0", "g1", "g2"}


def test_pyvis_innerhtml_popup_is_never_used(hostile: nx.Graph) -> None:
    # pyvis switches to a template that writes titles with innerHTML when one holds "href".
    page = viz.network_html(hostile)
    assert "popup.innerHTML" not in page
    assert "el.innerHTML = markup" in page  # only ours, fed with escaped text


def test_legend_lists_categories_in_view(hostile: nx.Graph) -> None:
    page = viz.network_html(hostile)
    legend = re.search(r'<div id="ecograph-legend">(.*?)</div></div>', page, re.DOTALL)
    assert legend and "research" not in legend.group(1)
    for word in ("company", "startup", "university"):
        assert word in legend.group(1)
    assert 'id="ecograph-legend"' not in viz.network_html(hostile, legend=False)


def test_physics_only_for_small_maps() -> None:
    small, large = nx.path_graph(50), nx.path_graph(viz.PHYSICS_MAX_NODES + 1)
    assert '"enabled": true, "solver"' in viz.network_html(small)
    assert '"enabled": false, "solver"' in viz.network_html(large)


def test_large_maps_label_only_the_largest_nodes() -> None:
    G = nx.star_graph(400)
    sizes = dict(G.degree())
    nodes = _data(viz.network_html(G, sizes=sizes, label_limit=5), "nodes")
    labelled = [n["id"] for n in nodes if "label" in n]
    assert len(labelled) == 5 and 0 in labelled


def test_large_maps_spread_their_labels() -> None:
    # A dense core of hubs: labelling the largest nodes in order would stack their names there.
    G = nx.barabasi_albert_graph(600, 3, seed=2)
    nx.set_node_attributes(G, {v: f"Organisation number {v}" for v in G}, "name")
    sizes = dict(G.degree())
    nodes = _data(viz.network_html(G, sizes=sizes, label_limit=20), "nodes")
    labelled = [n for n in nodes if "label" in n]
    biggest = max(sizes, key=sizes.get)
    assert 5 <= len(labelled) <= 20 and biggest in {n["id"] for n in labelled}
    assert len(labelled) < len([v for v in sizes if sizes[v] >= min(sizes[n["id"]] for n in labelled)])
    # Every node carries what the page needs to label it on zoom: its text and its rank.
    assert sorted(n["rank"] for n in nodes) == list(range(600))
    assert all(n["text"] == f"Organisation number {n['id']}" for n in nodes)


def test_page_writes_letters_as_they_are(hostile: nx.Graph) -> None:
    # Escaping every non-ASCII letter would make a Vietnamese page up to six times larger.
    page = viz.network_html(hostile)
    assert "Hà Nội" in page and "\\u00e0" not in page


def test_highlights_and_click_target(hostile: nx.Graph) -> None:
    page = viz.network_html(
        hostile, highlight_nodes=["x"], highlight_edges=[("y", "x")], click_url="profile?org={id}"
    )
    nodes = {n["id"]: n for n in _data(page, "nodes")}
    assert nodes["x"]["color"]["border"] == viz.HIGHLIGHT and "color" not in nodes["y"]  # y: its group's
    edges = _data(page, "edges")
    assert edges[0]["color"]["color"] == viz.HIGHLIGHT and "color" not in edges[1]
    assert '"clickUrl": "profile?org={id}"' in page


def test_layout_is_deterministic_and_keeps_parts_apart() -> None:
    G = nx.disjoint_union(nx.karate_club_graph(), nx.path_graph(3))
    G.add_node("lonely")
    first, again = viz.layout(G, seed=3), viz.layout(G, seed=3)
    assert first == again and set(first) == set(G)
    main_bottom = max(first[v][1] for v in range(34))
    assert all(first[v][1] > main_bottom for v in (34, 35, 36, "lonely"))  # small parts beneath


def test_aggregate_counts_members_and_ties() -> None:
    G = nx.barbell_graph(4, 0)
    nx.set_node_attributes(G, {v: "left" if v < 4 else "right" for v in G}, "side")
    A = viz.aggregate(G, "side")
    assert dict(A.nodes(data="count")) == {"left": 4, "right": 4}
    assert A.edges["left", "right"]["ties"] == 1
    page = viz.network_html(A, color_attr="name")
    sizes = {n["id"]: n["size"] for n in _data(page, "nodes")}
    assert sizes["left"] == sizes["right"] > 10


def test_cut_view_draws_the_cut_off_side() -> None:
    G = nx.barbell_graph(5, 0)
    G.add_edge(9, "tail")
    H, cut, shown = viz.cut_view(G, edge=(4, 5))
    assert cut == {0, 1, 2, 3, 4} and shown == cut  # the smaller side
    assert set(H) == {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}  # and the partners of the bridge's ends
    H, cut, shown = viz.cut_view(G, node=9)
    assert cut == {"tail"}
    H, cut, shown = viz.cut_view(nx.star_graph(500), node=0, limit=20)
    assert len(cut) == 499 and len(shown) == 19 and H.number_of_nodes() == 20


def test_two_thousand_nodes_render_quickly() -> None:
    import time

    G = nx.barabasi_albert_graph(2000, 2, seed=1)
    nx.set_node_attributes(G, {v: ["startup", "university", "company"][v % 3] for v in G}, "category")
    start = time.perf_counter()
    positions = viz.layout(G)
    page = viz.network_html(G, positions=positions, sizes=dict(G.degree()))
    elapsed = time.perf_counter() - start
    assert len(_data(page, "nodes")) == 2000
    assert elapsed < 10, f"layout and page took {elapsed:.1f} s"
