"""`ecograph export`: Gephi formats readable by networkx, and CSV that loads back unchanged."""

import csv
import json

import networkx as nx
import pytest

from ecograph.store.sqlite import SqliteStore

ORGS = """id,name,kind,country,province,city,sectors,founded,aliases,website,description
hust,Đại học Bách khoa Hà Nội,university,VN,Hà Nội,Hai Bà Trưng,ai|semiconductors,1956,HUST|BKHN,https://example.edu.vn,
evil,"=cmd|' /C calc'!A0",company,VN,,,,,,,"+SUM(A1:A9)"
q,"O'Brien ""Q"" <script>",startup,SG,,,fintech,2020,,,-leading dash
"""
TIES = """source,target,kind,weight,start,end,amount,currency,evidence,id
hust,evil,research,0.3333333333333333,2021-03-01,2023,,,@ref,
q,hust,investment,1,2022,,250000.5,USD,https://example.org/deal,deal-1
hust,q,mou,2,,,,,,
"""


@pytest.fixture
def filled(cli, write, sqlite_url):
    assert (
        cli("load", str(write("o.csv", ORGS)), str(write("t.csv", TIES)), "--store", sqlite_url).exit_code
        == 0
    )
    return sqlite_url


def contents(url):
    with SqliteStore(url) as store:
        return list(store.organizations()), sorted(store.collaborations(), key=lambda t: t.key)


def test_csv_export_round_trips_through_load_unchanged(cli, filled, tmp_path):
    out = tmp_path / "export"
    result = cli("export", "--format", "csv", "--out", str(out), "--store", filled)
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        f"wrote {out / 'organizations.csv'}",
        f"wrote {out / 'collaborations.csv'}",
    ]
    fresh = f"sqlite:///{tmp_path / 'fresh.db'}"
    files = [str(out / "collaborations.csv"), str(out / "organizations.csv")]
    assert cli("load", *files, "--store", fresh).exit_code == 0
    assert contents(fresh) == contents(filled)
    again = json.loads(cli("load", *files, "--store", filled, "--json").stdout)
    assert again["organizations"]["inserted"] == again["organizations"]["updated"] == 0
    assert again["collaborations"]["inserted"] == again["collaborations"]["updated"] == 0


def test_csv_export_neutralises_spreadsheet_formulas(cli, filled, tmp_path):
    cli("export", "--format", "csv", "--out", str(tmp_path / "x"), "--store", filled)
    with open(tmp_path / "x" / "organizations.csv", encoding="utf-8") as fh:
        rows = {r["id"]: r for r in csv.DictReader(fh)}
    assert rows["evil"]["name"] == "'=cmd|' /C calc'!A0"
    assert rows["evil"]["description"] == "'+SUM(A1:A9)"
    assert rows["q"]["description"] == "'-leading dash"
    assert rows["hust"]["name"] == "Đại học Bách khoa Hà Nội"
    with open(tmp_path / "x" / "collaborations.csv", encoding="utf-8") as fh:
        assert any(r["evidence"] == "'@ref" for r in csv.DictReader(fh))


@pytest.mark.parametrize(("fmt", "reader"), [("graphml", nx.read_graphml), ("gexf", nx.read_gexf)])
def test_gephi_formats_open_in_networkx_readers(cli, filled, tmp_path, fmt, reader):
    path = tmp_path / f"g.{fmt}"
    assert cli("export", "--format", fmt, "--out", str(path), "--store", filled).exit_code == 0
    G = reader(path)
    assert G.number_of_nodes() == 3 and G.number_of_edges() == 3
    assert G.nodes["hust"]["name"] == "Đại học Bách khoa Hà Nội"
    assert G.nodes["hust"]["sectors"] == "ai|semiconductors"
    assert G.nodes["q"]["category"] == "foreign_partner"
    assert G.nodes["evil"]["name"] == "=cmd|' /C calc'!A0"


def test_json_export_is_node_link_data(cli, filled, tmp_path):
    path = tmp_path / "g.json"
    cli("export", "--format", "json", "--out", str(path), "--store", filled)
    G = nx.node_link_graph(json.loads(path.read_text(encoding="utf-8")), edges="edges")
    assert G.number_of_edges() == 3
    assert G.nodes["hust"]["aliases"] == ["HUST", "BKHN"]


def test_stats_json_has_the_promised_keys(cli, filled):
    result = json.loads(cli("stats", "--json", "--store", filled).stdout)
    assert result["organizations"] == 3 and result["collaborations"] == 3
    assert result["by_category"] == {"company": 1, "foreign_partner": 1, "university": 1}
    assert result["by_kind"] == {"company": 1, "startup": 1, "university": 1}
    assert result["store_version"] == 1
    assert result["last_load"]["file"].endswith("t.csv")


def test_stats_table_for_people(cli, filled):
    out = cli("stats", "--store", filled).stdout
    assert out.startswith(
        f"store {filled} (version 1, home country VN)\n3 organisations, 3 collaborations, 2 files loaded\n"
    )
