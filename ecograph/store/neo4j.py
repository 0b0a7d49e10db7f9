"""The production store: a Neo4j 5 server, reached over Bolt.

Organisations are ``(:Organization:<Kind>)`` nodes, collaborations one relationship type
per kind (``RESEARCH``, ``INVESTED_IN``...), load batches and provenance plain nodes;
every statement is a named constant in :mod:`ecograph.store.cypher`.

**A load is one transaction.** :meth:`Neo4jStore.write` classifies and writes every part's
records, the batches and the provenance inside one ``execute_write``: if anything fails
(a dangling tie, a lost connection, the server killed mid-load) the server rolls it all
back and nothing of the load is visible; no reader ever sees half a load, and there is no
staging area to clean up. The alternative — chunks committed under a batch id that reads
filter out until the batch is marked committed — was weighed and not taken: every read
(the snapshot, counts, the explorer's Cypher box) would have to filter, an update of an
existing record cannot be hidden that way at all, a dead load needs a sweeper, and
committing 10,000-row chunks one by one was measured no faster than one transaction on
the 2-core build machine (the server's per-record work is the same; see README,
Performance). The price is memory: the server holds the whole load's transaction state,
and Neo4j caps all transactions at 70 % of its heap (the server ``ecograph neo4j start``
writes caps one transaction at 60 %). Measured: 100k organisations + 500k
ties peak at 2.3 GiB of transaction memory, so ``ecograph neo4j start`` defaults to
``--heap 6g`` (with 4g it fails: 60 % of 4 GiB is 2.4 GiB, and garbage collection would
pause the load for long); with 2g such a load
fails cleanly, as any load too large for the heap does, with
:class:`~ecograph.errors.StoreUnavailable` naming the fix and nothing written (the driver
is told not to retry it).

Inside the transaction the store first reads, one query per chunk of ids or keys, the
stored rows of just the records this load names, and classifies each record in Python
(new, changed, unchanged: exact counts); then it writes the new ones with ``CREATE`` (no
per-row existence check: the meta-node lock keeps other writers out) and only the changed
ones with ``MERGE``, ``ECOGRAPH_BATCH_SIZE`` rows per ``UNWIND`` statement, rows sent as lists.
Statements are sent without waiting for the previous result, so the client encodes the
next batch while the server runs the current one; the rows themselves are made from the
Arrow columns in a thread of their own, the ties' while the server writes the
organisations. A load whose records the store does not hold yet (a first load) is planned
without comparing them row by row.

Collaborations find their ends by node id: the organisation writes return the node ids
of what they wrote, the rest are looked up once, and each tie row carries its ends' node
ids instead of two organisation ids to seek in the index.

Reads of the whole store (:meth:`~Neo4jStore.tables`, and the record iterators built on
it) page along the id and key indexes, ``_PAGE_ROWS`` rows collected into one Bolt record
of columns per page; the ties' ends come as node ids and are mapped to organisation ids
once, and Arrow puts both tables in key order.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from typing import Any, NoReturn, TypeVar
from urllib.parse import unquote, urlsplit

import pyarrow as pa
import pyarrow.compute as pc

from ecograph import settings
from ecograph.errors import IntegrityError, StoreUnavailable, UsageError
from ecograph.model import (
    COLLABORATION_SCHEMA,
    ORGANIZATION_COLUMNS,
    ORGANIZATION_FIELDS,
    ORGANIZATION_SCHEMA,
    TIE_KINDS,
    Collaboration,
    Organization,
    collaborations_from,
    organizations_from,
)
from ecograph.names import name_keys
from ecograph.report import MAX_CHANGES, LoadBatch, now_iso
from ecograph.resolution.records import Candidate, Edit, Identifier, Merge, Rewrite
from ecograph.saved_snapshots import SavedSnapshot, SnapshotExists
from ecograph.store import cypher
from ecograph.store.base import Provenance, Store, StoreTables, WritePart
from ecograph.store.cypher_allowlist import QueryRefused, read_only_text

__all__ = ["Neo4jStore", "QueryRefused"]

# The driver logs some failures itself (``log.error("Unable to retrieve routing
# information")``) before raising them; with no logging set up, Python would print those on
# stderr next to the one-line error the CLI shows. Applications that configure logging still
# get them.
logging.getLogger("neo4j").addHandler(logging.NullHandler())

_SCHEMES = {"bolt", "bolt+s", "bolt+ssc", "neo4j", "neo4j+s", "neo4j+ssc"}
_META_KEY = "store"
_T = TypeVar("_T")

#: Rows per page of a whole-store read (one Bolt record each).
_PAGE_ROWS = 10_000
#: Whole-store reads made while the store kept changing, before giving up.
_READ_ATTEMPTS = 5
#: Sessions a whole-store read runs at once (organisations beside the tie types): the
#: client builds one page's columns while the server reads the next.
_READERS = 2
_ORG_READ_LISTS = tuple(cypher.ORG_READ_ROW.index(c.name) for c in ORGANIZATION_COLUMNS if c.stored == "list")

# Lists go in as lists; an empty one as null, which leaves the property out as before.
_ORG_LISTS = tuple(cypher.ORG_PROPERTIES.index(c.name) for c in ORGANIZATION_COLUMNS if c.stored == "list")
_N_TIE_FIELDS = len(cypher.TIE_ROW) - 1  # all but the key, which Collaboration computes
_TIE_AT = {name: i for i, name in enumerate(cypher.TIE_ROW)}


def _rows(table: pa.Table, names: Sequence[str]) -> list[list[Any]]:
    """The rows of a table of the model's columns as the lists the Cypher statements take,
    each column put where *names* (``ORG_PROPERTIES`` or ``TIE_ROW``) has it."""
    columns = []
    for name in names:
        if name == "name_key":
            values = name_keys(table["name"].combine_chunks()).to_pylist()
        else:
            values = table[name].to_pylist()
            if pa.types.is_list(table.schema.field(name).type):
                values = [v or None for v in values]
        columns.append(values)
    return [list(row) for row in zip(*columns, strict=True)]


def _org_from_row(row: Sequence[Any]) -> Organization:
    values = list(row[:-1])
    for i in _ORG_LISTS:
        values[i] = tuple(values[i] or ())
    return Organization(*values)


def _chunks(items: Sequence[_T], size: int) -> Iterator[Sequence[_T]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


class _OutOfMemory(Exception):
    """A write ran out of the server's transaction memory. Raised inside the transaction
    function in place of the driver's ``TransientError`` so that the driver does not run a
    load that cannot fit a second time."""


#: Seconds a user's query may outlive its timeout before the client stops waiting for it.
_WATCHDOG_GRACE_S = 2.0

_WRITE_REFUSED = (
    "Only reads are allowed here: the query would change the store (Neo4j classes it as {kind}). "
    "Load data with `ecograph load` or the Load data page."
)


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


def _is_out_of_memory(exc: Exception) -> bool:
    code = getattr(exc, "code", None) or ""
    return "MemoryPoolOutOfMemoryError" in code or "transaction.total.max" in str(exc)


def _fail_fast(work: Callable[..., _T]) -> Callable[..., _T]:
    """*work* as a write transaction function whose out-of-memory failure is not retried,
    and which no server-wide transaction timeout stops: a load takes as long as it needs
    (the provisioned server stops other transactions after ``db.transaction.timeout``)."""
    from neo4j import unit_of_work
    from neo4j.exceptions import TransientError

    @unit_of_work(timeout=0)
    def run(tx: Any, *args: Any) -> _T:
        try:
            return work(tx, *args)
        except TransientError as exc:
            if _is_out_of_memory(exc):
                raise _OutOfMemory(str(exc)) from None
            raise

    return run


def _lock_meta(tx: Any) -> Any:
    """The first statement of every write (``LOCK_META``): the meta node's version and batch
    sequence; a new store's meta node gets its identity here."""
    return tx.run(cypher.LOCK_META, key=_META_KEY, identity=uuid.uuid4().hex).single()


def _rows_by_kind() -> defaultdict[str, list[list[Any]]]:
    return defaultdict(list)


@dataclass
class _Given:
    """One table's records of a write as the rows its statements take (``Neo4jStore._given``)."""

    rows: list[tuple[int, str, list[Any]]] = field(default_factory=list)  # (part, id or key, row)
    by_kind: dict[str, list[list[Any]]] = field(default_factory=_rows_by_kind)  # in the order given
    distinct: bool = True  # no id or key given twice
    ends: set[str] = field(default_factory=set)  # ties: the organisation ids of their ends

    def all_new(self, plan: _Plan, table: str, parts: Sequence[WritePart], creates: dict) -> bool:
        """Plan every row as new when none is given twice (the caller knows that the store
        holds none of them): the counts per part and *creates* by kind, without
        classifying row by row. False, planning nothing, when some id or key repeats."""
        if not self.distinct:
            return False
        for index, part in enumerate(parts):
            plan.states[(table, index, "inserted")] = getattr(part, table).num_rows
        creates.update(self.by_kind)
        return True


@dataclass
class _Rows:
    """How to get a write's rows as they are made (``Neo4jStore._making_rows``)."""

    organizations: Callable[[], _Given]
    collaborations: Callable[[], _Given]


@dataclass
class _Plan:
    """What a write will do, worked out from one consistent read of the store."""

    states: dict[tuple[str, int, str], int] = field(default_factory=dict)
    org_creates: dict[str, list[list[Any]]] = field(default_factory=_rows_by_kind)
    org_updates: dict[str, list[list[Any]]] = field(default_factory=_rows_by_kind)
    tie_deletes: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    tie_creates: dict[str, list[list[Any]]] = field(default_factory=_rows_by_kind)
    tie_updates: dict[str, list[list[Any]]] = field(default_factory=_rows_by_kind)
    # per part, the first updated records and the fields that changed (the load report's)
    changes: defaultdict[int, list[dict]] = field(default_factory=lambda: defaultdict(list))

    def count(self, table: str, part: int, state: str) -> None:
        key = (table, part, state)
        self.states[key] = self.states.get(key, 0) + 1


class Neo4jStore(Store):
    """A store on a Neo4j 5 server (Community or Enterprise).

    Parameters
    ----------
    url : str
        ``bolt://host:port`` or ``neo4j://host:port`` (also ``+s``/``+ssc``), optionally
        with credentials: ``bolt://user:password@host:port``.
    home_country : str
        ISO code of the home country; others are foreign partners.
    user, password : str, optional
        Credentials; default: those in the URL, else ``$ECOGRAPH_NEO4J_USER`` (``neo4j``)
        and ``$ECOGRAPH_NEO4J_PASSWORD``. With no password at all the store connects
        without auth (a server with ``dbms.security.auth_enabled=false``).
    database : str, optional
        Default ``$ECOGRAPH_NEO4J_DATABASE`` (``neo4j``).
    batch_size : int, optional
        Rows per ``UNWIND`` statement; default ``$ECOGRAPH_BATCH_SIZE`` (10000).
    connection_timeout : float
        Seconds to wait for the server before :class:`StoreUnavailable`.

    Raises
    ------
    UsageError
        The URL is not a Bolt or Neo4j URL.
    StoreUnavailable
        The server cannot be reached, rejects the login, or has no such database. The
        message names the URL without its password.

    Examples
    --------
    >>> with Neo4jStore("bolt://127.0.0.1:7687") as store:  # doctest: +SKIP
    ...     store.counts()["organizations"]
    """

    #: Create the schema the store expects when it opens (see ``neo4j_bulk._BulkStore``).
    _schema_at_open = True

    def __init__(
        self,
        url: str,
        home_country: str = "VN",
        *,
        user: str | None = None,
        password: str | None = None,
        database: str | None = None,
        batch_size: int | None = None,
        connection_timeout: float = 5.0,
    ):
        from neo4j import GraphDatabase

        # Credentials end at the last "@": split there by hand, so that a password with
        # an unescaped "/", "?", "#" or "@" still never ends up in the host part (urlsplit
        # would cut it at the first "/" and show the rest as a host name).
        scheme, sep, rest = url.partition("://")
        if not sep:
            scheme, rest = "", url
        userinfo, at, location = rest.rpartition("@")
        if not at:
            userinfo, location = "", rest
        target = f"{scheme}://{location}" if sep else location
        try:
            valid = scheme in _SCHEMES and bool(urlsplit(target).hostname)
            urlsplit(target).port  # noqa: B018 - raises ValueError on a bad port
        except ValueError:
            valid = False
        #: The URL without credentials: safe to print, log and keep in snapshots.
        self.url = target
        if not valid:
            raise UsageError(f"{target!r} is not a Neo4j URL; expected bolt://host:port or neo4j://host:port")
        self.home_country = home_country
        self.database = database or settings.get("neo4j_database")
        self.batch_size = max(1, int(batch_size or settings.get("batch_size")))
        url_user, colon, url_password = userinfo.partition(":")
        self.user = user or unquote(url_user) or settings.get("neo4j_user")
        secret = password
        if secret is None and colon:
            secret = unquote(url_password)
        if secret is None:
            secret = os.environ.get(settings.SETTINGS["neo4j_password"].env) or None
        self._secret = secret
        auth = (self.user, secret) if secret else None
        #: How to open another driver to the same server (see read_query).
        self._connect = lambda: GraphDatabase.driver(
            target,
            auth=auth,
            connection_timeout=connection_timeout,
            notifications_min_severity="OFF",
            user_agent="ecograph",
        )
        try:
            self._driver = self._connect()
        except (ValueError, TypeError) as exc:
            raise UsageError(f"{self.url} is not a usable Neo4j URL: {self._scrub(exc)}") from None
        try:
            with self._errors("connecting"):
                self._driver.verify_connectivity()
                self._read(lambda tx: tx.run(cypher.PING).consume())
                if self._schema_at_open:
                    self._ensure_schema()
        except BaseException:
            self._driver.close()
            raise

    def __repr__(self) -> str:
        return f"Neo4jStore({self.url!r}, database={self.database!r})"

    # -- plumbing ---------------------------------------------------------------------------

    def _scrub(self, value: object) -> str:
        """*value* as text, with the password (if any) masked: driver messages never hold
        it today, and this keeps it so."""
        text = str(value).splitlines()[0] if str(value) else type(value).__name__
        secret = getattr(self, "_secret", None)
        return text.replace(secret, "***") if secret else text

    @contextmanager
    def _errors(self, doing: str) -> Iterator[None]:
        """Turn the driver's connection, login and capacity errors into one-line
        :class:`StoreUnavailable` messages that name the URL and never the password."""
        from neo4j.exceptions import (
            AuthError,
            ClientError,
            DriverError,
            ServiceUnavailable,
            SessionExpired,
            TransientError,
        )

        try:
            yield
        except AuthError:
            raise StoreUnavailable(
                f"Neo4j at {self.url} rejected the login of user {self.user!r} while {doing}; "
                "check ECOGRAPH_NEO4J_USER and ECOGRAPH_NEO4J_PASSWORD"
            ) from None
        except (ServiceUnavailable, SessionExpired, OSError) as exc:
            raise StoreUnavailable(
                f"cannot reach Neo4j at {self.url} while {doing} ({type(exc).__name__}); "
                "is the server running? (scripts/neo4j.sh status)"
            ) from None
        except ValueError as exc:
            if not str(exc).startswith("Cannot resolve address"):  # the driver's, for a host it cannot find
                raise
            raise StoreUnavailable(
                f"cannot reach Neo4j at {self.url} while {doing}: {self._scrub(exc)}; check the host name"
            ) from None
        except (_OutOfMemory, TransientError) as exc:
            if isinstance(exc, _OutOfMemory) or _is_out_of_memory(exc):
                raise StoreUnavailable(
                    f"Neo4j at {self.url} ran out of transaction memory while {doing}; "
                    "nothing was written. Give the server a larger heap "
                    "(scripts/neo4j.sh stop; scripts/neo4j.sh start --heap 6g) or load smaller files"
                ) from None
            raise StoreUnavailable(
                f"Neo4j at {self.url} could not finish {doing}: {self._scrub(exc.message)}"
            ) from None
        except ClientError as exc:
            if exc.code and "DatabaseNotFound" in exc.code:
                raise StoreUnavailable(
                    f"Neo4j at {self.url} has no database {self.database!r}; set ECOGRAPH_NEO4J_DATABASE"
                ) from None
            raise
        except DriverError as exc:
            raise StoreUnavailable(f"Neo4j at {self.url} failed while {doing}: {self._scrub(exc)}") from None

    def _session(self, write: bool = False):
        from neo4j import READ_ACCESS, WRITE_ACCESS

        return self._driver.session(
            database=self.database, default_access_mode=WRITE_ACCESS if write else READ_ACCESS
        )

    def _read(self, work: Callable[..., _T], *args: Any) -> _T:
        with self._session() as session:
            return session.execute_read(work, *args)

    def _stream(self, query: str, doing: str, **params: Any) -> Iterator[Any]:
        """Records of *query*, streamed from an auto-commit read (not held all at once),
        ``batch_size`` records per round trip."""
        from neo4j import READ_ACCESS

        with (
            self._errors(doing),
            self._driver.session(
                database=self.database, default_access_mode=READ_ACCESS, fetch_size=self.batch_size
            ) as session,
        ):
            yield from session.run(query, params)

    def _ensure_schema(self, *, wait: bool = True) -> None:
        """Create the constraints and indexes the store expects that it lacks; with *wait*,
        return once they are online. An index still being populated (a bulk load returns
        before its indexes are: see ``ecograph.store.neo4j_bulk``) is waited for either way."""
        wanted = {s.split()[2] for s in cypher.SCHEMA}  # "CREATE CONSTRAINT <name> ..."
        with self._session(write=True) as session:
            constraints = {r["name"] for r in session.run("SHOW CONSTRAINTS YIELD name")}
            states = {r["name"]: r["state"] for r in session.run(cypher.INDEX_STATES)}
            have = constraints | states.keys()
            legacy = sorted(constraints & cypher.LEGACY_SCHEMA.keys())
            if wanted <= have and not legacy:
                # Reads by tie key hint their index, which a query may use only once online.
                if any(state != "ONLINE" for state in states.values()):
                    session.run(cypher.AWAIT_INDEXES).consume()
                return
            # Dropped first: a constraint's own index would stand in for the new index.
            for name in legacy:
                session.run(cypher.LEGACY_SCHEMA[name]).consume()
            # One transaction for them all: each in a transaction of its own cost a commit
            # and a wait apiece.
            with session.begin_transaction() as tx:
                for statement in cypher.SCHEMA:
                    tx.run(statement).consume()
                tx.commit()
            if wait:
                session.run(cypher.AWAIT_INDEXES).consume()

    def close(self) -> None:
        self._driver.close()

    # -- reads ------------------------------------------------------------------------------

    def store_version(self) -> int:
        with self._errors("reading the store version"):
            return self._read(lambda tx: tx.run(cypher.READ_VERSION, key=_META_KEY).single()["version"])

    def existing_ids(self, ids: Iterable[str]) -> set[str]:
        ids = list(dict.fromkeys(ids))
        with self._errors("looking up organisations"):
            return self._read(self._existing_ids_tx, ids)

    def _existing_ids_tx(self, tx: Any, ids: Sequence[str]) -> set[str]:
        found: set[str] = set()
        for chunk in _chunks(ids, self.batch_size):
            found.update(tx.run(cypher.EXISTING_IDS, ids=list(chunk)).single()["ids"])
        return found

    @contextmanager
    def _read_tx(self, doing: str) -> Iterator[Any]:
        """One read transaction for a read made of several queries (pages), so that they
        all see the store in one state."""
        with self._errors(doing), self._session() as session, session.begin_transaction() as tx:
            yield tx

    @staticmethod
    def _pages(tx: Any, query: str, key: int) -> Iterator[list[list[Any]]]:
        """The pages of a paged whole-store read (``READ_*_PAGE*``), each a list of rows;
        *key* is the index of the row's paging key."""
        after = ""
        while True:
            rows = tx.run(query, after=after, limit=_PAGE_ROWS).single()["rows"]
            yield rows
            if len(rows) < _PAGE_ROWS:
                return
            after = rows[-1][key]

    @staticmethod
    def _page_table(rows: list[list[Any]], names: Sequence[str], types: dict[str, pa.DataType]) -> pa.Table:
        """One page of rows as a table: column *names[i]* from each row's *i*-th value."""
        columns = list(zip(*rows, strict=True)) if rows else [() for _ in names]
        return pa.table(
            {name: pa.array(values, types[name]) for name, values in zip(names, columns, strict=True)}
        )

    def _org_columns(self) -> tuple[pa.Table, pa.Array]:
        """Every organisation as a table of the model's columns in id order, and each one's
        node id (``int64``, in the same order)."""
        types = {"node": pa.int64(), **{f.name: f.type for f in ORGANIZATION_SCHEMA}}
        tables = []
        with self._read_tx("reading organisations") as tx:
            for rows in self._pages(tx, cypher.READ_ORG_PAGE, cypher.ORG_READ_ROW.index("id")):
                for at in _ORG_READ_LISTS:  # an empty list is stored as no property
                    for row in rows:
                        row[at] = row[at] or []
                tables.append(self._page_table(rows, cypher.ORG_READ_ROW, types))
        if not tables:
            tables.append(self._page_table([], cypher.ORG_READ_ROW, types))
        table = pa.concat_tables(tables)
        table = table.take(pc.sort_indices(table["id"]))  # code point order, as the other stores
        return table.select(list(ORGANIZATION_FIELDS)).cast(ORGANIZATION_SCHEMA), table["node"]

    def _tie_columns(self, kind: str) -> pa.Table:
        """Every collaboration of one *kind* as columns (``TIE_READ_ROW`` and ``kind``), its
        ends as node ids."""
        types = {**{f.name: f.type for f in COLLABORATION_SCHEMA}, "source": pa.int64(), "target": pa.int64()}
        tables = [self._page_table([], cypher.TIE_READ_ROW, types)]
        with self._read_tx("reading collaborations") as tx:
            for rows in self._pages(tx, cypher.READ_TIE_PAGE_BY_KIND[kind], cypher.TIE_READ_ROW.index("key")):
                tables.append(self._page_table(rows, cypher.TIE_READ_ROW, types))
        table = pa.concat_tables(tables)
        return table.append_column("kind", pa.array([kind] * table.num_rows, pa.string()))

    def tables(self) -> StoreTables:
        """Every organisation and collaboration as columns (see :class:`StoreTables`).

        One paged read for the organisations and one per relationship type, two sessions at
        a time, each page one Bolt record of rows turned into Arrow columns; the ties' ends
        come as node ids, mapped to organisation ids once at the end. Neo4j reads are not
        snapshots (a read sees what commits meanwhile), so the read is made again when the
        store version moved while it ran.
        """
        for _ in range(_READ_ATTEMPTS):
            version = self.store_version()
            with ThreadPoolExecutor(_READERS) as pool:
                read_orgs = pool.submit(self._org_columns)
                read_ties = [pool.submit(self._tie_columns, kind) for kind in TIE_KINDS]
                orgs, nodes = read_orgs.result()
                ties = pa.concat_tables([r.result() for r in read_ties])
            ends = [pc.index_in(ties[end], value_set=nodes.combine_chunks()) for end in ("source", "target")]
            if self.store_version() == version and not any(e.null_count for e in ends):
                break
        else:
            raise StoreUnavailable(
                f"Neo4j at {self.url} changed while being read, {_READ_ATTEMPTS} times; try again"
            )
        for end, at in zip(("source", "target"), ends, strict=True):
            ties = ties.set_column(ties.schema.get_field_index(end), end, orgs["id"].take(at))
        ties = ties.take(pc.sort_indices(ties["key"]))
        return StoreTables(orgs, ties.select(list(COLLABORATION_SCHEMA.names)).cast(COLLABORATION_SCHEMA))

    def graph_measures(self, *, samples: int | None = None, seed: int = 0) -> dict[str, dict[str, Any]]:
        """Degree, PageRank, betweenness, Louvain community and weakly connected component of
        every organisation, computed inside the server by the OpenGDS plugin
        (``ECOGRAPH_ENGINE=gds``, see :mod:`ecograph.engine`): measure → organisation id → value.

        The organisations and ties are projected as GDS's in-memory graph
        (:data:`cypher.GDS_PROJECT`: undirected, parallel ties summed into one weight), each
        measure streamed back as two lists, and the projection dropped. Betweenness samples
        *samples* sources from *seed* (all when ``None``); values are GDS's own (the engine
        module scales them as the Python analyses do).

        Raises
        ------
        UsageError
            The server has no Graph Data Science plugin.
        """
        from neo4j.exceptions import ClientError

        graph = f"ecograph-{uuid.uuid4().hex}"
        configs: dict[str, dict[str, Any]] = {
            "degree": {},
            "pagerank": {
                "relationshipWeightProperty": "weight",
                "dampingFactor": 0.85,
                "maxIterations": 1000,
                "tolerance": 1e-10,
                "scaler": "L1Norm",
            },
            "betweenness": {} if samples is None else {"samplingSize": samples, "samplingSeed": seed},
            # One thread: the same communities from the same graph on every run.
            "community": {"relationshipWeightProperty": "weight", "concurrency": 1},
            "component": {},
        }
        with self._errors("computing measures with Graph Data Science"), self._session() as session:
            try:
                session.run(cypher.GDS_VERSION).consume()
            except ClientError as exc:
                if "gds." not in (exc.message or ""):
                    raise
                raise UsageError(
                    f"Neo4j at {self.url} has no Graph Data Science plugin: start it with "
                    "`ecograph neo4j start --gds` (after `ecograph neo4j install --gds`), or use "
                    "--engine python"
                ) from None
            session.run(cypher.GDS_PROJECT, graph=graph, **cypher.GDS_PROJECTION).consume()
            try:
                out = {}
                for measure, query in cypher.GDS_STREAMS.items():
                    record = session.run(query, graph=graph, config=configs[measure]).single()
                    out[measure] = dict(zip(record["ids"], record["values"], strict=True))
            finally:
                session.run(cypher.GDS_DROP, graph=graph).consume()
        return out

    def organizations(self) -> Iterator[Organization]:
        yield from organizations_from(self._org_columns()[0])

    def collaborations(self) -> Iterator[Collaboration]:
        yield from collaborations_from(self.tables().collaborations)

    def organization(self, id: str) -> Organization | None:
        with self._errors("reading an organisation"):
            rows = self._read(lambda tx: tx.run(cypher.READ_ORGS_BY_ID, ids=[id]).single()["rows"])
        return _org_from_row(rows[0]) if rows else None

    def batches(self) -> list[LoadBatch]:
        with self._errors("reading load batches"):
            rows = self._read(lambda tx: [r["data"] for r in tx.run(cypher.READ_BATCHES)])
        return [LoadBatch(**json.loads(data)) for data in rows]

    def provenance(self) -> Iterator[Provenance]:
        entries: list[Provenance] = []
        for record in self._stream(cypher.READ_PROVENANCE, "reading provenance"):
            sources = json.loads(record["sources"]) if record["sources"] else {}
            record_type, batch_id = record["record_type"], record["batch_id"]
            for key in record["keys"]:
                source, source_id = sources.get(key, (None, None))
                entries.append(Provenance(record_type, key, batch_id, source, source_id))
        entries.sort(key=lambda p: (p.record_type, p.record_key, p.batch_id))
        return iter(entries)

    def counts(self) -> dict[str, object]:
        # The same numbers as the base class, counted by the server instead of in Python.
        def work(tx: Any) -> dict[str, dict[str, int]]:
            def table(query: str, **params: Any) -> dict[str, int]:
                return {r["k"]: r["n"] for r in tx.run(query, params)}

            return {
                "by_category": table(cypher.COUNT_BY_CATEGORY, home=self.home_country),
                "by_kind": table(cypher.COUNT_BY_KIND),
                "by_tie_kind": table(cypher.COUNT_TIES_BY_TYPE),
                "by_country": table(cypher.COUNT_BY_COUNTRY),
            }

        with self._errors("counting"):
            found = self._read(work)
        return {
            "organizations": sum(found["by_kind"].values()),
            "collaborations": sum(found["by_tie_kind"].values()),
            **found,
        }

    def identity(self) -> str:
        with self._errors("reading the store identity"):
            found = self._read(lambda tx: tx.run(cypher.READ_IDENTITY, key=_META_KEY).single()["identity"])
        return found or ""

    def read_query(
        self, cypher_text: str, params: dict[str, Any] | None = None, *, timeout_s: float, row_cap: int
    ) -> tuple[list[str], list[list[Any]], bool]:
        """Run a user's Cypher *cypher_text* read-only: ``(columns, rows, truncated)``.

        Four guards keep it read-only and short: the text must pass
        :func:`~ecograph.store.cypher_allowlist.read_only_text` (reading clauses and
        expressions, a few schema procedures; what is sent is what was checked); it is
        planned (``EXPLAIN``) and refused unless Neo4j classes it as a read; it runs in a read
        transaction, which the server refuses to write from, with a server-side timeout of
        *timeout_s* seconds and at most *row_cap* rows (``truncated`` says so); and a
        watchdog stops waiting :data:`_WATCHDOG_GRACE_S` seconds after the timeout — it asks
        the server to terminate the transaction and closes the query's own connection, so
        the caller is free even when the server does not stop. Nodes, relationships and
        paths come back as plain dicts and lists.

        Raises
        ------
        QueryRefused
            The query is empty, not allowed, would write, is invalid, or ran out of time.
        StoreUnavailable
            The server cannot be reached.
        """
        from neo4j import READ_ACCESS, Query, unit_of_work

        query = read_only_text(cypher_text)
        tag = uuid.uuid4().hex

        @unit_of_work(timeout=timeout_s, metadata={"ecograph_query": tag})
        def work(tx: Any) -> tuple[list[str], list[list[Any]], bool]:
            result = tx.run(query, params or {})
            rows: list[list[Any]] = []
            for record in result:
                if len(rows) >= row_cap:
                    return list(result.keys()), rows, True
                rows.append([_plain(v) for v in record.values()])
            return list(result.keys()), rows, False

        outcome: dict[str, Any] = {}
        # A driver of its own: closing it frees a query the server does not stop in time.
        driver = self._connect()

        def run() -> None:
            try:
                with driver.session(database=self.database, default_access_mode=READ_ACCESS) as session:
                    plan = session.run(Query(f"EXPLAIN {query}", timeout=timeout_s), params or {}).consume()
                    if plan.query_type != "r":
                        words = {"w": "write-only", "rw": "read-write", "s": "a schema change"}
                        raise QueryRefused(
                            _WRITE_REFUSED.format(kind=words.get(plan.query_type, repr(plan.query_type)))
                        )
                    outcome["result"] = session.execute_read(work)
            except BaseException as exc:  # handed to the caller's thread
                outcome["error"] = exc

        worker = threading.Thread(target=run, name="ecograph-read-query", daemon=True)
        try:
            worker.start()
            worker.join(timeout_s + _WATCHDOG_GRACE_S)
            if worker.is_alive():
                self._terminate(tag)
                driver.close()  # the worker's connection fails and its thread ends
                worker.join(_WATCHDOG_GRACE_S)
                raise QueryRefused(
                    f"the query ran for more than {timeout_s:g} seconds and was stopped "
                    "(the server was asked to end it)"
                )
        finally:
            driver.close()
        if "error" in outcome:
            self._query_failed(outcome["error"], timeout_s)
        return outcome["result"]

    def _terminate(self, tag: str) -> None:
        """Ask the server to end the user's query tagged *tag* (best effort: it may be over)."""
        from neo4j.exceptions import Neo4jError

        with suppress(Neo4jError), self._errors("stopping a query"), self._session() as session:
            ids = [r["transactionId"] for r in session.run(cypher.SHOW_TAGGED_TRANSACTIONS, tag=tag)]
            if ids:
                session.run(cypher.TERMINATE_TRANSACTIONS, ids=ids).consume()

    def _query_failed(self, exc: BaseException, timeout_s: float) -> NoReturn:
        """Raise the one-line error for a user's query that failed with *exc*."""
        from neo4j.exceptions import AuthError, ClientError, Neo4jError

        stopped = f"the query ran for more than {timeout_s:g} seconds and was stopped"
        with self._errors("running a query"):
            if isinstance(exc, AuthError | QueryRefused) or not isinstance(exc, Neo4jError):
                raise exc  # the login message of _errors, or what it is
            code = exc.code or ""
            if isinstance(exc, ClientError):
                if "AccessMode" in code or "ForbiddenDueToTransactionType" in code:
                    raise QueryRefused(_WRITE_REFUSED.format(kind="a write")) from None
                if "Timeout" in code or "TimedOut" in code:
                    raise QueryRefused(stopped) from None
                raise QueryRefused(f"Neo4j rejected the query: {self._scrub(exc.message or exc)}") from None
            if "Timeout" in code or "TimedOut" in code or "Terminated" in code:
                raise QueryRefused(stopped) from None
            raise QueryRefused(f"Neo4j could not run the query: {self._scrub(exc.message or exc)}") from None

    # -- writes -----------------------------------------------------------------------------

    def write(
        self, parts: Sequence[WritePart], *, dry_run: bool = False, edit: Edit | None = None
    ) -> list[LoadBatch]:
        with self._errors("writing" if not dry_run else "checking a load"):
            if dry_run:
                # Only reads: nothing to roll back, and no lock on the meta node.
                plan = self._read(self._plan_only, parts)
                self._fill(parts, plan, now_iso())
            else:
                with self._session(write=True) as session:
                    session.execute_write(_fail_fast(self._write_tx), parts, edit)
        return [part.batch for part in parts]

    def _write_tx(self, tx: Any, parts: Sequence[WritePart], edit: Edit | None = None) -> None:
        """The whole load in one transaction. The driver may run it again after a transient
        error, so it starts from the store's state every time and only then fills the
        batches."""
        orgs: list[tuple[Any, int]] = []
        with self._making_rows(parts) as rows:  # made while the server takes the lock
            meta = _lock_meta(tx)
            # The organisation writes go out as soon as they are planned: the server runs
            # them while this process makes and classifies the ties.
            plan = self._plan(tx, parts, rows, lambda plan: orgs.extend(self._send_orgs(tx, plan)))
        changed = self._fill(parts, plan, now_iso())
        sent = self._send_ties(tx, plan, orgs)
        if edit:
            changed = self._apply_tx(tx, edit) or changed
        self._record_load(tx, parts, meta, changed)
        self._check_sent(sent)

    def _fill_all_new(self, parts: Sequence[WritePart]) -> None:
        """Fill the batches' counts for a load into an empty store: every record given is new."""
        plan = _Plan()
        for index, part in enumerate(parts):
            plan.states[("organizations", index, "inserted")] = part.organizations.num_rows
            plan.states[("collaborations", index, "inserted")] = part.collaborations.num_rows
        self._fill(parts, plan, now_iso())

    def _apply_edit(self, edit: Edit) -> None:
        """Write *edit* in a transaction of its own, under the meta lock: after a load whose
        records, batches and meta node were written by other means (Neo4j's importer)."""

        def work(tx: Any) -> None:
            _lock_meta(tx)
            self._apply_tx(tx, edit)

        with self._errors("recording entity resolution's decisions"), self._session(write=True) as session:
            session.execute_write(_fail_fast(work))

    def _record_load(self, tx: Any, parts: Sequence[WritePart], meta: Any, changed: bool) -> None:
        """The last statements of a load's transaction: its batches, their provenance, and
        the meta node's new version (*changed*) and batch sequence number."""
        seq = meta["batch_seq"]
        chunks = []
        for part in parts:
            seq += 1
            batch = part.batch
            tx.run(
                cypher.CREATE_BATCH,
                id=batch.id,
                seq=seq,
                data=json.dumps(batch.as_dict(), ensure_ascii=False),
            )
            chunks += self._provenance_chunks(batch.id, part)
        for chunk in _chunks(chunks, max(1, self.batch_size // 1000)):
            tx.run(cypher.CREATE_PROVENANCE_CHUNKS, chunks=list(chunk))
        version = meta["version"] + (1 if changed else 0)
        tx.run(cypher.SET_META, key=_META_KEY, version=version, batch_seq=seq).consume()

    def _send_plan(self, tx: Any, plan: _Plan) -> list[tuple[Any, int]]:
        """Send the plan's writes; the results are checked later by :meth:`_check_sent`."""
        return self._send_ties(tx, plan, self._send_orgs(tx, plan))

    def _send(
        self,
        tx: Any,
        sent: list[tuple[Any, int]],
        statements: dict[str, str],
        table: dict[str, list[Any]],
        name: str = "rows",
        nodes: dict[str, int] | None = None,
    ) -> None:
        """Send *table*'s rows, ``batch_size`` per statement, each statement without waiting
        for the previous one's result: the driver encodes the next batch while the server
        runs this one (the server runs a transaction's statements in order). With *nodes*,
        a row's first two values (organisation ids) go out as their node ids."""
        for kind, rows in table.items():
            for chunk in _chunks(rows, self.batch_size):
                if nodes is not None:
                    try:
                        chunk = [[nodes[r[0]], nodes[r[1]], *r[2:]] for r in chunk]
                    except KeyError:  # cannot happen under the lock: the plan checked every end
                        raise self._dangling() from None
                sent.append((tx.run(statements[kind], {name: chunk}), len(chunk)))

    def _send_orgs(self, tx: Any, plan: _Plan) -> list[tuple[Any, int]]:
        """Send the plan's organisation writes (their results name the nodes' ids)."""
        sent: list[tuple[Any, int]] = []
        self._send(tx, sent, cypher.CREATE_ORGS_BY_KIND, plan.org_creates)
        self._send(tx, sent, cypher.MERGE_ORGS_BY_KIND, plan.org_updates)
        return sent

    def _send_ties(self, tx: Any, plan: _Plan, orgs: list[tuple[Any, int]]) -> list[tuple[Any, int]]:
        """Send the plan's tie writes after the organisation writes *orgs*; return every
        result still to check."""
        if not (plan.tie_creates or plan.tie_updates):
            self._send(tx, orgs, cypher.DELETE_TIES_BY_KIND, plan.tie_deletes, "keys")
            return orgs
        # Ties find their ends by node id: take them from the organisation writes (the only
        # results waited for before the end), then look up the other ends.
        nodes: dict[str, int] = {}
        for result, rows in orgs:
            nodes.update(self._checked(result.single(strict=True)[0], rows))
        ends = {
            end
            for table in (plan.tie_creates, plan.tie_updates)
            for rows in table.values()
            for row in rows
            for end in (row[_TIE_AT["source"]], row[_TIE_AT["target"]])
        }
        for chunk in _chunks(sorted(ends - nodes.keys()), self.batch_size):
            nodes.update(tx.run(cypher.NODE_IDS, ids=chunk).single(strict=True)[0])
        sent: list[tuple[Any, int]] = []
        self._send(tx, sent, cypher.DELETE_TIES_BY_KIND, plan.tie_deletes, "keys")
        self._send(tx, sent, cypher.CREATE_TIES_BY_KIND, plan.tie_creates, nodes=nodes)
        self._send(tx, sent, cypher.MERGE_TIES_BY_KIND, plan.tie_updates, nodes=nodes)
        return sent

    def _refused(self, why: str) -> IntegrityError:
        """The error of a write refused before anything was written; *why* says which record."""
        return IntegrityError(f"{self.url}: write refused, nothing was written ({why})")

    @staticmethod
    def _unknown_kind(record: str, kind: str) -> str:
        return f"{record} has unknown kind {kind!r}"

    @staticmethod
    def _unknown_end(source: str, target: str, kind: str, end: str, more: int) -> str:
        return (
            f"collaboration {source} -> {target} ({kind}) refers to unknown organisation {end!r}"
            f"{f' and {more} more' if more else ''}"
        )

    def _dangling(self) -> IntegrityError:
        return self._refused("a collaboration refers to an organisation that is not in the store")

    def _checked(self, written: Any, rows: int) -> Any:
        """*written* (a count, or the ``[id, node id]`` pairs of the organisations written)
        after checking that every one of the *rows* sent was written."""
        if (written if isinstance(written, int) else len(written)) != rows:  # cannot happen under the lock
            raise self._dangling()
        return written

    def _check_sent(self, sent: list[tuple[Any, int]]) -> None:
        for result, rows in sent:
            record = result.single()
            if record is not None:
                self._checked(record[0], rows)

    def _fill(self, parts: Sequence[WritePart], plan: _Plan, finished: str) -> bool:
        """Copy the plan's counts into the batches; True when the load changes anything."""
        changed = False
        for index, part in enumerate(parts):
            batch = part.batch
            for table in ("organizations", "collaborations"):
                for state in ("inserted", "updated", "unchanged"):
                    setattr(batch, f"{table}_{state}", plan.states.get((table, index, state), 0))
            batch.changes = plan.changes.get(index, [])
            batch.finished = finished
            changed = changed or batch.changed > 0
        return changed

    @staticmethod
    def _classify(
        plan: _Plan, table: str, given: Sequence[tuple[int, str, list[Any]]], stored: dict[str, list[Any]]
    ) -> dict[str, list[Any]]:
        """Count every given row against the stored one; return the last row given per key
        among those that differ from the store (new or changed)."""
        latest: dict[str, list[Any]] = {}
        names = cypher.ORG_PROPERTIES if table == "organizations" else cypher.TIE_ROW
        for index, key, row in given:
            old = stored.get(key)
            state = "inserted" if old is None else "unchanged" if old == row else "updated"
            plan.count(table, index, state)
            if state == "updated" and len(plan.changes[index]) < MAX_CHANGES:
                fields = [
                    n
                    for n, a, b in zip(names, old, row, strict=False)
                    if a != b and n not in ("name_key", "key")
                ]  # type: ignore[arg-type]
                plan.changes[index].append({"record": table[:-1], "key": key, "fields": fields})
            latest[key] = row
        return {key: row for key, row in latest.items() if stored.get(key) != row}

    def _given(self, parts: Sequence[WritePart], table: str) -> _Given:
        """The records of *table* (``organizations`` or ``collaborations``) in every part as
        the rows the statements take, after the check that each kind has a label or type."""
        ties = table == "collaborations"
        names = cypher.TIE_ROW if ties else cypher.ORG_PROPERTIES
        kinds = cypher.TIE_TYPES if ties else cypher.ORG_LABELS
        kind, key = names.index("kind"), names.index("key" if ties else "id")
        source, target = _TIE_AT["source"], _TIE_AT["target"]
        given = _Given()
        for index, part in enumerate(parts):
            for row in _rows(getattr(part, table), names):
                if row[kind] not in kinds:  # the label or type comes from the kind
                    record = (
                        f"collaboration {row[source]} -> {row[target]}"
                        if ties
                        else f"organisation {row[0]!r}"
                    )
                    raise self._refused(self._unknown_kind(record, row[kind]))
                given.rows.append((index, row[key], row))
                given.by_kind[row[kind]].append(row)
                if ties:
                    given.ends.add(row[source])
                    given.ends.add(row[target])
        given.distinct = len({k for _, k, _ in given.rows}) == len(given.rows)
        return given

    @contextmanager
    def _making_rows(self, parts: Sequence[WritePart]) -> Iterator[_Rows]:
        """The parts' rows (:meth:`_given`), made in a thread of their own while the caller
        talks to the server: the organisations' first, then the ties'. The driver lets go of
        the GIL while it waits for the server, so the ties' rows are made while the server
        writes the organisations: on a first load of 500,000 ties that took 3.9 s off the
        time the server sat idle between the two."""
        with ThreadPoolExecutor(1, thread_name_prefix="ecograph-rows") as pool:
            orgs = pool.submit(self._given, parts, "organizations")
            ties = pool.submit(self._given, parts, "collaborations")
            try:
                yield _Rows(orgs.result, ties.result)
            finally:
                ties.cancel()  # when the write failed before it needed them

    def _plan_only(self, tx: Any, parts: Sequence[WritePart]) -> _Plan:
        with self._making_rows(parts) as rows:
            return self._plan(tx, parts, rows)

    def _plan(
        self,
        tx: Any,
        parts: Sequence[WritePart],
        rows: _Rows,
        orgs_planned: Callable[[_Plan], None] | None = None,
    ) -> _Plan:
        """Classify every record of every part (*rows*, from :meth:`_making_rows`) against
        the store as it is now.

        *orgs_planned* is called with the plan once its organisations are classified (the
        write sends them then); the ties' classification does not depend on those writes.

        Each record is compared with the stored one as the transaction began (as SQLite's
        staging does), so a record given twice counts twice; the last one given is written.
        Stored records come back as the same lists the write sends, so "unchanged" is a
        list comparison in Python and the server is asked only for the keys of this load.
        """
        plan = _Plan()
        size = self.batch_size
        store_has_orgs = tx.run(cypher.ANY_ORG).single() is not None

        # Organisations.
        orgs = rows.organizations()
        kind_at = cypher.ORG_PROPERTIES.index("kind")
        stored: dict[str, list[Any]] = {}
        if store_has_orgs:
            for chunk in _chunks(list(dict.fromkeys(id_ for _, id_, _ in orgs.rows)), size):
                for row in tx.run(cypher.READ_ORGS_BY_ID, ids=chunk).single()["rows"]:
                    stored[row[0]] = row
        if stored or not orgs.all_new(plan, "organizations", parts, plan.org_creates):
            for id_, row in self._classify(plan, "organizations", orgs.rows, stored).items():
                (plan.org_updates if id_ in stored else plan.org_creates)[row[kind_at]].append(row)
        in_load = {id_ for _, id_, _ in orgs.rows}
        if orgs_planned is not None:
            orgs_planned(plan)

        # Collaborations: every end must be in this load or in the store.
        source, target, kind, key = (_TIE_AT[n] for n in ("source", "target", "kind", "key"))
        ties = rows.collaborations()
        if not ties.rows:
            return plan
        ends = ties.ends - in_load
        known = self._existing_ids_tx(tx, sorted(ends)) if ends and store_has_orgs else set()
        missing = ends - known
        if missing:
            tie = next(t for _, _, t in ties.rows if t[source] in missing or t[target] in missing)
            end = tie[source] if tie[source] in missing else tie[target]
            raise self._refused(self._unknown_end(tie[source], tie[target], tie[kind], end, len(missing) - 1))
        found: dict[str, list[Any]] = {}
        if store_has_orgs:
            by_kind: dict[str, list[str]] = defaultdict(list)
            by_id: list[str] = []
            for _, tie_key, tie in ties.rows:
                (by_id if tie[_TIE_AT["id"]] else by_kind[tie[kind]]).append(tie_key)
            for tie_kind in TIE_KINDS:
                # A tie with an id may have changed kind, so look for it under every type.
                keys = list(dict.fromkeys(by_kind.get(tie_kind, []) + by_id))
                for chunk in _chunks(keys, size):
                    for row in tx.run(cypher.FIND_TIES_BY_KIND[tie_kind], keys=chunk).single()["rows"]:
                        found[row[key]] = row
        if not found and ties.all_new(plan, "collaborations", parts, plan.tie_creates):
            return plan
        for tie_key, row in self._classify(plan, "collaborations", ties.rows, found).items():
            old = found.get(tie_key)
            if old is None:
                plan.tie_creates[row[kind]].append(row)
            elif [old[i] for i in (source, target, kind)] != [row[i] for i in (source, target, kind)]:
                # kind or ends changed: delete, then create anew
                plan.tie_deletes[old[kind]].append(tie_key)
                plan.tie_creates[row[kind]].append(row)
            else:
                plan.tie_updates[row[kind]].append(row)
        return plan

    def _provenance_chunks(self, batch_id: str, part: WritePart) -> list[dict]:
        """The provenance of one part as chunk rows for ``CREATE_PROVENANCE_CHUNKS``."""
        out = []
        for record_type, keys in (
            ("organization", part.organizations["id"].to_pylist()),
            ("collaboration", part.collaborations["key"].to_pylist()),
        ):
            entries = {k: part.sources.get((record_type, k)) for k in keys}
            # records the part saw but wrote under another id (merged by entity resolution)
            entries.update(
                (k, v) for (t, k), v in part.sources.items() if t == record_type and k not in entries
            )
            out += self._chunk_rows(batch_id, record_type, entries)
        return out

    def _chunk_rows(
        self,
        batch_id: str,
        record_type: str,
        entries: dict[str, tuple[str | None, str | None] | None],
    ) -> list[dict]:
        rows = []
        keys = list(entries)
        for chunk in _chunks(keys, self.batch_size):
            sources = {
                k: list(entries[k]) for k in chunk if entries[k] and any(v is not None for v in entries[k])
            }
            rows.append(
                {
                    "batch_id": batch_id,
                    "record_type": record_type,
                    "keys": list(chunk),
                    "sources": json.dumps(sources, ensure_ascii=False) if sources else None,
                }
            )
        return rows

    def import_history(self, batches: Sequence[LoadBatch], provenance: Iterable[Provenance]) -> None:
        provenance = list(provenance)

        def work(tx: Any) -> None:
            meta = _lock_meta(tx)
            seq = meta["batch_seq"]
            for batch in batches:
                created = tx.run(
                    cypher.MERGE_BATCH,
                    id=batch.id,
                    seq=seq + 1,
                    data=json.dumps(batch.as_dict(), ensure_ascii=False),
                ).single()["created"]
                seq += 1 if created else 0
            by_batch: dict[str, list[Provenance]] = defaultdict(list)
            for entry in provenance:
                by_batch[entry.batch_id].append(entry)
            ids = list(by_batch)
            known = {r["id"] for r in tx.run(cypher.READ_BATCH_IDS, ids=ids)}
            if set(ids) - known:
                unknown = sorted(set(ids) - known)[0]
                raise IntegrityError(
                    f"{self.url}: history refused, nothing was written "
                    f"(provenance refers to unknown load batch {unknown!r})"
                )
            for batch_id, new in by_batch.items():
                # Merge with what the batch already has; a copied entry wins (its source).
                merged: dict[str, dict[str, tuple[str | None, str | None] | None]] = {
                    "organization": {},
                    "collaboration": {},
                }
                for r in tx.run(cypher.READ_PROVENANCE_OF_BATCH, batch_id=batch_id):
                    sources = json.loads(r["sources"]) if r["sources"] else {}
                    for key in r["keys"]:
                        merged[r["record_type"]][key] = tuple(sources[key]) if key in sources else None
                for p in new:
                    merged.setdefault(p.record_type, {})[p.record_key] = (p.source, p.source_id)
                tx.run(cypher.DELETE_PROVENANCE_OF_BATCH, batch_id=batch_id).consume()
                rows = []
                for record_type, entries in merged.items():
                    rows += self._chunk_rows(batch_id, record_type, entries)
                if rows:
                    tx.run(cypher.CREATE_PROVENANCE_CHUNKS, chunks=rows).consume()
            tx.run(cypher.SET_META, key=_META_KEY, version=meta["version"], batch_seq=seq).consume()

        with self._errors("importing history"), self._session(write=True) as session:
            session.execute_write(_fail_fast(work))

    # -- entity resolution ------------------------------------------------------------------

    def apply(self, edit: Edit) -> None:
        def work(tx: Any) -> None:
            meta = _lock_meta(tx)
            changed = self._apply_tx(tx, edit)
            version = meta["version"] + (1 if changed else 0)
            tx.run(cypher.SET_META, key=_META_KEY, version=version, batch_seq=meta["batch_seq"]).consume()

        with self._errors("applying a change"), self._session(write=True) as session:
            session.execute_write(_fail_fast(work))

    def _apply_tx(self, tx: Any, edit: Edit) -> bool:
        """Write *edit* inside the open transaction (under the meta lock); True when it
        changed organisations or collaborations."""
        changed = False
        if edit.delete_collaborations:
            keys = list(edit.delete_collaborations)
            for statement in cypher.DELETE_TIES_BY_KIND.values():  # a key names one tie of some type
                for chunk in _chunks(keys, self.batch_size):
                    tx.run(statement, keys=list(chunk)).consume()
            changed = True
        if edit.organizations or edit.collaborations:
            part = WritePart(LoadBatch(file="(change)"), edit.organizations, edit.collaborations)
            plan = self._plan_only(tx, [part])
            changed = self._fill([part], plan, now_iso()) or changed
            self._check_sent(self._send_plan(tx, plan))
        for chunk in _chunks(list(edit.delete_organizations), self.batch_size):
            try:
                tx.run(cypher.DELETE_ORGS, ids=list(chunk)).consume()
            except Exception as exc:  # the server refuses to delete a node that still has ties
                if "still has relationships" in str(exc) or "DeleteNodeWithRelationships" in (
                    getattr(exc, "code", "") or ""
                ):
                    raise IntegrityError(
                        f"{self.url}: change refused, nothing was written (a collaboration still "
                        "refers to an organisation it deletes)"
                    ) from None
                raise
            changed = True
        for statement, rows in (
            (cypher.DELETE_IDENTIFIERS, [[i.scheme, i.value, i.org_id] for i in edit.delete_identifiers]),
            (cypher.UPSERT_IDENTIFIERS, [[i.scheme, i.value, i.org_id, i.record] for i in edit.identifiers]),
            (cypher.DELETE_REWRITES, [list(r) for r in edit.delete_rewrites]),
            (cypher.UPSERT_REWRITES, [[r.tie_key, r.end, r.original] for r in edit.rewrites]),
            (cypher.UPSERT_CANDIDATES, [[c.a, c.b, c.status, c.to_json()] for c in edit.candidates]),
            (
                cypher.UPSERT_MERGES,
                [[m.id, time.time_ns() + n, m.to_json()] for n, m in enumerate(edit.merges)],
            ),
        ):
            for chunk in _chunks(rows, self.batch_size):
                tx.run(statement, rows=list(chunk)).consume()
        return changed

    def identifiers(self, org_ids: Iterable[str] | None = None) -> list[Identifier]:
        def work(tx: Any) -> list[Identifier]:
            if org_ids is None:
                return [Identifier(*r.values()) for r in tx.run(cypher.READ_IDENTIFIERS)]
            return [Identifier(*r.values()) for r in tx.run(cypher.READ_IDENTIFIERS_OF, ids=list(org_ids))]

        with self._errors("reading identifiers"):
            found = self._read(work)
        return sorted(found, key=lambda i: (i.scheme, i.value, i.org_id))

    def aliases(self, ids: Iterable[str]) -> dict[str, str]:
        ids = list(dict.fromkeys(ids))

        def work(tx: Any) -> dict[str, str]:
            found: dict[str, str] = {}
            for chunk in _chunks(ids, self.batch_size):
                found.update((r["value"], r["org_id"]) for r in tx.run(cypher.READ_ALIASES, ids=list(chunk)))
            return found

        with self._errors("looking up merged organisations"):
            return self._read(work)

    def collaborations_of(self, ids: Iterable[str]) -> list[Collaboration]:
        ids = list(dict.fromkeys(ids))
        with self._errors("reading collaborations"):
            rows = self._read(lambda tx: tx.run(cypher.TIES_OF, ids=ids).single()["rows"])
        ties = {row[-1]: Collaboration(*row[:_N_TIE_FIELDS]) for row in rows}
        return [ties[k] for k in sorted(ties)]

    def rewrites(self, tie_keys: Iterable[str]) -> list[Rewrite]:
        keys = list(dict.fromkeys(tie_keys))
        with self._errors("reading rewritten ties"):
            rows = self._read(lambda tx: [r.values() for r in tx.run(cypher.READ_REWRITES, keys=keys)])
        return sorted((Rewrite(*r) for r in rows), key=lambda r: (r.tie_key, r.end))

    def candidates(self, status: str | None = None) -> list[Candidate]:
        with self._errors("reading the review queue"):
            rows = self._read(lambda tx: [r["data"] for r in tx.run(cypher.READ_CANDIDATES, status=status)])
        return sorted((Candidate.from_json(d) for d in rows), key=lambda c: (c.created, c.a, c.b))

    def merges(self) -> list[Merge]:
        with self._errors("reading merges"):
            rows = self._read(lambda tx: [r["data"] for r in tx.run(cypher.READ_MERGES)])
        return [Merge.from_json(d) for d in rows]

    # -- saved snapshots ----------------------------------------------------------------

    def save_snapshot(self, snapshot: SavedSnapshot, *, replace: bool = False) -> None:
        from neo4j.exceptions import ConstraintError

        statement = cypher.REPLACE_SNAPSHOT if replace else cypher.CREATE_SNAPSHOT
        params = {**snapshot.as_dict(), "data": snapshot.data}
        try:
            with self._errors("saving a snapshot"), self._session(write=True) as session:
                session.execute_write(lambda tx: tx.run(statement, params).consume())
        except ConstraintError:
            raise SnapshotExists(snapshot.name) from None

    def saved_snapshots(self) -> list[SavedSnapshot]:
        with self._errors("listing saved snapshots"):
            rows = self._read(lambda tx: [r.values() for r in tx.run(cypher.READ_SNAPSHOTS)])
        return [SavedSnapshot(*row) for row in rows]

    def saved_snapshot(self, name: str) -> SavedSnapshot | None:
        with self._errors("reading a saved snapshot"):
            row = self._read(lambda tx: tx.run(cypher.READ_SNAPSHOT, name=name).single())
        if row is None:
            return None
        values = row.values()
        return SavedSnapshot(*values[:-1], data=bytes(values[-1]))

    def delete_snapshot(self, name: str) -> bool:
        with self._errors("deleting a saved snapshot"), self._session(write=True) as session:
            deleted = session.execute_write(
                lambda tx: tx.run(cypher.DELETE_SNAPSHOT, name=name).single()["deleted"]
            )
        return deleted > 0

    def clear(self) -> None:
        with self._errors("clearing the store"), self._session(write=True) as session:
            session.run(cypher.DELETE_ALL_IN_TRANSACTIONS).consume()
        self._snapshot_cache = None
