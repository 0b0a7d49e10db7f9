"""The load's side of entity resolution: which node each record of a public source lands on.

The matching itself is :mod:`ecograph.resolution`; here the checked tables become the
records it takes, and ties that name an organisation merged into another move to its node.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import pyarrow as pa

from ecograph.model import collaborations_from, collaborations_table, organizations_from
from ecograph.resolution.resolver import Incoming, Resolution, Resolver
from ecograph.store import Store

__all__ = ["merged_ids", "resolve", "rewritten"]


def merged_ids(aliases: Callable[[set[str]], dict[str, str]], ids: set[str]) -> dict[str, str]:
    """For each of *ids* merged into another node, that node (following merges of merges);
    *aliases* gives one step (:meth:`Store.aliases`)."""
    found: dict[str, str] = {}
    step = aliases(ids)
    while step:
        for id_, target in step.items():
            for original, node in found.items():
                if node == id_:
                    found[original] = target
            found.setdefault(id_, target)
        step = aliases(set(step.values()))
    return found


def rewritten(ties: pa.Table, merged: dict[str, str]) -> pa.Table:
    """*ties* with every end in *merged* moved to the node it was merged into (keys follow)."""
    records = collaborations_from(ties)
    return collaborations_table(
        t.replace(source=merged.get(t.source, t.source), target=merged.get(t.target, t.target))
        if t.source in merged or t.target in merged
        else t
        for t in records
    )


def resolve(
    store: Store,
    orgs: pa.Table,
    ties: pa.Table,
    resolving: list[bool],
    loaded_keys: set[str],
    sources: list[dict],
) -> Resolution:
    """Match the load's organisations (*orgs*, checked, with where each came from) to nodes
    and point its *ties* at them (see the resolver); *resolving* says which files' records
    are matched, *loaded_keys* are every tie key of the load. The provenance in *sources*
    (per file) follows a tie whose key changed with its ends."""
    in_load_order = [("_part", "ascending"), ("_order", "ascending")]  # the first record of a node owns it
    orgs, ties = orgs.sort_by(in_load_order), ties.sort_by(in_load_order)
    records = organizations_from(orgs)
    incoming = sorted(
        (
            Incoming(
                part,
                org,
                json.loads(external) if external else {},
                source,
                source_id,
                resolve=resolving[part],
            )
            for org, part, external, source, source_id in zip(
                records,
                *(orgs[c].to_pylist() for c in ("_part", "_external", "_source", "_source_id")),
                strict=True,
            )
        ),
        key=lambda i: i.part,
    )
    resolution = Resolver.from_store(store).resolve(
        incoming,
        zip(ties["_part"].to_pylist(), collaborations_from(ties), strict=True),
        len(sources),
        loaded_keys=loaded_keys,
    )
    for part_sources in sources:
        for old, new in resolution.rekeyed.items():
            origin = part_sources.pop(("collaboration", old), None)
            if origin is not None:
                part_sources[("collaboration", new)] = origin
    return resolution
