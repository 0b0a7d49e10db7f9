"""Benchmark the source loaders on release-sized files: time and peak memory.

Generates (once, into ``benchmarks/data/``, which git ignores):

- ``ror-120k.json`` — a ROR v2 dump of 120,000 records (~1% in Vietnam), shaped like the
  real one (one JSON array, ~250 MB);
- ``cordis/project.csv`` + ``cordis/organization.csv`` — 40,000 projects and 200,000
  participations, shaped like a CORDIS release.

Each scenario runs in its own process (so peak RSS is its own) and is timed end to end:

- ``ror-read-vn`` / ``cordis-read``: the loader alone, iterated to the end (streaming);
- ``ror-load-vn`` / ``cordis-load-vn`` / ``cordis-load``: ``ecograph.ingest.load`` into a
  fresh SQLite store (validation and the write included);
- ``ror-zip-load-vn``: the same dump zipped (``ror-120k.zip``, as ROR publishes it), loaded
  from the zip without unpacking it; ``ror-zip-floor``: the bare library's floor for that,
  :mod:`zipfile` decompressing the member to its end.

Targets: each loader scenario under 60 s and 1 GiB. Results go to
``benchmarks/results/loaders.json``.

Usage::

    .venv/bin/python benchmarks/loaders.py            # all scenarios
    .venv/bin/python benchmarks/loaders.py ror-read-vn cordis-read
    .venv/bin/python benchmarks/loaders.py --out results/loaders-zip.json ror-zip-floor ror-load-vn ror-zip-load-vn
"""

from __future__ import annotations

import csv
import json
import os
import platform
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent
DATA = ROOT / "data"
RESULTS = ROOT / "results" / "loaders.json"
ROR_FILE = DATA / "ror-120k.json"
ROR_ZIP = DATA / "ror-120k.zip"
CORDIS_DIR = DATA / "cordis"
ROR_RECORDS = 120_000
PROJECTS, PARTICIPATIONS, CORDIS_ORGS = 40_000, 200_000, 30_000
TARGET_SECONDS, TARGET_BYTES = 60.0, 1 << 30

SCENARIOS = (
    "ror-read-vn",
    "ror-load-vn",
    "ror-zip-floor",
    "ror-zip-load-vn",
    "cordis-read",
    "cordis-load-vn",
    "cordis-load",
)
COUNTRIES = ["US", "CN", "JP", "DE", "GB", "FR", "IN", "KR", "BR", "IT", "ES", "CA", "AU", "NL", "TH", "SG"]
TYPES = [
    "education",
    "facility",
    "company",
    "government",
    "nonprofit",
    "healthcare",
    "funder",
    "archive",
    "other",
]
_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"


# -- generating release-shaped files ---------------------------------------------------------


def _ror_id(n: int) -> str:
    digits = []
    for _ in range(6):
        n, r = divmod(n, 32)
        digits.append(_ALPHABET[r])
    return "0" + "".join(reversed(digits)) + f"{n % 100:02d}"


def generate_ror(path: Path, count: int = ROR_RECORDS, seed: int = 1) -> None:
    rng = random.Random(seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write("[")
        for i in range(count):
            country = "VN" if rng.random() < 0.01 else rng.choice(COUNTRIES)
            suffix = _ror_id(i * 7919 + 13)
            name = f"Institute {i} of {rng.choice(['Applied', 'Marine', 'Digital', 'Materials'])} Science"
            rels = []
            if i % 5 == 0 and i > 0:
                rels.append(
                    {"id": f"https://ror.org/{_ror_id((i - 1) * 7919 + 13)}", "label": "x", "type": "child"}
                )
            if i % 7 == 0 and i + 1 < count:
                rels.append(
                    {"id": f"https://ror.org/{_ror_id((i + 1) * 7919 + 13)}", "label": "y", "type": "related"}
                )
            record = {
                "admin": {
                    "created": {"date": "2018-11-14", "schema_version": "1.0"},
                    "last_modified": {"date": "2024-12-11", "schema_version": "2.1"},
                },
                "domains": [f"inst{i}.example.org"],
                "established": rng.randint(1850, 2020),
                "external_ids": [
                    {"all": [f"grid.{i}.{rng.randint(0, 9)}"], "preferred": f"grid.{i}.1", "type": "grid"},
                    {
                        "all": [f"0000 0004 {i % 10000:04d} {rng.randint(0, 9999):04d}"],
                        "preferred": None,
                        "type": "isni",
                    },
                    {"all": [f"Q{rng.randint(1000, 99999999)}"], "preferred": None, "type": "wikidata"},
                ],
                "id": f"https://ror.org/{suffix}",
                "links": [
                    {"type": "website", "value": f"https://inst{i}.example.org"},
                    {"type": "wikipedia", "value": f"https://en.wikipedia.org/wiki/Institute_{i}"},
                ],
                "locations": [
                    {
                        "geonames_details": {
                            "continent_code": "AS",
                            "continent_name": "Asia",
                            "country_code": country,
                            "country_name": country,
                            "country_subdivision_code": "01",
                            "country_subdivision_name": f"Province {i % 60}",
                            "lat": rng.uniform(-60, 60),
                            "lng": rng.uniform(-180, 180),
                            "name": f"City {i % 997}",
                        },
                        "geonames_id": rng.randint(1_000_000, 9_000_000),
                    }
                ],
                "names": [
                    {"lang": "en", "types": ["ror_display", "label"], "value": name},
                    {"lang": "vi", "types": ["label"], "value": f"Viện Khoa học số {i}"},
                    {"lang": None, "types": ["acronym"], "value": f"I{i}S"},
                    {"lang": "en", "types": ["alias"], "value": f"The {name}"},
                    {"lang": "fr", "types": ["label"], "value": f"Institut {i} des sciences appliquées"},
                    {
                        "lang": "de",
                        "types": ["label"],
                        "value": f"Institut {i} für angewandte Wissenschaften",
                    },
                ],
                "relationships": rels,
                "status": "active" if rng.random() < 0.97 else "inactive",
                "types": rng.sample(TYPES, rng.choice([1, 1, 1, 2])),
            }
            if i:
                fh.write(",")
            fh.write(json.dumps(record, ensure_ascii=False, indent=1))
        fh.write("]\n")
    tmp.replace(path)


_PROJECT_COLS = (
    "id;acronym;status;title;startDate;endDate;totalCost;ecMaxContribution;legalBasis;topics;ecSignatureDate;"
    "frameworkProgramme;masterCall;subCall;fundingScheme;nature;objective;contentUpdateDate;rcn;grantDoi"
)
_ORG_COLS = (
    "projectID;projectAcronym;organisationID;vatNumber;name;shortName;SME;activityType;street;postCode;city;"
    "country;nutsCode;geolocation;organizationURL;contactForm;contentUpdateDate;rcn;order;role;ecContribution;"
    "netEcContribution;totalCost;endOfParticipation;active"
)


def _consortium_sizes(rng: random.Random) -> list[int]:
    """40,000 sizes summing to 200,000: a third single-beneficiary grants, the rest skewed, up to 40."""
    sizes = [
        1 if rng.random() < 0.33 else min(40, 2 + int(rng.expovariate(1 / 4.5))) for _ in range(PROJECTS)
    ]
    total = sum(sizes)
    while total != PARTICIPATIONS:
        i = rng.randrange(PROJECTS)
        if total < PARTICIPATIONS and sizes[i] < 40:
            sizes[i] += 1
            total += 1
        elif total > PARTICIPATIONS and sizes[i] > 1:
            sizes[i] -= 1
            total -= 1
    return sizes


def generate_cordis(folder: Path, seed: int = 2) -> None:
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    codes = ["HES", "REC", "PRC", "PUB", "OTH"]
    countries = [
        "DE",
        "FR",
        "ES",
        "IT",
        "NL",
        "BE",
        "EL",
        "UK",
        "PT",
        "SE",
        "AT",
        "PL",
        "FI",
        "DK",
        "IE",
        "VN",
        "XK",
    ]
    weights = [14, 12, 12, 11, 8, 7, 5, 6, 5, 4, 4, 3, 3, 3, 2, 0.3, 0.1]
    orgs = []
    for k in range(CORDIS_ORGS):
        pic = str(999_000_000 - k * 37)
        country = rng.choices(countries, weights)[0]
        code = rng.choice(codes)
        orgs.append((pic, f"ORGANISATION {k} {code}", f"ORG{k}", code, country, f"CITY {k % 400}"))
    sizes = _consortium_sizes(rng)
    objective = ("This project develops and demonstrates new methods; " * 30).strip()
    with (
        open(folder / "project.csv", "w", encoding="utf-8", newline="") as pf,
        open(folder / "organization.csv", "w", encoding="utf-8", newline="") as of,
    ):
        pw = csv.writer(pf, delimiter=";", quoting=csv.QUOTE_ALL, lineterminator="\n")
        ow = csv.writer(of, delimiter=";", quoting=csv.QUOTE_ALL, lineterminator="\n")
        pw.writerow(_PROJECT_COLS.split(";"))
        ow.writerow(_ORG_COLS.split(";"))
        for p, size in enumerate(sizes):
            pid, acronym = str(101_000_000 + p), f"PRJ{p}"
            year = rng.randint(2021, 2025)
            ec = f"{rng.randint(100_000, 9_000_000)},{rng.randint(0, 99):02d}"
            pw.writerow([
                pid, acronym, "SIGNED", f"Project {p}", f"{year}-01-01", f"{year + 3}-12-31", ec, ec, "HORIZON.2.4",
                "HORIZON-CL4-2021", f"{year - 1}-11-30", "HORIZON", "HORIZON-CL4", "HORIZON-CL4", "HORIZON-RIA", "",
                objective, f"{year}-02-01 10:00:00", str(240_000 + p), f"10.3030/{pid}",
            ])  # fmt: skip
            for order, (pic, name, short, code, country, city) in enumerate(rng.sample(orgs, size), start=1):
                ow.writerow([
                    pid, acronym, pic, "", name, short, "false", code, "STREET 1", "1000", city, country, "", "",
                    f"https://{short.lower()}.example.eu", "", f"{year}-02-01 10:00:00", "1", str(order),
                    "coordinator" if order == 1 else "participant", "100000", "100000", "100000", "false", "true",
                ])  # fmt: skip


# -- scenarios, one process each --------------------------------------------------------------


def _read(path: Path, **options) -> dict[str, int]:
    from loaders import REGISTRY, FileInfo, SourceRow, detect
    from loaders.text import examine

    facts = examine(path)
    loader = detect(path, facts.head)
    info = FileInfo(str(path), loader.name, encoding=facts.encoding, size=facts.size)
    counts = {"organization": 0, "collaboration": 0, "problem": 0}
    for item in REGISTRY[loader.name].read(path, info, **options):
        counts[item.type if isinstance(item, SourceRow) else "problem"] += 1
    return counts | {"rows_read": info.rows_read}


def _load(paths: list[Path], **options) -> dict[str, int]:
    import tempfile

    from ecograph.ingest import load

    with tempfile.TemporaryDirectory() as tmp:
        report = load(paths, f"sqlite:///{tmp}/bench.db", options=options, skip_invalid=True)
    totals = report.totals()
    return {
        "organizations": totals["organizations"]["inserted"],
        "collaborations": totals["collaborations"]["inserted"],
        "rows_read": totals["rows"]["read"],
        "problems": report.problem_count,
    }


def run_scenario(name: str) -> dict[str, object]:
    import ecograph  # noqa: F401 - ecograph first: importing loaders alone is circular

    start = time.perf_counter()
    if name == "ror-read-vn":
        counts = _read(ROR_FILE, country="VN")
    elif name == "ror-load-vn":
        counts = _load([ROR_FILE], country="VN")
    elif name == "ror-zip-floor":
        import zipfile

        with zipfile.ZipFile(ROR_ZIP) as zf, zf.open(zf.namelist()[0]) as member:
            counts = {"bytes": sum(len(chunk) for chunk in iter(lambda: member.read(1 << 20), b""))}
    elif name == "ror-zip-load-vn":
        counts = _load([ROR_ZIP], country="VN")
    elif name == "cordis-read":
        counts = _read(CORDIS_DIR / "organization.csv")
    elif name == "cordis-load-vn":
        counts = _load([CORDIS_DIR / "project.csv", CORDIS_DIR / "organization.csv"], country="VN")
    elif name == "cordis-load":
        counts = _load([CORDIS_DIR / "project.csv", CORDIS_DIR / "organization.csv"])
    else:
        raise SystemExit(f"unknown scenario {name!r}; expected one of {', '.join(SCENARIOS)}")
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # KiB on Linux
    return {"scenario": name, "seconds": round(seconds, 2), "peak_rss_bytes": peak, **counts}


def main(argv: list[str]) -> None:
    if argv[:1] == ["--scenario"]:
        print(json.dumps(run_scenario(argv[1])))
        return
    out_path = RESULTS
    if argv[:1] == ["--out"]:
        out_path, argv = ROOT / argv[1], argv[2:]
    wanted = argv or list(SCENARIOS)
    if any(s.startswith("ror") for s in wanted) and not ROR_FILE.exists():
        print(f"generating {ROR_FILE} ...", file=sys.stderr)
        generate_ror(ROR_FILE)
    if any(s.startswith("ror-zip") for s in wanted) and not ROR_ZIP.exists():
        import zipfile

        print(f"zipping {ROR_ZIP} ...", file=sys.stderr)
        with zipfile.ZipFile(ROR_ZIP, "w", zipfile.ZIP_DEFLATED) as zf:
            zf.write(ROR_FILE, "v2.0-2025-12-16-ror-data.json")
    if any(s.startswith("cordis") for s in wanted) and not (CORDIS_DIR / "organization.csv").exists():
        print(f"generating {CORDIS_DIR} ...", file=sys.stderr)
        generate_cordis(CORDIS_DIR)
    load_at_start = [round(x, 2) for x in os.getloadavg()]
    results = []
    for name in wanted:
        out = subprocess.run(
            [sys.executable, __file__, "--scenario", name], check=True, capture_output=True, text=True
        ).stdout
        result = json.loads(out.strip().splitlines()[-1])
        result["within_target"] = (
            result["seconds"] < TARGET_SECONDS and result["peak_rss_bytes"] < TARGET_BYTES
        )
        results.append(result)
        print(
            f"{name:16} {result['seconds']:7.2f} s  peak {result['peak_rss_bytes'] / 2**20:7.1f} MiB  "
            + "  ".join(
                f"{k}={v}" for k, v in result.items() if k not in ("scenario", "seconds", "peak_rss_bytes")
            ),
            file=sys.stderr,
        )
    files = {
        "ror": {"path": str(ROR_FILE.relative_to(ROOT)), "bytes": ROR_FILE.stat().st_size}
        if ROR_FILE.exists()
        else None,
        "ror_zip": {"path": str(ROR_ZIP.relative_to(ROOT)), "bytes": ROR_ZIP.stat().st_size}
        if ROR_ZIP.exists()
        else None,
        "cordis_organization": {
            "path": str((CORDIS_DIR / "organization.csv").relative_to(ROOT)),
            "bytes": (CORDIS_DIR / "organization.csv").stat().st_size,
        }
        if (CORDIS_DIR / "organization.csv").exists()
        else None,
        "cordis_project_bytes": (CORDIS_DIR / "project.csv").stat().st_size
        if (CORDIS_DIR / "project.csv").exists()
        else None,
    }
    out_path.parent.mkdir(parents=True, exist_ok=True)
    out_path.write_text(
        json.dumps(
            {
                "machine": {
                    "python": platform.python_version(),
                    "platform": platform.platform(),
                    "cpus": os.cpu_count(),
                    # other work on the 2 cores inflates the seconds: note how busy it was
                    "load_average_at_start": load_at_start,
                },
                "measured": time.strftime("%Y-%m-%d %H:%M:%S"),
                "targets": {"seconds": TARGET_SECONDS, "peak_rss_bytes": TARGET_BYTES},
                "files": files,
                "results": results,
            },
            indent=2,
        )
        + "\n",
        encoding="utf-8",
    )
    print(f"wrote {out_path}", file=sys.stderr)


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT.parent))
    main(sys.argv[1:])
