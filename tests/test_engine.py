"""``ecograph measures`` on both engines: Python on a snapshot, and Neo4j's Graph Data Science.

The session's Neo4j server loads the OpenGDS plugin (tests/neo4j_plugin.py). On a demo
ecosystem the server's degree, betweenness and components equal the Python analyses'
exactly, PageRank within 1e-4 (GDS lets the mass of organisations without ties leak where
networkx spreads it over everyone), and Louvain finds communities of about the same
modularity (both are heuristics, with their own orders of visiting).
"""

from __future__ import annotations

import json

import networkx as nx
import pytest

from ecograph import engine
from ecograph.errors import UsageError
from ecograph.ingest import load
from ecograph.store import cypher
from ecograph.synthetic import generate, write_csv
from ecograph.workspace import Workspace


@pytest.fixture
def demo_neo4j(neo4j_store, tmp_path, monkeypatch):
    monkeypatch.setenv("ECOGRAPH_CACHE_DIR", str(tmp_path / "cache"))
    files = [str(p) for p in write_csv(generate(400, seed=8), tmp_path / "demo")]
    load(files, neo4j_store)
    return neo4j_store


def _all(store, which: str, **kw) -> dict[str, dict]:
    table = engine.measures(store, engine=which, top=None, **kw)
    return {row["id"]: row for row in table.rows}


def test_gds_gives_the_python_measures_on_the_demo(demo_neo4j):
    python, gds = _all(demo_neo4j, "python"), _all(demo_neo4j, "gds")
    assert python.keys() == gds.keys() and len(gds) == demo_neo4j.counts()["organizations"]
    for i, row in python.items():
        there = gds[i]
        assert there["name"] == row["name"]
        assert there["degree"] == row["degree"]
        assert there["component"] == row["component"]
        assert there["pagerank"] == pytest.approx(row["pagerank"], abs=1e-4)
        assert there["betweenness"] == pytest.approx(row["betweenness"], rel=1e-9, abs=1e-12)
    assert sum(r["pagerank"] for r in gds.values()) == pytest.approx(1.0)
    assert max(r["betweenness"] for r in gds.values()) > 0.01  # not all zero: the scale is checked

    ws = Workspace(demo_neo4j, cache_dir=False)
    G = ws.graph

    def modularity(rows: dict[str, dict]) -> float:
        groups: dict[int, set[str]] = {}
        for i, row in rows.items():
            groups.setdefault(row["community"], set()).add(i)
        return nx.community.modularity(G, groups.values(), weight="weight")

    assert modularity(gds) == pytest.approx(modularity(python), abs=0.02)
    assert modularity(gds) > 0.3
    assert len({r["community"] for r in gds.values()}) > 1


def test_gds_samples_betweenness_on_the_python_scale(demo_neo4j):
    exact = _all(demo_neo4j, "gds")
    table = engine.measures(demo_neo4j, engine="gds", top=None, k=100, seed=3)
    assert "sampled from 100 sources" in table.note
    sampled = {row["id"]: row["betweenness"] for row in table.rows}
    total = sum(r["betweenness"] for r in exact.values())
    assert sum(sampled.values()) == pytest.approx(total, rel=0.3)
    assert sampled != {i: r["betweenness"] for i, r in exact.items()}


def test_measures_on_the_command_line_and_from_the_setting(demo_neo4j, neo4j_url, cli, monkeypatch):
    result = cli("measures", "--engine", "gds", "--by", "degree", "--top", "5", "--store", neo4j_url,
                 "--format", "json")  # fmt: skip
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["engine"] == "gds" and out["by"] == "degree" and len(out["rows"]) == 5
    degrees = [row["degree"] for row in out["rows"]]
    assert degrees == sorted(degrees, reverse=True)
    assert set(out["rows"][0]) == {"id", "name", *engine.MEASURES}
    monkeypatch.setenv("ECOGRAPH_ENGINE", "gds")
    again = cli("measures", "--by", "degree", "--top", "5", "--store", neo4j_url, "--format", "json")
    assert again.exit_code == 0 and json.loads(again.stdout)["engine"] == "gds"


def test_gds_is_refused_where_it_cannot_run(demo_neo4j, sqlite_url, cli, monkeypatch):
    refused = cli("measures", "--engine", "gds", "--store", sqlite_url)
    assert refused.exit_code == 2
    assert "--engine gds computes inside Neo4j" in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1
    monkeypatch.setenv("ECOGRAPH_ENGINE", "spark")
    unknown = cli("measures", "--store", sqlite_url)
    assert unknown.exit_code == 2 and "engine 'spark' is not one of python, gds" in unknown.stderr
    # A server without the plugin: the function it lacks is unknown to it.
    monkeypatch.setattr(cypher, "GDS_VERSION", "RETURN gds.noSuchFunction() AS version")
    with pytest.raises(UsageError, match="has no Graph Data Science plugin: start it with"):
        engine.measures(demo_neo4j, engine="gds")
