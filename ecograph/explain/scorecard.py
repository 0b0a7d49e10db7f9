"""The scorecard's indicators in words: a title and a one-line definition each, tables and CSV.

:func:`ecograph.analysis.scorecard.scorecard` computes the values; this module names and
defines them, and lays them out for the command line and the explorer.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass

from ecograph import csvcells
from ecograph.explain.words import plural

__all__ = [
    "DEFINITIONS",
    "TRIPLE_HELIX",
    "Definition",
    "caption",
    "csv",
    "formatted",
    "latest_rows",
    "long_rows",
    "trend_word",
]

TRIPLE_HELIX_REFERENCE = (
    "Leydesdorff, L. (2003). The mutual information of university-industry-government relations: "
    "An indicator of the Triple Helix dynamics. Scientometrics 58(2), 445–467. "
    "https://doi.org/10.1023/A:1026253130577"
)


@dataclass(frozen=True)
class Definition:
    """How an indicator is shown: its title, its one-line definition and its unit."""

    title: str
    definition: str
    unit: str = "number"  # "number", "share" or "bits"


DEFINITIONS: dict[str, Definition] = {
    "organisations": Definition(
        "Organisations", "Organisations of the group that exist in the year (founded by then, or undated)."
    ),
    "ties": Definition("Ties", "Partnerships active in the year with at least one end in the group."),
    "startup_research_share": Definition(
        "Startups with a research partner",
        "Share of the group's startups with at least one university or research-institute partner "
        "(at home or abroad).",
        "share",
    ),
    "university_industry_ties": Definition(
        "University–industry ties per university",
        "Ties between the group's universities and companies or startups, divided by its number of universities.",
    ),
    "foreign_gateway_share": Definition(
        "Foreign ties through the largest gateway",
        "Share of the group's ties to foreign partners held by its single largest gateway "
        "(100%: one organisation holds them all).",
        "share",
    ),
    "main_component_share": Definition(
        "In the main network",
        "Share of the group's organisations in the national main network (the largest connected part).",
        "share",
    ),
    "bridges_cutting_off": Definition(
        "Bridges cutting it off",
        "Single ties of the main network whose loss would cut two or more of the group's organisations off it.",
    ),
    "triple_helix": Definition(
        "Triple Helix synergy",
        "Leydesdorff's mutual information T(uig) of the group's academia–industry–state partnerships, in bits; "
        "negative means synergy (Leydesdorff 2003, doi:10.1023/A:1026253130577).",
        "bits",
    ),
}
"""Indicator key → how it is shown; the keys of :data:`ecograph.analysis.scorecard.INDICATORS`."""

TRIPLE_HELIX: dict[str, str] = {
    "words": (
        "Each partnership with an end in the group is one unit, coded by the spheres its two organisations "
        "belong to: academia (universities and research institutes), industry (companies and startups) and "
        "the state (government bodies). With H the Shannon entropy (in bits) of the shares of units in which "
        "each sphere, each pair of spheres and all three take part, T(uig) is the information the three "
        "spheres share. A negative value is a reduction of uncertainty — synergy: the spheres' relations "
        "reinforce each other; a positive one, their relations pulling apart."
    ),
    "latex": r"T_{uig} = H_u + H_i + H_g - H_{ui} - H_{ug} - H_{ig} + H_{uig}",
    "reference": TRIPLE_HELIX_REFERENCE,
}
"""The Triple Helix indicator's definition — words, then the formula — and its reference."""


def formatted(key: str, value: float | None) -> str:
    """One value as people read it: ``42%``, ``3.5``, ``-0.415`` bits; a dash where undefined.

    Examples
    --------
    >>> formatted("startup_research_share", 0.4234), formatted("ties", 1200.0), formatted("triple_helix", None)
    ('42%', '1,200', '–')
    """
    if value is None:
        return "–"
    unit = DEFINITIONS[key].unit
    if unit == "share":
        return f"{100 * value:.0f}%"
    if unit == "bits":
        return f"{value:.3f}"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


def trend_word(change: float | None, higher_is_better: bool) -> str:
    """``better``, ``worse`` or ``unchanged`` for a change, given which way is better.

    Examples
    --------
    >>> trend_word(-1.0, False), trend_word(0.2, True), trend_word(None, True)
    ('better', 'better', '')
    """
    if change is None:
        return ""
    if abs(change) < 1e-12:
        return "unchanged"
    return "better" if (change > 0) == higher_is_better else "worse"


def _group_column(card: Mapping) -> str:
    return "province" if card["by"] == "province" else "sector"


def _direction(card: Mapping) -> dict[str, bool]:
    return {i["key"]: i["higher_is_better"] for i in card["indicators"]}


def caption(card: Mapping) -> str:
    """What the scorecard's table shows: the last year, the change since the first, the undated ties.

    Examples
    --------
    >>> caption({"years": [2017, 2026], "undated_ties": 3})
    'Values in 2026; in brackets, the change since 2017 and whether it is for the better. Each year is the ecosystem as of that year: the ties active in it (3 ties without a date left out).'
    """
    years = card["years"]
    head = f"Values in {years[-1]}" + (
        f"; in brackets, the change since {years[0]} and whether it is for the better"
        if len(years) > 1
        else ""
    )
    undated = int(card.get("undated_ties") or 0)
    left_out = f"{plural(undated, 'tie')} without a date left out" if undated else "no tie is without a date"
    return f"{head}. Each year is the ecosystem as of that year: the ties active in it ({left_out})."


def latest_rows(card: Mapping, groups: list | None = None) -> list[dict]:
    """One row per group: each indicator's value in the last year and its change since the first, as text."""
    keys = [i["key"] for i in card["indicators"]]
    better = _direction(card)
    first, last = card["years"][0], card["years"][-1]
    rows = []
    for g in groups if groups is not None else card["groups"]:
        row: dict[str, object] = {_group_column(card): g}
        for key in keys:
            value = card["values"][key][g][-1] if card["years"] else None
            change = card["change"][key][g]
            text = formatted(key, value)
            if change is not None and first != last:
                step = (
                    formatted(key, change) if DEFINITIONS[key].unit != "share" else f"{100 * change:.0f} pts"
                )
                text += f" ({'+' if change > 0 else ''}{step}, {trend_word(change, better[key])})"
            row[DEFINITIONS[key].title] = text
        rows.append(row)
    return rows


def long_rows(card: Mapping) -> tuple[list[str], list[list[object]]]:
    """The scorecard in long form: one row per group and year, one column per indicator (numbers)."""
    keys = [i["key"] for i in card["indicators"]]
    columns = [_group_column(card), "year", *keys]
    rows = [
        [g, year, *(card["values"][key][g][i] for key in keys)]
        for g in card["groups"]
        for i, year in enumerate(card["years"])
    ]
    return columns, rows


def csv(card: Mapping) -> str:
    """The scorecard as CSV (long form), safe to open in a spreadsheet.

    Examples
    --------
    >>> card = {"by": "province", "years": [2024], "groups": ["=cmd"], "indicators": [{"key": "ties"}],
    ...         "values": {"ties": {"=cmd": [3.0]}}}
    >>> print(csv(card).replace(chr(13), ""), end="")
    province,year,ties
    '=cmd,2024,3.0
    """
    buffer = io.StringIO()
    csvcells.write(buffer, *long_rows(card))
    return buffer.getvalue()
