"""What every loader yields and how ``--format auto`` picks one."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Protocol

from ecograph.problems import Problem

__all__ = [
    "REGISTRY",
    "FileInfo",
    "Loader",
    "SourceRow",
    "Terms",
    "detect",
    "ragged_row",
    "register",
    "terms_of",
]

RecordType = Literal["organization", "collaboration"]


@dataclass(slots=True)
class SourceRow:
    """One raw record in canonical field names, not yet validated.

    ``data`` maps canonical field names (``id``, ``name``, ``kind``, ... or ``source``,
    ``target``, ``kind``, ...) to strings or JSON values; :mod:`ecograph.model` validates it.
    ``source``/``source_id`` name where the record came from (``ror``/``https://ror.org/…``)
    for provenance; canonical files leave them empty.
    """

    file: str
    row: int
    type: RecordType
    data: dict[str, object]
    source: str | None = None
    source_id: str | None = None


@dataclass
class FileInfo:
    """What a loader found out about a file while reading it; goes into the load report."""

    path: str
    format: str
    encoding: str = "utf-8"
    delimiter: str | None = None
    rows_read: int = 0
    skipped: int = 0
    notes: list[str] = field(default_factory=list)
    # counts of codes the loader met but could not map, e.g. {"activityType": {"XYZ": 3}}
    unknown_codes: dict[str, dict[str, int]] = field(default_factory=dict)
    size: int = 0
    # set by the loader to the CountingReader it reads through, so callers can show progress
    counter: object | None = field(default=None, repr=False)

    @property
    def bytes_read(self) -> int:
        return getattr(self.counter, "bytes_read", 0)


@dataclass(frozen=True)
class Terms:
    """The licence a public source publishes its data under, and how to credit it.

    A loader of public data declares its source's terms as ``terms``; every load of its
    files records them in the load batch (``LoadBatch.terms``), with the release loaded
    when the ``release`` loader option names it (``ecograph fetch`` does).
    """

    source: str  # as in SourceRow.source: "ror", "cordis", …
    name: str  # for people: "ROR", "CORDIS", …
    licence: str
    licence_url: str
    attribution: str


def terms_of(loader: object, options: dict[str, object] | None) -> dict[str, str] | None:
    """The terms a load of *loader*'s files records: its :class:`Terms`, and the release if
    the ``release`` option gives one; None for ecograph's own files."""
    terms = getattr(loader, "terms", None)
    if not isinstance(terms, Terms):
        return None
    out = dict(vars(terms))
    for key in ("release", "url"):
        if (options or {}).get(key):
            out[key] = str(options[key])  # type: ignore[index]
    return out


class Loader(Protocol):
    """A source format. ``read`` yields rows and problems lazily, filling ``info`` as it goes;
    :mod:`ecograph.ingest.read` gathers the rows into Arrow batches. (The canonical format is
    read there column-wise and has no ``read``.)"""

    name: str

    def detect(self, path: Path, head: str) -> bool:
        """True if *head* (the first few KiB of the file, decoded) looks like this format."""

    def read(self, path: Path, info: FileInfo, **options: object) -> Iterator[SourceRow | Problem]:
        """The rows of *path*; a Problem for each row that cannot become a raw record."""


REGISTRY: dict[str, Loader] = {}


def register(loader: Loader) -> Loader:
    REGISTRY[loader.name] = loader
    return loader


def detect(path: Path, head: str) -> Loader | None:
    """The first registered loader whose ``detect`` accepts the file; canonical is tried last."""
    ordered = sorted(REGISTRY.values(), key=lambda loader: loader.name == "canonical")
    for loader in ordered:
        if loader.detect(path, head):
            return loader
    return None


def ragged_row(file: str, row: int, fields: int, width: int) -> Problem:
    """The problem of a CSV row whose number of fields differs from its header's."""
    return Problem("ragged-row", file, row, None, note=f"the row has {fields} fields; the header has {width}")
