"""Every rule of a record, once, as a check over whole columns.

:func:`check` turns a batch of values as written (:class:`~ecograph.ingest.read.RawBatch`)
into the valid records, in the columns of :mod:`ecograph.model`, and a
:class:`~ecograph.problems.Problem` for every rule a record breaks; :func:`unique` finds the
records given twice (the same again is fine, other values are a conflict) and
:func:`dangling` the ties whose ends are neither in the load nor known. Problems keep the
order ecograph reports them in: by file, then reading order, then the order of the rules.

A rule is a function of a field's values alone, so a field with few distinct values (a
year, a date, a weight) is checked once per value and the outcome spread to its records.
Text is made uniform on the way in (:func:`ecograph.model.clean_text`: NFC, line breaks as
LF, other control characters as spaces). Numbers, years and dates take ASCII digits only.
"""

from __future__ import annotations

import json
import re
import unicodedata
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
    clean_text,
)
from ecograph.problems import Problem
from ecograph.textbytes import holds, value_bytes

__all__ = ["Checked", "check", "dangling", "ends_wanted", "tie_keys", "unique"]

_ID = r"^[A-Za-z0-9._:-]{1,128}$"
_ID_RULE = "letters, digits and . _ : - only, 1 to 128 characters"
_NOT_ID = bytes(b for b in range(256) if not re.match(_ID, chr(b)))  # the bytes no id holds
_NUMBER = r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$"
_NOT_FINITE = r"(?i)^[+-]?(inf|infinity|nan)$"
_YEAR = r"^[+-]?[0-9]{1,18}$"
_DATE = r"^[0-9]{4}(-[0-9]{2}-[0-9]{2})?$"
_SECTOR = r"^[a-z0-9][a-z0-9_+.-]*$"
_CURRENCY = r"^[A-Z]{3}$"
_MIN_YEAR, _MAX_YEAR = 1000, 2100
_DAYS = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])
_NULL = pa.scalar(None, pa.string())
_SPACES = b"\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f "  # every ASCII character a trim may remove
_C0 = bytes(b for b in range(128) if re.match(CONTROL_CHARACTERS, chr(b)))  # the ASCII ones
#: Fields whose values repeat and whose rules take several passes (checked once per distinct
#: value): a kind or a tie's end is checked faster value by value than a dictionary is made.
_FEW_VALUES = {"country", "province", "city", "founded", "weight", "start", "end", "amount", "currency"}


@dataclass
class Checked:
    """The valid records of a batch, and a problem for each rule a record broke."""

    table: pa.Table  # the model's columns, then where each record came from (``_part``, ``_row``...)
    problems: list[tuple[int, int, int, Problem]] = field(
        default_factory=list
    )  # (part, order, rule, problem)


# -- the rules: each a function of a field's values, answering per value ----------------------


def _mask(values) -> np.ndarray:
    """A boolean array as numpy; null (a rule that does not apply) is false."""
    if isinstance(values, np.ndarray):
        return values
    if isinstance(values, pa.ChunkedArray):  # its own to_numpy would import pandas
        values = values.combine_chunks()
    return pc.fill_null(values, False).to_numpy(zero_copy_only=False)


def _where(mask: np.ndarray, values: pa.Array) -> pa.Array:
    return pc.if_else(pa.array(mask), values, pa.scalar(None, values.type))


def _absent(values: pa.Array) -> np.ndarray:
    return _mask(pc.or_kleene(pc.is_null(values), pc.equal(values, "")))


def _text(values: pa.Array) -> pa.Array:
    """Without surrounding spaces; empty is null."""
    data = value_bytes(values)
    if not data.isascii() or holds(data, _SPACES):  # else no value can start or end with a space
        values = pc.utf8_trim_whitespace(values)
    empty = pc.equal(values, "")
    return pc.if_else(empty, _NULL, values) if pc.any(empty).as_py() else values  # no copy if none is


def _identifier(values: pa.Array) -> tuple:
    """The id (null unless valid), where it is missing, where it is not an id."""
    empty = _absent(values)
    if holds(value_bytes(values), _NOT_ID) or (pc.max(pc.binary_length(values)).as_py() or 0) > 128:
        bad = ~empty & ~_mask(pc.match_substring_regex(values, _ID))
    else:  # every byte one an id may hold, no value too long: a pass over the bytes says so
        bad = np.zeros(len(values), bool)
    return _where(~empty & ~bad, values), empty, bad


def _kind(vocabulary: tuple[str, ...]) -> Callable:
    def rule(values: pa.Array) -> tuple:
        """The kind, where it is missing, where it is no kind, and the kind as given."""
        given = _text(values)
        kind = pc.utf8_lower(given)
        missing = _mask(pc.is_null(given))
        return kind, missing, ~missing & ~_mask(pc.is_in(kind, pa.array(vocabulary))), given

    return rule


def _number(values: pa.Array) -> tuple:
    """The number (null unless finite), where it is one, where it is none, where it is endless."""
    empty = _absent(values)
    given = pc.utf8_trim_whitespace(values)
    finite = _mask(pc.match_substring_regex(given, _NUMBER))
    floats = pc.cast(_where(finite, given), pa.float64())
    finite &= _mask(pc.is_finite(floats))
    endless = ~finite & (_mask(pc.match_substring_regex(given, _NOT_FINITE)) | _mask(pc.is_valid(floats)))
    return _where(finite, floats), finite, ~empty & ~finite & ~endless, ~empty & endless


def _date(values: pa.Array) -> tuple:
    """The date (null unless valid), where it is no date, and the date as given."""
    given = _text(values)
    ok = _mask(pc.match_substring_regex(given, _DATE))
    full = ok & _mask(pc.equal(pc.utf8_length(given), 10))
    dates = pc.if_else(
        pa.array(full),
        given,
        pc.if_else(pa.array(ok), pc.binary_join_element_wise(given, "-01-01", ""), "2000-01-01"),
    )
    year, month, day = (
        pc.cast(pc.utf8_slice_codeunits(dates, a, b), pa.int64()).to_numpy()
        for a, b in ((0, 4), (5, 7), (8, 10))
    )
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    days = _DAYS[np.clip(month, 0, 12)] + (leap & (month == 2))
    ok &= (
        (year >= _MIN_YEAR) & (year <= _MAX_YEAR) & (month >= 1) & (month <= 12) & (day >= 1) & (day <= days)
    )
    return _where(ok, given), ~_mask(pc.is_null(given)) & ~ok, given


def _year(values: pa.Array) -> tuple:
    """The year (null unless valid) and where it is no year."""
    given = pc.utf8_trim_whitespace(values)
    ok = _mask(pc.match_substring_regex(given, _YEAR))
    year = pc.cast(pc.replace_substring_regex(pc.if_else(pa.array(ok), given, "0"), r"^\+", ""), pa.int64())
    ok &= _mask(pc.and_(pc.greater_equal(year, _MIN_YEAR), pc.less_equal(year, _MAX_YEAR)))
    return _where(ok, year), ~_absent(values) & ~ok


def _code(pattern: str | None, codes: Iterable[str] = ()) -> Callable:
    def rule(values: pa.Array) -> tuple:
        """The code in capitals, and where it is none."""
        code = pc.utf8_upper(_text(values))
        known = pc.is_in(code, pa.array(sorted(codes))) if codes else pc.match_substring_regex(code, pattern)
        return code, _mask(pc.is_valid(code)) & ~_mask(known)

    return rule


def _uniform(values: pa.Array) -> pa.Array:
    """Text as :func:`ecograph.model.clean_text` makes it.

    Most columns need nothing, and a search over the values' bytes says so: for control
    characters, and, when some values are not ASCII, over their text joined by line
    breaks (which NFC never joins across) for NFC.
    """
    if not pa.types.is_string(values.type):
        return values
    data = value_bytes(values)
    odd = holds(data, _C0)
    if not data.isascii():
        lines = pa.ListArray.from_arrays(pa.array([0, len(values)], pa.int32()), pc.fill_null(values, ""))
        text = pc.binary_join(lines, "\n")[0].as_py()
        if not unicodedata.is_normalized("NFC", text):
            values = pc.utf8_normalize(values, "NFC")
        odd = odd or (b"\xc2" in data and re.search(CONTROL_CHARACTERS, text) is not None)  # C1: U+0080-9F
    if odd:
        values = pc.replace_substring_regex(values, LINE_BREAKS, "\n")
        values = pc.replace_substring_regex(values, CONTROL_CHARACTERS, " ")
    return values


# -- one batch ------------------------------------------------------------------------------------


class _Rules:
    """The rules applied to one batch, and the problems of its records."""

    def __init__(self, batch: RawBatch):
        self.batch, self.n = batch, len(batch.rows)
        self.bad = np.zeros(self.n, bool)
        self.problems: list[tuple[int, int, int, Problem]] = []

    def column(self, name: str) -> pa.Array:
        """A field's values as written; null where the file has no such field."""
        if name not in self.batch.table.column_names:
            return pa.nulls(self.n, pa.string())
        return self.batch.table[name].combine_chunks()

    def apply(self, values: pa.Array, rule: Callable, few: bool = False) -> tuple:
        """*rule* over *values* made uniform; with *few* (values that repeat), once per
        distinct value, its answers spread to every record."""
        if not few:
            return rule(_uniform(values))
        encoded = pc.dictionary_encode(values)
        distinct = pa.concat_arrays([encoded.dictionary, pa.nulls(1, values.type)])  # the last: none given
        index = pc.fill_null(encoded.indices, len(distinct) - 1).to_numpy(zero_copy_only=False)
        spread = pa.array(index)
        return tuple(
            a[index] if isinstance(a, np.ndarray) else a.take(spread) for a in rule(_uniform(distinct))
        )

    def field(self, name: str, rule: Callable) -> tuple:
        return self.apply(self.column(name), rule, name in _FEW_VALUES)

    def written(self, name: str, i: int) -> object:
        """What a message shows of field *name* of record *i*: the value as given."""
        kept = self.batch.originals.get(name, {})
        return kept[i] if i in kept else clean_text(self.column(name)[i].as_py())

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
        values, missing, bad = self.field(name, _identifier)
        if required:
            self.fail(rank, "missing-field", name, missing, "an id (" + _ID_RULE + ")")
        self.fail(rank, "bad-id", name, bad, _ID_RULE, lambda i: clean_text(self.column(name)[i].as_py()))
        return values

    def kind(self, rank: int, vocabulary: tuple[str, ...]) -> pa.Array:
        kind, missing, unknown, given = self.field("kind", _kind(vocabulary))
        self.fail(rank, "missing-field", "kind", missing, "one of " + ", ".join(vocabulary))
        self.fail(rank, "unknown-kind", "kind", unknown, ", ".join(vocabulary), lambda i: given[i].as_py())
        return kind

    def number(self, rank: int, name: str) -> tuple[pa.Array, np.ndarray]:
        values, ok, bad, endless = self.field(name, _number)
        self.fail(rank, "bad-number", name, bad, "a number", lambda i: self.written(name, i))
        self.fail(rank, "bad-number", name, endless, "a finite number", lambda i: self.written(name, i))
        return values, ok

    def date(self, rank: int, name: str) -> pa.Array:
        values, bad, given = self.field(name, _date)
        self.fail(rank, "bad-date", name, bad, "YYYY or YYYY-MM-DD", lambda i: given[i].as_py())
        return values

    def items(self, name: str, rank: int) -> tuple[pa.Array, np.ndarray]:
        """A list field's items without surrounding spaces or empties, and the record each is of."""
        raw = self.column(name)
        lists = pc.split_pattern(raw, "|") if pa.types.is_string(raw.type) else raw
        kept = self.batch.originals.get(name, {})
        not_list = np.zeros(self.n, bool)
        not_list[list(kept)] = True
        self.fail(
            rank, "bad-list", name, not_list, "values separated by '|' or a JSON array", lambda i: kept[i]
        )
        (values,) = self.apply(pc.list_flatten(lists), lambda v: (_text(v),), few=True)
        present = pc.is_valid(values)
        return values.filter(present), pc.list_parent_indices(lists).filter(present).to_numpy(
            zero_copy_only=False
        )

    def lists(self, values: pa.Array, owners: np.ndarray) -> pa.Array:
        """Each record's list of *values*, the first of each value kept."""
        pairs = pc.binary_join_element_wise(pc.cast(pa.array(owners), pa.string()), values, "\x00")
        first = np.unique(
            pc.dictionary_encode(pairs).indices.to_numpy(zero_copy_only=False), return_index=True
        )[1]
        offsets = np.zeros(self.n + 1, np.int32)
        offsets[1:] = np.cumsum(np.bincount(owners[first], minlength=self.n))
        return pa.ListArray.from_arrays(pa.array(offsets), values.take(pa.array(first)))

    def finish(self, columns: dict[str, pa.Array], schema: pa.Schema) -> Checked:
        batch, n = self.batch, self.n
        table = pa.table({f.name: columns[f.name] for f in schema}, schema=schema)
        none = pa.nulls(n, pa.string())  # canonical files: no source's ids
        origins = batch.origins
        external = batch.external_ids
        extra = {
            "_part": pa.array(np.full(n, batch.part, np.int32)),
            "_row": pa.array(batch.rows),
            "_order": pa.array(batch.order),
            "_source": pa.array([o[0] for o in origins], pa.string()) if origins else none,
            "_source_id": pa.array([o[1] for o in origins], pa.string()) if origins else none,
            "_external": pa.array([None if e is None else json.dumps(e) for e in external], pa.string())
            if external
            else none,
            **{k: v for k, v in columns.items() if k.startswith("_")},
        }
        for name, values in extra.items():
            table = table.append_column(name, values)
        return Checked(table.filter(pa.array(~self.bad)) if self.bad.any() else table, self.problems)


def check(batch: RawBatch, home_country: str) -> Checked:
    """The valid records of *batch* and the problems of the others."""
    return _organizations(batch, home_country) if batch.type == "organization" else _collaborations(batch)


def _organizations(batch: RawBatch, home: str) -> Checked:
    r = _Rules(batch)
    columns: dict[str, pa.Array] = {"id": r.identifier(0, "id", required=True)}
    (columns["name"],) = r.field("name", lambda v: (_text(v),))
    r.fail(1, "missing-field", "name", pc.is_null(columns["name"]), "the organisation's name")
    columns["kind"] = r.kind(2, ORG_KINDS)
    country, bad = r.field("country", _code(None, COUNTRY_CODES))
    r.fail(
        3, "bad-country", "country", bad, "two letters such as VN, JP, DE", lambda i: r.written("country", i)
    )
    columns["country"] = pc.fill_null(country, home)
    sectors, owners = r.items("sectors", 4)
    lowered = pc.utf8_lower(sectors)
    first_bad: dict[int, str] = {}
    for i in np.flatnonzero(~_mask(pc.match_substring_regex(lowered, _SECTOR))):
        first_bad.setdefault(int(owners[i]), sectors[int(i)].as_py())
    bad = np.zeros(r.n, bool)
    bad[list(first_bad)] = True
    r.fail(5, "bad-value", "sectors", bad, "short tags such as ai, fintech, iot", lambda i: first_bad[i])
    columns["sectors"] = r.lists(lowered, owners)
    columns["founded"], bad = r.field("founded", _year)
    r.fail(
        6,
        "bad-year",
        "founded",
        bad,
        f"a year from {_MIN_YEAR} to {_MAX_YEAR}",
        lambda i: r.written("founded", i),
    )
    columns["aliases"] = r.lists(*r.items("aliases", 7))
    for name in ("province", "city", "website", "ror", "description"):
        (columns[name],) = r.field(name, lambda v: (_text(v),))
    return r.finish(columns, ORGANIZATION_SCHEMA)


def _collaborations(batch: RawBatch) -> Checked:
    r = _Rules(batch)
    source = r.identifier(0, "source", required=True)
    target = r.identifier(1, "target", required=True)
    kind = r.kind(2, TIE_KINDS)
    weight, number = r.number(3, "weight")
    r.fail(3, "bad-weight", "weight", number & _mask(pc.less_equal(weight, 0)), "a number greater than 0",
           lambda i: r.written("weight", i))  # fmt: skip
    start, end = r.date(4, "start"), r.date(5, "end")
    # a bare year compares with the year of a full date
    year = [pc.utf8_slice_codeunits(d, 0, 4) for d in (end, start)]
    before = pc.if_else(
        pc.equal(pc.utf8_length(start), pc.utf8_length(end)), pc.less(end, start), pc.less(*year)
    )
    r.fail(6, "bad-date", "end", before, lambda i: f"a date not before start ({start[i].as_py()})",
           lambda i: end[i].as_py())  # fmt: skip
    amount, number = r.number(7, "amount")
    r.fail(7, "bad-number", "amount", number & _mask(pc.less(amount, 0)), "an amount of 0 or more",
           lambda i: r.written("amount", i))  # fmt: skip
    currency, bad = r.field("currency", _code(_CURRENCY))
    r.fail(
        8,
        "bad-value",
        "currency",
        bad,
        "an ISO 4217 code such as VND, USD",
        lambda i: r.written("currency", i),
    )
    id_ = r.identifier(9, "id", required=False)
    r.fail(10, "self-loop", "target", pc.equal(source, target), "a collaboration joins two different organisations",
           lambda i: target[i].as_py())  # fmt: skip
    # mutual ties keep their ends in one order, so that A–B and B–A are one tie
    swapped = pc.and_(
        pc.invert(pc.is_in(kind, pa.array(sorted(DIRECTED_TIE_KINDS)))), pc.less(target, source)
    )
    (evidence,) = r.field("evidence", lambda v: (_text(v),))
    columns = {
        "source": pc.if_else(swapped, target, source),
        "target": pc.if_else(swapped, source, target),
        "kind": kind,
        "weight": pc.fill_null(weight, 1.0),
        "start": start,
        "end": end,
        "amount": amount,
        "currency": currency,
        "evidence": evidence,
        "id": id_,
        "_swapped": pc.fill_null(swapped, False),
    }
    columns["key"] = tie_keys(columns)
    return r.finish(columns, COLLABORATION_SCHEMA)


def tie_keys(columns: dict[str, pa.Array]) -> pa.Array:
    """:func:`ecograph.model.tie_key` over columns whose ends are already in order."""
    ids = columns["id"]
    by_id = pc.binary_join_element_wise("id:", ids, "")
    if ids.null_count == 0:  # each tie has an id (or there are none): the ends are not needed
        return by_id
    parts = [columns["kind"], columns["source"], columns["target"], pc.fill_null(columns["start"], "")]
    by_ends = pc.binary_join_element_wise(*parts, "|")
    return by_ends if ids.null_count == len(ids) else pc.if_else(pc.is_null(ids), by_ends, by_id)


# -- the whole load ---------------------------------------------------------------------------------


def unique(
    table: pa.Table, files: list[str], key: str
) -> tuple[pa.Table, list[tuple[int, int, int, Problem]]]:
    """The first record of each *key* in *table* (in load order), and a conflict problem for
    each later one whose values differ from the first's; *files* names each part's file."""
    keys = table[key].combine_chunks()
    if len(pc.unique(keys)) == len(keys):  # the usual case, found without making a dictionary
        return table, []
    # the dictionary lists each key once, in the order first met
    index = pc.dictionary_encode(keys).indices.to_numpy(zero_copy_only=False)
    first_of = np.unique(index, return_index=True)[1]
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


def ends_wanted(organizations: pa.Table, ties: pa.Table) -> list[str]:
    """The organisations the ties name that the load does not give."""
    ends = [
        pc.filter(ties[end], pc.invert(pc.is_in(ties[end], organizations["id"])))
        for end in ("source", "target")
    ]
    return pc.unique(pa.chunked_array(ends[0].chunks + ends[1].chunks, pa.string())).to_pylist()


def dangling(ties: pa.Table, unknown: Iterable[str], files: list[str]) -> tuple[np.ndarray, list[Problem]]:
    """The ties with an end in *unknown*, as a mask, and a problem for each such end, in load order."""
    missing = set(unknown)
    unknown = pa.array(sorted(missing), pa.string())
    source, target = (_mask(pc.is_in(ties[end], unknown)) for end in ("source", "target"))
    hit = source | target
    found = []
    names = ("source", "target", "_swapped", "_part", "_row", "_order")
    for row in ties.filter(pa.array(hit)).select(list(names)).to_pylist():
        written = row["target"] if row["_swapped"] else row["source"]
        for n, end in enumerate((row["source"], row["target"])):
            if end in missing:
                note = "load that organisation first or in the same load"
                problem = Problem("dangling-reference", files[row["_part"]], row["_row"],
                                  "source" if written == end else "target", end, note)  # fmt: skip
                found.append((row["_part"], row["_order"], n, problem))
    return hit, [problem for *_, problem in sorted(found, key=lambda f: f[:3])]
