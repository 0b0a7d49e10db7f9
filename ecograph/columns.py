"""The store's graph as columns: organisations and their attributes, ties as indices of organisations.

:class:`GraphColumns` is what analyses read from a store (:meth:`ecograph.store.Store.tables`,
one columnar read) instead of a networkx graph: numpy arrays and Arrow tables, built once per
store state, from which the projections of :mod:`ecograph.projections` are made in
vectorised code. :class:`EdgeTable` is the part every projection and period filter takes —
the ties' ends, weights, years and kinds — and :func:`edge_table` gives it for a networkx
snapshot too, so that a user's graph and a store's go through the same code.
"""

from __future__ import annotations

import gc
import math
from dataclasses import dataclass, field
from functools import cached_property

import networkx as nx
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ecograph.model import (
    COLLABORATION_FIELDS,
    DIRECTED_TIE_KINDS,
    FOREIGN_PARTNER,
    LIST_FIELDS,
    ORGANIZATION_FIELDS,
    TIE_KINDS,
)

__all__ = ["EdgeTable", "GraphColumns", "edge_table", "year_column"]


@dataclass(frozen=True)
class EdgeTable:
    """Ties as columns: ``source`` and ``target`` index :attr:`nodes`; ``start`` and ``end`` are
    the years of the tie's dates (nan when missing); ``kind`` indexes :attr:`kinds`;
    ``directed`` marks the kinds that flow one way (investment, spin-off).

    Analyses that run over many periods mask these columns instead of copying graphs.
    """

    nodes: list
    source: np.ndarray
    target: np.ndarray
    weight: np.ndarray
    start: np.ndarray
    end: np.ndarray
    kind: np.ndarray
    kinds: tuple
    directed: np.ndarray | None = None

    def __post_init__(self) -> None:
        if self.directed is None:
            flows = np.array([k in DIRECTED_TIE_KINDS for k in self.kinds] or [False], dtype=bool)
            object.__setattr__(self, "directed", flows[self.kind] if len(self.kind) else np.zeros(0, bool))


def _date_year(date: object) -> float:
    return float(date[:4]) if isinstance(date, str) and date else math.nan


def year_column(dates: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """The years of ``YYYY`` or ``YYYY-MM-DD`` dates as floats, nan where there is none.

    Examples
    --------
    >>> year_column(pa.array(["2019-04-01", None, "2021"])).tolist()
    [2019.0, nan, 2021.0]
    """
    years = pc.cast(pc.utf8_slice_codeunits(dates, 0, 4), pa.float64())
    return np.asarray(pc.fill_null(years, math.nan), dtype=float)


def edge_table(G: nx.MultiDiGraph) -> EdgeTable:
    """The edges of snapshot *G* as :class:`EdgeTable` columns (one pass over the edges).

    Examples
    --------
    >>> M = nx.MultiDiGraph()
    >>> M.add_edge("a", "b", kind="mou", start="2019-04-01", end="2021")
    0
    >>> t = edge_table(M)
    >>> t.nodes, t.source.tolist(), t.target.tolist(), t.start.tolist(), t.end.tolist()
    (['a', 'b'], [0], [1], [2019.0], [2021.0])
    """
    nodes = list(G)
    index = {v: i for i, v in enumerate(nodes)}
    m = G.number_of_edges()
    source = np.empty(m, dtype=np.int64)
    target = np.empty(m, dtype=np.int64)
    weight = np.empty(m)
    start = np.empty(m)
    end = np.empty(m)
    kind = np.empty(m, dtype=np.int64)
    directed = np.empty(m, dtype=bool)
    kinds: dict = {}
    for i, (u, v, d) in enumerate(G.edges(data=True)):
        source[i] = index[u]
        target[i] = index[v]
        weight[i] = d.get("weight", 1.0)
        year = d.get("year")
        start[i] = year if year is not None else _date_year(d.get("start"))
        end[i] = _date_year(d.get("end"))
        kind[i] = kinds.setdefault(d.get("kind"), len(kinds))
        directed[i] = bool(d.get("directed", d.get("kind") in DIRECTED_TIE_KINDS))
    return EdgeTable(nodes, source, target, weight, start, end, kind, tuple(kinds), directed)


@dataclass(frozen=True, eq=False)
class GraphColumns:
    """Every organisation and collaboration of one state of a store, as columns.

    Attributes
    ----------
    organizations, collaborations : pyarrow.Table
        The records, in the schemas of :mod:`ecograph.model` (organisations ordered by id).
    source, target : numpy.ndarray of int64
        Each collaboration's ends, as row numbers of ``organizations``.
    home_country : str
        Organisations of other countries are foreign partners.
    graph : dict
        What the state says of itself (``store_url``, ``store_version``, and as of a period
        the counts of :data:`ecograph.period.PERIOD_INFO_KEYS`); projections carry it.

    Everything else is derived on first use and kept: treat the object as read-only.
    """

    organizations: pa.Table
    collaborations: pa.Table
    source: np.ndarray
    target: np.ndarray
    home_country: str
    graph: dict = field(default_factory=dict)

    @classmethod
    def from_tables(
        cls, organizations: pa.Table, collaborations: pa.Table, home_country: str, **graph
    ) -> GraphColumns:
        """The columns of a store's tables (:meth:`ecograph.store.Store.tables`).

        Raises
        ------
        ValueError
            A collaboration names an organisation the table does not hold (a store never
            writes one).
        """
        ids = organizations["id"]
        source = pc.index_in(collaborations["source"], value_set=ids)
        target = pc.index_in(collaborations["target"], value_set=ids)
        if source.null_count or target.null_count:
            raise ValueError("a collaboration refers to an organisation that is not in the store")
        return cls(
            organizations,
            collaborations,
            np.asarray(source, dtype=np.int64),
            np.asarray(target, dtype=np.int64),
            home_country,
            {"home_country": home_country, **graph},
        )

    # -- organisations -------------------------------------------------------------------

    @property
    def n(self) -> int:
        return self.organizations.num_rows

    @property
    def m(self) -> int:
        return self.collaborations.num_rows

    @cached_property
    def ids(self) -> list[str]:
        return self.organizations["id"].to_pylist()

    @cached_property
    def category(self) -> np.ndarray:
        """``foreign_partner`` for organisations outside the home country, else their kind."""
        home = pc.equal(self.organizations["country"], self.home_country)
        return np.asarray(pc.if_else(home, self.organizations["kind"], FOREIGN_PARTNER), dtype=object)

    @cached_property
    def founded(self) -> np.ndarray:
        """Founding years as floats, nan where unknown."""
        years = pc.cast(self.organizations["founded"], pa.float64())
        return np.asarray(pc.fill_null(years, math.nan), dtype=float)

    @property
    def attributes(self) -> tuple[str, ...]:
        """The attributes each organisation carries in a networkx graph: its fields but ``id``, and ``category``."""
        return (*(f for f in ORGANIZATION_FIELDS if f != "id"), "category")

    def column(self, attr: str) -> list:
        """The organisations' values of *attr* (a field, or ``category``), in row order; lists as tuples."""
        if attr == "category":
            return self.category.tolist()
        if attr not in ORGANIZATION_FIELDS:
            return [None] * self.n
        values = self.organizations[attr].to_pylist()
        if attr in LIST_FIELDS:
            return [tuple(v) if v else () for v in values]
        return values

    # -- ties ----------------------------------------------------------------------------

    @cached_property
    def table(self) -> EdgeTable:
        """The ties as :class:`EdgeTable` columns (kinds coded in the order of :data:`~ecograph.model.TIE_KINDS`)."""
        ties = self.collaborations
        kinds = TIE_KINDS + tuple(sorted(set(pc.unique(ties["kind"]).to_pylist()) - set(TIE_KINDS)))
        kind = np.asarray(pc.index_in(ties["kind"], value_set=pa.array(kinds)), dtype=np.int64)
        return EdgeTable(
            self.ids,
            self.source,
            self.target,
            np.asarray(ties["weight"], dtype=float),
            year_column(ties["start"]),
            year_column(ties["end"]),
            kind,
            kinds,
        )

    # -- selections ----------------------------------------------------------------------

    def select(self, nodes: np.ndarray, ties: np.ndarray, **graph: object) -> GraphColumns:
        """The organisations *nodes* and ties *ties* (boolean masks) as columns of their own;
        a tie with an end left out is left out. *graph* is added to :attr:`graph`."""
        nodes = np.asarray(nodes, dtype=bool)
        keep = np.asarray(ties, dtype=bool) & nodes[self.source] & nodes[self.target]
        position = np.cumsum(nodes) - 1
        picked = pa.array(keep)
        return GraphColumns(
            self.organizations.filter(pa.array(nodes)),
            self.collaborations.filter(picked),
            position[self.source[keep]],
            position[self.target[keep]],
            self.home_country,
            {**self.graph, **graph},
        )

    # -- networkx ------------------------------------------------------------------------

    def to_snapshot(self) -> nx.MultiDiGraph:
        """The state as a networkx ``MultiDiGraph`` (see :func:`ecograph.snapshot.build_snapshot`).

        Nodes carry every organisation field plus ``category``; each collaboration is one
        edge from ``source`` to ``target`` keyed by its identity, carrying its fields plus
        ``year`` (of ``start``) and ``directed``.
        """
        # A graph is millions of long-lived dicts and no reference cycles: pausing the cyclic
        # garbage collector saves it from rescanning them as they are made (a fifth of the
        # time at 500,000 ties).
        collecting = gc.isenabled()
        gc.disable()
        try:
            return self._snapshot()
        finally:
            if collecting:
                gc.enable()

    def _snapshot(self) -> nx.MultiDiGraph:
        G = nx.MultiDiGraph(**self.graph)
        fields = self.attributes
        columns = [self.column(f) for f in fields]
        G.add_nodes_from(
            (v, dict(zip(fields, values, strict=True))) for v, *values in zip(self.ids, *columns, strict=True)
        )
        ties = [self.collaborations[f].to_pylist() for f in ("key", *COLLABORATION_FIELDS)]
        years = self.table.start
        directed = self.table.directed.tolist()
        names = ("kind", "weight", "start", "end", "amount", "currency", "evidence", "id")
        G.add_edges_from(
            (
                source,
                target,
                key,
                {
                    **dict(zip(names, values, strict=True)),
                    "year": None if year != year else int(year),
                    "directed": flows,
                },
            )
            for key, source, target, *values, year, flows in zip(*ties, years.tolist(), directed, strict=True)
        )
        return G
