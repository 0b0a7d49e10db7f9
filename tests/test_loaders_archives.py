"""Compressed public-data files load as downloaded: a .zip as the folder of its files, a .gz as the file it holds."""

import gzip
import json
import zipfile
from pathlib import Path

import pytest

import ecograph
from ecograph.errors import InputUnavailable
from ecograph.store.sqlite import SqliteStore

DATA = Path(__file__).parent / "data"


def contents(url: str):
    """Every organisation and tie, field by field."""
    with SqliteStore(url) as store:
        orgs = sorted(store.organizations(), key=lambda o: o.id)
        return orgs, sorted(store.collaborations(), key=lambda t: t.key)


def loaded(tmp_path: Path, name: str, files, **kwargs) -> tuple[str, object]:
    url = f"sqlite:///{tmp_path / (name + '.db')}"
    report = ecograph.load(files, url, **kwargs)
    return url, report


def zipped(path: Path, members: dict[str, Path | bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, content in members.items():
            zf.writestr(name, content if isinstance(content, bytes) else content.read_bytes())
    return path


def test_a_ror_dump_zip_loads_its_v2_json_and_leaves_out_the_rest(tmp_path):
    dump = zipped(
        tmp_path / "v2.0-2025-12-16-ror-data.zip",
        {
            "v2.0-2025-12-16-ror-data.json": DATA / "ror" / "ror-data_schema_v2.json",
            "v2.0-2025-12-16-ror-data.csv": b"id,admin.created.date,names.types.ror_display\nhttps://ror.org/x,2020,X\n",
            "README.txt": b"ROR data dump\n",
        },
    )
    plain, plain_report = loaded(
        tmp_path, "plain", [DATA / "ror" / "ror-data_schema_v2.json"], options={"country": "VN"}
    )
    from_zip, report = loaded(tmp_path, "zip", [dump], options={"country": "VN"})
    assert contents(from_zip) == contents(plain)
    assert report.batches[0].file == f"{dump}/v2.0-2025-12-16-ror-data.json"
    assert report.batches[0].sha256 == plain_report.batches[0].sha256  # the content's checksum
    assert any(
        n.startswith(
            "v2.0-2025-12-16-ror-data.zip: read v2.0-2025-12-16-ror-data.json; left out 2 other files"
        )
        for n in report.notes
    )


def test_a_cordis_programme_zip_joins_its_projects_from_inside_the_zip(tmp_path):
    programme = zipped(
        tmp_path / "cordis-HORIZONprojects-csv.zip",
        {
            "csv/organization.csv": DATA / "cordis" / "organization.csv",
            "csv/project.csv": DATA / "cordis" / "project.csv",
            "csv/topics.csv": b'"projectID";"topic";"title"\n"101";"HORIZON-CL4";"Digital"\n',
        },
    )
    plain, _ = loaded(
        tmp_path, "plain", [DATA / "cordis" / "organization.csv", DATA / "cordis" / "project.csv"]
    )
    from_zip, report = loaded(tmp_path, "zip", [programme])
    assert contents(from_zip) == contents(plain)
    with SqliteStore(from_zip) as store:
        assert any(t.start for t in store.collaborations())  # the dates came from project.csv
    assert not any("no CORDIS project.csv beside it" in n for n in report.notes)
    assert any("left out 1 other file (csv/topics.csv)" in n for n in report.notes)


def test_openalex_snapshot_parts_load_gzipped(tmp_path):
    parts = []
    for name in ("institutions", "works"):
        part = tmp_path / f"{name}.jsonl.gz"
        part.write_bytes(gzip.compress((DATA / "openalex" / f"{name}.jsonl").read_bytes()))
        parts.append(part)
    plain, _ = loaded(
        tmp_path, "plain", [DATA / "openalex" / "institutions.jsonl", DATA / "openalex" / "works.jsonl"]
    )
    from_gz, report = loaded(tmp_path, "gz", parts)
    assert contents(from_gz) == contents(plain)
    assert [b.format for b in report.batches] == ["openalex-institutions", "openalex-works"]


def test_a_crunchbase_export_zip(tmp_path):
    export = zipped(
        tmp_path / "crunchbase.zip",
        {
            name: DATA / "crunchbase" / name
            for name in ("organizations.csv", "funding_rounds.csv", "investments.csv")
        },
    )
    plain, _ = loaded(tmp_path, "plain", sorted((DATA / "crunchbase").glob("*.csv")))
    from_zip, _ = loaded(tmp_path, "zip", [export])
    assert contents(from_zip) == contents(plain)
    assert contents(from_zip)[1]  # investments found their funding rounds inside the zip


def test_canonical_files_load_gzipped_too(tmp_path, write):
    orgs = write("orgs.csv", "id,name,kind\na,Alpha,startup\nb,Beta,university\n")
    ties = tmp_path / "ties.csv.gz"
    ties.write_bytes(gzip.compress(b"source,target,kind\na,b,research\n"))
    _, report = loaded(tmp_path, "canonical", [orgs, ties])
    assert report.totals()["collaborations"]["inserted"] == 1


def test_damaged_archives_say_so_in_one_line(cli, tmp_path):
    cut = tmp_path / "works.jsonl.gz"
    cut.write_bytes(gzip.compress((DATA / "openalex" / "works.jsonl").read_bytes())[:-200])
    result = cli("load", str(cut), "--store", f"sqlite:///{tmp_path / 'x.db'}")
    assert result.exit_code == 3
    assert result.stderr.startswith(
        f"Error: cannot read {cut}: the compressed file is truncated or damaged ("
    )
    assert result.stderr.rstrip().endswith("download it again") and result.stderr.count("\n") == 1

    half = tmp_path / "dump.zip"
    zipped(half, {"a.json": DATA / "ror" / "ror-data_schema_v2.json"})
    half.write_bytes(half.read_bytes()[:-60])
    result = cli("load", str(half), "--store", f"sqlite:///{tmp_path / 'x.db'}")
    assert result.exit_code == 3 and result.stderr.startswith(
        f"Error: cannot read {half}: not a complete zip file"
    )

    other = zipped(tmp_path / "other.zip", {"notes.txt": b"nothing to load\n"})
    with pytest.raises(
        InputUnavailable, match=r"none of its files is in a format ecograph reads \(notes.txt\)"
    ):
        ecograph.load([other], f"sqlite:///{tmp_path / 'y.db'}")


def test_problems_name_the_member_inside_the_zip(tmp_path):
    bad = (DATA / "cordis" / "organization.csv").read_text(encoding="utf-8").splitlines()
    bad.insert(3, bad[3] + ';"extra"')
    archive = zipped(tmp_path / "c.zip", {"organization.csv": "\n".join(bad).encode() + b"\n"})
    from ecograph.errors import ValidationFailed

    with pytest.raises(ValidationFailed) as caught:
        ecograph.load([archive], f"sqlite:///{tmp_path / 'z.db'}")
    first = json.loads(json.dumps(caught.value.report.as_dict()))["problems"][0]
    assert first["file"] == f"{archive}/organization.csv" and first["row"] == 4


def test_each_public_source_records_its_licence_and_canonical_files_none(tmp_path, write):
    url = f"sqlite:///{tmp_path / 't.db'}"
    ecograph.load([DATA / "cordis" / "organization.csv", DATA / "cordis" / "project.csv"], url)
    ecograph.load([DATA / "openalex" / "institutions.jsonl"], url, options={"release": "2026-05-01 snapshot"})
    ecograph.load(sorted((DATA / "crunchbase").glob("*.csv")), url)
    ecograph.load([write("o.csv", "id,name,kind\nx,X Labs,startup\n")], url)
    with SqliteStore(url) as store:
        terms = [(b.file.rsplit("/", 1)[-1], b.terms) for b in store.batches()]
    by_file = dict(terms)
    assert by_file["organization.csv"]["licence"] == "CC BY 4.0"
    assert by_file["organization.csv"]["attribution"].startswith("© European Union, CORDIS")
    assert by_file["institutions.jsonl"]["licence"] == "CC0 1.0"
    assert by_file["institutions.jsonl"]["release"] == "2026-05-01 snapshot"
    assert (
        by_file["investments.csv"]["source"] == "crunchbase"
        and "not open data" in by_file["investments.csv"]["licence"]
    )
    assert by_file["o.csv"] is None
    stats = ecograph.stats(url)
    assert sorted(stats["sources"]) == ["cordis", "crunchbase", "openalex"]
