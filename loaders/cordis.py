"""CORDIS project data (EU framework programmes): participants as organisations, consortia as ties.

CORDIS publishes each programme (Horizon Europe, H2020, FP7) as a set of semicolon-delimited,
quoted CSV files; two matter here:

- ``organization.csv`` — one row per participation: ``projectID``, ``organisationID`` (the
  PIC), ``name``, ``shortName``, ``activityType``, ``city``, ``country``,
  ``organizationURL``, ``vatNumber``, ``role``, ``ecContribution``, ``contentUpdateDate``, …
  (older H2020 releases call the organisation column ``id``; both are read);
- ``project.csv`` — one row per project: ``id``, ``acronym``, ``startDate``, ``endDate``,
  ``ecMaxContribution``, ``frameworkProgramme``, …

Organisations and ties come from ``organization.csv``; each project's dates and EU
contribution are joined in from ``project.csv``, which is looked for as the ``projects``
option, else beside ``organization.csv`` (a CSV file in the same folder with a project
header, ``project.csv`` first). Given alone, ``project.csv`` yields nothing and says so. So
``ecograph load project.csv organization.csv`` works in either order, as published.

Row numbers are physical lines: the header is line 1, the first participation row 2.

What becomes what
-----------------
- Organisation id ``cordis:<organisationID>``; ``activityType`` HES -> university, REC ->
  research_institute, PRC -> company (CORDIS cannot tell a startup from an SME), PUB ->
  government, OTH -> other; country codes EL -> GR and UK -> GB (CORDIS uses the EU's
  codes). A participant whose country is no ISO code (``XK``) is left out, counted in
  ``unknown_codes["country"]``. An organisation takes the values of its most recently
  updated participation row (``contentUpdateDate``, then the later row).
- Every pair of distinct organisations in a project becomes one ``joint_project`` tie:
  ``id`` ``cordis:<project>:<pic a>-<pic b>`` (PICs sorted), so a later release updates the
  tie instead of adding another; ``start``/``end`` the project's dates; ``evidence``
  ``cordis:project:<id>``.
- ``weight`` = 1/(n-1) for a project of n participants: each participant's ties from one
  project add up to 1, so a 60-partner consortium does not outweigh a bilateral project
  sixty times over, and strength still counts projects.
- ``amount`` = the project's ``ecMaxContribution`` / (n(n-1)/2), currency EUR: the EU
  funding split evenly over the project's pairs, so summing ``amount`` over any set of ties
  never counts a euro twice (the total over a project's ties is its EU contribution).

Options
-------
country : str
    Keep the projects with a participant in this country (``VN``; several as ``VN,LA``):
    their ties that touch it, and the organisations at either end (foreign partners
    included) plus every participant from that country.
projects : path
    The ``project.csv`` to join, when it is not beside ``organization.csv``.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from ecograph.countries import COUNTRY_CODES
from ecograph.errors import InputUnavailable
from ecograph.problems import Problem
from loaders.archive import siblings
from loaders.base import FileInfo, SourceRow, Terms, ragged_row, register
from loaders.ror import count_code, country_option
from loaders.text import examine, open_binary, open_text

__all__ = ["ACTIVITY_KINDS", "CordisLoader", "find_companion", "header_names", "parse_decimal"]

ACTIVITY_KINDS: dict[str, str] = {
    "HES": "university",
    "REC": "research_institute",
    "PRC": "company",
    "PUB": "government",
    "OTH": "other",
}
COUNTRY_FIXES: dict[str, str] = {"EL": "GR", "UK": "GB"}
_ORG_HEADER = {"projectid", "activitytype", "name"}
_PROJECT_HEADER = {"id", "acronym", "startdate", "ecmaxcontribution"}
_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_DMY = re.compile(r"(\d{2})/(\d{2})/(\d{4})")
csv.field_size_limit(1 << 24)


def header_names(line: str) -> tuple[list[str], str]:
    """The lower-cased column names of a header line and its delimiter (``;``, ``,`` or tab)."""
    line = line.lstrip("\ufeff").rstrip("\r\n")
    counts = {d: line.count(d) for d in (";", ",", "\t")}
    delimiter = max(counts, key=lambda d: (counts[d], d == ","))
    row = next(csv.reader([line], delimiter=delimiter), [])
    return [name.strip().lstrip("\ufeff").strip().lower() for name in row], delimiter


def parse_decimal(value: object) -> float | None:
    """A number as CORDIS and spreadsheets write it: ``1234567,5``, ``1234567.5``, ``1.234.567,50``.

    Examples
    --------
    >>> parse_decimal("2499937,5"), parse_decimal("1.234.567,50"), parse_decimal("1,234,567.5"), parse_decimal("")
    (2499937.5, 1234567.5, 1234567.5, None)
    """
    if value is None:
        return None
    text = str(value).strip().replace(" ", "").replace("\u00a0", "")
    if not text:
        return None
    if "," in text and "." in text:
        if text.rfind(",") > text.rfind("."):
            text = text.replace(".", "").replace(",", ".")
        else:
            text = text.replace(",", "")
    elif text.count(",") == 1:
        text = text.replace(",", ".")
    elif "," in text:
        text = text.replace(",", "")
    try:
        return float(text)
    except ValueError:
        return None


def _date(value: str | None) -> str | None:
    if not value:
        return None
    value = value.strip()
    match = _DATE.match(value)
    if match:
        return match.group(0)
    match = _DMY.match(value)
    if match:
        return f"{match.group(3)}-{match.group(2)}-{match.group(1)}"
    return None


def find_companion(path: Path, wanted, explicit: object = None, prefer: str = "") -> Path | None:
    """The companion file of *path*: *explicit* if given, else a CSV file beside it (in its
    folder, or in its zip) whose header satisfies ``wanted(header_names)``, the one named
    *prefer* first."""
    if explicit:
        companion = Path(str(explicit))
        if not companion.is_file():
            raise InputUnavailable(f"cannot read {companion}: no such file")
        return companion
    candidates = sorted(siblings(path, "*.csv"), key=lambda p: (p.name.lower() != prefer, p.name))
    for candidate in candidates:
        try:
            with open_binary(candidate) as fh:
                first = fh.readline().decode("utf-8-sig", errors="replace")
        except OSError:
            continue
        if wanted(set(header_names(first)[0])):
            return candidate
    return None


def _csv_rows(path: Path, encoding: str, info: FileInfo | None = None):
    """``(row number, header, values)`` of a delimited file; the header is row 1."""
    text, counter = open_text(path, encoding)
    if info is not None:
        info.counter = counter
    with text:
        header, delimiter = header_names(text.readline())
        if info is not None:
            info.delimiter = delimiter
        reader = csv.reader(text, delimiter=delimiter)
        consumed = 0
        yield 1, header, None
        for values in reader:
            row = consumed + 2
            consumed = reader.line_num
            if not values or (len(values) == 1 and not values[0].strip()):
                continue
            yield row, header, values


class _Projects:
    """Facts of each project from ``project.csv``: dates, EU contribution, acronym."""

    def __init__(self) -> None:
        self.facts: dict[str, tuple[str | None, str | None, float | None]] = {}
        self.source: Path | None = None

    @classmethod
    def read(cls, path: Path) -> _Projects:
        projects = cls()
        projects.source = path
        encoding = examine(path).encoding
        col: dict[str, int] = {}
        for _row, header, values in _csv_rows(path, encoding):
            if values is None:
                col = {name: i for i, name in enumerate(header)}
                continue
            if len(values) != len(header):
                continue
            pid = values[col["id"]].strip()
            start = _date(values[col["startdate"]]) if "startdate" in col else None
            end = _date(values[col["enddate"]]) if "enddate" in col else None
            amount = parse_decimal(values[col["ecmaxcontribution"]]) if "ecmaxcontribution" in col else None
            if start and end and end < start:
                end = None
            projects.facts[pid] = (start, end, amount)
        return projects


class CordisLoader:
    name = "cordis"
    terms = Terms(
        source="cordis",
        name="CORDIS",
        licence="CC BY 4.0",
        licence_url="https://creativecommons.org/licenses/by/4.0/",
        attribution="© European Union, CORDIS — EU research projects, https://cordis.europa.eu "
        "(reuse under Commission Decision 2011/833/EU)",
    )
    resolves = True  # public data: match its organisations to the store's (ecograph.resolution)

    def detect(self, path: Path, head: str) -> bool:
        line = head.lstrip("\ufeff").split("\n", 1)[0]
        names = set(header_names(line)[0])
        return self._is_orgs(names) or names >= _PROJECT_HEADER

    @staticmethod
    def _is_orgs(names: set[str]) -> bool:
        return names >= _ORG_HEADER and ("organisationid" in names or "id" in names)

    def read(self, path: Path, info: FileInfo, **options: object) -> Iterator[SourceRow | Problem]:
        countries = country_option(options.get("country"))
        rows = _csv_rows(path, info.encoding, info)
        _, header, _ = next(rows)
        names = set(header)
        if not self._is_orgs(names):
            if names >= _PROJECT_HEADER:
                info.format = "cordis-projects"
                info.rows_read = sum(1 for _ in rows)
                rows.close()
                info.notes.append(
                    f"{path.name}: CORDIS projects give no organisations by themselves; their dates and "
                    "EU contributions are joined into the ties read from organization.csv beside it"
                )
                return
            rows.close()
            yield Problem(
                "missing-column", str(path), 1, "projectID",
                note="a CORDIS organization.csv (projectID;organisationID;name;activityType;…) or project.csv",
            )  # fmt: skip
            return
        info.format = "cordis-organizations"
        companion = find_companion(
            path, lambda h: h >= _PROJECT_HEADER, options.get("projects"), prefer="project.csv"
        )
        projects = _Projects.read(companion) if companion else _Projects()
        if companion is None:
            info.notes.append(
                f"{path.name}: no CORDIS project.csv beside it; ties carry no dates or amounts "
                "(give it with the projects option)"
            )
        yield from self._organizations(path, info, rows, header, projects, countries)

    def _organizations(self, path, info, rows, header, projects: _Projects, countries):
        file = str(path)
        col = {name: i for i, name in enumerate(header)}
        org_col = col.get("organisationid", col.get("id"))
        width = len(header)

        def get(values: list[str], name: str) -> str:
            i = col.get(name)
            return values[i].strip() if i is not None else ""

        # organisation id -> (update stamp, row, data); members: project -> {org id: row}
        orgs: dict[str, tuple[str, int, dict[str, object]]] = {}
        members: dict[str, dict[str, int]] = {}
        left_out: Counter[str] = Counter()
        for row, _, values in rows:
            info.rows_read += 1
            if len(values) != width:
                yield ragged_row(file, row, len(values), width)
                continue
            pid, pic = get(values, "projectid"), values[org_col].strip()
            if not pid or not pic:
                yield Problem(
                    "missing-field", file, row, "projectID" if not pid else "organisationID",
                    note="the project and organisation ids of a participation",
                )  # fmt: skip
                continue
            members.setdefault(pid, {}).setdefault(pic, row)
            raw_country = get(values, "country").upper()
            country = COUNTRY_FIXES.get(raw_country, raw_country)
            if country not in COUNTRY_CODES:
                count_code(info, "country", raw_country)
                left_out["country"] += 1
                continue
            stamp = get(values, "contentupdatedate")
            seen = orgs.get(pic)
            if seen is not None and seen[0] > stamp:
                continue
            code = get(values, "activitytype").upper()
            kind = ACTIVITY_KINDS.get(code)
            if kind is None:
                count_code(info, "activityType", code)
                kind = "other"
            name, short = get(values, "name"), get(values, "shortname")
            external = {"pic": [pic]}
            if get(values, "vatnumber"):
                external["vat"] = [get(values, "vatnumber")]
            data: dict[str, object] = {
                "id": f"cordis:{pic}",
                "name": name or short,
                "kind": kind,
                "country": country,
                "city": get(values, "city") or None,
                "aliases": [short] if short and short != name else [],
                "website": get(values, "organizationurl") or get(values, "organisationurl") or None,
                "external_ids": external,
            }
            orgs[pic] = (stamp, row, data)

        # which organisations and pairs to keep
        def home(pic: str) -> bool:
            return countries is None or (pic in orgs and orgs[pic][2]["country"] in countries)

        wanted: set[str] = {pic for pic in orgs if countries is None or home(pic)}
        pairs_out = 0
        ties: list[tuple[str, int, list[str], list[int]]] = []
        for pid, parts in members.items():
            n = len(parts)
            valid = sorted(p for p in parts if p in orgs)
            if n < 2 or len(valid) < 2:
                continue
            if countries is not None and not any(home(p) for p in valid):
                continue
            ties.append((pid, n, valid, [parts[p] for p in valid]))
            # every participant of a kept project has a tie to one from the country
            wanted.update(valid)

        for pic in sorted(wanted, key=lambda p: orgs[p][1]):
            _, row, data = orgs[pic]
            yield SourceRow(file, row, "organization", data, source="cordis", source_id=pic)

        missing_facts = 0
        # one string object per organisation id and per project, shared by all their ties
        ids = {pic: f"cordis:{pic}" for pic in wanted}
        for pid, n, valid, rows_of in ties:
            facts = projects.facts.get(pid)
            if facts is None:
                missing_facts += 1
                start = end = amount = None
            else:
                start, end, amount = facts
            weight = 1.0 / (n - 1)
            share = round(amount / (n * (n - 1) / 2), 2) if amount is not None else None
            currency = "EUR" if share is not None else None
            evidence = f"cordis:project:{pid}"
            for i, a in enumerate(valid):
                for j in range(i + 1, len(valid)):
                    b = valid[j]
                    if countries is not None and not (home(a) or home(b)):
                        pairs_out += 1
                        continue
                    data = {
                        "source": ids[a],
                        "target": ids[b],
                        "kind": "joint_project",
                        "weight": weight,
                        "start": start,
                        "end": end,
                        "amount": share,
                        "currency": currency,
                        "evidence": evidence,
                        "id": f"cordis:{pid}:{a}-{b}",
                    }
                    row = max(rows_of[i], rows_of[j])
                    yield SourceRow(file, row, "collaboration", data, source="cordis", source_id=pid)

        info.skipped = left_out["country"] + (len(orgs) - len(wanted))
        if left_out["country"]:
            codes = ", ".join(sorted(info.unknown_codes.get("country", {})))
            info.notes.append(
                f"{path.name}: left out {left_out['country']:,} participations in countries with no "
                f"ISO code ({codes}) and their ties"
            )
        if countries is not None:
            info.notes.append(
                f"{path.name}: kept {len(ties):,} projects with a participant in "
                f"{', '.join(sorted(countries))}; left out {len(orgs) - len(wanted):,} organisations and "
                f"{pairs_out:,} ties outside it"
            )
        if info.unknown_codes.get("activityType"):
            codes = ", ".join(sorted(info.unknown_codes["activityType"]))
            info.notes.append(f"{path.name}: unknown activityType {codes} loaded as kind 'other'")
        if missing_facts and projects.source is not None:
            info.notes.append(
                f"{path.name}: {missing_facts:,} projects are not in {projects.source.name}; "
                "their ties carry no dates or amounts"
            )


CORDIS = register(CordisLoader())
