"""The weak-link report: every family of findings as numbers and names in one JSON-able dict.

It holds no words: :mod:`ecograph.explain.weak_links` titles, introduces and words each
finding, and renders the report as Markdown or HTML.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Mapping

import networkx as nx
import numpy as np

from ecograph import graph_worker, projections
from ecograph.analysis import backends
from ecograph.analysis._util import as_network, jsonable
from ecograph.analysis.backends import resolve_backend
from ecograph.analysis.bridges import cuts as bridges_and_cut_points
from ecograph.analysis.bridges import local_bridge_edges, local_bridges
from ecograph.analysis.brokerage import ROLES, role_counts
from ecograph.analysis.centrality import (
    CentralityResult,
    add_blocks,
    betweenness_from,
    betweenness_sources,
    centrality,
    source_blocks,
    top_nodes,
)
from ecograph.analysis.communities import community_links, community_profiles, louvain, partition_of
from ecograph.analysis.gaps import group_gaps
from ecograph.analysis.periphery import periphery
from ecograph.analysis.recommend import recommend
from ecograph.analysis.resilience import attack_curve
from ecograph.analysis.structural import structural_holes
from ecograph.analysis.summary import network_summary
from ecograph.columns import edge_table
from ecograph.errors import UsageError
from ecograph.graph_worker import GraphWorker
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


def _name(N: Network, node: object) -> str:
    """The name of organisation *node* (an id) in *N*."""
    return N.names[N.index[node]]


def _bridges_section(N: Network, top: int) -> tuple[dict, dict]:
    cuts, points = bridges_and_cut_points(N)
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
                "u": u,
                "v": v,
                "u_name": _name(N, u),
                "v_name": _name(N, v),
                "span": span,
                "u_partners": degree[u],
                "v_partners": degree[v],
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
    N: Network, D: Arcs, top: int, backend: str | None
) -> Callable[[CentralityResult], dict]:
    """Low constraint, high betweenness and the five brokerage roles: all but the betweenness
    now, the section once the betweenness is given to the function returned (it may still
    be computing in a second process)."""
    constraint = centrality(N, "constraint", backend=backend)
    # Constraint among organisations with three partners or more (nan leaves the others out).
    several = CentralityResult(
        "constraint",
        N.ids,
        np.where(N.degree >= 3, constraint.array, np.nan),
        constraint.method,
        constraint.backend,
    )
    low = top_nodes(N, several, n=top)
    holes = structural_holes(N, nodes=[r["id"] for r in low])
    findings = []
    for r in low:
        partners = int(N.degree[N.index[r["id"]]])
        findings.append(
            _finding("structural_hole", r, effective_size=holes[r["id"]]["effective_size"], partners=partners)
        )
    counts = role_counts(D, "category")
    roles = []
    for role in ("gatekeeper", "representative", "liaison", "itinerant", "coordinator"):
        column = CentralityResult(role, D.ids, counts[:, ROLES.index(role)])
        for r in top_nodes(N, column, n=3, descending=True):
            if r["value"] <= 0:
                break
            roles.append(_finding(f"brokerage_{role}", r, role=role))

    def finish(between: CentralityResult) -> dict:
        ranked = []
        for r in top_nodes(N, between, n=top):
            if r["value"] <= 0:
                break
            ranked.append(_finding("betweenness", r))
        return _section("brokers", findings + ranked + roles, method=between.method, roles=list(ROLES))

    return finish


def _gaps_section(N: Network, top: int) -> dict:
    findings = []
    for kind, attr, across in (
        ("category", "category", None),
        ("sectors", "sectors", None),
        ("sector_category", "sectors", "category"),
        ("province", "province", None),
    ):
        rows = [r for r in group_gaps(N, attr, across=across, min_expected=2.0) if r["z"] <= -1.0]
        findings += [_finding(f"gap_{kind}", r) for r in rows[:top]]
    return _section("gaps", findings)


def _profile(profile: Mapping | None) -> dict | None:
    """A community's size and make-up, as a tie between two communities names them."""
    return None if profile is None else {"size": profile["size"], "makeup": profile["makeup"]}


def _communities_section(
    N: Network, top: int, seed: int, backend: str | None, method: str, labels: np.ndarray | None = None
) -> tuple[dict, dict]:
    if labels is None:
        partition = louvain(N, method=method, seed=seed, backend=backend)
    else:  # found in a second process, with the same parameters
        partition = partition_of(N, labels, method=method, seed=seed, backend=resolve_backend(backend))
    profiles = community_profiles(N, partition, top=3, min_size=5)
    by_id = {p["community"]: p for p in profiles}
    findings = [_finding("community", p) for p in profiles[:top]]
    links = community_links(N, partition, max_ties=2, min_size=5)
    for r in links[:top]:
        a, b = by_id.get(r["community_a"]), by_id.get(r["community_b"])
        findings.append(_finding("fragile_link", r, profile_a=_profile(a), profile_b=_profile(b)))
    big = sum(1 for c in partition.communities if len(c) >= 5)
    info = {"communities": big, "modularity": partition.modularity}
    return _section("communities", findings, method=partition.method, algorithm=method, **info), info


def _periphery_section(N: Network, top: int) -> tuple[dict, dict]:
    found = periphery(N)
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
            findings.append(_finding(f"missing_{title}", r))
    return _section("missing_links", findings)


def _resilience_section(
    N: Network, between: Callable[[], CentralityResult], seed: int, backend: str | None
) -> dict:
    # *between* (computed once) is asked for after the random removals are measured.
    rows = attack_curve(N, ranking=between, seed=seed, backend=backend)
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
                "first_removed": [N.names[N.index[v]] for v in removed[:3]],
            }
        )
    table = {
        "columns": ["removed", "fraction", "targeted", "random"],
        "rows": [[r["removed"], round(r["fraction"], 4), r["targeted"], round(r["random"], 1)] for r in rows],
    }
    return _section("resilience", findings, table=table, method=between().method)


_ORDER: tuple[str, ...] = (
    "bridges",
    "gaps",
    "periphery",
    "missing_links",
    "communities",
    "brokers",
    "resilience",
)
"""The order the sections are computed in: first those that need nothing :class:`_Igraph` may
be computing in a second process, then the communities (its first answer), the brokers' and
resilience's own work, and last what needs the betweenness (its second)."""


class _Igraph:
    """The report's betweenness (one for the brokers and resilience) and communities: igraph's
    in a second process (:class:`ecograph.graph_worker.GraphWorker`), started first, when the
    network is large enough to pay for it (:func:`ecograph.graph_worker.wanted`); here otherwise,
    or when that process fails. Both ways give the same numbers."""

    def __init__(
        self, N: Network, wanted: tuple[str, ...], *, k, seed: int, backend: str | None, method: str
    ):
        self.N, self.k, self.seed, self.backend, self.method = N, k, seed, backend, method
        self._between: CentralityResult | None = None
        self._slots: dict[str | tuple, int] = {}
        self._blocks: list = []
        self._worker: GraphWorker | None = None
        if resolve_backend(backend) != "igraph" or N.m == 0 or not graph_worker.wanted(N.m):
            return
        jobs = []
        if "communities" in wanted:
            self._slots["communities"] = len(jobs)
            jobs.append(
                {"job": "communities", "method": method, "resolution": 1.0, "seed": seed, "weighted": True}
            )
        if {"brokers", "resilience"} & set(wanted) and N.n > 2:
            sources = betweenness_sources(N, k, seed)
            self._blocks = [None] if sources is None else source_blocks(sources)
            for i, block in enumerate(self._blocks):
                self._slots[("betweenness", i)] = len(jobs)
                jobs.append({"job": "betweenness", "sources": block})
        if jobs:
            weights = N.edge_column("weight") if "communities" in self._slots else None
            self._worker = GraphWorker(N.n, N.u, N.v, weights=weights, jobs=jobs)

    def _answer(self, job: str | tuple) -> np.ndarray | None:
        if self._worker is None or job not in self._slots:
            return None
        return self._worker.result(self._slots[job])

    def communities(self) -> np.ndarray | None:
        """The community labels found in the second process, or None: find them here."""
        return self._answer("communities")

    def _sums(self) -> np.ndarray | None:
        """The betweenness sums, block by block: what the second process has answered, and
        while it works on one block, the last ones not yet answered computed here; then the
        blocks added in order, as one process adds them. None without a second process."""
        if self._worker is None or ("betweenness", 0) not in self._slots:
            return None
        blocks = self._blocks
        parts: list[np.ndarray | None] = [None] * len(blocks)
        while True:
            missing = [i for i, p in enumerate(parts) if p is None]
            for i in missing:
                if self._worker.done(self._slots[("betweenness", i)]):
                    parts[i] = self._answer(("betweenness", i))
            missing = [i for i, p in enumerate(parts) if p is None]
            if not missing:
                return parts[0] if blocks == [None] else add_blocks(parts)
            last = missing[-1]
            if len(missing) == 1 or blocks == [None]:  # the block it is computing: wait for it
                parts[last] = self._answer(("betweenness", last))
                if parts[last] is None:  # it failed
                    parts[last] = backends.betweenness_sums(self.N, blocks[last])
            else:
                parts[last] = backends.betweenness_sums(self.N, blocks[last])

    def betweenness(self) -> CentralityResult:
        if self._between is None:
            sums = self._sums()
            if sums is None:
                self._between = centrality(
                    self.N, "betweenness", k=self.k, seed=self.seed, backend=self.backend
                )
            else:
                self._between = betweenness_from(self.N, sums, k=self.k, seed=self.seed, backend=self.backend)
        return self._between

    def __enter__(self) -> _Igraph:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._worker is not None:
            self._worker.close()


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
    """Every family of weak links in one report: summary numbers, then each family's findings.

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
    (:math:`O(m + T)` for *T* transitive triples) and recommendations. For a network of
    :data:`ecograph.graph_worker.MIN_TIES` ties or more (``ECOGRAPH_PROCESSES``), igraph's
    communities and betweenness run in a second process while this one computes the rest;
    the numbers are the same.
    """
    wanted = SECTIONS if sections is None else tuple(s for s in SECTIONS if s in sections)
    N, D = _inputs(G, network, directed)
    summary = network_summary(N)
    if "period" in N.graph:  # the snapshot as of a period (ecograph.period.in_period)
        summary["period"] = {k: N.graph[k] for k in PERIOD_INFO_KEYS}
    found: dict[str, tuple[dict, dict]] = {}
    with _Igraph(N, wanted, k=k, seed=seed, backend=backend, method=method) as heavy:
        finish_brokers = None
        for key in sorted(wanted, key=_ORDER.index):
            if key == "bridges":
                found[key] = _bridges_section(N, top)
            elif key == "brokers":
                finish_brokers = _brokers_section(N, D, top, backend)
            elif key == "gaps":
                found[key] = _gaps_section(N, top), {}
            elif key == "communities":
                found[key] = _communities_section(N, top, seed, backend, method, heavy.communities())
            elif key == "periphery":
                section, counts = _periphery_section(N, top)
                found[key] = section, {f"periphery_{k}": v for k, v in counts.items()}
            elif key == "missing_links":
                found[key] = _missing_section(N, top), {}
            else:
                found[key] = _resilience_section(N, heavy.betweenness, seed, backend), {}
        if finish_brokers is not None:
            found["brokers"] = finish_brokers(heavy.betweenness()), {}
    for key in wanted:
        summary.update(found[key][1])
    out_sections = [found[key][0] for key in wanted]
    return jsonable(
        {
            "name": N.graph.get("name"),
            "parameters": {"top": top, "seed": seed, "k": k, "backend": backend, "method": method},
            "summary": summary,
            "sections": out_sections,
        }
    )
