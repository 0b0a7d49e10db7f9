"""The data model: organisations and collaborations, their closed vocabularies and validation.

Parsing takes a raw mapping (strings from a CSV row, or typed values from a JSON object)
and returns a record, or the list of field problems that stop it from being one.
"""

from __future__ import annotations

import datetime as _dt
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields

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


@dataclass(frozen=True, slots=True)
class Collaboration:
    """An edge: one collaboration between two organisations.

    Mutual kinds store their ends in sorted order; directed kinds (investment, spin-off)
    keep ``source`` → ``target``.
    """

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

    # The identity, computed once: ingest and stores ask for it for every tie.
    key: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # A mutual tie has no direction: keep its ends in one order so that A–B and B–A
        # are equal records, not an "update" of each other.
        if self.kind not in DIRECTED_TIE_KINDS and self.target < self.source:
            source, target = self.target, self.source
            object.__setattr__(self, "source", source)
            object.__setattr__(self, "target", target)
        object.__setattr__(self, "key", tie_key(self.source, self.target, self.kind, self.start, self.id))

    @property
    def directed(self) -> bool:
        return self.kind in DIRECTED_TIE_KINDS

    def as_dict(self) -> dict[str, object]:
        return {f: getattr(self, f) for f in COLLABORATION_FIELDS}


ORGANIZATION_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(Organization))
COLLABORATION_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(Collaboration) if f.init)
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


def _fast_collaboration(raw: Mapping[str, object]) -> Collaboration | None:
    """The common case of a plain CSV row, checked quickly; None sends the row to the full parser."""
    get = raw.get
    source, target, kind = get("source"), get("target"), get("kind")
    start, end = get("start"), get("end")
    if not (_valid_id(source) and _valid_id(target) and kind in _TIE_KIND_SET and source != target):
        return None
    if not (_simple_date(start) and _simple_date(end)) or (start and end and _ends_before(start, end)):
        return None
    tie_id = get("id") or None
    if tie_id is not None and not _valid_id(tie_id):
        return None
    amount = get("amount")
    if amount is None or amount == "":
        amount = None
    else:
        try:
            amount = float(amount)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return None
        if not 0 <= amount < math.inf:
            return None
    currency = get("currency") or None
    if currency is not None and not (type(currency) is str and _CURRENCY.fullmatch(currency)):
        return None
    weight = get("weight")
    if weight is None or weight == "":
        weight = 1.0
    else:
        try:
            weight = float(weight)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return None
        if not 0 < weight < math.inf:
            return None
    evidence = get("evidence")
    if evidence is not None and type(evidence) is not str:
        return None
    evidence = evidence.strip() or None if evidence else None
    return Collaboration(
        source, target, kind, weight, start or None, end or None, amount, currency, evidence, tie_id
    )  # type: ignore[arg-type]


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
    fast = _fast_collaboration(raw)
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
