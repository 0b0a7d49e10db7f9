"""What the command line prints: names as text (never terminal codes or markup), CSV that no
spreadsheet runs, and the right line and exit code when a load cannot finish."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import csv_support
import pytest

from ecograph.model import Collaboration, Organization
from ecograph.report import LoadBatch
from ecograph.resolution.records import Candidate, Edit
from ecograph.store import WritePart
from ecograph.store.sqlite import SqliteStore

# The names: rich markup, a hidden link, raw escape sequences (CSI, OSC-8, C1).
TERMINAL_NAMES = {
    "markup": "Foo [/bold] Bar",
    "link": "[link=http://evil]Trusted Uni[/link]",
    "csi": "Red\x1b[31m Labs\x1b[2J\x1b[0m",
    "osc8": "\x1b]8;;http://evil\x1b\\Click Ventures\x1b]8;;\x1b\\",
    "c1": "C1\x9b31m Corp\r Overwritten",
}
# Cells a spreadsheet would run.
FORMULAS = {
    "hyperlink": '=HYPERLINK("http://evil","Trusted Uni")',
    "dde": "+cmd|' /C calc'!A0",
    "minus": "-2+3+cmd|' /C calc'!A0",
    "at": "@SUM(1+1)*cmd|' /C calc'!A0",
}


@pytest.fixture
def odd_store(tmp_path: Path) -> str:
    """Organisations with those names, written straight to the store (as another tool could),
    in a ring of ties so that every one of them ranks and is recommended."""
    url = f"sqlite:///{tmp_path / 'odd.db'}"
    names = {**TERMINAL_NAMES, **FORMULAS}
    orgs = [Organization(key, name, "company", "VN", province=name) for key, name in names.items()]
    orgs.append(Organization("hub", "Hub University", "university", "VN"))
    ties = [Collaboration("hub", key, "research", start="2021") for key in names]
    ties += [Collaboration("markup", "link", "research"), Collaboration("dde", "at", "research")]
    with SqliteStore(url) as store:
        store.write([WritePart(LoadBatch("odd.csv"), orgs, ties)])
        store.apply(
            Edit(candidates=[Candidate("hyperlink", "dde", 0.9, "name", {"name": [FORMULAS["dde"]]})])
        )
    return url


def _no_terminal_codes(text: str) -> None:
    assert not any(c in text for c in "\x1b\x9b\r\x07"), repr(text)


def test_centrality_table_shows_names_as_text(cli, odd_store: str) -> None:
    result = cli("centrality", "--measure", "degree", "--top", "20", "--store", odd_store)
    assert result.exit_code == 0, result.output
    out = result.stdout
    _no_terminal_codes(out)
    assert "Foo [/bold] Bar" in out  # no traceback, the brackets shown
    assert "[link=http://evil]Trusted Uni[/link]" in out  # no hidden link: the markup is text
    for words in ("Red Labs", "Click Ventures", "C1 Corp Overwritten"):  # escape sequences gone
        assert words in out, words


@pytest.mark.parametrize(
    "args",
    [
        ["centrality", "--measure", "degree", "--top", "20"],
        ["recommend", "--top", "50"],
        ["query", "run", "top-brokers", "--param", "category=company", "--param", "top=20"],
        ["resolve", "--status", "all"],
    ],
    ids=["centrality", "recommend", "query-run", "resolve"],
)
def test_every_csv_the_cli_prints_is_spreadsheet_safe(cli, odd_store: str, args: list[str]) -> None:
    result = cli(*args, "--store", odd_store, "--format", "csv")
    assert result.exit_code == 0, result.output
    _no_terminal_codes(result.stdout)
    assert csv_support.formulas(result.stdout) == []
    cells = csv_support.cells(result.stdout)
    assert any(c.startswith("'=HYPERLINK(") or c.startswith("'+cmd|") for c in cells)  # the names are there


def test_json_output_escapes_control_characters(cli, odd_store: str) -> None:
    result = cli("centrality", "--measure", "degree", "--top", "20", "--store", odd_store, "--format", "json")
    _no_terminal_codes(result.stdout)
    names = {row["name"] for row in json.loads(result.stdout)["rows"]}
    assert TERMINAL_NAMES["c1"] in names and TERMINAL_NAMES["osc8"] in names  # the data is unchanged


def test_error_messages_show_names_as_text(cli) -> None:
    result = cli("load", "\x1b]8;;http://evil\x1b\\orgs.csv\x1b]8;;\x1b\\\x1b[2J")
    assert result.exit_code == 3
    assert result.stderr == "Error: cannot read orgs.csv: no such file\n"


# -- the rejects file ---------------------------------------------------------------------------


def _bad_file(write) -> Path:
    return write(
        "orgs.csv",
        "id,name,kind\n"
        "ok,Fine Labs,startup\n"
        'bad,"=HYPERLINK(""http://evil"",""x"")",no-such-kind\n'
        "bad2,@SUM(1+1),-cmd\n",
    )


def test_rejects_are_spreadsheet_safe(cli, write, tmp_path: Path) -> None:
    result = cli("load", str(_bad_file(write)), "--skip-invalid", "--rejects", "rejects.csv")
    assert result.exit_code == 0, result.output
    text = (tmp_path / "rejects.csv").read_text(encoding="utf-8")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["file", "row", "field", "type", "value", "message"]
    assert {r[4] for r in rows[1:]} == {"no-such-kind", "'-cmd"}
    assert csv_support.formulas(text) == []


def test_rejects_without_skip_invalid_is_a_usage_error(cli, write, tmp_path: Path) -> None:
    result = cli("load", str(_bad_file(write)), "--rejects", "rejects.csv")
    assert result.exit_code == 2
    assert "--rejects lists the rows that --skip-invalid leaves out" in result.stderr
    assert not (tmp_path / "rejects.csv").exists()


def test_rejects_to_a_path_that_cannot_be_written_is_one_line(cli, write, tmp_path: Path) -> None:
    target = tmp_path / "no-such-folder" / "rejects.csv"
    result = cli(
        "load", str(_bad_file(write)), "--skip-invalid", "--rejects", str(target), "--store", "sqlite:///x.db"
    )
    assert result.exit_code == 3
    assert result.stderr == (
        f"Error: cannot write the rejects file {target}: No such file or directory; nothing was written\n"
    )
    with SqliteStore("sqlite:///x.db") as store:
        assert store.counts()["organizations"] == 0


def test_an_output_file_that_cannot_be_written_is_one_line(cli, odd_store: str, tmp_path: Path) -> None:
    target = tmp_path / "no-such-folder" / "report.md"
    result = cli("weak-links", "--out", str(target), "--store", odd_store)
    assert result.exit_code == 3
    assert result.stderr == f"Error: No such file or directory: {target}\n"


# -- Ctrl-C -------------------------------------------------------------------------------------


@pytest.mark.parametrize("when", ["before-commit", "after-commit"])
def test_ctrl_c_during_a_load_says_whether_it_was_written(cli, write, monkeypatch, when: str) -> None:
    orgs = write("orgs.csv", "id,name,kind\na,Alpha Labs,startup\n")
    committed = SqliteStore.write

    def interrupted(self, parts, **kwargs):
        if when == "after-commit":
            committed(self, parts, **kwargs)
        raise KeyboardInterrupt

    url = f"sqlite:///{orgs.parent / 'eco.db'}"
    monkeypatch.setattr(SqliteStore, "write", interrupted)
    result = cli("load", str(orgs), "--store", url)
    monkeypatch.setattr(SqliteStore, "write", committed)
    with SqliteStore(url) as store:
        loaded = store.counts()["organizations"]
    if when == "after-commit":
        assert (result.exit_code, loaded) == (0, 1)
        assert result.stderr == (
            "Interrupted after the load was committed: 1 file(s) are in the store (ecograph stats shows them).\n"
        )
    else:
        assert (result.exit_code, loaded) == (130, 0)
        assert result.stderr == "Interrupted: nothing was written.\n"
