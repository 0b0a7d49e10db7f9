"""The embedded store: one SQLite file, no server.

A load runs in one ``BEGIN IMMEDIATE`` transaction whose records come from a stage written
column-wise, then set-based statements count what is new, changed or unchanged and write
only what changed (:mod:`ecograph.store.sqlite_write`).
"""

from __future__ import annotations

import json
import os
import sqlite3
import uuid
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from functools import cache
from pathlib import Path
from urllib.parse import quote

import pyarrow as pa

from ecograph.errors import IntegrityError, StoreUnavailable
from ecograph.model import (
    COLLABORATION_COLUMNS,
    COLLABORATION_SCHEMA,
    ORGANIZATION_COLUMNS,
    ORGANIZATION_SCHEMA,
    Collaboration,
    Column,
    Organization,
)
from ecograph.report import LoadBatch
from ecograph.resolution.records import Candidate, Edit, Identifier, Merge, Rewrite
from ecograph.saved_snapshots import SavedSnapshot, SnapshotExists
from ecograph.store import sqlite_write
from ecograph.store.base import Provenance, Store, StoreTables, WritePart
from ecograph.store.sqlite_write import PAGE_SIZE, bump_version, insert_provenance, write_failed

__all__ = ["SqliteStore"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS collaborations (
    key TEXT PRIMARY KEY,
    source TEXT NOT NULL REFERENCES organizations(id),
    target TEXT NOT NULL REFERENCES organizations(id),
    kind TEXT NOT NULL,
    weight REAL NOT NULL,
    start TEXT, "end" TEXT, amount REAL, currency TEXT, evidence TEXT, id TEXT
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS organizations (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    name_key TEXT NOT NULL,
    kind TEXT NOT NULL,
    country TEXT NOT NULL,
    province TEXT, city TEXT, sectors TEXT, founded INTEGER, aliases TEXT,
    website TEXT, ror TEXT, description TEXT
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS organizations_name_key ON organizations(name_key);
CREATE INDEX IF NOT EXISTS organizations_kind ON organizations(kind);
CREATE TABLE IF NOT EXISTS load_batches (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT UNIQUE NOT NULL,
    data TEXT NOT NULL
);
-- Which records each batch brought, as chunks of keys: a load of 500,000 ties adds a few
-- dozen rows here instead of 500,000, and reading it back is one scan.
CREATE TABLE IF NOT EXISTS provenance (
    batch INTEGER NOT NULL REFERENCES load_batches(seq),
    record_type TEXT NOT NULL,
    chunk INTEGER NOT NULL,
    keys TEXT NOT NULL,   -- JSON array of organisation ids or collaboration keys
    sources TEXT,         -- JSON array of [source, source_id] aligned with keys, or NULL
    PRIMARY KEY (batch, record_type, chunk)
) WITHOUT ROWID;
-- Entity resolution: which identifiers name which node, which tie ends were written under
-- another id, the review queue and the merge journal (see ecograph.resolution.records).
CREATE TABLE IF NOT EXISTS identifiers (
    scheme TEXT NOT NULL, value TEXT NOT NULL, org_id TEXT NOT NULL, record TEXT NOT NULL,
    PRIMARY KEY (scheme, value, org_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS identifiers_org ON identifiers(org_id);
CREATE TABLE IF NOT EXISTS rewrites (
    tie_key TEXT NOT NULL, "end" TEXT NOT NULL, original TEXT NOT NULL,
    PRIMARY KEY (tie_key, "end")
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS candidates (
    a TEXT NOT NULL, b TEXT NOT NULL, status TEXT NOT NULL, data TEXT NOT NULL,
    PRIMARY KEY (a, b)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS merges (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT UNIQUE NOT NULL, data TEXT NOT NULL
);
-- Saved states of the store (ecograph.saved_snapshots): a compressed payload each. A rowid
-- table, as SQLite advises for rows far larger than a page.
CREATE TABLE IF NOT EXISTS snapshots (
    name TEXT PRIMARY KEY,
    created TEXT NOT NULL,
    store_version INTEGER NOT NULL,
    organizations INTEGER NOT NULL,
    collaborations INTEGER NOT NULL,
    data BLOB NOT NULL
);
"""
_SCHEMA_VERSION = 4  # PRAGMA user_version of a store this code writes
# Older schemas this code upgrades in place: version 2 lacks the resolution tables and
# version 3 the snapshots table, which _SCHEMA creates.
_UPGRADABLE = {2, 3}
# SQLite's page cache (KiB) of the connection that writes: a load's pages are written in key
# order and spill to the WAL as they are made, so a small cache serves a large load.
_WRITE_CACHE = -32000
_ORG_COLUMNS = (
    "id", "name", "name_key", "kind", "country", "province", "city", "sectors", "founded",
    "aliases", "website", "ror", "description",
)  # fmt: skip
_TIE_COLUMNS = tuple(c.name for c in COLLABORATION_COLUMNS)  # the fields of a Collaboration, by name


def quoted(columns) -> str:
    return ", ".join(f'"{c}"' for c in columns)


def _org_from_row(row: Sequence) -> Organization:
    (
        id_,
        name,
        _key,
        kind,
        country,
        province,
        city,
        sectors,
        founded,
        aliases,
        website,
        ror,
        desc,
    ) = row
    return Organization(
        id=id_, name=name, kind=kind, country=country, province=province, city=city,
        sectors=tuple(json.loads(sectors)) if sectors else (), founded=founded,
        aliases=tuple(json.loads(aliases)) if aliases else (), website=website, ror=ror,
        description=desc,
    )  # fmt: skip


def _tie_from_row(row: Sequence) -> Collaboration:
    return Collaboration._make(row)  # the stored key is the one computed on writing


def _arrow(rows: list[tuple], columns: Sequence[Column], schema: pa.Schema) -> pa.Table:
    """Rows of *columns* as a table of *schema*; a list field's JSON texts (null for none) as lists.

    The rows go into Arrow in one call, as a struct array (five times faster than a column
    at a time from Python: no transposing of the rows), then split into its fields.
    """
    stored = pa.struct([pa.field(c.name, pa.string() if c.stored == "list" else c.type) for c in columns])
    arrays = []
    for column, data in zip(columns, pa.array(rows, type=stored).flatten(), strict=True):
        if column.stored == "list":
            texts = data.to_pylist()
            data = pa.array(json.loads("[" + ",".join(text or "[]" for text in texts) + "]"), column.type)
        arrays.append(data)
    return pa.Table.from_arrays(arrays, schema=schema)


def _chunks(items: Sequence, size: int = 900) -> Iterator[tuple[Sequence, str]]:
    """*items* in slices under SQLite's host-parameter limit, each with its ``?`` marks."""
    for i in range(0, len(items), size):
        chunk = items[i : i + size]
        yield chunk, ",".join("?" * len(chunk))


@cache
def _table_definitions() -> dict[str, str]:
    """Each table of :data:`_SCHEMA` and its ``CREATE TABLE`` statement."""
    db = sqlite3.connect(":memory:")
    try:
        db.executescript(_SCHEMA)
        return dict(
            db.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        )
    finally:
        db.close()


def _file_id(path: Path) -> tuple[int, int] | None:
    """Which file is at *path* (device and inode), or None when there is none."""
    try:
        found = path.stat()
    except FileNotFoundError:
        return None
    return (found.st_dev, found.st_ino)


def path_from_url(url: str) -> Path:
    """``sqlite:///rel/path.db`` → ``rel/path.db``; ``sqlite:////abs/path.db`` → ``/abs/path.db``."""
    if not url.startswith("sqlite:///"):
        raise StoreUnavailable(f"{url} is not a SQLite URL; expected sqlite:///path/to/file.db")
    return Path(url[len("sqlite:///") :])


class SqliteStore(Store):
    """A store in one SQLite file, created by its first write.

    Opening a store only reads: the file is opened read-only (``mode=ro``), so reading
    works while a load holds the write lock (the store is in WAL mode, where readers see
    the last commit), on a file this user may not write, and without creating a file that
    is not there (that store is empty). The first write reopens the file for writing,
    creating it and its tables, or upgrading an older layout in place.

    Parameters
    ----------
    url : str
        ``sqlite:///relative/path.db`` or ``sqlite:////absolute/path.db``.
    home_country : str
        ISO code of the home country; others are foreign partners.
    timeout : float
        Seconds to wait for another process's write lock before giving up.
    """

    def __init__(self, url: str, home_country: str = "VN", timeout: float = 5.0):
        self.url = url
        self.home_country = home_country
        self.path = path_from_url(url)
        self.timeout = timeout
        if not self.path.parent.is_dir():
            raise StoreUnavailable(f"cannot open {url}: folder {self.path.parent} does not exist")
        self._writable = False
        self._file = _file_id(self.path)
        self.db = self._open_for_reading()

    def _open_for_reading(self) -> sqlite3.Connection:
        """A read-only connection to the file (an empty in-memory store when there is none)."""
        try:
            if self._file is None:
                db = sqlite3.connect(":memory:", isolation_level=None)
                db.executescript(_SCHEMA)
                return db
            db = None
            try:
                db = self._connect("mode=ro")
                self._check_schema(db)
            except sqlite3.OperationalError:
                if db is not None:
                    db.close()
                if os.access(self.path.parent, os.W_OK):
                    raise
                # A WAL file in a folder this user cannot write: SQLite cannot make the
                # shared-memory file readers need, so it is read as a file nobody changes.
                db = self._connect("immutable=1")
                self._check_schema(db)
            return db
        except sqlite3.DatabaseError as exc:
            raise StoreUnavailable(f"cannot open {self.url}: {exc}") from None

    def _connect(self, mode: str) -> sqlite3.Connection:
        db = sqlite3.connect(
            f"file:{quote(str(self.path.resolve()))}?{mode}",
            uri=True,
            timeout=self.timeout,
            isolation_level=None,
        )
        # Settings of this connection only (nothing is written to the file).
        # References are checked before writing (sqlite_write.check_ends): SQLite's own
        # check costs a lookup per tie and about a fifth of a large load.
        db.execute("PRAGMA foreign_keys = OFF")
        db.execute("PRAGMA temp_store = MEMORY")
        db.execute("PRAGMA cache_size = -200000")
        return db

    def _check_version(self, db: sqlite3.Connection) -> set[str]:
        """The file's tables; refuses a layout this code cannot read or upgrade."""
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        version = db.execute("PRAGMA user_version").fetchone()[0]
        if tables and version != _SCHEMA_VERSION and version not in _UPGRADABLE:
            raise StoreUnavailable(
                f"{self.url} was written by another version of ecograph (schema {version}, this one "
                f"reads {_SCHEMA_VERSION}); export it with that version and load it into a new store"
            )
        return tables

    def _check_schema(self, db: sqlite3.Connection) -> None:
        """:meth:`_check_version`, then an older (or not yet made) layout is read as if
        upgraded: its missing tables are empty temporary tables of this connection (the
        first write reopens the file and makes the real ones)."""
        tables = self._check_version(db)
        for name, sql in _table_definitions().items():
            if name not in tables:
                db.execute(sql.replace("CREATE TABLE", "CREATE TEMP TABLE", 1))

    def _make_writable(self) -> None:
        """Reopen the file for writing (creating it and its tables, or upgrading them) before
        the first write."""
        if self._writable:
            return
        try:
            db = sqlite3.connect(self.path, timeout=self.timeout, isolation_level=None)
        except sqlite3.DatabaseError as exc:
            raise StoreUnavailable(f"cannot open {self.url} for writing: {exc}") from None
        try:
            with self._translate_errors(", nothing was written"):
                self._check_version(db)  # refuses an unknown layout before anything is written
                # a new file's page size (an existing file keeps its own)
                db.execute(f"PRAGMA page_size = {PAGE_SIZE}")
                db.execute("PRAGMA journal_mode = WAL")
                db.execute("PRAGMA synchronous = NORMAL")
                for pragma in ("foreign_keys = OFF", "temp_store = MEMORY", f"cache_size = {_WRITE_CACHE}"):
                    db.execute(f"PRAGMA {pragma}")
                if db.execute("PRAGMA user_version").fetchone()[0] != _SCHEMA_VERSION:
                    # One transaction: a failure (a full disk) leaves the file as it was.
                    try:
                        db.executescript(
                            f"BEGIN; {_SCHEMA}; PRAGMA user_version = {_SCHEMA_VERSION}; COMMIT;"
                        )
                    except BaseException:
                        if db.in_transaction:
                            db.execute("ROLLBACK")
                        raise
        except BaseException:
            db.close()
            raise
        self.db.close()
        self.db, self._writable, self._file = db, True, _file_id(self.path)

    def replaced(self) -> bool:
        """Whether the file at the store's path is no longer the one this store opened (it
        was deleted, replaced or created since): a long-lived reader then opens the store
        again."""
        return _file_id(self.path) != self._file

    @contextmanager
    def _translate_errors(self, then: str = "") -> Iterator[None]:
        try:
            yield
        except sqlite3.OperationalError as exc:
            if "locked" in str(exc) or "busy" in str(exc):
                raise StoreUnavailable(
                    f"{self.url} is locked by another process{then}; try again when it has finished"
                ) from None
            raise StoreUnavailable(f"{self.url}: {exc}{then}") from None

    @contextmanager
    def atomic(self) -> Iterator[sqlite3.Connection]:
        """One write transaction: committed if the block ends normally, rolled back otherwise."""
        self._make_writable()
        with self._translate_errors():
            self.db.execute("BEGIN IMMEDIATE")
        try:
            # A new (or cleared) store gets its identity with its first write.
            self.db.execute(
                "INSERT OR IGNORE INTO main.meta (key, value) VALUES ('identity', ?)", (uuid.uuid4().hex,)
            )
            yield self.db
            self.db.execute("COMMIT")
        except BaseException as exc:
            if self.db.in_transaction:  # SQLite rolls back by itself after some errors
                with suppress(sqlite3.OperationalError):
                    self.db.execute("ROLLBACK")
            if isinstance(exc, sqlite3.OperationalError):  # a full disk, a lost file: one line
                raise write_failed(self.url, exc) from None
            raise

    def close(self) -> None:
        self.db.close()

    def store_version(self) -> int:
        row = self.db.execute("SELECT value FROM meta WHERE key = 'version'").fetchone()
        return int(row[0]) if row else 0

    def identity(self) -> str:
        row = self.db.execute("SELECT value FROM meta WHERE key = 'identity'").fetchone()
        return row[0] if row else ""

    def existing_ids(self, ids: Iterable[str]) -> set[str]:
        found: set[str] = set()
        for chunk, marks in _chunks(list(ids)):
            found.update(
                r[0] for r in self.db.execute(f"SELECT id FROM organizations WHERE id IN ({marks})", chunk)
            )
        return found

    def write(
        self, parts: Sequence[WritePart], *, dry_run: bool = False, edit: Edit | None = None
    ) -> list[LoadBatch]:
        sqlite_write.write(self, parts, dry_run, edit)
        return [part.batch for part in parts]

    def organizations(self) -> Iterator[Organization]:
        cursor = self.db.execute(f"SELECT {quoted(_ORG_COLUMNS)} FROM organizations ORDER BY id")
        return map(_org_from_row, cursor)

    def collaborations(self) -> Iterator[Collaboration]:
        cursor = self.db.execute(f"SELECT {quoted(_TIE_COLUMNS)} FROM collaborations ORDER BY key")
        return map(_tie_from_row, cursor)

    def tables(self) -> StoreTables:
        """Every organisation and collaboration as Arrow columns: one ``SELECT`` per table in
        one read transaction (a load that commits meanwhile is not half seen), its rows
        turned into columns at once, list fields parsed as one JSON document per column.

        The rows come through this connection's SQLite (not ADBC's copy, whose closing would
        drop the file locks a load in this process holds; see :mod:`.sqlite_write`).
        """
        org_fields = [c.name for c in ORGANIZATION_COLUMNS]
        nested = self.db.in_transaction
        if not nested:
            self.db.execute("BEGIN")
        try:
            orgs = self.db.execute(f"SELECT {quoted(org_fields)} FROM organizations ORDER BY id").fetchall()
            ties = self.db.execute(
                f"SELECT {quoted(_TIE_COLUMNS)} FROM collaborations ORDER BY key"
            ).fetchall()
        finally:
            if not nested:
                self.db.execute("COMMIT")
        return StoreTables(
            _arrow(orgs, ORGANIZATION_COLUMNS, ORGANIZATION_SCHEMA),
            _arrow(ties, COLLABORATION_COLUMNS, COLLABORATION_SCHEMA),
        )

    def organization(self, id: str) -> Organization | None:
        row = self.db.execute(
            f"SELECT {quoted(_ORG_COLUMNS)} FROM organizations WHERE id = ?", (id,)
        ).fetchone()
        return _org_from_row(row) if row else None

    def batches(self) -> list[LoadBatch]:
        return [
            LoadBatch(**json.loads(data))
            for (data,) in self.db.execute("SELECT data FROM load_batches ORDER BY seq")
        ]

    def provenance(self) -> Iterator[Provenance]:
        entries = []
        for record_type, batch_id, keys, sources in self.db.execute(
            "SELECT p.record_type, b.id, p.keys, p.sources FROM provenance p JOIN load_batches b ON b.seq = p.batch"
        ):
            origins = json.loads(sources) if sources else None
            for i, key in enumerate(json.loads(keys)):
                origin = origins[i] if origins and origins[i] else (None, None)
                entries.append(Provenance(record_type, key, batch_id, origin[0], origin[1]))
        entries.sort(key=lambda p: (p.record_type, p.record_key, p.batch_id))
        return iter(entries)

    def import_history(self, batches: Sequence[LoadBatch], provenance: Iterable[Provenance]) -> None:
        with self.atomic() as db:
            db.executemany(
                "INSERT OR IGNORE INTO load_batches (id, data) VALUES (?, ?)",
                ((b.id, json.dumps(b.as_dict(), ensure_ascii=False)) for b in batches),
            )
            seqs = dict(db.execute("SELECT id, seq FROM load_batches"))
            grouped: dict[tuple[int, str], dict[str, tuple | None]] = {}
            for p in provenance:
                origin = (p.source, p.source_id) if (p.source or p.source_id) else None
                grouped.setdefault((seqs[p.batch_id], p.record_type), {})[p.record_key] = origin
            for (seq, record_type), records in grouped.items():
                # Replace what this batch recorded, so copying history twice changes nothing.
                db.execute("DELETE FROM provenance WHERE batch = ? AND record_type = ?", (seq, record_type))
                keys = sorted(records)
                sources = [records[k] for k in keys]
                insert_provenance(db, seq, record_type, keys, sources if any(sources) else None)

    def clear(self) -> None:
        with self.atomic() as db:
            for table in (
                "provenance", "load_batches", "collaborations", "organizations", "meta",
                "identifiers", "rewrites", "candidates", "merges", "snapshots",
            ):  # fmt: skip
                db.execute(f"DELETE FROM {table}")
        self._snapshot_cache = None

    # -- saved snapshots -------------------------------------------------------------------

    def save_snapshot(self, snapshot: SavedSnapshot, *, replace: bool = False) -> None:
        row = (*snapshot.as_dict().values(), snapshot.data)
        with self.atomic() as db:
            try:
                db.execute(
                    f"INSERT {'OR REPLACE ' if replace else ''}INTO snapshots "
                    "(name, created, store_version, organizations, collaborations, data) VALUES (?, ?, ?, ?, ?, ?)",
                    row,
                )
            except sqlite3.IntegrityError:
                raise SnapshotExists(snapshot.name) from None

    def saved_snapshots(self) -> list[SavedSnapshot]:
        return [
            SavedSnapshot(*row)
            for row in self.db.execute(
                "SELECT name, created, store_version, organizations, collaborations FROM snapshots "
                "ORDER BY created, name"
            )
        ]

    def saved_snapshot(self, name: str) -> SavedSnapshot | None:
        row = self.db.execute(
            "SELECT name, created, store_version, organizations, collaborations, data FROM snapshots "
            "WHERE name = ?",
            (name,),
        ).fetchone()
        return SavedSnapshot(*row) if row else None

    def delete_snapshot(self, name: str) -> bool:
        with self.atomic() as db:
            return db.execute("DELETE FROM snapshots WHERE name = ?", (name,)).rowcount > 0

    # -- entity resolution -------------------------------------------------------------

    def apply(self, edit: Edit) -> None:
        try:
            with self.atomic() as db:
                if self._apply(db, edit):
                    bump_version(db)
        except sqlite3.IntegrityError as exc:
            raise IntegrityError(f"{self.url}: change refused, nothing was written ({exc})") from None

    def _apply(self, db: sqlite3.Connection, edit: Edit) -> int:
        """Write *edit* inside the open transaction; the number of records it changed."""
        changed = 0
        for keys, marks in _chunks(edit.delete_collaborations):
            changed += db.execute(f"DELETE FROM collaborations WHERE key IN ({marks})", keys).rowcount
        part = WritePart(LoadBatch("(change)"), edit.organizations, edit.collaborations)
        sqlite_write.check_ends(self, [part], sqlite_write.other_ends([part]))
        for name, key, columns in sqlite_write.TABLES:  # through a temporary table, as a load's stage
            table = sqlite_write.given([getattr(part, name)], columns)
            if not table.num_rows:
                continue
            db.execute(
                f"CREATE TEMP TABLE edit_{name} AS SELECT *, 0 AS _part, 0 AS _seq FROM main.{name} WHERE 0"
            )
            db.executemany(
                f"INSERT INTO temp.edit_{name} ({quoted(table.column_names)}) "
                f"VALUES ({', '.join(':' + n for n in table.column_names)})",
                table.to_pylist(),
            )
            states = sqlite_write.merge(db, name, key, f"temp.edit_{name}", {0: table.num_rows}, [[]])
            changed += states[(name, 0, "inserted")] + states[(name, 0, "updated")]
            db.execute(f"DROP TABLE temp.edit_{name}")
        for ids, marks in _chunks(edit.delete_organizations):
            changed += db.execute(f"DELETE FROM organizations WHERE id IN ({marks})", ids).rowcount
            left = db.execute(
                f"SELECT source, target FROM collaborations WHERE source IN ({marks}) OR target IN ({marks}) LIMIT 1",
                [*ids, *ids],
            ).fetchone()
            if left:
                raise IntegrityError(
                    f"{self.url}: change refused, nothing was written (a collaboration {left[0]} -> {left[1]} "
                    "still refers to an organisation it deletes)"
                )
        db.executemany(
            "DELETE FROM identifiers WHERE scheme = ? AND value = ? AND org_id = ?",
            ((i.scheme, i.value, i.org_id) for i in edit.delete_identifiers),
        )
        db.executemany(
            "INSERT OR IGNORE INTO identifiers (scheme, value, org_id, record) VALUES (?, ?, ?, ?)",
            ((i.scheme, i.value, i.org_id, i.record) for i in edit.identifiers),
        )
        db.executemany('DELETE FROM rewrites WHERE tie_key = ? AND "end" = ?', edit.delete_rewrites)
        db.executemany(
            'INSERT OR REPLACE INTO rewrites (tie_key, "end", original) VALUES (?, ?, ?)',
            ((r.tie_key, r.end, r.original) for r in edit.rewrites),
        )
        db.executemany(
            "INSERT OR REPLACE INTO candidates (a, b, status, data) VALUES (?, ?, ?, ?)",
            ((c.a, c.b, c.status, c.to_json()) for c in edit.candidates),
        )
        db.executemany(
            "INSERT INTO merges (id, data) VALUES (?, ?) ON CONFLICT(id) DO UPDATE SET data = excluded.data",
            ((m.id, m.to_json()) for m in edit.merges),
        )
        return changed

    def identifiers(self, org_ids: Iterable[str] | None = None) -> list[Identifier]:
        select = "SELECT scheme, value, org_id, record FROM identifiers"
        if org_ids is None:
            return [Identifier(*row) for row in self.db.execute(select + " ORDER BY scheme, value, org_id")]
        found: list[Identifier] = []
        for ids, marks in _chunks(list(org_ids)):
            found.extend(
                Identifier(*row) for row in self.db.execute(f"{select} WHERE org_id IN ({marks})", ids)
            )
        return sorted(found, key=lambda i: (i.scheme, i.value, i.org_id))

    def aliases(self, ids: Iterable[str]) -> dict[str, str]:
        found: dict[str, str] = {}
        for chunk, marks in _chunks(list(ids)):
            found.update(
                self.db.execute(
                    f"SELECT value, org_id FROM identifiers WHERE scheme = 'record' AND value IN ({marks})",
                    chunk,
                )
            )
        return found

    def collaborations_of(self, ids: Iterable[str]) -> list[Collaboration]:
        rows: dict[str, tuple] = {}
        select = f"SELECT {quoted(_TIE_COLUMNS)} FROM collaborations"
        for chunk, marks in _chunks(list(ids), 450):
            for row in self.db.execute(
                f"{select} WHERE source IN ({marks}) OR target IN ({marks})", [*chunk, *chunk]
            ):
                rows[row[0]] = row
        return [_tie_from_row(rows[k]) for k in sorted(rows)]

    def rewrites(self, tie_keys: Iterable[str]) -> list[Rewrite]:
        found: list[Rewrite] = []
        for keys, marks in _chunks(list(tie_keys)):
            found.extend(
                Rewrite(*row)
                for row in self.db.execute(
                    f'SELECT tie_key, "end", original FROM rewrites WHERE tie_key IN ({marks})', keys
                )
            )
        return sorted(found, key=lambda r: (r.tie_key, r.end))

    def candidates(self, status: str | None = None) -> list[Candidate]:
        rows = self.db.execute("SELECT data FROM candidates" + (" WHERE status = ?" if status else ""),
                               (status,) if status else ())  # fmt: skip
        return sorted((Candidate.from_json(d) for (d,) in rows), key=lambda c: (c.created, c.a, c.b))

    def merges(self) -> list[Merge]:
        return [Merge.from_json(d) for (d,) in self.db.execute("SELECT data FROM merges ORDER BY seq")]

    def sources(self, record_type: str, key: str) -> list[tuple[str | None, str | None]]:
        # The base class reads all provenance; here only the chunks that can hold the keys.
        keys = {key}
        if record_type == "organization":
            keys |= {i.value for i in self.identifiers([key]) if i.scheme == "record"}
        quoted = [json.dumps(k, ensure_ascii=False) for k in keys]
        found: set[tuple[str | None, str | None]] = set()
        for keys_json, sources_json in self.db.execute(
            "SELECT keys, sources FROM provenance WHERE record_type = ? AND sources IS NOT NULL",
            (record_type,),
        ):
            if not any(q in keys_json for q in quoted):  # a substring test skips most chunks unparsed
                continue
            for k, origin in zip(json.loads(keys_json), json.loads(sources_json), strict=True):
                if k in keys and origin and any(origin):
                    found.add((origin[0], origin[1]))
        return sorted(found, key=lambda s: (s[0] or "", s[1] or ""))

    def counts(self) -> dict[str, object]:
        # The same numbers as the base class, counted by SQLite instead of in Python.
        home = self.home_country
        by_kind = dict(
            self.db.execute("SELECT kind, count(*) FROM organizations GROUP BY kind ORDER BY kind")
        )
        by_category = dict(
            self.db.execute(
                "SELECT CASE WHEN country = ? THEN kind ELSE 'foreign_partner' END AS c, count(*) "
                "FROM organizations GROUP BY c ORDER BY c",
                (home,),
            )
        )
        by_tie_kind = dict(
            self.db.execute("SELECT kind, count(*) FROM collaborations GROUP BY kind ORDER BY kind")
        )
        by_country = dict(
            self.db.execute("SELECT country, count(*) FROM organizations GROUP BY country ORDER BY country")
        )
        return {
            "organizations": sum(by_kind.values()),
            "collaborations": sum(by_tie_kind.values()),
            "by_category": by_category,
            "by_kind": by_kind,
            "by_tie_kind": by_tie_kind,
            "by_country": by_country,
        }
