"""Build ``ror-vn.json`` from a clone of the ROR records repository (github.com/ror-community/ror-records).

Reads every release folder's records from the repository's git history (``git ls-tree`` and
``git cat-file``, nothing checked out), keeps the records located in Vietnam, and writes the
newest version of each as a ROR schema v2 record, one record a line in a JSON array:

    python examples/vietnam-ror/build.py PATH-TO-ror-records > examples/vietnam-ror/ror-vn.json

Release folders ``v1.45`` and later hold schema v2 records (and their v1 copies in a ``v1/``
subfolder, which are skipped); earlier folders hold schema v1 records only. A record whose
newest version is a v1 record is converted to v2 with ROR's published field mapping (names,
types, links, external ids, location, relationships); its ``admin`` dates are the dates of the
release commits in which the record first and last appears in the repository.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

COUNTRY = "VN"
_RELEASE = re.compile(r"v\d+(\.\d+)+")


def _version(release: str) -> tuple[int, ...]:
    return tuple(int(x) for x in release[1:].split("."))


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, check=True).stdout


class _Blobs:
    """Reads blobs through one ``git cat-file --batch`` process."""

    def __init__(self, repo: Path):
        self.proc = subprocess.Popen(
            ["git", "cat-file", "--batch"], cwd=repo, stdin=subprocess.PIPE, stdout=subprocess.PIPE
        )

    def read(self, obj: str) -> bytes:
        self.proc.stdin.write(f"{obj}\n".encode())  # type: ignore[union-attr]
        self.proc.stdin.flush()  # type: ignore[union-attr]
        size = int(self.proc.stdout.readline().split()[2])  # type: ignore[union-attr]
        data = self.proc.stdout.read(size)  # type: ignore[union-attr]
        self.proc.stdout.read(1)  # type: ignore[union-attr]
        return data


def _country(record: dict) -> str | None:
    if "locations" in record:
        for location in record.get("locations") or []:
            return (location.get("geonames_details") or {}).get("country_code")
        return None
    return (record.get("country") or {}).get("country_code")


def _release_dates(repo: Path) -> dict[str, str]:
    """Each release folder's date: the day of the first commit that added files to it."""
    dates: dict[str, str] = {}
    log = _git(repo, "log", "--reverse", "--format=@%cs", "--name-only", "--diff-filter=A", "HEAD")
    day = ""
    for line in log.splitlines():
        if line.startswith("@"):
            day = line[1:]
        elif _RELEASE.fullmatch(line.split("/", 1)[0]):
            dates.setdefault(line.split("/", 1)[0], day)
    return dates


def _v1_to_v2(record: dict, created: str, modified: str) -> dict:
    """A schema v1 record in schema v2, after ROR's v1-to-v2 field mapping."""
    names = [{"lang": None, "types": ["label", "ror_display"], "value": record["name"]}]
    names += [
        {"lang": x.get("iso639"), "types": ["label"], "value": x["label"]} for x in record.get("labels") or []
    ]
    names += [{"lang": None, "types": ["alias"], "value": a} for a in record.get("aliases") or []]
    names += [{"lang": None, "types": ["acronym"], "value": a} for a in record.get("acronyms") or []]
    links = [{"type": "website", "value": url} for url in record.get("links") or []]
    if record.get("wikipedia_url"):
        links.append({"type": "wikipedia", "value": record["wikipedia_url"]})
    external = []
    for scheme, ids in sorted((record.get("external_ids") or {}).items()):
        values = ids.get("all") or []
        external.append(
            {
                "all": values if isinstance(values, list) else [values],
                "preferred": ids.get("preferred"),
                "type": scheme.lower(),
            }
        )
    locations = []
    for address in (record.get("addresses") or [])[:1]:
        city = address.get("geonames_city") or {}
        locations.append(
            {
                "geonames_details": {
                    "continent_code": "AS",
                    "continent_name": "Asia",
                    "country_code": record["country"]["country_code"],
                    "country_name": record["country"]["country_name"],
                    "country_subdivision_code": None,
                    "country_subdivision_name": (city.get("geonames_admin1") or {}).get("name"),
                    "lat": address.get("lat"),
                    "lng": address.get("lng"),
                    "name": city.get("city") or address.get("city"),
                },
                "geonames_id": city.get("id"),
            }
        )
    return {
        "admin": {
            "created": {"date": created, "schema_version": "1.0"},
            "last_modified": {"date": modified, "schema_version": "1.0"},
        },
        "domains": [],
        "established": record.get("established"),
        "external_ids": external,
        "id": record["id"],
        "links": links,
        "locations": locations,
        "names": names,
        "relationships": [
            {"id": r["id"], "label": r["label"], "type": r["type"].lower()}
            for r in record.get("relationships") or []
        ],
        "status": record.get("status", "active"),
        "types": [t.lower() for t in record.get("types") or []],
    }


def build(repo: Path) -> list[dict]:
    """The newest version of every record located in Vietnam, as schema v2 records sorted by id."""
    listing = _git(repo, "ls-tree", "-r", "HEAD", "--format=%(objectname) %(path)").splitlines()
    blobs = _Blobs(repo)
    newest: dict[str, tuple[tuple[int, ...], str, dict]] = {}
    first: dict[str, tuple[int, ...]] = {}
    for line in listing:
        obj, path = line.split(" ", 1)
        parts = path.split("/")
        if len(parts) != 2 or not _RELEASE.fullmatch(parts[0]) or not path.endswith(".json"):
            continue  # the v1/ copies of v2-era releases, and everything that is not a record
        data = blobs.read(obj)
        if COUNTRY.encode() not in data:
            continue
        record = json.loads(data)
        if _country(record) != COUNTRY:
            continue
        version = _version(parts[0])
        first[record["id"]] = min(first.get(record["id"], version), version)
        if record["id"] not in newest or version > newest[record["id"]][0]:
            newest[record["id"]] = (version, parts[0], record)
    dates = _release_dates(repo)
    release_of = {_version(r): r for r in dates}
    out = []
    for rid, (_version_key, release, record) in sorted(newest.items()):
        if "locations" not in record:
            record = _v1_to_v2(record, dates[release_of[first[rid]]], dates[release])
        out.append(record)
    return out


def main() -> None:
    records = build(Path(sys.argv[1]))
    sys.stdout.write(
        "[\n" + ",\n".join(json.dumps(r, ensure_ascii=False, sort_keys=True) for r in records) + "\n]\n"
    )


if __name__ == "__main__":
    main()
