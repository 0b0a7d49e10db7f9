"""The read-only Cypher box of the Queries page, for a Neo4j store.

The store's :meth:`~ecograph.store.neo4j.Neo4jStore.read_query` does the guarding: the
text must pass the allow-list of :mod:`ecograph.store.cypher_allowlist` (reading clauses and
expressions only), is planned with ``EXPLAIN`` and refused unless Neo4j classes it as a
read, runs in a read transaction (which the server itself refuses to write from) with a
time limit and a row cap, and a watchdog frees the page when the server does not stop in
time. This module turns its answer into a table for the page.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ecograph.errors import EcographError, UsageError

__all__ = ["CypherRefused", "CypherResult", "run_read_only"]


class CypherRefused(EcographError):
    """A Cypher query the box will not run, or that Neo4j rejected; the message says why."""


@dataclass
class CypherResult:
    columns: list[str]
    rows: list[dict] = field(default_factory=list)
    truncated: bool = False


def run_read_only(store: object, text: str, *, timeout: float = 10.0, limit: int = 1000) -> CypherResult:
    """Run *text* on a Neo4j store in a read transaction; at most *limit* rows, *timeout* seconds.

    Raises
    ------
    CypherRefused
        The query is empty, would write, is invalid, or ran out of time.
    """
    query = text.strip().rstrip(";").strip()
    if not query:
        raise CypherRefused("Type a Cypher query, e.g. MATCH (o:Organization) RETURN o.name LIMIT 10")
    try:
        columns, rows, truncated = store.read_query(query, timeout_s=timeout, row_cap=limit)  # type: ignore[attr-defined]
    except UsageError as exc:
        raise CypherRefused(str(exc)) from None
    return CypherResult(columns, [dict(zip(columns, row, strict=True)) for row in rows], truncated)
