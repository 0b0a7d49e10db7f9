"""Data commands: demo, load, stats, export."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import click

from ecograph import settings
from ecograph.cli.options import emit_table, store_option
from ecograph.cli.terminal import echo, json_text, markup
from ecograph.errors import ValidationFailed

if TYPE_CHECKING:
    from ecograph.report import LoadReport

__all__ = ["COMMANDS"]

_PROGRESS_MIN_BYTES = 256 * 1024  # about a few thousand rows: smaller files load too fast to watch


@click.command()
@store_option
@click.option(
    "--orgs",
    type=click.IntRange(min=50),
    default=1500,
    show_default=True,
    help="Organisations to generate.",
)
@click.option(
    "--seed",
    type=int,
    default=1,
    show_default=True,
    help="Random seed; the same seed gives the same ecosystem.",
)
@click.option(
    "--truth",
    type=click.Path(dir_okay=False, writable=True),
    help="Write the planted weak links as JSON here.",
)
@click.option(
    "--example",
    metavar="NAME",
    help="Load a real-data example from examples/ instead (vietnam-ror: Vietnam's organisations in ROR).",
)
def demo(store: str | None, orgs: int, seed: int, truth: str | None, example: str | None) -> None:
    """Generate a synthetic Vietnamese ecosystem with planted weak links and load it.

    With --example, load one of the real-data examples in examples/ instead.

    \b
    Example:
      ecograph demo --orgs 1500 --seed 1 --truth truth.json
      ecograph demo --example vietnam-ror
    """
    if example is not None:
        from ecograph.examples import load_example

        report = load_example(store, example)
        for note in report.notes:
            echo(f"Note: {note}", err=True)
        echo(report.summary_line())
        echo(f"store version {report.store_version}")
        return
    from ecograph.synthetic import demo as run_demo

    report = run_demo(store, orgs=orgs, seed=seed, truth=truth)
    echo(report.summary_line())
    echo(f"store version {report.store_version}")


@click.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--format", "fmt", default="auto", show_default=True,
    help="auto (detect), canonical, or a source format such as ror, cordis, crunchbase, openalex.",
)  # fmt: skip
@store_option
@click.option("--dry-run", is_flag=True, help="Validate and count what would change; write nothing.")
@click.option(
    "--skip-invalid",
    is_flag=True,
    help="Load the valid rows; leave out (and report) the invalid ones.",
)
@click.option(
    "--rejects",
    type=click.Path(dir_okay=False, path_type=Path),
    help="With --skip-invalid: write the rejected rows and why to this CSV file.",
)
@click.option(
    "--country",
    default=None,
    help="Source dumps (ROR, CORDIS, OpenAlex): keep this country's organisations only.",
)
@click.option(
    "--option",
    "loader_options",
    multiple=True,
    metavar="KEY=VALUE",
    help="A loader option, e.g. mapping=cb.json (crunchbase) or max_institutions=30 (openalex); repeatable.",
)
@click.option(
    "--bulk",
    is_flag=True,
    help="A first load into the empty database of a Neo4j server that `ecograph neo4j` runs: "
    "through Neo4j's offline importer (the server restarts).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the load report as JSON.")
def load(
    files: tuple[Path, ...], fmt: str, store: str | None, dry_run: bool, skip_invalid: bool,
    rejects: Path | None, country: str | None, loader_options: tuple[str, ...], bulk: bool, as_json: bool,
) -> None:  # fmt: skip
    """Validate FILES and load them into the store in one transaction.

    Organisations load before collaborations whatever the order of FILES. Any invalid
    row stops the load and nothing is written, unless --skip-invalid.

    \b
    Example:
      ecograph load organizations.csv collaborations.csv --json
    """
    from ecograph.ingest import load as run_load
    from ecograph.report import now_iso

    if bulk:
        from ecograph.store.neo4j_bulk import bulk_load as run_load

    if rejects is not None and not skip_invalid:
        raise click.UsageError(
            "--rejects lists the rows that --skip-invalid leaves out; add --skip-invalid "
            "(without it, an invalid row stops the load and the problems are printed)"
        )
    options: dict[str, object] = {"country": country} if country else {}
    for item in loader_options:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise click.UsageError(f"--option takes KEY=VALUE, not {item!r}")
        options[key.strip()] = value
    # A bar only for people watching a terminal; logs and pipes get the report alone.
    big = sys.stderr.isatty() and sum(p.stat().st_size for p in files if p.is_file()) >= _PROGRESS_MIN_BYTES
    began = now_iso()
    try:
        if big and not as_json:
            report = _load_with_progress(run_load, files, fmt, store, dry_run, skip_invalid, rejects, options)
        else:
            report = run_load(
                files, store, format=fmt, dry_run=dry_run, skip_invalid=skip_invalid,
                rejects=rejects, options=options,
            )  # fmt: skip
    except ValidationFailed as exc:
        if as_json:
            click.echo(json_text(exc.report.as_dict(), indent=2))
        raise
    except KeyboardInterrupt:
        _interrupted(store, files, began, dry_run)
    if not bulk and report.written and settings.store_url(store).startswith(("bolt", "neo4j")):
        from ecograph.store.neo4j_bulk import bulk_hint

        report.notes += filter(None, [bulk_hint(report, store)])
    try:
        _print_report(report, as_json)
    except KeyboardInterrupt:
        echo("Interrupted while printing the report; the load was written in full.", err=True)


def _interrupted(store: str | None, files: tuple[Path, ...], began: str, dry_run: bool) -> NoReturn:
    """Ctrl-C during a load: say whether the load had been committed (exit 0) or not (exit 130)."""
    from ecograph.errors import EcographError
    from ecograph.store import open_store

    if not dry_run:
        names = {str(p) for p in files}
        try:
            with open_store(store) as handle:
                committed = [b for b in handle.batches() if b.file in names and b.started >= began]
        except EcographError as exc:
            echo(f"Interrupted; could not check whether the load was written: {exc}", err=True)
            click.get_current_context().exit(130)
        if committed:
            echo(
                f"Interrupted after the load was committed: {len(committed)} file(s) are in the store "
                f"(ecograph stats shows them).",
                err=True,
            )
            click.get_current_context().exit(0)
    echo("Interrupted: nothing was written.", err=True)
    click.get_current_context().exit(130)


def _print_report(report: LoadReport, as_json: bool) -> None:
    if as_json:
        click.echo(json_text(report.as_dict(), indent=2))
        return
    for note in report.notes:
        echo(f"Note: {note}", err=True)
    if report.problem_count:
        echo(f"Rejected {report.problem_count} problem(s):", err=True)
        for line in report.problem_lines():
            echo(f"  {line}", err=True)
    for line in report.change_lines():
        echo(line)
    echo(report.summary_line())


def _amount(step: str, done: int, total: int) -> str:
    if step == "read":
        return f"{done / 1e6:,.1f}/{total / 1e6:,.1f} MB"
    return f"{done:,}/{total:,}" if total else f"{done:,}"


def _load_with_progress(run_load, files, fmt, store, dry_run, skip_invalid, rejects, options):
    """The load with a bar per file (bytes read), a count of the records checked, and a bar
    of the records written."""
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn

    columns = (TextColumn("{task.description}"), BarColumn(), TextColumn("{task.fields[amount]}"))
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        tasks: dict[tuple[str, str], int] = {}
        labels = {"validated": "records checked", "written": "records written"}

        def progress(step: str, name: str, done: int, total: int) -> None:
            if (step, name) not in tasks:
                label = f"reading {markup(Path(name).name)}" if step == "read" else labels[step]
                tasks[(step, name)] = bar.add_task(label, total=total or None, amount="")
            bar.update(
                tasks[(step, name)], completed=done, total=total or None, amount=_amount(step, done, total)
            )

        return run_load(
            files, store, format=fmt, dry_run=dry_run, skip_invalid=skip_invalid,
            rejects=rejects, progress=progress, options=options,
        )  # fmt: skip


@click.command()
@store_option
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
def stats(store: str | None, as_json: bool) -> None:
    """Counts by category, kind and tie kind, the store version and the last load.

    \b
    Example:
      ecograph stats --json
    """
    from ecograph.inventory import describe_terms
    from ecograph.inventory import stats as run_stats

    result = run_stats(store)
    if as_json:
        click.echo(json_text(result, indent=2))
        return
    echo(
        f"store {result['store']} (version {result['store_version']}, home country {result['home_country']})"
    )
    echo(
        f"{result['organizations']} organisations, {result['collaborations']} collaborations, {result['loads']} files loaded"
    )
    last = result["last_load"]
    if last:
        echo(f"last load: {last['file']} at {last['finished']}")
    for terms in result["sources"].values():  # type: ignore[union-attr]
        echo(f"data from {describe_terms(terms)}")
    for key, title in (
        ("by_category", "by category"),
        ("by_kind", "by kind"),
        ("by_tie_kind", "by tie kind"),
    ):
        rows = [{"group": k, "count": v} for k, v in result[key].items()]  # type: ignore[union-attr]
        emit_table(rows, "table", title=title)


@click.command()
@click.option("--format", "fmt", type=click.Choice(["graphml", "gexf", "json", "csv"]), required=True)
@click.option(
    "--out",
    required=True,
    type=click.Path(path_type=Path),
    help="File to write (a folder for csv).",
)
@click.option("--dynamic", is_flag=True, help="GEXF only: a dynamic graph, each tie's dates a time spell.")
@store_option
def export(fmt: str, out: Path, dynamic: bool, store: str | None) -> None:
    """Write the whole store as GraphML/GEXF (Gephi, igraph), node-link JSON, or canonical CSV files.

    GraphML and GEXF hold one undirected graph; investments and spin-offs carry
    directed=true and run from source to target. GEXF is static unless --dynamic.

    \b
    Example:
      ecograph export --format gexf --out ecosystem.gexf
      ecograph export --format csv --out exported/
    """
    from ecograph.exports import export as run_export

    for path in run_export(store, fmt, out, dynamic=dynamic):
        echo(f"wrote {path}")


COMMANDS = [demo, load, stats, export]
