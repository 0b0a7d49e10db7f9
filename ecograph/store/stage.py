"""Checked collaborations waiting in a SQLite file of their own: a stage.

A large collaborations file is checked in a second process while the first reads the
organisations and the file's tail (see :mod:`ecograph.tie_worker`). Each process writes
the unique, valid ties it read into a stage of its own, in the collaborations table's
exact layout, so the SQLite store takes them with ``INSERT … SELECT`` (into an empty
table, a record-level copy) without a row passing through Python again. Any other
consumer iterates them as records.
"""

from __future__ import annotations

import heapq
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from itertools import chain
from operator import itemgetter
from pathlib import Path

from ecograph.model import Collaboration

__all__ = ["TIES_TABLE", "TIE_COLUMNS", "StagedTies", "quoted", "tie_ends"]

#: The collaborations table, in the store and in a stage alike (the copy needs both alike).
TIES_TABLE = """
CREATE TABLE IF NOT EXISTS collaborations (
    key TEXT PRIMARY KEY,
    source TEXT NOT NULL REFERENCES organizations(id),
    target TEXT NOT NULL REFERENCES organizations(id),
    kind TEXT NOT NULL,
    weight REAL NOT NULL,
    start TEXT, "end" TEXT, amount REAL, currency TEXT, evidence TEXT, id TEXT
) WITHOUT ROWID;
"""
TIE_COLUMNS = (
    "key", "source", "target", "kind", "weight", "start", "end", "amount", "currency",
    "evidence", "id",
)  # fmt: skip


_FIRST_OPTIONAL = TIE_COLUMNS.index("start")  # key, ends, kind and weight are always set
#: Rows per INSERT statement: 11 columns at most stay under SQLite's old limit of 999 values.
_ROWS_PER_INSERT = 90


def _shape(tie: Collaboration) -> tuple[bool, ...]:
    """Which optional fields of *tie* are empty (written out: it runs once per tie)."""
    return (tie[5] is None, tie[6] is None, tie[7] is None, tie[8] is None, tie[9] is None, tie[10] is None)


def quoted(columns: Iterable[str]) -> str:
    return ", ".join(f'"{c}"' for c in columns)


def tie_ends(ties: Sequence[Collaboration]) -> set[str]:
    """Every organisation id the *ties* name."""
    ends = set(map(itemgetter(1), ties))  # source; C-level passes over half a million ties
    ends.update(map(itemgetter(2), ties))  # target
    return ends


def _insert_ties(db: sqlite3.Connection, table: str, ties: list[Collaboration]) -> None:
    """Insert *ties* (unique keys, none in *table* yet) into *table*; sorts *ties* by key.

    sqlite3 costs about 2 µs per executed row and 0.3 µs per bound value, about as much as
    the insert itself. So ties go in key order (the B-tree then mostly appends), grouped by
    which optional fields are empty (binding only the others: an omitted column is NULL),
    :data:`_ROWS_PER_INSERT` to a statement.
    """
    ties.sort(key=itemgetter(0))
    groups: dict[tuple[bool, ...], list[Collaboration]] = {}
    for tie, shape in zip(ties, map(_shape, ties), strict=True):
        groups.setdefault(shape, []).append(tie)
    for shape, group in groups.items():
        present = [i for i, empty in enumerate(shape, start=_FIRST_OPTIONAL) if not empty]
        columns = [*range(_FIRST_OPTIONAL), *present]
        pick = itemgetter(*columns)
        insert = f"INSERT INTO {table} ({quoted(TIE_COLUMNS[i] for i in columns)}) VALUES "
        one = f"({','.join('?' * len(columns))})"
        whole = len(group) - len(group) % _ROWS_PER_INSERT
        if whole:
            db.executemany(
                insert + ",".join([one] * _ROWS_PER_INSERT),
                (
                    tuple(chain.from_iterable(map(pick, group[i : i + _ROWS_PER_INSERT])))
                    for i in range(0, whole, _ROWS_PER_INSERT)
                ),
            )
        db.executemany(insert + one, map(pick, group[whole:]))


class StagedTies:
    """The collaborations of one file, checked and unique by key, in stage files: the worker
    process's and, when the first process read the file's tail, that one's. No key is in
    two of them.

    Iterating yields :class:`Collaboration` records in key order; ``len`` is their number.
    A stage may still be being filled by another process when a store receives it: the
    store calls :meth:`ready` before it reads the stages, which waits for the filling to
    end and raises whatever stops the load.
    """

    def __init__(self, paths: Sequence[Path]):
        self.paths = [Path(p) for p in paths]
        self.counts = [0] * len(self.paths)  # ties in each file
        #: every organisation id the staged ties name (set by whoever filled the stages)
        self.ends: set[str] = set()
        self._ready: Callable[[], None] | None = None

    def __repr__(self) -> str:
        return f"StagedTies({[str(p) for p in self.paths]!r}, counts={self.counts})"

    @classmethod
    def create(cls, *paths: Path) -> StagedTies:
        """New, empty stages at *paths*: a store can attach them before they are filled."""
        for path in paths:
            db = sqlite3.connect(path, isolation_level=None)
            try:
                db.executescript(TIES_TABLE)
            finally:
                db.close()
        return cls(paths)

    def fill(self, ties: list[Collaboration], index: int = 0) -> None:
        """Write *ties* (unique keys, none in another stage) into the empty stage *index*."""
        with self._open(index) as db:
            # A stage is scratch space: if the machine stops, the load is simply run again.
            db.execute("PRAGMA journal_mode = OFF")
            db.execute("PRAGMA synchronous = OFF")
            db.execute("PRAGMA cache_size = -200000")
            db.execute("BEGIN")
            _insert_ties(db, "collaborations", ties)
            db.execute("COMMIT")
        self.counts[index] = len(ties)

    def defer(self, hook: Callable[[], None]) -> None:
        """Have :meth:`ready` run *hook* first: it waits for the filling and checks the load."""
        self._ready = hook

    def ready(self) -> None:
        """Wait until the stages are filled and the load that fills them is checked."""
        hook, self._ready = self._ready, None
        if hook:
            hook()

    def __len__(self) -> int:
        return sum(self.counts)

    @contextmanager
    def _open(self, index: int, readonly: bool = False) -> Iterator[sqlite3.Connection]:
        path = self.paths[index]
        db = (
            sqlite3.connect(f"file:{path}?mode=ro", uri=True)
            if readonly
            else sqlite3.connect(path, isolation_level=None)
        )
        try:
            yield db
        finally:
            db.close()

    def __iter__(self) -> Iterator[Collaboration]:
        with ExitStack() as stack:
            stages = [stack.enter_context(self._open(i, readonly=True)) for i in range(len(self.paths))]
            select = f"SELECT {quoted(TIE_COLUMNS)} FROM collaborations ORDER BY key"
            yield from heapq.merge(*(map(Collaboration._make, db.execute(select)) for db in stages))

    def drop(
        self, *, ends: set[str] | None = None, keys: Iterable[str] = (), stage: int | None = None
    ) -> None:
        """Leave out the ties with an end in *ends* (rejected rows of a ``--skip-invalid``
        load) and those with a key in *keys*, from every stage or from *stage* alone."""
        ends, keys = ends or set(), list(keys)
        for index in range(len(self.paths)) if stage is None else [stage]:
            with self._open(index) as db:
                db.execute("CREATE TEMP TABLE dropped_ends (id TEXT PRIMARY KEY)")
                db.execute("CREATE TEMP TABLE dropped_keys (key TEXT PRIMARY KEY)")
                db.executemany("INSERT OR IGNORE INTO dropped_ends VALUES (?)", ((i,) for i in ends))
                db.executemany("INSERT OR IGNORE INTO dropped_keys VALUES (?)", ((k,) for k in keys))
                db.execute(
                    "DELETE FROM collaborations WHERE key IN (SELECT key FROM dropped_keys) "
                    "OR source IN (SELECT id FROM dropped_ends) OR target IN (SELECT id FROM dropped_ends)"
                )
                self.counts[index] = db.execute("SELECT count(*) FROM collaborations").fetchone()[0]
        self.ends -= ends
