"""`ecograph load`: accepted variants, every kind of bad input, and the all-or-nothing promise."""

import json
import sqlite3

import pytest

import ecograph
from ecograph.errors import ValidationFailed
from ecograph.store.sqlite import SqliteStore

ORGS = """id,name,kind,country,province,sectors
hust,Đại học Bách khoa Hà Nội,university,VN,Hà Nội,ai|semiconductors
lotus,Lotus AI Labs,startup,VN,Đà Nẵng,ai
kx,Daejeon Institute,research_institute,KR,,
"""
TIES = """source,target,kind,weight,start
hust,lotus,research,2,2021
kx,hust,co_publication,1,2023-04-01
"""


def state(url):
    with SqliteStore(url) as store:
        return (
            store.counts()["organizations"],
            store.counts()["collaborations"],
            store.store_version(),
            len(store.batches()),
        )


@pytest.fixture
def loaded(cli, write, sqlite_url):
    """A store that already holds the two good files: bad loads must leave it as it is."""
    result = cli("load", str(write("orgs.csv", ORGS)), str(write("ties.csv", TIES)), "--store", sqlite_url)
    assert result.exit_code == 0, result.output
    return state(sqlite_url)


def test_load_reports_counts_and_a_second_load_is_all_unchanged(cli, write, sqlite_url):
    orgs, ties = write("orgs.csv", ORGS), write("ties.csv", TIES)
    first = cli("load", str(ties), str(orgs), "--store", sqlite_url)  # ties first: order does not matter
    assert first.exit_code == 0
    assert first.stdout.strip() == (
        "organisations: 3 inserted, 0 updated, 0 unchanged; collaborations: 2 inserted, 0 updated, 0 unchanged"
    )
    version = state(sqlite_url)[2]
    second = cli("load", str(orgs), str(ties), "--store", sqlite_url, "--json")
    report = json.loads(second.stdout)
    assert report["organizations"] == {"inserted": 0, "updated": 0, "unchanged": 3}
    assert report["collaborations"] == {"inserted": 0, "updated": 0, "unchanged": 2}
    assert report["store_version"] == version
    assert [f["rows_read"] for f in report["files"]] == [3, 2]


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("bom.csv", "\ufeffID,Name,Kind\nbom1,Công ty BOM,company\n".encode()),
        (
            "semicolon.csv",
            "id;name;kind;sectors\nsemi1;Semi; Co;company;iot|ai\n".replace(
                "Semi; Co", '"Semi; Co"'
            ).encode(),
        ),
        (
            "cp1252.csv",
            "id,name,kind,country\ncafe1,Café Société Générale,company,FR\n".encode("cp1252"),
        ),
        ("odd-header.csv", b" ID , NAME ,  Kind \nodd1,Odd Header Co,company\n"),
    ],
)
def test_accepted_variants(cli, write, sqlite_url, name, content):
    path = write(name, content)
    result = cli("load", str(path), "--store", sqlite_url)
    assert result.exit_code == 0, result.output
    with SqliteStore(sqlite_url) as store:
        (org,) = list(store.organizations())
    assert org.name in {"Công ty BOM", "Semi; Co", "Café Société Générale", "Odd Header Co"}
    if name == "cp1252.csv":
        assert "read as Windows-1252" in result.stderr
        assert org.country == "FR"
    if name == "semicolon.csv":
        assert org.sectors == ("iot", "ai")


BAD = [
    ("orgs", "id,name,kind\nbad1,Bad,laboratory\n", "bad.csv:2: kind: unknown kind 'laboratory'"),
    (
        "orgs",
        "id,name,kind\ndup,One,company\ndup,Two,company\n",
        "bad.csv:3: name: id 'dup' appears again with different values; first given at",
    ),
    (
        "ties",
        "source,target,kind\nhust,ghost,mou\n",
        "bad.csv:2: target: organisation 'ghost' is neither in the store nor in this load",
    ),
    (
        "ties",
        "source,target,kind,weight\nhust,lotus,mou,0\n",
        "bad.csv:2: weight: weight '0' is not allowed; expected a number greater than 0",
    ),
    (
        "ties",
        "source,target,kind,weight\nhust,lotus,mou,-1\n",
        "bad.csv:2: weight: weight '-1' is not allowed",
    ),
    (
        "ties",
        "source,target,kind,start\nhust,lotus,mou,2021-13-01\n",
        "bad.csv:2: start: '2021-13-01' is not a date; expected YYYY or YYYY-MM-DD",
    ),
    (
        "orgs",
        "id,name,kind\nhas space,Spacey,company\n",
        "bad.csv:2: id: 'has space' is not a valid id; expected letters, digits and . _ : - only, 1 to 128 characters",
    ),
    ("orgs", f"id,name,kind\n{'x' * 129},Long,company\n", "bad.csv:2: id: 'xxxx"),
    (
        "orgs",
        "id,name,kind\nnoname,,company\n",
        "bad.csv:2: name: required field is empty; expected the organisation's name",
    ),
    (
        "orgs",
        "id,name,kind\nragged,Ragged,company,extra\n",
        "bad.csv:2: the row has 4 fields; the header has 3",
    ),
    (
        "jsonl",
        '{"type": "organization", "id": "j1", "name": "J", "kind": "company"}\n{"type": "organization", "id": \n',
        "bad.csv:2: not valid JSON",
    ),
    (
        "jsonl",
        '{"type": "person", "id": "p1"}\n',
        'bad.csv:1: type: type \'person\'; expected "organization" or "collaboration"',
    ),
]


@pytest.mark.parametrize(
    ("_kind", "content", "message"), BAD, ids=[m.split(": ", 2)[-1][:30] for *_, m in BAD]
)
def test_bad_input_is_rejected_with_file_row_field_and_nothing_is_written(
    cli, write, sqlite_url, loaded, _kind, content, message
):
    path = write("bad.csv", content)
    result = cli("load", str(path), "--store", sqlite_url)
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: 1 problem in ")
    assert "nothing was written" in result.stderr.splitlines()[0]
    assert message.replace("bad.csv", str(path)) in result.stderr
    assert "Traceback" not in result.output
    assert state(sqlite_url) == loaded


def test_a_large_file_whose_last_row_is_bad_writes_nothing(cli, write, sqlite_url, loaded):
    rows = "".join(f"big{i},Big {i},company\n" for i in range(19_999))
    path = write("big.csv", "id,name,kind\n" + rows + "big-last,Last,spaceship\n")
    result = cli("load", str(path), "--store", sqlite_url)
    assert result.exit_code == 1
    assert f"{path}:20001: kind: unknown kind 'spaceship'" in result.stderr
    assert state(sqlite_url) == loaded


def test_problem_list_is_capped_with_a_count_of_the_rest(cli, write, sqlite_url):
    path = write("many.csv", "id,name,kind\n" + "".join(f"m{i},M,blimp\n" for i in range(30)))
    result = cli("load", str(path), "--store", sqlite_url)
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: 30 problems in ")
    assert "  ... and 10 more" in result.stderr
    assert result.stderr.count("unknown kind") == 20


def test_skip_invalid_loads_the_rest_and_writes_rejects(cli, write, sqlite_url, tmp_path):
    path = write("mixed.csv", "id,name,kind\ngood1,Good,company\nbad1,Bad,blimp\ngood2,Good 2,startup\n")
    ties = write("ties.csv", "source,target,kind\ngood1,good2,mou\ngood1,bad1,mou\n")
    rejects = tmp_path / "rejects.csv"
    result = cli(
        "load",
        str(path),
        str(ties),
        "--store",
        sqlite_url,
        "--skip-invalid",
        "--rejects",
        str(rejects),
    )
    assert result.exit_code == 0, result.output
    assert "organisations: 2 inserted" in result.stdout and "2 rows rejected" in result.stdout
    assert state(sqlite_url)[:2] == (2, 1)
    lines = rejects.read_text().splitlines()
    assert lines[0] == "file,row,field,type,value,message"
    assert any(",3,kind,unknown-kind,blimp," in line for line in lines)
    assert any(",3,target,dangling-reference,bad1," in line for line in lines)


def test_dry_run_reports_what_would_change_and_writes_nothing(cli, write, sqlite_url, loaded):
    path = write("new.csv", "id,name,kind\nhust,Renamed HUST,university\nfresh,Fresh,startup\n")
    result = cli("load", str(path), "--store", sqlite_url, "--dry-run", "--json")
    report = json.loads(result.stdout)
    assert report["dry_run"] and not report["written"]
    assert report["organizations"] == {"inserted": 1, "updated": 1, "unchanged": 0}
    assert state(sqlite_url) == loaded


def test_json_lines_load_and_failed_json_report(cli, write, sqlite_url):
    lines = [
        {
            "type": "organization",
            "id": "j1",
            "name": "Viện J",
            "kind": "research_institute",
            "sectors": ["ai", "iot"],
        },
        {"type": "collaboration", "source": "j1", "target": "j2", "kind": "mou", "weight": 1.5},
        {"type": "organisation", "id": "j2", "name": "J2", "kind": "company", "country": "sg"},
    ]
    path = write("data.jsonl", "\n".join(json.dumps(x, ensure_ascii=False) for x in lines) + "\n")
    result = cli("load", str(path), "--store", sqlite_url, "--json")
    assert json.loads(result.stdout)["collaborations"]["inserted"] == 1
    with SqliteStore(sqlite_url) as store:
        assert store.organization("j1").sectors == ("ai", "iot")
        assert store.organization("j2").country == "SG"
    bad = write("bad.jsonl", '{"type": "organization", "id": "j3", "name": "J3", "kind": "blimp"}\n')
    failed = cli("load", str(bad), "--store", sqlite_url, "--json")
    assert failed.exit_code == 1
    assert json.loads(failed.stdout)["problems"][0]["field"] == "kind"


@pytest.mark.parametrize(
    "name", ["O'Brien", 'Say "hi"', "Semi;colon", "<script>alert(1)</script>", "=cmd|' /C calc'!A0"]
)
def test_awkward_names_load_verbatim(cli, write, sqlite_url, name):
    quoted = '"' + name.replace('"', '""') + '"'
    path = write("awkward.csv", f"id,name,kind\nodd,{quoted},company\n")
    assert cli("load", str(path), "--store", sqlite_url).exit_code == 0
    with SqliteStore(sqlite_url) as store:
        assert store.organization("odd").name == name


def test_a_missing_file_is_one_line_and_exit_3(cli, sqlite_url):
    result = cli("load", "nowhere.csv", "--store", sqlite_url)
    assert result.exit_code == 3
    assert result.stderr == "Error: cannot read nowhere.csv: no such file\n"


def test_an_unreachable_store_is_one_line_and_exit_3(cli, write):
    result = cli("load", str(write("orgs.csv", ORGS)), "--store", "sqlite:////no/such/folder/x.db")
    assert result.exit_code == 3
    assert (
        result.stderr
        == "Error: cannot open sqlite:////no/such/folder/x.db: folder /no/such/folder does not exist\n"
    )


def test_a_locked_store_is_one_line_and_exit_3(cli, write, sqlite_url, loaded):
    path = write("more.csv", "id,name,kind\nmore1,More,company\n")
    holder = sqlite3.connect(sqlite_url.removeprefix("sqlite:///"), isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        result = cli("load", str(path), "--store", sqlite_url)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert result.exit_code == 3
    assert (
        result.stderr == f"Error: {sqlite_url} is locked by another process; try again when it has finished\n"
    )
    assert state(sqlite_url) == loaded


def test_unknown_store_scheme_is_a_usage_error(cli):
    result = cli("stats", "--store", "mysql://db")
    assert result.exit_code == 2
    assert "unknown store URL 'mysql://db'" in result.stderr


def test_python_api_raises_with_the_report(write, sqlite_url):
    path = write("bad.csv", "id,name,kind\nb,B,blimp\n")
    with pytest.raises(ValidationFailed) as caught:
        ecograph.load([path], store=sqlite_url)
    assert caught.value.report.problems[0].type == "unknown-kind"
    assert caught.value.report.problems[0].row == 2
