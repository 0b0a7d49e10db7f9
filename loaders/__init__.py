"""Readers of source formats: each turns files into raw canonical rows, never writing to a store.

Importing this package registers every loader module listed in ``_MODULES``.
"""

from importlib import import_module

from loaders.base import REGISTRY, FileInfo, Loader, SourceRow, detect

__all__ = ["REGISTRY", "FileInfo", "Loader", "SourceRow", "detect"]

_MODULES = ("canonical", "ror", "cordis", "openalex", "crunchbase")
for _name in _MODULES:
    import_module(f"loaders.{_name}")
