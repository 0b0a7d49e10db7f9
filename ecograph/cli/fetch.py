"""The fetch command: download a public source's newest data and load it."""

from __future__ import annotations

import sys

import click

from ecograph.cli.options import store_option
from ecograph.cli.terminal import echo, json_text, markup
from ecograph.errors import ValidationFailed

__all__ = ["COMMANDS"]


@click.command()
@click.argument("source", type=click.Choice(["ror", "openalex", "cordis"]))
@click.option(
    "--country", help="Keep this country's organisations (VN; several as VN,LA). Required for openalex."
)
@click.option("--since", type=click.IntRange(1900, 2100), help="openalex: works published from this year on.")
@click.option(
    "--mailto", metavar="ADDRESS", help="openalex: your contact address, for OpenAlex's polite pool."
)
@click.option(
    "--max-pages",
    type=click.IntRange(min=1),
    default=500,
    show_default=True,
    help="openalex: refuse a query that needs more pages (of 100 results) than this.",
)
@click.option("--dry-run", is_flag=True, help="Say what would be fetched; download and load nothing.")
@click.option(
    "--folder", type=click.Path(file_okay=False), help="Download folder (default: $ECOGRAPH_DOWNLOAD_DIR)."
)
@store_option
@click.option("--json", "as_json", is_flag=True, help="Print what was fetched and the load report as JSON.")
def fetch(source, country, since, mailto, max_pages, dry_run, folder, store, as_json) -> None:
    """Download SOURCE's newest public data and load it: ror, openalex or cordis.

    ror: the newest ROR data dump (Zenodo). openalex: a country's institutions and the works
    they co-author with other institutions (OpenAlex API). cordis: the current programme's
    project and organisation files (CORDIS). Downloads resume where they stopped; each
    source's licence and release go into the load's provenance.

    \b
    Example:
      ecograph fetch ror --country VN
      ecograph fetch openalex --country VN --since 2020 --mailto steward@example.org
      ecograph fetch cordis --country VN --dry-run
    """
    from ecograph.fetch import fetch as run_fetch

    show = sys.stderr.isatty() and not as_json  # a bar for people watching; logs get the lines
    try:
        if show:
            result = _with_progress(
                run_fetch, source, store, country, since, mailto, max_pages, dry_run, folder
            )
        else:
            result = run_fetch(
                source, store, country=country, since=since, mailto=mailto, max_pages=max_pages,
                dry_run=dry_run, folder=folder,
            )  # fmt: skip
    except ValidationFailed as exc:
        if as_json:
            click.echo(json_text({"source": source, "load": exc.report.as_dict()}, indent=2))
        raise
    if as_json:
        click.echo(json_text(result.as_dict(), indent=2))
        return
    for line in result.lines:
        echo(line)
    for d in result.downloads:
        how = "already downloaded" if d.reused else "resumed and downloaded" if d.resumed else "downloaded"
        echo(f"{how} {d.path} ({d.bytes / 1e6:,.1f} MB)")
    report = result.report
    if report is None:
        return
    for note in report.notes:
        echo(f"Note: {note}", err=True)
    for line in report.change_lines():
        echo(line)
    echo(report.summary_line())


def _with_progress(run_fetch, source, store, country, since, mailto, max_pages, dry_run, folder):
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeRemainingColumn

    with Progress(
        TextColumn("{task.description}"), BarColumn(), TaskProgressColumn(), TimeRemainingColumn(),
        console=Console(stderr=True), transient=True,
    ) as bar:  # fmt: skip
        tasks: dict[str, int] = {}

        def progress(label: str, done: int, total: int | None) -> None:
            if label not in tasks:
                tasks[label] = bar.add_task(markup(label), total=total)
            bar.update(tasks[label], completed=done, total=total)

        return run_fetch(
            source, store, country=country, since=since, mailto=mailto, max_pages=max_pages,
            dry_run=dry_run, folder=folder, progress=progress,
        )  # fmt: skip


COMMANDS = [fetch]
