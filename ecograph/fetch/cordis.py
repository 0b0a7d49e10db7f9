"""CORDIS: the current programme's project and organisation files, from data.europa.eu's listing.

The EU's open-data portal lists the files of each CORDIS dataset in an RSS feed; the
``cordis_listing_url`` setting names the one of the current programme (Horizon Europe,
2021–2027). Each ``<item>`` of the feed is one published file, with its address in
``<link>`` (or anywhere in the item) and its date in ``<pubDate>``; the one wanted is the
CSV archive ``cordis-<PROGRAMME>projects-csv.zip``
(``https://cordis.europa.eu/data/cordis-HORIZONprojects-csv.zip``), which holds
``organization.csv`` and ``project.csv`` beside topics, links and legal bases. It is
downloaded (resumably) into ``<download_dir>/cordis/`` and loaded as it is: the CORDIS
loader reads the two files inside the zip (:mod:`loaders.archive`).
"""

from __future__ import annotations

import html
import re
from pathlib import Path

from ecograph.errors import SourceUnavailable
from ecograph.fetch.client import Client, public_url
from ecograph.fetch.plan import Fetched, load_options

__all__ = ["fetch"]

_ITEM = re.compile(r"<item\b.*?</item>", re.DOTALL | re.IGNORECASE)
_ZIP = re.compile(r"https?://[^\s\"'<>]+/cordis-([A-Za-z0-9]+)projects-csv\.zip")
_DATE = re.compile(r"<pubDate>\s*(.*?)\s*</pubDate>", re.DOTALL | re.IGNORECASE)


def _listed(listing: str) -> tuple[str, str | None] | None:
    """The projects CSV archive the listing names, with its date if its item gives one."""
    for item in _ITEM.findall(listing):
        found = _ZIP.search(html.unescape(item))
        if found:
            date = _DATE.search(item)
            return found.group(0), date.group(1) if date else None
    found = _ZIP.search(html.unescape(listing))
    return (found.group(0), None) if found else None


def fetch(client: Client, folder: Path, *, url: str, country: str | None, dry_run: bool) -> Fetched:
    """Find the programme's projects archive in the listing, download it unless *dry_run*."""
    body, _ = client.get_bytes(url)
    listed = _listed(body.decode("utf-8", errors="replace"))
    if listed is None:
        raise SourceUnavailable(
            f"the CORDIS listing at {public_url(url)} names no cordis-…projects-csv.zip file; check the "
            "cordis_listing_url setting"
        )
    link, published = listed
    name = link.rsplit("/", 1)[1]
    release = f"{name}" + (f", published {published}" if published else "")
    dest = folder / "cordis" / name
    where = f"the projects with a participant in {country}" if country else "every project"
    fetched = Fetched(
        lines=[f"CORDIS {release}"],
        files=[dest],
        options=load_options(release, link, country),
    )
    if dry_run:
        fetched.lines.append(f"would download {link} and load {where}")
        return fetched
    # no checksum in the listing: download it whole each time, resuming a broken download
    fetched.downloads.append(client.download(link, dest, label=name))
    return fetched
