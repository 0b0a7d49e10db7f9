"""A store prepared for analysis: one object owns everything computed from one state of a store.

:class:`AnalysisState` holds, per state of one store (its identity and version, see
:meth:`ecograph.store.Store.identity`) and per period: the columns read from the store, the
projections built from them, a networkx snapshot when something asks for one, and the
results computed from them — in memory, and on disk through a JSON cache. A write that
changes data raises the store's version, and a store deleted and built again gets a new
identity, so either makes every entry of the old state unreachable: the memory entries are
dropped on the next use, the disk entries pruned on the next write of the cache.
:class:`Workspace` is one store's connection to such a state, and what analyses, the
command line, the API and the explorer ask.

The files on disk are data, never code (:mod:`ecograph.cached_results`: tagged JSON, checked
when read), in a folder only this user may open (0700). An entry that does not read back as
the answer to its question is computed again, replaced, and said once on the log.
"""

from __future__ import annotations

import copy
import hashlib
import json
import logging
import os
import tempfile
import threading
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import networkx as nx
import numpy as np
import pyarrow.compute as pc

from ecograph import cached_results, settings
from ecograph.columns import EdgeTable, GraphColumns
from ecograph.model import LIST_FIELDS
from ecograph.period import Period, columns_in_period, data_years, resolve_period
from ecograph.projections import Arcs, Network, directed, undirected
from ecograph.store import Store, open_store
from ecograph.store.sqlite import SqliteStore

__all__ = ["AnalysisState", "StoreState", "Workspace", "default_cache_dir"]

T = TypeVar("T")
_SUFFIX = ".json"
log = logging.getLogger(__name__)


def default_cache_dir(store: Store) -> Path:
    """``$ECOGRAPH_CACHE_DIR``, else a folder beside a SQLite file, else the user's cache folder."""
    configured = settings.get("cache_dir")
    if configured:
        return Path(configured)
    if isinstance(store, SqliteStore):
        return store.path.with_name(store.path.name + ".cache")
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "ecograph" / hashlib.sha256(store.url.encode()).hexdigest()[:16]


def _undirected(columns: GraphColumns) -> Network:
    return undirected(columns.table, columns.column, columns.graph, node_attrs=columns.attributes)


def _directed(columns: GraphColumns) -> Arcs:
    return directed(columns.table, columns.column, columns.graph, node_attrs=columns.attributes)


@dataclass(frozen=True)
class StoreState:
    """One state of one store: what every entry of an :class:`AnalysisState` is kept with.

    ``identity`` and ``version`` change with the data (:meth:`ecograph.store.Store.identity`);
    the URL and home country say which store, and how its organisations are classified.
    """

    url: str
    identity: str
    version: int
    home_country: str

    @classmethod
    def of(cls, store: Store) -> StoreState:
        return cls(store.url, store.identity(), store.store_version(), store.home_country)

    @property
    def fingerprint(self) -> str:
        """A short hash of the state: the prefix of its entries' file names on disk."""
        text = f"{self.url}|{self.identity}|{self.version}|{self.home_country}"
        return hashlib.sha256(text.encode()).hexdigest()[:16]


class AnalysisState:
    """Everything computed from one store, per state and period: columns, projections,
    graphs and results.

    In memory, each entry is built once (one thread builds it; the others asking meanwhile
    wait for it) and kept until the store's state changes; results also go to a folder of
    JSON files (:meth:`result`), which serves the next command or the explorer after a
    restart. Workspaces share one (:meth:`Workspace.for_period`, the explorer's threads,
    each with its own connection to the same store). What it hands out is shared: treat it
    as read-only.

    Parameters
    ----------
    cache_dir : path, optional
        Where results are written (None: in memory only).
    """

    def __init__(self, cache_dir: Path | str | None = None) -> None:
        self.cache_dir = Path(cache_dir) if cache_dir is not None else None
        self._current: StoreState | None = None
        self._entries: dict[Hashable, tuple[StoreState, object]] = {}
        self._locks: dict[Hashable, threading.Lock] = {}
        self._lock = threading.Lock()

    def get(self, key: Hashable, state: StoreState, build: Callable[[], T], keep: int | None = None) -> T:
        """The value of *key* for store state *state*: kept in memory, else *build*'s.

        With *keep*, *key* is a tuple and at most *keep* values whose keys share all but its
        last part are kept, the earliest built dropped first: for keys made of what a
        visitor types, which must not grow the memory without bound.
        """
        if state != self._current:
            with self._lock:  # a new state: what the old one built is unreachable, let it go
                self._entries = {k: e for k, e in self._entries.items() if e[0] == state}
                self._current = state
        found = self._entries.get(key)
        if found is None or found[0] != state:
            with self._lock:
                lock = self._locks.setdefault(key, threading.Lock())
            with lock:
                found = self._entries.get(key)
                if found is None or found[0] != state:
                    found = (state, build())
                    self._entries.pop(key, None)  # a new entry goes last: the latest built
                    self._entries[key] = found
                    if keep is not None:
                        self._trim(key[:-1], keep)  # type: ignore[index]
        return found[1]  # type: ignore[return-value]

    def _trim(self, family: tuple, keep: int) -> None:
        """Drop all but the *keep* latest entries of keys starting with *family*, and the locks
        of the family's keys not kept (an earlier state's too)."""
        with self._lock:
            same = [k for k in self._entries if isinstance(k, tuple) and k[:-1] == family]
            for k in same[: max(len(same) - keep, 0)]:
                del self._entries[k]
            for k in [k for k in self._locks if isinstance(k, tuple) and k[:-1] == family]:
                if k not in self._entries:
                    del self._locks[k]

    def result(self, state: StoreState, name: str, params: dict[str, object], compute: Callable[[], T]) -> T:
        """The result of *compute* for (*name*, *params*) on store state *state*.

        Kept in memory; else read from the disk cache when an entry answers this question;
        else computed and written. An entry that is there but does not read back (damaged,
        or not written by ecograph) is computed again and replaced, and the log says so.
        """
        asked = json.dumps([name, params], sort_keys=True, default=str)
        return self.get(("result", asked), state, lambda: self._on_disk(state, name, params, asked, compute))

    def _on_disk(
        self, state: StoreState, name: str, params: dict[str, object], asked: str, compute: Callable[[], T]
    ) -> T:
        if self.cache_dir is None:
            return compute()
        fingerprint = state.fingerprint
        question = {"name": name, "params": params, "state": fingerprint}
        digest = hashlib.sha256(asked.encode()).hexdigest()[:16]
        path = self.cache_dir / f"{fingerprint}-{name}-{digest}{_SUFFIX}"
        try:
            data = path.read_bytes()
        except OSError:
            data = None
        if data is not None:
            try:
                return cached_results.loads(data, question)
            except cached_results.BadCacheFile as exc:
                log.warning(
                    "ecograph: the cached result %s could not be used (%s); computed again", path, exc
                )
        result = compute()
        _write(path, result, question)
        return result


def _write(path: Path, result: object, question: dict[str, object]) -> None:
    try:
        data = cached_results.dumps(result, question)
    except cached_results.Uncacheable:
        return
    folder = path.parent
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        if folder.stat().st_mode & 0o077:
            folder.chmod(0o700)  # made by an earlier version, or by hand: close it
        for old in folder.iterdir():
            # Entries of other store states, and files of earlier formats (never read).
            other_state = old.suffix == _SUFFIX and not old.name.startswith(str(question["state"]))
            if other_state or old.suffix == ".pickle":
                old.unlink(missing_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(tmp, path)
        finally:
            Path(tmp).unlink(missing_ok=True)
    except OSError:
        # A read-only or full disk costs speed, not correctness: the result stands.
        pass


class Workspace:
    """Analyses' view of one store, as of a period or over every record.

    Parameters
    ----------
    store : Store, URL or None
        The store (None: the ``store`` setting). A URL is opened and owned.
    cache_dir : path, optional
        Where cached results go (default :func:`default_cache_dir`); ``False`` disables
        the disk cache. Not with *state*, which has its own.
    state : AnalysisState, optional
        What other workspaces over the same store have built, to share (default: a new
        one writing to *cache_dir*).
    known_state : StoreState, optional
        The store's state, when the caller has just read it (the explorer, once per script
        run): every answer is then that state's, read without asking the store again
        (default: asked at each use, so a load meanwhile is seen).

    A workspace analyses every record; :meth:`for_period` gives the same store's
    workspace as of a period (see :mod:`ecograph.period`).
    """

    def __init__(
        self,
        store: Store | str | None = None,
        cache_dir: Path | str | bool | None = None,
        state: AnalysisState | None = None,
        known_state: StoreState | None = None,
    ):
        if state is not None and cache_dir is not None:
            raise ValueError("give a workspace a cache folder or an analysis state, not both")
        self._owned = not isinstance(store, Store)
        self.store: Store = store if isinstance(store, Store) else open_store(store)
        if state is None:
            folder = (
                None
                if cache_dir is False
                else Path(cache_dir)
                if cache_dir
                else default_cache_dir(self.store)
            )
            state = AnalysisState(folder)
        self.state = state
        self.known_state = known_state
        self.period: Period | None = None

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._owned:
            self.store.close()

    @property
    def cache_dir(self) -> Path | None:
        """The folder of the disk cache (None: results are kept in memory only)."""
        return self.state.cache_dir

    def store_state(self) -> StoreState:
        """The store's state (*known_state*, else two small reads): what every cached value is kept with."""
        return self.known_state if self.known_state is not None else StoreState.of(self.store)

    def for_period(self, period: Period | str | int | None) -> Workspace:
        """This workspace as of *period* (None: every record), sharing its store and state.

        Raises
        ------
        UsageError, UndatedStore
            The period is malformed or reaches outside the years of the store's ties (the
            message names them), or no tie has a date.
        """
        period = resolve_period(period, self.years()) if period is not None else None
        if period == self.period:
            return self
        view = copy.copy(self)
        view._owned = False  # the store stays with the workspace that opened it
        view.period = period
        return view

    def _kept(self, name: str, build: Callable[[], T]) -> T:
        """*build*'s value for the store's current state and the workspace's period, kept in memory."""
        return self.state.get((name, self.period), self.store_state(), build)

    @property
    def columns(self) -> GraphColumns:
        """The store's graph as columns (one columnar read, :meth:`~ecograph.store.Store.tables`),
        as of the workspace's period."""
        period = self.period
        if period is not None:
            whole = self.for_period(None).columns
            return self._kept("columns", lambda: columns_in_period(whole, period))
        store = self.store

        def read() -> GraphColumns:
            version = store.store_version()  # read before the tables: a later load is seen next time
            return GraphColumns.from_tables(
                *store.tables(), store.home_country, store_version=version, store_url=store.url
            )

        return self._kept("columns", read)

    @property
    def network(self) -> Network:
        """The undirected weighted projection as arrays, built from :attr:`columns`: what the
        analyses take (its igraph copy and adjacency are made once, on first use)."""
        return self._kept("network", lambda: _undirected(self.columns))

    @property
    def arcs(self) -> Arcs:
        """The directed projection as arrays (investment and spin-off one way, the rest both ways)."""
        return self._kept("arcs", lambda: _directed(self.columns))

    @property
    def table(self) -> EdgeTable:
        """The collaborations as of the workspace's period, as columns (:attr:`GraphColumns.table`)."""
        return self.columns.table

    def index(self) -> dict[str, int]:
        """Organisation id → its row in :attr:`columns` (kept)."""
        return self._kept("index", lambda: {v: i for i, v in enumerate(self.columns.ids)})

    def attribute(self, attr: str) -> list:
        """Every organisation's value of *attr* in row order, as :meth:`GraphColumns.column` gives
        it (kept: index it with :meth:`index`)."""
        return self._kept(f"attribute:{attr}", lambda: self.columns.column(attr))

    def organisation(self, org: str) -> dict | None:
        """The attributes of organisation *org* as a snapshot's node carries them (its fields but
        ``id``, and ``category``; lists as tuples), or None when the store holds no such id
        (as of the workspace's period)."""
        row = self.index().get(org)
        if row is None:
            return None
        columns = self.columns
        record = columns.organizations.slice(row, 1).to_pylist()[0]
        out = {f: record.get(f) for f in columns.attributes if f != "category"}
        for f in LIST_FIELDS:  # as GraphColumns.column gives them
            out[f] = tuple(out[f]) if out.get(f) else ()
        out["category"] = columns.category[row]
        return out

    def dates(self) -> dict:
        """What the store's tie dates cover: ``years`` (first and last year named, or None when no
        tie has a date) and ``last_start`` (the latest year a tie started, or None).

        Cached like a result (in memory, and on disk per store state), so that checking a
        period on an unchanged store reads nothing more.
        """
        whole = self if self.period is None else self.for_period(None)

        def compute() -> dict:
            table = whole.columns.table
            years = data_years(None, table)
            starts = table.start[~np.isnan(table.start)]
            return {
                "years": list(years) if years else None,
                "last_start": int(starts.max()) if len(starts) else None,
            }

        return whole.cached("tie-dates", {}, compute)

    def years(self) -> tuple[int, int] | None:
        """The first and last year named by the store's tie dates, or None when none has a date."""
        years = self.dates()["years"]
        return (years[0], years[1]) if years else None

    def provinces(self) -> set[str]:
        """The provinces the store's organisations are in."""
        found = pc.unique(self.columns.organizations["province"]).to_pylist()
        return {p for p in found if p}

    @property
    def whole(self) -> nx.MultiDiGraph:
        """Every organisation and collaboration as a networkx ``MultiDiGraph``, built from
        :attr:`columns` on first use (see :meth:`GraphColumns.to_snapshot`; frozen, shared)."""
        return self.for_period(None).snapshot

    @property
    def snapshot(self) -> nx.MultiDiGraph:
        """The snapshot as of the workspace's period (every record when it has none), as
        :func:`ecograph.period.in_period` gives it; built from :attr:`columns` on first use."""
        return self._kept("snapshot", lambda: nx.freeze(self.columns.to_snapshot()))

    @property
    def graph(self) -> nx.Graph:
        """:attr:`network` as networkx, for the analyses written for it (frozen, shared)."""
        return self.network.to_networkx()

    @property
    def digraph(self) -> nx.DiGraph:
        """:attr:`arcs` as networkx: the directed view brokerage takes (frozen, shared)."""
        return self.arcs.to_networkx()

    def cached(self, name: str, params: dict[str, object], compute: Callable[[], T]) -> T:
        """The result of *compute* for (*name*, *params*) on the store's current state and period
        (see :meth:`AnalysisState.result`): shared, treat it as read-only."""
        if self.period is not None:
            params = {**params, "period": self.period.label}
        return self.state.result(self.store_state(), name, params, compute)

    def derived(
        self, name: str, params: dict[str, object], compute: Callable[[], T], keep: int | None = None
    ) -> T:
        """*compute*'s value for (*name*, *params*) kept in memory only, like a result: for what
        is made cheaply from cached results (a report's words around its numbers, a named
        query's rows), so that every caller gets the same object and the disk holds the
        numbers once. *keep* bounds how many values of *name* are kept (the earliest built
        dropped first), for parameters that visitors choose."""
        if self.period is not None:
            params = {**params, "period": self.period.label}
        asked = json.dumps([name, params], sort_keys=True, default=str)
        return self.state.get(("derived", name, asked), self.store_state(), compute, keep)
