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
"""

from __future__ import annotations

import gc
import multiprocessing
import shutil
import tempfile
import threading
from collections.abc import Callable, Sequence
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ecograph.errors import InputUnavailable
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
    if facts.size < STAGE_MIN_BYTES or store.merges():
        return None
    worker = TieWorker(path, part, facts, load.home, want_progress=progress is not None)
    worker.start()
    return worker


class TieWorker:
    """The worker process for one collaborations file (part *part* of the load)."""

    def __init__(self, path: Path, part: int, facts: FileFacts, home: str, want_progress: bool = False):
        self.path, self.part, self.facts, self.home = path, part, facts, home
        self.want_progress = want_progress
        self.folder = Path(tempfile.mkdtemp(prefix="ecograph-stage-"))
        # created here, so that a store can attach it before the worker has filled it
        self.staged = StagedTies.create(self.folder / "ties.sqlite")
        self._conn: Connection | None = None
        self._process: Any = None
        self._answered = False

    def start(self) -> None:
        # fork starts at once and shares the imported modules; it is only safe while this
        # process runs a single thread (a server such as Streamlit's does not)
        method = "fork" if threading.active_count() == 1 else "spawn"
        context = multiprocessing.get_context(method)
        self._conn, theirs = context.Pipe()
        self._process = context.Process(
            target=_work,
            args=(theirs, str(self.path), self.part, self.home, self.facts.encoding, self.facts.size,
                  str(self.staged.path), self.want_progress),
            name="ecograph-tie-worker",
            daemon=True,
        )  # fmt: skip
        self._process.start()
        theirs.close()

    def _receive(self) -> tuple:
        try:
            message = self._conn.recv()  # type: ignore[union-attr]
        except EOFError:
            self._process.join(5)
            raise InputUnavailable(
                f"cannot read {self.path}: the process reading it stopped unexpectedly "
                f"(exit code {self._process.exitcode}); nothing was written"
            ) from None
        if message[0] == "error":
            _, name, text = message
            if name in {"FileNotFoundError", "PermissionError", "IsADirectoryError", "OSError"}:
                raise InputUnavailable(f"cannot read {self.path}: {text}")
            raise RuntimeError(f"reading {self.path} failed: {name}: {text}")
        return message

    def collect(self, load: LoadState, progress: Callable[[str, int, int], None] | None) -> FileInfo:
        """Wait until the file is read; add its problems to *load*; return what was found."""
        message = self._receive()
        while message[0] == "progress":  # the worker's read_rows reports the end too
            if progress:
                progress(str(self.path), message[1], self.facts.size)
            message = self._receive()
        _, found = message
        for problem in found["problems"]:
            load.problem(problem)
        self.staged.ends = found["ends"]
        self.staged.count = found["count"]
        info = FileInfo(str(self.path), CANONICAL.name, encoding=self.facts.encoding, size=self.facts.size)
        info.format, info.rows_read, info.notes = found["format"], found["rows_read"], found["notes"]
        return info

    def dangling(self, unknown: set[str]) -> list[Problem]:
        """The worker's problems for ties naming an organisation in *unknown*; ends its work."""
        self._conn.send(unknown)  # type: ignore[union-attr]
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
    stage: str,
    want_progress: bool,
) -> None:
    """The worker process: read and check *path*, stage its ties, report, then name the
    rows of the dangling ends the parent sends."""
    from ecograph.ingest import LoadState, dangling_problems, read_rows
    from ecograph.report import LoadReport

    gc.disable()  # as in ingest.load: millions of objects, none freed before the end
    try:
        load = LoadState(LoadReport(), home)
        load.sources = [{} for _ in range(part + 1)]
        load.resolving = [False] * (part + 1)
        info = FileInfo(path, CANONICAL.name, encoding=encoding, size=size)
        progress = (lambda _path, done, _total: conn.send(("progress", done))) if want_progress else None
        read_rows(load, part, CANONICAL.read(Path(path), info), info, progress)
        ties = [seen.record for seen in load.collaborations.values()]
        staged = StagedTies(Path(stage))
        staged.fill(ties)  # type: ignore[arg-type]
        conn.send(
            (
                "read",
                {
                    "format": info.format,
                    "rows_read": info.rows_read,
                    "notes": info.notes,
                    "problems": [p for problems in load.bad_rows.values() for p in problems],
                    "count": staged.count,
                    "ends": load.ends,
                },
            )
        )
        unknown = conn.recv()
        conn.send(("dangling", dangling_problems(load, unknown)))
    except BaseException as exc:  # the parent turns it into the load's error
        conn.send(("error", type(exc).__name__, str(exc)))
    finally:
        conn.close()
