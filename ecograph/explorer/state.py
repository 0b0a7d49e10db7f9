"""What the explorer's pages share: the store, its snapshot and projections, and cached results.

**The store is the operator's choice.** The explorer serves the store it was started with
(``ecograph serve --store`` / ``$ECOGRAPH_STORE``) under the name ``default``, and any
other stores the operator lists in ``$ECOGRAPH_EXPLORER_STORES``; a visitor may switch
between those names in the sidebar and never types a URL, so no visitor can make the
server open a file or send its Neo4j credentials anywhere the operator did not configure.

Caching follows the store's identity and version: the snapshot and its projections are
``st.cache_resource`` entries keyed by ``(url, identity, store_version)`` (frozen graphs,
shared by every session), and results are ``st.cache_data`` entries whose key holds the
same while the graph itself goes in as an underscore (unhashed) parameter. A load that
changes data raises the version, and a store deleted and built again has a new identity
(its version may start again at 1), so every page recomputes from the new snapshot.

Results come from :mod:`ecograph.api` and :mod:`ecograph.analysis` — the same functions
the command line calls — through a :class:`~ecograph.workspace.Workspace` that reuses the
cached graphs, so the analyses' disk cache also serves the explorer after a restart.

Messages never show a store's URL or a path: a visitor sees the store's name and a short
reason, the operator's console gets the whole message.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Hashable
from typing import Any

import networkx as nx
import streamlit as st

from ecograph import api, settings
from ecograph.analysis import (
    articulation_cuts,
    attack_curve,
    bridge_cuts,
    brokerage_roles,
    community_links,
    community_profiles,
    group_gaps,
    louvain,
    periphery,
    top_nodes,
)
from ecograph.analysis.ego import ego_ties
from ecograph.errors import EcographError, StoreUnavailable
from ecograph.explorer import allow_writes, page_path
from ecograph.names import name_key
from ecograph.snapshot import directed, undirected
from ecograph.store import Store, open_store, redact
from ecograph.store.sqlite import SqliteStore
from ecograph.workspace import Workspace

__all__ = [
    "Context",
    "context",
    "require_data",
    "show_error",
    "store",
    "store_name",
    "store_selector",
    "store_url",
]

STORE_KEY = "ecograph_store_name"
_local = threading.local()
log = logging.getLogger("ecograph.explorer")


# -- the store ----------------------------------------------------------------------------


def store_name() -> str:
    """The name of the store this session explores: the visitor's choice among the
    operator's stores, else ``default``."""
    chosen = st.session_state.get(STORE_KEY)
    return chosen if chosen in settings.explorer_stores() else settings.DEFAULT_STORE


def store_url() -> str:
    """The URL of :func:`store_name`'s store, as the operator configured it."""
    return settings.explorer_stores()[store_name()]


@st.cache_resource(show_spinner=False, max_entries=4)
def _shared_store(url: str) -> Store:
    return open_store(url)


def store(url: str | None = None) -> Store:
    """The open store at *url* (default :func:`store_url`).

    A SQLite connection belongs to the thread that opened it and Streamlit runs each
    script run in its own thread, so a SQLite store is opened once per thread (cheap: one
    local file), and again when its file was replaced (deleted and built anew). A Neo4j
    driver is thread-safe and costly to open: one per URL, shared.

    Raises
    ------
    StoreUnavailable, UsageError
        The store cannot be opened (the pages show the message).
    """
    url = url or store_url()
    if not url.startswith("sqlite:"):
        return _shared_store(url)
    stores: dict[str, Store] = getattr(_local, "stores", None) or {}
    _local.stores = stores
    handle = stores.get(url)
    if isinstance(handle, SqliteStore) and handle.replaced():
        handle.close()
        handle = None
    if handle is None:
        handle = stores[url] = open_store(url)
    return handle


def store_selector() -> None:
    """The sidebar's choice of store, when the operator listed more than one (by name only)."""
    names = list(settings.explorer_stores())
    if len(names) < 2:
        return
    if st.session_state.get(STORE_KEY) not in names:
        st.session_state[STORE_KEY] = settings.DEFAULT_STORE
    with st.sidebar:
        st.selectbox(
            "Store",
            names,
            key=STORE_KEY,
            help="The stores this explorer serves, as its operator set them up.",
        )


def show_error(exc: EcographError) -> None:
    """*exc* as the page's one message: a store's trouble without its URL or any path (the
    console gets the whole message), anything else as its own message."""
    if isinstance(exc, StoreUnavailable):
        log.warning("store %r (%s): %s", store_name(), redact(store_url()), exc)
        text = str(exc)
        why = "it is being written by a load" if "locked" in text else "it cannot be reached or opened"
        st.error(
            f"The store “{store_name()}” is not available right now: {why}. "
            "Reload the page in a moment; the explorer's console says more.",
            icon=":material/cloud_off:",
        )
    else:
        st.error(str(exc), icon=":material/error:")


# -- graphs, cached per store version ------------------------------------------------------


@st.cache_resource(show_spinner="Reading the store…", max_entries=2)
def _snapshot(url: str, identity: str, version: int) -> nx.MultiDiGraph:
    G = store(url).snapshot()  # built once per state and frozen by the store
    return G


@st.cache_resource(show_spinner=False, max_entries=2)
def _undirected(url: str, identity: str, version: int) -> nx.Graph:
    return nx.freeze(undirected(_snapshot(url, identity, version)))


@st.cache_resource(show_spinner=False, max_entries=2)
def _directed(url: str, identity: str, version: int) -> nx.DiGraph:
    return nx.freeze(directed(_snapshot(url, identity, version)))


class _AppWorkspace(Workspace):
    """A workspace over the explorer's cached graphs (no snapshot rebuilt per script run)."""

    def __init__(self, handle: Store, url: str, identity: str, version: int):
        super().__init__(handle)
        self._key = (url, identity, version)

    @property
    def whole(self) -> nx.MultiDiGraph:
        return _snapshot(*self._key)

    # As of a period, the workspace builds (and keeps) its own graphs from the snapshot.
    @property
    def graph(self) -> nx.Graph:
        return _undirected(*self._key) if self.period is None else super().graph

    @property
    def digraph(self) -> nx.DiGraph:
        return _directed(*self._key) if self.period is None else super().digraph


class Context:
    """One script run's view of the store: its name, URL, identity, version and cached graphs."""

    def __init__(self, url: str, handle: Store, identity: str, version: int, counts: dict, name: str = ""):
        self.url = url
        self.name = name or settings.DEFAULT_STORE
        self.store = handle
        self.identity = identity
        self.version = version
        self.counts = counts

    @property
    def key(self) -> tuple[str, str, int]:
        """``(url, identity, store_version)``: the part of every cache key that follows the data."""
        return (self.url, self.identity, self.version)

    @property
    def snapshot(self) -> nx.MultiDiGraph:
        return _snapshot(*self.key)

    @property
    def graph(self) -> nx.Graph:
        return _undirected(*self.key)

    @property
    def digraph(self) -> nx.DiGraph:
        return _directed(*self.key)

    def workspace(self) -> Workspace:
        return _AppWorkspace(self.store, *self.key)

    @property
    def empty(self) -> bool:
        return not self.counts.get("organizations")


@st.cache_data(show_spinner=False, max_entries=8)
def _counts(_store: Store, url: str, identity: str, version: int) -> dict:
    out = dict(_store.counts())
    batches = _store.batches()
    out["loads"] = len(batches)
    out["last_load"] = batches[-1].as_dict() if batches else None
    out["recent_loads"] = [b.as_dict() for b in batches[-10:]][::-1]
    return out


def context(url: str | None = None) -> Context:
    """The context of the store at *url* (default: this session's store); raises what
    opening the store raises."""
    url = url or store_url()
    handle = store(url)
    identity, version = handle.identity(), handle.store_version()
    return Context(url, handle, identity, version, _counts(handle, url, identity, version), store_name())


# -- page guards -----------------------------------------------------------------------------


def require_data() -> Context:
    """The context, or stop the page with one clear message when the store is unusable or empty."""
    try:
        ctx = context()
    except EcographError as exc:
        show_error(exc)
        st.stop()
    if ctx.empty:
        empty_store_message()
        st.stop()
    return ctx


def empty_store_message() -> None:
    """The friendly page for a store without organisations: the demo, or the Load page."""
    st.info("This store holds no organisations yet.", icon=":material/inbox:")
    st.markdown(
        "Load the synthetic demonstration ecosystem (about 1,500 organisations) from a terminal, "
        "with the store's URL:"
    )
    st.code("ecograph demo --store URL", language="bash")
    if allow_writes():
        st.markdown("…or load your own organisations and collaborations:")
        st.page_link(page_path("load"), label="Load data", icon=":material/upload_file:")
    else:
        st.markdown("…or load your own files with `ecograph load FILE…`, or start the explorer with")
        st.code("ECOGRAPH_ALLOW_WRITES=1 ecograph serve", language="bash")
        st.markdown("to upload them on the **Load data** page.")


# -- cached results -----------------------------------------------------------------------
# Each takes the context's graph as an underscore parameter and (url, identity, version) in its key.


@st.cache_data(show_spinner="Computing centrality…", max_entries=64)
def centrality(_ctx: Context, key: tuple[str, str, int], measure: str):
    """:func:`ecograph.api.centrality_values` (a CentralityResult) for *measure*."""
    return api.centrality_values(_ctx.workspace(), measure)


@st.cache_data(show_spinner=False, max_entries=64)
def ranking(_ctx: Context, key: tuple[str, str, int], measure: str) -> dict[Hashable, int]:
    """Organisation → rank (1 = most central; constraint and hierarchy: lowest first)."""
    rows = top_nodes(_ctx.graph, centrality(_ctx, key, measure), n=None)
    return {r["id"]: r["rank"] for r in rows}


@st.cache_data(show_spinner="Finding weak links…", max_entries=4)
def weak_link_report(_ctx: Context, key: tuple[str, str, int], top: int = 10) -> dict:
    """The weak-link report (:func:`ecograph.api.weak_links`): JSON-able, cached on disk too."""
    return api.weak_links(_ctx.workspace(), top=top)


@st.cache_data(show_spinner="Finding partnerships…", max_entries=64)
def recommendations(
    _ctx: Context,
    key: tuple[str, str, int],
    org: str | None = None,
    source_category: str | None = None,
    target_category: str | None = None,
    top: int = 20,
) -> list[dict]:
    return api.recommend(
        _ctx.workspace(), org=org, top=top, source_category=source_category, target_category=target_category
    )


@st.cache_data(show_spinner=False, max_entries=8)
def bridges(_ctx: Context, key: tuple[str, str, int]) -> list[dict]:
    return bridge_cuts(_ctx.graph)


@st.cache_data(show_spinner=False, max_entries=8)
def articulation_points(_ctx: Context, key: tuple[str, str, int]) -> list[dict]:
    return articulation_cuts(_ctx.graph)


@st.cache_data(show_spinner="Counting brokerage roles…", max_entries=8)
def brokerage(_ctx: Context, key: tuple[str, str, int], attr: str = "category") -> dict:
    return brokerage_roles(_ctx.digraph, attr)


@st.cache_data(show_spinner=False, max_entries=16)
def gaps(_ctx: Context, key: tuple[str, str, int], attr: str, min_expected: float = 0.0) -> list[dict]:
    return group_gaps(_ctx.graph, attr, min_expected=min_expected)


@st.cache_data(show_spinner="Finding communities…", max_entries=8)
def partition(_ctx: Context, key: tuple[str, str, int]) -> dict[str, Any]:
    """Louvain communities: ``membership``, ``modularity``, ``method``, ``profiles`` and ``links``."""
    G = _ctx.graph
    found = louvain(G)
    return {
        "membership": found.membership,
        "modularity": found.modularity,
        "method": found.method,
        "profiles": community_profiles(G, found, top=3, min_size=2),
        "links": community_links(G, found, max_ties=3, min_size=2),
    }


@st.cache_data(show_spinner=False, max_entries=8)
def peripheral(_ctx: Context, key: tuple[str, str, int]) -> dict[str, list[dict]]:
    return periphery(_ctx.graph)


@st.cache_data(show_spinner="Simulating the loss of brokers…", max_entries=8)
def resilience(_ctx: Context, key: tuple[str, str, int]) -> list[dict]:
    return attack_curve(_ctx.graph, ranking=centrality(_ctx, key, "betweenness"))


@st.cache_data(show_spinner=False, max_entries=64)
def ties_of(_ctx: Context, key: tuple[str, str, int], org: str) -> list[dict]:
    return ego_ties(_ctx.snapshot, org)


@st.cache_data(show_spinner=False, max_entries=8)
def search_index(_ctx: Context, key: tuple[str, str, int]) -> list[tuple[str, str, str]]:
    """``(id, name, folded names and aliases)`` for every organisation, sorted by name."""
    rows = []
    for node, data in _ctx.snapshot.nodes(data=True):
        names = [str(data.get("name") or node), *map(str, data.get("aliases") or ()), str(node)]
        rows.append((node, str(data.get("name") or node), " | ".join(name_key(n) for n in names)))
    rows.sort(key=lambda r: (name_key(r[1]), r[0]))
    return rows


def search(ctx: Context, text: str, limit: int = 50) -> list[tuple[str, str]]:
    """Organisations whose name, alias or id holds every word of *text*, diacritics ignored.

    ``dai hoc bach khoa`` finds ``Đại học Bách khoa Hà Nội``; names that start with the
    query come first.
    """
    words = name_key(text).split()
    if not words:
        return []
    query = " ".join(words)
    hits = []
    for node, name, keys in search_index(ctx, ctx.key):
        if all(w in keys for w in words):
            starts = not name_key(name).startswith(query)
            hits.append((starts, len(name), node, name))
    hits.sort(key=lambda h: (h[0], h[1], h[3]))
    return [(node, name) for _, _, node, name in hits[:limit]]
