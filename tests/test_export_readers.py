"""Every export read back by independent readers — networkx and python-igraph — with its
nodes, edges and attributes intact, including names no format could hold as written."""

import datetime as dt
import json
import warnings
import xml.etree.ElementTree as ET

import igraph as ig
import networkx as nx
import pandas as pd
import pytest

from ecograph.exports import export, xml_safe
from ecograph.model import Collaboration, Organization
from ecograph.report import LoadBatch
from ecograph.store import WritePart

GEXF = "{http://www.gexf.net/1.2draft}"
C0 = "".join(chr(c) for c in range(32))
HOSTILE = [
    f"C0 controls: {C0}end",
    "<b>HTML</b> & <script>alert('x')</script>",
    "CDATA ]]> terminator <![CDATA[ inside ]]>",
    "quotes \" and ' and emoji 🚀🇻🇳 and Đại học",
    "\x0bvertical tab from a spreadsheet\x0c",
]
NODE_ATTRS = {"name", "kind", "country", "category", "label"}  # present on every organisation


def organisations() -> list[Organization]:
    orgs = [
        Organization(
            id="hust", name="Đại học Bách khoa Hà Nội", kind="university", country="VN",
            province="Hà Nội", sectors=("ai", "semiconductors"), founded=1956, aliases=("HUST", "BKHN"),
        ),
        Organization(id="vc", name="Quỹ Đổi mới", kind="investor", country="VN"),
        Organization(id="lotus", name="Lotus AI", kind="startup", country="VN", sectors=("ai",)),
        Organization(id="kx", name="Daejeon Institute", kind="research_institute", country="KR"),
    ]  # fmt: skip
    orgs += [
        Organization(id=f"evil{i}", name=name, kind="company", country="VN", description=name)
        for i, name in enumerate(HOSTILE)
    ]
    return orgs


def ties() -> list[Collaboration]:
    out = [
        Collaboration(source="vc", target="lotus", kind="investment", amount=250000.0, currency="USD", start="2022"),
        Collaboration(source="hust", target="lotus", kind="spin_off", start="2021-03-01"),
        Collaboration(source="hust", target="kx", kind="co_publication", weight=3.0, start="2019", end="2023"),
        Collaboration(source="hust", target="kx", kind="research", id="agreement-7", evidence=HOSTILE[1]),
        Collaboration(source="lotus", target="hust", kind="mou"),
    ]  # fmt: skip
    out += [Collaboration(source="hust", target=f"evil{i}", kind="training") for i in range(len(HOSTILE))]
    return out


@pytest.fixture
def filled(sqlite_store):
    """Written through the store's API: the load path would turn the controls into spaces."""
    sqlite_store.write([WritePart(LoadBatch(file="hostile"), organisations(), ties())])
    return sqlite_store


def no_warnings(read, *args, **kwargs):
    """Read with every warning an error: igraph warns instead of failing on what it drops."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return read(*args, **kwargs)


def test_graphml_reads_as_one_undirected_graph_in_networkx_and_igraph(filled, tmp_path):
    path = export(filled, "graphml", tmp_path / "g.graphml")[0]
    G = nx.read_graphml(path)
    g = no_warnings(ig.Graph.Read_GraphML, str(path))
    n, m = len(organisations()), len(ties())
    assert (G.number_of_nodes(), G.number_of_edges()) == (n, m)
    assert (g.vcount(), g.ecount()) == (n, m)
    assert not G.is_directed() and not g.is_directed() and G.is_multigraph()
    # the same attributes for every reader: igraph lists each declared one on every element
    node_names = {k for _, d in G.nodes(data=True) for k in d}
    edge_names = {k for *_, d in G.edges(data=True) for k in d}
    assert set(g.vs.attributes()) == node_names | {"id"}  # igraph keeps GraphML's node id as "id"
    assert set(g.es.attributes()) == edge_names
    assert node_names >= NODE_ATTRS and "tie_id" in edge_names and "id" not in edge_names
    assert {"kind", "weight", "directed", "year", "start"} <= edge_names
    # labels are names; directed kinds are marked and run from source to target
    assert G.nodes["hust"]["label"] == "Đại học Bách khoa Hà Nội"
    assert g.vs.find(id="lotus")["label"] == "Lotus AI"
    directed = sorted((e["source_id"], e["target_id"], e["kind"]) for e in g.es if e["directed"])
    assert directed == [("hust", "lotus", "spin_off"), ("vc", "lotus", "investment")]
    assert {(d["source_id"], d["target_id"]) for *_, d in G.edges(data=True) if d["directed"] is True} == {
        ("hust", "lotus"),
        ("vc", "lotus"),
    }
    for e in g.es:  # whichever way a reader stores an edge, its ends are the written ones
        assert {g.vs[e.source]["id"], g.vs[e.target]["id"]} == {e["source_id"], e["target_id"]}
    assert [d["tie_id"] for *_, d in G.edges(data=True) if "tie_id" in d] == ["agreement-7"]
    assert G.nodes["hust"]["sectors"] == "ai|semiconductors" and G.nodes["hust"]["founded"] == 1956
    root = ET.parse(path).getroot()
    assert "store_url" not in ET.tostring(root, encoding="unicode")


def test_gexf_is_static_with_names_as_labels(filled, tmp_path):
    path = export(filled, "gexf", tmp_path / "g.gexf")[0]
    G = nx.read_gexf(path)
    n, m = len(organisations()), len(ties())
    assert (G.number_of_nodes(), G.number_of_edges()) == (n, m) and not G.is_directed()
    assert G.nodes["hust"]["label"] == "Đại học Bách khoa Hà Nội"
    graph = ET.parse(path).getroot().find(f"{GEXF}graph")
    assert graph.get("mode") == "static" and graph.get("timeformat") is None
    assert graph.get("defaultedgetype") == "undirected"
    edges = graph.find(f"{GEXF}edges")
    assert all(e.get("start") is None and e.get("end") is None for e in edges)
    # python-igraph has no GEXF reader: it builds the graph from the XML's own elements
    g = igraph_from_gexf(path)
    assert (g.vcount(), g.ecount()) == (n, m)
    node_names = {k for _, d in G.nodes(data=True) for k in d}
    assert set(g.vs.attributes()) - {"gexf_id"} == node_names
    # networkx keeps GEXF's edge id as "id"; DictList keeps the ends it was given
    edge_names = {k for *_, d in G.edges(data=True) for k in d} - {"id"}
    assert set(g.es.attributes()) - {"source", "target"} == edge_names
    spin = next(e for e in g.es if e["kind"] == "spin_off")
    assert (spin["source_id"], spin["target_id"], spin["directed"]) == ("hust", "lotus", "true")
    assert {d["start"] for *_, d in G.edges(data=True) if "start" in d} == {"2022", "2021-03-01", "2019"}


def test_gexf_dynamic_has_dates_valid_in_its_time_format(filled, tmp_path):
    path = export(filled, "gexf", tmp_path / "d.gexf", dynamic=True)[0]
    graph = ET.parse(path).getroot().find(f"{GEXF}graph")
    assert graph.get("mode") == "dynamic" and graph.get("timeformat") == "date"
    spells = [(e.get("start"), e.get("end")) for e in graph.find(f"{GEXF}edges")]
    for start, end in spells:
        for value in (start, end):
            if value is not None:
                dt.date.fromisoformat(value)  # an xsd:date, never a bare year
    assert ("2019-01-01", "2023-12-31") in spells and ("2021-03-01", None) in spells
    G = nx.read_gexf(path)
    assert G.number_of_edges() == len(ties())
    assert {d.get("start") for *_, d in G.edges(data=True)} >= {"2019-01-01", "2022-01-01"}


def test_json_is_the_snapshot_for_networkx_and_igraph(filled, tmp_path):
    path = export(filled, "json", tmp_path / "g.json")[0]
    data = json.loads(path.read_text(encoding="utf-8"))
    assert "store_url" not in data["graph"]
    G = nx.node_link_graph(data, edges="edges")
    g = ig.Graph.DictList(data["nodes"], data["edges"], directed=data["directed"], vertex_name_attr="id")
    n, m = len(organisations()), len(ties())
    assert (G.number_of_nodes(), G.number_of_edges()) == (g.vcount(), g.ecount()) == (n, m)
    assert set(g.vs.attributes()) == {k for _, d in G.nodes(data=True) for k in d} | {"id"}
    assert set(g.es.attributes()) == {k for *_, d in G.edges(data=True) for k in d} | {
        "key",
        "source",
        "target",
    }
    assert G.nodes["evil0"]["name"] == HOSTILE[0]  # JSON escapes controls; nothing is lost
    assert G.nodes["hust"]["aliases"] == ["HUST", "BKHN"]


def test_csv_files_for_networkx_and_igraph(filled, tmp_path):
    orgs_path, ties_path = export(filled, "csv", tmp_path / "csv")
    orgs = pd.read_csv(orgs_path, dtype=str, keep_default_na=False)
    edges = pd.read_csv(ties_path, dtype=str, keep_default_na=False)
    # igraph names vertices by the first column (the id), so the name column needs another title
    vertices = orgs.rename(columns={"name": "org_name"})
    g = ig.Graph.DataFrame(edges, directed=True, vertices=vertices, use_vids=False)
    G = nx.from_pandas_edgelist(edges, edge_attr=True, create_using=nx.MultiDiGraph)
    assert (g.vcount(), g.ecount()) == (len(organisations()), len(ties()))
    assert G.number_of_edges() == len(ties())
    assert len(g.vs.attributes()) == len(orgs.columns) and len(g.es.attributes()) == len(edges.columns) - 2
    assert g.vs.find(name="evil3")["org_name"] == HOSTILE[3]
    assert G.nodes["evil3"] == {} and G.number_of_nodes() == len(organisations())


def test_no_format_writes_a_character_it_forbids(filled, tmp_path):
    for fmt in ("graphml", "gexf"):
        path = export(filled, fmt, tmp_path / f"h.{fmt}")[0]
        text = path.read_text(encoding="utf-8")
        assert not {c for c in text if ord(c) < 32 and c not in "\t\n\r"}, fmt
        ET.parse(path)  # a strict XML parser accepts it
        G = nx.read_graphml(path) if fmt == "graphml" else nx.read_gexf(path)
        for i, name in enumerate(HOSTILE):
            expected = xml_safe(name)
            if fmt == "graphml":  # XML reads a carriage return in element text as a line feed
                expected = expected.replace("\r", "\n")
            assert G.nodes[f"evil{i}"]["label"] == expected == G.nodes[f"evil{i}"]["description"]
    assert xml_safe(HOSTILE[0]) == "C0 controls: " + " " * 9 + "\t\n  \r" + " " * 18 + "end"
    g = no_warnings(ig.Graph.Read_GraphML, str(tmp_path / "h.graphml"))
    assert g.vs.find(id="evil3")["label"] == HOSTILE[3]  # emoji, quotes and diacritics as written
    assert g.vs.find(id="evil2")["label"] == HOSTILE[2] and g.vs.find(id="evil1")["label"] == HOSTILE[1]


def test_the_command_line_exports_a_dynamic_gexf(cli, sqlite_url, filled, tmp_path):
    out = tmp_path / "cli.gexf"
    result = cli("export", "--format", "gexf", "--dynamic", "--out", str(out), "--store", sqlite_url)
    assert result.exit_code == 0 and result.stdout == f"wrote {out}\n"
    assert ET.parse(out).getroot().find(f"{GEXF}graph").get("mode") == "dynamic"
    bad = cli("export", "--format", "graphml", "--dynamic", "--out", str(out), "--store", sqlite_url)
    assert bad.exit_code == 2 and bad.stderr == "Error: --dynamic applies to --format gexf only\n"


def igraph_from_gexf(path) -> ig.Graph:
    """An igraph graph from a GEXF file's nodes, edges and attribute values."""
    graph = ET.parse(path).getroot().find(f"{GEXF}graph")
    titles = {
        block.get("class"): {a.get("id"): a.get("title") for a in block}
        for block in graph.findall(f"{GEXF}attributes")
    }

    def values(element, cls):
        block = element.find(f"{GEXF}attvalues")
        return {titles[cls][v.get("for")]: v.get("value") for v in (block if block is not None else [])}

    nodes = [
        {"gexf_id": n.get("id"), "label": n.get("label"), **values(n, "node")}
        for n in graph.find(f"{GEXF}nodes")
    ]
    edges = [
        {"source": e.get("source"), "target": e.get("target"), "label": e.get("label"), "weight": e.get("weight"),
         **values(e, "edge")}
        for e in graph.find(f"{GEXF}edges")
    ]  # fmt: skip
    return ig.Graph.DictList(nodes, edges, directed=False, vertex_name_attr="gexf_id")
