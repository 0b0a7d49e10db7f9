"""Options that several commands share, declared once."""

from __future__ import annotations

import functools
import io
from collections.abc import Callable, Sequence
from pathlib import Path

import click

from ecograph import csvcells
from ecograph.cli.terminal import cell, echo, json_text

__all__ = ["emit_table", "format_option", "period_option", "store_option", "write_text"]


def store_option(f: Callable) -> Callable:
    return click.option(
        "--store",
        "store",
        metavar="URL",
        default=None,
        help="Store URL (default: $ECOGRAPH_STORE, else sqlite:///ecograph.db).",
    )(f)


def period_option(f: Callable) -> Callable:
    """``--as-of YEAR`` and ``--period FIRST-LAST``, passed to the command as one ``period``.

    The text goes to the API unparsed: a malformed period is reported there, with the
    years the store's ties cover.
    """

    @functools.wraps(f)
    def wrapper(*args: object, as_of: str | None, period_text: str | None, **kwargs: object):
        if as_of is not None and period_text is not None:
            raise click.UsageError("give --as-of or --period, not both")
        return f(*args, period=as_of if as_of is not None else period_text, **kwargs)

    wrapper = click.option(
        "--period",
        "period_text",
        metavar="FIRST-LAST",
        help="Only the ties active in these years, e.g. 2023-2025 (organisations founded later are left out).",
    )(wrapper)
    return click.option(
        "--as-of", "as_of", metavar="YEAR", help="The ecosystem as of one year: the ties active in it."
    )(wrapper)


def write_text(text: str, out: Path | None) -> None:
    """Print *text*, or write it to *out* and say so."""
    if out is None:
        echo(text)
    else:
        out.write_text(text, encoding="utf-8")
        echo(f"wrote {out}")


def format_option(f: Callable) -> Callable:
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(["table", "csv", "json"]),
        default="table",
        show_default=True,
        help="How to print the result.",
    )(f)


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, tuple | list):
        return ", ".join(map(str, value))
    return str(value)


def emit_table(
    rows: Sequence[dict[str, object]], fmt: str, title: str | None = None, note: str | None = None
) -> None:
    """Print *rows* (dicts sharing keys) as a rich table, CSV or JSON.

    Every cell is text, never markup or a terminal code (:mod:`ecograph.cli.terminal`); the
    CSV is spreadsheet-safe (:func:`ecograph.csvcells.write`).
    """
    if fmt == "json":
        click.echo(json_text(rows, indent=2, default=list))
        return
    columns = list(rows[0]) if rows else []
    if fmt == "csv":
        buffer = io.StringIO()
        csvcells.write(
            buffer,
            columns,
            ([_text(v) if isinstance(v, list | tuple) else v for v in map(r.get, columns)] for r in rows),
            number=_text,
        )
        echo(buffer.getvalue(), nl=False)
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title=cell(title) if title else None, caption=cell(note) if note else None)
    for column in columns:
        table.add_column(cell(column), overflow="fold")
    for r in rows:
        table.add_row(*(cell(_text(r.get(c))) for c in columns))
    console = Console(soft_wrap=False)
    if not console.is_terminal:
        console = Console(soft_wrap=False, width=200)  # pipes and files: do not fold at 80 columns
    console.print(table if rows else cell(f"{title or 'result'}: no rows"))
