"""Network map: the organisations and their ties, filtered, coloured by category, sized by centrality."""

from __future__ import annotations

from dataclasses import astuple, dataclass

import networkx as nx
import pandas as pd
import streamlit as st

from ecograph import settings, viz
from ecograph.analysis import MEASURES
from ecograph.analysis.centrality import LOW_IS_CENTRAL
from ecograph.explorer import page_path, state, ui
from ecograph.snapshot import undirected

__all__ = ["MapView", "render"]

SIZE_MEASURES = ("degree", *(m for m in MEASURES if m not in LOW_IS_CENTRAL and m != "degree"))
COLOUR_BY = {"category": "Category", "kind": "Kind", "province": "Province", "community": "Community"}
GROUP_BY = {"community": "Community", "province": "Province", "category": "Category"}
HEIGHT = 660


def node_cap() -> int:
    """The ``visible_node_cap`` setting: above it the map shows groups instead of organisations."""
    try:
        return max(1, int(settings.get("visible_node_cap")))
    except ValueError:
        return int(settings.SETTINGS["visible_node_cap"].default)


@dataclass(frozen=True)
class MapView:
    """What the map shows: the filters, colour, size and grouping (hashable: a cache key)."""

    category: tuple = ()
    kind: tuple = ()
    sector: tuple = ()
    province: tuple = ()
    tie_kind: tuple = ()
    years: tuple | None = None
    hide_isolated: bool = False
    colour: str = "category"
    size: str = "degree"
    group_by: str = "community"
    cap: int = 2000


def _filtered(ctx: state.Context, view: MapView) -> nx.Graph:
    """The undirected projection of the organisations and ties that pass the filters."""
    G = ctx.snapshot
    orgs, _ = ui.frames(ctx, ctx.key)
    mask = ui.select_orgs(
        orgs, {"category": view.category, "kind": view.kind, "sector": view.sector, "province": view.province}
    )
    keep = set(orgs.loc[mask, "id"])
    kinds = set(view.tie_kind)
    full = ui.choices(ctx, ctx.key)["years"]
    years = view.years if view.years and full and tuple(view.years) != tuple(full) else None
    M = nx.MultiDiGraph(**G.graph)
    M.add_nodes_from((v, G.nodes[v]) for v in G if v in keep)
    for u, v, k, d in G.edges(keys=True, data=True):
        if u not in keep or v not in keep:
            continue
        if kinds and d.get("kind") not in kinds:
            continue
        if years and (d.get("year") is None or not years[0] <= d["year"] <= years[1]):
            continue
        M.add_edge(u, v, key=k, **d)
    H = undirected(M)
    if view.hide_isolated:
        H.remove_nodes_from([v for v, deg in H.degree() if deg == 0])
    return H


# A resource, not data: st.cache_data would unpickle a copy of the page (over a megabyte
# for 2,000 organisations) on every script run; the pages only read what this returns.
@st.cache_resource(show_spinner="Drawing the map…", max_entries=16)
def draw(_ctx: state.Context, key: tuple[str, int], view: MapView) -> dict:
    """The map's HTML and what it shows, for one store version and one view (read-only)."""
    H = _filtered(_ctx, view)
    n, m = H.number_of_nodes(), H.number_of_edges()
    out: dict = {"organisations": n, "ties": m, "aggregated": False, "groups": None, "rows": []}
    if n == 0:
        return out
    membership = None
    if view.colour == "community" or (n > view.cap and view.group_by == "community"):
        membership = state.partition(_ctx, key)["membership"]
    if n > view.cap:
        if view.group_by == "community":
            groups = {v: f"Community {membership.get(v, '?')}" for v in H}
        else:
            groups = {v: (H.nodes[v].get(view.group_by) or "unknown") for v in H}
        A = viz.aggregate(H, groups)
        by_category = view.group_by == "category"
        if by_category:
            nx.set_node_attributes(A, {g: g for g in A}, "category")
        out["aggregated"] = True
        out["groups"] = A.number_of_nodes()
        out["html"] = viz.network_html(
            A, color_attr="category" if by_category else "name", legend=by_category, height=HEIGHT
        )
        out["rows"] = sorted(
            (
                {
                    "group": g,
                    "organisations": d["count"],
                    "ties inside": d["internal"],
                    "ties to other groups": sum(A[g][h]["ties"] for h in A[g]),
                }
                for g, d in A.nodes(data=True)
            ),
            key=lambda r: -r["organisations"],
        )
        return out
    values = state.centrality(_ctx, key, view.size).values if view.size else {}
    sizes = {v: float(values.get(v, 0.0)) for v in H}
    H = nx.Graph(H)  # a copy we may annotate
    if membership is not None:
        nx.set_node_attributes(H, {v: f"community {membership.get(v, '?')}" for v in H}, "community")
    for v, d in H.nodes(data=True):
        d["measure"] = f"{view.size}: {sizes[v]:.4g}"
    positions = _positions(_ctx, key, view)
    out["html"] = viz.network_html(
        H,
        positions=positions,
        color_attr=view.colour,
        sizes=sizes,
        height=HEIGHT,
        click_url="profile?org={id}",
    )
    out["rows"] = sorted(
        (
            {
                "id": v,
                "name": d.get("name"),
                "category": ui.pretty(d.get("category")),
                "kind": ui.pretty(d.get("kind")),
                "province": d.get("province"),
                "partners in view": H.degree(v),
                view.size: sizes[v],
            }
            for v, d in H.nodes(data=True)
        ),
        key=lambda r: (-r[view.size], str(r["name"])),
    )
    return out


def _positions(ctx: state.Context, key: tuple[str, int], view: MapView) -> dict:
    """Positions depend only on which organisations and ties are in view, not on colour or size."""
    layout_view = MapView(*astuple(view)[:7])
    return _layout(ctx, key, layout_view)


@st.cache_data(show_spinner="Placing organisations…", max_entries=16)
def _layout(_ctx: state.Context, key: tuple[str, int], view: MapView) -> dict:
    return viz.layout(_filtered(_ctx, view))


def _controls(ctx: state.Context) -> MapView:
    offered = ui.choices(ctx, ctx.key)
    selected = ui.filter_widgets(ctx, "map")
    cols = st.columns([2, 2, 1, 1])
    with cols[0]:
        preset = [v for v in st.query_params.get_all("tie_kind") if v in offered["tie_kind"]]
        tie_kind = st.multiselect(
            "Tie kind",
            offered["tie_kind"],
            default=preset or None,
            format_func=ui.pretty,
            key="map_tie_kind",
            placeholder="All",
        )
    with cols[1]:
        years = offered["years"]
        if years and years[0] < years[1]:
            years = st.slider("Years the ties started", years[0], years[1], value=years, key="map_years")
    with cols[2]:
        colour = st.selectbox("Colour by", list(COLOUR_BY), format_func=COLOUR_BY.get, key="map_colour")
    with cols[3]:
        size = st.selectbox("Size by", SIZE_MEASURES, format_func=ui.pretty, key="map_size")
    hide = st.checkbox("Hide organisations without a tie in view", key="map_hide_isolated")
    return MapView(
        category=tuple(selected["category"]),
        kind=tuple(selected["kind"]),
        sector=tuple(selected["sector"]),
        province=tuple(selected["province"]),
        tie_kind=tuple(tie_kind),
        years=tuple(years) if years else None,
        hide_isolated=hide,
        colour=colour,
        size=size,
        cap=node_cap(),
    )


def render() -> None:
    st.title("Network map")
    ctx = state.require_data()
    view = _controls(ctx)
    cap = view.cap
    probe = draw(ctx, ctx.key, view)
    if probe["organisations"] > cap:
        group_by = st.radio(
            "Group organisations by",
            list(GROUP_BY),
            format_func=GROUP_BY.get,
            horizontal=True,
            key="map_group_by",
        )
        view = MapView(*astuple(view)[:-2], group_by, cap)
    shown = draw(ctx, ctx.key, view)
    n, m = shown["organisations"], shown["ties"]
    if n == 0:
        st.warning("No organisation matches these filters. Clear some of them to see the map.")
        return
    if shown["aggregated"]:
        st.info(
            f"{n:,} organisations and {m:,} ties match: more than the {cap:,} the map draws one by one "
            f"(setting `ECOGRAPH_VISIBLE_NODE_CAP`). Each circle is one {GROUP_BY[view.group_by].lower()} "
            f"({shown['groups']:,} in all), sized by its organisations; lines count the ties between them. "
            "Narrow the filters to see organisations.",
            icon=":material/bubble_chart:",
        )
    else:
        st.caption(
            f"Showing {n:,} organisations and {m:,} ties, coloured by {COLOUR_BY[view.colour].lower()} and "
            f"sized by {ui.pretty(view.size)}. Hover for details; double-click an organisation to open its profile."
        )
    st.iframe(shown["html"], height=HEIGHT + 10, alt="Network map of the organisations in view")
    _tables(shown)


def _tables(shown: dict) -> None:
    """The table of what the map shows, its CSV, and the keyboard's way to a profile: in a
    popover, whose content the browser draws only once it is opened. Drawn with the page,
    the table (its grid and scripts) and a choice of some 2,000 organisations held the
    map back about as long again as the map itself took."""
    rows = shown["rows"]
    if shown["aggregated"]:
        with st.popover(f"Groups in view ({len(rows):,})", icon=":material/table:", width="stretch"):
            st.dataframe(pd.DataFrame(rows), hide_index=True)
        return
    label = f"Organisations in view ({len(rows):,}): table, profiles, CSV"
    with st.popover(label, icon=":material/table:", width="stretch"):
        names = {r["id"]: r["name"] for r in rows}
        pick, button = st.columns([4, 1], vertical_alignment="bottom")
        with pick:
            chosen = st.selectbox(
                "Open the profile of",
                list(names),
                format_func=lambda v: str(names[v]),
                index=None,
                placeholder="Choose an organisation in view…",
                key="map_open",
            )
        with button:
            if st.button("Open profile", disabled=chosen is None, key="map_open_button"):
                st.switch_page(page_path("profile"), query_params={"org": str(chosen)})
        frame = pd.DataFrame(rows).drop(columns=["id"])
        st.dataframe(frame, hide_index=True, height=ui.table_height(len(frame)))
        ui.csv_button(pd.DataFrame(rows), "organisations-in-view.csv", key="map_csv")


if __name__ == "__main__":
    render()
