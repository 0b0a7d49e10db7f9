"""Spreadsheet formula neutralisation for CSV cells, reversible so exports load back unchanged.

A cell starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return can run as a
formula when a spreadsheet opens the file (CSV injection), so exports prefix it with
``'``. The canonical loader strips exactly that prefix again; a value that itself starts
with ``'`` followed by such a character gets a second ``'`` so the round trip is exact.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

__all__ = ["csv_text", "neutralise", "restore"]

_TRIGGERS = frozenset("=+-@\t\r")


def _needs_prefix(value: str) -> bool:
    return bool(value) and (
        value[0] in _TRIGGERS or (value[0] == "'" and len(value) > 1 and _needs_prefix(value[1:]))
    )


def neutralise(value: str) -> str:
    """*value* made safe to open in a spreadsheet.

    Examples
    --------
    >>> neutralise("=cmd|' /C calc'!A0"), neutralise("Hà Nội")
    ("'=cmd|' /C calc'!A0", 'Hà Nội')
    """
    return "'" + value if _needs_prefix(value) else value


def restore(value: str) -> str:
    """The inverse of :func:`neutralise`.

    Examples
    --------
    >>> all(restore(neutralise(v)) == v for v in ["=1+2", "'=x", "''@y", "plain", "'quoted'"])
    True
    """
    if value[:1] == "'" and _needs_prefix(value[1:]):
        return value[1:]
    return value


def csv_text(columns: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """CSV text with a header, every text cell neutralised (numbers and empty cells as they are).

    Examples
    --------
    >>> print(csv_text(["name", "value"], [["=1+2", -0.5], ["Huế", None]]), end="")
    name,value
    '=1+2,-0.5
    Huế,
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([neutralise(str(c)) for c in columns])
    writer.writerows(
        ["" if x is None else neutralise(x) if isinstance(x, str) else x for x in row] for row in rows
    )
    return buffer.getvalue()
