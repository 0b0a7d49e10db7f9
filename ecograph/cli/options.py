"""Options that several commands share, declared once."""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence

import click

from ecograph import csvcells
from ecograph.cli.terminal import cell, echo, json_text

__all__ = ["emit_table", "format_option", "store_option"]


def store_option(f: Callable) -> Callable:
    return click.option(
        "--store",
        "store",
        metavar="URL",
        default=None,
        help="Store URL (default: $ECOGRAPH_STORE, else sqlite:///ecograph.db).",
    )(f)


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
