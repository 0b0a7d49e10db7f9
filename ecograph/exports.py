"""Writing a store out: GraphML and GEXF for Gephi and igraph, node-link JSON, and canonical CSV.

**GraphML and GEXF** hold one *undirected* multigraph: every collaboration is one edge, and
the two directed kinds (``investment``, ``spin_off``) carry ``directed = true`` and run
from ``source_id`` to ``target_id`` (investor to investee, parent to spin-off; the XML
``source`` and ``target`` are the same, but readers of an undirected graph may swap
them); every other edge has ``directed = false``. One graph with a marking attribute rather than two
files (mutual ties, directed ties): Gephi, igraph and networkx each read a graph as
directed or undirected as a whole, and an ecosystem is mostly mutual ties; two files
would hand analysts two halves whose union is the ecosystem, while one file with
``directed`` lets them filter the directed ties out or in (a Gephi filter, an igraph
``es.select(directed=True)``). Nodes are labelled with the organisation's name. GEXF is
static unless asked for a dynamic graph (``dynamic=True``): then each tie's dates become a
spell with ``timeformat="date"`` (a bare year ``2019`` starts on 2019-01-01 and ends on
2019-12-31).

Both XML formats are written here rather than by networkx's writers, which label GEXF
nodes with their ids, declare years as dates and write multigraph keys as attributes.
Characters XML 1.0 forbids (the C0 controls other than tab, newline and carriage
return, U+FFFE, U+FFFF and lone surrogates) become spaces; everything else is escaped by
the XML serialiser.

**JSON** is the store's snapshot as node-link data (:func:`networkx.node_link_data`): a
directed multigraph whose edges keep the order they were written in and carry
``directed``, exactly the graph ecograph's analyses start from.

**CSV** writes the canonical files (README, "File formats") that ``ecograph load`` reads
back unchanged, with spreadsheet formulas neutralised (:mod:`ecograph.csvcells`).

No export writes the store's URL: it may carry credentials.
"""

from __future__ import annotations

import csv
import datetime as _dt
import json
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from xml.etree.ElementTree import Element, ElementTree, SubElement

import networkx as nx

from ecograph.csvcells import neutralise
from ecograph.errors import UsageError
from ecograph.model import COLLABORATION_FIELDS, ORGANIZATION_FIELDS
from ecograph.store import Store, open_store

__all__ = ["EXPORT_FORMATS", "export", "xml_safe"]

EXPORT_FORMATS = ("graphml", "gexf", "json", "csv")

_XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_GRAPH_ATTRS = ("home_country", "store_version")  # never store_url: it may hold a password
_GRAPHML_NS = "http://graphml.graphdrawing.org/xmlns"
_GEXF_NS = "http://www.gexf.net/1.2draft"
_XSI = "http://www.w3.org/2001/XMLSchema-instance"


def xml_safe(text: str) -> str:
    """*text* with every character XML 1.0 forbids replaced by a space.

    Examples
    --------
    >>> xml_safe("Viện\\x0bKhoa học\\x00")
    'Viện Khoa học '
    """
    return _XML_FORBIDDEN.sub(" ", text)


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, tuple | list):
        return neutralise("|".join(value))
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, str):
        return neutralise(value)
    return str(value)


# -- the interchange graph -----------------------------------------------------------------


def _flat(value: object) -> object:
    """A value XML attributes can hold: lists joined with ``|``, text made XML-safe."""
    if isinstance(value, tuple | list):
        value = "|".join(map(str, value))
    return xml_safe(value) if isinstance(value, str) else value


def _node_rows(G: nx.MultiDiGraph) -> list[tuple[str, dict]]:
    rows = []
    for node, data in G.nodes(data=True):
        attrs = {"label": _flat(data.get("name") or str(node))}
        attrs.update((k, _flat(v)) for k, v in data.items() if v is not None and v != ())
        rows.append((xml_safe(str(node)), attrs))
    return rows


def _edge_rows(G: nx.MultiDiGraph) -> list[tuple[str, str, dict]]:
    """Each tie as (source, target, attributes) in the order written.

    ``id`` becomes ``tie_id`` (readers take an attribute called ``id`` for their own edge
    ids), and ``source_id``/``target_id`` repeat the ends as written: readers of an
    undirected graph may swap an edge's ends (igraph orders them), and a directed tie's
    direction must survive that.
    """
    rows = []
    for u, v, data in G.edges(data=True):
        source, target = xml_safe(str(u)), xml_safe(str(v))
        attrs: dict[str, object] = {"source_id": source, "target_id": target}
        for key, value in data.items():
            if value is None:
                continue
            attrs["tie_id" if key == "id" else key] = _flat(value)
        attrs["directed"] = bool(data.get("directed"))
        rows.append((source, target, attrs))
    return rows


def _types(rows: Iterable[Mapping[str, object]]) -> dict[str, str]:
    """Each attribute's type over all rows: ``boolean``, ``long``, ``double`` or ``string``."""
    seen: dict[str, set[type]] = {}
    for attrs in rows:
        for key, value in attrs.items():
            seen.setdefault(key, set()).add(type(value))
    out = {}
    for key, kinds in seen.items():
        if kinds == {bool}:
            out[key] = "boolean"
        elif kinds <= {int}:
            out[key] = "long"
        elif kinds <= {int, float}:
            out[key] = "double"
        else:
            out[key] = "string"
    return out


def _text(value: object, kind: str) -> str:
    if kind == "boolean":
        return "true" if value else "false"
    if kind == "double":
        return repr(float(value))  # type: ignore[arg-type]
    return str(value)


def _graph_attrs(G: nx.MultiDiGraph) -> dict[str, object]:
    return {k: _flat(G.graph[k]) for k in _GRAPH_ATTRS if G.graph.get(k) is not None}


# -- GraphML -------------------------------------------------------------------------------


def _write_graphml(G: nx.MultiDiGraph, out: Path) -> None:
    nodes, edges, graph = _node_rows(G), _edge_rows(G), _graph_attrs(G)
    root = Element(
        "graphml",
        {
            "xmlns": _GRAPHML_NS,
            "xmlns:xsi": _XSI,
            "xsi:schemaLocation": f"{_GRAPHML_NS} {_GRAPHML_NS}/1.0/graphml.xsd",
        },
    )
    keys: dict[tuple[str, str], tuple[str, str]] = {}  # (for, name) -> (key id, type)
    for domain, types in (
        ("graph", _types([graph])),
        ("node", _types(a for _, a in nodes)),
        ("edge", _types(a for _, _, a in edges)),
    ):
        for name, kind in types.items():
            key = f"{domain[0]}{len([k for k in keys if k[0] == domain])}"
            keys[(domain, name)] = (key, kind)
            SubElement(root, "key", {"id": key, "for": domain, "attr.name": name, "attr.type": kind})
    element = SubElement(root, "graph", {"id": "ecograph", "edgedefault": "undirected"})

    def data(parent: Element, domain: str, attrs: Mapping[str, object]) -> None:
        for name, value in attrs.items():
            key, kind = keys[(domain, name)]
            SubElement(parent, "data", {"key": key}).text = _text(value, kind)

    data(element, "graph", graph)
    for node, attrs in nodes:
        data(SubElement(element, "node", {"id": node}), "node", attrs)
    for u, v, attrs in edges:
        data(SubElement(element, "edge", {"source": u, "target": v}), "edge", attrs)
    ElementTree(root).write(out, encoding="utf-8", xml_declaration=True)


# -- GEXF ----------------------------------------------------------------------------------


def _spell(value: str, end: bool) -> str:
    """A tie date as an ``xsd:date``: a bare year covers the whole year."""
    if len(value) == 4:
        return f"{value}-12-31" if end else f"{value}-01-01"
    return _dt.date.fromisoformat(value).isoformat()


def _write_gexf(G: nx.MultiDiGraph, out: Path, dynamic: bool) -> None:
    nodes, edges = _node_rows(G), _edge_rows(G)
    root = Element(
        "gexf",
        {
            "xmlns": _GEXF_NS,
            "xmlns:xsi": _XSI,
            "xsi:schemaLocation": f"{_GEXF_NS} {_GEXF_NS}/gexf.xsd",
            "version": "1.2",
        },
    )
    meta = SubElement(root, "meta")
    SubElement(meta, "creator").text = "ecograph"
    home = G.graph.get("home_country")
    SubElement(meta, "description").text = (
        f"Innovation ecosystem (home country {home}); directed=true marks investments and spin-offs, "
        "which run from source to target"
        if home
        else "Innovation ecosystem"
    )
    graph = {"defaultedgetype": "undirected", "mode": "dynamic" if dynamic else "static"}
    if dynamic:
        graph["timeformat"] = "date"
    element = SubElement(root, "graph", graph)
    # label and weight are the XML attributes of GEXF nodes and edges, not attvalues; a
    # dynamic graph's tie dates are its spells
    special = {"node": {"label"}, "edge": {"weight"} | ({"start", "end"} if dynamic else set())}
    node_types = {k: t for k, t in _types(a for _, a in nodes).items() if k not in special["node"]}
    edge_types = {k: t for k, t in _types(a for _, _, a in edges).items() if k not in special["edge"]}
    ids: dict[tuple[str, str], str] = {}
    for domain, types in (("node", node_types), ("edge", edge_types)):
        block = SubElement(element, "attributes", {"class": domain, "mode": "static"})
        for name, kind in types.items():
            ids[(domain, name)] = str(len([k for k in ids if k[0] == domain]))
            SubElement(block, "attribute", {"id": ids[(domain, name)], "title": name, "type": kind})

    def attvalues(parent: Element, domain: str, attrs: Mapping[str, object], types: Mapping) -> None:
        values = [(name, v) for name, v in attrs.items() if name in types]
        if values:
            block = SubElement(parent, "attvalues")
            for name, value in values:
                SubElement(
                    block, "attvalue", {"for": ids[(domain, name)], "value": _text(value, types[name])}
                )

    block = SubElement(element, "nodes")
    for node, attrs in nodes:
        attvalues(
            SubElement(block, "node", {"id": node, "label": str(attrs["label"])}), "node", attrs, node_types
        )
    block = SubElement(element, "edges")
    for i, (u, v, attrs) in enumerate(edges):
        xml = {"id": str(i), "source": u, "target": v, "label": str(attrs.get("kind", ""))}
        if "weight" in attrs:
            xml["weight"] = repr(float(attrs["weight"]))  # type: ignore[arg-type]
        if dynamic:
            for bound in ("start", "end"):
                if bound in attrs:
                    xml[bound] = _spell(str(attrs[bound]), end=bound == "end")
        attvalues(SubElement(block, "edge", xml), "edge", attrs, edge_types)
    ElementTree(root).write(out, encoding="utf-8", xml_declaration=True)


# -- JSON and CSV --------------------------------------------------------------------------


def _json_safe(value: object) -> object:
    """*value* with lone surrogates (which UTF-8 cannot encode) replaced, inside lists too."""
    if isinstance(value, str):
        return _SURROGATE.sub("\ufffd", value)
    if isinstance(value, tuple | list):
        return [_json_safe(v) for v in value]
    return value


def _write_json(G: nx.MultiDiGraph, out: Path) -> None:
    data = nx.node_link_data(G, edges="edges")
    data["graph"] = _graph_attrs(G)
    for item in (*data["nodes"], *data["edges"]):
        for key, value in item.items():
            item[key] = _json_safe(value)
    out.write_text(json.dumps(data, ensure_ascii=False, indent=1, default=list), encoding="utf-8")


def _write_csv(handle: Store, out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    orgs_path, ties_path = out / "organizations.csv", out / "collaborations.csv"
    # errors="replace": a lone surrogate (UTF-8 has none) becomes "?" instead of an error
    with open(orgs_path, "w", newline="", encoding="utf-8", errors="replace") as fh:
        writer = csv.writer(fh)
        writer.writerow(ORGANIZATION_FIELDS)
        writer.writerows([_cell(getattr(o, f)) for f in ORGANIZATION_FIELDS] for o in handle.organizations())
    with open(ties_path, "w", newline="", encoding="utf-8", errors="replace") as fh:
        writer = csv.writer(fh)
        writer.writerow(COLLABORATION_FIELDS)
        writer.writerows(
            [_cell(getattr(t, f)) for f in COLLABORATION_FIELDS] for t in handle.collaborations()
        )
    return [orgs_path, ties_path]


def export(store: Store | str | None, format: str, out: str | Path, *, dynamic: bool = False) -> list[Path]:
    """Write the whole store to *out* in *format*; returns the files written.

    Parameters
    ----------
    store : Store, URL or None
        The store; None opens the ``store`` setting.
    format : {"graphml", "gexf", "json", "csv"}
        ``csv`` writes ``organizations.csv`` and ``collaborations.csv`` into the folder
        *out* (created if needed); the other formats write the one file *out*.
    out : path
    dynamic : bool, optional (default False)
        GEXF only: a dynamic graph whose ties have date spells.

    Returns
    -------
    list of Path
    """
    if format not in EXPORT_FORMATS:
        raise UsageError(f"unknown export format {format!r}; expected one of {', '.join(EXPORT_FORMATS)}")
    if dynamic and format != "gexf":
        raise UsageError("--dynamic applies to --format gexf only")
    out = Path(out)
    handle = store if isinstance(store, Store) else open_store(store)
    try:
        if format == "csv":
            return _write_csv(handle, out)
        G = handle.snapshot()
        if format == "graphml":
            _write_graphml(G, out)
        elif format == "gexf":
            _write_gexf(G, out, dynamic)
        else:
            _write_json(G, out)
        return [out]
    finally:
        if handle is not store:
            handle.close()
