"""Reading text files whatever their encoding and packing: UTF-8 (with or without BOM), else
Windows-1252; a plain file, a ``.gz`` file or a zip member (:mod:`loaders.archive`), streamed."""

from __future__ import annotations

import codecs
import gzip
import hashlib
import io
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np
import pyarrow as pa

__all__ = ["CountingReader", "FileFacts", "examine", "open_binary", "open_text"]

_CHUNK = 1 << 20


@dataclass(frozen=True)
class FileFacts:
    """What one binary pass over a file tells: checksum, size and encoding."""

    sha256: str  # of the content: a file has one checksum however it is packed
    size: int  # bytes of the content (a compressed file's once unpacked)
    encoding: str  # "utf-8-sig", "utf-8", "cp1252" or "latin-1"
    note: str | None = None  # said in the load report when the file is not plain UTF-8
    head: str = ""  # the first few KiB, decoded, for format detection


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

    def read(self, size: int = -1) -> bytes:
        """Up to *size* bytes, read straight into the bytes returned (the inherited read
        fills a buffer of its own first and copies it: twice the memory per block)."""
        data = self.raw.read(size)
        self.bytes_read += len(data or b"")
        return data

    def close(self) -> None:
        self.raw.close()
        super().close()


def open_binary(path: Path) -> CountingReader:
    """The bytes *path* holds: a zip member's (``loaders.archive.Member``), a ``.gz`` file's
    decompressed, else the file's own; streamed, never unpacked to disk, and counted in
    ``bytes_read`` (of :attr:`FileFacts.size`)."""
    if hasattr(path, "open_bytes"):
        return CountingReader(path.open_bytes())
    if path.suffix.lower() == ".gz":
        return CountingReader(gzip.open(path, "rb"))  # type: ignore[arg-type]
    return CountingReader(open(path, "rb", buffering=0))


def examine(path: Path) -> FileFacts:
    """Checksum *path* and find its encoding in one pass, without holding it in memory."""
    digest = hashlib.sha256()
    utf8 = True
    cut = b""  # the start of a character the last chunk ended inside
    first = b""
    buffer = bytearray(_CHUNK)  # one buffer for the whole pass: no new memory per chunk
    with _reading(path) as fh:
        while n := fh.readinto(buffer):
            chunk = buffer if n == _CHUNK else buffer[:n]
            if not first:
                first = bytes(chunk[:8192])
            digest.update(chunk)
            if utf8 and not (chunk.isascii() and not cut):  # ASCII is UTF-8
                text = cut + chunk
                end = _whole_characters(text)
                utf8, cut = _is_utf8(memoryview(text)[:end]), bytes(text[end:])
        size = fh.bytes_read
    if utf8 and not cut:
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


def _whole_characters(data: bytes | bytearray) -> int:
    """Where the last whole UTF-8 character of *data* ends: a chunk may cut one in two."""
    for back in range(1, min(4, len(data)) + 1):
        byte = data[-back]
        if byte < 0x80:
            return len(data)
        if byte >= 0xC0:  # the first byte of a character of this many bytes
            return len(data) - back if back < (2 if byte < 0xE0 else 3 if byte < 0xF0 else 4) else len(data)
    return len(data)


def _is_utf8(data: memoryview) -> bool:
    """Whether *data* is valid UTF-8, checked by Arrow without decoding it (Python's decoder
    makes a string of it: several times the work)."""
    offsets = pa.py_buffer(np.array([0, len(data)], np.int64))
    try:
        pa.Array.from_buffers(pa.large_string(), 1, [None, offsets, pa.py_buffer(data)]).validate(full=True)
    except pa.ArrowInvalid:
        return False
    return True


@contextmanager
def _reading(path: Path) -> Iterator[CountingReader]:
    """:func:`open_binary` for a whole pass: a compressed file cut short is one OSError."""
    try:
        with open_binary(path) as stream:
            yield stream
    except (EOFError, zlib.error, zipfile.BadZipFile, gzip.BadGzipFile) as exc:
        raise OSError(f"the compressed file is truncated or damaged ({exc}); download it again") from None


def _decodes(path: Path, encoding: str) -> bool:
    """Whether all of *path* decodes in *encoding*."""
    decoder = codecs.getincrementaldecoder(encoding)()
    with _reading(path) as fh:
        try:
            while chunk := fh.read(_CHUNK):
                decoder.decode(chunk)
        except UnicodeDecodeError:
            return False
    return True


def open_text(path: Path, encoding: str) -> tuple[io.TextIOWrapper, CountingReader]:
    """Open *path* for reading text in *encoding*; cp1252 falls back to U+FFFD per undefined byte."""
    counter = open_binary(path)
    buffered = io.BufferedReader(counter, buffer_size=_CHUNK)
    errors = "strict" if encoding.startswith("utf-8") else "replace"
    return io.TextIOWrapper(buffered, encoding=encoding, errors=errors, newline=""), counter
