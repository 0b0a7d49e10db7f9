"""The catalogue of named queries: one module per query, each registering a :class:`NamedQuery`."""

from importlib import import_module

from queries.base import REGISTRY, NamedQuery, Param, get

__all__ = ["REGISTRY", "NamedQuery", "Param", "get"]

_MODULES = (
    "top_brokers",
    "bridges",
    "under_connected_sectors",
    "startups_without_investors",
    "foreign_gatekeepers",
    "recommended_partners",
    "ego_network",
    "province_summary",
    "research_reach",
)
for _name in _MODULES:
    import_module(f"queries.{_name}")
