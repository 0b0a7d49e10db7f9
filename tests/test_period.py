"""Time: one rule for a tie's period, the ecosystem as of a period, and every analysis taking one."""

from __future__ import annotations

import math

import networkx as nx
import numpy as np
import pytest

from ecograph import api
from ecograph.errors import UndatedStore, UsageError
from ecograph.period import (
    Period,
    active_ties,
    data_years,
    in_period,
    parse_period,
    period_filter,
    projection,
    resolve_period,
)
from ecograph.snapshot import undirected
from ecograph.workspace import Workspace

NAN = math.nan


# -- the rule -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "active"),
    [
        (2019, NAN, True),  # started before, no end: still active
        (2022, NAN, True),  # starts in the last year
        (2023, NAN, False),  # starts after the period
        (2015, 2019, False),  # ended before the period
        (2015, 2020, True),  # ends in the first year
        (NAN, 2021, True),  # no start: active until its end
        (NAN, 2019, False),
    ],
)
def test_a_tie_is_active_when_it_starts_by_the_last_year_and_has_not_ended_before_the_first(
    start, end, active
):
    got, undated = active_ties(np.array([start]), np.array([end]), Period(2020, 2022))
    assert got.tolist() == [active] and undated.tolist() == [False]


def test_a_tie_without_dates_is_undated_and_never_active():
    got, undated = active_ties(np.array([NAN]), np.array([NAN]), Period(1900, 2100))
    assert got.tolist() == [False] and undated.tolist() == [True]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2023-", "is not a year or two years"),
        ("23-25", "is not a year or two years"),
        ("2025-2023", "runs backwards"),
        ("2030", "outside the years of this store's ties"),
        ("2012-2016", "outside the years of this store's ties"),
    ],
)
def test_a_bad_period_is_one_line_that_names_the_valid_years(text, message):
    with pytest.raises(UsageError) as caught:
        resolve_period(text, (2015, 2026))
    assert message in str(caught.value)
    assert str(caught.value).endswith("use years from 2015 to 2026")
    assert caught.value.exit_code == 2


def test_a_period_of_a_store_without_dates_offers_snapshots():
    with pytest.raises(UndatedStore) as caught:
        resolve_period("2020-2022", None)
    assert "ecograph snapshot save" in str(caught.value) and caught.value.exit_code == 2


def test_period_spellings():
    assert parse_period("2023–2025") == parse_period("2023..2025") == Period(2023, 2025)
    assert str(parse_period("2024")) == "2024"


# -- the ecosystem as of a period -------------------------------------------------------------


def _snapshot() -> nx.MultiDiGraph:
    M = nx.MultiDiGraph(home_country="VN")
    M.add_node("old", founded=1990, name="Old")
    M.add_node("young", founded=2024, name="Young")
    M.add_node("undated", name="Undated")
    M.add_edge("old", "undated", key="k1", kind="mou", weight=1.0, start="2018", end="2019", year=2018)
    M.add_edge("old", "undated", key="k2", kind="research", weight=2.0, start="2021-03-01", year=2021)
    M.add_edge("undated", "old", key="k3", kind="training", weight=0.5, start=None, end=None, year=None)
    M.add_edge("old", "young", key="k4", kind="investment", weight=1.0, start="2024", year=2024)
    return M


def test_in_period_keeps_active_ties_and_founded_organisations_and_counts_what_it_left_out():
    H = in_period(_snapshot(), Period(2020, 2022))
    assert sorted(H) == ["old", "undated"]
    assert [k for *_, k in H.edges(keys=True)] == ["k2"]
    info = {k: H.graph[k] for k in ("period", "undated_ties", "inactive_ties", "organisations_not_founded")}
    assert info == {
        "period": "2020–2022",
        "undated_ties": 1,
        "inactive_ties": 2,
        "organisations_not_founded": 1,
    }
    assert nx.is_frozen(H)


def test_the_projection_as_of_a_period_is_the_projection_of_the_snapshot_as_of_it(demo_store_url):
    with Workspace(demo_store_url, cache_dir=False) as ws:
        G = ws.whole
        for period in (Period(2018, 2018), Period(2020, 2022), Period(2015, 2031)):
            direct = projection(G, period)
            via = undirected(in_period(G, period))
            assert list(direct.nodes(data=True)) == list(via.nodes(data=True))
            assert list(direct.edges(data=True)) == list(via.edges(data=True))
            assert direct.number_of_edges() > 0


def test_the_undirected_projection_keeps_its_order_and_attributes():
    G = undirected(_snapshot())
    assert list(G.edges(data=True)) == [
        ("old", "undated", {"weight": 3.5, "ties": 3, "kinds": ("mou", "research", "training"),
                            "first_year": 2018, "last_year": 2021}),
        ("old", "young", {"weight": 1.0, "ties": 1, "kinds": ("investment",), "first_year": 2024, "last_year": 2024}),
    ]  # fmt: skip


def test_data_years_and_filter_counts():
    M = _snapshot()
    assert data_years(M) == (2018, 2024)
    f = period_filter(M, Period(2024, 2024))
    assert f.edges.tolist() == [False, True, True, False] and f.undated_ties == 1  # k1, k2, k4, k3


# -- every analysis takes a period ----------------------------------------------------------------


def test_workspace_graphs_and_cache_follow_the_period(demo_store_url, tmp_path):
    with Workspace(demo_store_url, cache_dir=tmp_path) as ws:
        early = ws.for_period("2016")
        assert early.graph.number_of_edges() < ws.graph.number_of_edges()
        assert early.graph.graph["period"] == "2016"
        assert ws.for_period(2016).graph is early.graph  # built once, shared
        calls = []
        for scoped in (ws, early, ws.for_period("2016"), ws):
            scoped.cached("count", {}, lambda s=scoped: calls.append(1) or s.graph.number_of_edges())
        assert len(calls) == 2  # one per period: whole store, 2016
        assert early.cached("count", {}, lambda: -1) == early.graph.number_of_edges()


def test_api_functions_take_a_period(demo_store_url):
    whole = api.centrality(demo_store_url, "degree", top=3)
    early = api.centrality(demo_store_url, "degree", top=3, period="2016-2017")
    assert early.rows[0]["value"] < whole.rows[0]["value"]
    assert "As of 2016–2017: no tie is without a date" in early.note
    report = api.weak_links(demo_store_url, period=2019, top=2)
    assert report["summary"]["period"]["period"] == "2019"
    assert report["summary"]["ties"] < api.weak_links(demo_store_url, top=2)["summary"]["ties"]
    rows = api.query(demo_store_url, "province-summary", period="2016")
    assert sum(r["organisations"] for r in rows) < 1500
    recs = api.recommend(demo_store_url, top=3, period="2020-2022")
    assert len(recs) == 3


def test_cli_period_options(cli, demo_store_url):
    out = cli("centrality", "--measure", "degree", "--top", "2", "--as-of", "2019", "--store", demo_store_url)
    assert out.exit_code == 0 and "As of 2019" in out.stdout
    report = cli("weak-links", "--period", "2020-2022", "--store", demo_store_url)
    assert report.exit_code == 0
    assert "- As of 2020–2022: no tie is without a date" in report.stdout
    query = cli(
        "query", "run", "bridges", "--period", "2023-2025", "--store", demo_store_url, "--format", "json"
    )
    assert query.exit_code == 0 and "As of 2023–2025" in query.stderr
    both = cli("recommend", "--as-of", "2020", "--period", "2020-2022", "--store", demo_store_url)
    assert both.exit_code == 2 and "give --as-of or --period, not both" in both.stderr


@pytest.mark.parametrize("period", ["2020-", "2025-2020", "2040"])
def test_cli_bad_period_exits_2_with_the_valid_range_in_one_line(cli, demo_store_url, period):
    result = cli("centrality", "--measure", "degree", "--period", period, "--store", demo_store_url)
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: period")
    assert lines[0].endswith("use years from 2015 to 2031")
    assert "Traceback" not in result.output
