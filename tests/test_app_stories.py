"""What a planner does in the explorer, in AppTest: widgets change what the tables and the map show."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from app_support import (
    clean_env,
    demo_url,
    empty_url,
    html_tables,
    iframes,
    open_map_filters,
    open_map_table,
    open_page,
    texts,
)
from browser_support import XSS_NAME


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> str:
    return demo_url(tmp_path_factory)


def _column(at, name: str, index: int = 0) -> list:
    return list(at.dataframe[index].value[name])


def test_filter_by_province_changes_table(demo: str, monkeypatch) -> None:
    def matching(at) -> int:  # "… 152 organisations match." (the table shows the first 50)
        caption = next(c for c in texts(at, "caption") if "organisations match" in c)
        return int(caption.split(" organisations match")[0].split()[-1].replace(",", ""))

    at = open_page("centrality", demo, monkeypatch)
    everyone = matching(at)
    at.multiselect(key="centrality_province").set_value(["Hà Nội"]).run()
    only = at.dataframe[0].value
    assert set(only["province"]) == {"Hà Nội"}
    assert 0 < matching(at) < everyone


def test_centrality_measure_changes_ranking(demo: str, monkeypatch) -> None:
    at = open_page("centrality", demo, monkeypatch)
    assert "degree" in at.dataframe[0].value.columns
    at.selectbox(key="centrality_measure").set_value("constraint").run()
    frame = at.dataframe[0].value
    assert "constraint" in frame.columns
    assert list(frame["constraint"]) == sorted(frame["constraint"])  # brokers (lowest) first
    assert any("lowest first" in c for c in texts(at, "caption"))


def test_network_category_filter_changes_map(demo: str, monkeypatch) -> None:
    at = open_map_filters(open_page("network", demo, monkeypatch))
    before = iframes(at)[0]
    at.multiselect(key="map_category").set_value(["university", "startup"]).run()
    after = iframes(at)[0]
    assert after != before
    open_map_table(at)
    assert set(at.dataframe[0].value["category"]) == {"university", "startup"}
    caption = next(c for c in texts(at, "caption") if c.startswith("Showing"))
    assert "Showing 152 organisations" not in caption


def test_network_tie_kind_and_years_filter_ties(demo: str, monkeypatch) -> None:
    at = open_map_filters(open_page("network", demo, monkeypatch))
    at.multiselect(key="map_tie_kind").set_value(["investment"])
    at.checkbox(key="map_hide_isolated").check().run()
    caption = next(c for c in texts(at, "caption") if c.startswith("Showing"))
    open_map_table(at)
    investors = {"investor", "startup", "company", "foreign partner", "support organisation", "government"}
    assert set(at.dataframe[0].value["category"]) <= investors
    assert "Showing 152" not in caption


def test_network_above_the_cap_shows_groups(demo: str, monkeypatch) -> None:
    at = open_page("network", demo, monkeypatch, env={"ECOGRAPH_VISIBLE_NODE_CAP": "50"})
    (info,) = texts(at, "info")
    assert "more than the 50 the map draws one by one" in info and "community" in info
    assert not at.dataframe  # the groups' table is made only once its popover is opened
    open_map_table(at)
    communities = at.dataframe[0].value
    open_map_filters(at).radio(key="map_group_by").set_value("province").run()
    provinces = open_map_table(at).dataframe[0].value
    assert "Hà Nội" in set(provinces["group"])
    assert list(communities["group"]) != list(provinces["group"])
    assert "each circle is one province" in texts(at, "info")[0].lower()


def test_network_open_profile(demo: str, monkeypatch) -> None:
    at = open_map_table(open_page("network", demo, monkeypatch))
    at.selectbox(key="map_open").set_value("test-hust").run()
    at.button(key="map_open_button").click().run()
    assert [t.value for t in at.title] == ["Organisation profile"]
    assert [h.value for h in at.header] == ["Đại học Bách khoa Hà Nội"]


@pytest.mark.parametrize(
    "typed", ["dai hoc bach khoa ha noi", "DAI HOC BACH KHOA", "hust", "hanoi university of science"]
)
def test_profile_search_without_diacritics_or_by_alias(typed: str, demo: str, monkeypatch) -> None:
    at = open_page("profile", demo, monkeypatch)
    at.text_input(key="profile_search").input(typed).run()
    pick = at.selectbox(key="profile_pick")
    assert pick.value == "test-hust", pick.options  # the best match comes first
    assert [h.value for h in at.header] == ["Đại học Bách khoa Hà Nội"]
    assert at.query_params["org"] == "test-hust"


def test_profile_shows_markup_names_as_text(demo: str, monkeypatch) -> None:
    at = open_page("profile", demo, monkeypatch, query={"org": "test-xss"})
    (header,) = at.header
    # Markdown-escaped: Streamlit shows the characters, never an <img> element.
    assert header.value.replace("\\", "") == XSS_NAME
    assert header.value.startswith("\\<img src=x")
    html = iframes(at)[0]
    assert "<img src=x" not in html and "\\u0026lt;img src=x" in html


def test_profile_radius_two_reaches_further(demo: str, monkeypatch) -> None:
    at = open_page("profile", demo, monkeypatch, query={"org": "test-xss"})
    one = iframes(at)[0]
    at.radio(key="profile_radius").set_value(2).run()
    two = iframes(at)[0]
    assert two.count('"group": "g') > one.count('"group": "g')  # one per organisation drawn


def test_recommendations_for_a_category_pair(demo: str, monkeypatch) -> None:
    at = open_page("recommendations", demo, monkeypatch)
    at.selectbox(key="rec_source").set_value("university")
    at.selectbox(key="rec_target").set_value("startup").run()
    (frame,) = html_tables(at)  # an HTML table, not a data grid
    assert set(frame["category"]) == {"university"}
    assert set(frame["partner category"]) == {"startup"}
    assert frame["reason"].str.len().min() > 0
    assert list(frame["rank"][:2]) == ["1", "2"]
    at.multiselect(key="rec_province").set_value(["Hà Nội"]).run()
    assert len(html_tables(at)[0]) <= len(frame)


def test_named_query_form_runs_the_query(demo: str, monkeypatch) -> None:
    at = open_page("named_queries", demo, monkeypatch)
    at.selectbox(key="query_name").set_value("top-brokers").run()
    at.selectbox(key="query_top-brokers_category").set_value("university")
    at.number_input(key="query_top-brokers_top").set_value(5)
    at.button[0].click().run()
    frame = at.dataframe[0].value
    assert len(frame) == 5
    assert set(frame["category"]) == {"university"}


def test_named_query_missing_parameter_is_one_message(demo: str, monkeypatch) -> None:
    at = open_page("named_queries", demo, monkeypatch)
    at.selectbox(key="query_name").set_value("ego-network").run()
    at.button[0].click().run()
    (error,) = texts(at, "error")
    assert "parameter 'org' is required" in error


def test_weak_links_bridge_picture_and_heatmap(demo: str, monkeypatch) -> None:
    at = open_page("weak_links", demo, monkeypatch, query={"family": "bridges"})
    assert iframes(at), "the bridge and what it cuts off are drawn"
    bridges, points = html_tables(at)  # short HTML tables on the page's first view
    assert list(bridges.columns) == ["from", "to (cut-off side)", "cuts off", "of", "mostly"] and len(bridges)
    assert list(points.columns)[:2] == ["organisation", "category"]
    assert {d.label for d in at.get("download_button")} == {"Report (Markdown)", "Report (HTML)"}
    at.radio(key="weak_family").set_value("gaps").run()
    assert at.get("plotly_chart"), "the category-mixing heatmap"
    at.radio(key="weak_gap_attr").set_value("province").run()
    assert list(at.dataframe[0].value.columns[:2]) == ["group", "and group"]


def test_weak_links_page_shows_the_words_the_command_line_prints(demo: str, monkeypatch, cli) -> None:
    """Each family is explained in one place: the page and ``ecograph weak-links`` say the same."""
    from ecograph.explain.document import markdown_text
    from ecograph.explain.weak_link_families import FAMILIES
    from ecograph.explorer.ui import md

    printed = json.loads(cli("weak-links", "--format", "json", "--store", demo).stdout)
    markdown = set(cli("weak-links", "--store", demo).stdout.splitlines())
    at = open_page("weak_links", demo, monkeypatch, query={"family": "bridges"})
    shown_any = 0
    for section in printed["sections"]:
        family = FAMILIES[section["key"]]
        at.radio(key="weak_family").set_value(section["key"]).run()
        assert [h.value for h in at.header] == [family.name]
        assert family.explanation in texts(at, "markdown")
        assert md(section["intro"]) in texts(at, "caption")
        bullets = [line for t in texts(at, "markdown") for line in t.split("\n") if line.startswith("- ")]
        said = [f"- {md(f['sentence'])}" for f in section["findings"]]
        assert bullets == said[: len(bullets)] and bool(bullets) == bool(said), section["key"]
        assert {f"- {markdown_text(f['sentence'])}" for f in section["findings"]} <= markdown
        shown_any += len(bullets)
    assert shown_any >= 20


def test_load_page_only_with_writes(demo: str, monkeypatch) -> None:
    at = open_page("overview", demo, monkeypatch)
    with pytest.raises(ValueError, match="navigation page"):
        at.switch_page("ecograph/explorer/load.py")


def test_load_validates_then_loads_on_confirmation(tmp_path_factory, monkeypatch) -> None:
    import ecograph

    folder = tmp_path_factory.mktemp("load-story")
    url = f"sqlite:///{folder / 'store.db'}"
    ecograph.open_store(url).close()
    at = open_page("load", url, monkeypatch, env={"ECOGRAPH_ALLOW_WRITES": "1"})
    orgs = "id,name,kind,province\nx1,Viện Hải dương học,research_institute,Khánh Hòa\nx2,Sóng AI,startup,Khánh Hòa\n"
    bad_ties = "source,target,kind,start\nx1,x2,research,2021\nx1,ghost,mou,2020\nx2,x1,licensing,20x1\n"
    at.file_uploader[0].set_value(
        [("orgs.csv", orgs.encode(), "text/csv"), ("ties.csv", bad_ties.encode(), "text/csv")]
    ).run()
    problems = at.dataframe[0].value
    assert list(problems.columns) == ["file", "row", "field", "message"]
    assert problems[["file", "row", "field"]].values.tolist() == [
        ["ties.csv", 3, "target"],
        ["ties.csv", 4, "start"],
    ]
    assert texts(at, "error")[0].startswith("2 problems found; nothing would be written.")
    assert not at.button(key="load_confirm") if at.get("button") else True
    good_ties = "source,target,kind,start\nx1,x2,research,2021\n"
    at.file_uploader[0].set_value(
        [("orgs.csv", orgs.encode(), "text/csv"), ("ties.csv", good_ties.encode(), "text/csv")]
    ).run()
    assert texts(at, "success")[0].startswith("Every row is valid. Dry run, nothing written")
    with ecograph.open_store(url) as store:
        assert store.counts()["organizations"] == 0
    at.button(key="load_confirm").click().run()
    assert texts(at, "success")[0].startswith("Loaded. Organisations: 2 inserted")
    with ecograph.open_store(url) as store:
        assert store.counts()["organizations"] == 2
        assert store.store_version() == 1


def test_an_upload_never_confirmed_leaves_no_folder_behind(tmp_path: Path, monkeypatch) -> None:
    import tempfile

    import ecograph

    url = f"sqlite:///{tmp_path / 'store.db'}"
    ecograph.open_store(url).close()
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    at = open_page("load", url, monkeypatch, env={"ECOGRAPH_ALLOW_WRITES": "1"})
    orgs = "id,name,kind\nx1,Sóng AI,startup\n"
    at.file_uploader[0].set_value([("orgs.csv", orgs.encode(), "text/csv")]).run()
    assert texts(at, "success")[0].startswith("Every row is valid.")
    assert at.dataframe[0].value["file"].tolist() == ["orgs.csv"]
    assert list(scratch.iterdir()) == []  # validated, not loaded, and nothing left on disk


def test_unreachable_store_is_one_message(tmp_path: Path, monkeypatch) -> None:
    url = f"sqlite:///{tmp_path / 'missing-folder' / 'x.db'}"
    at = open_page("overview", url, monkeypatch)
    (error,) = texts(at, "error")
    assert error == (
        "The store “default” is not available right now: it cannot be reached or opened. "
        "Reload the page in a moment; the explorer's console says more."
    )


def test_store_selector_switches_between_the_operators_stores(
    demo: str, tmp_path_factory, monkeypatch
) -> None:
    other = empty_url(tmp_path_factory)
    at = open_page("overview", demo, monkeypatch, env={"ECOGRAPH_EXPLORER_STORES": f"empty={other}"})
    (choice,) = at.sidebar.selectbox
    assert (choice.options, choice.value) == (["default", "empty"], "default")
    assert not at.sidebar.text_input  # nobody types a URL
    choice.set_value("empty").run()
    assert texts(at, "info") == ["This store holds no organisations yet."]
    clean_env(monkeypatch, demo)
