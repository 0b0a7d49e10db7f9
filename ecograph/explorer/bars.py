"""Charts and tables the pages draw as plain HTML: bar tables, stacked bars by year, a
histogram, short tables.

The Overview and the Centrality page draw their charts from styled ``<div>``s instead of
data grids and chart libraries (Vega, plotly), whose scripts the browser would otherwise
load, compile and run before the page settles: about a second of a 2-core machine on each
visit. The short tables of a profile and of the Weak links page's first view are HTML
tables for the same reason: Streamlit's data grid is 1.3 MB of script that the browser
loads and runs on each visit before the grid shows (a third of a second here). Every label
and cell is escaped; the pages show these with ``st.html`` after :data:`STYLE`.
"""

from __future__ import annotations

import html

import numpy as np
import pandas as pd

from ecograph import viz
from ecograph.explorer import ui

__all__ = ["STYLE", "bar_table", "frame_table", "histogram", "year_bars"]

STYLE = """<style>
.eg-table { width: 100%; border-collapse: collapse; font-size: 0.9rem; }
.eg-table th { text-align: left; font-weight: 600; border-bottom: 1px solid rgba(49,51,63,.2); padding: 3px 6px; }
.eg-table td { padding: 3px 6px; border-bottom: 1px solid rgba(49,51,63,.08); vertical-align: middle; }
.eg-scroll { overflow-y: auto; }
.eg-scroll .eg-table th { position: sticky; top: 0; background: #fff; }
.eg-table th.num, .eg-table td.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
.eg-bar { height: 0.7rem; background: #3E7CB1; border-radius: 2px; min-width: 1px; }
.eg-years { display: flex; align-items: flex-end; gap: 3px; height: 300px; padding-top: 8px;
            border-bottom: 1px solid rgba(49,51,63,.3); }
.eg-years.eg-short { height: 240px; gap: 1px; }
.eg-year { flex: 1; display: flex; flex-direction: column-reverse; height: 100%; }
.eg-year div { width: 100%; }
.eg-axis { display: flex; gap: 3px; font-size: 0.72rem; color: rgba(49,51,63,.7); }
.eg-axis span { flex: 1; text-align: center; overflow: hidden; }
.eg-ticks { display: flex; justify-content: space-between; font-size: 0.72rem; color: rgba(49,51,63,.7); }
.eg-legend { font-size: 0.8rem; margin-top: 6px; }
.eg-legend span.dot { display: inline-block; width: 10px; height: 10px; border-radius: 2px;
                      margin: 0 4px 0 12px; vertical-align: middle; }
</style>"""


def bar_table(counts: pd.Series, label: str, unit: str) -> str:
    """*counts* as an HTML table whose bars show each value's share of the largest.

    Examples
    --------
    >>> "&lt;b&gt;" in bar_table(pd.Series({"<b>": 3}), "province", "organisations")
    True
    """
    top = max(int(counts.max()), 1) if len(counts) else 1
    rows = "".join(
        f"<tr><td>{html.escape(str(name))}</td>"
        f'<td style="width:45%"><div class="eg-bar" style="width:{100 * int(n) / top:.1f}%"></div></td>'
        f'<td class="num">{int(n):,}</td></tr>'
        for name, n in counts.items()
    )
    return (
        f'<table class="eg-table"><tr><th>{html.escape(label)}</th><th></th>'
        f'<th class="num">{html.escape(unit)}</th></tr>{rows}</table>'
    )


def frame_table(frame: pd.DataFrame, most: int = 320) -> str:
    """*frame* as an HTML table in a box that scrolls past *most* pixels: every cell escaped,
    numbers right-aligned (whole numbers as they are — years among them — others to four
    significant digits), missing values blank.

    Examples
    --------
    >>> page = frame_table(pd.DataFrame({"name": ["<b>"], "start": [2021], "share": [0.123456]}))
    >>> "&lt;b&gt;" in page, '<td class="num">2021</td>' in page, ">0.1235<" in page
    (True, True, True)
    """
    numeric = [
        pd.api.types.is_numeric_dtype(frame[c]) and not pd.api.types.is_bool_dtype(frame[c]) for c in frame
    ]
    head = "".join(
        ('<th class="num">' if num else "<th>") + f"{html.escape(str(c))}</th>"
        for c, num in zip(frame.columns, numeric, strict=True)
    )
    body = "".join(
        "<tr>"
        + "".join(
            f'<td class="num">{_number(v)}</td>'
            if num
            else f"<td>{'' if _missing(v) else html.escape(str(v))}</td>"
            for v, num in zip(row, numeric, strict=True)
        )
        + "</tr>"
        for row in frame.itertuples(index=False, name=None)
    )
    return (
        f'<div class="eg-scroll" style="max-height:{most}px">'
        f'<table class="eg-table"><tr>{head}</tr>{body}</table></div>'
    )


def _missing(value: object) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and value != value)


def _number(value: object) -> str:
    if _missing(value):
        return ""
    number = float(value)  # type: ignore[arg-type]
    if number.is_integer():
        return str(int(number))
    return f"{number:.4g}" if abs(number) < 1e4 else f"{number:.0f}"


def year_bars(years: pd.DataFrame) -> str:
    """Ties by the year they started (rows) and kind (columns) as stacked HTML bars, each
    part naming its year, kind and count on hover."""
    top = max(int(years.sum(axis=1).max()), 1)
    colours = viz.distinct_colors(years.columns)
    bars, axis = [], []
    for year, row in years.iterrows():
        parts = "".join(
            f'<div title="{year} · {html.escape(ui.pretty(kind))}: {int(n):,}" '
            f'style="height:{100 * int(n) / top:.2f}%;background:{colours[kind]}"></div>'
            for kind, n in row.items()
            if n
        )
        bars.append(f'<div class="eg-year" title="{year}: {int(row.sum()):,} ties">{parts}</div>')
        axis.append(f"<span>{year}</span>")
    legend = "".join(
        f'<span class="dot" style="background:{colour}"></span>{html.escape(ui.pretty(kind))}'
        for kind, colour in colours.items()
    )
    return (
        f'<div class="eg-years">{"".join(bars)}</div><div class="eg-axis">{"".join(axis)}</div>'
        f'<div class="eg-legend">{legend} <span style="margin-left:12px">(tallest bar: {top:,} ties)</span></div>'
    )


def histogram(values: np.ndarray, unit: str, bins: int = 40, colour: str = "#3E7CB1") -> str:
    """How many *values* fall in each of *bins* equal ranges, as bars on a log scale (a few
    organisations with high values stay visible beside thousands with low ones); each bar
    names its range and count on hover, the axis its ends and quarters.

    Examples
    --------
    >>> page = histogram(np.array([0.0, 1.0, 1.0, 4.0]), "organisations", bins=4)
    >>> page.count('class="eg-year"'), "1 – 2: 2 organisations" in page
    (4, True)
    """
    values = np.asarray(values, dtype=float)
    values = values[np.isfinite(values)]
    if not len(values):
        return ""
    low, high = float(values.min()), float(values.max())
    counts, edges = np.histogram(
        values, bins=bins, range=(low, high) if high > low else (low - 0.5, low + 0.5)
    )
    top = np.log10(1 + counts.max())
    bars = "".join(
        f'<div class="eg-year" title="{edges[i]:.4g} – {edges[i + 1]:.4g}: {int(n):,} {html.escape(unit)}">'
        f'<div style="height:{100 * np.log10(1 + n) / top:.2f}%;background:{colour}"></div></div>'
        for i, n in enumerate(counts.tolist())
    )
    ticks = "".join(
        f"<span>{edges[0] + (edges[-1] - edges[0]) * q:.3g}</span>" for q in (0, 0.25, 0.5, 0.75, 1)
    )
    return (
        f'<div class="eg-years eg-short">{bars}</div><div class="eg-ticks">{ticks}</div>'
        f'<div class="eg-legend">{html.escape(unit).capitalize()} per range of values, log scale '
        f"(tallest bar: {int(counts.max()):,})</div>"
    )
