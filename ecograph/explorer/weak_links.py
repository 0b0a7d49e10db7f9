"""Weak links: each family of weak links with its findings, tables and a picture.

The words — family names, explanations, intros, sentences, captions — come from
:mod:`ecograph.explain`, as the command line's; this page lays them out.
"""

from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from ecograph import viz
from ecograph.analysis import top_nodes
from ecograph.explain.weak_link_families import (
    COMMUNITY_MAP_CAPTION,
    FAMILIES,
    GAP_HEATMAP_CAPTION,
    PERIPHERY_LISTS,
    cut_caption,
    partition_caption,
)
from ecograph.explain.weak_link_findings import bridge_label, category_makeup, point_label
from ecograph.explain.weak_links import render_html, render_markdown
from ecograph.explorer import bars, maps, page_path, state, ui
from ecograph.model import CATEGORIES

__all__ = ["cut_drawing", "render"]


def _findings(report: dict, key: str, limit: int = 10) -> None:
    section = next((s for s in report["sections"] if s["key"] == key), None)
    if section is None:
        return
    st.caption(ui.md(section["intro"]))
    if section["findings"]:  # one list, one element (as the Overview's headlines)
        st.markdown("\n".join(f"- {ui.md(f['sentence'])}" for f in section["findings"][:limit]))
    else:
        st.markdown("Nothing to report.")


# A resource, not data: the page only shows the HTML. Drawn on each script run, the view
# cost 0.7 s of a 10,000-organisation store (the component copied to take the bridge out).
@st.cache_resource(show_spinner="Drawing what it cuts off…", max_entries=32)
def cut_drawing(
    _ctx: state.Context, key: tuple[str, str, int], edge: tuple | None, node: object
) -> tuple[str, str]:
    """The map of what the bridge *edge* (or the articulation point *node*) cuts off and its
    caption, once per store version and choice (read-only)."""
    if edge is not None:
        H, cut, shown = viz.cut_view(_ctx.graph, edge=edge)
        html = viz.network_html(
            H,
            highlight_nodes=shown,
            highlight_edges=[edge],
            height=460,
            click_url="profile?org={id}",
            script_url=maps.VIS_SCRIPT,
        )
        return html, cut_caption("bridge", len(cut), len(shown))
    H, cut, shown = viz.cut_view(_ctx.graph, node=node)
    html = viz.network_html(
        H,
        highlight_nodes=shown | {node},
        height=460,
        click_url="profile?org={id}",
        script_url=maps.VIS_SCRIPT,
    )
    return html, cut_caption("point", len(cut), len(shown))


def _bridges(ctx: state.Context, report: dict) -> None:
    cuts = [c for c in state.bridges(ctx, ctx.key) if c["cut_off"] >= 2]
    points = [p for p in state.articulation_points(ctx, ctx.key) if p["cut_off"] >= 2]
    cols = st.columns(3)
    cols[0].metric("Bridges cutting off 2 or more", f"{len(cuts):,}")
    cols[1].metric("Articulation points", f"{len(points):,}")
    cols[2].metric(
        "Hang on a single partner", f"{sum(1 for c in state.bridges(ctx, ctx.key) if c['cut_off'] == 1):,}"
    )
    _findings(report, "bridges", limit=6)
    if not cuts and not points:
        return
    options: list[tuple[str, object]] = [("bridge", i) for i in range(min(len(cuts), 30))]
    options += [("point", i) for i in range(min(len(points), 30))]

    def label(opt: tuple[str, object]) -> str:
        what, i = opt
        return bridge_label(cuts[i]) if what == "bridge" else point_label(points[i])  # type: ignore[index]

    choice = st.selectbox("Show what it cuts off", options, format_func=label, key="weak_bridge_pick")
    what, i = choice
    if what == "bridge":
        html, caption = cut_drawing(ctx, ctx.key, (cuts[i]["u"], cuts[i]["v"]), None)
    else:
        html, caption = cut_drawing(ctx, ctx.key, None, points[i]["id"])
    st.caption(caption)
    st.iframe(maps.serve(html), height=470, alt="Network map of what the selected bridge cuts off")
    left, right = st.columns(2)
    with left:
        st.markdown("**Bridges**")
        frame = pd.DataFrame(
            [
                {
                    "from": c["u_name"],
                    "to (cut-off side)": c["v_name"],
                    "cuts off": c["cut_off"],
                    "of": c["component_size"],
                    "mostly": category_makeup(c["makeup"]),
                }
                for c in cuts
            ]
        )
        st.html(bars.STYLE + bars.frame_table(frame, most=280))
    with right:
        st.markdown("**Articulation points**")
        frame = pd.DataFrame(
            [
                {
                    "organisation": p["name"],
                    "category": ui.pretty(p["category"]),
                    "province": p["province"],
                    "cuts off": p["cut_off"],
                    "parts": p["parts"],
                }
                for p in points
            ]
        )
        st.html(bars.frame_table(frame, most=280))


def _brokers(ctx: state.Context, report: dict) -> None:
    _findings(report, "brokers", limit=8)
    roles = state.brokerage(ctx, ctx.key)
    G = ctx.graph
    totals = {v: r.get("total", 0.0) for v, r in roles.items()}
    ranked = top_nodes(G, totals, n=50)
    rows = []
    for r in ranked:
        if r["value"] <= 0:
            break
        row = {"organisation": r["name"], "category": ui.pretty(r["category"]), "province": r["province"]}
        row.update(
            {
                role: roles[r["id"]].get(role, 0.0)
                for role in ("gatekeeper", "representative", "liaison", "itinerant", "coordinator")
            }
        )
        row["total"] = r["value"]
        rows.append(row)
    st.markdown("**Brokerage roles between categories** (pairs brokered)")
    st.dataframe(pd.DataFrame(rows), hide_index=True, height=ui.table_height(len(rows)))
    constraint = state.centrality(ctx, ctx.key, "constraint")
    holes = [r for r in top_nodes(G, constraint, n=None) if G.degree(r["id"]) >= 3][:30]
    st.markdown("**Structural holes** (lowest constraint, three partners or more)")
    frame = ui.rows_frame(holes, ["rank", "name", "category", "province", "value"]).rename(
        columns={"name": "organisation", "value": "constraint"}
    )
    frame["category"] = frame["category"].map(ui.pretty)
    st.dataframe(frame, hide_index=True, height=ui.table_height(len(frame)))


def _heatmap(rows: list[dict], order: list[str]) -> go.Figure:
    index = {g: i for i, g in enumerate(order)}
    n = len(order)
    ratio = [[None] * n for _ in range(n)]
    text = [[""] * n for _ in range(n)]
    for r in rows:
        a, b = r["group_a"], r["group_b"]
        if a not in index or b not in index:
            continue
        obs, exp = r["observed"], r["expected"]
        value = math.log2((obs + 0.5) / (exp + 0.5))
        for i, j in ((index[a], index[b]), (index[b], index[a])):
            ratio[i][j] = value
            text[i][j] = f"{obs:,.0f} / {exp:,.1f}"
    labels = [ui.pretty(g) for g in order]
    fig = go.Figure(
        go.Heatmap(
            z=ratio,
            x=labels,
            y=labels,
            text=text,
            texttemplate="%{text}",
            textfont={"size": 11},
            colorscale="RdBu",
            zmid=0,
            zmin=-3,
            zmax=3,
            colorbar={"title": "log₂ observed<br>/ expected", "tickvals": [-3, -2, -1, 0, 1, 2, 3]},
            hovertemplate="%{y} – %{x}<br>observed / expected ties: %{text}<extra></extra>",
        )
    )
    fig.update_layout(
        height=520,
        margin={"l": 10, "r": 10, "t": 40, "b": 10},
        title="Ties between categories: observed / expected (red: fewer than expected)",
        yaxis={"autorange": "reversed"},
    )
    return fig


def _gaps(ctx: state.Context, report: dict) -> None:
    _findings(report, "gaps", limit=9)
    rows = state.gaps(ctx, ctx.key, "category")
    order = [c for c in CATEGORIES if any(c in (r["group_a"], r["group_b"]) for r in rows)]
    if order:
        st.plotly_chart(_heatmap(rows, order), key="weak_heatmap")
        st.caption(GAP_HEATMAP_CAPTION)
    attr = st.radio(
        "Groups",
        ["category", "sectors", "province"],
        format_func=lambda a: {"category": "Categories", "sectors": "Sectors", "province": "Provinces"}[a],
        horizontal=True,
        key="weak_gap_attr",
    )
    under = [r for r in state.gaps(ctx, ctx.key, attr, 2.0) if r["observed"] < r["expected"]]
    frame = ui.rows_frame(under[:100], ["group_a", "group_b", "observed", "expected", "ratio", "z"])
    if attr == "category":
        frame["group_a"] = frame["group_a"].map(ui.pretty)
        frame["group_b"] = frame["group_b"].map(ui.pretty)
    frame = frame.rename(columns={"group_a": "group", "group_b": "and group"})
    st.markdown(f"**Most under-connected pairs of {attr if attr != 'category' else 'categories'}**")
    st.dataframe(
        frame,
        hide_index=True,
        height=ui.table_height(len(frame)),
        column_config={
            "observed": st.column_config.NumberColumn(format="%.0f"),
            "expected": st.column_config.NumberColumn(format="%.1f"),
            "ratio": st.column_config.NumberColumn("observed / expected", format="%.2f"),
            "z": st.column_config.NumberColumn(format="%.1f"),
        },
    )
    ui.csv_button(frame, f"under-connected-{attr}.csv", key="weak_gaps_csv")


def _communities(ctx: state.Context, report: dict) -> None:
    _findings(report, "communities", limit=8)
    found = state.partition(ctx, ctx.key)
    profiles = [p for p in found["profiles"] if p["size"] >= 3]
    st.caption(partition_caption(found["method"], found["modularity"]))
    keep = {p["community"] for p in profiles[:60]}
    G = ctx.graph
    members = {v: c for v, c in found["membership"].items() if c in keep}
    if members:
        A = viz.aggregate(G.subgraph(members), {v: f"Community {c}" for v, c in members.items()})
        st.iframe(
            maps.serve(
                viz.network_html(A, color_attr="name", legend=False, height=460, script_url=maps.VIS_SCRIPT)
            ),
            height=470,
            alt="Network map of the communities and the ties between them",
        )
        st.caption(COMMUNITY_MAP_CAPTION)
    left, right = st.columns(2)
    with left:
        st.markdown("**Communities**")
        frame = pd.DataFrame(
            [
                {
                    "community": p["community"],
                    "organisations": p["size"],
                    "ties inside": p["internal_ties"],
                    "ties out": p["external_ties"],
                    "mostly": category_makeup(p["makeup"]),
                    "linked through": ", ".join(x["name"] for x in p["linkers"][:3]),
                }
                for p in profiles
            ]
        )
        st.dataframe(frame, hide_index=True, height=ui.table_height(len(frame)))
    with right:
        st.markdown("**Communities joined by three ties or fewer**")
        frame = pd.DataFrame(
            [
                {
                    "communities": f"{r['community_a']} – {r['community_b']}",
                    "ties": r["ties"],
                    "held by": ", ".join(h["name"] for h in r["holders"][:3]),
                }
                for r in found["links"]
            ]
        )
        st.dataframe(frame, hide_index=True, height=ui.table_height(len(frame)))


def _periphery_frame(key: str, rows: list[dict]) -> pd.DataFrame:
    if key == "small_components":
        return pd.DataFrame(
            [{"organisations": r.get("size"), "examples": ", ".join(r.get("examples", [])[:5])} for r in rows]
        )
    if key.endswith("gatekeepers"):
        return pd.DataFrame(
            [
                {
                    "group": r["group"],
                    "organisations": r["organisations"],
                    "foreign partners": r["foreign_partners"],
                    "through": ", ".join(g["name"] for g in r["gateways"]),
                }
                for r in rows
            ]
        )
    frame = ui.rows_frame(rows, ["name", "category", "kind", "province"])
    frame["category"] = frame["category"].map(ui.pretty)
    frame["kind"] = frame["kind"].map(ui.pretty)
    return frame.rename(columns={"name": "organisation"})


def _periphery(ctx: state.Context, report: dict) -> None:
    found = state.peripheral(ctx, ctx.key)
    cols = st.columns(4)
    for i, key in enumerate(
        ("isolates", "small_components", "startups_without_investor", "universities_without_industry")
    ):
        cols[i].metric(PERIPHERY_LISTS[key], f"{len(found.get(key, [])):,}")
    _findings(report, "periphery", limit=8)
    which = st.selectbox(
        "List",
        list(PERIPHERY_LISTS),
        format_func=lambda k: f"{PERIPHERY_LISTS[k]} ({len(found.get(k, [])):,})",
        key="weak_periphery_list",
    )
    frame = _periphery_frame(which, found.get(which, []))
    st.dataframe(frame, hide_index=True, height=ui.table_height(len(frame)))
    ui.csv_button(frame, f"{which}.csv", key="weak_periphery_csv")


def _missing(ctx: state.Context, report: dict) -> None:
    _findings(report, "missing_links", limit=12)
    st.page_link(
        page_path("recommendations"),
        label="All recommendations, by category pair, sector and province",
        icon=":material/handshake:",
    )


def _resilience(ctx: state.Context, report: dict) -> None:
    rows = state.resilience(ctx, ctx.key)
    _findings(report, "resilience", limit=4)
    if not rows:
        return
    n = ctx.graph.number_of_nodes()
    frame = pd.DataFrame(rows)
    fig = go.Figure()
    fig.add_scatter(
        x=100 * frame["fraction"],
        y=100 * frame["targeted"] / n,
        mode="lines+markers",
        name="Top brokers removed",
        line={"color": "#D62728"},
    )
    fig.add_scatter(
        x=100 * frame["fraction"],
        y=100 * frame["random"] / n,
        mode="lines+markers",
        name="Random organisations removed",
        line={"color": "#7F7F7F", "dash": "dash"},
    )
    fig.update_layout(
        title="Largest connected part as organisations are removed",
        xaxis_title="organisations removed (%)",
        yaxis_title="largest connected part (% of all)",
        yaxis={"range": [0, 100]},
        height=420,
        margin={"l": 10, "r": 10, "t": 40, "b": 10},
        legend={"orientation": "h", "y": -0.2},
    )
    st.plotly_chart(fig, key="weak_resilience")
    table = frame[["removed", "fraction", "targeted", "random"]].rename(
        columns={
            "removed": "organisations removed",
            "targeted": "largest part (brokers)",
            "random": "largest part (random)",
        }
    )
    st.dataframe(
        table,
        hide_index=True,
        column_config={
            "fraction": st.column_config.NumberColumn("share removed", format="percent"),
            "largest part (random)": st.column_config.NumberColumn(format="%.1f"),
        },
    )


RENDER = {
    "bridges": _bridges,
    "brokers": _brokers,
    "gaps": _gaps,
    "communities": _communities,
    "periphery": _periphery,
    "missing_links": _missing,
    "resilience": _resilience,
}


def render() -> None:
    st.title("Weak links")
    ctx = state.require_data()
    report = state.weak_link_report(ctx, ctx.key)
    left, mid, _ = st.columns([1, 1, 3])
    with left:
        # Both reports are written when their button is clicked, not on each visit.
        st.download_button(
            "Report (Markdown)",
            lambda: render_markdown(report),
            file_name="weak-links.md",
            mime="text/markdown",
            icon=":material/download:",
        )
    with mid:
        st.download_button(
            "Report (HTML)",
            lambda: render_html(report),
            file_name="weak-links.html",
            mime="text/html",
            icon=":material/download:",
        )
    wanted = st.query_params.get("family")
    families = list(FAMILIES)
    family = st.radio(
        "Family",
        families,
        index=families.index(wanted) if wanted in FAMILIES else 0,
        format_func=lambda key: FAMILIES[key].name,
        horizontal=True,
        key="weak_family",
        label_visibility="collapsed",
    )
    st.header(FAMILIES[family].name)
    st.markdown(FAMILIES[family].explanation)
    RENDER[family](ctx, report)


if __name__ == "__main__":
    render()
