"""Which engine computes the network measures: Python on a snapshot, or Neo4j's Graph Data Science inside the server.

``ecograph measures`` (and :func:`measures`) gives every organisation five measures at once:
``degree``, ``pagerank`` and ``betweenness`` (the :mod:`ecograph.analysis` measures of those
names, scaled as :data:`ecograph.analysis.NORMALISATION` says), its Louvain ``community`` and
its ``component`` (weakly connected). Two engines compute them:

* ``python`` (the default): the store's snapshot in this process, through
  :mod:`ecograph.analysis` (networkx or igraph);
* ``gds``: the Neo4j server itself, through the OpenGDS plugin
  (:meth:`ecograph.store.neo4j.Neo4jStore.graph_measures`), for a store too big to
  snapshot into Python. Only the rows shown travel to the client.

The engine is ``--engine`` or ``ECOGRAPH_ENGINE``. Communities and components are numbered
the same way by both engines (largest first, ties broken by the smallest organisation id),
so equal partitions get equal numbers.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from typing import TYPE_CHECKING

from ecograph import settings
from ecograph.errors import UsageError

if TYPE_CHECKING:
    from ecograph.api import Table
    from ecograph.store import Store

__all__ = ["ENGINES", "MEASURES", "measures", "resolve_engine"]

ENGINES: tuple[str, ...] = ("python", "gds")
MEASURES: tuple[str, ...] = ("degree", "pagerank", "betweenness", "community", "component")
_CENTRALITIES = ("degree", "pagerank", "betweenness")


def resolve_engine(engine: str | None = None) -> str:
    """*engine*, else the ``engine`` setting; refused unless one of :data:`ENGINES`."""
    chosen = (engine or settings.get("engine") or "python").strip().lower()
    if chosen not in ENGINES:
        raise UsageError(f"engine {chosen!r} is not one of {', '.join(ENGINES)}")
    return chosen


def measures(
    store: Store | str | None,
    *,
    engine: str | None = None,
    by: str = "pagerank",
    top: int | None = 20,
    k: int | None = None,
    seed: int = 0,
) -> Table:
    """The organisations with their five measures, the *top* by *by* (highest first; all
    when *top* is ``None``). Betweenness is exact up to
    :data:`~ecograph.analysis.centrality.EXACT_NODE_LIMIT` organisations and samples *k* (default
    :data:`~ecograph.analysis.centrality.DEFAULT_SAMPLES`) sources from *seed* above, on either engine.

    Raises
    ------
    UsageError
        An unknown engine or measure, ``gds`` on a store that is not Neo4j, or a Neo4j
        server without the Graph Data Science plugin.
    """
    # The analyses and the store come in with the first call: the command line imports
    # this module for its choices.
    from ecograph.api import Table, workspace

    chosen = resolve_engine(engine)
    if by not in MEASURES:
        raise UsageError(f"measure {by!r} is not one of {', '.join(MEASURES)}")
    with workspace(store) as ws:
        if chosen == "gds":
            values, names, note = _gds(ws.store, k, seed)
        else:
            values, names, note = _python(ws, k, seed)
        ids = sorted(values["degree"], key=lambda i: (-values[by][i], i))
        rows = [
            {"id": i, "name": names(i), **{m: values[m][i] for m in MEASURES}}
            for i in (ids if top is None else ids[:top])
        ]
    return Table(rows, note, {"engine": chosen, "by": by, "method": note})


def _python(ws, k: int | None, seed: int):
    import networkx as nx

    from ecograph import analysis
    from ecograph.api import centrality_values

    G = ws.graph
    values = {m: centrality_values(ws, m, k=k, seed=seed).values for m in _CENTRALITIES}
    partition = analysis.louvain(G, seed=seed)
    values["community"] = _numbered(partition.communities)
    values["component"] = _numbered(nx.connected_components(G))
    method = centrality_values(ws, "betweenness", k=k, seed=seed).method
    return values, lambda i: G.nodes[i].get("name", i), f"python: betweenness {method}"


def _gds(store: Store, k: int | None, seed: int):
    from ecograph.analysis.centrality import DEFAULT_SAMPLES, EXACT_NODE_LIMIT
    from ecograph.store.neo4j import Neo4jStore

    if not isinstance(store, Neo4jStore):
        raise UsageError("--engine gds computes inside Neo4j: give a bolt:// or neo4j:// store")
    n = store.counts()["organizations"]
    samples = k if k is not None else (DEFAULT_SAMPLES if n > EXACT_NODE_LIMIT else None)
    samples = None if samples is not None and samples >= n else samples
    found = store.graph_measures(samples=samples, seed=seed)
    values = {m: found[m] for m in ("degree", "pagerank")}
    values["betweenness"] = _scaled_betweenness(found["betweenness"], n, samples)
    values["community"] = _numbered(_groups(found["community"]))
    values["component"] = _numbered(_groups(found["component"]))
    method = "exact" if samples is None else f"sampled from {samples} sources, seed {seed}"

    def names(i: str) -> str:
        org = store.organization(i)
        return org.name if org is not None else i

    return values, names, f"gds: betweenness {method}"


def _scaled_betweenness(raw: Mapping[str, float], n: int, samples: int | None) -> dict[str, float]:
    """GDS's undirected betweenness (a count of pairs' shortest paths) as the share of the
    (n − 1)(n − 2)/2 pairs, the Python analyses' scale; a sample's sums (GDS adds up only
    the sampled sources' paths) scaled up to all n sources, as networkx does."""
    pairs = (n - 1) * (n - 2) / 2
    scale = (1.0 / pairs if pairs > 0 else 0.0) * (n / samples if samples else 1.0)
    return {i: v * scale for i, v in raw.items()}


def _groups(label: Mapping[str, int]) -> list[set[str]]:
    groups: dict[int, set[str]] = {}
    for i, g in label.items():
        groups.setdefault(g, set()).add(i)
    return list(groups.values())


def _numbered(groups: Iterable[Iterable[Hashable]]) -> dict[Hashable, int]:
    """Each member's group number: largest group first, ties by their smallest member."""
    ordered = sorted((sorted(g, key=str) for g in groups), key=lambda g: (-len(g), str(g[0])))
    return {member: number for number, group in enumerate(ordered) for member in group}
