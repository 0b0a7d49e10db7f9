"""The load path, in one direction: files → Arrow batches → checked columns → resolved → one store write.

- :mod:`~ecograph.ingest.read`: files into record batches of the values as written;
- :mod:`~ecograph.ingest.validate`: every rule once, over whole columns;
- :mod:`~ecograph.ingest.resolve`: entity resolution's side of a load;
- :mod:`~ecograph.ingest.pipeline`: the whole load, and :func:`validated` without a store.
"""

from importlib import import_module
from typing import TYPE_CHECKING

__all__ = ["Progress", "Validated", "load", "validated", "write_records"]

# Loaded on first use (PEP 562), so that the modules of the package import one another
# without running this one's imports in a circle.
_HOMES = {name: "ecograph.ingest.pipeline" for name in ("Validated", "load", "validated", "write_records")}
_HOMES["Progress"] = "ecograph.ingest.read"

if TYPE_CHECKING:
    from ecograph.ingest.pipeline import Validated, load, validated, write_records
    from ecograph.ingest.read import Progress


def __getattr__(name: str):
    if name in _HOMES:
        return getattr(import_module(_HOMES[name]), name)
    raise AttributeError(f"module 'ecograph.ingest' has no attribute {name!r}")
