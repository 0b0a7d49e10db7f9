"""The "Change over time" page in AppTest: the comparison and the scorecard a planner reads."""

from __future__ import annotations

import pytest
from app_support import demo_url, open_page, texts, tieless_url

from ecograph import api

PAGE = "change"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> str:
    return demo_url(tmp_path_factory)


def _sentences(at) -> list[str]:
    """Every bullet of every Markdown element, unescaped."""
    return [
        line.replace("\\", "")
        for m in texts(at, "markdown")
        for line in m.splitlines()
        if line.startswith("- ")
    ]


def test_compares_the_last_complete_periods_by_default(demo: str, monkeypatch) -> None:
    at = open_page(PAGE, demo, monkeypatch)
    assert [t.value for t in at.title] == ["Change over time"]
    headings = [s.value for s in at.subheader]
    assert headings[0] == "Change from 2020–2022 to 2023–2025"
    assert {"Bridges healed and appeared", "Recommendations that came true"} <= set(headings)
    assert any(s.startswith("- As of 2020–2022: no tie is without a date") for s in _sentences(at))
    labels = {m.label for m in at.metric}
    assert labels == {"Organisations", "Ties", "Ties gained / lost", "Bridges healed", "In the main network"}
    assert [b.proto.label for b in at.get("download_button")] == ["Markdown", "HTML", "JSON"]


def test_a_link_presets_the_periods_and_the_province(demo: str, monkeypatch) -> None:
    at = open_page(PAGE, demo, monkeypatch, query={"from": "2021", "to": "2022", "province": "Hà Nội"})
    assert at.subheader[0].value == "Change from 2021 to 2022 in Hà Nội"
    assert at.selectbox(key="change_province").value == "Hà Nội"
    # The organisation named with markup had no tie in 2021 and one in 2022: it is shown, as text.
    assert any("<img src=x onerror=alert(1)> had no tie in 2021" in s for s in _sentences(at))


def test_moving_a_period_changes_the_comparison(demo: str, monkeypatch) -> None:
    at = open_page(PAGE, demo, monkeypatch)
    at.select_slider(key="change_from").set_value((2016, 2017)).run()
    assert at.subheader[0].value == "Change from 2016–2017 to 2023–2025"


def test_a_comparison_that_finds_nothing(demo: str, monkeypatch) -> None:
    at = open_page(PAGE, demo, monkeypatch, query={"from": "2019", "to": "2019"})
    assert at.subheader[0].value == "Change from 2019 to 2019"
    assert "Nothing to report." in texts(at, "markdown")
    assert any(s.startswith("- 0 ties gained, 0 lost") for s in _sentences(at))


def test_a_store_without_dated_ties_offers_snapshots(tmp_path_factory, monkeypatch) -> None:
    url = tieless_url(tmp_path_factory)
    at = open_page(PAGE, url, monkeypatch)
    assert [t.value for t in at.title] == ["Change over time"]
    assert texts(at, "info")[0].startswith("This store's ties carry no dates")
    assert "ecograph snapshot save NAME" in texts(at, "info")[0]
    at = open_page(PAGE, url, monkeypatch, query={"view": "scorecard"})
    assert texts(at, "info")[0].startswith("This store's ties carry no dates")


def test_saved_snapshots_can_be_compared(tmp_path, monkeypatch) -> None:
    import ecograph

    url = f"sqlite:///{tmp_path / 's.db'}"
    ecograph.demo(url, orgs=150, seed=2)
    api.snapshot_save(url, "first")
    at = open_page(PAGE, url, monkeypatch)
    at.radio(key="change_mode").set_value("Saved snapshots").run()
    assert at.selectbox(key="change_from_snapshot").value == "first"
    assert at.subheader[0].value == "Change from snapshot first to the store now"
    assert any(s.startswith("- 0 ties gained, 0 lost") for s in _sentences(at))


def test_the_scorecard_with_definitions_small_multiples_and_csv(demo: str, monkeypatch) -> None:
    at = open_page(PAGE, demo, monkeypatch, query={"view": "scorecard", "highlight": "Hà Nội"})
    assert at.subheader[0].value == "Scorecard by province, 2017–2026"
    assert at.selectbox(key="card_highlight").value == "Hà Nội"
    table = at.dataframe[0].value
    assert list(table.columns)[:3] == ["province", "Organisations", "Ties"]
    assert "Hà Nội" in set(table["province"])
    assert any("Hà Nội in red" in c for c in texts(at, "caption"))
    assert len(at.get("vega_lite_chart")) == 1
    assert any(s.startswith("- **Triple Helix synergy**: Leydesdorff") for s in _sentences(at))
    assert "T_{uig} = H_u + H_i + H_g - H_{ui} - H_{ug} - H_{ig} + H_{uig}" in at.get("latex")[0].value
    csv_button = next(b for b in at.get("download_button") if b.proto.label == "Download CSV (every year)")
    assert csv_button


def test_the_scorecard_by_sector(demo: str, monkeypatch) -> None:
    at = open_page(PAGE, demo, monkeypatch, query={"view": "scorecard", "by": "sector"})
    assert at.subheader[0].value == "Scorecard by sector, 2017–2026"
    assert at.dataframe[0].value.columns[0] == "sector"
    at.select_slider(key="card_years").set_value((2024, 2024)).run()
    assert at.subheader[0].value == "Scorecard by sector, 2024"
