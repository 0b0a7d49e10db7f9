"""A store prepared for analysis: its snapshot, the projections, and results cached per store state.

Results are cached on disk, keyed by the store's state (URL, identity, ``store_version``
and the last load that changed data), so a second ``ecograph weak-links`` on an unchanged
store reads the result back instead of recomputing, and any write that changes data — or
a store deleted and built again — makes the old entries unreachable (they are pruned on
the next write of the cache).

The files are data, never code (:mod:`ecograph.cached_results`: tagged JSON, checked when
read), in a folder only this user may open (0700). An entry that does not read back as
the answer to its question is computed again, replaced, and said once on the log.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import networkx as nx

from ecograph import cached_results, settings
from ecograph.snapshot import directed, undirected
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
    """

    def __init__(self, store: Store | str | None = None, cache_dir: Path | str | bool | None = None):
        self._owned = not isinstance(store, Store)
        self.store: Store = store if isinstance(store, Store) else open_store(store)
        if cache_dir is False:
            self.cache_dir: Path | None = None
        else:
            self.cache_dir = Path(cache_dir) if cache_dir else default_cache_dir(self.store)
        self._views: dict[str, tuple[str, nx.Graph]] = {}

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

    @property
    def snapshot(self) -> nx.MultiDiGraph:
        """Every organisation and collaboration (see :func:`ecograph.snapshot.build_snapshot`)."""
        return self.store.snapshot()

    def _view(self, name: str, build: Callable[[nx.MultiDiGraph], nx.Graph]) -> nx.Graph:
        G = self.snapshot
        key = f"{G.graph.get('store_version')}:{id(G)}"
        cached = self._views.get(name)
        if cached is None or cached[0] != key:
            view = nx.freeze(build(G))
            self._views[name] = cached = (key, view)
        return cached[1]

    @property
    def graph(self) -> nx.Graph:
        """The undirected weighted projection most analyses take (frozen, shared)."""
        return self._view("undirected", undirected)

    @property
    def digraph(self) -> nx.DiGraph:
        """The directed view brokerage takes (frozen, shared)."""
        return self._view("directed", directed)

    def cached(self, name: str, params: dict[str, object], compute: Callable[[], T]) -> T:
        """The result of *compute* for (*name*, *params*) on the store's current state.

        Read from the disk cache when an entry answers this question; otherwise computed
        and written. An entry that is there but does not read back (damaged, or not written
        by ecograph) is computed again and replaced, and the log says so.
        """
        if self.cache_dir is None:
            return compute()
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
