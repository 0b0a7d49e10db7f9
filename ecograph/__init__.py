"""ecograph: an innovation ecosystem as a graph, and where it is weakly linked.

The command line and this API carry the same names: ``ecograph.load``, ``ecograph.stats``,
``ecograph.export``, ``ecograph.demo`` and ``ecograph.open_store``.
"""

from ecograph.export import export
from ecograph.ingest import load
from ecograph.stats import stats
from ecograph.store import open_store

__all__ = ["demo", "export", "load", "open_store", "stats"]


def demo(*args, **kwargs):
    """Generate the synthetic ecosystem and load it: see :func:`ecograph.synthetic.demo`."""
    from ecograph.synthetic import demo as _demo

    return _demo(*args, **kwargs)
