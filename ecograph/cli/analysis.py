"""Analysis commands: centrality, measures, weak-links, recommend, query."""

from __future__ import annotations

from pathlib import Path

import click

from ecograph.analysis import MEASURES, NORMALISATION
from ecograph.cli.options import emit_table, format_option, period_option, store_option, write_text
from ecograph.cli.terminal import echo, json_text
from ecograph.engine import ENGINES
from ecograph.engine import MEASURES as ENGINE_MEASURES
from ecograph.model import CATEGORIES, ORG_KINDS

__all__ = ["COMMANDS"]


_SCALES = "\b\nHow each measure is scaled:\n" + "\n".join(f"  {m}: {NORMALISATION[m]}" for m in MEASURES)


@click.command(epilog=_SCALES)
@click.option(
    "--measure", type=click.Choice(MEASURES), required=True, help="The centrality or structural-hole measure."
)
@click.option(
    "--top", type=click.IntRange(min=1), default=20, show_default=True, help="How many organisations."
)
@click.option("--category", type=click.Choice(CATEGORIES), help="Only this category.")
@click.option("--kind", type=click.Choice(ORG_KINDS), help="Only this kind.")
@click.option("--sector", help="Only organisations in this sector.")
@click.option("--province", help="Only this province, as written (e.g. 'Đà Nẵng').")
@click.option(
    "--k", "k", type=click.IntRange(min=1), help="Sample this many sources (betweenness, closeness)."
)
@click.option("--seed", type=int, default=0, show_default=True, help="Seed for sampling.")
@period_option
@store_option
@format_option
def centrality(measure, top, category, kind, sector, province, k, seed, period, store, fmt) -> None:
    """Rank organisations by a centrality measure, with filters.

    Betweenness is exact up to 5,000 organisations and sampled from a fixed seed above;
    the output says which. Paths count hops: a tie's weight is its strength, not its
    length. --format json prints {"measure", "method", "backend", "order",
    "normalisation", "rows"}. With --as-of or
    --period, the ecosystem of those years.

    \b
    Example:
      ecograph centrality --measure betweenness --category university --top 10
      ecograph centrality --measure constraint --period 2023-2025
    """
    from ecograph.api import centrality as run

    table = run(
        store,
        measure,
        top=top,
        category=category,
        kind=kind,
        sector=sector,
        province=province,
        k=k,
        seed=seed,
        period=period,
    )
    if fmt == "json":
        click.echo(json_text({**table.meta, "rows": table.rows}, indent=2, default=list))
        echo(table.note, err=True)
    else:
        _emit(table.rows, fmt, f"top {top} by {measure}", table.note)


@click.command()
@click.option(
    "--engine",
    type=click.Choice(ENGINES),
    help="Where to compute: python (a snapshot here) or gds (inside Neo4j). Default: $ECOGRAPH_ENGINE, else python.",
)
@click.option(
    "--by", type=click.Choice(ENGINE_MEASURES),
    default="pagerank", show_default=True, help="Rank by this measure, highest first.",
)  # fmt: skip
@click.option(
    "--top", type=click.IntRange(min=1), default=20, show_default=True, help="How many organisations."
)
@click.option("--k", "k", type=click.IntRange(min=1), help="Sample this many sources for betweenness.")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed for sampling and Louvain.")
@store_option
@format_option
def measures(engine, by, top, k, seed, store, fmt) -> None:
    """Degree, PageRank, betweenness, Louvain community and component of each organisation.

    With --engine gds (or ECOGRAPH_ENGINE=gds) Neo4j computes them itself through its Graph
    Data Science plugin (`ecograph neo4j start --gds`): for stores too big to snapshot into
    Python. Communities and components are numbered largest first.

    \b
    Example:
      ecograph measures --engine gds --by betweenness --top 10
    """
    from ecograph.engine import measures as run

    table = run(store, engine=engine, by=by, top=top, k=k, seed=seed)
    if fmt == "json":
        click.echo(json_text({**table.meta, "rows": table.rows}, indent=2))
        echo(table.note, err=True)
    else:
        _emit(table.rows, fmt, f"top {top} by {by}", table.note)


@click.command("weak-links")
@click.option("--format", "fmt", type=click.Choice(["md", "html", "json"]), default="md", show_default=True)
@click.option(
    "--out", type=click.Path(dir_okay=False, path_type=Path), help="Write here instead of printing."
)
@click.option("--top", type=click.IntRange(min=1), default=10, show_default=True, help="Findings per family.")
@click.option(
    "--seed", type=int, default=0, show_default=True, help="Seed for sampling, Louvain and random removal."
)
@click.option(
    "--method",
    type=click.Choice(["louvain", "leiden"]),
    default="louvain",
    show_default=True,
    help="How communities are found (Leiden: connected communities, faster).",
)
@period_option
@store_option
def weak_links(
    fmt: str, out: Path | None, top: int, seed: int, method: str, period: str | None, store: str | None
) -> None:
    """The weak-link report: summary, then each family of weak links in plain words.

    The report is cached per store state and period: a second run on an unchanged store
    is instant.

    \b
    Example:
      ecograph weak-links --format html --out weak-links.html
      ecograph weak-links --as-of 2022
    """
    from ecograph.api import weak_links as run
    from ecograph.explain.weak_links import render_html, render_markdown

    report = run(store, top=top, seed=seed, period=period, method=method)
    if fmt == "json":
        text = json_text(report, indent=2, default=str)
    elif fmt == "html":
        text = render_html(report)
    else:
        text = render_markdown(report)
    write_text(text, out)


@click.command()
@click.option("--org", help="Recommend partners for this organisation id.")
@click.option(
    "--from", "source_category", type=click.Choice(CATEGORIES), help="Only pairs from this category…"
)
@click.option("--to", "target_category", type=click.Choice(CATEGORIES), help="…to this category.")
@click.option("--top", type=click.IntRange(min=1), default=20, show_default=True)
@period_option
@store_option
@format_option
def recommend(org, source_category, target_category, top, period, store, fmt) -> None:
    """Missing partnerships, ranked, each with the reason it is recommended.

    \b
    Example:
      ecograph recommend --from university --to startup --top 10
    """
    from ecograph.api import period_note, workspace
    from ecograph.api import recommend as run

    with workspace(store) as ws:
        scoped = ws.for_period(period)
        rows = run(scoped, org=org, top=top, source_category=source_category, target_category=target_category)
        _emit(rows, fmt, "recommended partnerships", period_note(scoped))


@click.group()
def query() -> None:
    """The catalogue of named queries.

    \b
    Example:
      ecograph query list
      ecograph query run top-brokers --param category=university --param top=5
    """


@query.command("list")
@store_option
@format_option
def query_list(store: str | None, fmt: str) -> None:
    """List the named queries and their parameters (the same catalogue for every store)."""
    import queries

    rows = [
        {
            "name": q.name,
            "title": q.title,
            "parameters": ", ".join(
                f"{p.name}={p.default if p.default is not None else ''}" for p in q.parameters
            ),
            "description": q.description,
        }
        for q in queries.REGISTRY.values()
    ]
    emit_table(rows, fmt, title="named queries")


@query.command("run")
@click.argument("name")
@click.option("--param", "params", multiple=True, metavar="KEY=VALUE", help="A parameter; repeat for more.")
@period_option
@store_option
@format_option
def query_run(name: str, params: tuple[str, ...], period: str | None, store: str | None, fmt: str) -> None:
    """Run the named query NAME (as of a year or period with --as-of or --period)."""
    from ecograph.api import period_note, workspace
    from ecograph.api import query as run

    values: dict[str, str] = {}
    for item in params:
        key, sep, value = item.partition("=")
        if not sep:
            raise click.UsageError(f"--param takes KEY=VALUE, not {item!r}")
        values[key.strip()] = value
    with workspace(store) as ws:
        scoped = ws.for_period(period)
        rows = run(scoped, name, **values)
        _emit(rows, fmt, name, period_note(scoped))


def _emit(rows: list[dict], fmt: str, title: str, note: str | None) -> None:
    """The table, and (as of a period) the note on what it left out: its caption, or on stderr."""
    emit_table(rows, fmt, title=title, note=note)
    if note and (fmt != "table" or not rows):  # a table shows it as its caption
        echo(note, err=fmt != "table")


COMMANDS = [centrality, measures, weak_links, recommend, query]
