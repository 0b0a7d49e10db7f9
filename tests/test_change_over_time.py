"""The demo's planted changes between 2020–2022 and 2023–2025 are found, on SQLite and Neo4j."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import ecograph
from ecograph import api
from ecograph.synthetic import AFTER, BEFORE

FROM, TO = "{}-{}".format(*BEFORE), "{}-{}".format(*AFTER)


def check_planted_changes(found: dict, truth: dict) -> None:
    """Every change the demo planted is in *found* (``compare`` from BEFORE to AFTER)."""
    healed = truth["healed_bridge"]
    rows = [r for r in found["bridges"]["healed"] if {r["u"], r["v"]} == set(healed["bridge"])]
    assert rows, "the healed bridge"
    assert rows[0]["cut_off"] == len(healed["cut_off"]) and rows[0]["tie_kept"]
    assert rows[0]["makeup"]["province"] == {healed["province"]: len(healed["cut_off"])}
    gate = truth["new_gatekeeper"]
    assert ("country", gate["country"], gate["id"], 0) in {
        (r["by"], r["group"], r["gateway"]["id"], r["gateways_before"])
        for r in found["gatekeepers"]["appeared"]
    }
    sector = truth["sector_gaining_research"]["sector"]
    gained = {r["sector"]: r for r in found["research"]["gained_first"]}
    assert gained[sector]["with_research_before"] == 0
    assert gained[sector]["with_research_after"] >= len(truth["sector_gaining_research"]["startups"])
    came_true = {frozenset((r["source"], r["target"])) for r in found["backtest"]["came_true"]}
    assert {frozenset(p) for p in truth["recommended_pairs"]} <= came_true
    test = found["backtest"]
    assert test["share"] > 10 * test["chance"] > 0


def check_scorecard(card: dict, truth: dict) -> None:
    """The healed province's scorecard moves the right way: no bridge cuts it off after 2024."""
    province = truth["healed_bridge"]["province"]
    years = card["years"]
    bridges = dict(zip(years, card["values"]["bridges_cutting_off"][province], strict=True))
    main = dict(zip(years, card["values"]["main_component_share"][province], strict=True))
    year = truth["healed_bridge"]["year"]
    assert bridges[year - 1] == 1 and bridges[year] == 0 and bridges[years[-1]] == 0
    assert main[year - 1] == main[year] == 1.0
    assert card["change"]["bridges_cutting_off"][province] < 0


def test_compare_finds_every_planted_change_on_sqlite(demo_store_url, demo_truth):
    found = api.compare(demo_store_url, from_period=FROM, to_period=TO)
    check_planted_changes(found, demo_truth["changes"])
    assert found["before"]["period"] == "2020–2022" and found["after"]["period"] == "2023–2025"


def test_the_scorecard_moves_the_right_way_for_the_planted_province(demo_store_url, demo_truth):
    card = api.scorecard(demo_store_url)
    assert card["years"] == list(range(2017, 2027))
    check_scorecard(card, demo_truth["changes"])
    sectors = api.scorecard(demo_store_url, by="sector", period=TO)
    sector = demo_truth["changes"]["sector_gaining_research"]["sector"]
    assert sectors["values"]["startup_research_share"][sector][-1] > 0
    early = api.scorecard(demo_store_url, by="sector", period="2021")
    assert early["values"]["startup_research_share"][sector] == [0.0]


@pytest.mark.neo4j
def test_compare_and_scorecard_find_the_planted_changes_on_neo4j(neo4j_store, tmp_path):
    truth = tmp_path / "truth.json"
    ecograph.demo(neo4j_store, orgs=1500, seed=1, truth=truth)
    planted = json.loads(truth.read_text())["changes"]
    from ecograph.workspace import Workspace

    with Workspace(neo4j_store, cache_dir=tmp_path / "cache") as ws:
        check_planted_changes(api.compare(ws, from_period=FROM, to_period=TO), planted)
        check_scorecard(api.scorecard(ws), planted)


def test_compare_in_one_province(demo_store_url, demo_truth):
    healed = demo_truth["changes"]["healed_bridge"]
    found = api.compare(demo_store_url, from_period=FROM, to_period=TO, province=healed["province"])
    assert [{r["u"], r["v"]} for r in found["bridges"]["healed"]] == [set(healed["bridge"])]
    assert all(healed["province"] in (r["group_a"], r["group_b"]) for r in found["ties"]["province"])


def test_cli_compare_tells_the_story(cli, demo_store_url, demo_truth, tmp_path):
    result = cli("compare", "--from", FROM, "--to", TO, "--store", demo_store_url)
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert text.startswith("# Change from 2020–2022 to 2023–2025\n")
    assert "## Bridges healed and appeared" in text and "## Recommendations that came true" in text
    sector = demo_truth["changes"]["sector_gaining_research"]["sector"]
    assert f"- Startups in {sector} gained their first research partners:" in text
    assert "- New gatekeeper: in 2023–2025 all" in text
    out = tmp_path / "change.html"
    page = cli(
        "compare",
        "--from",
        FROM,
        "--to",
        TO,
        "--format",
        "html",
        "--out",
        str(out),
        "--store",
        demo_store_url,
    )
    assert page.exit_code == 0 and page.stdout == f"wrote {out}\n"
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    as_json = json.loads(
        cli("compare", "--from", FROM, "--to", TO, "--format", "json", "--store", demo_store_url).stdout
    )
    assert as_json["ties"]["gained"] > 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--from", "2020-2022"], "say what to compare"),
        (["--from", "2022-2020", "--to", "2023"], "runs backwards"),
        (["--from", "2010-2012", "--to", "2023"], "outside the years of this store's ties"),
        (
            ["--from", "2020", "--to", "2023", "--province", "Atlantis"],
            "no organisation is in province 'Atlantis'",
        ),
        (["--from-snapshot", "nope"], "no snapshot named 'nope'"),
    ],
)
def test_cli_compare_bad_input_is_one_line_and_exit_2(cli, demo_store_url, args, message):
    result = cli("compare", *args, "--store", demo_store_url)
    assert result.exit_code == 2
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_cli_scorecard_table_csv_and_json(cli, demo_store_url, demo_truth, tmp_path):
    table = cli("scorecard", "--store", demo_store_url)
    assert table.exit_code == 0 and "scorecard by province, 2017–2026" in table.stdout
    assert "Triple Helix synergy: Leydesdorff's mutual information" in table.stdout
    out = tmp_path / "card.csv"
    assert cli("scorecard", "--format", "csv", "--out", str(out), "--store", demo_store_url).exit_code == 0
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0] == (
        "province,year,organisations,ties,startup_research_share,university_industry_ties,"
        "foreign_gateway_share,main_component_share,bridges_cutting_off,triple_helix"
    )
    card = json.loads(
        cli(
            "scorecard", "--by", "sector", "--period", "2024", "--format", "json", "--store", demo_store_url
        ).stdout
    )
    assert card["by"] == "sectors" and card["years"] == [2024] and "triple_helix" in card["definitions"]
    bad = cli("scorecard", "--period", "1999", "--store", demo_store_url)
    assert bad.exit_code == 2 and bad.stderr.strip().endswith("use years from 2015 to 2031")


# -- snapshots: change without dates ---------------------------------------------------------------

UNDATED_ORGS = """id,name,kind,country,province
a,Alpha,company,VN,Huế
b,Beta,company,VN,Huế
c,Gamma,company,VN,Huế
x,Xi,university,VN,Vinh
y,Ypsilon,company,VN,Vinh
z,Zeta,startup,VN,Vinh
"""
UNDATED_TIES = "source,target,kind\na,b,mou\nb,c,mou\nc,a,mou\nc,x,research\nx,y,mou\ny,z,mou\nz,x,mou\n"


@pytest.fixture
def undated(cli, write, sqlite_url):
    result = cli(
        "load", str(write("o.csv", UNDATED_ORGS)), str(write("t.csv", UNDATED_TIES)), "--store", sqlite_url
    )
    assert result.exit_code == 0, result.output
    return sqlite_url


def test_a_store_without_dated_ties_says_so_and_offers_snapshots(cli, undated):
    result = cli("compare", "--from", "2020", "--to", "2023", "--store", undated)
    assert result.exit_code == 2
    assert result.stderr == (
        "Error: This store's ties carry no dates, so it has no periods to compare: save its state with "
        "`ecograph snapshot save NAME` before and after a change, and compare the two with "
        "`ecograph compare --from-snapshot A --to-snapshot B`.\n"
    )


def test_snapshots_compare_two_states_whatever_the_dates(cli, undated, write):
    saved = cli("snapshot", "save", "before", "--store", undated)
    assert saved.stdout == "saved snapshot before: 6 organisations, 7 collaborations (store version 1)\n"
    taken = cli("snapshot", "save", "before", "--store", undated)
    assert taken.exit_code == 2 and taken.stderr == (
        "Error: a snapshot named 'before' already exists; choose another name, or replace it "
        "(ecograph snapshot save before --replace)\n"
    )
    assert (
        cli("load", str(write("more.csv", "source,target,kind\na,z,mou\n")), "--store", undated).exit_code
        == 0
    )
    assert cli("snapshot", "save", "after", "--store", undated).exit_code == 0
    listed = json.loads(cli("snapshot", "list", "--format", "json", "--store", undated).stdout)
    assert [(s["name"], s["collaborations"], s["store_version"]) for s in listed] == [
        ("before", 7, 1),
        ("after", 8, 2),
    ]
    found = json.loads(
        cli(
            "compare",
            "--from-snapshot",
            "before",
            "--to-snapshot",
            "after",
            "--format",
            "json",
            "--store",
            undated,
        ).stdout
    )
    assert [{r["u"], r["v"]} for r in found["bridges"]["healed"]] == [{"c", "x"}]
    assert found["before"]["state"] == "before" and found["ties"]["gained"] == 1
    text = cli("compare", "--from-snapshot", "before", "--store", undated).stdout
    assert text.startswith("# Change from snapshot before to the store now\n")
    assert (
        "- Healed: in snapshot before the tie between Gamma and Xi was the only link of 3 organisations"
        in text
    )
    assert cli("snapshot", "save", "before", "--replace", "--store", undated).exit_code == 0
    assert cli("snapshot", "delete", "after", "--store", undated).stdout == "deleted snapshot after\n"
    gone = cli("snapshot", "delete", "after", "--store", undated)
    assert gone.exit_code == 2 and "no snapshot named 'after'" in gone.stderr
    bad = cli("snapshot", "save", "two words", "--store", undated)
    assert bad.exit_code == 2 and "snapshot name 'two words' is not allowed" in bad.stderr


def test_a_version_3_sqlite_store_is_upgraded_in_place(undated):
    import sqlite3

    from ecograph.store.sqlite import SqliteStore

    path = undated.removeprefix("sqlite:///")
    db = sqlite3.connect(path)
    db.execute("DROP TABLE snapshots")
    db.execute("PRAGMA user_version = 3")
    db.commit()
    db.close()
    before = Path(path).read_bytes()
    with SqliteStore(undated) as store:
        assert store.saved_snapshots() == [] and store.counts()["collaborations"] == 7
    assert Path(path).read_bytes() == before  # reading changed nothing
    api.snapshot_save(undated, "kept")  # the first write upgrades the file
    assert sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0] == 4
    assert [s["name"] for s in api.snapshots(undated)] == ["kept"]


def test_migrate_copies_saved_snapshots(cli, undated, store, tmp_path):
    api.snapshot_save(undated, "first")
    # Into another SQLite file, or into the test's empty Neo4j database.
    target = f"sqlite:///{tmp_path / 'copy.db'}" if hasattr(store, "path") else store.url
    report = json.loads(cli("migrate", "--from", undated, "--to", target, "--json").stdout)
    assert report["verified"] and report["snapshots"] == 1
    with ecograph.open_store(target) as copy, ecograph.open_store(undated) as source:
        assert [s.name for s in copy.saved_snapshots()] == ["first"]
        assert copy.saved_snapshot("first").data == source.saved_snapshot("first").data
