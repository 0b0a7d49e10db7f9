"""Spreadsheet formula neutralisation for CSV cells, reversible so exports load back unchanged.

Every CSV that leaves ecograph — exports, the ``--format csv`` of every command, the
``--rejects`` file, the explorer's downloads — goes through :func:`neutralise`, most of
them through :func:`write`.

A cell starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return can run as a
formula when a spreadsheet opens the file (CSV injection), so exports prefix it with
``'``. The canonical loader strips exactly that prefix again; a value that itself starts
with ``'`` followed by such a character gets a second ``'`` so the round trip is exact.
"""

from __future__ import annotations

import csv
import math
import numbers
from collections.abc import Callable, Iterable, Sequence
from typing import IO

__all__ = ["neutralise", "restore", "write"]

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


def _cell(value: object, number: Callable[[float], str]) -> str:
    if value is None or isinstance(value, bool):
        return "" if value is None else str(value)
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, numbers.Real):
        return "" if math.isnan(value) else number(float(value))
    return neutralise(str(value))


def write(
    fh: IO[str],
    header: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    number: Callable[[float], str] = repr,
) -> None:
    """Write *header* and *rows* to *fh* as CSV that is safe to open in a spreadsheet.

    Text goes through :func:`neutralise`; whole numbers are written as they are, other
    numbers through *number* (NaN as an empty cell); None is an empty cell.

    Examples
    --------
    >>> import io
    >>> out = io.StringIO()
    >>> write(out, ["name", "z"], [["=HYPERLINK('http://x')", -1.5], ["+cmd|' /C calc'!A0", None]])
    >>> print(out.getvalue().replace(chr(13), ""), end="")
    name,z
    '=HYPERLINK('http://x'),-1.5
    '+cmd|' /C calc'!A0,
    """
    out = csv.writer(fh)
    out.writerow([neutralise(str(h)) for h in header])
    out.writerows([_cell(v, number) for v in row] for row in rows)
