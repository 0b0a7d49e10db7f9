"""A store prepared for analysis: its snapshot, the projections, and results cached per store state.

Results are cached on disk, keyed by the store's state (URL, identity, ``store_version``
and the last load that changed data) and the period analysed, so a second ``ecograph weak-links`` on an unchanged
store reads the result back instead of recomputing, and any write that changes data — or
a store deleted and built again — makes the old entries unreachable (they are pruned on
the next write of the cache).

The files are data, never code (:mod:`ecograph.cached_results`: tagged JSON, checked when
read), in a folder only this user may open (0700). An entry that does not read back as
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
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import networkx as nx
import numpy as np

from ecograph import cached_results, settings
from ecograph.columns import EdgeTable, GraphColumns, edge_table
from ecograph.period import Period, columns_in_period, data_years, in_period, resolve_period
from ecograph.projections import Arcs, Network, directed, undirected
from ecograph.store import Store, open_store
from ecograph.store.sqlite import SqliteStore

__all__ = ["AnalysisState", "Workspace", "default_cache_dir"]

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


class AnalysisState:
    """What has been built from one store, in memory: its columns, projections and graphs,
    per period, each kept with the store state it was built from and built again when the
    store's state differs.

    Workspaces share one (:meth:`Workspace.for_period`, the explorer's threads, each with
    its own connection to the same store); results go to the workspace's disk cache.
    """

    def __init__(self) -> None:
        self._entries: dict[tuple[str, Period | None], tuple[object, object]] = {}
        self._locks: dict[tuple[str, Period | None], threading.Lock] = {}
        self._lock = threading.Lock()

    def get(self, name: str, period: Period | None, state: object, build: Callable[[], T]) -> T:
        """The value of (*name*, *period*) built for store state *state*, or *build*'s (one
        thread builds it; the others asking meanwhile wait for it)."""
        key = (name, period)
        found = self._entries.get(key)
        if found is None or found[0] != state:
            with self._lock:
                lock = self._locks.setdefault(key, threading.Lock())
            with lock:
                found = self._entries.get(key)
                if found is None or found[0] != state:
                    found = (state, build())
                    self._entries[key] = found
        return found[1]  # type: ignore[return-value]


class Workspace:
    """Analyses' view of one store.

    Parameters
    ----------
    store : Store, URL or None
        The store (None: the ``store`` setting). A URL is opened and owned.
    cache_dir : path, optional
        Where cached results go (default :func:`default_cache_dir`); ``False`` disables
        the disk cache.
    state : AnalysisState, optional
        What another workspace over the same store has built, to share (default: its own).

    A workspace analyses every record; :meth:`for_period` gives the same store's
    workspace as of a period (see :mod:`ecograph.period`).
    """

    def __init__(
        self,
        store: Store | str | None = None,
        cache_dir: Path | str | bool | None = None,
        state: AnalysisState | None = None,
    ):
        self._owned = not isinstance(store, Store)
        self.store: Store = store if isinstance(store, Store) else open_store(store)
        if cache_dir is False:
            self.cache_dir: Path | None = None
        else:
            self.cache_dir = Path(cache_dir) if cache_dir else default_cache_dir(self.store)
        self.period: Period | None = None
        self.state = state if state is not None else AnalysisState()

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._owned:
            self.store.close()

    def fingerprint(self) -> str:
        """A short hash of the store's state; it changes whenever data changes."""
        store = self.store
        last_change = next((b.id for b in reversed(store.batches()) if b.changed), "")
        state = f"{store.url}|{store.identity()}|{store.store_version()}|{last_change}|{store.home_country}"
        return hashlib.sha256(state.encode()).hexdigest()[:16]

    def for_period(self, period: Period | str | int | None) -> Workspace:
        """This workspace as of *period* (None: every record), sharing its store and caches.

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

    @property
    def whole(self) -> nx.MultiDiGraph:
        """Every organisation and collaboration (see :func:`ecograph.snapshot.build_snapshot`)."""
        return self.store.snapshot()

    def _view(self, name: str, build: Callable[[nx.MultiDiGraph], T], period: Period | None = None) -> T:
        G = self.whole
        return self.state.get(name, period, (G.graph.get("store_version"), id(G)), lambda: build(G))

    def _state(self, name: str, build: Callable[[], T]) -> T:
        """*build*'s value for the store's current state and the workspace's period, kept in memory."""
        return self.state.get(name, self.period, (self.store.identity(), self.store.store_version()), build)

    @property
    def columns(self) -> GraphColumns:
        """The store's graph as columns (one columnar read, :meth:`~ecograph.store.Store.tables`),
        as of the workspace's period."""
        period = self.period
        if period is not None:
            whole = self.for_period(None).columns
            return self._state("columns", lambda: columns_in_period(whole, period))
        store = self.store

        def read() -> GraphColumns:
            version = store.store_version()  # read before the tables: a later load is seen next time
            return GraphColumns.from_tables(
                *store.tables(), store.home_country, store_version=version, store_url=store.url
            )

        return self._state("columns", read)

    @property
    def network(self) -> Network:
        """The undirected weighted projection as arrays, built from :attr:`columns`: what the
        analyses take (its igraph copy and adjacency are made once, on first use)."""
        return self._state("network", lambda: _undirected(self.columns))

    @property
    def arcs(self) -> Arcs:
        """The directed projection as arrays (investment and spin-off one way, the rest both ways)."""
        return self._state("arcs", lambda: _directed(self.columns))

    @property
    def table(self) -> EdgeTable:
        """The whole snapshot's collaborations as columns (shared)."""
        return self._view("table", edge_table)

    def dates(self) -> dict:
        """What the store's tie dates cover: ``years`` (first and last year named, or None when no
        tie has a date) and ``last_start`` (the latest year a tie started, or None).

        Cached like a result (in memory, and on disk per store state), so that checking a
        period on an unchanged store does not read the snapshot again.
        """

        def compute() -> dict:
            table = self.columns.table
            years = data_years(None, table)
            starts = table.start[~np.isnan(table.start)]
            return {
                "years": list(years) if years else None,
                "last_start": int(starts.max()) if len(starts) else None,
            }

        whole = self if self.period is None else self.for_period(None)
        version = self.store.store_version()
        return self.state.get("dates", None, version, lambda: whole.cached("tie-dates", {}, compute))

    def years(self) -> tuple[int, int] | None:
        """The first and last year named by the store's tie dates, or None when none has a date."""
        years = self.dates()["years"]
        return (years[0], years[1]) if years else None

    @property
    def snapshot(self) -> nx.MultiDiGraph:
        """The snapshot as of the workspace's period (every record when it has none)."""
        if self.period is None:
            return self.whole
        period = self.period
        return self._view("snapshot", lambda G: in_period(G, period, self.table), period)

    @property
    def graph(self) -> nx.Graph:
        """:attr:`network` as networkx, for the analyses written for it (frozen, shared)."""
        return self.network.to_networkx()

    @property
    def digraph(self) -> nx.DiGraph:
        """:attr:`arcs` as networkx: the directed view brokerage takes (frozen, shared)."""
        return self.arcs.to_networkx()

    def cached(self, name: str, params: dict[str, object], compute: Callable[[], T]) -> T:
        """The result of *compute* for (*name*, *params*) on the store's current state and period.

        Read from the disk cache when an entry answers this question; otherwise computed
        and written. An entry that is there but does not read back (damaged, or not written
        by ecograph) is computed again and replaced, and the log says so.
        """
        if self.cache_dir is None:
            return compute()
        if self.period is not None:
            params = {**params, "period": self.period.label}
        fingerprint = self.fingerprint()
        question = {"name": name, "params": params, "state": fingerprint}
        digest = hashlib.sha256(json.dumps([name, params], sort_keys=True, default=str).encode()).hexdigest()[
            :16
        ]
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
        self._store(path, result, question)
        return result

    def _store(self, path: Path, result: object, question: dict[str, object]) -> None:
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
