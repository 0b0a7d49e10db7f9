"""Files into Arrow record batches of the values as written, each record with its row number.

Canonical CSV goes through pyarrow's streaming CSV reader, a block at a time. JSON Lines
and the public-data loaders' records (dicts) are gathered into batches of the same shape:
one text column per canonical field (lists for sectors and aliases given as JSON arrays).
:mod:`ecograph.ingest.validate` checks them.

Row numbers are the file's line numbers (DESIGN.md): the header is line 1 and a record
is numbered by its first line, so a quoted value with line breaks moves the rows after
it down, as a spreadsheet shows them. JSON Lines count objects from 1; the loaders number
their own records.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv

from ecograph.model import COLLABORATION_FIELDS, LIST_FIELDS, ORGANIZATION_FIELDS
from ecograph.problems import Problem
from ecograph.textbytes import value_bytes
from loaders.base import FileInfo, SourceRow, ragged_row
from loaders.canonical import csv_kind, header_names, is_json_lines, sniff_delimiter
from loaders.text import FileFacts, open_binary, open_text

__all__ = ["BLOCK_BYTES", "FIELDS", "Found", "Progress", "RawBatch", "read_canonical", "read_rows"]

#: ``progress(step, name, done, total)``: bytes read of a file, rows validated, rows written.
Progress = Callable[[str, str, int, int], None]
FIELDS = {"organization": ORGANIZATION_FIELDS, "collaboration": COLLABORATION_FIELDS}
_REQUIRED = {"organization": ("id", "name", "kind"), "collaboration": ("source", "target", "kind")}
#: Bytes per CSV block; also the longest value a CSV file may hold (a longer one is a
#: problem of its row, and a row pyarrow cannot read whole stops the file with one problem).
BLOCK_BYTES = 16 << 20
_ROWS = 5000  # records per batch from JSON Lines and loaders
# Problems come in reading order; a CSV file's malformed rows are reported ahead of the
# field problems of the 5,000 rows around them (the order ecograph has always printed).
_BLOCK = 1 << 40
_FORMULA = r"^'+[=+\-@\t\r]"  # a cell ecograph's CSV export prefixed (ecograph.csvcells)


@dataclass
class RawBatch:
    """Records of one type from one file, not yet checked."""

    part: int  # which file of the load
    file: str
    type: str  # "organization" or "collaboration"
    table: pa.Table  # values as written, one column per canonical field the file has
    rows: np.ndarray  # each record's row number
    order: np.ndarray  # each record's place in reading order, for the order of problems
    #: values that were not text (JSON numbers, lists, ...) by field and record: messages show them
    originals: dict[str, dict[int, object]] = field(default_factory=dict)
    #: per record, the loader's (source, source_id) and external ids; None for canonical files
    origins: list[tuple[str | None, str | None]] | None = None
    external_ids: list[object] | None = None


@dataclass(frozen=True)
class Found:
    """A problem met while reading (a row that cannot be a record), at its place in reading order."""

    order: int
    problem: Problem


def read_canonical(
    part: int, path: Path, facts: FileFacts, info: FileInfo, progress: Progress | None
) -> Iterator[RawBatch | Found]:
    """A canonical CSV or JSON Lines file's records."""
    if is_json_lines(facts.head):
        info.format = "jsonl"
        return read_rows(part, path, _json_lines(path, facts, info), info, progress)
    return _csv(part, path, facts, info, progress)


_TYPES = {"organization": "organization", "organisation": "organization", "collaboration": "collaboration"}


def _json_lines(path: Path, facts: FileFacts, info: FileInfo) -> Iterator[SourceRow | Problem]:
    file = str(path)
    text, info.counter = open_text(path, facts.encoding)
    with text:
        for row, line in enumerate(text, start=1):
            if not line.strip():
                continue
            info.rows_read += 1
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                yield Problem(
                    "bad-json", file, row, None, None, f"not valid JSON ({exc.msg} at column {exc.colno})"
                )
                continue
            kind = obj.get("type") if isinstance(obj, dict) else None
            if not isinstance(obj, dict):
                yield Problem("bad-json", file, row, None, None, "expected a JSON object on each line")
            elif _TYPES.get(str(kind or "").strip().lower()) is None:
                note = f'type {kind!r}; expected "organization" or "collaboration"'
                yield Problem("bad-type", file, row, "type", kind, note)
            else:
                data = {k.strip().lower(): v for k, v in obj.items() if k != "type"}
                yield SourceRow(file, row, _TYPES[str(kind).strip().lower()], data)


def read_rows(
    part: int, path: Path, items: Iterator[SourceRow | Problem], info: FileInfo, progress: Progress | None
) -> Iterator[RawBatch | Found]:
    """Records given one at a time (JSON Lines, the loaders), gathered into batches per type."""
    pending: dict[str, list[tuple[int, SourceRow]]] = {"organization": [], "collaboration": []}
    for order, item in enumerate(items):
        if isinstance(item, Problem):
            yield Found(order, item)
            continue
        rows = pending[item.type]
        rows.append((order, item))
        if len(rows) == _ROWS:
            yield _batch(part, str(path), item.type, rows)
            rows.clear()
            if progress:
                progress("read", str(path), info.bytes_read, info.size)
    for record_type, rows in pending.items():
        if rows:
            yield _batch(part, str(path), record_type, rows)
    if progress:
        progress("read", str(path), info.size, info.size)


def _batch(part: int, file: str, record_type: str, rows: list[tuple[int, SourceRow]]) -> RawBatch:
    """Records as columns: text as given, other values as their text with the value kept."""
    datas = [item.data for _, item in rows]
    columns: dict[str, pa.Array] = {}
    originals: dict[str, dict[int, object]] = {}
    for name in FIELDS[record_type]:
        values = [data.get(name) for data in datas]
        if all(v is None for v in values):
            continue
        kept: dict[int, object] = {}
        if name in LIST_FIELDS:
            for i, value in enumerate(values):
                if isinstance(value, str):
                    values[i] = value.split("|") if value else None
                elif isinstance(value, list | tuple):
                    values[i] = [str(v) for v in value]
                elif value is not None:
                    kept[i], values[i] = value, None  # not a list: the validator says so
            columns[name] = pa.array(values, pa.list_(pa.string()))
        else:
            for i, value in enumerate(values):
                if value is not None and not isinstance(value, str):
                    kept[i], values[i] = value, str(value)
            columns[name] = pa.array(values, pa.string())
        if kept:
            originals[name] = kept
    external = [data.get("external_ids") for data in datas]
    numbers = [np.array(n, np.int64) for n in zip(*((item.row, order) for order, item in rows), strict=True)]
    origins = [(item.source, item.source_id) for _, item in rows]
    return RawBatch(part, file, record_type, pa.table(columns), *numbers, originals, origins,
                    external if any(e is not None for e in external) else None)  # fmt: skip


class _Lines:
    """The file's lines read forward, to look at the few whose record came back all empty."""

    def __init__(self, path: Path, facts: FileFacts):
        self.path, self.facts, self.text, self.at = path, facts, None, 0

    def blank(self, line: int) -> bool:
        if self.text is None:
            self.text = open_text(self.path, self.facts.encoding)[0]
        text = ""
        while self.at < line:
            text = self.text.readline()
            self.at += 1
        return not text.strip()

    def close(self) -> None:
        if self.text is not None:
            self.text.close()


def _line_breaks(table: pa.RecordBatch) -> np.ndarray:
    """How many line breaks each record's values hold (a quoted value may span lines)."""
    breaks = np.zeros(table.num_rows, np.int64)
    for column in table.columns:
        data = value_bytes(column)
        if b"\n" in data:
            breaks += pc.count_substring(column, "\n").to_numpy(zero_copy_only=False)
        if b"\r" in data:  # CR LF is one line break
            breaks += pc.count_substring(column, "\r").to_numpy(zero_copy_only=False)
            breaks -= pc.count_substring(column, "\r\n").to_numpy(zero_copy_only=False)
    return breaks


def _csv(part: int, path: Path, facts: FileFacts, info: FileInfo, progress: Progress | None):
    file = str(path)
    with open_text(path, facts.encoding)[0] as text:
        first = text.readline()
    delimiter = info.delimiter = sniff_delimiter(first)
    header = header_names(first.rstrip("\r\n"), delimiter)
    record_type = csv_kind(header)
    if record_type is None:
        note = "a header with id,name,kind (organisations) or source,target,kind (collaborations)"
        yield Found(0, Problem("missing-column", file, 1, "id", None, note))
        return
    info.format = f"{record_type}s-csv"
    known = FIELDS[record_type]
    missing = next((c for c in _REQUIRED[record_type] if c not in header), None)
    twice = next((name for i, name in enumerate(header) if name in known and name in header[:i]), None)
    if missing or twice:
        problem = (
            ("missing-column", missing, ",".join(_REQUIRED[record_type]))
            if missing
            else ("duplicate-column", twice, "each column once")
        )
        yield Found(0, Problem(problem[0], file, 1, problem[1], None, problem[2]))
        return
    ignored = [h for h in header if h not in known]
    if ignored:
        info.notes.append(f"{path.name}: ignored unknown columns {', '.join(ignored)}")
    width = len(header)
    invalid: list[tuple[int, str, int]] = []  # (record number, its text, its fields); the header is 1

    def odd_row(row) -> str:
        invalid.append((row.number, row.text, row.actual_columns))
        return "skip"

    positional = [f"c{i}" for i in range(width)]
    stream = info.counter = open_binary(path)
    # one thread: rows and malformed rows come in file order, so they can be numbered
    reader = pcsv.open_csv(
        stream,
        read_options=pcsv.ReadOptions(
            use_threads=False,
            block_size=BLOCK_BYTES,
            skip_rows=1,
            column_names=positional,
            encoding="utf8" if facts.encoding.startswith("utf-8") else facts.encoding,  # pyarrow skips a BOM
        ),
        parse_options=pcsv.ParseOptions(
            delimiter=delimiter,
            newlines_in_values=True,
            ignore_empty_lines=False,
            invalid_row_handler=odd_row,
        ),
        convert_options=pcsv.ConvertOptions(
            column_types=dict.fromkeys(positional, pa.string()),
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
        ),
    )
    lines = _Lines(path, facts)
    state = {"record": 2, "line": 2, "accepted": 0}  # next record's number and first line
    try:
        while True:
            try:
                batch = reader.read_next_batch()
            except StopIteration:
                break
            except pa.ArrowInvalid:
                note = "a row longer than 16 MiB (a value that long, or a quote never closed); nothing after it was read"
                yield Found(
                    (state["accepted"] // _ROWS) * _BLOCK,
                    Problem("unreadable-file", file, state["line"], None, None, note),
                )
                break
            yield from _csv_batch(part, file, record_type, header, batch, invalid, state, lines, info)
            if progress:
                progress("read", file, info.bytes_read, info.size)
        yield from _csv_batch(part, file, record_type, header, None, invalid, state, lines, info)
    finally:
        lines.close()
        stream.close()


def _csv_batch(part, file, record_type, header, batch, invalid, state, lines, info):
    """Number one batch's records (and the malformed rows among them) and yield them."""
    n = 0 if batch is None else batch.num_rows
    # a record batch's columns are plain arrays (a table's ChunkedArray.to_numpy imports pandas)
    breaks = _line_breaks(batch) if n else np.zeros(0, np.int64)
    # the malformed rows that come before the batch's last record (all of them at the end)
    start, placed = state["record"], []
    while invalid and (batch is None or invalid[0][0] - start - len(placed) < n):
        placed.append(invalid.pop(0))
    records = n + len(placed)
    valid = np.ones(records, bool)
    spans = np.ones(records, np.int64)
    for number, text, _ in placed:
        valid[number - start] = False
        spans[number - start] += text.count("\n") + text.count("\r") - text.count("\r\n")
    spans[valid] += breaks
    first_lines = state["line"] + np.cumsum(spans) - spans
    rows = first_lines[valid]
    state["record"] += records
    state["line"] += int(spans.sum())
    accepted_before = state["accepted"] + np.cumsum(valid) - valid
    for (_, text, fields), line, before in zip(
        placed, first_lines[~valid], accepted_before[~valid], strict=True
    ):
        values = next(csv.reader([text], delimiter=info.delimiter), []) if fields == 1 else ()
        if fields == 1 and len(values) <= 1 and not "".join(values).strip():
            continue  # a blank line
        info.rows_read += 1
        yield Found(
            int(before // _ROWS) * _BLOCK + int(line), ragged_row(file, int(line), fields, len(header))
        )
    if not n:
        return
    columns = {name: batch.column(i) for i, name in enumerate(header) if name in FIELDS[record_type]}
    empty = np.ones(n, bool)
    for column in batch.columns:  # most rows fail at the first column
        if not empty.any():
            break
        empty &= pc.equal(column, "").to_numpy(zero_copy_only=False)
    keep = np.ones(n, bool)
    for i in np.flatnonzero(empty):  # an empty line, or a row of empty fields
        keep[i] = not lines.blank(int(rows[i]))
    if not keep.all():
        columns = {name: column.filter(pa.array(keep)) for name, column in columns.items()}
        rows = rows[keep]
    accepted = state["accepted"] + np.arange(len(rows))
    state["accepted"] += len(rows)
    info.rows_read += len(rows)
    order = (accepted // _ROWS) * _BLOCK + _BLOCK // 2 + rows
    long = np.zeros(len(rows), bool)
    for name, column in columns.items():
        if pc.any(pc.starts_with(column, "'")).as_py():
            formula = pc.match_substring_regex(column, _FORMULA)
            columns[name] = column = pc.if_else(formula, pc.utf8_slice_codeunits(column, 1), column)
        lengths = pc.binary_length(column)
        if pc.max(lengths).as_py() > BLOCK_BYTES:
            for i in np.flatnonzero(pc.greater(lengths, BLOCK_BYTES).to_numpy(zero_copy_only=False)):
                size = f"{lengths[int(i)].as_py() / 2**20:.1f} MiB"
                yield Found(
                    int(order[i]), Problem("too-long", file, int(rows[i]), name, size, "at most 16 MiB")
                )
            long |= pc.greater(lengths, BLOCK_BYTES).to_numpy(zero_copy_only=False)
    if long.any():
        columns = {name: column.filter(pa.array(~long)) for name, column in columns.items()}
        rows, order = rows[~long], order[~long]
    yield RawBatch(part, file, record_type, pa.table(columns), rows, order)
