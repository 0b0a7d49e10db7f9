"""Problems found in input: one stable type slug each, a message from a per-type template.

Row numbers count physical lines of the file, the header being line 1: the first data row
of a CSV file is row 2 (as a spreadsheet shows it), the first object of a JSON Lines file
is row 1.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["TEMPLATES", "Problem"]

TEMPLATES: dict[str, str] = {
    "missing-field": "required field is empty; expected {note}",
    "missing-column": "the header has no column '{field}'; expected {note}",
    "duplicate-column": "the header names column '{field}' twice; expected {note}",
    "too-long": "the value is {value} long; expected {note}",
    "unknown-kind": "unknown kind {value!r}; expected one of {note}",
    "bad-country": "{value!r} is not an ISO 3166-1 alpha-2 country code; expected {note}",
    "bad-id": "{value!r} is not a valid id; expected {note}",
    "bad-number": "{value!r} is not a number; expected {note}",
    "bad-weight": "weight {value!r} is not allowed; expected {note}",
    "bad-year": "{value!r} is not a year; expected {note}",
    "bad-date": "{value!r} is not a date; expected {note}",
    "bad-value": "{value!r} is not allowed; expected {note}",
    "bad-list": "{value!r} is not a list; expected {note}",
    "ragged-row": "{note}",
    "bad-json": "{note}",
    "bad-type": "{note}",
    "duplicate-id-conflict": "id {value!r} appears again with different values; {note}",
    "duplicate-tie-conflict": "collaboration {value!r} appears again with different values; {note}",
    "dangling-reference": "organisation {value!r} is neither in the store nor in this load; {note}",
    "self-loop": "source and target are both {value!r}; {note}",
    "unknown-format": "{note}",
    "unreadable-file": "{note}",
}


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with one field of one row of one file."""

    type: str
    file: str
    row: int | None
    field: str | None
    value: object = None
    note: str = ""

    @property
    def message(self) -> str:
        return TEMPLATES.get(self.type, "{note}").format(field=self.field, value=self.value, note=self.note)

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f":{self.row}"
        if self.field:
            where += f": {self.field}"
        return f"{where}: {self.message}"

    def as_dict(self) -> dict[str, object]:
        return {
            "type": self.type,
            "file": self.file,
            "row": self.row,
            "field": self.field,
            "value": None if self.value is None else str(self.value),
            "message": self.message,
        }
