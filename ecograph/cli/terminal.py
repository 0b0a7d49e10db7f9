"""What the command line prints: names and messages as plain text, never as terminal codes or markup.

A name comes from a file someone else wrote. Printed as it is, an ``ESC [`` sequence would
recolour or clear the terminal, an OSC-8 sequence (``ESC ] 8 ;; URL``) would turn text into
a hidden link, a carriage return would overwrite the line, and rich's markup
(``[link=…]``, ``[/bold]``) would be read as formatting or fail. Everything the CLI prints
goes through :func:`plain` (escape sequences and C0/C1 control characters removed, tab
and newline kept); tables put every cell in as literal text (:func:`cell`); JSON leaves
with its control characters escaped (:func:`json_text`).
"""

from __future__ import annotations

import json
import re
from typing import Any

import click

__all__ = ["cell", "echo", "json_text", "markup", "plain"]

# ESC sequences first (CSI ``ESC [ … final``, OSC/DCS/SOS/PM/APC strings up to their
# terminator, two-character escapes), then any lone C0 or C1 control but tab and newline.
_CONTROL = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]?"
    r"|\x1b[\]PX^_][^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"
    r"|\x1b[ -~]?"
    r"|\x9b[0-?]*[ -/]*[@-~]?"
    r"|[\x9d\x90\x98\x9e\x9f][^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"
    r"|[\x00-\x08\x0b-\x1f\x7f-\x9f]"
)
_C1 = re.compile(r"[\x7f-\x9f]")


def plain(text: object) -> str:
    """*text* without terminal escape sequences or control characters (tab and newline kept).

    Examples
    --------
    >>> plain("Trusted Uni\\x1b]8;;http://evil\\x1b\\\\here\\x1b]8;;\\x1b\\\\ \\x1b[2J\\rok")
    'Trusted Unihere ok'
    """
    return _CONTROL.sub("", str(text))


def cell(value: object) -> Any:
    """*value* as a rich table cell: literal text, never markup."""
    from rich.text import Text

    return Text(plain(value))


def markup(text: object) -> str:
    """*text* to put inside rich markup (a progress bar's description): brackets escaped."""
    from rich.markup import escape

    return escape(plain(text))


def echo(text: object = "", *, err: bool = False, nl: bool = True) -> None:
    """:func:`click.echo` of :func:`plain` *text*."""
    click.echo(plain(text), err=err, nl=nl)


def json_text(value: Any, **options: Any) -> str:
    """*value* as JSON (UTF-8 kept) with C1 control characters escaped too, as JSON escapes
    the C0 ones: the data is unchanged, the terminal sees no control code.

    Examples
    --------
    >>> json_text({"name": "a\\x1b[31mb\\x9bc"})
    '{"name": "a\\\\u001b[31mb\\\\u009bc"}'
    """
    text = json.dumps(value, ensure_ascii=False, **options)
    return _C1.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
