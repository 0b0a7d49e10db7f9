"""Warm the explorer's caches in the background as soon as it starts, before anyone visits.

``ecograph serve`` runs Streamlit through :func:`main`, which first starts one background
thread: once Streamlit's runtime is up it fills the same caches the pages read —
the default network map (the store's columns and projection, its communities, layout and
page), the Overview's tables, the weak-link report — so that a first visit finds
them computed, or being computed (a page asking for a result the warm-up is computing
waits for it instead of computing it again: Streamlit computes each cache entry once).
A failure here (the store unreachable, or empty) only stops the warm-up: the pages then
say what is wrong themselves.
"""

from __future__ import annotations

import logging
import sys
import threading
import time

from ecograph import settings

__all__ = ["STEPS", "main", "start", "warm"]

_LOG = logging.getLogger(__name__)
#: What is warmed, in order: the default map (the heaviest page, from the store's columns), what
#: every page's filters need, the report last.
STEPS = ("default map", "overview tables", "weak-link report")
_started: set[str] = set()
_lock = threading.Lock()


def warm(url: str, done: list[str] | None = None) -> list[str]:
    """Fill the explorer's caches for the store at *url*, step by step (see :data:`STEPS`);
    returns (and appends to *done*) the steps completed."""
    from ecograph.explorer import maps, state, ui

    done = [] if done is None else done
    ctx = state.context(url)
    if ctx.empty:
        return done
    # The default map needs the store's columns and their projection, not the networkx
    # snapshot, which is built once per store connection and a connection is one thread's:
    # built here first, it was seconds the map and any page asking meanwhile waited for,
    # only to be built again by that page's own thread. A page that asks for the overview
    # tables before this thread comes to them builds them itself, from its own snapshot.
    maps.draw(ctx, ctx.key, maps.MapView(cap=maps.node_cap()))
    done.append("default map")
    ui.frames(ctx, ctx.key)
    ui.choices(ctx, ctx.key)
    done.append("overview tables")
    ctx.digraph  # noqa: B018 - built and cached on first access
    state.weak_link_report(ctx, ctx.key)
    done.append("weak-link report")
    return done


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

    # Streamlit's caches belong to its runtime: fill them once it exists.
    while wait_for_runtime and not runtime.exists():
        time.sleep(0.1)
    # The cached functions' spinners look for a page to draw on, and warn for each one
    # missing: this thread has none, by design.
    logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context").setLevel(logging.ERROR)
    began = time.perf_counter()
    done: list[str] = []
    try:
        warm(url, done)
    except Exception as exc:  # the pages report store problems themselves
        _LOG.warning("warm-up of %s stopped after %s: %s", redact(url), ", ".join(done) or "nothing", exc)
        return
    # One line in the explorer's log (the benchmark reads it): what is ready, and when.
    print(
        f"ecograph: caches warmed in {time.perf_counter() - began:.1f} s ({', '.join(done) or 'empty store'})",
        file=sys.stderr,
        flush=True,
    )


def main() -> None:
    """``python -m ecograph.explorer.warmup run app.py [streamlit options]``: Streamlit's
    own command line, with the warm-up started first."""
    from streamlit.web import cli

    start()
    sys.exit(cli.main(prog_name="streamlit"))


if __name__ == "__main__":
    main()
