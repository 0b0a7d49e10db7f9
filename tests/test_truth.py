"""The analyses find every weak link planted in the demo ecosystem (recall 100 % on the planted set)."""

import pytest

from ecograph import analysis
from ecograph.explain.weak_links import render_markdown
from ecograph.workspace import Workspace


@pytest.fixture(scope="module")
def G(demo_store_url):
    with Workspace(demo_store_url, cache_dir=False) as ws:
        yield ws.graph


def test_the_articulation_university_and_what_it_cuts_off(G, demo_truth):
    planted = demo_truth["articulation_university"]
    cuts = {c["id"]: c for c in analysis.articulation_cuts(G)}
    assert planted["id"] in cuts
    cut = cuts[planted["id"]]
    assert cut["cut_off"] >= len(planted["cut_off"])
    assert cut["makeup"]["province"].get(planted["province"], 0) >= len(planted["cut_off"])


def test_the_foreign_gatekeeper(G, demo_truth):
    planted = demo_truth["gatekeeper"]
    found = analysis.foreign_gatekeepers(G, by="country")
    groups = {row["group"]: [g["id"] for g in row["gateways"]] for row in found}
    assert groups[planted["country"]] == [planted["id"]]


def test_the_under_connected_sector_pair(G, demo_truth):
    pair = set(demo_truth["under_connected_sector_pair"])
    gaps = analysis.group_gaps(G, "sectors")
    ranked = [{row["group_a"], row["group_b"]} for row in gaps]
    assert pair in ranked[:5]
    row = gaps[ranked.index(pair)]
    assert row["observed"] == 0


def test_the_sector_whose_startups_have_no_research_partner(G, demo_truth):
    from ecograph.analysis.summary import research_reach

    first = research_reach(G)[0]
    assert first["group"] == demo_truth["sector_without_research"]
    assert first["with_research"] == 0 and first["organisations"] > 0


def test_the_isolates(G, demo_truth):
    assert {r["id"] for r in analysis.isolates(G)} == set(demo_truth["isolates"])


def test_the_missing_partnerships_are_recommended_and_nothing_existing_is(G, demo_truth):
    rows = analysis.recommend(G, top=len(demo_truth["missing_links"]) * 4)
    found = {frozenset((r["source"], r["target"])) for r in rows}
    for a, b in demo_truth["missing_links"]:
        assert frozenset((a, b)) in found
    assert not any(G.has_edge(r["source"], r["target"]) for r in rows)


def test_the_weak_link_report_names_them(demo_store_url, demo_truth):
    from ecograph import api

    report = api.weak_links(demo_store_url)
    text = render_markdown(report)
    with Workspace(demo_store_url, cache_dir=False) as ws:
        names = ws.graph.nodes
        assert names[demo_truth["articulation_university"]["id"]]["name"] in text
        assert names[demo_truth["gatekeeper"]["id"]]["name"] in text


def test_the_sector_without_research_is_a_sentence_of_the_weak_link_report(demo_store_url, demo_truth):
    from ecograph import api

    sector = demo_truth["sector_without_research"]
    report = api.weak_links(demo_store_url)
    gaps = next(s for s in report["sections"] if s["key"] == "gaps")["findings"]
    cross = [f for f in gaps if f["kind"] == "gap_sector_category"]
    research = [
        f for f in cross if f["group_a"] == sector and f["group_b"] in ("university", "research_institute")
    ]
    assert research, [f["sentence"] for f in cross]
    assert research[0]["sentence"].startswith(f"{sector.capitalize()} organisations and ")
    assert research[0]["sentence"] in render_markdown(report).replace("\\", "")
