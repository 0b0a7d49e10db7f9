"""Overview: what the store holds, the headline weak links, and how fresh the data is."""

from __future__ import annotations

import html

import pandas as pd
import streamlit as st

from ecograph.explorer import page_path, state, ui
from ecograph.explorer.bars import STYLE, bar_table, year_bars

__all__ = ["render", "summary"]

#: Which page tells more about each section of the weak-link report.
SECTION_PAGES = {"missing_links": "recommendations"}
HEADLINES = 5


@st.cache_data(show_spinner=False, max_entries=4)
def summary(_ctx: state.Context, key: tuple[str, str, int]) -> dict[str, pd.Series | pd.DataFrame]:
    """The Overview's counts, computed once per store version (tens of thousands of rows
    in, a few dozen out: each later visit only reads them)."""
    orgs, ties = ui.frames(_ctx, key)
    dated = ties.dropna(subset=["year"])
    return {
        "category": orgs["category"].value_counts().rename(index=ui.pretty),
        "kind": orgs["kind"].value_counts().rename(index=ui.pretty),
        "province": orgs["province"].dropna().value_counts().head(20),
        "sector": orgs["sectors"].explode().dropna().value_counts().head(20),
        "tie_kind": ties["kind"].value_counts().rename(index=ui.pretty),
        "years": dated.groupby([dated["year"].astype(int), "kind"]).size().unstack(fill_value=0),
    }


def _titled(title: str, body: str) -> None:
    """A chart or table under its bold title, as one element (each element the page sends is
    more for the browser to draw on every visit)."""
    st.html(f"<p><strong>{html.escape(title)}</strong></p>{body}")


def _charts(ctx: state.Context) -> None:
    counts = summary(ctx, ctx.key)
    st.header("What the store holds")
    st.html(STYLE)
    top, bottom = st.columns(2), st.columns(2)
    for column, (name, title) in zip(
        [*top, *bottom],
        [
            ("category", "Organisations by category"),
            ("kind", "Organisations by kind"),
            ("province", "Organisations by province (top 20)"),
            ("sector", "Organisations by sector (top 20)"),
        ],
        strict=True,
    ):
        with column:
            _titled(title, bar_table(counts[name], name, "organisations"))
    left, right = st.columns([1, 3])
    with left:
        _titled("Ties by kind", bar_table(counts["tie_kind"], "kind", "ties"))
    with right:
        if len(counts["years"]):
            _titled("Ties by the year they started, by kind", year_bars(counts["years"]))


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
    st.caption(f"Store: {ui.md(ctx.name)}")
    recent = counts.get("recent_loads") or []
    if recent:
        columns = {
            "finished": "finished (UTC)",
            "file": "file",
            "format": "format",
            "rows_read": "rows read",
            "rejected": "rejected",
            "organizations_inserted": "organisations new",
            "organizations_updated": "organisations changed",
            "collaborations_inserted": "collaborations new",
            "collaborations_updated": "collaborations changed",
        }
        head = "".join(f"<th>{label}</th>" for label in columns.values())
        rows = "".join(
            "<tr>"
            + "".join(f"<td>{html.escape(_cell(key, load.get(key)))}</td>" for key in columns)
            + "</tr>"
            for load in recent
        )
        _titled("Recent loads", f'<table class="eg-table"><tr>{head}</tr>{rows}</table>')


def _cell(key: str, value: object) -> str:
    if value is None:
        return ""
    if key == "finished":
        return str(value)[:19].replace("T", " ")
    return f"{value:,}" if isinstance(value, int) else str(value)


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
    # The headline weak links need the whole report (seconds on a large store, unless the
    # warm-up has made it): drawn last, in their place, under a spinner, after the rest.
    headlines = st.container()
    _freshness(ctx)
    with headlines:
        _headlines(ctx)


if __name__ == "__main__":
    render()
