"""Stores: the system of record, behind one contract (:class:`ecograph.store.base.Store`)."""

from __future__ import annotations

from ecograph import settings
from ecograph.errors import UsageError
from ecograph.store.base import Provenance, Store, StoreTables, WritePart

__all__ = ["Provenance", "Store", "StoreTables", "WritePart", "open_store", "redact"]


def redact(url: str) -> str:
    """*url* with any password replaced by ``***``, for messages and logs.

    Examples
    --------
    >>> redact("bolt://neo4j:s3cret@127.0.0.1:7687")
    'bolt://neo4j:***@127.0.0.1:7687'
    """
    scheme, sep, rest = url.partition("://")
    if not sep or "@" not in rest:
        return url
    credentials, _, host = rest.rpartition("@")
    user = credentials.split(":", 1)[0]
    return f"{scheme}://{user}:***@{host}"


def open_store(url: str | None = None, home_country: str | None = None) -> Store:
    """Open the store at *url* (default: the ``store`` setting).

    Raises
    ------
    UsageError
        The URL's scheme is not ``sqlite``, ``bolt`` or ``neo4j``.
    StoreUnavailable
        The store cannot be opened or reached.
    """
    url = settings.store_url(url)
    home = (home_country or settings.home_country()).upper()
    if url.startswith("sqlite:///"):
        from ecograph.store.sqlite import SqliteStore

        return SqliteStore(url, home_country=home)
    if url.split("://", 1)[0] in {"bolt", "neo4j", "bolt+s", "neo4j+s", "bolt+ssc", "neo4j+ssc"}:
        from ecograph.store.neo4j import Neo4jStore

        return Neo4jStore(url, home_country=home)
    raise UsageError(
        f"unknown store URL {redact(url)!r}; expected sqlite:///path.db, bolt://host:port or neo4j://host:port"
    )
