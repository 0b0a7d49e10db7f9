"""Store administration: migrate between stores, run a local Neo4j server."""

from __future__ import annotations

import click

from ecograph.cli.terminal import echo, json_text

__all__ = ["COMMANDS"]


@click.command()
@click.option("--from", "source", required=True, metavar="URL", help="The store to copy.")
@click.option("--to", "target", required=True, metavar="URL", help="The store to copy into.")
@click.option("--json", "as_json", is_flag=True, help="Print the migration report as JSON.")
def migrate(source: str, target: str, as_json: bool) -> None:
    """Copy everything (records, load batches, provenance) to another store and verify it.

    Idempotent: running it again changes nothing. Ends by comparing counts and a content
    checksum of both stores.

    \b
    Example:
      ecograph migrate --from sqlite:///ecograph.db --to bolt://127.0.0.1:7687
    """
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn

    from ecograph.migrate import migrate as run

    with Progress(
        TextColumn("{task.description}"), BarColumn(), console=Console(stderr=True), transient=True
    ) as bar:
        task = bar.add_task("migrating", total=4)

        def progress(step: str, done: int, total: int) -> None:
            bar.update(task, description=step, completed=done, total=total)

        report = run(source, target, progress=progress)
    if as_json:
        click.echo(json_text(report.as_dict(), indent=2))
        return
    echo(
        f"copied {report.organizations} organisations, {report.collaborations} collaborations, "
        f"{report.batches} load batches and {report.provenance} provenance records "
        f"from {report.source} to {report.target}"
    )
    echo(f"verified: content checksum {report.target_checksum[:16]} matches")


@click.command(
    context_settings={"ignore_unknown_options": True, "allow_extra_args": True, "help_option_names": []},
    add_help_option=False,
)
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def neo4j(args: tuple[str, ...]) -> None:
    """Run a local Neo4j Community server from Maven Central jars: install | start | stop | status | password.

    \b
    Example:
      ecograph neo4j start    # prints the bolt:// URL and where the password is kept
    """
    from ecograph import neo4j_server

    raise SystemExit(neo4j_server.main(list(args)))


COMMANDS = [migrate, neo4j]
