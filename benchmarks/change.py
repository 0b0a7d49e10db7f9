"""Change-over-time benchmark: ``compare`` and ``scorecard`` on the 50,000-organisation demo, the page on 10,000.

    .venv/bin/python benchmarks/change.py                      # 50k compare/scorecard, 10k page
    .venv/bin/python benchmarks/change.py --orgs 10000 --page-orgs 2000 --runs 1   # a quick look

For the demo store of ``--orgs`` organisations (``benchmarks/data/change-<orgs>-1.db``, made
once; its analyses' cache emptied first) it measures, at normal priority:

- **compare** (2020–2022 against 2023–2025) and **scorecard** (every province, the ten
  default years): cold — a fresh process running the command with an empty cache, as a
  user meets it, and the same call in-process split as ``ecograph.api`` runs it: reading
  the store's columns, building the two period projections (networkx graphs, which
  ``compare`` takes) and the analysis, the scorecard's from the columns; warm — the call again on the unchanged store
  (the disk cache), in-process and as a whole command (Python's start and imports included);
- the **floor**: the same core work done by the bare libraries — the ties read with
  ``sqlite3``, masked by period in numpy, and igraph's components, bridges, articulation
  points, constraint and betweenness from the same 128 sources on both periods (compare),
  or components and bridges for each of the ten years (scorecard). Each time is also given as
  a ratio to its floor, so that a busy machine does not move the verdict.

With ``--page-orgs`` it then serves that store in the explorer and times, in headless
Chromium, the "Change over time" page from ``page.goto`` until every element has drawn:
both views, cold (nothing cached) and warm (the explorer's caches warm, the browser coming back).

The 1-minute load average is recorded at the start and the end of each part (``--only``
measures one part again and keeps the other's last results). Writes
``benchmarks/results/change.json``. Targets: compare ≤ 30 s cold and ≤ 1 s warm on 50k;
scorecard ≤ 20 s cold and ≤ 1 s warm; the page ≤ 3 s warm on 10k.
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import json
import os
import platform
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Run as a script, this folder comes first on the path and benchmarks/loaders.py would hide the
# loaders package: put the repository and the tests' helpers there instead.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "benchmarks"]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

RESULTS = ROOT / "benchmarks" / "results"
DATA = ROOT / "benchmarks" / "data"
FROM, TO = "2020-2022", "2023-2025"
TARGETS = {
    "compare_cold_s": 30.0,
    "compare_warm_s": 1.0,
    "scorecard_cold_s": 20.0,
    "scorecard_warm_s": 1.0,
    "page_warm_s": 3.0,
}


def _timed(fn):
    start = time.perf_counter()
    result = fn()
    return round(time.perf_counter() - start, 3), result


def _split(out: dict, name: str, fn):
    """Time *fn* as ``<name>_s`` (wall) and ``<name>_cpu_s`` (this process's CPU) in *out*."""
    cpu = time.process_time()
    out[f"{name}_s"], result = _timed(fn)
    out[f"{name}_cpu_s"] = round(time.process_time() - cpu, 3)
    return result


def demo_store(orgs: int) -> str:
    """The demo store of *orgs* organisations (made once), with its analyses' cache emptied."""
    import ecograph
    from ecograph.errors import StoreUnavailable

    DATA.mkdir(parents=True, exist_ok=True)
    db = DATA / f"change-{orgs}-1.db"
    url = f"sqlite:///{db}"
    try:
        with ecograph.open_store(url) as store:
            ready = store.counts()["organizations"] == orgs
    except StoreUnavailable:  # made by an older ecograph: the data folder is only a cache
        ready = False
    if not ready:
        for old in db.parent.glob(db.name + "*"):
            shutil.rmtree(old) if old.is_dir() else old.unlink()
        print(f"making the demo store {db} …", file=sys.stderr)
        ecograph.demo(url, orgs=orgs, seed=1)
    shutil.rmtree(db.with_name(db.name + ".cache"), ignore_errors=True)
    return url


def _command(url: str, cache: Path, *args: str) -> dict:
    """Wall and CPU seconds of one ``ecograph`` command in a fresh process (start and imports included)."""
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("ECOGRAPH_")},
        "ECOGRAPH_CACHE_DIR": str(cache),
    }
    cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-c", "from ecograph.cli import main; main()", *args, "--store", url],
        check=True,
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )
    wall = time.perf_counter() - start
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {
        "s": round(wall, 3),
        "cpu_s": round(used.ru_utime + used.ru_stime - cpu.ru_utime - cpu.ru_stime, 3),
    }


# -- the floor: the bare libraries doing the core work ------------------------------------------


def _columns(path: str):
    import numpy as np

    db = sqlite3.connect(path)
    ids = [r[0] for r in db.execute("SELECT id FROM organizations")]
    index = {v: i for i, v in enumerate(ids)}
    rows = db.execute(
        'SELECT source, target, substr(start, 1, 4), substr("end", 1, 4) FROM collaborations'
    ).fetchall()
    db.close()
    src = np.fromiter((index[r[0]] for r in rows), np.int64, len(rows))
    dst = np.fromiter((index[r[1]] for r in rows), np.int64, len(rows))
    start = np.array([float(r[2]) if r[2] else np.nan for r in rows])
    end = np.array([float(r[3]) if r[3] else np.nan for r in rows])
    return len(ids), src, dst, start, end


def _graph(n, src, dst, start, end, first: int, last: int):
    import igraph as ig
    import numpy as np

    keep = ~(np.isnan(start) & np.isnan(end)) & ~(start > last) & ~(end < first)
    a, b = np.minimum(src[keep], dst[keep]), np.maximum(src[keep], dst[keep])
    pairs = np.unique(a * n + b)
    return ig.Graph(n=n, edges=np.column_stack((pairs // n, pairs % n)).tolist())


def floor_compare(path: str) -> None:
    import random

    from ecograph.analysis.change import BROKER_SAMPLES

    n, src, dst, start, end = _columns(path)
    sources = random.Random(0).sample(range(n), BROKER_SAMPLES)
    for first, last in ((2020, 2022), (2023, 2025)):
        g = _graph(n, src, dst, start, end, first, last)
        g.connected_components()
        g.bridges()
        g.articulation_points()
        g.constraint()
        g.betweenness(sources=sources)


def floor_scorecard(path: str, years: range) -> None:
    n, src, dst, start, end = _columns(path)
    for year in years:
        g = _graph(n, src, dst, start, end, year, year)
        g.connected_components()
        g.bridges()


# -- ecograph ------------------------------------------------------------------------------------


def _breakdown(url: str, scratch: Path, out: dict):
    """Where a cold comparison's and scorecard's time goes, step by step; returns the scorecard's years."""
    from ecograph import analysis, api
    from ecograph.workspace import Workspace

    with Workspace(url, cache_dir=scratch / "c3") as ws:
        columns = _split(out, "read_store", lambda: ws.columns)
        out["organisations"], out["collaborations"] = columns.n, columns.m
        before, after = _split(
            out, "period_projections", lambda: (ws.for_period(FROM).graph, ws.for_period(TO).graph)
        )
        _split(out, "compare_analysis", lambda: analysis.compare(before, after))
        years = api.scorecard_years(ws)
        out["scorecard_years"] = [years.first, years.last]
        _split(out, "scorecard_analysis", lambda: analysis.scorecard(columns, list(years.years())))

    return years


def measure_analyses(url: str, runs: int) -> dict:
    from ecograph import api
    from ecograph.workspace import Workspace

    path = url.removeprefix("sqlite:///")
    scratch = Path(tempfile.mkdtemp(prefix="ecograph-change-bench-"))
    out: dict = {}
    # Cold, as a user meets it: a fresh process, an empty cache.
    out["compare_command_cold_s"] = _command(
        url, scratch / "c1", "compare", "--from", FROM, "--to", TO, "--format", "json"
    )
    out["compare_command_warm_s"] = _command(
        url, scratch / "c1", "compare", "--from", FROM, "--to", TO, "--format", "json"
    )
    out["scorecard_command_cold_s"] = _command(url, scratch / "c2", "scorecard", "--format", "json")
    out["scorecard_command_warm_s"] = _command(url, scratch / "c2", "scorecard", "--format", "json")
    # In-process: where the cold time goes (its graphs freed before the runs below, which
    # would otherwise pay for the garbage collector scanning them), then cold and warm calls.
    years = _breakdown(url, scratch, out)
    gc.collect()

    def compare(cache: Path) -> dict:
        with Workspace(url, cache_dir=cache) as ws:  # a new workspace: like a second command
            return api.compare(ws, from_period=FROM, to_period=TO)

    def scorecard(cache: Path) -> dict:
        with Workspace(url, cache_dir=cache) as ws:
            return api.scorecard(ws)

    runs_of: dict[str, list[dict]] = {"compare": [], "scorecard": []}
    for run in range(runs):
        cache = scratch / f"run{run}"
        for name, call in (
            ("compare", lambda c=cache: compare(c)),
            ("scorecard", lambda c=cache: scorecard(c)),
        ):
            gc.collect()
            timing: dict = {}
            _split(timing, "cold", call)
            _split(timing, "warm", call)
            runs_of[name].append(timing)
    for name, timings in runs_of.items():
        for kind in ("cold", "warm"):
            out[f"{name}_{kind}"] = {
                **_summary([t[f"{kind}_s"] for t in timings]),
                "cpu_median_s": round(statistics.median(t[f"{kind}_cpu_s"] for t in timings), 3),
            }
    _split(out, "floor_compare", lambda: floor_compare(path))
    _split(out, "floor_scorecard", lambda: floor_scorecard(path, range(years.first, years.last + 1)))
    for name in ("compare", "scorecard"):
        out[f"{name}_cold_to_floor"] = round(out[f"{name}_cold"]["median_s"] / out[f"floor_{name}_s"], 2)
        out[f"{name}_cold_to_floor_cpu"] = round(
            out[f"{name}_cold"]["cpu_median_s"] / out[f"floor_{name}_cpu_s"], 2
        )
    shutil.rmtree(scratch, ignore_errors=True)
    return out


def _summary(runs: list[float]) -> dict:
    return {"median_s": round(statistics.median(runs), 3), "runs_s": [round(r, 3) for r in runs]}


def measure_page(url: str, runs: int, timeout_s: float) -> dict:
    import browser_support as bs

    spec = importlib.util.spec_from_file_location("explorer_benchmark", ROOT / "benchmarks" / "explorer.py")
    explorer = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(explorer)  # its timing helpers: one way of saying "drawn" for every page
    views = {"compare": f"change?from={FROM}&to={TO}", "scorecard": "change?view=scorecard"}
    heading = {"compare": "Change from 2020–2022 to 2023–2025", "scorecard": "Scorecard by province"}

    def visit(context, app, view: str, limit: float) -> float:
        return round(explorer.page_view(context, app, views[view], heading[view], limit), 3)

    out: dict = {}
    log_dir = DATA / "change-logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    viewport = {"width": 1400, "height": 1600}
    with bs.browser() as chromium, bs.serve(url, log_dir=log_dir, timeout=120) as app:
        out["chromium"] = chromium.version
        context = chromium.new_context(viewport=viewport)
        for view in views:
            out[f"{view}_cold_s"] = visit(context, app, view, timeout_s)
        warm: dict[str, list[float]] = {view: [] for view in views}
        overview: list[dict] = []
        for _ in range(runs):
            for view in views:
                warm[view].append(visit(context, app, view, 120))
            overview.append(explorer.overview(context, app, 120))
        context.close()
    for view in views:
        out[f"{view}_warm"] = _summary(warm[view])
    # For scale, in the same run: Streamlit's own page shell, and the Overview page complete.
    out["app_shell_warm"] = _summary([r["app_shell_s"] for r in overview])
    out["overview_warm"] = _summary([r["complete_s"] for r in overview])
    return out


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--orgs", type=int, default=50_000)
    parser.add_argument("--page-orgs", type=int, default=10_000, help="0 leaves the page out")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--timeout", type=float, default=900, help="seconds allowed for one cold page")
    parser.add_argument(
        "--only",
        choices=("analyses", "page"),
        help="measure one part again, keeping the other's last results",
    )
    args = parser.parse_args()
    path = RESULTS / "change.json"
    last = json.loads(path.read_text(encoding="utf-8")) if args.only and path.exists() else {}
    out: dict = {
        "benchmark": "change",
        "measured": time.strftime("%Y-%m-%d %H:%M:%S"),
        "machine": {
            "platform": platform.platform(),
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
            "priority": "normal"
            if os.sched_getscheduler(0) == os.SCHED_OTHER and os.nice(0) == 0
            else "changed",
        },
        "periods": [FROM, TO],
    }
    if args.only != "page":
        print(f"compare and scorecard on {args.orgs:,} organisations …", file=sys.stderr)
        out["analyses"] = {
            "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
            **measure_analyses(demo_store(args.orgs), args.runs),
            "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
        }
    else:
        out["analyses"] = last["analyses"]
    if args.page_orgs and args.only != "analyses":
        print(f"the page on {args.page_orgs:,} organisations …", file=sys.stderr)
        out["page"] = {
            "organisations": args.page_orgs,
            "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
            **measure_page(demo_store(args.page_orgs), args.runs, args.timeout),
            "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
        }
    elif "page" in last:
        out["page"] = last["page"]
    out["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    a = out["analyses"]
    measured = {
        "compare_cold_s": a["compare_cold"]["median_s"],
        "compare_warm_s": a["compare_warm"]["median_s"],
        "scorecard_cold_s": a["scorecard_cold"]["median_s"],
        "scorecard_warm_s": a["scorecard_warm"]["median_s"],
    }
    if "page" in out:
        measured["page_warm_s"] = max(
            out["page"]["compare_warm"]["median_s"], out["page"]["scorecard_warm"]["median_s"]
        )
    out["targets"] = {
        k: {"target": TARGETS[k], "measured": v, "met": v <= TARGETS[k]} for k, v in measured.items()
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(out, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(json.dumps(out, indent=2, ensure_ascii=False))
    print(f"wrote {path.relative_to(ROOT)}", file=sys.stderr)


if __name__ == "__main__":
    main()
