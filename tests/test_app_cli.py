"""``ecograph serve``: checks the store, loads the demo when asked, then becomes ``streamlit run app.py``."""

from __future__ import annotations

import os
import sys
from pathlib import Path

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
        "--server.port", "8642", "--server.headless", "true", "--browser.gatherUsageStats", "false",
    ]  # fmt: skip
    assert cwd == APP_PATH.parent and (cwd / ".streamlit" / "config.toml").is_file()
    assert env["ECOGRAPH_STORE"] == url
    assert result.stderr == f"ecograph explorer on http://localhost:8642 (store {url}); Ctrl+C stops it.\n"


def test_serve_loads_the_demo_into_an_empty_store_when_asked(run, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'eco.db'}"
    result, launched = run("--store", url, "--demo-if-empty", "--address", "127.0.0.1")
    assert result.exit_code == 0, result.output
    assert result.stderr.startswith("The store holds no organisation: loading the demonstration ecosystem…\n")
    with ecograph.open_store(url) as store:
        assert store.counts()["organizations"] == 1500
        version = store.store_version()
    assert launched[0][0][-2:] == ["--server.address", "127.0.0.1"]
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
    for option in ("--port", "--store", "--demo-if-empty", "--address"):
        assert option in result.output
    assert [serve_module.serve] == serve_module.COMMANDS
