"""Reading text files whatever their encoding: UTF-8 (with or without BOM), else Windows-1252."""

from __future__ import annotations

import codecs
import gzip
import hashlib
import io
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

__all__ = ["CountingReader", "FileFacts", "examine", "open_binary", "open_text"]

_CHUNK = 1 << 20


@dataclass(frozen=True)
class FileFacts:
    """What one binary pass over a file tells: checksum, size and encoding."""

    sha256: str
    size: int
    encoding: str  # "utf-8-sig", "utf-8", "cp1252" or "latin-1"
    note: str | None = None  # said in the load report when the file is not plain UTF-8
    head: str = ""  # the first few KiB, decoded, for format detection


def open_binary(path: Path):
    """The bytes *path* holds: a zip member's (``loaders.archive.Member``), a ``.gz`` file's
    decompressed, else the file's own; streamed, never unpacked to disk."""
    if hasattr(path, "open_bytes"):
        return path.open_bytes()
    if path.suffix.lower() == ".gz":
        return gzip.open(path, "rb")
    return open(path, "rb", buffering=0)


def examine(path: Path) -> FileFacts:
    """Checksum *path* and find its encoding in one pass, without holding it in memory."""
    digest = hashlib.sha256()
    decoder = codecs.getincrementaldecoder("utf-8")()
    utf8 = True
    size = 0
    first = b""
    with open_binary(path) as fh:
        try:
            while chunk := fh.read(_CHUNK):
                if not first:
                    first = chunk[:8192]
                size += len(chunk)
                digest.update(chunk)
                if utf8:
                    try:
                        decoder.decode(chunk)
                    except UnicodeDecodeError:
                        utf8 = False
        except (EOFError, zlib.error, zipfile.BadZipFile) as exc:  # a .gz or zip member cut short
            raise OSError(f"the compressed file is truncated or damaged ({exc}); download it again") from None
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
        try:
            first.decode("cp1252")
            encoding = "cp1252"
        except UnicodeDecodeError:
            encoding = "latin-1"
        note = (
            f"{path.name} is not valid UTF-8; read as {'Windows-1252' if encoding == 'cp1252' else 'Latin-1'}"
        )
    head = first.decode(encoding, errors="replace")
    return FileFacts(digest.hexdigest(), size, encoding, note, head)


class CountingReader(io.RawIOBase):
    """A binary file that counts the bytes read through it, for progress bars.

    With *end*, it ends there, as if the file did; ``bytes_read`` counts from the file's
    start, so a part of a file reports its progress as a position in the whole.
    """

    def __init__(self, raw: io.BufferedReader, start: int = 0, end: int | None = None):
        self.raw = raw
        self.bytes_read = start
        self.end = end

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[override]
        if self.end is not None:
            buffer = memoryview(buffer)[: max(0, self.end - self.bytes_read)]
        n = self.raw.readinto(buffer)
        self.bytes_read += n or 0
        return n

    def close(self) -> None:
        self.raw.close()
        super().close()


def open_text(
    path: Path, encoding: str, start: int = 0, end: int | None = None
) -> tuple[io.TextIOWrapper, CountingReader]:
    """Open *path* for reading text in *encoding*; cp1252 falls back to latin-1 per byte.

    *start* and *end* read only the bytes between them; both must fall between lines.
    """
    raw = open_binary(path)
    if start:
        raw.seek(start)
    counter = CountingReader(raw, start, end)
    buffered = io.BufferedReader(counter, buffer_size=_CHUNK)
    errors = "strict" if encoding.startswith("utf-8") else "replace"
    return io.TextIOWrapper(buffered, encoding=encoding, errors=errors, newline=""), counter
