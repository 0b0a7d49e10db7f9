"""The Crunchbase loader on a small bulk export: kinds, investments with split amounts, the mapping file."""

import json
import shutil
from pathlib import Path

import pytest

from ecograph.errors import ValidationFailed
from ecograph.ingest import load
from ecograph.store.sqlite import SqliteStore
from loaders import REGISTRY, FileInfo, detect
from loaders.crunchbase import DEFAULT_MAPPING
from loaders.text import examine

DATA = Path(__file__).parent / "data" / "crunchbase"
ORGS, ROUNDS, INVESTMENTS = DATA / "organizations.csv", DATA / "funding_rounds.csv", DATA / "investments.csv"
ALL = [INVESTMENTS, ORGS, ROUNDS]
LOTUS = "cb:6b1f4a52-3c1e-4d0a-9a57-2f4e1c9d0a01"
SAIGON_PAY = "cb:0c8d2e7f-51aa-4a7e-8b3c-7d9e6f5a4b02"
RED_RIVER = "cb:9d3e5f7a-1b2c-4d8e-9f0a-1b2c3d4e5f04"
LION_CITY = "cb:a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c05"
HUST = "cb:c3d4e5f6-a7b8-4c9d-0e1f-2a3b4c5d6e07"
ANGELS = "cb:18c9d0e1-f2a3-4b4c-5d6e-7f8a9b0c1d12"
MERLION = "cb:29d0e1f2-a3b4-4c5d-6e7f-8a9b0c1d2e13"


def contents(url):
    with SqliteStore(url) as store:
        return {o.id: o for o in store.organizations()}, {t.id: t for t in store.collaborations()}


def test_organisations_get_kinds_from_roles_age_and_status(sqlite_url):
    report = load(ALL, sqlite_url)
    assert [b.format for b in report.batches] == [
        "crunchbase-investments", "crunchbase-organizations", "crunchbase-funding-rounds",
    ]  # fmt: skip
    orgs, _ = contents(sqlite_url)
    assert len(orgs) == 12  # 13 rows, less Prishtina Labs (XKX is no ISO country)
    kinds = {o.name: o.kind for o in orgs.values()}
    assert kinds == {
        "Lotus Robotics": "startup",  # founded 2019, described 2024
        "Saigon Pay": "startup",  # 2016: 8 years
        "Merlion AI": "startup",
        "Quang Trung Software": "startup",  # no founding date, but funding rounds
        "Mekong Retail Group": "company",  # 2001: 23 years
        "Delta Agritech": "company",  # acquired
        "Tokyo Mobility Corp": "company",  # listed (ipo); also an investor, primary role company
        "Red River Ventures": "investor",
        "Lion City Capital": "investor",
        "Pacific Seed Fund": "investor",
        "Angel Syndicate VN": "investor",
        "Hanoi University of Science and Technology": "university",
    }
    lotus = orgs[LOTUS]
    assert (lotus.country, lotus.province, lotus.city, lotus.founded) == ("VN", "Ha Noi", "Hanoi", 2019)
    assert lotus.sectors == ("ai", "robotics", "logistics")
    assert lotus.aliases == ("Lotus Robotics JSC",)
    assert orgs[LION_CITY].country == "SG"
    assert orgs[ANGELS].country == "VN"  # no country: the home country, with a note
    assert any("1 organisations have no country" in n for n in report.notes)


def test_investments_are_directed_ties_with_the_round_split_over_its_investors(sqlite_url):
    report = load(ALL, sqlite_url)
    _, ties = contents(sqlite_url)
    assert len(ties) == 8
    seed = ties["cb:inv:00000001-aaaa-4bbb-8ccc-000000000001"]
    assert (seed.source, seed.target, seed.kind, seed.start) == (RED_RIVER, LOTUS, "investment", "2021-04-12")
    assert (seed.amount, seed.currency) == (500000.0, "USD")  # 1.5M over 3 investors (one a person)
    assert seed.evidence == "cb:funding_round:5a0b1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c21"
    series_a = [t for t in ties.values() if t.start == "2023-02-20"]
    assert sum(t.amount for t in series_a) == 6000000.0
    vnd = ties["cb:inv:00000007-aaaa-4bbb-8ccc-000000000007"]
    assert (vnd.source, vnd.target, vnd.amount, vnd.currency) == (RED_RIVER, SAIGON_PAY, 2e10, "VND")
    assert ties["cb:inv:00000008-aaaa-4bbb-8ccc-000000000008"].amount is None
    assert (
        "investments.csv: left out 1 investments by people, 1 investments in rounds not in funding_rounds.csv"
        in report.notes
    )


def test_direct_reading_fills_the_file_info():
    info = FileInfo(str(ORGS), "crunchbase", encoding=examine(ORGS).encoding)
    items = list(REGISTRY["crunchbase"].read(ORGS, info))
    assert len(items) == 12
    assert (info.rows_read, info.skipped, info.unknown_codes) == (13, 1, {"country_code": {"XKX": 1}})
    assert items[0].row == 2 and items[0].source_id == LOTUS[3:]
    assert items[0].data["external_ids"] == {
        "crunchbase_permalink": ["lotus-robotics"], "crunchbase_domain": ["lotusrobotics.vn"],
    }  # fmt: skip


def test_funding_rounds_alone_give_nothing_and_say_why(sqlite_url):
    report = load([ROUNDS], sqlite_url)
    assert report.totals()["collaborations"]["inserted"] == 0
    assert "funding_rounds.csv: Crunchbase funding rounds give no records by themselves" in report.notes[0]


def test_country_filter_keeps_the_countrys_organisations_and_every_investor(sqlite_url):
    load(ALL, sqlite_url, options={"country": "VN"})
    orgs, ties = contents(sqlite_url)
    assert MERLION not in orgs  # a Singapore startup
    assert LION_CITY in orgs and "cb:f6a7b8c9-d0e1-4f2a-3b4c-5d6e7f8a9b10" in orgs  # foreign investors
    assert len(orgs) == 11 and len(ties) == 7


def test_as_of_sets_the_year_startup_age_is_counted_at(sqlite_url):
    load([ORGS], sqlite_url, options={"as_of": 2035})
    orgs, _ = contents(sqlite_url)
    assert orgs[LOTUS].kind == orgs[MERLION].kind == "company"  # 16 and 15 years old by then
    assert orgs["cb:e5f6a7b8-c9d0-4e1f-2a3b-4c5d6e7f8a09"].kind == "startup"  # no founding date


def test_a_mapping_file_reads_exports_with_other_column_names(tmp_path, sqlite_url):
    mapping = json.loads(DEFAULT_MAPPING.read_text(encoding="utf-8"))
    mapping["organizations"]["columns"].update(
        {
            "id": ["Organization ID"],
            "name": ["Organization Name"],
            "roles": ["Type"],
            "country": ["HQ Country"],
        }
    )
    custom = tmp_path / "mapping.json"
    custom.write_text(json.dumps(mapping), encoding="utf-8")
    export = tmp_path / "export.csv"
    export.write_text(
        "Organization ID,Organization Name,Type,HQ Country,Founded Date\n"
        "hanoi-robotics,Hanoi Robotics,company,Vietnam,2021-01-01\n".replace("Vietnam", "VNM"),
        encoding="utf-8",
    )
    load([export], sqlite_url, format="crunchbase", options={"mapping": str(custom), "as_of": 2024})
    orgs, _ = contents(sqlite_url)
    (org,) = orgs.values()
    assert (org.id, org.name, org.kind, org.country, org.founded) == (
        "cb:hanoi-robotics", "Hanoi Robotics", "startup", "VN", 2021,
    )  # fmt: skip


def test_a_ragged_row_mid_file_is_reported_and_skip_invalid_loads_the_rest(tmp_path, sqlite_url):
    lines = INVESTMENTS.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[4] = lines[4].rstrip("\n") + ",extra\n"  # investment 4, line 5
    folder = tmp_path / "export"
    folder.mkdir()
    (folder / "investments.csv").write_text("".join(lines), encoding="utf-8")
    shutil.copy(ORGS, folder / "organizations.csv")
    shutil.copy(ROUNDS, folder / "funding_rounds.csv")
    files = [folder / "organizations.csv", folder / "investments.csv"]
    with pytest.raises(ValidationFailed) as failed:
        load(files, sqlite_url)
    (problem,) = failed.value.report.problems
    assert (problem.type, problem.row, problem.file) == ("ragged-row", 5, str(folder / "investments.csv"))
    load(files, sqlite_url, skip_invalid=True)
    _, ties = contents(sqlite_url)
    assert len(ties) == 7 and "cb:inv:00000004-aaaa-4bbb-8ccc-000000000004" not in ties
    # the bad row still counts as an investor of its round: the amount is split three ways
    assert ties["cb:inv:00000005-aaaa-4bbb-8ccc-000000000005"].amount == 3000000.0


def test_reloading_changes_nothing_and_a_renamed_organisation_updates_in_place(tmp_path, sqlite_url):
    load(ALL, sqlite_url)
    again = load(ALL, sqlite_url).totals()
    assert again["organizations"] == {"inserted": 0, "updated": 0, "unchanged": 12}
    assert again["collaborations"] == {"inserted": 0, "updated": 0, "unchanged": 8}
    folder = tmp_path / "export-2"
    shutil.copytree(DATA, folder)
    orgs_csv = folder / "organizations.csv"
    orgs_csv.write_text(
        orgs_csv.read_text(encoding="utf-8").replace(",Saigon Pay,", ",SaigonPay,"), encoding="utf-8"
    )
    totals = load([folder / "organizations.csv", folder / "investments.csv"], sqlite_url).totals()
    assert totals["organizations"] == {"inserted": 0, "updated": 1, "unchanged": 11}
    assert totals["collaborations"] == {"inserted": 0, "updated": 0, "unchanged": 8}
    orgs, _ = contents(sqlite_url)
    assert orgs[SAIGON_PAY].name == "SaigonPay"


@pytest.mark.parametrize("path", [ORGS, ROUNDS, INVESTMENTS])
def test_auto_detection(path):
    assert detect(path, examine(path).head).name == "crunchbase"


def test_canonical_files_are_not_taken_for_a_source_format(write):
    orgs = write("orgs.csv", "id,name,kind\nhust,HUST,university\n")
    ties = write("ties.csv", "source,target,kind\nhust,lotus,research\n")
    jsonl = write("records.jsonl", '{"type": "organization", "id": "x", "name": "X", "kind": "company"}\n')
    assert [detect(p, examine(p).head).name for p in (orgs, ties, jsonl)] == ["canonical"] * 3
    assert {"canonical", "ror", "cordis", "openalex", "crunchbase"} <= set(REGISTRY)
