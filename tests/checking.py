"""Records checked through the load path's own reader and validator, one or many at a time."""

from __future__ import annotations

from pathlib import Path

from ecograph.ingest.read import read_rows
from ecograph.ingest.validate import check
from ecograph.model import collaborations_from, organizations_from
from ecograph.problems import Problem
from loaders.base import FileInfo, SourceRow


def checked(record_type: str, raws: list[dict], home: str = "VN") -> list[tuple[object, list[Problem]]]:
    """For each raw record (field name -> value as a file gives it): the record, or None and
    the problems that stop it, in the order they are reported."""
    items = iter([SourceRow("t", row, record_type, raw) for row, raw in enumerate(raws, start=1)])
    made = organizations_from if record_type == "organization" else collaborations_from
    records, problems = {}, {}
    for batch in read_rows(0, Path("t"), items, FileInfo("t", "test"), None):
        result = check(batch, home)
        records.update(zip(result.table["_row"].to_pylist(), made(result.table), strict=True))
        for *_, problem in sorted(result.problems, key=lambda found: found[:3]):
            problems.setdefault(problem.row, []).append(problem)
    return [(records.get(row), problems.get(row, [])) for row in range(1, len(raws) + 1)]


def parse_organization(raw: dict, home: str = "VN"):
    return checked("organization", [raw], home)[0]


def parse_collaboration(raw: dict):
    return checked("collaboration", [raw])[0]
