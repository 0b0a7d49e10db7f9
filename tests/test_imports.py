"""Data flows one way through the load path: no import cycle touches ``ecograph/ingest/``,
and what the load path replaced is gone."""

from __future__ import annotations

import ast
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("ecograph", "loaders", "queries")


def _module(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _statements(tree: ast.AST):
    """Every import statement that can run: in functions too, not under ``if TYPE_CHECKING``."""
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.If)
            and getattr(node.test, "id", getattr(node.test, "attr", "")) == "TYPE_CHECKING"
        ):
            node.body = []
    return [node for node in ast.walk(tree) if isinstance(node, ast.Import | ast.ImportFrom)]


def _imports(path: Path, name: str, known: set[str]) -> set[str]:
    """Every module of ours that *path* imports, anywhere in it, with the packages each
    import runs on the way."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in _statements(ast.parse(path.read_text(encoding="utf-8"))):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(
                    package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else [])
                )
            targets = [f"{base}.{alias.name}" for alias in node.names] + [base]
        for target in targets:
            parts = target.split(".")
            for i in range(1, len(parts) + 1):  # importing a.b.c runs a and a.b first
                if ".".join(parts[:i]) in known:
                    found.add(".".join(parts[:i]))
    found.discard(name)
    return found


def import_graph() -> dict[str, set[str]]:
    paths = {_module(p): p for package in PACKAGES for p in (ROOT / package).rglob("*.py")}
    known = set(paths)
    return {name: _imports(path, name, known) for name, path in paths.items()}


def cycles(graph: dict[str, set[str]]) -> list[set[str]]:
    """The strongly connected components of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[set[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = set()
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.add(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(component)

    for node in graph:
        if node not in index:
            visit(node)
    return found


def test_the_graph_sees_the_load_path_imports():
    graph = import_graph()
    assert "ecograph.ingest.validate" in graph["ecograph.ingest.pipeline"]
    assert "ecograph.store" in graph["ecograph.ingest.pipeline"]
    assert cycles({"a": {"b"}, "b": {"a"}, "c": {"a"}}) == [{"a", "b"}]


def test_no_import_cycle_touches_the_load_path():
    touching = [sorted(c) for c in cycles(import_graph()) if any(m.startswith("ecograph.ingest") for m in c)]
    assert touching == []


def test_what_the_load_path_replaced_is_gone():
    names = ["fast_" + "organization", "fast_" + "collaboration", "tie_" + "worker", "takes_" + "staged_ties"]
    found = subprocess.run(["git", "grep", "-n", "\\|".join(names)], cwd=ROOT, capture_output=True, text=True)
    assert found.stdout == ""
