"""Change over time: two periods (or two saved snapshots) side by side, and the province scorecard.

The page calls :func:`ecograph.api.compare` and :func:`ecograph.api.scorecard` and shows
what :mod:`ecograph.explain.compare` and :mod:`ecograph.explain.scorecard` make of them:
it holds no analysis and no explanation of its own. A link can preset it:
``?view=scorecard&by=sector&highlight=ai`` or ``?from=2020-2022&to=2023-2025&province=Huế``.
"""

from __future__ import annotations

import json

import altair as alt
import pandas as pd
import streamlit as st

from ecograph import api
from ecograph.errors import EcographError
from ecograph.explain import compare as explain_compare
from ecograph.explain import scorecard as explain_card
from ecograph.explorer import state, ui
from ecograph.period import UNDATED, Period, as_period

__all__ = ["render"]

VIEWS = {"compare": "What changed", "scorecard": "Scorecard"}
_ALL = "All provinces"
_HIGHLIGHT = "#D62728"
_OTHERS = "rgba(120, 130, 140, 0.35)"


# -- results: the workspace's, cached per store state and what was asked -----------------------


def _years(ctx: state.Context) -> tuple[tuple[int, int] | None, tuple[int, int] | None]:
    """The years the ties' dates cover, and the scorecard's default years (None when undated)."""
    ws = ctx.workspace()
    years = ws.years()
    default = api.scorecard_years(ws) if years else None
    return years, (default.first, default.last) if default else None


def _compare(ctx: state.Context, spec: tuple) -> dict:
    sides, province = dict(spec[:-1]), spec[-1]
    with st.spinner("Comparing the two states…"):
        return api.compare(ctx.workspace(), province=province, **sides)


def _scorecard(ctx: state.Context, by: str, first: int, last: int) -> dict:
    with st.spinner("Scoring every year…"):
        return api.scorecard(ctx.workspace(), by=by, period=Period(first, last))


# -- what changed --------------------------------------------------------------------------------


def _default_periods(years: tuple[int, int], latest: int) -> tuple[tuple[int, int], tuple[int, int]]:
    """The three years before *latest* (the latest year of data is likely still incomplete) and the
    three before them, within *years*."""
    last = max(years[0], min(latest - 1, years[1]))
    second = (max(years[0], last - 2), last)
    first_end = max(years[0], second[0] - 1)
    return (max(years[0], first_end - 2), first_end), second


def _preset(name: str) -> Period | None:
    text = st.query_params.get(name)
    try:
        return as_period(text) if text else None
    except EcographError:
        return None


def _period_slider(label: str, years: tuple[int, int], default: tuple[int, int], key: str) -> Period:
    chosen = st.select_slider(label, options=list(range(years[0], years[1] + 1)), value=default, key=key)
    return Period(*chosen)


def _sides(ctx: state.Context, years: tuple[int, int] | None, latest: int | None) -> list[tuple] | None:
    """The two states to compare, as ``(name, value)`` pairs for :func:`ecograph.api.compare`."""
    snapshots = [s.name for s in ctx.store.saved_snapshots()]
    modes = (["Two periods"] if years else []) + (["Saved snapshots"] if snapshots else [])
    if not modes:
        st.info(UNDATED, icon=":material/event_busy:")
        return None
    if not years:
        st.info(UNDATED, icon=":material/event_busy:")
    mode = modes[0]
    if len(modes) > 1:
        mode = st.radio("Compare", modes, horizontal=True, key="change_mode", label_visibility="collapsed")
    if mode == "Saved snapshots":
        left, right = st.columns(2)
        with left:
            first = st.selectbox("From snapshot", snapshots, key="change_from_snapshot")
        with right:
            options = [*snapshots, "(the store now)"]
            second = st.selectbox("To", options, index=len(options) - 1, key="change_to_snapshot")
        if second == "(the store now)":
            return [("from_snapshot", first)]
        return [("from_snapshot", first), ("to_snapshot", second)]
    defaults = _default_periods(years, latest or years[1])
    chosen = []
    for column, label, name, default in zip(
        st.columns(2), ("First period", "Second period"), ("from", "to"), defaults, strict=True
    ):
        preset = _preset(name)
        if preset is not None and years[0] <= preset.first and preset.last <= years[1]:
            default = (preset.first, preset.last)
        with column:
            chosen.append(_period_slider(label, years, default, f"change_{name}"))
    return [("from_period", chosen[0].label), ("to_period", chosen[1].label)]


def _bullets(lines: list[str]) -> str:
    """One Markdown list of *lines*, each escaped: one element on the page, not one per line."""
    return "\n".join(f"- {ui.md(line)}" for line in lines)


def _provinces(ctx: state.Context) -> list[str]:
    return ui.choices(ctx, ctx.key)["province"]


def _compare_view(ctx: state.Context, years: tuple[int, int] | None, latest: int | None) -> None:
    sides = _sides(ctx, years, latest)
    if sides is None:
        return
    provinces = _provinces(ctx)
    wanted = st.query_params.get("province")
    province = st.selectbox(
        "Province",
        [_ALL, *provinces],
        index=provinces.index(wanted) + 1 if wanted in provinces else 0,
        key="change_province",
    )
    spec = (*sides, None if province == _ALL else province)
    try:
        result = _compare(ctx, spec)
    except EcographError as exc:
        st.error(str(exc), icon=":material/error:")
        return
    before, after, ties = result["before"], result["after"], result["ties"]
    cols = st.columns(5)
    cols[0].metric(
        "Organisations",
        f"{after['organisations']:,}",
        f"{after['organisations'] - before['organisations']:+,}",
    )
    cols[1].metric("Ties", f"{after['ties']:,}", f"{after['ties'] - before['ties']:+,}")
    cols[2].metric("Ties gained / lost", f"{ties['gained']:,} / {ties['lost']:,}")
    cols[3].metric("Bridges healed", f"{result['bridges']['healed_count']:,}")
    cols[4].metric(
        "In the main network",
        f"{100 * after['largest_share']:.0f}%",
        f"{100 * (after['largest_share'] - before['largest_share']):+.0f} pts",
    )
    st.subheader(explain_compare.title(result))
    st.markdown(_bullets(explain_compare.summary_lines(result)))
    downloads = st.columns([1, 1, 1, 2])
    for col, (label, data, name, mime) in zip(
        downloads,
        (
            ("Markdown", explain_compare.render_markdown(result), "change.md", "text/markdown"),
            ("HTML", explain_compare.render_html(result), "change.html", "text/html"),
            ("JSON", json.dumps(result, ensure_ascii=False, indent=2), "change.json", "application/json"),
        ),
        strict=False,
    ):
        with col:
            st.download_button(label, data, file_name=name, mime=mime, icon=":material/download:")
    for section in explain_compare.sections(result):
        st.subheader(section["title"])
        st.caption(ui.md(section["intro"]))
        findings = [f["sentence"] for f in section["findings"][:12]]
        st.markdown(_bullets(findings) if findings else "Nothing to report.")


# -- scorecard -------------------------------------------------------------------------------------


def _two_lines(title: str, width: int = 24) -> str:
    """A chart title broken in two near the middle when it is long (plotly's ``<br>``)."""
    if len(title) <= width:
        return title
    words = title.split()
    cut = min(range(1, len(words)), key=lambda i: abs(len(" ".join(words[:i])) - len(title) / 2))
    return " ".join(words[:cut]) + "<br>" + " ".join(words[cut:])


def _small_multiples(card: dict, highlight: str | None) -> alt.FacetChart:
    """One line chart per indicator (its own scale), every group a grey line and *highlight* in red."""
    rows = []
    for key in (i["key"] for i in card["indicators"]):
        definition = explain_card.DEFINITIONS[key]
        scale = 100 if definition.unit == "share" else 1
        title = definition.title + (" (%)" if scale == 100 else "")
        for group, series in card["values"][key].items():
            chosen = group == highlight
            for year, value in zip(card["years"], series, strict=True):
                if value is not None:
                    rows.append((title, str(group), year, scale * value, chosen))
    frame = pd.DataFrame(rows, columns=["indicator", "group", "year", "value", "chosen"])
    order = [
        explain_card.DEFINITIONS[i["key"]].title
        + (" (%)" if explain_card.DEFINITIONS[i["key"]].unit == "share" else "")
        for i in card["indicators"]
    ]
    lines = (
        alt.Chart(frame)
        .mark_line()
        .encode(
            x=alt.X("year:O", title=None, axis=alt.Axis(labelAngle=0, labelOverlap="parity")),
            y=alt.Y("value:Q", title=None),
            detail="group:N",
            color=alt.condition("datum.chosen", alt.value(_HIGHLIGHT), alt.value(_OTHERS)),
            strokeWidth=alt.condition("datum.chosen", alt.value(3), alt.value(1)),
            order=alt.Order("chosen:N"),
            tooltip=[
                alt.Tooltip("group:N", title=card["by"]),
                "year:O",
                alt.Tooltip("value:Q", format=".3~f"),
            ],
        )
        .properties(width=165, height=150)
    )
    return lines.facet(
        facet=alt.Facet("indicator:N", sort=order, title=None, header=alt.Header(labelFontSize=13)), columns=4
    ).resolve_scale(y="independent")


def _scorecard_view(
    ctx: state.Context, years: tuple[int, int] | None, default: tuple[int, int] | None
) -> None:
    if not years or not default:
        st.info(UNDATED, icon=":material/event_busy:")
        return
    left, mid, right = st.columns([1, 2, 2])
    with left:
        by = st.radio(
            "One row per",
            ["province", "sector"],
            index=1 if st.query_params.get("by") == "sector" else 0,
            horizontal=True,
            key="card_by",
        )
    with mid:
        first, last = st.select_slider(
            "Years", options=list(range(years[0], years[1] + 1)), value=default, key="card_years"
        )
    card = _scorecard(ctx, by, first, last)
    with right:
        wanted = st.query_params.get("highlight")
        groups = card["groups"]
        highlight = (
            st.selectbox(
                f"Highlight a {by}",
                groups,
                index=groups.index(wanted) if wanted in groups else 0,
                key="card_highlight",
            )
            if groups
            else None
        )
    if not groups:
        st.warning(f"No organisation has a {by}.")
        return
    st.subheader(f"Scorecard by {by}, {first}–{last}" if first != last else f"Scorecard by {by}, {first}")
    st.caption(ui.md(explain_card.caption(card)))
    frame = pd.DataFrame(explain_card.latest_rows(card))
    help_of = {d.title: d.definition for d in explain_card.DEFINITIONS.values()}
    st.dataframe(
        frame,
        hide_index=True,
        height=ui.table_height(len(frame), 420),
        column_config={
            title: st.column_config.TextColumn(title, help=text) for title, text in help_of.items()
        },
    )
    st.download_button(
        "Download CSV (every year)",
        explain_card.csv(card),
        file_name=f"scorecard-by-{by}-{first}-{last}.csv",
        mime="text/csv",
        icon=":material/download:",
        key="card_csv",
    )
    st.subheader("Year by year")
    st.caption(f"One chart per indicator; every {by} a grey line, {ui.md(highlight)} in red.")
    st.altair_chart(_small_multiples(card, highlight), key="card_multiples")
    st.subheader("What each indicator means")
    st.markdown(
        "\n".join(f"- **{ui.md(d.title)}**: {ui.md(d.definition)}" for d in explain_card.DEFINITIONS.values())
    )
    with st.expander("Triple Helix synergy: the definition"):
        st.markdown(ui.md(explain_card.TRIPLE_HELIX["words"]))
        st.latex(explain_card.TRIPLE_HELIX["latex"])
        st.caption(ui.md(explain_card.TRIPLE_HELIX["reference"]))


def render() -> None:
    st.title("Change over time")
    ctx = state.require_data()
    years, default = _years(ctx)
    wanted = st.query_params.get("view")
    views = list(VIEWS)
    view = st.radio(
        "View",
        views,
        index=views.index(wanted) if wanted in VIEWS else 0,
        format_func=VIEWS.get,
        horizontal=True,
        key="change_view",
        label_visibility="collapsed",
    )
    if view == "compare":
        _compare_view(ctx, years, default[1] if default else None)
    else:
        _scorecard_view(ctx, years, default)


if __name__ == "__main__":
    render()
