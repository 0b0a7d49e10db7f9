"""ROR: the newest data dump, from its Zenodo release record.

ROR publishes every release of its registry on Zenodo under one concept record
(``https://zenodo.org/api/records/6347574``, the ``ror_release_url`` setting), which
redirects to the newest release. Its JSON names the release (``metadata.version``,
``metadata.publication_date``, ``doi``) and its file: ``files[].key``
(``v2.0-2025-12-16-ror-data.zip``), ``size``, ``checksum`` (``md5:…``) and
``links.self``. The zip is downloaded (resumably, checked against the MD5) into
``<download_dir>/ror/`` and loaded as it is: the ROR loader reads the schema v2 JSON inside
it, streamed (:mod:`loaders.archive`). Older dumps in that folder are deleted once the newer
one is complete.
"""

from __future__ import annotations

from pathlib import Path

from ecograph.errors import SourceUnavailable
from ecograph.fetch.client import Client, public_url
from ecograph.fetch.plan import Fetched, load_options, megabytes

__all__ = ["fetch"]


def _dump(record: dict, url: str) -> dict:
    """The data dump file of a release record (the zip whose name says ror-data)."""
    files = record.get("files")
    if isinstance(files, dict):  # InvenioRDM's own shape: {"entries": {...}}
        files = list((files.get("entries") or {}).values())
    candidates = [f for f in files or [] if isinstance(f, dict)]
    for entry in candidates:
        key = str(entry.get("key") or entry.get("filename") or "")
        if key.endswith(".zip") and "ror-data" in key:
            return entry
    raise SourceUnavailable(f"the ROR release record at {public_url(url)} lists no ror-data zip file")


def fetch(client: Client, folder: Path, *, url: str, country: str | None, dry_run: bool) -> Fetched:
    """Find the newest ROR dump, download it into *folder*/ror unless *dry_run*."""
    record = client.get_json(url)
    meta = record.get("metadata") or {}
    entry = _dump(record, url)
    key = str(entry.get("key") or entry.get("filename"))
    links = entry.get("links") or {}
    link = links.get("self") or links.get("download") or links.get("content")
    if not link:
        raise SourceUnavailable(f"the ROR release record at {public_url(url)} gives no link to {key}")
    size = entry.get("size") or entry.get("filesize")
    checksum = str(entry.get("checksum") or "")
    md5 = checksum.removeprefix("md5:") if len(checksum.removeprefix("md5:")) == 32 else None
    version = meta.get("version") or "?"
    date = meta.get("publication_date") or "?"
    doi = record.get("doi") or meta.get("doi")
    release = f"{version} ({date})" + (f", https://doi.org/{doi}" if doi else "")
    dest = folder / "ror" / Path(key).name
    where = f"the organisations in {country}" if country else "every organisation"
    fetched = Fetched(
        lines=[f"ROR data dump {release}: {key}, {megabytes(size)}"],
        files=[dest],
        options=load_options(release, link, country),
    )
    if dry_run:
        have = dest.is_file() and dest.stat().st_size == size
        fetched.lines.append(
            f"would {'use the copy already downloaded' if have else 'download it'} and load {where}"
        )
        return fetched
    fetched.downloads.append(client.download(link, dest, size=size, md5=md5, label=key))
    for old in dest.parent.glob("*ror-data*.zip"):
        if old != dest:
            old.unlink()  # an earlier release: the new dump replaces it
    return fetched
