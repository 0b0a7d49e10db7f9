"""Saved states of the store (``ecograph snapshot save``): change over time when ties have no dates.

A saved snapshot records the store version and a compact copy of what the graph was: the
organisation ids and each tie's key, ends, kind and weight, as compressed JSON columns.
Comparing two of them (``ecograph compare --from-snapshot A --to-snapshot B``) compares two
states of the store, whatever the tie dates say. Organisations take their current names
and attributes from the store; one removed since shows its id.
"""

from __future__ import annotations

import json
import re
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import networkx as nx

from ecograph.errors import UsageError
from ecograph.model import Collaboration
from ecograph.report import now_iso
from ecograph.snapshot import tie_year

if TYPE_CHECKING:
    from ecograph.store import Store

__all__ = [
    "TIE_FIELDS",
    "SavedSnapshot",
    "SnapshotExists",
    "UnknownSnapshot",
    "capture",
    "check_name",
    "graph",
    "names",
    "pack",
    "unpack",
]

_FORMAT = 1
TIE_FIELDS: tuple[str, ...] = ("key", "source", "target", "kind", "weight")
"""The fields of each tie a saved snapshot keeps, as columns of its payload."""
_NAME = re.compile(r"[A-Za-z0-9._:-]{1,64}")


class SnapshotExists(UsageError):
    """A snapshot name already in use, and no permission to replace it."""

    def __init__(self, name: str):
        super().__init__(
            f"a snapshot named {name!r} already exists; choose another name, or replace it "
            f"(ecograph snapshot save {name} --replace)"
        )


class UnknownSnapshot(UsageError):
    """A snapshot name the store does not hold."""


@dataclass(frozen=True)
class SavedSnapshot:
    """One saved state: its name, when it was saved, the store version then, its counts and payload.

    ``data`` is the compressed payload (:func:`pack`); listings leave it None.
    """

    name: str
    created: str
    store_version: int
    organizations: int
    collaborations: int
    data: bytes | None = None

    def as_dict(self) -> dict[str, object]:
        """Everything but the payload."""
        return {
            "name": self.name,
            "created": self.created,
            "store_version": self.store_version,
            "organizations": self.organizations,
            "collaborations": self.collaborations,
        }

    def listed(self) -> SavedSnapshot:
        """This snapshot without its payload, as a listing shows it."""
        return replace(self, data=None)


def check_name(name: str) -> str:
    """*name* if it is a valid snapshot name (letters, digits and ``._:-``, 1 to 64 characters).

    Examples
    --------
    >>> check_name("before-2024")
    'before-2024'
    >>> check_name("a b")
    Traceback (most recent call last):
    ...
    ecograph.errors.UsageError: snapshot name 'a b' is not allowed; use letters, digits and . _ : - (1 to 64 characters)
    """
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise UsageError(
            f"snapshot name {name!r} is not allowed; use letters, digits and . _ : - (1 to 64 characters)"
        )
    return name


def pack(organizations: Iterable[str], ties: Iterable[Collaboration]) -> bytes:
    """The payload: organisation ids and the ties' :data:`TIE_FIELDS` as JSON columns, compressed.

    Examples
    --------
    >>> ids, ties = unpack(pack(["a", "b"], [Collaboration("a", "b", "mou", weight=2.0)]))
    >>> ids, [(t.source, t.target, t.kind, t.weight) for t in ties]
    (['a', 'b'], [('a', 'b', 'mou', 2.0)])
    """
    columns: dict[str, list] = {f: [] for f in TIE_FIELDS}
    for tie in ties:
        for f in TIE_FIELDS:
            columns[f].append(getattr(tie, f))
    payload = {"format": _FORMAT, "organizations": list(organizations), "ties": columns}
    return zlib.compress(json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode(), 6)


def unpack(data: bytes) -> tuple[list[str], list[Collaboration]]:
    """The organisation ids and ties of a payload (ties without dates, amounts or evidence)."""
    payload = json.loads(zlib.decompress(bytes(data)))
    if payload.get("format") != _FORMAT:
        raise UsageError(
            f"this snapshot was saved by another version of ecograph (format {payload.get('format')})"
        )
    columns = payload["ties"]
    ties = [
        Collaboration._make((key, source, target, kind, weight, None, None, None, None, None, None))
        for key, source, target, kind, weight in zip(*(columns[f] for f in TIE_FIELDS), strict=True)
    ]
    return payload["organizations"], ties


def capture(store: Store, name: str) -> SavedSnapshot:
    """The store's current state as a :class:`SavedSnapshot` called *name* (not yet saved)."""
    check_name(name)
    version = store.store_version()
    ids = [o.id for o in store.organizations()]
    ties = list(store.collaborations())
    return SavedSnapshot(
        name=name,
        created=now_iso(),
        store_version=version,
        organizations=len(ids),
        collaborations=len(ties),
        data=pack(ids, ties),
    )


def graph(saved: SavedSnapshot, current: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """The saved state as a snapshot graph (``MultiDiGraph``), organisations described as *current* has them.

    An organisation no longer in *current* keeps only its id (as its name). The graph's
    attributes name the state (``state``) and its ``store_version``.

    Examples
    --------
    >>> now = nx.MultiDiGraph()
    >>> now.add_node("a", name="Alpha", category="startup")
    >>> saved = SavedSnapshot("s", "", 1, 2, 1, pack(["a", "gone"], [Collaboration("a", "gone", "mou")]))
    >>> G = graph(saved, now)
    >>> G.nodes["a"]["name"], G.nodes["gone"]["name"], G.graph["state"]
    ('Alpha', 'gone', 's')
    """
    if saved.data is None:
        raise ValueError("a listed snapshot has no payload; read it with Store.saved_snapshot(name)")
    ids, ties = unpack(saved.data)
    G = nx.MultiDiGraph(
        home_country=current.graph.get("home_country"),
        store_url=current.graph.get("store_url"),
        store_version=saved.store_version,
        state=saved.name,
    )
    G.add_nodes_from((v, current.nodes[v]) if v in current else (v, {"name": v}) for v in ids)
    G.add_edges_from(
        (
            t.source,
            t.target,
            t.key,
            {"kind": t.kind, "weight": t.weight, "year": tie_year(t.start), "directed": t.directed},
        )
        for t in ties
    )
    return G


def names(snapshots: Sequence[SavedSnapshot]) -> str:
    """``"A, B"``: the names, for messages."""
    return ", ".join(s.name for s in snapshots) or "none yet"
