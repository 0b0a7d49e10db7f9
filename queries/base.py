"""Named, parameterised queries: configured as data, run by the CLI, the Python API and the explorer."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ecograph.errors import QueryNotFound, UsageError

if TYPE_CHECKING:
    from ecograph.workspace import Workspace

__all__ = ["REGISTRY", "NamedQuery", "Param", "get", "register"]

_TYPES: dict[str, Callable[[str], Any]] = {"str": str, "int": int, "float": float}


@dataclass(frozen=True)
class Param:
    """One parameter of a named query."""

    name: str
    type: str = "str"  # "str", "int", "float" or "choice"
    default: object = None
    help: str = ""
    choices: tuple[str, ...] = ()
    required: bool = False

    def parse(self, value: object) -> object:
        """*value* (text from a command line or form) as this parameter's type."""
        if value is None or value == "":
            if self.required:
                raise UsageError(f"parameter {self.name!r} is required: {self.help}")
            return self.default
        if self.type == "choice":
            text = str(value)
            if text not in self.choices:
                raise UsageError(
                    f"parameter {self.name!r} must be one of {', '.join(self.choices)}, not {text!r}"
                )
            return text
        try:
            return _TYPES[self.type](value)
        except ValueError:
            raise UsageError(f"parameter {self.name!r} must be {self.type}, not {value!r}") from None


@dataclass(frozen=True)
class NamedQuery:
    """A query analysts run by name: what it answers, its parameters, and the analysis it calls.

    ``run(workspace, **params)`` returns rows (a list of dicts sharing keys); it calls an
    analysis function and holds no logic of its own.
    """

    name: str
    title: str
    description: str
    run: Callable[..., list[dict]]
    parameters: tuple[Param, ...] = ()
    returns: str = ""
    tags: tuple[str, ...] = field(default=())

    def parse(self, raw: Mapping[str, object]) -> dict[str, object]:
        """Parameter values from *raw* (``{"top": "5"}``), typed and defaulted."""
        known = {p.name for p in self.parameters}
        unknown = sorted(set(raw) - known)
        if unknown:
            raise UsageError(
                f"query {self.name!r} has no parameter {unknown[0]!r}; it takes {', '.join(sorted(known)) or 'none'}"
            )
        return {p.name: p.parse(raw.get(p.name)) for p in self.parameters}

    def __call__(self, workspace: Workspace, **raw: object) -> list[dict]:
        return self.run(workspace, **self.parse(raw))


REGISTRY: dict[str, NamedQuery] = {}


def register(query: NamedQuery) -> NamedQuery:
    if query.name in REGISTRY:
        raise ValueError(f"two queries are named {query.name!r}")
    REGISTRY[query.name] = query
    return query


def get(name: str) -> NamedQuery:
    """The query called *name*; :class:`QueryNotFound` names the ones there are."""
    try:
        return REGISTRY[name]
    except KeyError:
        raise QueryNotFound(
            f"no query named {name!r}; `ecograph query list` shows them: {', '.join(sorted(REGISTRY))}"
        ) from None
