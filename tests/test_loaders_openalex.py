"""The OpenAlex loader on snapshot-shaped JSON Lines: institutions, and co-publications per pair per year."""

import json
from collections import Counter
from pathlib import Path

import pytest

from ecograph.errors import ValidationFailed
from ecograph.ingest import load
from ecograph.store.sqlite import SqliteStore
from loaders import REGISTRY, FileInfo, detect
from loaders.text import examine

DATA = Path(__file__).parent / "data" / "openalex"
INSTITUTIONS, WORKS = DATA / "institutions.jsonl", DATA / "works.jsonl"
HUST, VNU, VAST, BACHMAI = (f"openalex:I421011100{i}" for i in range(1, 5))
TOKYO, SAMSUNG, KAIST = "openalex:I74801974", "openalex:I2250650973", "openalex:I157485424"


def contents(url):
    with SqliteStore(url) as store:
        return {o.id: o for o in store.organizations()}, {t.id: t for t in store.collaborations()}


def test_institutions_become_organisations(sqlite_url):
    report = load([INSTITUTIONS], sqlite_url)
    assert report.batches[0].format == "openalex-institutions"
    orgs, _ = contents(sqlite_url)
    assert Counter(o.kind for o in orgs.values()) == {
        "university": 4, "research_institute": 1, "other": 1, "company": 1,
    }  # fmt: skip
    hust = orgs[HUST]
    assert (hust.name, hust.country, hust.province, hust.city, hust.website, hust.ror) == (
        "Hanoi University of Science and Technology", "VN", "Hanoi", "Hanoi", "https://hust.edu.vn",
        "https://ror.org/04kq4sq72",
    )  # fmt: skip
    assert hust.aliases == ("HUST", "Đại học Bách khoa Hà Nội")
    assert orgs[BACHMAI].sectors == ("healthcare",)
    assert orgs[VAST].province is None


def test_works_give_one_tie_per_pair_per_year_weighted_by_joint_works(sqlite_url):
    report = load([WORKS, INSTITUTIONS], sqlite_url)  # works first: organisations still load first
    _, ties = contents(sqlite_url)
    assert len(ties) == 9
    assert Counter(t.start for t in ties.values()) == {"2021": 3, "2022": 4, "2023": 2}
    tokyo_2021 = ties["openalex:cp:I4210111001-I74801974:2021"]
    assert (tokyo_2021.source, tokyo_2021.target, tokyo_2021.kind) == (HUST, TOKYO, "co_publication")
    assert tokyo_2021.weight == 2.0  # two joint works in 2021; the repeated HUST author counts once
    assert tokyo_2021.evidence == (
        "https://api.openalex.org/works?filter=institutions.id:I4210111001+I74801974,publication_year:2021"
    )
    assert ties["openalex:cp:I4210111001-I74801974:2022"].weight == 1.0
    assert "openalex:cp:I4210111001-I4210111002:2022" in ties  # one author with two affiliations
    assert (
        "works.jsonl: left out 1 works with fewer than two institutions, 1 works without a publication year"
        in report.notes
    )


def test_direct_reading_of_works():
    info = FileInfo(str(WORKS), "openalex", encoding=examine(WORKS).encoding)
    items = list(REGISTRY["openalex"].read(WORKS, info))
    assert {i.type for i in items} == {"collaboration"}
    assert (info.format, info.rows_read, info.skipped) == ("openalex-works", 8, 2)
    first = next(i for i in items if i.data["id"] == "openalex:cp:I4210111001-I74801974:2021")
    assert first.row == 1  # the line of the first joint work


def test_country_filter_brings_foreign_partners_from_the_works(sqlite_url):
    report = load([INSTITUTIONS, WORKS], sqlite_url, options={"country": "VN"})
    orgs, ties = contents(sqlite_url)
    assert set(orgs) == {HUST, VNU, VAST, BACHMAI, TOKYO, SAMSUNG}  # not KAIST: no tie with VN
    assert orgs[TOKYO].kind == "university" and orgs[TOKYO].city is None  # from the short record
    assert orgs[HUST].city == "Hanoi"  # the full record
    assert len(ties) == 7
    assert all(orgs[t.source].country == "VN" or orgs[t.target].country == "VN" for t in ties.values())
    assert any("2 foreign partner institutions loaded" in n for n in report.notes)


def test_works_alone_need_their_institutions(sqlite_url):
    with pytest.raises(ValidationFailed) as failed:
        load([WORKS], sqlite_url)
    assert {p.type for p in failed.value.report.problems} == {"dangling-reference"}


def test_max_institutions_leaves_out_consortium_papers(sqlite_url):
    load([INSTITUTIONS, WORKS], sqlite_url, options={"max_institutions": 2})
    _, ties = contents(sqlite_url)
    assert len(ties) == 4  # the two three-institution works are left out
    assert ties["openalex:cp:I4210111001-I74801974:2021"].weight == 1.0


def test_a_malformed_line_mid_file_is_reported_and_skip_invalid_loads_the_rest(tmp_path, sqlite_url):
    lines = INSTITUTIONS.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[2] = lines[2][:200] + "\n"  # VAST, line 3, cut short
    broken = tmp_path / "institutions.jsonl"
    broken.write_text("".join(lines), encoding="utf-8")
    with pytest.raises(ValidationFailed) as failed:
        load([broken], sqlite_url)
    (problem,) = failed.value.report.problems
    assert (problem.type, problem.row) == ("bad-json", 3)
    assert problem.message.startswith("line 3 is not valid JSON")
    load([broken], sqlite_url, skip_invalid=True)
    orgs, _ = contents(sqlite_url)
    assert len(orgs) == 6 and VAST not in orgs and KAIST in orgs


def test_reloading_changes_nothing_and_newer_snapshots_update_in_place(tmp_path, sqlite_url):
    load([INSTITUTIONS, WORKS], sqlite_url)
    again = load([INSTITUTIONS, WORKS], sqlite_url).totals()
    assert again["organizations"] == {"inserted": 0, "updated": 0, "unchanged": 7}
    assert again["collaborations"] == {"inserted": 0, "updated": 0, "unchanged": 9}
    institutions = tmp_path / "institutions.jsonl"
    institutions.write_text(
        INSTITUTIONS.read_text(encoding="utf-8").replace(
            '"display_name": "Bach Mai Hospital"', '"display_name": "Bach Mai General Hospital"'
        ),
        encoding="utf-8",
    )
    works = tmp_path / "works.jsonl"
    extra = json.loads(WORKS.read_text(encoding="utf-8").splitlines()[2])  # HUST, VNU and Tokyo, 2022
    extra["id"] = "https://openalex.org/W3100000099"
    works.write_text(WORKS.read_text(encoding="utf-8") + json.dumps(extra) + "\n", encoding="utf-8")
    totals = load([institutions, works], sqlite_url).totals()
    assert totals["organizations"] == {"inserted": 0, "updated": 1, "unchanged": 6}
    assert totals["collaborations"] == {"inserted": 0, "updated": 3, "unchanged": 6}
    orgs, ties = contents(sqlite_url)
    assert orgs[BACHMAI].name == "Bach Mai General Hospital"
    assert ties["openalex:cp:I4210111001-I74801974:2022"].weight == 2.0


@pytest.mark.parametrize("path", [INSTITUTIONS, WORKS])
def test_auto_detection(path):
    assert detect(path, examine(path).head).name == "openalex"
