"""Every explorer page in Streamlit's AppTest: on a demo store, an empty store, and with filters
that match nothing — each shows its own heading and no uncaught exception."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import pytest
from app_support import (
    PAGES,
    demo_url,
    empty_url,
    html_tables,
    iframes,
    open_map_filters,
    open_page,
    texts,
    tieless_url,
)
from browser_support import XSS_NAME

from ecograph import viz
from ecograph.explorer import maps

WRITES = {"ECOGRAPH_ALLOW_WRITES": "1"}


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> str:
    return demo_url(tmp_path_factory)


@pytest.fixture(scope="module")
def empty(tmp_path_factory: pytest.TempPathFactory) -> str:
    return empty_url(tmp_path_factory)


@pytest.fixture(scope="module")
def tieless(tmp_path_factory: pytest.TempPathFactory) -> str:
    return tieless_url(tmp_path_factory)


# -- demo store ------------------------------------------------------------------------------


@pytest.mark.parametrize("page", list(PAGES))
def test_page_on_demo_store(page: str, demo: str, monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_page(page, demo, monkeypatch, env=WRITES)
    assert [t.value for t in at.title] == [PAGES[page]]
    assert not at.error, texts(at, "error")


def test_overview_shows_counts_findings_and_freshness(demo: str, monkeypatch) -> None:
    at = open_page("overview", demo, monkeypatch)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Organisations"] == "152"
    assert metrics["Store version"] == "2"
    assert [h.value for h in at.header] == [
        "What the store holds",
        "Headline weak links",
        "Store and freshness",
    ]
    assert "Bridges and articulation points" in [s.value for s in at.subheader]
    links = [(link.proto.page, link.proto.query_string) for link in at.get("page_link")]
    families = ["bridges", "brokers", "gaps", "communities", "periphery", "resilience"]
    assert links == [("weak-links", f"family={f}") for f in families[:5]] + [
        ("recommendations", ""),
        ("weak-links", "family=resilience"),
    ]


def test_network_map_draws_every_organisation(demo: str, monkeypatch) -> None:
    at = open_page("network", demo, monkeypatch)
    assert any("Showing 152 organisations" in c for c in texts(at, "caption"))
    (page,) = iframes(at)
    assert "vis.Network" in page and "test-xss" in page
    assert "<img src=x" not in page  # the name reaches the page escaped


def test_profile_opens_from_query_param(demo: str, monkeypatch) -> None:
    at = open_page("profile", demo, monkeypatch, query={"org": "test-hust"})
    assert [h.value for h in at.header] == ["Đại học Bách khoa Hà Nội"]
    assert {
        "Its network",
        "Its collaborations",
        "Where it ranks",
        "Brokerage roles",
        "Recommended partners",
    } <= {s.value for s in at.subheader}
    # Short HTML tables, not data grids (whose script the browser would load on each visit).
    assert not at.dataframe
    ties, ranks, roles, partners = html_tables(at)
    assert set(ties["partner"]) >= {XSS_NAME}
    assert list(ranks["measure"])[:3] == ["degree", "strength", "betweenness"]
    assert len(roles) == 5 and len(partners) >= 1
    (ties_html,) = [h.proto.body for h in at.get("html") if "<th>partner</th>" in h.proto.body][:1]
    assert "&lt;img src=x onerror=alert(1)&gt;" in ties_html and "<img" not in ties_html


def test_small_drawings_are_served_by_url_and_load_vis_network_beside_them(demo: str, monkeypatch) -> None:
    # A profile's partners and what a bridge cuts off: vis-network (0.5 MB) is a file the
    # browser keeps between visits, not inlined in every drawing sent with the page.
    profile = open_page("profile", demo, monkeypatch, query={"org": "test-hust"})
    weak = open_page("weak_links", demo, monkeypatch)
    for at in (profile, weak):
        (frame,) = at.get("iframe")
        assert not frame.proto.srcdoc and frame.proto.src.startswith("/component/")
        page = maps.served_page(frame.proto.src)
        assert page and '<script src="vis-network.min.js"></script>' in page and "vis.Network" in page
        assert viz.vis_network_js()[:2000] not in page
    assert (Path(maps._pages()[0]) / maps.VIS_SCRIPT).read_text(encoding="utf-8") == viz.vis_network_js()
    # Outside the explorer (the CLI's exports), a drawing still needs nothing else.
    assert viz.vis_network_js()[:2000] in viz.network_html(nx.path_graph(3))


@pytest.mark.parametrize(
    "family", ["bridges", "brokers", "gaps", "communities", "periphery", "missing_links", "resilience"]
)
def test_weak_links_family(family: str, demo: str, monkeypatch) -> None:
    at = open_page("weak_links", demo, monkeypatch, query={"family": family})
    assert at.radio(key="weak_family").value == family
    assert len(at.header) == 1
    assert not at.error


# -- empty store -----------------------------------------------------------------------------


@pytest.mark.parametrize("page", list(PAGES))
def test_page_on_empty_store(page: str, empty: str, monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_page(page, empty, monkeypatch, env=WRITES)
    assert [t.value for t in at.title] == [PAGES[page]]
    if page == "load":
        assert at.file_uploader, "the Load data page works on an empty store"
    else:
        assert texts(at, "info") == ["This store holds no organisations yet."]
        assert any("ecograph demo --store" in c.value for c in at.code)
        assert [link.proto.page for link in at.get("page_link")] == ["load"]


def test_empty_store_without_writes_says_how_to_enable_them(empty: str, monkeypatch) -> None:
    at = open_page("overview", empty, monkeypatch)
    assert any("ECOGRAPH_ALLOW_WRITES=1" in c.value for c in at.code)
    assert not at.get("page_link")


# -- filters that match nothing ------------------------------------------------------------------


def test_overview_of_a_store_without_ties(tieless: str, monkeypatch) -> None:
    at = open_page("overview", tieless, monkeypatch)
    assert [t.value for t in at.title] == ["Overview"]
    assert "Nothing to report." in texts(at, "markdown")


@pytest.mark.parametrize(
    "family", ["bridges", "brokers", "gaps", "communities", "periphery", "missing_links", "resilience"]
)
def test_weak_links_of_a_store_without_ties(family: str, tieless: str, monkeypatch) -> None:
    at = open_page("weak_links", tieless, monkeypatch, query={"family": family})
    assert [t.value for t in at.title] == ["Weak links"]
    assert not at.error


def test_network_filters_matching_nothing(demo: str, monkeypatch) -> None:
    at = open_map_filters(open_page("network", demo, monkeypatch))
    at.multiselect(key="map_category").set_value(["foreign_partner"])
    at.multiselect(key="map_province").set_value(["Hà Nội"]).run()
    assert [t.value for t in at.title] == ["Network map"]
    assert texts(at, "warning") == [
        "No organisation matches these filters. Clear some of them to see the map."
    ]
    assert not iframes(at)


def test_profile_search_matching_nothing(demo: str, monkeypatch) -> None:
    at = open_page("profile", demo, monkeypatch)
    at.text_input(key="profile_search").input("zzzz no such organisation").run()
    assert [t.value for t in at.title] == ["Organisation profile"]
    assert texts(at, "warning") == ["No organisation's name, alias or id contains this text:"]
    assert texts(at, "text") == ["zzzz no such organisation"]


def test_profile_unknown_id(demo: str, monkeypatch) -> None:
    at = open_page("profile", demo, monkeypatch, query={"org": "no-such-id"})
    assert texts(at, "warning") == [
        "No organisation has the id this link gives; search for it by name instead."
    ]
    assert texts(at, "text") == ["no-such-id"]


def test_centrality_filters_matching_nothing(demo: str, monkeypatch) -> None:
    at = open_page("centrality", demo, monkeypatch)
    at.multiselect(key="centrality_category").set_value(["foreign_partner"])
    at.multiselect(key="centrality_province").set_value(["Hà Nội"]).run()
    assert [t.value for t in at.title] == ["Centrality"]
    assert texts(at, "warning") == ["No organisation matches these filters."]
    assert not at.dataframe


def test_recommendations_filters_matching_nothing(demo: str, monkeypatch) -> None:
    at = open_page("recommendations", demo, monkeypatch)
    at.selectbox(key="rec_source").set_value("foreign_partner")
    at.selectbox(key="rec_target").set_value("foreign_partner")
    at.multiselect(key="rec_province").set_value(["Hà Nội"]).run()
    assert [t.value for t in at.title] == ["Recommendations"]
    assert texts(at, "warning") == [
        "No partnership to recommend for this choice: widen the categories, sectors or provinces."
    ]


def test_query_returning_nothing(demo: str, monkeypatch) -> None:
    at = open_page("named_queries", demo, monkeypatch)
    at.selectbox(key="query_name").set_value("startups-without-investors").run()
    at.text_input(key="query_startups-without-investors_province").input("Nowhere")
    at.button[0].click().run()
    assert [t.value for t in at.title] == ["Queries"]
    assert texts(at, "info") == ["The query returned no rows."]
    assert texts(at, "markdown") == ["Startups that no investor is tied to, optionally in one province\\."]


def test_load_of_a_file_without_rows(empty: str, monkeypatch) -> None:
    at = open_page("load", empty, monkeypatch, env=WRITES)
    at.file_uploader[0].set_value(("orgs.csv", b"id,name,kind\n", "text/csv")).run()
    assert [t.value for t in at.title] == ["Load data"]
    assert [h.value for h in at.subheader] == ["Validation report"]
    assert at.button(key="load_confirm")


def test_profile_lists_every_source_merged_into_an_organisation(tmp_path, monkeypatch) -> None:
    from pathlib import Path

    from ecograph.ingest import load

    data = Path(__file__).parent / "data"
    url = f"sqlite:///{tmp_path / 'sources.db'}"
    for files in (
        [data / "ror" / "ror-data_schema_v2.json"],
        [data / "cordis" / "organization.csv", data / "cordis" / "project.csv"],
        [data / "openalex" / "institutions.jsonl", data / "openalex" / "works.jsonl"],
    ):
        load(files, url)
    at = open_page("profile", url, monkeypatch, query={"org": "ror:04kq4sq72"})
    assert [h.value for h in at.header] == ["Hanoi University of Science and Technology"]
    sources = next(m for m in texts(at, "markdown") if m.startswith("**Sources**")).replace("\\", "")
    for expected in (
        "cordis: 889354021",
        "openalex: https://openalex.org/I4210111001",
        "ror: https://ror.org/04kq4sq72",
    ):
        assert expected in sources
