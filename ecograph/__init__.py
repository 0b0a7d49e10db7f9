"""ecograph: an innovation ecosystem as a graph, and where it is weakly linked.

The command line and this API carry the same names: ``ecograph.load``, ``ecograph.stats``,
``ecograph.export``, ``ecograph.demo`` and ``ecograph.open_store``; the analysis commands
are in :mod:`ecograph.api`.
"""

from importlib import import_module
from typing import TYPE_CHECKING

__all__ = ["demo", "export", "load", "open_store", "stats"]

# Loaded on first use (PEP 562): importing a small module such as ecograph.model must not
# pull in the stores and loaders, which themselves import ecograph.model.
_HOMES = {
    "demo": "ecograph.synthetic",
    "export": "ecograph.exports",
    "load": "ecograph.ingest",
    "open_store": "ecograph.store",
    "stats": "ecograph.inventory",
}

if TYPE_CHECKING:
    from ecograph.exports import export
    from ecograph.ingest import load
    from ecograph.inventory import stats
    from ecograph.store import open_store
    from ecograph.synthetic import demo


def __getattr__(name: str):
    if name in _HOMES:
        return getattr(import_module(_HOMES[name]), name)
    raise AttributeError(f"module 'ecograph' has no attribute {name!r}")
