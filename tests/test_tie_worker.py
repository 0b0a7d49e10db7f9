"""A large collaborations file read in a worker process: the same store, report and messages
as reading it in one process, and nothing left behind or half written when it goes wrong."""

import os
import tempfile
import threading
from pathlib import Path

import pytest

import ecograph
from ecograph import tie_worker
from ecograph.errors import InputUnavailable, ValidationFailed
from ecograph.migrate import content_checksum
from ecograph.store.sqlite import SqliteStore
from ecograph.synthetic import generate, write_csv


@pytest.fixture(scope="module")
def demo_files(tmp_path_factory) -> tuple[Path, Path]:
    return write_csv(generate(orgs=400, seed=3), tmp_path_factory.mktemp("demo"))


@pytest.fixture(params=["whole file", "split"])
def split(request, monkeypatch) -> bool:
    """The worker reads the whole file, or its first half while this process reads the rest."""
    if request.param == "split":
        monkeypatch.setattr(tie_worker, "_TAIL_MIN_BYTES", 0)
        monkeypatch.setattr(tie_worker, "_tail_bytes", lambda size, others: size / 2)
    return request.param == "split"


@pytest.fixture
def starts(monkeypatch, split) -> list[str]:
    """Let every collaborations file go to a worker; record each worker's start method."""
    monkeypatch.setattr(tie_worker, "STAGE_MIN_BYTES", 0)
    methods: list[str] = []
    real = tie_worker.multiprocessing.get_context

    def get_context(method):
        methods.append(method)
        return real(method)

    monkeypatch.setattr(tie_worker.multiprocessing, "get_context", get_context)
    return methods


def _stages() -> set[str]:
    return {p for p in os.listdir(tempfile.gettempdir()) if p.startswith("ecograph-stage-")}


def _summary(url: str) -> tuple:
    with SqliteStore(url) as store:
        return content_checksum(store), store.counts(), store.store_version()


def _load(files, url, **options):
    report = ecograph.load(files, store=url, **options)
    return report.totals(), [b.changes for b in report.batches], report.store_version


def test_a_worker_load_equals_a_one_process_load_first_and_again(demo_files, starts, tmp_path, monkeypatch):
    orgs, ties = demo_files
    before = _stages()
    with_worker = f"sqlite:///{tmp_path / 'worker.db'}"
    first = _load([orgs, ties], with_worker)
    again = _load([ties, orgs], with_worker)
    assert starts == ["fork", "fork"]
    monkeypatch.setattr(tie_worker, "STAGE_MIN_BYTES", 1 << 40)
    one_process = f"sqlite:///{tmp_path / 'one.db'}"
    assert _load([orgs, ties], one_process) == first
    assert _load([ties, orgs], one_process) == again
    assert len(starts) == 2  # the one-process loads started none
    assert again[0]["collaborations"]["unchanged"] == first[0]["collaborations"]["inserted"] > 1000
    assert _summary(with_worker) == _summary(one_process)
    with SqliteStore(with_worker) as a, SqliteStore(one_process) as b:
        assert sorted((p.record_type, p.record_key) for p in a.provenance()) == sorted(
            (p.record_type, p.record_key) for p in b.provenance()
        )
    assert _stages() == before  # each stage removed once written


def test_changed_and_new_ties_are_counted_and_named(demo_files, starts, tmp_path, write):
    orgs, ties = demo_files
    url = f"sqlite:///{tmp_path / 'worker.db'}"
    ecograph.load([orgs, ties], store=url)
    lines = ties.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    first = dict(zip(header, lines[1].split(","), strict=True))
    first["weight"] = "9.5"
    edited = ",".join(first[h] for h in header)
    added = ",".join(
        {"source": first["source"], "target": first["target"], "kind": "mou"}.get(h, "") for h in header
    )
    changed = write("ties.csv", "\n".join([lines[0], edited, *lines[2:], added]) + "\n")
    report = ecograph.load([orgs, changed], store=url)
    assert report.totals()["collaborations"] == {
        "inserted": 1,
        "updated": 1,
        "unchanged": len(lines) - 2,
    }
    assert [c["fields"] for c in report.batches[1].changes] == [["weight"]]
    assert len(starts) == 2


def test_a_worker_is_spawned_when_threads_run(demo_files, starts, tmp_path):
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        url = f"sqlite:///{tmp_path / 'worker.db'}"
        report = ecograph.load(list(demo_files), store=url)
    finally:
        stop.set()
        thread.join()
    assert starts == ["spawn"]
    assert report.totals()["collaborations"]["inserted"] > 1000


def test_problems_found_by_the_worker_are_reported_at_their_rows_and_nothing_is_written(
    demo_files, starts, tmp_path, write
):
    orgs, ties = demo_files
    url = f"sqlite:///{tmp_path / 'worker.db'}"
    ecograph.load([orgs], store=url)
    before = _summary(url)
    lines = ties.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    row = dict(zip(header, lines[5].split(","), strict=True))
    row["target"] = "nobody-here"
    lines[5] = ",".join(row[h] for h in header)
    lines[9] = lines[9].replace(lines[9].split(",")[2], "spaceship", 1)  # the kind
    bad = write("ties.csv", "\n".join(lines) + "\n")
    with pytest.raises(ValidationFailed) as caught:
        ecograph.load([orgs, bad], store=url)
    found = {(p.row, p.field, p.type) for p in caught.value.report.problems}
    assert found == {(6, "target", "dangling-reference"), (10, "kind", "unknown-kind")}
    assert caught.value.report.batches[1].rejected == 2
    assert _summary(url) == before
    assert starts == ["fork"]  # the organisations alone went without one


def test_a_worker_that_dies_loses_nothing(demo_files, starts, tmp_path, monkeypatch):
    orgs, ties = demo_files
    url = f"sqlite:///{tmp_path / 'worker.db'}"
    ecograph.load([orgs], store=url)
    before, stages = _summary(url), _stages()
    monkeypatch.setattr(tie_worker, "_work", lambda *args: os._exit(9))
    with pytest.raises(InputUnavailable, match=r"stopped unexpectedly \(exit code 9\); nothing was written"):
        ecograph.load([orgs, ties], store=url)
    assert _summary(url) == before
    assert _stages() == stages
    assert starts == ["fork"]


def test_the_worker_reports_progress_through_the_first_process(demo_files, starts, tmp_path):
    orgs, ties = demo_files
    seen: list[tuple[str, int, int]] = []
    ecograph.load(
        [orgs, ties], store=f"sqlite:///{tmp_path / 'worker.db'}", progress=lambda *a: seen.append(a)
    )
    done = [d for path, d, total in seen if path == str(ties)]
    size = ties.stat().st_size
    assert starts == ["fork"]
    assert done == sorted(done) and done[-1] == size and len(done) >= 2


def _rows(path: Path) -> list[dict[str, str]]:
    lines = path.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    return [dict(zip(header, line.split(","), strict=True)) for line in lines[1:]]


def _csv(rows: list[dict[str, str]]) -> str:
    header = list(rows[0])
    return "\n".join([",".join(header)] + [",".join(r[h] for h in header) for r in rows]) + "\n"


@pytest.mark.parametrize("again", ["the same tie", "another weight"])
def test_a_tie_given_again_in_the_tail_is_one_tie_or_a_conflict_as_in_one_process(
    demo_files, starts, split, tmp_path, write, monkeypatch, again
):
    orgs, ties = demo_files
    rows = _rows(ties)
    repeated = dict(rows[3])  # row 5, in the worker's half
    if again == "another weight":
        repeated["weight"] = "7"
    rows.append(repeated)  # the last row, in the tail when the file is split
    given = write("ties.csv", _csv(rows))
    url = f"sqlite:///{tmp_path / 'worker.db'}"
    monkeypatch.setattr(tie_worker, "_split", _recording(tie_worker._split, ends := []))
    if again == "the same tie":
        report = ecograph.load([orgs, given], store=url)
        one = ecograph.load([orgs, ties], store=f"sqlite:///{tmp_path / 'one.db'}")
        assert report.totals()["collaborations"] == one.totals()["collaborations"]
        assert _summary(url)[0] == _summary(f"sqlite:///{tmp_path / 'one.db'}")[0]
    else:
        with pytest.raises(ValidationFailed) as caught:
            ecograph.load([orgs, given], store=url)
        [problem] = caught.value.report.problems
        assert (problem.type, problem.row, problem.field) == (
            "duplicate-tie-conflict",
            len(rows) + 1,
            "weight",
        )
        assert problem.note.startswith(f"first given at {given}:5;")
    assert (ends[0] is not None) == split


def _recording(function, results: list):
    def recorded(*args):
        results.append(function(*args))
        return results[-1]

    return recorded


def test_rows_of_the_tail_are_reported_at_their_own_line_numbers(demo_files, starts, tmp_path, write):
    orgs, ties = demo_files
    rows = _rows(ties)
    rows[-3]["kind"] = "spaceship"  # line len(rows) - 1, in the tail when split
    rows[-1]["target"] = "nobody-here"
    rows[2]["weight"] = "-1"  # line 4, the worker's
    given = write("ties.csv", _csv(rows).replace("\n", "\r\n"))  # CRLF lines split as well
    with pytest.raises(ValidationFailed) as caught:
        ecograph.load([orgs, given], store=f"sqlite:///{tmp_path / 'worker.db'}")
    found = [(p.row, p.field, p.type) for p in caught.value.report.problems]
    assert found == [
        (4, "weight", "bad-weight"),
        (len(rows) - 1, "kind", "unknown-kind"),
        (len(rows) + 1, "target", "dangling-reference"),
    ]
    assert caught.value.report.batches[1].rows_read == len(rows)


@pytest.mark.parametrize(
    ("before", "splits"),
    [
        ("a,b\nc,d\n", True),
        ("a,b\r\nc,d\r\n", True),
        ('a,"b"\nc,d\n', False),  # a quoted field could span lines: rows could not be counted
        ("a,b\rc,d\r", False),  # lines ended by a bare CR
    ],
)
def test_a_file_is_split_only_where_its_rows_can_be_counted(tmp_path, monkeypatch, before, splits):
    monkeypatch.setattr(tie_worker, "_TAIL_MIN_BYTES", 0)
    path = tmp_path / "ties.csv"
    path.write_bytes(before.encode() * 2000 + b"e,f\n" * 2000)
    size = path.stat().st_size
    end = tie_worker._split(path, size, 0)
    assert (end is not None) == splits
    if splits:
        assert path.read_bytes()[end - 1 : end] == b"\n"  # the tail starts a line
        assert 0 < end < size
