"""Writing a store out: GraphML and GEXF for Gephi, node-link JSON, and canonical CSV.

The CSV export writes the canonical files (DESIGN.md) that ``ecograph load`` reads back
unchanged, with spreadsheet formulas neutralised (:mod:`ecograph.csvcells`).
"""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import networkx as nx

from ecograph.csvcells import neutralise
from ecograph.errors import UsageError
from ecograph.model import COLLABORATION_FIELDS, ORGANIZATION_FIELDS, clean_text
from ecograph.store import Store, open_store

__all__ = ["EXPORT_FORMATS", "export"]

EXPORT_FORMATS = ("graphml", "gexf", "json", "csv")


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


# Characters XML 1.0 forbids beyond the control characters clean_text() replaces.
_NOT_XML = re.compile("[\ud800-\udfff\ufffe\uffff]")


def _flat(attrs: dict[str, object]) -> dict[str, object]:
    """Attributes GraphML/GEXF can hold: no None, lists joined with ``|``, text that XML allows
    (a store written from Python, or by an earlier version, may hold any character)."""
    out: dict[str, object] = {}
    for key, value in attrs.items():
        if value is None:
            continue
        value = "|".join(value) if isinstance(value, tuple | list) else value
        out[key] = _NOT_XML.sub("", clean_text(value)) if isinstance(value, str) else value
    return out


def _flat_graph(G: nx.MultiDiGraph) -> nx.MultiDiGraph:
    H = nx.MultiDiGraph(**{k: v for k, v in G.graph.items() if isinstance(v, str | int | float)})
    H.add_nodes_from((n, _flat(d)) for n, d in G.nodes(data=True))
    H.add_edges_from((u, v, k, _flat(d)) for u, v, k, d in G.edges(keys=True, data=True))
    return H


def export(store: Store | str | None, format: str, out: str | Path) -> list[Path]:
    """Write the whole store to *out* in *format*; returns the files written.

    ``csv`` writes ``organizations.csv`` and ``collaborations.csv`` into the folder *out*
    (created if needed); the other formats write the one file *out*.
    """
    if format not in EXPORT_FORMATS:
        raise UsageError(f"unknown export format {format!r}; expected one of {', '.join(EXPORT_FORMATS)}")
    out = Path(out)
    handle = store if isinstance(store, Store) else open_store(store)
    try:
        if format == "csv":
            out.mkdir(parents=True, exist_ok=True)
            orgs_path, ties_path = out / "organizations.csv", out / "collaborations.csv"
            with open(orgs_path, "w", newline="", encoding="utf-8") as fh:
                writer = csv.writer(fh)
                writer.writerow(ORGANIZATION_FIELDS)
                writer.writerows(
                    [_cell(getattr(o, f)) for f in ORGANIZATION_FIELDS] for o in handle.organizations()
                )
            with open(ties_path, "w", newline="", encoding="utf-8") as fh:
                writer = csv.writer(fh)
                writer.writerow(COLLABORATION_FIELDS)
                writer.writerows(
                    [_cell(getattr(t, f)) for f in COLLABORATION_FIELDS] for t in handle.collaborations()
                )
            return [orgs_path, ties_path]
        G = handle.snapshot()
        if format == "graphml":
            nx.write_graphml(_flat_graph(G), out)
        elif format == "gexf":
            nx.write_gexf(_flat_graph(G), out)
        else:
            data = nx.node_link_data(G, edges="edges")
            out.write_text(json.dumps(data, ensure_ascii=False, indent=1, default=list), encoding="utf-8")
        return [out]
    finally:
        if handle is not store:
            handle.close()
