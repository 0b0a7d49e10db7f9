"""Neo4j security: user text is only ever a value (never Cypher), and the password never
shows up in any output, exception or log."""

from __future__ import annotations

import http.server
import json
import logging
import re
import threading
import traceback
from pathlib import Path
from typing import ClassVar
from urllib.parse import quote

import pytest
from click.testing import CliRunner
from neo4j_plugin import start_with_password

from ecograph import neo4j_server as srv
from ecograph.errors import IntegrityError, StoreUnavailable, UsageError
from ecograph.model import ORG_KINDS, Collaboration, Organization
from ecograph.report import LoadBatch
from ecograph.resolution.records import RECORD
from ecograph.store import WritePart, cypher
from ecograph.store.neo4j import Neo4jStore

# Entity resolution's bookkeeping nodes (ecograph.resolution.records), fixed like the rest.
_RESOLUTION_LABELS = ("Identifier", "TieRewrite", "MergeCandidate", "MergeRecord")
_SNAPSHOT_LABELS = ("SavedSnapshot",)  # saved states of the store (ecograph.saved_snapshots)

PAYLOADS = [
    "x'}) DETACH DELETE n //",
    '"; MATCH (n) DETACH DELETE n;',
    "Back`tick` Labs",
    "`) DETACH DELETE n //",
    'x"}) MATCH (n) DETACH DELETE n RETURN 1 //',
    "$rows",
    "{id: 'x'}",
    "\\' OR 1=1 --",
    "Viện Nghiên cứu ' Đồng bằng",
]
# Ids are checked by the model before they reach a store, but the store itself must not
# care: it takes any string, even one the model would refuse.
SENTINEL = Organization("sentinel", "Sentinel University", "university", "VN")


def _odd_org(i: int, text: str) -> Organization:
    return Organization(
        id=text,
        name=text,
        kind=ORG_KINDS[i % len(ORG_KINDS)],
        country="VN",
        province=text,
        city=text,
        sectors=(text,),
        aliases=(text, f"{text} 2"),
        website=text,
        ror=text,
        description=text,
    )


def test_injection_text_is_stored_verbatim_and_deletes_nothing(neo4j_store):
    store = neo4j_store
    store.write([WritePart(LoadBatch("sentinel.csv"), [SENTINEL], [])])
    orgs = [_odd_org(i, text) for i, text in enumerate(PAYLOADS)]
    ties = [
        Collaboration(
            "sentinel",
            text,
            "training",
            start="2020",
            currency=text,
            evidence=text,
            id=f"tie-{i}",
        )
        for i, text in enumerate(PAYLOADS)
    ]
    sources = {("organization", text): (text, text) for text in PAYLOADS}
    (batch,) = store.write([WritePart(LoadBatch(PAYLOADS[0]), orgs, ties, sources=sources)])
    assert (batch.organizations_inserted, batch.collaborations_inserted) == (len(PAYLOADS),) * 2

    assert store.organization("sentinel") == SENTINEL
    for org in orgs:
        assert store.organization(org.id) == org
    assert store.existing_ids([*PAYLOADS, "sentinel"]) == {*PAYLOADS, "sentinel"}
    assert sorted(store.collaborations(), key=lambda t: t.key) == sorted(ties, key=lambda t: t.key)
    assert store.counts()["organizations"] == len(PAYLOADS) + 1
    assert [b.file for b in store.batches()] == ["sentinel.csv", PAYLOADS[0]]
    kept = {(p.record_key, p.source, p.source_id) for p in store.provenance() if p.source}
    assert kept == {(text, text, text) for text in PAYLOADS}
    G = store.snapshot()
    assert G.number_of_nodes() == len(PAYLOADS) + 1 and G.number_of_edges() == len(PAYLOADS)

    # The same write again is unchanged: comparison is by value, not by some quoted form.
    (again,) = store.write([WritePart(LoadBatch("again"), [SENTINEL, *orgs], ties)])
    assert again.organizations_unchanged == len(PAYLOADS) + 1
    assert again.collaborations_unchanged == len(PAYLOADS)

    # Nothing outside the vocabularies became a label or a type.
    with store._session() as session:
        labels = {r["label"] for r in session.run("CALL db.labels() YIELD label")}
        types = {r["relationshipType"] for r in session.run("CALL db.relationshipTypes()")}
    allowed = {
        "Organization",
        "LoadBatch",
        "ProvenanceChunk",
        "EcographMeta",
        *_RESOLUTION_LABELS,
        *_SNAPSHOT_LABELS,
    }
    assert labels <= allowed | set(cypher.ORG_LABELS.values())
    assert types <= set(cypher.TIE_TYPES.values())


def test_an_unknown_kind_never_becomes_a_label_or_type(neo4j_store):
    store = neo4j_store
    store.write([WritePart(LoadBatch("a.csv"), [SENTINEL], [])])
    bad_org = Organization("evil", "Evil", "startup:Admin) DETACH DELETE n //", "VN")
    with pytest.raises(IntegrityError, match="unknown kind"):
        store.write([WritePart(LoadBatch("b.csv"), [bad_org], [])])
    other = Organization("ok", "OK", "company", "VN")
    bad_tie = Collaboration("sentinel", "ok", "RESEARCH]->() DETACH DELETE n //")
    with pytest.raises(IntegrityError, match="unknown kind"):
        store.write([WritePart(LoadBatch("c.csv"), [other], [bad_tie])])
    assert [o.id for o in store.organizations()] == ["sentinel"]
    assert len(store.batches()) == 1
    with pytest.raises(KeyError):
        cypher.MERGE_ORGS_BY_KIND["startup`) DETACH DELETE n //"]


def test_every_statement_is_a_constant_without_user_values():
    statements = [
        v
        for k, v in vars(cypher).items()
        if k.isupper() and not k.startswith("_") and isinstance(v, str) and k != "TIE_TYPE_PATTERN"
    ]
    statements += list(cypher.SCHEMA)
    for table in (
        "CREATE_ORGS_BY_KIND",
        "MERGE_ORGS_BY_KIND",
        "MERGE_TIES_BY_KIND",
        "CREATE_TIES_BY_KIND",
        "FIND_TIES_BY_KIND",
        "DELETE_TIES_BY_KIND",
        "READ_TIE_PAGE_BY_KIND",
        "GDS_STREAMS",
    ):
        statements += list(getattr(cypher, table).values())
    vocabulary = (
        set(cypher.ORG_LABELS.values())
        | set(cypher.TIE_TYPES.values())
        | {
            "Organization",
            "LoadBatch",
            "ProvenanceChunk",
            "EcographMeta",
            *_RESOLUTION_LABELS,
            *_SNAPSHOT_LABELS,
        }
    )
    for statement in statements:
        # Every string literal is one of the few fixed ones; values come as $parameters.
        assert set(re.findall(r"'([^']*)'", statement)) <= {"foreign_partner", RECORD}, statement
        assert "{{" not in statement and "{label}" not in statement and "{rel_type}" not in statement
        for name in re.findall(r"(?:\b[a-z]\w*|[(\[]):([A-Z][A-Za-z_|:]*)", statement):
            assert set(re.split(r"[|:]", name)) <= vocabulary, (name, statement)


# -- the password never shows --------------------------------------------------------------------

PASSWORD = "Kn0wn:S3cret@Pa55/word"  # ':', '@' and '/' also test URL parsing


@pytest.fixture(scope="module")
def auth_server(tmp_path_factory):
    """A server with auth on and a known password (written before the first start)."""
    instance = tmp_path_factory.mktemp("neo4j-auth")
    info = start_with_password(instance, PASSWORD)
    assert info.password == PASSWORD
    yield info
    srv.stop(instance=instance)


@pytest.fixture
def secret_url(auth_server) -> str:
    return f"bolt://neo4j:{quote(PASSWORD, safe='')}@127.0.0.1:{auth_server.port}"


def _clean(text: str) -> None:
    for form in (PASSWORD, quote(PASSWORD, safe=""), quote(PASSWORD)):
        assert form not in text


@pytest.mark.neo4j
def test_a_password_in_the_url_is_used_and_never_shown(auth_server, secret_url, caplog):
    caplog.set_level(logging.DEBUG)  # the driver's own debug log too
    with Neo4jStore(secret_url) as store:
        store.clear()
        org = Organization("a", "A", "startup", "VN")
        store.write([WritePart(LoadBatch("a.csv"), [org], [])])
        assert store.organization("a") == org
        G = store.snapshot()
        texts = [
            store.url,
            repr(store),
            str(vars(store).get("url")),
            json.dumps(G.graph, default=str),
            json.dumps([b.as_dict() for b in store.batches()]),
            json.dumps(store.counts()),
        ]
    assert store.url == f"bolt://127.0.0.1:{auth_server.port}"
    assert any("HELLO" in r.getMessage() or "LOGON" in r.getMessage() for r in caplog.records)
    _clean("\n".join(texts))
    _clean(caplog.text)


@pytest.mark.neo4j
def test_a_password_from_the_environment_works(auth_server, monkeypatch):
    monkeypatch.setenv("ECOGRAPH_NEO4J_USER", "neo4j")
    monkeypatch.setenv("ECOGRAPH_NEO4J_PASSWORD", PASSWORD)
    with Neo4jStore(auth_server.url) as store:
        assert store.store_version() >= 0
        _clean(repr(store) + store.url)


def _one_line_without_secrets(exc: BaseException) -> str:
    message = str(exc)
    assert "\n" not in message
    _clean(message)
    _clean("".join(traceback.format_exception(exc)))
    return message


@pytest.mark.neo4j
def test_a_wrong_password_fails_without_showing_either_password(auth_server, caplog):
    caplog.set_level(logging.DEBUG)
    wrong = "Wr0ng-Guess-Pa55"
    url = f"bolt://neo4j:{wrong}@127.0.0.1:{auth_server.port}"
    with pytest.raises(StoreUnavailable) as info:
        Neo4jStore(url)
    message = _one_line_without_secrets(info.value)
    assert wrong not in message and wrong not in caplog.text
    assert f"bolt://127.0.0.1:{auth_server.port}" in message and "rejected the login" in message
    _clean(caplog.text)


def test_an_unreachable_server_names_the_url_without_the_password(caplog):
    caplog.set_level(logging.DEBUG)
    port = srv.free_port()
    for scheme, secret in (("bolt", quote(PASSWORD, safe="")), ("neo4j", PASSWORD)):
        url = f"{scheme}://neo4j:{secret}@127.0.0.1:{port}"  # escaped, and as typed
        with pytest.raises(StoreUnavailable) as info:
            Neo4jStore(url, connection_timeout=2)
        message = _one_line_without_secrets(info.value)
        assert message.startswith(f"cannot reach Neo4j at {scheme}://127.0.0.1:{port}")
    _clean(caplog.text)


def test_a_bad_url_is_a_usage_error_without_the_password():
    with pytest.raises(UsageError) as info:
        Neo4jStore(f"http://neo4j:{quote(PASSWORD, safe='')}@127.0.0.1:7474")
    _one_line_without_secrets(info.value)


@pytest.mark.neo4j
def test_the_cli_never_prints_the_password(auth_server, secret_url, tmp_path: Path, monkeypatch):
    from ecograph.cli import main

    monkeypatch.chdir(tmp_path)
    orgs = tmp_path / "orgs.csv"
    orgs.write_text("id,name,kind\nhust,HUST,university\nlotus,Lotus,startup\n")
    runner = CliRunner()
    outputs = []
    for args in (
        ["load", str(orgs), "--store", secret_url, "--json"],
        ["stats", "--store", secret_url, "--json"],
        ["stats", "--store", secret_url],
    ):
        result = runner.invoke(main, args, catch_exceptions=False)
        assert result.exit_code == 0, result.output
        outputs.append(result.output)
    assert json.loads(outputs[1])["organizations"] >= 2
    dead = f"bolt://neo4j:{quote(PASSWORD, safe='')}@127.0.0.1:{srv.free_port()}"
    result = runner.invoke(main, ["stats", "--store", dead], catch_exceptions=False)
    assert result.exit_code == 3
    assert result.output.startswith("Error: cannot reach Neo4j at bolt://127.0.0.1:")
    outputs.append(result.output)
    _clean("\n".join(outputs))


@pytest.mark.neo4j
def test_the_server_logs_never_hold_the_password(auth_server, secret_url):
    with Neo4jStore(secret_url) as store:
        store.counts()
    logs = auth_server.instance / "logs"
    for path in logs.iterdir():
        _clean(path.read_text(errors="replace"))
    assert (auth_server.instance / "password").stat().st_mode & 0o777 == 0o600


# -- the read-only Cypher box: the examples against the real server -----------------------


class _Recorder(http.server.BaseHTTPRequestHandler):
    """Serves a CSV to anyone who asks, and remembers that they asked."""

    requests: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        self.requests.append(self.path)
        body = b"secret,value\nsalary,1000\n"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def csv_url():
    """A local HTTP server with a CSV file, recording every request it gets."""
    _Recorder.requests = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/secret.csv"
    server.shutdown()
    server.server_close()


@pytest.fixture
def box(neo4j_store):
    neo4j_store.write([WritePart(LoadBatch("sentinel.csv"), [SENTINEL], [])])
    return neo4j_store


def _refused(store, query: str, match: str) -> None:
    from ecograph.store.neo4j import QueryRefused

    with pytest.raises(QueryRefused, match=match):
        store.read_query(query, timeout_s=10, row_cap=10)


def test_box_load_csv_never_fetches_a_url(box, csv_url):
    _refused(box, f"LOAD CSV FROM '{csv_url}' AS row RETURN row", "LOAD is not one of the reading clauses")
    _refused(box, f"WITH '{csv_url}' AS u LOAD CSV FROM u AS row RETURN row", "LOAD")
    assert _Recorder.requests == []


def test_box_cannot_list_other_sessions_queries(box):
    _refused(box, "SHOW TRANSACTIONS", "SHOW is not one of the reading clauses")
    _refused(box, "SHOW TRANSACTIONS YIELD currentQuery, clientAddress RETURN *", "SHOW")


def test_box_cannot_terminate_another_sessions_write(box, neo4j_url):
    from neo4j import GraphDatabase

    with GraphDatabase.driver(neo4j_url, auth=None) as driver, driver.session() as writer:
        tx = writer.begin_transaction()  # someone else's write, still open
        tx.run("MATCH (o:Organization {id: 'sentinel'}) SET o.name = 'Renamed'").consume()
        with driver.session() as admin:
            ids = [r["transactionId"] for r in admin.run("SHOW TRANSACTIONS YIELD transactionId")]
        assert ids
        for tx_id in ids:
            _refused(box, f"TERMINATE TRANSACTION '{tx_id}'", "TERMINATE")
            _refused(box, f"TERMINATE TRANSACTIONS ['{tx_id}']", "TERMINATE")
        tx.commit()  # still alive: it commits
    assert box.organization("sentinel").name == "Renamed"


def test_box_refuses_the_expression_that_outlives_its_timeout(box):
    _refused(box, "RETURN size(reduce(s='', x IN range(1,3000000) | s + 'xxxxxxxxxx'))", "reduce")


def test_box_watchdog_frees_the_caller_when_the_server_does_not_stop(box, monkeypatch):
    """Past the allow-list (switched off here), a loop Neo4j cannot interrupt: the server
    ignores its timeout, the watchdog does not."""
    from ecograph.store import neo4j as module
    from ecograph.store.neo4j import QueryRefused

    monkeypatch.setattr(module, "read_only_text", lambda text: text)
    monkeypatch.setattr(module, "_WATCHDOG_GRACE_S", 0.5)
    query = "RETURN size(reduce(s = '', x IN range(1, $n) | s + 'xxxxxxxxxx')) AS n"
    assert box.read_query(query, {"n": 10}, timeout_s=30, row_cap=1)[1] == [[100]]  # planned, cached
    with pytest.raises(QueryRefused, match=r"more than 1 seconds and was stopped \(the server was asked"):
        box.read_query(query, {"n": 100_000}, timeout_s=1, row_cap=1)
    assert box.counts()["organizations"] == 1  # and the store answers the next query


def test_box_sends_the_checked_text_not_the_typed_one(box):
    columns, rows, _ = box.read_query(
        "MATCH (o:Organization) /* LOAD CSV */ RETURN o.id AS id, 'a\\'b' AS s // SHOW",
        timeout_s=10,
        row_cap=5,
    )
    assert (columns, rows) == (["id", "s"], [["sentinel", "a'b"]])


# -- the provisioned server's own limits -----------------------------------------------------------


def test_the_server_itself_refuses_load_csv_from_urls_and_files(neo4j_url, csv_url):
    """Whoever reaches the server by another way than the box still cannot make it fetch."""
    from neo4j import GraphDatabase
    from neo4j.exceptions import ClientError

    with GraphDatabase.driver(neo4j_url, auth=None) as driver:
        for source in (csv_url, "file:///etc/passwd", "file:///secret.csv"):
            with pytest.raises(ClientError, match="Cannot load from URL"), driver.session() as session:
                session.run(f"LOAD CSV FROM '{source}' AS row RETURN row").consume()
    assert _Recorder.requests == []


def test_the_server_has_a_transaction_timeout_and_memory_limit(neo4j_url):
    from neo4j import GraphDatabase

    wanted = [
        "db.transaction.timeout",
        "db.memory.transaction.max",
        "dbms.security.allow_csv_import_from_file_urls",
    ]
    with GraphDatabase.driver(neo4j_url, auth=None) as driver, driver.session() as session:
        found = {
            r["name"]: r["value"]
            for r in session.run(
                "SHOW SETTINGS YIELD name, value WHERE name IN $names RETURN *", names=wanted
            )
        }
    assert found["db.transaction.timeout"] == srv.TRANSACTION_TIMEOUT
    assert found["db.memory.transaction.max"] == "1.20GiB"  # 60 % of the test server's 2 GiB heap
    assert found["dbms.security.allow_csv_import_from_file_urls"] == "false"
