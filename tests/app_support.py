"""Stores and an ``AppTest`` runner shared by the explorer's ``tests/test_app_*.py``."""

from __future__ import annotations

import os
from collections.abc import Mapping
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest
from browser_support import ROOT, make_demo_store
from streamlit.testing.v1 import AppTest

from ecograph.explorer import maps

APP = ROOT / "app.py"
TIMEOUT = 240  # seconds for one script run: the first run on a store computes the weak-link report
PAGES = {
    "overview": "Overview",
    "network": "Network map",
    "profile": "Organisation profile",
    "weak_links": "Weak links",
    "change": "Change over time",
    "centrality": "Centrality",
    "recommendations": "Recommendations",
    "named_queries": "Queries",
    "load": "Load data",
}
_stores: dict[str, str] = {}


def _once(name: str, factory: pytest.TempPathFactory, build) -> str:
    """Build a store once per test session (several test modules share it)."""
    if name not in _stores:
        _stores[name] = build(factory.mktemp(name))
    return _stores[name]


def demo_url(factory: pytest.TempPathFactory) -> str:
    """A small demo ecosystem (150 organisations) plus the test organisations."""
    return _once("app-demo", factory, lambda folder: make_demo_store(folder, orgs=150, seed=1))


def map_url(factory: pytest.TempPathFactory) -> str:
    """A demo ecosystem large enough for the WebGL map (400 organisations, plus the test ones)."""
    return _once("app-map", factory, lambda folder: make_demo_store(folder, orgs=400, seed=2))


def empty_url(factory: pytest.TempPathFactory) -> str:
    def build(folder: Path) -> str:
        import ecograph

        url = f"sqlite:///{folder / 'empty.db'}"
        ecograph.open_store(url).close()  # creates the file and its tables
        return url

    return _once("app-empty", factory, build)


def tieless_url(factory: pytest.TempPathFactory) -> str:
    """Three organisations and no collaboration: every weak-link family finds nothing to draw."""

    def build(folder: Path) -> str:
        import ecograph

        path = folder / "orgs.csv"
        path.write_text(
            "id,name,kind,country,province\n"
            "a,Alpha Labs,startup,VN,Hà Nội\n"
            "b,Beta Uni,university,VN,Đà Nẵng\n"
            "c,Gamma GmbH,company,DE,\n",
            encoding="utf-8",
        )
        url = f"sqlite:///{folder / 'tieless.db'}"
        ecograph.load([path], url)
        return url

    return _once("app-tieless", factory, build)


def clean_env(monkeypatch: pytest.MonkeyPatch, url: str, env: Mapping[str, str] | None = None) -> None:
    for name in list(os.environ):
        if name.startswith("ECOGRAPH_") and name != "ECOGRAPH_NEO4J_HOME":
            monkeypatch.delenv(name)
    monkeypatch.setenv("ECOGRAPH_STORE", url)
    for key, value in (env or {}).items():
        monkeypatch.setenv(key, value)


def open_page(
    page: str,
    url: str,
    monkeypatch: pytest.MonkeyPatch,
    *,
    env: Mapping[str, str] | None = None,
    query: Mapping[str, str] | None = None,
) -> AppTest:
    """Run the app on *url*, then switch to *page*; fails on any uncaught exception."""
    clean_env(monkeypatch, url, env)
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.run()  # the landing page registers the navigation
    assert not at.exception, [e.value for e in at.exception]
    if page != "overview" or query:
        at.switch_page(f"ecograph/explorer/{page}.py")
        for key, value in (query or {}).items():
            at.query_params[key] = value
        at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def texts(at: AppTest, element: str) -> list[str]:
    """The values of every element of one kind (``"markdown"``, ``"caption"``, ``"warning"``…)."""
    return [str(e.value) for e in getattr(at, element)]


def iframes(at: AppTest) -> list[str]:
    """The HTML of every ``st.iframe`` on the page (AppTest cannot look inside them): its
    ``srcdoc``, or the WebGL map's page that the explorer serves at its URL."""
    return [e.proto.srcdoc or maps.served_page(e.proto.src) for e in at.get("iframe")]


class _Tables(HTMLParser):
    """The rows of every ``<table>`` in an HTML text, each cell's text unescaped."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[list[list[str]]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            self.tables[-1][-1].append("".join(self._cell))
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def html_tables(at: AppTest) -> list[pd.DataFrame]:
    """Every HTML table the page shows with ``st.html`` (its short tables), as text columns
    named by the header row."""
    parser = _Tables()
    for element in at.get("html"):
        parser.feed(element.proto.body)
    return [pd.DataFrame(rows[1:], columns=rows[0]) for rows in parser.tables if rows]


def open_map_filters(at: AppTest) -> AppTest:
    """Open the network map's filters, whose widgets are made only while they are open."""
    at.session_state["map_filters"] = True
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def open_map_table(at: AppTest) -> AppTest:
    """Open the network map's table popover, whose content is made only while it is open."""
    at.session_state["map_table"] = True
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at
