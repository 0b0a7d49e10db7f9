"""Peripheral organisations on a small hand-made ecosystem."""

import networkx as nx
import pytest

from ecograph.analysis import (
    foreign_gatekeepers,
    institutes_without_foreign_partner,
    isolates,
    periphery,
    small_components,
    startups_without_investor,
    universities_without_industry,
)
from ecograph.errors import UsageError

ORGS = {
    # id: (name, kind, country, province)
    "hust": ("Đại học Bách khoa", "university", "VN", "Hà Nội"),
    "ctu": ("Đại học Cần Thơ", "university", "VN", "Cần Thơ"),
    "vast": ("Viện Hàn lâm", "research_institute", "VN", "Hà Nội"),
    "ri2": ("Viện Lúa", "research_institute", "VN", "Cần Thơ"),
    "s1": ("Startup One", "startup", "VN", "Hà Nội"),
    "s2": ("Startup Two", "startup", "VN", "Cần Thơ"),
    "s3": ("Startup Three", "startup", "VN", "Cần Thơ"),
    "co": ("Công ty Một", "company", "VN", "Hà Nội"),
    "vc": ("Quỹ Đầu tư", "investor", "VN", "Hà Nội"),
    "jp1": ("Tokyo Lab", "research_institute", "JP", None),
    "jp2": ("Osaka Works", "company", "JP", None),
    "kr": ("Seoul Uni", "university", "KR", None),
    "lone": ("Lonely Hub", "support_org", "VN", "Huế"),
    "p1": ("Pair One", "startup", "VN", "Huế"),
    "p2": ("Pair Two", "company", "VN", "Huế"),
}
TIES = [
    ("hust", "s1", ("research",)),
    ("hust", "vast", ("co_publication",)),
    ("vast", "jp1", ("joint_project",)),
    ("vast", "kr", ("mou",)),
    ("hust", "kr", ("training",)),
    ("ctu", "ri2", ("research",)),
    ("ctu", "jp2", ("joint_project",)),
    ("ctu", "hust", ("mou",)),
    ("s2", "ctu", ("incubation",)),
    ("s3", "s2", ("other",)),
    ("co", "s1", ("licensing",)),
    ("co", "s3", ("investment",)),  # a corporate investment counts as an investor tie
    ("vc", "s1", ("investment",)),
    ("p1", "p2", ("joint_project",)),
]


def ecosystem():
    G = nx.Graph(home_country="VN")
    for v, (name, kind, country, province) in ORGS.items():
        G.add_node(
            v,
            name=name,
            kind=kind,
            country=country,
            province=province,
            category="foreign_partner" if country != "VN" else kind,
            sectors=(),
        )
    for u, v, kinds in TIES:
        G.add_edge(u, v, kinds=kinds, weight=1.0)
    return G


def ids(rows):
    return [r["id"] for r in rows]


def test_isolates_and_small_components():
    G = ecosystem()
    assert ids(isolates(G)) == ["lone"]
    assert isolates(G)[0]["partners"] == 0
    comps = small_components(G)
    assert [(c["size"], c["members"], c["ties"]) for c in comps] == [(2, ["p1", "p2"], 1)]
    assert comps[0]["makeup"]["category"] == {"company": 1, "startup": 1}
    assert comps[0]["examples"] == ["Pair One", "Pair Two"]
    assert small_components(G, max_size=1) == []


def test_startups_without_investor():
    assert ids(startups_without_investor(ecosystem())) == ["s2", "p1"]  # most partners first


def test_universities_without_industry():
    # ctu's partners: a research institute, a foreign company, hust and a startup: it has industry.
    G = ecosystem()
    assert ids(universities_without_industry(G)) == []
    G.remove_edges_from([("ctu", "jp2"), ("s2", "ctu")])
    assert ids(universities_without_industry(G)) == ["ctu"]


def test_institutes_without_foreign_partner():
    assert ids(institutes_without_foreign_partner(ecosystem())) == ["ri2"]


def test_province_gatekeepers():
    rows = foreign_gatekeepers(ecosystem())
    # Hà Nội has two gateways (hust, vast); Cần Thơ only ctu; Huế none.
    assert [(r["group"], ids(r["gateways"]), r["organisations"], r["foreign_partners"]) for r in rows] == [
        ("Cần Thơ", ["ctu"], 4, 1)
    ]
    assert rows[0]["gateways"][0]["foreign_ties"] == 1
    wider = foreign_gatekeepers(ecosystem(), max_gateways=2)
    assert [r["group"] for r in wider] == ["Hà Nội", "Cần Thơ"]
    assert ids(wider[0]["gateways"]) == ["vast", "hust"]  # most foreign ties first


def test_country_gatekeepers():
    rows = foreign_gatekeepers(ecosystem(), by="country", min_organisations=1)
    # JP partners reach through vast and ctu (two); KR through vast and hust.
    assert rows == []
    G = ecosystem()
    G.remove_edge("ctu", "jp2")
    G.add_edge("vast", "jp2")
    rows = foreign_gatekeepers(G, by="country")
    assert [(r["group"], ids(r["gateways"]), r["organisations"]) for r in rows] == [("JP", ["vast"], 2)]
    assert rows[0]["gateways"][0]["foreign_ties"] == 2
    with pytest.raises(UsageError):
        foreign_gatekeepers(G, by="sector")


def test_periphery_gathers_every_list():
    found = periphery(ecosystem())
    assert {k: len(v) for k, v in found.items()} == {
        "isolates": 1,
        "small_components": 1,
        "startups_without_investor": 2,
        "universities_without_industry": 0,
        "institutes_without_foreign_partner": 1,
        "province_gatekeepers": 1,
        "country_gatekeepers": 0,
    }
