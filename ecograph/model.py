"""The data model: organisations and collaborations, their closed vocabularies and validation.

Parsing takes a raw mapping (strings from a CSV row, or typed values from a JSON object)
and returns a record, or the list of field problems that stop it from being one.
"""

from __future__ import annotations

import datetime as _dt
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import NamedTuple

from ecograph.countries import COUNTRY_CODES

__all__ = [
    "CATEGORIES",
    "COLLABORATION_FIELDS",
    "DIRECTED_TIE_KINDS",
    "ORGANIZATION_FIELDS",
    "ORG_KINDS",
    "TIE_KINDS",
    "Collaboration",
    "FieldProblem",
    "Organization",
    "category",
    "parse_collaboration",
    "parse_organization",
    "tie_key",
]

ORG_KINDS: tuple[str, ...] = (
    "startup",
    "company",
    "university",
    "research_institute",
    "investor",
    "government",
    "support_org",
    "other",
)
TIE_KINDS: tuple[str, ...] = (
    "research",
    "co_publication",
    "joint_project",
    "investment",
    "mou",
    "spin_off",
    "incubation",
    "licensing",
    "training",
    "other",
)
# Ties that flow one way (investor -> investee, parent -> spin-off); all others are mutual.
DIRECTED_TIE_KINDS: frozenset[str] = frozenset({"investment", "spin_off"})
FOREIGN_PARTNER = "foreign_partner"
# The groups planners think in: foreign partners first, then each kind of home organisation.
CATEGORIES: tuple[str, ...] = (FOREIGN_PARTNER, *ORG_KINDS)

_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
_DATE = re.compile(r"(\d{4})(?:-(\d{2})-(\d{2}))?")
_CURRENCY = re.compile(r"[A-Z]{3}")
_SECTOR = re.compile(r"[a-z0-9][a-z0-9_+.-]*")
_MIN_YEAR, _MAX_YEAR = 1000, 2100
_ID_RULE = "letters, digits and . _ : - only, 1 to 128 characters"


@dataclass(frozen=True, slots=True)
class Organization:
    """A node: one organisation of the ecosystem."""

    id: str
    name: str
    kind: str
    country: str
    province: str | None = None
    city: str | None = None
    sectors: tuple[str, ...] = ()
    founded: int | None = None
    aliases: tuple[str, ...] = ()
    website: str | None = None
    ror: str | None = None
    description: str | None = None

    def category(self, home_country: str) -> str:
        return category(self.kind, self.country, home_country)

    def as_dict(self) -> dict[str, object]:
        return {f: getattr(self, f) for f in ORGANIZATION_FIELDS}


class _TieRow(NamedTuple):
    # The key first: a collaboration is also the row SQLite stores, in column order.
    key: str
    source: str
    target: str
    kind: str
    weight: float = 1.0
    start: str | None = None
    end: str | None = None
    amount: float | None = None
    currency: str | None = None
    evidence: str | None = None
    id: str | None = None


class Collaboration(_TieRow):
    """An edge: one collaboration between two organisations.

    Mutual kinds store their ends in sorted order; directed kinds (investment, spin-off)
    keep ``source`` → ``target``. ``key`` is the identity (see :func:`tie_key`), computed
    once on construction.

    A named tuple rather than a dataclass: ingest makes one per tie, half a million in a
    large load, and a tuple is built several times faster and is already the row a store
    writes. Build one with the constructor (or :meth:`replace`); ``_make`` trusts its key.

    Examples
    --------
    >>> tie = Collaboration("b", "a", "research", start="2020")
    >>> tie.source, tie.target, tie.key
    ('a', 'b', 'research|a|b|2020')
    >>> tie.replace(kind="investment").key
    'investment|a|b|2020'
    """

    __slots__ = ()

    def __new__(
        cls,
        source: str,
        target: str,
        kind: str,
        weight: float = 1.0,
        start: str | None = None,
        end: str | None = None,
        amount: float | None = None,
        currency: str | None = None,
        evidence: str | None = None,
        id: str | None = None,
    ) -> Collaboration:
        # A mutual tie has no direction: keep its ends in one order so that A–B and B–A
        # are equal records, not an "update" of each other.
        if kind not in DIRECTED_TIE_KINDS and target < source:
            source, target = target, source
        key = tie_key(source, target, kind, start, id)
        return tuple.__new__(
            cls, (key, source, target, kind, weight, start, end, amount, currency, evidence, id)
        )

    def __reduce__(self):
        return (Collaboration, tuple(self)[1:])

    def __repr__(self) -> str:
        return "Collaboration(" + ", ".join(f"{f}={getattr(self, f)!r}" for f in COLLABORATION_FIELDS) + ")"

    @property
    def directed(self) -> bool:
        return self.kind in DIRECTED_TIE_KINDS

    def as_dict(self) -> dict[str, object]:
        return {f: getattr(self, f) for f in COLLABORATION_FIELDS}

    def replace(self, **changes: object) -> Collaboration:
        """A copy with *changes*; the ends are sorted and the key computed again."""
        return Collaboration(**{**self.as_dict(), **changes})  # type: ignore[arg-type]

    _replace = replace  # the tuple's own would keep a stale key


ORGANIZATION_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(Organization))
COLLABORATION_FIELDS: tuple[str, ...] = _TieRow._fields[1:]
LIST_FIELDS = frozenset({"sectors", "aliases"})


def tie_key(source: str, target: str, kind: str, start: str | None, id: str | None = None) -> str:
    """The identity of a collaboration: its ``id``, else (source, target, kind, start).

    Mutual kinds ignore the order of their ends, so ``A–B`` and ``B–A`` are one tie.

    Examples
    --------
    >>> tie_key("b", "a", "research", "2020") == tie_key("a", "b", "research", "2020")
    True
    >>> tie_key("b", "a", "investment", None) == tie_key("a", "b", "investment", None)
    False
    """
    if id:
        return "id:" + id
    if kind not in DIRECTED_TIE_KINDS and target < source:
        source, target = target, source
    return f"{kind}|{source}|{target}|{start or ''}"


def category(kind: str, country: str, home_country: str) -> str:
    """``foreign_partner`` for an organisation outside the home country, else its kind.

    Examples
    --------
    >>> category("university", "JP", "VN"), category("university", "VN", "VN")
    ('foreign_partner', 'university')
    """
    return FOREIGN_PARTNER if country != home_country else kind


@dataclass(frozen=True, slots=True)
class FieldProblem:
    """What is wrong with one field; the loader adds the file and row."""

    type: str
    field: str
    value: object
    note: str


def _text(raw: Mapping[str, object], name: str) -> str | None:
    value = raw.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        value = str(value)
    value = value.strip()
    return value or None


def _list(raw: Mapping[str, object], name: str, problems: list[FieldProblem]) -> tuple[str, ...]:
    value = raw.get(name)
    if value is None or value == "":
        return ()
    if isinstance(value, str):
        items = value.split("|")
    elif isinstance(value, list | tuple):
        items = [str(v) for v in value]
    else:
        problems.append(FieldProblem("bad-list", name, value, "values separated by '|' or a JSON array"))
        return ()
    return tuple(dict.fromkeys(s for s in (i.strip() for i in items) if s))


def _year(value: object, name: str, problems: list[FieldProblem]) -> int | None:
    if value is None or value == "":
        return None
    try:
        year = int(str(value).strip())
    except ValueError:
        year = None
    if year is None or not _MIN_YEAR <= year <= _MAX_YEAR:
        problems.append(FieldProblem("bad-year", name, value, f"a year from {_MIN_YEAR} to {_MAX_YEAR}"))
        return None
    return year


def _date(raw: Mapping[str, object], name: str, problems: list[FieldProblem]) -> str | None:
    value = _text(raw, name)
    if value is None:
        return None
    match = _DATE.fullmatch(value)
    ok = match is not None and _MIN_YEAR <= int(match.group(1)) <= _MAX_YEAR
    if ok and match.group(2):
        try:
            _dt.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        except ValueError:
            ok = False
    if not ok:
        problems.append(FieldProblem("bad-date", name, value, "YYYY or YYYY-MM-DD"))
        return None
    return value


def _number(raw: Mapping[str, object], name: str, problems: list[FieldProblem]) -> float | None:
    value = raw.get(name)
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        problems.append(FieldProblem("bad-number", name, value, "a number"))
        return None
    try:
        number = float(value.strip() if isinstance(value, str) else value)
    except (TypeError, ValueError):
        problems.append(FieldProblem("bad-number", name, value, "a number"))
        return None
    if not math.isfinite(number):
        problems.append(FieldProblem("bad-number", name, value, "a finite number"))
        return None
    return number


def _id(raw: Mapping[str, object], name: str, problems: list[FieldProblem], required: bool) -> str | None:
    value = raw.get(name)
    if value is None or value == "":
        if required:
            problems.append(FieldProblem("missing-field", name, None, "an id (" + _ID_RULE + ")"))
        return None
    text = value if isinstance(value, str) else str(value)
    if not _valid_id(text):
        problems.append(FieldProblem("bad-id", name, text, _ID_RULE))
        return None
    return text


def _kind(raw: Mapping[str, object], vocabulary: tuple[str, ...], problems: list[FieldProblem]) -> str | None:
    value = _text(raw, "kind")
    if value is None:
        problems.append(FieldProblem("missing-field", "kind", None, "one of " + ", ".join(vocabulary)))
        return None
    kind = value.lower()
    if kind not in vocabulary:
        problems.append(FieldProblem("unknown-kind", "kind", value, ", ".join(vocabulary)))
        return None
    return kind


def parse_organization(
    raw: Mapping[str, object], home_country: str = "VN"
) -> tuple[Organization | None, list[FieldProblem]]:
    """An :class:`Organization` from a raw mapping, or the problems that stop it.

    Examples
    --------
    >>> org, problems = parse_organization({"id": "hust", "name": "Đại học Bách khoa Hà Nội",
    ...                                     "kind": "University", "sectors": "ai|iot"})
    >>> org.kind, org.country, org.sectors, problems
    ('university', 'VN', ('ai', 'iot'), [])
    >>> parse_organization({"id": "a b", "name": "", "kind": "lab"})[1][0].type
    'bad-id'
    """
    problems: list[FieldProblem] = []
    id_ = _id(raw, "id", problems, required=True)
    name = _text(raw, "name")
    if name is None:
        problems.append(FieldProblem("missing-field", "name", None, "the organisation's name"))
    kind = _kind(raw, ORG_KINDS, problems)
    country = _text(raw, "country")
    if country is None:
        country = home_country
    else:
        country = country.upper()
        if country not in COUNTRY_CODES:
            problems.append(
                FieldProblem("bad-country", "country", raw.get("country"), "two letters such as VN, JP, DE")
            )
    sectors = _list(raw, "sectors", problems)
    bad_sectors = [s for s in sectors if not _SECTOR.fullmatch(s.lower())]
    if bad_sectors:
        problems.append(
            FieldProblem("bad-value", "sectors", bad_sectors[0], "short tags such as ai, fintech, iot")
        )
    founded = _year(raw.get("founded"), "founded", problems)
    aliases = _list(raw, "aliases", problems)
    if problems:
        return None, problems
    return (
        Organization(
            id=id_,  # type: ignore[arg-type]
            name=name,  # type: ignore[arg-type]
            kind=kind,  # type: ignore[arg-type]
            country=country,
            province=_text(raw, "province"),
            city=_text(raw, "city"),
            sectors=tuple(dict.fromkeys(s.lower() for s in sectors)),
            founded=founded,
            aliases=aliases,
            website=_text(raw, "website"),
            ror=_text(raw, "ror"),
            description=_text(raw, "description"),
        ),
        problems,
    )


_ORG_KIND_SET = frozenset(ORG_KINDS)
_GOOD_SECTORS: set[str] = set()  # sector tags already checked; a few dozen repeat over a load


def fast_organization(
    id: object,
    name: object,
    kind: object,
    country: object = None,
    province: object = None,
    city: object = None,
    sectors: object = None,
    founded: object = None,
    aliases: object = None,
    website: object = None,
    ror: object = None,
    description: object = None,
    home_country: str = "VN",
) -> Organization | None:
    """The common case of a well-formed organisation row of strings, checked quickly; None
    sends it to :func:`parse_organization`, which says what is wrong.

    The arguments are the raw values in :data:`ORGANIZATION_FIELDS` order; the result is
    what :func:`parse_organization` would return for them.
    """
    if type(id) is not str or (id not in _VALID_IDS and not _valid_id(id)):
        return None
    if type(name) is not str or not (name := name.strip()):
        return None
    if kind not in _ORG_KIND_SET and (
        type(kind) is not str or (kind := kind.strip().lower()) not in _ORG_KIND_SET
    ):
        return None
    if not country:
        country = home_country
    elif country not in COUNTRY_CODES:
        if type(country) is not str:
            return None
        country = country.strip().upper() or home_country
        if country not in COUNTRY_CODES:
            return None
    if not sectors:
        sectors = ()
    else:
        if type(sectors) is not str:
            return None
        sectors = tuple(dict.fromkeys(t for t in (s.strip().lower() for s in sectors.split("|")) if t))
        for tag in sectors:
            if tag not in _GOOD_SECTORS:
                if not _SECTOR.fullmatch(tag):
                    return None
                _GOOD_SECTORS.add(tag)
    if not founded:
        founded = None
    else:
        try:
            founded = int(founded)  # type: ignore[call-overload]
        except (TypeError, ValueError):
            return None
        if not _MIN_YEAR <= founded <= _MAX_YEAR:
            return None
    if not aliases:
        aliases = ()
    elif type(aliases) is not str:
        return None
    else:
        aliases = tuple(dict.fromkeys(t for t in (a.strip() for a in aliases.split("|")) if t))
    texts = []
    for value in (province, city, website, ror, description):
        if not value:
            texts.append(None)
        elif type(value) is not str:
            return None
        else:
            texts.append(value.strip() or None)
    province, city, website, ror, description = texts
    return Organization(
        id, name, kind, country, province, city, sectors, founded, aliases, website, ror, description,  # type: ignore[arg-type]
    )  # fmt: skip


_VALID_IDS: set[str] = set()  # ids already checked against _ID; ids repeat across many ties
_TIE_KIND_SET = frozenset(TIE_KINDS)


def _valid_id(value: object) -> bool:
    if value in _VALID_IDS:
        return True
    if type(value) is str and _ID.fullmatch(value):
        if len(_VALID_IDS) > 2_000_000:
            _VALID_IDS.clear()
        _VALID_IDS.add(value)
        return True
    return False


def _simple_date(value: object) -> bool:
    """True for an empty value or a well-formed ``YYYY``/``YYYY-MM-DD`` without spaces."""
    if value is None or value == "":
        return True
    if type(value) is not str:
        return False
    if len(value) == 4:
        return value.isdigit() and _MIN_YEAR <= int(value) <= _MAX_YEAR
    if len(value) == 10 and value[4] == "-" and value[7] == "-" and value[:4].isdigit():
        try:
            return _MIN_YEAR <= _dt.date.fromisoformat(value).year <= _MAX_YEAR
        except ValueError:
            return False
    return False


def _ends_before(start: str, end: str) -> bool:
    """Whether *end* is before *start*; a bare year compares with the year of a full date."""
    return end < start if len(end) == len(start) else end[:4] < start[:4]


_GOOD_DATES: set[str] = set()  # dates already checked; a few hundred values repeat over a load


def fast_collaboration(
    source: object,
    target: object,
    kind: object,
    weight: object = None,
    start: object = None,
    end: object = None,
    amount: object = None,
    currency: object = None,
    evidence: object = None,
    id: object = None,
) -> Collaboration | None:
    """The common case of a well-formed tie, checked quickly; None sends it to the full parser.

    The arguments are the raw values in :data:`COLLABORATION_FIELDS` order. This runs
    once per tie of every load, so it tests the cheapest things first and avoids calls.
    """
    if source not in _VALID_IDS and not _valid_id(source):
        return None
    if target not in _VALID_IDS and not _valid_id(target):
        return None
    if kind not in _TIE_KIND_SET or source == target:
        return None
    if not start:
        start = None
    elif start not in _GOOD_DATES and not _good_date(start):
        return None
    if not end:
        end = None
    elif (end not in _GOOD_DATES and not _good_date(end)) or (start and _ends_before(start, end)):  # type: ignore[arg-type]
        return None
    if not id:
        id = None
    elif id not in _VALID_IDS and not _valid_id(id):
        return None
    if amount is None or amount == "":
        amount = None
    else:
        try:
            amount = float(amount)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return None
        if not 0 <= amount < math.inf:
            return None
    if not currency:
        currency = None
    elif type(currency) is not str or not _CURRENCY.fullmatch(currency):
        return None
    if weight is None or weight == "":
        weight = 1.0
    else:
        try:
            weight = float(weight)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return None
        if not 0 < weight < math.inf:
            return None
    if not evidence:
        evidence = None
    elif type(evidence) is not str:
        return None
    else:
        evidence = evidence.strip() or None
    if kind not in DIRECTED_TIE_KINDS and target < source:  # type: ignore[operator]
        source, target = target, source
    key = "id:" + id if id else f"{kind}|{source}|{target}|{start or ''}"  # as tie_key()
    return tuple.__new__(
        Collaboration, (key, source, target, kind, weight, start, end, amount, currency, evidence, id)
    )


def _good_date(value: object) -> bool:
    if _simple_date(value):
        if len(_GOOD_DATES) < 100_000:
            _GOOD_DATES.add(value)  # type: ignore[arg-type]
        return True
    return False


def parse_collaboration(
    raw: Mapping[str, object],
) -> tuple[Collaboration | None, list[FieldProblem]]:
    """A :class:`Collaboration` from a raw mapping, or the problems that stop it.

    Examples
    --------
    >>> tie, problems = parse_collaboration({"source": "a", "target": "b", "kind": "mou", "start": "2021"})
    >>> tie.weight, tie.start, problems
    (1.0, '2021', [])
    >>> [p.type for p in parse_collaboration({"source": "a", "target": "b", "kind": "mou", "weight": "0"})[1]]
    ['bad-weight']
    """
    fast = fast_collaboration(*map(raw.get, COLLABORATION_FIELDS))
    if fast is not None:
        return fast, []
    problems: list[FieldProblem] = []
    source = _id(raw, "source", problems, required=True)
    target = _id(raw, "target", problems, required=True)
    kind = _kind(raw, TIE_KINDS, problems)
    weight = _number(raw, "weight", problems)
    if weight is None:
        if not any(p.field == "weight" for p in problems):
            weight = 1.0
    elif weight <= 0:
        problems.append(FieldProblem("bad-weight", "weight", raw.get("weight"), "a number greater than 0"))
    start = _date(raw, "start", problems)
    end = _date(raw, "end", problems)
    if start and end and _ends_before(start, end):
        problems.append(FieldProblem("bad-date", "end", end, f"a date not before start ({start})"))
    amount = _number(raw, "amount", problems)
    if amount is not None and amount < 0:
        problems.append(FieldProblem("bad-number", "amount", raw.get("amount"), "an amount of 0 or more"))
    currency = _text(raw, "currency")
    if currency is not None:
        currency = currency.upper()
        if not _CURRENCY.fullmatch(currency):
            problems.append(
                FieldProblem(
                    "bad-value",
                    "currency",
                    raw.get("currency"),
                    "an ISO 4217 code such as VND, USD",
                )
            )
    id_ = _id(raw, "id", problems, required=False)
    if source is not None and source == target:
        problems.append(
            FieldProblem("self-loop", "target", target, "a collaboration joins two different organisations")
        )
    if problems:
        return None, problems
    return (
        Collaboration(
            source=source,  # type: ignore[arg-type]
            target=target,  # type: ignore[arg-type]
            kind=kind,  # type: ignore[arg-type]
            weight=weight,  # type: ignore[arg-type]
            start=start,
            end=end,
            amount=amount,
            currency=currency,
            evidence=_text(raw, "evidence"),
            id=id_,
        ),
        problems,
    )
