"""The explorer as a hostile visitor meets it: the store is the operator's, credentials go
nowhere else, what a link carries is text, downloads are spreadsheet-safe, a rebuilt store
is seen at once, and a store's trouble shows no path."""

from __future__ import annotations

import shutil
import socket
import threading

import csv_support
import pytest
import streamlit
from app_support import demo_url, open_map_table, open_page, texts

import ecograph
from ecograph.model import Collaboration, Organization
from ecograph.report import LoadBatch
from ecograph.store import WritePart
from ecograph.store.sqlite import SqliteStore

SECRET = "Operator-S3cret-Pa55word"


class FakeBolt:
    """A listener on 127.0.0.1 that speaks just enough Bolt for a driver to log in (it agrees
    to Bolt 5.0, whose HELLO carries the credentials) and records every byte it receives."""

    def __init__(self) -> None:
        self.received = bytearray()
        self.connections = 0
        self._server = socket.create_server(("127.0.0.1", 0))
        self._server.settimeout(0.2)
        self.port = self._server.getsockname()[1]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"bolt://127.0.0.1:{self.port}"

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._server.accept()
            except TimeoutError:
                continue
            self.connections += 1
            with conn:
                conn.settimeout(2)
                try:
                    handshake = conn.recv(20)
                    self.received += handshake
                    conn.sendall(b"\x00\x00\x04\x05")  # Bolt 5.4: HELLO, then LOGON with the credentials
                    while chunk := conn.recv(65536):
                        self.received += chunk
                except OSError:
                    pass

    def close(self) -> None:
        self._stop.set()
        self._thread.join(5)
        self._server.close()


@pytest.fixture
def fake_bolt():
    listener = FakeBolt()
    yield listener
    listener.close()


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> str:
    return demo_url(tmp_path_factory)


def test_a_visitor_cannot_point_the_explorer_at_another_store(demo, fake_bolt, tmp_path, monkeypatch):
    """The sidebar offers the operator's stores by name; a URL a visitor types goes nowhere."""
    made = tmp_path / "made-by-a-visitor.db"
    at = open_page("overview", demo, monkeypatch, env={"ECOGRAPH_NEO4J_PASSWORD": SECRET})
    for typed in (fake_bolt.url, f"bolt://neo4j@127.0.0.1:{fake_bolt.port}", f"sqlite:///{made}"):
        for field in at.sidebar.text_input:  # the old "Store" field took any URL
            field.input(typed).run()
        at.query_params["store"] = typed
        at.run()
    assert not at.sidebar.text_input and not at.sidebar.selectbox
    assert SECRET.encode() not in fake_bolt.received
    assert fake_bolt.connections == 0
    assert not made.exists()
    assert at.metric[0].value != "0"  # still the operator's store


def test_the_operators_list_offers_names_and_credentials_go_only_there(demo, fake_bolt, monkeypatch):
    env = {"ECOGRAPH_NEO4J_PASSWORD": SECRET, "ECOGRAPH_EXPLORER_STORES": f"archive={demo}"}
    at = open_page("overview", demo, monkeypatch, env=env)
    (choice,) = at.sidebar.selectbox
    assert choice.options == ["default", "archive"]
    choice.set_value("archive").run()
    assert at.metric[0].value != "0"
    assert fake_bolt.connections == 0 and SECRET.encode() not in fake_bolt.received


def test_the_fake_listener_would_have_received_the_password(fake_bolt, monkeypatch):
    """The listener is a fair witness: a store opened on it by its operator gets the password."""
    from ecograph.errors import StoreUnavailable
    from ecograph.store.neo4j import Neo4jStore

    monkeypatch.setenv("ECOGRAPH_NEO4J_PASSWORD", SECRET)
    with pytest.raises(StoreUnavailable):
        Neo4jStore(fake_bolt.url, connection_timeout=2)
    assert SECRET.encode() in fake_bolt.received


def test_profile_link_text_is_never_markdown(demo, monkeypatch):
    org = "[Log in](https://evil.example/login) ![t](http://evil.example/track.png) :red[x] <b>y</b>"
    at = open_page("profile", demo, monkeypatch, query={"org": org})
    assert texts(at, "warning") == [
        "No organisation has the id this link gives; search for it by name instead."
    ]
    assert texts(at, "text") == [org]  # st.text: shown as it is, never read as Markdown
    assert not [m for m in texts(at, "markdown") if "evil" in m]


# -- downloads ------------------------------------------------------------------------------------

FORMULA = '=HYPERLINK("http://evil.example","Trusted Uni")'


@pytest.fixture(scope="module")
def formula_store(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A demo store with organisations whose names and provinces a spreadsheet would run."""
    folder = tmp_path_factory.mktemp("formulas")
    url = f"sqlite:///{folder / 'formulas.db'}"
    ecograph.demo(url, orgs=150, seed=2)
    with SqliteStore(url) as store:
        hub = next(o.id for o in store.organizations() if o.kind == "university")
        odd = [
            Organization("f-1", FORMULA, "startup", "VN", province="+cmd|' /C calc'!A0", sectors=("ai",)),
            Organization("f-2", "@SUM(1+1)", "company", "VN", province="-2+3", sectors=("ai",)),
        ]
        ties = [Collaboration(hub, "f-1", "research", start="2020"), Collaboration("f-1", "f-2", "mou")]
        store.write([WritePart(LoadBatch("formulas.csv"), odd, ties)])
    return url


@pytest.fixture
def downloads(monkeypatch):
    """Every ``st.download_button`` a page draws: (file name, bytes)."""
    seen: list[tuple[str, bytes]] = []

    def record(label, data, file_name=None, mime=None, **kwargs):
        data = data() if callable(data) else data  # a deferred download: made when clicked
        seen.append((file_name, data if isinstance(data, bytes) else str(data).encode()))
        return False

    monkeypatch.setattr(streamlit, "download_button", record)
    return seen


@pytest.mark.parametrize(
    ("page", "query", "wanted"),
    [
        ("centrality", {}, "centrality-degree.csv"),
        ("recommendations", {}, "recommendations.csv"),
        ("profile", {"org": "f-1"}, "f-1-collaborations.csv"),
        ("weak_links", {"family": "gaps"}, "under-connected-category.csv"),
        ("weak_links", {"family": "periphery"}, None),
        ("network", {}, "organisations-in-view.csv"),
    ],
)
def test_every_csv_download_is_spreadsheet_safe(formula_store, downloads, monkeypatch, page, query, wanted):
    at = open_page(page, formula_store, monkeypatch, query=query)
    if query.get("family") == "gaps":
        at.radio(key="weak_gap_attr").set_value("province").run()  # the odd provinces
    if page == "network":
        open_map_table(at)
    files = [(name, data) for name, data in downloads if name and name.endswith(".csv")]
    assert files, f"no CSV download on {page}"
    if wanted:
        assert wanted in {name for name, _ in files}
    for name, data in files:
        assert csv_support.formulas(data) == [], name
    everything = [c for _, data in files for c in csv_support.cells(data)]
    if page in ("centrality", "network"):
        assert "'" + FORMULA in everything  # the name is there, made safe
    if page == "profile":
        assert "'@SUM(1+1)" in everything  # its partner


def test_the_named_query_download_is_spreadsheet_safe(formula_store, downloads, monkeypatch):
    at = open_page("named_queries", formula_store, monkeypatch)
    at.selectbox(key="query_name").set_value("startups-without-investors").run()
    at.button[0].click().run()
    ((_, data),) = [(n, d) for n, d in downloads if n == "startups-without-investors.csv"][-1:]
    cells = csv_support.cells(data)
    assert "'" + FORMULA in cells and "'+cmd|' /C calc'!A0" in cells
    assert csv_support.formulas(data) == []


def test_the_problems_download_is_spreadsheet_safe(formula_store, downloads, monkeypatch):
    at = open_page("load", formula_store, monkeypatch, env={"ECOGRAPH_ALLOW_WRITES": "1"})
    bad = b'id,name,kind\nx,"=HYPERLINK(""http://evil"")",=cmd\n'
    at.file_uploader[0].set_value([("-2+3.csv", bad, "text/csv")]).run()  # staged as -2_3.csv
    ((_, data),) = [(n, d) for n, d in downloads if n == "problems.csv"][-1:]
    assert "'-2_3.csv" in csv_support.cells(data)  # the file's name, made safe
    assert csv_support.formulas(data) == []


# -- a rebuilt store ------------------------------------------------------------------------------


def test_a_store_deleted_and_built_again_is_shown_at_once(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'eco.db'}"
    ecograph.demo(url, orgs=150, seed=1)
    at = open_page("overview", url, monkeypatch)
    assert {m.label: m.value for m in at.metric}["Organisations"] == "150"
    (tmp_path / "eco.db").unlink()
    shutil.rmtree(tmp_path / "eco.db.cache", ignore_errors=True)
    ecograph.demo(url, orgs=120, seed=3)  # version 1 again
    with SqliteStore(url) as store:
        assert store.store_version() == 1
    at.run()
    assert {m.label: m.value for m in at.metric}["Organisations"] == "120"


# -- errors without paths -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    ["sqlite:///{tmp}/missing-folder/x.db", "neo4j://nonexistent.invalid:7687"],
    ids=["sqlite", "neo4j"],
)
def test_a_store_that_cannot_be_opened_shows_no_path_or_url(tmp_path, monkeypatch, caplog, url):
    url = url.format(tmp=tmp_path)
    at = open_page("overview", url, monkeypatch)
    (error,) = texts(at, "error")
    assert error.startswith("The store “default” is not available right now: it cannot be reached or opened.")
    assert str(tmp_path) not in error and "nonexistent" not in error and "sqlite" not in error
    assert any(
        "nonexistent.invalid" in r.getMessage() or str(tmp_path) in r.getMessage() for r in caplog.records
    )
