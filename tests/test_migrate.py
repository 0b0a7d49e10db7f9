"""`ecograph migrate`: a verified, idempotent copy between stores (SQLite here; Neo4j in test_neo4j_store)."""

import json

import pytest

from ecograph.migrate import MigrationFailed, content_checksum, migrate
from ecograph.store.sqlite import SqliteStore


@pytest.fixture
def source(tmp_path, write, cli):
    url = f"sqlite:///{tmp_path / 'source.db'}"
    orgs = write(
        "o.csv",
        "id,name,kind,country\nhust,Đại học Bách khoa Hà Nội,university,VN\nkx,Daejeon Lab,research_institute,KR\n",
    )
    ties = write("t.csv", "source,target,kind,start\nhust,kx,co_publication,2023\n")
    assert cli("load", str(orgs), "--store", url).exit_code == 0
    assert cli("load", str(ties), "--store", url).exit_code == 0
    return url


def test_migrate_copies_records_history_and_verifies(source, tmp_path, cli):
    target = f"sqlite:///{tmp_path / 'target.db'}"
    result = cli("migrate", "--from", source, "--to", target, "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["verified"] and report["organizations"] == 2 and report["collaborations"] == 1
    assert report["batches"] == 2
    with SqliteStore(source) as a, SqliteStore(target) as b:
        assert content_checksum(a) == content_checksum(b)
        assert list(a.organizations()) == list(b.organizations())
        assert {x.id for x in a.batches()} <= {x.id for x in b.batches()}
        assert {(p.record_type, p.record_key, p.batch_id) for p in a.provenance()} <= {
            (p.record_type, p.record_key, p.batch_id) for p in b.provenance()
        }
        version = b.store_version()
    again = json.loads(cli("migrate", "--from", source, "--to", target, "--json").stdout)
    assert again["inserted"] == {"organizations": 0, "collaborations": 0}
    assert again["updated"] == {"organizations": 0, "collaborations": 0}
    with SqliteStore(target) as b:
        assert b.store_version() == version
    back = cli("migrate", "--from", target, "--to", source)
    assert back.exit_code == 0 and "verified: content checksum" in back.stdout


def test_migrate_into_a_store_with_other_records_reports_the_difference(source, tmp_path, write, cli):
    target = f"sqlite:///{tmp_path / 'busy.db'}"
    cli("load", str(write("x.csv", "id,name,kind\nother,Other Co,company\n")), "--store", target)
    with pytest.raises(MigrationFailed, match="differs"):
        migrate(source, target)
    result = cli("migrate", "--from", source, "--to", target)
    assert result.exit_code == 1 and "did the target hold other records before?" in result.stderr
