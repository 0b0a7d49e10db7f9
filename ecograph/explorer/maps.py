"""The network map's data: the organisations a view shows, their layout and the drawn page, cached.

Kept apart from the page script (``network.py``) so that these caches are the same ones
whether the page or the explorer's warm-up (:mod:`ecograph.explorer.warmup`) fills them:
Streamlit keys a cached function by its module, and a page runs as ``__main__``.

Up to :data:`CANVAS_MAX` organisations the map is vis-network's (pyvis: physics, every
label); above it, up to the ``visible_node_cap`` setting, sigma.js draws it with WebGL
(:mod:`ecograph.sigma_map`) on a layout grouped by community or province
(:mod:`ecograph.map_layout`); beyond the cap, one circle per group.

A WebGL map is a page of megabytes. It is not sent to the browser inside the page's own
messages (Streamlit's websocket, on every visit: 3.7 MB at 20,000 organisations, decoded
and handed to the frame by the page's script before the frame could start): it is written
once to a folder of this process that Streamlit serves as a component's files, named by its
content, and the frame loads it by URL, the bundled sigma.js beside it.
"""

from __future__ import annotations

import atexit
import functools
import hashlib
import os
import shutil
import tempfile
import threading
from collections import Counter, deque
from collections.abc import Hashable
from dataclasses import astuple, dataclass
from pathlib import Path

import networkx as nx
import numpy as np
import streamlit as st
from streamlit import config
from streamlit.components.v1 import declare_component

from ecograph import settings, viz
from ecograph.analysis import articulation_cuts
from ecograph.explorer import state, ui
from ecograph.map_layout import MapLayout, grouped_layout
from ecograph.period import Period, kept_in_period
from ecograph.projections import undirected
from ecograph.sigma_map import BUNDLE, bundle_path, map_html

__all__ = [
    "CANVAS_MAX",
    "GROUP_BY",
    "HEIGHT",
    "PAGES_KEPT",
    "VIS_SCRIPT",
    "MapView",
    "draw",
    "node_cap",
    "serve",
    "served_page",
]

#: Up to this many organisations the map is drawn by vis-network (physics, every label).
CANVAS_MAX = 300
GROUP_BY = {"community": "Community", "province": "Province", "category": "Category"}
HEIGHT = 660
#: Organisations whose loss cuts off at least this many others are marked on the map,
#: the largest :data:`CUTS_SHOWN` of them, and what they cut off is drawn as a group of its own.
CUT_MIN = 5
CUTS_SHOWN = 8
#: The WebGL pages kept on disk, the most recently shown: more than the drawings cached.
PAGES_KEPT = 32
#: vis-network's script, served beside the pages: the small drawings of other pages (a
#: profile's partners, what a bridge cuts off) load it by URL, so a returning browser has it.
VIS_SCRIPT = "vis-network.min.js"
_pages_lock = threading.Lock()


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
    cap: int = 20_000

    @property
    def filters(self) -> tuple:
        """The part of the view that decides which organisations and ties are in it."""
        return astuple(self)[:7]


def _whole(ctx: state.Context, hide_isolated: bool) -> nx.Graph:
    """The whole store: its cached projection (a view of it without isolates), not a copy."""
    H = ctx.graph
    return H.subgraph([v for v, deg in H.degree() if deg]) if hide_isolated else H


def _filtered(ctx: state.Context, view: MapView) -> nx.Graph:
    """The undirected projection of the organisations and ties that pass the filters, made
    from the store's columns as the whole store's is (not from the networkx snapshot)."""
    if not any(view.filters[:6]):  # no filter: no need for the tables of every organisation
        return _whole(ctx, view.hide_isolated)
    orgs, _ = ui.frames(ctx, ctx.key)  # the columns' organisations, in their order
    mask = ui.select_orgs(
        orgs, {"category": view.category, "kind": view.kind, "sector": view.sector, "province": view.province}
    )
    kinds = set(view.tie_kind)
    full = ui.choices(ctx, ctx.key)["years"]
    years = view.years if view.years and full and tuple(view.years) != tuple(full) else None
    if mask.all() and not kinds and not years:
        return _whole(ctx, view.hide_isolated)
    columns = ctx.workspace().columns
    t = columns.table
    nodes = mask.to_numpy(dtype=bool)
    ties = np.ones(columns.m, dtype=bool)
    if years:  # the ecosystem as of those years, by the one rule of time the analyses use
        kept = kept_in_period(columns.founded, t, Period(min(years), max(years)))
        nodes = nodes & kept.nodes
        ties = kept.edges
    if kinds:
        ties = ties & np.isin(t.kind, [code for code, kind in enumerate(t.kinds) if kind in kinds])
    H = undirected(t, columns.column, columns.graph, edges=ties, nodes=nodes, node_attrs=columns.attributes)
    H = H.to_networkx()
    return H.subgraph([v for v, deg in H.degree() if deg]) if view.hide_isolated else H


@st.cache_resource(show_spinner="Finding the organisations in view…", max_entries=16)
def in_view(_ctx: state.Context, key: tuple[str, str, int], filters: tuple) -> nx.Graph:
    """The filtered graph of one view (read-only; shared by its layouts and drawings)."""
    return _filtered(_ctx, MapView(*filters))


def _cut_off(H: nx.Graph, point: Hashable, size: int) -> set:
    """The organisations that *point*'s loss cuts off: every part left without it but the
    largest, found by searches from its partners that stop past *size* organisations."""
    out: set = set()
    for start in H[point]:
        if start in out:
            continue
        seen, todo = {start}, deque([start])
        while todo and len(seen) <= size:
            for w in H[todo.popleft()]:
                if w != point and w not in seen:
                    seen.add(w)
                    todo.append(w)
        if len(seen) <= size:
            out |= seen
    return out


def _groups(
    ctx: state.Context, key: tuple[str, str, int], H: nx.Graph, group_by: str, whole: bool = False
) -> tuple[dict, list, list]:
    """Node → group label for the layout, the marked cut points as (node, cut off), and the
    labels of the groups they cut off.

    Communities are named by their most common province (or country); the organisations
    a marked cut point cuts off form a group of their own, named after it, so that the
    one line joining them to the rest shows on the map. *whole*: *H* is the whole store's
    projection, whose articulation points the Weak links page reads too (cached, from arrays)."""
    if group_by == "province":
        groups = {
            v: d.get("province") or (f"Foreign partners: {d.get('country')}" if d.get("country") else None)
            for v, d in H.nodes(data=True)
        }
    elif group_by == "category":
        groups = {v: ui.pretty(d.get("category") or "other").capitalize() for v, d in H.nodes(data=True)}
    else:
        membership = state.partition(ctx, key)["membership"]
        places: dict[object, Counter] = {}
        for v, d in H.nodes(data=True):
            places.setdefault(membership.get(v), Counter())[d.get("province") or d.get("country") or "?"] += 1
        names = {c: f"Community {c}: {count.most_common(1)[0][0]}" for c, count in places.items()}
        groups = {v: names[membership.get(v)] for v in H}
    found = (
        [c for c in state.articulation_points(ctx, key) if c["cut_off"] >= CUT_MIN]
        if whole
        else articulation_cuts(H, min_size=CUT_MIN, attrs=())
    )
    cuts = [
        (c["id"], c["cut_off"])
        for c in found[:CUTS_SHOWN]
        if c["cut_off"] * 4 < H.number_of_nodes()  # a part of the map, not half of it
    ]
    labels = []
    for point, size in cuts:
        labels.append(f"Cut off without {viz.text_line(H.nodes[point].get('name') or point, 40)}")
        for v in _cut_off(H, point, size):
            groups[v] = labels[-1]
    return groups, cuts, labels


@st.cache_resource(show_spinner="Placing organisations…", max_entries=16)
def layout(
    _ctx: state.Context, key: tuple[str, str, int], filters: tuple, group_by: str
) -> tuple[MapLayout, list, list]:
    """The grouped layout of one view, its marked cut points and the labels of what they
    cut off (read-only)."""
    H = in_view(_ctx, key, filters)
    groups, cuts, labels = _groups(_ctx, key, H, group_by, whole=not any(filters))
    return grouped_layout(H, groups), cuts, labels


def draw(ctx: state.Context, key: tuple[str, str, int], view: MapView) -> dict:
    """The map and what it shows, for one store version and one view (read-only): ``html``
    is what ``st.iframe`` shows, the URL of the WebGL page (see the module's notes) or the
    page of a small map or of the groups, a few kilobytes."""
    out = _drawn(ctx, key, view)
    return {**out, "html": serve(out["html"])} if out["webgl"] else out


# A resource, not data: st.cache_data would unpickle a copy of the page (megabytes for
# 20,000 organisations) on every script run; the pages only read what this returns.
@st.cache_resource(show_spinner="Drawing the map…", max_entries=16)
def _drawn(_ctx: state.Context, key: tuple[str, str, int], view: MapView) -> dict:
    """The map's HTML and what it shows, for one store version and one view (read-only)."""
    H = in_view(_ctx, key, view.filters)
    n, m = H.number_of_nodes(), H.number_of_edges()
    out: dict = {
        "organisations": n,
        "ties": m,
        "aggregated": False,
        "groups": None,
        "rows": [],
        "webgl": False,
    }
    if n == 0:
        return out
    if n > view.cap:
        return _aggregated(_ctx, key, H, view, out)
    values = state.centrality(_ctx, key, view.size).values if view.size else {}
    sizes = {v: float(values.get(v, 0.0)) for v in H}
    membership = state.partition(_ctx, key)["membership"] if view.colour == "community" else None
    if n > CANVAS_MAX:
        found, cuts, cut_labels = layout(_ctx, key, view.filters, view.group_by)
        if membership is not None:
            H = nx.Graph(H)
            nx.set_node_attributes(H, {v: f"community {membership.get(v, '?')}" for v in H}, "community")
        out["webgl"] = True
        out["html"] = map_html(
            H,
            found,
            color_attr=view.colour,
            sizes=sizes,
            measure=ui.pretty(view.size),
            cut_points=cuts,
            first_labels=cut_labels,
            height=HEIGHT,
            click_url="profile?org={id}",
            select_param="org",
            canvas_max=CANVAS_MAX,
            bundle_src=BUNDLE,
        )
    else:
        H = nx.Graph(H)  # a copy we may annotate
        if membership is not None:
            nx.set_node_attributes(H, {v: f"community {membership.get(v, '?')}" for v in H}, "community")
        for v, d in H.nodes(data=True):
            d["measure"] = f"{view.size}: {sizes[v]:.4g}"
        out["html"] = viz.network_html(
            H,
            positions=_small_layout(_ctx, key, view.filters),
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


def _aggregated(ctx: state.Context, key: tuple[str, str, int], H: nx.Graph, view: MapView, out: dict) -> dict:
    """One circle per group when more organisations match than the map draws one by one."""
    if view.group_by == "community":
        membership = state.partition(ctx, key)["membership"]
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


@st.cache_data(show_spinner="Placing organisations…", max_entries=16)
def _small_layout(_ctx: state.Context, key: tuple[str, str, int], filters: tuple) -> dict:
    """Positions of a small map depend only on which organisations and ties are in view."""
    return viz.layout(in_view(_ctx, key, filters))


def _pages() -> tuple[Path, str]:
    """This process's folder of WebGL pages, the bundle beside them (removed when the process
    ends), and the URL Streamlit serves it at: the files of a component declared on it."""
    with _pages_lock:  # one folder, though the warm-up and a page may ask at the same moment
        return _made_pages()


@functools.cache
def _made_pages() -> tuple[Path, str]:
    folder = Path(tempfile.mkdtemp(prefix="ecograph-maps-"))
    atexit.register(shutil.rmtree, folder, True)
    (folder / BUNDLE).write_bytes(bundle_path().read_bytes())
    (folder / VIS_SCRIPT).write_text(viz.vis_network_js(), encoding="utf-8")
    name = declare_component("map_pages", path=folder).name
    base = str(config.get_option("server.baseUrlPath") or "").strip("/")
    return folder, "/".join(["", *([base] if base else []), "component", name, ""])


def serve(html: str) -> str:
    """The URL of the page *html* (a WebGL map, or a drawing made with
    ``script_url=VIS_SCRIPT``), written to :func:`_pages` (once: its name is its content's
    hash) and marked as just shown; beyond :data:`PAGES_KEPT` pages the least recently shown
    are removed (a page shown again is written again)."""
    folder, url = _pages()
    # A component is registered only from a script run: once per page run, in case the
    # first call came from the warm-up, which has none (registering again is a no-op).
    declare_component("map_pages", path=folder)
    name = hashlib.sha256(html.encode()).hexdigest()[:32] + ".html"
    path = folder / name
    with _pages_lock:
        if path.exists():
            os.utime(path)
        else:
            part = path.with_suffix(".part")
            part.write_text(html, encoding="utf-8")
            part.replace(path)
            pages = sorted(folder.glob("*.html"), key=lambda p: p.stat().st_mtime)
            for old in pages[:-PAGES_KEPT]:
                old.unlink(missing_ok=True)
    return url + name


def served_page(url: str) -> str | None:
    """The HTML of a page this process serves at *url* (None: not one of them)."""
    folder, base = _pages()
    name = url.removeprefix(base)
    if not url.startswith(base) or "/" in name or not name.endswith(".html"):
        return None
    path = folder / name
    return path.read_text(encoding="utf-8") if path.exists() else None
