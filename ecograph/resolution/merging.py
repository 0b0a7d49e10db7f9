"""Merging two organisations on request, and splitting any merge apart again.

A merge absorbs one node into another: its ties move over, its identifiers and sources
follow, and its names become aliases. The journal entry (:class:`Merge`) keeps what is
needed to undo it: the absorbed record, the kept node before and after, and the ties the
merge had to drop (a tie between the two, or one the kept node already had). A split
replays that journal backwards, and moves back every tie end and identifier that came
through the absorbed record — also those loaded after the merge — because tie ends and
identifiers remember the id they were written under.
"""

from __future__ import annotations

from dataclasses import replace

from ecograph.errors import UnknownOrganisation, UsageError
from ecograph.model import LIST_FIELDS, Collaboration, Organization
from ecograph.names import name_key
from ecograph.report import now_iso
from ecograph.resolution.records import RECORD, Candidate, Edit, Identifier, Merge, Rewrite
from ecograph.resolution.resolver import combine, resolve_chain

__all__ = ["decide", "merge", "split"]


def _organization(data: dict) -> Organization:
    return Organization(**{k: tuple(v) if k in LIST_FIELDS and v else v for k, v in data.items()})


def _node(store, id: str) -> Organization:
    org = store.organization(id)
    if org is not None:
        return org
    aliases = store.aliases([id])
    if id in aliases:
        raise UsageError(f"{id} was merged into {aliases[id]}; name that organisation instead")
    raise UnknownOrganisation(f"no organisation with id {id!r} in {store.url}")


def _moved(tie: Collaboration, old: str, new: str) -> tuple[Collaboration, dict[str, str]]:
    """*tie* with end *old* moved to *new*; and, per end of the result, which end it was."""
    moved = tie.replace(
        source=new if tie.source == old else tie.source, target=new if tie.target == old else tie.target
    )
    swapped = moved.source != (new if tie.source == old else tie.source)
    return moved, (
        {"source": "target", "target": "source"} if swapped else {"source": "source", "target": "target"}
    )


def decide(store, a: str, b: str, status: str, rule: str, score: float = 1.0) -> Candidate:
    """The review-queue entry for *a* and *b* with *status* decided now (made if absent)."""
    for c in store.candidates():
        if c.pair == ((a, b) if a < b else (b, a)):
            c.status, c.decided = status, now_iso()
            return c
    return Candidate(a, b, score, rule, {}, status=status, decided=now_iso())


def merge(store, kept: str, absorbed: str, *, reason: str | None = None) -> Merge:
    """Absorb organisation *absorbed* into *kept*, in one transaction; returns the journal entry.

    Raises
    ------
    UnknownOrganisation
        Either id names no organisation.
    UsageError
        The two ids are the same, or one was already merged into another node.
    """
    if kept == absorbed:
        raise UsageError("an organisation cannot be merged into itself; name two different ids")
    a, b = _node(store, kept), _node(store, absorbed)
    after = combine(a, b, owner=False)
    edit = Edit(organizations=[after], delete_organizations=[absorbed])
    ties = store.collaborations_of([kept, absorbed])
    kept_keys = {t.key for t in ties if absorbed not in (t.source, t.target)}
    rewrites: dict[tuple[str, str], str] = {
        (r.tie_key, r.end): r.original for r in store.rewrites(t.key for t in ties)
    }
    dropped: list[dict] = []
    for tie in ties:
        if absorbed not in (tie.source, tie.target):
            continue
        moved, was = _moved(tie, absorbed, kept)
        edit.delete_collaborations.append(tie.key)
        edit.delete_rewrites.extend(
            (tie.key, end) for end in ("source", "target") if (tie.key, end) in rewrites
        )
        if moved.source == moved.target or moved.key in kept_keys:
            dropped.append(
                tie.as_dict() | {"rewrites": {e: rewrites.get((tie.key, e)) for e in ("source", "target")}}
            )
            continue
        kept_keys.add(moved.key)
        edit.collaborations.append(moved)
        for end, before in was.items():
            original = rewrites.get((tie.key, before)) or (
                absorbed if getattr(tie, before) == absorbed else None
            )
            if original is not None:
                edit.rewrites.append(Rewrite(moved.key, end, original))
    own = [i for i in store.identifiers([absorbed]) if i.scheme != RECORD]
    edit.delete_identifiers.extend(own)
    edit.identifiers.extend(replace(i, org_id=kept) for i in own)
    edit.identifiers.append(Identifier(RECORD, absorbed, kept, absorbed))
    edit.candidates.append(decide(store, kept, absorbed, "merged", "manual"))
    journal = Merge(
        kept, absorbed, "manual", automatic=False, evidence={"reason": reason} if reason else {},
        undo={"record": b.as_dict(), "kept_before": a.as_dict(), "kept_after": after.as_dict(), "dropped": dropped},
    )  # fmt: skip
    edit.merges.append(journal)
    store.apply(edit)
    return journal


def split(store, absorbed: str) -> Merge:
    """Undo the merge that absorbed *absorbed*: it becomes a node again, with its ties.

    The pair is marked ``distinct`` in the review queue so that the next load does not
    merge it again. Returns the journal entry, now with ``split_at`` set.
    """
    active = [m for m in store.merges() if m.absorbed == absorbed and m.active]
    if not active:
        raise UsageError(
            f"{absorbed} is not merged into another organisation; `ecograph resolve --merges` lists merges"
        )
    journal = active[-1]
    aliases = {i.value: i.org_id for i in store.identifiers() if i.scheme == RECORD and i.value != absorbed}
    node = resolve_chain(journal.kept, aliases)
    current = store.organization(node)
    if current is None:
        raise UsageError(f"{absorbed} was merged into {journal.kept}, which is no longer in {store.url}")

    def came_from_absorbed(original: str | None) -> bool:
        return original is not None and resolve_chain(original, aliases) == absorbed

    restored = _organization(journal.undo["record"])
    edit = Edit(organizations=[restored])
    before, after = (journal.undo.get(k) for k in ("kept_before", "kept_after"))
    if before and after and current == _organization(after):
        edit.organizations.append(_organization(before))
    else:  # changed since (or made by the same load): keep it, less the names the merge added
        added = set(after["aliases"]) - set(before["aliases"]) if before and after else {restored.name}
        gone = {name_key(a) for a in added}
        edit.organizations.append(
            replace(current, aliases=tuple(a for a in current.aliases if name_key(a) not in gone))
        )
    edit.delete_identifiers.append(Identifier(RECORD, absorbed, journal.kept, absorbed))
    for ident in store.identifiers([node]):
        if ident.scheme != RECORD and came_from_absorbed(ident.record):
            edit.delete_identifiers.append(ident)
            edit.identifiers.append(replace(ident, org_id=absorbed))
    ties = store.collaborations_of([node])
    rewrites = {(r.tie_key, r.end): r.original for r in store.rewrites(t.key for t in ties)}
    for tie in ties:
        back = {end for end in ("source", "target") if came_from_absorbed(rewrites.get((tie.key, end)))}
        if not back:
            continue
        moved = tie.replace(**{end: absorbed for end in back})
        edit.delete_collaborations.append(tie.key)
        edit.delete_rewrites.extend(
            (tie.key, end) for end in ("source", "target") if (tie.key, end) in rewrites
        )
        edit.collaborations.append(moved)
        swapped = moved.source != (absorbed if "source" in back else tie.source)
        for end in ("source", "target"):
            before = {"source": "target", "target": "source"}[end] if swapped else end
            original = rewrites.get((tie.key, before))
            if original is not None and original != getattr(moved, end):
                edit.rewrites.append(Rewrite(moved.key, end, original))
    for data in journal.undo.get("dropped", []):
        data = dict(data)
        old_rewrites = data.pop("rewrites", {}) or {}
        tie = Collaboration(**data)
        edit.collaborations.append(tie)
        edit.rewrites.extend(
            Rewrite(tie.key, end, o) for end, o in old_rewrites.items() if o and o != getattr(tie, end)
        )
    edit.candidates.append(decide(store, journal.kept, absorbed, "distinct", "split"))
    journal.split_at = now_iso()
    edit.merges.append(journal)
    store.apply(edit)
    return journal
