"""Overview: what the store holds, the headline weak links, and how fresh the data is."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from ecograph.explorer import page_path, state, ui
from ecograph.store import redact

__all__ = ["render"]

#: Which page tells more about each section of the weak-link report.
SECTION_PAGES = {"missing_links": "recommendations"}
HEADLINES = 5


def _counts_table(series: pd.Series, name: str, top: int | None = None) -> None:
    """Counts of *series*' values as a table whose bars show the share (light to draw)."""
    counts = series.value_counts()
    total = int(counts.sum())
    if top:
        counts = counts.head(top)
    frame = counts.rename_axis(name).reset_index(name="organisations")
    st.dataframe(
        frame,
        hide_index=True,
        height=ui.table_height(len(frame), 320),
        column_config={
            "organisations": st.column_config.ProgressColumn(
                "organisations", format="%d", min_value=0, max_value=max(int(counts.max()), 1) if total else 1
            )
        },
    )


def _charts(ctx: state.Context) -> None:
    orgs, ties = ui.frames(ctx, ctx.key)
    st.header("What the store holds")
    top, bottom = st.columns(2), st.columns(2)
    with top[0]:
        st.markdown("**Organisations by category**")
        _counts_table(orgs["category"].map(ui.pretty), "category")
    with top[1]:
        st.markdown("**Organisations by kind**")
        _counts_table(orgs["kind"].map(ui.pretty), "kind")
    with bottom[0]:
        st.markdown("**Organisations by province** (top 20)")
        _counts_table(orgs["province"].dropna(), "province", top=20)
    with bottom[1]:
        st.markdown("**Organisations by sector** (top 20)")
        _counts_table(orgs["sectors"].explode().dropna(), "sector", top=20)
    left, right = st.columns([1, 3])
    with left:
        st.markdown("**Ties by kind**")
        by_kind = ties["kind"].map(ui.pretty).value_counts()
        frame = by_kind.rename_axis("kind").reset_index(name="ties")
        st.dataframe(
            frame,
            hide_index=True,
            height=ui.table_height(len(frame), 400),
            column_config={
                "ties": st.column_config.ProgressColumn(
                    "ties",
                    format="%d",
                    min_value=0,
                    max_value=max(int(by_kind.max()), 1) if len(by_kind) else 1,
                )
            },
        )
    with right:
        if ties["year"].notna().any():
            # A Vega-Lite chart (Streamlit's own charts): a plotly chart here would add seconds
            # to the page a planner opens first (plotly.js is heavy to start in a browser).
            st.markdown("**Ties by the year they started, by kind**")
            frame = ties.dropna(subset=["year"]).groupby(["year", "kind"]).size().reset_index(name="ties")
            frame["kind"] = frame["kind"].map(ui.pretty)
            frame["year"] = frame["year"].astype(int).astype(str)
            chart = (
                alt.Chart(frame)
                .mark_bar()
                .encode(
                    x=alt.X("year:O", title=None),
                    y=alt.Y("ties:Q", title="ties"),
                    color=alt.Color("kind:N", title=None, legend=alt.Legend(orient="right")),
                    tooltip=["year", "kind", "ties"],
                )
                .properties(height=340)
            )
            st.altair_chart(chart)


def _headlines(ctx: state.Context) -> None:
    st.header("Headline weak links")
    report = state.weak_link_report(ctx, ctx.key)
    for section in report["sections"]:
        findings = section["findings"][:HEADLINES]
        st.subheader(section["title"])
        st.caption(ui.md(section["intro"]))
        if findings:
            st.markdown("\n".join(f"- {ui.md(f['sentence'])}" for f in findings))
        else:
            st.markdown("Nothing to report.")
        target = SECTION_PAGES.get(section["key"], "weak_links")
        st.page_link(
            page_path(target),
            label="All recommendations"
            if target == "recommendations"
            else f"More: {section['title'].lower()}",
            icon=":material/arrow_forward:",
            query_params={} if target != "weak_links" else {"family": section["key"]},
        )


def _freshness(ctx: state.Context) -> None:
    st.header("Store and freshness")
    counts = ctx.counts
    last = counts.get("last_load")
    cols = st.columns(3)
    cols[0].metric("Store version", f"{ctx.version:,}")
    cols[1].metric("Loads recorded", f"{counts.get('loads', 0):,}")
    finished = (last or {}).get("finished") or ""
    cols[2].metric("Last load", finished[:19].replace("T", " ") + (" UTC" if finished else "—"))
    st.caption(f"Store: `{redact(ctx.url)}`")
    recent = counts.get("recent_loads") or []
    if recent:
        frame = ui.rows_frame(
            recent,
            [
                "finished",
                "file",
                "format",
                "rows_read",
                "rejected",
                "organizations_inserted",
                "organizations_updated",
                "collaborations_inserted",
                "collaborations_updated",
            ],
        )
        st.dataframe(frame, hide_index=True)


def render() -> None:
    st.title("Overview")
    ctx = state.require_data()
    counts = ctx.counts
    by_category = counts.get("by_category", {})
    cols = st.columns(4)
    cols[0].metric("Organisations", f"{counts['organizations']:,}")
    cols[1].metric("Collaborations", f"{counts['collaborations']:,}")
    cols[2].metric("Foreign partners", f"{by_category.get('foreign_partner', 0):,}")
    cols[3].metric("Countries", f"{len(counts.get('by_country', {})):,}")
    _charts(ctx)
    _headlines(ctx)
    _freshness(ctx)


if __name__ == "__main__":
    render()
