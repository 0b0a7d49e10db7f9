"""Entity resolution across sources: one node per organisation, a review queue, reversible merges."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ecograph.ingest import load
from ecograph.migrate import content_checksum
from ecograph.resolution.keys import domain, match_key, name_tokens, similarity
from ecograph.resolution.merging import merge, split

DATA = Path(__file__).parent / "data"
ROR = DATA / "ror" / "ror-data_schema_v2.json"
CORDIS = [DATA / "cordis" / "organization.csv", DATA / "cordis" / "project.csv"]
OPENALEX = [DATA / "openalex" / "institutions.jsonl", DATA / "openalex" / "works.jsonl"]
EXTRA = DATA / "resolution" / "institutions.jsonl"
HUST = "ror:04kq4sq72"


def _all_sources(store) -> None:
    load([ROR], store)
    load(CORDIS, store)
    load(OPENALEX, store)


# -- keys -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Công ty Cổ phần Công nghệ Sao Mai", "Sao Mai Công nghệ JSC"),
        ("Sao Mai Technology Co., Ltd", "SAO MAI TECHNOLOGY COMPANY LIMITED"),
        ("HANOI UNIVERSITY OF SCIENCE AND TECHNOLOGY", "Hanoi University of Science and Technology"),
        ("Fraunhofer-Gesellschaft e.V.", "Fraunhofer Gesellschaft"),
        ("Trường Đại học Bách khoa", "Bách khoa Trường Đại học"),
        ("Trường Đại học Bách khoa Hà Nội", "Bach Khoa Hanoi University"),
        ("Viện Vật lý", "Vat ly Institute"),
        ("Công ty TNHH Phần mềm Sông Hồng", "Song Hong Phan mem Co., Ltd"),
    ],
)
def test_match_key_ignores_legal_forms_case_diacritics_and_order(a: str, b: str) -> None:
    assert match_key(a) == match_key(b)


def test_match_key_keeps_what_tells_names_apart() -> None:
    assert match_key("Hanoi University of Science and Technology") != match_key(
        "University of Science and Technology of Hanoi ABC"
    )
    assert match_key("Viettel Group") != match_key("Viettel High Tech")


def test_domain_ignores_www_and_hosts_that_name_nobody() -> None:
    assert domain("https://www.hust.edu.vn/vi/") == "hust.edu.vn"
    assert domain("http://hus.vnu.edu.vn") == "hus.vnu.edu.vn" != domain("https://vnu.edu.vn")
    assert domain("https://en.wikipedia.org/wiki/Viettel_Group") is None
    assert domain("https://www.facebook.com/somecompany") is None
    assert domain("not a url") is None


def test_similarity_scores_one_extra_word_high_and_other_names_low() -> None:
    near = similarity(
        name_tokens("Vietnam National University"), name_tokens("Vietnam National University, Hanoi")
    )
    far = similarity(name_tokens("Vietnam Academy of Science and Technology"),
                     name_tokens("Vietnam Union of Science and Technology Associations"))  # fmt: skip
    assert near > 0.8 > far


# -- loads from several sources -----------------------------------------------------------


def test_one_institution_from_three_sources_is_one_node_with_three_sources(store) -> None:
    _all_sources(store)
    ids = {o.id for o in store.organizations()}
    assert HUST in ids
    assert "cordis:889354021" not in ids and "openalex:I4210111001" not in ids
    hust = [o for o in store.organizations() if "hanoi university of science" in o.name.lower()]
    assert [o.id for o in hust] == [HUST]
    sources = store.sources("organization", HUST)
    assert {s for s, _ in sources} == {"ror", "cordis", "openalex"}
    assert ("cordis", "889354021") in sources
    assert ("openalex", "https://openalex.org/I4210111001") in sources
    # the ties of the merged records now end at the one node
    ties = store.collaborations_of([HUST])
    assert {t.kind for t in ties} >= {"joint_project", "co_publication"}
    assert not store.collaborations_of(["cordis:889354021", "openalex:I4210111001"])
    # CORDIS names it in capitals: kept as an alias, the ROR name stays the name
    assert store.organization(HUST).name == "Hanoi University of Science and Technology"


def test_one_load_of_every_source_gives_what_three_loads_give(store, tmp_path: Path) -> None:
    from ecograph.store.sqlite import SqliteStore

    load([ROR, *CORDIS, *OPENALEX], store)
    with SqliteStore(f"sqlite:///{tmp_path / 'three-loads.db'}") as separate:
        _all_sources(separate)
        assert content_checksum(store) == content_checksum(separate)
    assert {s for s, _ in store.sources("organization", HUST)} == {"ror", "cordis", "openalex"}


def test_merges_are_journalled_with_rule_and_evidence(store) -> None:
    _all_sources(store)
    by_absorbed = {m.absorbed: m for m in store.merges()}
    assert by_absorbed["cordis:889354021"].kept == HUST
    assert by_absorbed["cordis:889354021"].rule == "website domain"
    assert by_absorbed["openalex:I4210111001"].rule in {"ror id", "grid id"}
    assert all(m.automatic and m.active for m in by_absorbed.values())


def test_same_name_in_another_country_stays_apart_and_is_not_queued(store) -> None:
    _all_sources(store)
    load([EXTRA], store)
    physics = sorted((o.id, o.country) for o in store.organizations() if o.name == "Institute of Physics")
    assert physics == [("openalex:I9000000001", "DE"), ("ror:03anxx281", "VN")]
    assert not [c for c in store.candidates() if "openalex:I9000000001" in c.pair]


def test_ambiguous_pair_goes_to_the_review_queue_not_merged(store) -> None:
    _all_sources(store)
    report = load([EXTRA], store)
    assert store.organization("openalex:I9000000002") is not None  # its own node
    queued = {c.pair: c for c in store.candidates("open")}
    pair = ("openalex:I9000000002", "ror:02jmfj006")
    assert pair in queued
    assert queued[pair].rule == "similar name, same country"
    assert queued[pair].evidence["their_name"] == "Vietnam National University, Hanoi"
    assert report.as_dict()["review_candidates"] >= 1


def test_same_name_same_country_and_legal_forms_merge(store) -> None:
    _all_sources(store)
    load([EXTRA], store)
    assert store.organization("openalex:I9000000003") is None  # "VNU University of Science"
    assert store.aliases(["openalex:I9000000003"]) == {"openalex:I9000000003": "ror:05w54hk79"}
    assert store.aliases(["openalex:I9000000004"]) == {"openalex:I9000000004": "ror:01dkxj384"}  # "... JSC"
    assert "Viettel Group JSC" in store.organization("ror:01dkxj384").aliases


def test_reloading_every_source_changes_nothing(store) -> None:
    _all_sources(store)
    version, checksum = store.store_version(), content_checksum(store)
    queue = [(c.pair, c.status) for c in store.candidates()]
    report = load([ROR, *CORDIS, *OPENALEX], store)
    totals = report.totals()
    assert totals["organizations"]["inserted"] == totals["organizations"]["updated"] == 0
    assert totals["collaborations"]["inserted"] == totals["collaborations"]["updated"] == 0
    assert (store.store_version(), content_checksum(store)) == (version, checksum)
    assert [(c.pair, c.status) for c in store.candidates()] == queue
    assert len(store.merges()) == 9


def test_a_newer_release_with_a_renamed_organisation_updates_it_in_place(store, tmp_path: Path) -> None:
    _all_sources(store)
    before = store.counts()
    records = json.loads(ROR.read_text(encoding="utf-8"))
    for record in records:
        if record["id"] == "https://ror.org/04kq4sq72":
            for name in record["names"]:
                if "ror_display" in name["types"]:
                    name["value"] = "Hanoi University of Science and Technology (HUST)"
    newer = tmp_path / "ror-newer.json"
    newer.write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
    report = load([newer], store)
    assert report.totals()["organizations"] == {
        "inserted": 0,
        "updated": 1,
        "unchanged": len(before["by_kind"]) and report.totals()["organizations"]["unchanged"],
    }
    assert store.organization(HUST).name == "Hanoi University of Science and Technology (HUST)"
    # the report says what changed, not only how much
    assert report.batches[0].changes == [{"record": "organization", "key": HUST, "fields": ["name"]}]
    assert report.change_lines() == [f"updated organization {HUST}: name"]
    assert store.counts() == before
    assert {s for s, _ in store.sources("organization", HUST)} == {"ror", "cordis", "openalex"}


def test_a_canonical_tie_to_a_merged_id_lands_on_its_node(store, write) -> None:
    _all_sources(store)
    ties = write("ties.csv", "source,target,kind,start\ncordis:889354021,ror:02jmfj006,mou,2024\n")
    load([ties], store)
    assert any(
        t.kind == "mou" and {t.source, t.target} == {HUST, "ror:02jmfj006"} for t in store.collaborations()
    )


# -- merge and split ----------------------------------------------------------------------


def test_manual_merge_then_split_restores_every_record(store) -> None:
    _all_sources(store)
    load([EXTRA], store)
    checksum, counts = content_checksum(store), store.counts()
    journal = merge(store, "ror:02jmfj006", "openalex:I9000000002", reason="same university")
    assert store.organization("openalex:I9000000002") is None
    assert "Vietnam National University" in store.organization("ror:02jmfj006").aliases
    assert store.counts()["organizations"] == counts["organizations"] - 1
    queued = {c.pair: c.status for c in store.candidates()}
    assert queued[("openalex:I9000000002", "ror:02jmfj006")] == "merged"
    assert not journal.automatic and journal.evidence == {"reason": "same university"}
    split(store, "openalex:I9000000002")
    assert content_checksum(store) == checksum
    assert store.counts() == counts
    assert {c.pair: c.status for c in store.candidates()}[
        ("openalex:I9000000002", "ror:02jmfj006")
    ] == "distinct"


def test_merging_two_nodes_with_ties_moves_them_and_split_moves_them_back(store) -> None:
    _all_sources(store)
    checksum = content_checksum(store)
    vast_ties = {t.key for t in store.collaborations_of(["ror:02wsd5p50"])}
    iop_ties = store.collaborations_of(["ror:03anxx281"])
    assert iop_ties  # the parent/child link to VAST at least
    merge(store, "ror:02wsd5p50", "ror:03anxx281")
    moved = store.collaborations_of(["ror:02wsd5p50"])
    assert not store.collaborations_of(["ror:03anxx281"])
    assert all(t.source != t.target for t in moved)
    # ties with ids keep their keys; the VAST–IOP link itself would be a loop and is dropped
    assert {t.key for t in moved} == (vast_ties | {t.key for t in iop_ties}) - {
        "id:ror:rel:02wsd5p50-03anxx281"
    }
    split(store, "ror:03anxx281")
    assert content_checksum(store) == checksum


def test_splitting_a_load_time_merge_keeps_it_apart_on_reload(store) -> None:
    _all_sources(store)
    split(store, "cordis:889354021")
    cordis_hust = store.organization("cordis:889354021")
    assert cordis_hust is not None and cordis_hust.country == "VN"
    assert {t.kind for t in store.collaborations_of(["cordis:889354021"])} == {"joint_project"}
    assert all(
        t.kind != "joint_project" or "cordis:889354021" not in (t.id or "")
        for t in store.collaborations_of([HUST])
    )
    checksum = content_checksum(store)
    load(CORDIS, store)
    assert content_checksum(store) == checksum
    assert store.organization("cordis:889354021") is not None


def test_merge_and_split_refuse_what_they_cannot_do(store) -> None:
    from ecograph.errors import UnknownOrganisation, UsageError

    _all_sources(store)
    with pytest.raises(UsageError, match="merged into ror:04kq4sq72"):
        merge(store, "cordis:889354021", "ror:02jmfj006")
    with pytest.raises(UnknownOrganisation):
        merge(store, HUST, "nobody")
    with pytest.raises(UsageError, match="itself"):
        merge(store, HUST, HUST)
    with pytest.raises(UsageError, match="not merged"):
        split(store, HUST)


def test_cli_resolve_merge_split(cli, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'r.db'}"
    for files in ([ROR], CORDIS, OPENALEX, [EXTRA]):
        assert cli("load", *map(str, files), "--store", url).exit_code == 0
    listed = cli("resolve", "--store", url, "--format", "json")
    assert listed.exit_code == 0
    pairs = {(r["a"], r["b"]) for r in json.loads(listed.stdout)}
    assert ("openalex:I9000000002", "ror:02jmfj006") in pairs
    merged = cli("merge", "ror:02jmfj006", "openalex:I9000000002", "--store", url)
    assert merged.exit_code == 0 and "merged openalex:I9000000002 into ror:02jmfj006" in merged.stdout
    journal = json.loads(cli("resolve", "--merges", "--store", url, "--format", "json").stdout)
    assert {(m["kept"], m["absorbed"], m["automatic"]) for m in journal} >= {
        ("ror:02jmfj006", "openalex:I9000000002", False)
    }
    assert cli("split", "openalex:I9000000002", "--store", url).exit_code == 0
    again = cli("split", "openalex:I9000000002", "--store", url)
    assert again.exit_code == 2 and "not merged" in again.stderr
    kept_apart = cli("resolve", "--distinct", "ror:01c3k5c27", "ror:02wsd5p50", "--store", url)
    assert kept_apart.exit_code == 0
    open_pairs = {
        (r["a"], r["b"]) for r in json.loads(cli("resolve", "--store", url, "--format", "json").stdout)
    }
    assert ("ror:01c3k5c27", "ror:02wsd5p50") not in open_pairs
    unknown = cli("merge", "ror:02jmfj006", "nobody", "--store", url)
    assert unknown.exit_code != 0 and "nobody" in unknown.stderr
