"""The read-only Cypher box of the Queries page, for a Neo4j store.

Three guards keep it read-only: the query is first planned with ``EXPLAIN`` and refused
unless Neo4j classes it as read-only (``query_type == "r"``); it then runs inside a read
transaction (``execute_read``), which the server itself refuses to write from; and it runs
with a time limit and stops after a number of rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ecograph.errors import EcographError

__all__ = ["CypherRefused", "CypherResult", "run_read_only"]


class CypherRefused(EcographError):
    """A Cypher query the box will not run, or that Neo4j rejected; the message says why."""


@dataclass
class CypherResult:
    columns: list[str]
    rows: list[dict] = field(default_factory=list)
    truncated: bool = False


_WRITE_MESSAGE = (
    "This box only reads: the query would change the store (Neo4j classes it as {kind}). "
    "Load data with `ecograph load` or the Load data page."
)


def run_read_only(store: object, text: str, *, timeout: float = 10.0, limit: int = 1000) -> CypherResult:
    """Run *text* on a Neo4j store in a read transaction; at most *limit* rows, *timeout* seconds.

    Raises
    ------
    CypherRefused
        The query is empty, would write, is invalid, or ran out of time.
    """
    from neo4j import READ_ACCESS, Query, unit_of_work
    from neo4j.exceptions import ClientError, Neo4jError

    query = text.strip().rstrip(";").strip()
    if not query:
        raise CypherRefused("Type a Cypher query, e.g. MATCH (o:Organization) RETURN o.name LIMIT 10")
    driver = store._driver  # type: ignore[attr-defined]
    database = store.database  # type: ignore[attr-defined]
    try:
        with driver.session(database=database, default_access_mode=READ_ACCESS) as session:
            kind = session.run(Query(f"EXPLAIN {query}", timeout=timeout)).consume().query_type
            if kind != "r":
                words = {"w": "write-only", "rw": "read-write", "s": "a schema change"}
                raise CypherRefused(_WRITE_MESSAGE.format(kind=words.get(kind, repr(kind))))

            @unit_of_work(timeout=timeout)
            def work(tx) -> CypherResult:
                result = tx.run(query)
                out = CypherResult(columns=list(result.keys()))
                for record in result:
                    if len(out.rows) >= limit:
                        out.truncated = True
                        break
                    out.rows.append({k: _plain(v) for k, v in record.items()})
                return out

            return session.execute_read(work)
    except CypherRefused:
        raise
    except ClientError as exc:
        code = exc.code or ""
        if "AccessMode" in code or "ForbiddenDueToTransactionType" in code:
            raise CypherRefused(_WRITE_MESSAGE.format(kind="a write")) from None
        if "Timeout" in code or "TimedOut" in code:
            raise CypherRefused(f"The query ran for more than {timeout:g} seconds and was stopped.") from None
        message = (exc.message or str(exc)).splitlines()[0]
        raise CypherRefused(f"Neo4j rejected the query: {message}") from None
    except Neo4jError as exc:
        code = exc.code or ""
        if "Timeout" in code or "TimedOut" in code or "Terminated" in code:
            raise CypherRefused(f"The query ran for more than {timeout:g} seconds and was stopped.") from None
        raise CypherRefused(
            f"Neo4j could not run the query: {(exc.message or str(exc)).splitlines()[0]}"
        ) from None


def _plain(value: object) -> object:
    """Nodes, relationships and paths as plain dicts and lists, for a table."""
    from neo4j.graph import Node, Path, Relationship

    if isinstance(value, Node):
        return {"labels": sorted(value.labels), **dict(value)}
    if isinstance(value, Relationship):
        return {"type": value.type, **dict(value)}
    if isinstance(value, Path):
        return [_plain(n) for n in value.nodes]
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value
