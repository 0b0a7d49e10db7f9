"""Reading a CSV that ecograph wrote, as a spreadsheet would, in the tests of its safety."""

from __future__ import annotations

import csv
import io

#: What a spreadsheet runs as a formula when a cell starts with it.
TRIGGERS = tuple("=+-@\t\r")


def cells(text: str | bytes) -> list[str]:
    """Every cell of the CSV *text* (bytes are UTF-8, with or without BOM)."""
    if isinstance(text, bytes):
        text = text.decode("utf-8-sig")
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


def formulas(text: str | bytes) -> list[str]:
    """The cells of *text* a spreadsheet would run: those starting with a trigger, numbers
    (``-1.5``) apart."""
    return [c for c in cells(text) if c.startswith(TRIGGERS) and not _number(c)]


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
