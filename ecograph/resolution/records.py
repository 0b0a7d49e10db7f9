"""What entity resolution keeps in a store: identifiers, the review queue, merges and edits."""

from __future__ import annotations

import json
import uuid
from dataclasses import asdict, dataclass, field

from ecograph.model import Collaboration, Organization
from ecograph.report import now_iso

__all__ = ["RECORD", "Candidate", "Edit", "Identifier", "Merge", "Rewrite"]

#: The scheme of an identifier that says "this record id now lives on that node".
RECORD = "record"


@dataclass(frozen=True, slots=True)
class Identifier:
    """``scheme:value`` names the organisation ``org_id``; ``record`` is the record that said so.

    Schemes are lower-case names from the sources (``ror``, ``grid``, ``wikidata``,
    ``isni``, ``fundref``, ``mag``, ``pic``, ``vat``, ``permalink``), ``domain`` for a
    website's host, and :data:`RECORD` for a record id merged into another node.
    """

    scheme: str
    value: str
    org_id: str
    record: str


@dataclass(frozen=True, slots=True)
class Rewrite:
    """End ``end`` (``source`` or ``target``) of tie ``tie_key`` was written as ``original``."""

    tie_key: str
    end: str
    original: str


class _Stored:
    """A record a store keeps as one JSON document."""

    __slots__ = ()

    def as_dict(self) -> dict[str, object]:
        return asdict(self)  # type: ignore[call-overload]

    def to_json(self) -> str:
        return json.dumps(self.as_dict(), ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_json(cls, text: str):
        return cls(**json.loads(text))


@dataclass(slots=True)
class Candidate(_Stored):
    """Two organisations that may be one: the review queue's entry, with its evidence.

    ``status`` is ``open`` until someone decides: ``merged`` or ``distinct`` (kept apart,
    never proposed again).
    """

    a: str
    b: str
    score: float
    rule: str
    evidence: dict[str, object] = field(default_factory=dict)
    status: str = "open"
    created: str = field(default_factory=now_iso)
    decided: str | None = None

    def __post_init__(self) -> None:
        if self.b < self.a:
            self.a, self.b = self.b, self.a

    @property
    def pair(self) -> tuple[str, str]:
        return (self.a, self.b)


@dataclass(slots=True)
class Merge(_Stored):
    """One merge of ``absorbed`` into ``kept``, with what is needed to undo it.

    ``automatic`` merges happen during a load: ``absorbed`` is a record id that never
    became a node, and ``undo["record"]`` holds that record as last loaded. Manual merges
    (``ecograph merge``) absorb an existing node: ``undo`` holds its record and the ties
    the merge dropped (self-loops, duplicates of a kept tie).
    """

    kept: str
    absorbed: str
    rule: str
    automatic: bool
    evidence: dict[str, object] = field(default_factory=dict)
    undo: dict[str, object] = field(default_factory=dict)
    at: str = field(default_factory=now_iso)
    split_at: str | None = None
    id: str = field(default_factory=lambda: uuid.uuid4().hex[:12])

    @property
    def active(self) -> bool:
        return self.split_at is None


@dataclass
class Edit:
    """Changes applied in one transaction, on their own or after a load's records.

    Organisations and collaborations here replace whole records; deletions come first.
    """

    organizations: list[Organization] = field(default_factory=list)
    collaborations: list[Collaboration] = field(default_factory=list)
    delete_organizations: list[str] = field(default_factory=list)
    delete_collaborations: list[str] = field(default_factory=list)
    identifiers: list[Identifier] = field(default_factory=list)
    delete_identifiers: list[Identifier] = field(default_factory=list)
    rewrites: list[Rewrite] = field(default_factory=list)
    delete_rewrites: list[tuple[str, str]] = field(default_factory=list)  # (tie_key, end)
    candidates: list[Candidate] = field(default_factory=list)
    merges: list[Merge] = field(default_factory=list)

    @property
    def changes_records(self) -> bool:
        return bool(
            self.organizations
            or self.collaborations
            or self.delete_organizations
            or self.delete_collaborations
        )

    def __bool__(self) -> bool:
        return any(
            (
                self.changes_records, self.identifiers, self.delete_identifiers, self.rewrites,
                self.delete_rewrites, self.candidates, self.merges,
            )
        )  # fmt: skip
