"""Neo4j write floor: how fast can this server take a first load, with no ecograph code in the way?

What it measures
----------------
The wall time, client CPU and server CPU that Neo4j 5.26 Community, driven from the official
Python driver, needs to create the demo ecosystem (default ``benchmarks/data/demo-100000-1``:
100,000 ``:Organization:<Kind>`` nodes with ecograph's 13 properties, 500,000 relationships of
10 types with up to 9 properties each) in an empty database, written several ways:

* ``one_tx``            one explicit transaction for everything, ``UNWIND`` batches of 10k rows
                        (what ``ecograph.store.neo4j`` does on a first load);
* ``per_batch``         every ``UNWIND`` batch of N rows is its own transaction (``execute_write``),
                        one session;
* ``threads2``          the same from two sessions in two threads (deadlocks retried by
                        ``execute_write``; retries counted); ``split`` partitions the nodes in two
                        halves and lets each thread write the ties inside its half before the two
                        share the ties that cross;
* ``call_in_tx``        one auto-commit query per kind/type that gets all its rows at once and
                        commits every N rows itself (``CALL { ... } IN [c CONCURRENT]
                        TRANSACTIONS OF N ROWS``);
* property and schema variants: fewer relationship properties, no relationship key index, or
  the whole schema created after the data (then ``CALL db.awaitIndexes(300)`` is timed apart).

The parameters are read from the CSVs and turned into lists (ecograph's row layout: lists, not
maps) **before** the clock starts. Timed: mapping organisation ids to node ids, encoding and
sending the rows, the server's work, commits. Relationships find their ends by internal node
id (``MATCH (a) WHERE id(a) = row[0]``, like ecograph), or in the ``*_seek`` variants by the
unique index on ``Organization.id``.

By default each variant runs on a fresh server with an empty data folder (stop, ``rm -rf
data``, start; Community has no ``CREATE``/``STOP DATABASE``), i.e. on a cold JIT, which is what
a first load into a just-started server pays. ``--reuse-server --warmup 1.0`` instead starts one
server, loads the whole data set once with the first variant and deletes it (data and schema),
then runs every variant in a row, emptying the database between them: a warm JIT. Server CPU
is ``utime + stime`` of the JVM from ``/proc/<pid>/stat``, also split by thread name (JIT
compiler threads, Bolt workers, GC); client CPU is ``getrusage(RUSAGE_SELF)``; ``other_cpu``
is what the rest of the machine used meanwhile (should be ~0).

What it found on the 2-core machine (Nov 2026; full table in the JSON): on a fresh JVM no
variant with every property and the full schema got under ~45 s, because the JIT compiler
threads burn 25-40 s of CPU during the load, as much as the transactions themselves; on a warm
JVM two writers with the relationship key indexes built after the data took ~21-26 s. No
deadlocks with two writers. ``chrt -f 50`` made cold runs ~10 s slower than normal scheduling
(SCHED_FIFO threads of one priority are not time-sliced, so the compiler threads hold a core).

Run it (the machine has 2 cores: keep other benchmarks off it while it runs)::

    flock /tmp/ecograph-bench.lock chrt -f 50 .venv/bin/python benchmarks/neo4j_floor.py
    ... benchmarks/neo4j_floor.py --data benchmarks/data/demo-20000-1        # quick subset
    ... benchmarks/neo4j_floor.py --variants one_tx_10k,per_batch_20k      # a few variants
    ... benchmarks/neo4j_floor.py --reuse-server --warmup 1.0 --tag=-warm  # warm JIT
    ... benchmarks/neo4j_floor.py --jvm=-XX:TieredStopAtLevel=1 --tag=-c1  # JVM flags
    ... benchmarks/neo4j_floor.py --profile per_batch_20k                  # + a JFR profile
    .venv/bin/python benchmarks/neo4j_floor.py --list                      # variant names
    .venv/bin/python benchmarks/neo4j_floor.py --summarize                 # recompute best_*

Results are merged into ``benchmarks/results/neo4j-floor.json`` under the data set's name.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import csv
import json
import os
import platform
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "benchmarks"]
sys.path.insert(0, str(ROOT))

from neo4j import GraphDatabase  # noqa: E402
from neo4j.exceptions import TransientError  # noqa: E402

from ecograph import neo4j_server  # noqa: E402
from ecograph.model import DIRECTED_TIE_KINDS, tie_key  # noqa: E402
from ecograph.names import name_key  # noqa: E402
from ecograph.store.cypher import ORG_LABELS, TIE_TYPES  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "neo4j-floor.json"
DEFAULT_DATA = ROOT / "benchmarks" / "data" / "demo-100000-1"
TARGET_RELS_PER_S = 20_000

#: Node properties in row order (ecograph's ``ORG_PROPERTIES`` layout).
ORG_PROPS = ("id", "name", "name_key", "kind", "country", "province", "city", "sectors",
             "founded", "aliases", "website", "ror", "description")  # fmt: skip
#: Relationship properties in row order; a row is ``[source, target, *these]``.
TIE_PROPS = ("key", "kind", "weight", "start", "end", "amount", "currency", "evidence", "id")
#: Property profiles: which properties a variant writes.
NODE_PROFILES = {"full": ORG_PROPS, "id": ("id",)}
REL_PROFILES = {
    "full": TIE_PROPS,  # ecograph's: 9 slots, nulls left out (~5 stored on average)
    "brief": ("key", "weight", "start", "evidence"),
    "key": ("key",),
    "none": (),
}
#: Schema profiles: ``before`` = unique constraint on Organization.id + a range index on r.key
#: for every type, created on the empty database; ``constraint`` = the constraint only;
#: ``after`` = both created after the data, population timed; ``none`` = nothing.
SCHEMAS = ("before", "constraint", "after", "none")


@dataclass(frozen=True)
class Variant:
    name: str
    mode: str  # one_tx | per_batch | threads2 | call_in_tx
    batch: int = 10_000
    match: str = "id"  # id | seek
    nodes: str = "full"
    rels: str = "full"
    schema: str = "before"
    order: str = "shared"  # threads2: shared | split
    concurrency: int = 1  # call_in_tx: IN n CONCURRENT TRANSACTIONS when > 1
    note: str = ""


VARIANTS: dict[str, Variant] = {
    v.name: v
    for v in (
        Variant("one_tx_10k", "one_tx", 10_000, note="like ecograph: one transaction, 10k-row UNWINDs"),
        Variant("per_batch_5k", "per_batch", 5_000),
        Variant("per_batch_20k", "per_batch", 20_000),
        Variant("per_batch_50k", "per_batch", 50_000),
        Variant(
            "per_batch_20k_seek",
            "per_batch",
            20_000,
            match="seek",
            note="ends found by the unique index on Organization.id, not by node id",
        ),
        Variant("threads2_20k", "threads2", 20_000, note="two sessions share one queue of batches"),
        Variant(
            "threads2_20k_split",
            "threads2",
            20_000,
            order="split",
            note="each thread first writes the ties inside its half of the nodes",
        ),
        Variant("threads2_5k", "threads2", 5_000),
        Variant("call_in_tx_20k", "call_in_tx", 20_000, note="rows sent once per kind/type"),
        Variant(
            "call_in_tx_20k_seek",
            "call_in_tx",
            20_000,
            match="seek",
            note="rows sent once, ends by index seek: no node-id round trip",
        ),
        Variant(
            "call_in_2tx_20k",
            "call_in_tx",
            20_000,
            concurrency=2,
            note="IN 2 CONCURRENT TRANSACTIONS OF 20000 ROWS",
        ),
        Variant(
            "per_batch_20k_noindex", "per_batch", 20_000, schema="constraint", note="no range index on r.key"
        ),
        Variant(
            "per_batch_20k_schema_after",
            "per_batch",
            20_000,
            schema="after",
            note="constraint and key indexes created after the data; population timed",
        ),
        Variant(
            "per_batch_20k_brief",
            "per_batch",
            20_000,
            rels="brief",
            note="4 relationship properties: key, weight, start, evidence",
        ),
        Variant("per_batch_20k_keyonly_noindex", "per_batch", 20_000, rels="key", schema="constraint"),
        Variant(
            "per_batch_20k_bare",
            "per_batch",
            20_000,
            nodes="id",
            rels="none",
            schema="none",
            note="structure only: nodes with an id, relationships without properties, no schema",
        ),
        Variant("one_tx_10k_noindex", "one_tx", 10_000, schema="constraint"),
        Variant("threads2_5k_noindex", "threads2", 5_000, schema="constraint"),
        Variant(
            "threads2_5k_schema_after",
            "threads2",
            5_000,
            schema="after",
            note="two writers, constraint and key indexes after the data",
        ),
        Variant("threads2_5k_keyonly_noindex", "threads2", 5_000, rels="key", schema="constraint"),
        Variant("threads2_5k_bare", "threads2", 5_000, nodes="id", rels="none", schema="none"),
    )
}
DEFAULT_VARIANTS = tuple(VARIANTS)

#: How to read the results (stored with them).
NOTES = {
    "seconds": "wall seconds from the first byte sent to the last commit (nodes, rels, schema_after)",
    "client_cpu": "getrusage(RUSAGE_SELF) of this Python process (driver encoding, id mapping)",
    "server_cpu": "utime+stime of the server JVM; server_threads_cpu splits it by thread name "
    "('C# CompilerThre' = JIT compilers, 'neo#j.BoltWorke' = the threads running transactions)",
    "other_cpu": "CPU used meanwhile by everything else on the machine (/proc/stat minus ours)",
    "variant name suffixes": "none = fresh JVM and data folder; -warm/-warm2 = one JVM that first "
    "loaded the whole data set once (then deleted it) and ran the variants in a row "
    "(position_on_server); -c1 = JVM with -XX:TieredStopAtLevel=1; -cfs = without chrt -f 50; "
    "-profile = with a JFR recording (its timing is not comparable: starting JFR recompiles)",
    "invocation.sched": "fifo = run under chrt -f 50 (server inherits it), other = normal scheduling",
}


# -- data ------------------------------------------------------------------------------------


def _none(value: str) -> str | None:
    return value or None


def read_data(folder: Path) -> tuple[list[list[Any]], list[list[Any]]]:
    """Organisation and collaboration rows in ecograph's list layout (``ORG_PROPS`` and
    ``[source, target, *TIE_PROPS]``), read from the canonical CSVs of a demo folder."""
    orgs: list[list[Any]] = []
    with open(folder / "organizations.csv", newline="", encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            sectors = [s for s in r["sectors"].split("|") if s] or None
            aliases = [s for s in r["aliases"].split("|") if s] or None
            founded = int(r["founded"]) if r["founded"] else None
            orgs.append([
                r["id"], r["name"], name_key(r["name"]), r["kind"], _none(r["country"]),
                _none(r["province"]), _none(r["city"]), sectors, founded, aliases,
                _none(r["website"]), _none(r["ror"]), _none(r["description"]),
            ])  # fmt: skip
    ties: list[list[Any]] = []
    with open(folder / "collaborations.csv", newline="", encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            s, t, kind = r["source"], r["target"], r["kind"]
            if kind not in DIRECTED_TIE_KINDS and t < s:
                s, t = t, s
            key = tie_key(s, t, kind, r["start"] or None, r["id"] or None)
            ties.append([
                s, t, key, kind, float(r["weight"]) if r["weight"] else None, _none(r["start"]),
                _none(r["end"]), float(r["amount"]) if r["amount"] else None, _none(r["currency"]),
                _none(r["evidence"]), _none(r["id"]),
            ])  # fmt: skip
    return orgs, ties


def _project(
    rows: list[list[Any]], all_props: tuple[str, ...], props: tuple[str, ...], lead: int
) -> list[list[Any]]:
    """*rows* cut down to their first *lead* values and the properties *props*."""
    if props == all_props:
        return rows
    keep = list(range(lead)) + [lead + all_props.index(p) for p in props]
    return [[row[i] for i in keep] for row in rows]


def _by(rows: list[list[Any]], index: int, kinds: dict[str, str]) -> dict[str, list[list[Any]]]:
    out: dict[str, list[list[Any]]] = {k: [] for k in kinds}
    for row in rows:
        out[row[index]].append(row)
    return {k: v for k, v in out.items() if v}


def _chunks(rows: list[Any], size: int) -> list[list[Any]]:
    return [rows[i : i + size] for i in range(0, len(rows), size)]


# -- Cypher ----------------------------------------------------------------------------------


def _map(props: tuple[str, ...], offset: int) -> str:
    return "{" + ", ".join(f"`{p}`: row[{i + offset}]" for i, p in enumerate(props)) + "}"


def node_statement(label: str, props: tuple[str, ...], v: Variant) -> str:
    create = f"CREATE (o:Organization:{label} {_map(props, 0)})"
    if v.mode == "call_in_tx":
        if v.match == "seek":  # the ties need no node ids
            return f"UNWIND $rows AS row CALL {{ WITH row {create} }} {_in_tx(v)}"
        return (
            f"UNWIND $rows AS row CALL {{ WITH row {create} RETURN [o.id, id(o)] AS pair }} "
            f"{_in_tx(v)} RETURN collect(pair) AS nodes"
        )
    if v.match == "seek":
        return f"UNWIND $rows AS row {create} RETURN count(o) AS written"
    return f"UNWIND $rows AS row {create} RETURN collect([o.id, id(o)]) AS nodes"


def tie_statement(rel_type: str, props: tuple[str, ...], v: Variant) -> str:
    if v.match == "seek":
        ends = "MATCH (a:Organization {id: row[0]}) MATCH (b:Organization {id: row[1]}) "
    else:
        ends = "MATCH (a) WHERE id(a) = row[0] MATCH (b) WHERE id(b) = row[1] "
    create = f"CREATE (a)-[r:{rel_type} {_map(props, 2)}]->(b)"
    if v.mode == "call_in_tx":
        return f"UNWIND $rows AS row CALL {{ WITH row {ends}{create} }} {_in_tx(v)}"
    return f"UNWIND $rows AS row {ends}{create} RETURN count(r) AS written"


def _in_tx(v: Variant) -> str:
    conc = f"{v.concurrency} CONCURRENT " if v.concurrency > 1 else ""
    return f"IN {conc}TRANSACTIONS OF {v.batch} ROWS"


def schema_statements(schema: str, with_rel_index: bool = True) -> list[str]:
    out = ["CREATE CONSTRAINT organization_id FOR (o:Organization) REQUIRE o.id IS UNIQUE"]
    if with_rel_index:
        out += [f"CREATE INDEX tie_key_{k} FOR ()-[r:{t}]-() ON (r.key)" for k, t in TIE_TYPES.items()]
    return out


# -- server measurements ---------------------------------------------------------------------

_TICK = os.sysconf("SC_CLK_TCK")


def proc_cpu(pid: int) -> float:
    """utime + stime of process *pid*, in seconds (all its threads, reaped children excluded)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _TICK


def thread_cpu(pid: int) -> dict[str, float]:
    """CPU seconds of *pid*'s threads, grouped by thread name with digits dropped."""
    out: dict[str, float] = collections.defaultdict(float)
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            text = (task / "stat").read_text()
        except OSError:
            continue
        name = text[text.index("(") + 1 : text.rindex(")")]
        fields = text.rsplit(")", 1)[1].split()
        out[re.sub(r"\d+", "#", name).strip()] += (int(fields[11]) + int(fields[12])) / _TICK
    return out


def machine_busy() -> float:
    """CPU seconds all processes of this machine have used since boot (``/proc/stat``): the
    difference to client + server CPU is what others used meanwhile (it should be ~0)."""
    fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(x) for x in fields[:8])
    return (user + nice + system + irq + softirq + steal) / _TICK


def client_cpu() -> float:
    me = resource.getrusage(resource.RUSAGE_SELF)
    return me.ru_utime + me.ru_stime


def vm_hwm_mib(pid: int) -> float | None:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    return None


class Meter:
    """Wall, client CPU and server CPU between :meth:`mark` calls."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.last = self._now()
        self.threads0 = thread_cpu(pid)
        self.first = self.last

    def _now(self) -> tuple[float, float, float, float]:
        return time.perf_counter(), client_cpu(), proc_cpu(self.pid), machine_busy()

    def mark(self) -> dict[str, float]:
        now = self._now()
        wall, client, server, busy = (b - a for a, b in zip(self.last, now, strict=True))
        self.last = now
        return {
            "seconds": round(wall, 3),
            "client_cpu": round(client, 2),
            "server_cpu": round(server, 2),
            "other_cpu": round(max(0.0, busy - client - server), 2),
        }

    def threads(self) -> dict[str, float]:
        now = thread_cpu(self.pid)
        delta = {k: now[k] - self.threads0.get(k, 0.0) for k in now}
        return {k: round(v, 2) for k, v in sorted(delta.items(), key=lambda kv: -kv[1]) if v >= 0.05}


# -- loads -------------------------------------------------------------------------------------


class Retries:
    """Counts transaction-function attempts beyond the first, by error code."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.attempts = 0
        self.calls = 0
        self.codes: collections.Counter[str] = collections.Counter()

    def write(self, session: Any, query: str, rows: list[Any]) -> Any:
        with self.lock:
            self.calls += 1

        def work(tx: Any) -> Any:
            with self.lock:
                self.attempts += 1
            try:
                return tx.run(query, rows=rows).single(strict=True)[0]
            except TransientError as exc:
                with self.lock:
                    self.codes[exc.code or type(exc).__name__] += 1
                raise

        return session.execute_write(work)

    def summary(self) -> dict[str, Any]:
        return {"retries": self.attempts - self.calls, "errors": dict(self.codes)}


def _nodes_tasks(
    orgs_by_kind: dict[str, list[list[Any]]], props: tuple[str, ...], v: Variant
) -> list[tuple[str, list[Any]]]:
    return [
        (node_statement(ORG_LABELS[kind], props, v), chunk)
        for kind, rows in orgs_by_kind.items()
        for chunk in _chunks(rows, v.batch)
    ]


def _map_ends(rows: list[list[Any]], nodes: dict[str, int] | None) -> list[list[Any]]:
    if nodes is None:
        return rows
    return [[nodes[r[0]], nodes[r[1]], *r[2:]] for r in rows]


def _run_threads(
    driver: Any,
    streams: list[list[tuple[str, list[Any]]]],
    shared: list[tuple[str, list[Any]]],
    retries: Retries,
    results: list[Any],
) -> None:
    """Two threads, a session each: thread *i* writes ``streams[i]``, then both take from *shared*."""
    lock = threading.Lock()
    errors: list[BaseException] = []

    def worker(mine: list[tuple[str, list[Any]]]) -> None:
        try:
            with driver.session(database="neo4j") as session:
                for query, rows in mine:
                    results.append(retries.write(session, query, rows))
                while True:
                    with lock:
                        if not shared:
                            return
                        query, rows = shared.pop()
                    results.append(retries.write(session, query, rows))
        except BaseException as exc:  # re-raised below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(s,)) for s in streams]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]


def load(driver: Any, pid: int, orgs: list[list[Any]], ties: list[list[Any]], v: Variant) -> dict[str, Any]:
    """Write *orgs* and *ties* as variant *v* prescribes; return its figures."""
    node_props, rel_props = NODE_PROFILES[v.nodes], REL_PROFILES[v.rels]
    # Grouped by kind on the full rows (a profile may drop the kind), then cut down.
    orgs_by_kind = {
        k: _project(rows, ORG_PROPS, node_props, 0) for k, rows in _by(orgs, 3, ORG_LABELS).items()
    }
    ties_by_type = {k: _project(rows, TIE_PROPS, rel_props, 2) for k, rows in _by(ties, 3, TIE_TYPES).items()}
    retries = Retries()
    out: dict[str, Any] = {"variant": asdict(v)}

    with driver.session(database="neo4j") as session:
        if v.schema in ("before", "constraint"):
            for stmt in schema_statements(v.schema, with_rel_index=v.schema == "before"):
                session.run(stmt).consume()
            session.run("CALL db.awaitIndexes(300)").consume()
        if v.match == "seek" and v.schema not in ("before", "constraint"):
            raise SystemExit(f"{v.name}: --match seek needs the constraint before the data")

    meter = Meter(pid)
    nodes: dict[str, int] | None = None if v.match == "seek" else {}
    written_rels = 0

    if v.mode == "one_tx":
        with driver.session(database="neo4j") as session:
            tx = session.begin_transaction()
            try:
                sent = [tx.run(q, rows=rows) for q, rows in _nodes_tasks(orgs_by_kind, node_props, v)]
                for result in sent:
                    value = result.single(strict=True)[0]
                    if nodes is not None:
                        nodes.update(value)
                out["nodes"] = meter.mark()
                sent = []
                for kind, rows in ties_by_type.items():
                    q = tie_statement(TIE_TYPES[kind], rel_props, v)
                    for chunk in _chunks(rows, v.batch):
                        sent.append(tx.run(q, rows=_map_ends(chunk, nodes)))
                written_rels = sum(r.single(strict=True)[0] for r in sent)
                tx.commit()
            finally:
                if not tx.closed():
                    tx.close()
        out["rels"] = meter.mark()

    elif v.mode == "per_batch":
        with driver.session(database="neo4j") as session:
            for q, rows in _nodes_tasks(orgs_by_kind, node_props, v):
                value = retries.write(session, q, rows)
                if nodes is not None:
                    nodes.update(value)
            out["nodes"] = meter.mark()
            for kind, rows in ties_by_type.items():
                q = tie_statement(TIE_TYPES[kind], rel_props, v)
                for chunk in _chunks(rows, v.batch):
                    written_rels += retries.write(session, q, _map_ends(chunk, nodes))
        out["rels"] = meter.mark()

    elif v.mode == "threads2":
        results: list[Any] = []
        tasks = _nodes_tasks(orgs_by_kind, node_props, v)
        _run_threads(driver, [[], []], tasks[::-1], retries, results)
        if nodes is not None:
            for value in results:
                nodes.update(value)
        out["nodes"] = meter.mark()
        streams: list[list[tuple[str, list[Any]]]] = [[], []]
        shared: list[tuple[str, list[Any]]] = []
        half = {row[0]: i % 2 for i, row in enumerate(orgs)}
        for kind, rows in ties_by_type.items():
            q = tie_statement(TIE_TYPES[kind], rel_props, v)
            if v.order == "split":
                parts: list[list[list[Any]]] = [[], [], []]
                for r in rows:
                    a, b = half[r[0]], half[r[1]]
                    parts[a if a == b else 2].append(r)
                for i in (0, 1):
                    streams[i] += [(q, _map_ends(c, nodes)) for c in _chunks(parts[i], v.batch)]
                shared += [(q, _map_ends(c, nodes)) for c in _chunks(parts[2], v.batch)]
            else:
                shared += [(q, _map_ends(c, nodes)) for c in _chunks(rows, v.batch)]
        results = []
        _run_threads(driver, streams, shared[::-1], retries, results)
        written_rels = sum(results)
        out["rels"] = meter.mark()
        out["split"] = (
            {
                "thread_0": sum(len(r) for _, r in streams[0]),
                "thread_1": sum(len(r) for _, r in streams[1]),
                "shared": sum(len(r) for _, r in shared),
            }
            if v.order == "split"
            else None
        )

    elif v.mode == "call_in_tx":
        with driver.session(database="neo4j") as session:
            for kind, rows in orgs_by_kind.items():
                result = session.run(node_statement(ORG_LABELS[kind], node_props, v), rows=rows)
                if nodes is not None:
                    nodes.update(result.single(strict=True)[0])
                else:
                    result.consume()
            out["nodes"] = meter.mark()
            for kind, rows in ties_by_type.items():
                summary = session.run(
                    tie_statement(TIE_TYPES[kind], rel_props, v), rows=_map_ends(rows, nodes)
                ).consume()
                written_rels += summary.counters.relationships_created
        out["rels"] = meter.mark()
    else:
        raise SystemExit(f"unknown mode {v.mode!r}")

    if v.schema == "after":
        with driver.session(database="neo4j") as session:
            for stmt in schema_statements("after"):
                session.run(stmt).consume()
            session.run("CALL db.awaitIndexes(300)").consume()
        out["schema_after"] = meter.mark()

    out["server_threads_cpu"] = meter.threads()
    phases = [out[k] for k in ("nodes", "rels", "schema_after") if k in out]
    total = sum(p["seconds"] for p in phases)
    out["total"] = {
        "seconds": round(total, 3),
        "client_cpu": round(sum(p["client_cpu"] for p in phases), 2),
        "server_cpu": round(sum(p["server_cpu"] for p in phases), 2),
        "other_cpu": round(sum(p["other_cpu"] for p in phases), 2),
    }
    out["rels_per_second_total"] = round(len(ties) / total)
    out["rels_per_second_rel_phase"] = round(len(ties) / out["rels"]["seconds"])
    out["meets_target"] = len(ties) / total >= TARGET_RELS_PER_S
    out["transactions"] = retries.summary() if v.mode in ("per_batch", "threads2") else None
    with driver.session(database="neo4j") as session:
        n = session.run("MATCH (n) RETURN count(n) AS c").single()["c"]
        r = session.run("MATCH ()-[r]->() RETURN count(r) AS c").single()["c"]
    if n != len(orgs) or r != len(ties) or (written_rels and written_rels != len(ties)):
        raise RuntimeError(
            f"{v.name}: wrote {n} nodes / {r} relationships, expected {len(orgs)} / {len(ties)}"
        )
    out["server_peak_rss_mib"] = vm_hwm_mib(pid)
    return out


# -- profile -----------------------------------------------------------------------------------


def _jfr_tool() -> str | None:
    """A ``jfr`` tool: JDK 21+'s has ``view``, but ``print --json`` of any works."""
    java = neo4j_server.find_java()
    cands = [str(Path(java).resolve().parent / "jfr")] if java else []
    cands += sorted(str(p) for p in Path("/usr/lib/jvm").glob("*/bin/jfr"))
    return next((c for c in cands if os.access(c, os.X_OK)), None)


#: Where a sample's innermost ``org.neo4j`` frame lies → what the server was doing. First match wins.
JFR_CATEGORIES = (
    (
        "cypher: parse/plan",
        (
            "org.neo4j.cypher.internal.ast",
            "org.neo4j.cypher.internal.frontend",
            "org.neo4j.cypher.internal.rewriting",
            "org.neo4j.cypher.internal.compiler",
            "org.neo4j.cypher.internal.logical",
            "org.neo4j.cypher.internal.planner",
            "org.neo4j.cypher.internal.util",
            "org.neo4j.cypher.internal.parser",
            "org.neo4j.cypher.internal.expressions",
            "org.neo4j.cypher.internal.ir",
            "org.neo4j.cypher.internal.physicalplanning",
            "org.neo4j.cypher.internal.Cypher",
        ),
    ),
    ("cypher: execute", ("org.neo4j.cypher", "org.neo4j.values")),
    (
        "tx state (writes buffered)",
        (
            "org.neo4j.kernel.impl.api.state",
            "org.neo4j.kernel.impl.newapi",
            "org.neo4j.storageengine.api.txstate",
            "org.neo4j.collection",
        ),
    ),
    ("commit: records/commands", ("org.neo4j.internal.recordstorage", "org.neo4j.kernel.impl.store")),
    (
        "commit: tx log/apply",
        (
            "org.neo4j.kernel.impl.transaction",
            "org.neo4j.kernel.impl.api",
            "org.neo4j.kernel.database",
            "org.neo4j.storageengine",
        ),
    ),
    (
        "index updates",
        (
            "org.neo4j.index",
            "org.neo4j.kernel.api.impl",
            "org.neo4j.kernel.impl.index",
            "org.neo4j.internal.kernel.api",
            "org.neo4j.kernel.api.index",
        ),
    ),
    ("locks", ("org.neo4j.kernel.impl.locking", "org.neo4j.lock")),
    ("page cache/io", ("org.neo4j.io",)),
    ("bolt/packstream", ("org.neo4j.bolt", "org.neo4j.packstream")),
)


def _category(names: list[str]) -> str:
    for name in names:
        if name.startswith("org.neo4j"):
            for label, prefixes in JFR_CATEGORIES:
                if name.startswith(prefixes):
                    return label
            return ".".join(name.split(".")[:4])
    return "no neo4j frame: " + ".".join(names[0].split(".")[:2])


def jfr_summary(path: Path, top: int = 20) -> dict[str, Any]:
    """Execution samples of a JFR recording (Java threads only: JIT compiler and GC threads
    are native, see ``server_threads_cpu``): shares by thread, by what the innermost
    ``org.neo4j`` frame was doing, and by top frame; plus GC pause time."""
    tool = _jfr_tool()
    if tool is None:
        return {"error": "no jfr tool"}
    raw = subprocess.run(
        [tool, "print", "--json", "--events", "jdk.ExecutionSample,jdk.GCPhasePause", str(path)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    events = json.loads(raw)["recording"]["events"]
    by_self: collections.Counter[str] = collections.Counter()
    by_cat: collections.Counter[str] = collections.Counter()
    threads: collections.Counter[str] = collections.Counter()
    samples = 0
    gc_pause = 0.0
    for ev in events:
        vals = ev["values"]
        if ev["type"] == "jdk.GCPhasePause":
            gc_pause += _iso_seconds(vals.get("duration", "0"))
            continue
        frames = ((vals.get("stackTrace") or {}).get("frames")) or []
        if not frames:
            continue
        samples += 1
        threads[re.sub(r"\d+", "#", (vals.get("sampledThread") or {}).get("javaName") or "?")] += 1
        names = [f"{f['method']['type']['name'].replace('/', '.')}.{f['method']['name']}" for f in frames]
        by_self[names[0]] += 1
        by_cat[_category(names)] += 1

    def share(c: collections.Counter[str]) -> dict[str, float]:
        return {k: round(100 * n / max(1, samples), 1) for k, n in c.most_common(top)}

    return {
        "samples": samples,
        "gc_pause_seconds": round(gc_pause, 2),
        "threads_pct": share(threads),
        "category_pct": share(by_cat),
        "top_frame_pct": share(by_self),
    }


def _iso_seconds(text: Any) -> float:
    if isinstance(text, (int, float)):
        return float(text) / 1e9
    m = re.fullmatch(r"PT(?:(\d+)M)?([\d.]+)S", str(text))
    return (int(m.group(1) or 0) * 60 + float(m.group(2))) if m else 0.0


# -- driver ------------------------------------------------------------------------------------


def warmup_slice(
    orgs: list[list[Any]], ties: list[list[Any]], fraction: float
) -> tuple[list[list[Any]], list[list[Any]]]:
    """The first *fraction* of the ties and the organisations they join (at least the first
    *fraction* of the organisations): a warm-up load of the same shape."""
    part = ties[: max(1, int(len(ties) * fraction))]
    ids = {row[0] for row in orgs[: int(len(orgs) * fraction)]}
    ids.update(x for row in part for x in row[:2])
    return [row for row in orgs if row[0] in ids], part


def clear(driver: Any) -> None:
    """Empty the database: every node and relationship, every constraint and index."""
    with driver.session(database="neo4j") as session:
        session.run("MATCH (n) CALL { WITH n DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS").consume()
        for rec in session.run("SHOW CONSTRAINTS YIELD name").data():
            session.run(f"DROP CONSTRAINT `{rec['name']}`").consume()
        for rec in session.run("SHOW INDEXES YIELD name, type WHERE type <> 'LOOKUP' RETURN name").data():
            session.run(f"DROP INDEX `{rec['name']}`").consume()


@contextlib.contextmanager
def server(instance: Path, heap: str, pagecache: str) -> Iterator[tuple[Any, Any]]:
    """A throwaway server on an empty data folder and a driver for it; stopped on exit, always."""
    shutil.rmtree(instance / "data", ignore_errors=True)
    info = neo4j_server.start(
        instance=instance, auth=False, heap=heap, pagecache=pagecache, die_with_parent=True
    )
    try:
        with GraphDatabase.driver(info.url, auth=None, notifications_min_severity="OFF") as driver:
            driver.verify_connectivity()
            yield info, driver
    finally:
        neo4j_server.stop(instance=instance)


def warm_up(
    info: Any, driver: Any, v: Variant, orgs: list[list[Any]], ties: list[list[Any]], fraction: float
) -> dict[str, Any]:
    """Load *fraction* of the data as *v* does, then delete it and the schema: a warm JIT."""
    w_orgs, w_ties = warmup_slice(orgs, ties, fraction)
    began, cpu0 = time.perf_counter(), proc_cpu(info.pid)
    w = load(driver, info.pid, w_orgs, w_ties, v)
    clear(driver)
    return {
        "variant": v.name,
        "organizations": len(w_orgs),
        "collaborations": len(w_ties),
        "load_seconds": w["total"]["seconds"],
        "load_server_cpu": w["total"]["server_cpu"],
        "seconds_with_clear": round(time.perf_counter() - began, 1),
        "server_cpu_with_clear": round(proc_cpu(info.pid) - cpu0, 1),
        "server_threads_cpu": w["server_threads_cpu"],
    }


def measure(
    info: Any, driver: Any, v: Variant, orgs: list[list[Any]], ties: list[list[Any]], profile: bool
) -> dict[str, Any]:
    """One measured load on the (empty) database of *info*, with a JFR recording if *profile*."""
    jfr = info.instance / f"{v.name}.jfr"
    if profile:
        subprocess.run(
            ["jcmd", str(info.pid), "JFR.start", "name=floor", "settings=profile", f"filename={jfr}"],
            check=True,
            capture_output=True,
        )
    out = load(driver, info.pid, orgs, ties, v)
    if profile:
        subprocess.run(["jcmd", str(info.pid), "JFR.stop", "name=floor"], check=True, capture_output=True)
        out["jfr"] = jfr_summary(jfr)
        jfr.unlink(missing_ok=True)
    out["server_start_seconds"] = round(info.seconds, 1)
    out["jvm_tool_options"] = os.environ.get("JAVA_TOOL_OPTIONS") or None
    return out


def _row(name: str, r: dict[str, Any]) -> str:
    if "error" in r:
        return f"{name:32s} ERROR {r['error'][:80]}"
    t = r.get("transactions") or {}
    idx = r.get("schema_after", {}).get("seconds")
    return (
        f"{name:32s} nodes {r['nodes']['seconds']:6.1f}s  rels {r['rels']['seconds']:6.1f}s"
        + (f"  index {idx:5.1f}s" if idx is not None else "")
        + f"  total {r['total']['seconds']:6.1f}s  {r['rels_per_second_total']:6d} rels/s"
        + f"  client {r['total']['client_cpu']:5.1f}  server {r['total']['server_cpu']:5.1f}"
        + f"  other {r['total']['other_cpu']:4.1f}"
        + (f"  retries {t['retries']}" if t.get("retries") else "")
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA, help="demo folder with the two CSVs")
    ap.add_argument(
        "--variants", default=",".join(DEFAULT_VARIANTS), help="comma-separated names (see --list)"
    )
    ap.add_argument("--heap", default=neo4j_server.DEFAULT_HEAP)
    ap.add_argument("--pagecache", default=neo4j_server.DEFAULT_PAGECACHE)
    ap.add_argument("--profile", default="", help="comma-separated variants to record with JFR")
    ap.add_argument(
        "--warmup",
        type=float,
        default=0.0,
        help="first load this fraction of the data with the same variant and delete it (warm JIT)",
    )
    ap.add_argument(
        "--reuse-server",
        action="store_true",
        help="one server for all variants (emptied between them), so later ones run on a warm JIT",
    )
    ap.add_argument("--jvm", default="", help="extra JVM flags for the server (via JAVA_TOOL_OPTIONS)")
    ap.add_argument("--tag", default="", help="suffix for the variant names in the results (e.g. -warm)")
    ap.add_argument("--out", type=Path, default=RESULTS)
    ap.add_argument("--list", action="store_true", help="print the variants and exit")
    ap.add_argument(
        "--summarize", action="store_true", help="only recompute the best_* entries of --out and exit"
    )
    args = ap.parse_args(argv)
    if args.summarize:
        doc = json.loads(args.out.read_text())
        for run in doc.get("runs", {}).values():
            summarize(run)
        args.out.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
        print(
            json.dumps(
                {k: {b: r.get(b) for b in r if b.startswith("best")} for k, r in doc["runs"].items()},
                indent=1,
            )
        )
        return 0
    if args.list:
        for v in VARIANTS.values():
            print(
                f"{v.name:32s} {v.mode:10s} batch={v.batch:<6d} match={v.match:4s} nodes={v.nodes:4s} "
                f"rels={v.rels:5s} schema={v.schema:10s} {v.note}"
            )
        return 0
    names = [n.strip() for n in args.variants.split(",") if n.strip()]
    unknown = [n for n in names if n not in VARIANTS]
    if unknown:
        ap.error(f"unknown variants {unknown}; see --list")
    profile = {n.strip() for n in args.profile.split(",") if n.strip()}

    if args.jvm:
        os.environ["JAVA_TOOL_OPTIONS"] = args.jvm
    load_avg = os.getloadavg()
    began = time.perf_counter()
    orgs, ties = read_data(args.data)
    print(
        f"read {len(orgs)} organisations, {len(ties)} collaborations from {args.data} "
        f"in {time.perf_counter() - began:.1f} s; load average {load_avg}",
        flush=True,
    )

    results: dict[str, Any] = {}
    invocation = {
        "measured": time.strftime("%Y-%m-%d %H:%M:%S"),
        "load_average_at_start": [round(x, 2) for x in load_avg],
        "sched": _sched(),  # "fifo" under chrt -f; the server inherits it
        "reuse_server": args.reuse_server,
        "warmup_fraction": args.warmup,
        "jvm_tool_options": args.jvm or None,
        "heap": args.heap,
        "pagecache": args.pagecache,
    }

    def run(name: str, info: Any, driver: Any, warm: dict[str, Any] | None, position: int) -> None:
        key = name + args.tag
        try:
            results[key] = measure(info, driver, VARIANTS[name], orgs, ties, name in profile)
            results[key]["warmup"] = warm
            results[key]["position_on_server"] = position
            results[key]["invocation"] = invocation
            if name in profile:  # JFR.start makes the JIT compile much of the code again
                results[key]["timing_disturbed_by_profiler"] = True
        except Exception as exc:  # record it and go on with the next variant
            results[key] = {"variant": asdict(VARIANTS[name]), "error": f"{type(exc).__name__}: {exc}"}
        print(_row(key, results[key]), flush=True)

    with tempfile.TemporaryDirectory(prefix="neo4j-floor-") as tmp:
        instance = Path(tmp) / "instance"
        if args.reuse_server:  # one JVM: warm-up (optional), then every variant, emptied between
            with server(instance, args.heap, args.pagecache) as (info, driver):
                warm = None
                if args.warmup > 0:
                    warm = warm_up(info, driver, VARIANTS[names[0]], orgs, ties, args.warmup)
                    print(
                        f"warm-up with {names[0]}: {warm['load_seconds']} s load, "
                        f"{warm['seconds_with_clear']} s with the clear",
                        flush=True,
                    )
                for i, name in enumerate(names):
                    run(name, info, driver, warm, i)
                    began = time.perf_counter()
                    clear(driver)
                    results[name + args.tag]["clear_seconds"] = round(time.perf_counter() - began, 1)
        else:  # a fresh JVM and data folder per variant
            for name in names:
                try:
                    with server(instance, args.heap, args.pagecache) as (info, driver):
                        warm = None
                        if args.warmup > 0:
                            warm = warm_up(info, driver, VARIANTS[name], orgs, ties, args.warmup)
                        run(name, info, driver, warm, 0)
                except Exception as exc:  # the server did not start or stop
                    results[name + args.tag] = {
                        "variant": asdict(VARIANTS[name]),
                        "error": f"{type(exc).__name__}: {exc}",
                    }
                    print(_row(name + args.tag, results[name + args.tag]), flush=True)

    doc: dict[str, Any] = {}
    if args.out.is_file():
        doc = json.loads(args.out.read_text())
    doc.update({
        "benchmark": "neo4j-floor",
        "what": __doc__.split("\n\n")[0].strip(),
        "neo4j": neo4j_server.NEO4J_VERSION,
        "target_rels_per_second": TARGET_RELS_PER_S,
    })  # fmt: skip
    runs = doc.setdefault("runs", {})
    run = runs.setdefault(args.data.name, {})
    run.update(
        {
            "organizations": len(orgs),
            "collaborations": len(ties),
            "last_measured": invocation["measured"],
            "machine": {
                "cpus": os.cpu_count(),
                "memory_gib": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
                "python": platform.python_version(),
            },
            "server_defaults": {
                "heap": neo4j_server.DEFAULT_HEAP,
                "pagecache": neo4j_server.DEFAULT_PAGECACHE,
            },
            "notes": NOTES,
        }
    )
    run.setdefault("variants", {}).update(results)
    summarize(run)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
    print(f"wrote {args.out}")
    return 0 if all("error" not in r for r in results.values()) else 1


def _full_schema(r: dict[str, Any]) -> bool:
    v = r["variant"]
    return v["nodes"] == "full" and v["rels"] == "full" and v["schema"] in ("before", "after")


def _warm(r: dict[str, Any]) -> bool:
    return bool(r.get("warmup") or r.get("position_on_server"))


def summarize(run: dict[str, Any]) -> None:
    """Set ``best_*`` of one data set's results: the fastest variant overall, and the fastest
    that writes every property and ends up with the full schema (the project's target), on a
    fresh JVM and on a warm one. Errors and profiled runs do not count."""
    ok = {
        k: r
        for k, r in run.get("variants", {}).items()
        if "error" not in r and "timing_disturbed_by_profiler" not in r
    }
    picks = {
        "best_any": lambda r: True,
        "best_full_schema_fresh_jvm": lambda r: _full_schema(r) and not _warm(r),
        "best_full_schema_warm_jvm": lambda r: _full_schema(r) and _warm(r),
    }
    for key in [k for k in run if k.startswith("best")]:
        del run[key]
    for label, pick in picks.items():
        chosen = {k: r for k, r in ok.items() if pick(r)}
        if chosen:
            best = min(chosen, key=lambda k: chosen[k]["total"]["seconds"])
            run[label] = {
                "variant": best,
                "seconds": ok[best]["total"]["seconds"],
                "rels_per_second": ok[best]["rels_per_second_total"],
                "meets_target": ok[best]["meets_target"],
            }


def _sched() -> str:
    try:
        policy = os.sched_getscheduler(0)
    except OSError:
        return "?"
    return {os.SCHED_OTHER: "other", os.SCHED_FIFO: "fifo", os.SCHED_RR: "rr"}.get(policy, str(policy))


if __name__ == "__main__":
    sys.exit(main())
