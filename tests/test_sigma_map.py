"""The map of many organisations: its grouped layout (ecograph.map_layout) and its WebGL page
(ecograph.sigma_map): offline, escaped, deterministic, the planted weak links drawn as such."""

from __future__ import annotations

import base64
import json
import math
import re
from itertools import pairwise

import networkx as nx
import numpy as np
import pytest

from ecograph import synthetic
from ecograph.analysis import articulation_cuts, louvain
from ecograph.map_layout import POOLED, grouped_layout
from ecograph.sigma_map import map_html
from ecograph.snapshot import build_snapshot, undirected

XSS = "<img src=x onerror=alert(1)>"
CLOSE = "</script><script>alert(2)</script>"


def _data(page: str) -> dict:
    match = re.search(r'<script type="application/json" id="ecograph-data">(.*?)</script>', page, re.DOTALL)
    assert match, "no data in the page"
    return json.loads(match.group(1))


def _ints(value: list) -> list[int]:
    """The integers of sigma_map.packed, as the page reads them."""
    width, text = value
    return np.frombuffer(base64.b64decode(text), dtype="<" + width).tolist()


def _rows(value: dict) -> list[list[int]]:
    start, items = _ints(value["start"]), _ints(value["items"])
    return [items[a:b] for a, b in pairwise(start)]


@pytest.fixture(scope="module")
def demo():
    """The 1,500-organisation demo ecosystem (the default of ecograph demo) and its truth."""
    made = synthetic.generate(orgs=1500, seed=1)
    G = undirected(build_snapshot(made.organizations, made.collaborations, "VN"))
    return G, made.truth


def _discs_apart(layout) -> bool:
    groups = layout.groups
    return all(
        math.hypot(a.x - b.x, a.y - b.y) >= a.radius + b.radius
        for i, a in enumerate(groups)
        for b in groups[i + 1 :]
    )


def test_groups_are_laid_out_in_discs_that_never_overlap(demo) -> None:
    G, _ = demo
    membership = louvain(G).membership
    layout = grouped_layout(G, {v: f"c{membership[v]}" for v in G})
    assert set(layout.positions) == set(G)
    assert _discs_apart(layout)
    for v, (x, y) in layout.positions.items():  # every organisation inside its group's disc
        g = layout.groups[layout.group_of[v]]
        assert math.hypot(x - g.x, y - g.y) <= g.radius + 0.5
    again = grouped_layout(G, {v: f"c{membership[v]}" for v in G})
    assert again.positions == layout.positions  # deterministic


def test_small_groups_are_pooled_and_bundles_count_the_ties_between_groups() -> None:
    G = nx.disjoint_union(nx.complete_graph(6), nx.complete_graph(6))
    G.add_edges_from([(0, 6), (1, 6)])
    G.add_node("lonely")
    groups = {v: ("a" if isinstance(v, int) and v < 6 else "b") for v in G}
    groups["lonely"] = "alone"
    layout = grouped_layout(G, groups)
    assert [g.label for g in layout.groups] == ["a", "b", POOLED]
    assert [(b.a, b.b, b.ties) for b in layout.bundles] == [(0, 1, 2)]
    (bundle,) = layout.bundles
    a = layout.groups[0]
    assert math.isclose(math.hypot(bundle.at_a[0] - a.x, bundle.at_a[1] - a.y), a.radius, rel_tol=0.01)


@pytest.fixture
def hostile() -> nx.Graph:
    G = nx.Graph()
    G.add_node("x", name=XSS, category="startup", kind="startup", province="Hà Nội", sectors=("ai",))
    G.add_node("y", name=CLOSE, category="university", kind="university")
    G.add_node("z", name='R&D "Lab"', category="company", kind="company", country="DE")
    G.add_edge("x", "y", ties=2)
    G.add_edge("y", "z")
    return G


def test_page_is_self_contained_and_names_cannot_break_out(hostile) -> None:
    page = map_html(hostile, grouped_layout(hostile, dict.fromkeys(hostile, "g"), min_group=1))
    assert XSS not in page and CLOSE not in page
    assert re.findall(r"<(?:script|link|img|iframe)\b[^>]*\b(?:src|href)\s*=", page, re.IGNORECASE) == []
    assert "https://" not in page.replace("http://www.w3.org/2000/svg", "")
    assert page.count("</script>") == 4  # libraries, data, settings, page: none closed by a name
    data = _data(page)
    assert data["name"] == [XSS, CLOSE, 'R&D "Lab"']  # as written: drawn as text
    assert [data["facts"][k] for k in _rows(data["tips"])[0]] == ["startup", "Hà Nội", "sectors: ai"]
    assert "innerHTML" not in page and "insertAdjacentHTML" not in page  # text only


def test_ties_between_groups_fan_into_junctions(hostile) -> None:
    layout = grouped_layout(hostile, {"x": "a", "y": "a", "z": "b"}, min_group=1)
    data = _data(map_html(hostile, layout))
    assert _ints(data["inner"]) == [0, 1] and _rows(data["cross"]) == [[], [2], [1]]
    # y (index 1) meets a's junction (0), z (index 2) meets b's (1); one trunk between them.
    assert data["fans"] == [[1], [2]] and len(data["bundles"]) == 1
    assert data["ties"] == 2  # pairs of organisations with a tie, as the caption counts them


def test_the_planted_weak_links_are_marked_and_drawn_apart(demo) -> None:
    """The default map of the demo: the university a province hangs on, and the gatekeeper
    of one country's partners, are the marked cut points, and what each cuts off is a
    group of its own whose only line to the rest starts at that organisation."""
    from ecograph.explorer import maps

    G, truth = demo
    membership = louvain(G).membership
    original = maps.state.partition
    maps.state.partition = lambda ctx, key: {"membership": membership}
    try:
        groups, cuts, _ = maps._groups(None, None, G, "community")
    finally:
        maps.state.partition = original
    marked = [v for v, _ in cuts]
    university, gatekeeper = truth["articulation_university"], truth["gatekeeper"]
    assert {university["id"], gatekeeper["id"]} <= set(marked[:2])
    layout = grouped_layout(G, groups)
    for point, cut_off in (
        (university["id"], university["cut_off"]),
        (gatekeeper["id"], gatekeeper["foreign_partners"]),
    ):
        group = {layout.group_of[v] for v in cut_off}
        assert len(group) == 1, "what it cuts off is one group"
        (g,) = group
        assert layout.groups[g].label.startswith("Cut off without ")
        assert layout.group_of[point] != g
        outside = {w for v in cut_off for w in G[v] if layout.group_of[w] != g}
        assert outside == {point}, "its only tie to the rest is that organisation"
    data = _data(map_html(G, layout, cut_points=cuts))
    index = {v: i for i, v in enumerate(G)}
    assert [c[0] for c in data["cuts"][:2]] == [index[v] for v in marked[:2]]


def test_cut_points_found_as_the_analysis_finds_them(demo) -> None:
    from ecograph.explorer.maps import _cut_off

    G, truth = demo
    (top, *_) = articulation_cuts(G, min_size=5, attrs=())
    assert len(_cut_off(G, top["id"], top["cut_off"])) == top["cut_off"]
    point = truth["articulation_university"]["id"]
    assert _cut_off(G, point, len(truth["articulation_university"]["cut_off"])) == set(
        truth["articulation_university"]["cut_off"]
    )
