"""A load from end to end: files → Arrow batches → checked columns → resolved → one store write.

Data flows one way through :mod:`~ecograph.ingest.read`, :mod:`~ecograph.ingest.validate`
and :mod:`~ecograph.ingest.resolve` to a single :meth:`Store.write`; every file is read
and checked in full before anything is written, and a strict load with any problem
writes nothing. :func:`validated` is the same up to the write, for code that wants the
checked tables without a store.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ecograph import csvcells
from ecograph.errors import InputUnavailable, UsageError, ValidationFailed
from ecograph.ingest.read import Found, Progress, RawBatch, read_canonical, read_rows
from ecograph.ingest.resolve import merged_ids, resolve, rewritten
from ecograph.ingest.validate import check, dangling, ends_wanted, unique
from ecograph.model import COLLABORATION_COLUMNS, ORGANIZATION_FIELDS, Collaboration, Organization
from ecograph.problems import Problem
from ecograph.report import LoadBatch, LoadReport
from ecograph.resolution.records import Edit
from ecograph.store import Store, WritePart, open_store
from loaders import REGISTRY, FileInfo, detect
from loaders.archive import Member
from loaders.archive import expand as expand_archives
from loaders.base import terms_of
from loaders.canonical import CANONICAL
from loaders.text import FileFacts, examine

__all__ = ["Validated", "load", "validated", "write_records"]

_TIE_NAMES = [c.name for c in COLLABORATION_COLUMNS]


@dataclass
class Validated:
    """A load's files, read and checked: what :meth:`Store.write` would get, and why not the rest.

    ``organizations`` and ``collaborations`` hold each valid record once (the first given),
    in the model's columns followed by where it came from (``_part``: the file's place in
    ``files``, ``_row``...); ties with an end neither in the load nor known are still in
    ``collaborations``, marked in ``dangling``.
    """

    files: list[FileInfo]
    resolving: list[bool]  # per file: match its organisations to the store's (entity resolution)
    organizations: pa.Table
    collaborations: pa.Table
    problems: list[Problem] = field(default_factory=list)
    dangling: pa.Array | None = None
    merged: dict[str, str] = field(default_factory=dict)  # ends naming a node merged into another

    def part(self, table: pa.Table, index: int, names: Sequence[str]) -> pa.Table:
        """The records of file *index* in *table*, in the model's columns *names*."""
        mine = pc.equal(table["_part"], index)
        return (table if pc.all(mine).as_py() else table.filter(mine)).select(list(names))


def _open(store: Store | str | None) -> tuple[Store, bool]:
    return (store, False) if isinstance(store, Store) else (open_store(store), True)


def _files(paths: Sequence[str | Path], fmt: str) -> tuple[list[Path | Member], list[str]]:
    """The files to read: *paths*, a ``.zip`` replaced by the files in it that a loader reads
    (:func:`loaders.archive.expand`), and notes on the ones it leaves out."""
    files = [Path(p) for p in paths]
    if not files:
        raise UsageError("no files given; name at least one file to load")
    if fmt != "auto" and fmt not in REGISTRY:
        raise UsageError(f"unknown format {fmt!r}; expected auto or one of {', '.join(sorted(REGISTRY))}")
    for path in files:
        if not path.is_file():
            raise InputUnavailable(f"cannot read {path}: no such file")
    return expand_archives(files, fmt)


def _examine(files: Sequence[Path | Member], fmt: str) -> list[tuple[Path, FileFacts, object]]:
    """Each file with its checksum and encoding, and the loader of its format (None: unknown)."""
    plans = []
    for path in files:
        try:
            facts = examine(path)
        except OSError as exc:
            raise InputUnavailable(f"cannot read {path}: {exc.strerror or exc}") from None
        plans.append((path, facts, detect(path, facts.head) if fmt == "auto" else REGISTRY[fmt]))
    return plans


def validated(
    paths: Sequence[str | Path],
    *,
    home_country: str,
    format: str = "auto",
    known: Callable[[list[str]], set[str]] = lambda ids: set(),
    aliases: Callable[[set[str]], dict[str, str]] = lambda ids: {},
    options: dict[str, object] | None = None,
    progress: Progress | None = None,
) -> Validated:
    """Read and check *paths* without writing anything.

    *known* tells which organisation ids outside the load exist (a store's
    :meth:`~ecograph.store.Store.existing_ids`), *aliases* which were merged into another
    node; by default an end outside the load is dangling.
    """
    plans = _examine(_files(paths, format)[0], format)
    return _validated(plans, home_country, known, aliases, options, progress)


def _validated(plans, home, known, aliases, options, progress) -> Validated:
    files, resolving = [], []
    found: list[tuple[int, int, int, Problem]] = []
    tables: dict[str, list[pa.Table]] = {"organization": [], "collaboration": []}
    checked = 0
    for part, (path, facts, loader) in enumerate(plans):
        resolving.append(bool(getattr(loader, "resolves", False)))
        info = FileInfo(
            str(path), getattr(loader, "name", "canonical"), encoding=facts.encoding, size=facts.size
        )
        files.append(info)
        if loader is None:
            note = f"not a format ecograph knows; expected a canonical CSV/JSON Lines file or one of --format {', '.join(sorted(REGISTRY))}"
            found.append((part, 0, 0, Problem("unknown-format", str(path), None, None, None, note)))
            continue
        if loader is CANONICAL:
            items = read_canonical(part, path, facts, info, progress)
        else:
            items = read_rows(part, path, loader.read(path, info, **(options or {})), info, progress)
        for item in items:
            if isinstance(item, Found):
                found.append((part, item.order, 0, item.problem))
                continue
            result = check(item, home)
            found += result.problems
            tables[item.type].append(result.table)
            checked += len(item.rows)
            if progress:
                progress("validated", "rows", checked, 0)
    names = [str(path) for path, _, _ in plans]
    orgs, conflicts = unique(_concat(tables["organization"], "organization"), names, "id")
    ties, tie_conflicts = unique(_concat(tables["collaboration"], "collaboration"), names, "key")
    problems = [p for *_, p in sorted(found + conflicts + tie_conflicts, key=lambda f: f[:3])]
    wanted = ends_wanted(orgs, ties)
    unknown = set(wanted) - known(wanted) if wanted else set()
    merged = merged_ids(aliases, unknown) if unknown else {}
    marks, lost = dangling(ties, unknown - merged.keys(), names)
    return Validated(files, resolving, orgs, ties, problems + lost, pa.array(marks), merged)


def _concat(tables: list[pa.Table], record_type: str) -> pa.Table:
    if not tables:  # the checked columns of no records
        nothing = np.zeros(0, np.int64)
        tables = [check(RawBatch(0, "", record_type, pa.table({}), nothing, nothing), "").table]
    return pa.concat_tables(tables)


def _write_rejects(path: Path, problems: Iterable[Problem]) -> None:
    """The rejected rows' problems as spreadsheet-safe CSV, each row's together."""
    rows: dict[tuple[str, int], list[Problem]] = {}
    for p in problems:
        rows.setdefault((p.file, p.row or 0), []).append(p)
    try:
        with open(path, "w", newline="", encoding="utf-8") as fh:
            csvcells.write(
                fh,
                ["file", "row", "field", "type", "value", "message"],
                (
                    [p.file, p.row, p.field, p.type, p.value, p.message]
                    for found in rows.values()
                    for p in found
                ),
            )
    except OSError as exc:
        raise InputUnavailable(
            f"cannot write the rejects file {path}: {exc.strerror or exc}; nothing was written"
        ) from None


def load(
    paths: Sequence[str | Path],
    store: Store | str | None = None,
    *,
    format: str = "auto",
    dry_run: bool = False,
    skip_invalid: bool = False,
    rejects: str | Path | None = None,
    progress: Progress | None = None,
    options: dict[str, object] | None = None,
) -> LoadReport:
    """Validate *paths* and write them to *store* in one transaction.

    Parameters
    ----------
    paths : sequence of paths
        Canonical CSV/JSON Lines files (plain, ``.gz`` or ``.zip``) or any format a loader
        in ``loaders/`` reads. Organisations are written before collaborations whatever the order.
    store : Store, URL or None
        The store; None opens the ``store`` setting.
    format : str
        ``auto`` (detect per file) or a loader name such as ``canonical``.
    dry_run : bool
        Validate and count what would change, then roll back.
    skip_invalid : bool
        Write the valid rows and leave out the invalid ones (written to *rejects*).
        Without it, any problem means nothing is written.
    rejects : path, optional
        With *skip_invalid*: a CSV file of the rejected rows and why.
    progress : callable, optional
        ``progress(step, name, done, total)``: bytes read of each file (``read``), records
        checked (``validated``) and records written (``written``).
    options : dict, optional
        Passed to the loaders (e.g. ``{"country": "VN"}`` for ROR).

    Returns
    -------
    LoadReport

    Raises
    ------
    ValidationFailed
        Some rows are invalid and *skip_invalid* is off; nothing was written.
    InputUnavailable
        A file is missing or unreadable (a compressed one damaged), or *rejects* cannot be written.
    StoreUnavailable
        The store cannot be opened or written.
    UsageError
        No files, an unknown *format*, or *rejects* without *skip_invalid*.
    """
    if rejects is not None and not skip_invalid:
        raise UsageError("rejects lists the rows that skip_invalid leaves out; set skip_invalid too")
    files, notes = _files(paths, format)
    report = LoadReport(dry_run=dry_run, notes=notes)
    handle, owned = _open(store)
    try:
        plans = _examine(files, format)
        batches = [
            LoadBatch(
                file=str(path), sha256=facts.sha256, encoding=facts.encoding, terms=terms_of(loader, options)
            )
            for path, facts, loader in plans
        ]
        report.notes += [facts.note for _, facts, _ in plans if facts.note]
        found = _validated(plans, handle.home_country, handle.existing_ids, handle.aliases, options, progress)
        for batch, info in zip(batches, found.files, strict=True):
            batch.format, batch.rows_read = info.format, info.rows_read
            report.notes += info.notes
        for problem in found.problems:
            report.add_problem(problem)
        for file, _row in dict.fromkeys((p.file, p.row or 0) for p in found.problems):
            for batch in batches:
                batch.rejected += batch.file == file
        report.batches = batches
        if not report.ok and not skip_invalid:
            raise ValidationFailed(report)
        if rejects is not None and found.problems:
            _write_rejects(Path(rejects), found.problems)
        parts, edit = _parts(handle, found, batches, report)
        total = sum(p.organizations.num_rows + p.collaborations.num_rows for p in parts)
        if progress:
            progress("written", "rows", 0, total)
        handle.write(parts, dry_run=dry_run, edit=edit)
        if progress:
            progress("written", "rows", total, total)
        report.written = not dry_run
        report.store_version = handle.store_version()
        return report
    finally:
        if owned:
            handle.close()


def _parts(
    store: Store, found: Validated, batches: list[LoadBatch], report: LoadReport
) -> tuple[list[WritePart], Edit | None]:
    """One :class:`WritePart` per file (its valid records, resolved, with their origins) and
    what entity resolution decided beside them."""
    ties = found.collaborations
    if pc.any(found.dangling).as_py():  # a filter copies the table even when it keeps every record
        ties = ties.filter(pc.invert(found.dangling))
    sources: list[dict] = [{} for _ in batches]
    for kind, table, key in (("organization", found.organizations, "id"), ("collaboration", ties, "key")):
        given = table.filter(pc.or_(pc.is_valid(table["_source"]), pc.is_valid(table["_source_id"])))
        for part, record, source, source_id in zip(
            *(given[c].to_pylist() for c in ("_part", key, "_source", "_source_id")), strict=True
        ):
            sources[part][(kind, record)] = (source, source_id)
    parts = []
    if any(found.resolving):
        keys = set(found.collaborations["key"].to_pylist())
        resolution = resolve(store, found.organizations, ties, found.resolving, keys, sources)
        for index, batch in enumerate(batches):
            batch.organizations_merged = resolution.merged[index]
            batch.review_candidates = resolution.queued[index]
            parts.append(
                WritePart(
                    batch, resolution.organizations[index], resolution.collaborations[index], sources[index]
                )
            )
        if resolution.dropped_ties:
            report.notes.append(
                f"{resolution.dropped_ties} ties left out: both their ends are one organisation after matching"
            )
        return parts, resolution.edit
    for index, batch in enumerate(batches):
        part_ties = found.part(ties, index, _TIE_NAMES)
        if found.merged:
            part_ties = rewritten(part_ties, found.merged)
        parts.append(
            WritePart(
                batch, found.part(found.organizations, index, ORGANIZATION_FIELDS), part_ties, sources[index]
            )
        )
    return parts, None


def write_records(
    store: Store | str | None,
    organizations: Iterable[Organization],
    collaborations: Iterable[Collaboration],
    *,
    file: str,
    format: str = "generated",
) -> LoadReport:
    """Write records made in Python (the demo generator, migrations) as one load batch."""
    handle, owned = _open(store)
    try:
        part = WritePart(LoadBatch(file=file, format=format), list(organizations), list(collaborations))
        part.batch.rows_read = part.organizations.num_rows + part.collaborations.num_rows
        handle.write([part])
        return LoadReport(batches=[part.batch], written=True, store_version=handle.store_version())
    finally:
        if owned:
            handle.close()
