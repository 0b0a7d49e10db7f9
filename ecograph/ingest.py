"""The one routine that takes records from files (or a generator) to any store.

Validation happens in full before anything is written: every row is parsed, duplicates
and dangling references are checked against the whole load and the store, and only then
does one atomic :meth:`Store.write` run. A strict load with any problem writes nothing.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path

from ecograph import csvcells
from ecograph.errors import InputUnavailable, UsageError, ValidationFailed
from ecograph.model import (
    COLLABORATION_FIELDS,
    ORGANIZATION_FIELDS,
    Collaboration,
    Organization,
    fast_collaboration,
    fast_organization,
    parse_collaboration,
    parse_organization,
)
from ecograph.problems import Problem
from ecograph.report import LoadBatch, LoadReport
from ecograph.resolution.resolver import Incoming, Resolution, Resolver
from ecograph.store import Store, WritePart, open_store
from ecograph.tie_worker import TieWorker, start_worker
from loaders import REGISTRY, FileInfo, SourceRow, detect
from loaders.archive import expand as expand_archives
from loaders.base import Loader, RowBlock, terms_of
from loaders.text import FileFacts, examine

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
    # organisations only: what entity resolution needs beyond the record
    external_ids: object = None
    origin: tuple[str | None, str | None] = (None, None)


@dataclass
class LoadState:
    """The validated content of a load, accumulated across files."""

    report: LoadReport
    home: str
    organizations: dict[str, _Seen] = field(default_factory=dict)
    collaborations: dict[str, _Seen] = field(default_factory=dict)
    sources: list[dict[tuple[str, str], tuple[str | None, str | None]]] = field(default_factory=list)
    bad_rows: dict[tuple[str, int], list[Problem]] = field(default_factory=dict)
    resolving: list[bool] = field(default_factory=list)  # per part: match its organisations?
    merged: dict[str, str] = field(default_factory=dict)  # tie ends merged into another node
    ends: set[str] = field(default_factory=set)  # every organisation id the accepted ties name
    origins: dict[tuple, tuple] = field(default_factory=dict)

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


def accept_row(load: LoadState, item: SourceRow, part: int) -> None:
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
        if item.type == "collaboration":
            load.ends.update(record[1:3])  # type: ignore[index]
        if item.type == "organization" and load.resolving[part]:
            seen_map[key].external_ids = item.data.get("external_ids")
            seen_map[key].origin = (item.source, item.source_id)
        if item.source or item.source_id:
            # one tuple per distinct origin: a project's twenty ties share theirs
            origin = (item.source, item.source_id)
            load.sources[part][(item.type, key)] = load.origins.setdefault(origin, origin)
    elif seen.record != record:
        _conflict(load, conflict, seen, record, key, item.file, item.row)


def _conflict(
    load: LoadState, type_: str, seen: _Seen, record: object, key: str, file: str, row: int
) -> None:
    """Report a record given twice with different content."""
    load.problem(conflict_problem(type_, seen, record, key, file, row))


def conflict_problem(type_: str, seen: _Seen, record: object, key: str, file: str, row: int) -> Problem:
    """The problem of *record*, at *file*:*row*, given first as *seen* with other content."""
    names = ORGANIZATION_FIELDS if isinstance(record, Organization) else COLLABORATION_FIELDS
    differing = [f for f in names if getattr(record, f) != getattr(seen.record, f)]
    note = f"first given at {seen.file}:{seen.row}; differs in {', '.join(differing)}"
    return Problem(type_, file, row, differing[0] if differing else None, key, note=note)


def accept_block(load: LoadState, block: RowBlock, part: int) -> None:
    """Check a block of raw rows in one loop; odd rows take the full path."""
    if block.type == "organization":
        _accept_organizations(load, block, part)
    else:
        _accept_collaborations(load, block, part)


def _fields(block: RowBlock, fields: tuple[str, ...]) -> tuple[itemgetter, list[tuple[int, str]]]:
    """For a block's rows (each with a None appended): a getter of *fields* in order (a
    column the file lacks reads the None) and the (position, name) of the ones it has."""
    width = len(block.columns)
    position = {name: i for i, name in enumerate(block.columns)}
    pick = itemgetter(*(position.get(f, width) for f in fields))
    return pick, [(i, name) for i, name in enumerate(block.columns) if name in fields]


def _accept_organizations(load: LoadState, block: RowBlock, part: int) -> None:
    pick, known = _fields(block, ORGANIZATION_FIELDS)
    seen_map, file, home = load.organizations, block.file, load.home
    for row, values in block.rows:
        values.append(None)  # type: ignore[arg-type]
        org = fast_organization(*pick(values), home)  # type: ignore[misc]
        if org is None or load.resolving[part]:
            data = {name: values[i] for i, name in known}
            accept_row(load, SourceRow(file, row, "organization", data), part)
            continue
        seen = seen_map.get(org.id)
        if seen is None:
            seen_map[org.id] = _Seen(org, file, row, part)
        elif seen.record != org:
            _conflict(load, "duplicate-id-conflict", seen, org, org.id, file, row)


def _accept_collaborations(load: LoadState, block: RowBlock, part: int) -> None:
    pick, known = _fields(block, COLLABORATION_FIELDS)
    source_at = block.columns.index("source")
    seen_map, file, add_end = load.collaborations, block.file, load.ends.add
    for row, values in block.rows:
        values.append(None)  # type: ignore[arg-type]
        tie = fast_collaboration(*pick(values))
        if tie is None:
            data = {name: values[i] for i, name in known}
            accept_row(load, SourceRow(file, row, "collaboration", data), part)
            continue
        seen = seen_map.get(tie[0])  # the key
        if seen is None:
            seen_map[tie[0]] = _Seen(tie, file, row, part, values[source_at])
            # here, while the tie is in the CPU cache: a pass over all ties at the end costs 5x
            add_end(tie[1])
            add_end(tie[2])
        elif seen.record != tie:
            _conflict(load, "duplicate-tie-conflict", seen, tie, tie[0], file, row)


def _check_references(load: LoadState, store: Store, worker: TieWorker | None) -> set[str]:
    """Reject ties whose ends are neither valid organisations of this load nor in the store;
    return those ends.

    Ends that name an organisation merged into another (entity resolution) are valid;
    ``load.merged`` maps them to the node they now live on.
    """
    valid_orgs = {
        key for key, seen in load.organizations.items() if (seen.file, seen.row) not in load.bad_rows
    }
    ends = load.ends | worker.staged.ends if worker else load.ends
    wanted = ends - valid_orgs
    unknown = wanted - store.existing_ids(wanted) if wanted else set()
    if unknown:
        load.merged = _merged_ids(store, unknown)
        unknown -= load.merged.keys()
    # a worker's rows come before this process's rows of its file: its problems come first
    for problem in (worker.dangling(unknown) if worker else []) + dangling_problems(load, unknown):
        load.problem(problem)
    return unknown


def dangling_problems(load: LoadState, unknown: set[str]) -> list[Problem]:
    """A problem for each end in *unknown* of the load's ties, at the row that gave it."""
    if not unknown:
        return []
    problems = []
    for seen in load.collaborations.values():
        tie = seen.record
        for ref in (tie.source, tie.target):  # type: ignore[union-attr]
            if ref in unknown:
                field_name = "source" if str(seen.written_source).strip() == ref else "target"
                problems.append(
                    Problem(
                        "dangling-reference",
                        seen.file,
                        seen.row,
                        field_name,
                        ref,
                        note="load that organisation first or in the same load",
                    )
                )
    return problems


def _merged_ids(store: Store, ids: set[str]) -> dict[str, str]:
    """For each of *ids* merged into another node, that node (following merges of merges)."""
    found: dict[str, str] = {}
    step = store.aliases(ids)
    while step:
        for id_, target in step.items():
            for original, node in found.items():
                if node == id_:
                    found[original] = target
            found.setdefault(id_, target)
        step = store.aliases(set(step.values()))
    return found


def _write_rejects(path: Path, load: LoadState) -> None:
    try:
        with open(path, "w", newline="", encoding="utf-8") as fh:
            csvcells.write(
                fh,
                ["file", "row", "field", "type", "value", "message"],
                (
                    [p.file, p.row, p.field, p.type, p.value, p.message]
                    for problems in load.bad_rows.values()
                    for p in problems
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
    if rejects is not None and not skip_invalid:
        raise UsageError("rejects lists the rows that skip_invalid leaves out; set skip_invalid too")
    for path in files:
        if not path.is_file():
            raise InputUnavailable(f"cannot read {path}: no such file")
    files, archive_notes = expand_archives(files, format)  # a .zip is the files it holds
    report = LoadReport(dry_run=dry_run, notes=archive_notes)
    handle, owned = _open(store)
    worker: TieWorker | None = None
    # A load builds millions of small objects and frees none until the end: the cyclic
    # garbage collector would walk them again and again for nothing (a sixth of the time).
    collecting = gc.isenabled()
    gc.disable()
    try:
        lo = LoadState(report, handle.home_country)
        batches: list[LoadBatch] = []
        plans: list[tuple[Path, FileFacts, Loader | None]] = []
        for path in files:
            try:
                facts = examine(path)
            except OSError as exc:
                raise InputUnavailable(f"cannot read {path}: {exc.strerror or exc}") from None
            loader = _loader_for(path, format, facts.head)
            batches.append(
                LoadBatch(
                    file=str(path),
                    sha256=facts.sha256,
                    encoding=facts.encoding,
                    terms=terms_of(loader, options),
                )
            )
            lo.sources.append({})
            lo.resolving.append(bool(getattr(loader, "resolves", False)))
            if facts.note:
                report.notes.append(facts.note)
            plans.append((path, facts, loader))
        worker = start_worker(handle, plans, lo, progress)
        for part, (path, facts, loader) in enumerate(plans):
            if worker and part == worker.part:
                continue
            if loader is None:
                lo.problem(
                    Problem("unknown-format", str(path), None, None,
                            note="not a format ecograph knows; expected a canonical CSV/JSON Lines file "
                            f"or one of --format {', '.join(sorted(REGISTRY))}")
                )  # fmt: skip
                continue
            info = FileInfo(str(path), loader.name, encoding=facts.encoding, size=facts.size)
            read_rows(lo, part, loader.read(path, info, **(options or {})), info, progress)
            batches[part].format = info.format
            batches[part].rows_read = info.rows_read
            report.notes.extend(info.notes)

        def settle() -> None:
            """What needs every file read: the worker's rows, the references, the verdict."""
            if worker:
                info = worker.collect(lo, progress)
                batches[worker.part].format = info.format
                batches[worker.part].rows_read = info.rows_read
                report.notes.extend(info.notes)
            unknown = _check_references(lo, handle, worker)
            for (file, _row), _problems in lo.bad_rows.items():
                for batch in batches:
                    if batch.file == file:
                        batch.rejected += 1
            report.batches = batches
            if not report.ok and not skip_invalid:
                raise ValidationFailed(report)
            if rejects is not None and lo.bad_rows:
                _write_rejects(Path(rejects), lo)
            if worker and unknown:  # the rejected rows of a --skip-invalid load
                worker.staged.drop(ends=unknown)

        # While the worker still reads the ties, the store writes the organisations and
        # settles the load when it needs the ties (StagedTies.ready). A load with problems
        # already found settles first: its report lists every problem before any write.
        if worker:
            worker.read_tail(progress)
        deferred = worker is not None and not lo.bad_rows and not worker.tail_problems
        if deferred:
            worker.staged.defer(settle)  # type: ignore[union-attr]
        else:
            settle()
        parts = [
            WritePart(batch, sources=sources) for batch, sources in zip(batches, lo.sources, strict=True)
        ]
        valid_orgs, valid_ties = list(lo.organizations.values()), list(lo.collaborations.values())
        if lo.bad_rows:
            valid_orgs = [s for s in valid_orgs if (s.file, s.row) not in lo.bad_rows]
            valid_ties = [s for s in valid_ties if (s.file, s.row) not in lo.bad_rows]
        edit = None
        if any(lo.resolving):
            resolution = _resolve(handle, lo, valid_orgs, valid_ties, len(parts))
            edit = resolution.edit
            for index, part in enumerate(parts):
                part.organizations = resolution.organizations[index]
                part.collaborations = resolution.collaborations[index]
                part.batch.organizations_merged = resolution.merged[index]
                part.batch.review_candidates = resolution.queued[index]
            if resolution.dropped_ties:
                report.notes.append(
                    f"{resolution.dropped_ties} ties left out: both their ends are one organisation after matching"
                )
        else:
            for index, part in enumerate(parts):
                part.organizations = [s.record for s in valid_orgs if s.part == index]
                part.collaborations = [s.record for s in valid_ties if s.part == index]
                if worker and index == worker.part:
                    part.collaborations = worker.staged
                if lo.merged:  # never with a worker: it only starts on stores without merges
                    part.collaborations = [_rewritten(t, lo.merged) for t in part.collaborations]
        if edit:
            handle.write(parts, dry_run=dry_run, edit=edit)
        else:
            handle.write(parts, dry_run=dry_run)
        report.written = not dry_run
        report.store_version = handle.store_version()
        return report
    finally:
        if worker:
            worker.close()
        if collecting:
            gc.enable()
        if owned:
            handle.close()


def read_rows(
    lo: LoadState,
    part: int,
    items: Iterable[SourceRow | RowBlock | Problem],
    info: FileInfo,
    progress: ProgressCallback | None,
) -> None:
    """Check the rows a loader yields for one file into *lo*."""
    for count, item in enumerate(items, start=1):
        if isinstance(item, RowBlock):
            accept_block(lo, item, part)
            if progress:
                progress(info.path, info.bytes_read, info.size)
            continue
        if isinstance(item, Problem):
            lo.problem(item)
        else:
            accept_row(lo, item, part)
        if progress and count % _PROGRESS_EVERY == 0:
            progress(info.path, info.bytes_read, info.size)
    if progress:
        progress(info.path, info.size, info.size)


def _rewritten(tie: Collaboration, merged: dict[str, str]) -> Collaboration:
    if tie.source not in merged and tie.target not in merged:
        return tie
    return tie.replace(source=merged.get(tie.source, tie.source), target=merged.get(tie.target, tie.target))


def _resolve(store: Store, lo: LoadState, orgs: list[_Seen], ties: list[_Seen], parts: int) -> Resolution:
    """Match the load's organisations to nodes and point its ties at them (see resolver)."""
    resolver = Resolver.from_store(store)
    incoming = [
        Incoming(s.part, s.record, s.external_ids or {}, *s.origin, resolve=lo.resolving[s.part])  # type: ignore[arg-type]
        for s in sorted(orgs, key=lambda s: s.part)
    ]
    resolution = resolver.resolve(
        incoming,
        ((s.part, s.record) for s in ties),  # type: ignore[misc]
        parts,
        loaded_keys=lo.collaborations.keys(),
    )
    # provenance follows a tie whose key changed with its ends
    for sources in lo.sources:
        for old, new in resolution.rekeyed.items():
            origin = sources.pop(("collaboration", old), None)
            if origin is not None:
                sources[("collaboration", new)] = origin
    return resolution


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
