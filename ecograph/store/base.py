"""The store contract: what SQLite and Neo4j both promise, and the parts they share."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

import networkx as nx
import pyarrow as pa

from ecograph.columns import GraphColumns
from ecograph.model import Collaboration, Organization, category, collaborations_table, organizations_table
from ecograph.report import LoadBatch
from ecograph.resolution.records import Candidate, Edit, Identifier, Merge, Rewrite
from ecograph.saved_snapshots import SavedSnapshot

__all__ = ["Provenance", "Store", "StoreTables", "WritePart"]


@dataclass
class WritePart:
    """The records one file contributes to a load; the store fills ``batch``'s counts.

    ``organizations`` and ``collaborations`` are tables of the columns declared in
    :mod:`ecograph.model` (records are turned into them). ``sources`` optionally maps
    ``("organization", id)`` or ``("collaboration", key)`` to the ``(source, source_id)`` a
    record came from, for provenance.
    """

    batch: LoadBatch
    organizations: pa.Table | Sequence[Organization] = ()
    collaborations: pa.Table | Sequence[Collaboration] = ()
    sources: dict[tuple[str, str], tuple[str | None, str | None]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not isinstance(self.organizations, pa.Table):
            self.organizations = organizations_table(self.organizations)
        if not isinstance(self.collaborations, pa.Table):
            self.collaborations = collaborations_table(self.collaborations)


class StoreTables(NamedTuple):
    """A store's records as columns: Arrow tables in the schemas declared in
    :mod:`ecograph.model` (``ORGANIZATION_SCHEMA``, ``COLLABORATION_SCHEMA``), organisations
    ordered by id and collaborations by key."""

    organizations: pa.Table
    collaborations: pa.Table


@dataclass(frozen=True, slots=True)
class Provenance:
    """One record seen in one load batch."""

    record_type: str  # "organization" or "collaboration"
    record_key: str  # organisation id or collaboration key
    batch_id: str
    source: str | None = None
    source_id: str | None = None


class Store(ABC):
    """The system of record for organisations, collaborations and their load history.

    Every store is a context manager. :meth:`write` is atomic: a load is all or nothing.
    ``store_version`` increases whenever a write changes an organisation or a
    collaboration; a load that changes nothing records its batch and keeps the version,
    so caches keyed by it stay valid.
    """

    #: The URL the store was opened with, without any password.
    url: str
    #: ``((identity, version), snapshot)`` of the last :meth:`snapshot`, None before one.
    _snapshot_cache: tuple | None = None
    home_country: str

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @abstractmethod
    def close(self) -> None: ...

    @abstractmethod
    def store_version(self) -> int:
        """An integer that grows with every write that changes data."""

    @abstractmethod
    def identity(self) -> str:
        """A random id the store's first write gives it, ``""`` before any write.

        It stays with the store through every load; a deleted and rebuilt store (or a
        cleared one, on its next write) gets a new one, although its version may come back
        to the same number. ``(identity(), store_version())`` therefore names one state of
        one store: every cache keys on both.
        """

    @abstractmethod
    def existing_ids(self, ids: Iterable[str]) -> set[str]:
        """The subset of *ids* that the store holds as organisations."""

    @abstractmethod
    def write(
        self, parts: Sequence[WritePart], *, dry_run: bool = False, edit: Edit | None = None
    ) -> list[LoadBatch]:
        """Upsert every part's organisations, then every part's collaborations, in one transaction.

        Fills each batch's inserted/updated/unchanged counts and ``finished`` time, records
        the batches and the provenance, and returns the batches. Organisations are written
        before collaborations whatever the part order, so a tie may refer to an
        organisation of a later part. With *dry_run* the counts are filled and the
        transaction is rolled back: nothing changes, the version included.

        Raises :class:`ecograph.errors.IntegrityError` (and writes nothing) when a
        collaboration refers to an organisation that is neither in the store nor in *parts*.

        *edit* carries what entity resolution decided about this load (identifiers, merges,
        review candidates, rewritten tie ends); it is written in the same transaction.
        """

    @abstractmethod
    def organizations(self) -> Iterator[Organization]:
        """Every organisation, ordered by id."""

    @abstractmethod
    def collaborations(self) -> Iterator[Collaboration]:
        """Every collaboration, ordered by key."""

    @abstractmethod
    def organization(self, id: str) -> Organization | None: ...

    @abstractmethod
    def batches(self) -> list[LoadBatch]:
        """Every load batch, oldest first."""

    @abstractmethod
    def provenance(self) -> Iterator[Provenance]:
        """Which batches every record came from, ordered by (record_type, record_key, batch_id)."""

    @abstractmethod
    def import_history(self, batches: Sequence[LoadBatch], provenance: Iterable[Provenance]) -> None:
        """Record batches and provenance copied from another store (used by ``migrate``)."""

    @abstractmethod
    def clear(self) -> None:
        """Delete everything: records, history, saved snapshots and version. For tests and fresh migrations."""

    # -- entity resolution -------------------------------------------------------------

    @abstractmethod
    def apply(self, edit: Edit) -> None:
        """Apply *edit* in one transaction (deletions, then upserts); bump the version if
        organisations or collaborations changed."""

    @abstractmethod
    def identifiers(self, org_ids: Iterable[str] | None = None) -> list[Identifier]:
        """Every identifier, or those of the organisations *org_ids*."""

    @abstractmethod
    def aliases(self, ids: Iterable[str]) -> dict[str, str]:
        """For each of *ids* merged into another node, the node it was merged into (one step)."""

    @abstractmethod
    def collaborations_of(self, ids: Iterable[str]) -> list[Collaboration]:
        """The collaborations with an end in *ids*."""

    @abstractmethod
    def rewrites(self, tie_keys: Iterable[str]) -> list[Rewrite]:
        """The rewritten ends of the ties *tie_keys*."""

    @abstractmethod
    def candidates(self, status: str | None = None) -> list[Candidate]:
        """The review queue, oldest first; *status* picks ``open``, ``merged`` or ``distinct``."""

    @abstractmethod
    def merges(self) -> list[Merge]:
        """Every merge, oldest first, split ones included."""

    # -- saved snapshots (ecograph.saved_snapshots) -------------------------------------

    @abstractmethod
    def save_snapshot(self, snapshot: SavedSnapshot, *, replace: bool = False) -> None:
        """Keep *snapshot* under its name, in one transaction; the store version stays.

        Raises :class:`ecograph.saved_snapshots.SnapshotExists` (and writes nothing) when
        the name is taken and *replace* is false.
        """

    @abstractmethod
    def saved_snapshots(self) -> list[SavedSnapshot]:
        """Every saved snapshot without its payload, oldest first (then by name)."""

    @abstractmethod
    def saved_snapshot(self, name: str) -> SavedSnapshot | None:
        """The snapshot called *name*, with its payload, or None."""

    @abstractmethod
    def delete_snapshot(self, name: str) -> bool:
        """Forget the snapshot called *name*; False when there was none."""

    def sources(self, record_type: str, key: str) -> list[tuple[str | None, str | None]]:
        """The ``(source, source_id)`` pairs that brought a record, merged records' included."""
        keys = {key}
        if record_type == "organization":
            keys |= {i.value for i in self.identifiers([key]) if i.scheme == "record"}
        found = {
            (p.source, p.source_id)
            for p in self.provenance()
            if p.record_type == record_type and p.record_key in keys and (p.source or p.source_id)
        }
        return sorted(found, key=lambda s: (s[0] or "", s[1] or ""))

    # -- shared behaviour -------------------------------------------------------------

    def counts(self) -> dict[str, object]:
        """Counts by category, organisation kind, tie kind and country."""
        by_kind: Counter[str] = Counter()
        by_category: Counter[str] = Counter()
        by_country: Counter[str] = Counter()
        for org in self.organizations():
            by_kind[org.kind] += 1
            by_category[category(org.kind, org.country, self.home_country)] += 1
            by_country[org.country] += 1
        by_tie_kind: Counter[str] = Counter(t.kind for t in self.collaborations())
        return {
            "organizations": sum(by_kind.values()),
            "collaborations": sum(by_tie_kind.values()),
            "by_category": dict(sorted(by_category.items())),
            "by_kind": dict(sorted(by_kind.items())),
            "by_tie_kind": dict(sorted(by_tie_kind.items())),
            "by_country": dict(sorted(by_country.items())),
        }

    def tables(self) -> StoreTables:
        """Every organisation and collaboration as columns (:class:`StoreTables`).

        This is how analyses read a store: a store with a faster columnar read overrides it;
        the result is the same as building the tables from :meth:`organizations` and
        :meth:`collaborations`, which is what this default does.
        """
        return StoreTables(
            organizations_table(self.organizations()), collaborations_table(self.collaborations())
        )

    def snapshot(self) -> nx.MultiDiGraph:
        """The whole store as a networkx ``MultiDiGraph``, rebuilt only when its identity or
        version changed.

        See :func:`ecograph.snapshot.build_snapshot` for the attributes (it is built from
        :meth:`tables`, by :meth:`ecograph.columns.GraphColumns.to_snapshot`). Treat the result as
        read-only: it is shared between callers (it is frozen).
        """
        state = (self.identity(), self.store_version())
        version = state[1]
        cached = self._snapshot_cache
        if cached is not None and cached[0] == state:
            return cached[1]
        # From the columnar read, built in bulk: the same graph as build_snapshot() of
        # organizations() and collaborations() (tested), without a record object per row.
        G = GraphColumns.from_tables(
            *self.tables(), self.home_country, store_version=version, store_url=self.url
        ).to_snapshot()
        nx.freeze(G)
        self._snapshot_cache = (state, G)
        return G
