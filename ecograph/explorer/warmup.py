"""Warm the explorer's caches in the background as soon as it starts, before anyone visits.

``ecograph serve`` runs Streamlit through :func:`main`, which first starts one background
thread: it imports what the pages and the weak-link report run on (a second of Python's
imports that the first visit's script run would otherwise wait for; the map's own modules
come with the map's step), and once Streamlit's runtime is up it fills
the same caches the pages read — the store's undirected projection, the Overview's
tables, the weak-link report its headlines read, then what the filters offer and the
default network map (the store's columns and projection, its communities, layout and
page; first, when the first page visited is the map), then what every organisation's
profile ranks it by (the centralities and brokerage roles of the whole store) — so that
a first visit finds them computed, or being computed (a page
asking for a result the warm-up is computing waits for it instead of computing it again:
Streamlit computes each cache entry once). A failure here (the store unreachable, or
empty) only stops the warm-up: the pages then say what is wrong themselves.
"""

from __future__ import annotations

import logging
import sys
import threading
import time

from ecograph import settings

__all__ = ["FIRST_VISIT_WAIT_S", "STEPS", "main", "start", "visited", "warm"]

_LOG = logging.getLogger(__name__)
#: What is warmed: the Overview's tables and the weak-link report its headlines read, then the
#: default map; or, when the first page a planner opens is the map, the map first (see
#: :func:`visited`). The projection both read comes before either, what the filters offer
#: with the map; the profiles' ranks last.
STEPS = ("overview tables", "weak-link report", "default map", "profile ranks")
#: How long the warm-up waits, after the projection, for the first visit to say which page it is.
FIRST_VISIT_WAIT_S = 2.0
_started: set[str] = set()
_lock = threading.Lock()
_first_visit = threading.Event()
_first_page: list[str] = []


def warm(
    url: str,
    done: list[str] | None = None,
    first_visit_wait: float = 0.0,
    took: dict[str, float] | None = None,
) -> list[str]:
    """Fill the explorer's caches for the store at *url*, step by step (see :data:`STEPS`;
    waiting up to *first_visit_wait* seconds for a first visit to say which comes first);
    returns (and appends to *done*) the steps completed, and notes in *took* the seconds
    each took, those spent before them (``"before"``: the store's state and projection) and
    those spent only waiting for the first visit (``"first visit awaited"``)."""
    from ecograph.explorer import PAGES, state, ui

    done = [] if done is None else done
    took = {} if took is None else took
    began = time.perf_counter()
    ctx = state.context(url)
    if ctx.empty:
        return done
    # The undirected projection, which the report and the map both start from: made while
    # the first visit is awaited rather than after it, on either's way.
    _ = ctx.workspace().network
    took["before"] = time.perf_counter() - began

    def tables() -> None:
        ui.frames(ctx, ctx.key)

    def choices() -> None:
        ui.choices(ctx, ctx.key)  # what every page's filters offer, the map's among them

    def report() -> None:
        state.weak_link_report(ctx, ctx.key)

    def default_map() -> None:
        # The map needs the store's columns and their projection, not the networkx snapshot,
        # which is built once per store connection and a connection is one thread's: built
        # here, it was seconds a page asking meanwhile waited for, only to be built again by
        # that page's own thread.
        from ecograph.explorer import maps  # here, not before the Overview's needs (see _import_pages)

        choices()
        maps.draw(ctx, ctx.key, maps.MapView(cap=maps.node_cap()))

    def ranks() -> None:
        # Shared by every organisation's profile: computed on the first profile visited
        # otherwise (a second or two at 10,000 organisations, on top of that page).
        from ecograph.explorer import profile

        for measure in profile.RANK_MEASURES:
            state.ranking(ctx, ctx.key, measure)
        state.brokerage(ctx, ctx.key)
        _ = ctx.graph  # the profile's counts and partners read it as networkx

    steps = {
        "overview tables": tables,
        "filters' choices": choices,
        "weak-link report": report,
        "default map": default_map,
        "profile ranks": ranks,
    }

    def run(name: str) -> None:
        if name in took:  # made already, while the first visit was awaited
            return
        began = time.perf_counter()
        steps[name]()
        took[name] = time.perf_counter() - began
        if name in STEPS:
            done.append(name)

    # Two threads computing at once share one interpreter (and, here, two cores with the
    # browser): the report made beside a first visit's map doubled the map's wait, the map
    # made beside the Overview's report doubled the Overview's. The first page's need first.
    # Until a first visit says which page that is, the warm-up makes the first, quick need of
    # each (a fraction of a second apiece, so a first visit arriving meanwhile waits for one
    # at most) rather than only waiting.
    deadline = time.monotonic() + first_visit_wait
    for name in ("overview tables", "filters' choices"):
        if _first_visit.is_set() or time.monotonic() >= deadline:
            break
        run(name)
    began = time.perf_counter()
    _first_visit.wait(max(0.0, deadline - time.monotonic()))
    if time.perf_counter() - began >= 0.05:
        took["first visit awaited"] = time.perf_counter() - began
    map_page = next(page.url_path for page in PAGES if page.name == "network")
    first = ("default map",) if _first_page[:1] == [map_page] else ("overview tables", "weak-link report")
    for name in (*first, *STEPS):
        run(name)
    return done


def visited(url_path: str) -> None:
    """Note the page a script run shows (app.py calls it on each): the first one decides
    whether the warm-up makes the default map or the Overview's tables and report first."""
    if not _first_visit.is_set():
        with _lock:
            if not _first_page:
                _first_page.append(url_path)
        _first_visit.set()


def start(url: str | None = None, *, wait_for_runtime: bool = True) -> threading.Thread | None:
    """Warm the caches for *url* (default: the ``store`` setting) in a daemon thread, once
    per store per process; None when it was already started."""
    url = settings.store_url(url)
    with _lock:
        if url in _started:
            return None
        _started.add(url)
    thread = threading.Thread(target=_run, args=(url, wait_for_runtime), name="ecograph-warm-up", daemon=True)
    thread.start()
    return thread


def _run(url: str, wait_for_runtime: bool) -> None:
    from streamlit import runtime

    from ecograph.store import redact

    started = time.perf_counter()
    _import_pages()
    imported = time.perf_counter() - started
    # Streamlit's caches belong to its runtime: fill them once it exists.
    while wait_for_runtime and not runtime.exists():
        time.sleep(0.1)
    # The cached functions' spinners look for a page to draw on, and warn for each one
    # missing: this thread has none, by design.
    logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context").setLevel(logging.ERROR)
    began = time.perf_counter()
    done: list[str] = []
    took: dict[str, float] = {}
    try:
        warm(url, done, first_visit_wait=FIRST_VISIT_WAIT_S, took=took)
    except Exception as exc:  # the pages report store problems themselves
        _LOG.warning("warm-up of %s stopped after %s: %s", redact(url), ", ".join(done) or "nothing", exc)
        return
    # One line in the explorer's log (the benchmark reads it): what is ready, in order, and
    # how long each took (before: the store's state and its projection).
    steps = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in took.items()) or "empty store"
    print(
        f"ecograph: caches warmed in {time.perf_counter() - began:.1f} s ({steps}; "
        f"{imported:.1f} s of imports and {began - started - imported:.1f} s for Streamlit's runtime before)",
        file=sys.stderr,
        flush=True,
    )


def _import_pages() -> None:
    """Import what the pages' script runs import (networkx, igraph, pandas, the analyses,
    and what those import on first use) while Streamlit starts, rather than in the first
    visit's script run. Their cached functions are then declared before the runtime exists,
    which Streamlit warns of for each (the caches themselves are made on first use, in the
    runtime): not logged."""
    caching = logging.getLogger("streamlit.runtime.caching.cache_data_api")
    level = caching.level
    caching.setLevel(logging.ERROR)
    try:
        # What the first report would import on a first visit's way otherwise (0.4 s):
        # scipy loads its sparse submodules on first use; the report's words. The map's
        # modules (its layout, sigma.js page and drawings: 0.4-0.5 s more) are imported
        # with the map's step, or by the map's page: before the warm-up could start, they
        # held up the Overview's report by as long.
        import scipy.sparse.csgraph
        import scipy.sparse.linalg  # noqa: F401

        from ecograph.explain import weak_links  # noqa: F401
        from ecograph.explorer import state, ui  # noqa: F401
    finally:
        caching.setLevel(level)


def main() -> None:
    """``python -m ecograph.explorer.warmup run app.py [streamlit options]``: Streamlit's
    own command line, with the warm-up started first."""
    from streamlit.web import cli

    start()
    sys.exit(cli.main(prog_name="streamlit"))


if __name__ == "__main__":
    # Run as ``python -m``, this file is ``__main__``: the warm-up is started from the module
    # app.py imports, so that both see the same first visit (:func:`visited`).
    from ecograph.explorer import warmup

    warmup.main()
