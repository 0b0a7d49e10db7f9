"""Centrality: rank organisations by any measure, filtered, with its distribution and a CSV download."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ecograph.analysis import MEASURES, top_nodes
from ecograph.explorer import bars, state, ui

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


_FILTERS = ("category", "kind", "sector", "province")


# A resource, not data: st.cache_data would unpickle a copy of every organisation's row on
# each script run. The page only reads it (its head, its CSV, its histogram).
@st.cache_resource(show_spinner=False, max_entries=16)
def ranked(_ctx: state.Context, key: tuple[str, str, int], measure: str, filters: tuple) -> pd.DataFrame:
    """Every organisation that passes *filters* (category, kind, sector and province
    values; empty: all), ranked by *measure*, as the page's table: computed once per store
    version and view, from the store's network, not a networkx graph (read-only)."""
    result = state.centrality(_ctx, key, measure)
    rows = top_nodes(
        _ctx.workspace().network,
        result,
        n=None,
        **{name: list(values) or None for name, values in zip(_FILTERS, filters, strict=True)},
    )
    frame = ui.rows_frame(rows, ["rank", "name", "category", "kind", "province", "sectors", "value", "id"])
    for column in ("category", "kind"):
        frame[column] = frame[column].map(ui.pretty)
    return frame.rename(columns={"name": "organisation", "value": measure})


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
    frame = ranked(ctx, ctx.key, measure, tuple(tuple(selected[name]) for name in _FILTERS))
    order = "lowest first" if not result.descending else "highest first"
    st.caption(
        f"{result.method.capitalize()}, computed with {result.backend}; {order}. {len(frame):,} organisations match."
    )
    if not len(frame):
        st.warning("No organisation matches these filters.")
        return
    st.subheader(f"Ranked by {ui.pretty(measure)}")
    st.dataframe(
        frame.head(int(top)), hide_index=True, height=ui.table_height(min(len(frame), int(top)), 420)
    )
    ui.csv_button(frame, f"centrality-{measure}.csv", key="centrality_csv")
    st.subheader("Distribution")
    st.html(bars.STYLE + bars.histogram(frame[measure].to_numpy(), "organisations"))


if __name__ == "__main__":
    render()
