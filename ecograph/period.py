"""Time: which ties are active in a period, and the ecosystem as of a year or over a period.

One rule, here and nowhere else (:func:`active_ties`): a tie is **active** in a period when
it starts no later than the period's last year and has no end or ends no earlier than its
first year. A tie with neither a start nor an end is **undated**: it is left out of every
period, and counted, so that the output can say how many were left out for that reason.
An organisation founded after the period's last year is left out too (with its ties).

The rule works on columns of years (numpy arrays, nan for a missing date), so the same
function serves a networkx snapshot (:func:`in_period`, :func:`projection`) and any
column store.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import networkx as nx
import numpy as np

from ecograph.columns import EdgeTable, GraphColumns, edge_table
from ecograph.errors import UndatedStore, UsageError
from ecograph.snapshot import undirected

__all__ = [
    "PERIOD_INFO_KEYS",
    "Period",
    "PeriodFilter",
    "active_ties",
    "as_period",
    "check_period",
    "columns_in_period",
    "data_years",
    "founded_by",
    "founded_years",
    "in_period",
    "kept_in_period",
    "parse_period",
    "period_filter",
    "projection",
    "resolve_period",
]

_PERIOD = re.compile(r"\s*(\d{4})\s*(?:(?:-|–|—|\.\.|to)\s*(\d{4})\s*)?", re.IGNORECASE)


@dataclass(frozen=True, order=True)
class Period:
    """The years ``first`` to ``last``, both included; one year when they are equal.

    Examples
    --------
    >>> Period(2023, 2025).label, Period(2024, 2024).label
    ('2023–2025', '2024')
    """

    first: int
    last: int

    def __post_init__(self) -> None:
        if self.first > self.last:
            raise UsageError(f"period {self.first}–{self.last} runs backwards (write the earlier year first)")

    @property
    def label(self) -> str:
        return str(self.first) if self.first == self.last else f"{self.first}–{self.last}"

    def __str__(self) -> str:
        return self.label

    def years(self) -> range:
        return range(self.first, self.last + 1)


def parse_period(text: str) -> Period:
    """``"2023-2025"`` (or ``2023–2025``, ``2023..2025``) or ``"2024"`` as a :class:`Period`.

    Raises
    ------
    UsageError
        The text is not one or two four-digit years, or the second comes before the first.

    Examples
    --------
    >>> parse_period("2020-2022"), parse_period(" 2024 ")
    (Period(first=2020, last=2022), Period(first=2024, last=2024))
    >>> parse_period("2025-2023")
    Traceback (most recent call last):
    ...
    ecograph.errors.UsageError: period 2025–2023 runs backwards (write the earlier year first)
    """
    match = _PERIOD.fullmatch(str(text))
    if not match:
        raise UsageError(f"period {str(text)!r} is not a year or two years such as 2023-2025")
    first = int(match.group(1))
    last = int(match.group(2) or first)
    return Period(first, last)


def as_period(value: Period | str | int | tuple[int, int] | None) -> Period | None:
    """*value* as a :class:`Period`: a Period, ``"2023-2025"``, a year, ``(first, last)`` or None.

    Examples
    --------
    >>> as_period(2024), as_period((2020, 2022)), as_period(None)
    (Period(first=2024, last=2024), Period(first=2020, last=2022), None)
    """
    if value is None or isinstance(value, Period):
        return value
    if isinstance(value, bool):
        raise UsageError(f"period {value!r} is not a year or two years such as 2023-2025")
    if isinstance(value, int):
        return Period(value, value)
    if isinstance(value, tuple | list) and len(value) == 2:
        return Period(int(value[0]), int(value[1]))
    return parse_period(str(value))


def active_ties(start: np.ndarray, end: np.ndarray, period: Period) -> tuple[np.ndarray, np.ndarray]:
    r"""Which ties are active in *period*, and which are undated: the one rule of time.

    A tie with start year :math:`s` and end year :math:`e` (either may be missing) is
    active in the period :math:`[a, b]` when

    .. math::

       (s \le b \ \text{or } s \text{ missing}) \ \text{and}\ (e \ge a \ \text{or } e \text{ missing})
       \ \text{and not both missing.}

    Parameters
    ----------
    start, end : numpy.ndarray of float
        Years of the ties' starts and ends, nan where missing.
    period : Period

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        Boolean masks: active ties, and undated ties (never active).

    Examples
    --------
    >>> nan = float("nan")
    >>> start = np.array([2019, 2024, nan, 2021, nan])
    >>> end = np.array([2020, nan, 2023, nan, nan])
    >>> active, undated = active_ties(start, end, Period(2021, 2023))
    >>> active.tolist(), undated.tolist()
    ([False, False, True, True, False], [False, False, False, False, True])
    """
    start = np.asarray(start, dtype=float)
    end = np.asarray(end, dtype=float)
    undated = np.isnan(start) & np.isnan(end)
    # A comparison with nan is False: a missing start never starts "too late", a
    # missing end never ends "too early".
    active = ~undated & ~(start > period.last) & ~(end < period.first)
    return active, undated


def founded_by(founded: np.ndarray, period: Period) -> np.ndarray:
    """Which organisations exist in *period*: founded no later than its last year, or undated.

    Examples
    --------
    >>> founded_by(np.array([1990, 2024, float("nan")]), Period(2020, 2022)).tolist()
    [True, False, True]
    """
    return ~(np.asarray(founded, dtype=float) > period.last)


PERIOD_INFO_KEYS: tuple[str, ...] = (
    "period",
    "first",
    "last",
    "undated_ties",
    "inactive_ties",
    "organisations_not_founded",
)
"""What a period-filtered graph carries in its graph attributes (:meth:`PeriodFilter.info`)."""


@dataclass(frozen=True)
class PeriodFilter:
    """What a period keeps of a snapshot: masks over its nodes and edges, and the counts left out."""

    period: Period
    nodes: np.ndarray
    edges: np.ndarray
    undated_ties: int
    inactive_ties: int
    organisations_not_founded: int

    def info(self) -> dict[str, object]:
        """JSON-able, with the keys of :data:`PERIOD_INFO_KEYS`: the period's label, its
        first and last year, and the three counts."""
        values = (
            self.period.label,
            self.period.first,
            self.period.last,
            self.undated_ties,
            self.inactive_ties,
            self.organisations_not_founded,
        )
        return dict(zip(PERIOD_INFO_KEYS, values, strict=True))


def founded_years(G: nx.MultiDiGraph, nodes: list) -> np.ndarray:
    """The founding years of *G*'s organisations *nodes* as floats, nan where unknown."""
    return np.fromiter(
        (math.nan if (f := G.nodes[v].get("founded")) is None else float(f) for v in nodes),
        dtype=float,
        count=len(nodes),
    )


def period_filter(G: nx.MultiDiGraph, period: Period, table: EdgeTable | None = None) -> PeriodFilter:
    """The nodes and edges of snapshot *G* that *period* keeps (see :func:`active_ties`).

    An edge is kept when it is active and both its ends are kept; ties of organisations
    founded after the period count as inactive.

    Examples
    --------
    >>> M = nx.MultiDiGraph()
    >>> M.add_node("new", founded=2030)
    >>> M.add_edge("a", "b", start="2021")
    0
    >>> M.add_edge("a", "new", start="2021")
    0
    >>> M.add_edge("a", "c")
    0
    >>> f = period_filter(M, Period(2022, 2022))
    >>> f.edges.tolist(), f.undated_ties, f.inactive_ties, f.organisations_not_founded
    ([True, False, False], 1, 1, 1)
    """
    t = table if table is not None else edge_table(G)
    return kept_in_period(founded_years(G, t.nodes), t, period)


def kept_in_period(founded: np.ndarray, t: EdgeTable, period: Period) -> PeriodFilter:
    """:func:`period_filter` on columns: the organisations' founding years (nan when
    unknown, in ``t.nodes`` order) and the ties *t*."""
    nodes = founded_by(founded, period)
    active, undated = active_ties(t.start, t.end, period)
    edges = active & nodes[t.source] & nodes[t.target]
    return PeriodFilter(
        period=period,
        nodes=nodes,
        edges=edges,
        undated_ties=int(undated.sum()),
        inactive_ties=int(len(edges) - edges.sum() - undated.sum()),
        organisations_not_founded=int(len(nodes) - nodes.sum()),
    )


def in_period(G: nx.MultiDiGraph, period: Period, table: EdgeTable | None = None) -> nx.MultiDiGraph:
    """The snapshot as of *period*: its organisations founded by then and the ties active in it.

    The result carries ``G``'s graph attributes plus those of :meth:`PeriodFilter.info`
    (``period``, ``undated_ties``…) and is frozen.

    Examples
    --------
    >>> M = nx.MultiDiGraph()
    >>> M.add_edge("a", "b", start="2018", end="2019")
    0
    >>> M.add_edge("b", "c", start="2021")
    0
    >>> H = in_period(M, Period(2020, 2022))
    >>> list(H.edges()), H.graph["period"]
    ([('b', 'c')], '2020–2022')
    """
    t = table if table is not None else edge_table(G)
    kept = period_filter(G, period, t)
    H = nx.MultiDiGraph(**G.graph, **kept.info())
    H.add_nodes_from((v, G.nodes[v]) for v, keep in zip(t.nodes, kept.nodes.tolist(), strict=True) if keep)
    H.add_edges_from(
        (u, v, k, d)
        for (u, v, k, d), keep in zip(G.edges(keys=True, data=True), kept.edges.tolist(), strict=True)
        if keep
    )
    return nx.freeze(H)


def projection(G: nx.MultiDiGraph, period: Period, table: EdgeTable | None = None) -> nx.Graph:
    """The undirected projection of *G* as of *period*: ``undirected(in_period(G, period))``,
    without copying the snapshot first.

    Examples
    --------
    >>> M = nx.MultiDiGraph()
    >>> M.add_edge("a", "b", start="2018", end="2019")
    0
    >>> M.add_edge("b", "c", start="2021")
    0
    >>> list(projection(M, Period(2020, 2022)).edges())
    [('b', 'c')]
    """
    t = table if table is not None else edge_table(G)
    kept = period_filter(G, period, t)
    H = undirected(G, table=t, edges=kept.edges, nodes=kept.nodes)
    H.graph.update(kept.info())
    return nx.freeze(H)


def columns_in_period(columns: GraphColumns, period: Period) -> GraphColumns:
    """The store's columns as of *period* (organisations founded by then, ties active in it),
    carrying the counts of :meth:`PeriodFilter.info` in their ``graph``."""
    kept = kept_in_period(columns.founded, columns.table, period)
    return columns.select(kept.nodes, kept.edges, **kept.info())


def data_years(G: nx.MultiDiGraph | None, table: EdgeTable | None = None) -> tuple[int, int] | None:
    """The first and last year the snapshot's tie dates name (starts and ends), or None when undated
    (*G* may be None when its *table* is given).

    Examples
    --------
    >>> M = nx.MultiDiGraph()
    >>> M.add_edge("a", "b", start="2018", end="2021")
    0
    >>> M.add_edge("b", "c")
    0
    >>> data_years(M)
    (2018, 2021)
    """
    t = table if table is not None else edge_table(G)
    years = np.concatenate((t.start, t.end))
    years = years[~np.isnan(years)]
    if not len(years):
        return None
    return int(years.min()), int(years.max())


UNDATED = (
    "This store's ties carry no dates, so it has no periods to compare: save its state with "
    "`ecograph snapshot save NAME` before and after a change, and compare the two with "
    "`ecograph compare --from-snapshot A --to-snapshot B`."
)


def check_period(period: Period, years: tuple[int, int] | None) -> Period:
    """*period* if it lies within *years* (from :func:`data_years`); else one clear error.

    Raises
    ------
    UndatedStore
        *years* is None: no tie has a date.
    UsageError
        The period reaches outside *years*; the message names the valid range.

    Examples
    --------
    >>> check_period(Period(2020, 2022), (2015, 2026))
    Period(first=2020, last=2022)
    >>> check_period(Period(2030, 2031), (2015, 2026))
    Traceback (most recent call last):
    ...
    ecograph.errors.UsageError: period 2030–2031 is outside the years of this store's ties; use years from 2015 to 2026
    """
    if years is None:
        raise UndatedStore(UNDATED)
    if period.first < years[0] or period.last > years[1]:
        raise UsageError(
            f"period {period.label} is outside the years of this store's ties; "
            f"use years from {years[0]} to {years[1]}"
        )
    return period


def resolve_period(value: Period | str | int | None, years: tuple[int, int] | None) -> Period | None:
    """*value* (as :func:`as_period` takes it) checked against *years*; every error names the valid years.

    Raises
    ------
    UndatedStore
        A period was asked and no tie has a date.
    UsageError
        *value* is malformed, runs backwards or reaches outside *years*.

    Examples
    --------
    >>> resolve_period("2020-2022", (2015, 2026)), resolve_period(None, None)
    (Period(first=2020, last=2022), None)
    >>> resolve_period("soon", (2015, 2026))
    Traceback (most recent call last):
    ...
    ecograph.errors.UsageError: period 'soon' is not a year or two years such as 2023-2025; use years from 2015 to 2026
    """
    if value is None:
        return None
    try:
        period = as_period(value)
    except UsageError as exc:
        if years is None:
            raise UndatedStore(UNDATED) from None
        raise UsageError(f"{exc}; use years from {years[0]} to {years[1]}") from None
    return check_period(period, years)  # type: ignore[arg-type]
