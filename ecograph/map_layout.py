"""Positions for a map of many organisations: groups placed apart, each laid out in its own disc,
and the ties between two groups gathered into one bundle.

A force layout of thousands of organisations draws a uniform ball in which neither
provinces nor communities nor the few organisations that hold them together can be seen.
:func:`grouped_layout` lays out each group (a community, a province…) on its own, in a disc
whose area follows its size, places the discs by a force layout of the groups' own graph
(groups with many ties between them side by side) and pushes them apart until none
overlap. A tie between two groups leaves its group at a *junction* on the disc's rim
facing the other group: its organisations' ties to that group fan in there, one trunk
joins the two junctions, and a group linked to the rest through one organisation shows
one line from that organisation to the rim.

Nothing here reads a store or draws: the explorer and :mod:`ecograph.sigma_map` take the
:class:`MapLayout` and draw it.
"""

from __future__ import annotations

import math
import random
import threading
from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass

import networkx as nx
import numpy as np

__all__ = ["Bundle", "Group", "MapLayout", "disc_layout", "grouped_layout"]

#: Radius of a group's disc: this many units times the square root of its members.
UNITS_PER_ROOT = 30.0
#: Empty space left between two discs, as a share of the larger radius (at least 60 units):
#: room for the group names and for the lines between groups to be told apart.
GAP = 0.6
#: Groups with fewer members than this are pooled into one group (isolates, pairs…).
MIN_GROUP = 3
POOLED = "Small groups"

_layout_lock = threading.Lock()


@dataclass(frozen=True)
class Group:
    """One disc of the map: its label, centre, radius and number of organisations."""

    label: str
    x: float
    y: float
    radius: float
    size: int


@dataclass(frozen=True)
class Bundle:
    """The ties between groups *a* and *b* (indices into :attr:`MapLayout.groups`): their
    number and the two junctions, on the rim of each disc, that the trunk joins."""

    a: int
    b: int
    ties: int
    at_a: tuple[float, float]
    at_b: tuple[float, float]


@dataclass(frozen=True)
class MapLayout:
    """Where every organisation goes, which group it is drawn in, and the bundles.

    ``positions`` maps node → ``(x, y)``; ``group_of`` maps node → index into ``groups``;
    ``bundles`` hold one entry per pair of groups with at least one tie between them.
    """

    positions: dict
    group_of: dict
    groups: list[Group]
    bundles: list[Bundle]


def disc_layout(
    G: nx.Graph, nodes: list, seed: int, iterations: int, radius: float, *, edges: Iterable | None = None
) -> dict[Hashable, tuple[float, float]]:
    """Fruchterman–Reingold positions of *nodes* of *G* (igraph's), centred and fitted to a
    disc of *radius* (up to 30 nodes: the layout scaled until its farthest node is on the rim).
    *edges*, the ties among *nodes* when the caller has them, spares finding them in *G*.

    Above 30 nodes every node keeps its direction from the centre and its rank in distance
    from it, but the ranks are spread evenly over the disc: hubs pull a force layout into a
    dense core with long tendrils, and spread this way the core opens up and the disc fills.

    Examples
    --------
    >>> pos = disc_layout(nx.path_graph(3), [0, 1, 2], seed=1, iterations=50, radius=10)
    >>> round(max(math.hypot(x, y) for x, y in pos.values()))  # the farthest on the rim
    10
    """
    n = len(nodes)
    if n == 1:
        return {nodes[0]: (0.0, 0.0)}
    if n == 2:
        return {nodes[0]: (-radius / 2, 0.0), nodes[1]: (radius / 2, 0.0)}
    coords = _fruchterman_reingold(G, nodes, seed, iterations, edges=edges)
    xs = [c[0] for c in coords]
    ys = [c[1] for c in coords]
    cx, cy = sum(xs) / n, sum(ys) / n
    if n > 30:
        dist = [math.hypot(x - cx, y - cy) for x, y in coords]
        ranked = sorted(range(n), key=lambda i: (dist[i], i))
        out = {}
        for rank, i in enumerate(ranked):
            r = radius * math.sqrt((rank + 0.5) / n)
            angle = math.atan2(coords[i][1] - cy, coords[i][0] - cx)
            out[nodes[i]] = (r * math.cos(angle), r * math.sin(angle))
        return out
    reach = max(math.hypot(x - cx, y - cy) for x, y in coords) or 1.0
    scale = radius / reach
    return {v: ((x - cx) * scale, (y - cy) * scale) for v, (x, y) in zip(nodes, coords, strict=True)}


def _fruchterman_reingold(
    G: nx.Graph,
    nodes: list,
    seed: int,
    iterations: int,
    weights: list[float] | None = None,
    edges: Iterable | None = None,
) -> list[tuple[float, float]]:
    import igraph as ig

    index = {v: i for i, v in enumerate(nodes)}
    found = G.subgraph(nodes).edges() if edges is None else edges
    g = ig.Graph(n=len(nodes), edges=[(index[u], index[v]) for u, v in found if u != v])
    with _layout_lock:  # igraph's random generator is process-wide
        ig.set_random_number_generator(random.Random(seed))
        try:
            # igraph's grid variant only computes repulsion between nearby nodes: 15 times
            # faster on 700 nodes, and the disc spreading below evens out what it changes.
            grid = len(nodes) > 100
            return g.layout_fruchterman_reingold(niter=iterations, weights=weights, grid=grid).coords
        finally:
            ig.set_random_number_generator(random)


def grouped_layout(
    G: nx.Graph, groups: Mapping[Hashable, object], *, seed: int = 1, min_group: int = MIN_GROUP
) -> MapLayout:
    """Lay out *G* group by group: each group in its own disc, the discs apart.

    Parameters
    ----------
    G : networkx.Graph
        Undirected graph; an edge's ``ties`` attribute (default 1) counts its ties.
    groups : mapping
        Node → group label (any value; shown as text). Nodes missing from it, and groups
        of fewer than *min_group* nodes, go to one pooled group, :data:`POOLED`.
    seed : int
        The same graph, groups and seed always give the same layout.

    Returns
    -------
    MapLayout

    Examples
    --------
    >>> G = nx.disjoint_union(nx.complete_graph(5), nx.complete_graph(5))
    >>> G.add_edge(0, 5)
    >>> L = grouped_layout(G, {v: "left" if v < 5 else "right" for v in G})
    >>> [g.label for g in L.groups], [(b.a, b.b, b.ties) for b in L.bundles]
    (['left', 'right'], [(0, 1, 1)])
    >>> L.group_of[0], L.group_of[9]
    (0, 1)
    """
    if G.number_of_nodes() == 0:
        return MapLayout({}, {}, [], [])
    order = {v: i for i, v in enumerate(G)}
    label_of = {v: str(groups[v]) if groups.get(v) is not None else POOLED for v in G}
    sizes = Counter(label_of.values())
    for v, lab in label_of.items():
        if sizes[lab] < min_group:
            label_of[v] = POOLED
    members: dict[str, list] = defaultdict(list)
    for v in G:
        members[label_of[v]].append(v)
    # Largest first, then by label: group indices are stable for a given graph.
    labels = sorted(members, key=lambda g: (g == POOLED, -len(members[g]), g))
    gid = {g: i for i, g in enumerate(labels)}
    group_of = {v: gid[label_of[v]] for v in G}

    # One pass over the ties: a subgraph view per group walked every organisation's ties
    # again through its filter (a second of the 20,000-organisation map's layout).
    between: Counter = Counter()
    inside: dict[int, list] = defaultdict(list)
    for u, v, d in G.edges(data=True):
        a, b = group_of[u], group_of[v]
        if a != b:
            between[(min(a, b), max(a, b))] += d.get("ties", 1)
        else:
            inside[a].append((u, v))

    radii = np.array([UNITS_PER_ROOT * math.sqrt(len(members[g])) + 10.0 for g in labels])
    centres = _place_groups(len(labels), between, radii, seed)

    positions: dict[Hashable, tuple[float, float]] = {}
    for i, g in enumerate(labels):
        nodes = sorted(members[g], key=order.__getitem__)
        # A hundred steps settle a large group well enough for disc_layout, which keeps only
        # each node's direction and rank: on the 20,000-organisation demo its ties inside
        # groups are 0.26 of a disc's radius long after 100 steps, 0.24 after 300 (0.9 if
        # placed at random), and the groups of over 100 took 1.4 s instead of 3.4 (load 9).
        iterations = 300 if len(nodes) <= 100 else 100
        cx, cy = centres[i]
        for v, (x, y) in disc_layout(G, nodes, seed, iterations, radii[i] - 5.0, edges=inside[i]).items():
            positions[v] = (round(float(cx + x), 1), round(float(cy + y), 1))

    bundles = []
    for (a, b), ties in sorted(between.items()):
        dx, dy = centres[b] - centres[a]
        dist = math.hypot(dx, dy) or 1.0
        ux, uy = dx / dist, dy / dist
        at_a = (
            round(float(centres[a][0] + ux * radii[a]), 1),
            round(float(centres[a][1] + uy * radii[a]), 1),
        )
        at_b = (
            round(float(centres[b][0] - ux * radii[b]), 1),
            round(float(centres[b][1] - uy * radii[b]), 1),
        )
        bundles.append(Bundle(a, b, ties, at_a, at_b))
    made = [
        Group(
            g,
            round(float(centres[i][0]), 1),
            round(float(centres[i][1]), 1),
            round(float(radii[i]), 1),
            len(members[g]),
        )
        for i, g in enumerate(labels)
    ]
    return MapLayout(positions, group_of, made, bundles)


def _place_groups(k: int, between: Mapping[tuple[int, int], int], radii: np.ndarray, seed: int) -> np.ndarray:
    """Centres for *k* discs of *radii*: a weighted force layout of the groups' graph,
    scaled up, then pushed apart until no two discs overlap (and pulled together a little,
    so that groups with no tie between them do not drift away)."""
    if k == 1:
        return np.zeros((1, 2))
    G = nx.Graph()
    G.add_nodes_from(range(k))
    G.add_edges_from(between)
    # In the order _fruchterman_reingold lists the edges: the subgraph's.
    weights = [math.log1p(between[(min(u, v), max(u, v))]) for u, v in G.edges()]
    coords = np.array(_fruchterman_reingold(G, list(range(k)), seed, 500, weights=weights or None))
    coords -= coords.mean(axis=0)
    # Scale so that the typical distance between neighbours is about two typical radii.
    spread = np.sqrt((coords**2).sum(axis=1)).mean() or 1.0
    coords *= (2.0 * radii.mean() * math.sqrt(k)) / spread
    need = (
        radii[:, None] + radii[None, :] + np.maximum(60.0, GAP * np.maximum(radii[:, None], radii[None, :]))
    )
    np.fill_diagonal(need, 0.0)
    for step in range(300):
        if step < 200:
            coords *= 0.95  # gravity: groups without ties between them come in too
        for _ in range(3):
            if not _push_apart(coords, need):
                break
    for _ in range(1000):
        if not _push_apart(coords, need):
            break
    return coords - coords.mean(axis=0)


def _push_apart(coords: np.ndarray, need: np.ndarray) -> bool:
    """Move every pair of discs closer than *need* apart by half the shortfall each; False
    when none was."""
    diff = coords[:, None, :] - coords[None, :, :]
    dist = np.sqrt((diff**2).sum(axis=2))
    np.fill_diagonal(dist, np.inf)
    overlap = np.where(dist < need - 1e-6, need - dist, 0.0)
    if not overlap.any():
        return False
    # Two discs on the same spot: part them along a fixed direction.
    same = dist < 1e-9
    upper = np.triu(np.ones_like(same), 1)
    diff[same & upper] = (1.0, 0.0)
    diff[same & ~upper] = (-1.0, 0.0)
    dist = np.where(same, 1.0, dist)
    coords += ((overlap / dist)[:, :, None] * diff * 0.5).sum(axis=1)
    return True
