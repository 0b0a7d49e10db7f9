"""A large collaborations file read and checked in a second process while this one reads the rest.

A big load on a two-core machine spends half its time reading and checking rows and half
writing them. When a load is one canonical collaborations CSV beside organisation CSVs
and the store takes staged ties (SQLite does), the collaborations file goes to a worker
process: it checks every row exactly as :mod:`ecograph.ingest` does in one process and
writes the unique valid ties to a stage (:class:`~ecograph.store.stage.StagedTies`),
while this process reads the organisations and writes them. The store then copies the
stage in without the rows passing through Python again.

The worker keeps every tie's file and row, so a dangling reference — known only once all
organisations are read — is reported by it, at the row that gave it, as in one process.

Reading organisations takes this process less time than the worker takes for the ties, so
this process also reads the file's last rows itself (its *tail*; see :func:`_split`). The
worker then names which of the tail's ties it met first, and the tail joins the load as if
one process had read the whole file: same problems, same order, same ties.
"""

from __future__ import annotations

import gc
import mmap
import multiprocessing
import shutil
import tempfile
import threading
from collections.abc import Callable, Sequence
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ecograph.errors import InputUnavailable
from ecograph.model import Collaboration
from ecograph.problems import Problem
from ecograph.store.stage import StagedTies
from loaders.base import FileInfo, Loader
from loaders.canonical import CANONICAL, csv_record_type
from loaders.text import FileFacts

if TYPE_CHECKING:
    from ecograph.ingest import LoadState
    from ecograph.store import Store

__all__ = ["STAGE_MIN_BYTES", "TieWorker", "start_worker"]

#: A collaborations file smaller than this is read in-process: starting a worker and
#: copying through a stage cost more than they save (about 60,000 ties).
STAGE_MIN_BYTES = 4 << 20

#: Seconds per MB of CSV, measured on the 2-core machine kind with both processes busy:
#: the worker reads, checks and stages ties; this process reads, checks and stages the
#: tail's ties, and reads, checks and writes organisations. :func:`_split` balances them.
_WORKER_COST, _TAIL_COST, _ORGANIZATION_COST = 0.24, 0.23, 0.24
_TAIL_MIN_BYTES = 1 << 20  # a smaller tail is not worth a second reading pass


def start_worker(
    store: Store,
    plans: Sequence[tuple[Path, FileFacts, Loader | None]],
    load: LoadState,
    progress: Callable[[str, int, int], None] | None,
) -> TieWorker | None:
    """A started worker for the load's collaborations file, or None when the load does not
    have the one shape it handles (see the module's docstring)."""
    # Entity resolution needs every tie in memory, and ties naming a merged organisation
    # are rewritten in memory: both take the one-process path.
    if not store.takes_staged_ties or any(load.resolving):
        return None
    types = [csv_record_type(facts.head) if loader is CANONICAL else None for _, facts, loader in plans]
    if None in types or types.count("collaboration") != 1:
        return None
    part = types.index("collaboration")
    path, facts, _ = plans[part]
    # byte offsets split only a plain file: not a zip member or a .gz file
    compressed = not isinstance(path, Path) or path.suffix.lower() == ".gz"
    if compressed or facts.size < STAGE_MIN_BYTES or store.merges():
        return None
    others = sum(facts.size for i, (_, facts, _) in enumerate(plans) if i != part)
    worker = TieWorker(path, part, facts, load.home, want_progress=progress is not None,
                       end=_split(path, facts.size, others))  # fmt: skip
    worker.start()
    return worker


def _tail_bytes(size: int, others: int) -> float:
    """How much of a *size*-byte collaborations file this process should read itself,
    beside *others* bytes of organisations, for both processes to finish together."""
    return (_WORKER_COST * size - _ORGANIZATION_COST * others) / (_WORKER_COST + _TAIL_COST)


def _split(path: Path, size: int, others: int) -> int | None:
    """Where the worker's part of the collaborations file *path* should end (a line start,
    after about ``size - _tail_bytes()`` bytes); None to leave it the whole file.

    The tail's rows are numbered by counting line ends before it, so the worker's part
    must hold no quoted field (which could span lines) and no line ended by a bare CR.
    """
    tail = _tail_bytes(size, others)
    if tail < max(_TAIL_MIN_BYTES, 1):
        return None
    with open(path, "rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as data:
        end = data.find(b"\n", max(0, int(size - tail))) + 1
        if end <= 0 or end >= size or data.find(b'"', 0, end) >= 0:
            return None
        if data.find(b"\r", 0, end) >= 0 and data[:end].count(b"\r") != data[:end].count(b"\r\n"):
            return None
    return end


class TieWorker:
    """The worker process for one collaborations file (part *part* of the load)."""

    def __init__(
        self,
        path: Path,
        part: int,
        facts: FileFacts,
        home: str,
        want_progress: bool = False,
        end: int | None = None,
    ):
        self.path, self.part, self.facts, self.home = path, part, facts, home
        self.want_progress = want_progress
        #: where the worker's rows end and the tail's begin; None: the worker reads them all
        self.end = end
        self.folder = Path(tempfile.mkdtemp(prefix="ecograph-stage-"))
        # created here, so that a store can attach it before the worker has filled it
        self.staged = StagedTies.create(
            *(
                self.folder / name
                for name in (["ties.sqlite"] if end is None else ["ties.sqlite", "tail.sqlite"])
            )
        )
        self.tail: LoadState | None = None
        self._tail_info: FileInfo | None = None
        self._conn: Connection | None = None
        self._process: Any = None
        self._answered = False
        self._worker_read = 0  # bytes, from its progress reports
        self._waiting: tuple | None = None  # a message met while looking for progress

    def start(self) -> None:
        # fork starts at once and shares the imported modules; it is only safe while this
        # process runs a single thread (a server such as Streamlit's does not)
        method = "fork" if threading.active_count() == 1 else "spawn"
        context = multiprocessing.get_context(method)
        self._conn, theirs = context.Pipe()
        self._process = context.Process(
            target=_work,
            args=(theirs, str(self.path), self.part, self.home, self.facts.encoding, self.facts.size,
                  self.end, str(self.staged.paths[0]), self.want_progress),
            name="ecograph-tie-worker",
            daemon=True,
        )  # fmt: skip
        self._process.start()
        theirs.close()

    def read_tail(self, progress: Callable[[str, int, int], None] | None) -> None:
        """Read and check the file's rows after :attr:`end` into :attr:`tail`, and stage
        its ties while the worker still reads."""
        if self.end is None:
            return
        from ecograph.ingest import LoadState, read_rows
        from ecograph.report import LoadReport

        self.tail = LoadState(LoadReport(), self.home)
        self.tail.sources = [{} for _ in range(self.part + 1)]
        self.tail.resolving = [False] * (self.part + 1)
        info = FileInfo(str(self.path), CANONICAL.name, encoding=self.facts.encoding, size=self.facts.size)
        self._tail_info = info

        def both(path: str, done: int, total: int) -> None:
            # one bar for the file: the worker's bytes and this process's so far
            self._take_progress()
            progress(path, min(total, self._worker_read + done - self.end), total)  # type: ignore[misc, operator]

        read_rows(self.tail, self.part, CANONICAL.read(self.path, info, start=self.end), info,
                  both if progress else None)  # fmt: skip
        self.staged.fill([seen.record for seen in self.tail.collaborations.values()], 1)  # type: ignore[misc]

    @property
    def tail_problems(self) -> bool:
        return bool(self.tail and self.tail.bad_rows)

    def _take_progress(self) -> None:
        """Note the worker's progress reports that have arrived, without waiting."""
        while self._waiting is None and self._conn.poll():  # type: ignore[union-attr]
            message = self._receive()
            if message[0] == "progress":
                self._worker_read = message[1]
            else:
                self._waiting = message

    def _receive(self) -> tuple:
        if self._waiting is not None:
            message, self._waiting = self._waiting, None
            return message
        try:
            message = self._conn.recv()  # type: ignore[union-attr]
        except EOFError:
            raise self._stopped() from None
        if message[0] == "error":
            _, name, text = message
            if name in {"FileNotFoundError", "PermissionError", "IsADirectoryError", "OSError"}:
                raise InputUnavailable(f"cannot read {self.path}: {text}")
            raise RuntimeError(f"reading {self.path} failed: {name}: {text}")
        return message

    def _stopped(self) -> InputUnavailable:
        self._process.join(5)
        return InputUnavailable(
            f"cannot read {self.path}: the process reading it stopped unexpectedly "
            f"(exit code {self._process.exitcode}); nothing was written"
        )

    def _send(self, message: object) -> None:
        try:
            self._conn.send(message)  # type: ignore[union-attr]
        except OSError:  # the worker is gone: a broken pipe
            raise self._stopped() from None

    def collect(self, load: LoadState, progress: Callable[[str, int, int], None] | None) -> FileInfo:
        """Wait until the file is read; add its problems and the tail to *load*; return
        what was found."""
        tail_read = self._tail_info.bytes_read - self.end if self._tail_info else 0  # type: ignore[operator]
        message = self._receive()
        while message[0] == "progress":  # the worker's read_rows reports the end too
            if progress:
                progress(str(self.path), min(self.facts.size, message[1] + tail_read), self.facts.size)
            message = self._receive()
        _, found = message
        for problem in found["problems"]:
            load.problem(problem)
        self.staged.ends = found["ends"]
        self.staged.counts[0] = found["count"]
        info = FileInfo(str(self.path), CANONICAL.name, encoding=self.facts.encoding, size=self.facts.size)
        info.format, info.rows_read, info.notes = found["format"], found["rows_read"], found["notes"]
        tail = self.tail.collaborations if self.tail else {}
        self._send(list(tail))
        first = self._receive()[1]
        if self.tail:
            self._join_tail(load, first)
            info.rows_read += self._tail_info.rows_read  # type: ignore[union-attr]
        return info

    def _join_tail(self, load: LoadState, first: list[tuple[str, int, Collaboration]]) -> None:
        """Add the tail's ties and problems to *load*, as if one process had read the file:
        a tie whose key the worker met *first* (key, row, tie) is the same tie again or a
        conflict, reported at the tail's row."""
        from ecograph.ingest import _Seen, conflict_problem

        tail = self.tail
        problems = [p for found in tail.bad_rows.values() for p in found]  # type: ignore[union-attr]
        for key, row, tie in first:
            again = tail.collaborations.pop(key)  # type: ignore[union-attr]
            if again.record != tie:
                seen = _Seen(tie, str(self.path), row, self.part)
                problems.append(
                    conflict_problem("duplicate-tie-conflict", seen, again.record, key, again.file, again.row)
                )
        if first:
            self.staged.drop(keys=[key for key, _, _ in first], stage=1)  # the worker's stay
        problems.sort(key=lambda p: p.row or 0)  # stable: a row's problems keep their order
        for problem in problems:
            load.problem(problem)
        # in memory too, for the checks that follow: its dangling ends are reported at its rows
        load.collaborations.update(tail.collaborations)  # type: ignore[union-attr]
        load.ends |= tail.ends  # type: ignore[union-attr]
        self.staged.ends |= tail.ends  # type: ignore[union-attr]

    def dangling(self, unknown: set[str]) -> list[Problem]:
        """The worker's problems for ties naming an organisation in *unknown*; ends its work."""
        self._send(unknown)
        self._answered = True
        return self._receive()[1]

    def close(self) -> None:
        """Stop the worker if it still runs and remove its stage."""
        if self._process is not None:
            if not self._answered and self._process.is_alive():
                self._process.terminate()
            self._process.join(5)
            self._conn.close()  # type: ignore[union-attr]
        shutil.rmtree(self.folder, ignore_errors=True)


def _work(
    conn: Connection,
    path: str,
    part: int,
    home: str,
    encoding: str,
    size: int,
    end: int | None,
    stage: str,
    want_progress: bool,
) -> None:
    """The worker process: read and check *path* up to *end*, stage its ties, report, then
    answer the parent's two questions: which of the tail's keys it met first, and where
    the dangling ends it names are."""
    from ecograph.ingest import LoadState, dangling_problems, read_rows
    from ecograph.report import LoadReport

    gc.disable()  # as in ingest.load: millions of objects, none freed before the end
    try:
        load = LoadState(LoadReport(), home)
        load.sources = [{} for _ in range(part + 1)]
        load.resolving = [False] * (part + 1)
        info = FileInfo(path, CANONICAL.name, encoding=encoding, size=size)
        progress = (lambda _path, done, _total: conn.send(("progress", done))) if want_progress else None
        read_rows(load, part, CANONICAL.read(Path(path), info, end=end), info, progress)
        ties = [seen.record for seen in load.collaborations.values()]
        staged = StagedTies([Path(stage)])
        staged.fill(ties)  # type: ignore[arg-type]
        conn.send(
            (
                "read",
                {
                    "format": info.format,
                    "rows_read": info.rows_read,
                    "notes": info.notes,
                    "problems": [p for problems in load.bad_rows.values() for p in problems],
                    "count": staged.counts[0],
                    "ends": load.ends,
                },
            )
        )
        found = load.collaborations
        conn.send(
            ("first", [(key, found[key].row, found[key].record) for key in conn.recv() if key in found])
        )
        unknown = conn.recv()
        conn.send(("dangling", dangling_problems(load, unknown)))
    except BaseException as exc:  # the parent turns it into the load's error
        conn.send(("error", type(exc).__name__, str(exc)))
    finally:
        conn.close()
