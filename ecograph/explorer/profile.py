"""Organisation profile: find an organisation by name or alias, then its card, network, ties and ranks."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ecograph import viz
from ecograph.analysis.brokerage import ROLES
from ecograph.analysis.ego import ego_network
from ecograph.explorer import bars, maps, state, ui
from ecograph.explorer.network import node_cap
from ecograph.inventory import describe_terms, source_terms
from ecograph.workspace import Workspace

__all__ = ["render"]

RANK_MEASURES = (
    "degree",
    "strength",
    "betweenness",
    "closeness",
    "eigenvector",
    "pagerank",
    "kcore",
    "constraint",
    "effective_size",
)
ROLE_WORDS = {
    "coordinator": "links two organisations of its own category",
    "itinerant": "links two organisations of another category (consultant)",
    "gatekeeper": "lets an outsider reach its own category",
    "representative": "carries its own category's contact outward",
    "liaison": "links two organisations of two other categories",
}
HEIGHT = 520


def _label(ws: Workspace, v: str) -> str:
    d = ws.organisation(v) or {}
    where = ", ".join(str(p) for p in (d.get("province"), d.get("country")) if p)
    return f"{d.get('name') or v} — {ui.pretty(d.get('kind'))}{', ' + where if where else ''}"


def _choose(ctx: state.Context) -> str | None:
    wanted = st.query_params.get("org")
    text = st.text_input(
        "Search by name or alias",
        key="profile_search",
        placeholder="e.g. dai hoc bach khoa — accents are optional",
    ).strip()
    if text:
        hits = state.search(ctx, text)
        if not hits:
            st.warning("No organisation's name, alias or id contains this text:")
            st.text(text)  # as typed: plain text, never Markdown
            return None
        ids = [h[0] for h in hits]
        ws = ctx.workspace()
        labels = {v: _label(ws, v) for v in ids}  # made here: the widget may format in another thread
        index = ids.index(wanted) if wanted in ids else 0
        org = st.selectbox(
            f"{len(hits)} match{'es' if len(hits) != 1 else ''}" + (" (first 50)" if len(hits) == 50 else ""),
            ids,
            index=index,
            format_func=labels.__getitem__,
            key="profile_pick",
        )
        if org is not None and st.query_params.get("org") != org:
            st.query_params["org"] = org
        return org
    if wanted is None:
        return None
    if ctx.workspace().organisation(wanted) is None:
        # A link's parameter is whoever wrote the link's text: plain text, never Markdown
        # (whose escapes do not stop a URL in it from becoming a link).
        st.warning("No organisation has the id this link gives; search for it by name instead.")
        st.text(wanted)
        return None
    return wanted


def _card(ctx: state.Context, org: str) -> None:
    d = ctx.workspace().organisation(org) or {}
    st.header(ui.md(d.get("name") or org))
    category, kind = ui.pretty(d.get("category")), ui.pretty(d.get("kind"))
    place = ", ".join(str(p) for p in (d.get("city"), d.get("province"), d.get("country")) if p)
    st.markdown(
        ui.md(" · ".join(x for x in (kind if kind == category else f"{kind} ({category})", place) if x))
    )
    facts = {
        "Id": org,
        "Sectors": ", ".join(d.get("sectors") or ()) or "—",
        "Founded": d.get("founded") or "—",
        "Also known as": "; ".join(d.get("aliases") or ()) or "—",
        "Website": d.get("website") or "—",
        "ROR": d.get("ror") or "—",
        "Sources": "; ".join(f"{src}: {sid}" if sid else str(src) for src, sid in _sources(ctx, org)) or "—",
    }
    cols = st.columns(3)
    for i, (label, value) in enumerate(facts.items()):
        cols[i % 3].markdown(f"**{label}**  \n{ui.md(value)}")
    for line in _licences(ctx, org):
        st.caption(ui.md(f"Data from {line}"))
    if d.get("description"):
        st.caption(ui.md(d["description"]))
    U = ctx.graph
    ties = state.ties_of(ctx, ctx.key, org)
    cols = st.columns(3)
    cols[0].metric("Partners", f"{U.degree(org):,}")
    cols[1].metric("Collaborations", f"{len(ties):,}")
    further = sum(1 for r in ego_network(U, org, radius=2) if r["distance"] == 2)
    cols[2].metric("Partners' partners", f"{further:,}")


def _sources(ctx: state.Context, org: str) -> list[tuple[str | None, str | None]]:
    """Where the organisation's record came from: every source and source id merged into it."""
    return _cached_sources(ctx.key, org)


@st.cache_data(show_spinner=False, max_entries=256)
def _cached_sources(key: tuple[str, str, int], org: str) -> list[tuple[str | None, str | None]]:
    return state.store(key[0]).sources("organization", org)


def _licences(ctx: state.Context, org: str) -> list[str]:
    """The licence and attribution of each public source the organisation's record came from."""
    terms = _cached_terms(ctx.key)
    return [describe_terms(terms[src]) for src in sorted({s for s, _ in _sources(ctx, org) if s in terms})]


@st.cache_data(show_spinner=False, max_entries=8)
def _cached_terms(key: tuple[str, int]) -> dict[str, dict[str, str]]:
    return source_terms(state.store(key[0]))


def _ego(ctx: state.Context, org: str) -> None:
    st.subheader("Its network")
    radius = st.radio(
        "Steps out",
        [1, 2],
        format_func=lambda r: "partners" if r == 1 else "partners and their partners",
        horizontal=True,
        key="profile_radius",
    )
    html, shown, total = _ego_html(ctx, ctx.key, org, radius)
    if shown < total:
        st.caption(f"{total:,} organisations are within {radius} steps; the {shown:,} nearest are drawn.")
    if total <= 1:
        st.info("This organisation has no tie in the store.")
        return
    st.iframe(maps.serve(html), height=HEIGHT + 10, alt="Network map of the organisation and its partners")
    st.caption("Double-click a partner to open its profile.")


@st.cache_data(show_spinner=False, max_entries=32)
def _ego_html(_ctx: state.Context, key: tuple[str, str, int], org: str, radius: int) -> tuple[str, int, int]:
    U = _ctx.graph
    rows = ego_network(U, org, radius=radius)
    cap = min(node_cap(), 400)
    ids = [r["id"] for r in rows[:cap]]
    H = U.subgraph(ids)
    html = viz.network_html(
        H, highlight_nodes=[org], height=HEIGHT, click_url="profile?org={id}", script_url=maps.VIS_SCRIPT
    )
    return html, len(ids), len(rows)


def _ties(ctx: state.Context, org: str) -> None:
    st.subheader("Its collaborations")
    rows = state.ties_of(ctx, ctx.key, org)
    if not rows:
        st.info("No collaboration recorded.")
        return
    frame = ui.rows_frame(
        rows,
        ["partner_name", "kind", "direction", "weight", "start", "end", "amount", "currency", "evidence"],
    )
    frame["kind"] = frame["kind"].map(ui.pretty)
    frame = frame.rename(columns={"partner_name": "partner"})
    st.html(bars.frame_table(frame, most=400))
    ui.csv_button(frame, f"{org}-collaborations.csv", key="profile_ties_csv")


def _ranks(ctx: state.Context, org: str) -> None:
    st.subheader("Where it ranks")
    n = ctx.graph.number_of_nodes()
    rows = []
    for measure in RANK_MEASURES:
        result = state.centrality(ctx, ctx.key, measure)
        ranks = state.ranking(ctx, ctx.key, measure)
        value = result.values.get(org)
        rows.append(
            {
                "measure": ui.pretty(measure),
                "value": None if value is None or value != value else float(value),
                "rank": ranks.get(org),
                "of": n,
            }
        )
    frame = pd.DataFrame(rows)
    frame["rank"] = frame["rank"].astype("Int64")
    st.html(bars.frame_table(frame))
    st.caption("Rank 1 is the most central; for constraint the lowest value ranks first (a broker).")


def _brokerage(ctx: state.Context, org: str) -> None:
    st.subheader("Brokerage roles")
    roles = state.brokerage(ctx, ctx.key).get(org, {})
    rows = [{"role": r, "pairs brokered": roles.get(r, 0.0), "meaning": ROLE_WORDS.get(r, "")} for r in ROLES]
    st.html(bars.frame_table(pd.DataFrame(rows)))
    st.caption(
        "Gould & Fernandez roles between categories: pairs of organisations it connects that are not tied."
    )


def _partners(ctx: state.Context, org: str) -> None:
    st.subheader("Recommended partners")
    rows = state.recommendations(ctx, ctx.key, org=org, top=10)
    if not rows:
        st.info("No partnership to recommend: no organisation shares a partner or a sector with it.")
        return
    frame = ui.rows_frame(
        rows, ["target_name", "target_category", "score", "common_partners", "shared_sectors", "reason"]
    )
    frame["target_category"] = frame["target_category"].map(ui.pretty)
    frame = frame.rename(columns={"target_name": "partner", "target_category": "category"})
    st.html(bars.frame_table(frame, most=400))


def render() -> None:
    st.title("Organisation profile")
    ctx = state.require_data()
    org = _choose(ctx)
    if org is None:
        st.caption("Type part of a name or alias: “dai hoc bach khoa” finds “Đại học Bách khoa …”.")
        return
    st.html(bars.STYLE)  # the tables' look (bars.frame_table)
    _card(ctx, org)
    _ego(ctx, org)
    _ties(ctx, org)
    left, right = st.columns(2)
    with left:
        _ranks(ctx, org)
    with right:
        _brokerage(ctx, org)
    _partners(ctx, org)


if __name__ == "__main__":
    render()
