"""The weak-link report: every family of findings in one JSON-able dict (rendered by :mod:`ecograph.explain.weak_links`)."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping

import networkx as nx
import numpy as np

from ecograph import projections
from ecograph.analysis._util import as_network, jsonable, label
from ecograph.analysis.bridges import articulation_cuts, bridge_cuts, local_bridge_edges, local_bridges
from ecograph.analysis.brokerage import ROLES, brokerage_roles
from ecograph.analysis.centrality import CentralityResult, centrality, top_nodes
from ecograph.analysis.communities import community_links, community_profiles, louvain
from ecograph.analysis.gaps import group_gaps
from ecograph.analysis.periphery import periphery
from ecograph.analysis.recommend import recommend
from ecograph.analysis.resilience import attack_curve
from ecograph.analysis.structural import structural_holes
from ecograph.analysis.summary import network_summary
from ecograph.columns import edge_table
from ecograph.errors import UsageError
from ecograph.explain.words import category_words as _words
from ecograph.explain.words import number as _num
from ecograph.explain.words import plural
from ecograph.explain.words import share as _share
from ecograph.period import PERIOD_INFO_KEYS
from ecograph.projections import Arcs, Network, undirected

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

_ROLE_SENTENCES = {
    "gatekeeper": "lets {n} from other groups reach its own group ({group}) — a gatekeeper",
    "representative": "carries {n} from its own group ({group}) out to other groups — a representative",
    "liaison": "links {pairs} of organisations from two groups other than its own — a liaison",
    "itinerant": "links {pairs} inside another group — an itinerant broker",
    "coordinator": "links {pairs} inside its own group ({group}) — a coordinator",
}


def _describe_makeup(mk: Mapping[str, Mapping], total: int) -> str:
    """``"3 startups, 1 university; mostly in Cần Thơ"`` from a make-up dict."""
    parts = []
    cats = list((mk.get("category") or {}).items())
    if cats:
        shown = [f"{c} {_words(k, c)}" for k, c in cats[:3]]
        rest = sum(c for _, c in cats[3:])
        parts.append(", ".join(shown) + (f" and {rest} other{'s' if rest != 1 else ''}" if rest else ""))
    provinces = [(p, c) for p, c in (mk.get("province") or {}).items() if p != "(unknown)"]
    if provinces:
        p, c = provinces[0]
        parts.append(f"all in {p}" if c == total else f"mostly in {p}" if 2 * c > total else f"{c} in {p}")
    return "; ".join(parts)


def _inputs(
    G: nx.Graph | None, network: Network | None, directed: nx.DiGraph | Arcs | None
) -> tuple[Network, Arcs]:
    """The undirected projection and the directed view the report reads, each converted once.

    A snapshot gives both (and *network*, *directed* are not read); a directed graph gives
    itself as the directed view and its ties summed both ways as the network; an undirected
    graph or *network* gives the network, and *directed* (or each tie both ways) the view.
    """
    if G is not None and G.is_multigraph():
        t = edge_table(G)
        data = [G.nodes[v] for v in t.nodes]
        return undirected(t, graph=dict(G.graph), node_data=data), projections.directed(
            t, graph=dict(G.graph), node_data=data
        )
    if G is not None and G.is_directed():
        U = nx.Graph(G.graph)
        U.add_nodes_from(G.nodes(data=True))
        for u, v, data in G.edges(data=True):
            if U.has_edge(u, v):
                U[u][v]["weight"] = U[u][v].get("weight", 1.0) + data.get("weight", 1.0)
            else:
                U.add_edge(u, v, **data)
        return Network.from_networkx(U), Arcs.from_networkx(G)
    if network is None:
        if G is None:
            raise UsageError("The weak-link report needs a graph or a network.")
        network = as_network(G)
    if directed is None:
        return network, network.both_ways()
    return network, directed if isinstance(directed, Arcs) else Arcs.from_networkx(directed)


def _section(key: str, title: str, intro: str, findings: list[dict], **extra: object) -> dict:
    return {"key": key, "title": title, "intro": intro, "findings": findings, **extra}


def _finding(kind: str, sentence: str, row: Mapping | None = None, **extra: object) -> dict:
    """One finding: its type in ``kind``, its sentence, then the numbers of *row* and *extra*.

    A row about an organisation carries the organisation's own kind; it moves to
    ``org_kind`` so that ``kind`` always says which finding this is.
    """
    out: dict = {"kind": kind, "sentence": sentence}
    for key, value in (row or {}).items():
        out["org_kind" if key == "kind" else key] = value
    out.update(extra)
    return out


def _name(N: Network, node: object) -> str:
    """The name of organisation *node* (an id) in *N*."""
    return N.names[N.index[node]]


def _bridges_section(N: Network, top: int) -> tuple[dict, dict]:
    cuts = bridge_cuts(N)
    points = articulation_cuts(N)
    leaves = sum(1 for c in cuts if c["cut_off"] == 1)
    findings = []
    for c in [c for c in cuts if c["cut_off"] >= 2][:top]:
        findings.append(
            {
                "kind": "bridge",
                "sentence": (
                    f"The tie between {c['u_name']} and {c['v_name']} is the only link to "
                    f"{c['cut_off']} organisations ({_describe_makeup(c['makeup'], c['cut_off'])}): "
                    f"losing it cuts them off from the other {c['component_size'] - c['cut_off']:,}."
                ),
                **{k: c[k] for k in ("u", "v", "u_name", "v_name", "cut_off", "component_size", "makeup")},
            }
        )
    for p in [p for p in points if p["cut_off"] >= 2][:top]:
        findings.append(
            {
                "kind": "articulation_point",
                "sentence": (
                    f"{p['name']} ({_words(p['category'])}{', ' + p['province'] if p['province'] else ''}) "
                    f"is the only link between {p['cut_off']} organisations "
                    f"({_describe_makeup(p['makeup'], p['cut_off'])}) and the rest: without it, its part of "
                    f"the ecosystem splits into {p['parts']} parts."
                ),
                **{k: p[k] for k in ("id", "name", "category", "province", "parts", "cut_off", "makeup")},
            }
        )
    # Weak ties between established organisations: local bridges whose ends have most partners.
    local = local_bridge_edges(N)
    ends = np.minimum(N.degree[N.u[local]], N.degree[N.v[local]])
    strongest = local[np.argsort(-ends, kind="stable")[:top]].tolist()
    degree = {N.ids[i]: int(N.degree[i]) for e in strongest for i in (N.u[e], N.v[e])}
    spans = list(local_bridges(N, edges=[(N.ids[N.u[e]], N.ids[N.v[e]]) for e in strongest], cutoff=8))
    for u, v, span in spans:
        if math.isinf(span):
            continue  # a bridge: reported above
        findings.append(
            {
                "kind": "local_bridge",
                "sentence": (
                    f"{_name(N, u)} ({degree[u]} partners) and {_name(N, v)} ({degree[v]} partners) share "
                    f"no partner: without their tie the shortest route between them takes {span} steps."
                ),
                "u": u,
                "v": v,
                "u_name": _name(N, u),
                "v_name": _name(N, v),
                "span": span,
            }
        )
    counts = {
        "bridges": len(cuts),
        "articulation_points": len(points),
        "single_partner_organisations": leaves,
        "local_bridges": len(local),
    }
    intro = (
        f"{plural(len(cuts), 'tie')} {'is a bridge' if len(cuts) == 1 else 'are bridges'} (losing one splits the "
        f"network) and {plural(len(points), 'organisation')} {'is an articulation point' if len(points) == 1 else 'are articulation points'}; "
        f"{plural(leaves, 'organisation')} {'hangs' if leaves == 1 else 'hang'} on a single partner."
    )
    return _section("bridges", "Bridges and articulation points", intro, findings, counts=counts), counts


def _brokers_section(N: Network, D: Arcs, top: int, between: CentralityResult, backend: str | None) -> dict:
    constraint = centrality(N, "constraint", backend=backend)
    findings = []
    degree = dict(zip(N.ids, N.degree.tolist(), strict=True))
    several = {v: c for v, c in constraint.values.items() if degree[v] >= 3}
    low = top_nodes(N, several, n=top, descending=False)
    holes = structural_holes(N, nodes=[r["id"] for r in low])
    for r in low:
        findings.append(
            _finding(
                "structural_hole",
                f"{r['name']} ({_words(r['category'])}) spans structural holes: constraint {r['value']:.3f}, "
                f"effective size {holes[r['id']]['effective_size']:.1f} of {degree[r['id']]} partners.",
                r,
                effective_size=holes[r["id"]]["effective_size"],
            )
        )
    for r in top_nodes(N, between, n=top):
        if r["value"] <= 0:
            break
        findings.append(
            _finding(
                "betweenness",
                (
                    f"{r['name']} ({_words(r['category'])}) lies on {100 * r['value']:.1f}% of the shortest "
                    f"paths between other organisations."
                ),
                r,
            )
        )
    roles = brokerage_roles(D, "category")
    for role in ("gatekeeper", "representative", "liaison", "itinerant", "coordinator"):
        ranked = top_nodes(N, {v: r[role] for v, r in roles.items()}, n=3)
        for r in ranked:
            if r["value"] <= 0:
                break
            count = int(r["value"])
            sentence = _ROLE_SENTENCES[role].format(
                n=plural(count, "contact"), pairs=plural(count, "pair"), group=_words(r["category"], 2)
            )
            findings.append(_finding(f"brokerage_{role}", f"{r['name']} {sentence}.", r, role=role))
    intro = (
        "Brokers hold the ecosystem together: low constraint means contacts that do not know each other; "
        f"betweenness is {between.method}; brokerage roles (Gould & Fernandez) are between categories."
    )
    return _section("brokers", "Brokers", intro, findings, method=between.method, roles=list(ROLES))


def _gap_pair(kind: str, a: object, b: object) -> str:
    """The two groups of a gap in words: ``"Startups and universities"``, ``"agritech and fintech"``."""
    if kind == "category":
        return f"{_words(a, 2).capitalize()} and {_words(b, 2)}" if a != b else f"{_words(a, 2).capitalize()}"
    if kind == "sector_category":
        return f"{str(a).capitalize()} organisations and {_words(b, 2)}"
    return f"{a} and {b}" if a != b else f"Inside {a}"


def _gaps_section(N: Network, top: int) -> dict:
    findings = []
    for kind, attr, across in (
        ("category", "category", None),
        ("sectors", "sectors", None),
        ("sector_category", "sectors", "category"),
        ("province", "province", None),
    ):
        rows = [r for r in group_gaps(N, attr, across=across, min_expected=2.0) if r["z"] <= -1.0]
        for r in rows[:top]:
            a, b = r["group_a"], r["group_b"]
            got = (
                "no ties"
                if r["observed"] == 0
                else f"{_num(r['observed'])} tie{'s' if r['observed'] != 1 else ''}"
            )
            want = f"{r['expected']:.1f}" if r["expected"] < 10 else f"{r['expected']:,.0f}"
            among = " among themselves" if a == b and kind == "category" else ""
            findings.append(
                _finding(
                    f"gap_{kind}",
                    f"{_gap_pair(kind, a, b)}{among}: {got} where {want} would be expected from their "
                    f"numbers of partners ({r['ratio']:.2f}×, z = {r['z']:.1f}).",
                    r,
                )
            )
    intro = (
        "Group pairs with fewer ties than expected if ties formed at random with each organisation "
        "keeping its number of partners (configuration model), by at least one standard deviation; "
        "most under-connected first, by category, sector, sector against category, and province."
    )
    return _section("gaps", "Under-connected groups", intro, findings)


def _community_words(profile: dict) -> str:
    mk = profile["makeup"]
    cat = next(iter((mk.get("category") or {}).items()), None)
    prov = next(((p, c) for p, c in (mk.get("province") or {}).items() if p != "(unknown)"), None)
    text = f"{profile['size']:,} organisations"
    if cat:
        text += f", {_share(cat[1], profile['size'])} {_words(cat[0], 2)}"
    if prov:
        text += f", {_share(prov[1], profile['size'])} in {prov[0]}"
    return text


def _communities_section(
    N: Network, top: int, seed: int, backend: str | None, method: str
) -> tuple[dict, dict]:
    partition = louvain(N, method=method, seed=seed, backend=backend)
    profiles = community_profiles(N, partition, top=3, min_size=5)
    by_id = {p["community"]: p for p in profiles}
    findings = []
    for p in profiles[:top]:
        linkers = ", ".join(x["name"] for x in p["linkers"][:3])
        findings.append(
            _finding(
                "community",
                (
                    f"Community {p['community']}: {_community_words(p)}; {p['external_ties']:,} ties to other "
                    f"communities" + (f", most held by {linkers}." if linkers else ".")
                ),
                p,
            )
        )
    links = community_links(N, partition, max_ties=2, min_size=5)
    for r in links[:top]:
        a, b = by_id.get(r["community_a"]), by_id.get(r["community_b"])
        ties = "; ".join(f"{t['u_name']} – {t['v_name']}" for t in r["tie_list"])
        findings.append(
            _finding(
                "fragile_link",
                (
                    f"Community {r['community_a']} ({_community_words(a) if a else ''}) and community "
                    f"{r['community_b']} ({_community_words(b) if b else ''}) are joined by "
                    f"{'a single tie' if r['ties'] == 1 else str(r['ties']) + ' ties'}: {ties}."
                ),
                r,
            )
        )
    big = sum(1 for c in partition.communities if len(c) >= 5)
    intro = (
        f"{method.capitalize()} finds {plural(big, 'community', 'communities')} of five or more organisations (modularity "
        f"{partition.modularity:.2f}); pairs joined by one or two ties depend on them."
    )
    info = {"communities": big, "modularity": partition.modularity}
    return _section(
        "communities", "Communities and the ties between them", intro, findings, method=partition.method
    ), info


def _periphery_section(N: Network, top: int) -> tuple[dict, dict]:
    found = periphery(N)
    findings = []
    lists = (
        ("isolates", "organisation has no tie at all", "organisations have no tie at all"),
        ("startups_without_investor", "startup has no investor", "startups have no investor"),
        (
            "universities_without_industry",
            "university has no company or startup partner",
            "universities have no company or startup partner",
        ),
        (
            "institutes_without_foreign_partner",
            "research institute has no foreign partner",
            "research institutes have no foreign partner",
        ),
    )
    for key, one, many in lists:
        rows = found[key]
        if not rows:
            continue
        names = ", ".join(r["name"] for r in rows[:5]) + (
            f" and {len(rows) - 5:,} more" if len(rows) > 5 else ""
        )
        findings.append(
            {
                "kind": key,
                "sentence": f"{len(rows):,} {one if len(rows) == 1 else many}: {names}.",
                "count": len(rows),
                "examples": [{k: r[k] for k in ("id", "name", "category", "province")} for r in rows[:top]],
            }
        )
    comps = found["small_components"]
    if comps:
        sizes = Counter(c["size"] for c in comps)
        findings.append(
            {
                "kind": "small_components",
                "sentence": (
                    f"{plural(len(comps), 'group')} ({sum(c['size'] for c in comps):,} organisations) "
                    f"{'is' if len(comps) == 1 else 'are'} tied among themselves but not to the main network"
                    f"{'' if len(comps) == 1 else '; the largest'}: "
                    + "; ".join(f"{', '.join(c['examples'][:3])} ({c['size']})" for c in comps[:3])
                    + "."
                ),
                "count": len(comps),
                "sizes": dict(sorted(sizes.items())),
                "examples": comps[:top],
            }
        )
    for r in found["province_gatekeepers"][:top]:
        g = r["gateways"][0]
        findings.append(
            _finding(
                "province_gatekeeper",
                (
                    f"Of the {r['organisations']} organisations in {r['group']}, only {g['name']} has foreign "
                    f"partners ({r['foreign_partners']}): the province reaches abroad through it alone."
                ),
                r,
            )
        )
    for r in found["country_gatekeepers"][:top]:
        g = r["gateways"][0]
        findings.append(
            _finding(
                "country_gatekeeper",
                (
                    f"All {r['organisations']} partners from {r['group']} reach the country through "
                    f"{g['name']} ({_words(g['category'])})."
                ),
                r,
            )
        )
    counts = {key: len(v) for key, v in found.items()}
    intro = "Organisations at the edge: no tie, no link to the main network, or a missing kind of partner."
    return _section("periphery", "Peripheral organisations", intro, findings, counts=counts), counts


def _missing_section(N: Network, top: int) -> dict:
    findings = []
    seen: set = set()
    for title, source, target in (
        ("any", None, None),
        ("university_startup", "university", "startup"),
        ("institute_company", "research_institute", "company"),
    ):
        for r in recommend(
            N, source_category=source, target_category=target, top=top if source is None else 3
        ):
            pair = frozenset((r["source"], r["target"]))
            if pair in seen:
                continue
            seen.add(pair)
            findings.append(
                _finding(
                    f"missing_{title}",
                    f"{r['source_name']} and {r['target_name']}: {r['reason']}.",
                    r,
                )
            )
    intro = (
        "Partnerships that do not exist yet, scored by common partners, Adamic–Adar, resource allocation "
        "and shared sectors: overall, then universities with startups and research institutes with companies."
    )
    return _section("missing_links", "Missing partnerships", intro, findings)


def _resilience_section(N: Network, between: CentralityResult, seed: int, backend: str | None) -> dict:
    rows = attack_curve(N, ranking=between, seed=seed, backend=backend)
    findings = []
    base = rows[0]["targeted"] if rows else 0
    removed: list = []
    for r in rows[1:]:
        removed.extend(r["removed_ids"])
        names = ", ".join(N.names[N.index[v]] for v in removed[:3])
        findings.append(
            {
                "kind": "attack",
                "sentence": (
                    f"Removing the top {'broker' if r['removed'] == 1 else str(r['removed']) + ' brokers'} "
                    f"({100 * r['fraction']:.1f}%, {'' if r['removed'] == 1 else 'starting with '}{names}) "
                    f"shrinks the largest connected part from {base:,} to {r['targeted']:,} organisations; "
                    f"removing as many at random leaves {r['random']:,.0f}."
                ),
                **{k: v for k, v in r.items() if k != "removed_ids"},
            }
        )
    table = {
        "columns": ["removed", "fraction", "targeted", "random"],
        "rows": [[r["removed"], round(r["fraction"], 4), r["targeted"], round(r["random"], 1)] for r in rows],
    }
    intro = (
        "How the largest connected part shrinks when the top brokers (by betweenness, "
        f"{between.method}) are removed, against the average of random removals."
    )
    return _section("resilience", "Resilience", intro, findings, table=table, method=between.method)


def weak_link_report(
    G: nx.Graph | None = None,
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
    """Every family of weak links in one report: summary numbers, then findings in words.

    Parameters
    ----------
    G : networkx.MultiDiGraph, networkx.Graph or networkx.DiGraph, optional
        The store's snapshot (:func:`ecograph.snapshot.build_snapshot`), or its undirected
        projection (then brokerage counts each tie both ways); converted once. Not needed
        with *network*.
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
    directed : Arcs or networkx.DiGraph, optional
        The directed view of an undirected *G* or *network* (:attr:`ecograph.workspace.Workspace.arcs`),
        for brokerage; without it each tie counts both ways.
    method : {"louvain", "leiden"}, optional (default "louvain")
        How communities are found (:func:`ecograph.analysis.louvain`; Leiden needs igraph).
    network : Network, optional
        The undirected projection as arrays (:attr:`ecograph.workspace.Workspace.network`),
        what every family reads: given it, no networkx graph is built; without it *G* is
        converted once.

    Returns
    -------
    dict
        JSON-able: ``title``, ``parameters``, ``summary`` (organisations, ties,
        by_category, components, largest_component, largest_share, isolates, density,
        average_partners, and counts from the sections run) and ``sections``: a list of
        ``{"key", "title", "intro", "findings", ...}`` where each finding has a
        ``sentence`` in plain language (with names) and its numbers; the resilience
        section also has a ``table``.

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
    N, D = _inputs(G, network, directed)
    # The families not yet computed on the Network read its networkx copy, built only for them.
    U = N.to_networkx() if {"bridges", "gaps", "communities", "periphery"} & set(wanted) else None
    summary = network_summary(N)
    if "period" in N.graph:  # the snapshot as of a period (ecograph.period.in_period)
        summary["period"] = {k: N.graph[k] for k in PERIOD_INFO_KEYS}
    between = None
    if {"brokers", "resilience"} & set(wanted):  # one betweenness for both
        between = centrality(N, "betweenness", k=k, seed=seed, backend=backend)
    out_sections = []
    for key in wanted:
        if key == "bridges":
            section, counts = _bridges_section(N, top)
            summary.update(counts)
        elif key == "brokers":
            section = _brokers_section(N, D, top, between, backend)
        elif key == "gaps":
            section = _gaps_section(N, top)
        elif key == "communities":
            section, info = _communities_section(N, top, seed, backend, method)
            summary.update(info)
        elif key == "periphery":
            section, counts = _periphery_section(N, top)
            summary.update({f"periphery_{k}": v for k, v in counts.items()})
        elif key == "missing_links":
            section = _missing_section(N, top)
        else:
            section = _resilience_section(N, between, seed, backend)
        out_sections.append(section)
    name = N.graph.get("name") or "the ecosystem"
    return jsonable(
        {
            "title": f"Weak links in {name}",
            "parameters": {"top": top, "seed": seed, "k": k, "backend": backend, "method": method},
            "summary": summary,
            "sections": out_sections,
        }
    )
