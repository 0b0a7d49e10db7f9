"""ROR data dumps (schema v2): research organisations, and their parent/child/related links as ties.

The dump (``vX.Y-YYYY-MM-DD-ror-data_schema_v2.json``, ~120k records, ~250 MB) is one JSON
array. It is read incrementally — a chunk at a time through
:meth:`json.JSONDecoder.raw_decode` — so memory holds the records kept, never the file. The
same records as JSON Lines (one object a line) are read too.

Row numbers are record numbers: the first record of the array (or the first line of a JSON
Lines file) is row 1.

What becomes what
-----------------
- Organisation id ``ror:<suffix>`` (``https://ror.org/04kq4sq72`` -> ``ror:04kq4sq72``);
  ``ror`` holds the full ROR URL, ``source_id`` too.
- ``name``: the ``ror_display`` name; ``aliases``: every other name (labels in other
  languages, aliases, acronyms), in the dump's order.
- ``kind`` from ``types``, the first of this priority order that the record has
  (:data:`TYPE_PRIORITY`): education -> university, company -> company, facility ->
  research_institute, government -> government, nonprofit -> support_org (mostly
  associations, foundations and learned societies), funder -> government (a funder that is
  also a nonprofit or a company takes that kind instead), healthcare -> other (with sector
  ``healthcare``: a hospital is neither a research institute nor a support body, but
  planners want to find it), archive -> other, other -> other. Types ROR may add later
  count in ``unknown_codes["types"]`` and give ``other``.
- ``country``, ``province``, ``city``: ``country_code``, ``country_subdivision_name`` and
  ``name`` of the first location's ``geonames_details``.
- ``founded``: ``established``; ``website``: the first link of type ``website``.
- ``external_ids`` (GRID, ISNI, Wikidata, FundRef) go into the raw record as
  ``external_ids`` (``{"grid": [...], ...}``) for entity resolution; the model does not
  store them yet.
- Records with ``status`` ``inactive`` or ``withdrawn`` are left out (counted in the notes):
  they are organisations that no longer operate, or duplicates ROR retired.
- ``relationships``: parent/child and related become one tie of kind ``other`` per pair
  (id ``ror:rel:<a>-<b>``, the suffixes sorted; evidence says which is the parent), written
  only when both ends are kept — so a country filter keeps the links inside that country.
  successor/predecessor are left out: they link an organisation to its own earlier or later
  self (a rename or merger), not two partners.

Options
-------
country : str
    Keep only records located in this country (``VN``; several as ``VN,LA``).
"""

from __future__ import annotations

import io
import json
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from ecograph.countries import COUNTRY_CODES
from ecograph.errors import UsageError
from ecograph.problems import Problem
from loaders.base import FileInfo, SourceRow, Terms, register
from loaders.text import open_text

__all__ = [
    "TYPE_KINDS",
    "TYPE_PRIORITY",
    "RorLoader",
    "count_code",
    "country_option",
    "iter_json_records",
    "kind_from_types",
]

#: ROR (and OpenAlex, whose institution types come from ROR) organisation types -> ecograph kinds.
TYPE_KINDS: dict[str, str] = {
    "education": "university",
    "company": "company",
    "facility": "research_institute",
    "government": "government",
    "nonprofit": "support_org",
    "funder": "government",
    "healthcare": "other",
    "archive": "other",
    "other": "other",
}
#: When a record has several types, the first of these decides its kind.
TYPE_PRIORITY: tuple[str, ...] = (
    "education",
    "company",
    "facility",
    "government",
    "nonprofit",
    "funder",
    "healthcare",
    "archive",
    "other",
)
_KEPT_STATUS = "active"
_RELATIONS = {"parent", "child", "related"}
_LINEAGE = {"successor", "predecessor"}
_ROR_URL = re.compile(r"(?:https?://)?ror\.org/([0-9a-z]{5,20})/?", re.IGNORECASE)
_CHUNK = 1 << 20
_MAX_RECORD = 64 << 20  # a record this large is not a record: the file is damaged


def country_option(value: object) -> frozenset[str] | None:
    """The ``country`` loader option as a set of ISO codes (None: keep every country).

    Examples
    --------
    >>> sorted(country_option("vn, la"))
    ['LA', 'VN']
    >>> country_option(None) is None
    True
    """
    if value is None or value == "" or value == ():
        return None
    items = value.split(",") if isinstance(value, str) else [str(v) for v in value]  # type: ignore[union-attr]
    codes = frozenset(c.strip().upper() for c in items if c.strip())
    bad = sorted(c for c in codes if c not in COUNTRY_CODES)
    if bad:
        raise UsageError(
            f"--country {', '.join(bad)} is not an ISO 3166-1 alpha-2 country code; use two letters such as VN"
        )
    return codes or None


def count_code(info: FileInfo, field: str, code: object) -> None:
    """Count a code the loader met but could not map, for the load report."""
    key = "(empty)" if code is None or code == "" else str(code)
    counts = info.unknown_codes.setdefault(field, {})
    counts[key] = counts.get(key, 0) + 1


def kind_from_types(types: list[str], info: FileInfo, field: str = "types") -> tuple[str, tuple[str, ...]]:
    """The ecograph kind and sector tags for a list of ROR/OpenAlex organisation types.

    Examples
    --------
    >>> from loaders.base import FileInfo
    >>> info = FileInfo("x", "ror")
    >>> kind_from_types(["funder", "nonprofit"], info), kind_from_types(["healthcare"], info)
    (('support_org', ()), ('other', ('healthcare',)))
    >>> kind_from_types(["spaceport"], info), info.unknown_codes
    (('other', ()), {'types': {'spaceport': 1}})
    """
    names = [str(t).strip().lower() for t in types if str(t).strip()]
    names = ["archive" if t == "archives" else t for t in names]
    for t in names:
        if t not in TYPE_KINDS:
            count_code(info, field, t)
    kind = "other"
    for t in TYPE_PRIORITY:
        if t in names:
            kind = TYPE_KINDS[t]
            break
    sectors = ("healthcare",) if "healthcare" in names else ()
    return kind, sectors


# -- reading JSON records one at a time ------------------------------------------------------

_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*(")?|[\[\]{}]', re.DOTALL)
_BETWEEN = re.compile(r"[\s,]*")


def _value_end(buf: str, pos: int) -> int | None:
    """Index just after the object or array starting at *pos*, or None if *buf* ends first."""
    depth = 0
    for match in _TOKEN.finditer(buf, pos):
        token = match.group()
        if token[0] == '"':
            if match.group(1) is None:  # the string runs past the end of the buffer
                return None
            continue
        depth += 1 if token in "[{" else -1
        if depth <= 0:
            return match.end()
    return None


def iter_json_records(text, shape: dict | None = None) -> Iterator[tuple[int, object, str | None]]:
    """``(record number, object, error)`` for each record of a JSON array or JSON Lines stream.

    A record that is not valid JSON gives ``(n, None, message)`` and reading goes on with the
    next record; a damaged end of file gives one last error. *shape*, if given, gets
    ``shape["array"]`` set once the stream's first character is read.

    Examples
    --------
    >>> import io
    >>> for n, o, e in iter_json_records(io.StringIO('[{"a": 1}, {"a": 2,}, {"a": 3}]')):
    ...     print(n, o, e)
    1 {'a': 1} None
    2 None record 2 is not valid JSON: Expecting property name enclosed in double quotes at character 9 of the record
    3 {'a': 3} None
    >>> [o for _, o, _ in iter_json_records(io.StringIO('{"a": 1}\\n{"a": 2}\\n'))]
    [{'a': 1}, {'a': 2}]
    """
    prefix = _skip_space(text)
    if shape is not None:
        shape["array"] = prefix.endswith("[")
    if prefix.endswith("["):
        yield from _iter_array(text, prefix)
    else:
        yield from _iter_lines(_chain_lines(io.StringIO(prefix + text.readline(), newline=""), text))


def _skip_space(text) -> str:
    """Read up to and including the first character that is not white space or a BOM."""
    prefix = ""
    while True:
        char = text.read(1)
        prefix += char
        if not char or char not in "\ufeff \t\r\n":
            return prefix


def _iter_lines(lines: Iterator[str]) -> Iterator[tuple[int, object, str | None]]:
    for n, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            yield n, json.loads(line), None
        except json.JSONDecodeError as exc:
            yield n, None, f"line {n} is not valid JSON: {exc.msg} at column {exc.colno}"


def _chain_lines(first, rest) -> Iterator[str]:
    yield from first
    yield from rest


def _iter_array(text, buf: str) -> Iterator[tuple[int, object, str | None]]:
    decoder = json.JSONDecoder()
    pos = len(buf)
    eof = False
    n = 0
    while True:
        pos = _BETWEEN.match(buf, pos).end()  # type: ignore[union-attr]
        if pos >= len(buf):
            if eof:
                yield n + 1, None, "the file ends before the array is closed with ']' (truncated download?)"
                return
            chunk = text.read(_CHUNK)
            eof = not chunk
            buf, pos = buf[pos:] + chunk, 0
            continue
        if buf[pos] == "]":
            return
        try:
            obj, end = decoder.raw_decode(buf, pos)
        except json.JSONDecodeError as exc:
            stop = _value_end(buf, pos) if buf[pos] in "{[" else None
            if stop is None and not eof and len(buf) - pos < _MAX_RECORD:
                chunk = text.read(_CHUNK)  # the record is not all in the buffer yet
                eof = not chunk
                buf, pos = buf[pos:] + chunk, 0
                continue
            n += 1
            message = (
                f"record {n} is not valid JSON: {exc.msg} at character {exc.pos - pos + 1} of the record"
            )
            if stop is None:
                yield n, None, message + "; the rest of the file cannot be read"
                return
            yield n, None, message
            pos = stop
            continue
        n += 1
        yield n, obj, None
        pos = end


# -- the loader ----------------------------------------------------------------------------


def ror_suffix(value: object) -> str | None:
    """``04kq4sq72`` from ``https://ror.org/04kq4sq72`` (or from the bare suffix)."""
    if not isinstance(value, str):
        return None
    match = _ROR_URL.fullmatch(value.strip())
    if match:
        return match.group(1).lower()
    bare = value.strip().lower()
    return bare if re.fullmatch(r"0[0-9a-z]{8}", bare) else None


def _names(record: dict) -> tuple[str | None, list[str]]:
    display = None
    others: list[str] = []
    for entry in record.get("names") or []:
        if not isinstance(entry, dict) or not isinstance(entry.get("value"), str):
            continue
        value = entry["value"].strip()
        if not value:
            continue
        if display is None and "ror_display" in (entry.get("types") or []):
            display = value
        else:
            others.append(value)
    if display is None and others:
        display = others.pop(0)
    aliases = [a for a in dict.fromkeys(others) if a != display]
    return display, aliases


def _location(record: dict) -> tuple[str | None, str | None, str | None]:
    for location in record.get("locations") or []:
        details = location.get("geonames_details") if isinstance(location, dict) else None
        if isinstance(details, dict):
            country = details.get("country_code")
            return (
                country.strip().upper() if isinstance(country, str) else None,
                details.get("country_subdivision_name"),
                details.get("name"),
            )
    return None, None, None


def _website(record: dict) -> str | None:
    for link in record.get("links") or []:
        if isinstance(link, dict) and link.get("type") == "website" and link.get("value"):
            return str(link["value"])
    return None


def _external_ids(record: dict) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for ext in record.get("external_ids") or []:
        if isinstance(ext, dict) and ext.get("type"):
            values = [str(v) for v in ext.get("all") or [] if v]
            if values:
                out[str(ext["type"]).lower()] = values
    return out


class RorLoader:
    name = "ror"
    terms = Terms(
        source="ror",
        name="ROR",
        licence="CC0 1.0",
        licence_url="https://creativecommons.org/publicdomain/zero/1.0/",
        attribution="Research Organization Registry (ROR), https://ror.org",
    )
    resolves = True  # public data: match its organisations to the store's (ecograph.resolution)

    def detect(self, path: Path, head: str) -> bool:
        first = head.lstrip("\ufeff \t\r\n")[:1]
        return (
            first in ("[", "{")
            and "ror.org/" in head
            and any(key in head for key in ('"ror_display"', '"geonames_details"'))
        )

    def read(self, path: Path, info: FileInfo, **options: object) -> Iterator[SourceRow | Problem]:
        countries = country_option(options.get("country"))
        file = str(path)
        text, counter = open_text(path, info.encoding)
        info.counter = counter
        skipped: Counter[str] = Counter()
        kept: set[str] = set()
        # (ror suffix a, ror suffix b) sorted -> (row, relation, parent suffix or None)
        links: dict[tuple[str, str], tuple[int, str, str | None]] = {}
        lineage = 0
        with text:
            shape: dict[str, bool] = {}
            for n, record, error in iter_json_records(text, shape):
                info.format = "ror-json" if shape.get("array") else "ror-jsonl"
                info.rows_read += 1
                if error is not None:
                    yield Problem("bad-json", file, n, None, note=error)
                    continue
                if not isinstance(record, dict):
                    yield Problem("bad-json", file, n, None, note=f"record {n} is not a JSON object")
                    continue
                # the cheap tests first: most records of the dump are outside the country
                status = str(record.get("status") or "active").lower()
                if status != _KEPT_STATUS:
                    skipped[status] += 1
                    continue
                country, province, city = _location(record)
                if countries is not None and country not in countries:
                    skipped["outside"] += 1
                    continue
                suffix = ror_suffix(record.get("id"))
                if suffix is None:
                    if record.get("id") in (None, ""):
                        yield Problem(
                            "missing-field", file, n, "id", note="a ROR id such as https://ror.org/04kq4sq72"
                        )
                    else:
                        yield Problem(
                            "bad-id",
                            file,
                            n,
                            "id",
                            record.get("id"),
                            note="a ROR id such as https://ror.org/04kq4sq72",
                        )
                    continue
                name, aliases = _names(record)
                types = record.get("types") or []
                kind, sectors = kind_from_types(types if isinstance(types, list) else [types], info)
                url = f"https://ror.org/{suffix}"
                data: dict[str, object] = {
                    "id": f"ror:{suffix}",
                    "name": name,
                    "kind": kind,
                    "country": country,
                    "province": province,
                    "city": city,
                    "sectors": list(sectors),
                    "founded": record.get("established"),
                    "aliases": aliases,
                    "website": _website(record),
                    "ror": url,
                    "external_ids": _external_ids(record),
                }
                if country is None:
                    count_code(info, "country_code", None)
                kept.add(suffix)
                yield SourceRow(file, n, "organization", data, source="ror", source_id=url)
                for rel in record.get("relationships") or []:
                    if not isinstance(rel, dict):
                        continue
                    rel_type = str(rel.get("type") or "").lower()
                    other = ror_suffix(rel.get("id"))
                    if rel_type in _LINEAGE:
                        lineage += 1
                        continue
                    if rel_type not in _RELATIONS:
                        count_code(info, "relationships.type", rel_type)
                        continue
                    if other is None or other == suffix:
                        continue
                    pair = (suffix, other) if suffix < other else (other, suffix)
                    if pair not in links:
                        parent = suffix if rel_type == "child" else other if rel_type == "parent" else None
                        links[pair] = (n, rel_type, parent)
        info.skipped = sum(skipped.values())
        ties = 0
        for (a, b), (row, _relation, parent) in links.items():
            if a not in kept or b not in kept:
                continue
            ties += 1
            if parent is None:
                evidence = f"ROR: https://ror.org/{a} related to https://ror.org/{b}"
            else:
                child = b if parent == a else a
                evidence = f"ROR: https://ror.org/{parent} is the parent of https://ror.org/{child}"
            data = {
                "source": f"ror:{a}",
                "target": f"ror:{b}",
                "kind": "other",
                "evidence": evidence,
                "id": f"ror:rel:{a}-{b}",
            }
            yield SourceRow(file, row, "collaboration", data, source="ror", source_id=f"https://ror.org/{a}")
        _notes(path, info, skipped, countries, lineage, ties, len(links) - ties)


def _notes(
    path: Path,
    info: FileInfo,
    skipped: Counter[str],
    countries: frozenset[str] | None,
    lineage: int,
    ties: int,
    outside_links: int,
) -> None:
    parts = []
    if skipped["outside"]:
        parts.append(f"{skipped['outside']:,} records outside {', '.join(sorted(countries or ()))}")
    for status in sorted(s for s in skipped if s != "outside"):
        parts.append(f"{skipped[status]:,} {status} records")
    if parts:
        info.notes.append(f"{path.name}: left out {', '.join(parts)}")
    if ties or outside_links or lineage:
        info.notes.append(
            f"{path.name}: {ties:,} parent/child/related links loaded as ties of kind 'other'"
            + (f"; {outside_links:,} links to organisations not loaded left out" if outside_links else "")
            + (f"; {lineage:,} successor/predecessor links left out" if lineage else "")
        )
    if info.unknown_codes.get("types"):
        codes = ", ".join(sorted(info.unknown_codes["types"]))
        info.notes.append(f"{path.name}: unknown ROR types {codes} loaded as kind 'other'")
    if info.unknown_codes.get("country_code"):
        count = sum(info.unknown_codes["country_code"].values())
        info.notes.append(f"{path.name}: {count:,} records have no location; they count in the home country")


ROR = register(RorLoader())
