"""The named-query catalogue and the analysis commands, on the demo ecosystem."""

import json
from pathlib import Path

import pytest

import queries
from ecograph import api
from ecograph.errors import QueryNotFound, UsageError
from ecograph.workspace import Workspace


@pytest.fixture(scope="module")
def ws(demo_store_url, tmp_path_factory):
    with Workspace(demo_store_url, cache_dir=tmp_path_factory.mktemp("cache")) as workspace:
        yield workspace


def test_catalogue_has_the_promised_queries():
    assert set(queries.REGISTRY) >= {
        "top-brokers",
        "bridges",
        "under-connected-sectors",
        "startups-without-investors",
        "foreign-gatekeepers",
        "recommended-partners",
        "ego-network",
        "province-summary",
    }
    for q in queries.REGISTRY.values():
        assert q.title and q.description and q.returns


def test_parameters_are_typed_and_checked():
    q = queries.get("top-brokers")
    assert q.parse({"top": "5", "category": "university"}) == {
        "category": "university",
        "measure": "betweenness",
        "top": 5,
    }
    with pytest.raises(UsageError, match="must be int"):
        q.parse({"top": "many"})
    with pytest.raises(UsageError, match="must be one of"):
        q.parse({"category": "pirates"})
    with pytest.raises(UsageError, match="has no parameter 'colour'"):
        q.parse({"colour": "red"})
    with pytest.raises(UsageError, match="'org' is required"):
        queries.get("ego-network").parse({})
    with pytest.raises(QueryNotFound, match="no query named 'nope'"):
        queries.get("nope")


def test_top_brokers_within_a_category(ws):
    rows = api.query(ws, "top-brokers", category="university", top="5")
    assert len(rows) == 5
    assert {r["category"] for r in rows} == {"university"}
    values = [r["value"] for r in rows]
    assert values == sorted(values, reverse=True)


def test_bridges_find_the_planted_articulation_university(ws, demo_truth):
    planted = demo_truth["articulation_university"]
    rows = api.query(ws, "bridges", what="organisations", top="1000")
    assert planted["id"] in {r["id"] for r in rows}


def test_startups_without_investors_match_the_truth(ws, demo_truth):
    rows = api.query(ws, "startups-without-investors", top="100000")
    # The truth lists startups of every country; foreign ones are foreign partners here.
    home = {s for s in demo_truth["startups_without_investor"] if ws.graph.nodes[s]["category"] == "startup"}
    assert home and {r["id"] for r in rows} == home


def test_ego_network_and_province_summary(ws, demo_truth):
    uni = demo_truth["articulation_university"]["id"]
    rows = api.query(ws, "ego-network", org=uni, radius="1")
    assert rows[0]["id"] == uni and rows[0]["distance"] == 0
    assert set(demo_truth["articulation_university"]["cut_off"]) & {r["id"] for r in rows}
    summary = api.query(ws, "province-summary")
    assert sum(r["organisations"] for r in summary) == ws.graph.number_of_nodes()


def test_recommendations_never_repeat_an_existing_tie(ws):
    rows = api.query(
        ws, "recommended-partners", source_category="university", target_category="startup", top="20"
    )
    assert rows
    for r in rows:
        assert not ws.graph.has_edge(r["source"], r["target"])
        assert r["reason"]


def test_analysis_results_are_cached_per_store_state(ws):
    first = api.centrality(ws, "pagerank", top=3)
    assert any(ws.cache_dir.glob("*-centrality-*.json"))
    assert api.centrality(ws, "pagerank", top=3).rows == first.rows
    assert "exact" in first.note


def test_cli_query_and_centrality(cli, demo_store_url):
    listed = cli("query", "list", "--format", "json")
    assert {q["name"] for q in json.loads(listed.stdout)} == set(queries.REGISTRY)
    with_store = cli("query", "list", "--store", demo_store_url, "--format", "json")
    assert with_store.exit_code == 0 and json.loads(with_store.stdout) == json.loads(listed.stdout)
    run = cli("query", "run", "top-brokers", "--param", "top=3", "--store", demo_store_url, "--format", "csv")
    assert run.exit_code == 0
    assert run.stdout.splitlines()[0] == "rank,id,name,category,kind,province,sectors,value"
    assert len(run.stdout.splitlines()) == 4
    bad = cli("query", "run", "nope", "--store", demo_store_url)
    assert bad.exit_code == 2 and bad.stderr.startswith("Error: no query named 'nope'")
    cent = cli(
        "centrality", "--measure", "betweenness", "--top", "3", "--store", demo_store_url, "--format", "json"
    )
    out = json.loads(cent.stdout)
    assert len(out["rows"]) == 3 and out["measure"] == "betweenness" and out["method"] == "exact"
    assert out["normalisation"].startswith("share of the (n − 1)(n − 2)/2 pairs")
    assert "betweenness: exact" in cent.stderr


def test_centrality_help_says_how_each_measure_is_scaled(cli):
    from ecograph.analysis import MEASURES, NORMALISATION

    text = cli("centrality", "--help").stdout
    assert "How each measure is scaled:" in text
    for measure in MEASURES:
        assert f"  {measure}: {NORMALISATION[measure]}" in text
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    for measure in MEASURES:
        assert f"| `{measure}` | {NORMALISATION[measure]} |" in readme, measure


def test_cli_weak_links_report_formats(cli, demo_store_url, tmp_path):
    out = tmp_path / "report.html"
    result = cli("weak-links", "--format", "html", "--out", str(out), "--store", demo_store_url)
    assert result.exit_code == 0 and result.stdout == f"wrote {out}\n"
    assert out.read_text().lstrip().lower().startswith("<!doctype html>")
    md = cli("weak-links", "--store", demo_store_url)
    assert md.stdout.startswith("# ")


def test_cli_weak_links_finds_communities_by_leiden_when_asked(cli, demo_store_url):
    result = cli("weak-links", "--method", "leiden", "--format", "json", "--store", demo_store_url)
    report = json.loads(result.stdout)
    assert report["parameters"]["method"] == "leiden"
    communities = next(s for s in report["sections"] if s["key"] == "communities")
    assert communities["intro"].startswith("Leiden finds")
    louvain = json.loads(cli("weak-links", "--format", "json", "--store", demo_store_url).stdout)
    assert louvain["parameters"]["method"] == "louvain"
    bad = cli("weak-links", "--method", "spectral", "--store", demo_store_url)
    assert bad.exit_code == 2 and "spectral" in bad.stderr


def test_cli_recommend_for_one_org(cli, demo_store_url, demo_truth):
    a, b = demo_truth["missing_links"][0]
    result = cli("recommend", "--org", a, "--top", "50", "--store", demo_store_url, "--format", "json")
    rows = json.loads(result.stdout)
    assert any({r["source"], r["target"]} == {a, b} for r in rows)
