"""``ecograph serve``: checks the store, loads the demo when asked, then becomes ``streamlit run app.py``."""

from __future__ import annotations

import contextlib
import os
import socketserver
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from typing import ClassVar

import pytest
from click.testing import CliRunner

import ecograph
from ecograph.cli import explorer as serve_module
from ecograph.cli import main
from ecograph.explorer import APP_PATH


@pytest.fixture
def run(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    """Invoke ``ecograph serve …``; instead of exec'ing Streamlit, record what would run."""
    if "serve" not in main.commands:  # until the command table registers it
        main.add_command(serve_module.serve)
    monkeypatch.chdir(tmp_path)
    for name in list(os.environ):
        if name.startswith("ECOGRAPH_") and name != "ECOGRAPH_NEO4J_HOME":
            monkeypatch.delenv(name)
    launched: list[tuple[list[str], Path, dict]] = []
    monkeypatch.setattr(
        serve_module, "_launch", lambda command, cwd, env: launched.append((command, cwd, env))
    )

    def _run(*args: str):
        result = CliRunner().invoke(main, ["serve", *args], catch_exceptions=False)
        return result, launched

    return _run


def test_serve_runs_streamlit_on_the_app_with_the_store(run, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'eco.db'}"
    result, launched = run("--port", "8642", "--store", url)
    assert result.exit_code == 0, result.output
    ((command, cwd, env),) = launched
    assert command == [
        sys.executable, "-m", "ecograph.explorer.warmup", "run", str(APP_PATH),
        "--server.port", "8642", "--server.address", "127.0.0.1",
        "--server.headless", "true", "--browser.gatherUsageStats", "false",
    ]  # fmt: skip
    assert cwd == APP_PATH.parent and (cwd / ".streamlit" / "config.toml").is_file()
    assert env["ECOGRAPH_STORE"] == url
    assert result.stderr == f"ecograph explorer on http://127.0.0.1:8642 (store {url}); Ctrl+C stops it.\n"


def test_serve_loads_the_demo_into_an_empty_store_when_asked(run, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'eco.db'}"
    result, launched = run("--store", url, "--demo-if-empty", "--address", "127.0.0.1")
    assert result.exit_code == 0, result.output
    assert result.stderr.startswith("The store holds no organisation: loading the demonstration ecosystem…\n")
    with ecograph.open_store(url) as store:
        assert store.counts()["organizations"] == 1500
        version = store.store_version()
    assert launched[0][0][7:9] == ["--server.address", "127.0.0.1"]
    result, _ = run("--store", url, "--demo-if-empty")  # not empty any more: left alone
    assert "loading the demonstration" not in result.stderr
    with ecograph.open_store(url) as store:
        assert store.store_version() == version


def test_serve_leaves_an_empty_store_empty_without_the_flag(run, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'eco.db'}"
    result, launched = run("--store", url)
    assert result.exit_code == 0 and launched
    with ecograph.open_store(url) as store:
        assert store.counts()["organizations"] == 0


def test_serve_unreachable_store_is_one_line_and_exit_3(run, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'no-such-folder' / 'eco.db'}"
    result, launched = run("--store", url)
    assert result.exit_code == 3
    assert result.stderr == f"Error: cannot open {url}: folder {tmp_path / 'no-such-folder'} does not exist\n"
    assert not launched


def test_serve_reads_the_store_setting(run, tmp_path: Path, monkeypatch) -> None:
    url = f"sqlite:///{tmp_path / 'from-env.db'}"
    monkeypatch.setenv("ECOGRAPH_STORE", url)
    result, launched = run()
    assert result.exit_code == 0
    assert launched[0][2]["ECOGRAPH_STORE"] == url


def test_serve_help_has_an_example() -> None:
    result = CliRunner().invoke(serve_module.serve, ["--help"])
    assert "  Example:\n    ecograph serve --port 8600 --store sqlite:///ecosystem.db\n" in result.output
    for option in ("--port", "--store", "--demo-if-empty", "--host"):
        assert option in result.output
    assert [serve_module.serve] == serve_module.COMMANDS


def test_serve_listens_on_this_machine_only_unless_told(run, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'eco.db'}"
    result, launched = run("--store", url, "--port", "8643", "--host", "0.0.0.0")
    assert launched[0][0][7:9] == ["--server.address", "0.0.0.0"]
    assert result.stderr.startswith(
        "ecograph explorer on every network interface of this machine, port 8643 — anyone who can reach "
        "this machine can open it (http://"
    )


def test_serve_checks_the_list_of_stores(run, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("ECOGRAPH_EXPLORER_STORES", "archive=sqlite:///a.db,archive=sqlite:///b.db")
    result, launched = run("--store", f"sqlite:///{tmp_path / 'eco.db'}")
    assert result.exit_code == 2 and not launched
    assert result.stderr == (
        "Error: ECOGRAPH_EXPLORER_STORES: the name 'archive' is used twice "
        "('default' is the store the explorer starts with)\n"
    )
    monkeypatch.setenv("ECOGRAPH_EXPLORER_STORES", "archive=sqlite:///a.db, 2023=bolt://127.0.0.1:7688")
    result, launched = run("--store", f"sqlite:///{tmp_path / 'eco.db'}")
    assert result.exit_code == 0 and "and 2 more (archive, 2023)" in result.stderr


class _Recorder(socketserver.BaseRequestHandler):
    """A stand-in proxy: remembers whoever connects (a request for an outside address)."""

    seen: ClassVar[list[bytes]] = []

    def handle(self) -> None:
        self.request.settimeout(2)
        with contextlib.suppress(OSError):
            self.seen.append(self.request.recv(4096))


def test_the_explorer_does_not_look_up_its_address_on_the_internet(tmp_path: Path) -> None:
    """Listening on every interface, Streamlit's banner would ask checkip.amazonaws.com for the
    machine's public address; the explorer's config turns the banner off."""
    from browser_support import free_port

    _Recorder.seen = []
    proxy = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _Recorder)
    threading.Thread(target=proxy.serve_forever, daemon=True).start()
    store = f"sqlite:///{tmp_path / 'eco.db'}"
    ecograph.load([_orgs(tmp_path)], store)
    port = free_port()
    proxy_url = f"http://127.0.0.1:{proxy.server_address[1]}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("ECOGRAPH_") and "proxy" not in k.lower()}
    env.update(HTTP_PROXY=proxy_url, HTTPS_PROXY=proxy_url, http_proxy=proxy_url, https_proxy=proxy_url)
    env["STREAMLIT_SERVER_FILE_WATCHER_TYPE"] = "none"
    command = [
        sys.executable, "-c", "from ecograph.cli import main; main()",
        "serve", "--store", store, "--port", str(port), "--host", "0.0.0.0",
    ]  # fmt: skip
    log = tmp_path / "serve.log"
    with open(log, "wb") as out:
        process = subprocess.Popen(command, cwd=tmp_path, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, log.read_text()
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                assert time.monotonic() < deadline, log.read_text()
                time.sleep(0.2)
        time.sleep(3)  # Streamlit prints its banner (and would look up the address) once started
    finally:
        process.terminate()
        process.wait(10)
        proxy.shutdown()
        proxy.server_close()
    assert _Recorder.seen == []
    printed = log.read_text()
    assert "External URL" not in printed and "Network URL" not in printed
    assert f"ecograph explorer on every network interface of this machine, port {port}" in printed


def _orgs(folder: Path) -> Path:
    path = folder / "orgs.csv"
    path.write_text("id,name,kind\na,Alpha Labs,startup\n", encoding="utf-8")
    return path
