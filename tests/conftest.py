"""Shared fixtures: real stores (a SQLite file per test; the session's Neo4j server), files, the CLI."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from ecograph.cli import main
from ecograph.store.sqlite import SqliteStore

pytest_plugins = ["neo4j_plugin"]

STORE_KINDS = ["sqlite", pytest.param("neo4j", marks=pytest.mark.neo4j)]


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'ecograph.db'}"


@pytest.fixture
def sqlite_store(sqlite_url: str) -> Iterator[SqliteStore]:
    with SqliteStore(sqlite_url) as store:
        yield store


@pytest.fixture(params=STORE_KINDS)
def store(request: pytest.FixtureRequest):
    """The same contract on every kind of store."""
    yield request.getfixturevalue(f"{request.param}_store")


@pytest.fixture(scope="session")
def demo_store_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A SQLite store holding the default demo ecosystem (seed 1), shared read-only by the session."""
    import ecograph

    folder = tmp_path_factory.mktemp("demo")
    url = f"sqlite:///{folder / 'demo.db'}"
    ecograph.demo(url, orgs=1500, seed=1, truth=folder / "truth.json")
    return url


@pytest.fixture(scope="session")
def demo_truth(demo_store_url: str) -> dict:
    """The planted weak links of :func:`demo_store_url`."""
    import json

    return json.loads((Path(demo_store_url.removeprefix("sqlite:///")).parent / "truth.json").read_text())


@pytest.fixture
def write(tmp_path: Path):
    """Write a file under the test's folder: ``write("orgs.csv", text, encoding="utf-8")``."""

    def _write(name: str, text: str | bytes, encoding: str = "utf-8") -> Path:
        path = tmp_path / name
        path.write_bytes(text if isinstance(text, bytes) else text.encode(encoding))
        return path

    return _write


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    """Run the real ``ecograph`` command in-process; stdout and stderr kept apart."""
    monkeypatch.chdir(tmp_path)
    for name in list(os.environ):
        if name.startswith("ECOGRAPH_") and name != "ECOGRAPH_NEO4J_HOME":
            monkeypatch.delenv(name)

    def _run(*args: str) -> Result:
        return CliRunner().invoke(main, list(args), catch_exceptions=False)

    return _run
