"""The network picture: pure functions from a networkx graph to a self-contained pyvis HTML page.

Nothing here reads a store or touches Streamlit. The page works offline (vis-network is
inlined, pyvis's CDN links to bootstrap are removed) and never interprets an organisation's
text as markup: labels reach the page as JSON with ``<``, ``>`` and ``&`` escaped (so a name
cannot close the ``<script>`` block) and are drawn on a canvas as text; every tooltip is
built from :func:`html.escape`-d parts, and pyvis's ``tooltip_link`` branch, which writes
tooltips with ``innerHTML``, is never used.
"""

from __future__ import annotations

import html
import json
import math
import random
import re
import threading
from collections import Counter
from collections.abc import Collection, Hashable, Iterable, Mapping

import networkx as nx

__all__ = [
    "CATEGORY_COLORS",
    "aggregate",
    "color_for",
    "cut_view",
    "layout",
    "network_html",
    "node_tooltip",
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
#: Above this many nodes only the largest nodes carry a label (the others show it on hover).
ALL_LABELS_MAX_NODES = 150
#: Above this many edges, edges carry no tooltip (keeps the page small).
EDGE_TOOLTIPS_MAX = 4000

_layout_lock = threading.Lock()
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


def _text(value: object, limit: int = 200) -> str:
    """*value* as one line of plain text, control characters removed, at most *limit* characters."""
    text = _CONTROL.sub(" ", "" if value is None else str(value)).strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def node_tooltip(node: Hashable, data: Mapping[str, object]) -> str:
    """The tooltip of one organisation as escaped HTML: name in bold, then one fact a line.

    Examples
    --------
    >>> node_tooltip("x", {"name": "<img src=x onerror=alert(1)>", "kind": "startup"})
    '<b>&lt;img src=x onerror=alert(1)&gt;</b><br>startup'
    """
    if "tooltip" in data:
        lines = [str(line) for line in data["tooltip"]]  # type: ignore[union-attr]
        head, rest = (lines[0], lines[1:]) if lines else (str(node), [])
    else:
        head = str(data.get("name") or node)
        rest = []
        kind = data.get("kind")
        category = data.get("category")
        if kind:
            rest.append(str(kind) if category in (None, kind) else f"{kind} ({category})")
        place = ", ".join(str(p) for p in (data.get("province"), data.get("country")) if p)
        if place:
            rest.append(place)
        sectors = data.get("sectors")
        if sectors:
            rest.append("sectors: " + ", ".join(map(str, sectors)))  # type: ignore[call-overload]
        if "measure" in data:
            rest.append(str(data["measure"]))
    parts = [f"<b>{html.escape(_text(head))}</b>"]
    parts.extend(html.escape(_text(line)) for line in rest)
    return "<br>".join(parts)


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
    nodes), else networkx's ``spring_layout``, one connected part at a time: the largest
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
    for v, (x, y) in _part_layout(G.subgraph(main), main, seed, iterations, radius).items():
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
        for v, (px, py) in _part_layout(G.subgraph(members), members, seed, iterations, r).items():
            out[v] = (px + cursor + r, py + y + r)
        cursor += 2 * r + 30.0
        row_height = max(row_height, 2 * r)
    return {v: (round(x, 1), round(y, 1)) for v, (x, y) in out.items()}


def _part_layout(
    G: nx.Graph, nodes: list, seed: int, iterations: int, radius: float
) -> dict[Hashable, tuple[float, float]]:
    """Fruchterman–Reingold positions of one connected part, centred, fitted to *radius*."""
    n = len(nodes)
    if n == 1:
        return {nodes[0]: (0.0, 0.0)}
    if n == 2:
        return {nodes[0]: (-radius / 2, 0.0), nodes[1]: (radius / 2, 0.0)}
    try:
        import igraph as ig
    except ImportError:  # pragma: no cover - igraph is a dependency
        raw = nx.spring_layout(G, seed=seed, weight=None)
        coords = [tuple(raw[v]) for v in nodes]
    else:
        index = {v: i for i, v in enumerate(nodes)}
        g = ig.Graph(n=n, edges=[(index[u], index[v]) for u, v in G.edges() if u != v])
        with _layout_lock:  # igraph's random generator is process-wide
            ig.set_random_number_generator(random.Random(seed))
            try:
                coords = g.layout_fruchterman_reingold(niter=iterations).coords
            finally:
                ig.set_random_number_generator(random)
    xs = [c[0] for c in coords]
    ys = [c[1] for c in coords]
    cx, cy = sum(xs) / n, sum(ys) / n
    if n > 30:
        # Hubs pull a force layout into a dense core with long tendrils: keep every node's
        # direction and its rank in distance from the centre, but spread the ranks evenly
        # over the disc, so the core opens up and the map fills its frame.
        dist = [math.hypot(x - cx, y - cy) for x, y in coords]
        ranked = sorted(range(n), key=lambda i: (dist[i], i))
        out = {}
        for rank, i in enumerate(ranked):
            r = radius * math.sqrt((rank + 0.5) / n)
            angle = math.atan2(coords[i][1] - cy, coords[i][0] - cx)
            out[nodes[i]] = (r * math.cos(angle), r * math.sin(angle))
        return out
    span = max(max(xs) - min(xs), max(ys) - min(ys)) or 1.0
    scale = 2 * radius / span
    return {v: ((x - cx) * scale, (y - cy) * scale) for v, (x, y) in zip(nodes, coords, strict=True)}


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


def _json_for_script(value: object) -> str:
    """JSON that can sit inside a ``<script>`` element whatever strings it holds."""
    return (
        json.dumps(value, ensure_ascii=False)
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


_BOOTSTRAP = re.compile(
    r"\s*<link\s[^>]*bootstrap[^>]*/?>|\s*<script\s[^>]*bootstrap[^>]*>\s*</script>", re.IGNORECASE
)
_STYLE = re.compile(r"<style>.*?</style>", re.DOTALL)
_IMAGE_RULE = re.compile(r"[^{}]*\{[^{}]*url\(\"data:image[^{}]*\}")
_HEADING = re.compile(r"\s*<center>\s*<h1>\s*</h1>\s*</center>")
_NODE_MODULES_COMMENT = re.compile(r"\s*<!--\s*<link[^>]*node_modules.*?-->", re.DOTALL)

_EXTRA_HEAD = """
<style>
  html, body { margin: 0; padding: 0; font-family: "Source Sans Pro", "Segoe UI", Arial, sans-serif; }
  #mynetwork { border: none !important; float: none !important; }
  div.vis-tooltip { font-family: inherit; font-size: 13px; line-height: 1.35; max-width: 360px;
                    white-space: normal; background: #fff; border: 1px solid #bbb; padding: 6px 8px; }
  #ecograph-legend { position: absolute; top: 8px; left: 8px; z-index: 5; background: rgba(255,255,255,.88);
                     border: 1px solid #ddd; border-radius: 6px; padding: 6px 9px; font-size: 12px; }
  #ecograph-legend span.dot { display: inline-block; width: 10px; height: 10px; border-radius: 50%;
                              margin-right: 5px; vertical-align: middle; }
  #ecograph-legend div { white-space: nowrap; line-height: 1.45; }
</style>
"""

# Runs after pyvis's drawGraph(): a tooltip becomes an element built from the escaped HTML
# when the pointer first reaches its node or edge (so vis-network never parses text itself,
# and a large map does not build thousands of elements up front); double-clicking a node
# opens its profile; and the page records that it has drawn (tests and the benchmark wait
# for window.ecographDrawn).
_AFTER_DRAW = """
<script type="text/javascript">
(function () {
  var config = %(config)s;
  function toElement(markup) {
    var el = document.createElement("div");
    el.innerHTML = markup;  // escaped by ecograph.viz: only <b> and <br> are markup
    return el;
  }
  function withTitle(data, id) {
    var item = data.get(id);
    if (item && item.tip && !item.title) { data.update({id: id, title: toElement(item.tip)}); }
  }
  network.on("hoverNode", function (params) { withTitle(nodes, params.node); });
  network.on("hoverEdge", function (params) { withTitle(edges, params.edge); });
  network.once("afterDrawing", function () {
    window.ecographDrawnAt = performance.now();  // ms since the frame began loading
    window.ecographDrawn = true;
    document.body.setAttribute("data-drawn", "1");
  });
  if (!config.physics) { network.fit(); }
  if (config.clickUrl) {
    network.on("doubleClick", function (params) {
      if (!params.nodes.length) { return; }
      var node = nodes.get(params.nodes[0]);
      if (!node || node.link === false) { return; }
      var url = config.clickUrl.replace("{id}", encodeURIComponent(String(params.nodes[0])));
      try {
        // A link in the app's own document navigates the app; the sandboxed frame cannot.
        var doc = window.parent.document;
        var a = doc.createElement("a");
        a.href = url;
        a.target = "_self";
        doc.body.appendChild(a);
        a.click();
        a.remove();
      } catch (err) {
        window.open(url, "_blank");
      }
    });
  }
})();
</script>
"""


_LEGEND_WORDS = {"support_org": "support organisation", "foreign_partner": "foreign partner"}


def _legend(entries: Iterable[tuple[str, str]]) -> str:
    rows = "".join(
        f'<div><span class="dot" style="background:{html.escape(color)}"></span>'
        f"{html.escape(_LEGEND_WORDS.get(label, _text(label, 60).replace('_', ' ')))}</div>"
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
        Above ``ALL_LABELS_MAX_NODES`` nodes, only this many of the largest nodes are labelled.
    legend : bool
        Show the colour legend over the drawing.
    click_url : str, optional
        A URL with ``{id}``: double-clicking a node opens it (the profile page).
    seed : int
        Seed of the default layout.

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
    highlight_nodes = set(highlight_nodes)
    highlight_edges = {frozenset(e) for e in highlight_edges}

    if n <= ALL_LABELS_MAX_NODES:
        labelled = set(G)
    else:
        ranked = sorted(G, key=lambda v: (sizes or {}).get(v, 0.0), reverse=True)
        labelled = set(ranked[:label_limit]) | highlight_nodes

    # Colours go in vis-network "groups" (one per colour), not on every node: a smaller page.
    node_rows = []
    seen_colors: dict[str, str] = {}
    group_ids: dict[str, str] = {}
    for v, d in G.nodes(data=True):
        group = d.get(color_attr)
        name = str(group) if group is not None else "unknown"
        color = seen_colors.setdefault(name, color_for(group))
        key = group_ids.setdefault(name, f"g{len(group_ids)}")  # never user text as a JS key
        x, y = positions.get(v, (0.0, 0.0))
        row: dict[str, object] = {
            "id": v if isinstance(v, int | str) else str(v),
            "group": key,
            "tip": node_tooltip(v, d),
            "size": _size((sizes or {}).get(v, 0.0), top) if sizes else 10.0,
            "x": x,
            "y": y,
        }
        if v in highlight_nodes:
            row["color"] = {"background": color, "border": HIGHLIGHT}
            row["borderWidth"] = 4
        if v in labelled:
            row["label"] = _text(d.get("name") or v, 40)
        if d.get("link") is False:
            row["link"] = False
        node_rows.append(row)
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
    edge_rows = []
    for i, (u, v, d) in enumerate(G.edges(data=True)):
        row = {
            "id": i,
            "from": u if isinstance(u, int | str) else str(u),
            "to": v if isinstance(v, int | str) else str(v),
        }
        if frozenset((u, v)) in highlight_edges:
            row["width"] = 5.0
            row["color"] = {"color": HIGHLIGHT, "opacity": 1.0}
        elif top_ties > 1:
            row["width"] = round(1.0 + 5.0 * math.sqrt(d.get("ties", 1) / top_ties), 1)
        if edge_tips:
            row["tip"] = _edge_tooltip(d)
        edge_rows.append(row)

    options = {
        # Few labels on a large map, drawn large enough to read once the map is fitted to the frame.
        "nodes": {
            "shape": "dot",
            "font": {"size": 13 if n <= ALL_LABELS_MAX_NODES else 26, "face": "sans-serif", "strokeWidth": 4},
        },
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

    net = Network(height=f"{height}px", width="100%", cdn_resources="in_line")
    # Set the data directly: pyvis's add_node/add_edge check duplicates in linear time each.
    net.nodes = node_rows
    net.edges = edge_rows
    net.node_ids = [r["id"] for r in node_rows]
    net.options = options
    template = net.templateEnv.get_template(net.path)
    page = template.render(
        height=net.height,
        width=net.width,
        nodes=node_rows,
        edges=edge_rows,
        heading="",
        options=json.dumps(options),
        physics_enabled=bool(physics),
        use_DOT=False,
        dot_lang="",
        widget=False,
        bgcolor="#ffffff",
        conf=False,
        tooltip_link=False,  # pyvis's link template writes tooltips with innerHTML
        neighborhood_highlight=False,
        select_menu=False,
        filter_menu=False,
        notebook=False,
        cdn_resources="in_line",
    )
    page = _STYLE.sub(lambda m: _IMAGE_RULE.sub("", m.group(0)), page)  # unused button images: 200 kB
    page = _BOOTSTRAP.sub("", page)
    page = _HEADING.sub("", page)
    page = _NODE_MODULES_COMMENT.sub("", page)
    if legend and color_attr:
        entries = sorted(seen_colors.items(), key=lambda kv: (kv[0] not in CATEGORY_COLORS, kv[0]))
        if len(entries) > 16:
            entries = [*entries[:15], (f"… {len(entries) - 15} more", "#ffffff")]
        page = page.replace('<div id="mynetwork"', _legend(entries) + '<div id="mynetwork"', 1)
    page = page.replace("</head>", _EXTRA_HEAD + "</head>", 1)
    config = {"physics": bool(physics), "clickUrl": click_url}
    after = _AFTER_DRAW % {"config": _json_for_script(config)}
    head, sep, tail = page.rpartition("</body>")
    return head + after + sep + tail if sep else page + after
