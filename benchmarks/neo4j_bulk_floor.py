"""The floor of ``ecograph load --bulk``: Neo4j's offline importer and a restart, no ecograph code.

What it measures
----------------
The bare steps a first load through the importer cannot do without, on the same data as
``benchmarks/ingest.py`` (default ``benchmarks/data/demo-100000-1``: 100,000
``:Organization:<Kind>`` nodes with ecograph's 13 properties, 500,000 relationships of 10
types with their 9 properties, tie keys and folded names made by
``benchmarks/neo4j_floor.py``'s ``read_data``), into the empty database of a server started
on a fresh instance folder before the clock:

* ``stop``:    the server stops (it must: the importer writes the store files themselves);
* ``import``:  ``neo4j-admin database import full --overwrite-destination`` of the database,
               run directly on importer CSV files written before the clock (node ids as row
               numbers, ``--id-type=actual``, no mapping of string ids; list properties with
               the unit separator as array delimiter; the importer's memory as ecograph
               gives it);
* ``start``:   the server starts again on the imported database and answers;
* ``schema``:  the one index a store cannot do without, the uniqueness constraint on the
               organisations' ids, created and waited for online.

``seconds`` is their sum. The JVMs start as ecograph starts them (``ecograph.neo4j_server``:
the same jars, heap, flags and class data sharing archives; the importer with the C1
compiler only), so the floor and ``--bulk`` differ by what ecograph does beyond these steps:
validation, its tables and CSV files, its provenance and load records, and the rest of its
schema. ``benchmarks/ingest.py --store neo4j`` runs it in the same run as ``--bulk`` and
records it as ``bulk_floor``.

Run it alone (prints one JSON object)::

    .venv/bin/python benchmarks/neo4j_bulk_floor.py
    .venv/bin/python benchmarks/neo4j_bulk_floor.py --data benchmarks/data/demo-20000-1
    .venv/bin/python benchmarks/neo4j_bulk_floor.py --importer=--threads=1   # importer options
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pcsv
from neo4j import GraphDatabase
from neo4j_floor import DEFAULT_DATA, ORG_PROPS, TIE_PROPS, read_data

from ecograph import neo4j_server
from ecograph.store.cypher import ORG_LABELS, TIE_TYPES

#: Between the elements of a list property (and of a node's labels).
ARRAY_DELIMITER = "\x1f"
#: The importer's header type of each typed property; the others are strings.
_TYPES = {
    "founded": ":long",
    "sectors": ":string[]",
    "aliases": ":string[]",
    "weight": ":double",
    "amount": ":double",
}
#: The importer's memory as ecograph gives it (a 1 GiB heap, the admin launcher's default,
#: and 1 GiB off-heap), so that the floor and ``--bulk`` differ by what ecograph adds.
IMPORTER_OPTIONS = ("--max-off-heap-memory=1g",)
CONSTRAINT = "CREATE CONSTRAINT organization_id FOR (o:Organization) REQUIRE o.id IS UNIQUE"


def _column(values: list, prop: str) -> pa.Array:
    if _TYPES.get(prop) == ":string[]":
        values = [ARRAY_DELIMITER.join(v) if v else None for v in values]
    return pa.array(values)


def write_files(data: Path, out: Path) -> tuple[Path, Path, bool]:
    """The importer's node and relationship CSV files of the demo in *data*, written into
    *out*; and whether any field holds a line break (the importer then reads multi-line fields)."""
    orgs, ties = read_data(data)
    index = {row[0]: i for i, row in enumerate(orgs)}
    nodes = {
        ":ID": pa.array(range(len(orgs)), pa.int64()),
        ":LABEL": pa.array([f"Organization{ARRAY_DELIMITER}{ORG_LABELS[row[3]]}" for row in orgs]),
        **{p + _TYPES.get(p, ""): _column([row[i] for row in orgs], p) for i, p in enumerate(ORG_PROPS)},
    }
    relationships = {
        ":START_ID": pa.array([index[row[0]] for row in ties], pa.int64()),
        ":END_ID": pa.array([index[row[1]] for row in ties], pa.int64()),
        ":TYPE": pa.array([TIE_TYPES[row[3]] for row in ties]),
        **{p + _TYPES.get(p, ""): _column([row[i + 2] for row in ties], p) for i, p in enumerate(TIE_PROPS)},
    }
    multiline = any("\n" in v for rows in (orgs, ties) for row in rows for v in row if isinstance(v, str))
    paths = out / "nodes.csv", out / "relationships.csv"
    for path, columns in zip(paths, (nodes, relationships), strict=True):
        pcsv.write_csv(pa.table(columns), path, pcsv.WriteOptions(quoting_style="needed"))
    return *paths, multiline


def measure(data: Path, heap: str, importer: Sequence[str] = ()) -> dict:
    """The floor's steps on a fresh server (see the module's docstring), in seconds."""
    work = Path(tempfile.mkdtemp(prefix="ecograph-bulk-floor-"))
    instance, files = work / "instance", work / "files"
    files.mkdir()
    nodes, relationships, multiline = write_files(data, files)
    info = neo4j_server.start(instance=instance, auth=False, heap=heap, die_with_parent=True)
    steps: dict[str, float] = {}
    try:
        began = time.perf_counter()
        neo4j_server.stop(instance=instance)
        steps["stop"] = time.perf_counter() - began
        status = neo4j_server.admin(
            [
                "database", "import", "full",
                f"--nodes={nodes}", f"--relationships={relationships}",
                "--id-type=actual", "--array-delimiter=U+001F",
                f"--multiline-fields={'true' if multiline else 'false'}",
                "--overwrite-destination", f"--report-file={work / 'import.report'}",
                *IMPORTER_OPTIONS, *importer, "--", "neo4j",
            ],
            instance=instance, conf=instance / "conf", log=work / "import.log", jit="quick",
        )  # fmt: skip
        if status != 0:
            raise SystemExit(f"the importer failed ({status}): {(work / 'import.log').read_text()[-2000:]}")
        steps["import"] = time.perf_counter() - began - sum(steps.values())
        info = neo4j_server.start(
            instance=instance, port=info.port, auth=False, heap=heap, die_with_parent=True
        )
        steps["start"] = time.perf_counter() - began - sum(steps.values())
        with GraphDatabase.driver(info.url, auth=None) as driver, driver.session() as session:
            session.run(CONSTRAINT).consume()
            session.run("CALL db.awaitIndexes(300)").consume()
            count = session.run("MATCH ()-[r]->() RETURN count(r) AS n").single()["n"]
        steps["schema"] = time.perf_counter() - began - sum(steps.values())
    finally:
        neo4j_server.stop(instance=instance)
        shutil.rmtree(work, ignore_errors=True)
    return {
        "seconds": round(sum(steps.values()), 2),
        "steps_seconds": {step: round(took, 2) for step, took in steps.items()},
        "collaborations": count,
        "importer_options": [*IMPORTER_OPTIONS, *importer],
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA, help="demo folder with the two CSVs")
    ap.add_argument("--heap", default=neo4j_server.DEFAULT_HEAP, help="the server's heap")
    ap.add_argument("--importer", action="append", default=[], help="one more importer option")
    args = ap.parse_args()
    load_average = [round(x, 2) for x in os.getloadavg()]
    result = measure(args.data, args.heap, args.importer)
    print(json.dumps({**result, "load_average_at_start": load_average}))


if __name__ == "__main__":
    main()
