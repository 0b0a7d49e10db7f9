"""The real-data examples in the repository's ``examples/`` folder, loaded by ``ecograph demo --example NAME``.

Each example is a folder of files in formats ``ecograph load`` reads, with a README giving
their source, release and licence. They live beside the package in a checkout (``./run.sh``
installs ecograph from one), not inside the installed package.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ecograph.errors import InputUnavailable, UsageError
from ecograph.report import LoadReport
from ecograph.store import Store

__all__ = ["EXAMPLES", "Example", "example_files", "load_example"]


@dataclass(frozen=True)
class Example:
    """What an example holds, and the release of its source (recorded with each load)."""

    description: str
    release: str


EXAMPLES: dict[str, Example] = {
    "vietnam-ror": Example(
        "every organisation in Vietnam in the ROR records repository's releases (ROR v2 JSON, CC0)",
        "ror-records v2.9 (commit d93fc66, 2026-06-23)",
    ),
}
"""Example name -> what it holds (``examples/<name>/README.md`` says more)."""

_FOLDER = Path(__file__).resolve().parent.parent / "examples"
_DATA_SUFFIXES = (".json", ".jsonl", ".csv", ".zip", ".gz")


def example_files(name: str) -> list[Path]:
    """The data files of example *name*, in name order (its README and scripts left out)."""
    if name not in EXAMPLES:
        raise UsageError(f"no example named {name!r}; the examples are {', '.join(sorted(EXAMPLES))}")
    folder = _FOLDER / name
    files = sorted(p for p in folder.glob("*") if p.is_file() and p.name.endswith(_DATA_SUFFIXES))
    if not files:
        raise InputUnavailable(
            f"cannot read the example {name!r}: examples/{name}/ is not here; examples ship with a "
            "clone of the ecograph repository, not with an installed package"
        )
    return files


def load_example(store: Store | str | None, name: str) -> LoadReport:
    """Load example *name* into *store* with :func:`ecograph.load` (format detected, entity
    resolution as for any public data); loading it again changes nothing."""
    from ecograph.ingest import load

    return load(example_files(name), store, options={"release": EXAMPLES[name].release})
