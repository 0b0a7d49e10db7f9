"""The map of many organisations: a pure function from a graph and its layout to a WebGL page.

:func:`map_html` draws with sigma.js and graphology, bundled into the package
(``ecograph/static/sigma.min.js``, rebuilt by ``scripts/build-sigma-bundle.sh``), inlined into
the page or loaded from beside it (*bundle_src*): the page loads nothing from elsewhere. It
draws tens of thousands of organisations: each is a point, the ties inside a group are faint
lines, and the ties between groups fan into the junctions of a
:class:`~ecograph.map_layout.MapLayout` and cross between groups as one trunk per pair of
groups. Hovering an organisation shows its
tooltip and its partners (its ties to other groups drawn straight); a click opens its
profile; the search box finds and zooms to an organisation and writes it into the page's
URL (``?org=``), which selects it again when the link is opened; the legend hides and shows
colours; the view saves as PNG or SVG.

Every organisation's text goes into the page as JSON that cannot close its ``<script>``
element (:func:`ecograph.viz.script_json`) and becomes canvas text or element text
(``textContent``): the page never parses an organisation's text as HTML.
"""

from __future__ import annotations

import base64
import functools
import itertools
import math
import re
from collections.abc import Collection, Hashable, Mapping, Sequence
from html import escape
from importlib.resources import files
from importlib.resources.abc import Traversable

import networkx as nx
import numpy as np

from ecograph.map_layout import MapLayout
from ecograph.viz import CATEGORY_COLORS, HIGHLIGHT, color_for, script_json, text_line, tooltip_lines

__all__ = ["BUNDLE", "EDGES_HIDDEN_ON_MOVE", "FANS_MAX", "bundle_path", "map_html", "packed"]

#: Above this many lines, edges are hidden while the planner pans or zooms (redrawn at rest):
#: software WebGL draws 90,000 lines in about 0.2 s a frame, the points alone in 17 ms.
EDGES_HIDDEN_ON_MOVE = 20_000
#: Up to this many lines (ties inside groups plus fans), every organisation's ties to another
#: group fan into their junction; above it only the marked cut points' do (the trunks stay):
#: in the 20,000-organisation demo three ties in four cross groups, and fanning them all
#: made 100,000 more lines, a second more to build and a second more to draw.
FANS_MAX = 40_000
#: At most this many legend entries; the rest are summed up in one more.
LEGEND_MAX = 16
_WORDS = {"support_org": "support organisation", "foreign_partner": "foreign partner"}
#: The bundle's file name, in the package's ``static`` folder.
BUNDLE = "sigma.min.js"
_SLOT = re.compile(r"\{\{(bundle|data|config|height|open_in_app)\}\}")


def bundle_path() -> Traversable:
    """The bundled sigma.js and graphology (:data:`BUNDLE`), for a page that loads it by URL."""
    return files("ecograph") / "static" / BUNDLE


@functools.cache
def _bundle() -> str:
    return bundle_path().read_text(encoding="utf-8")


@functools.cache
def _template() -> str:
    text = (files("ecograph") / "templates" / "sigma.html").read_text(encoding="utf-8")
    return re.sub(r"\{#-.*?-#\}\n?", "", text, flags=re.DOTALL)  # the template's own comment


def _size(value: float, top: float) -> float:
    """A point's radius in pixels: 2 to 12, its area growing with *value*."""
    if top <= 0 or value <= 0:
        return 2.0
    return round(2.0 + 10.0 * math.sqrt(value / top), 2)


def _word(value: object) -> str:
    text = "unknown" if value is None else str(value)
    return _WORDS.get(text, text_line(text, 60).replace("_", " "))


def map_html(
    G: nx.Graph,
    layout: MapLayout,
    *,
    color_attr: str = "category",
    sizes: Mapping[Hashable, float] | None = None,
    measure: str | None = None,
    cut_points: Sequence[tuple[Hashable, int]] = (),
    first_labels: Collection[str] = (),
    height: int = 660,
    click_url: str | None = None,
    select_param: str | None = None,
    canvas_max: int = 300,
    bundle_src: str | None = None,
) -> str:
    """A self-contained HTML page that draws *G* at the positions of *layout* with sigma.js.

    Parameters
    ----------
    G : networkx.Graph
        Undirected; nodes may carry ``name``, ``kind``, ``category``, ``province``,
        ``country``, ``sectors`` and the attribute *color_attr* names; an edge's ``ties``
        counts its ties (default 1).
    layout : MapLayout
        Positions and groups of *G*'s nodes (:func:`ecograph.map_layout.grouped_layout`).
    color_attr : str
        Node attribute that picks the colour (:func:`ecograph.viz.color_for`).
    sizes : mapping, optional
        Node → value (a centrality): point areas grow with it; *measure* names it in the
        tooltips.
    cut_points : sequence of (node, int)
        Organisations whose loss cuts others off, with how many: ringed in red, labelled.
    first_labels : collection of str
        Groups whose names are shown before any other's where names would overlap.
    height : int
        Height of the drawing in pixels.
    click_url : str, optional
        A URL with ``{id}``: clicking an organisation opens it (the profile page).
    select_param : str, optional
        The query parameter of the page's URL that holds the selected organisation.
    canvas_max : int
        Named in the message shown by a browser without WebGL (the simpler map's limit).
    bundle_src : str, optional
        Where the page loads the bundle from (a URL beside it, where :func:`bundle_path`
        is served): the browser then keeps it, compiled, from one map to the next. By
        default it is inlined and the page stands alone.

    Returns
    -------
    str
        The HTML page.

    Examples
    --------
    >>> from ecograph.map_layout import grouped_layout
    >>> G = nx.Graph([("a", "b")])
    >>> G.add_node("a", name="</script><script>alert(1)</script>", category="startup")
    >>> page = map_html(G, grouped_layout(G, {"a": "x", "b": "x"}, min_group=1))
    >>> "<script>alert" in page, "https://" in page
    (False, False)
    """
    nodes = list(G)
    index = {v: i for i, v in enumerate(nodes)}
    group_of = layout.group_of
    sizes = sizes or {}
    top = max((float(sizes.get(v, 0.0)) for v in nodes), default=0.0)

    colour_values: dict[object, int] = {}
    counts: list[int] = []
    colour = []
    for v in nodes:
        value = G.nodes[v].get(color_attr)
        k = colour_values.setdefault(value, len(colour_values))
        if k == len(counts):
            counts.append(0)
        counts[k] += 1
        colour.append(k)
    # Categories in their fixed order, other values by size: the legend reads top-down.
    ranked = sorted(
        colour_values,
        key=lambda c: (c not in CATEGORY_COLORS, list(CATEGORY_COLORS).index(c) if c in CATEGORY_COLORS else 0,
                       -counts[colour_values[c]], str(c)),
    )  # fmt: skip
    renumber = {colour_values[c]: i for i, c in enumerate(ranked)}
    legend = [{"label": _word(c), "colour": color_for(c), "count": counts[colour_values[c]]} for c in ranked]
    colour = [renumber[k] for k in colour]

    # The ties as arrays (a Python loop over 90,000 ties was a second of a 20,000-organisation
    # map): inside a group, or across to another, where they fan into the bundle's junctions.
    n = len(nodes)
    ends = np.fromiter((index[w] for e in G.edges() for w in e), np.int64, 2 * G.number_of_edges())
    ends = ends.reshape(-1, 2)
    group = np.fromiter((group_of[v] for v in nodes), np.int64, n)
    ga, gb = group[ends[:, 0]], group[ends[:, 1]]
    same = ga == gb
    inner = ends[same].ravel()
    ends, ga, gb = ends[~same], ga[~same], gb[~same]
    # Each organisation's partners in other groups, in the order of its ties.
    src = ends.ravel()
    cross = {
        "start": packed(np.concatenate([[0], np.cumsum(np.bincount(src, minlength=n))])),
        "items": packed(ends[:, ::-1].ravel()[np.argsort(src, kind="stable")]),
    }
    # Fan 2k + 0 gathers the ties of bundle k at its junction on group a's side (a < b), 2k + 1 on b's.
    width = len(layout.groups)
    codes = np.array([b.a * width + b.b for b in layout.bundles], np.int64)
    sorter = np.argsort(codes)
    k = sorter[np.searchsorted(codes, np.minimum(ga, gb) * width + np.maximum(ga, gb), sorter=sorter)]
    keys = np.concatenate([2 * k + (ga > gb), 2 * k + (gb > ga)])
    fan_pairs = np.unique(keys * n + np.concatenate([ends[:, 0], ends[:, 1]]))  # by fan, then member
    fan_count = len(np.unique(keys))
    if len(inner) // 2 + len(fan_pairs) > FANS_MAX:
        marked = [index[v] for v, _ in cut_points if v in index]
        fan_pairs = fan_pairs[np.isin(fan_pairs % n, marked)]
    fan_key, fan_member = fan_pairs // n, fan_pairs % n
    bounds = np.searchsorted(fan_key, np.arange(2 * len(layout.bundles) + 1))

    first = set(first_labels)
    fact: dict[str, int] = {}
    data = {
        "ids": [str(v) for v in nodes],
        "name": [text_line(G.nodes[v].get("name") or v, 60) for v in nodes],
        # Each organisation's facts beyond its name, as indices into "facts": the same few
        # kinds, places and sector lists recur thousands of times.
        "tips": _rows(
            [fact.setdefault(line, len(fact)) for line in tooltip_lines(v, G.nodes[v])[1:]] for v in nodes
        ),
        "x": [layout.positions[v][0] for v in nodes],
        "y": [layout.positions[v][1] for v in nodes],
        "size": [_size(float(sizes.get(v, 0.0)), top) for v in nodes],
        "value": [f"{float(sizes.get(v, 0.0)):.4g}" for v in nodes] if measure else [],
        "colour": colour,
        "legend": legend[:LEGEND_MAX] + _rest(legend[LEGEND_MAX:]),
        "group": [group_of[v] for v in nodes],
        # [name, x, y, radius, organisations, 1 when its name goes first]
        "groups": [
            [text_line(g.label, 60), g.x, g.y, g.radius, g.size, int(g.label in first)] for g in layout.groups
        ],
        "bundles": [[b.a, b.b, b.ties, b.at_a[0], b.at_a[1], b.at_b[0], b.at_b[1]] for b in layout.bundles],
        "maxBundle": max((b.ties for b in layout.bundles), default=1),
        "inner": packed(inner),
        "cross": cross,
        "fans": [fan_member[a:b].tolist() for a, b in itertools.pairwise(bounds)],
        "cuts": [[index[v], int(n)] for v, n in cut_points if v in index],
        "ties": G.number_of_edges(),
    }
    data["facts"] = list(fact)
    if len(legend) > LEGEND_MAX:  # colours past the legend's end take its last entry's
        data["colour"] = [min(k, LEGEND_MAX) for k in colour]
    lines = len(inner) // 2 + fan_count + len(layout.bundles)
    config = {
        # Opaque greys: sigma's line program (one pixel wide, the fast one) draws nothing
        # for a colour given with an alpha below 0.5 in software WebGL.
        "edgeColour": "#dadde2" if lines > 5000 else "#c9cdd3",
        "fanColour": "#b9c0ca",
        "trunkColour": "#c3cedc",
        "focusColour": "#404040",
        "highlight": HIGHLIGHT,
        "discColour": "rgba(60,90,140,0.05)",
        "discLine": "rgba(60,90,140,0.18)",
        "cutDisc": "rgba(214,39,40,0.10)",
        "hideEdgesOnMove": lines > EDGES_HIDDEN_ON_MOVE,
        "labelSize": 9.5,
        "measure": measure,
        "legendTitle": _word(color_attr).capitalize(),
        "clickUrl": click_url,
        "selectParam": select_param,
        "canvasMax": canvas_max,
    }
    slots = {
        "open_in_app": (files("ecograph") / "templates" / "open_in_app.js").read_text(encoding="utf-8"),
        "bundle": f'<script src="{escape(bundle_src)}"></script>'
        if bundle_src
        else f"<script>{_bundle()}</script>",
        "data": script_json(data),
        "config": script_json(config),
        "height": str(int(height)),
    }
    return _SLOT.sub(lambda m: slots[m.group(1)], _template())


def packed(values: Sequence[int]) -> list:
    """Non-negative integers as ``[width, base64]``: their little-endian bytes, 2 (``"u2"``)
    or 4 (``"u4"``) to a value, which the page reads as one typed array.

    A map's ties are a few hundred thousand numbers: as JSON arrays they were megabytes for
    the browser to parse and hundreds of thousands of values for its garbage collector to
    walk while sigma.js drew; as typed arrays they are a third of the text and one object.

    Examples
    --------
    >>> packed([1, 2, 70_000])
    ['u4', 'AQAAAAIAAABwEQEA']
    >>> packed([1, 2])
    ['u2', 'AQACAA==']
    """
    array = np.asarray(values, dtype=np.int64)
    dtype = "<u2" if not len(array) or array.max() < 2**16 else "<u4"
    return [dtype[1:], base64.b64encode(array.astype(dtype).tobytes()).decode("ascii")]


def _rows(rows) -> dict:
    """Lists of integers, one per organisation, as ``{"start": …, "items": …}``, both
    :func:`packed`: row *i* is ``items[start[i]:start[i + 1]]``."""
    start, items = [0], []
    for row in rows:
        items += row
        start.append(len(items))
    return {"start": packed(start), "items": packed(items)}


def _rest(entries: list[dict]) -> list[dict]:
    """The legend entries past :data:`LEGEND_MAX`, as one: ``… 12 more``, grey."""
    if not entries:
        return []
    return [
        {"label": f"… {len(entries)} more", "colour": "#b0b0b0", "count": sum(e["count"] for e in entries)}
    ]
