"""Crunchbase CSV exports: organisations (companies, investors, schools) and investments as ties.

Three files of a Crunchbase bulk export (or any export with the same content under other
column names — see ``crunchbase_mapping.json``):

Header names match without case, and spaces, hyphens and underscores are alike
(``founded_date`` finds ``Founded Date``).

- ``organizations.csv`` — ``uuid``, ``name``, ``roles`` (``company,investor``),
  ``primary_role``, ``country_code`` (ISO alpha-3, ``VNM``), ``region``, ``city``,
  ``homepage_url``, ``founded_on``, ``status``, ``category_list``, ``updated_at``, …
- ``funding_rounds.csv`` — ``uuid``, ``org_uuid`` (the investee), ``announced_on``,
  ``raised_amount_usd``, ``raised_amount``, ``raised_amount_currency_code``, …
- ``investments.csv`` — one row per investor per round: ``uuid``, ``funding_round_uuid``,
  ``investor_uuid``, ``investor_type``, ``is_lead_investor``.

Ties come from ``investments.csv``, with each round's investee, date and amount joined in
from ``funding_rounds.csv`` — the ``funding_rounds`` option, else the CSV file beside
``investments.csv`` whose header is a funding-rounds header. Given alone,
``funding_rounds.csv`` yields nothing and says so.

Row numbers are physical lines: the header is line 1, the first record 2.

What becomes what
-----------------
- Organisation id ``cb:<uuid>`` (``cb:<permalink>`` when the export has no uuid column).
- ``kind`` from ``primary_role``, else the first of ``role_priority`` in ``roles``: school ->
  university, investor -> investor, company -> startup or company. A company is a
  **startup** when it is not closed, acquired or public (``closed_status``) and was founded
  at most ``startup_max_age`` (10) years before the record's ``updated_at`` (the date
  Crunchbase describes it at, so reloading a file gives the same kinds whatever today's
  date; the ``as_of`` option sets another year); with no founding date, a company that has
  raised a funding round is a startup, else a company.
- ``country`` from the alpha-3 (or alpha-2) code; ``province`` ``region``; ``sectors`` from
  ``category_list`` through ``sector_tags`` (``Artificial Intelligence`` -> ``ai``), other
  categories as slugs (``Data and Analytics`` -> ``data-and-analytics``); ``aliases``
  ``legal_name`` and ``alias1..3``; ``description`` ``short_description``. An organisation
  with a country code that maps to no ISO country is left out (``unknown_codes``); one with
  no country at all loads in the home country, with a note.
- Each investment by an organisation is an ``investment`` tie investor -> investee:
  ``start`` the round's ``announced_on``, ``amount`` the round's amount split evenly over
  its investors (Crunchbase does not say who paid what; an even split keeps sums over ties
  equal to the money raised), in USD when ``raised_amount_usd`` is given, else in the
  round's currency; ``evidence`` ``cb:funding_round:<uuid>``; ``id`` ``cb:inv:<uuid>`` (the
  investment's own uuid, stable across exports). Investments by people are left out and
  counted: ecograph maps organisations.

Options
-------
mapping : path
    A JSON file like ``crunchbase_mapping.json`` with other column names.
country : str
    Organisations: keep those in this country plus every investor wherever it is (so that
    foreign investors in the country's startups load). Investments: keep those in rounds
    of a company in this country.
funding_rounds : path
    The ``funding_rounds.csv`` to join, when it is not beside ``investments.csv``.
as_of : int
    The year startup age is counted at (default: each record's ``updated_at``).
"""

from __future__ import annotations

import datetime as _dt
import json
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from ecograph.countries import COUNTRY_CODES
from ecograph.errors import InputUnavailable, UsageError
from ecograph.problems import Problem
from loaders.base import FileInfo, SourceRow, Terms, ragged_row, register
from loaders.cordis import _csv_rows, _date, find_companion, header_names, parse_decimal
from loaders.ror import count_code, country_option
from loaders.text import examine

__all__ = ["ALPHA3", "DEFAULT_MAPPING", "CrunchbaseLoader", "Mapping", "country_code"]

DEFAULT_MAPPING = Path(__file__).with_name("crunchbase_mapping.json")
_SECTIONS = ("investments", "funding_rounds", "organizations")
_SLUG = re.compile(r"[^a-z0-9+.]+")
_SEPARATORS = re.compile(r"[\s_-]+")

# ISO 3166-1 alpha-3 -> alpha-2 (from Debian iso-codes), plus retired codes still met in exports.
ALPHA3: dict[str, str] = {
    entry[:3]: entry[3:]
    for entry in """
    ABWAW AFGAF AGOAO AIAAI ALAAX ALBAL ANDAD AREAE ARGAR ARMAM ASMAS ATAAQ ATFTF ATGAG AUSAU AUTAT
    AZEAZ BDIBI BELBE BENBJ BESBQ BFABF BGDBD BGRBG BHRBH BHSBS BIHBA BLMBL BLRBY BLZBZ BMUBM BOLBO
    BRABR BRBBB BRNBN BTNBT BVTBV BWABW CAFCF CANCA CCKCC CHECH CHLCL CHNCN CIVCI CMRCM CODCD COGCG
    COKCK COLCO COMKM CPVCV CRICR CUBCU CUWCW CXRCX CYMKY CYPCY CZECZ DEUDE DJIDJ DMADM DNKDK DOMDO
    DZADZ ECUEC EGYEG ERIER ESHEH ESPES ESTEE ETHET FINFI FJIFJ FLKFK FRAFR FROFO FSMFM GABGA GBRGB
    GEOGE GGYGG GHAGH GIBGI GINGN GLPGP GMBGM GNBGW GNQGQ GRCGR GRDGD GRLGL GTMGT GUFGF GUMGU GUYGY
    HKGHK HMDHM HNDHN HRVHR HTIHT HUNHU IDNID IMNIM INDIN IOTIO IRLIE IRNIR IRQIQ ISLIS ISRIL ITAIT
    JAMJM JEYJE JORJO JPNJP KAZKZ KENKE KGZKG KHMKH KIRKI KNAKN KORKR KWTKW LAOLA LBNLB LBRLR LBYLY
    LCALC LIELI LKALK LSOLS LTULT LUXLU LVALV MACMO MAFMF MARMA MCOMC MDAMD MDGMG MDVMV MEXMX MHLMH
    MKDMK MLIML MLTMT MMRMM MNEME MNGMN MNPMP MOZMZ MRTMR MSRMS MTQMQ MUSMU MWIMW MYSMY MYTYT NAMNA
    NCLNC NERNE NFKNF NGANG NICNI NIUNU NLDNL NORNO NPLNP NRUNR NZLNZ OMNOM PAKPK PANPA PCNPN PERPE
    PHLPH PLWPW PNGPG POLPL PRIPR PRKKP PRTPT PRYPY PSEPS PYFPF QATQA REURE ROURO RUSRU RWARW SAUSA
    SDNSD SENSN SGPSG SGSGS SHNSH SJMSJ SLBSB SLESL SLVSV SMRSM SOMSO SPMPM SRBRS SSDSS STPST SURSR
    SVKSK SVNSI SWESE SWZSZ SXMSX SYCSC SYRSY TCATC TCDTD TGOTG THATH TJKTJ TKLTK TKMTM TLSTL TONTO
    TTOTT TUNTN TURTR TUVTV TWNTW TZATZ UGAUG UKRUA UMIUM URYUY USAUS UZBUZ VATVA VCTVC VENVE VGBVG
    VIRVI VNMVN VUTVU WLFWF WSMWS YEMYE ZAFZA ZMBZM ZWEZW ROMRO ZARCD TMPTL
    """.split()  # noqa: SIM905 - a block of codes reads better than 252 quoted strings
}


def country_code(value: str) -> str | None:
    """An ISO alpha-2 code from an alpha-3 or alpha-2 one; None if it maps to none.

    Examples
    --------
    >>> country_code("VNM"), country_code("sg"), country_code("XYZ")
    ('VN', 'SG', None)
    """
    code = value.strip().upper()
    if len(code) == 3:
        return ALPHA3.get(code)
    return code if code in COUNTRY_CODES else None


class Mapping:
    """A column mapping: for each section, field -> the first header name present."""

    def __init__(self, path: Path = DEFAULT_MAPPING):
        try:
            self.raw = json.loads(Path(path).read_text(encoding="utf-8"))
        except OSError as exc:
            raise InputUnavailable(
                f"cannot read the Crunchbase mapping {path}: {exc.strerror or exc}"
            ) from None
        except json.JSONDecodeError as exc:
            raise UsageError(
                f"the Crunchbase mapping {path} is not valid JSON: {exc.msg} at line {exc.lineno}"
            ) from None
        self.path = Path(path)
        for section in _SECTIONS:
            if not isinstance(self.raw.get(section, {}).get("columns"), dict):
                raise UsageError(f"the Crunchbase mapping {path} has no '{section}.columns' object")

    def resolve(self, section: str, header: list[str]) -> dict[str, list[int]]:
        """Field -> the indexes of its columns that *header* has, in the mapping's order.

        Names match without case, and spaces, hyphens and underscores are alike, so
        ``founded_date`` finds a ``Founded Date`` column.
        """
        index: dict[str, int] = {}
        for i, name in enumerate(header):
            index.setdefault(_column_key(name), i)
        out: dict[str, list[int]] = {}
        for field, names in self.raw[section]["columns"].items():
            candidates = [names] if isinstance(names, str) else names
            found = [index[_column_key(n)] for n in candidates if _column_key(n) in index]
            if found:
                out[field] = list(dict.fromkeys(found))
        return out

    def section_of(self, header: list[str]) -> str | None:
        """Which file *header* belongs to: investments, funding_rounds or organizations."""
        for section in _SECTIONS:
            found = self.resolve(section, header)
            if all(f in found for f in self.raw[section].get("required", ())):
                return section
        return None

    def get(self, key: str, default):
        return self.raw.get(key, default)


def _column_key(name: str) -> str:
    return _SEPARATORS.sub("_", name.strip().lower())


_DEFAULT: Mapping | None = None


def _mapping(option: object) -> Mapping:
    global _DEFAULT
    if option:
        return Mapping(Path(str(option)))
    if _DEFAULT is None:
        _DEFAULT = Mapping()
    return _DEFAULT


def _first(values: list[str], cols: dict[str, list[int]], field: str) -> str:
    """The first non-empty value among *field*'s columns."""
    for i in cols.get(field, ()):
        value = values[i].strip()
        if value:
            return value
    return ""


def _all(values: list[str], cols: dict[str, list[int]], field: str) -> list[str]:
    return [v for v in (values[i].strip() for i in cols.get(field, ())) if v]


def _year(value: str) -> int | None:
    match = re.match(r"\s*(\d{4})", value or "")
    return int(match.group(1)) if match else None


class CrunchbaseLoader:
    name = "crunchbase"
    terms = Terms(
        source="crunchbase",
        name="Crunchbase",
        licence="Crunchbase data licence (not open data: the steward's own agreement with Crunchbase)",
        licence_url="https://about.crunchbase.com/terms-of-service/",
        attribution="Data from Crunchbase, https://www.crunchbase.com",
    )
    resolves = True  # public data: match its organisations to the store's (ecograph.resolution)

    def detect(self, path: Path, head: str) -> bool:
        line = head.lstrip("\ufeff").split("\n", 1)[0]
        return _mapping(None).section_of(header_names(line)[0]) is not None

    def read(self, path: Path, info: FileInfo, **options: object) -> Iterator[SourceRow | Problem]:
        mapping = _mapping(options.get("mapping"))
        countries = country_option(options.get("country"))
        rows = _csv_rows(path, info.encoding, info)
        _, header, _ = next(rows)
        section = mapping.section_of(header)
        if section is None:
            rows.close()
            yield Problem(
                "missing-column", str(path), 1, "uuid",
                note=f"the columns of a Crunchbase organizations, funding_rounds or investments export "
                f"(see {mapping.path.name})",
            )  # fmt: skip
            return
        info.format = f"crunchbase-{section.replace('_', '-')}"
        if section == "funding_rounds":
            info.rows_read = sum(1 for _ in rows)
            info.notes.append(
                f"{path.name}: Crunchbase funding rounds give no records by themselves; they are joined "
                "into the ties read from investments.csv beside it"
            )
            return
        cols = mapping.resolve(section, header)
        if section == "organizations":
            yield from self._organizations(path, info, rows, len(header), cols, mapping, countries, options)
        else:
            yield from self._investments(path, info, rows, len(header), cols, mapping, countries, options)

    # -- organizations.csv -----------------------------------------------------------------

    def _organizations(self, path, info, rows, width, cols, mapping, countries, options):
        file = str(path)
        role_kinds = {k.lower(): v for k, v in mapping.get("role_kinds", {}).items()}
        priority = [r.lower() for r in mapping.get("role_priority", list(role_kinds))]
        closed = {s.lower() for s in mapping.get("closed_status", [])}
        max_age = int(mapping.get("startup_max_age", 10))
        tags = {k.lower(): v for k, v in mapping.get("sector_tags", {}).items()}
        as_of = _year(str(options.get("as_of") or ""))
        this_year = _dt.date.today().year
        left_out: Counter[str] = Counter()
        no_country = 0

        for row, _, values in rows:
            info.rows_read += 1
            if len(values) != width:
                yield ragged_row(file, row, len(values), width)
                continue

            def get(field: str, values=values) -> str:
                return _first(values, cols, field)

            roles = [r.strip().lower() for r in re.split(r"[,|;]", get("roles")) if r.strip()]
            primary = get("primary_role").lower()
            role = primary if primary in role_kinds else next((r for r in priority if r in roles), None)
            if role is None:
                count_code(info, "roles", get("roles"))
                role = "company"
            kind = role_kinds.get(role, "other")
            founded = _year(get("founded"))
            if kind == "company":
                status = get("status").lower()
                reference = as_of or _year(get("updated")) or this_year
                if status in closed:
                    kind = "company"
                elif founded is not None:
                    kind = "startup" if reference - founded <= max_age else "company"
                else:
                    kind = "startup" if (parse_decimal(get("funding_rounds")) or 0) > 0 else "company"
            raw_country = get("country")
            country = country_code(raw_country) if raw_country else None
            if raw_country and country is None:
                count_code(info, "country_code", raw_country)
                left_out["country"] += 1
                continue
            if countries is not None and country not in countries and "investor" not in [*roles, role]:
                left_out["outside"] += 1
                continue
            if country is None:
                no_country += 1
            sectors = []
            for category in re.split(r"[,|]", get("sectors")):
                category = category.strip().lower()
                if category:
                    sectors.append(tags.get(category) or _SLUG.sub("-", category).strip("-"))
            aliases = _all(values, cols, "aliases")
            name = get("name")
            external: dict[str, list[str]] = {}
            for key in ("permalink", "domain"):
                if get(key):
                    external[f"crunchbase_{key}"] = [get(key)]
            data: dict[str, object] = {
                "id": f"cb:{get('id')}" if get("id") else "",
                "name": name,
                "kind": kind,
                "country": country,
                "province": get("province") or None,
                "city": get("city") or None,
                "sectors": [s for s in dict.fromkeys(sectors) if s],
                "founded": founded,
                "aliases": [a for a in dict.fromkeys(aliases) if a != name],
                "website": get("website") or None,
                "description": get("description") or None,
                "external_ids": external,
            }
            yield SourceRow(file, row, "organization", data, source="crunchbase", source_id=get("id"))
        info.skipped = sum(left_out.values())
        if left_out["country"]:
            codes = ", ".join(sorted(info.unknown_codes.get("country_code", {})))
            info.notes.append(
                f"{path.name}: left out {left_out['country']:,} organisations whose country code ({codes}) "
                "is no ISO country"
            )
        if left_out["outside"]:
            info.notes.append(
                f"{path.name}: left out {left_out['outside']:,} organisations outside "
                f"{', '.join(sorted(countries))} that are not investors"
            )
        if no_country:
            info.notes.append(
                f"{path.name}: {no_country:,} organisations have no country; they count in the home country"
            )

    # -- investments.csv -------------------------------------------------------------------

    def _investments(self, path, info, rows, width, cols, mapping, countries, options):
        file = str(path)
        companion = find_companion(
            path,
            lambda h: mapping.section_of(sorted(h)) == "funding_rounds",
            options.get("funding_rounds"),
            prefer="funding_rounds.csv",
        )
        rounds = self._rounds(companion, mapping) if companion else {}
        if companion is None:
            info.notes.append(
                f"{path.name}: no Crunchbase funding_rounds.csv beside it, so no investee is known; "
                "give it with the funding_rounds option"
            )
        persons = {p.lower() for p in mapping.get("person_investor_types", ["person"])}
        kept: list[tuple[int, str, str, str]] = []  # row, investment id, round, investor
        per_round: Counter[str] = Counter()
        left_out: Counter[str] = Counter()
        for row, _, values in rows:
            info.rows_read += 1
            if len(values) != width:
                yield ragged_row(file, row, len(values), width)
                continue

            def get(field: str, values=values) -> str:
                return _first(values, cols, field)

            round_id, investor = get("round"), get("investor")
            if not round_id or not investor:
                field = "funding_round_uuid" if not round_id else "investor_uuid"
                yield Problem("missing-field", file, row, field, note="the funding round and the investor")
                continue
            per_round[round_id] += 1
            if get("investor_type").lower() in persons:
                left_out["person"] += 1
                continue
            kept.append((row, get("id"), round_id, investor))
        for row, inv_id, round_id, investor in kept:
            facts = rounds.get(round_id)
            if facts is None:
                left_out["no round"] += 1
                continue
            investee, start, amount, currency, round_country = facts
            if countries is not None and round_country is not None and round_country not in countries:
                left_out["outside"] += 1
                continue
            share = round(amount / per_round[round_id], 2) if amount is not None else None
            data = {
                "source": f"cb:{investor}",
                "target": f"cb:{investee}",
                "kind": "investment",
                "start": start,
                "amount": share,
                "currency": currency if share is not None else None,
                "evidence": f"cb:funding_round:{round_id}",
                "id": f"cb:inv:{inv_id}" if inv_id else f"cb:inv:{round_id}:{investor}",
            }
            yield SourceRow(file, row, "collaboration", data, source="crunchbase", source_id=inv_id or None)
        info.skipped = sum(left_out.values())
        parts = []
        if left_out["person"]:
            parts.append(f"{left_out['person']:,} investments by people")
        if left_out["no round"] and companion is not None:
            parts.append(f"{left_out['no round']:,} investments in rounds not in {companion.name}")
        elif left_out["no round"]:
            parts.append(f"{left_out['no round']:,} investments whose round is unknown")
        if left_out["outside"]:
            parts.append(
                f"{left_out['outside']:,} investments in companies outside {', '.join(sorted(countries))}"
            )
        if parts:
            info.notes.append(f"{path.name}: left out {', '.join(parts)}")

    @staticmethod
    def _rounds(
        path: Path, mapping: Mapping
    ) -> dict[str, tuple[str, str | None, float | None, str | None, str | None]]:
        """Round id -> (investee, date, amount, currency, investee's country)."""
        out = {}
        rows = _csv_rows(path, examine(path).encoding)
        _, header, _ = next(rows)
        cols = mapping.resolve("funding_rounds", header)
        for _, _, values in rows:
            if len(values) != len(header):
                continue

            def get(field: str, values=values) -> str:
                return _first(values, cols, field)

            usd = parse_decimal(get("amount_usd"))
            if usd is not None:
                amount, currency = usd, "USD"
            else:
                amount = parse_decimal(get("amount"))
                currency = get("currency").upper() or None
                if currency is None:
                    amount = None
            raw_country = get("country")
            out[get("id")] = (
                get("investee"),
                _date(get("announced")),
                amount,
                currency,
                country_code(raw_country) if raw_country else None,
            )
        return out


CRUNCHBASE = register(CrunchbaseLoader())
