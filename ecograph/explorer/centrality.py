"""Centrality: rank organisations by any measure, filtered, with its distribution and a CSV download."""

from __future__ import annotations

import plotly.express as px
import streamlit as st

from ecograph.analysis import MEASURES, top_nodes
from ecograph.explorer import state, ui

__all__ = ["render"]

EXPLAIN = {
    "degree": "number of partners",
    "strength": "sum of the weights of its ties",
    "betweenness": "share of the shortest paths between other organisations that pass through it",
    "closeness": "how few steps it takes to reach everyone it can reach",
    "harmonic": "sum of 1 / distance to every other organisation",
    "eigenvector": "tied to organisations that are themselves well tied (largest connected part)",
    "pagerank": "Google's PageRank on the collaboration network",
    "kcore": "the deepest k-core it belongs to: a dense core in which everyone has at least k partners",
    "constraint": "Burt's constraint: low when its partners do not know each other (a broker)",
    "effective_size": "Burt's effective size: partners less their redundancy",
    "efficiency": "effective size per partner",
    "hierarchy": "how far one partner concentrates its constraint",
}


def render() -> None:
    st.title("Centrality")
    ctx = state.require_data()
    left, right = st.columns([2, 1])
    with left:
        measure = st.selectbox("Measure", MEASURES, format_func=ui.pretty, key="centrality_measure")
    with right:
        top = st.number_input("Rows", min_value=5, max_value=5000, value=50, step=25, key="centrality_top")
    st.caption(f"**{ui.pretty(measure).capitalize()}**: {EXPLAIN.get(measure, '')}.")
    selected = ui.filter_widgets(ctx, "centrality")
    result = state.centrality(ctx, ctx.key, measure)
    rows = top_nodes(
        ctx.graph,
        result,
        n=None,
        category=selected["category"] or None,
        kind=selected["kind"] or None,
        sector=selected["sector"] or None,
        province=selected["province"] or None,
    )
    order = "lowest first" if not result.descending else "highest first"
    st.caption(
        f"{result.method.capitalize()}, computed with {result.backend}; {order}. {len(rows):,} organisations match."
    )
    if not rows:
        st.warning("No organisation matches these filters.")
        return
    frame = ui.rows_frame(rows, ["rank", "name", "category", "kind", "province", "sectors", "value", "id"])
    for column in ("category", "kind"):
        frame[column] = frame[column].map(ui.pretty)
    frame = frame.rename(columns={"name": "organisation", "value": measure})
    st.subheader(f"Ranked by {ui.pretty(measure)}")
    st.dataframe(
        frame.head(int(top)), hide_index=True, height=ui.table_height(min(len(frame), int(top)), 420)
    )
    ui.csv_button(frame, f"centrality-{measure}.csv", key="centrality_csv")
    st.subheader("Distribution")
    fig = px.histogram(frame, x=measure, nbins=40, height=320, log_y=True)
    fig.update_layout(margin={"l": 10, "r": 10, "t": 20, "b": 10}, yaxis_title="organisations (log scale)")
    fig.update_yaxes(dtick=1)  # ticks at 1, 10, 100…
    st.plotly_chart(fig, key="centrality_histogram")


if __name__ == "__main__":
    render()
