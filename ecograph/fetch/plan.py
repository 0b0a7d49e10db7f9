"""What one source's fetch found and downloaded: the files to load and the loader options."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ecograph.fetch.client import Download

__all__ = ["Fetched", "load_options", "megabytes"]


@dataclass
class Fetched:
    """The result of a source module's ``fetch``: lines for people (what was or would be
    fetched), the files to hand to ``ecograph.load``, its loader options (country,
    release, url), the downloads made and the caches a successful load makes stale."""

    lines: list[str]
    files: list[Path]
    options: dict[str, object]
    downloads: list[Download] = field(default_factory=list)
    cleanup: list[Path] = field(default_factory=list)  # folders to delete once the load succeeded


def load_options(release: str, url: str, country: str | None) -> dict[str, object]:
    """The loader options of fetched files: the release and address the load records in its
    provenance, and the country to keep (none: every organisation)."""
    return {"release": release, "url": url, **({"country": country} if country else {})}


def megabytes(size: object) -> str:
    """``"38.2 MB"`` for a byte count; ``"size unknown"`` without one.

    Examples
    --------
    >>> megabytes(38_200_000), megabytes(None)
    ('38.2 MB', 'size unknown')
    """
    return f"{int(size) / 1e6:,.1f} MB" if isinstance(size, int | float) else "size unknown"
