"""The network picture: pure functions from a networkx graph to a self-contained pyvis HTML page.

Nothing here reads a store or touches Streamlit. :func:`network_html` builds a
:class:`pyvis.network.Network` (``add_node``/``add_edge`` with ids, labels, sizes, positions,
colour groups and the extra fields the page script reads; the vis-network options on
``Network.options``) and takes the page from ``Network.generate_html()``, rendered with the
package's own template, ``ecograph/templates/network.html``, set with ``set_template_dir``.

The page works offline (vis-network, as pyvis bundles it, is inlined, or loaded from the
file the explorer serves beside its drawings, :data:`ecograph.explorer.maps.VIS_SCRIPT`;
nothing else is loaded) and never interprets an organisation's text as markup: labels reach the page as
JSON with ``<``, ``>`` and ``&`` escaped (so a name cannot close the ``<script>`` block) and
are drawn on a canvas as text; every tooltip is built from :func:`html.escape`-d parts, goes
to pyvis as a ``tip`` field (not ``title``), and becomes an element only on hover.

The template is ours, not pyvis's ``template.html``: that one also inlines vis-network's
220 kB stylesheet and pyvis's own scripts, links bootstrap from a CDN, copies every node
once more in the browser, writes its JSON with every non-ASCII letter escaped (a Vietnamese
name grows up to six-fold) — all of it paid on each drawing of a map — and, when a tooltip
holds ``href``, shows tooltips through ``innerHTML``.
"""

from __future__ import annotations

import functools
import html
import json
import math
import re
from collections import Counter
from collections.abc import Collection, Hashable, Iterable, Mapping
from importlib.resources import files
from pathlib import Path

import networkx as nx

from ecograph.map_layout import disc_layout

__all__ = [
    "CATEGORY_COLORS",
    "aggregate",
    "color_for",
    "cut_view",
    "distinct_colors",
    "layout",
    "network_html",
    "node_tooltip",
    "script_json",
    "spread_labels",
    "text_line",
    "tooltip_lines",
]

#: One colour per category (colour-blind-safe where the palette allows).
CATEGORY_COLORS: dict[str, str] = {
    "foreign_partner": "#CC79A7",
    "startup": "#E69F00",
    "company": "#0072B2",
    "university": "#009E73",
    "research_institute": "#56B4E9",
    "investor": "#D55E00",
    "government": "#8C564B",
    "support_org": "#B5B82A",
    "other": "#A0A0A0",
}
_EXTRA_COLORS = (
    "#1F77B4", "#FF7F0E", "#2CA02C", "#D62728", "#9467BD", "#8C564B", "#E377C2", "#7F7F7F",
    "#BCBD22", "#17BECF", "#393B79", "#637939", "#8C6D31", "#843C39", "#7B4173", "#3182BD",
)  # fmt: skip
HIGHLIGHT = "#D62728"
EDGE_COLOR = "#9AA0A6"

#: Above this many nodes the physics simulation stays off and positions are fixed.
PHYSICS_MAX_NODES = 300
#: Above this many nodes, labels go to the largest nodes whose labels do not overlap: a few
#: when the map is fitted to its frame, more as the planner zooms in (every name shows on hover).
ALL_LABELS_MAX_NODES = 150
#: On-screen size of those labels, in pixels, whatever the zoom.
LABEL_PX = 14
#: The frame's width assumed for the first choice of labels (the explorer's wide layout).
FRAME_WIDTH = 1000.0
#: Above this many edges, edges carry no tooltip (keeps the page small).
EDGE_TOOLTIPS_MAX = 4000

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def color_for(value: object) -> str:
    """The colour of a category, or a stable colour for any other group value.

    Examples
    --------
    >>> color_for("university")
    '#009E73'
    >>> color_for("Hà Nội") == color_for("Hà Nội")
    True
    """
    if value in CATEGORY_COLORS:
        return CATEGORY_COLORS[value]  # type: ignore[index]
    if value is None:
        return CATEGORY_COLORS["other"]
    digest = sum((i + 1) * ord(c) for i, c in enumerate(str(value)))
    return _EXTRA_COLORS[digest % len(_EXTRA_COLORS)]


def distinct_colors(values: Iterable[object]) -> dict[object, str]:
    """One colour per value, no two alike (up to 16 values that are not categories): for a
    single chart, where telling values apart matters more than keeping colours across views.

    Examples
    --------
    >>> distinct_colors(["mou", "research", "startup"])
    {'mou': '#1F77B4', 'research': '#FF7F0E', 'startup': '#E69F00'}
    """
    out: dict[object, str] = {}
    spare = iter(_EXTRA_COLORS * (1 + len(CATEGORY_COLORS)))
    for value in values:
        if value not in out:
            out[value] = CATEGORY_COLORS.get(value) or next(spare)  # type: ignore[call-overload]
    return out


def text_line(value: object, limit: int = 200) -> str:
    """*value* as one line of plain text, control characters removed, at most *limit* characters.

    Examples
    --------
    >>> text_line("two\\nlines"), text_line("x" * 5, limit=3)
    ('two lines', 'xx…')
    """
    text = _CONTROL.sub(" ", "" if value is None else str(value)).strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def tooltip_lines(node: Hashable, data: Mapping[str, object]) -> list[str]:
    """What a map says about one organisation, as lines of plain text: its name, then one
    fact a line (kind and category, place, sectors, the measure it is sized by).

    Examples
    --------
    >>> tooltip_lines("x", {"name": "Lotus AI", "kind": "startup", "province": "Đà Nẵng", "country": "VN"})
    ['Lotus AI', 'startup', 'Đà Nẵng, VN']
    """
    if "tooltip" in data:
        lines = [str(line) for line in data["tooltip"]]  # type: ignore[union-attr]
        return [text_line(line) for line in lines] if lines else [text_line(node)]
    lines = [str(data.get("name") or node)]
    kind = data.get("kind")
    category = data.get("category")
    if kind:
        lines.append(str(kind) if category in (None, kind) else f"{kind} ({category})")
    place = ", ".join(str(p) for p in (data.get("province"), data.get("country")) if p)
    if place:
        lines.append(place)
    sectors = data.get("sectors")
    if sectors:
        lines.append("sectors: " + ", ".join(map(str, sectors)))  # type: ignore[call-overload]
    if "measure" in data:
        lines.append(str(data["measure"]))
    return [text_line(line) for line in lines]


def node_tooltip(node: Hashable, data: Mapping[str, object]) -> str:
    """The tooltip of one organisation as escaped HTML: name in bold, then one fact a line.

    Examples
    --------
    >>> node_tooltip("x", {"name": "<img src=x onerror=alert(1)>", "kind": "startup"})
    '<b>&lt;img src=x onerror=alert(1)&gt;</b><br>startup'
    """
    head, *rest = tooltip_lines(node, data)
    return "<br>".join([f"<b>{html.escape(head)}</b>", *(html.escape(line) for line in rest)])


def _edge_tooltip(data: Mapping[str, object]) -> str:
    bits = []
    kinds = data.get("kinds")
    if kinds:
        bits.append(", ".join(map(str, kinds)))  # type: ignore[call-overload]
    ties = data.get("ties")
    if ties:
        bits.append(f"{ties} tie{'s' if ties != 1 else ''}")
    first, last = data.get("first_year"), data.get("last_year")
    if first:
        bits.append(str(first) if first == last or not last else f"{first}–{last}")
    return html.escape(" · ".join(bits))


def layout(G: nx.Graph, seed: int = 1, iterations: int = 500) -> dict[Hashable, tuple[float, float]]:
    """Positions for every node of *G*, deterministic for a given graph and *seed*.

    Fruchterman–Reingold as igraph computes it (a fraction of a second for thousands of
    nodes; :func:`ecograph.map_layout.disc_layout`), one connected part at a time: the largest
    in the middle (about ``60 * sqrt(n)`` pixels across), the others in rows beneath it.

    Examples
    --------
    >>> pos = layout(nx.path_graph(4))
    >>> sorted(pos) == [0, 1, 2, 3] and pos == layout(nx.path_graph(4))
    True
    """
    if G.number_of_nodes() == 0:
        return {}
    # Lay out each connected part on its own, then place the largest in the middle and the
    # others in rows beneath it: far-flung isolates would otherwise shrink the main part.
    parts = sorted(nx.connected_components(G), key=lambda c: (-len(c), min(map(str, c))))
    order = {v: i for i, v in enumerate(G)}
    out: dict[Hashable, tuple[float, float]] = {}
    main = sorted(parts[0], key=order.__getitem__)
    radius = 30 * math.sqrt(len(main)) + 100  # room for labels in small maps
    for v, (x, y) in disc_layout(G.subgraph(main), main, seed, iterations, radius).items():
        out[v] = (x, y)
    width = max(2 * radius, 400.0)
    x0, y = -width / 2, radius + 60.0
    cursor, row_height = x0, 0.0
    for part in parts[1:]:
        members = sorted(part, key=order.__getitem__)
        r = max(12.0, 30 * math.sqrt(len(members)) * 0.8)
        if cursor + 2 * r > x0 + width and cursor > x0:
            cursor, y = x0, y + row_height + 30.0
            row_height = 0.0
        for v, (px, py) in disc_layout(G.subgraph(members), members, seed, iterations, r).items():
            out[v] = (px + cursor + r, py + y + r)
        cursor += 2 * r + 30.0
        row_height = max(row_height, 2 * r)
    return {v: (round(x, 1), round(y, 1)) for v, (x, y) in out.items()}


def aggregate(G: nx.Graph, groups: Mapping[Hashable, object] | str) -> nx.Graph:
    """One node per group of *G*'s nodes, one edge per pair of groups with the ties between them.

    Parameters
    ----------
    G : graph
        An undirected graph; an edge's ``ties`` attribute (default 1) counts its ties.
    groups : mapping or str
        Node → group, or the name of a node attribute to group by (missing: ``"unknown"``).

    Returns
    -------
    nx.Graph
        Nodes carry ``count`` (members), ``internal`` (ties inside the group), ``name`` and
        ``tooltip``; edges carry ``ties`` and ``weight`` (both the number of ties).

    Examples
    --------
    >>> A = aggregate(nx.barbell_graph(3, 0), {0: "a", 1: "a", 2: "a", 3: "b", 4: "b", 5: "b"})
    >>> A.nodes["a"]["count"], A.nodes["a"]["internal"], A.edges["a", "b"]["ties"]
    (3, 3, 1)
    """
    if isinstance(groups, str):
        attr = groups
        group_of = {v: (d.get(attr) or "unknown") for v, d in G.nodes(data=True)}
    else:
        group_of = {v: groups.get(v, "unknown") for v in G}
    counts = Counter(group_of.values())
    internal: Counter = Counter()
    between: Counter = Counter()
    for u, v, d in G.edges(data=True):
        a, b = group_of[u], group_of[v]
        ties = d.get("ties", 1)
        if a == b:
            internal[a] += ties
        else:
            between[tuple(sorted((a, b), key=str))] += ties
    A = nx.Graph()
    for group, count in counts.items():
        A.add_node(
            group,
            name=str(group),
            count=count,
            internal=internal[group],
            tooltip=[
                str(group),
                f"{count} organisation{'s' if count != 1 else ''}",
                f"{internal[group]} ties inside",
            ],
        )
    for (a, b), ties in between.items():
        A.add_edge(a, b, ties=ties, weight=float(ties))
    return A


def cut_view(
    G: nx.Graph,
    *,
    edge: tuple[Hashable, Hashable] | None = None,
    node: Hashable | None = None,
    limit: int = 250,
) -> tuple[nx.Graph, set, set]:
    """What to draw for a bridge or an articulation point: the part it cuts off and its surroundings.

    Parameters
    ----------
    G : graph
        Undirected graph.
    edge : (u, v), optional
        A bridge; the cut-off side is the smaller one left when it goes.
    node : node, optional
        An articulation point; the cut-off side is every part but the largest left when it goes.
    limit : int
        At most this many organisations drawn: the cut-off side first, then the partners of
        the bridge's ends (or of the point).

    Returns
    -------
    (graph, cut_off, shown_cut_off)
        The subgraph to draw, every organisation cut off, and those of them in the subgraph.

    Examples
    --------
    >>> H, cut, shown = cut_view(nx.barbell_graph(3, 0), edge=(2, 3))
    >>> sorted(cut), H.number_of_nodes()
    ([3, 4, 5], 6)
    >>> sorted(cut_view(nx.barbell_graph(3, 1), node=3)[1])
    [4, 5, 6]
    """
    if (edge is None) == (node is None):
        raise ValueError("give either edge or node")
    if edge is not None:
        u, v = edge
        component = nx.node_connected_component(G, u)
        H = nx.Graph(G.subgraph(component))
        H.remove_edge(u, v)
        side_u, side_v = nx.node_connected_component(H, u), nx.node_connected_component(H, v)
        cut = side_v if len(side_v) <= len(side_u) else side_u
        anchors = [u, v]
    else:
        component = nx.node_connected_component(G, node)
        H = nx.Graph(G.subgraph(component - {node}))
        parts = sorted(nx.connected_components(H), key=len, reverse=True)
        cut = set().union(*parts[1:]) if len(parts) > 1 else set()
        anchors = [node]
    order = {v: i for i, v in enumerate(G)}
    keep: list = list(anchors)
    for v in sorted(cut, key=order.__getitem__):
        if len(keep) >= limit:
            break
        if v not in keep:
            keep.append(v)
    for a in anchors:
        for w in sorted(G[a], key=lambda x: (-G.degree(x), order[x])):
            if len(keep) >= limit:
                break
            if w not in keep:
                keep.append(w)
    shown = G.subgraph(keep)
    return shown, set(cut), set(cut) & set(keep)


def _size(value: float, top: float) -> float:
    if top <= 0 or value <= 0:
        return 7.0
    return round(7.0 + 33.0 * math.sqrt(value / top), 1)


def script_json(value: object) -> str:
    """JSON that can sit inside a ``<script>`` element whatever strings it holds: ``<``,
    ``>`` and ``&`` escaped (no string can close the element), letters kept as they are.

    Examples
    --------
    >>> print(script_json(["</script>", "Hà Nội"]))
    ["\\u003c/script\\u003e", "Hà Nội"]
    """
    return (
        json.dumps(value, ensure_ascii=False)
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


# The page's template, rendered by pyvis's generate_html(): in the package, beside this module.
_TEMPLATE_DIR = str(Path(__file__).with_name("templates"))
_TEMPLATE = "network.html"


@functools.cache
def vis_network_js() -> str:
    """vis-network as pyvis ships it, without its source-map comment (the map is not shipped)."""
    path = files("pyvis") / "templates" / "lib" / "vis-9.1.2" / "vis-network.min.js"
    return _SOURCE_MAP.sub("", path.read_text(encoding="utf-8"))


_SOURCE_MAP = re.compile(r"//# sourceMappingURL=\S*\s*$")


_LEGEND_WORDS = {"support_org": "support organisation", "foreign_partner": "foreign partner"}


def _legend(entries: Iterable[tuple[str, str]]) -> str:
    rows = "".join(
        f'<div><span class="dot" style="background:{html.escape(color)}"></span>'
        f"{html.escape(_LEGEND_WORDS.get(label, text_line(label, 60).replace('_', ' ')))}</div>"
        for label, color in entries
    )
    return f'<div id="ecograph-legend">{rows}</div>' if rows else ""


def network_html(
    G: nx.Graph,
    *,
    positions: Mapping[Hashable, tuple[float, float]] | None = None,
    color_attr: str = "category",
    sizes: Mapping[Hashable, float] | None = None,
    highlight_nodes: Collection[Hashable] = (),
    highlight_edges: Collection[tuple[Hashable, Hashable]] = (),
    height: int = 640,
    physics: bool | None = None,
    label_limit: int = 20,
    legend: bool = True,
    click_url: str | None = None,
    seed: int = 1,
    script_url: str | None = None,
) -> str:
    """A self-contained HTML page that draws *G* with vis-network (through pyvis).

    Parameters
    ----------
    G : graph
        Nodes may carry ``name`` (the label; default the node id), ``category`` or the
        attribute named by *color_attr*, ``kind``, ``province``, ``country``, ``sectors``,
        ``count`` (an aggregated node: its size) and ``tooltip`` (lines of plain text).
        Edges may carry ``weight``, ``ties``, ``kinds``, ``first_year`` and ``last_year``.
    positions : mapping, optional
        Node → (x, y) in pixels; default :func:`layout` of *G*.
    color_attr : str
        Node attribute that picks the colour (see :func:`color_for`).
    sizes : mapping, optional
        Node → value (a centrality); node areas grow with it. Default: ``count`` if the
        nodes carry it, else one size.
    highlight_nodes, highlight_edges : collections
        Drawn in red, thicker (a bridge, an articulation point, the organisation in focus).
    height : int
        Height of the drawing in pixels.
    physics : bool, optional
        Let vis-network move the nodes; default on up to ``PHYSICS_MAX_NODES`` nodes.
    label_limit : int
        Above ``ALL_LABELS_MAX_NODES`` nodes, at most this many of the largest nodes, none
        of whose labels overlap, are labelled legibly at first; the others' labels show once
        the planner zooms in.
    legend : bool
        Show the colour legend over the drawing.
    click_url : str, optional
        A URL with ``{id}``: double-clicking a node opens it (the profile page).
    seed : int
        Seed of the default layout.
    script_url : str, optional
        Where the page loads vis-network from (a file served beside it, which the browser
        keeps between visits); default: inlined, a page that needs nothing else (0.5 MB more).

    Returns
    -------
    str
        The HTML page.

    Examples
    --------
    >>> G = nx.Graph()
    >>> G.add_node("a", name="<script>alert(1)</script>", category="startup")
    >>> page = network_html(G)
    >>> "<script>alert" in page, "cdn.jsdelivr" in page
    (False, False)
    """
    from pyvis.network import Network

    n = G.number_of_nodes()
    if positions is None:
        positions = layout(G, seed=seed)
    if physics is None:
        physics = n <= PHYSICS_MAX_NODES
    if sizes is None and any("count" in d for _, d in G.nodes(data=True)):
        sizes = {v: float(d.get("count", 0)) for v, d in G.nodes(data=True)}
    top = max(sizes.values(), default=0.0) if sizes else 0.0
    node_size = {v: _size((sizes or {}).get(v, 0.0), top) if sizes else 10.0 for v in G}
    highlight_nodes = set(highlight_nodes)
    highlight_edges = {frozenset(e) for e in highlight_edges}
    labels = {v: text_line(d.get("name") or v, 40) for v, d in G.nodes(data=True)}

    ranked = sorted(G, key=lambda v: (sizes or {}).get(v, 0.0), reverse=True)
    rank = {v: i for i, v in enumerate(ranked)}
    if n <= ALL_LABELS_MAX_NODES:
        font, labelled = 13.0, set(G)
    else:
        # Labels of a size that reads at the zoom that fits the map into its frame.
        font = round(LABEL_PX / _fit_scale(positions, height), 1)
        labelled = spread_labels(ranked, labels, positions, node_size, font, label_limit) | highlight_nodes

    # Undirected ties, but a network declared directed: for an undirected one, pyvis's
    # add_edge looks through every edge added before for a duplicate (0.7 s for 4,000 ties,
    # growing with their square), and a networkx Graph has none. The arrow pyvis then gives
    # each edge is taken off again.
    net = Network(height=f"{height}px", width="100%", directed=True, cdn_resources="in_line")
    net.set_template_dir(_TEMPLATE_DIR, _TEMPLATE)

    # Colours go in vis-network "groups" (one per colour), not on every node: a smaller page.
    seen_colors: dict[str, str] = {}
    group_ids: dict[str, str] = {}
    for v, d in G.nodes(data=True):
        group = d.get(color_attr)
        name = str(group) if group is not None else "unknown"
        color = seen_colors.setdefault(name, color_for(group))
        key = group_ids.setdefault(name, f"g{len(group_ids)}")  # never user text as a JS key
        x, y = positions.get(v, (0.0, 0.0))
        extra: dict[str, object] = {}
        if n > ALL_LABELS_MAX_NODES:
            # The page relabels on zoom: the label to give, and which nodes come first.
            extra.update(text=labels[v], rank=rank[v])
        if v in highlight_nodes:
            extra["borderWidth"] = 4
        if d.get("link") is False:
            extra["link"] = False
        # The tooltip goes in "tip", not "title": the page makes it an element on hover.
        node_id = _vis_id(v)
        net.add_node(
            node_id,
            label=labels[v],
            group=key,
            tip=node_tooltip(v, d),
            size=node_size[v],
            x=round(x),
            y=round(y),
            **extra,
        )
        # pyvis labels every node (with its id when given no label), and keeps no colour
        # beside a group: both are set on the node it made.
        made = net.get_node(node_id)
        if v not in labelled:
            del made["label"]
        if v in highlight_nodes:
            made["color"] = {"background": color, "border": HIGHLIGHT}
    groups = {
        key: {
            "color": {
                "background": color,
                "border": "#ffffff",
                "highlight": {"background": color, "border": "#222222"},
                "hover": {"background": color, "border": "#222222"},
            }
        }
        for name, key in group_ids.items()
        for color in (seen_colors[name],)
    }

    m = G.number_of_edges()
    edge_tips = m <= EDGE_TOOLTIPS_MAX
    top_ties = max((d.get("ties", 1) for _, _, d in G.edges(data=True)), default=1)
    edge_opacity = 0.55 if m <= 1000 else 0.3
    for i, (u, v, d) in enumerate(G.edges(data=True)):
        edge: dict[str, object] = {"id": i}
        if frozenset((u, v)) in highlight_edges:
            edge["width"] = 5.0
            edge["color"] = {"color": HIGHLIGHT, "opacity": 1.0}
        elif top_ties > 1:
            edge["width"] = round(1.0 + 5.0 * math.sqrt(d.get("ties", 1) / top_ties), 1)
        if edge_tips:
            edge["tip"] = _edge_tooltip(d)
        net.add_edge(_vis_id(u), _vis_id(v), **edge)
        # Not even an empty "arrows": vis-network parses that edge by edge, a third of its
        # set-up time for 3,000 ties, to draw nothing.
        del net.edges[-1]["arrows"]

    options = {
        "nodes": {"shape": "dot", "font": {"size": font, "face": "sans-serif", "strokeWidth": 4}},
        "groups": groups,
        "edges": {
            "smooth": False,
            "selectionWidth": 2,
            "hoverWidth": 1,
            "width": 1,
            "color": {"color": EDGE_COLOR, "opacity": edge_opacity},
        },
        "physics": {
            "enabled": bool(physics),
            "solver": "forceAtlas2Based",
            # Longer springs in small maps, where every node carries a label.
            "forceAtlas2Based": {
                "gravitationalConstant": -60,
                "springLength": 220 if n <= 40 else 110,
                "avoidOverlap": 0.8 if n <= 40 else 0.0,
            },
            "stabilization": {"enabled": True, "iterations": 120, "fit": True},
        },
        "interaction": {
            "hover": True,
            "tooltipDelay": 120,
            "hideEdgesOnDrag": m > 2000,
            "hideEdgesOnZoom": m > 5000,
            "navigationButtons": False,
        },
        "layout": {"improvedLayout": False},
    }

    # A dict, not set_options(): that parses a string with every space taken out.
    net.options = options

    legend_html = ""
    if legend and color_attr:
        entries = sorted(seen_colors.items(), key=lambda kv: (kv[0] not in CATEGORY_COLORS, kv[0]))
        if len(entries) > 16:
            entries = [*entries[:15], (f"… {len(entries) - 15} more", "#ffffff")]
        legend_html = _legend(entries)
    config = {
        "physics": bool(physics),
        "clickUrl": click_url,
        "labelPx": LABEL_PX if n > ALL_LABELS_MAX_NODES else None,
        "labelLimit": label_limit,
    }
    # set_template_dir gave this network a Jinja environment of its own: what the template
    # needs beyond pyvis's nodes, edges, options and size goes there.
    net.templateEnv.filters["script_json"] = script_json
    net.templateEnv.globals.update(
        vis_network_js=vis_network_js(),
        vis_network_url=html.escape(script_url or ""),
        legend=legend_html,
        ecograph=config,
    )
    return net.generate_html()


def _vis_id(v: Hashable) -> int | str:
    """A node as pyvis and vis-network take it: an int or a str."""
    return v if isinstance(v, int | str) else str(v)


def _fit_scale(positions: Mapping[Hashable, tuple[float, float]], height: int) -> float:
    """The zoom at which vis-network fits these positions into a frame *height* pixels high
    (and about FRAME_WIDTH wide), at most 1."""
    if not positions:
        return 1.0
    xs = [p[0] for p in positions.values()]
    ys = [p[1] for p in positions.values()]
    span_x = max(xs) - min(xs) + 80.0  # vis-network leaves room for the nodes at the edges
    span_y = max(ys) - min(ys) + 80.0
    return min(1.0, FRAME_WIDTH / span_x, height / span_y)


def spread_labels(
    ranked: list,
    labels: Mapping[Hashable, str],
    positions: Mapping[Hashable, tuple[float, float]],
    node_size: Mapping[Hashable, float],
    font: float,
    limit: int,
) -> set:
    """Up to *limit* nodes of *ranked* (most important first) whose labels, drawn at *font*
    beneath their nodes, overlap no label taken before them.

    The largest nodes of a force layout crowd its centre: taking them in order would stack
    their labels there, so a node whose label would cover another's is passed over. The
    page applies the same rule again, in screen pixels, whenever the planner zooms or pans.

    Examples
    --------
    >>> at = {"a": (0, 0), "b": (5, 0), "c": (0, 100)}
    >>> sorted(spread_labels(["a", "b", "c"], {v: v * 8 for v in at}, at, dict.fromkeys(at, 5), 14, 5))
    ['a', 'c']
    """
    taken: set = set()
    boxes: list[tuple[float, float, float, float]] = []
    for v in ranked:
        if len(taken) >= limit:
            break
        x, y = positions.get(v, (0.0, 0.0))
        half_w = 0.32 * font * max(len(labels[v]), 3) + 0.5 * font
        top = y + node_size[v]
        box = (x - half_w, top, x + half_w, top + 1.6 * font)
        if any(box[0] < b[2] and b[0] < box[2] and box[1] < b[3] and b[1] < box[3] for b in boxes):
            continue
        boxes.append(box)
        taken.add(v)
    return taken
