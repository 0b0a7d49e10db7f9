"""The weak-link report: every section, JSON-able, its numbers from analysis/, its words from explain/,
and escaped renderings."""

import ast
import json
from pathlib import Path

import networkx as nx
import pytest

from ecograph import snapshot
from ecograph.analysis import SECTIONS, weak_link_report
from ecograph.analysis import report as report_module
from ecograph.explain.weak_link_families import FAMILIES
from ecograph.explain.weak_link_findings import SENTENCES
from ecograph.explain.weak_links import render_html, render_markdown, worded
from ecograph.model import Collaboration, Organization

EVIL = "<script>alert(1)</script>"


def org(id, name, kind, province=None, country="VN", sectors=()):
    return Organization(id=id, name=name, kind=kind, country=country, province=province, sectors=sectors)


def tie(source, target, kind="research"):
    return Collaboration(source=source, target=target, kind=kind)


def snapshot_graph():
    """A small ecosystem with a planted bridge, a provincial gatekeeper, isolates and a missing link."""
    orgs = [
        org("hust", "Đại học Bách khoa", "university", "Hà Nội", sectors=("ai", "iot")),
        org("vnu", "Đại học Quốc gia", "university", "Hà Nội", sectors=("ai",)),
        org("vast", "Viện Hàn lâm", "research_institute", "Hà Nội", sectors=("materials",)),
        org("fpt", "FPT", "company", "Hà Nội", sectors=("ai",)),
        org("viettel", "Viettel", "company", "Hà Nội", sectors=("iot",)),
        org("s1", "AI Startup", "startup", "Hà Nội", sectors=("ai",)),
        org("s2", "IoT Startup", "startup", "Hà Nội", sectors=("iot",)),
        org("vc", "Quỹ Đổi mới", "investor", "Hà Nội"),
        org("hub", "Hà Nội Hub", "support_org", "Hà Nội"),
        org("ctu", "Đại học Cần Thơ", "university", "Cần Thơ", sectors=("agritech",)),
        org("ri", "Viện Lúa", "research_institute", "Cần Thơ", sectors=("agritech",)),
        org("agri", "Mekong Agri", "startup", "Cần Thơ", sectors=("agritech",)),
        org("evil", EVIL, "startup", "Cần Thơ", sectors=("agritech",)),
        org("jp", "Tokyo Lab", "research_institute", country="JP"),
        org("jp2", "Kyoto Materials", "company", country="JP"),
        org("kr", "Seoul Works", "company", country="KR"),
        org("lone", "Lonely Hub", "support_org", "Huế"),
        org("p1", "Pair One", "startup", "Huế"),
        org("p2", "Pair Two", "company", "Huế"),
    ]
    ties = [
        tie("hust", "vnu", "co_publication"),
        tie("hust", "vast", "joint_project"),
        tie("vnu", "vast"),
        tie("hust", "fpt"),
        tie("vnu", "fpt"),
        tie("fpt", "viettel", "mou"),
        tie("hust", "viettel"),
        tie("hust", "s1", "incubation"),
        tie("vnu", "s1"),
        tie("hub", "s1", "incubation"),
        tie("hub", "s2", "incubation"),
        tie("viettel", "s2"),
        tie("vc", "s1", "investment"),
        tie("vast", "jp", "joint_project"),
        tie("vast", "jp2", "licensing"),
        tie("hust", "kr", "training"),
        tie("hust", "ctu", "mou"),  # Cần Thơ's only link to the rest
        tie("ctu", "ri"),
        tie("ctu", "agri", "spin_off"),
        tie("ri", "agri"),
        tie("agri", "evil", "joint_project"),
        tie("ri", "evil"),
        tie("p1", "p2", "joint_project"),
    ]
    return snapshot.build_snapshot(orgs, ties, "VN")


@pytest.fixture(scope="module")
def data():
    return weak_link_report(snapshot_graph(), top=5)


@pytest.fixture(scope="module")
def report(data):
    return worded(data)


def sentences(report, key):
    section = next(s for s in report["sections"] if s["key"] == key)
    return [f["sentence"] for f in section["findings"]]


def test_every_section_in_order_and_json_able(report):
    assert [s["key"] for s in report["sections"]] == list(SECTIONS)
    text = json.dumps(report, allow_nan=False, ensure_ascii=False)
    assert json.loads(text) == report
    for section in report["sections"]:
        assert section["title"] and section["intro"]
        for finding in section["findings"]:
            assert isinstance(finding["sentence"], str) and finding["sentence"].endswith(".")


def test_summary_numbers(report):
    s = report["summary"]
    assert s["organisations"] == 19 and s["ties"] == 23
    assert s["components"] == 3 and s["largest_component"] == 16 and s["isolates"] == 1
    assert s["by_category"]["startup"] == 5 and s["by_category"]["foreign_partner"] == 3
    assert s["articulation_points"] >= 1 and s["bridges"] >= 1
    assert report["parameters"] == {"top": 5, "seed": 0, "k": None, "backend": None, "method": "louvain"}
    assert report["title"] == "Weak links in the ecosystem"


def test_bridge_and_articulation_findings_name_the_weak_link(report):
    found = sentences(report, "bridges")
    assert any(
        "The tie between Đại học Bách khoa and Đại học Cần Thơ is the only link to 4 organisations" in s
        for s in found
    )
    assert any(
        s.startswith("Đại học Cần Thơ (university, Cần Thơ) is the only link between 3 organisations")
        for s in found
    )


def test_brokers_gaps_communities(report):
    brokers = sentences(report, "brokers")
    assert any(s.startswith("Đại học Bách khoa (university) lies on") for s in brokers)
    assert any("gatekeeper" in s for s in brokers)
    assert sentences(report, "gaps")  # some pair of groups is under-connected
    assert any("Community" in s for s in sentences(report, "communities"))


def test_every_finding_keeps_its_type_in_kind_and_the_organisations_kind_apart(report):
    brokers = next(s for s in report["sections"] if s["key"] == "brokers")["findings"]
    kinds = {f["kind"] for f in brokers}
    assert {"structural_hole", "betweenness", "brokerage_gatekeeper"} <= kinds
    assert not kinds & {"university", "startup", "company", "research_institute", "investor"}
    hust = next(f for f in brokers if f["kind"] == "betweenness" and f["id"] == "hust")
    assert hust["org_kind"] == "university" and hust["category"] == "university"
    for section in report["sections"]:
        prefixes = {"bridges": ("bridge", "articulation_point", "local_bridge"), "gaps": ("gap_",)}
        for finding in section["findings"]:
            assert finding["kind"].startswith(prefixes.get(section["key"], ("",)))


def test_gaps_pair_sectors_with_categories():
    G = snapshot.undirected(snapshot_graph())
    rows = weak_link_report(G, sections=("gaps",))["sections"][0]["findings"]
    kinds = {f["kind"] for f in rows}
    assert kinds <= {"gap_category", "gap_sectors", "gap_sector_category", "gap_province"}
    from ecograph.analysis import group_gaps

    cross = {
        (r["group_a"], r["group_b"]): r for r in group_gaps(G, "sectors", across="category", min_expected=0)
    }
    # three ties join an agritech organisation to a university: hust–ctu, ctu–ri and ctu–agri
    assert cross[("agritech", "university")]["observed"] == 3.0
    assert cross[("agritech", "foreign_partner")]["observed"] == 0.0
    assert cross[("agritech", "foreign_partner")]["attr"] == "sectors×category"


def test_periphery_findings(report):
    found = " ".join(sentences(report, "periphery"))
    assert "1 organisation has no tie at all: Lonely Hub." in found
    assert (
        "1 group (2 organisations) is tied among themselves but not to the main network: Pair One, Pair Two (2)."
        in found
    )
    assert "startups have no investor" in found
    assert "Of the 4 organisations in Cần Thơ, only Đại học Cần Thơ has foreign partners" not in found
    assert "All 2 partners from JP reach the country through Viện Hàn lâm (research institute)." in found


def test_missing_links_come_with_reasons(report):
    found = sentences(report, "missing_links")
    assert found
    assert all(": " in s for s in found)
    assert any("shared partner" in s for s in found)


def test_resilience_table(report):
    section = next(s for s in report["sections"] if s["key"] == "resilience")
    assert section["table"]["columns"] == ["removed", "fraction", "targeted", "random"]
    assert section["table"]["rows"][0][:3] == [0, 0.0, 16]
    assert section["method"] == "exact"


def test_the_same_seed_gives_the_same_report():
    G = snapshot_graph()
    assert weak_link_report(G, top=3) == weak_link_report(G, top=3)


def test_sections_filter_and_undirected_input():
    U = snapshot.undirected(snapshot_graph())
    out = weak_link_report(U, sections=("periphery", "gaps"))
    assert [s["key"] for s in out["sections"]] == ["gaps", "periphery"]
    assert "bridges" not in out["summary"]
    D = nx.DiGraph(nx.path_graph(4))
    assert weak_link_report(D, sections=("brokers",))["summary"]["ties"] == 3


def test_html_is_a_standalone_document_with_every_name_escaped(report):
    page = render_html(report)
    assert page.startswith("<!DOCTYPE html>")
    assert "<style>" in page and "<title>Weak links in the ecosystem</title>" in page
    assert "<script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "Đại học Cần Thơ" in page
    assert page.count("<section") == len(SECTIONS)
    assert "<table>" in page


def test_markdown_has_headings_and_no_raw_html(report):
    text = render_markdown(report)
    assert text.startswith("# Weak links in the ecosystem\n")
    assert text.count("\n## ") == len(SECTIONS)
    assert "<script>" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "| removed | fraction | targeted | random |" in text


def test_an_empty_graph_gives_an_empty_report():
    out = weak_link_report(nx.Graph())
    assert out["summary"]["organisations"] == 0
    assert "Nothing to report." in render_markdown(out)
    assert "<!DOCTYPE html>" in render_html(out)


# -- numbers in analysis/, words in explain/ ------------------------------------------------------

WORDS = {"title", "intro", "sentence", "reason"}  # a missing link's reason is worded from its why


def _keys(x) -> set[str]:
    if isinstance(x, dict):
        return set(x).union(*(_keys(v) for v in x.values()))
    if isinstance(x, list):
        return set().union(*(_keys(v) for v in x))
    return set()


def test_the_analysis_returns_numbers_and_names_without_words(data):
    assert not _keys(data) & WORDS
    assert all(f["kind"] in SENTENCES for s in data["sections"] for f in s["findings"])
    assert data["name"] is None


def _unworded(x):
    if isinstance(x, dict):
        return {k: _unworded(v) for k, v in x.items() if k not in WORDS}
    if isinstance(x, list):
        return [_unworded(v) for v in x]
    return x


def test_wording_keeps_every_number_and_words_a_worded_report_the_same(data, report):
    assert _unworded(report) == data
    assert worded(report) == report
    assert render_markdown(data) == render_markdown(report) and render_html(data) == render_html(report)


def test_a_named_graph_names_the_report():
    G = nx.Graph([("a", "b")], name="Đà Nẵng")
    out = worded(weak_link_report(G, sections=("periphery",)))
    assert out["title"] == "Weak links in Đà Nẵng"
    assert render_markdown(out).startswith("# Weak links in Đà Nẵng\n")


def test_every_family_is_explained_once_in_explain():
    assert list(FAMILIES) == list(SECTIONS)
    source = Path(report_module.__file__).read_text(encoding="utf-8")
    tree = ast.parse(source)
    imported = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    assert not {m for m in imported if m and m.startswith("ecograph.explain")}, imported
    strings = [n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)]
    assert not WORDS & set(strings)
    for family in FAMILIES.values():  # no title, explanation or intro is written in analysis/ too
        assert family.title not in strings and family.explanation not in source
    # f-strings build keys ("gap_sectors"), never a sentence
    literal_parts = [
        part.value
        for n in ast.walk(tree)
        if isinstance(n, ast.JoinedStr)
        for part in n.values
        if isinstance(part, ast.Constant)
    ]
    assert literal_parts and not [p for p in literal_parts if " " in p]
