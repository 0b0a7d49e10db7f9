"""Network map: the organisations and their ties, filtered, coloured by category, sized by centrality.

The view lives in the page's URL, so that a link opens the same map: ``category``, ``kind``,
``sector``, ``province`` and ``tie_kind`` (repeated for several values), ``years``
(``2018-2022``), ``colour``, ``size``, ``group``, ``isolated=1`` and ``org`` (the organisation
selected on the map). Every parameter is checked against what the store offers and
otherwise ignored; none is ever shown as Markdown or HTML.
"""

from __future__ import annotations

import re
from dataclasses import replace

import pandas as pd
import streamlit as st

from ecograph.analysis import MEASURES
from ecograph.analysis.centrality import LOW_IS_CENTRAL
from ecograph.explorer import page_path, state, ui
from ecograph.explorer.maps import CANVAS_MAX, GROUP_BY, HEIGHT, MapView, draw, in_view, node_cap

__all__ = ["node_cap", "render", "url_params"]

SIZE_MEASURES = ("degree", *(m for m in MEASURES if m not in LOW_IS_CENTRAL and m != "degree"))
COLOUR_BY = {"category": "Category", "kind": "Kind", "province": "Province", "community": "Community"}
_YEARS = re.compile(r"^(\d{4})-(\d{4})$")
_LISTS = ("category", "kind", "sector", "province", "tie_kind")


def _param(name: str, allowed) -> str | None:
    """The query parameter *name* when it is one of *allowed*, else None."""
    value = st.query_params.get(name)
    return value if value in allowed else None


def _years_param(full: tuple[int, int]) -> tuple[int, int]:
    match = _YEARS.match(st.query_params.get("years") or "")
    if not match:
        return full
    low, high = max(int(match.group(1)), full[0]), min(int(match.group(2)), full[1])
    return (low, high) if low <= high else full


def _listed(name: str, offered: dict) -> tuple:
    """The values of the repeated query parameter *name* that the store offers."""
    return tuple(v for v in st.query_params.get_all(name) if v in offered[name])


def _url_view(ctx: state.Context) -> MapView:
    """The view the page's URL asks for, each value checked against what the store offers:
    the map while its filters are closed, and their defaults when they open."""
    offered = ui.choices(ctx, ctx.key)
    full = offered["years"]
    years = _years_param(full) if full and full[0] < full[1] else None
    return MapView(
        **{name: _listed(name, offered) for name in _LISTS},
        # The whole span is no filter: the same view (and cache entry) as no years at all.
        years=tuple(years) if years and tuple(years) != tuple(full) else None,
        hide_isolated=st.query_params.get("isolated") == "1",
        colour=_param("colour", COLOUR_BY) or "category",
        size=_param("size", SIZE_MEASURES) or "degree",
        group_by=_param("group", GROUP_BY) or "community",
        cap=node_cap(),
    )


def _controls(ctx: state.Context, view: MapView) -> MapView:
    """The filters' widgets, opened on *view*; the view they choose (its grouping aside)."""
    offered = ui.choices(ctx, ctx.key)
    selected = ui.filter_widgets(ctx, "map")
    cols = st.columns([2, 2, 1, 1])
    with cols[0]:
        tie_kind = st.multiselect(
            "Tie kind",
            offered["tie_kind"],
            default=list(view.tie_kind) or None,
            format_func=ui.pretty,
            key="map_tie_kind",
            placeholder="All",
        )
    with cols[1]:
        years = offered["years"]
        if years and years[0] < years[1]:
            years = st.slider(
                "Years active (ties and organisations founded by then)",
                years[0],
                years[1],
                value=view.years or years,
                key="map_years",
            )
    with cols[2]:
        colours = list(COLOUR_BY)
        colour = st.selectbox(
            "Colour by",
            colours,
            index=colours.index(view.colour),
            format_func=COLOUR_BY.get,
            key="map_colour",
        )
    with cols[3]:
        size = st.selectbox(
            "Size by",
            SIZE_MEASURES,
            index=SIZE_MEASURES.index(view.size),
            format_func=ui.pretty,
            key="map_size",
        )
    hide = st.checkbox(
        "Hide organisations without a tie in view", value=view.hide_isolated, key="map_hide_isolated"
    )
    return replace(
        view,
        category=tuple(selected["category"]),
        kind=tuple(selected["kind"]),
        sector=tuple(selected["sector"]),
        province=tuple(selected["province"]),
        tie_kind=tuple(tie_kind),
        years=tuple(years) if years and tuple(years) != tuple(offered["years"]) else None,
        hide_isolated=hide,
        colour=colour,
        size=size,
    )


def _filters_label(view: MapView) -> str:
    """The filters' heading, with how many are set (the map says the rest: colour, size, grouping).

    Examples
    --------
    >>> _filters_label(MapView(province=("Hà Nội",), years=(2015, 2020)))
    'Filters, colour, size and grouping (2 filters set)'
    """
    count = sum(1 for value in (*view.filters[:6], view.hide_isolated) if value)
    return "Filters, colour, size and grouping" + (
        f" ({count} filter{'s' if count > 1 else ''} set)" if count else ""
    )


def url_params(
    view: MapView, full_years: tuple[int, int] | None, org: str | None
) -> dict[str, list[str] | str]:
    """The query parameters that reopen *view* (defaults left out), and the selected *org*.

    Examples
    --------
    >>> url_params(MapView(province=("Hà Nội",), years=(2015, 2020)), (2015, 2026), "hust")
    {'province': ['Hà Nội'], 'years': '2015-2020', 'org': 'hust'}
    """
    params: dict[str, list[str] | str] = {}
    for name in _LISTS:
        values = getattr(view, name)
        if values:
            params[name] = [str(v) for v in values]
    if view.years and full_years and tuple(view.years) != tuple(full_years):
        params["years"] = f"{view.years[0]}-{view.years[1]}"
    if view.hide_isolated:
        params["isolated"] = "1"
    defaults = MapView()
    for name, key in (("colour", "colour"), ("size", "size"), ("group_by", "group")):
        if getattr(view, name) != getattr(defaults, name):
            params[key] = getattr(view, name)
    if org:
        params["org"] = org
    return params


def render() -> None:
    st.title("Network map")
    ctx = state.require_data()
    view = _url_view(ctx)
    # The widgets are made only while their expander is open: the map's first view is the
    # map, and ten widgets drawn before it held the browser about a quarter of a second.
    # Closed, the view is the URL's (which the widgets write back when they change it).
    filters = st.expander(_filters_label(view), key="map_filters", on_change="rerun", icon=":material/tune:")
    if filters.open:
        with filters:
            view = _controls(ctx, view)
    cap = view.cap
    H = in_view(ctx, ctx.key, view.filters)
    n = H.number_of_nodes()
    if n <= min(CANVAS_MAX, cap):  # no WebGL map's layout, nor circles beyond the cap: no grouping
        view = replace(view, group_by=MapView().group_by)
    elif filters.open:
        options = list(GROUP_BY)
        with filters:
            group_by = st.radio(
                "Group organisations by",
                options,
                index=options.index(view.group_by),
                format_func=GROUP_BY.get,
                horizontal=True,
                key="map_group_by",
            )
        view = replace(view, group_by=group_by)
    org = st.query_params.get("org")
    found = ctx.workspace().organisation(org) if org else None
    org = org if found is not None else None
    st.query_params.from_dict(url_params(view, ui.choices(ctx, ctx.key)["years"], org))
    if n == 0:
        st.warning("No organisation matches these filters. Clear some of them to see the map.")
        return
    shown = draw(ctx, ctx.key, view)
    m = shown["ties"]  # counted once, with the drawing (networkx counts them on each call)
    if shown["aggregated"]:
        st.info(
            f"{n:,} organisations and {m:,} ties match: more than the {cap:,} the map draws one by one "
            f"(setting `ECOGRAPH_VISIBLE_NODE_CAP`). Each circle is one {GROUP_BY[view.group_by].lower()} "
            f"({shown['groups']:,} in all), sized by its organisations; lines count the ties between them. "
            "Narrow the filters to see organisations.",
            icon=":material/bubble_chart:",
        )
    elif shown["webgl"]:
        st.caption(
            f"Showing {n:,} organisations and {m:,} ties, coloured by {COLOUR_BY[view.colour].lower()}, sized by "
            f"{ui.pretty(view.size)} and grouped by {GROUP_BY[view.group_by].lower()}: each disc is a group, and "
            "the ties between two groups meet at its rim and cross as one line. Red rings mark organisations "
            "whose loss cuts others off. Hover for details and partners; click an organisation for its profile; "
            "the box finds one, and the page's address then opens the map on it."
        )
    else:
        st.caption(
            f"Showing {n:,} organisations and {m:,} ties, coloured by {COLOUR_BY[view.colour].lower()} and "
            f"sized by {ui.pretty(view.size)}. Hover for details; double-click an organisation to open its profile."
        )
    st.iframe(shown["html"], height=HEIGHT + 10, alt="Network map of the organisations in view")
    if org:
        name = (found or {}).get("name") or org
        ui.org_link(org, f"Profile of the organisation selected on the map: {name}")
    _tables(shown)


@st.fragment
def _tables(shown: dict) -> None:
    """The table of what the map shows, its CSV, and the keyboard's way to a profile: in a
    popover whose content is made and sent only while it is open, and in a fragment, so
    that opening it reruns only this part, never the map. Sent with the map, the table,
    its CSV and a choice of 20,000 organisations were 2.8 MB more on every visit, and
    held the browser past the map by about a second."""
    rows = shown["rows"]
    if shown["aggregated"]:
        label = f"Groups in view ({len(rows):,})"
    else:
        label = f"Organisations in view ({len(rows):,}): table, profiles, CSV"
    popover = st.popover(label, icon=":material/table:", width="stretch", key="map_table", on_change="rerun")
    if not popover.open:
        return
    with popover:
        if shown["aggregated"]:
            st.dataframe(pd.DataFrame(rows), hide_index=True)
            ui.csv_button(pd.DataFrame(rows), "groups-in-view.csv", key="map_groups_csv")
            return
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
