"""Recommendations: partnerships that do not exist yet, by category pair, sector and province, with reasons."""

from __future__ import annotations

import streamlit as st

from ecograph.explorer import bars, state, ui
from ecograph.workspace import Workspace

__all__ = ["render"]

#: Recommendations fetched before the sector and province filters apply (per category pair).
POOL = 2000


def _filtered(rows: list[dict], ws: Workspace, sectors: set, provinces: set) -> list[dict]:
    """The pairs with an end in one of the provinces and an end working in one of the sectors."""
    if not sectors and not provinces:
        return rows
    index, province, sector = ws.index(), ws.attribute("province"), ws.attribute("sectors")

    def keep(row: dict) -> bool:
        ends = [index[row["source"]], index[row["target"]]]
        if provinces and not any(province[i] in provinces for i in ends):
            return False
        return not sectors or any(sectors.intersection(sector[i]) for i in ends)

    return [r for r in rows if keep(r)]


def render() -> None:
    st.title("Recommendations")
    ctx = state.require_data()
    st.markdown(
        "Partnerships that do not exist yet but are likely to work: the two organisations share "
        "partners or sectors. Pick the kinds of organisation you want to bring together."
    )
    offered = ui.choices(ctx, ctx.key)
    any_category = [None, *offered["category"]]
    cols = st.columns(4)
    with cols[0]:
        source = st.selectbox(
            "From",
            any_category,
            format_func=lambda c: "any category" if c is None else ui.pretty(c),
            key="rec_source",
        )
    with cols[1]:
        target = st.selectbox(
            "To",
            any_category,
            format_func=lambda c: "any category" if c is None else ui.pretty(c),
            key="rec_target",
        )
    with cols[2]:
        sectors = st.multiselect("Sector", offered["sector"], key="rec_sector", placeholder="All")
    with cols[3]:
        provinces = st.multiselect("Province", offered["province"], key="rec_province", placeholder="All")
    top = st.slider("How many", 5, 200, 25, step=5, key="rec_top")
    pool = state.recommendations(ctx, ctx.key, source_category=source, target_category=target, top=POOL)
    ws = ctx.workspace()
    wanted_sectors, wanted_provinces = set(sectors), set(provinces)
    rows = _filtered(pool, ws, wanted_sectors, wanted_provinces)[: int(top)]
    st.subheader("Recommended partnerships")
    if not rows:
        st.warning("No partnership to recommend for this choice: widen the categories, sectors or provinces.")
        return
    frame = ui.rows_frame(
        rows,
        [
            "source_name",
            "target_name",
            "reason",
            "source_category",
            "target_category",
            "score",
            "common_partners",
            "shared_sectors",
            "adamic_adar",
            "resource_allocation",
            "source",
            "target",
        ],
    )
    for column in ("source_category", "target_category"):
        frame[column] = frame[column].map(ui.pretty)
    frame.insert(0, "rank", range(1, len(frame) + 1))
    shown = frame.rename(
        columns={
            "source_name": "organisation",
            "target_name": "partner",
            "source_category": "category",
            "target_category": "partner category",
            "common_partners": "common partners",
            "shared_sectors": "shared sectors",
        }
    )
    # A short table as HTML: the data grid's script would be loaded and run on each visit
    # (see bars.py); the reasons wrap in their cells rather than needing a wide column.
    st.html(
        bars.STYLE
        + bars.frame_table(
            shown.drop(columns=["source", "target", "adamic_adar", "resource_allocation"]), most=560
        )
    )
    st.caption(
        "Score: common partners, Adamic–Adar and resource allocation (shared partners that have few "
        "partners themselves count more) and the overlap of sectors."
    )
    ui.csv_button(shown, "recommendations.csv", key="rec_csv")


if __name__ == "__main__":
    render()
