"""Pytest plugin: one throwaway Neo4j server for the whole test session.

Loaded by ``tests/conftest.py`` (``pytest_plugins = ["neo4j_plugin"]``). Fixtures:

* ``neo4j_server`` (session): installs Neo4j's jars and the Graph Data Science plugin if
  needed, starts one server with auth off, the plugin loaded, an empty data folder under
  the session's temporary folder and a free port, and stops it at the end. The server also stops if pytest dies (``die_with_parent``).
* ``neo4j_url`` (session): its ``bolt://127.0.0.1:<port>`` URL.
* ``neo4j_store`` (function): a :class:`~ecograph.store.neo4j.Neo4jStore` on an empty
  database (every node deleted, so the store's meta and history too).

Any test that uses these fixtures is marked ``neo4j``, so ``-m "not neo4j"`` leaves them out.

**Under ``CI=true`` a Neo4j test that cannot start or reach its server fails; it never
skips.** Elsewhere a machine without Java 17/21 skips them with the reason; any other
failure to start is an error, not a skip.

``ECOGRAPH_TEST_NEO4J_URL=bolt://host:port`` runs the tests against a server you started
yourself instead (auth off, or credentials in the URL); its database is emptied by each test.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from ecograph import neo4j_server as provisioning
from ecograph.neo4j_server import ServerInfo


def in_ci() -> bool:
    """True when ``$CI`` says this is a CI run: Neo4j problems fail instead of skipping."""
    return os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark ``neo4j`` every test that uses the server: directly through a fixture, or
    through a parameter ``"neo4j"`` (the ``store`` fixture parametrised over store kinds)."""
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        callspec = getattr(item, "callspec", None)
        params = callspec.params.values() if callspec is not None else ()
        by_param = any(isinstance(v, str) and v == "neo4j" for v in params)
        if fixtures & {"neo4j_server", "neo4j_url", "neo4j_store"} or by_param:
            item.add_marker(pytest.mark.neo4j)


def _unavailable(reason: str) -> None:
    if in_ci():
        pytest.fail(f"Neo4j tests cannot run under CI=true: {reason}", pytrace=False)
    pytest.skip(reason)


def start_with_password(instance: Path, password: str, **options) -> ServerInfo:
    """Start a provisioned server with auth on and *password* (written before its first
    start), on a free port; it stops if pytest dies."""
    path = instance / "password"
    path.write_text(password + "\n")
    path.chmod(0o600)
    return provisioning.start(
        instance=instance, port=provisioning.free_port(), die_with_parent=True, **options
    )


@pytest.fixture(scope="session")
def neo4j_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerInfo]:
    """A running throwaway Neo4j server (auth off) for the session."""
    external = os.environ.get("ECOGRAPH_TEST_NEO4J_URL", "").strip()
    if external:
        from urllib.parse import urlsplit

        port = urlsplit(external).port or 7687
        yield ServerInfo(url=external, pid=0, port=port, password=None)
        return
    if provisioning.find_java() is None and not in_ci() and os.geteuid() != 0:
        _unavailable(
            "no Java 17 or 21 on this machine: run scripts/setup.sh --test "
            "(or apt-get install openjdk-17-jre-headless maven) to run the Neo4j tests"
        )
    instance = tmp_path_factory.mktemp("neo4j")
    try:
        info = provisioning.start(
            port=provisioning.free_port(),
            auth=False,
            heap="2g",  # tests load little; see DEFAULT_HEAP for production sizes
            pagecache="512m",
            instance=instance,
            die_with_parent=True,
            gds=True,  # the GDS engine's tests; a start takes a few seconds longer
        )
    except provisioning.Neo4jServerError as exc:
        if in_ci():
            pytest.fail(f"the test Neo4j server did not start: {exc}", pytrace=False)
        raise
    try:
        yield info
    finally:
        provisioning.stop(instance=instance)
        # Keep the logs for a post-mortem; the store files are only ballast.
        shutil.rmtree(Path(instance) / "data", ignore_errors=True)


@pytest.fixture(scope="session")
def neo4j_url(neo4j_server: ServerInfo) -> str:
    return neo4j_server.url


@pytest.fixture(scope="session")
def _neo4j_admin(neo4j_url: str):
    """One session-long connection that empties the database before each test."""
    from ecograph.errors import StoreUnavailable
    from ecograph.store.neo4j import Neo4jStore

    try:
        store = Neo4jStore(neo4j_url)
    except StoreUnavailable as exc:
        if in_ci():
            pytest.fail(f"the test Neo4j server is unreachable: {exc}", pytrace=False)
        raise
    with store:
        yield store


def empty_database(admin) -> None:
    """Delete every node and relationship of the database (constraints and indexes stay)."""
    with admin._session(write=True) as session:
        session.run("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS").consume()


@pytest.fixture
def neo4j_store(neo4j_url: str, _neo4j_admin, monkeypatch: pytest.MonkeyPatch):
    """A :class:`Neo4jStore` on an empty database, closed after the test."""
    from ecograph.store.neo4j import Neo4jStore

    # A developer's own credentials must not reach the auth-less test server.
    for name in ("ECOGRAPH_NEO4J_USER", "ECOGRAPH_NEO4J_PASSWORD", "ECOGRAPH_NEO4J_DATABASE"):
        monkeypatch.delenv(name, raising=False)
    empty_database(_neo4j_admin)
    with Neo4jStore(neo4j_url) as store:
        yield store
