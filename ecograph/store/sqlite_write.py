"""The SQLite store's write path: a load's columns written through ADBC, then one transaction.

A load's tables, each in key order, are written with the ADBC SQLite driver's
``adbc_ingest``, which binds whole Arrow columns at once (more than twice as fast as
``sqlite3.executemany`` with the tuples it needs; README, Performance).

Into a store that has a file, they go into a scratch SQLite file, the *stage*; the store's
own connection then attaches it and, in one transaction, takes the records from it with
set-based statements: into an empty table the stage's records (and index entries) are
copied as they are; otherwise one join on the key counts what is new, changed and
unchanged, and only the new and changed records are written. Stages live in the temporary
folder, one folder per load named after the process, removed when the load ends and, if a
process died before, by the next load.

A store that does not exist yet is made whole in a file beside its name and given the
name when complete (:func:`_write_new`): its pages are written once.

ADBC brings its own copy of SQLite, and two copies in one process cannot see each other's
file locks (a connection closing in one drops the locks the other holds), so ADBC only
ever writes a file no sqlite3 connection has open: a stage, closed before the store
attaches it, or a new store's file before it has its name.
"""

from __future__ import annotations

import contextlib
import errno
import glob
import json
import os
import re
import secrets
import shutil
import sqlite3
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import adbc_driver_manager
import adbc_driver_sqlite
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ecograph.errors import IntegrityError, StoreUnavailable
from ecograph.model import COLLABORATION_COLUMNS, ORGANIZATION_COLUMNS, Column
from ecograph.names import name_key, name_keys
from ecograph.report import MAX_CHANGES, now_iso
from ecograph.resolution.records import Edit
from ecograph.store.base import WritePart
from ecograph.textbytes import holds, value_bytes

if TYPE_CHECKING:
    from ecograph.store.sqlite import SqliteStore

__all__ = [
    "PAGE_SIZE",
    "STAGE_PREFIX",
    "TABLES",
    "bump_version",
    "check_ends",
    "given",
    "insert_provenance",
    "merge",
    "other_ends",
    "write",
    "write_failed",
]

STAGE_PREFIX = "ecograph-stage-"
#: Bytes per page of a new store and of every stage: a large load's B-trees, WAL frames and
#: checkpoint take a quarter of the pages 4 KiB would (a quarter less CPU for a 500,000-tie load).
PAGE_SIZE = 16384
#: table, its key, the declared columns it stores (organisations add ``name_key``)
TABLES = (("organizations", "id", ORGANIZATION_COLUMNS), ("collaborations", "key", COLLABORATION_COLUMNS))
_KEYS = {name: key for name, key, _ in TABLES}
_RECORD = {"organizations": "organization", "collaborations": "collaboration"}
_CHUNK = 50_000  # keys per provenance row: a load of 500,000 ties adds ten
_SORTED_ROWS = 65_536  # records taken into key order at a time


class _RolledBack(Exception):
    """Raised inside a dry run's transaction so that it is rolled back."""


def write_failed(url: str, exc: Exception) -> StoreUnavailable:
    """The one-line error of a write SQLite refused: the store is locked, or the disk full."""
    if "locked" in str(exc) or "busy" in str(exc):
        return StoreUnavailable(f"{url} is locked by another process; try again when it has finished")
    return StoreUnavailable(f"{url}: cannot write ({exc}); nothing was written")


def insert_provenance(
    db: sqlite3.Connection, seq: int, record_type: str, keys: Sequence[str] | pa.Array, sources: list | None
) -> None:
    """Record that batch *seq* brought the records *keys*, in chunks of :data:`_CHUNK` (each
    chunk's keys one JSON array, written from the column)."""
    if sources is not None and not any(sources):
        sources = None
    keys = keys if isinstance(keys, pa.Array) else pa.array(keys, pa.string())
    bounds = pa.array([*range(0, len(keys), _CHUNK), len(keys)], pa.int32())
    texts = _json_lists(pa.ListArray.from_arrays(bounds, keys)).to_pylist() if len(keys) else []
    db.executemany(
        "INSERT INTO provenance (batch, record_type, chunk, keys, sources) VALUES (?, ?, ?, ?, ?)",
        (
            (
                seq,
                record_type,
                n,
                text,
                json.dumps(sources[n * _CHUNK : (n + 1) * _CHUNK], ensure_ascii=False) if sources else None,
            )
            for n, text in enumerate(texts)
        ),
    )


def _merged_keys(part: WritePart, record_type: str, written: list[str]) -> list[str]:
    """Keys the part saw but wrote under another: records that entity resolution merged."""
    keys = set(written)
    return sorted(k for (t, k) in part.sources if t == record_type and k not in keys)


def bump_version(db: sqlite3.Connection) -> None:
    db.execute(
        "INSERT INTO meta (key, value) VALUES ('version', '1') "
        "ON CONFLICT(key) DO UPDATE SET value = CAST(value AS INTEGER) + 1"
    )


_JSON_CONTROL = bytes([*range(0x08), 0x0B, *range(0x0E, 0x20)])
_JSON_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"}


def _quoted(names: Sequence[str], prefix: str = "") -> str:
    return ", ".join(f'{prefix}"{n}"' for n in names)


def _json_lists(lists: pa.Array) -> pa.Array:
    """Each list as ``json.dumps(items, ensure_ascii=False)`` writes it; empty ones null."""
    lists = lists.combine_chunks() if isinstance(lists, pa.ChunkedArray) else lists
    items = pc.list_flatten(lists)
    data = value_bytes(items)
    if holds(data, _JSON_CONTROL):  # written as \u escapes: rare enough for json itself
        texts = [json.dumps(v, ensure_ascii=False) if v else None for v in lists.to_pylist()]
        return pa.array(texts, pa.string())
    for char, escaped in _JSON_ESCAPES.items():
        if char.encode() in data:
            items = pc.replace_substring(items, char, escaped)
    offsets = pc.subtract(lists.offsets, lists.offsets[0])
    joined = pc.binary_join(pa.ListArray.from_arrays(offsets, items), '", "')  # one pass over the items
    text = pc.binary_join_element_wise('["', joined, '"]', "")
    return pc.if_else(pc.greater(pc.list_value_length(lists), 0), text, pa.scalar(None, pa.string()))


def stored(table: pa.Table, columns: Sequence[Column], keys: bool) -> pa.Table:
    """A table of declared *columns* as the store keeps them, mapped by name: lists as JSON
    text, and with *keys* an organisation's ``name_key`` after its name."""
    out: dict[str, pa.Array] = {}
    for column in columns:
        values = table[column.name]
        out[column.name] = _json_lists(values) if column.stored == "list" else values
        if column.name == "name" and keys:
            out["name_key"] = name_keys(values.combine_chunks())
    return pa.table(out)


def given(tables: Sequence[pa.Table], columns: Sequence[Column], keys: bool = False) -> pa.Table:
    """Each part's records (*tables*) in store form, with the part each came from and its
    place among all (``_seq``); with *keys*, the names' keys (else :func:`merge` makes
    those of the records it writes)."""
    parts = []
    for index, table in enumerate(tables):
        table = stored(table, columns, keys)
        parts.append(table.append_column("_part", pa.array(np.full(table.num_rows, index, np.int64))))
    given = pa.concat_tables(parts)
    return given.append_column("_seq", pa.array(np.arange(given.num_rows, dtype=np.int64)))


def _remove_stale_stages(folder: Path, before: str = "") -> None:
    """Remove the stages (``<before>ecograph-stage-<pid>-…``) of loads whose process is gone
    (it stopped before cleaning up)."""
    for stage in folder.glob(f"{glob.escape(before)}{STAGE_PREFIX}*"):
        pid = re.match(rf"{re.escape(before)}{STAGE_PREFIX}(\d+)-", stage.name)
        if pid:
            try:
                os.kill(int(pid.group(1)), 0)
                continue
            except ProcessLookupError:
                pass
            except PermissionError:
                continue  # another user's process
        elif time.time() - stage.stat().st_mtime < 3600:
            continue  # named otherwise: left by an earlier version, if it is old
        if stage.is_dir():
            shutil.rmtree(stage, ignore_errors=True)
        else:
            stage.unlink(missing_ok=True)


@contextlib.contextmanager
def _stage(store: SqliteStore):
    """A scratch folder for this load's stage, removed when the load ends."""
    folder = Path(tempfile.mkdtemp(prefix=f"{STAGE_PREFIX}{os.getpid()}-"))
    try:
        yield folder / "stage.sqlite"
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _ingest(store: SqliteStore, path: Path, name: str, records: pa.RecordBatchReader, how: str) -> None:
    """Write *records* into table *name* of the SQLite file at *path* with ADBC, and close it.

    *how*: ``join``, a new table of the records as given, with the part and place of each
    (for :func:`merge`); ``copy``, a new table of the store's exact layout, its indexes
    made after the records (SQLite then copies records and index entries as they are);
    ``into``, the file's own table of that name, its indexes made again after the records.
    No journal and no sync: the file is a scratch file, or a new store that is synced
    before it is given its name. (ADBC's own DB-API module is not used: it imports
    pyarrow.dataset.)
    """
    database = adbc_driver_sqlite.connect(str(path))
    connection = adbc_driver_manager.AdbcConnection(database)
    statements = []

    def run(sql: str, records: pa.RecordBatchReader | None = None, mode: str = "") -> None:
        statement = adbc_driver_manager.AdbcStatement(connection)
        statements.append(statement)
        if records is None:
            statement.set_sql_query(sql)
        else:
            statement.set_options(
                **{"adbc.ingest.target_table": sql, "adbc.ingest.mode": f"adbc.ingest.mode.{mode}"}
            )
            statement.bind_stream(records)
        statement.execute_update()

    layout = store.db.execute(
        "SELECT type, name, sql FROM main.sqlite_master WHERE tbl_name = ? AND sql IS NOT NULL ORDER BY type DESC",
        (name,),
    ).fetchall()  # the table, then its indexes
    try:
        for pragma in (
            f"page_size = {PAGE_SIZE}",
            "journal_mode = OFF",
            "synchronous = OFF",
            "cache_size = -16000",
        ):
            run(f"PRAGMA {pragma}")
        if how == "join":
            run(name, records, "create")
            return
        if how == "copy":
            run(layout[0][2])
        for _, index, _ in layout[1:] if how == "into" else ():
            run(f'DROP INDEX "{index}"')
        run(name, records, "append")  # in key order: it only ever appends
        for _, _, index in layout[1:]:
            run(index)
    except adbc_driver_manager.DatabaseError as exc:  # a full disk, say; the message has the query too
        reason = str(exc).splitlines()[0].rpartition(": ")[2]
        where = f"the load's stage in {path.parent.parent}" if how != "into" else f"the new store {path}"
        raise StoreUnavailable(f"{store.url}: cannot write {where} ({reason}); nothing was written") from None
    finally:
        for statement in statements:
            statement.close()
        connection.close()
        database.close()


def _in_order(table: pa.Table, order: pa.Array | None) -> pa.RecordBatchReader:
    """*table*'s records in *order* (None: as they are), taken a slice at a time as they are
    read: SQLite then walks the stored table's key index in order too (a key-ordered
    stage is built in a quarter of the time), and the sorted copy never exists whole."""
    if order is None:
        return table.to_reader()
    table = table.combine_chunks()  # else each take would join each column's chunks again
    slices = (table.take(order.slice(i, _SORTED_ROWS)) for i in range(0, len(order), _SORTED_ROWS))
    return pa.RecordBatchReader.from_batches(
        table.schema, (batch for part in slices for batch in part.to_batches())
    )


def _key_order(parts: Sequence[WritePart], name: str, key: str) -> tuple[pa.Array | None, bool]:
    """The order that sorts the parts' records of table *name* by *key* (None: they are), and
    whether a key is given twice."""
    keys = pa.chunked_array([getattr(p, name)[key] for p in parts], pa.string()).combine_chunks()
    order = None
    if not pc.all(pc.less_equal(keys.slice(0, len(keys) - 1), keys.slice(1))).as_py():
        order = pc.sort_indices(keys)
        keys = keys.take(order)
    return order, bool(pc.any(pc.equal(keys.slice(1), keys.slice(0, len(keys) - 1))).as_py())


def write(store: SqliteStore, parts: Sequence[WritePart], dry_run: bool, edit: Edit | None) -> None:
    """:meth:`Store.write` for SQLite (see the module's docstring)."""
    _remove_stale_stages(Path(tempfile.gettempdir()))
    counts = {name: {i: getattr(p, name).num_rows for i, p in enumerate(parts)} for name, _, _ in TABLES}
    others = other_ends(parts)
    tables = [(name, key, columns) for name, key, columns in TABLES if sum(counts[name].values())]
    orders = {name: _key_order(parts, name, key) for name, key, _ in tables}
    new = not dry_run and _new(store) and not any(twice for _, twice in orders.values())
    if new and _write_new(store, parts, edit, tables, orders, counts, others):
        return
    store._make_writable()  # before ATTACH, which a reopened connection would not keep
    db = store.db
    fresh: dict[str, bool] = {}
    with _stage(store) as path:
        for name, _, columns in tables:  # one at a time: a table in store form lives while staged
            # into an empty table the stage is copied as it is; else merge() keys the names it writes
            order, twice = orders[name]
            empty = _empty(db, name)
            fresh[name] = empty and not twice  # a key given twice: the join settles it
            table = given([getattr(p, name) for p in parts], columns, keys=empty)
            if fresh[name]:
                table = table.drop_columns(["_part", "_seq"])
            _ingest(store, path, name, _in_order(table, order), "copy" if fresh[name] else "join")
            del table
        if fresh:
            with store._translate_errors():
                db.execute("ATTACH DATABASE ? AS stage", (str(path),))
        try:
            with store.atomic() as db:
                if any(fresh[name] and not _empty(db, name) for name in fresh):
                    raise StoreUnavailable(
                        f"{store.url} was written by another process during this load; load again"
                    )
                check_ends(store, parts, others)
                states: dict[tuple[str, int, str], int] = {}
                changes: list[list[dict]] = [[] for _ in parts]
                for name, key, _ in tables:
                    per_part = {part: n for part, n in counts[name].items() if n}
                    if fresh[name]:
                        db.execute(f"INSERT INTO main.{name} SELECT * FROM stage.{name}")
                        states.update(((name, part, "inserted"), n) for part, n in per_part.items())
                    else:
                        states.update(merge(db, name, key, "stage." + name, per_part, changes))
                _finish(store, db, parts, states, changes, edit)
                if dry_run:
                    raise _RolledBack
        except _RolledBack:
            pass
        except sqlite3.IntegrityError as exc:
            raise IntegrityError(f"{store.url}: write refused, nothing was written ({exc})") from None
        finally:
            if fresh:
                with contextlib.suppress(sqlite3.OperationalError):
                    db.execute("DETACH DATABASE stage")


def _finish(store, db, parts, states, changes, edit) -> None:
    """The end of a load's transaction: its batches and provenance, the edit of entity
    resolution, and a new store version if anything changed."""
    changed = _record_batches(db, parts, states, changes)
    if edit:
        changed += store._apply(db, edit)
    if changed:
        bump_version(db)


def _new(store: SqliteStore) -> bool:
    """Whether the store's file (and any WAL beside it) does not exist yet."""
    return not any(Path(f"{store.path}{end}").exists() for end in ("", "-wal", "-shm", "-journal"))


def _write_new(store, parts, edit, tables, orders, counts, others) -> bool:
    """A load into a store that does not exist yet: the whole store is made in a file beside
    it and given the store's name when complete, with a hard link, which fails if another
    process made the store meanwhile. Every page is written once: no stage to copy from,
    no write-ahead log to copy again. ADBC writes the records while no sqlite3 connection
    has the file open; the store's own code makes the schema and writes the rest. False
    when the folder's file system has no hard links (nothing was written)."""
    from ecograph.store.sqlite import SqliteStore  # the store module imports this one

    check_ends(store, parts, others)  # nothing is stored: every end is in the load
    _remove_stale_stages(store.path.parent, f".{store.path.name}.")
    path = store.path.with_name(f".{store.path.name}.{STAGE_PREFIX}{os.getpid()}-{secrets.token_hex(4)}")
    url = f"sqlite:///{path}"
    try:
        try:
            with SqliteStore(url, store.home_country) as made:
                made._make_writable()  # the file, its schema and settings
            for name, _, columns in tables:
                table = given([getattr(p, name) for p in parts], columns, keys=True).drop_columns(
                    ["_part", "_seq"]
                )
                _ingest(store, path, name, _in_order(table, orders[name][0]), "into")
                del table
            states = {
                (name, part, "inserted"): n for name, _, _ in tables for part, n in counts[name].items() if n
            }
            with SqliteStore(url, store.home_country) as made, made.atomic() as db:
                _finish(made, db, parts, states, [[] for _ in parts], edit)
            _sync(path)  # ADBC wrote without syncing
            os.link(path, store.path)
            _sync(store.path.parent)  # and the store's name
        except StoreUnavailable as exc:  # say the store's name, not the file's
            raise StoreUnavailable(str(exc).replace(url, store.url)) from None
        except sqlite3.IntegrityError as exc:
            raise IntegrityError(f"{store.url}: write refused, nothing was written ({exc})") from None
        except FileExistsError:
            raise StoreUnavailable(
                f"{store.url} was made by another process during this load; load again"
            ) from None
        except OSError as exc:
            if exc.errno in (errno.EPERM, errno.EOPNOTSUPP, errno.ENOTSUP) and not store.path.exists():
                return False  # a file system without hard links: the staged write does it
            raise StoreUnavailable(
                f"{store.url}: cannot write ({exc.strerror or exc}); nothing was written"
            ) from None
    finally:
        for end in ("", "-wal", "-shm", "-journal"):
            Path(f"{path}{end}").unlink(missing_ok=True)
    store._make_writable()
    return True


def _sync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _empty(db: sqlite3.Connection, name: str) -> bool:
    return not db.execute(f"SELECT EXISTS (SELECT 1 FROM main.{name})").fetchone()[0]


def other_ends(parts: Sequence[WritePart]) -> list[str]:
    """The organisations the parts' ties name that no part gives."""
    ids = pa.chunked_array([p.organizations["id"].combine_chunks() for p in parts], pa.string())
    ends = [
        pc.filter(ties[end], pc.invert(pc.is_in(ties[end], ids)))
        for ties in (p.collaborations for p in parts)
        for end in ("source", "target")
    ]
    return pc.unique(pa.chunked_array([c for e in ends for c in e.chunks], pa.string())).to_pylist()


def check_ends(store: SqliteStore, parts: Sequence[WritePart], others: list[str]) -> None:
    """Refuse ties naming an organisation neither given (*others* are the ends not given) nor stored."""
    missing = set(others) - store.existing_ids(others) if others else set()
    if missing:
        marked = pa.array(sorted(missing))
        ties = pa.concat_tables([p.collaborations for p in parts])
        hit = pc.or_(pc.is_in(ties["source"], marked), pc.is_in(ties["target"], marked))
        first = ties.filter(hit).slice(0, 1).to_pylist()[0]
        end = first["source"] if first["source"] in missing else first["target"]
        raise IntegrityError(
            f"{store.url}: write refused, nothing was written (collaboration {first['source']} -> "
            f"{first['target']} ({first['kind']}) refers to unknown organisation {end!r})"
        )


def merge(
    db: sqlite3.Connection, name: str, key: str, source: str, parts: dict[int, int], changes: list[list[dict]]
) -> dict[tuple[str, int, str], int]:
    """Write the new and changed records of *source* (the table's columns, ``_part``,
    ``_seq``) into table *name*, given *parts*; count each given record against the table as
    it was, per part, and name the first changed ones. Given twice, the last one is written."""
    columns = [r[1] for r in db.execute(f"PRAGMA main.table_info({name})")]
    compared = [c for c in columns if c not in (key, "name_key")]
    # an organisation's name key, made for the records written only (an unchanged reload: none)
    db.create_function("name_key", 1, name_key, deterministic=True)
    written = ", ".join('name_key(s."name")' if c == "name_key" else f's."{c}"' for c in columns)
    differ = f"({_quoted(compared, 'm.')}) IS NOT ({_quoted(compared, 's.')})"
    join = f"FROM {source} s LEFT JOIN main.{name} m ON m.{key} = s.{key}"
    states: dict[tuple[str, int, str], int] = {}
    for p, given in parts.items():  # one pass per file (a GROUP BY would sort every record)
        where = f"WHERE s._part = {int(p)}" if len(parts) > 1 else ""
        inserted, updated = db.execute(
            f"SELECT sum(m.{key} IS NULL), sum(m.{key} IS NOT NULL AND {differ}) {join} {where}"
        ).fetchone()
        states[(name, p, "inserted")], states[(name, p, "updated")] = inserted or 0, updated or 0
        states[(name, p, "unchanged")] = given - (inserted or 0) - (updated or 0)
    if not any(n for (_, _, what), n in states.items() if what != "unchanged"):
        return states
    first = db.execute(
        f"SELECT _part, {_quoted(compared)}, {_quoted(['old_' + c for c in compared])}, {key} FROM ("
        f"SELECT s._part, {_quoted(compared, 's.')}, {', '.join(f'm.{c} AS old_{c}' for c in compared)}, s.{key},"
        f" row_number() OVER (PARTITION BY s._part ORDER BY s._seq) AS n {join} WHERE m.{key} IS NOT NULL AND {differ})"
        f" WHERE n <= {MAX_CHANGES}"
    )
    width = len(compared)
    for row in first:
        fields = [
            c
            for c, new, old in zip(compared, row[1 : 1 + width], row[1 + width : 1 + 2 * width], strict=True)
            if new != old
        ]
        changes[row[0]].append({"record": _RECORD[name], "key": row[-1], "fields": fields})
    db.execute(
        f"INSERT INTO main.{name} ({_quoted(columns)}) SELECT {written} {join} "
        f"WHERE m.{key} IS NULL OR {differ} ORDER BY s.{key}, s._seq "
        f"ON CONFLICT ({key}) DO UPDATE SET {', '.join(f'{c} = excluded.{c}' for c in columns if c != key)}"
    )
    return states


def _record_batches(db, parts, states, changes) -> int:
    """Fill each part's batch, record it and its provenance; the number of records changed."""
    finished = now_iso()
    changed = 0
    for index, part in enumerate(parts):
        batch = part.batch
        for table in ("organizations", "collaborations"):
            for what in ("inserted", "updated", "unchanged"):
                setattr(batch, f"{table}_{what}", states.get((table, index, what), 0))
        batch.finished = finished
        batch.changes = changes[index][:MAX_CHANGES]
        changed += batch.changed
        seq = db.execute(
            "INSERT INTO load_batches (id, data) VALUES (?, ?)",
            (batch.id, json.dumps(batch.as_dict(), ensure_ascii=False)),
        ).lastrowid
        for name, key, _ in TABLES:
            record_type = _RECORD[name]
            keys = getattr(part, name)[key].combine_chunks()
            sources = None
            if part.sources:
                keys = keys.to_pylist()
                keys += _merged_keys(part, record_type, keys)
                sources = [part.sources.get((record_type, k)) for k in keys]
            insert_provenance(db, seq, record_type, keys, sources)
    return changed
