"""The Streamlit explorer: one module per page, ``state`` for the store, snapshot and cached results.

``app.py`` (at the repository root) builds the navigation from :data:`PAGES`. Each page
module is a script Streamlit runs (it calls its ``render()`` when run as ``__main__``) and
an importable module (its functions can be read and tested without Streamlit running).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ecograph import settings

__all__ = ["APP_PATH", "PAGES", "PageSpec", "allow_writes", "page_path", "pages"]

HERE = Path(__file__).resolve().parent
#: The explorer's entry script, ``streamlit run`` target (the repository's ``app.py``).
APP_PATH = HERE.parent.parent / "app.py"


@dataclass(frozen=True)
class PageSpec:
    """One page: its module file, title, icon and URL path."""

    name: str
    title: str
    icon: str
    url_path: str
    writes: bool = False

    @property
    def path(self) -> Path:
        return HERE / f"{self.name}.py"


PAGES: tuple[PageSpec, ...] = (
    PageSpec("overview", "Overview", ":material/dashboard:", "overview"),
    PageSpec("network", "Network map", ":material/hub:", "map"),
    PageSpec("profile", "Organisation profile", ":material/domain:", "profile"),
    PageSpec("weak_links", "Weak links", ":material/link_off:", "weak-links"),
    PageSpec("change", "Change over time", ":material/timeline:", "change"),
    PageSpec("centrality", "Centrality", ":material/leaderboard:", "centrality"),
    PageSpec("recommendations", "Recommendations", ":material/handshake:", "recommendations"),
    PageSpec("named_queries", "Queries", ":material/manage_search:", "queries"),
    PageSpec("load", "Load data", ":material/upload_file:", "load", writes=True),
)
_BY_NAME = {p.name: p for p in PAGES}


def allow_writes() -> bool:
    """True when ``ECOGRAPH_ALLOW_WRITES`` enables the Load data page."""
    return settings.get("allow_writes").strip().lower() in {"1", "true", "yes", "on"}


def pages() -> list[PageSpec]:
    """The pages in navigation order; the Load data page only when writes are allowed."""
    writes = allow_writes()
    return [p for p in PAGES if writes or not p.writes]


def page_path(name: str) -> str:
    """The file of page *name*, as ``st.switch_page`` and ``st.page_link`` take it."""
    return str(_BY_NAME[name].path)
