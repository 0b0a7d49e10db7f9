"""Loads whose exact output is kept as golden files: every bad-input case of the test suite.

Each case writes its files, runs the real ``ecograph load`` command twice (as a person
reads it, and with ``--json``) on a fresh SQLite store, and keeps what a user sees: the
exit code, stdout and stderr, the ``--json`` report, any rejects file, and the store's
state afterwards. ``tests/test_golden_loads.py`` compares a run with the recorded one.

Record them again (only when a change of output is intended, all or the cases named) with::

    .venv/bin/python tests/golden_loads.py [NAME...]
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from test_load import ORGS, TIES  # the store "loaded" cases start from

DATA = Path(__file__).parent / "data"
GOLDEN = DATA / "golden" / "loads.json"

AB = "id,name,kind\na,A,startup\nb,B,company\n"

Files = dict[str, bytes | str | Callable[[Path], None]]


@dataclass
class Case:
    """One load: the files to write (text, bytes, or a function that writes into the folder),
    the arguments after ``load`` (file names are relative to the folder), and what the
    store holds first (``loaded``: ORGS and TIES; ``locked``: a writer holds the lock)."""

    name: str
    files: Files
    args: list[str]
    before: str = ""
    extra: list[str] = field(default_factory=list)


def _text(name: str, text: str) -> Files:
    return {name: text}


def _copy(source: Path, name: str | None = None, edit: Callable[[str], str] | None = None):
    def write(folder: Path) -> None:
        text = source.read_text(encoding="utf-8")
        (folder / (name or source.name)).write_text(edit(text) if edit else text, encoding="utf-8")

    return write


def _demo(edit: Callable[[list[str]], list[str]], crlf: bool = False):
    """The demo generator's 400-organisation ecosystem (seed 3) with its ties file edited."""

    def write(folder: Path) -> None:
        from ecograph.synthetic import generate, write_csv

        orgs, ties = write_csv(generate(orgs=400, seed=3), folder / "demo")
        shutil.move(orgs, folder / "orgs.csv")
        lines = edit(ties.read_text(encoding="utf-8").splitlines())
        (folder / "ties.csv").write_bytes(("\r\n" if crlf else "\n").join(lines).encode() + b"\n")
        shutil.rmtree(folder / "demo")

    return write


def _set(lines: list[str], index: int, column: str, value: str) -> None:
    header = lines[0].split(",")
    cells = lines[index].split(",")
    cells[header.index(column)] = value
    lines[index] = ",".join(cells)


def _demo_dangling_and_kind(lines: list[str]) -> list[str]:
    _set(lines, 5, "target", "nobody-here")
    _set(lines, 9, "kind", "spaceship")
    return lines


def _demo_tail_rows(lines: list[str]) -> list[str]:
    _set(lines, len(lines) - 3, "kind", "spaceship")
    _set(lines, len(lines) - 1, "target", "nobody-here")
    _set(lines, 3, "weight", "-1")
    return lines


def _demo_conflict(lines: list[str]) -> list[str]:
    again = lines[4].split(",")
    again[lines[0].split(",").index("weight")] = "7"
    return [*lines, ",".join(again)]


def _ror_malformed(text: str) -> str:
    start = text.index('\n  "id": "https://ror.org/00mjd6z80"')
    return text[:start] + text[start:].replace('",\n  "links"', '"\n  "links"', 1)


def _ror_truncated(text: str) -> str:
    return text[: text.index('\n  "id": "https://ror.org/057zh3y96"')]


def _cordis_ragged(folder: Path) -> None:
    lines = (DATA / "cordis" / "organization.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    lines[3] = lines[3].replace('"MAROUSI";', "")
    (folder / "organization.csv").write_text("".join(lines), encoding="utf-8")
    shutil.copy(DATA / "cordis" / "project.csv", folder / "project.csv")


def _crunchbase_ragged(folder: Path) -> None:
    source = DATA / "crunchbase"
    lines = (source / "investments.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    lines[4] = lines[4].rstrip("\n") + ",extra\n"
    (folder / "investments.csv").write_text("".join(lines), encoding="utf-8")
    for name in ("organizations.csv", "funding_rounds.csv"):
        shutil.copy(source / name, folder / name)


def _openalex_malformed(text: str) -> str:
    lines = text.splitlines(keepends=True)
    lines[2] = lines[2][:200] + "\n"
    return "".join(lines)


def _jsonl(*objects: dict) -> str:
    return "".join(json.dumps(o, ensure_ascii=False) + "\n" for o in objects)


ORG_RULES = {
    "kind-lab": "o1,Org,lab",
    "kind-empty": "o1,Org,",
    "name-blank": "o1,  ,startup",
    "id-space": "has space,Org,startup",
    "id-long": "x" * 129 + ",Org,startup",
    "id-empty": ",Org,startup",
}
ORG_FIELD_RULES = {
    "country-XX": ("country", "XX"),
    "country-VNM": ("country", "VNM"),
    "founded-19x5": ("founded", "19x5"),
    "founded-3000": ("founded", "3000"),
    "sectors-bad-tag": ("sectors", "bad tag"),
}
TIE_RULES = {
    "weight-0": ("weight", "0"),
    "weight-minus-2": ("weight", "-2"),
    "weight-heavy": ("weight", "heavy"),
    "weight-nan": ("weight", "nan"),
    "weight-inf": ("weight", "inf"),
    "start-feb-30": ("start", "2021-02-30"),
    "start-dmy": ("start", "21/03/2020"),
    "start-year-999": ("start", "999"),
    "kind-friendship": ("kind", "friendship"),
    "target-self": ("target", "a"),
    "currency-dollars": ("currency", "dollars"),
    "amount-minus-5": ("amount", "-5"),
    "amount-text": ("amount", "lots"),
    "id-bad": ("id", "a b"),
}

CASES: list[Case] = [
    # tests/test_load.py: BAD, each after a good load
    Case("orgs-unknown-kind", _text("bad.csv", "id,name,kind\nbad1,Bad,laboratory\n"), ["bad.csv"], "loaded"),
    Case(
        "orgs-duplicate-id",
        _text("bad.csv", "id,name,kind\ndup,One,company\ndup,Two,company\n"),
        ["bad.csv"],
        "loaded",
    ),
    Case("ties-dangling", _text("bad.csv", "source,target,kind\nhust,ghost,mou\n"), ["bad.csv"], "loaded"),
    Case(
        "ties-weight-0",
        _text("bad.csv", "source,target,kind,weight\nhust,lotus,mou,0\n"),
        ["bad.csv"],
        "loaded",
    ),
    Case(
        "ties-weight-minus-1",
        _text("bad.csv", "source,target,kind,weight\nhust,lotus,mou,-1\n"),
        ["bad.csv"],
        "loaded",
    ),
    Case(
        "ties-bad-date",
        _text("bad.csv", "source,target,kind,start\nhust,lotus,mou,2021-13-01\n"),
        ["bad.csv"],
        "loaded",
    ),
    Case(
        "orgs-id-space", _text("bad.csv", "id,name,kind\nhas space,Spacey,company\n"), ["bad.csv"], "loaded"
    ),
    Case(
        "orgs-id-long", _text("bad.csv", f"id,name,kind\n{'x' * 129},Long,company\n"), ["bad.csv"], "loaded"
    ),
    Case("orgs-no-name", _text("bad.csv", "id,name,kind\nnoname,,company\n"), ["bad.csv"], "loaded"),
    Case(
        "orgs-ragged", _text("bad.csv", "id,name,kind\nragged,Ragged,company,extra\n"), ["bad.csv"], "loaded"
    ),
    Case(
        "jsonl-bad-json",
        _text(
            "bad.csv",
            '{"type": "organization", "id": "j1", "name": "J", "kind": "company"}\n'
            '{"type": "organization", "id": \n',
        ),
        ["bad.csv"],
        "loaded",
    ),
    Case("jsonl-bad-type", _text("bad.csv", '{"type": "person", "id": "p1"}\n'), ["bad.csv"], "loaded"),
    # tests/test_load.py: the other bad loads
    Case(
        "big-last-row-bad",
        _text(
            "big.csv",
            "id,name,kind\n"
            + "".join(f"big{i},Big {i},company\n" for i in range(19_999))
            + "big-last,Last,spaceship\n",
        ),
        ["big.csv"],
        "loaded",
    ),
    Case(
        "thirty-problems",
        _text("many.csv", "id,name,kind\n" + "".join(f"m{i},M,blimp\n" for i in range(30))),
        ["many.csv"],
    ),
    Case(
        "skip-invalid-rejects",
        {
            "mixed.csv": "id,name,kind\ngood1,Good,company\nbad1,Bad,blimp\ngood2,Good 2,startup\n",
            "ties.csv": "source,target,kind\ngood1,good2,mou\ngood1,bad1,mou\n",
        },
        ["mixed.csv", "ties.csv", "--skip-invalid", "--rejects", "rejects.csv"],
    ),
    Case(
        "dry-run",
        _text("new.csv", "id,name,kind\nhust,Renamed HUST,university\nfresh,Fresh,startup\n"),
        ["new.csv", "--dry-run"],
        "loaded",
    ),
    Case(
        "jsonl-unknown-kind",
        _text("bad.jsonl", '{"type": "organization", "id": "j3", "name": "J3", "kind": "blimp"}\n'),
        ["bad.jsonl"],
    ),
    Case("missing-file", {}, ["nowhere.csv"]),
    Case(
        "unreachable-store",
        _text("orgs.csv", ORGS),
        ["orgs.csv", "--store", "sqlite:////no/such/folder/x.db"],
    ),
    Case("locked-store", _text("more.csv", "id,name,kind\nmore1,More,company\n"), ["more.csv"], "locked"),
    # tests/test_model.py: every rule, through a file
    *(
        Case(f"org-rule-{name}", _text("orgs.csv", f"id,name,kind\n{row}\n"), ["orgs.csv"])
        for name, row in ORG_RULES.items()
    ),
    *(
        Case(
            f"org-rule-{name}",
            _text("orgs.csv", f"id,name,kind,{column}\no1,Org,startup,{value}\n"),
            ["orgs.csv"],
        )
        for name, (column, value) in ORG_FIELD_RULES.items()
    ),
    *(
        Case(
            f"tie-rule-{name}",
            {
                "ab.csv": AB,
                "ties.csv": "source,target,kind"
                + ("" if column in ("kind", "target") else f",{column}")
                + "\n"
                + {"kind": f"a,b,{value}", "target": f"a,{value},research"}.get(
                    column, f"a,b,research,{value}"
                )
                + "\n",
            },
            ["ab.csv", "ties.csv"],
        )
        for name, (column, value) in TIE_RULES.items()
    ),
    Case(
        "tie-rule-end-before-start",
        {"ab.csv": AB, "ties.csv": "source,target,kind,start,end\na,b,mou,2020,2019\n"},
        ["ab.csv", "ties.csv"],
    ),
    Case(
        "tie-rule-end-before-start-dates",
        {"ab.csv": AB, "ties.csv": "source,target,kind,start,end\na,b,mou,2020-05-01,2020-04-30\n"},
        ["ab.csv", "ties.csv"],
    ),
    Case(
        "tie-several-problems-in-one-row",
        {
            "ab.csv": AB,
            "ties.csv": "source,target,kind,weight,start,end,amount,currency,id\n"
            "a b,,spaceship,0,13,12,-1,dollars,x y\n",
        },
        ["ab.csv", "ties.csv"],
    ),
    Case(
        "org-several-problems-in-one-row",
        _text("orgs.csv", "id,name,kind,country,sectors,founded\nx y,,blimp,XX,bad tag|ok,19x5\n"),
        ["orgs.csv"],
    ),
    # the demo ecosystem's ties, edited (once read by a second process)
    Case("demo-dangling-and-kind", {"demo": _demo(_demo_dangling_and_kind)}, ["orgs.csv", "ties.csv"]),
    Case("demo-rows-crlf", {"demo": _demo(_demo_tail_rows, crlf=True)}, ["orgs.csv", "ties.csv"]),
    Case("demo-conflict", {"demo": _demo(_demo_conflict)}, ["orgs.csv", "ties.csv"]),
    # tests/test_loaders_*.py: the public-data loaders' bad input
    Case(
        "ror-malformed",
        {"ror": _copy(DATA / "ror" / "ror-data_schema_v2.json", "ror-broken.json", _ror_malformed)},
        ["ror-broken.json"],
    ),
    Case(
        "ror-truncated",
        {"ror": _copy(DATA / "ror" / "ror-data_schema_v2.json", "ror-broken.json", _ror_truncated)},
        ["ror-broken.json"],
    ),
    Case("cordis-ragged", {"cordis": _cordis_ragged}, ["organization.csv"]),
    Case("crunchbase-ragged", {"crunchbase": _crunchbase_ragged}, ["organizations.csv", "investments.csv"]),
    Case(
        "openalex-malformed",
        {"openalex": _copy(DATA / "openalex" / "institutions.jsonl", None, _openalex_malformed)},
        ["institutions.jsonl"],
    ),
    Case("openalex-works-alone", {"openalex": _copy(DATA / "openalex" / "works.jsonl")}, ["works.jsonl"]),
    # the same rules on typed JSON values, row numbers across quoted lines, conflicts, headers
    Case(
        "jsonl-typed-values",
        _text(
            "typed.jsonl",
            _jsonl(
                {"type": "organization", "id": "a", "name": "A", "kind": "startup", "founded": 2019.5},
                {
                    "type": "organization",
                    "id": "b",
                    "name": "B",
                    "kind": "company",
                    "sectors": 5,
                    "country": 12,
                },
                {"type": "organization", "id": 7, "name": "Seven", "kind": "company", "aliases": {"x": 1}},
                {
                    "type": "organization",
                    "id": "c",
                    "name": "C",
                    "kind": "Company",
                    "sectors": ["AI", " iot", "ai"],
                },
                {"type": "collaboration", "source": "a", "target": "c", "kind": "mou", "weight": 0},
                {"type": "collaboration", "source": "a", "target": "c", "kind": "mou", "weight": True},
                {
                    "type": "collaboration",
                    "source": "a",
                    "target": "c",
                    "kind": "mou",
                    "amount": -2.5,
                    "currency": 3,
                },
                {
                    "type": "collaboration",
                    "source": "a",
                    "target": "c",
                    "kind": "mou",
                    "start": 2020,
                    "end": 2019,
                },
                {"type": "collaboration", "source": "a", "target": "c", "kind": "training", "weight": [1]},
                "not an object",
            ),
        ),
        ["typed.jsonl"],
    ),
    Case(
        "quoted-lines-and-blank-lines",
        _text(
            "orgs.csv",
            "id,name,kind,description\n"
            'a,A,startup,"two\nlines"\n'
            "\n"
            "b,B,blimp,one\n"
            "   \n"
            'c,C,company,"three\r\nlines\nhere"\n'
            "d,D,spaceship,\n"
            ",,\n"
            'e,"E, with ""quotes""",zeppelin,x\n',
        ),
        ["orgs.csv"],
    ),
    Case(
        "crlf-and-bom", _text("orgs.csv", "\ufeffid,name,kind\r\na,A,startup\r\nb,B,blimp\r\n"), ["orgs.csv"]
    ),
    Case(
        "cp1252-bad-row",
        {"orgs.csv": "id,name,kind,country\ncafe1,Café,company,FR\ncafe2,Crème,blimp,FR\n".encode("cp1252")},
        ["orgs.csv"],
    ),
    Case("semicolon-bad-row", _text("orgs.csv", "id;name;kind\na;A; startup\nb;B;blimp\n"), ["orgs.csv"]),
    Case(
        "duplicate-id-across-files",
        {"one.csv": "id,name,kind\nx,X,startup\n", "two.csv": "id,name,kind,city\nx,X,company,Huế\n"},
        ["one.csv", "two.csv"],
    ),
    Case(
        "same-org-twice-is-fine",
        {"one.csv": "id,name,kind\nx,X,startup\n", "two.csv": "id,name,kind\nx, X ,Startup\n"},
        ["one.csv", "two.csv"],
    ),
    Case(
        "tie-conflict-and-reversed-duplicate",
        {
            "ab.csv": AB,
            "ties.csv": "source,target,kind,weight\na,b,mou,1\nb,a,mou,1\nb,a,mou,2\na,b,investment,1\nb,a,investment,1\n",
        },
        ["ab.csv", "ties.csv"],
    ),
    Case(
        "dangling-source-and-both-ends",
        {
            "ab.csv": AB,
            "ties.csv": "source,target,kind\n ghost ,a,mou\nghost,phantom,mou\nb,phantom,investment\n",
        },
        ["ab.csv", "ties.csv"],
    ),
    Case(
        "dangling-skip-invalid",
        {"ab.csv": AB, "ties.csv": "source,target,kind\na,b,mou\nghost,a,mou\n"},
        ["ab.csv", "ties.csv", "--skip-invalid"],
    ),
    Case(
        "ties-before-their-orgs",
        {"ties.csv": "source,target,kind\na,b,mou\n", "ab.csv": AB},
        ["ties.csv", "ab.csv"],
    ),
    Case(
        "formula-cells",
        _text("orgs.csv", "id,name,kind,description\na,'=1+2,startup,'-x\nb,B,'=blimp,\n"),
        ["orgs.csv"],
    ),
    Case("header-missing-kind", _text("orgs.csv", "id,name\na,A\n"), ["orgs.csv"]),
    Case("header-unknown", _text("orgs.csv", "who,what\na,A\n"), ["orgs.csv"]),
    Case(
        "header-unknown-columns",
        _text("orgs.csv", "id,name,kind,colour\na,A,startup,red\nb,B,blimp,blue\n"),
        ["orgs.csv"],
    ),
    Case("ties-header-missing-target", _text("ties.csv", "source,kind,target_id\na,mou,b\n"), ["ties.csv"]),
    Case("unknown-format", _text("notes.txt", "hello\nworld\n"), ["notes.txt"]),
    Case("empty-file", _text("empty.csv", ""), ["empty.csv"]),
    Case("header-only", _text("orgs.csv", "id,name,kind\n"), ["orgs.csv"]),
    Case("unknown-format-option", _text("orgs.csv", AB), ["orgs.csv", "--format", "excel"]),
    Case(
        "format-canonical-on-ror",
        {"ror": _copy(DATA / "ror" / "ror-data_schema_v2.json")},
        ["ror-data_schema_v2.json", "--format", "canonical"],
    ),
]


def _normal(text: str, folder: Path) -> str:
    return text.replace(str(folder), "<dir>")


_VOLATILE = re.compile(r'"(started|finished|id)": "[^"]*"')


def _normal_json(text: str, folder: Path) -> object:
    """The ``--json`` report with the folder, times and batch ids made constant."""
    text = _VOLATILE.sub(lambda m: f'"{m.group(1)}": "<{m.group(1)}>"', _normal(text, folder))
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


def _state(url: str) -> list:
    from ecograph.store.sqlite import SqliteStore

    with SqliteStore(url) as store:
        counts = store.counts()
        return [
            counts["organizations"],
            counts["collaborations"],
            store.store_version(),
            len(store.batches()),
        ]


def run_case(case: Case, folder: Path) -> dict:
    """Run *case* in *folder* (empty) and return what a user sees, made independent of the folder."""
    from click.testing import CliRunner

    from ecograph.cli import main

    results: dict[str, object] = {}
    for mode in ("text", "json"):
        work = folder / mode
        work.mkdir()
        url = f"sqlite:///{work / 'ecograph.db'}"
        runner = CliRunner()
        env = {name: None for name in os.environ if name.startswith("ECOGRAPH_")}
        cwd = os.getcwd()
        os.chdir(work)
        holder = None
        try:
            if case.before:
                (work / "_orgs.csv").write_text(ORGS, encoding="utf-8")
                (work / "_ties.csv").write_text(TIES, encoding="utf-8")
                done = runner.invoke(main, ["load", "_orgs.csv", "_ties.csv", "--store", url], env=env)
                assert done.exit_code == 0, done.output
            for name, content in case.files.items():
                if callable(content):
                    content(work)
                else:
                    (work / name).write_bytes(content if isinstance(content, bytes) else content.encode())
            if case.before == "locked":
                holder = sqlite3.connect(work / "ecograph.db", isolation_level=None)
                holder.execute("BEGIN IMMEDIATE")
            args = ["load", *case.args]
            if "--store" not in args:
                args += ["--store", url]
            if mode == "json":
                args.append("--json")
            result = runner.invoke(main, args, env=env, catch_exceptions=False)
        finally:
            if holder is not None:
                holder.execute("ROLLBACK")
                holder.close()
            os.chdir(cwd)
        out: dict[str, object] = {"exit_code": result.exit_code, "stderr": _normal(result.stderr, work)}
        out["stdout"] = _normal_json(result.stdout, work) if mode == "json" else _normal(result.stdout, work)
        rejects = work / "rejects.csv"
        if rejects.exists():
            out["rejects"] = _normal(rejects.read_text(encoding="utf-8"), work)
        if (work / "ecograph.db").exists():
            out["store"] = _state(url)
        results[mode] = out
    return results


def record(names: list[str], path: Path = GOLDEN) -> None:
    """Record every case again, or only those *names* (keeping the others as recorded)."""
    import tempfile

    recorded = json.loads(path.read_text(encoding="utf-8")) if names else {}
    with tempfile.TemporaryDirectory() as tmp:
        for i, case in enumerate(CASES):
            if names and case.name not in names:
                continue
            folder = Path(tmp) / str(i)
            folder.mkdir()
            recorded[case.name] = run_case(case, folder)
            print(case.name, recorded[case.name]["text"]["exit_code"], flush=True)
    ordered = {case.name: recorded[case.name] for case in CASES}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(ordered, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {path}")


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    record(sys.argv[1:])
