"""The one routine that takes records from files (or a generator) to any store.

Validation happens in full before anything is written: every row is parsed, duplicates
and dangling references are checked against the whole load and the store, and only then
does one atomic :meth:`Store.write` run. A strict load with any problem writes nothing.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ecograph.errors import InputUnavailable, UsageError, ValidationFailed
from ecograph.model import Collaboration, Organization, parse_collaboration, parse_organization
from ecograph.problems import Problem
from ecograph.report import LoadBatch, LoadReport
from ecograph.store import Store, WritePart, open_store
from loaders import REGISTRY, FileInfo, SourceRow, detect
from loaders.text import examine

__all__ = ["ProgressCallback", "load", "write_records"]

#: Called as ``progress(path, bytes_read, bytes_total)`` while files are read.
ProgressCallback = Callable[[str, int, int], None]
_PROGRESS_EVERY = 5000  # rows between progress callbacks


@dataclass(slots=True)
class _Seen:
    """Where a record was first met in this load, to report conflicts against it."""

    record: Organization | Collaboration
    file: str
    row: int
    part: int
    # the source as written: mutual ties sort their ends, messages name the field as written
    written_source: object = None


@dataclass
class _Load:
    """The validated content of a load, accumulated across files."""

    report: LoadReport
    home: str
    organizations: dict[str, _Seen] = field(default_factory=dict)
    collaborations: dict[str, _Seen] = field(default_factory=dict)
    sources: list[dict[tuple[str, str], tuple[str | None, str | None]]] = field(default_factory=list)
    bad_rows: dict[tuple[str, int], list[Problem]] = field(default_factory=dict)

    def problem(self, problem: Problem) -> None:
        self.report.add_problem(problem)
        self.bad_rows.setdefault((problem.file, problem.row or 0), []).append(problem)


def _open(store: Store | str | None) -> tuple[Store, bool]:
    if isinstance(store, Store):
        return store, False
    return open_store(store), True


def _loader_for(path: Path, fmt: str, head: str):
    if fmt != "auto":
        loader = REGISTRY.get(fmt)
        if loader is None:
            raise UsageError(f"unknown format {fmt!r}; expected auto or one of {', '.join(sorted(REGISTRY))}")
        return loader
    return detect(path, head)


def _accept(load: _Load, item: SourceRow, part: int) -> None:
    if item.type == "organization":
        record, problems = parse_organization(item.data, load.home)
        seen_map, conflict = load.organizations, "duplicate-id-conflict"
    else:
        record, problems = parse_collaboration(item.data)
        seen_map, conflict = load.collaborations, "duplicate-tie-conflict"
    if record is None:
        for p in problems:
            load.problem(Problem(p.type, item.file, item.row, p.field, p.value, p.note))
        return
    key = record.id if item.type == "organization" else record.key  # type: ignore[union-attr]
    seen = seen_map.get(key)
    if seen is None:
        seen_map[key] = _Seen(record, item.file, item.row, part, item.data.get("source"))
        if item.source or item.source_id:
            load.sources[part][(item.type, key)] = (item.source, item.source_id)
    elif seen.record != record:
        differing = [f for f in record.__slots__ if getattr(record, f) != getattr(seen.record, f)]
        load.problem(
            Problem(
                conflict,
                item.file,
                item.row,
                differing[0] if differing else None,
                key,
                note=f"first given at {seen.file}:{seen.row}; differs in {', '.join(differing)}",
            )
        )


def _check_references(load: _Load, store: Store) -> None:
    """Reject ties whose ends are neither valid organisations of this load nor in the store."""
    valid_orgs = {
        key for key, seen in load.organizations.items() if (seen.file, seen.row) not in load.bad_rows
    }
    wanted = {
        end
        for seen in load.collaborations.values()
        for end in (seen.record.source, seen.record.target)  # type: ignore[union-attr]
        if end not in valid_orgs
    }
    known = valid_orgs | (store.existing_ids(wanted) if wanted else set())
    for seen in load.collaborations.values():
        tie = seen.record
        for ref in (tie.source, tie.target):  # type: ignore[union-attr]
            if ref not in known:
                field_name = "source" if str(seen.written_source).strip() == ref else "target"
                load.problem(
                    Problem(
                        "dangling-reference",
                        seen.file,
                        seen.row,
                        field_name,
                        ref,
                        note="load that organisation first or in the same load",
                    )
                )


def _write_rejects(path: Path, load: _Load) -> None:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(["file", "row", "field", "type", "value", "message"])
        for problems in load.bad_rows.values():
            for p in problems:
                out.writerow(
                    [
                        p.file,
                        p.row,
                        p.field or "",
                        p.type,
                        "" if p.value is None else p.value,
                        p.message,
                    ]
                )


def load(
    paths: Sequence[str | Path],
    store: Store | str | None = None,
    *,
    format: str = "auto",
    dry_run: bool = False,
    skip_invalid: bool = False,
    rejects: str | Path | None = None,
    progress: ProgressCallback | None = None,
    options: dict[str, object] | None = None,
) -> LoadReport:
    """Validate *paths* and write them to *store* in one transaction.

    Parameters
    ----------
    paths : sequence of paths
        Canonical CSV/JSON Lines files or any format a loader in ``loaders/`` reads.
        Organisations are written before collaborations whatever the order.
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
        ``progress(path, bytes_read, bytes_total)`` while reading.
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
        A file is missing or unreadable.
    StoreUnavailable
        The store cannot be opened or written.
    """
    files = [Path(p) for p in paths]
    if not files:
        raise UsageError("no files given; name at least one file to load")
    for path in files:
        if not path.is_file():
            raise InputUnavailable(f"cannot read {path}: no such file")
    report = LoadReport(dry_run=dry_run)
    handle, owned = _open(store)
    try:
        lo = _Load(report, handle.home_country)
        batches: list[LoadBatch] = []
        for part, path in enumerate(files):
            try:
                facts = examine(path)
            except OSError as exc:
                raise InputUnavailable(f"cannot read {path}: {exc.strerror or exc}") from None
            loader = _loader_for(path, format, facts.head)
            batch = LoadBatch(file=str(path), sha256=facts.sha256, encoding=facts.encoding)
            batches.append(batch)
            lo.sources.append({})
            if facts.note:
                report.notes.append(facts.note)
            if loader is None:
                lo.problem(
                    Problem("unknown-format", str(path), None, None,
                            note="not a format ecograph knows; expected a canonical CSV/JSON Lines file "
                            f"or one of --format {', '.join(sorted(REGISTRY))}")
                )  # fmt: skip
                continue
            info = FileInfo(str(path), loader.name, encoding=facts.encoding, size=facts.size)
            for count, item in enumerate(loader.read(path, info, **(options or {})), start=1):
                if isinstance(item, Problem):
                    lo.problem(item)
                else:
                    _accept(lo, item, part)
                if progress and count % _PROGRESS_EVERY == 0:
                    progress(str(path), info.bytes_read, facts.size)
            if progress:
                progress(str(path), facts.size, facts.size)
            batch.format = info.format
            batch.rows_read = info.rows_read
            report.notes.extend(info.notes)
        _check_references(lo, handle)
        for (file, _row), _problems in lo.bad_rows.items():
            for batch in batches:
                if batch.file == file:
                    batch.rejected += 1
        report.batches = batches
        if not report.ok and not skip_invalid:
            raise ValidationFailed(report)
        if rejects is not None and lo.bad_rows:
            _write_rejects(Path(rejects), lo)
        parts = [
            WritePart(batch, sources=sources) for batch, sources in zip(batches, lo.sources, strict=True)
        ]
        for seen_map, attr in (
            (lo.organizations, "organizations"),
            (lo.collaborations, "collaborations"),
        ):
            grouped: list[list] = [[] for _ in parts]
            for seen in seen_map.values():
                if (seen.file, seen.row) not in lo.bad_rows:
                    grouped[seen.part].append(seen.record)
            for part, records in zip(parts, grouped, strict=True):
                setattr(part, attr, records)
        handle.write(parts, dry_run=dry_run)
        report.written = not dry_run
        report.store_version = handle.store_version()
        return report
    finally:
        if owned:
            handle.close()


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
        orgs = list(organizations)
        ties = list(collaborations)
        batch = LoadBatch(file=file, format=format, rows_read=len(orgs) + len(ties))
        handle.write([WritePart(batch, orgs, ties)])
        return LoadReport(batches=[batch], written=True, store_version=handle.store_version())
    finally:
        if owned:
            handle.close()
