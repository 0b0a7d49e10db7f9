"""The bytes behind an Arrow text column: one search over them answers for every value.

Whether any value of a column holds a line break, a character outside ASCII or a control
character is a question the load asks of every column; a search over the column's UTF-8
data (at C speed, no value made a Python object) answers it, and the compute function
that changes values runs only where the answer is yes.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pyarrow as pa

__all__ = ["holds", "value_bytes"]


def value_bytes(values: pa.Array) -> bytes:
    """The UTF-8 bytes of a string array's values, one after another (a null holds none).

    Examples
    --------
    >>> value_bytes(pa.array(["ab", None, "c\\nd"]).slice(1))
    b'c\\nd'
    """
    if not len(values) or values.null_count == len(values):
        return b""
    _, offsets, data = values.buffers()
    ends = np.frombuffer(offsets, np.int32)
    return memoryview(data)[ends[values.offset] : ends[values.offset + len(values)]].tobytes()


def holds(data: bytes, chars: bytes) -> bool:
    """Whether *data* holds any of the bytes *chars*.

    One pass of :meth:`bytes.translate` deleting every other byte: about ten times as fast
    as a regular expression's character class.

    Examples
    --------
    >>> holds(b"plain text", b"\\x00\\x0b"), holds(b"tab\\x0bbed", b"\\x00\\x0b")
    (False, True)
    """
    return bool(data.translate(None, _others(chars)))


@cache
def _others(chars: bytes) -> bytes:
    return bytes(b for b in range(256) if b not in chars)
