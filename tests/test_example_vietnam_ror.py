"""The real Vietnamese example: Vietnam's organisations in ROR, loaded, searched, explored and matched."""

from __future__ import annotations

import json

import pytest
from app_support import open_page, texts

import ecograph
from ecograph.examples import EXAMPLES, example_files
from ecograph.store.sqlite import SqliteStore


@pytest.fixture(scope="module")
def example_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('vietnam-ror') / 'vn.db'}"
    from ecograph.examples import load_example

    load_example(url, "vietnam-ror")
    return url


def test_the_example_file_is_vietnams_ror_records_in_schema_v2():
    [path] = example_files("vietnam-ror")
    records = json.loads(path.read_text(encoding="utf-8"))
    assert len(records) == 194
    assert [r["id"] for r in records] == sorted(r["id"] for r in records)
    for record in records:
        assert record["locations"][0]["geonames_details"]["country_code"] == "VN"
        assert any("ror_display" in n["types"] for n in record["names"])  # schema v2 names
        assert record["admin"]["last_modified"]["schema_version"] in ("1.0", "2.0", "2.1")


def test_demo_example_loads_it_and_again_changes_nothing(cli, tmp_path):
    url = f"sqlite:///{tmp_path / 'ex.db'}"
    first = cli("demo", "--example", "vietnam-ror", "--store", url)
    assert first.exit_code == 0
    assert first.stdout.startswith(
        "organisations: 192 inserted, 0 updated, 0 unchanged; collaborations: 34 inserted"
    )
    assert "Note: ror-vn.json: left out 2 withdrawn records" in first.stderr
    again = cli("demo", "--example", "vietnam-ror", "--store", url)
    assert again.stdout.startswith("organisations: 0 inserted, 0 updated, 192 unchanged")
    stats = json.loads(cli("stats", "--json", "--store", url).stdout)
    assert stats["by_kind"]["university"] >= 100
    ror = stats["sources"]["ror"]
    assert ror["licence"] == "CC0 1.0" and ror["release"] == EXAMPLES["vietnam-ror"].release
    unknown = cli("demo", "--example", "atlantis", "--store", url)
    assert (
        unknown.exit_code == 2
        and unknown.stderr == "Error: no example named 'atlantis'; the examples are vietnam-ror\n"
    )


def test_the_load_records_the_licence_and_release_in_its_provenance(example_url):
    with SqliteStore(example_url) as store:
        [batch] = store.batches()
        hust = next(o for o in store.organizations() if o.id == "ror:04nyv3z04")
    assert batch.terms == {
        "source": "ror",
        "name": "ROR",
        "licence": "CC0 1.0",
        "licence_url": "https://creativecommons.org/publicdomain/zero/1.0/",
        "attribution": "Research Organization Registry (ROR), https://ror.org",
        "release": EXAMPLES["vietnam-ror"].release,
    }
    assert hust.name == "Hanoi University of Science and Technology" and hust.kind == "university"


def test_search_without_diacritics_finds_its_universities(example_url, monkeypatch):
    at = open_page("profile", example_url, monkeypatch)
    at.text_input(key="profile_search").input("dai hoc bach khoa").run()
    pick = at.selectbox(key="profile_pick")
    labels = pick.options  # as the visitor reads them: name — kind, place
    assert any(
        label.startswith("University of Science and Technology - The University of Da Nang")
        for label in labels
    )
    at.text_input(key="profile_search").input("truong dai hoc can tho").run()
    assert (
        at.selectbox(key="profile_pick").value == "ror:0071qz696"
    )  # Can Tho University, by its Vietnamese label
    assert not at.exception
    headers = texts(at, "header")
    assert "Can Tho University" in headers
    assert any(
        c.startswith("Data from ROR, ror-records v2.9 (commit d93fc66, 2026-06-23) — CC0 1.0")
        and "CC0 1.0" in c
        for c in (text.replace("\\", "") for text in texts(at, "caption"))  # Markdown escapes out
    )


def test_the_explorer_overview_shows_it(example_url, monkeypatch):
    at = open_page("overview", example_url, monkeypatch)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Organisations"] == "192" and metrics["Collaborations"] == "34"
    assert metrics["Countries"] == "1"


def test_entity_resolution_merges_it_with_the_cordis_and_openalex_fixtures(example_url, tmp_path):
    from pathlib import Path

    data = Path(__file__).parent / "data"
    url = f"sqlite:///{tmp_path / 'merged.db'}"
    ecograph.load(example_files("vietnam-ror"), url)
    ecograph.load([data / "cordis" / "organization.csv", data / "cordis" / "project.csv"], url)
    ecograph.load([data / "openalex" / "institutions.jsonl", data / "openalex" / "works.jsonl"], url)
    with SqliteStore(url) as store:
        merges = {(m.kept, m.absorbed, m.rule) for m in store.merges()}
        ids = {o.id for o in store.organizations()}
        sources = store.sources("organization", "ror:02wsd5p50")
    assert ("ror:04nyv3z04", "cordis:889354021", "same name and country") in merges  # HUST
    assert ("ror:02wsd5p50", "cordis:895112408", "website domain") in merges  # VAST
    assert ("ror:02jmfj006", "openalex:I4210111002", "grid id") in merges  # VNU Hanoi
    assert ("ror:02wsd5p50", "openalex:I4210111003", "grid id") in merges  # VAST again
    assert not {"cordis:889354021", "cordis:895112408", "openalex:I4210111002"} & ids
    assert {s for s, _ in sources} == {"ror", "cordis", "openalex"}
