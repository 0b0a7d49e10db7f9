"""Checked collaborations waiting in a SQLite file of their own: a stage.

A large collaborations file is checked in a second process while the first reads the
organisations (see :mod:`ecograph.ingest_worker`). That process writes the file's unique,
valid ties here, in the collaborations table's exact layout, so the SQLite store takes
them all with one ``INSERT … SELECT`` that SQLite runs as a page-level copy, without a
row ever passing through Python again. Any other consumer iterates it as records.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
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


class StagedTies:
    """The collaborations of one file, checked and unique by key, in a stage file.

    Iterating yields :class:`Collaboration` records in key order; ``len`` is their number.
    A stage may still be being filled by another process when a store receives it: the
    store calls :meth:`ready` before it reads the stage, which waits for the filling to
    end and raises whatever stops the load.
    """

    def __init__(self, path: Path, count: int = 0):
        self.path = Path(path)
        self.count = count
        #: every organisation id the ties name (set by whoever filled the stage)
        self.ends: set[str] = set()
        self._ready: Callable[[], None] | None = None

    def __repr__(self) -> str:
        return f"StagedTies({str(self.path)!r}, {self.count})"

    @classmethod
    def create(cls, path: Path) -> StagedTies:
        """A new, empty stage at *path*: a store can attach it before it is filled."""
        db = sqlite3.connect(path, isolation_level=None)
        try:
            db.executescript(TIES_TABLE)
        finally:
            db.close()
        return cls(path)

    def fill(self, ties: list[Collaboration]) -> None:
        """Write *ties* (unique keys) into the empty stage."""
        db = sqlite3.connect(self.path, isolation_level=None)
        try:
            # A stage is scratch space: if the machine stops, the load is simply run again.
            db.execute("PRAGMA journal_mode = OFF")
            db.execute("PRAGMA synchronous = OFF")
            db.execute("PRAGMA cache_size = -200000")
            db.execute("BEGIN")
            ties.sort(key=itemgetter(0))  # in key order the B-tree mostly appends
            # sqlite3's binding costs about as much per parameter as the insert itself, and
            # most ties leave most optional fields empty: each group of ties with the same
            # empty fields is inserted binding only the others (an omitted column is NULL).
            groups: dict[tuple[bool, ...], list[Collaboration]] = {}
            for tie, shape in zip(ties, map(_shape, ties), strict=True):
                groups.setdefault(shape, []).append(tie)
            for shape, group in groups.items():
                present = [i for i, empty in enumerate(shape, start=_FIRST_OPTIONAL) if not empty]
                columns = [*range(_FIRST_OPTIONAL), *present]
                db.executemany(
                    f"INSERT INTO collaborations ({quoted(TIE_COLUMNS[i] for i in columns)}) "
                    f"VALUES ({','.join('?' * len(columns))})",
                    map(itemgetter(*columns), group),
                )
            db.execute("COMMIT")
        finally:
            db.close()
        self.count = len(ties)

    def defer(self, hook: Callable[[], None]) -> None:
        """Have :meth:`ready` run *hook* first: it waits for the filling and checks the load."""
        self._ready = hook

    def ready(self) -> None:
        """Wait until the stage is filled and the load that fills it is checked."""
        hook, self._ready = self._ready, None
        if hook:
            hook()

    def __len__(self) -> int:
        return self.count

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(f"file:{self.path}?mode=ro", uri=True)

    def __iter__(self) -> Iterator[Collaboration]:
        db = self._connect()
        try:
            rows = db.execute(f"SELECT {quoted(TIE_COLUMNS)} FROM collaborations ORDER BY key")
            yield from map(Collaboration._make, rows)
        finally:
            db.close()

    def drop_ends(self, ids: set[str]) -> None:
        """Leave out the ties with an end in *ids* (rejected rows of a ``--skip-invalid`` load)."""
        db = sqlite3.connect(self.path, isolation_level=None)
        try:
            db.execute("CREATE TEMP TABLE dropped (id TEXT PRIMARY KEY)")
            db.executemany("INSERT OR IGNORE INTO dropped VALUES (?)", ((i,) for i in ids))
            db.execute(
                "DELETE FROM collaborations WHERE source IN (SELECT id FROM dropped) "
                "OR target IN (SELECT id FROM dropped)"
            )
            self.count = db.execute("SELECT count(*) FROM collaborations").fetchone()[0]
            self.ends -= ids
        finally:
            db.close()

    def remove(self) -> None:
        self.path.unlink(missing_ok=True)
