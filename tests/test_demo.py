"""The synthetic ecosystem: deterministic, valid, plausible, and its planted weak links hold."""

from __future__ import annotations

import csv
import hashlib
import json
import math
import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import networkx as nx
import pytest
from checking import checked

from ecograph.csvcells import restore
from ecograph.model import COLLABORATION_FIELDS, ORGANIZATION_FIELDS
from ecograph.synthetic import MIN_ORGS, Demo, generate, write_csv

ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
RESEARCH = {"university", "research_institute"}


@pytest.fixture(scope="module")
def demo() -> Demo:
    return generate()


@pytest.fixture(scope="module")
def small() -> Demo:
    return generate(orgs=300, seed=11)


@pytest.fixture(scope="module")
def large() -> Demo:
    return generate(orgs=5000, seed=3)


def graph(demo: Demo) -> nx.Graph:
    """The undirected projection."""
    G = nx.Graph()
    G.add_nodes_from(o.id for o in demo.organizations)
    G.add_edges_from((c.source, c.target) for c in demo.collaborations)
    return G


def by_id(demo: Demo) -> dict:
    return {o.id: o for o in demo.organizations}


# --------------------------------------------------------------------------- determinism


def test_same_seed_same_output(small: Demo) -> None:
    again = generate(orgs=300, seed=11)
    assert again.organizations == small.organizations
    assert again.collaborations == small.collaborations
    assert again.truth == small.truth


def test_other_seed_other_output(small: Demo) -> None:
    other = generate(orgs=300, seed=12)
    assert other.organizations != small.organizations
    assert other.collaborations != small.collaborations


DIGEST = """
import hashlib, json, sys
import ecograph.synthetic as m
d = m.generate(orgs=200, seed=4)
h = hashlib.sha256(json.dumps(d.truth, sort_keys=True).encode())
for path in m.write_csv(d, sys.argv[1]):
    h.update(path.read_bytes())
print(h.hexdigest())
"""


def test_output_does_not_depend_on_hash_seed(tmp_path: Path) -> None:
    def run(hash_seed: str) -> str:
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        folder = str(tmp_path / hash_seed)
        out = subprocess.run(
            [sys.executable, "-c", DIGEST, folder], env=env, capture_output=True, text=True, check=True
        )
        return out.stdout.strip()

    # This process hashes with its own seed; one other process with another must agree.
    here = hashlib.sha256(json.dumps(generate(orgs=200, seed=4).truth, sort_keys=True).encode())
    for path in write_csv(generate(orgs=200, seed=4), tmp_path / "here"):
        here.update(path.read_bytes())
    assert run("1" if os.environ.get("PYTHONHASHSEED") != "1" else "2") == here.hexdigest()


# --------------------------------------------------------------------------- size and mix


def test_counts_near_targets(demo: Demo, large: Demo) -> None:
    assert len(demo.organizations) == 1500 == demo.truth["orgs"]
    assert 5800 <= len(demo.collaborations) <= 6300
    assert demo.truth["collaborations"] == len(demo.collaborations)
    assert len(large.organizations) == 5000
    assert 4.0 * 5000 <= len(large.collaborations) <= 4.6 * 5000


def test_kind_and_country_mix(demo: Demo) -> None:
    kinds = Counter(o.kind for o in demo.organizations)
    assert kinds["startup"] > kinds["company"] > kinds["university"]
    assert kinds["startup"] + kinds["company"] > 0.6 * 1500
    for kind in ("university", "research_institute", "investor", "government", "support_org"):
        assert 20 <= kinds[kind] <= 200, kind
    foreign = [o for o in demo.organizations if o.country != "VN"]
    assert 0.08 <= len(foreign) / 1500 <= 0.10
    assert len({o.country for o in foreign}) >= 8


def test_provinces_weighted_towards_hubs(demo: Demo) -> None:
    home = [o for o in demo.organizations if o.country == "VN"]
    assert all(o.province and o.city for o in home)
    provinces = Counter(o.province for o in home)
    assert {p for p, _ in provinces.most_common(2)} == {"Hà Nội", "TP. Hồ Chí Minh"}
    assert len(provinces) >= 15


def test_names_ids_and_fields(demo: Demo) -> None:
    names = [o.name for o in demo.organizations]
    assert len(set(names)) == len(names)
    assert any(any(c in n for c in "Đđơưạảấầẩẫậắằẳẵặệộợựồờừ") for n in names)
    ids = [o.id for o in demo.organizations]
    assert len(set(ids)) == len(ids)
    assert all(ID.fullmatch(i) for i in ids)
    assert sum(bool(o.aliases) for o in demo.organizations) > 100
    for o in demo.organizations:
        if o.kind in ("startup", "company"):
            assert 1 <= len(o.sectors) <= 3
        assert all(s == s.lower() for s in o.sectors)
        assert not {"agritech", "fintech"} <= set(o.sectors)
        assert o.founded is None or 1800 <= o.founded <= 2025
        assert o.website is None or o.website.endswith(".example.com")


def test_ties_suit_their_pairs(demo: Demo) -> None:
    orgs = by_id(demo)
    for c in demo.collaborations:
        a, b = orgs[c.source], orgs[c.target]
        kinds = {a.kind, b.kind}
        assert c.source != c.target
        assert c.weight > 0
        assert 2015 <= int(c.start[:4]) <= 2026
        if c.kind == "investment":
            assert a.kind == "investor" and b.kind in ("startup", "company")
            assert c.amount and c.amount > 0 and c.currency in ("VND", "USD")
        else:
            assert c.amount is None and c.currency is None
        if c.kind == "spin_off":
            assert a.kind in RESEARCH and b.kind == "startup"
        if c.kind == "incubation":
            assert kinds == {"support_org", "startup"}
        if c.kind == "co_publication":
            assert kinds <= RESEARCH
        if a.country != "VN" or b.country != "VN":
            assert c.kind in ("joint_project", "co_publication", "mou", "investment")
    kinds = Counter(c.kind for c in demo.collaborations)
    assert set(kinds) >= {
        "investment", "research", "co_publication", "joint_project", "mou", "spin_off",
        "incubation", "licensing", "training",
    }  # fmt: skip
    assert any(c.end for c in demo.collaborations)
    assert any(c.start and len(c.start) == 10 for c in demo.collaborations)
    assert any(c.evidence and c.evidence.startswith("https://example.org/") for c in demo.collaborations)


def test_hubs_and_provincial_clustering(demo: Demo) -> None:
    G = graph(demo)
    degrees = sorted((d for _, d in G.degree()), reverse=True)
    assert degrees[0] >= 8 * degrees[len(degrees) // 2]
    orgs = by_id(demo)
    home = [(a, b) for a, b in G.edges() if orgs[a].country == orgs[b].country == "VN"]
    same = sum(orgs[a].province == orgs[b].province for a, b in home)
    # Far above what provinces drawn independently would give (about a fifth).
    assert same / len(home) > 0.4


# --------------------------------------------------------------------------- validity


def test_records_round_trip_through_the_model(demo: Demo) -> None:
    raws = [
        {k: list(v) if isinstance(v, tuple) else v for k, v in o.as_dict().items()}
        for o in demo.organizations
    ]
    assert checked("organization", raws) == [(o, []) for o in demo.organizations]
    ties = [c.as_dict() for c in demo.collaborations]
    assert checked("collaboration", ties) == [(c, []) for c in demo.collaborations]
    assert len({c.key for c in demo.collaborations}) == len(demo.collaborations)


def test_write_csv_round_trips(small: Demo, tmp_path: Path) -> None:
    orgs_path, collabs_path = write_csv(small, tmp_path / "out")
    assert orgs_path.name == "organizations.csv" and collabs_path.name == "collaborations.csv"
    org_text = orgs_path.read_text(encoding="utf-8")
    assert org_text.splitlines()[0] == (
        "id,name,kind,country,province,city,sectors,founded,aliases,website,ror,description"
    )
    assert ",".join(ORGANIZATION_FIELDS) == org_text.splitlines()[0]
    tie_text = collabs_path.read_text(encoding="utf-8")
    assert tie_text.splitlines()[0] == "source,target,kind,weight,start,end,amount,currency,evidence,id"
    assert ",".join(COLLABORATION_FIELDS) == tie_text.splitlines()[0]
    assert ".0," not in tie_text
    with orgs_path.open(encoding="utf-8", newline="") as f:
        rows = [{k: restore(v) for k, v in row.items()} for row in csv.DictReader(f)]
    assert checked("organization", rows) == [(o, []) for o in small.organizations]
    with collabs_path.open(encoding="utf-8", newline="") as f:
        rows = [{k: restore(v) for k, v in row.items()} for row in csv.DictReader(f)]
    assert checked("collaboration", rows) == [(c, []) for c in small.collaborations]


def test_truth_is_json(demo: Demo) -> None:
    assert json.loads(json.dumps(demo.truth)) == demo.truth
    assert set(demo.truth) == {
        "seed", "orgs", "collaborations", "home_country", "articulation_university",
        "gatekeeper", "sector_without_research", "under_connected_sector_pair", "isolates",
        "startups_without_investor", "missing_links", "changes",
    }  # fmt: skip
    assert set(demo.truth["changes"]) == {
        "before", "after", "healed_bridge", "new_gatekeeper", "sector_gaining_research", "recommended_pairs",
    }  # fmt: skip


def test_rejects_bad_arguments() -> None:
    with pytest.raises(ValueError, match="orgs"):
        generate(orgs=10)
    with pytest.raises(ValueError, match="home_country"):
        generate(orgs=300, home_country="XX")


def test_other_home_country() -> None:
    d = generate(orgs=200, seed=1, home_country="th")
    countries = Counter(o.country for o in d.organizations)
    assert countries.most_common(1)[0][0] == "TH"
    assert d.truth["home_country"] == "TH"


# --------------------------------------------------------------------------- planted weak links


@pytest.fixture(params=["small", "demo", "large"])
def any_demo(request: pytest.FixtureRequest) -> Demo:
    return request.getfixturevalue(request.param)


def test_articulation_university(any_demo: Demo) -> None:
    truth, orgs, G = any_demo.truth["articulation_university"], by_id(any_demo), graph(any_demo)
    u, cut = truth["id"], set(truth["cut_off"])
    assert orgs[u].kind == "university" and orgs[u].province == truth["province"]
    assert len(cut) >= 5
    in_province = {o.id for o in any_demo.organizations if o.province == truth["province"]}
    assert in_province == cut | {u}
    assert u in set(nx.articulation_points(G))
    H = G.copy()
    H.remove_node(u)
    assert nx.node_connected_component(H, next(iter(cut))) == cut
    largest = max(nx.connected_components(G), key=len)
    assert u in largest and cut <= largest


def test_gatekeeper(any_demo: Demo) -> None:
    truth, orgs, G = any_demo.truth["gatekeeper"], by_id(any_demo), graph(any_demo)
    g, partners = truth["id"], set(truth["foreign_partners"])
    assert orgs[g].kind == "research_institute" and orgs[g].country == "VN"
    assert len(partners) >= 5
    assert {orgs[p].country for p in partners} == {truth["country"]}
    assert {o.id for o in any_demo.organizations if o.country == truth["country"]} == partners
    for p in partners:
        assert g in G[p]
        assert set(G[p]) <= partners | {g}
    assert any(orgs[v].country == "VN" for v in G[g])
    assert g in set(nx.articulation_points(G))


def test_sector_without_research(any_demo: Demo) -> None:
    sector, orgs, G = any_demo.truth["sector_without_research"], by_id(any_demo), graph(any_demo)
    startups = [o.id for o in any_demo.organizations if o.kind == "startup" and sector in o.sectors]
    assert len(startups) >= 5
    for s in startups:
        assert G.degree(s) >= 1
        assert not any(orgs[v].kind in RESEARCH for v in G[s])
    # Other startups do have research partners.
    others = [o.id for o in any_demo.organizations if o.kind == "startup" and sector not in o.sectors]
    assert sum(any(orgs[v].kind in RESEARCH for v in G[s]) for s in others) > 0.1 * len(others)


def test_under_connected_sector_pair(any_demo: Demo) -> None:
    s1, s2 = any_demo.truth["under_connected_sector_pair"]
    orgs, G = by_id(any_demo), graph(any_demo)
    strength = Counter()
    for v, d in G.degree():
        for s in orgs[v].sectors:
            strength[s] += d
    # Both are among the largest sectors.
    sizes = Counter(s for o in any_demo.organizations for s in o.sectors)
    largest = [s for s, _ in sizes.most_common(6)]
    assert s1 in largest and s2 in largest
    observed = sum(
        (s1 in orgs[a].sectors and s2 in orgs[b].sectors) or (s2 in orgs[a].sectors and s1 in orgs[b].sectors)
        for a, b in G.edges()
    )
    expected = strength[s1] * strength[s2] / (2 * G.number_of_edges())
    assert expected >= 5
    assert observed / expected < 0.1


def test_isolates(any_demo: Demo) -> None:
    isolates = any_demo.truth["isolates"]
    assert len(isolates) >= 3
    assert sorted(nx.isolates(graph(any_demo))) == isolates


def test_startups_without_investor(any_demo: Demo) -> None:
    invested = {c.target for c in any_demo.collaborations if c.kind == "investment"}
    expected = sorted(o.id for o in any_demo.organizations if o.kind == "startup" and o.id not in invested)
    assert any_demo.truth["startups_without_investor"] == expected
    startups = sum(o.kind == "startup" for o in any_demo.organizations)
    assert 0 < len(expected) < startups / 2


def test_missing_links(any_demo: Demo) -> None:
    orgs, G = by_id(any_demo), graph(any_demo)
    pairs = any_demo.truth["missing_links"]
    assert len(pairs) >= 3
    assert len({v for pair in pairs for v in pair}) == 2 * len(pairs)
    for a, b in pairs:
        assert not G.has_edge(a, b)
        assert len(list(nx.common_neighbors(G, a, b))) >= 4
        assert set(orgs[a].sectors) & set(orgs[b].sectors)


def test_missing_links_rank_high(demo: Demo) -> None:
    """Among all untied pairs, the planted ones are top by Adamic–Adar."""
    G = graph(demo)
    scores: Counter = Counter()
    for w in G:
        neighbours = sorted(G[w])
        if len(neighbours) > 1:
            weight = 1 / math.log(len(neighbours))
            for k, u in enumerate(neighbours):
                for v in neighbours[k + 1 :]:
                    scores[u, v] += weight
    top = [pair for pair, _ in scores.most_common(200) if not G.has_edge(*pair)][:25]
    assert {tuple(p) for p in demo.truth["missing_links"]} <= set(top)


def test_minimum_size_still_plants_everything() -> None:
    d = generate(orgs=MIN_ORGS, seed=9)
    assert len(d.organizations) == MIN_ORGS
    assert len(d.truth["missing_links"]) >= 2
