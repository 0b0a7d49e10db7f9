"""The data model: organisations and collaborations, their vocabularies, and the one table of their columns.

:data:`ORGANIZATION_COLUMNS` and :data:`COLLABORATION_COLUMNS` declare every field once:
its name, Arrow type, whether it is required, its vocabulary and how a store keeps it.
The load path validates Arrow tables of these columns (:mod:`ecograph.ingest`) and every
store maps them by name; :class:`Organization` and :class:`Collaboration` are the same
records one at a time, for the code that reads a store back.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

import pyarrow as pa

__all__ = [
    "CATEGORIES",
    "COLLABORATION_COLUMNS",
    "COLLABORATION_FIELDS",
    "DIRECTED_TIE_KINDS",
    "ORGANIZATION_COLUMNS",
    "ORGANIZATION_FIELDS",
    "ORG_KINDS",
    "TIE_KINDS",
    "Collaboration",
    "Column",
    "Organization",
    "category",
    "clean_text",
    "collaborations_from",
    "collaborations_table",
    "organizations_from",
    "organizations_table",
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
#: Text as ecograph keeps it: line breaks as LF, every other C0 or C1 control character (a
#: vertical tab pasted from Word, say) a space. Patterns valid for Python and for Arrow (RE2).
LINE_BREAKS = r"\r\n?"
CONTROL_CHARACTERS = r"[\x00-\x08\x0b-\x1f\x80-\x9f]"
# The groups planners think in: foreign partners first, then each kind of home organisation.
CATEGORIES: tuple[str, ...] = (FOREIGN_PARTNER, *ORG_KINDS)


@dataclass(frozen=True)
class Column:
    """One field of a record.

    ``stored`` says how a store keeps it: ``text``, ``real``, ``integer``, or ``list`` (a
    list of texts: a JSON array in SQLite, a list property in Neo4j; empty is null).
    """

    name: str
    type: pa.DataType
    required: bool = False
    vocabulary: tuple[str, ...] = ()
    stored: str = "text"


_TEXTS = pa.list_(pa.string())

ORGANIZATION_COLUMNS: tuple[Column, ...] = (
    Column("id", pa.string(), required=True),
    Column("name", pa.string(), required=True),
    Column("kind", pa.string(), required=True, vocabulary=ORG_KINDS),
    Column("country", pa.string(), required=True),  # defaults to the home country
    Column("province", pa.string()),
    Column("city", pa.string()),
    Column("sectors", _TEXTS, stored="list"),
    Column("founded", pa.int64(), stored="integer"),
    Column("aliases", _TEXTS, stored="list"),
    Column("website", pa.string()),
    Column("ror", pa.string()),
    Column("description", pa.string()),
)
COLLABORATION_COLUMNS: tuple[Column, ...] = (
    Column("key", pa.string(), required=True),  # the identity: see tie_key()
    Column("source", pa.string(), required=True),
    Column("target", pa.string(), required=True),
    Column("kind", pa.string(), required=True, vocabulary=TIE_KINDS),
    Column("weight", pa.float64(), required=True, stored="real"),  # defaults to 1
    Column("start", pa.string()),
    Column("end", pa.string()),
    Column("amount", pa.float64(), stored="real"),
    Column("currency", pa.string()),
    Column("evidence", pa.string()),
    Column("id", pa.string()),
)
ORGANIZATION_SCHEMA = pa.schema(
    [pa.field(c.name, c.type, nullable=not c.required) for c in ORGANIZATION_COLUMNS]
)
COLLABORATION_SCHEMA = pa.schema(
    [pa.field(c.name, c.type, nullable=not c.required) for c in COLLABORATION_COLUMNS]
)
ORGANIZATION_FIELDS: tuple[str, ...] = tuple(c.name for c in ORGANIZATION_COLUMNS)
#: The fields a collaboration is written with (its key is computed from them).
COLLABORATION_FIELDS: tuple[str, ...] = tuple(c.name for c in COLLABORATION_COLUMNS[1:])
LIST_FIELDS = frozenset(c.name for c in ORGANIZATION_COLUMNS if c.stored == "list")


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


class _TieFields(NamedTuple):
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


class Collaboration(_TieFields):
    """An edge: one collaboration between two organisations.

    Mutual kinds store their ends in sorted order; directed kinds (investment, spin-off)
    keep ``source`` → ``target``. ``key`` is the identity (see :func:`tie_key`), computed
    once on construction. A named tuple, so that reading half a million back is cheap;
    its fields are read by name.

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


if tuple(f.name for f in ORGANIZATION_COLUMNS) != tuple(Organization.__dataclass_fields__):
    raise ImportError("ecograph.model: Organization does not have the declared columns")
if tuple(c.name for c in COLLABORATION_COLUMNS) != _TieFields._fields:
    raise ImportError("ecograph.model: Collaboration does not have the declared columns")


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


def clean_text(text: str) -> str:
    r"""*text* as a load keeps it: Unicode NFC, line breaks as LF, other control characters as spaces.

    Examples
    --------
    >>> clean_text("Vi\u1ec7n\x0bAI\r\nLab")
    'Viện AI\nLab'
    """
    return re.sub(CONTROL_CHARACTERS, " ", re.sub(LINE_BREAKS, "\n", unicodedata.normalize("NFC", text)))


def organizations_table(records: Iterable[Organization]) -> pa.Table:
    """*records* as a table of :data:`ORGANIZATION_COLUMNS`.

    Examples
    --------
    >>> organizations_table([Organization("a", "A", "startup", "VN", sectors=("ai",))])["sectors"].to_pylist()
    [['ai']]
    """
    rows = list(records)
    return pa.table(
        {c.name: pa.array([getattr(r, c.name) for r in rows], c.type) for c in ORGANIZATION_COLUMNS},
        schema=ORGANIZATION_SCHEMA,
    )


def collaborations_table(records: Iterable[Collaboration]) -> pa.Table:
    """*records* as a table of :data:`COLLABORATION_COLUMNS`."""
    rows = list(records)
    return pa.table(
        {c.name: pa.array([getattr(r, c.name) for r in rows], c.type) for c in COLLABORATION_COLUMNS},
        schema=COLLABORATION_SCHEMA,
    )


def organizations_from(table: pa.Table) -> list[Organization]:
    """The rows of a table of :data:`ORGANIZATION_COLUMNS` as records."""
    columns = [table[name].to_pylist() for name in ORGANIZATION_FIELDS]
    lists = [i for i, c in enumerate(ORGANIZATION_COLUMNS) if c.stored == "list"]
    for i in lists:
        columns[i] = [tuple(v or ()) for v in columns[i]]
    return [Organization(*values) for values in zip(*columns, strict=True)]


def collaborations_from(table: pa.Table) -> list[Collaboration]:
    """The rows of a table of :data:`COLLABORATION_COLUMNS` as records (keys computed again)."""
    # COLLABORATION_FIELDS is the order of the constructor's parameters
    columns = [table[name].to_pylist() for name in COLLABORATION_FIELDS]
    return [Collaboration(*values) for values in zip(*columns, strict=True)]
