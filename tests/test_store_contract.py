"""The store contract, run unchanged on every kind of store (the ``store`` fixture)."""

import pytest

from ecograph.errors import IntegrityError
from ecograph.model import Collaboration, Organization
from ecograph.report import LoadBatch
from ecograph.store import WritePart

HUST = Organization("hust", "Đại học Bách khoa Hà Nội", "university", "VN", province="Hà Nội",
                    sectors=("ai", "semiconductors"), founded=1956, aliases=("HUST",))  # fmt: skip
LOTUS = Organization("lotus", "Lotus AI Labs", "startup", "VN", province="Đà Nẵng", sectors=("ai",))
KAIST = Organization("kaist-x", "Daejeon Institute of Science", "research_institute", "KR")
TIES = [
    Collaboration("hust", "lotus", "research", weight=2.0, start="2021", evidence="https://example.org/1"),
    Collaboration("lotus", "hust", "spin_off", start="2019-05-01"),
    Collaboration("kaist-x", "hust", "co_publication", weight=0.5, start="2023", end="2024"),
]

AWKWARD_NAMES = [
    "O'Brien & Partners",
    'The "Quoted" Lab',
    "Semi;colon Ventures",
    "<script>alert(1)</script>",
    "=cmd|' /C calc'!A0",
    "x'}) DETACH DELETE n //",
    '"; MATCH (n) DETACH DELETE n;',
    "Back`tick` Labs",
    "Viện Nghiên cứu Đồng bằng Sông Cửu Long",
]


def write(store, orgs=(), ties=(), file="f.csv", **kwargs):
    return store.write([WritePart(LoadBatch(file), list(orgs), list(ties))], **kwargs)[0]


def test_empty_store(store):
    assert store.store_version() == 0
    assert store.counts()["organizations"] == 0
    assert store.batches() == []
    assert store.snapshot().number_of_nodes() == 0


def test_write_counts_and_reads_back_everything(store):
    batch = write(store, [HUST, LOTUS, KAIST], TIES)
    assert (batch.organizations_inserted, batch.collaborations_inserted) == (3, 3)
    assert batch.finished is not None
    assert list(store.organizations()) == sorted([HUST, LOTUS, KAIST], key=lambda o: o.id)
    assert sorted(store.collaborations(), key=lambda t: t.key) == sorted(TIES, key=lambda t: t.key)
    assert store.organization("hust") == HUST
    assert store.organization("nobody") is None
    assert store.existing_ids(["hust", "nobody", "kaist-x"]) == {"hust", "kaist-x"}
    counts = store.counts()
    assert counts["organizations"] == 3 and counts["collaborations"] == 3
    assert counts["by_category"] == {"foreign_partner": 1, "startup": 1, "university": 1}
    assert counts["by_kind"] == {"research_institute": 1, "startup": 1, "university": 1}
    assert counts["by_tie_kind"] == {"co_publication": 1, "research": 1, "spin_off": 1}


def test_same_write_twice_is_unchanged_and_keeps_the_version(store):
    write(store, [HUST, LOTUS, KAIST], TIES)
    version = store.store_version()
    assert version > 0
    again = write(store, [HUST, LOTUS, KAIST], TIES, file="again.csv")
    assert (again.organizations_unchanged, again.collaborations_unchanged) == (3, 3)
    assert again.organizations_inserted == again.organizations_updated == 0
    assert again.collaborations_inserted == again.collaborations_updated == 0
    assert store.store_version() == version
    assert [b.file for b in store.batches()] == ["f.csv", "again.csv"]
    assert store.counts()["collaborations"] == 3


def test_a_changed_field_is_an_update_and_bumps_the_version(store):
    write(store, [HUST, LOTUS], TIES[:2])
    version = store.store_version()
    renamed = Organization(**{**HUST.as_dict(), "name": "HUST", "sectors": ("ai",)})
    heavier = Collaboration(**{**TIES[0].as_dict(), "weight": 3.0})
    batch = write(store, [renamed, LOTUS], [heavier])
    assert (batch.organizations_updated, batch.organizations_unchanged) == (1, 1)
    assert batch.collaborations_updated == 1
    assert store.store_version() > version
    assert store.organization("hust").name == "HUST"
    assert store.organization("hust").sectors == ("ai",)


def test_a_mutual_tie_written_the_other_way_round_is_the_same_tie(store):
    write(store, [HUST, LOTUS], [TIES[0]])
    reverse = Collaboration(
        "lotus", "hust", "research", weight=2.0, start="2021", evidence="https://example.org/1"
    )
    batch = write(store, [], [reverse])
    assert batch.collaborations_unchanged == 1
    assert store.counts()["collaborations"] == 1


def test_organisations_are_written_before_ties_whatever_the_part_order(store):
    ties_first = WritePart(LoadBatch("ties.csv"), [], TIES)
    orgs_second = WritePart(LoadBatch("orgs.csv"), [HUST, LOTUS, KAIST], [])
    batches = store.write([ties_first, orgs_second])
    assert batches[0].collaborations_inserted == 3
    assert batches[1].organizations_inserted == 3


def test_a_tie_to_an_unknown_organisation_writes_nothing(store):
    write(store, [HUST])
    version = store.store_version()
    with pytest.raises(IntegrityError):
        write(store, [LOTUS], [Collaboration("hust", "ghost", "mou")])
    assert store.store_version() == version
    assert store.organization("lotus") is None
    assert len(store.batches()) == 1


def test_dry_run_counts_but_changes_nothing(store):
    write(store, [HUST])
    version = store.store_version()
    batch = write(store, [HUST, LOTUS], [TIES[0]], dry_run=True)
    assert (batch.organizations_inserted, batch.organizations_unchanged) == (1, 1)
    assert batch.collaborations_inserted == 1
    assert store.store_version() == version
    assert store.organization("lotus") is None
    assert len(store.batches()) == 1


def test_provenance_records_every_batch_a_record_came_from(store):
    first = write(store, [HUST, LOTUS], [TIES[0]], file="a.csv")
    second = write(store, [HUST], [], file="b.csv")
    entries = {(p.record_type, p.record_key, p.batch_id) for p in store.provenance()}
    assert ("organization", "hust", first.id) in entries
    assert ("organization", "hust", second.id) in entries
    assert ("organization", "lotus", second.id) not in entries
    assert ("collaboration", TIES[0].key, first.id) in entries


def test_source_ids_are_kept_with_provenance(store):
    part = WritePart(
        LoadBatch("ror.json"),
        [HUST],
        [],
        sources={("organization", "hust"): ("ror", "https://ror.org/04kq4sq72")},
    )
    store.write([part])
    (entry,) = [p for p in store.provenance() if p.record_key == "hust"]
    assert (entry.source, entry.source_id) == ("ror", "https://ror.org/04kq4sq72")


def test_a_batch_keeps_its_sources_licence_and_release(store):
    terms = {"source": "ror", "name": "ROR", "licence": "CC0 1.0", "release": "v2.0 (2025-12-16)"}
    store.write([WritePart(LoadBatch("ror.zip/ror.json", terms=terms), [HUST], [])])
    write(store, [LOTUS], file="own.csv")
    assert [b.terms for b in store.batches()] == [terms, None]


def test_snapshot_has_every_attribute_and_is_cached_per_version(store):
    write(store, [HUST, LOTUS, KAIST], TIES)
    G = store.snapshot()
    assert G is store.snapshot()
    assert G.graph["store_version"] == store.store_version()
    assert G.nodes["hust"]["name"] == HUST.name
    assert G.nodes["hust"]["sectors"] == ("ai", "semiconductors")
    assert G.nodes["kaist-x"]["category"] == "foreign_partner"
    assert G.number_of_edges() == 3
    edge = G.edges["hust", "kaist-x", TIES[2].key]  # mutual ties keep their ends sorted
    assert (edge["kind"], edge["weight"], edge["year"], edge["end"]) == (
        "co_publication",
        0.5,
        2023,
        "2024",
    )
    write(store, [Organization(**{**LOTUS.as_dict(), "city": "Hải Châu"})])
    assert store.snapshot() is not G
    assert store.snapshot().nodes["lotus"]["city"] == "Hải Châu"


@pytest.mark.parametrize("name", AWKWARD_NAMES)
def test_names_are_stored_verbatim(store, name):
    odd = Organization("odd-1", name, "company", "VN", description=name, aliases=(name,))
    write(store, [HUST, odd], [Collaboration("hust", "odd-1", "training", evidence=name)])
    assert store.organization("odd-1") == odd
    assert store.organization("hust") == HUST
    assert next(iter(store.collaborations())).evidence == name
    assert store.counts()["organizations"] == 2


def test_import_history_and_clear(store):
    write(store, [HUST], [], file="a.csv")
    batches = store.batches()
    provenance = list(store.provenance())
    store.clear()
    assert store.counts()["organizations"] == 0 and store.batches() == [] and store.store_version() == 0
    write(store, [HUST])
    store.import_history(batches, provenance)
    assert batches[0].id in {b.id for b in store.batches()}
    assert {p.batch_id for p in store.provenance()} >= {batches[0].id}
