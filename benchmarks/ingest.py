"""Ingest benchmark: generate a demo ecosystem as canonical CSV, load it into a fresh store twice.

    .venv/bin/python benchmarks/ingest.py                      # 100k orgs / 500k ties into SQLite
    .venv/bin/python benchmarks/ingest.py --store neo4j        # the same into a throwaway Neo4j
    .venv/bin/python benchmarks/ingest.py --orgs 10000         # smaller, for a quick look
    .venv/bin/python benchmarks/ingest.py --big 2000000        # and a 2,000,000-tie file, for memory
    .venv/bin/python benchmarks/ingest.py --store neo4j --sweep 2000,5000,10000,20000,50000

Writes rows/s, seconds and peak memory to ``benchmarks/results/ingest-<store>.json``, with
the machine's load average before and after and the process priority. Each load runs in
a child process so its peak RSS is its own, and the clock starts after the imports. In
the same run a SQLite benchmark measures the *floor*: the bare libraries doing the
central work of a first load (``pyarrow.csv`` reading both files, ADBC ``adbc_ingest``
writing both tables into a new SQLite file, one index, the commit) in a child process of
its own; ``ratio_to_floor`` is each load's time over it, so a busy machine does not move
the verdict. ``--big N`` also loads a file of N ties made from the demo's (each tie given
an ``id`` per copy) into a fresh store, for the peak memory of a large load.

With ``--store neo4j`` the run also measures, each on a fresh server: the floor of a Bolt
write (``benchmarks/neo4j_floor.py``'s one-transaction variant, ``one_tx_10k``: the same
records in 10,000-row ``UNWIND`` batches in one transaction, no ecograph code), recorded
as ``neo4j_floor`` and beside the first load as ``floor_seconds`` and ``speed_of_floor``
(the floor's time over the load's: 1.0 is the floor's speed); ``ecograph load --bulk`` of
the same files end to end (``bulk_first_load``, with the seconds of each of its steps)
(``indexes_online_seconds``: until the store opened after it answers, its indexes
populated) and its floor, ``benchmarks/neo4j_bulk_floor.py`` (``bulk_floor``: the importer run directly
on CSV files written before the clock, the server's stop and start, the uniqueness
constraint on organisation ids; ``ratio_to_bulk_floor`` is the bulk load's time over it);
and, on the Bolt-loaded store, ``tables()`` and ``snapshot()`` in a fresh process with
their client CPU and peak RSS. ``server_cpu_seconds`` is the server JVM's CPU during a load.
A Bolt load's clock starts with its store open (``open_seconds``: connecting and, on a new
database, creating the schema), as the floor's starts after its connection and schema.

``--sweep`` first loads the ``--sweep-orgs`` ecosystem (default 20,000 organisations,
~92,000 ties) once per Neo4j batch size (``ECOGRAPH_BATCH_SIZE``), each into a fresh
server, and records the figures under ``batch_size_sweep``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Run as a script, this folder comes first on sys.path and benchmarks/loaders.py would
# shadow the loaders package.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "benchmarks"]
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "benchmarks" / "results"
DATA = ROOT / "benchmarks" / "data"


def _child_load(
    files: list[str],
    url: str,
    env: dict[str, str] | None = None,
    bulk: bool = False,
    server_pid: int | None = None,
) -> dict:
    """Run one `ecograph.load` (with *bulk*, `ecograph load --bulk`'s function) in a fresh
    interpreter; return its timing, peak RSS and the CPU the server *server_pid* used meanwhile."""
    # The clock starts at the call: importing the modules is start-up, not ingest (pyarrow
    # imports pandas on first use, and the store its write path when first opened). A Bolt
    # load gets its store opened before the clock (``open_seconds``: connecting, and on a new
    # database creating the schema), as the floor connects and creates its schema before
    # its clock; ``--bulk`` opens its own, on the clock (its target is end to end).
    neo4j = url.startswith(("bolt", "neo4j")) and not bulk
    code = (
        "import json, os, resource, sys, time\n"
        "import pandas, ecograph.store.sqlite, ecograph.store.neo4j\n"
        + (
            "from ecograph.store import open_store\n"
            "t = time.perf_counter()\n"
            f"store = open_store({url!r})\n"
            "opened = time.perf_counter() - t\n"
            if neo4j
            else f"store, opened = {url!r}, None\n"
        )
        + (
            "from ecograph.store.neo4j_bulk import bulk_load as load\n"
            if bulk
            else "from ecograph.ingest import load\n"
        )
        # The bulk route logs how long each of its steps took: kept for the JSON.
        + "import logging\n"
        "steps = []\n"
        "class Steps(logging.Handler):\n"
        "    def emit(self, record): steps.append(list(record.args))\n"
        "logging.getLogger('ecograph.store.neo4j_bulk').addHandler(Steps())\n"
        "logging.getLogger('ecograph.store.neo4j_bulk').setLevel(logging.INFO)\n"
        "from pathlib import Path\n"
        "def server_cpu():\n"
        f"    if {server_pid!r} is None: return 0.0\n"
        f"    fields = Path('/proc/{server_pid}/stat').read_text().rsplit(')', 1)[1].split()\n"
        "    return (int(fields[11]) + int(fields[12])) / os.sysconf('SC_CLK_TCK')\n"
        "t, c, sc = time.perf_counter(), time.process_time(), server_cpu()\n"
        f"r = load({files!r}, store=store)\n"
        "s, c, sc = time.perf_counter() - t, time.process_time() - c, server_cpu() - sc\n"
        # A bulk load returns before its indexes are online; the next open waits for them.
        + (
            "from ecograph.store import open_store\n"
            f"open_store({url!r}).close()\n"
            "online = time.perf_counter() - t\n"
            if bulk
            else "online = None\n"
        )
        + "me = resource.getrusage(resource.RUSAGE_SELF)\n"
        "print(json.dumps({'seconds': s, 'peak_rss_bytes': me.ru_maxrss * 1024, 'open_seconds': opened,\n"
        "    'cpu_seconds': c, 'server_cpu_seconds': sc, 'report': r.as_dict(), 'steps': steps,\n"
        "    'indexes_online_seconds': online}))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def _peak_rss_mib(pid: int) -> int | None:
    """The high-water mark of a process's resident memory (Linux ``VmHWM``)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024)
    except OSError:
        return None
    return None


def _data_rows(path: Path) -> int:
    with open(path, encoding="utf-8") as fh:
        return sum(1 for _ in fh) - 1


def _demo_files(orgs: int, seed: int) -> tuple[list[str], int, int]:
    """The demo ecosystem's two CSV files (generated once and kept) and their row counts."""
    from ecograph.synthetic import generate, write_csv

    folder = DATA / f"demo-{orgs}-{seed}"
    orgs_csv, ties_csv = folder / "organizations.csv", folder / "collaborations.csv"
    if not ties_csv.exists():
        t = time.perf_counter()
        demo = generate(orgs, seed=seed)
        write_csv(demo, folder)
        print(
            f"generated {len(demo.organizations)} orgs / {len(demo.collaborations)} ties in {time.perf_counter() - t:.1f} s"
        )
        del demo
    n_orgs, n_ties = (_data_rows(p) for p in (orgs_csv, ties_csv))
    return [str(orgs_csv), str(ties_csv)], n_orgs, n_ties


def _run(
    label: str,
    files: list[str],
    url: str,
    n_orgs: int,
    n_ties: int,
    env: dict | None = None,
    bulk: bool = False,
    server_pid: int | None = None,
) -> dict:
    load_average = _load_average()
    result = _child_load(files, url, env, bulk, server_pid)
    report = result["report"]
    run = {
        "seconds": round(result["seconds"], 2),
        **({"open_seconds": round(result["open_seconds"], 2)} if result["open_seconds"] is not None else {}),
        **(
            {"indexes_online_seconds": round(result["indexes_online_seconds"], 2)}
            if result["indexes_online_seconds"] is not None
            else {}
        ),
        "collaborations_per_second": round(n_ties / result["seconds"]),
        "rows_per_second": round((n_orgs + n_ties) / result["seconds"]),
        "peak_rss_mib": round(result["peak_rss_bytes"] / 2**20),
        "cpu_seconds": round(result["cpu_seconds"], 2),
        "load_average_at_start": load_average,
        **({"server_cpu_seconds": round(result["server_cpu_seconds"], 2)} if server_pid else {}),
        "organizations": report["organizations"],
        "collaborations": report["collaborations"],
        **(
            {"steps_seconds": {step: round(took, 2) for step, took in result["steps"]}}
            if result["steps"]
            else {}
        ),
    }
    print(label, json.dumps(run), flush=True)
    return run


_FLOOR = """
import json, os, sys, time, resource
import pyarrow.csv as pcsv
import adbc_driver_sqlite.dbapi as adbc
orgs_csv, ties_csv, db = sys.argv[1:4]
t, c = time.perf_counter(), time.process_time()
orgs, ties = pcsv.read_csv(orgs_csv), pcsv.read_csv(ties_csv)
conn = adbc.connect(db)
cursor = conn.cursor()
cursor.adbc_ingest("organizations", orgs, mode="create")
cursor.adbc_ingest("collaborations", ties, mode="create")
cursor.execute("CREATE UNIQUE INDEX organizations_id ON organizations(id)")
conn.commit()
seconds, cpu = time.perf_counter() - t, time.process_time() - c
cursor.close()
conn.close()
me = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({"seconds": seconds, "cpu_seconds": cpu, "peak_rss_mib": round(me.ru_maxrss / 1024)}))
"""


def _floor(files: list[str]) -> dict:
    """The bare libraries' first load of the same files, in a fresh interpreter (see the docstring)."""
    folder = tempfile.mkdtemp(prefix="ecograph-bench-floor-")
    try:
        out = subprocess.run(
            [sys.executable, "-c", _FLOOR, *files, f"{folder}/floor.db"],
            check=True, capture_output=True, text=True, cwd=ROOT,
        )  # fmt: skip
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    print("floor", json.dumps(result), flush=True)
    return {
        "seconds": round(result["seconds"], 2),
        "cpu_seconds": round(result["cpu_seconds"], 2),
        "peak_rss_mib": result["peak_rss_mib"],
    }


_NEO4J_FLOOR = """
import json, sys, tempfile
from pathlib import Path
import neo4j_floor as floor
orgs, ties = floor.read_data(Path(sys.argv[1]))
with tempfile.TemporaryDirectory(prefix="ecograph-bench-floor-") as instance:
    with floor.server(Path(instance), sys.argv[3], "1g") as (info, driver):
        print(json.dumps(floor.measure(info, driver, floor.VARIANTS[sys.argv[2]], orgs, ties, False)))
"""
#: The floor's one-transaction variant: one transaction, 10,000-row ``UNWIND`` batches, the
#: full schema before the data — what ecograph's Bolt write does, with no ecograph code.
NEO4J_FLOOR_VARIANT = "one_tx_10k"


def _neo4j_floor(folder: Path) -> dict:
    """benchmarks/neo4j_floor.py's one-transaction variant on a fresh server, in a child process."""
    from ecograph import neo4j_server

    out = subprocess.run(
        [sys.executable, "-c", _NEO4J_FLOOR, str(folder), NEO4J_FLOOR_VARIANT, neo4j_server.DEFAULT_HEAP],
        check=True, capture_output=True, text=True, cwd=ROOT / "benchmarks",
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )  # fmt: skip
    result = json.loads(out.stdout.strip().splitlines()[-1])
    total = result["total"]
    run = {
        "variant": NEO4J_FLOOR_VARIANT,
        "seconds": total["seconds"],
        "server_cpu_seconds": total.get("server_cpu"),
        "client_cpu_seconds": total.get("client_cpu"),
    }
    print("neo4j floor", json.dumps(run), flush=True)
    return run


_SNAPSHOT = """
import json, resource, sys, time
import ecograph.store.neo4j
from ecograph.store import open_store
with open_store(sys.argv[1]) as store:
    t, c = time.perf_counter(), time.process_time()
    tables = store.tables()
    t1, c1 = time.perf_counter() - t, time.process_time() - c
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    del tables
    t, c = time.perf_counter(), time.process_time()
    G = store.snapshot()
    s, c = time.perf_counter() - t, time.process_time() - c
me = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({"seconds": s, "cpu_seconds": c, "peak_rss_mib": round(me.ru_maxrss / 1024),
                  "edges": G.number_of_edges(), "nodes": G.number_of_nodes(),
                  "tables_seconds": t1, "tables_cpu_seconds": c1, "tables_peak_rss_mib": round(rss / 1024)}))
"""


def _snapshot(url: str) -> dict:
    """``tables()`` (the columnar read analyses build on), then ``snapshot()`` (the networkx
    graph), of the store in a fresh interpreter: seconds, client CPU, peak RSS."""
    load_average = _load_average()
    out = subprocess.run(
        [sys.executable, "-c", _SNAPSHOT, url], check=True, capture_output=True, text=True, cwd=ROOT
    )
    result = json.loads(out.stdout.strip().splitlines()[-1])
    run = {k: round(v, 2) if isinstance(v, float) else v for k, v in result.items()}
    run["load_average_at_start"] = load_average
    print("snapshot", json.dumps(run), flush=True)
    return run


def _big_file(files: list[str], ties: int) -> tuple[list[str], int]:
    """The demo's organisations and a collaborations file of *ties* ties: the demo's, again
    and again, each copy's ties given ids of their own."""
    import pyarrow as pa
    import pyarrow.csv as pcsv

    path = DATA / f"big-{ties}" / "collaborations.csv"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        strings = pcsv.ConvertOptions(column_types={c: pa.string() for c in ("start", "end", "id", "amount")})
        base = pcsv.read_csv(files[1], convert_options=strings)
        with pcsv.CSVWriter(path, base.schema) as out:
            written, copy = 0, 0
            while written < ties:
                part = base.slice(0, min(base.num_rows, ties - written))
                ids = pa.array([f"big{copy}-{i}" for i in range(part.num_rows)])
                out.write_table(part.set_column(part.schema.get_field_index("id"), "id", ids))
                written += part.num_rows
                copy += 1
    return [files[0], str(path)], ties


def _load_average() -> list[float]:
    """The 1-, 5- and 15-minute load average, kept with the figures: the machine is shared."""
    return [round(x, 2) for x in os.getloadavg()]


def _stop(server) -> None:
    """Stop a server of :func:`_neo4j_server` and delete its folder (its store: up to 1 GiB)."""
    from ecograph import neo4j_server

    neo4j_server.stop(instance=server.instance)
    shutil.rmtree(server.instance, ignore_errors=True)


def _neo4j_server():
    from ecograph import neo4j_server

    instance = Path(tempfile.mkdtemp(prefix="ecograph-neo4j-bench-"))
    return neo4j_server.start(port=neo4j_server.free_port(), auth=False, instance=instance)


def _neo4j_routes(files: list[str], n_orgs: int, n_ties: int, first_load: dict) -> dict:
    """The floor's one-transaction write and ``--bulk`` of the same files, each on a fresh
    server, with the Bolt first load's ratio to the floor."""

    floor = _neo4j_floor(Path(files[0]).parent)
    first_load["floor_seconds"] = floor["seconds"]
    first_load["speed_of_floor"] = round(floor["seconds"] / first_load["seconds"], 2)
    server = _neo4j_server()
    try:
        bulk = _run("bulk_first_load", files, server.url, n_orgs, n_ties, bulk=True)
    finally:
        _stop(server)
    bulk_floor = _bulk_floor(Path(files[0]).parent)
    bulk["bulk_floor_seconds"] = bulk_floor["seconds"]
    bulk["ratio_to_bulk_floor"] = round(bulk["seconds"] / bulk_floor["seconds"], 2)
    return {"neo4j_floor": floor, "bulk_first_load": bulk, "bulk_floor": bulk_floor}


def _bulk_floor(folder: Path) -> dict:
    """benchmarks/neo4j_bulk_floor.py (the importer and a restart, no ecograph code) on a
    fresh server, in a child process."""
    from ecograph import neo4j_server

    load_average = _load_average()
    out = subprocess.run(
        [sys.executable, "neo4j_bulk_floor.py", f"--data={folder}", f"--heap={neo4j_server.DEFAULT_HEAP}"],
        check=True, capture_output=True, text=True, cwd=ROOT / "benchmarks",
    )  # fmt: skip
    run = json.loads(out.stdout.strip().splitlines()[-1])
    run["load_average_at_start"] = load_average
    print("bulk floor", json.dumps(run), flush=True)
    return run


def _sweep(sizes: list[int], orgs: int, seed: int) -> dict:
    """First load and unchanged reload of one ecosystem per batch size, each into a fresh server."""

    files, n_orgs, n_ties = _demo_files(orgs, seed)
    out: dict = {"organizations": n_orgs, "collaborations": n_ties, "load_average_at_start": _load_average()}
    for size in sizes:
        server = _neo4j_server()
        try:
            env = {"ECOGRAPH_BATCH_SIZE": str(size)}
            out[str(size)] = {
                label: _run(f"batch {size} {label}", files, server.url, n_orgs, n_ties, env)
                for label in ("first_load", "second_load_unchanged")
            }
        finally:
            _stop(server)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--orgs", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--store", choices=["sqlite", "neo4j"], default="sqlite")
    parser.add_argument(
        "--sweep", default="", help="Neo4j only: comma-separated batch sizes to compare first"
    )
    parser.add_argument("--sweep-orgs", type=int, default=20_000)
    parser.add_argument("--big", type=int, default=0, help="SQLite only: also load a file of this many ties")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sweep.split(",") if s.strip()]
    if sizes and args.store != "neo4j":
        parser.error("--sweep needs --store neo4j")
    if args.big and args.store != "sqlite":
        parser.error("--big needs --store sqlite")

    sweep = _sweep(sizes, args.sweep_orgs, args.seed) if sizes else None
    files, n_orgs, n_ties = _demo_files(args.orgs, args.seed)
    load_average = _load_average()
    server = None
    if args.store == "sqlite":
        tmp = tempfile.mkdtemp(prefix="ecograph-bench-")
        url = f"sqlite:///{tmp}/bench.db"
    else:
        server = _neo4j_server()
        url = server.url
    try:
        runs = {}
        if server is None:
            runs["floor"] = _floor(files)
        runs.update(
            (label, _run(label, files, url, n_orgs, n_ties, server_pid=server.pid if server else None))
            for label in ("first_load", "second_load_unchanged")
        )
        if server is None:
            for label in ("first_load", "second_load_unchanged"):
                runs[label]["ratio_to_floor"] = round(runs[label]["seconds"] / runs["floor"]["seconds"], 2)
        if args.big:
            big_files, big_ties = _big_file(files, args.big)
            big_url = f"sqlite:///{tempfile.mkdtemp(prefix='ecograph-bench-')}/big.db"
            runs["big_first_load"] = _run("big_first_load", big_files, big_url, n_orgs, big_ties)
            runs["big_first_load"]["collaborations_in_file"] = big_ties
        if server is not None:
            runs["server_peak_rss_mib"] = _peak_rss_mib(server.pid)
            runs["snapshot"] = _snapshot(url)
            _stop(server)
            server = None
            runs.update(_neo4j_routes(files, n_orgs, n_ties, runs["first_load"]))
    finally:
        if server is not None:
            _stop(server)
    out = {
        "benchmark": "ingest",
        "store": args.store,
        "organizations": n_orgs,
        "collaborations": n_ties,
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "scheduler": "real-time (SCHED_FIFO)" if os.sched_getscheduler(0) == os.SCHED_FIFO else "normal",
            "nice": os.getpriority(os.PRIO_PROCESS, 0),
        },
        "measured": time.strftime("%Y-%m-%d %H:%M:%S"),
        "load_average_at_start": load_average,
        "load_average_at_end": _load_average(),
        "target_collaborations_per_second": 120_000 if args.store == "sqlite" else 20_000,
        **(
            {
                "targets": {
                    "bulk_first_load_seconds": 10,
                    "bolt_first_load_speed_of_floor": 0.85,
                    "snapshot_seconds": 10,
                },
                # This run's figure for each target, with the floor's time beside them.
                "figures": {
                    "bulk_first_load_seconds": runs["bulk_first_load"]["seconds"],
                    "bolt_first_load_speed_of_floor": runs["first_load"]["speed_of_floor"],
                    "snapshot_seconds": runs["snapshot"]["seconds"],
                    "snapshot_peak_rss_mib": runs["snapshot"]["peak_rss_mib"],
                    "floor_seconds": runs["neo4j_floor"]["seconds"],
                    "bulk_first_load_indexes_online_seconds": runs["bulk_first_load"][
                        "indexes_online_seconds"
                    ],
                    "bulk_floor_seconds": runs["bulk_floor"]["seconds"],
                    "bulk_ratio_to_floor": runs["bulk_first_load"]["ratio_to_bulk_floor"],
                },
            }
            if args.store == "neo4j"
            else {}
        ),
        **({"target_peak_rss_mib": 700} if args.store == "sqlite" else {}),
        **runs,
        **({"batch_size_sweep": sweep} if sweep else {}),
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"ingest-{args.store}.json"
    if sweep is None and path.exists():  # a run without --sweep keeps the last sweep's figures
        earlier = json.loads(path.read_text()).get("batch_size_sweep")
        if earlier:
            out["batch_size_sweep"] = earlier
    path.write_text(json.dumps(out, indent=2) + "\n")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
