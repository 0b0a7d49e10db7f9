"""The load path's own promises: compressed files, text hygiene, the limits of a row, a full
disk, scratch files, progress, and large loads first and again."""

from __future__ import annotations

import gzip
import json
import os
import pty
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ecograph
from ecograph.migrate import content_checksum
from ecograph.model import Organization
from ecograph.report import LoadBatch
from ecograph.store import WritePart
from ecograph.store.sqlite import SqliteStore
from ecograph.store.sqlite_write import STAGE_PREFIX
from ecograph.synthetic import generate, write_csv

ROOT = Path(__file__).resolve().parent.parent
ORGS = "id,name,kind,country\nhust,Đại học Bách khoa Hà Nội,university,VN\nlotus,Lotus AI,startup,VN\n"
TIES = "source,target,kind,weight,start\nhust,lotus,research,2,2021\n"
JSONL = (
    '{"type": "organization", "id": "kx", "name": "KX", "kind": "company", "country": "KR"}\n'
    '{"type": "collaboration", "source": "kx", "target": "hust", "kind": "mou"}\n'
)


@pytest.fixture(scope="module")
def demo_files(tmp_path_factory) -> tuple[Path, Path]:
    return write_csv(generate(orgs=400, seed=3), tmp_path_factory.mktemp("demo"))


def _summary(url: str) -> tuple:
    with SqliteStore(url) as store:
        return content_checksum(store), store.counts(), store.store_version(), len(store.batches())


def _pack(path: Path, how: str) -> Path:
    if how == "gz":
        packed = path.with_name(path.name + ".gz")
        packed.write_bytes(gzip.compress(path.read_bytes()))
    else:
        packed = path.with_name(path.name + ".zip")
        with zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.write(path, path.name)
    return packed


@pytest.mark.parametrize("how", ["gz", "zip"])
def test_compressed_csv_and_json_lines_load_as_the_plain_files(write, tmp_path, how):
    plain = [write("orgs.csv", ORGS), write("ties.csv", TIES), write("more.jsonl", JSONL)]
    expected = ecograph.load(plain, store=f"sqlite:///{tmp_path / 'plain.db'}")
    packed = [_pack(p, how) for p in plain]
    report = ecograph.load(packed, store=f"sqlite:///{tmp_path / 'packed.db'}")
    assert report.totals() == expected.totals()
    assert [b.format for b in report.batches] == ["organizations-csv", "collaborations-csv", "jsonl"]
    assert (
        _summary(f"sqlite:///{tmp_path / 'packed.db'}")[:2]
        == _summary(f"sqlite:///{tmp_path / 'plain.db'}")[:2]
    )


def test_a_zip_of_canonical_files_loads_as_the_folder_of_its_files(write, tmp_path):
    plain = [write("orgs.csv", ORGS), write("ties.csv", TIES)]
    archive = tmp_path / "two.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as out:
        out.writestr("b/ties.csv", TIES)  # organisations load first whatever the order
        out.writestr("a/orgs.csv", ORGS)
        out.writestr("README.txt", "not a load\n")
    expected = ecograph.load(plain, store=f"sqlite:///{tmp_path / 'plain.db'}")
    report = ecograph.load([archive], store=f"sqlite:///{tmp_path / 'zip.db'}")
    assert report.totals() == expected.totals()
    assert [b.file for b in report.batches] == [f"{archive}/b/ties.csv", f"{archive}/a/orgs.csv"]
    assert [b.sha256 for b in report.batches] == [b.sha256 for b in reversed(expected.batches)]
    assert any("left out 1 other file (README.txt)" in n for n in report.notes)


def test_a_column_named_twice_rejects_the_file_naming_it(cli, write, sqlite_url):
    path = write("orgs.csv", "id,name,kind, Name \na,A,startup,B\n")
    result = cli("load", str(path), "--store", sqlite_url)
    assert result.exit_code == 1
    assert result.stderr.splitlines()[1] == (
        f"  {path}:1: name: the header names column 'name' twice; expected each column once"
    )


def test_a_field_over_16_mib_is_one_line_and_exit_1(cli, write, sqlite_url):
    path = write(
        "big.csv", "id,name,kind,description\na,A,startup,short\nb,B,startup," + "x" * (17 << 20) + "\n"
    )
    result = cli("load", str(path), "--store", sqlite_url)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"Error: 1 problem in {path}; nothing was written",
        f"  {path}:3: description: the value is 17.0 MiB long; expected at most 16 MiB",
    ]


def test_nfd_and_nfc_spellings_are_one_name(write, sqlite_url):
    nfc = "Đại học Bách khoa Hà Nội"
    nfd = "Đa\u0323i ho\u0323c Ba\u0301ch khoa Ha\u0300 Nô\u0323i"
    assert nfd != nfc
    one = write("one.csv", f"id,name,kind\nhust,{nfc},university\n")
    two = write("two.csv", f"id,name,kind\nhust,{nfd},university\n")
    report = ecograph.load([one, two], store=sqlite_url)  # no conflict: the same record twice
    assert report.totals()["organizations"]["inserted"] == 1
    assert ecograph.load([two], store=sqlite_url).totals()["organizations"]["unchanged"] == 1
    with SqliteStore(sqlite_url) as store:
        assert store.organization("hust").name == nfc


def test_control_characters_become_spaces_and_line_breaks_stay(write, sqlite_url):
    path = write(
        "orgs.csv", 'id,name,kind,description\na,"Viện\x0bAI\x00Lab",startup,"line one\r\nline\x85two"\n'
    )
    ecograph.load([path], store=sqlite_url)
    with SqliteStore(sqlite_url) as store:
        org = store.organization("a")
    assert (org.name, org.description) == ("Viện AI Lab", "line one\nline two")


@pytest.mark.parametrize(("fmt", "reader"), [("graphml", nx.read_graphml), ("gexf", nx.read_gexf)])
def test_exports_write_only_characters_their_format_allows(sqlite_url, tmp_path, fmt, reader):
    """A store written from Python skips the load's checks; the XML exports clean up after it."""
    odd = Organization("odd", "Vertical\x0btab\x01Lab\ufffe", "company", "VN", description="bell\x07")
    with SqliteStore(sqlite_url) as store:
        store.write([WritePart(LoadBatch("py"), [odd], [])])
    out = tmp_path / f"store.{fmt}"
    ecograph.export(sqlite_url, fmt, out)
    G = reader(out)
    assert G.nodes["odd"]["name"] == "Vertical tab Lab "  # each character XML forbids: a space
    assert G.nodes["odd"]["description"] == "bell "


def _stages() -> set[str]:
    return {p for p in os.listdir(tempfile.gettempdir()) if p.startswith(STAGE_PREFIX)}


def test_a_load_leaves_no_stage_behind_and_removes_those_of_dead_loads(write, sqlite_url):
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    stale = Path(tempfile.gettempdir()) / f"{STAGE_PREFIX}{gone.pid}-left"
    (stale / "stage.sqlite").parent.mkdir()
    (stale / "stage.sqlite").write_bytes(b"x")
    ecograph.load([write("orgs.csv", ORGS), write("ties.csv", TIES)], store=sqlite_url)
    with pytest.raises(ecograph.errors.ValidationFailed):
        ecograph.load([write("bad.csv", "id,name,kind\nx,X,blimp\n")], store=sqlite_url)
    assert not stale.exists()
    assert not any(name.startswith(f"{STAGE_PREFIX}{os.getpid()}-") for name in _stages())


_LIMITED = """
import resource, signal, sys
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
limit = int(sys.argv.pop(1))
resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
from ecograph.cli import main
main()
"""


def _renamed(path: Path) -> Path:
    lines = path.read_text(encoding="utf-8").splitlines()
    renamed = path.with_name("renamed.csv")
    renamed.write_text(
        "\n".join(
            [lines[0]] + [line.replace(",", " again,", 2).replace(" again,", ",", 1) for line in lines[1:]]
        )
        + "\n",
        encoding="utf-8",
    )
    return renamed


@pytest.mark.parametrize("where", ["stage", "store"])
def test_a_write_that_runs_out_of_space_is_one_line_exit_3_and_writes_nothing(demo_files, tmp_path, where):
    """Files may grow to a limit: a load's ties do not fit in the stage (in the temporary
    folder), or renaming every organisation does not fit in the store's write-ahead log
    (it touches their indexes too). The store had a first load; it stays as it was."""
    orgs, ties = demo_files
    url = f"sqlite:///{tmp_path / 'full.db'}"
    ecograph.load([orgs], store=url)
    before = _summary(url)
    limit, files = (64 << 10, [orgs, ties]) if where == "stage" else (128 << 10, [_renamed(orgs)])
    result = subprocess.run(
        [sys.executable, "-c", _LIMITED, str(limit), "load", *map(str, files), "--store", url],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "TMPDIR": str(tmp_path)},
    )
    assert result.returncode == 3, result.stderr
    (line,) = result.stderr.splitlines()
    assert line.startswith("Error: ") and line.endswith("nothing was written")
    assert ("stage" in line) == (where == "stage")
    assert _summary(url) == before
    assert not [p for p in os.listdir(tmp_path) if p.startswith(STAGE_PREFIX)]


_ECOGRAPH = [sys.executable, "-c", "from ecograph.cli import main; main()"]


def _on_a_terminal(args: list[str]) -> tuple[int, bytes]:
    master, slave = pty.openpty()
    done = subprocess.Popen([*_ECOGRAPH, *args], stdout=subprocess.PIPE, stderr=slave, cwd=ROOT)
    os.close(slave)
    shown = b""
    while True:
        try:
            chunk = os.read(master, 1 << 16)
        except OSError:
            break
        if not chunk:
            break
        shown += chunk
    done.communicate()
    os.close(master)
    return done.returncode, shown


def test_progress_shows_on_a_terminal_only(write, tmp_path):
    orgs = write(
        "orgs.csv", "id,name,kind\n" + "".join(f"p{i},Organisation {i},company\n" for i in range(20_000))
    )
    url = f"sqlite:///{tmp_path / 'p.db'}"
    code, shown = _on_a_terminal(["load", str(orgs), "--store", url, "--dry-run"])
    assert code == 0
    assert b"reading orgs.csv" in shown and b"records checked" in shown and b"records written" in shown
    code, shown = _on_a_terminal(["load", str(orgs), "--store", url, "--dry-run", "--json"])
    assert code == 0 and b"reading" not in shown
    piped = subprocess.run(
        [*_ECOGRAPH, "load", str(orgs), "--store", url, "--dry-run"],
        capture_output=True,
        cwd=ROOT,
    )
    assert piped.returncode == 0 and piped.stderr == b""


def test_a_load_and_a_reload_count_every_record_and_name_the_changed(demo_files, tmp_path, write):
    orgs, ties = demo_files
    url = f"sqlite:///{tmp_path / 'a.db'}"
    first = ecograph.load([orgs, ties], store=url)
    again = ecograph.load([ties, orgs], store=url)
    inserted = first.totals()["collaborations"]["inserted"]
    assert inserted > 1000 and again.totals()["collaborations"] == {
        "inserted": 0,
        "updated": 0,
        "unchanged": inserted,
    }
    assert again.store_version == first.store_version
    lines = ties.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    first_tie = dict(zip(header, lines[1].split(","), strict=True))
    first_tie["weight"] = "9.5"
    edited = ",".join(first_tie[h] for h in header)
    added = ",".join(
        {"source": first_tie["source"], "target": first_tie["target"], "kind": "mou"}.get(h, "")
        for h in header
    )
    changed = write("ties.csv", "\n".join([lines[0], edited, *lines[2:], added]) + "\n")
    report = ecograph.load([orgs, changed], store=url)
    assert report.totals()["collaborations"] == {"inserted": 1, "updated": 1, "unchanged": inserted - 1}
    assert [c["fields"] for c in report.batches[1].changes] == [["weight"]]
    other = f"sqlite:///{tmp_path / 'b.db'}"
    ecograph.load([orgs, changed], store=other)
    assert _summary(other)[:2] == _summary(url)[:2]
    with SqliteStore(url) as a, SqliteStore(other) as b:
        assert {(p.record_type, p.record_key) for p in a.provenance()} == {
            (p.record_type, p.record_key) for p in b.provenance()
        }


def test_validated_gives_the_checked_tables_without_a_store(demo_files):
    orgs, ties = demo_files
    found = ecograph.ingest.validated([orgs, ties], home_country="VN")
    assert found.problems == []
    assert found.organizations.num_rows == 400
    assert found.collaborations.num_rows > 1000
    assert found.collaborations.column_names[:3] == ["key", "source", "target"]
    alone = ecograph.ingest.validated([ties], home_country="VN")
    assert {p.type for p in alone.problems} == {"dangling-reference"}


def test_a_json_report_names_the_load_path_files(cli, write, sqlite_url):
    result = cli(
        "load", str(write("orgs.csv.gz", gzip.compress(ORGS.encode()))), "--store", sqlite_url, "--json"
    )
    report = json.loads(result.stdout)
    assert report["files"][0]["format"] == "organizations-csv"
    assert report["organizations"]["inserted"] == 2


_JSON_TEXT = st.text(
    st.sampled_from(["a", '"', "\\", "\n", "\r", "\t", "\b", "\f", "\x00", "\x1b", "\x7f", "ệ", "/"])
)


@settings(deadline=None, max_examples=40)
@given(st.lists(_JSON_TEXT, min_size=1, max_size=4), st.lists(_JSON_TEXT, max_size=3))
def test_lists_and_provenance_are_written_as_json_writes_them(tmp_path_factory, ids, sectors):
    """SQLite keeps lists and provenance as JSON arrays made from the columns: any text,
    quotes and control characters included, reads back as it was written."""
    url = f"sqlite:///{tmp_path_factory.mktemp('json') / 'j.db'}"
    ids = list(dict.fromkeys(f"o{i}" for i in ids))
    orgs = [Organization(i, "Org", "startup", "VN", sectors=tuple(sectors), aliases=(i,)) for i in ids]
    with SqliteStore(url) as store:
        store.write([WritePart(LoadBatch("py"), orgs, [])])
        assert list(store.organizations()) == sorted(orgs, key=lambda o: o.id)
        assert sorted(p.record_key for p in store.provenance()) == sorted(ids)


def test_a_new_store_has_16_kib_pages_and_an_older_file_keeps_its_own(demo_files, tmp_path):
    """Stages are written with the new stores' pages; a store made with 4 KiB pages loads
    from them the same records."""
    import sqlite3

    from ecograph.store.sqlite import _SCHEMA, _SCHEMA_VERSION
    from ecograph.store.sqlite_write import PAGE_SIZE

    old = tmp_path / "old.db"
    db = sqlite3.connect(old, isolation_level=None)
    db.execute("PRAGMA page_size = 4096")
    db.executescript(_SCHEMA)
    db.execute(f"PRAGMA user_version = {_SCHEMA_VERSION}")
    db.close()
    for url in (f"sqlite:///{old}", f"sqlite:///{tmp_path / 'new.db'}"):
        ecograph.load(demo_files, store=url)
    sizes = [sqlite3.connect(p).execute("PRAGMA page_size").fetchone()[0] for p in (old, tmp_path / "new.db")]
    assert sizes == [4096, PAGE_SIZE] == [4096, 16384]
    assert _summary(f"sqlite:///{old}")[:2] == _summary(f"sqlite:///{tmp_path / 'new.db'}")[:2]


def _everything(url: str) -> tuple:
    """What a store holds, but for the ids and times of its batches."""
    with SqliteStore(url) as store:
        batches = [
            {k: v for k, v in b.as_dict().items() if k not in ("id", "started", "finished", "file")}
            for b in store.batches()
        ]
        provenance = sorted((p.record_type, p.record_key) for p in store.provenance())
        return _summary(url)[:3], batches, provenance, bool(store.identity())


def test_a_new_store_is_made_whole_beside_its_name_and_holds_what_an_empty_one_would(demo_files, tmp_path):
    """A load into a store that does not exist yet writes the whole store in a file beside it
    and gives it the store's name when complete; the result is the store an existing empty
    one becomes, and nothing else is left in the folder."""
    empty = f"sqlite:///{tmp_path / 'empty.db'}"
    with SqliteStore(empty) as store:
        store._make_writable()  # an existing store with no records
    ecograph.load(demo_files, store=empty)
    new = tmp_path / "new" / "store.db"
    new.parent.mkdir()
    ecograph.load(demo_files, store=f"sqlite:///{new}")
    assert sorted(os.listdir(new.parent)) == ["store.db"]
    assert _everything(f"sqlite:///{new}") == _everything(empty)
    import sqlite3

    assert sqlite3.connect(new).execute("PRAGMA journal_mode").fetchone() == ("wal",)
    again = ecograph.load(demo_files, store=f"sqlite:///{new}")
    assert again.totals()["collaborations"]["unchanged"] == _summary(empty)[1]["collaborations"]


def test_a_store_made_by_another_process_during_a_load_is_kept_and_the_load_says_so(
    demo_files, tmp_path, monkeypatch
):
    from ecograph.store import sqlite_write

    target = tmp_path / "store.db"
    other = tmp_path / "other.db"
    ecograph.load([demo_files[0]], store=f"sqlite:///{other}")
    real_link = os.link

    def link_after_the_other(source, destination):
        real_link(other, destination)  # the other process gave the store its name first
        real_link(source, destination)

    monkeypatch.setattr(sqlite_write.os, "link", link_after_the_other)
    with pytest.raises(
        ecograph.errors.StoreUnavailable, match="was made by another process during this load; load again"
    ):
        ecograph.load(demo_files, store=f"sqlite:///{target}")
    assert not [name for name in os.listdir(tmp_path) if STAGE_PREFIX in name]
    assert _summary(f"sqlite:///{target}")[1] == _summary(f"sqlite:///{other}")[1]


def test_without_hard_links_a_new_store_is_written_through_the_stage(demo_files, tmp_path, monkeypatch):
    import errno

    from ecograph.store import sqlite_write

    def no_links(source, destination):
        raise OSError(errno.EPERM, "Operation not permitted", source, None, destination)

    expected = f"sqlite:///{tmp_path / 'expected.db'}"
    ecograph.load(demo_files, store=expected)
    monkeypatch.setattr(sqlite_write.os, "link", no_links)
    url = f"sqlite:///{tmp_path / 'store.db'}"
    ecograph.load(demo_files, store=url)
    assert not [name for name in os.listdir(tmp_path) if STAGE_PREFIX in name]
    assert _everything(url) == _everything(expected)


def test_the_new_store_file_of_a_dead_load_is_removed_by_the_next(write, tmp_path):
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    left = [tmp_path / f".store.db.{STAGE_PREFIX}{gone.pid}-0a1b2c3d{end}" for end in ("", "-wal")]
    for path in left:
        path.write_bytes(b"x")
    ecograph.load([write("orgs.csv", ORGS)], store=f"sqlite:///{tmp_path / 'store.db'}")
    assert not any(path.exists() for path in left)


def _open_here(path: Path) -> list[str]:
    """The files of this process's open descriptors that are *path* or its -wal, -shm."""
    found = []
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        if target.startswith(str(path)):
            found.append(target)
    return found


@pytest.mark.parametrize("where", ["new", "staged"])
def test_adbc_writes_only_files_no_sqlite3_connection_has_open(demo_files, tmp_path, monkeypatch, where):
    """ADBC's SQLite and Python's sqlite3 are two libraries whose locks do not see each
    other: every file ADBC writes is open in neither library before, nor in ADBC after."""
    from ecograph.store import sqlite_write

    real = sqlite_write._ingest
    written = []

    def ingest(store, path, name, records, how):
        assert _open_here(path) == [], "a sqlite3 connection has the file ADBC is about to write"
        real(store, path, name, records, how)
        assert _open_here(path) == [], "ADBC left the file open"
        written.append(how)

    monkeypatch.setattr(sqlite_write, "_ingest", ingest)
    url = f"sqlite:///{tmp_path / 'store.db'}"
    if where == "staged":
        ecograph.load([demo_files[0]], store=url)
    ecograph.load(demo_files, store=url)
    ecograph.load(demo_files, store=url)  # and a reload, through the join
    made, loaded = ["into"], ["into", "into"] if where == "new" else ["join", "copy"]  # the new store's
    assert written == (made if where == "staged" else []) + loaded + ["join", "join"]
