"""Entity resolution commands: resolve (the review queue), merge, split."""

from __future__ import annotations

import click

from ecograph.cli.options import emit_table, format_option, store_option
from ecograph.cli.terminal import echo

__all__ = ["COMMANDS"]

_STATUSES = ("open", "merged", "distinct", "all")


def _name(store, id: str) -> str:
    org = store.organization(id)
    return f"{org.name} ({org.country})" if org else f"{id} (merged)"


@click.command()
@store_option
@click.option("--status", type=click.Choice(_STATUSES), default="open", show_default=True,
              help="Which candidates to list.")  # fmt: skip
@click.option("--merges", "show_merges", is_flag=True, help="List the merge journal instead of the queue.")
@click.option("--distinct", nargs=2, metavar="A B", help="Decide that A and B are different organisations.")
@format_option
def resolve(
    store: str | None, status: str, show_merges: bool, distinct: tuple[str, str] | None, fmt: str
) -> None:
    """List possible duplicate organisations waiting for a decision, with the evidence.

    Loads of public data merge certain matches by themselves (same ROR or other id, same
    website, same name in the same country) and queue the unsure ones here. Decide each
    with `ecograph merge KEPT OTHER` or `ecograph resolve --distinct A B`; undo a merge
    with `ecograph split OTHER`.

    \b
    Example:
      ecograph resolve
      ecograph merge ror:04kq4sq72 cordis:889354021
    """
    from ecograph.errors import UsageError
    from ecograph.resolution.merging import decide
    from ecograph.resolution.records import Edit
    from ecograph.store import open_store

    with open_store(store) as handle:
        if distinct:
            a, b = distinct
            if a == b:
                raise UsageError("--distinct needs two different ids")
            for id_ in (a, b):
                if handle.organization(id_) is None:
                    raise UsageError(f"no organisation with id {id_!r} in {handle.url}")
            handle.apply(Edit(candidates=[decide(handle, a, b, "distinct", "manual", score=0.0)]))
            echo(f"{a} and {b} are kept apart; no load will merge or propose them again")
            return
        if show_merges:
            rows = [
                {"id": m.id, "kept": m.kept, "absorbed": m.absorbed, "rule": m.rule,
                 "automatic": m.automatic, "at": m.at, "split_at": m.split_at}
                for m in handle.merges()
            ]  # fmt: skip
            emit_table(rows, fmt, title="merges", note="undo one with: ecograph split ABSORBED")
            return
        rows = [
            {"a": c.a, "a_name": _name(handle, c.a), "b": c.b, "b_name": _name(handle, c.b),
             "score": c.score, "rule": c.rule, "evidence": _evidence(c.evidence), "status": c.status}
            for c in handle.candidates(None if status == "all" else status)
        ]  # fmt: skip
        rows.sort(key=lambda r: -float(r["score"]))  # type: ignore[arg-type]
        emit_table(
            rows,
            fmt,
            title="review queue",
            note="decide: ecograph merge A B | ecograph resolve --distinct A B",
        )


def _evidence(evidence: dict) -> str:
    return "; ".join(
        f"{k}: {', '.join(map(str, v)) if isinstance(v, list) else v}" for k, v in evidence.items()
    )


@click.command()
@click.argument("kept")
@click.argument("absorbed")
@click.option("--reason", help="Why; kept in the merge journal.")
@store_option
def merge(kept: str, absorbed: str, reason: str | None, store: str | None) -> None:
    """Merge organisation ABSORBED into KEPT: its ties, identifiers and sources move over.

    The merge is journalled and can be undone with `ecograph split ABSORBED`.

    \b
    Example:
      ecograph merge ror:02jmfj006 openalex:I4210111099 --reason "same university"
    """
    from ecograph.resolution.merging import merge as run_merge
    from ecograph.store import open_store

    with open_store(store) as handle:
        journal = run_merge(handle, kept, absorbed, reason=reason)
        dropped = len(journal.undo.get("dropped", []))
        echo(
            f"merged {absorbed} into {kept} (merge {journal.id})"
            + (f"; {dropped} ties folded into existing ones" if dropped else "")
        )


@click.command()
@click.argument("absorbed")
@store_option
def split(absorbed: str, store: str | None) -> None:
    """Undo the merge that absorbed ABSORBED: it becomes its own organisation again.

    Works for merges made by a load and by `ecograph merge`. The two are then kept apart.

    \b
    Example:
      ecograph split cordis:889354021
    """
    from ecograph.resolution.merging import split as run_split
    from ecograph.store import open_store

    with open_store(store) as handle:
        journal = run_split(handle, absorbed)
        echo(f"split {absorbed} from {journal.kept}; they are kept apart from now on")


COMMANDS = [resolve, merge, split]
