"""Change between two states of the ecosystem: what was gained, healed, moved or came true."""

from __future__ import annotations

import math
import random
from collections.abc import Hashable, Iterable

import networkx as nx
from networkx.utils import not_implemented_for

from ecograph.analysis._util import as_network, describe, jsonable, label, makeup, name_list, values_of
from ecograph.analysis.backends import betweenness_sums, bridges, resolve_backend
from ecograph.analysis.bridges import articulation_cuts, bridge_cuts
from ecograph.analysis.centrality import EXACT_NODE_LIMIT, centrality
from ecograph.analysis.gaps import group_gaps
from ecograph.analysis.periphery import foreign_gatekeepers
from ecograph.analysis.recommend import recommend
from ecograph.analysis.summary import research_reach
from ecograph.period import PERIOD_INFO_KEYS
from ecograph.projections import Network

__all__ = ["BROKER_SAMPLES", "FAMILIES", "GROUP_ATTRS", "compare", "state_summary"]

FAMILIES: tuple[str, ...] = (
    "ties",
    "gaps",
    "bridges",
    "articulation_points",
    "brokers",
    "periphery",
    "gatekeepers",
    "research",
    "backtest",
)
"""The families of change :func:`compare` reports, in order."""

GROUP_ATTRS: tuple[str, ...] = ("category", "sectors", "province")
"""The groupings ties are counted by: category pairs, sector pairs and province pairs."""

BROKER_SAMPLES = 128
"""Sources sampled for the brokers' betweenness above 5,000 organisations: the same sources in
both states, so that the noise of sampling largely cancels in a rank's move, and half the
work of the weak-link report's 256 (betweenness is the comparison's largest cost)."""

_STATE_KEYS = (*PERIOD_INFO_KEYS, "state")  # what a period's graph, or a saved state's, says of itself


def state_summary(G: nx.Graph) -> dict:
    """Size and connectedness of one state, with what its period (or saved state) says about it.

    Examples
    --------
    >>> s = state_summary(nx.barbell_graph(3, 0))
    >>> s["organisations"], s["ties"], s["components"], s["largest_share"]
    (6, 7, 1, 1.0)
    """
    comps = [len(c) for c in nx.connected_components(G)]
    n = G.number_of_nodes()
    largest = max(comps, default=0)
    return {
        "organisations": n,
        "ties": G.number_of_edges(),
        "components": len(comps),
        "largest_component": largest,
        "largest_share": largest / n if n else 0.0,
        "isolates": sum(1 for c in comps if c == 1),
        **{k: G.graph[k] for k in _STATE_KEYS if k in G.graph},
    }


def _in(G: nx.Graph, v: Hashable, province: str | None) -> bool:
    return province is None or G.nodes[v].get("province") == province


def _pair_key(u: Hashable, v: Hashable) -> tuple:
    return (u, v) if str(u) <= str(v) else (v, u)


def _edge_set(G: nx.Graph) -> set[tuple]:
    return {_pair_key(u, v) for u, v in G.edges()}


def _tie_changes(
    before: nx.Graph,
    after: nx.Graph,
    edges: tuple[set, set],
    province: str | None,
    top: int,
) -> dict:
    edges0, edges1 = edges

    def touching(G: nx.Graph, pairs: Iterable[tuple]) -> list[tuple]:
        if province is None:
            return list(pairs)
        return [(u, v) for u, v in pairs if _in(G, u, province) or _in(G, v, province)]

    gained, lost = touching(after, edges1 - edges0), touching(before, edges0 - edges1)
    out: dict = {"gained": len(gained), "lost": len(lost), "kept": len(touching(before, edges0 & edges1))}
    for attr in GROUP_ATTRS:
        moves: dict[tuple, list[int]] = {}
        for G, pairs, sign in ((after, gained, 0), (before, lost, 1)):
            groups: dict[Hashable, tuple] = {}  # each organisation's groups, read once
            for u, v in pairs:
                a = groups.get(u)
                if a is None:
                    a = groups[u] = values_of(G, u, attr)
                b = groups.get(v)
                if b is None:
                    b = groups[v] = values_of(G, v, attr)
                for key in {(x, y) if str(x) <= str(y) else (y, x) for x in a for y in b}:
                    moves.setdefault(key, [0, 0])[sign] += 1
        rows = [
            {"attr": attr, "group_a": a, "group_b": b, "gained": g, "lost": lo, "net": g - lo}
            for (a, b), (g, lo) in moves.items()
        ]
        rows.sort(key=lambda r: (-(r["gained"] + r["lost"]), -r["net"], str(r["group_a"]), str(r["group_b"])))
        out[attr] = rows[:top]
    return out


def _gap_changes(n0: Network, n1: Network, province: str | None, top: int) -> dict:
    out = {}
    for attr in GROUP_ATTRS:
        if province is not None and attr != "province":
            continue
        rows0 = {(r["group_a"], r["group_b"]): r for r in group_gaps(n0, attr, min_expected=0.0)}
        rows1 = {(r["group_a"], r["group_b"]): r for r in group_gaps(n1, attr, min_expected=0.0)}
        rows = []
        for pair in rows0.keys() | rows1.keys():
            if province is not None and province not in pair:
                continue
            r0, r1 = rows0.get(pair), rows1.get(pair)
            under = [r for r in (r0, r1) if r and r["expected"] >= 2.0 and r["z"] <= -1.0]
            if not under or r0 is None or r1 is None:
                continue
            rows.append(
                {
                    "attr": attr,
                    "group_a": pair[0],
                    "group_b": pair[1],
                    "observed_before": r0["observed"],
                    "observed_after": r1["observed"],
                    "expected_before": r0["expected"],
                    "expected_after": r1["expected"],
                    "ratio_before": r0["ratio"],
                    "ratio_after": r1["ratio"],
                    "change": r1["ratio"] - r0["ratio"],
                }
            )
        rows.sort(key=lambda r: (-abs(r["change"]), str(r["group_a"]), str(r["group_b"])))
        out[attr] = rows[:top]
    return out


def _component_of(G: nx.Graph) -> dict:
    comp = {}
    for i, c in enumerate(nx.connected_components(G)):
        for v in c:
            comp[v] = i
    return comp


def _touches(row: dict, province: str | None, *ends: Hashable, G: nx.Graph) -> bool:
    if province is None:
        return True
    if (row.get("makeup") or {}).get("province", {}).get(province):
        return True
    return any(e in G and _in(G, e, province) for e in ends)


def _bridges(N: Network, backend: str | None) -> set[tuple]:
    """The bridges of *N* as pairs of ids (see :func:`_pair_key`)."""
    found = bridges(N, backend=resolve_backend(backend))
    return {
        _pair_key(N.ids[a], N.ids[b]) for a, b in zip(N.u[found].tolist(), N.v[found].tolist(), strict=True)
    }


def _betweenness_sums(N: Network, sources: list | None, backend: str) -> dict:
    """Node → unnormalised betweenness from *sources* (ids; None for every node)."""
    chosen = None if sources is None else [N.index[s] for s in sources]
    return dict(zip(N.ids, betweenness_sums(N, chosen, backend=backend).tolist(), strict=True))


def _bridge_changes(
    before: nx.Graph,
    after: nx.Graph,
    nets: tuple[Network, Network],
    province: str | None,
    top: int,
    backend: str | None,
) -> dict:
    b0 = {_pair_key(r["u"], r["v"]): r for r in bridge_cuts(nets[0], min_size=2)}
    b1 = {_pair_key(r["u"], r["v"]): r for r in bridge_cuts(nets[1], min_size=2)}
    still = _bridges(nets[1], backend)
    comp1 = _component_of(after)
    healed, broken, appeared = [], [], []
    for pair, r in b0.items():
        if pair in still or not _touches(r, province, *pair, G=before):
            continue
        u, v = pair
        joined = u in comp1 and v in comp1 and comp1[u] == comp1[v]
        row = {**r, "tie_kept": after.has_edge(u, v)}
        (healed if joined else broken).append(row)
    bridges0 = _bridges(nets[0], backend)
    for pair, r in b1.items():
        if pair in bridges0 or not _touches(r, province, *pair, G=after):
            continue
        appeared.append({**r, "new_tie": not before.has_edge(*pair)})
    for rows in (healed, broken, appeared):
        rows.sort(key=lambda r: (-r["cut_off"], str(r["u_name"]), str(r["v_name"])))
    return {
        "before": sum(1 for pair, r in b0.items() if _touches(r, province, *pair, G=before)),
        "after": sum(1 for pair, r in b1.items() if _touches(r, province, *pair, G=after)),
        "healed": healed[:top],
        "broken": broken[:top],
        "appeared": appeared[:top],
        "healed_count": len(healed),
        "appeared_count": len(appeared),
    }


def _articulation_changes(
    before: nx.Graph, after: nx.Graph, nets: tuple[Network, Network], province: str | None, top: int
) -> dict:
    a0 = {r["id"]: r for r in articulation_cuts(nets[0]) if r["cut_off"] >= 2}
    a1 = {r["id"]: r for r in articulation_cuts(nets[1]) if r["cut_off"] >= 2}
    healed = [r for v, r in a0.items() if v in after and v not in a1 and _touches(r, province, v, G=before)]
    appeared = [
        {**r, "new_organisation": v not in before}
        for v, r in a1.items()
        if v not in a0 and _touches(r, province, v, G=after)
    ]
    for rows in (healed, appeared):
        rows.sort(key=lambda r: (-r["cut_off"], str(r["name"])))
    return {
        "before": sum(1 for v, r in a0.items() if _touches(r, province, v, G=before)),
        "after": sum(1 for v, r in a1.items() if _touches(r, province, v, G=after)),
        "healed": healed[:top],
        "appeared": appeared[:top],
        "healed_count": len(healed),
        "appeared_count": len(appeared),
    }


def _ranks(values: dict, descending: bool) -> dict:
    """Competition ranks (1 = most central); equal values share a rank."""
    ordered = sorted(values.items(), key=lambda kv: -kv[1] if descending else kv[1])
    ranks, last, rank = {}, None, 0
    for i, (v, x) in enumerate(ordered, start=1):
        if x != last:
            rank, last = i, x
        ranks[v] = rank
    return ranks


def _movers(
    before: nx.Graph,
    after: nx.Graph,
    values0: dict,
    values1: dict,
    *,
    descending: bool,
    province: str | None,
    top: int,
) -> list[dict]:
    common = [v for v in values0 if v in values1 and math.isfinite(values0[v]) and math.isfinite(values1[v])]
    r0 = _ranks({v: values0[v] for v in common}, descending)
    r1 = _ranks({v: values1[v] for v in common}, descending)
    # Only the brokers: organisations near the top in either state (a move from rank
    # 30,000 to 20,000 says nothing to a planner).
    head = max(100, 5 * top)
    rows = [
        {
            **describe(after, v),
            "rank_before": r0[v],
            "rank_after": r1[v],
            "value_before": float(values0[v]),
            "value_after": float(values1[v]),
            "moved": r0[v] - r1[v],
        }
        for v in common
        if (r0[v] <= head or r1[v] <= head) and r0[v] != r1[v] and _in(after, v, province)
    ]
    rows.sort(key=lambda r: (-abs(r["moved"]), r["rank_after"], str(r["name"])))
    return rows[:top]


def _broker_moves(
    before: nx.Graph,
    after: nx.Graph,
    nets: tuple[Network, Network],
    province: str | None,
    top: int,
    seed: int,
    k: int | None,
    backend: str | None,
) -> dict:
    common = [v for v in before if v in after]
    n = max(before.number_of_nodes(), after.number_of_nodes())
    samples = k if k is not None else (None if n <= EXACT_NODE_LIMIT else BROKER_SAMPLES)
    # The same sampled sources in both states, so that a move is the network's and not the sample's.
    sources = (
        None if samples is None or samples >= len(common) else random.Random(seed).sample(common, samples)
    )
    engine = resolve_backend(backend)
    method = "exact" if sources is None else f"sampled k={len(sources)} seed={seed}"
    several = {v for v in common if before.degree(v) >= 3 and after.degree(v) >= 3}
    c0 = centrality(nets[0], "constraint", backend=engine).values
    c1 = centrality(nets[1], "constraint", backend=engine).values
    return {
        "method": method,
        "betweenness": _movers(
            before,
            after,
            _betweenness_sums(nets[0], sources, engine),
            _betweenness_sums(nets[1], sources, engine),
            descending=True,
            province=province,
            top=top,
        ),
        "constraint": _movers(
            before,
            after,
            {v: c0[v] for v in several},
            {v: c1[v] for v in several},
            descending=False,
            province=province,
            top=top,
        ),
    }


def _joined(before: nx.Graph, after: nx.Graph, province: str | None, top: int) -> dict:
    comps0 = sorted(nx.connected_components(before), key=len, reverse=True)
    comps1 = sorted(nx.connected_components(after), key=len, reverse=True)
    main0 = comps0[0] if comps0 else set()
    main1 = comps1[0] if comps1 else set()
    joined = []
    for comp in comps0[1:]:
        members = [v for v in comp if v in main1 and _in(before, v, province)]
        if not members:
            continue
        members.sort(key=lambda v: label(before, v))
        joined.append(
            {
                "size": len(comp),
                "joined": len(members),
                "isolate": len(comp) == 1,
                "members": [describe(before, v) for v in members[:5]],
                "names": name_list(before, members),
                "makeup": makeup(before, members),
            }
        )
    joined.sort(key=lambda r: (-r["joined"], -r["size"], r["names"]))
    left = sorted(
        (v for v in main0 if v not in main1 and _in(before, v, province)), key=lambda v: label(before, v)
    )
    return {
        "joined": joined[:top],
        "joined_count": sum(r["joined"] for r in joined),
        "isolates_joined": sum(r["joined"] for r in joined if r["isolate"]),
        "groups_joined": sum(1 for r in joined if not r["isolate"]),
        "left": [describe(before, v) for v in left[:top]],
        "left_count": len(left),
    }


def _gateways(N: Network, by: str) -> dict:
    rows = foreign_gatekeepers(N, by=by, max_gateways=N.n + 1, min_organisations=1)
    return {r["group"]: r for r in rows}


def _top_share(row: dict) -> float:
    ties = [g["foreign_ties"] for g in row["gateways"]]
    return ties[0] / sum(ties) if ties and sum(ties) else 0.0


def _gatekeeper_changes(
    before: nx.Graph, after: nx.Graph, nets: tuple[Network, Network], province: str | None, top: int
) -> dict:
    out: dict = {"appeared": [], "diluted": []}
    for by in ("country", "province"):
        g0, g1 = _gateways(nets[0], by), _gateways(nets[1], by)
        for group, r1 in g1.items():
            if len(r1["gateways"]) != 1:
                continue
            gate = r1["gateways"][0]
            if province is not None and (group if by == "province" else gate.get("province")) != province:
                continue
            r0 = g0.get(group)
            gates0 = [g["id"] for g in r0["gateways"]] if r0 else []
            if gates0 == [gate["id"]]:
                continue
            out["appeared"].append(
                {
                    "by": by,
                    "group": group,
                    "gateway": gate,
                    "gateways_before": len(gates0),
                    "foreign_partners": r1["foreign_partners"],
                    "organisations": r1["organisations"],
                }
            )
        for group, r0 in g0.items():
            if len(r0["gateways"]) != 1 or group not in g1 or len(g1[group]["gateways"]) < 2:
                continue
            gate = r0["gateways"][0]
            if province is not None and (group if by == "province" else gate.get("province")) != province:
                continue
            r1 = g1[group]
            out["diluted"].append(
                {
                    "by": by,
                    "group": group,
                    "gateway": gate,
                    "gateways_after": len(r1["gateways"]),
                    "share_after": _top_share(r1),
                    "foreign_partners": r1["foreign_partners"],
                    "organisations": r1["organisations"],
                }
            )
    for key in ("appeared", "diluted"):
        out[key].sort(key=lambda r: (-r["foreign_partners"], r["by"], str(r["group"])))
        out[key] = out[key][:top]
    return out


def _research_changes(before: nx.Graph, after: nx.Graph, province: str | None) -> dict:
    def reach(G: nx.Graph) -> dict:
        nodes = None if province is None else [v for v in G if _in(G, v, province)]
        return {r["group"]: r for r in research_reach(G, nodes=nodes)}

    r0, r1 = reach(before), reach(after)
    gained, lost = [], []
    for group in sorted(r0.keys() & r1.keys(), key=str):
        a, b = r0[group], r1[group]
        row = {
            "sector": group,
            "startups_before": a["organisations"],
            "startups_after": b["organisations"],
            "with_research_before": a["with_research"],
            "with_research_after": b["with_research"],
            "share_before": a["share"],
            "share_after": b["share"],
        }
        if a["with_research"] == 0 and b["with_research"] > 0:
            gained.append(row)
        elif a["with_research"] > 0 and b["with_research"] == 0:
            lost.append(row)
    gained.sort(key=lambda r: (-r["with_research_after"], str(r["sector"])))
    lost.sort(key=lambda r: (-r["startups_after"], str(r["sector"])))
    return {"gained_first": gained, "lost_all": lost}


def _backtest(before: nx.Graph, after: nx.Graph, n0: Network, province: str | None, top: int) -> dict:
    wanted = top if province is None else 4 * top
    recs = [
        r
        for r in recommend(n0, top=wanted)
        if _in(before, r["source"], province) or _in(before, r["target"], province)
    ][:top]
    true = [r for r in recs if after.has_edge(r["source"], r["target"])]
    nodes0 = set(before)
    n = len(nodes0)
    local = n if province is None else sum(1 for v in before if _in(before, v, province))
    pairs = n * (n - 1) // 2 - (0 if province is None else (n - local) * (n - local - 1) // 2)

    def counted(G: nx.Graph, edges: Iterable[tuple]) -> int:
        return sum(1 for u, v in edges if _in(G, u, province) or _in(G, v, province))

    untied = pairs - counted(before, before.edges())
    new = counted(
        after,
        ((u, v) for u, v in after.edges() if u in nodes0 and v in nodes0 and not before.has_edge(u, v)),
    )
    share = len(true) / len(recs) if recs else 0.0
    chance = new / untied if untied > 0 else 0.0
    return {
        "recommended": len(recs),
        "came_true": [
            {k: r[k] for k in ("source", "source_name", "target", "target_name", "why", "score")}
            for r in true
        ],
        "share": share,
        "untied_pairs": untied,
        "new_ties_between_them": new,
        "chance": chance,
        "lift": share / chance if chance > 0 else None,
    }


@not_implemented_for("directed")
@not_implemented_for("multigraph")
def compare(
    before: nx.Graph,
    after: nx.Graph,
    *,
    province: str | None = None,
    top: int = 10,
    seed: int = 0,
    k: int | None = None,
    backend: str | None = None,
    recommend_top: int = 50,
) -> dict:
    r"""What changed between two states of the ecosystem, family by family, as data.

    Each family compares the same analysis on *before* and *after* (the undirected
    projections of two periods or two saved states):

    - ``ties``: partnerships gained and lost, by category, sector and province pair;
    - ``gaps``: under-connected group pairs (configuration-model ratio observed/expected
      below expectation by a standard deviation, with at least two ties expected, in
      either state) and how their ratio changed;
    - ``bridges``, ``articulation_points``: single points of failure (cutting off at least
      two organisations) that were *healed* — a second route now joins what they cut off
      — or that *appeared*, with what they cut off;
    - ``brokers``: organisations near the top whose betweenness or constraint rank moved
      most (betweenness from the same sampled sources in both states);
    - ``periphery``: isolates and small components whose organisations joined the main
      network, and organisations that left it;
    - ``gatekeepers``: provinces and foreign countries that came to reach abroad (or be
      reached) through a single organisation, or whose single gateway was diluted;
    - ``research``: sectors whose startups gained their first research partner (a
      university or research institute), or lost the last;
    - ``backtest``: the recommender's top pairs in *before* that are tied in *after*. With
      :math:`N` untied pairs of *before*'s organisations of which :math:`x` are tied in
      *after*, the share expected by chance is :math:`x / N`; the lift is the share that
      came true divided by it.

    Parameters
    ----------
    before, after : networkx.Graph
        Undirected projections (:func:`ecograph.period.projection`); their graph
        attributes (period, undated ties…) are carried into the result.
    province : str, optional
        Only what involves this province: ties with an end in it, its group pairs,
        bridges and cut points on its side, its organisations and gateways.
    top : int, optional (default 10)
        Rows per list.
    seed : int, optional (default 0)
        Seed for sampled betweenness.
    k : int, optional
        Betweenness sources (default: exact up to 5,000 organisations, :data:`BROKER_SAMPLES` above).
    backend : {"auto", "networkx", "igraph"} or None, optional
    recommend_top : int, optional (default 50)
        How many recommendations of *before* the back-test checks.

    Returns
    -------
    dict
        JSON-able: ``before`` and ``after`` (:func:`state_summary`), ``province`` and one
        key per family of :data:`FAMILIES`.

    Examples
    --------
    A chain cut by one bridge in 2020 gets a second route in 2024:

    >>> before = nx.Graph([(0, 1), (1, 2), (2, 0), (2, 3), (3, 4), (4, 5), (5, 3)])
    >>> after = before.copy()
    >>> after.add_edge(0, 5)
    >>> found = compare(before, after)
    >>> [(r["u"], r["v"], r["cut_off"]) for r in found["bridges"]["healed"]]
    [(2, 3, 3)]
    >>> found["ties"]["gained"], found["ties"]["lost"]
    (1, 0)

    Notes
    -----
    Dominated by betweenness (two runs from the same sources), bridges (one depth-first
    search per state) and recommendations (one run on *before*).
    """
    edges = (_edge_set(before), _edge_set(after))
    nets = (as_network(before), as_network(after))  # once each: every family below reads them
    return jsonable(
        {
            "before": state_summary(before),
            "after": state_summary(after),
            "province": province,
            "ties": _tie_changes(before, after, edges, province, top),
            "gaps": _gap_changes(*nets, province, top),
            "bridges": _bridge_changes(before, after, nets, province, top, backend),
            "articulation_points": _articulation_changes(before, after, nets, province, top),
            "brokers": _broker_moves(before, after, nets, province, top, seed, k, backend),
            "periphery": _joined(before, after, province, top),
            "gatekeepers": _gatekeeper_changes(before, after, nets, province, top),
            "research": _research_changes(before, after, province),
            "backtest": _backtest(before, after, nets[0], province, recommend_top),
        }
    )  # type: ignore[return-value]
