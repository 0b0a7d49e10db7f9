"""The ``ecograph`` command line: thin commands over the public functions of the same names.

Errors a user can cause arrive as :class:`ecograph.errors.EcographError` and leave as one
``Error: …`` line on stderr and the error's exit code (1 invalid input, 2 usage, 3 store
or file unavailable) — never a traceback. So does a file the system will not read or
write (an ``OSError``: no space, no permission; exit 3), and Ctrl-C says "Interrupted"
and exits 130. What is printed is plain text (:mod:`ecograph.cli.terminal`).
"""

from __future__ import annotations

import click

from ecograph.cli.terminal import echo
from ecograph.errors import EcographError, ValidationFailed

__all__ = ["main"]


class _Group(click.Group):
    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except ValidationFailed as exc:
            echo(f"Error: {exc}", err=True)
            for line in exc.report.problem_lines():
                echo(f"  {line}", err=True)
            ctx.exit(exc.exit_code)
        except EcographError as exc:
            echo(f"Error: {exc}", err=True)
            ctx.exit(exc.exit_code)
        except OSError as exc:
            where = f": {exc.filename}" if exc.filename else ""
            echo(f"Error: {exc.strerror or exc}{where}", err=True)
            ctx.exit(3)
        except KeyboardInterrupt:
            echo("Interrupted.", err=True)
            ctx.exit(130)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="ecograph")
def main() -> None:
    """ecograph: map an innovation ecosystem and find where it is weakly linked.

    The store defaults to $ECOGRAPH_STORE, else sqlite:///ecograph.db in this folder.

    \b
    Example:
      ecograph demo && ecograph stats
    """


def _register() -> None:
    from ecograph.cli import analysis, change, data, explorer, fetch, resolution, server

    for module in (data, fetch, resolution, analysis, change, server, explorer):
        for command in module.COMMANDS:
            main.add_command(command)


_register()
