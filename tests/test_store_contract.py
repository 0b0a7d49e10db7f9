"""The store contract, run unchanged on every kind of store (the ``store`` fixture)."""

import dataclasses
import json
import os
import pwd
import re
import resource
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path

import pytest

from ecograph.errors import IntegrityError
from ecograph.model import Collaboration, Organization
from ecograph.report import LoadBatch
from ecograph.store import WritePart, cypher, open_store
from ecograph.store.sqlite import SqliteStore

HUST = Organization("hust", "Đại học Bách khoa Hà Nội", "university", "VN", province="Hà Nội",
                    sectors=("ai", "semiconductors"), founded=1956, aliases=("HUST",))  # fmt: skip
LOTUS = Organization("lotus", "Lotus AI Labs", "startup", "VN", province="Đà Nẵng", sectors=("ai",))
KAIST = Organization("kaist-x", "Daejeon Institute of Science", "research_institute", "KR")
TIES = [
    Collaboration("hust", "lotus", "research", weight=2.0, start="2021", evidence="https://example.org/1"),
    Collaboration("lotus", "hust", "spin_off", start="2019-05-01"),
    Collaboration("kaist-x", "hust", "co_publication", weight=0.5, start="2023", end="2024"),
]

AWKWARD_NAMES = [
    "O'Brien & Partners",
    'The "Quoted" Lab',
    "Semi;colon Ventures",
    "<script>alert(1)</script>",
    "=cmd|' /C calc'!A0",
    "x'}) DETACH DELETE n //",
    '"; MATCH (n) DETACH DELETE n;',
    "Back`tick` Labs",
    "Viện Nghiên cứu Đồng bằng Sông Cửu Long",
]


def write(store, orgs=(), ties=(), file="f.csv", **kwargs):
    return store.write([WritePart(LoadBatch(file), list(orgs), list(ties))], **kwargs)[0]


def test_empty_store(store):
    assert store.store_version() == 0
    assert store.counts()["organizations"] == 0
    assert store.batches() == []
    assert store.snapshot().number_of_nodes() == 0


def test_write_counts_and_reads_back_everything(store):
    batch = write(store, [HUST, LOTUS, KAIST], TIES)
    assert (batch.organizations_inserted, batch.collaborations_inserted) == (3, 3)
    assert batch.finished is not None
    assert list(store.organizations()) == sorted([HUST, LOTUS, KAIST], key=lambda o: o.id)
    assert sorted(store.collaborations(), key=lambda t: t.key) == sorted(TIES, key=lambda t: t.key)
    assert store.organization("hust") == HUST
    assert store.organization("nobody") is None
    assert store.existing_ids(["hust", "nobody", "kaist-x"]) == {"hust", "kaist-x"}
    counts = store.counts()
    assert counts["organizations"] == 3 and counts["collaborations"] == 3
    assert counts["by_category"] == {"foreign_partner": 1, "startup": 1, "university": 1}
    assert counts["by_kind"] == {"research_institute": 1, "startup": 1, "university": 1}
    assert counts["by_tie_kind"] == {"co_publication": 1, "research": 1, "spin_off": 1}


def test_same_write_twice_is_unchanged_and_keeps_the_version(store):
    write(store, [HUST, LOTUS, KAIST], TIES)
    version = store.store_version()
    assert version > 0
    again = write(store, [HUST, LOTUS, KAIST], TIES, file="again.csv")
    assert (again.organizations_unchanged, again.collaborations_unchanged) == (3, 3)
    assert again.organizations_inserted == again.organizations_updated == 0
    assert again.collaborations_inserted == again.collaborations_updated == 0
    assert store.store_version() == version
    assert [b.file for b in store.batches()] == ["f.csv", "again.csv"]
    assert store.counts()["collaborations"] == 3


def test_a_changed_field_is_an_update_and_bumps_the_version(store):
    write(store, [HUST, LOTUS], TIES[:2])
    version = store.store_version()
    renamed = Organization(**{**HUST.as_dict(), "name": "HUST", "sectors": ("ai",)})
    heavier = Collaboration(**{**TIES[0].as_dict(), "weight": 3.0})
    batch = write(store, [renamed, LOTUS], [heavier])
    assert (batch.organizations_updated, batch.organizations_unchanged) == (1, 1)
    assert batch.collaborations_updated == 1
    assert store.store_version() > version
    assert store.organization("hust").name == "HUST"
    assert store.organization("hust").sectors == ("ai",)


def test_a_mutual_tie_written_the_other_way_round_is_the_same_tie(store):
    write(store, [HUST, LOTUS], [TIES[0]])
    reverse = Collaboration(
        "lotus", "hust", "research", weight=2.0, start="2021", evidence="https://example.org/1"
    )
    batch = write(store, [], [reverse])
    assert batch.collaborations_unchanged == 1
    assert store.counts()["collaborations"] == 1


def test_organisations_are_written_before_ties_whatever_the_part_order(store):
    ties_first = WritePart(LoadBatch("ties.csv"), [], TIES)
    orgs_second = WritePart(LoadBatch("orgs.csv"), [HUST, LOTUS, KAIST], [])
    batches = store.write([ties_first, orgs_second])
    assert batches[0].collaborations_inserted == 3
    assert batches[1].organizations_inserted == 3


def test_a_record_given_in_two_parts_of_a_first_write_counts_in_each_and_the_last_is_kept(store):
    # On an empty store Neo4j plans a table without comparing rows only when no key repeats.
    renamed = dataclasses.replace(HUST, name="HUST, renamed")
    heavier = Collaboration("hust", "lotus", "research", weight=5.0, start="2021")  # TIES[0]'s key
    first = WritePart(LoadBatch("a.csv"), [HUST, LOTUS], [TIES[0]])
    second = WritePart(LoadBatch("b.csv"), [renamed], [heavier, TIES[1]])
    batches = store.write([first, second])
    assert [b.organizations_inserted for b in batches] == [2, 1]
    assert [b.collaborations_inserted for b in batches] == [1, 2]
    assert store.organization("hust").name == "HUST, renamed"
    assert store.counts()["organizations"] == 2 and store.counts()["collaborations"] == 2
    assert {t.kind: t.weight for t in store.collaborations()}["research"] == 5.0


def test_a_tie_to_an_unknown_organisation_writes_nothing(store):
    write(store, [HUST])
    version = store.store_version()
    with pytest.raises(IntegrityError):
        write(store, [LOTUS], [Collaboration("hust", "ghost", "mou")])
    assert store.store_version() == version
    assert store.organization("lotus") is None
    assert len(store.batches()) == 1


def test_dry_run_counts_but_changes_nothing(store):
    write(store, [HUST])
    version = store.store_version()
    batch = write(store, [HUST, LOTUS], [TIES[0]], dry_run=True)
    assert (batch.organizations_inserted, batch.organizations_unchanged) == (1, 1)
    assert batch.collaborations_inserted == 1
    assert store.store_version() == version
    assert store.organization("lotus") is None
    assert len(store.batches()) == 1


def test_provenance_records_every_batch_a_record_came_from(store):
    first = write(store, [HUST, LOTUS], [TIES[0]], file="a.csv")
    second = write(store, [HUST], [], file="b.csv")
    entries = {(p.record_type, p.record_key, p.batch_id) for p in store.provenance()}
    assert ("organization", "hust", first.id) in entries
    assert ("organization", "hust", second.id) in entries
    assert ("organization", "lotus", second.id) not in entries
    assert ("collaboration", TIES[0].key, first.id) in entries


def test_source_ids_are_kept_with_provenance(store):
    part = WritePart(
        LoadBatch("ror.json"),
        [HUST],
        [],
        sources={("organization", "hust"): ("ror", "https://ror.org/04kq4sq72")},
    )
    store.write([part])
    (entry,) = [p for p in store.provenance() if p.record_key == "hust"]
    assert (entry.source, entry.source_id) == ("ror", "https://ror.org/04kq4sq72")


def test_a_batch_keeps_its_sources_licence_and_release(store):
    terms = {"source": "ror", "name": "ROR", "licence": "CC0 1.0", "release": "v2.0 (2025-12-16)"}
    store.write([WritePart(LoadBatch("ror.zip/ror.json", terms=terms), [HUST], [])])
    write(store, [LOTUS], file="own.csv")
    assert [b.terms for b in store.batches()] == [terms, None]


def test_snapshot_has_every_attribute_and_is_cached_per_version(store):
    write(store, [HUST, LOTUS, KAIST], TIES)
    G = store.snapshot()
    assert G is store.snapshot()
    assert G.graph["store_version"] == store.store_version()
    assert G.nodes["hust"]["name"] == HUST.name
    assert G.nodes["hust"]["sectors"] == ("ai", "semiconductors")
    assert G.nodes["kaist-x"]["category"] == "foreign_partner"
    assert G.number_of_edges() == 3
    edge = G.edges["hust", "kaist-x", TIES[2].key]  # mutual ties keep their ends sorted
    assert (edge["kind"], edge["weight"], edge["year"], edge["end"]) == (
        "co_publication",
        0.5,
        2023,
        "2024",
    )
    write(store, [Organization(**{**LOTUS.as_dict(), "city": "Hải Châu"})])
    assert store.snapshot() is not G
    assert store.snapshot().nodes["lotus"]["city"] == "Hải Châu"


def test_snapshot_is_the_graph_of_the_records_in_their_order(store):
    from ecograph.snapshot import build_snapshot
    from ecograph.synthetic import generate

    demo = generate(120, seed=5)
    write(store, demo.organizations, demo.collaborations)
    G = store.snapshot()
    H = build_snapshot(
        store.organizations(),
        store.collaborations(),
        store.home_country,
        store_version=store.store_version(),
        store_url=store.url,
    )
    assert G.graph == H.graph
    # The same nodes and ties in the same order, with the same attributes of the same types.
    assert list(G.nodes(data=True)) == list(H.nodes(data=True))
    assert list(G.edges(keys=True, data=True)) == list(H.edges(keys=True, data=True))
    types = {(k, type(x)) for _, d in G.nodes(data=True) for k, x in d.items()}
    assert types == {(k, type(x)) for _, d in H.nodes(data=True) for k, x in d.items()}
    types = {(k, type(x)) for *_, d in G.edges(keys=True, data=True) for k, x in d.items()}
    assert types == {(k, type(x)) for *_, d in H.edges(keys=True, data=True) for k, x in d.items()}


def test_tables_hold_every_record_as_declared_columns(store):
    from ecograph.model import (
        COLLABORATION_SCHEMA,
        ORGANIZATION_SCHEMA,
        collaborations_from,
        organizations_from,
    )

    empty = store.tables()
    assert (empty.organizations.num_rows, empty.collaborations.num_rows) == (0, 0)
    assert empty.organizations.schema == ORGANIZATION_SCHEMA
    write(store, [HUST, LOTUS, KAIST], TIES)
    tables = store.tables()
    assert tables.organizations.schema == ORGANIZATION_SCHEMA
    assert tables.collaborations.schema == COLLABORATION_SCHEMA
    assert organizations_from(tables.organizations) == list(store.organizations())
    assert collaborations_from(tables.collaborations) == list(store.collaborations())
    assert tables.organizations["id"].to_pylist() == ["hust", "kaist-x", "lotus"]
    assert tables.collaborations["key"].to_pylist() == sorted(t.key for t in TIES)


@pytest.mark.parametrize("name", AWKWARD_NAMES)
def test_names_are_stored_verbatim(store, name):
    odd = Organization("odd-1", name, "company", "VN", description=name, aliases=(name,))
    write(store, [HUST, odd], [Collaboration("hust", "odd-1", "training", evidence=name)])
    assert store.organization("odd-1") == odd
    assert store.organization("hust") == HUST
    assert next(iter(store.collaborations())).evidence == name
    assert store.counts()["organizations"] == 2


def test_import_history_and_clear(store):
    write(store, [HUST], [], file="a.csv")
    batches = store.batches()
    provenance = list(store.provenance())
    store.clear()
    assert store.counts()["organizations"] == 0 and store.batches() == [] and store.store_version() == 0
    write(store, [HUST])
    store.import_history(batches, provenance)
    assert batches[0].id in {b.id for b in store.batches()}
    assert {p.batch_id for p in store.provenance()} >= {batches[0].id}


# -- identity: one state of one store ----------------------------------------------------------


def test_identity_comes_with_the_first_write_and_stays(store):
    assert store.identity() == ""
    write(store, [HUST])
    first = store.identity()
    assert re.fullmatch(r"[0-9a-f]{32}", first)
    write(store, [LOTUS], file="b.csv")
    with open_store(store.url) as again:
        assert again.identity() == first


def test_a_store_built_again_has_a_new_identity_though_its_version_repeats(store):
    write(store, [HUST])
    first, G = (store.identity(), store.store_version()), store.snapshot()
    store.clear()
    write(store, [LOTUS])
    assert store.store_version() == first[1] == 1  # same version: only the identity tells them apart
    assert store.identity() not in ("", first[0])
    assert list(store.snapshot()) == ["lotus"] and store.snapshot() is not G


# -- reading never writes ----------------------------------------------------------------------


@contextmanager
def _write_lock_held(store):
    """Another process in the middle of a load: SQLite's write lock, the Neo4j meta node's lock."""
    if isinstance(store, SqliteStore):
        db = sqlite3.connect(store.path, isolation_level=None)
        db.execute("BEGIN IMMEDIATE")
        db.execute("UPDATE organizations SET name = 'uncommitted'")
        try:
            yield
        finally:
            db.execute("ROLLBACK")
            db.close()
        return
    from neo4j import GraphDatabase

    with GraphDatabase.driver(store.url, auth=None) as driver, driver.session() as session:
        tx = session.begin_transaction()
        tx.run(cypher.LOCK_META, key="store", identity="x").consume()
        tx.run("MATCH (o:Organization) SET o.name = 'uncommitted'").consume()
        try:
            yield
        finally:
            tx.rollback()


def test_readers_open_and_read_while_a_load_holds_the_write_lock(store):
    write(store, [HUST, LOTUS], TIES[:1])
    with _write_lock_held(store), open_store(store.url) as reader:
        assert reader.counts()["organizations"] == 2
        assert reader.organization("hust") == HUST  # the last commit, not the load in progress
        assert reader.snapshot().number_of_edges() == 1


@pytest.mark.parametrize(
    ("kind", "url"),
    [("sqlite", "sqlite:///{tmp}/no-such-folder/x.db"), ("neo4j", "neo4j://nonexistent.invalid:7687")],
)
def test_an_unreachable_store_is_one_line_and_exit_3(cli, tmp_path, kind, url):
    result = cli("stats", "--store", url.format(tmp=tmp_path))
    assert result.exit_code == 3
    assert result.stderr.startswith("Error: ") and result.stderr.count("\n") == 1, result.stderr
    assert (
        "does not exist" if kind == "sqlite" else "cannot reach Neo4j at neo4j://nonexistent.invalid"
    ) in (result.stderr)


# -- SQLite: a file the reader may not write ---------------------------------------------------


def _as_someone_else(work):
    """*work()*'s result, run as a user who may not write the store (``nobody`` when the
    tests run as root, who may write anything; else this user, after chmod)."""
    if os.geteuid() != 0:
        return work()
    read, written = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - the child reports through the pipe
        try:
            nobody = pwd.getpwnam("nobody")
            os.setgid(nobody.pw_gid)
            os.setuid(nobody.pw_uid)
            outcome = ("ok", work())
        except BaseException as exc:
            outcome = ("error", f"{type(exc).__name__}: {exc}")
        os.write(written, json.dumps(outcome).encode())
        os._exit(0)
    os.close(written)
    with os.fdopen(read) as fh:
        status, value = json.loads(fh.read() or '["error", "no answer"]')
    os.waitpid(child, 0)
    assert status == "ok", value
    return value


@pytest.mark.parametrize("folder_mode", [0o777, 0o555], ids=["writable-folder", "read-only-folder"])
def test_sqlite_reads_a_store_file_it_may_not_write(folder_mode):
    folder = Path(
        tempfile.mkdtemp(prefix="ecograph-ro-")
    )  # not under a private tmp_path: another user reads it
    try:
        folder.chmod(0o755)
        url = f"sqlite:///{folder / 'shared.db'}"
        with SqliteStore(url) as writer:
            write(writer, [HUST, LOTUS], TIES[:1])
        (folder / "shared.db").chmod(0o444)
        folder.chmod(folder_mode)

        def read() -> list:
            with SqliteStore(url) as reader:
                return [
                    reader.counts()["organizations"],
                    reader.snapshot().number_of_edges(),
                    reader.identity(),
                ]

        organizations, edges, identity = _as_someone_else(read)
        assert (organizations, edges) == (2, 1) and identity
    finally:
        folder.chmod(0o755)
        shutil.rmtree(folder)


def test_sqlite_opening_a_missing_file_creates_nothing(tmp_path):
    path = tmp_path / "typo.db"
    with SqliteStore(f"sqlite:///{path}") as store:
        assert store.counts()["organizations"] == 0 and store.identity() == "" and store.batches() == []
    assert not path.exists()
    with SqliteStore(f"sqlite:///{path}") as store:
        write(store, [HUST])  # the first write creates it
    assert path.is_file()


@pytest.mark.parametrize("existing", [False, True], ids=["new-store", "existing-store"])
def test_sqlite_write_on_a_full_disk_is_one_line_and_writes_nothing(tmp_path, existing):
    url = f"sqlite:///{tmp_path / 'small.db'}"
    rows = "".join(f"org-{i},Organisation {i} {'x' * 80},company\n" for i in range(3000))
    (tmp_path / "orgs.csv").write_text("id,name,kind\n" + rows, encoding="utf-8")
    room = 32 * 1024
    if existing:
        with SqliteStore(url) as store:
            write(store, [HUST])
        room += (tmp_path / "small.db").stat().st_size

    def small_disk() -> None:  # no file may grow past *room*: a full disk, as SQLite meets it
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (room, room))

    result = subprocess.run(
        [sys.executable, "-c", "from ecograph.cli import main; main()", "load", "orgs.csv", "--store", url],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        preexec_fn=small_disk,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)},
        timeout=120,
    )
    assert result.returncode == 3, result.stderr
    assert result.stderr.startswith(f"Error: {url}: ") and result.stderr.count("\n") == 1, result.stderr
    assert result.stderr.rstrip().endswith("nothing was written")
    with SqliteStore(url) as store:
        assert store.counts()["organizations"] == int(existing)


def test_sqlite_an_older_layout_is_read_as_it_is_and_upgraded_by_the_first_write(tmp_path):
    """A store of schema 2 (before entity resolution) reads without being changed; the first
    write adds the tables it lacks."""
    url = f"sqlite:///{tmp_path / 'old.db'}"
    with SqliteStore(url) as store:
        write(store, [HUST, LOTUS], TIES[:1])
    db = sqlite3.connect(tmp_path / "old.db", isolation_level=None)
    for table in ("identifiers", "rewrites", "candidates", "merges"):
        db.execute(f"DROP TABLE {table}")
    db.execute("PRAGMA user_version = 2")
    db.close()
    before = (tmp_path / "old.db").read_bytes()
    with SqliteStore(url) as store:
        assert store.counts()["organizations"] == 2
        assert store.identifiers() == [] and store.candidates() == [] and store.merges() == []
        assert store.snapshot().number_of_edges() == 1
    assert (tmp_path / "old.db").read_bytes() == before  # reading changed nothing
    with SqliteStore(url) as store:
        write(store, [KAIST], file="new.csv")
        assert store.identifiers() == []
    db = sqlite3.connect(tmp_path / "old.db")
    tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert db.execute("PRAGMA user_version").fetchone()[0] == 4 and "identifiers" in tables
    db.close()


# -- saved snapshots -------------------------------------------------------------------------


def _saved(name, data=b"\x00payload\xff", version=3):
    from ecograph.saved_snapshots import SavedSnapshot

    return SavedSnapshot(name, f"2026-01-0{version}T00:00:00.000+00:00", version, 3, 2, data)


def test_saved_snapshots_are_kept_listed_read_and_deleted(store):
    from ecograph.saved_snapshots import SnapshotExists

    write(store, [HUST, LOTUS, KAIST], TIES)
    version = store.store_version()
    store.save_snapshot(_saved("after", version=2))
    store.save_snapshot(_saved("before", data=bytes(range(256)) * 4000, version=1))
    assert store.store_version() == version  # a snapshot is no change of data
    assert [s.name for s in store.saved_snapshots()] == ["before", "after"]  # oldest first
    assert all(s.data is None for s in store.saved_snapshots())
    got = store.saved_snapshot("before")
    assert got.data == bytes(range(256)) * 4000 and got.organizations == 3 and got.collaborations == 2
    assert store.saved_snapshot("nope") is None
    with pytest.raises(SnapshotExists) as caught:
        store.save_snapshot(_saved("after", data=b"other"))
    assert "--replace" in str(caught.value) and store.saved_snapshot("after").data == b"\x00payload\xff"
    store.save_snapshot(_saved("after", data=b"other", version=4), replace=True)
    assert store.saved_snapshot("after").data == b"other" and store.saved_snapshot("after").store_version == 4
    assert store.delete_snapshot("before") and not store.delete_snapshot("before")
    assert [s.name for s in store.saved_snapshots()] == ["after"]
    store.clear()
    assert store.saved_snapshots() == []


@pytest.mark.parametrize("name", AWKWARD_NAMES)
def test_a_snapshot_name_is_a_value_never_part_of_a_statement(store, name):
    store.save_snapshot(_saved(name))
    assert [s.name for s in store.saved_snapshots()] == [name]
    assert store.saved_snapshot(name).name == name and store.delete_snapshot(name)


def test_a_captured_snapshot_rebuilds_the_graph_of_its_time(store):
    from ecograph.saved_snapshots import capture, graph

    write(store, [HUST, LOTUS], TIES[:2])
    saved = capture(store, "two")
    store.save_snapshot(saved)
    write(store, [KAIST], TIES[2:])
    G = graph(store.saved_snapshot("two"), store.snapshot())
    assert sorted(G) == ["hust", "lotus"] and sorted(k for *_, k in G.edges(keys=True)) == sorted(
        t.key for t in TIES[:2]
    )
    assert G.nodes["hust"]["name"] == HUST.name and G.graph["state"] == "two"
