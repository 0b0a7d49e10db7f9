"""Change over time: compare two periods or saved snapshots, province scorecards, snapshots."""

from __future__ import annotations

from pathlib import Path

import click

from ecograph.cli.options import emit_table, format_option, store_option, write_text
from ecograph.cli.terminal import echo, json_text

__all__ = ["COMMANDS"]


@click.command()
@click.option(
    "--from", "from_period", metavar="FIRST-LAST", help="The first period, e.g. 2020-2022 (or one year)."
)
@click.option("--to", "to_period", metavar="FIRST-LAST", help="The second period, e.g. 2023-2025.")
@click.option(
    "--from-snapshot", metavar="NAME", help="A saved snapshot as the first state (instead of --from)."
)
@click.option(
    "--to-snapshot",
    metavar="NAME",
    help="A saved snapshot as the second state (default with --from-snapshot: now).",
)
@click.option("--province", help="Only what involves this province, as written (e.g. 'Đà Nẵng').")
@click.option("--top", type=click.IntRange(min=1), default=10, show_default=True, help="Findings per list.")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed for sampled betweenness.")
@click.option("--format", "fmt", type=click.Choice(["md", "html", "json"]), default="md", show_default=True)
@click.option(
    "--out", type=click.Path(dir_okay=False, path_type=Path), help="Write here instead of printing."
)
@store_option
def compare(
    from_period: str | None,
    to_period: str | None,
    from_snapshot: str | None,
    to_snapshot: str | None,
    province: str | None,
    top: int,
    seed: int,
    fmt: str,
    out: Path | None,
    store: str | None,
) -> None:
    """What changed between two periods (or two saved snapshots), in plain sentences.

    Ties gained and lost; under-connected pairs; bridges healed or new; brokers that
    moved; isolates that joined; foreign gatekeepers; sectors whose startups gained research
    partners; and which recommendations of the first period came true. Cached per store state.

    \b
    Example:
      ecograph compare --from 2020-2022 --to 2023-2025 --province 'Đà Nẵng'
      ecograph compare --from-snapshot before-merge --to-snapshot after-merge --format html --out change.html
    """
    from ecograph.api import compare as run
    from ecograph.explain import compare as explain

    result = run(
        store,
        from_period=from_period,
        to_period=to_period,
        from_snapshot=from_snapshot,
        to_snapshot=to_snapshot,
        province=province,
        top=top,
        seed=seed,
    )
    if fmt == "json":
        text = json_text(result, indent=2)
    elif fmt == "html":
        text = explain.render_html(result)
    else:
        text = explain.render_markdown(result)
    write_text(text, out)


@click.command()
@click.option(
    "--by",
    type=click.Choice(["province", "sector"]),
    default="province",
    show_default=True,
    help="One row per…",
)
@click.option(
    "--period", metavar="FIRST-LAST", help="The years to score (default: the last ten of the data)."
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "json"]),
    default="table",
    show_default=True,
    help="table: the last year with the change since the first; csv: every year (long form); json: all.",
)
@click.option(
    "--out", type=click.Path(dir_okay=False, path_type=Path), help="Write here instead of printing."
)
@store_option
def scorecard(by: str, period: str | None, fmt: str, out: Path | None, store: str | None) -> None:
    """Indicators per province (or sector), year by year, with their trend.

    Organisations and ties; startups with a research partner; university–industry ties per
    university; foreign ties through the largest gateway; share in the main network;
    bridges that cut the province off; Triple Helix synergy (Leydesdorff 2003).

    \b
    Example:
      ecograph scorecard --by province --period 2017-2026
      ecograph scorecard --format csv --out scorecard.csv
    """
    from ecograph.api import scorecard as run
    from ecograph.explain import scorecard as explain

    card = run(store, by=by, period=period)
    if fmt == "json":
        definitions = {k: d.__dict__ for k, d in explain.DEFINITIONS.items()}
        write_text(json_text({**card, "definitions": definitions}, indent=2), out)
    elif fmt == "csv":
        text = explain.csv(card)
        if out is None:
            echo(text, nl=False)
        else:
            write_text(text, out)
    else:
        years = f"{card['years'][0]}–{card['years'][-1]}" if card["years"] else ""
        emit_table(explain.latest_rows(card), "table", title=f"scorecard by {by}, {years}")
        echo(explain.caption(card))
        for d in explain.DEFINITIONS.values():
            echo(f"  {d.title}: {d.definition}")


@click.group()
def snapshot() -> None:
    """Saved states of the store, to compare whatever the tie dates say.

    \b
    Example:
      ecograph snapshot save before-2024
      ecograph snapshot list
      ecograph compare --from-snapshot before-2024
    """


@snapshot.command("save")
@click.argument("name")
@click.option("--replace", is_flag=True, help="Overwrite a snapshot of the same name.")
@store_option
def snapshot_save(name: str, replace: bool, store: str | None) -> None:
    """Save the store's current state as NAME (refused if NAME exists, unless --replace)."""
    from ecograph.api import snapshot_save as run

    saved = run(store, name, replace=replace)
    echo(
        f"saved snapshot {saved['name']}: {saved['organizations']:,} organisations, "
        f"{saved['collaborations']:,} collaborations (store version {saved['store_version']})"
    )


@snapshot.command("list")
@store_option
@format_option
def snapshot_list(store: str | None, fmt: str) -> None:
    """The saved snapshots, oldest first."""
    from ecograph.api import snapshots

    emit_table(snapshots(store), fmt, title="saved snapshots")


@snapshot.command("delete")
@click.argument("name")
@store_option
def snapshot_delete(name: str, store: str | None) -> None:
    """Forget the snapshot NAME."""
    from ecograph.api import snapshot_delete as run

    run(store, name)
    echo(f"deleted snapshot {name}")


COMMANDS = [compare, scorecard, snapshot]
