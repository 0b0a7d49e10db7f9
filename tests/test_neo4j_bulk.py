"""``ecograph load --bulk``: a first load through Neo4j's offline importer, all or nothing.

One provisioned server with auth on serves the module (the bulk path restarts it); its
database is emptied before each test. The files are small: what is tested is the route
(the same records, counts, checksum and history as a Bolt load; refusals; failures that
leave the database empty and the server running; no password anywhere), not its speed.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from neo4j_plugin import start_with_password

from ecograph import neo4j_server as srv
from ecograph.migrate import content_checksum
from ecograph.store import cypher
from ecograph.store.neo4j import Neo4jStore
from ecograph.synthetic import generate, write_csv

pytestmark = pytest.mark.neo4j

PASSWORD = "Bu1k:S3cret@Pa55/word"
# Values the importer's CSV must carry exactly: quotes, delimiters, a line break, the
# list separators of other formats, Vietnamese, an empty list.
AWKWARD_ORGS = (
    "id,name,kind,country,sectors,aliases,description,founded\n"
    'odd-1,"Công ty ""Sao Mai"", Hà Nội",company,VN,ai|iot,"A; B|C, ""D""","line one\nline two",1999\n'
    "odd-2,Viện Nghiên cứu Đồng bằng,research_institute,VN,,,,\n"
)
AWKWARD_TIES = (
    "source,target,kind,weight,start,amount,currency,evidence,id\n"
    'odd-1,odd-2,research,0.1,2021-03-04,1234.5,VND,"https://example.org/a,b?c=""d""",\n'
    "odd-2,odd-1,investment,2.5,,,,,inv-1\n"
)


def _clean(text: str) -> None:
    for form in (PASSWORD, quote(PASSWORD, safe=""), quote(PASSWORD)):
        assert form not in text


@pytest.fixture(scope="module")
def bulk_server(tmp_path_factory):
    """A provisioned server with auth on and a known password."""
    instance = tmp_path_factory.mktemp("neo4j-bulk")
    info = start_with_password(instance, PASSWORD, heap="1g", pagecache="256m")
    yield info
    srv.stop(instance=instance)


@pytest.fixture
def bulk_url(bulk_server, monkeypatch) -> str:
    """The module server's URL with the password in it, its database emptied."""
    for name in ("ECOGRAPH_NEO4J_USER", "ECOGRAPH_NEO4J_PASSWORD", "ECOGRAPH_NEO4J_DATABASE"):
        monkeypatch.delenv(name, raising=False)
    url = f"bolt://neo4j:{quote(PASSWORD, safe='')}@127.0.0.1:{bulk_server.port}"
    with Neo4jStore(url) as store:
        store.clear()
    return url


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> list[str]:
    folder = tmp_path_factory.mktemp("bulk-files")
    demo = [str(p) for p in write_csv(generate(400, seed=8), folder / "demo")]
    (folder / "odd-orgs.csv").write_text(AWKWARD_ORGS, encoding="utf-8")
    (folder / "odd-ties.csv").write_text(AWKWARD_TIES, encoding="utf-8")
    return [*demo, str(folder / "odd-orgs.csv"), str(folder / "odd-ties.csv")]


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    """The real command in a child process (the bulk path restarts servers: keep it apart)."""
    command = [sys.executable, "-c", "from ecograph.cli import main; main()", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)


def _stats(url: str) -> dict:
    result = _cli("stats", "--json", "--store", url)
    assert result.returncode == 0, result.stderr
    stats = json.loads(result.stdout)
    del stats["store"]
    stats["last_load"].pop("finished")
    return stats


def _provenance(store: Neo4jStore) -> list[tuple]:
    files = {b.id: b.file for b in store.batches()}
    return sorted(
        (p.record_type, p.record_key, files[p.batch_id], p.source, p.source_id) for p in store.provenance()
    )


def _counts(report: dict) -> tuple:
    """A load report's totals and each file's counts (not its times or batch id)."""
    files = [{k: v for k, v in f.items() if k.startswith(("file", "rows_", "organizations_", "collab"))}
             for f in report["files"]]  # fmt: skip
    return report["organizations"], report["collaborations"], files


def test_bulk_gives_what_a_bolt_load_gives(bulk_url, bulk_server, neo4j_store, neo4j_url, files):
    bulk = _cli("load", "--bulk", *files, "--store", bulk_url, "--json")
    assert bulk.returncode == 0, bulk.stderr
    _clean(bulk.stdout + bulk.stderr)
    bolt = _cli("load", *files, "--store", neo4j_url, "--json")
    assert bolt.returncode == 0, bolt.stderr
    assert _counts(json.loads(bulk.stdout)) == _counts(json.loads(bolt.stdout))
    assert json.loads(bulk.stdout)["store_version"] == 1

    assert _stats(bulk_url) == _stats(neo4j_url)
    with Neo4jStore(bulk_url) as there:
        assert content_checksum(there) == content_checksum(neo4j_store)
        assert there.tables() == neo4j_store.tables()
        assert _provenance(there) == _provenance(neo4j_store)
        assert there.identity() and there.store_version() == 1
        odd = there.organization("odd-1")
        assert odd.name == 'Công ty "Sao Mai", Hà Nội' and odd.description == "line one\nline two"
        assert odd.sectors == ("ai", "iot") and odd.aliases == ("A; B", 'C, "D"') and odd.founded == 1999
        assert there.organization("odd-2").sectors == ()
    # The imported store is a store like any other: the schema is there, the keys match.
    again = _cli("load", *files, "--store", bulk_url, "--json")
    assert again.returncode == 0, again.stderr
    for table in ("organizations", "collaborations"):
        counts = json.loads(again.stdout)[table]
        assert counts["inserted"] == counts["updated"] == 0 and counts["unchanged"] > 0, counts
    assert json.loads(again.stdout)["store_version"] == 1
    with Neo4jStore(bulk_url) as there, there._session() as session:
        names = {r["name"] for r in session.run("SHOW CONSTRAINTS YIELD name")}
        names |= {r["name"] for r in session.run("SHOW INDEXES YIELD name")}
    assert {statement.split()[2] for statement in cypher.SCHEMA} <= names
    _clean(Path(bulk_server.log).read_text(errors="replace"))


def test_bulk_of_public_data_writes_entity_resolutions_decisions_as_bolt_does(
    bulk_url, neo4j_store, neo4j_url
):
    ror = str(Path(__file__).parent / "data" / "ror" / "ror-data_schema_v2.json")
    bulk = _cli("load", "--bulk", ror, "--country", "VN", "--store", bulk_url, "--json")
    assert bulk.returncode == 0, bulk.stderr
    bolt = _cli("load", ror, "--country", "VN", "--store", neo4j_url, "--json")
    assert bolt.returncode == 0, bolt.stderr
    assert _stats(bulk_url) == _stats(neo4j_url)
    with Neo4jStore(bulk_url) as there:
        assert there.identifiers(), "a ROR load records its identifiers"
        assert there.identifiers() == neo4j_store.identifiers()
        assert there.tables() == neo4j_store.tables()
        assert _provenance(there) == _provenance(neo4j_store)
        assert there.store_version() == 1


def test_bulk_into_a_database_that_holds_data_is_refused_and_changes_nothing(bulk_url, bulk_server, files):
    small = _cli("load", files[2], "--store", bulk_url)
    assert small.returncode == 0, small.stderr
    before = _stats(bulk_url)
    pid = srv.status(instance=bulk_server.instance)["pid"]
    refused = _cli("load", "--bulk", *files, "--store", bulk_url)
    assert refused.returncode == 2
    assert refused.stderr.startswith("Error: --bulk loads only into an empty database")
    assert len(refused.stderr.strip().splitlines()) == 1 and refused.stdout == ""
    assert _stats(bulk_url) == before
    assert srv.status(instance=bulk_server.instance)["pid"] == pid, "the server was restarted"
    _clean(refused.stderr)


def test_bulk_refuses_a_server_ecograph_does_not_run(bulk_url, files, tmp_path):
    with socket.socket() as other:  # something else listening on a local port
        other.bind(("127.0.0.1", 0))
        other.listen()
        url = f"bolt://neo4j:{quote(PASSWORD, safe='')}@127.0.0.1:{other.getsockname()[1]}"
        refused = _cli("load", "--bulk", *files, "--store", url)
    assert refused.returncode == 2
    assert "ecograph provisions" in refused.stderr and len(refused.stderr.strip().splitlines()) == 1
    _clean(refused.stderr)
    sqlite = _cli("load", "--bulk", *files, "--store", f"sqlite:///{tmp_path / 'x.db'}")
    assert sqlite.returncode == 2 and "ecograph provisions" in sqlite.stderr
    assert not (tmp_path / "x.db").exists()


def _importer(instance: Path) -> int | None:
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            args = (proc / "cmdline").read_bytes().split(b"\0")
            if b"org.neo4j.cli.AdminTool" in args and Path(os.readlink(proc / "cwd")) == Path(instance):
                return int(proc.name)
        except OSError:
            continue
    return None


def test_a_killed_importer_leaves_the_database_empty_and_the_server_running(bulk_url, bulk_server, files):
    command = [sys.executable, "-c", "from ecograph.cli import main; main()", "load", "--bulk", *files]
    loader = subprocess.Popen([*command, "--store", bulk_url], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)  # fmt: skip
    deadline = time.monotonic() + 300
    while (pid := _importer(bulk_server.instance)) is None:
        assert loader.poll() is None, loader.communicate()
        assert time.monotonic() < deadline, "never saw the importer"
        time.sleep(0.02)
    # It starts when the store opens and waits for its arguments: killed once it imports.
    logs = Path(bulk_server.instance).glob(".ecograph-bulk-*/import.log")
    while not any(b"Import starting" in log.read_bytes() for log in logs):
        assert loader.poll() is None, loader.communicate()
        assert time.monotonic() < deadline, "never saw the import start"
        time.sleep(0.01)
        logs = Path(bulk_server.instance).glob(".ecograph-bulk-*/import.log")
    environment = Path(f"/proc/{pid}/environ").read_bytes().decode(errors="replace")
    os.kill(pid, signal.SIGKILL)
    out, err = loader.communicate(timeout=300)
    assert loader.returncode == 3, err
    assert err.startswith("Error: Neo4j's importer was stopped") and len(err.strip().splitlines()) == 1
    assert "empty and running as before" in err
    _clean(out + err + environment)
    state = srv.status(instance=bulk_server.instance)
    assert state["running"] and state["listening"]
    with Neo4jStore(bulk_url) as store:
        assert store.counts()["organizations"] == 0 and store.batches() == [] and store.store_version() == 0
    assert not list(Path(bulk_server.instance).glob(".ecograph-bulk-*")), "the private folder stayed"


def test_a_failure_after_the_swap_puts_the_empty_database_back(bulk_url, bulk_server, files, monkeypatch):
    from click.testing import CliRunner

    from ecograph.cli import main

    ensure_schema = Neo4jStore._ensure_schema

    def fail(self, **how):  # the schema on the imported database (not on the empty one, at open)
        if self.counts()["organizations"]:
            raise RuntimeError("the schema failed")
        ensure_schema(self, **how)

    monkeypatch.setattr(Neo4jStore, "_ensure_schema", fail)
    result = CliRunner().invoke(main, ["load", "--bulk", *files, "--store", bulk_url], catch_exceptions=False)
    assert result.exit_code == 3
    assert "the schema failed" in result.stderr and "empty and running as before" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    _clean(result.output)
    state = srv.status(instance=bulk_server.instance)
    assert state["running"] and state["listening"]
    with Neo4jStore(bulk_url) as store:
        assert store.counts()["organizations"] == 0 and store.batches() == []
    monkeypatch.undo()
    loaded = _cli("load", "--bulk", *files, "--store", bulk_url)  # the server takes a bulk load again
    assert loaded.returncode == 0, loaded.stderr


def test_a_large_bolt_first_load_into_a_provisioned_server_says_bulk_exists(bulk_url, files, monkeypatch):
    from click.testing import CliRunner

    from ecograph.cli import main
    from ecograph.store import neo4j_bulk

    monkeypatch.setattr(neo4j_bulk, "BULK_HINT_ROWS", 100)
    first = CliRunner().invoke(main, ["load", *files[:2], "--store", bulk_url], catch_exceptions=False)
    assert first.exit_code == 0, first.output
    assert "`ecograph load --bulk`" in first.stderr
    again = CliRunner().invoke(main, ["load", *files[:2], "--store", bulk_url], catch_exceptions=False)
    assert again.exit_code == 0 and "--bulk" not in again.stderr
    monkeypatch.setattr(neo4j_bulk, "BULK_HINT_ROWS", 10**9)
    with Neo4jStore(bulk_url) as store:
        store.clear()
    quiet = CliRunner().invoke(main, ["load", *files[:2], "--store", bulk_url], catch_exceptions=False)
    assert quiet.exit_code == 0 and "--bulk" not in quiet.stderr


def test_a_bulk_load_returns_before_its_indexes_are_online_and_the_next_open_waits(bulk_url, files):
    from ecograph.store import neo4j_bulk

    loaded = _cli("load", "--bulk", *files, "--store", bulk_url)
    assert loaded.returncode == 0, loaded.stderr
    with Neo4jStore(bulk_url) as there, there._session() as session:
        states = {r["name"]: r["state"] for r in session.run(cypher.INDEX_STATES)}
    assert set(states.values()) == {"ONLINE"}, states

    class Session:  # what an open finds while the import's indexes are still populating
        def __init__(self, state: str) -> None:
            self.state, self.ran = state, []

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def run(self, query: str):
            self.ran.append(query)
            names = [statement.split()[2] for statement in cypher.SCHEMA]
            if query == cypher.INDEX_STATES:
                return [{"name": name, "state": self.state} for name in names]
            if query.startswith("SHOW CONSTRAINTS"):
                return [{"name": name} for name in names]
            return type("Result", (), {"consume": lambda self: None})()

    for state, waits in (("POPULATING", True), ("ONLINE", False)):
        session = Session(state)
        store = Neo4jStore.__new__(Neo4jStore)
        store._session = lambda write=False, session=session: session
        store._ensure_schema(wait=False)
        assert (cypher.AWAIT_INDEXES in session.ran) == waits, (state, session.ran)
    # A value too long for a range index would fail its population: that load waits for it.
    import pyarrow as pa

    nodes = pa.table({"name": ["a" * 4_001], "name_key": ["a"]})
    assert neo4j_bulk._too_long_to_index(nodes, pa.table({"key": ["k"]}))
    assert not neo4j_bulk._too_long_to_index(
        nodes.set_column(0, "name", pa.array(["a"])), pa.table({"key": ["k"]})
    )


def test_a_bulk_load_whose_index_cannot_be_populated_leaves_the_database_empty(
    bulk_url, bulk_server, tmp_path
):
    # A name longer than a range index entry holds (8,167 bytes): Bolt refuses it in the
    # write; the import takes it, and the name index's population fails after the restart.
    long = tmp_path / "long.csv"
    long.write_text(f"id,name,kind,country\nlong-1,{'n' * 9_000},company,VN\nshort-1,Short,company,VN\n")
    failed = _cli("load", "--bulk", str(long), "--store", bulk_url)
    assert failed.returncode == 3, failed.stderr
    assert "empty and running as before" in failed.stderr
    assert len(failed.stderr.strip().splitlines()) == 1
    _clean(failed.stdout + failed.stderr)
    state = srv.status(instance=bulk_server.instance)
    assert state["running"] and state["listening"]
    with Neo4jStore(bulk_url) as store:
        assert store.counts()["organizations"] == 0 and store.batches() == []


def test_provenance_without_origins_is_chunked_as_a_bolt_load_chunks_it():
    from ecograph.model import Collaboration, Organization
    from ecograph.report import LoadBatch
    from ecograph.store.base import WritePart
    from ecograph.store.neo4j_bulk import _ARRAY_DELIMITER, _BulkStore

    orgs = [Organization(id=f"o{i % 7}", name=f"Org {i}", kind="company", country="VN") for i in range(12)]
    ties = [Collaboration(source="o1", target=f"o{i}", kind="research", id=f"t{i % 5}") for i in range(2, 7)]
    store = _BulkStore.__new__(_BulkStore)
    store.batch_size = 3  # chunks of three keys: some full, one not, keys given twice once each
    for sources in ({}, {("organization", "o2"): ("ror", "x")}):
        part = WritePart(LoadBatch(file="f.csv"), orgs, ties, sources)
        bolt = store._provenance_chunks(part.batch.id, part)
        assert store._provenance_rows(part) == [{**r, "keys": _ARRAY_DELIMITER.join(r["keys"])} for r in bolt]
        assert len(bolt) == 3 + 2


def test_the_importers_tables_refuse_a_tie_to_an_unknown_organisation_and_number_the_ends():
    from ecograph.errors import IntegrityError
    from ecograph.model import Collaboration, Organization
    from ecograph.report import LoadBatch
    from ecograph.store.base import WritePart
    from ecograph.store.neo4j_bulk import _BulkStore

    orgs = [Organization(id=f"o{i}", name=f"Org {i}", kind="company", country="VN") for i in range(3)]
    store = _BulkStore.__new__(_BulkStore)
    store.url = "bolt://127.0.0.1:7687"
    ties = [Collaboration(source="o2", target="o0", kind="research"), Collaboration("o1", "o2", "mou")]
    nodes, relationships = store._import_tables([WritePart(LoadBatch(file="f.csv"), orgs, ties)])
    assert nodes["id"].to_pylist() == ["o0", "o1", "o2"] and nodes[":ID"].to_pylist() == [0, 1, 2]
    ends = sorted(
        zip(relationships[":START_ID"].to_pylist(), relationships[":END_ID"].to_pylist(), strict=True)
    )
    assert ends == [(0, 2), (1, 2)]  # undirected ties are kept with their ends in id order
    ties += [Collaboration("o1", "x9", "research"), Collaboration("x8", "o0", "research")]
    with pytest.raises(
        IntegrityError, match=r"o1 -> x9 \(research\) refers to unknown organisation 'x9' and 1 more"
    ):
        store._import_tables([WritePart(LoadBatch(file="f.csv"), orgs, ties)])


@pytest.mark.parametrize("how", ["--dry-run", "invalid"])
def test_a_bulk_load_that_imports_nothing_stops_its_waiting_importer(
    bulk_url, bulk_server, files, tmp_path, how
):
    if how == "--dry-run":
        result = _cli("load", "--bulk", "--dry-run", *files, "--store", bulk_url)
        assert result.returncode == 0, result.stderr
    else:
        bad = tmp_path / "bad.csv"
        bad.write_text("id,name,kind,country\nx-1,X,no-such-kind,VN\n")
        result = _cli("load", "--bulk", str(bad), "--store", bulk_url)
        assert result.returncode not in (0, 3), result.stderr
    assert _importer(bulk_server.instance) is None, "the importer outlived the load"
    assert not list(Path(bulk_server.instance).glob(".ecograph-bulk-*")), "the private folder stayed"
    with Neo4jStore(bulk_url) as store:
        assert store.counts()["organizations"] == 0
