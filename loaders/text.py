"""Reading text files whatever their encoding and compression: UTF-8 (with or without BOM),
else Windows-1252; plain, gzip (``.gz``) or a zip archive of one file (``.zip``), streamed."""

from __future__ import annotations

import codecs
import gzip
import hashlib
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

__all__ = ["CountingReader", "FileFacts", "examine", "open_binary", "open_text"]

_CHUNK = 1 << 20


@dataclass(frozen=True)
class FileFacts:
    """What one binary pass over a file tells: checksum, size and encoding."""

    sha256: str  # of the file as stored (compressed or not)
    size: int  # bytes a reader goes through: the file's, or a zip member's once unpacked
    encoding: str  # "utf-8-sig", "utf-8", "cp1252" or "latin-1"
    note: str | None = None  # said in the load report when the file is not plain UTF-8
    head: str = ""  # the first few KiB, decoded (unpacked), for format detection


class CountingReader(io.RawIOBase):
    """A binary file that counts the bytes read through it, for progress bars."""

    def __init__(self, raw: BinaryIO):
        self.raw = raw
        self.bytes_read = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[override]
        n = self.raw.readinto(buffer)  # type: ignore[attr-defined]
        self.bytes_read += n or 0
        return n

    def close(self) -> None:
        self.raw.close()
        super().close()


def open_binary(path: Path) -> tuple[BinaryIO, CountingReader, int]:
    """*path*'s content, unpacked as it is read; a counter of the bytes read; their total.

    A ``.gz`` file counts its packed bytes (the file's size is the total); a ``.zip``
    archive must hold one file, whose unpacked bytes are counted.
    """
    name = path.name.lower()
    if name.endswith(".zip"):
        archive = zipfile.ZipFile(path)
        members = [m for m in archive.infolist() if not m.is_dir()]
        if len(members) != 1:
            archive.close()
            raise OSError(f"a .zip file must hold one file to load; {path.name} holds {len(members)}")
        counter = CountingReader(archive.open(members[0]))  # the member keeps the archive open
        return counter, counter, members[0].file_size
    raw = open(path, "rb", buffering=0)  # noqa: SIM115 - closed by the caller
    counter = CountingReader(raw)
    size = path.stat().st_size
    if name.endswith(".gz"):
        return gzip.GzipFile(fileobj=io.BufferedReader(counter, _CHUNK), mode="rb"), counter, size
    return counter, counter, size


def examine(path: Path) -> FileFacts:
    """Checksum *path* and find its encoding in one pass, without holding it in memory."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
    decoder = codecs.getincrementaldecoder("utf-8")()
    utf8 = True
    first = b""
    stream, _, size = open_binary(path)
    with stream:
        while chunk := stream.read(_CHUNK):
            if not first:
                first = chunk[:8192]
            if utf8:
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError:
                    utf8 = False
    if utf8:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            utf8 = False
    if utf8:
        encoding = "utf-8-sig" if first.startswith(codecs.BOM_UTF8) else "utf-8"
        note = None
    else:
        # cp1252 leaves five bytes undefined; latin-1 decodes anything.
        encoding = "cp1252" if _decodes(path, "cp1252") else "latin-1"
        note = (
            f"{path.name} is not valid UTF-8; read as {'Windows-1252' if encoding == 'cp1252' else 'Latin-1'}"
        )
    head = first.decode(encoding, errors="replace")
    return FileFacts(digest.hexdigest(), size, encoding, note, head)


def _decodes(path: Path, encoding: str) -> bool:
    """Whether all of *path* decodes in *encoding*."""
    decoder = codecs.getincrementaldecoder(encoding)()
    stream, _, _ = open_binary(path)
    with stream:
        try:
            while chunk := stream.read(_CHUNK):
                decoder.decode(chunk)
        except UnicodeDecodeError:
            return False
    return True


def open_text(path: Path, encoding: str) -> tuple[io.TextIOWrapper, CountingReader]:
    """Open *path* for reading text in *encoding*; cp1252 falls back to U+FFFD per undefined byte."""
    stream, counter, _ = open_binary(path)
    buffered = stream if isinstance(stream, gzip.GzipFile) else io.BufferedReader(stream, buffer_size=_CHUNK)
    errors = "strict" if encoding.startswith("utf-8") else "replace"
    return io.TextIOWrapper(buffered, encoding=encoding, errors=errors, newline=""), counter
