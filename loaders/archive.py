"""Compressed files: a ``.gz`` file reads as the file it holds, a ``.zip`` file as the folder of its members.

Nothing is unpacked to disk. :func:`loaders.text.open_binary` streams a ``.gz`` file
through :mod:`gzip` and a zip member through :mod:`zipfile`; a zip file given to
``ecograph load`` becomes its members that a loader recognises (:func:`expand`), so a ROR
data dump (``v2.0-2025-12-16-ror-data.zip``: the v2 JSON beside CSV and v1 files), a CORDIS
programme (``cordis-HORIZONprojects-csv.zip``: ``organization.csv`` and ``project.csv``
beside topics and links), an OpenAlex snapshot part (``part_000.gz``) or a Crunchbase
export zip load as they are downloaded. Members that no loader reads are left out and
named in the load report's notes. A zip member's companions (the ``project.csv`` a
CORDIS ``organization.csv`` joins) are the other members of the same zip
(:func:`siblings`).
"""

from __future__ import annotations

import fnmatch
import zipfile
from collections.abc import Sequence
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from ecograph.errors import InputUnavailable
from loaders.base import REGISTRY, detect

__all__ = ["Member", "expand", "siblings"]

_HEAD = 8192  # bytes of a member read to recognise its format, as for a plain file


class Member:
    """One file inside a zip archive, with the little of :class:`pathlib.Path` the loaders use.

    ``str(member)`` is ``archive.zip/inner/name.csv``: the name load reports and problems
    give. :meth:`open_bytes` streams the member's content without extracting it.
    """

    def __init__(self, archive: Path, inner: str, size: int = 0):
        self.archive = Path(archive)
        self.inner = inner
        self.size = size
        pure = PurePosixPath(inner)
        self.name = pure.name
        self.suffix = pure.suffix

    def open_bytes(self) -> BinaryIO:
        with zipfile.ZipFile(self.archive) as zf:
            # the member stream keeps the archive's file open until it is closed itself
            return zf.open(self.inner)  # type: ignore[return-value]

    def is_file(self) -> bool:
        return True

    def __str__(self) -> str:
        return f"{self.archive}/{self.inner}"

    def __repr__(self) -> str:
        return f"Member({str(self.archive)!r}, {self.inner!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Member) and (self.archive, self.inner) == (other.archive, other.inner)

    def __hash__(self) -> int:
        return hash((self.archive, self.inner))


def _members(archive: Path) -> list[Member]:
    try:
        with zipfile.ZipFile(archive) as zf:
            infos = [i for i in zf.infolist() if not i.is_dir()]
    except zipfile.BadZipFile as exc:
        raise InputUnavailable(
            f"cannot read {archive}: not a complete zip file ({exc}); download it again"
        ) from None
    return [Member(archive, i.filename, i.file_size) for i in infos]


def _head(member: Member) -> str:
    with member.open_bytes() as fh:
        return fh.read(_HEAD).decode("utf-8", errors="replace")


def expand(paths: Sequence[Path], format: str = "auto") -> tuple[list[Path | Member], list[str]]:
    """*paths* with every ``.zip`` file replaced by the members a loader reads, and notes on
    the members left out.

    With a named *format*, the members that loader recognises; with ``auto``, the members
    any loader recognises. A zip with none raises :class:`InputUnavailable`.
    """
    out: list[Path | Member] = []
    notes: list[str] = []
    for path in paths:
        if path.suffix.lower() != ".zip":
            out.append(path)
            continue
        members = _members(path)
        named = REGISTRY.get(format)
        kept = []
        for m in members:
            if m.suffix.lower() in (".zip", ".gz"):
                continue  # an archive inside an archive: unpack it first
            head = _head(m)
            if named.detect(m, head) if named else detect(m, head) is not None:  # type: ignore[arg-type]
                kept.append(m)
        if not kept:
            listed = ", ".join(m.inner for m in members[:10]) + (" …" if len(members) > 10 else "")
            raise InputUnavailable(
                f"cannot read {path}: none of its files is in a format ecograph reads ({listed or 'it is empty'})"
            )
        left = [m.inner for m in members if m not in kept]
        if left:
            notes.append(
                f"{path.name}: read {', '.join(m.inner for m in kept)}; left out {len(left)} other "
                f"file{'s' if len(left) != 1 else ''} ({', '.join(left[:6])}{' …' if len(left) > 6 else ''})"
            )
        out.extend(kept)
    return out, notes


def siblings(path: Path | Member, pattern: str) -> list[Path | Member]:
    """The files beside *path* whose names match *pattern*: the folder's files, or the other
    members of *path*'s zip, sorted by name."""
    if isinstance(path, Member):
        found: list[Path | Member] = [
            m
            for m in _members(path.archive)
            if m != path and fnmatch.fnmatch(m.name.lower(), pattern.lower())
        ]
    else:
        here = path.resolve()
        found = [p for p in path.parent.glob(pattern) if p.is_file() and p.resolve() != here]
    return sorted(found, key=lambda p: p.name)
