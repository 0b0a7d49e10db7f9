"""ecograph's own files: organisations CSV, collaborations CSV and JSON Lines (README, "File formats").

This module tells them apart; :mod:`ecograph.ingest.read` reads them, CSV column-wise.
CSV files are told apart by their header (``id,name,kind`` or ``source,target,kind``), the
delimiter (``,``, ``;`` or tab) by counting it in the header line, and header names are
matched without case or surrounding spaces.
"""

from __future__ import annotations

import csv
from pathlib import Path

from loaders.base import register

__all__ = [
    "CANONICAL",
    "CanonicalFormat",
    "csv_kind",
    "csv_record_type",
    "header_names",
    "is_json_lines",
    "sniff_delimiter",
]


def sniff_delimiter(header_line: str) -> str:
    """The most frequent of ``,``, ``;`` and tab in *header_line* (``,`` on a tie)."""
    counts = {d: header_line.count(d) for d in (",", ";", "\t")}
    return max(counts, key=lambda d: (counts[d], d == ","))


def header_names(header_line: str, delimiter: str) -> list[str]:
    """The column names of a header line, without case, BOM or surrounding spaces."""
    row = next(csv.reader([header_line], delimiter=delimiter), [])
    return [name.strip().lstrip("\ufeff").strip().lower() for name in row]


def csv_kind(header: list[str]) -> str | None:
    """``organization`` or ``collaboration`` from a normalised header, or None."""
    names = set(header)
    if {"source", "target", "kind"} <= names:
        return "collaboration"
    if {"id", "name", "kind"} <= names or {"id", "name"} <= names:
        return "organization"
    return None


def is_json_lines(head: str) -> bool:
    return head.lstrip("\ufeff").lstrip().startswith("{")


def csv_record_type(head: str) -> str | None:
    """``organization`` or ``collaboration`` for a canonical CSV file starting with *head*;
    None for anything else (JSON Lines included)."""
    if is_json_lines(head) or not head.strip():
        return None
    line = head.lstrip("\ufeff").splitlines()[0]
    return csv_kind(header_names(line, sniff_delimiter(line)))


class CanonicalFormat:
    """The canonical files' format: detected here, read by :mod:`ecograph.ingest.read`."""

    name = "canonical"

    def detect(self, path: Path, head: str) -> bool:
        return is_json_lines(head) or csv_record_type(head) is not None


CANONICAL = register(CanonicalFormat())
