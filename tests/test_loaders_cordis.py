"""The CORDIS loader on a small Horizon Europe release: participants, consortium ties, weights, amounts."""

import shutil
from collections import Counter
from pathlib import Path

import pytest

from ecograph.errors import ValidationFailed
from ecograph.ingest import load
from ecograph.store.sqlite import SqliteStore
from loaders import REGISTRY, FileInfo, detect
from loaders.text import examine

DATA = Path(__file__).parent / "data" / "cordis"
ORGS, PROJECTS = DATA / "organization.csv", DATA / "project.csv"
HUST, FHG, ATHINA, MANCHESTER = "cordis:889354021", "cordis:999984059", "cordis:906512379", "cordis:999974747"
VAST, DELFT, VHT, VLAIO, MDC = (
    "cordis:895112408", "cordis:999977172", "cordis:889772316", "cordis:986211450", "cordis:882100457",
)  # fmt: skip


def contents(url):
    with SqliteStore(url) as store:
        return {o.id: o for o in store.organizations()}, {t.id: t for t in store.collaborations()}


def test_participants_become_organisations_with_mapped_kinds_and_countries(sqlite_url):
    report = load([ORGS, PROJECTS], sqlite_url)
    assert [(b.format, b.rows_read) for b in report.batches] == [
        ("cordis-organizations", 14), ("cordis-projects", 4),
    ]  # fmt: skip
    orgs, _ = contents(sqlite_url)
    assert len(orgs) == 10  # 11 organisations, less the one in Kosovo (XK)
    assert Counter(o.kind for o in orgs.values()) == {
        "university": 4,  # HES
        "research_institute": 2,  # REC
        "company": 2,  # PRC
        "government": 1,  # PUB
        "other": 1,  # no activityType
    }
    assert orgs[ATHINA].country == "GR" and orgs[MANCHESTER].country == "GB"  # EL, UK
    hust = orgs[HUST]
    assert (hust.name, hust.kind, hust.country, hust.city, hust.aliases, hust.website) == (
        "HANOI UNIVERSITY OF SCIENCE AND TECHNOLOGY", "university", "VN", "HANOI", ("HUST",), "https://hust.edu.vn",
    )  # fmt: skip
    assert orgs[FHG].website == "https://www.fraunhofer.de"  # the most recently updated row wins
    assert any("left out 1 participations in countries with no ISO code (XK)" in n for n in report.notes)


def test_every_pair_of_a_consortium_is_a_joint_project_tie(sqlite_url):
    load([PROJECTS, ORGS], sqlite_url)  # either order
    _, ties = contents(sqlite_url)
    assert Counter(t.evidence for t in ties.values()) == {
        "cordis:project:101057291": 6,  # 4 partners
        "cordis:project:101070123": 3,  # 3 partners
        "cordis:project:101086329": 1,  # 3 partners, one of them in XK
        "cordis:project:101099999": 3,  # not in project.csv
    }  # the single-beneficiary ERC grant gives none
    sea = ties["cordis:101057291:889354021-999984059"]
    assert (sea.source, sea.target, sea.kind) == (HUST, FHG, "joint_project")
    assert sea.weight == pytest.approx(1 / 3)
    assert (sea.start, sea.end, sea.amount, sea.currency) == ("2022-09-01", "2026-08-31", 666645.83, "EUR")
    mekong = ties["cordis:101086329:895112408-999977172"]
    assert (mekong.weight, mekong.amount) == (0.5, 499999.58)  # "1499998,75" / 3 pairs
    twin = ties["cordis:101099999:882100457-999977172"]
    assert (twin.weight, twin.start, twin.amount, twin.currency) == (0.5, None, None, None)


def test_a_participants_ties_from_one_project_weigh_one_in_all(sqlite_url):
    load([ORGS, PROJECTS], sqlite_url)
    _, ties = contents(sqlite_url)
    sea = [t for t in ties.values() if t.evidence == "cordis:project:101057291"]
    assert sum(t.weight for t in sea if HUST in (t.source, t.target)) == pytest.approx(1.0)
    assert sum(t.amount for t in sea) == pytest.approx(3999875, abs=0.05)  # the EU contribution, once


def test_direct_reading_counts_rows_and_unknown_codes():
    info = FileInfo(str(ORGS), "cordis", encoding=examine(ORGS).encoding)
    items = list(REGISTRY["cordis"].read(ORGS, info))
    assert [i.type for i in items].count("organization") == 10
    assert [i.type for i in items].count("collaboration") == 13
    assert (info.rows_read, info.skipped, info.delimiter) == (14, 1, ";")
    assert info.unknown_codes == {"country": {"XK": 1}, "activityType": {"(empty)": 1}}
    hust = next(i for i in items if i.data["id"] == HUST)
    assert (hust.row, hust.source, hust.source_id) == (2, "cordis", "889354021")
    assert hust.data["external_ids"] == {"pic": ["889354021"]}


def test_project_file_alone_gives_nothing_and_says_why(sqlite_url):
    report = load([PROJECTS], sqlite_url)
    assert report.totals()["organizations"]["inserted"] == 0
    assert "project.csv: CORDIS projects give no organisations by themselves" in report.notes[0]


def test_project_file_elsewhere_is_given_as_an_option(tmp_path, sqlite_url):
    alone = tmp_path / "participants.csv"
    shutil.copy(ORGS, alone)
    report = load([alone], sqlite_url)
    _, ties = contents(sqlite_url)
    assert all(t.start is None and t.amount is None for t in ties.values())
    assert any("no CORDIS project.csv beside it" in n for n in report.notes)
    load([alone], f"sqlite:///{tmp_path}/b.db", options={"projects": str(PROJECTS)})
    _, ties = contents(f"sqlite:///{tmp_path}/b.db")
    assert ties["cordis:101057291:889354021-999984059"].start == "2022-09-01"


def test_country_filter_keeps_the_countrys_projects_and_foreign_partners(sqlite_url):
    load([ORGS, PROJECTS], sqlite_url, options={"country": "VN"})
    orgs, ties = contents(sqlite_url)
    assert {o for o in orgs if orgs[o].country == "VN"} == {HUST, VAST, VHT, MDC}
    assert set(orgs) - {HUST, VAST, VHT, MDC} == {FHG, ATHINA, MANCHESTER, DELFT, VLAIO}  # not Sorbonne
    assert len(ties) == 8
    assert all(orgs[t.source].country == "VN" or orgs[t.target].country == "VN" for t in ties.values())


def test_a_ragged_row_mid_file_is_reported_and_skip_invalid_loads_the_rest(tmp_path, sqlite_url):
    lines = ORGS.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[3] = lines[3].replace('"MAROUSI";', "")  # Athina Robotics in SEA-AI, line 4, loses a field
    broken = tmp_path / "organization.csv"
    broken.write_text("".join(lines), encoding="utf-8")
    shutil.copy(PROJECTS, tmp_path / "project.csv")
    with pytest.raises(ValidationFailed) as failed:
        load([broken], sqlite_url)
    (problem,) = failed.value.report.problems
    assert (problem.type, problem.row) == ("ragged-row", 4)
    assert str(problem) == f"{broken}:4: the row has 24 fields; the header has 25"
    load([broken], sqlite_url, skip_invalid=True)
    orgs, ties = contents(sqlite_url)
    assert len(orgs) == 10  # Athina still comes from its DELTA-TWIN row
    assert sum(t.evidence == "cordis:project:101057291" for t in ties.values()) == 3  # 3 partners left
    assert ties["cordis:101057291:889354021-999984059"].weight == pytest.approx(1 / 2)


def test_reloading_changes_nothing_and_a_renamed_participant_updates_in_place(tmp_path, sqlite_url):
    load([ORGS, PROJECTS], sqlite_url)
    again = load([ORGS, PROJECTS], sqlite_url).totals()
    assert again["organizations"] == {"inserted": 0, "updated": 0, "unchanged": 10}
    assert again["collaborations"] == {"inserted": 0, "updated": 0, "unchanged": 13}
    newer = tmp_path / "release-2"
    newer.mkdir()
    (newer / "organization.csv").write_text(
        ORGS.read_text(encoding="utf-8").replace(
            '"HANOI UNIVERSITY OF SCIENCE AND TECHNOLOGY"', '"DAI HOC BACH KHOA HA NOI"'
        ),
        encoding="utf-8",
    )
    shutil.copy(PROJECTS, newer / "project.csv")
    totals = load([newer / "organization.csv", newer / "project.csv"], sqlite_url).totals()
    assert totals["organizations"] == {"inserted": 0, "updated": 1, "unchanged": 9}
    assert totals["collaborations"] == {"inserted": 0, "updated": 0, "unchanged": 13}
    orgs, _ = contents(sqlite_url)
    assert orgs[HUST].name == "DAI HOC BACH KHOA HA NOI"


@pytest.mark.parametrize("path", [ORGS, PROJECTS])
def test_auto_detection(path):
    assert detect(path, examine(path).head).name == "cordis"
