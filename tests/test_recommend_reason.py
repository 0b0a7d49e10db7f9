"""A recommendation's reason: data in analysis/, one sentence written in explain/, the same everywhere."""

from __future__ import annotations

import ast
import importlib
import json
from pathlib import Path

import networkx as nx
import pytest
from app_support import demo_url, html_tables, open_page

from ecograph.analysis import recommend
from ecograph.explain.recommendations import reason, worded


def test_the_analysis_returns_the_reason_as_data_and_builds_no_sentence():
    module = importlib.import_module("ecograph.analysis.recommend")  # the package names the function alike
    tree = ast.parse(Path(module.__file__).read_text(encoding="utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.FunctionDef | ast.ClassDef)
        and ast.get_docstring(node) is not None
    }
    texts = [
        n.value
        for n in ast.walk(tree)
        if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in docstrings
    ]
    assert texts  # the keys of the rows
    for words in ("shared partner", "both in", "different provinces", " more", "; "):
        assert not [t for t in texts if words in t], words
    G = nx.complete_bipartite_graph(2, 5)
    row = recommend(G, top=1)[0]
    assert "reason" not in row
    assert row["why"] == {
        "partners": ["2", "3", "4"],
        "partner_count": 5,
        "sectors": [],
        "provinces": [None, None],
    }
    assert reason(row) == "5 shared partners: 2, 3, 4 and 2 more"
    words = worded(row)
    assert list(words)[-1] == "reason" and "why" not in words and worded(words) == words


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> str:
    return demo_url(tmp_path_factory)


def test_the_command_line_and_the_explorer_give_a_pair_the_same_reason(demo, cli, monkeypatch):
    out = cli(
        "recommend",
        "--from",
        "university",
        "--to",
        "startup",
        "--top",
        "200",
        "--format",
        "json",
        "--store",
        demo,
    )
    assert out.exit_code == 0, out.output
    said = {(r["source_name"], r["target_name"]): r["reason"] for r in json.loads(out.stdout)}
    at = open_page("recommendations", demo, monkeypatch)
    at.selectbox(key="rec_source").set_value("university")
    at.selectbox(key="rec_target").set_value("startup").run()
    (frame,) = html_tables(at)  # the page's table is HTML (escaped cells), read back as text
    shown = list(zip(frame["organisation"], frame["partner"], frame["reason"], strict=True))
    assert shown and any("shared partner" in r for *_, r in shown)
    assert [r for *_, r in shown] == [said[(a, b)] for a, b, _ in shown]
