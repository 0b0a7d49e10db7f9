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
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import networkx as nx
import numpy as np

from ecograph import cached_results, settings
from ecograph.period import Period, data_years, in_period, projection, resolve_period
from ecograph.snapshot import EdgeTable, directed, edge_table, undirected
from ecograph.store import Store, open_store
from ecograph.store.sqlite import SqliteStore

__all__ = ["Workspace", "default_cache_dir"]

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


class Workspace:
    """Analyses' view of one store.

    Parameters
    ----------
    store : Store, URL or None
        The store (None: the ``store`` setting). A URL is opened and owned.
    cache_dir : path, optional
        Where cached results go (default :func:`default_cache_dir`); ``False`` disables
        the disk cache.

    A workspace analyses every record; :meth:`for_period` gives the same store's
    workspace as of a period (see :mod:`ecograph.period`).
    """

    def __init__(self, store: Store | str | None = None, cache_dir: Path | str | bool | None = None):
        self._owned = not isinstance(store, Store)
        self.store: Store = store if isinstance(store, Store) else open_store(store)
        if cache_dir is False:
            self.cache_dir: Path | None = None
        else:
            self.cache_dir = Path(cache_dir) if cache_dir else default_cache_dir(self.store)
        self.period: Period | None = None
        self._views: dict[tuple[str, Period | None], tuple[str, object]] = {}

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
        key = f"{G.graph.get('store_version')}:{id(G)}"
        cached = self._views.get((name, period))
        if cached is None or cached[0] != key:
            self._views[(name, period)] = cached = (key, build(G))
        return cached[1]  # type: ignore[return-value]

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
            years = data_years(self.whole, self.table)
            starts = self.table.start[~np.isnan(self.table.start)]
            return {
                "years": list(years) if years else None,
                "last_start": int(starts.max()) if len(starts) else None,
            }

        whole = self if self.period is None else self.for_period(None)
        version = self.store.store_version()
        kept = self._views.get(("dates", None))
        if kept is None or kept[0] != version:
            kept = (version, whole.cached("tie-dates", {}, compute))
            self._views[("dates", None)] = kept
        return kept[1]  # type: ignore[return-value]

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
        """The undirected weighted projection most analyses take (frozen, shared)."""
        period = self.period
        if period is None:
            return self._view("undirected", lambda G: nx.freeze(undirected(G, table=self.table)))
        return self._view("undirected", lambda G: projection(G, period, self.table), period)

    @property
    def digraph(self) -> nx.DiGraph:
        """The directed view brokerage takes (frozen, shared)."""
        return self._view("directed", lambda G: nx.freeze(directed(self.snapshot)), self.period)

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
