"""Neo4j as the production store: same results as SQLite, migration both ways, failures."""

import json
import os
import signal
import subprocess
import sys
import time

import pytest
from neo4j import GraphDatabase

from ecograph import neo4j_server
from ecograph.migrate import content_checksum
from ecograph.store import open_store
from ecograph.synthetic import generate, write_csv

pytestmark = pytest.mark.neo4j

SAME = ("organizations", "collaborations", "by_category", "by_kind", "by_tie_kind", "by_country")


def stats(cli, url):
    result = cli("stats", "--json", "--store", url)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_demo_gives_the_same_counts_on_both_stores(cli, neo4j_store, neo4j_url, sqlite_url):
    for url in (sqlite_url, neo4j_url):
        assert cli("demo", "--orgs", "300", "--seed", "3", "--store", url).exit_code == 0
    a, b = stats(cli, sqlite_url), stats(cli, neo4j_url)
    assert {k: a[k] for k in SAME} == {k: b[k] for k in SAME}
    assert a["organizations"] == 300 and b["store_version"] == 1


def test_migrate_both_ways_keeps_stats_and_checksums(cli, neo4j_store, neo4j_url, sqlite_url, tmp_path):
    cli("demo", "--orgs", "300", "--seed", "5", "--store", sqlite_url)
    there = cli("migrate", "--from", sqlite_url, "--to", neo4j_url, "--json")
    assert there.exit_code == 0, there.output
    assert json.loads(there.stdout)["verified"]
    back_url = f"sqlite:///{tmp_path / 'back.db'}"
    back = cli("migrate", "--from", neo4j_url, "--to", back_url, "--json")
    assert back.exit_code == 0, back.output
    a, b, c = (stats(cli, u) for u in (sqlite_url, neo4j_url, back_url))
    assert {k: a[k] for k in SAME} == {k: b[k] for k in SAME} == {k: c[k] for k in SAME}
    with open_store(sqlite_url) as s1, open_store(neo4j_url) as s2, open_store(back_url) as s3:
        assert content_checksum(s1) == content_checksum(s2) == content_checksum(s3)
        assert {x.id for x in s1.batches()} <= {x.id for x in s3.batches()}
    again = json.loads(cli("migrate", "--from", sqlite_url, "--to", neo4j_url, "--json").stdout)
    assert again["inserted"] == {"organizations": 0, "collaborations": 0}


def test_snapshots_of_the_same_data_agree(neo4j_store, sqlite_store):
    from ecograph.analysis import articulation_cuts, bridge_cuts
    from ecograph.snapshot import undirected

    demo = generate(300, seed=11)
    for store in (sqlite_store, neo4j_store):
        from ecograph.ingest import write_records

        write_records(store, demo.organizations, demo.collaborations, file="demo")
    G1, G2 = (undirected(s.snapshot()) for s in (sqlite_store, neo4j_store))
    assert dict(G1.nodes(data=True)) == dict(G2.nodes(data=True))
    assert {frozenset(e) for e in G1.edges} == {frozenset(e) for e in G2.edges}
    assert [c["id"] for c in articulation_cuts(G1)] == [c["id"] for c in articulation_cuts(G2)]
    assert len(bridge_cuts(G1)) == len(bridge_cuts(G2))


def test_a_stopped_server_is_one_line_exit_3_without_the_password(cli, write):
    port = neo4j_server.free_port()
    url = f"bolt://neo4j:Sup3r-s3cret-pw@127.0.0.1:{port}"
    result = cli("load", str(write("o.csv", "id,name,kind\na,A,company\n")), "--store", url)
    assert result.exit_code == 3
    assert len(result.stderr.strip().splitlines()) == 1
    assert f"127.0.0.1:{port}" in result.stderr
    assert "Sup3r-s3cret-pw" not in result.output


def _write_transaction_running(url: str) -> bool:
    with GraphDatabase.driver(url, auth=None) as driver:
        records, _, _ = driver.execute_query(
            "SHOW TRANSACTIONS YIELD currentQuery RETURN currentQuery", database_="neo4j"
        )
    return any("UNWIND" in (r["currentQuery"] or "") for r in records)


def test_killing_the_server_mid_load_leaves_nothing_and_a_rerun_loads_exactly_once(tmp_path):
    instance = tmp_path / "killed"
    info = neo4j_server.start(
        port=neo4j_server.free_port(),
        auth=False,
        heap="1g",
        pagecache="256m",
        instance=instance,
        die_with_parent=True,
    )
    try:
        demo = generate(6000, seed=2)
        files = [str(p) for p in write_csv(demo, tmp_path / "csv")]
        command = [
            sys.executable,
            "-c",
            "from ecograph.cli import main; main()",
            "load",
            *files,
            "--store",
            info.url,
        ]
        loader = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 120
        while not _write_transaction_running(info.url):
            assert loader.poll() is None, "the load ended before it could be interrupted"
            assert time.monotonic() < deadline, "never saw the load's write transaction"
            time.sleep(0.05)
        os.kill(info.pid, signal.SIGKILL)
        _, err = loader.communicate(timeout=120)
        assert loader.returncode == 3, err
        assert err.startswith("Error: ") and len(err.strip().splitlines()) == 1

        info = neo4j_server.start(port=info.port, auth=False, heap="1g", pagecache="256m", instance=instance)
        with open_store(info.url) as store:
            assert store.counts()["organizations"] == 0, "a half load became visible"
            assert store.batches() == []
        rerun = subprocess.run(command, capture_output=True, text=True, timeout=300)
        assert rerun.returncode == 0, rerun.stderr
        with GraphDatabase.driver(info.url, auth=None) as driver:
            (row,), _, _ = driver.execute_query(
                "MATCH (o:Organization) RETURN count(o) AS n, count(DISTINCT o.id) AS ids", database_="neo4j"
            )
            assert row["n"] == row["ids"] == len(demo.organizations)
            (rel,), _, _ = driver.execute_query(
                "MATCH (:Organization)-[r]->(:Organization) RETURN count(r) AS n, count(DISTINCT r.key) AS keys",
                database_="neo4j",
            )
            assert rel["n"] == rel["keys"] == len(demo.collaborations), "duplicate or orphan relationships"
        with open_store(info.url) as store:
            assert store.counts()["collaborations"] == len(demo.collaborations)
            assert len(store.batches()) == 2
    finally:
        neo4j_server.stop(instance=instance)


@pytest.fixture
def two_orgs(neo4j_store):
    from ecograph.ingest import write_records
    from ecograph.model import Collaboration, Organization

    orgs = [
        Organization("a", "Alpha Labs", "startup", "VN"),
        Organization("b", "Đại học Beta", "university", "VN"),
    ]
    write_records(neo4j_store, orgs, [Collaboration("a", "b", "research", start="2021")], file="t")
    return neo4j_store


def test_read_query_returns_columns_rows_and_plain_values(two_orgs):
    columns, rows, truncated = two_orgs.read_query(
        "MATCH (o:Organization) WHERE o.id IN $ids RETURN o.id AS id, o AS node ORDER BY id;",
        {"ids": ["a", "b"]},
        timeout_s=10,
        row_cap=10,
    )
    assert columns == ["id", "node"] and not truncated
    assert [r[0] for r in rows] == ["a", "b"]
    assert rows[1][1]["name"] == "Đại học Beta" and "University" in rows[1][1]["labels"]


@pytest.mark.parametrize(
    "query",
    [
        "CREATE (:Organization {id: 'x', name: 'X', kind: 'other'})",
        "MATCH (o:Organization {id: 'a'}) SET o.name = 'changed'",
        "MATCH (o:Organization) DETACH DELETE o",
        "CREATE INDEX whatever IF NOT EXISTS FOR (o:Organization) ON (o.name)",
        # Planned as a read, but the procedure writes: the read transaction stops it.
        "CALL db.createLabel('Sneaky')",
    ],
)
def test_read_query_refuses_writes(two_orgs, query):
    from ecograph.store.neo4j import QueryRefused

    with pytest.raises(QueryRefused, match="Only reads are allowed"):
        two_orgs.read_query(query, timeout_s=10, row_cap=10)
    assert two_orgs.counts()["organizations"] == 2
    assert two_orgs.organization("a").name == "Alpha Labs"


def test_read_query_caps_rows_and_time_and_reports_bad_queries(two_orgs):
    from ecograph.store.neo4j import QueryRefused

    _, rows, truncated = two_orgs.read_query("UNWIND range(1, 5000) AS i RETURN i", timeout_s=10, row_cap=100)
    assert len(rows) == 100 and truncated
    with pytest.raises(QueryRefused, match="more than 1 seconds"):
        two_orgs.read_query(
            "UNWIND range(1, 1000000) AS i UNWIND range(1, 1000000) AS j WITH i WHERE i * j = -1 RETURN count(i)",
            timeout_s=1,
            row_cap=10,
        )
    with pytest.raises(QueryRefused, match="Neo4j rejected the query"):
        two_orgs.read_query("MATCH (o:Organization RETURN o", timeout_s=10, row_cap=10)
    with pytest.raises(QueryRefused, match="Type a Cypher query"):
        two_orgs.read_query("  ;  ", timeout_s=10, row_cap=10)


def test_whole_store_reads_page_in_key_order(neo4j_store, monkeypatch):
    """Pages smaller than the store: every record once, organisations by id and ties by key
    across all types, as SQLite gives them."""
    from ecograph.ingest import write_records
    from ecograph.store import neo4j as module

    demo = generate(120, seed=4)
    write_records(neo4j_store, demo.organizations, demo.collaborations, file="demo")
    monkeypatch.setattr(module, "_PAGE_ROWS", 7)
    orgs = list(neo4j_store.organizations())
    ties = list(neo4j_store.collaborations())
    assert [o.id for o in orgs] == sorted(o.id for o in demo.organizations)
    assert set(orgs) == set(demo.organizations)
    assert [t.key for t in ties] == sorted(t.key for t in demo.collaborations)
    assert set(ties) == set(demo.collaborations)


@pytest.mark.parametrize("orgs", [100, 600])
def test_columnar_tables_equal_the_base_class_read_of_the_same_records(
    neo4j_store, sqlite_store, orgs, monkeypatch
):
    """Neo4jStore.tables() (paged columns, ends mapped once) gives what Store.tables() builds
    record by record from a store holding the same records, on a small and a demo store."""
    from ecograph.ingest import write_records
    from ecograph.store import neo4j as module
    from ecograph.store.base import Store

    demo = generate(orgs, seed=6)
    for store in (sqlite_store, neo4j_store):
        write_records(store, demo.organizations, demo.collaborations, file="demo")
    monkeypatch.setattr(module, "_PAGE_ROWS", 50)  # several pages of each label and type
    expected = Store.tables(sqlite_store)
    assert expected.collaborations.num_rows == len({t.key for t in demo.collaborations}) > 0
    assert neo4j_store.tables() == expected
