"""ecograph's own files: organisations CSV, collaborations CSV and JSON Lines (README, "File formats").

CSV files are told apart by their header (``id,name,kind`` or ``source,target,kind``), the
delimiter (``,``, ``;`` or tab) by counting it in the header line, and header names are
matched without case or surrounding spaces. Row numbers are physical line numbers: the
header is line 1, so the first data row is row 2.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path

from ecograph.csvcells import restore
from ecograph.model import COLLABORATION_FIELDS, ORGANIZATION_FIELDS
from ecograph.problems import Problem
from loaders.base import FileInfo, RowBlock, SourceRow, ragged_row, register
from loaders.text import open_text

__all__ = ["CanonicalLoader", "csv_kind", "csv_record_type", "sniff_delimiter"]

_REQUIRED = {
    "organization": ("id", "name", "kind"),
    "collaboration": ("source", "target", "kind"),
}
_COLUMNS = {"organization": ORGANIZATION_FIELDS, "collaboration": COLLABORATION_FIELDS}
_TYPES = {
    "organization": "organization",
    "organisation": "organization",
    "collaboration": "collaboration",
}
csv.field_size_limit(1 << 24)


def sniff_delimiter(header_line: str) -> str:
    """The most frequent of ``,``, ``;`` and tab in *header_line* (``,`` on a tie)."""
    counts = {d: header_line.count(d) for d in (",", ";", "\t")}
    return max(counts, key=lambda d: (counts[d], d == ","))


def _header_names(header_line: str, delimiter: str) -> list[str]:
    row = next(csv.reader([header_line], delimiter=delimiter), [])
    return [name.strip().lstrip("\ufeff").strip().lower() for name in row]


def csv_kind(header: list[str]) -> str | None:
    """``organization`` or ``collaboration`` from a normalised header, or None."""
    names = set(header)
    if {"source", "target", "kind"} <= names:
        return "collaboration"
    if {"id", "name", "kind"} <= names or {"id", "name"} <= names:
        return "organization"
    return None


def csv_record_type(head: str) -> str | None:
    """``organization`` or ``collaboration`` for a canonical CSV file starting with *head*;
    None for anything else (JSON Lines included)."""
    if head.lstrip("\ufeff").lstrip().startswith("{") or not head.strip():
        return None
    line = head.lstrip("\ufeff").splitlines()[0]
    return csv_kind(_header_names(line, sniff_delimiter(line)))


_BLOCK_ROWS = 5000  # rows per RowBlock: big enough to amortise, small enough to stream


class CanonicalLoader:
    name = "canonical"

    def detect(self, path: Path, head: str) -> bool:
        return head.lstrip("\ufeff").lstrip().startswith("{") or csv_record_type(head) is not None

    def read(
        self, path: Path, info: FileInfo, *, start: int = 0, end: int | None = None, **options: object
    ) -> Iterator[SourceRow | Problem]:
        """The file's records; with *start* or *end*, only the CSV rows between those byte
        offsets, under the file's header and numbered as in the whole file.

        An offset must be where a line starts, and no quoted field may span lines before
        *start*: rows are numbered by counting the lines before it.
        """
        if start:
            with open_text(path, info.encoding)[0] as text:
                first = text.readline()
            rows_before = _lines_before(path, start) - 1  # the header is one of them
        text, counter = open_text(path, info.encoding, start, end)
        info.counter = counter
        with text:
            if not start:
                first, rows_before = text.readline(), 0
            if first.lstrip("\ufeff").lstrip().startswith("{"):
                info.format = "jsonl"
                yield from self._jsonl(path, first, text, info)
            else:
                yield from self._csv(path, first, text, info, rows_before)

    def _csv(
        self, path: Path, first: str, text, info: FileInfo, rows_before: int = 0
    ) -> Iterator[SourceRow | Problem]:
        file = str(path)
        delimiter = sniff_delimiter(first)
        info.delimiter = delimiter
        header = _header_names(first.rstrip("\r\n"), delimiter)
        record_type = csv_kind(header)
        if record_type is None:
            yield Problem(
                "missing-column", file, 1, "id",
                note="a header with id,name,kind (organisations) or source,target,kind (collaborations)",
            )  # fmt: skip
            return
        info.format = f"{record_type}s-csv"
        for column in _REQUIRED[record_type]:
            if column not in header:
                yield Problem("missing-column", file, 1, column, note=",".join(_REQUIRED[record_type]))
                return
        known = set(_COLUMNS[record_type])
        ignored = [h for h in header if h not in known]
        if ignored:
            info.notes.append(f"{path.name}: ignored unknown columns {', '.join(ignored)}")
        width = len(header)
        # Rows come in blocks of raw values (see RowBlock): a large load has half a million
        # of them, and one object per row costs more than checking it.
        block: list[tuple[int, list[str]]] = []
        columns = tuple(header)
        reader = csv.reader(text, delimiter=delimiter)
        # lines consumed after the header (line 1): the reader's and any before *text*'s start
        consumed = rows_before
        for values in reader:
            row = consumed + 2
            consumed = rows_before + reader.line_num
            if not values or (len(values) == 1 and not values[0].strip()):
                continue
            info.rows_read += 1
            if len(values) != width:
                yield ragged_row(file, row, len(values), width)
                continue
            if "'" in "".join(values):  # one C-level scan instead of a test per cell
                values = [restore(v) if v[:1] == "'" else v for v in values]
            block.append((row, values))
            if len(block) == _BLOCK_ROWS:
                yield RowBlock(file, record_type, columns, block)
                block = []
        if block:
            yield RowBlock(file, record_type, columns, block)

    def _jsonl(self, path: Path, first: str, text, info: FileInfo) -> Iterator[SourceRow | Problem]:
        file = str(path)
        row = 0
        for line in _chain(first, text):
            row += 1
            if not line.strip():
                continue
            info.rows_read += 1
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                yield Problem(
                    "bad-json",
                    file,
                    row,
                    None,
                    note=f"not valid JSON ({exc.msg} at column {exc.colno})",
                )
                continue
            if not isinstance(obj, dict):
                yield Problem("bad-json", file, row, None, note="expected a JSON object on each line")
                continue
            record_type = _TYPES.get(str(obj.get("type", "")).strip().lower())
            if record_type is None:
                yield Problem(
                    "bad-type", file, row, "type",
                    obj.get("type"), note=f"type {obj.get('type')!r}; expected \"organization\" or \"collaboration\"",
                )  # fmt: skip
                continue
            data = {k.strip().lower(): v for k, v in obj.items() if k != "type"}
            yield SourceRow(file, row, record_type, data)


def _lines_before(path: Path, offset: int) -> int:
    """How many line ends the first *offset* bytes of *path* hold."""
    lines = 0
    with open(path, "rb") as fh:
        while offset > 0:
            chunk = fh.read(min(offset, 1 << 20))
            if not chunk:
                break
            lines += chunk.count(b"\n")
            offset -= len(chunk)
    return lines


def _chain(first: str, rest) -> Iterator[str]:
    yield first
    yield from rest


CANONICAL = register(CanonicalLoader())
