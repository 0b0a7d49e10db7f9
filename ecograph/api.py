"""The analysis commands as Python functions over a store: the CLI, the queries and the app call these.

Each takes a :class:`~ecograph.workspace.Workspace`, a :class:`~ecograph.store.Store`, a
store URL or None (the ``store`` setting) and caches its result per store state.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TypeVar

from ecograph import analysis
from ecograph.store import Store
from ecograph.workspace import Workspace

__all__ = [
    "Table",
    "centrality",
    "centrality_values",
    "query",
    "recommend",
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


def _run(store: Workspace | Store | str | None, fn: Callable[[Workspace], T]) -> T:
    with workspace(store) as ws:
        return fn(ws)


def centrality_values(
    ws: Workspace, measure: str, *, k: int | None = None, seed: int = 0, backend: str | None = None
) -> analysis.CentralityResult:
    """:func:`ecograph.analysis.centrality` on the store's projection, cached per store state."""
    backend = analysis.resolve_backend(backend, ws.graph)
    return ws.cached(
        "centrality",
        {"measure": measure, "k": k, "seed": seed, "backend": backend},
        lambda: analysis.centrality(ws.graph, measure, k=k, seed=seed, backend=backend),
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
) -> Table:
    """The organisations ranked by *measure*, filtered; the note says exact or sampled."""

    def compute(ws: Workspace) -> Table:
        result = centrality_values(ws, measure, k=k, seed=seed, backend=backend)
        rows = analysis.top_nodes(
            ws.graph, result, n=top, category=category, kind=kind, sector=sector, province=province
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
        return Table(rows, note, meta)

    return _run(store, compute)


def weak_links(
    store: Workspace | Store | str | None,
    *,
    top: int = 10,
    seed: int = 0,
    k: int | None = None,
    backend: str | None = None,
) -> dict:
    """The weak-link report (:func:`ecograph.analysis.weak_link_report`) of the store, cached."""

    def compute(ws: Workspace) -> dict:
        backend_name = analysis.resolve_backend(backend, ws.graph)
        return ws.cached(
            "weak-links",
            {"top": top, "seed": seed, "k": k, "backend": backend_name},
            lambda: analysis.weak_link_report(ws.snapshot, top=top, seed=seed, k=k, backend=backend_name),
        )

    return _run(store, compute)


def recommend(
    store: Workspace | Store | str | None,
    *,
    org: str | None = None,
    top: int = 20,
    source_category: str | None = None,
    target_category: str | None = None,
) -> list[dict]:
    """Recommended partnerships (:func:`ecograph.analysis.recommend`), cached per store state."""

    def compute(ws: Workspace) -> list[dict]:
        params = {"org": org, "top": top, "source": source_category, "target": target_category}
        return ws.cached(
            "recommend",
            params,
            lambda: analysis.recommend(
                ws.graph, org=org, top=top, source_category=source_category, target_category=target_category
            ),
        )

    return _run(store, compute)


def query(store: Workspace | Store | str | None, name: str, **params: object) -> list[dict]:
    """Run the named query *name* of the ``queries/`` catalogue with *params* (text or typed)."""
    import queries

    named = queries.get(name)
    return _run(store, lambda ws: named(ws, **params))
