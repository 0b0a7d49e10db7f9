"""The production store: a Neo4j 5 server, reached over Bolt.

Organisations are ``(:Organization:<Kind>)`` nodes, collaborations one relationship type
per kind (``RESEARCH``, ``INVESTED_IN``...), load batches and provenance plain nodes;
every statement is a named constant in :mod:`ecograph.store.cypher`.

**A load is one transaction.** :meth:`Neo4jStore.write` classifies and writes every part's
records, the batches and the provenance inside one ``execute_write``: if anything fails
(a dangling tie, a lost connection, the server killed mid-load) the server rolls it all
back and nothing of the load is visible; no reader ever sees half a load, and there is no
staging area to clean up (the alternative, chunks committed under a batch id and flipped
visible at the end, would need every read to filter out staged records and a sweeper for
loads that died). The price is memory: the server holds the whole load's transaction
state, and Neo4j caps all transactions at 70 % of its heap. Measured: 100k organisations +
500k ties peak at 2.3 GiB of transaction memory, so ``ecograph neo4j start`` defaults to
``--heap 4g``; with 2g such a load fails cleanly, as any load too large for the heap does,
with :class:`~ecograph.errors.StoreUnavailable` naming the fix and nothing written (the
driver is told not to retry it). Inside the transaction rows
still go in batches of ``ECOGRAPH_BATCH_SIZE`` (``UNWIND $rows AS row MERGE ...``) so that
no single statement or Bolt message is huge.

Reads that return the whole store (organisations, collaborations, provenance) stream in
an auto-commit session (``session.run`` and iteration, ``fetch_size`` rows at a time) so a
snapshot of 500k ties never sits twice in memory; small reads use ``execute_read``.
"""

from __future__ import annotations

import json
import logging
import os
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar
from urllib.parse import unquote, urlsplit

from ecograph import settings
from ecograph.errors import IntegrityError, StoreUnavailable, UsageError
from ecograph.model import ORGANIZATION_FIELDS, TIE_KINDS, Collaboration, Organization
from ecograph.names import name_key
from ecograph.report import LoadBatch, now_iso
from ecograph.store import cypher
from ecograph.store.base import Provenance, Store, WritePart

__all__ = ["Neo4jStore"]

# The driver logs some failures itself (``log.error("Unable to retrieve routing
# information")``) before raising them; with no logging set up, Python would print those on
# stderr next to the one-line error the CLI shows. Applications that configure logging still
# get them.
logging.getLogger("neo4j").addHandler(logging.NullHandler())

_SCHEMES = {"bolt", "bolt+s", "bolt+ssc", "neo4j", "neo4j+s", "neo4j+ssc"}
_META_KEY = "store"
_T = TypeVar("_T")

_ORG_OPTIONAL = ("province", "city", "founded", "website", "ror", "description")
_TIE_OPTIONAL = ("start", "end", "amount", "currency", "evidence", "id")


def _org_props(org: Organization) -> dict[str, Any]:
    """The node's properties for *org*: no ``None`` (Neo4j stores no nulls), lists not tuples."""
    props: dict[str, Any] = {
        "id": org.id,
        "name": org.name,
        "name_key": name_key(org.name),
        "kind": org.kind,
        "country": org.country,
    }
    for name in _ORG_OPTIONAL:
        value = getattr(org, name)
        if value is not None:
            props[name] = value
    if org.sectors:
        props["sectors"] = list(org.sectors)
    if org.aliases:
        props["aliases"] = list(org.aliases)
    return props


def _org_from_props(props: dict[str, Any]) -> Organization:
    return Organization(
        id=props["id"],
        name=props["name"],
        kind=props["kind"],
        country=props["country"],
        sectors=tuple(props.get("sectors") or ()),
        aliases=tuple(props.get("aliases") or ()),
        **{name: props.get(name) for name in _ORG_OPTIONAL},
    )


def _tie_props(tie: Collaboration) -> dict[str, Any]:
    props: dict[str, Any] = {"key": tie.key, "kind": tie.kind, "weight": tie.weight}
    for name in _TIE_OPTIONAL:
        value = getattr(tie, name)
        if value is not None:
            props[name] = value
    return props


def _chunks(items: Sequence[_T], size: int) -> Iterator[Sequence[_T]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


class _OutOfMemory(Exception):
    """A write ran out of the server's transaction memory. Raised inside the transaction
    function in place of the driver's ``TransientError`` so that the driver does not run a
    load that cannot fit a second time."""


def _is_out_of_memory(exc: Exception) -> bool:
    code = getattr(exc, "code", None) or ""
    return "MemoryPoolOutOfMemoryError" in code or "transaction.total.max" in str(exc)


def _fail_fast(work: Callable[..., _T]) -> Callable[..., _T]:
    """*work* as a transaction function whose out-of-memory failure is not retried."""
    from neo4j.exceptions import TransientError

    def run(tx: Any, *args: Any) -> _T:
        try:
            return work(tx, *args)
        except TransientError as exc:
            if _is_out_of_memory(exc):
                raise _OutOfMemory(str(exc)) from None
            raise

    return run


@dataclass
class _Plan:
    """What a write will do, worked out from one consistent read of the store."""

    states: dict[tuple[str, int, str], int] = field(default_factory=dict)
    org_rows: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    tie_deletes: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    tie_rows: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    tie_creates: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))

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
        try:
            self._driver = GraphDatabase.driver(
                target,
                auth=auth,
                connection_timeout=connection_timeout,
                notifications_min_severity="OFF",
                user_agent="ecograph",
            )
        except (ValueError, TypeError) as exc:
            raise UsageError(f"{self.url} is not a usable Neo4j URL: {self._scrub(exc)}") from None
        try:
            with self._errors("connecting"):
                self._driver.verify_connectivity()
                self._read(lambda tx: tx.run(cypher.PING).consume())
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
        except (_OutOfMemory, TransientError) as exc:
            if isinstance(exc, _OutOfMemory) or _is_out_of_memory(exc):
                raise StoreUnavailable(
                    f"Neo4j at {self.url} ran out of transaction memory while {doing}; "
                    "nothing was written. Give the server a larger heap "
                    "(scripts/neo4j.sh stop; scripts/neo4j.sh start --heap 4g) or load smaller files"
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

    def _ensure_schema(self) -> None:
        wanted = {s.split()[2] for s in cypher.SCHEMA}  # "CREATE CONSTRAINT <name> ..."
        with self._session(write=True) as session:
            have = {r["name"] for r in session.run("SHOW CONSTRAINTS YIELD name")}
            have |= {r["name"] for r in session.run("SHOW INDEXES YIELD name")}
            if wanted <= have:
                return
            for statement in cypher.SCHEMA:
                session.run(statement).consume()
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
            found.update(r["id"] for r in tx.run(cypher.EXISTING_IDS, ids=list(chunk)))
        return found

    def organizations(self) -> Iterator[Organization]:
        for row in self._stream(cypher.READ_ORGS, "reading organisations"):
            # One column per field of Organization, in order; absent properties are None.
            fields = dict(zip(ORGANIZATION_FIELDS, row, strict=True))
            fields["sectors"] = tuple(fields["sectors"] or ())
            fields["aliases"] = tuple(fields["aliases"] or ())
            yield Organization(**fields)

    def collaborations(self) -> Iterator[Collaboration]:
        for row in self._stream(cypher.READ_TIES, "reading collaborations"):
            yield Collaboration(*row)  # one column per field, in order

    def organization(self, id: str) -> Organization | None:
        def work(tx: Any) -> dict[str, Any] | None:
            record = tx.run(cypher.READ_ORG, id=id).single()
            return None if record is None else record["props"]

        with self._errors("reading an organisation"):
            props = self._read(work)
        return None if props is None else _org_from_props(props)

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

    # -- writes -----------------------------------------------------------------------------

    def write(self, parts: Sequence[WritePart], *, dry_run: bool = False) -> list[LoadBatch]:
        with self._errors("writing" if not dry_run else "checking a load"):
            if dry_run:
                # Only reads: nothing to roll back, and no lock on the meta node.
                plan = self._read(self._plan, parts)
                self._fill(parts, plan, now_iso())
            else:
                with self._session(write=True) as session:
                    session.execute_write(_fail_fast(self._write_tx), parts)
        return [part.batch for part in parts]

    def _write_tx(self, tx: Any, parts: Sequence[WritePart]) -> None:
        """The whole load in one transaction. The driver may run it again after a transient
        error, so it starts from the store's state every time and only then fills the
        batches."""
        meta = tx.run(cypher.LOCK_META, key=_META_KEY).single()
        plan = self._plan(tx, parts)
        changed = self._fill(parts, plan, now_iso())
        for kind, rows in plan.org_rows.items():
            for chunk in _chunks(rows, self.batch_size):
                tx.run(cypher.MERGE_ORGS_BY_KIND[kind], rows=list(chunk)).consume()
        for kind, keys in plan.tie_deletes.items():
            for chunk in _chunks(keys, self.batch_size):
                tx.run(cypher.DELETE_TIES_BY_KIND[kind], keys=list(chunk)).consume()
        # Ties that are new (under the meta lock, so no one else can add them meanwhile) are
        # created outright; changed ones are merged on their key.
        for statements, table in (
            (cypher.CREATE_TIES_BY_KIND, plan.tie_creates),
            (cypher.MERGE_TIES_BY_KIND, plan.tie_rows),
        ):
            for kind, rows in table.items():
                for chunk in _chunks(rows, self.batch_size):
                    written = tx.run(statements[kind], rows=list(chunk)).single()["written"]
                    if written != len(chunk):  # an end vanished: cannot happen under the lock
                        raise IntegrityError(
                            f"{self.url}: write refused, nothing was written "
                            "(a collaboration refers to an organisation that is not in the store)"
                        )
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
            ).consume()
            chunks += self._provenance_chunks(batch.id, part)
        for chunk in _chunks(chunks, max(1, self.batch_size // 1000)):
            tx.run(cypher.CREATE_PROVENANCE_CHUNKS, chunks=list(chunk)).consume()
        version = meta["version"] + (1 if changed else 0)
        tx.run(cypher.SET_META, key=_META_KEY, version=version, batch_seq=seq).consume()

    def _fill(self, parts: Sequence[WritePart], plan: _Plan, finished: str) -> bool:
        """Copy the plan's counts into the batches; True when the load changes anything."""
        changed = False
        for index, part in enumerate(parts):
            batch = part.batch
            for table in ("organizations", "collaborations"):
                for state in ("inserted", "updated", "unchanged"):
                    setattr(batch, f"{table}_{state}", plan.states.get((table, index, state), 0))
            batch.finished = finished
            changed = changed or batch.changed > 0
        return changed

    def _plan(self, tx: Any, parts: Sequence[WritePart]) -> _Plan:
        """Classify every record of every part against the store as it is now.

        Each record is compared with the stored one as the transaction began (as SQLite's
        staging does), so a record given twice counts twice; the last one given is written.
        """
        plan = _Plan()
        size = self.batch_size
        store_has_orgs = tx.run(cypher.ANY_ORG).single() is not None

        # Organisations.
        latest: dict[str, dict[str, Any]] = {}
        given: list[tuple[int, str, dict[str, Any]]] = []
        for index, part in enumerate(parts):
            for org in part.organizations:
                if org.kind not in cypher.ORG_LABELS:  # the label comes from the kind
                    raise IntegrityError(
                        f"{self.url}: write refused, nothing was written (organisation "
                        f"{org.id!r} has unknown kind {org.kind!r})"
                    )
                props = _org_props(org)
                given.append((index, org.id, props))
                latest[org.id] = props
        stored: dict[str, dict[str, Any]] = {}
        if store_has_orgs:
            ids = list(latest)
            for chunk in _chunks(ids, size):
                for r in tx.run(cypher.READ_ORGS_BY_ID, ids=list(chunk)):
                    stored[r["id"]] = r["props"]
        for index, id_, props in given:
            old = stored.get(id_)
            state = "inserted" if old is None else "unchanged" if old == props else "updated"
            plan.count("organizations", index, state)
        for id_, props in latest.items():
            if stored.get(id_) != props:
                plan.org_rows[props["kind"]].append({"id": id_, "props": props})

        # Collaborations: every end must be in this load or in the store.
        ties: list[tuple[int, Collaboration]] = [
            (index, tie) for index, part in enumerate(parts) for tie in part.collaborations
        ]
        if not ties:
            return plan
        for _, tie in ties:
            if tie.kind not in cypher.TIE_TYPES:  # the relationship type comes from the kind
                raise IntegrityError(
                    f"{self.url}: write refused, nothing was written (collaboration "
                    f"{tie.source} -> {tie.target} has unknown kind {tie.kind!r})"
                )
        ends = {end for _, tie in ties for end in (tie.source, tie.target)} - latest.keys()
        known = self._existing_ids_tx(tx, sorted(ends)) if ends and store_has_orgs else set()
        missing = ends - known
        if missing:
            tie = next(t for _, t in ties if t.source in missing or t.target in missing)
            end = tie.source if tie.source in missing else tie.target
            raise IntegrityError(
                f"{self.url}: write refused, nothing was written (collaboration "
                f"{tie.source} -> {tie.target} ({tie.kind}) refers to unknown organisation {end!r}"
                f"{f' and {len(missing) - 1} more' if len(missing) > 1 else ''})"
            )
        last: dict[str, Collaboration] = {}
        for _, tie in ties:
            last[tie.key] = tie
        # key -> (kind, source, target, props) of the stored tie.
        found: dict[str, tuple[str, str, str, dict[str, Any]]] = {}
        if store_has_orgs:
            by_kind: dict[str, list[str]] = defaultdict(list)
            by_id: list[str] = []
            for key, tie in last.items():
                (by_id if tie.id else by_kind[tie.kind]).append(key)
            for kind in TIE_KINDS:
                # A tie with an id may have changed kind, so look for it under every type.
                keys = by_kind.get(kind, []) + by_id
                for chunk in _chunks(keys, size):
                    for r in tx.run(cypher.FIND_TIES_BY_KIND[kind], keys=list(chunk)):
                        props = r["props"]
                        found[props["key"]] = (kind, r["source"], r["target"], props)
        for index, tie in ties:
            old = found.get(tie.key)
            if old is None:
                state = "inserted"
            elif old == (tie.kind, tie.source, tie.target, _tie_props(tie)):
                state = "unchanged"
            else:
                state = "updated"
            plan.count("collaborations", index, state)
        for key, tie in last.items():
            props = _tie_props(tie)
            old = found.get(key)
            if old == (tie.kind, tie.source, tie.target, props):
                continue
            row = {"source": tie.source, "target": tie.target, "props": props}
            if old is None:
                plan.tie_creates[tie.kind].append(row)
            elif (old[0], old[1], old[2]) != (tie.kind, tie.source, tie.target):
                plan.tie_deletes[old[0]].append(key)  # moved: delete, then create anew
                plan.tie_creates[tie.kind].append(row)
            else:
                plan.tie_rows[tie.kind].append({**row, "key": key})
        return plan

    def _provenance_chunks(self, batch_id: str, part: WritePart) -> list[dict]:
        """The provenance of one part as chunk rows for ``CREATE_PROVENANCE_CHUNKS``."""
        out = []
        for record_type, keys in (
            ("organization", [o.id for o in part.organizations]),
            ("collaboration", [t.key for t in part.collaborations]),
        ):
            entries = {k: part.sources.get((record_type, k)) for k in keys}
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
            meta = tx.run(cypher.LOCK_META, key=_META_KEY).single()
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

    def clear(self) -> None:
        with self._errors("clearing the store"), self._session(write=True) as session:
            session.run(cypher.DELETE_ALL_IN_TRANSACTIONS).consume()
        self._snapshot_cache = None
