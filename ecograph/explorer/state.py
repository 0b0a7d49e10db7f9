"""What the explorer's pages share: the store, its analysis state, and cached results.

**The store is the operator's choice.** The explorer serves the store it was started with
(``ecograph serve --store`` / ``$ECOGRAPH_STORE``) under the name ``default``, and any
other stores the operator lists in ``$ECOGRAPH_EXPLORER_STORES``; a visitor may switch
between those names in the sidebar and never types a URL, so no visitor can make the
server open a file or send its Neo4j credentials anywhere the operator did not configure.

**One cache for analyses.** Everything computed from the store — its columns, projections,
networkx graphs and every analysis result — lives in one
:class:`~ecograph.workspace.AnalysisState` per store state, the same object the command
line and the API use: an ``st.cache_resource`` entry keyed by ``(url, identity,
store_version)``, shared by every page, session and thread. Results go through
:meth:`Workspace.cached <ecograph.workspace.Workspace.cached>` — kept in memory, and on
disk in the analyses' JSON cache, so a result computed by ``ecograph weak-links`` serves
the explorer (and the explorer's serve the next start); the Queries page's named-query
results, whose parameters visitors type, stay in memory only, the latest 64
(:meth:`Workspace.derived <ecograph.workspace.Workspace.derived>`). A load that changes
data raises the version, and a store deleted and built again has a new identity (its
version may start again at 1), so every page recomputes from the new state. What a page
gets is shared: pages read results, they never change them.

**Streamlit's own caches hold UI artefacts only**, each keyed by the same
``(url, identity, store_version)``: the sidebar's counts and load history (:func:`_counts`),
the search index (:func:`search_index`), the organisation and tie tables and the filters'
choices (:func:`ecograph.explorer.ui.frames`, :func:`~ecograph.explorer.ui.choices`), drawn
maps and HTML (the Overview, Network and Profile pages), and an organisation's sources and
their licences (Profile).

Results come from :mod:`ecograph.api` and :mod:`ecograph.analysis` — the same functions
the command line calls. Messages never show a store's URL or a path: a visitor sees the
store's name and a short reason, the operator's console gets the whole message.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Hashable
from typing import Any

import networkx as nx
import numpy as np
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
from ecograph.store import Store, open_store, redact
from ecograph.store.sqlite import SqliteStore
from ecograph.workspace import AnalysisState, StoreState, Workspace, default_cache_dir

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


# -- the analysis state, one per store state --------------------------------------------


@st.cache_resource(show_spinner=False, max_entries=2)
def _analysis_state(_store: Store, url: str, identity: str, version: int) -> AnalysisState:
    """What has been built and computed from the store at *url* in this state (its columns,
    projections, graphs and results), shared by every page, session and thread; results
    also go to the store's disk cache (:func:`~ecograph.workspace.default_cache_dir`)."""
    return AnalysisState(default_cache_dir(_store))


class Context:
    """One script run's view of the store: its name, URL, identity, version and analysis state."""

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
        """The store as a networkx snapshot, for networkx-only code (built on first use)."""
        return self.workspace().whole

    @property
    def graph(self) -> nx.Graph:
        return self.workspace().graph

    @property
    def digraph(self) -> nx.DiGraph:
        return self.workspace().digraph

    def workspace(self) -> Workspace:
        """A workspace over this thread's connection and the state every thread shares, as of
        the store state this script run read (the store is not asked again)."""
        handle = self.store
        known = StoreState(handle.url, self.identity, self.version, handle.home_country)
        return Workspace(handle, state=_analysis_state(handle, *self.key), known_state=known)

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


# -- results ------------------------------------------------------------------------------
# Each takes the context and its key (what the pages pass): the result is the context's
# workspace's (Workspace.cached), computed once per store state. A spinner shows only when
# the answer takes longer than half a second, that is when it is computed.


def centrality(ctx: Context, key: tuple[str, str, int], measure: str):
    """:func:`ecograph.api.centrality_values` (a CentralityResult) for *measure*."""
    with st.spinner("Computing centrality…"):
        return api.centrality_values(ctx.workspace(), measure)


def ranking(ctx: Context, key: tuple[str, str, int], measure: str) -> dict[Hashable, int]:
    """Organisation → rank (1 = most central; constraint and hierarchy: lowest first)."""
    ws = ctx.workspace()

    def compute() -> dict[Hashable, int]:
        rows = top_nodes(ws.network, centrality(ctx, key, measure), n=None)
        return {r["id"]: r["rank"] for r in rows}

    return ws.cached("ranking", {"measure": measure}, compute)


def weak_link_report(ctx: Context, key: tuple[str, str, int], top: int = 10) -> dict:
    """The weak-link report (:func:`ecograph.api.weak_links`)."""
    with st.spinner("Finding weak links…"):
        return api.weak_links(ctx.workspace(), top=top)


def recommendations(
    ctx: Context,
    key: tuple[str, str, int],
    org: str | None = None,
    source_category: str | None = None,
    target_category: str | None = None,
    top: int = 20,
) -> list[dict]:
    with st.spinner("Finding partnerships…"):
        return api.recommend(
            ctx.workspace(),
            org=org,
            top=top,
            source_category=source_category,
            target_category=target_category,
        )


# These read the projection's arrays (ws.network), as the weak-link report does: the same
# rows as from its networkx copy, without converting that copy back to arrays on each call.


def bridges(ctx: Context, key: tuple[str, str, int]) -> list[dict]:
    ws = ctx.workspace()
    return ws.cached("bridge-cuts", {}, lambda: bridge_cuts(ws.network))


def articulation_points(ctx: Context, key: tuple[str, str, int]) -> list[dict]:
    ws = ctx.workspace()
    return ws.cached("articulation-cuts", {}, lambda: articulation_cuts(ws.network))


def brokerage(ctx: Context, key: tuple[str, str, int], attr: str = "category") -> dict:
    ws = ctx.workspace()
    with st.spinner("Counting brokerage roles…"):
        return ws.cached("brokerage", {"attr": attr}, lambda: brokerage_roles(ws.arcs, attr))


def gaps(ctx: Context, key: tuple[str, str, int], attr: str, min_expected: float = 0.0) -> list[dict]:
    ws = ctx.workspace()
    return ws.cached(
        "gaps",
        {"attr": attr, "min_expected": min_expected},
        lambda: group_gaps(ws.graph, attr, min_expected=min_expected),
    )


def partition(ctx: Context, key: tuple[str, str, int]) -> dict[str, Any]:
    """Louvain communities: ``membership``, ``modularity``, ``method``, ``profiles`` and ``links``."""
    ws = ctx.workspace()

    def compute() -> dict[str, Any]:
        G = ws.network
        found = louvain(G)
        return {
            "membership": found.membership,
            "modularity": found.modularity,
            "method": found.method,
            "profiles": community_profiles(G, found, top=3, min_size=2),
            "links": community_links(G, found, max_ties=3, min_size=2),
        }

    with st.spinner("Finding communities…"):
        return ws.cached("partition", {}, compute)


def peripheral(ctx: Context, key: tuple[str, str, int]) -> dict[str, list[dict]]:
    ws = ctx.workspace()
    return ws.cached("periphery", {}, lambda: periphery(ws.graph))


def resilience(ctx: Context, key: tuple[str, str, int]) -> list[dict]:
    ws = ctx.workspace()
    with st.spinner("Simulating the loss of brokers…"):
        return ws.cached(
            "resilience", {}, lambda: attack_curve(ws.graph, ranking=centrality(ctx, key, "betweenness"))
        )


def ties_of(ctx: Context, key: tuple[str, str, int], org: str) -> list[dict]:
    """Every collaboration of *org* (:func:`~ecograph.analysis.ego.ego_ties`), read from the
    store's columns: only the organisation, its partners and their ties become a graph."""
    ws = ctx.workspace()
    columns = ws.columns
    ties = np.zeros(columns.m, dtype=bool)
    nodes = np.zeros(columns.n, dtype=bool)
    row = ws.index().get(org)
    if row is not None:
        ties = (columns.source == row) | (columns.target == row)
        nodes[row] = True
        nodes[columns.source[ties]] = True
        nodes[columns.target[ties]] = True
    return ego_ties(columns.select(nodes, ties).to_snapshot(), org)


# -- UI artefacts ---------------------------------------------------------------------------


@st.cache_data(show_spinner=False, max_entries=8)
def search_index(_ctx: Context, key: tuple[str, str, int]) -> list[tuple[str, str, str]]:
    """``(id, name, folded names and aliases)`` for every organisation, sorted by name."""
    orgs = _ctx.workspace().columns.organizations
    rows = []
    for node, name, aliases in zip(*(orgs[f].to_pylist() for f in ("id", "name", "aliases")), strict=True):
        names = [str(name or node), *map(str, aliases or ()), str(node)]
        rows.append((node, str(name or node), " | ".join(name_key(n) for n in names)))
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
