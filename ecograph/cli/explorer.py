"""The ``serve`` command: open the explorer (the Streamlit app) on a store."""

from __future__ import annotations

import os
import socket
import sys
from pathlib import Path

import click

from ecograph import settings
from ecograph.cli.options import store_option
from ecograph.cli.terminal import echo
from ecograph.errors import UsageError

__all__ = ["COMMANDS", "serve"]


_EVERYWHERE = {"", "0.0.0.0", "::", "[::]"}


@click.command()
@click.option(
    "--port", type=click.IntRange(1, 65535), default=8501, show_default=True, help="Port to serve on."
)
@click.option(
    "--host",
    "--address",
    "host",
    default="127.0.0.1",
    show_default=True,
    metavar="HOST",
    help="Address to listen on: 127.0.0.1 keeps the explorer on this machine; 0.0.0.0 opens it to "
    "every network this machine is on (read the README's Security section first).",
)
@click.option(
    "--demo-if-empty",
    is_flag=True,
    help="Load the demonstration ecosystem first when the store holds no organisation.",
)
@store_option
def serve(port: int, host: str, demo_if_empty: bool, store: str | None) -> None:
    """Open the explorer: the map, profiles, weak links and queries in a browser.

    It serves the store it is started with; ECOGRAPH_EXPLORER_STORES lists others a
    visitor may switch to, by name. The Load data page is there only with
    ECOGRAPH_ALLOW_WRITES=1.

    \b
    Example:
      ecograph serve --port 8600 --store sqlite:///ecosystem.db
    """
    from ecograph import demo
    from ecograph.explorer import APP_PATH
    from ecograph.store import open_store, redact

    url = settings.store_url(store)
    others = [name for name in settings.explorer_stores(url) if name != settings.DEFAULT_STORE]
    with open_store(url) as handle:  # fails here, with one message, if the store is unreachable
        empty = handle.counts()["organizations"] == 0
    if empty and demo_if_empty:
        echo("The store holds no organisation: loading the demonstration ecosystem…", err=True)
        demo(url)
    if not APP_PATH.is_file():
        raise UsageError(
            f"the explorer's app.py is not at {APP_PATH}; run ecograph serve from an installed checkout "
            "(pip install -e .)"
        )
    # Streamlit's own command line, run by the explorer's warm-up (which first starts filling
    # the caches in the background).
    command = [
        sys.executable, "-m", "ecograph.explorer.warmup", "run", str(APP_PATH),
        "--server.port", str(port),
        "--server.address", host,
        "--server.headless", "true",
        "--browser.gatherUsageStats", "false",
    ]  # fmt: skip
    if host in _EVERYWHERE:
        where = (
            f"every network interface of this machine, port {port} — anyone who can reach this "
            f"machine can open it (http://{socket.gethostname()}:{port})"
        )
    else:
        where = f"http://{'[' + host + ']' if ':' in host else host}:{port}"
    stores = f"store {redact(url)}" + (f" and {len(others)} more ({', '.join(others)})" if others else "")
    echo(f"ecograph explorer on {where} ({stores}); Ctrl+C stops it.", err=True)
    environment = {**os.environ, settings.SETTINGS["store"].env: url}
    _launch(command, APP_PATH.parent, environment)


def _launch(command: list[str], cwd: Path, env: dict[str, str]) -> None:
    """Become Streamlit: signals (Ctrl+C, a service manager's stop) then reach it directly.

    Run from *cwd*, the app's folder, so that Streamlit reads its ``.streamlit/config.toml``.
    """
    os.chdir(cwd)
    os.execve(command[0], command, env)


COMMANDS = [serve]
