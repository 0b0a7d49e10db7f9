"""OpenAlex snapshot files: institutions as organisations, co-authored works as co-publication ties.

The OpenAlex snapshot holds one JSON object a line (``data/institutions/…/part_000``,
``data/works/…/part_000`` once unzipped); the API's single records look the same. A file is
told apart by the id of its first record: ``https://openalex.org/I…`` (institutions) or
``https://openalex.org/W…`` (works). Row numbers are line numbers, the first line being 1.

Institutions
------------
- Organisation id ``openalex:I<n>``; ``name`` ``display_name``; ``aliases`` the acronyms and
  alternative names; ``kind`` from ``type`` as for ROR (:data:`loaders.ror.TYPE_KINDS`:
  education -> university, facility -> research_institute, company -> company, government
  and funder -> government, nonprofit -> support_org, healthcare -> other with sector
  ``healthcare``, archive and other -> other); ``country`` ``country_code``; ``province``
  ``geo.region``; ``city`` ``geo.city``; ``website`` ``homepage_url``; ``ror`` the ROR URL.
- ``ids`` (ROR, GRID, Wikidata, MAG) go into the raw record as ``external_ids`` for entity
  resolution; the model does not store them yet.

Works
-----
Every pair of distinct institutions among a work's authorships is a co-publication; the
pairs are counted per publication year and each (pair, year) becomes one ``co_publication``
tie: ``weight`` the number of joint works that year, ``start`` the year, ``id``
``openalex:cp:<I a>-<I b>:<year>`` (stable, so next year's snapshot updates the count in
place), ``evidence`` the OpenAlex API query that lists those works. A work with more than
``max_institutions`` institutions (default 50: consortium papers with hundreds of
affiliations say nothing about partnerships and add n² ties) and a work without a
publication year are left out, and counted in the notes.

Without a country filter, works files give ties only: the institutions they name must be
loaded from an institutions file (in the same load or before) — a work's dehydrated
institution lacks the city, region, aliases and website, and loading it as an organisation
would overwrite the full record. With a country filter, the institutions file gives that
country's institutions only, so the works file also gives the *foreign* institutions at the
other end of the kept ties, from their dehydrated records (id, name, ROR, country, type):
``ecograph load --country VN institutions.jsonl works.jsonl`` then loads the country's
co-publication network with its foreign partners, not OpenAlex's 100,000 institutions.

Options
-------
country : str
    Institutions: keep those in this country (``VN``; several as ``VN,LA``). Works: keep the
    ties that touch this country (foreign partners included).
max_institutions : int
    Works with more institutions than this are left out (default 50).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from ecograph.problems import Problem
from loaders.base import FileInfo, SourceRow, Terms, register
from loaders.ror import count_code, country_option, kind_from_types
from loaders.text import open_text

__all__ = ["OpenAlexLoader", "openalex_key"]

_FIRST_ID = re.compile(r'"id"\s*:\s*"https://openalex\.org/([IW])\d+"')
_KEY = re.compile(r"(?:https?://openalex\.org/)?([A-Za-z]\d+)", re.IGNORECASE)
_MAX_INSTITUTIONS = 50


def openalex_key(value: object) -> str | None:
    """``I27837315`` from ``https://openalex.org/I27837315`` (or from the bare key).

    Examples
    --------
    >>> openalex_key("https://openalex.org/i27837315"), openalex_key("nonsense")
    ('I27837315', None)
    """
    if not isinstance(value, str):
        return None
    match = _KEY.fullmatch(value.strip())
    return match.group(1).upper() if match else None


def _lines(path: Path, info: FileInfo) -> Iterator[tuple[int, object, str | None]]:
    text, counter = open_text(path, info.encoding)
    info.counter = counter
    with text:
        for n, line in enumerate(text, start=1):
            if not line.strip():
                continue
            info.rows_read += 1
            try:
                yield n, json.loads(line), None
            except json.JSONDecodeError as exc:
                yield n, None, f"line {n} is not valid JSON: {exc.msg} at column {exc.colno}"


class OpenAlexLoader:
    name = "openalex"
    terms = Terms(
        source="openalex",
        name="OpenAlex",
        licence="CC0 1.0",
        licence_url="https://creativecommons.org/publicdomain/zero/1.0/",
        attribution="OpenAlex, https://openalex.org (Priem, Piwowar & Orr 2022, arXiv:2205.01833)",
    )
    resolves = True  # public data: match its organisations to the store's (ecograph.resolution)

    def detect(self, path: Path, head: str) -> bool:
        return head.lstrip("\ufeff \t\r\n").startswith("{") and _FIRST_ID.search(head) is not None

    def read(self, path: Path, info: FileInfo, **options: object) -> Iterator[SourceRow | Problem]:
        countries = country_option(options.get("country"))
        text, _ = open_text(path, info.encoding)
        with text:
            head = text.read(1 << 16)
        match = _FIRST_ID.search(head)
        if match is None:
            yield Problem(
                "unknown-format", str(path), None, None,
                note="not an OpenAlex institutions or works file: its first record has no "
                "https://openalex.org/I… or /W… id",
            )  # fmt: skip
            return
        if match.group(1) == "I":
            info.format = "openalex-institutions"
            yield from self._institutions(path, info, countries)
        else:
            info.format = "openalex-works"
            limit = int(options.get("max_institutions") or _MAX_INSTITUTIONS)  # type: ignore[arg-type]
            yield from self._works(path, info, countries, limit)

    def _institutions(self, path: Path, info: FileInfo, countries) -> Iterator[SourceRow | Problem]:
        file = str(path)
        outside = 0
        for n, record, error in _lines(path, info):
            if error is not None:
                yield Problem("bad-json", file, n, None, note=error)
                continue
            if not isinstance(record, dict):
                yield Problem("bad-json", file, n, None, note=f"line {n} is not a JSON object")
                continue
            key = openalex_key(record.get("id"))
            if key is None or not key.startswith("I"):
                yield Problem(
                    "bad-id", file, n, "id", record.get("id"),
                    note="an OpenAlex institution id such as https://openalex.org/I27837315",
                )  # fmt: skip
                continue
            geo = record.get("geo") if isinstance(record.get("geo"), dict) else {}
            country = record.get("country_code") or geo.get("country_code")
            country = country.strip().upper() if isinstance(country, str) and country.strip() else None
            if countries is not None and country not in countries:
                outside += 1
                continue
            if country is None:
                count_code(info, "country_code", None)
            kind, sectors = kind_from_types([record.get("type") or "other"], info, "type")
            name = record.get("display_name")
            aliases = [
                str(a)
                for a in [
                    *(record.get("display_name_acronyms") or []),
                    *(record.get("display_name_alternatives") or []),
                ]
                if a and a != name
            ]
            ids = record.get("ids") if isinstance(record.get("ids"), dict) else {}
            external = {
                k: [str(v)]
                for k, v in ids.items()
                if v and k not in ("openalex",) and not isinstance(v, dict | list)
            }
            data: dict[str, object] = {
                "id": f"openalex:{key}",
                "name": name,
                "kind": kind,
                "country": country,
                "province": geo.get("region"),
                "city": geo.get("city"),
                "sectors": list(sectors),
                "aliases": list(dict.fromkeys(aliases)),
                "website": record.get("homepage_url"),
                "ror": record.get("ror") or ids.get("ror"),
                "external_ids": external,
            }
            yield SourceRow(
                file, n, "organization", data, source="openalex", source_id=f"https://openalex.org/{key}"
            )
        info.skipped = outside
        if outside:
            info.notes.append(
                f"{path.name}: left out {outside:,} institutions outside {', '.join(sorted(countries))}"
            )
        if info.unknown_codes.get("type"):
            codes = ", ".join(sorted(info.unknown_codes["type"]))
            info.notes.append(f"{path.name}: unknown institution types {codes} loaded as kind 'other'")
        if info.unknown_codes.get("country_code"):
            count = sum(info.unknown_codes["country_code"].values())
            info.notes.append(
                f"{path.name}: {count:,} institutions have no country; they count in the home country"
            )

    def _works(self, path: Path, info: FileInfo, countries, limit: int) -> Iterator[SourceRow | Problem]:
        file = str(path)
        # (I a, I b, year) -> [count, first row]
        pairs: dict[tuple[str, str, int], list[int]] = {}
        # with a country filter: foreign institutions at the end of a kept tie -> (row, dehydrated record)
        partners: dict[str, tuple[int, dict]] = {}
        left_out: Counter[str] = Counter()
        for n, record, error in _lines(path, info):
            if error is not None:
                yield Problem("bad-json", file, n, None, note=error)
                continue
            if not isinstance(record, dict):
                yield Problem("bad-json", file, n, None, note=f"line {n} is not a JSON object")
                continue
            year = record.get("publication_year")
            if not isinstance(year, int) or isinstance(year, bool):
                left_out["no year"] += 1
                continue
            institutions: dict[str, str | None] = {}
            dehydrated: dict[str, dict] = {}
            for authorship in record.get("authorships") or []:
                if not isinstance(authorship, dict):
                    continue
                for inst in authorship.get("institutions") or []:
                    key = openalex_key(inst.get("id")) if isinstance(inst, dict) else None
                    if key is not None and key.startswith("I"):
                        code = inst.get("country_code")
                        institutions.setdefault(key, code.upper() if isinstance(code, str) else None)
                        dehydrated.setdefault(key, inst)
            if len(institutions) < 2:
                left_out["single"] += 1
                continue
            if len(institutions) > limit:
                left_out["large"] += 1
                continue
            keys = sorted(institutions)
            for i, a in enumerate(keys):
                for b in keys[i + 1 :]:
                    if countries is not None and not (
                        institutions[a] in countries or institutions[b] in countries
                    ):
                        left_out["outside"] += 1
                        continue
                    if countries is not None:
                        for end in (a, b):
                            if institutions[end] not in countries and end not in partners:
                                partners[end] = (n, dehydrated[end])
                    seen = pairs.get((a, b, year))
                    if seen is None:
                        pairs[(a, b, year)] = [1, n]
                    else:
                        seen[0] += 1
        for key, (row, inst) in partners.items():
            kind, sectors = kind_from_types([inst.get("type") or "other"], info, "type")
            data: dict[str, object] = {
                "id": f"openalex:{key}",
                "name": inst.get("display_name"),
                "kind": kind,
                "country": _country_of(inst),
                "sectors": list(sectors),
                "ror": inst.get("ror"),
            }
            yield SourceRow(
                file, row, "organization", data, source="openalex", source_id=f"https://openalex.org/{key}"
            )
        for (a, b, year), (count, row) in pairs.items():
            data = {
                "source": f"openalex:{a}",
                "target": f"openalex:{b}",
                "kind": "co_publication",
                "weight": float(count),
                "start": str(year),
                "evidence": f"https://api.openalex.org/works?filter=institutions.id:{a}+{b},publication_year:{year}",
                "id": f"openalex:cp:{a}-{b}:{year}",
            }
            yield SourceRow(file, row, "collaboration", data, source="openalex", source_id=f"{a}-{b}:{year}")
        info.skipped = left_out["no year"] + left_out["single"] + left_out["large"]
        parts = []
        if left_out["single"]:
            parts.append(f"{left_out['single']:,} works with fewer than two institutions")
        if left_out["large"]:
            parts.append(f"{left_out['large']:,} works with more than {limit} institutions")
        if left_out["no year"]:
            parts.append(f"{left_out['no year']:,} works without a publication year")
        if left_out["outside"]:
            parts.append(f"{left_out['outside']:,} institution pairs outside {', '.join(sorted(countries))}")
        if parts:
            info.notes.append(f"{path.name}: left out {', '.join(parts)}")
        if partners:
            info.notes.append(
                f"{path.name}: {len(partners):,} foreign partner institutions loaded from the works' "
                "short institution records (no city, region or website)"
            )


def _country_of(inst: dict) -> str | None:
    code = inst.get("country_code")
    return code.strip().upper() if isinstance(code, str) and code.strip() else None


OPENALEX = register(OpenAlexLoader())
