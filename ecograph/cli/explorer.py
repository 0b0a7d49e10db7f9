"""The ``serve`` command: open the explorer (the Streamlit app) on a store."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from ecograph import settings
from ecograph.cli.options import store_option
from ecograph.errors import UsageError

__all__ = ["COMMANDS", "serve"]


@click.command()
@click.option(
    "--port", type=click.IntRange(1, 65535), default=8501, show_default=True, help="Port to serve on."
)
@click.option(
    "--address",
    default=None,
    metavar="HOST",
    help="Address to listen on (default: Streamlit's, every interface); 127.0.0.1 keeps it on this machine.",
)
@click.option(
    "--demo-if-empty",
    is_flag=True,
    help="Load the demonstration ecosystem first when the store holds no organisation.",
)
@store_option
def serve(port: int, address: str | None, demo_if_empty: bool, store: str | None) -> None:
    """Open the explorer: the map, profiles, weak links and queries in a browser.

    The Load data page is there only with ECOGRAPH_ALLOW_WRITES=1.

    \b
    Example:
      ecograph serve --port 8600 --store sqlite:///ecosystem.db
    """
    from ecograph import demo
    from ecograph.explorer import APP_PATH
    from ecograph.store import open_store, redact

    url = settings.store_url(store)
    with open_store(url) as handle:  # fails here, with one message, if the store is unreachable
        empty = handle.counts()["organizations"] == 0
    if empty and demo_if_empty:
        click.echo("The store holds no organisation: loading the demonstration ecosystem…", err=True)
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
        "--server.headless", "true",
        "--browser.gatherUsageStats", "false",
    ]  # fmt: skip
    if address:
        command += ["--server.address", address]
    shown = address or "localhost"
    click.echo(
        f"ecograph explorer on http://{shown}:{port} (store {redact(url)}); Ctrl+C stops it.", err=True
    )
    environment = {**os.environ, settings.SETTINGS["store"].env: url}
    _launch(command, APP_PATH.parent, environment)


def _launch(command: list[str], cwd: Path, env: dict[str, str]) -> None:
    """Become Streamlit: signals (Ctrl+C, a service manager's stop) then reach it directly.

    Run from *cwd*, the app's folder, so that Streamlit reads its ``.streamlit/config.toml``.
    """
    os.chdir(cwd)
    os.execve(command[0], command, env)


COMMANDS = [serve]
