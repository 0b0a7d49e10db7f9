"""The explorer on a Neo4j store: the pages work, and the Cypher box only ever reads."""

from __future__ import annotations

from pathlib import Path

import pytest
from app_support import open_page, texts

import ecograph
from ecograph.explorer.cypher import CypherRefused, run_read_only

pytestmark = pytest.mark.neo4j

ORGS = "id,name,kind,country,province\na,Alpha Labs,startup,VN,Hà Nội\nb,Đại học Beta,university,VN,Hà Nội\n"
TIES = "source,target,kind,start\na,b,research,2021\n"


@pytest.fixture
def loaded(neo4j_store, tmp_path: Path):
    (tmp_path / "orgs.csv").write_text(ORGS, encoding="utf-8")
    (tmp_path / "ties.csv").write_text(TIES, encoding="utf-8")
    ecograph.load([tmp_path / "orgs.csv", tmp_path / "ties.csv"], neo4j_store)
    return neo4j_store


def test_cypher_box_reads(loaded) -> None:
    result = run_read_only(loaded, "MATCH (o:Organization) RETURN o.id AS id, o.name AS name ORDER BY id;")
    assert result.columns == ["id", "name"]
    assert result.rows == [{"id": "a", "name": "Alpha Labs"}, {"id": "b", "name": "Đại học Beta"}]
    assert not result.truncated


def test_cypher_box_refuses_writes(loaded) -> None:
    # the store's read_query guards (tested with every kind of write in test_neo4j_store);
    # here: its refusal reaches the box as the page's message
    with pytest.raises(CypherRefused, match="Only reads are allowed here"):
        run_read_only(loaded, "MATCH (o:Organization {id: 'a'}) SET o.name = 'changed'")
    assert loaded.counts()["organizations"] == 2
    assert loaded.organization("a").name == "Alpha Labs"


def test_cypher_box_caps_rows_and_time(loaded) -> None:
    result = run_read_only(loaded, "UNWIND range(1, 5000) AS i RETURN i", limit=100)
    assert len(result.rows) == 100 and result.truncated
    with pytest.raises(CypherRefused, match="more than 1 seconds"):
        run_read_only(
            loaded,
            "UNWIND range(1, 1000000) AS i UNWIND range(1, 1000000) AS j WITH i WHERE i * j = -1 RETURN count(i)",
            timeout=1,
        )


def test_cypher_box_reports_bad_queries(loaded) -> None:
    with pytest.raises(CypherRefused, match="Neo4j rejected the query"):
        run_read_only(loaded, "MATCH (o:Organization RETURN o")
    with pytest.raises(CypherRefused, match="Type a Cypher query"):
        run_read_only(loaded, "  ;  ")


def test_queries_page_on_neo4j_has_a_read_only_cypher_box(loaded, neo4j_url: str, monkeypatch) -> None:
    at = open_page("named_queries", neo4j_url, monkeypatch)
    assert [h.value for h in at.header] == ["Cypher (read-only)"]
    at.text_area(key="cypher_text").input("MATCH (o:Organization {id: 'a'}) SET o.name = 'changed'")
    at.button[-1].click().run()
    (error,) = texts(at, "error")
    assert error.startswith("Only reads are allowed here: SET would change the store")
    at.text_area(key="cypher_text").input("MATCH (o:Organization) RETURN o.name AS name ORDER BY name")
    at.button[-1].click().run()
    assert list(at.dataframe[-1].value["name"]) == ["Alpha Labs", "Đại học Beta"]


def test_overview_on_neo4j(loaded, neo4j_url: str, monkeypatch) -> None:
    at = open_page("overview", neo4j_url, monkeypatch)
    assert {m.label: m.value for m in at.metric}["Organisations"] == "2"
