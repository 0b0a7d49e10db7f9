"""Provisioning a local Neo4j server: install, start, status, stop, stale pid files, ports,
and that a load is all or nothing even when a process dies in the middle of it."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from ecograph import neo4j_server as srv
from ecograph.model import Collaboration, Organization
from ecograph.report import LoadBatch
from ecograph.store import WritePart

STRICT_KEYS = {
    "server.directories.data",
    "server.directories.logs",
    "server.directories.run",
    "server.directories.import",
    "server.directories.plugins",
    "server.default_listen_address",
    "server.bolt.enabled",
    "server.bolt.listen_address",
    "server.bolt.advertised_address",
    "server.http.enabled",
    "server.https.enabled",
    "dbms.security.auth_enabled",
    "dbms.usage_report.enabled",
    "server.memory.heap.initial_size",
    "server.memory.heap.max_size",
    "server.memory.pagecache.size",
    "internal.dbms.bolt.netty_server_shutdown_quiet_period",
    "db.transaction.timeout",
    "db.memory.transaction.max",
    "dbms.security.allow_csv_import_from_file_urls",
    "internal.dbms.cypher_ip_blocklist",
}


@pytest.fixture(scope="module")
def installed() -> Path:
    """The shared jar cache (installed once; later calls return at once)."""
    if srv.find_java() is None and os.environ.get("CI", "").lower() != "true" and os.geteuid() != 0:
        pytest.skip("no Java 17 or 21: run scripts/setup.sh --test")
    return srv.install()


def _conf(text: str) -> dict[str, str]:
    pairs = [line.split("=", 1) for line in text.splitlines() if line and not line.startswith("#")]
    keys = [k for k, _ in pairs]
    assert len(keys) == len(set(keys)), "strict validation refuses a repeated key"
    return dict(pairs)


# -- no server needed ------------------------------------------------------------------------


def test_conf_is_minimal_and_strict_valid():
    conf = _conf(srv._conf_text(7999, auth=False, heap="2g", pagecache="512m"))
    assert set(conf) == STRICT_KEYS
    assert conf["server.bolt.listen_address"] == conf["server.bolt.advertised_address"]
    assert conf["server.bolt.listen_address"] == "127.0.0.1:7999"
    assert conf["server.http.enabled"] == conf["server.https.enabled"] == "false"
    assert conf["dbms.security.auth_enabled"] == "false"
    assert conf["server.memory.heap.max_size"] == "2g"
    # limits for whoever reaches the server (README, Security)
    assert conf["db.transaction.timeout"] == srv.TRANSACTION_TIMEOUT == "15m"
    assert conf["db.memory.transaction.max"] == "1228m"  # 60 % of 2 GiB
    assert conf["dbms.security.allow_csv_import_from_file_urls"] == "false"
    assert conf["internal.dbms.cypher_ip_blocklist"] == "0.0.0.0/0,::/0"
    assert _conf(srv._conf_text(7999, True, "1g", "1g"))["dbms.security.auth_enabled"] == "true"


def test_conf_with_gds_names_its_plugins_and_lets_only_gds_run_unrestricted(tmp_path):
    plain = _conf(srv._conf_text(7999, auth=False, heap="2g", pagecache="512m"))
    gds = _conf(srv._conf_text(7999, auth=False, heap="2g", pagecache="512m", gds=tmp_path / "gds"))
    assert set(gds) == STRICT_KEYS | {"dbms.security.procedures.unrestricted"}
    assert gds["dbms.security.procedures.unrestricted"] == "gds.*"
    assert gds["server.directories.plugins"] == str(tmp_path / "gds")
    assert plain["server.directories.plugins"] == "plugins"
    (tmp_path / "conf").mkdir()
    (tmp_path / "conf" / "neo4j.conf").write_text(
        srv._conf_text(7999, auth=False, heap="2g", pagecache="512m", gds=tmp_path / "gds")
    )
    assert srv.status(instance=tmp_path)["gds"] is True  # restart() starts it with the plugin again


def test_server_info_never_shows_its_password():
    info = srv.ServerInfo(url="bolt://127.0.0.1:1", pid=1, port=1, password="hunter2-secret")
    assert "hunter2-secret" not in repr(info) and "hunter2-secret" not in str(info)
    assert info.auth == ("neo4j", "hunter2-secret")


def test_default_home_follows_the_setting(monkeypatch, tmp_path):
    monkeypatch.setenv("ECOGRAPH_NEO4J_HOME", str(tmp_path / "cache"))
    assert srv.default_home() == tmp_path / "cache"
    monkeypatch.delenv("ECOGRAPH_NEO4J_HOME")
    assert srv.default_home().name == ".neo4j"


def test_bad_sizes_and_ports_are_refused_before_anything_runs(tmp_path):
    with pytest.raises(srv.Neo4jServerError, match="like 512m"):
        srv.start(instance=tmp_path, heap="lots")
    with pytest.raises(srv.Neo4jServerError, match="between 1 and 65535"):
        srv.start(instance=tmp_path, port=70000)


def test_status_and_stop_of_a_folder_with_nothing_running(tmp_path, capsys):
    assert srv.stop(instance=tmp_path) is False
    state = srv.status(instance=tmp_path)
    assert state["running"] is False and state["pid"] is None
    assert srv.main(["--instance", str(tmp_path), "status", "--json"]) == 1
    assert json.loads(capsys.readouterr().out)["running"] is False
    assert srv.main(["--instance", str(tmp_path), "password"]) == 3
    assert "no password file" in capsys.readouterr().err


# -- real servers ------------------------------------------------------------------------------


@pytest.mark.neo4j
def test_install_is_cached(installed):
    began = time.monotonic()
    assert srv.install() == installed
    assert time.monotonic() - began < 1.0
    assert srv.is_installed()
    jars = {p.name for p in installed.glob("*.jar")}
    assert any(j.startswith("org.neo4j.app.neo4j-server-") for j in jars)
    assert any(j == f"org.neo4j.neo4j-bolt-{srv.NEO4J_VERSION}.jar" for j in jars)
    # The test server loads the Graph Data Science plugin: its jars are installed too.
    assert srv.install(gds=True) == installed and srv.gds_installed()
    plugin = {p.name for p in (installed.parent / "gds").glob("*.jar")}
    assert f"org.neo4j.gds.proc-{srv.GDS_VERSION}.jar" in plugin
    assert not {srv._artifact(j) for j in plugin} & {srv._artifact(j) for j in jars}, "a library twice"
    assert srv._artifact("org.javassist.javassist-3.30.2-GA.jar") == "org.javassist.javassist"
    # The server's and the importer's class data sharing archives come with the jars.
    assert all(srv._archive(installed.parent, tool).stat().st_size for tool in ("server", "importer"))


@pytest.mark.neo4j
@pytest.mark.slow
def test_start_status_stop_with_auth_then_a_fast_second_start(installed, tmp_path):
    from neo4j import GraphDatabase
    from neo4j.exceptions import AuthError

    info = srv.start(instance=tmp_path, port=srv.free_port(), die_with_parent=True)
    try:
        assert info.url == f"bolt://127.0.0.1:{info.port}" and not info.reused
        password_file = tmp_path / "password"
        assert password_file.stat().st_mode & 0o777 == 0o600
        assert info.password == password_file.read_text().strip() == srv.password(instance=tmp_path)
        with GraphDatabase.driver(info.url, auth=info.auth) as driver:
            records, _, _ = driver.execute_query(
                "CALL dbms.components() YIELD versions, edition RETURN versions[0] AS v, edition",
                database_="neo4j",
            )
            assert (records[0]["v"], records[0]["edition"]) == (srv.NEO4J_VERSION, "community")
        with (
            GraphDatabase.driver(info.url, auth=("neo4j", "not-the-password")) as driver,
            pytest.raises(AuthError),
        ):
            driver.verify_connectivity()
        state = srv.status(instance=tmp_path)
        assert state["running"] and state["listening"] and state["pid"] == info.pid
        assert state["auth"] is True and info.password not in json.dumps(state)
        assert (tmp_path / "run" / "ecograph.pid").read_text().strip() == str(info.pid)
        # The JVM maps the classes of the server's archive (one that does not fit warns in its log).
        archive = srv._archive(installed.parent, "server")
        assert f"-XX:SharedArchiveFile={archive}".encode() in Path(
            f"/proc/{info.pid}/cmdline"
        ).read_bytes().split(b"\0")
        # Starting what already runs returns it instead of starting a second JVM.
        again = srv.start(instance=tmp_path)
        assert again.reused and again.pid == info.pid and again.port == info.port
    finally:
        began = time.monotonic()
        assert srv.stop(instance=tmp_path) is True
        stop_seconds = time.monotonic() - began
    assert stop_seconds < 30, "SIGTERM should be enough; SIGKILL came after 30 s"
    assert not srv.status(instance=tmp_path)["running"]
    assert not (tmp_path / "run" / "ecograph.pid").exists()
    assert "Stopped." in (tmp_path / "logs" / "console.log").read_text()
    assert "[cds]" not in (tmp_path / "logs" / "console.log").read_text()

    # Second start: same jars, same data, same password and port; seconds, not minutes.
    second = srv.start(instance=tmp_path, die_with_parent=True)
    try:
        assert second.port == info.port and second.password == info.password
        assert second.seconds < 90
        with GraphDatabase.driver(second.url, auth=second.auth) as driver:
            driver.verify_connectivity()
    finally:
        srv.stop(instance=tmp_path)


@pytest.mark.neo4j
@pytest.mark.slow
def test_a_stale_pid_file_is_replaced(installed, tmp_path):
    (tmp_path / "run").mkdir()
    dead = subprocess.Popen(["true"])
    dead.wait()
    (tmp_path / "run" / "ecograph.pid").write_text(f"{dead.pid}\n")
    state = srv.status(instance=tmp_path)
    assert state["stale_pid_file"] and not state["running"]
    # A live pid that is not our server (this very test process) is stale too.
    (tmp_path / "run" / "ecograph.pid").write_text(f"{os.getpid()}\n")
    assert srv.stop(instance=tmp_path) is False  # never signals a process that is not ours
    assert not (tmp_path / "run" / "ecograph.pid").exists()
    (tmp_path / "run" / "ecograph.pid").write_text(f"{os.getpid()}\n")
    info = srv.start(instance=tmp_path, auth=False, port=srv.free_port(), die_with_parent=True)
    try:
        assert info.pid != os.getpid() and not info.reused
        assert (tmp_path / "run" / "ecograph.pid").read_text().strip() == str(info.pid)
    finally:
        srv.stop(instance=tmp_path)


@pytest.mark.neo4j
def test_a_taken_port_is_refused_naming_its_holder(installed, tmp_path):
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        with pytest.raises(srv.Neo4jServerError) as info:
            srv.start(instance=tmp_path, port=port, auth=False)
    message = str(info.value)
    assert f"port {port} is taken by pid {os.getpid()}" in message
    assert not (tmp_path / "run" / "ecograph.pid").exists()


@pytest.mark.neo4j
def test_a_server_that_dies_while_starting_fails_fast_with_its_log(installed, tmp_path):
    began = time.monotonic()
    with pytest.raises(srv.Neo4jServerError) as info:
        srv.start(instance=tmp_path, auth=False, port=srv.free_port(), heap="1k")
    assert time.monotonic() - began < 60
    message = str(info.value)
    assert "exited with status" in message and "console.log" in message
    assert "heap" in message.lower()  # the JVM's own complaint, from the log tail
    assert not (tmp_path / "run" / "ecograph.pid").exists()


@pytest.mark.neo4j
@pytest.mark.slow
def test_cli_start_status_stop(installed, tmp_path):
    run = [sys.executable, "-m", "ecograph.neo4j_server", "--instance", str(tmp_path)]
    started = subprocess.run([*run, "start", "--port", str(srv.free_port())], capture_output=True, text=True)
    try:
        assert started.returncode == 0, started.stderr
        assert "Neo4j 5.26.30 at bolt://127.0.0.1:" in started.stdout
        secret = (tmp_path / "password").read_text().strip()
        assert secret not in started.stdout + started.stderr
        status = subprocess.run([*run, "status", "--json"], capture_output=True, text=True)
        assert status.returncode == 0 and json.loads(status.stdout)["running"] is True
        assert secret not in status.stdout + status.stderr
        shown = subprocess.run([*run, "password"], capture_output=True, text=True)
        assert shown.stdout.strip() == secret  # only when asked for, for $(...)
    finally:
        stopped = subprocess.run([*run, "stop"], capture_output=True, text=True)
    assert stopped.returncode == 0 and stopped.stdout.strip() == "stopped"


# -- a load is all or nothing, even when a process dies ------------------------------------------

_LOADER = textwrap.dedent(
    """
    import sys
    from ecograph.model import Collaboration, Organization
    from ecograph.report import LoadBatch
    from ecograph.store import WritePart
    from ecograph.store.neo4j import Neo4jStore

    n = int(sys.argv[2])
    orgs = [Organization(f"bulk-{i}", f"Bulk {i}", "company", "VN") for i in range(n)]
    ties = [Collaboration(f"bulk-{i}", f"bulk-{i + 1}", "research") for i in range(n - 1)]
    with Neo4jStore(sys.argv[1], batch_size=2000) as store:
        print("writing", flush=True)
        store.write([WritePart(LoadBatch("bulk.csv"), orgs, ties)])
    print("done", flush=True)
    """
)


def _base_load(store) -> int:
    org = Organization("keep", "Kept Before", "university", "VN")
    other = Organization("keep-2", "Also Kept", "startup", "VN")
    store.write([WritePart(LoadBatch("base.csv"), [org, other], [Collaboration("keep", "keep-2", "mou")])])
    return store.store_version()


def _assert_only_base(store, version: int) -> None:
    assert store.store_version() == version
    assert {o.id for o in store.organizations()} == {"keep", "keep-2"}
    assert len(list(store.collaborations())) == 1
    assert [b.file for b in store.batches()] == ["base.csv"]
    assert {p.batch_id for p in store.provenance()} == {store.batches()[0].id}


def _start_loader(url: str, n: int) -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        [sys.executable, "-c", _LOADER, url, str(n)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    if proc.stdout.readline().strip() != "writing":
        _, err = proc.communicate()
        pytest.fail(f"the loader did not start writing:\n{err}")
    return proc


def test_killing_the_loading_process_mid_load_leaves_nothing(neo4j_store, neo4j_url):
    version = _base_load(neo4j_store)
    loader = _start_loader(neo4j_url, 60_000)
    time.sleep(2.0)
    assert loader.poll() is None, "the load finished before it could be interrupted; make it bigger"
    loader.send_signal(signal.SIGKILL)
    loader.communicate()
    # The server notices the dropped connection and rolls the open transaction back.
    deadline = time.monotonic() + 30
    while neo4j_store.counts()["organizations"] != 2 and time.monotonic() < deadline:
        time.sleep(0.5)
    _assert_only_base(neo4j_store, version)


# Killing the server mid-load, restarting it and loading again: tests/test_neo4j_store.py.
