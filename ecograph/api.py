"""The analysis commands as Python functions over a store: the CLI, the queries and the app call these.

Each takes a :class:`~ecograph.workspace.Workspace`, a :class:`~ecograph.store.Store`, a
store URL or None (the ``store`` setting), and ``period=`` (``"2023-2025"``, a year, a
:class:`~ecograph.period.Period` or None for every record); it caches its result per
store state and period.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TypeVar

import networkx as nx
import numpy as np

from ecograph import analysis, saved_snapshots, settings
from ecograph.errors import UndatedStore, UsageError
from ecograph.period import PERIOD_INFO_KEYS, UNDATED, Period, resolve_period
from ecograph.snapshot import undirected
from ecograph.store import Store
from ecograph.workspace import Workspace

__all__ = [
    "SCORECARD_YEARS",
    "Table",
    "centrality",
    "centrality_values",
    "compare",
    "period_info",
    "period_note",
    "query",
    "recommend",
    "scorecard",
    "scorecard_years",
    "snapshot_delete",
    "snapshot_save",
    "snapshots",
    "weak_links",
    "workspace",
]

T = TypeVar("T")


@dataclass
class Table:
    """Rows for a person to read, and a note on how they were computed."""

    rows: list[dict]
    note: str = ""
    meta: dict = field(default_factory=dict)  # how the rows were computed, for JSON output


@contextmanager
def workspace(store: Workspace | Store | str | None):
    """A workspace for *store*, closed afterwards only if it was opened here."""
    if isinstance(store, Workspace):
        yield store
        return
    ws = Workspace(store)
    try:
        yield ws
    finally:
        ws.close()


PeriodLike = Period | str | int | None


def _run(store: Workspace | Store | str | None, fn: Callable[[Workspace], T], period: PeriodLike = None) -> T:
    """*fn* on the store's workspace, as of *period* (None: as the workspace given is scoped)."""
    with workspace(store) as ws:
        return fn(ws if period is None else ws.for_period(period))


def centrality_values(
    ws: Workspace, measure: str, *, k: int | None = None, seed: int = 0, backend: str | None = None
) -> analysis.CentralityResult:
    """:func:`ecograph.analysis.centrality` on the store's projection, cached per store state."""
    backend = analysis.resolve_backend(backend)
    return ws.cached(
        "centrality",
        {"measure": measure, "k": k, "seed": seed, "backend": backend},
        lambda: analysis.centrality(ws.network, measure, k=k, seed=seed, backend=backend),
    )


def centrality(
    store: Workspace | Store | str | None,
    measure: str,
    *,
    top: int | None = 20,
    category: str | None = None,
    kind: str | None = None,
    sector: str | None = None,
    province: str | None = None,
    k: int | None = None,
    seed: int = 0,
    backend: str | None = None,
    period: PeriodLike = None,
) -> Table:
    """The organisations ranked by *measure*, filtered; the note says exact or sampled, and
    as of a period, how many ties were left out for having no date."""

    def compute(ws: Workspace) -> Table:
        result = centrality_values(ws, measure, k=k, seed=seed, backend=backend)
        rows = analysis.top_nodes(
            ws.network, result, n=top, category=category, kind=kind, sector=sector, province=province
        )
        order = "lowest first" if not result.descending else "highest first"
        note = f"{measure}: {result.method}, computed with {result.backend}; {order}"
        meta = {
            "measure": measure,
            "method": result.method,
            "backend": result.backend,
            "order": order,
            "normalisation": analysis.NORMALISATION[measure],
        }
        info = period_info(ws)
        if info is not None:
            meta["period"] = info
        return Table(rows, _with_period(note, ws), meta)

    return _run(store, compute, period)


def weak_links(
    store: Workspace | Store | str | None,
    *,
    top: int = 10,
    seed: int = 0,
    k: int | None = None,
    backend: str | None = None,
    period: PeriodLike = None,
    method: str = "louvain",
) -> dict:
    """The weak-link report (:func:`ecograph.analysis.weak_link_report`) of the store, in words, cached;
    *method* finds its communities (``"louvain"`` or ``"leiden"``).

    The numbers are cached (memory and disk); :func:`ecograph.explain.weak_links.worded`
    adds the titles, intros and each finding's ``sentence`` (kept in memory beside them), so
    the command line's JSON, its Markdown and HTML and the explorer show the same words."""
    from ecograph.explain.weak_links import worded

    def compute(ws: Workspace) -> dict:
        backend_name = analysis.resolve_backend(backend)
        params = {"top": top, "seed": seed, "k": k, "backend": backend_name}
        if method != "louvain":  # the default's cache entries keep their name
            params["method"] = method

        # numbers only, under a name of their own: no entry holding words is read as numbers
        # (renamed when the missing links' reasons became data)
        def numbers() -> dict:
            return ws.cached(
                "weak-links-numbers",
                params,
                lambda: analysis.weak_link_report(
                    top=top,
                    seed=seed,
                    k=k,
                    backend=backend_name,
                    directed=ws.arcs,
                    network=ws.network,
                    method=method,
                ),
            )

        return ws.derived("weak-links", params, lambda: worded(numbers()))

    return _run(store, compute, period)


def recommend(
    store: Workspace | Store | str | None,
    *,
    org: str | None = None,
    top: int = 20,
    source_category: str | None = None,
    target_category: str | None = None,
    period: PeriodLike = None,
) -> list[dict]:
    """Recommended partnerships (:func:`ecograph.analysis.recommend`), cached per store state,
    each with its ``reason`` in words (:func:`ecograph.explain.recommendations.worded`) in
    the place of its data."""
    from ecograph.explain.recommendations import worded

    def compute(ws: Workspace) -> list[dict]:
        params = {"org": org, "top": top, "source": source_category, "target": target_category}
        # each reason as data, under a name of its own: no entry holding the sentence is read
        return ws.cached(
            "recommend-data",
            params,
            lambda: analysis.recommend(
                ws.network, org=org, top=top, source_category=source_category, target_category=target_category
            ),
        )

    return [worded(r) for r in _run(store, compute, period)]


def query(
    store: Workspace | Store | str | None, name: str, *, period: PeriodLike = None, **params: object
) -> list[dict]:
    """Run the named query *name* of the ``queries/`` catalogue with *params* (text or typed)."""
    import queries

    named = queries.get(name)
    return _run(store, lambda ws: named(ws, **params), period)


def period_info(ws: Workspace) -> dict | None:
    """What the workspace's period left out (see :meth:`ecograph.period.PeriodFilter.info`), or None."""
    if ws.period is None:
        return None
    return {k: ws.graph.graph[k] for k in PERIOD_INFO_KEYS}


def period_note(ws: Workspace) -> str | None:
    """The sentence a result as of a period carries (the undated ties left out), or None."""
    from ecograph.explain import period_sentence

    info = period_info(ws)
    return None if info is None else period_sentence(info)


def _with_period(note: str, ws: Workspace) -> str:
    said = period_note(ws)
    return note if said is None else f"{note}. {said}"


# -- change over time ----------------------------------------------------------------------

SCORECARD_YEARS = 10
"""Years a scorecard shows by default: the last ten up to the latest year a tie started."""


def _listed(ws: Workspace, name: str) -> saved_snapshots.SavedSnapshot:
    """The saved snapshot *name* as listed (without its payload); the error names the ones there are."""
    listed = ws.store.saved_snapshots()
    found = next((s for s in listed if s.name == saved_snapshots.check_name(name)), None)
    if found is None:
        raise saved_snapshots.UnknownSnapshot(
            f"no snapshot named {name!r}; `ecograph snapshot list` shows them: {saved_snapshots.names(listed)}"
        )
    return found


def _state(
    ws: Workspace, period: PeriodLike, snapshot: str | None, default_now: bool
) -> tuple[dict, Callable]:
    """What names one side of a comparison (for the cache key), and how to build its projection."""
    if snapshot is not None:
        listed = _listed(ws, snapshot)
        return (
            {"snapshot": listed.name, "created": listed.created},  # a replaced snapshot is another state
            lambda: _saved_projection(ws, snapshot),
        )
    if period is not None:
        scoped = ws.for_period(period)
        return {"period": scoped.period.label}, lambda: scoped.graph
    if default_now:
        return {"now": True}, lambda: ws.graph
    raise UsageError(
        "say what to compare: --from and --to periods (e.g. --from 2020-2022 --to 2023-2025), "
        "or --from-snapshot (and --to-snapshot) names"
    )


def _saved_projection(ws: Workspace, name: str) -> nx.Graph:
    """The undirected projection of saved snapshot *name*, its organisations described as the
    store has them now (only those it names are made into a graph)."""
    saved = ws.store.saved_snapshot(name)
    ids, _ = saved_snapshots.unpack(saved.data)
    whole = ws.for_period(None)
    columns, index = whole.columns, whole.index()
    named = np.zeros(columns.n, dtype=bool)
    named[[index[v] for v in ids if v in index]] = True
    now = columns.select(named, np.zeros(columns.m, dtype=bool)).to_snapshot()
    return nx.freeze(undirected(saved_snapshots.graph(saved, now)))


def _check_province(ws: Workspace, province: str | None) -> None:
    if province is None:
        return
    provinces = ws.for_period(None).provinces()
    if province not in provinces:
        shown = ", ".join(sorted(provinces, key=str)[:8]) + (" …" if len(provinces) > 8 else "")
        raise UsageError(
            f"no organisation is in province {province!r}; provinces here include {shown or 'none'}"
        )


def compare(
    store: Workspace | Store | str | None,
    *,
    from_period: PeriodLike = None,
    to_period: PeriodLike = None,
    from_snapshot: str | None = None,
    to_snapshot: str | None = None,
    province: str | None = None,
    top: int = 10,
    seed: int = 0,
    k: int | None = None,
    backend: str | None = None,
) -> dict:
    """Two states of the store side by side (:func:`ecograph.analysis.compare`): two periods,
    two saved snapshots, or a snapshot and the store now; cached per store state. Each
    recommendation of the back-test that came true carries its ``reason`` in words
    (:func:`ecograph.explain.compare.worded`).

    Raises
    ------
    UsageError
        A period is malformed or outside the data's years, a snapshot is unknown, the
        province holds no organisation, or one side is missing.
    UndatedStore
        Periods were asked of a store whose ties have no dates (save snapshots instead).
    """

    def run(ws: Workspace) -> dict:
        key0, before = _state(ws, from_period, from_snapshot, default_now=False)
        key1, after = _state(ws, to_period, to_snapshot, default_now=from_snapshot is not None)
        # The backend as asked ("auto" decides by the graph's size, fixed by the store state).
        asked = settings.get("backend") if backend is None else backend
        params = {
            "from": key0,
            "to": key1,
            "province": province,
            "top": top,
            "seed": seed,
            "k": k,
            "backend": asked,
        }

        def compute() -> dict:
            _check_province(ws, province)
            return analysis.compare(
                before(), after(), province=province, top=top, seed=seed, k=k, backend=asked
            )

        return ws.cached("compare-data", params, compute)  # reasons as data, under a name of its own

    from ecograph.explain.compare import worded

    return worded(_run(store, run))


def scorecard_years(ws: Workspace) -> Period:
    """A scorecard's default years: the last :data:`SCORECARD_YEARS` up to the latest year a tie started.

    Raises
    ------
    UndatedStore
        No tie has a date.
    """
    dates = ws.dates()
    if dates["years"] is None:
        raise UndatedStore(UNDATED)
    first, last = dates["years"]
    last = dates["last_start"] if dates["last_start"] is not None else last
    return Period(max(first, last - SCORECARD_YEARS + 1), last)


def scorecard(
    store: Workspace | Store | str | None, *, by: str = "province", period: PeriodLike = None
) -> dict:
    """Every indicator (:func:`ecograph.analysis.scorecard`) per province or sector, year by year.

    *period* picks the years (each analysed as of that year); default: the last
    :data:`SCORECARD_YEARS` years up to the latest year a tie started. ``by="sector"`` is
    taken for ``"sectors"``.

    Raises
    ------
    UsageError, UndatedStore
        As :meth:`ecograph.workspace.Workspace.for_period`.
    """
    by = "sectors" if by == "sector" else by

    def run(ws: Workspace) -> dict:
        chosen = scorecard_years(ws) if period is None else resolve_period(period, ws.years())
        return ws.cached(
            "scorecard",
            {"by": by, "years": [chosen.first, chosen.last]},
            lambda: analysis.scorecard(ws.for_period(None).columns, list(chosen.years()), by=by),
        )

    return _run(store, run)


# -- saved snapshots -------------------------------------------------------------------------


def snapshot_save(store: Workspace | Store | str | None, name: str, *, replace: bool = False) -> dict:
    """Save the store's current state as snapshot *name* (refused when it exists, unless *replace*)."""

    def run(ws: Workspace) -> dict:
        saved = saved_snapshots.capture(ws.store, name)
        ws.store.save_snapshot(saved, replace=replace)
        return saved.as_dict()

    return _run(store, run)


def snapshots(store: Workspace | Store | str | None) -> list[dict]:
    """The saved snapshots, oldest first, without their payloads."""
    return _run(store, lambda ws: [s.as_dict() for s in ws.store.saved_snapshots()])


def snapshot_delete(store: Workspace | Store | str | None, name: str) -> dict:
    """Forget snapshot *name*; :class:`~ecograph.saved_snapshots.UnknownSnapshot` when there is none."""

    def run(ws: Workspace) -> dict:
        listed = _listed(ws, name)
        ws.store.delete_snapshot(name)
        return listed.as_dict()

    return _run(store, run)
