"""A first load into an empty Neo4j database through Neo4j's offline importer (``ecograph load --bulk``).

Through Bolt a load is one transaction that the server builds record by record; for a
steward's first national load Neo4j's own route is its offline importer,
``neo4j-admin database import full``, which writes the store files directly. It needs
the database stopped and empty, so it is only for a server that ecograph provisions
(``ecograph neo4j start``: ecograph knows its folder, its port and how to restart it)
and whose database holds nothing yet. The route, all or nothing:

1. the files are read, validated and resolved by the same pipeline as any load
   (:func:`ecograph.ingest.load`) against the empty database, so the same rows are
   refused for the same reasons;
2. the valid organisations and collaborations, and what a Bolt load records beside them
   (the meta node with a new identity and version 1, the load batches with their counts,
   their provenance's ``ProvenanceChunk`` nodes), are written as the importer's
   header/data CSV files into a private folder (mode 0700) inside the instance folder;
3. the importer builds a new database from them in that folder while the server still runs;
4. the server stops, the new database's folders take the place of the empty ones, and
   the server starts again, as it ran before;
5. the schema the store expects is created (:meth:`Neo4jStore._ensure_schema`): the
   uniqueness constraints are populated before their statement returns, and the load
   returns while the server populates the other indexes (names, kinds, tie keys), which
   every open of the store waits for; and entity resolution's decisions, if the load
   made any, are written in one transaction, after the indexes are online.

If any step fails, the empty database is put back, the server is running again, and the
error is one line. An index population can fail only on a value too long for an index
entry (8,167 bytes); a load with an indexed text longer than 4,000 bytes waits for its
indexes before it returns, so that such a failure undoes it too. The importer's own output stays in the private folder, which is
deleted afterwards; no password is given to it (it works on files) nor kept in its
environment.
"""

from __future__ import annotations

import contextlib
import errno
import json
import logging
import os
import shutil
import subprocess
import tempfile
import time
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path
from urllib.parse import urlsplit

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv

from ecograph import neo4j_server, settings
from ecograph.errors import StoreUnavailable, UsageError
from ecograph.model import COLLABORATION_COLUMNS, ORG_KINDS, ORGANIZATION_COLUMNS, TIE_KINDS, Column
from ecograph.names import name_keys
from ecograph.report import LoadBatch, LoadReport, now_iso
from ecograph.resolution.records import Edit
from ecograph.store import cypher
from ecograph.store.base import WritePart
from ecograph.store.neo4j import _META_KEY, Neo4jStore

__all__ = ["BULK_HINT_ROWS", "bulk_hint", "bulk_load"]

log = logging.getLogger(__name__)

#: Above this many rows, a Bolt load into an empty provisioned database says that
#: ``--bulk`` exists.
BULK_HINT_ROWS = 100_000
#: Between the elements of a list property in the importer's CSV: the unit separator, a
#: control character that no text ecograph keeps can hold (see ``ecograph.model``).
_ARRAY_DELIMITER = "\x1f"
#: The importer's JVM heap; its data structures are off-heap, capped by _OFF_HEAP.
_IMPORTER_HEAP = "1g"
_OFF_HEAP = "1g"
_LOOPBACK = {"127.0.0.1", "localhost", "::1"}
#: The named pipe, in the private folder, from which the importer reads its arguments.
_ARGUMENTS = "arguments"
#: An index entry of Neo4j's range indexes holds at most 8,167 bytes; an index populated
#: over a longer value fails. Text of at most this many bytes fits with room to spare.
_INDEX_SAFE_BYTES = 4_000
# How the importer's CSV header types each kind of stored column (strings need none).
_HEADER_TYPES = {"text": "", "list": ":string[]", "integer": ":long", "real": ":double"}


def _provisioned(url: str) -> tuple[Path | None, str]:
    """The instance folder of the provisioned server at *url* (``None`` if there is none
    there) and the URL without credentials."""
    scheme, _, rest = url.partition("://")
    bare = f"{scheme}://{rest.rpartition('@')[2]}"
    try:
        parts = urlsplit(bare)
        port = parts.port or 7687
    except ValueError:
        return None, bare
    if scheme not in {"bolt", "neo4j"} or parts.hostname not in _LOOPBACK:
        return None, bare
    return neo4j_server.provisioned(port), bare


class _BulkStore(Neo4jStore):
    """A :class:`Neo4jStore` on an empty provisioned database whose :meth:`write` imports."""

    # The import replaces the empty database's folders, schema and all, so the schema is
    # made once, on the imported database; on a new server, making it at open too cost 3 s.
    _schema_at_open = False
    _imported_version: int | None = None
    _folder: Path | None = None
    _importer: subprocess.Popen[bytes] | None = None

    def __init__(self, url: str, home_country: str) -> None:
        instance, bare = _provisioned(url)
        if instance is None:
            raise UsageError(
                f"--bulk loads only into a Neo4j server that ecograph provisions and runs on this "
                f"machine (`ecograph neo4j start`), and none listens at {bare}; load without --bulk"
            )
        self.instance = instance
        super().__init__(url, home_country)
        try:
            self._refuse_unless_empty()
            # A private folder beside the data (0700; a rename away from its place), and the
            # importer's JVM started now, to load its classes while the files are validated.
            self._folder = Path(tempfile.mkdtemp(prefix=".ecograph-bulk-", dir=self.instance))
            self._importer = self._start_importer(self._folder)
        except BaseException:
            self.close()
            raise

    def _start_importer(self, folder: Path) -> subprocess.Popen[bytes]:
        """``neo4j-admin`` waiting for its arguments on the named pipe ``folder/arguments``
        (see :meth:`_run_importer`), configured to write its database into ``folder/data``."""
        conf = folder / "conf"
        conf.mkdir()
        (conf / "neo4j.conf").write_text(_staging_conf(self.instance, folder / "data"))
        os.mkfifo(folder / _ARGUMENTS, 0o600)
        return neo4j_server.start_admin(
            [f"@{folder.name}/{_ARGUMENTS}"],  # relative to the instance folder, its working folder
            instance=self.instance,
            conf=conf,
            log=folder / "import.log",
            heap=_IMPORTER_HEAP,
            jit="quick",
            die_with_parent=True,
        )

    def close(self) -> None:
        importer, self._importer = self._importer, None
        if importer is not None:  # still waiting for its arguments unless the load imported
            if importer.poll() is None:
                importer.kill()
            importer.wait()
        if self._folder is not None:
            shutil.rmtree(self._folder, ignore_errors=True)
        super().close()

    def _refuse_unless_empty(self) -> None:
        with self._errors("checking that the database is empty"):
            holds = self._read(lambda tx: tx.run(cypher.ANY_NODE).single() is not None)
        if holds:
            raise UsageError(
                f"--bulk loads only into an empty database, and {self.url} (database "
                f"{self.database!r}) holds data; load without --bulk to add to it"
            )

    def write(
        self, parts: Sequence[WritePart], *, dry_run: bool = False, edit: Edit | None = None
    ) -> list[LoadBatch]:
        if dry_run or not any(p.organizations.num_rows or p.collaborations.num_rows for p in parts):
            if not dry_run:  # nothing to import: a Bolt write, into the schema it expects
                self._ensure_schema()
            return super().write(parts, dry_run=dry_run, edit=edit)
        began = time.perf_counter()
        nodes, relationships = self._import_tables(parts)
        # The indexes are populated after the load returns (the next open of the store waits
        # for them), unless one could fail on a value too long for it: then the load waits,
        # and undoes itself if one does; and entity resolution's decisions read by tie key.
        wait = edit is not None or _too_long_to_index(nodes, relationships)
        self._fill_all_new(parts)
        history = self._history_tables(parts, first_id=nodes.num_rows)
        _took("the importer's tables", began)
        folder = self._folder
        assert folder is not None
        try:
            self._import(folder, {"organizations": nodes, **history}, relationships)
            self._refuse_unless_empty()  # nothing may have arrived since the check at open
            self._swap_in(folder, parts, edit, wait)
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        if edit is None:  # (with entity resolution's decisions written after it, the store is asked)
            self._imported_version = 1
        return [part.batch for part in parts]

    # -- the importer's input ------------------------------------------------------------

    def _import_tables(self, parts: Sequence[WritePart]) -> tuple[pa.Table, pa.Table]:
        """The load's records as the importer's node and relationship tables (header names
        as column names), after the checks a Bolt write makes."""
        orgs = _last_of_each(pa.concat_tables([p.organizations for p in parts]), "id")
        ties = _last_of_each(pa.concat_tables([p.collaborations for p in parts]), "key")
        for table, kinds, record in (
            (orgs, ORG_KINDS, lambda i: f"organisation {orgs['id'][i].as_py()!r}"),
            (
                ties,
                TIE_KINDS,
                lambda i: f"collaboration {ties['source'][i].as_py()} -> {ties['target'][i].as_py()}",
            ),
        ):
            unknown = pc.invert(pc.is_in(table["kind"], pa.array(kinds)))
            if pc.any(unknown).as_py():
                at = pc.index(unknown, True).as_py()
                raise self._refused(self._unknown_kind(record(at), table["kind"][at].as_py()))
        # Node ids are the rows' numbers (``--id-type=actual``): the importer need not map
        # string ids, and the ties' ends become those numbers here (null: no such node).
        ids = orgs["id"].combine_chunks()
        numbers = [pc.index_in(ties[end], value_set=ids) for end in ("source", "target")]
        ends = [pc.is_null(number) for number in numbers]
        dangling = pc.or_(*ends)
        if pc.any(dangling).as_py():
            at = pc.index(dangling, True).as_py()
            source, target, kind = (ties[c][at].as_py() for c in ("source", "target", "kind"))
            missing = set(pc.filter(ties["source"], ends[0]).to_pylist())
            missing |= set(pc.filter(ties["target"], ends[1]).to_pylist())
            end = source if source in missing else target
            raise self._refused(self._unknown_end(source, target, kind, end, len(missing) - 1))

        labels = {k: f"Organization{_ARRAY_DELIMITER}{v}" for k, v in cypher.ORG_LABELS.items()}
        nodes = {":ID": pa.array(range(orgs.num_rows), pa.int64()), ":LABEL": _mapped(orgs["kind"], labels)}
        for column in ORGANIZATION_COLUMNS:
            nodes[_header(column)] = _cell(orgs[column.name], column)
        nodes["name_key"] = name_keys(orgs["name"].combine_chunks())
        relationships = {
            ":START_ID": numbers[0],
            ":END_ID": numbers[1],
            ":TYPE": _mapped(ties["kind"], cypher.TIE_TYPES),
        }
        for column in COLLABORATION_COLUMNS:
            if column.name not in ("source", "target"):
                relationships[_header(column)] = _cell(ties[column.name], column)
        return pa.table(nodes), pa.table(relationships)

    def _history_tables(self, parts: Sequence[WritePart], first_id: int) -> dict[str, pa.Table]:
        """What a Bolt load records beside the records (:meth:`Neo4jStore._record_load` into
        an empty store), as the importer's node tables numbered from *first_id*: the meta
        node (a new identity, version 1), the load batches (their counts filled), and their
        provenance's ``ProvenanceChunk`` nodes. Written through Bolt after the restart, they
        took a tenth of the bulk load's time (the chunks hold every record's key)."""
        chunks = [row for part in parts for row in self._provenance_rows(part)]
        columns: dict[str, dict[str, list]] = {
            "meta": {
                ":LABEL": ["EcographMeta"],
                "key": [_META_KEY],
                "identity": [uuid.uuid4().hex],
                "version:long": [1],
                "batch_seq:long": [len(parts)],
                "locked_at:datetime": [now_iso()],
            },
            "batches": {
                ":LABEL": ["LoadBatch"] * len(parts),
                "id": [part.batch.id for part in parts],
                "seq:long": list(range(1, len(parts) + 1)),
                "data": [json.dumps(part.batch.as_dict(), ensure_ascii=False) for part in parts],
            },
            "provenance": {
                ":LABEL": ["ProvenanceChunk"] * len(chunks),
                "batch_id": [c["batch_id"] for c in chunks],
                "record_type": [c["record_type"] for c in chunks],
                "keys:string[]": [c["keys"] for c in chunks],
                "sources": [c["sources"] for c in chunks],
            },
        }
        tables = {}
        for name, table in columns.items():
            rows = len(table[":LABEL"])
            tables[name] = pa.table({":ID": pa.array(range(first_id, first_id + rows), pa.int64()), **table})
            first_id += rows
        return tables

    def _provenance_rows(self, part: WritePart) -> list[dict]:
        """The part's ``ProvenanceChunk`` rows as :meth:`_provenance_chunks` makes them, with
        their keys joined for the importer. Records from files that give no origins (canonical
        CSV) have none to look up: their keys are chunked as Arrow columns instead of a Python
        dict of every key (0.5-1.3 s of a 600,000-record load's Python)."""
        if part.sources:
            rows = self._provenance_chunks(part.batch.id, part)
            return [{**row, "keys": _ARRAY_DELIMITER.join(row["keys"])} for row in rows]
        rows = []
        for record_type, column in (
            ("organization", part.organizations["id"]),
            ("collaboration", part.collaborations["key"]),
        ):
            keys = pc.unique(column)  # in order of first appearance, as that dict keeps them
            for start in range(0, len(keys), self.batch_size):
                chunk = keys.slice(start, self.batch_size)
                joined = pa.ListArray.from_arrays(pa.array([0, len(chunk)], pa.int32()), chunk)
                rows.append(
                    {
                        "batch_id": part.batch.id,
                        "record_type": record_type,
                        "keys": pc.binary_join(joined, _ARRAY_DELIMITER)[0].as_py(),
                        "sources": None,
                    }
                )
        return rows

    def store_version(self) -> int:
        # After an import, the version its meta node was given: asking the restarted server
        # (a query its planner has not seen yet) cost 0.3-2 s of the load.
        if self._imported_version is not None:
            return self._imported_version
        return super().store_version()

    # -- the import and the swap ---------------------------------------------------------

    def _import(self, folder: Path, nodes: dict[str, pa.Table], relationships: pa.Table) -> None:
        """Write the CSV files (one per table of *nodes*, one of *relationships*) into
        *folder* and import them into ``folder/data``."""
        tables = {**nodes, "collaborations": relationships}
        files = {name: folder / f"{name}.csv" for name in tables}
        began = time.perf_counter()
        for name, table in tables.items():
            pcsv.write_csv(table, files[name], pcsv.WriteOptions(quoting_style="needed"))
        # The importer reads a field with a line break only when told (which is slower).
        multiline = any(
            pc.any(pc.match_substring(table[name], "\n")).as_py()
            for table in tables.values()
            for name in table.column_names
            if pa.types.is_string(table.schema.field(name).type)
        )
        _took("the CSV files", began)
        began = time.perf_counter()
        # Paths relative to the instance folder (the importer's working folder): the
        # argument file splits its lines at spaces.
        inside = Path(folder.name)
        status = self._run_importer(
            [
                "database", "import", "full",
                *(f"--nodes={inside / files[name].name}" for name in nodes),
                f"--relationships={inside / files['collaborations'].name}",
                "--id-type=actual",
                "--array-delimiter=U+001F",
                f"--multiline-fields={'true' if multiline else 'false'}",
                "--bad-tolerance=0",
                f"--max-off-heap-memory={_OFF_HEAP}",
                f"--report-file={inside / 'import.report'}",
                "--", self.database,
            ]
        )  # fmt: skip
        _took("the import", began)
        if status != 0:
            output = folder / "import.log"
            how = f"was stopped (signal {-status})" if status < 0 else f"failed ({_last_error(output)})"
            raise StoreUnavailable(
                f"Neo4j's importer {how}; nothing was written: {self.url} is empty and running as before"
            )

    def _run_importer(self, arguments: Sequence[str]) -> int:
        """Hand the started importer its *arguments* through its named pipe and wait for its
        end; its exit status (negative: the signal that stopped it)."""
        importer, pipe = self._importer, self._folder / _ARGUMENTS  # type: ignore[operator]
        assert importer is not None
        text = ("\n".join(arguments) + "\n").encode()
        while True:  # open for writing once the JVM reads, unless it died waiting
            try:
                fd = os.open(pipe, os.O_WRONLY | os.O_NONBLOCK)
                break
            except OSError as exc:
                if exc.errno != errno.ENXIO:
                    raise
                if importer.poll() is not None:
                    return importer.returncode
                time.sleep(0.01)
        try:  # a few hundred bytes: one write into the empty pipe's 64 KiB
            if os.write(fd, text) != len(text):
                raise StoreUnavailable("Neo4j's importer took only part of its arguments")
        finally:
            os.close(fd)
        try:
            return importer.wait()
        except BaseException:
            importer.kill()
            importer.wait()
            raise

    def _swap_in(self, folder: Path, parts: Sequence[WritePart], edit: Edit | None, wait: bool) -> None:
        """Restart the server on the imported database, create the schema (with *wait*,
        waiting until it is online) and record the load; on any failure, restart it on the
        empty database again."""
        data = self.instance / "data"
        imported, before = folder / "data", folder / "before"
        names = [Path("databases", self.database), Path("transactions", self.database)]
        swapped: list[bool] = []

        def swap_in() -> None:
            _move(names, data, aside=before, new=imported)
            swapped.append(True)

        try:
            began = time.perf_counter()
            neo4j_server.restart(self.instance, while_stopped=swap_in)
            self._reconnect()
            began = _took("the restart", began)
            self._ensure_schema(wait=wait)
            began = _took("the schema", began)
            if edit:
                self._apply_edit(edit)
                _took("entity resolution's decisions", began)
        except BaseException as exc:
            try:
                if swapped:  # the imported database goes back where it came from
                    neo4j_server.restart(
                        self.instance, while_stopped=lambda: _move(names, data, aside=imported, new=before)
                    )
                elif not neo4j_server.status(instance=self.instance)["running"]:
                    neo4j_server.restart(self.instance)
                self._reconnect()
            except Exception as again:
                raise StoreUnavailable(
                    f"the bulk load into {self.url} failed ({_one_line(exc)}) and the empty database "
                    f"could not be started again ({_one_line(again)}); see {self.instance / 'logs'}"
                ) from None
            if isinstance(exc, StoreUnavailable | UsageError | KeyboardInterrupt):
                raise
            raise StoreUnavailable(
                f"the bulk load into {self.url} failed ({_one_line(exc)}); nothing was written: "
                "it is empty and running as before"
            ) from None

    def _reconnect(self) -> None:
        """A new driver: the old one's connections died with the server they went to."""
        self._driver.close()
        self._driver = self._connect()
        with self._errors("connecting"):
            self._driver.verify_connectivity()


def _took(step: str, began: float) -> float:
    """Log how long *step* took since *began*; return now (for the benchmark's breakdown)."""
    now = time.perf_counter()
    log.info("bulk load: %s took %.2f s", step, now - began)
    return now


def _too_long_to_index(nodes: pa.Table, relationships: pa.Table) -> bool:
    """Whether a value of an indexed text property of the import (names, folded names, tie
    keys) has more than :data:`_INDEX_SAFE_BYTES` bytes."""
    columns = (nodes["name"], nodes["name_key"], relationships["key"])
    return any((pc.max(pc.binary_length(c)).as_py() or 0) > _INDEX_SAFE_BYTES for c in columns)


def _header(column: Column) -> str:
    """The importer's header name of a model column: its name and, unless text, its type."""
    return column.name + _HEADER_TYPES[column.stored]


def _cell(values: pa.ChunkedArray, column: Column) -> pa.ChunkedArray:
    """A column's values as the importer reads them: lists joined (an empty one: no property)."""
    if column.stored != "list":
        return values
    joined = pc.binary_join(values, _ARRAY_DELIMITER)
    return pc.if_else(pc.greater(pc.list_value_length(values), 0), joined, pa.scalar(None, pa.string()))


def _mapped(values: pa.ChunkedArray, names: dict[str, str]) -> pa.Array:
    """Each value replaced by its entry in *names* (labels and types from the vocabularies)."""
    keys = list(names)
    return pc.take(pa.array([names[k] for k in keys]), pc.index_in(values, pa.array(keys)))


def _last_of_each(table: pa.Table, key: str) -> pa.Table:
    """*table* with one row per *key*, the last given (as a Bolt write keeps the last)."""
    if pc.count_distinct(table[key]).as_py() == table.num_rows:
        return table
    last = {k: i for i, k in enumerate(table[key].to_pylist())}
    return table.take(sorted(last.values()))


def _staging_conf(instance: Path, data: Path) -> str:
    """The instance's neo4j.conf with the data folder moved to *data* (the import's target)."""
    lines = (instance / "conf" / "neo4j.conf").read_text().splitlines()
    kept = [line for line in lines if not line.startswith("server.directories.data=")]
    return "\n".join([*kept, f"server.directories.data={data}", ""])


def _move(names: Sequence[Path], data: Path, *, aside: Path, new: Path) -> None:
    """With the server stopped: move the database folders *names* of *data* into *aside*,
    then those of *new* into *data*. A failure half-way moves back what was moved."""
    done: list[tuple[Path, Path]] = []
    try:
        for name in names:
            for source, target in ((data / name, aside / name), (new / name, data / name)):
                if source.exists():
                    target.parent.mkdir(parents=True, exist_ok=True)
                    source.rename(target)
                    done.append((source, target))
    except BaseException:
        for source, target in reversed(done):
            with contextlib.suppress(OSError):
                target.rename(source)
        raise


def _last_error(log: Path) -> str:
    """The importer's last line that says what went wrong (not a stack frame or a hint)."""
    try:
        lines = [line.strip() for line in log.read_text(errors="replace").splitlines()]
    except OSError:
        return "no output"
    said = [
        line
        for line in lines
        if line
        and not line.startswith(("at ", "..."))
        and "--verbose" not in line
        and not line.startswith(".")
    ]
    return said[-1][:300] if said else "no output"


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def bulk_load(
    paths: Sequence[str | Path],
    store: str | None = None,
    *,
    format: str = "auto",
    dry_run: bool = False,
    skip_invalid: bool = False,
    rejects: str | Path | None = None,
    progress: Callable[[str, str, int, int], None] | None = None,
    options: dict[str, object] | None = None,
) -> LoadReport:
    """Load *paths* into the empty database of a provisioned Neo4j server with its offline importer.

    Takes the arguments of :func:`ecograph.ingest.load` (the same validation, report and
    errors) and, with *dry_run*, does exactly what it does.

    Raises
    ------
    UsageError
        The store is not a Neo4j server that ecograph provisions and runs on this machine,
        or its database is not empty. Nothing was read or written.
    StoreUnavailable
        The import, the restart or the schema failed: the database is empty as before and
        the server is running.
    """
    from ecograph.ingest import load

    with _BulkStore(settings.store_url(store), settings.home_country()) as handle:
        return load(
            paths,
            handle,
            format=format,
            dry_run=dry_run,
            skip_invalid=skip_invalid,
            rejects=rejects,
            progress=progress,
            options=options,
        )


def bulk_hint(report: LoadReport, url: str | None) -> str | None:
    """A note for a Bolt load of more than :data:`BULK_HINT_ROWS` rows into what was an
    empty database of a provisioned server: that ``--bulk`` exists (else ``None``)."""
    rows = sum(b.organizations_inserted + b.collaborations_inserted for b in report.batches)
    kept = sum(
        b.organizations_updated
        + b.organizations_unchanged
        + b.collaborations_updated
        + b.collaborations_unchanged
        for b in report.batches
    )
    if not report.written or rows <= BULK_HINT_ROWS or kept or report.store_version != 1:
        return None
    if _provisioned(settings.store_url(url))[0] is None:
        return None
    return (
        f"{rows:,} rows went into an empty database through Bolt; `ecograph load --bulk` loads "
        "a first load this large with Neo4j's offline importer, several times faster"
    )
