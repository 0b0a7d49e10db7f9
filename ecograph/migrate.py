"""Copying a whole store to another (SQLite ↔ Neo4j), then proving the copy is the same."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass

from ecograph.errors import EcographError
from ecograph.report import LoadBatch
from ecograph.store import Store, WritePart, open_store

__all__ = ["MigrationFailed", "MigrationReport", "content_checksum", "migrate"]

#: Called as ``progress(step, done, total)``.
MigrationProgress = Callable[[str, int, int], None]


class MigrationFailed(EcographError):
    """The copy finished but its content differs from the source's."""

    exit_code = 1


@dataclass
class MigrationReport:
    source: str
    target: str
    organizations: int
    collaborations: int
    batches: int
    provenance: int
    batch: LoadBatch
    source_checksum: str
    target_checksum: str
    snapshots: int = 0

    @property
    def verified(self) -> bool:
        return self.source_checksum == self.target_checksum

    def as_dict(self) -> dict[str, object]:
        return {
            "source": self.source,
            "target": self.target,
            "organizations": self.organizations,
            "collaborations": self.collaborations,
            "batches": self.batches,
            "provenance": self.provenance,
            "snapshots": self.snapshots,
            "inserted": {
                "organizations": self.batch.organizations_inserted,
                "collaborations": self.batch.collaborations_inserted,
            },
            "updated": {
                "organizations": self.batch.organizations_updated,
                "collaborations": self.batch.collaborations_updated,
            },
            "source_checksum": self.source_checksum,
            "target_checksum": self.target_checksum,
            "verified": self.verified,
        }


def content_checksum(store: Store) -> str:
    """SHA-256 over every organisation and collaboration, in id and key order.

    Two stores with the same records have the same checksum whatever their kind; history
    (batches, provenance) is not part of it.
    """
    digest = hashlib.sha256()
    for org in store.organizations():
        digest.update(json.dumps(org.as_dict(), ensure_ascii=False, sort_keys=True, default=list).encode())
        digest.update(b"\n")
    digest.update(b"--\n")
    for tie in sorted(store.collaborations(), key=lambda t: t.key):
        digest.update(json.dumps(tie.as_dict(), ensure_ascii=False, sort_keys=True).encode())
        digest.update(b"\n")
    return digest.hexdigest()


def migrate(
    source: Store | str, target: Store | str, *, progress: MigrationProgress | None = None
) -> MigrationReport:
    """Copy organisations, collaborations, load batches, provenance and saved snapshots from *source* to *target*.

    The records go in as one load batch of the target (``migrate:<source URL>``), so the
    copy is all or nothing; the source's batches and provenance are then recorded as they
    were. Running it again changes nothing. Ends by comparing the two stores' content
    checksums.

    Raises
    ------
    MigrationFailed
        The target's content differs from the source's after the copy (it held other
        records before, say).
    """
    src = source if isinstance(source, Store) else open_store(source)
    dst = target if isinstance(target, Store) else open_store(target)
    step = progress or (lambda *_: None)
    try:
        step("reading", 0, 4)
        orgs = list(src.organizations())
        ties = list(src.collaborations())
        batches = src.batches()
        provenance = list(src.provenance())
        snapshots = [src.saved_snapshot(s.name) for s in src.saved_snapshots()]
        step("writing records", 1, 4)
        (batch,) = dst.write(
            [
                WritePart(
                    LoadBatch(file=f"migrate:{src.url}", format="migrate", rows_read=len(orgs) + len(ties)),
                    orgs,
                    ties,
                )
            ]
        )
        step("writing history", 2, 4)
        dst.import_history(batches, provenance)
        for saved in snapshots:
            dst.save_snapshot(saved, replace=True)  # type: ignore[arg-type]
        step("verifying", 3, 4)
        report = MigrationReport(
            source=src.url,
            target=dst.url,
            organizations=len(orgs),
            collaborations=len(ties),
            batches=len(batches),
            provenance=len(provenance),
            batch=batch,
            source_checksum=content_checksum(src),
            target_checksum=content_checksum(dst),
            snapshots=len(snapshots),
        )
        step("done", 4, 4)
        if not report.verified:
            raise MigrationFailed(
                f"copied {len(orgs)} organisations and {len(ties)} collaborations to {dst.url}, but its content "
                f"differs from {src.url} (checksums {report.target_checksum[:12]} vs {report.source_checksum[:12]}); "
                "did the target hold other records before?"
            )
        return report
    finally:
        if src is not source:
            src.close()
        if dst is not target:
            dst.close()
