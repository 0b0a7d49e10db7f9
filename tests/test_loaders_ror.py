"""The ROR loader on a small v2.1 dump: kinds, places, links, the country filter, streaming, bad records."""

import json
from collections import Counter
from pathlib import Path

import pytest

import loaders.ror
from ecograph.errors import UsageError, ValidationFailed
from ecograph.ingest import load
from ecograph.store.sqlite import SqliteStore
from loaders import REGISTRY, FileInfo, SourceRow, detect
from loaders.text import examine

DUMP = Path(__file__).parent / "data" / "ror" / "ror-data_schema_v2.json"
HUST, VNU, VNU_US, VAST, IOP, VIETTEL, TOKYO = (
    "ror:04kq4sq72", "ror:02jmfj006", "ror:05w54hk79", "ror:02wsd5p50", "ror:03anxx281", "ror:01dkxj384", "ror:057zh3y96",
)  # fmt: skip


def contents(url):
    with SqliteStore(url) as store:
        return {o.id: o for o in store.organizations()}, {t.id: t for t in store.collaborations()}


def rows(path, **options):
    info = FileInfo(str(path), "ror", encoding=examine(path).encoding)
    return list(REGISTRY["ror"].read(path, info, **options)), info


def test_loads_every_active_record_with_its_kind_place_and_names(sqlite_url):
    report = load([DUMP], sqlite_url)
    assert report.totals()["organizations"]["inserted"] == 13
    assert report.batches[0].format == "ror-json"
    assert report.batches[0].rows_read == 15
    orgs, _ = contents(sqlite_url)
    assert Counter(o.kind for o in orgs.values()) == {
        "university": 5,  # HUST, VNU, VNU University of Science, HCMUT, Tokyo (education + funder)
        "research_institute": 3,  # VAST (facility + government), IOP, Fraunhofer (facility + nonprofit)
        "company": 2,  # Viettel, Samsung
        "government": 1,  # NAFOSTED (funder + government)
        "support_org": 1,  # VUSTA (nonprofit)
        "other": 1,  # Bach Mai Hospital (healthcare)
    }
    assert sorted(o.country for o in orgs.values()).count("VN") == 10
    assert {o.country for o in orgs.values()} == {"VN", "JP", "DE", "KR"}
    hust = orgs[HUST]
    assert (hust.name, hust.kind, hust.country, hust.province, hust.city, hust.founded) == (
        "Hanoi University of Science and Technology", "university", "VN", "Hanoi", "Hanoi", 1956,
    )  # fmt: skip
    assert hust.aliases == ("Đại học Bách khoa Hà Nội", "HUST")
    assert (hust.website, hust.ror) == ("https://hust.edu.vn", "https://ror.org/04kq4sq72")
    assert orgs["ror:00mjd6z80"].sectors == ("healthcare",)
    assert orgs["ror:04qwr8p09"].province == "Ho Chi Minh"
    assert "ror:05n1ybv12" not in orgs  # inactive
    assert "ror:0412hb707" not in orgs  # withdrawn duplicate


def test_parent_child_and_related_links_become_one_tie_per_pair(sqlite_url):
    load([DUMP], sqlite_url)
    _, ties = contents(sqlite_url)
    assert set(ties) == {
        "ror:rel:02jmfj006-05w54hk79",  # VNU parent of VNU University of Science (stated by both)
        "ror:rel:02wsd5p50-03anxx281",  # VAST parent of the Institute of Physics
        "ror:rel:01dkxj384-04kq4sq72",  # Viettel related to HUST
        "ror:rel:04kq4sq72-057zh3y96",  # HUST related to the University of Tokyo
    }
    vnu = ties["ror:rel:02jmfj006-05w54hk79"]
    assert (vnu.source, vnu.target, vnu.kind, vnu.weight) == (VNU, VNU_US, "other", 1.0)
    assert vnu.evidence == "ROR: https://ror.org/02jmfj006 is the parent of https://ror.org/05w54hk79"
    assert ties["ror:rel:01dkxj384-04kq4sq72"].evidence.endswith("related to https://ror.org/04kq4sq72")


def test_country_filter_keeps_the_country_and_the_links_inside_it(sqlite_url):
    report = load([DUMP], sqlite_url, options={"country": "vn"})
    orgs, ties = contents(sqlite_url)
    assert len(orgs) == 10 and {o.country for o in orgs.values()} == {"VN"}
    assert len(ties) == 3 and TOKYO not in {t.target for t in ties.values()}
    assert (
        "ror-data_schema_v2.json: left out 3 records outside VN, 1 inactive records, 1 withdrawn records"
        in (report.notes)
    )
    assert any("1 links to organisations not loaded left out" in n for n in report.notes)


def test_bad_country_option_is_a_usage_error(sqlite_url):
    with pytest.raises(UsageError, match="VNM is not an ISO 3166-1 alpha-2"):
        load([DUMP], sqlite_url, options={"country": "VNM"})


def test_direct_reading_fills_the_file_info():
    items, info = rows(DUMP)
    assert all(isinstance(i, SourceRow) for i in items)
    orgs = [i for i in items if i.type == "organization"]
    assert [i.row for i in orgs][:3] == [1, 2, 3]  # rows are record numbers
    assert (info.rows_read, info.skipped, info.unknown_codes) == (15, 2, {})
    assert orgs[0].source == "ror" and orgs[0].source_id == "https://ror.org/04kq4sq72"
    assert orgs[0].data["external_ids"] == {
        "grid": ["grid.440792.c"], "isni": ["0000 0004 0490 0841"], "wikidata": ["Q1045862"],
    }  # fmt: skip


@pytest.mark.parametrize("chunk", [7, 101, 4096])
def test_streaming_gives_the_same_records_whatever_the_chunk_size(monkeypatch, chunk):
    expected = [(i.row, i.type, i.data) for i in rows(DUMP)[0]]
    monkeypatch.setattr(loaders.ror, "_CHUNK", chunk)
    assert [(i.row, i.type, i.data) for i in rows(DUMP)[0]] == expected


def test_json_lines_dump_reads_the_same(tmp_path):
    records = json.loads(DUMP.read_text(encoding="utf-8"))
    jsonl = tmp_path / "ror.jsonl"
    jsonl.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    items, info = rows(jsonl)
    assert info.format == "ror-jsonl"
    assert [(i.row, i.data) for i in items] == [(i.row, i.data) for i in rows(DUMP)[0]]


def test_unknown_types_are_counted_and_load_as_other(tmp_path):
    record = json.loads(DUMP.read_text(encoding="utf-8"))[0]
    record["types"] = ["observatory"]
    path = tmp_path / "one.json"
    path.write_text(json.dumps([record]), encoding="utf-8")
    items, info = rows(path)
    assert items[0].data["kind"] == "other"
    assert info.unknown_codes == {"types": {"observatory": 1}}
    assert "unknown ROR types observatory loaded as kind 'other'" in info.notes[-1]


def corrupt(tmp_path, text: str) -> Path:
    path = tmp_path / "ror-broken.json"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_malformed_record_mid_file_is_reported_and_skip_invalid_loads_the_rest(tmp_path, sqlite_url):
    text = DUMP.read_text(encoding="utf-8")
    # record 7 (Bach Mai Hospital) loses a comma between two of its fields
    start = text.index('\n  "id": "https://ror.org/00mjd6z80"')
    path = corrupt(tmp_path, text[:start] + text[start:].replace('",\n  "links"', '"\n  "links"', 1))
    with pytest.raises(ValidationFailed) as failed:
        load([path], sqlite_url)
    (problem,) = failed.value.report.problems
    assert (problem.type, problem.file, problem.row) == ("bad-json", str(path), 7)
    assert problem.message.startswith("record 7 is not valid JSON: Expecting ',' delimiter")
    report = load([path], sqlite_url, skip_invalid=True)
    orgs, ties = contents(sqlite_url)
    assert len(orgs) == 12 and "ror:00mjd6z80" not in orgs
    assert "ror:04w3jy968" in orgs  # Samsung, record 14, after the bad one
    assert len(ties) == 4
    assert report.batches[0].rejected == 1


def test_a_truncated_dump_loads_what_came_before_the_cut(tmp_path, sqlite_url):
    text = DUMP.read_text(encoding="utf-8")
    path = corrupt(tmp_path, text[: text.index('\n  "id": "https://ror.org/057zh3y96"')])  # cut inside Tokyo
    with pytest.raises(ValidationFailed) as failed:
        load([path], sqlite_url)
    (problem,) = failed.value.report.problems
    assert problem.row == 12 and "the rest of the file cannot be read" in problem.message
    load([path], sqlite_url, skip_invalid=True)
    orgs, _ = contents(sqlite_url)
    assert len(orgs) == 10  # records 1-11 less the inactive one


def test_reloading_changes_nothing_and_a_rename_updates_in_place(tmp_path, sqlite_url):
    load([DUMP], sqlite_url)
    again = load([DUMP], sqlite_url).totals()
    assert again["organizations"] == {"inserted": 0, "updated": 0, "unchanged": 13}
    assert again["collaborations"] == {"inserted": 0, "updated": 0, "unchanged": 4}
    newer = tmp_path / "ror-newer.json"
    newer.write_text(
        DUMP.read_text(encoding="utf-8").replace(
            '"value": "Viettel Group"', '"value": "Viettel Group (VTG)"', 1
        ),
        encoding="utf-8",
    )
    totals = load([newer], sqlite_url).totals()
    assert totals["organizations"] == {"inserted": 0, "updated": 1, "unchanged": 12}
    assert totals["collaborations"] == {"inserted": 0, "updated": 0, "unchanged": 4}
    orgs, _ = contents(sqlite_url)
    assert orgs[VIETTEL].name == "Viettel Group (VTG)"


def test_auto_detection_and_the_command_line(cli, sqlite_url):
    assert detect(DUMP, examine(DUMP).head).name == "ror"
    result = cli("load", str(DUMP), "--country", "VN", "--store", sqlite_url)
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == (
        "organisations: 10 inserted, 0 updated, 0 unchanged; collaborations: 3 inserted, 0 updated, 0 unchanged; "
        "1 possible match sent to review (ecograph resolve)"  # VAST and NAFOSTED share a FundRef id
    )
