"""Every rule of a record, once, as a check over whole columns.

:func:`check` turns a batch of values as written (:class:`~ecograph.ingest.read.RawBatch`)
into the valid records, in the columns of :mod:`ecograph.model`, and a
:class:`~ecograph.problems.Problem` for every rule a record breaks; :func:`unique` finds the
records given twice (the same again is fine, other values are a conflict) and
:func:`dangling` the ties whose ends are neither in the load nor known. Problems keep the
order ecograph reports them in: by file, then reading order, then the order of the rules.

Text is made uniform on the way in: Unicode NFC (so a name typed with combining accents is
the same name), line breaks as ``\\n``, and every other control character (C0 and C1, such
as the vertical tab Word and Excel paste) a space. Numbers, years and dates take ASCII
digits only.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ecograph.countries import COUNTRY_CODES
from ecograph.ingest.read import RawBatch
from ecograph.model import (
    COLLABORATION_FIELDS,
    COLLABORATION_SCHEMA,
    CONTROL_CHARACTERS,
    DIRECTED_TIE_KINDS,
    LINE_BREAKS,
    ORG_KINDS,
    ORGANIZATION_FIELDS,
    ORGANIZATION_SCHEMA,
    TIE_KINDS,
)
from ecograph.problems import Problem

__all__ = ["BOOKKEEPING", "Checked", "check", "dangling", "unique"]

_ID = r"^[A-Za-z0-9._:-]{1,128}$"
_ID_RULE = "letters, digits and . _ : - only, 1 to 128 characters"
_NUMBER = r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$"
_NOT_FINITE = r"(?i)^[+-]?(inf|infinity|nan)$"
_YEAR = r"^[+-]?[0-9]{1,18}$"
_DATE = r"^[0-9]{4}(-[0-9]{2}-[0-9]{2})?$"
_SECTOR = r"^[a-z0-9][a-z0-9_+.-]*$"
_CURRENCY = r"^[A-Z]{3}$"
_MIN_YEAR, _MAX_YEAR = 1000, 2100
#: Columns a checked table carries besides the record's: where each record came from.
BOOKKEEPING = ("_part", "_row", "_order", "_source", "_source_id", "_external")


@dataclass
class Checked:
    """The valid records of a batch, and a problem for each rule a record broke."""

    table: pa.Table  # the model's columns, then BOOKKEEPING (and ``_swapped`` for ties)
    problems: list[tuple[int, int, int, Problem]] = field(
        default_factory=list
    )  # (part, order, rule, problem)


class _Rules:
    """The rules over one batch: each one a mask of the records it rejects."""

    def __init__(self, batch: RawBatch):
        self.batch, self.n = batch, len(batch.rows)
        self.bad = np.zeros(self.n, bool)
        self.problems: list[tuple[int, int, int, Problem]] = []
        self._raw: dict[str, pa.Array] = {}

    def raw(self, name: str) -> pa.Array:
        """A field's values as written (null where absent), text made uniform."""
        if name not in self._raw:
            if name not in self.batch.table.column_names:
                column = pa.nulls(self.n, pa.string())
            else:
                column = self.batch.table[name].combine_chunks()
            self._raw[name] = _uniform(column) if pa.types.is_string(column.type) else column
        return self._raw[name]

    def text(self, name: str) -> pa.Array:
        """Without surrounding spaces; empty is null."""
        trimmed = pc.utf8_trim_whitespace(self.raw(name))
        return pc.if_else(pc.equal(trimmed, ""), pa.scalar(None, pa.string()), trimmed)

    def written(self, name: str, i: int) -> object:
        """What a message shows of field *name* of record *i*: the value as given."""
        kept = self.batch.originals.get(name, {})
        return kept[i] if i in kept else self.raw(name)[i].as_py()

    def fail(self, rank: int, kind: str, name: str, mask, note: str | Callable, value=None) -> None:
        """Reject the records in *mask* (rule number *rank* of the record type); *value*
        gives a record's value for the message (default: none), *note* the expectation."""
        mask = _mask(mask)
        self.bad |= mask
        for i in np.flatnonzero(mask):
            shown = value(int(i)) if value is not None else None
            expected = note(int(i)) if callable(note) else note
            problem = Problem(kind, self.batch.file, int(self.batch.rows[i]), name, shown, expected)
            self.problems.append((self.batch.part, int(self.batch.order[i]), rank, problem))

    def identifier(self, rank: int, name: str, required: bool) -> pa.Array:
        raw = self.raw(name)
        empty = _mask(pc.or_kleene(pc.is_null(raw), pc.equal(raw, "")))
        if required:
            self.fail(rank, "missing-field", name, empty, "an id (" + _ID_RULE + ")")
        bad = ~empty & ~_mask(pc.match_substring_regex(raw, _ID))
        self.fail(rank, "bad-id", name, bad, _ID_RULE, lambda i: raw[i].as_py())
        return pc.if_else(pa.array(~empty & ~bad), raw, pa.scalar(None, pa.string()))

    def kind(self, rank: int, vocabulary: tuple[str, ...]) -> pa.Array:
        given = self.text("kind")
        kind = pc.utf8_lower(given)
        self.fail(rank, "missing-field", "kind", pc.is_null(given), "one of " + ", ".join(vocabulary))
        unknown = _mask(pc.invert(pc.is_in(kind, pa.array(vocabulary)))) & ~_mask(pc.is_null(given))
        self.fail(rank, "unknown-kind", "kind", unknown, ", ".join(vocabulary), lambda i: given[i].as_py())
        return kind

    def number(self, rank: int, name: str) -> tuple[pa.Array, np.ndarray]:
        """A float (null where empty) and where it is a valid number."""
        raw = self.raw(name)
        empty = _mask(pc.or_kleene(pc.is_null(raw), pc.equal(raw, "")))
        given = pc.utf8_trim_whitespace(raw)
        finite = _mask(pc.match_substring_regex(given, _NUMBER))
        values = pc.cast(pc.if_else(pa.array(finite), given, pa.scalar(None, pa.string())), pa.float64())
        finite &= _mask(pc.is_finite(values))
        endless = ~finite & (_mask(pc.match_substring_regex(given, _NOT_FINITE)) | _mask(pc.is_valid(values)))
        self.fail(
            rank, "bad-number", name, ~empty & ~finite & ~endless, "a number", lambda i: self.written(name, i)
        )
        self.fail(
            rank, "bad-number", name, ~empty & endless, "a finite number", lambda i: self.written(name, i)
        )
        return values, finite

    def date(self, rank: int, name: str) -> pa.Array:
        given = self.text(name)
        shaped = _mask(pc.match_substring_regex(given, _DATE))
        year = pc.cast(pc.utf8_slice_codeunits(pc.if_else(pa.array(shaped), given, "0"), 0, 4), pa.int64())
        ok = shaped & _mask(pc.and_(pc.greater_equal(year, _MIN_YEAR), pc.less_equal(year, _MAX_YEAR)))
        full = pc.if_else(
            pa.array(ok & _mask(pc.equal(pc.utf8_length(given), 10))), given, pa.scalar(None, pa.string())
        )
        parsed = pc.strptime(full, format="%Y-%m-%d", unit="s", error_is_null=True)
        ok &= ~_mask(pc.is_valid(full)) | _mask(pc.equal(pc.strftime(parsed, format="%Y-%m-%d"), full))
        self.fail(
            rank,
            "bad-date",
            name,
            ~_mask(pc.is_null(given)) & ~ok,
            "YYYY or YYYY-MM-DD",
            lambda i: given[i].as_py(),
        )
        return pc.if_else(pa.array(ok), given, pa.scalar(None, pa.string()))

    def items(self, name: str, rank: int) -> tuple[pa.Array, pa.Array]:
        """A list field's items without surrounding spaces or empties, and the record each
        belongs to."""
        raw = self.raw(name)
        lists = pc.split_pattern(raw, "|") if pa.types.is_string(raw.type) else raw
        if pa.types.is_null(lists.type):
            lists = pa.nulls(self.n, pa.list_(pa.string()))
        kept = self.batch.originals.get(name, {})
        not_list = np.zeros(self.n, bool)
        not_list[list(kept)] = True
        self.fail(
            rank, "bad-list", name, not_list, "values separated by '|' or a JSON array", lambda i: kept[i]
        )
        values = pc.list_flatten(lists)
        owners = pc.list_parent_indices(lists)
        if pa.types.is_string(values.type):
            values = _uniform(values)
        values = pc.utf8_trim_whitespace(values)
        present = pc.not_equal(values, "")
        return values.filter(present), owners.filter(present)

    def lists(self, values: pa.Array, owners: pa.Array) -> pa.Array:
        """Each record's list of *values*, the first of each value kept."""
        owner = owners.to_numpy(zero_copy_only=False).astype(np.int64)
        pairs = pc.binary_join_element_wise(pc.cast(pa.array(owner), pa.string()), values, "\x00")
        first = np.unique(
            pc.index_in(pairs, pc.unique(pairs)).to_numpy(zero_copy_only=False), return_index=True
        )[1]
        first.sort()
        offsets = np.zeros(self.n + 1, np.int32)
        np.add.at(offsets, owner[first] + 1, 1)
        return pa.ListArray.from_arrays(
            pa.array(np.cumsum(offsets, dtype=np.int32)), values.take(pa.array(first))
        )

    def finish(self, columns: dict[str, pa.Array], schema: pa.Schema) -> Checked:
        good = pa.array(~self.bad)
        batch = self.batch
        table = pa.table({f.name: columns[f.name] for f in schema}, schema=schema)
        extra = {
            "_part": pa.array(np.full(self.n, batch.part, np.int32)),
            "_row": pa.array(batch.rows),
            "_order": pa.array(batch.order),
            "_source": pa.array(
                [o[0] for o in batch.origins] if batch.origins else pa.nulls(self.n), pa.string()
            ),
            "_source_id": pa.array(
                [o[1] for o in batch.origins] if batch.origins else pa.nulls(self.n), pa.string()
            ),
            "_external": pa.array(
                [None if e is None else json.dumps(e) for e in batch.external_ids]
                if batch.external_ids
                else pa.nulls(self.n),
                pa.string(),
            ),
        }
        extra.update({k: v for k, v in columns.items() if k.startswith("_")})
        for name, values in extra.items():
            table = table.append_column(name, values)
        return Checked(table.filter(good), self.problems)


def _mask(values) -> np.ndarray:
    """A boolean array as numpy; null (a rule that does not apply) is false."""
    if isinstance(values, np.ndarray):
        return values
    return pc.fill_null(values, False).to_numpy(zero_copy_only=False)


def _uniform(column: pa.Array) -> pa.Array:
    """*column*'s text in NFC, with CR LF and CR as LF and other control characters as spaces."""
    if pc.any(pc.invert(pc.string_is_ascii(column))).as_py():
        column = pc.utf8_normalize(column, "NFC")
    if pc.any(pc.match_substring_regex(column, CONTROL_CHARACTERS)).as_py():
        column = pc.replace_substring_regex(column, LINE_BREAKS, "\n")
        column = pc.replace_substring_regex(column, CONTROL_CHARACTERS, " ")
    return column


def check(batch: RawBatch, home_country: str) -> Checked:
    """The valid records of *batch* and the problems of the others."""
    return _organizations(batch, home_country) if batch.type == "organization" else _collaborations(batch)


def _organizations(batch: RawBatch, home: str) -> Checked:
    r = _Rules(batch)
    columns: dict[str, pa.Array] = {"id": r.identifier(0, "id", required=True)}
    columns["name"] = r.text("name")
    r.fail(1, "missing-field", "name", pc.is_null(columns["name"]), "the organisation's name")
    columns["kind"] = r.kind(2, ORG_KINDS)
    given = r.text("country")
    country = pc.utf8_upper(given)
    unknown = pc.and_(pc.is_valid(given), pc.invert(pc.is_in(country, pa.array(sorted(COUNTRY_CODES)))))
    r.fail(
        3,
        "bad-country",
        "country",
        unknown,
        "two letters such as VN, JP, DE",
        lambda i: r.written("country", i),
    )
    columns["country"] = pc.fill_null(country, home)
    sectors, owners = r.items("sectors", 4)
    lowered = pc.utf8_lower(sectors)
    bad = pc.invert(pc.match_substring_regex(lowered, _SECTOR)).to_numpy(zero_copy_only=False)
    owner = owners.to_numpy(zero_copy_only=False)
    first_bad = {}
    for i in np.flatnonzero(bad):
        first_bad.setdefault(int(owner[i]), sectors[int(i)].as_py())
    mask = np.zeros(r.n, bool)
    mask[list(first_bad)] = True
    r.fail(5, "bad-value", "sectors", mask, "short tags such as ai, fintech, iot", lambda i: first_bad[i])
    columns["sectors"] = r.lists(lowered, owners)
    raw = r.raw("founded")
    empty = _mask(pc.or_kleene(pc.is_null(raw), pc.equal(raw, "")))
    given = pc.utf8_trim_whitespace(raw)
    shaped = _mask(pc.match_substring_regex(given, _YEAR))
    digits = pc.replace_substring_regex(pc.if_else(pa.array(shaped), given, "0"), r"^\+", "")
    year = pc.cast(digits, pa.int64())
    ok = shaped & _mask(pc.and_(pc.greater_equal(year, _MIN_YEAR), pc.less_equal(year, _MAX_YEAR)))
    r.fail(
        6,
        "bad-year",
        "founded",
        ~empty & ~ok,
        f"a year from {_MIN_YEAR} to {_MAX_YEAR}",
        lambda i: r.written("founded", i),
    )
    columns["founded"] = pc.if_else(pa.array(ok), year, pa.scalar(None, pa.int64()))
    aliases, alias_owners = r.items("aliases", 7)
    columns["aliases"] = r.lists(aliases, alias_owners)
    for name in ("province", "city", "website", "ror", "description"):
        columns[name] = r.text(name)
    return r.finish(columns, ORGANIZATION_SCHEMA)


def _collaborations(batch: RawBatch) -> Checked:
    r = _Rules(batch)
    source = r.identifier(0, "source", required=True)
    target = r.identifier(1, "target", required=True)
    kind = r.kind(2, TIE_KINDS)
    weight, number = r.number(3, "weight")
    r.fail(
        3,
        "bad-weight",
        "weight",
        number & _mask(pc.less_equal(weight, 0)),
        "a number greater than 0",
        lambda i: r.written("weight", i),
    )
    start, end = r.date(4, "start"), r.date(5, "end")
    # a bare year compares with the year of a full date
    same = pc.equal(pc.utf8_length(start), pc.utf8_length(end))
    before = pc.if_else(
        same,
        pc.less(end, start),
        pc.less(pc.utf8_slice_codeunits(end, 0, 4), pc.utf8_slice_codeunits(start, 0, 4)),
    )
    r.fail(
        6,
        "bad-date",
        "end",
        before,
        lambda i: f"a date not before start ({start[i].as_py()})",
        lambda i: end[i].as_py(),
    )
    amount, number = r.number(7, "amount")
    r.fail(
        7,
        "bad-number",
        "amount",
        number & _mask(pc.less(amount, 0)),
        "an amount of 0 or more",
        lambda i: r.written("amount", i),
    )
    currency = pc.utf8_upper(r.text("currency"))
    r.fail(
        8,
        "bad-value",
        "currency",
        pc.invert(pc.match_substring_regex(currency, _CURRENCY)),
        "an ISO 4217 code such as VND, USD",
        lambda i: r.written("currency", i),
    )
    id_ = r.identifier(9, "id", required=False)
    r.fail(
        10,
        "self-loop",
        "target",
        pc.equal(source, target),
        "a collaboration joins two different organisations",
        lambda i: target[i].as_py(),
    )
    # mutual ties keep their ends in one order, so that A–B and B–A are one tie
    swapped = pc.and_(
        pc.invert(pc.is_in(kind, pa.array(sorted(DIRECTED_TIE_KINDS)))), pc.less(target, source)
    )
    columns = {
        "source": pc.if_else(swapped, target, source),
        "target": pc.if_else(swapped, source, target),
        "kind": kind,
        "weight": pc.fill_null(weight, 1.0),
        "start": start,
        "end": end,
        "amount": amount,
        "currency": currency,
        "evidence": r.text("evidence"),
        "id": id_,
        "_swapped": pc.fill_null(swapped, False),
    }
    columns["key"] = tie_keys(columns)
    return r.finish(columns, COLLABORATION_SCHEMA)


def tie_keys(columns: dict[str, pa.Array]) -> pa.Array:
    """:func:`ecograph.model.tie_key` over columns whose ends are already in order."""
    parts = [columns["kind"], columns["source"], columns["target"], pc.fill_null(columns["start"], "")]
    by_ends = pc.binary_join_element_wise(*parts, "|")
    return pc.if_else(
        pc.is_null(columns["id"]), by_ends, pc.binary_join_element_wise("id:", columns["id"], "")
    )


def unique(
    table: pa.Table, files: list[str], key: str
) -> tuple[pa.Table, list[tuple[int, int, int, Problem]]]:
    """The first record of each *key* in *table* (in load order), and a conflict problem for
    each later one whose values differ from the first's; *files* names each part's file."""
    keys = table[key]
    index = pc.index_in(keys, pc.unique(keys)).to_numpy(zero_copy_only=False)
    first_of = np.unique(index, return_index=True)[1]  # unique() keeps the order of first sight
    if len(first_of) == table.num_rows:
        return table, []
    later = np.setdiff1d(np.arange(table.num_rows), first_of)
    names = ORGANIZATION_FIELDS if key == "id" else COLLABORATION_FIELDS
    kind = "duplicate-id-conflict" if key == "id" else "duplicate-tie-conflict"
    again = table.take(pa.array(later)).to_pylist()
    firsts = table.take(pa.array(first_of[index[later]])).to_pylist()
    conflicts = []
    for row, seen in zip(again, firsts, strict=True):
        differing = [f for f in names if row[f] != seen[f]]
        if differing:
            note = f"first given at {files[seen['_part']]}:{seen['_row']}; differs in {', '.join(differing)}"
            problem = Problem(kind, files[row["_part"]], row["_row"], differing[0], row[key], note)
            conflicts.append((row["_part"], row["_order"], 0, problem))
    return table.take(pa.array(first_of)), conflicts


def dangling(ties: pa.Table, unknown: Iterable[str], files: list[str]) -> tuple[np.ndarray, list[Problem]]:
    """The ties with an end in *unknown*, as a mask, and a problem for each such end, in load order."""
    unknown = pa.array(sorted(set(unknown)), pa.string())
    source, target = (_mask(pc.is_in(ties[end], unknown)) for end in ("source", "target"))
    problems = []
    for i in np.flatnonzero(source | target):
        row = {name: ties[name][int(i)].as_py() for name in ("source", "target", "_swapped", "_part", "_row")}
        written = row["target"] if row["_swapped"] else row["source"]
        for end, hit in ((row["source"], source[i]), (row["target"], target[i])):
            if hit:
                problems.append(
                    Problem(
                        "dangling-reference",
                        files[row["_part"]],
                        row["_row"],
                        "source" if written == end else "target",
                        end,
                        note="load that organisation first or in the same load",
                    )
                )
    return source | target, problems


def ends_wanted(organizations: pa.Table, ties: pa.Table) -> list[str]:
    """The organisations the ties name that the load does not give."""
    ends = pc.unique(pa.chunked_array(ties["source"].chunks + ties["target"].chunks, pa.string()))
    return pc.filter(ends, pc.invert(pc.is_in(ends, organizations["id"]))).to_pylist()
