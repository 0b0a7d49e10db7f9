"""Download public data and load it in one step: the ``ecograph fetch`` command.

One module per source finds what to download from the source's own record of its
releases and downloads it — :mod:`~ecograph.fetch.ror` (the newest ROR data dump on
Zenodo), :mod:`~ecograph.fetch.openalex` (a country's institutions and co-authored works
from the OpenAlex API, paged and cached) and :mod:`~ecograph.fetch.cordis` (the current
programme's CSV archive from data.europa.eu's listing) — through one HTTP client
(:mod:`~ecograph.fetch.client`: back-off, resumable downloads). The files go to
:func:`ecograph.load` as they are (zips included), with the source's release recorded in
the load's provenance: fetch never writes to a store itself. Downloads and page caches
live in the ``download_dir`` setting's folder (default ``~/.cache/ecograph/downloads``).
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path

from ecograph import settings
from ecograph.errors import UsageError
from ecograph.fetch import cordis, openalex, ror
from ecograph.fetch.client import Client, Download, ProgressCallback
from ecograph.report import LoadReport
from ecograph.store import Store

__all__ = ["SOURCES", "FetchResult", "download_folder", "fetch"]

SOURCES: tuple[str, ...] = ("ror", "openalex", "cordis")


@dataclass
class FetchResult:
    """What a fetch found, downloaded and loaded (``report`` is None for a dry run)."""

    source: str
    lines: list[str]
    files: list[Path]
    downloads: list[Download] = field(default_factory=list)
    report: LoadReport | None = None

    def as_dict(self) -> dict[str, object]:
        return {
            "source": self.source,
            "dry_run": self.report is None,
            "lines": self.lines,
            "files": [str(f) for f in self.files],
            "downloads": [
                {"file": str(d.path), "bytes": d.bytes, "reused": d.reused, "resumed": d.resumed}
                for d in self.downloads
            ],
            "load": self.report.as_dict() if self.report is not None else None,
        }


def download_folder(explicit: str | Path | None = None) -> Path:
    """Where downloads and page caches go: *explicit*, the ``download_dir`` setting, else
    ``$XDG_CACHE_HOME/ecograph/downloads`` (``~/.cache/ecograph/downloads``)."""
    chosen = explicit or settings.get("download_dir")
    if chosen:
        return Path(chosen).expanduser()
    cache = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(cache) / "ecograph" / "downloads"


def _countries(country: str | None) -> list[str]:
    from loaders.ror import country_option  # the one parser of --country

    codes = country_option(country)
    return sorted(codes) if codes else []


def fetch(
    source: str,
    store: Store | str | None = None,
    *,
    country: str | None = None,
    since: int | None = None,
    mailto: str | None = None,
    max_pages: int = openalex.DEFAULT_MAX_PAGES,
    dry_run: bool = False,
    folder: str | Path | None = None,
    progress: ProgressCallback | None = None,
) -> FetchResult:
    """Download *source*'s newest data and load it into *store*.

    Parameters
    ----------
    source : {"ror", "openalex", "cordis"}
    store : Store, URL or None
        Where to load (None: the ``store`` setting).
    country : str, optional
        Keep this country's organisations (``VN``; several as ``VN,LA``); required for
        OpenAlex.
    since : int, optional
        OpenAlex: only works published from this year on.
    mailto : str, optional
        OpenAlex: a contact address, for its polite pool.
    max_pages : int, optional
        OpenAlex: refuse a query that needs more pages than this.
    dry_run : bool
        Say what would be fetched (from the sources' records, which are small), download
        and load nothing.
    folder : path, optional
        Download folder (default :func:`download_folder`).
    progress : callable, optional
        ``progress(label, done, total)`` while bytes or pages arrive, then while loading.

    Returns
    -------
    FetchResult

    Raises
    ------
    SourceUnavailable
        The source cannot be reached after retries, or answers with something unusable.
    UsageError
        An unknown source, a bad option, or an OpenAlex query beyond *max_pages*.
    """
    if source not in SOURCES:
        raise UsageError(f"unknown source {source!r}; expected one of {', '.join(SOURCES)}")
    countries = _countries(country)
    country_text = ",".join(countries) or None
    if source != "openalex" and (since is not None or mailto):
        raise UsageError("--since and --mailto apply to fetch openalex only")
    # sources ask for an agent that names the tool, and the contact address when there is one
    agent = f"ecograph/{version('ecograph')}" + (f" (mailto:{mailto})" if mailto else "")
    client = Client(agent, progress=progress)
    where = download_folder(folder)
    if source == "ror":
        got = ror.fetch(
            client, where, url=settings.get("ror_release_url"), country=country_text, dry_run=dry_run
        )
    elif source == "cordis":
        got = cordis.fetch(
            client, where, url=settings.get("cordis_listing_url"), country=country_text, dry_run=dry_run
        )
    else:
        if not countries:
            raise UsageError("fetch openalex needs --country (OpenAlex lists over 100,000 institutions)")
        got = openalex.fetch(
            client,
            where,
            base=settings.get("openalex_url"),
            countries=countries,
            since=since,
            mailto=mailto,
            api_key=settings.get("openalex_api_key") or None,
            max_pages=max_pages,
            dry_run=dry_run,
            progress=progress,
        )
    result = FetchResult(source, got.lines, got.files, got.downloads)
    if not dry_run:
        from ecograph.ingest import load

        def load_progress(step: str, name: str, done: int, total: int) -> None:
            if step == "read":  # bytes of each file, then the records written
                progress(Path(name).name, done, total)
            elif step == "written":
                progress("records written", done, total)

        result.report = load(
            got.files, store, format=source, options=got.options, progress=load_progress if progress else None
        )
        for folder_done in got.cleanup:
            shutil.rmtree(folder_done, ignore_errors=True)
    return result
