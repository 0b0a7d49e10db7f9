"""The big network map in AppTest: drawn with WebGL above a few hundred organisations, its view
kept in the page's URL, and every query parameter taken as hostile text."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import networkx as nx
import pytest
from app_support import clean_env, iframes, map_url, open_map_filters, open_page, texts, tieless_url
from browser_support import XSS_NAME

import ecograph
from ecograph.columns import GraphColumns, edge_table
from ecograph.explorer import maps, state, ui
from ecograph.model import CATEGORIES
from ecograph.period import Period, period_filter, projection
from ecograph.sigma_map import bundle_path
from ecograph.snapshot import undirected


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> str:
    return map_url(tmp_path_factory)


def _drawn(at) -> dict:
    (page,) = iframes(at)
    match = re.search(r'<script type="application/json" id="ecograph-data">(.*?)</script>', page, re.DOTALL)
    assert match, "not the WebGL map"
    return json.loads(match.group(1))


def _caption(at) -> str:
    return next(c for c in texts(at, "caption") if c.startswith("Showing"))


def test_above_a_few_hundred_organisations_the_map_is_webgl(big: str, monkeypatch) -> None:
    at = open_page("network", big, monkeypatch)
    assert "Showing 402 organisations" in _caption(at) and "grouped by community" in _caption(at)
    data = _drawn(at)
    assert len(data["ids"]) == 402 and "test-xss" in data["ids"]
    assert XSS_NAME in data["name"]  # as text in the JSON, escaped for the script element
    assert XSS_NAME not in iframes(at)[0]
    assert dict(at.query_params) == {}  # the default view needs no parameter
    # The filters' widgets are made only once they are opened: the map comes first.
    assert not at.radio and not at.multiselect and not at.slider
    assert open_map_filters(at).radio(key="map_group_by").value == "community"
    assert _drawn(at) == data  # the same view


def test_the_webgl_page_is_served_by_url_with_the_bundle_beside_it(big: str, monkeypatch) -> None:
    at = open_page("network", big, monkeypatch)
    (frame,) = at.get("iframe")
    assert not frame.proto.srcdoc and frame.proto.src.startswith("/component/")
    page = maps.served_page(frame.proto.src)
    assert page and '<script src="sigma.min.js"></script>' in page
    folder = Path(maps._pages()[0])
    assert (folder / "sigma.min.js").read_bytes() == bundle_path().read_bytes()
    # Only the pages in that folder: no other path is ever read.
    base = frame.proto.src.rsplit("/", 1)[0]
    for hostile in (f"{base}/../../etc/passwd", f"{base}/sigma.min.js", "/etc/hosts", f"{base}/x/y.html"):
        assert maps.served_page(hostile) is None


def test_served_pages_keep_the_most_recently_shown(monkeypatch) -> None:
    monkeypatch.setattr(maps, "PAGES_KEPT", 2)
    first, second = maps.serve("<p>one</p>"), maps.serve("<p>two</p>")
    third = maps.serve("<p>three</p>")
    assert maps.served_page(first) is None  # the least recently shown went
    assert maps.served_page(second) == "<p>two</p>" and maps.served_page(third) == "<p>three</p>"
    assert maps.serve("<p>one</p>") == first and maps.served_page(first) == "<p>one</p>"  # back


def test_the_view_round_trips_through_the_url(big: str, monkeypatch) -> None:
    at = open_map_filters(open_page("network", big, monkeypatch))
    low, high = at.slider(key="map_years").value
    at.multiselect(key="map_tie_kind").set_value(["research", "mou"])
    at.slider(key="map_years").set_value((low + 1, high))
    at.selectbox(key="map_colour").set_value("kind")
    at.radio(key="map_group_by").set_value("province").run()
    params = {k: at.query_params[k] for k in at.query_params}
    assert set(params) == {"tie_kind", "years", "colour", "group"}
    assert params["years"] == f"{low + 1}-{high}" and params["group"] == "province"
    caption, data = _caption(at), _drawn(at)
    assert "grouped by province" in caption
    # A planner opens the link: the same filters, colour and grouping, the same map.
    again = open_page(
        "network",
        big,
        monkeypatch,
        query={
            "tie_kind": ["research", "mou"],
            "years": f"{low + 1}-{high}",
            "colour": "kind",
            "group": "province",
        },
    )
    caption_closed, data_closed = _caption(again), _drawn(again)  # the URL's view, filters closed
    open_map_filters(again)
    assert again.multiselect(key="map_tie_kind").value == ["research", "mou"]
    assert again.slider(key="map_years").value == (low + 1, high)
    assert again.selectbox(key="map_colour").value == "kind"
    assert again.radio(key="map_group_by").value == "province"
    assert _caption(again) == caption == caption_closed and _drawn(again) == data == data_closed


def test_the_years_filter_is_the_period_rule_of_the_analyses(big: str, monkeypatch) -> None:
    """A tie counts in the years it was active (start to end), an organisation from its
    founding: the map of 2021–2022 is the graph every analysis of that period reads."""
    low, high = open_map_filters(open_page("network", big, monkeypatch)).slider(key="map_years").value
    period = Period(low + 1, high - 1)
    at = open_page("network", big, monkeypatch, query={"years": f"{period.first}-{period.last}"})
    store = ecograph.open_store(big)
    try:
        expected = projection(store.snapshot(), period)
    finally:
        store.close()
    # Ties that began before the period and still ran in it are on the map.
    assert any(d["first_year"] < period.first for *_, d in expected.edges(data=True))
    shown = f"Showing {expected.number_of_nodes():,} organisations and {expected.number_of_edges():,} ties"
    assert _caption(at).startswith(shown)
    assert sorted(_drawn(at)["ids"]) == sorted(expected)


@pytest.mark.parametrize(
    "query",
    [
        {"category": "<script>alert(1)</script>", "colour": "*bold*", "size": "[x](javascript:alert(1))"},
        {"years": "0000-9999", "group": "`code`", "org": XSS_NAME, "isolated": "<b>1</b>"},
        {"years": "2020-2018", "province": "Hà Nội\u202e", "tie_kind": "mou'); DROP TABLE"},
    ],
)
def test_hostile_query_parameters_are_ignored(big: str, monkeypatch, query: dict) -> None:
    at = open_page("network", big, monkeypatch, query=query)
    assert "Showing 402 organisations" in _caption(at)  # no filter applied
    shown = " ".join(texts(at, "markdown") + texts(at, "caption") + texts(at, "info"))
    for value in query.values():
        assert value not in shown
    assert "org" not in at.query_params  # not an organisation of the store: dropped from the URL


def test_selected_organisation_stays_in_the_url_and_links_its_profile(big: str, monkeypatch) -> None:
    at = open_page("network", big, monkeypatch, query={"org": "test-xss"})
    assert at.query_params["org"] == "test-xss"
    links = [link for link in at.get("page_link") if "org=test-xss" in link.proto.query_string]
    assert links and links[0].proto.label.endswith(ui.md(XSS_NAME))  # Markdown-escaped: shown as text


def _reference(ctx, view: maps.MapView) -> nx.Graph:
    """The filtered view as the map made it from the networkx snapshot before it read the columns."""
    G = ctx.workspace().columns.to_snapshot()
    orgs, _ = ui.frames(ctx, ctx.key)
    picked = {"category": view.category, "kind": view.kind, "sector": view.sector, "province": view.province}
    keep = set(orgs.loc[ui.select_orgs(orgs, picked), "id"])
    edges = G.edges(keys=True, data=True)
    if view.years:
        t = edge_table(G)
        kept = period_filter(G, Period(*view.years), t)
        keep &= {v for v, founded in zip(t.nodes, kept.nodes.tolist(), strict=True) if founded}
        edges = [e for e, active in zip(edges, kept.edges.tolist(), strict=True) if active]
    M = nx.MultiDiGraph(**G.graph)
    M.add_nodes_from((v, G.nodes[v]) for v in G if v in keep)
    for u, v, k, d in edges:
        if u in keep and v in keep and (not view.tie_kind or d.get("kind") in view.tie_kind):
            M.add_edge(u, v, key=k, **d)
    H = undirected(M)
    if view.hide_isolated:
        H.remove_nodes_from([v for v, deg in H.degree() if deg == 0])
    return H


def _plain(value):
    """nan as None (nan is not equal to itself), collections as sorted lists."""
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, set | frozenset | tuple | list):
        return sorted(map(str, value))
    return value


@pytest.mark.parametrize(
    "filters",
    [
        {"category": ("university", "startup")},
        {"province": ("Hà Nội", "TP. Hồ Chí Minh"), "tie_kind": ("research", "mou")},
        {"sector": ("ai",), "hide_isolated": True},
        {"years": "middle"},
        {"years": "middle", "tie_kind": ("research", "mou"), "kind": ("university", "company")},
        {"years": "middle", "tie_kind": ("research", "mou"), "hide_isolated": True},
    ],
)
def test_filtered_views_come_from_the_columns_as_from_the_snapshot(
    big: str, monkeypatch, filters: dict
) -> None:
    clean_env(monkeypatch, big)
    ctx = state.context(big)
    if filters.get("years") == "middle":
        low, high = ui.choices(ctx, ctx.key)["years"]
        filters = {**filters, "years": (low + 1, high - 1)}
    view = maps.MapView(**filters)
    built: list[object] = []
    real = GraphColumns.to_snapshot
    with monkeypatch.context() as patch:
        patch.setattr(GraphColumns, "to_snapshot", lambda self: built.append(self) or real(self))
        patch.setattr(state.Context, "snapshot", property(lambda self: built.append(self)))
        H = maps._filtered(ctx, view)
    assert built == []  # no networkx snapshot, built or read
    expected = _reference(ctx, view)
    whole = ctx.graph
    assert H.number_of_nodes() and (H.number_of_nodes(), H.number_of_edges()) < (402, whole.number_of_edges())
    assert list(H.nodes) == list(expected.nodes)
    for v, d in expected.nodes(data=True):
        assert {k: _plain(x) for k, x in H.nodes[v].items()} == {k: _plain(x) for k, x in d.items()}, v
    assert {frozenset(e) for e in H.edges} == {frozenset(e) for e in expected.edges}
    for u, v, d in expected.edges(data=True):
        assert {k: _plain(x) for k, x in H[u][v].items()} == {k: _plain(x) for k, x in d.items()}, (u, v)


@pytest.mark.parametrize("which", ["big", "tieless"])
def test_the_filters_choices_come_from_the_columns_as_from_the_tables(
    big: str, tmp_path_factory: pytest.TempPathFactory, monkeypatch, which: str
) -> None:
    url = big if which == "big" else tieless_url(tmp_path_factory)
    clean_env(monkeypatch, url)
    ctx = state.context(url)
    made: list[object] = []
    ui.choices.clear()  # computed now, not read back from an earlier test
    with monkeypatch.context() as patch:
        patch.setattr(ui, "frames", lambda *a: made.append(a))
        offered = ui.choices(ctx, ctx.key)
    assert made == []  # the map's first view needs the choices, not the tables
    orgs, ties = ui.frames(ctx, ctx.key)
    years = ties["year"].dropna()
    assert offered == {  # what the tables offered
        "category": [c for c in CATEGORIES if c in set(orgs["category"].dropna())],
        "kind": sorted(orgs["kind"].dropna().unique()),
        "sector": sorted({s for ss in orgs["sectors"] for s in ss}),
        "province": sorted(orgs["province"].dropna().unique()),
        "tie_kind": sorted(ties["kind"].dropna().unique()),
        "years": (int(years.min()), int(years.max())) if len(years) else None,
    }
    assert (offered["years"] is None) == (which == "tieless")
