"""One table of settings, read from ``ECOGRAPH_*`` environment variables by the CLI, the app and the README."""

from __future__ import annotations

import os
from dataclasses import dataclass

__all__ = ["DEFAULT_STORE", "SETTINGS", "Setting", "explorer_stores", "get", "home_country", "store_url"]

#: The name under which the explorer lists the store it was started with.
DEFAULT_STORE = "default"


@dataclass(frozen=True)
class Setting:
    name: str
    default: str
    help: str
    secret: bool = False

    @property
    def env(self) -> str:
        return "ECOGRAPH_" + self.name.upper()


SETTINGS: dict[str, Setting] = {
    s.name: s
    for s in [
        Setting(
            "store",
            "sqlite:///ecograph.db",
            "Store URL: sqlite:///path.db, bolt://host:port or neo4j://host:port.",
        ),
        Setting(
            "home_country",
            "VN",
            "ISO 3166-1 alpha-2 code of the home country; other countries are foreign partners.",
        ),
        Setting("neo4j_user", "neo4j", "Neo4j user name (when the URL carries none)."),
        Setting(
            "neo4j_password",
            "",
            "Neo4j password (when the URL carries none). Never printed.",
            secret=True,
        ),
        Setting("neo4j_database", "neo4j", "Neo4j database name."),
        Setting(
            "neo4j_home",
            ".neo4j",
            "Where `ecograph neo4j` keeps Neo4j's jars (and, by default, its data, logs and password).",
        ),
        Setting("batch_size", "10000", "Rows per UNWIND batch when writing to Neo4j."),
        Setting(
            "cache_dir",
            "",
            "Folder for cached analyses; default: a folder beside the SQLite file, or ~/.cache/ecograph.",
        ),
        Setting(
            "visible_node_cap",
            "20000",
            "Network map: above this many organisations the explorer shows an aggregated view.",
        ),
        Setting("allow_writes", "0", "Explorer: 1 enables the Load data page."),
        Setting(
            "explorer_stores",
            "",
            "Explorer: other stores a visitor may switch to, by name: name=URL,name=URL "
            "(the store the explorer starts with is 'default'; visitors never type a URL).",
            secret=True,
        ),
        Setting("backend", "auto", "Graph backend for heavy analyses: auto, networkx or igraph."),
        Setting(
            "processes",
            "auto",
            "Weak-link report: auto (igraph's betweenness and communities in a second process for "
            "networks of 100,000 ties or more, on two cores or more), 1 (all in one process) or 2 "
            "(a second process whatever the size).",
        ),
        Setting(
            "engine",
            "python",
            "`ecograph measures`: python (a snapshot in this process) or gds (inside Neo4j, with the "
            "Graph Data Science plugin: `ecograph neo4j start --gds`).",
        ),
        Setting(
            "download_dir",
            "",
            "`ecograph fetch`: folder for downloads and page caches; default ~/.cache/ecograph/downloads.",
        ),
        Setting(
            "ror_release_url",
            "https://zenodo.org/api/records/6347574",
            "`ecograph fetch ror`: the Zenodo record of ROR's data dump (the concept record redirects "
            "to the newest release).",
        ),
        Setting("openalex_url", "https://api.openalex.org", "`ecograph fetch openalex`: the OpenAlex API."),
        Setting(
            "openalex_api_key",
            "",
            "`ecograph fetch openalex`: an OpenAlex API key, sent as api_key (OpenAlex requires one "
            "beyond a few requests a day). Never printed.",
            secret=True,
        ),
        Setting(
            "cordis_listing_url",
            "https://data.europa.eu/api/hub/search/en/feeds/datasets/"
            "cordis-eu-research-projects-under-horizon-europe-2021-2027.rss",
            "`ecograph fetch cordis`: the data.europa.eu listing (RSS) of the current programme's CORDIS files.",
        ),
    ]
}


def get(name: str) -> str:
    """The value of setting *name*: its environment variable, else its default."""
    setting = SETTINGS[name]
    value = os.environ.get(setting.env, "").strip()
    return value or setting.default


def store_url(explicit: str | None = None) -> str:
    """The store URL: *explicit* if given, else ``$ECOGRAPH_STORE``, else the SQLite default."""
    return explicit or get("store")


def home_country() -> str:
    return get("home_country").upper()


def explorer_stores(explicit: str | None = None) -> dict[str, str]:
    """The stores the explorer serves, by name: :data:`DEFAULT_STORE` (the ``store``
    setting, or *explicit*) first, then those of ``$ECOGRAPH_EXPLORER_STORES``.

    Raises
    ------
    UsageError
        An entry is not ``name=URL``, or a name is empty, repeated or ``default``.

    Examples
    --------
    >>> import os
    >>> os.environ["ECOGRAPH_EXPLORER_STORES"] = "2023=sqlite:///snap-2023.db, test=bolt://127.0.0.1:7688"
    >>> explorer_stores("sqlite:///ecograph.db")
    {'default': 'sqlite:///ecograph.db', '2023': 'sqlite:///snap-2023.db', 'test': 'bolt://127.0.0.1:7688'}
    >>> del os.environ["ECOGRAPH_EXPLORER_STORES"]
    """
    from ecograph.errors import UsageError

    found = {DEFAULT_STORE: store_url(explicit)}
    listed = get("explorer_stores")
    for entry in filter(None, (e.strip() for e in listed.split(","))):
        name, sep, url = (part.strip() for part in entry.partition("="))
        if not sep or not name or not url:
            raise UsageError(
                f"{SETTINGS['explorer_stores'].env}: each entry is name=URL, separated by commas; "
                f"one entry has no name or no URL"
            )
        if name in found:
            raise UsageError(
                f"{SETTINGS['explorer_stores'].env}: the name {name!r} is used twice "
                f"({DEFAULT_STORE!r} is the store the explorer starts with)"
            )
        found[name] = url
    return found
