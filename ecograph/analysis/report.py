"""The weak-link report: every family of findings as numbers and names in one JSON-able dict.

It holds no words: :mod:`ecograph.explain.weak_links` titles, introduces and words each
finding, and renders the report as Markdown or HTML.
"""

from __future__ import annotations

import heapq
import math
from collections import Counter
from collections.abc import Mapping

import networkx as nx

from ecograph import snapshot
from ecograph.analysis._util import as_network, jsonable, label
from ecograph.analysis.bridges import articulation_cuts, bridge_cuts, local_bridges
from ecograph.analysis.brokerage import ROLES, brokerage_roles
from ecograph.analysis.centrality import CentralityResult, centrality, top_nodes
from ecograph.analysis.communities import community_links, community_profiles, louvain
from ecograph.analysis.gaps import group_gaps
from ecograph.analysis.periphery import periphery
from ecograph.analysis.recommend import recommend
from ecograph.analysis.resilience import attack_curve
from ecograph.analysis.structural import structural_holes
from ecograph.period import PERIOD_INFO_KEYS
from ecograph.projections import Arcs, Network

__all__ = ["SECTIONS", "weak_link_report"]

SECTIONS: tuple[str, ...] = (
    "bridges",
    "brokers",
    "gaps",
    "communities",
    "periphery",
    "missing_links",
    "resilience",
)
"""The report's sections, in order: the seven families of weak links."""


def _projections(G: nx.Graph) -> tuple[nx.Graph, nx.Graph]:
    """The undirected projection and the directed view of *G*."""
    if G.is_multigraph():
        return snapshot.undirected(G), snapshot.directed(G)
    if G.is_directed():
        U = nx.Graph(G.graph)
        U.add_nodes_from(G.nodes(data=True))
        for u, v, data in G.edges(data=True):
            if U.has_edge(u, v):
                U[u][v]["weight"] = U[u][v].get("weight", 1.0) + data.get("weight", 1.0)
            else:
                U.add_edge(u, v, **data)
        return U, G
    return G, G


def _section(key: str, findings: list[dict], **extra: object) -> dict:
    return {"key": key, "findings": findings, **extra}


def _finding(kind: str, row: Mapping | None = None, **extra: object) -> dict:
    """One finding: its type in ``kind``, then the numbers and names of *row* and *extra*.

    A row about an organisation carries the organisation's own kind; it moves to
    ``org_kind`` so that ``kind`` always says which finding this is.
    """
    out: dict = {"kind": kind}
    for key, value in (row or {}).items():
        out["org_kind" if key == "kind" else key] = value
    out.update(extra)
    return out


def _bridges_section(U: nx.Graph, top: int) -> tuple[dict, dict]:
    cuts = bridge_cuts(U)
    points = articulation_cuts(U)
    leaves = sum(1 for c in cuts if c["cut_off"] == 1)
    findings = []
    for c in [c for c in cuts if c["cut_off"] >= 2][:top]:
        findings.append(
            {
                "kind": "bridge",
                **{k: c[k] for k in ("u", "v", "u_name", "v_name", "cut_off", "component_size", "makeup")},
            }
        )
    for p in [p for p in points if p["cut_off"] >= 2][:top]:
        findings.append(
            {
                "kind": "articulation_point",
                **{k: p[k] for k in ("id", "name", "category", "province", "parts", "cut_off", "makeup")},
            }
        )
    # Weak ties between established organisations: local bridges whose ends have most partners.
    local = list(local_bridges(U, with_span=False))
    degree = dict(U.degree())
    strongest = heapq.nsmallest(top, range(len(local)), key=lambda i: (-min(degree[x] for x in local[i]), i))
    spans = list(local_bridges(U, edges=[local[i] for i in strongest], cutoff=8))
    for u, v, span in spans:
        if math.isinf(span):
            continue  # a bridge: reported above
        findings.append(
            {
                "kind": "local_bridge",
                "u": u,
                "v": v,
                "u_name": label(U, u),
                "v_name": label(U, v),
                "span": span,
                "u_partners": U.degree(u),
                "v_partners": U.degree(v),
            }
        )
    counts = {
        "bridges": len(cuts),
        "articulation_points": len(points),
        "single_partner_organisations": leaves,
        "local_bridges": len(local),
    }
    return _section("bridges", findings, counts=counts), counts


def _brokers_section(
    U: nx.Graph, N: Network, D: nx.Graph, top: int, between: CentralityResult, backend: str | None
) -> dict:
    constraint = centrality(N, "constraint", backend=backend)
    findings = []
    several = {v: c for v, c in constraint.values.items() if U.degree(v) >= 3}
    low = top_nodes(N, several, n=top, descending=False)
    holes = structural_holes(N, nodes=[r["id"] for r in low])
    for r in low:
        findings.append(
            _finding(
                "structural_hole",
                r,
                effective_size=holes[r["id"]]["effective_size"],
                partners=U.degree(r["id"]),
            )
        )
    for r in top_nodes(N, between, n=top):
        if r["value"] <= 0:
            break
        findings.append(_finding("betweenness", r))
    roles = brokerage_roles(D, "category")
    for role in ("gatekeeper", "representative", "liaison", "itinerant", "coordinator"):
        ranked = top_nodes(N, {v: r[role] for v, r in roles.items()}, n=3)
        for r in ranked:
            if r["value"] <= 0:
                break
            findings.append(_finding(f"brokerage_{role}", r, role=role))
    return _section("brokers", findings, method=between.method, roles=list(ROLES))


def _gaps_section(U: nx.Graph, top: int) -> dict:
    findings = []
    for kind, attr, across in (
        ("category", "category", None),
        ("sectors", "sectors", None),
        ("sector_category", "sectors", "category"),
        ("province", "province", None),
    ):
        rows = [r for r in group_gaps(U, attr, across=across, min_expected=2.0) if r["z"] <= -1.0]
        findings += [_finding(f"gap_{kind}", r) for r in rows[:top]]
    return _section("gaps", findings)


def _profile(profile: Mapping | None) -> dict | None:
    """A community's size and make-up, as a tie between two communities names them."""
    return None if profile is None else {"size": profile["size"], "makeup": profile["makeup"]}


def _communities_section(
    U: nx.Graph, N: Network, top: int, seed: int, backend: str | None, method: str
) -> tuple[dict, dict]:
    partition = louvain(N, method=method, seed=seed, backend=backend)
    profiles = community_profiles(U, partition, top=3, min_size=5)
    by_id = {p["community"]: p for p in profiles}
    findings = [_finding("community", p) for p in profiles[:top]]
    links = community_links(U, partition, max_ties=2, min_size=5)
    for r in links[:top]:
        a, b = by_id.get(r["community_a"]), by_id.get(r["community_b"])
        findings.append(_finding("fragile_link", r, profile_a=_profile(a), profile_b=_profile(b)))
    big = sum(1 for c in partition.communities if len(c) >= 5)
    info = {"communities": big, "modularity": partition.modularity}
    return _section("communities", findings, method=partition.method, algorithm=method, **info), info


def _periphery_section(U: nx.Graph, top: int) -> tuple[dict, dict]:
    found = periphery(U)
    findings = []
    lists = (
        "isolates",
        "startups_without_investor",
        "universities_without_industry",
        "institutes_without_foreign_partner",
    )
    for key in lists:
        rows = found[key]
        if not rows:
            continue
        findings.append(
            {
                "kind": key,
                "count": len(rows),
                # five at least: the sentence names five
                "examples": [
                    {k: r[k] for k in ("id", "name", "category", "province")} for r in rows[: max(top, 5)]
                ],
            }
        )
    comps = found["small_components"]
    if comps:
        sizes = Counter(c["size"] for c in comps)
        findings.append(
            {
                "kind": "small_components",
                "count": len(comps),
                "sizes": dict(sorted(sizes.items())),
                "examples": comps[: max(top, 3)],  # three at least: the sentence names three
            }
        )
    findings += [_finding("province_gatekeeper", r) for r in found["province_gatekeepers"][:top]]
    findings += [_finding("country_gatekeeper", r) for r in found["country_gatekeepers"][:top]]
    counts = {key: len(v) for key, v in found.items()}
    return _section("periphery", findings, counts=counts), counts


def _missing_section(U: nx.Graph, top: int) -> dict:
    findings = []
    seen: set = set()
    for title, source, target in (
        ("any", None, None),
        ("university_startup", "university", "startup"),
        ("institute_company", "research_institute", "company"),
    ):
        for r in recommend(
            U, source_category=source, target_category=target, top=top if source is None else 3
        ):
            pair = frozenset((r["source"], r["target"]))
            if pair in seen:
                continue
            seen.add(pair)
            findings.append(_finding(f"missing_{title}", r))
    return _section("missing_links", findings)


def _resilience_section(U: nx.Graph, between: CentralityResult, seed: int, backend: str | None) -> dict:
    rows = attack_curve(U, ranking=between, seed=seed, backend=backend)
    findings = []
    base = rows[0]["targeted"] if rows else 0
    removed: list = []
    for r in rows[1:]:
        removed.extend(r["removed_ids"])
        findings.append(
            {
                "kind": "attack",
                **{k: v for k, v in r.items() if k != "removed_ids"},
                "largest_before": base,
                "first_removed": [label(U, v) for v in removed[:3]],
            }
        )
    table = {
        "columns": ["removed", "fraction", "targeted", "random"],
        "rows": [[r["removed"], round(r["fraction"], 4), r["targeted"], round(r["random"], 1)] for r in rows],
    }
    return _section("resilience", findings, table=table, method=between.method)


def weak_link_report(
    G: nx.Graph,
    *,
    top: int = 10,
    seed: int = 0,
    k: int | None = None,
    backend: str | None = None,
    sections: tuple[str, ...] | None = None,
    directed: nx.DiGraph | Arcs | None = None,
    network: Network | None = None,
    method: str = "louvain",
) -> dict:
    """Every family of weak links in one report: summary numbers, then each family's findings.

    Parameters
    ----------
    G : networkx.MultiDiGraph or networkx.Graph
        The store's snapshot (:func:`ecograph.snapshot.build_snapshot`), or its undirected
        projection (then brokerage counts each tie both ways).
    top : int, optional (default 10)
        Findings per kind.
    seed : int, optional (default 0)
        Seed for sampling, Louvain and random removal: the same seed, the same report.
    k : int or None, optional
        Sources to sample for betweenness (None: exact up to 5,000 organisations).
    backend : {"auto", "networkx", "igraph"} or None, optional
        None reads ``ECOGRAPH_BACKEND``.
    sections : tuple of str, optional
        Only these of :data:`SECTIONS` (default all).
    directed : networkx.DiGraph, optional
        The directed view of an undirected *G* (:attr:`ecograph.workspace.Workspace.digraph`),
        for brokerage; without it an undirected *G* counts each tie both ways.
    method : {"louvain", "leiden"}, optional (default "louvain")
        How communities are found (:func:`ecograph.analysis.louvain`; Leiden needs igraph).
    network : Network, optional
        An undirected *G* as arrays (:attr:`ecograph.workspace.Workspace.network`), for the
        measures and rankings; without it *G* is converted once.

    Returns
    -------
    dict
        JSON-able data, no words: ``name`` (the graph's ``name``, or None),
        ``parameters``, ``summary`` (organisations, ties, by_category, components,
        largest_component, largest_share, isolates, density, average_partners, and counts
        from the sections run) and ``sections``: a list of ``{"key", "findings", ...}``
        where each finding has its type in ``kind`` and its numbers and names; the
        resilience section also has a ``table``. :func:`ecograph.explain.weak_links.worded`
        adds the titles, intros and a ``sentence`` per finding.

    Examples
    --------
    >>> G = nx.barbell_graph(4, 2)
    >>> report = weak_link_report(G, sections=("bridges",))
    >>> report["summary"]["organisations"], report["sections"][0]["counts"]["bridges"]
    (10, 3)

    Notes
    -----
    Dominated by betweenness (sampled above 5,000 organisations), brokerage roles
    (:math:`O(m + T)` for *T* transitive triples) and recommendations.
    """
    wanted = SECTIONS if sections is None else tuple(s for s in SECTIONS if s in sections)
    U, D = _projections(G)
    if directed is not None and not G.is_multigraph():
        D = directed
    N = network if network is not None and not G.is_multigraph() else as_network(U)
    comps = [len(c) for c in nx.connected_components(U)]
    n, m = U.number_of_nodes(), U.number_of_edges()
    by_category = Counter(c or "(unknown)" for _, c in U.nodes(data="category"))
    summary: dict = {
        "organisations": n,
        "ties": m,
        "by_category": dict(sorted(by_category.items(), key=lambda kv: (-kv[1], str(kv[0])))),
        "components": len(comps),
        "largest_component": max(comps, default=0),
        "largest_share": max(comps, default=0) / n if n else 0.0,
        "isolates": sum(1 for c in comps if c == 1),
        "density": nx.density(U) if n > 1 else 0.0,
        "average_partners": 2 * m / n if n else 0.0,
    }
    if "period" in G.graph:  # the snapshot as of a period (ecograph.period.in_period)
        summary["period"] = {k: G.graph[k] for k in PERIOD_INFO_KEYS}
    between = None
    if {"brokers", "resilience"} & set(wanted):  # one betweenness for both
        between = centrality(N, "betweenness", k=k, seed=seed, backend=backend)
    out_sections = []
    for key in wanted:
        if key == "bridges":
            section, counts = _bridges_section(U, top)
            summary.update(counts)
        elif key == "brokers":
            section = _brokers_section(U, N, D, top, between, backend)
        elif key == "gaps":
            section = _gaps_section(U, top)
        elif key == "communities":
            section, info = _communities_section(U, N, top, seed, backend, method)
            summary.update(info)
        elif key == "periphery":
            section, counts = _periphery_section(U, top)
            summary.update({f"periphery_{k}": v for k, v in counts.items()})
        elif key == "missing_links":
            section = _missing_section(U, top)
        else:
            section = _resilience_section(U, between, seed, backend)
        out_sections.append(section)
    return jsonable(
        {
            "name": G.graph.get("name"),
            "parameters": {"top": top, "seed": seed, "k": k, "backend": backend, "method": method},
            "summary": summary,
            "sections": out_sections,
        }
    )
