"""Load batches and load reports: what a load read, wrote and rejected."""

from __future__ import annotations

import datetime as _dt
import uuid
from dataclasses import asdict, dataclass, field

from ecograph.problems import Problem

__all__ = ["MAX_CHANGES", "MAX_PROBLEMS", "SHOWN_PROBLEMS", "LoadBatch", "LoadReport", "now_iso"]

# Keep this many problems in memory and on disk; show this many on a terminal.
MAX_PROBLEMS = 1000
SHOWN_PROBLEMS = 20
# Updated records a batch names, with the fields that changed (the counts cover the rest).
MAX_CHANGES = 20


def now_iso() -> str:
    return _dt.datetime.now(_dt.UTC).isoformat(timespec="milliseconds")


@dataclass
class LoadBatch:
    """One file of one load, as the store records it."""

    file: str
    sha256: str = ""
    format: str = "canonical"
    encoding: str = "utf-8"
    rows_read: int = 0
    rejected: int = 0
    organizations_inserted: int = 0
    organizations_updated: int = 0
    organizations_unchanged: int = 0
    collaborations_inserted: int = 0
    collaborations_updated: int = 0
    collaborations_unchanged: int = 0
    # entity resolution: records merged into an existing node, pairs sent to review
    organizations_merged: int = 0
    review_candidates: int = 0
    # the first MAX_CHANGES updated records: {"record", "key", "fields"}
    changes: list[dict[str, object]] = field(default_factory=list)
    # public data: the source's licence and attribution (loaders.base.Terms), and its release
    terms: dict[str, str] | None = None
    started: str = field(default_factory=now_iso)
    finished: str | None = None
    id: str = field(default_factory=lambda: uuid.uuid4().hex)

    def as_dict(self) -> dict[str, object]:
        return asdict(self)

    @property
    def changed(self) -> int:
        return (
            self.organizations_inserted
            + self.organizations_updated
            + self.collaborations_inserted
            + self.collaborations_updated
        )


@dataclass
class LoadReport:
    """What a load (or a dry run) found: per-file batches, the problems, and notes."""

    batches: list[LoadBatch] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    problem_count: int = 0
    notes: list[str] = field(default_factory=list)
    dry_run: bool = False
    written: bool = False
    store_version: int | None = None

    def add_problem(self, problem: Problem) -> None:
        self.problem_count += 1
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(problem)

    @property
    def ok(self) -> bool:
        return self.problem_count == 0

    def totals(self) -> dict[str, dict[str, int]]:
        out = {
            "organizations": {"inserted": 0, "updated": 0, "unchanged": 0},
            "collaborations": {"inserted": 0, "updated": 0, "unchanged": 0},
        }
        for b in self.batches:
            for kind in out:
                for what in out[kind]:
                    out[kind][what] += getattr(b, f"{kind}_{what}")
        out["rows"] = {
            "read": sum(b.rows_read for b in self.batches),
            "rejected": sum(b.rejected for b in self.batches),
        }
        return out

    def summary_line(self) -> str:
        if self.problem_count and not self.written and not self.dry_run:
            files = sorted({p.file for p in self.problems})
            return (
                f"{self.problem_count} problem{'s' if self.problem_count != 1 else ''} "
                f"in {', '.join(files)}; nothing was written"
            )
        t = self.totals()
        o, c = t["organizations"], t["collaborations"]
        line = (
            f"organisations: {o['inserted']} inserted, {o['updated']} updated, {o['unchanged']} unchanged; "
            f"collaborations: {c['inserted']} inserted, {c['updated']} updated, {c['unchanged']} unchanged"
        )
        merged = sum(b.organizations_merged for b in self.batches)
        queued = sum(b.review_candidates for b in self.batches)
        if merged:
            line += f"; {merged} organisation record{'s' if merged != 1 else ''} matched to existing ones"
        if queued:
            line += (
                f"; {queued} possible match{'es' if queued != 1 else ''} sent to review (ecograph resolve)"
            )
        if t["rows"]["rejected"]:
            line += f"; {t['rows']['rejected']} rows rejected"
        if self.dry_run:
            line = "dry run, nothing written: would be " + line
        return line

    def change_lines(self, limit: int = SHOWN_PROBLEMS) -> list[str]:
        """One line per updated record the batches name: what changed, for a reload's report."""
        changes = [c for b in self.batches for c in b.changes]
        lines = [f"updated {c['record']} {c['key']}: {', '.join(c['fields'])}" for c in changes[:limit]]
        updated = sum(b.organizations_updated + b.collaborations_updated for b in self.batches)
        if updated > len(lines):
            lines.append(f"... and {updated - len(lines)} more updated")
        return lines if changes else []

    def problem_lines(self, limit: int = SHOWN_PROBLEMS) -> list[str]:
        lines = [str(p) for p in self.problems[:limit]]
        if self.problem_count > limit:
            lines.append(f"... and {self.problem_count - limit} more")
        return lines

    def as_dict(self) -> dict[str, object]:
        totals = self.totals()
        return {
            "ok": self.ok,
            "dry_run": self.dry_run,
            "written": self.written,
            "store_version": self.store_version,
            "organizations": totals["organizations"],
            "collaborations": totals["collaborations"],
            "rows_read": totals["rows"]["read"],
            "rejected": totals["rows"]["rejected"],
            "organizations_merged": sum(b.organizations_merged for b in self.batches),
            "review_candidates": sum(b.review_candidates for b in self.batches),
            "problem_count": self.problem_count,
            "problems": [p.as_dict() for p in self.problems],
            "notes": self.notes,
            "files": [b.as_dict() for b in self.batches],
        }
