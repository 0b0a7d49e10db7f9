"""Analysis-cache benchmark: reading a cached weak-link report back, against the bare libraries.

    .venv/bin/python benchmarks/cache.py                 # 10k and 50k organisations
    .venv/bin/python benchmarks/cache.py --orgs 10000    # one size

For each size: load the demo into a fresh SQLite store, compute the weak-link report once
(cold, written to the cache), then read it back through the workspace's cache
(``ecograph.cached_results``: JSON, checked) several times, and time the floors on the same
report in the same run: ``json.loads`` of the cache file alone, and ``pickle.loads`` of the
report (the format the cache used before, which could run code). Writes
``benchmarks/results/cache.json`` with the load average at the start.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "benchmarks"]
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "benchmarks" / "results"
REPEATS = 7


def _median_seconds(fn) -> float:
    times = []
    for _ in range(REPEATS):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return round(statistics.median(times), 4)


def run_size(orgs: int) -> dict:
    import ecograph
    from ecograph import api
    from ecograph.workspace import Workspace

    folder = Path(tempfile.mkdtemp(prefix="ecograph-cache-bench-"))
    url = f"sqlite:///{folder / 'bench.db'}"
    ecograph.demo(url, orgs=orgs, seed=1)
    out: dict = {"organisations": orgs, "load_average_at_start": os.getloadavg()[0]}
    with Workspace(url, cache_dir=folder / "cache") as ws:
        t = time.perf_counter()
        report = api.weak_links(ws)
        out["report_cold_seconds"] = round(time.perf_counter() - t, 3)
        (entry,) = (folder / "cache").glob("*-weak-links-*.json")
        data = entry.read_bytes()
        out["cache_file_bytes"] = len(data)
        out["report_warm_seconds"] = _median_seconds(lambda: api.weak_links(ws))
    pickled = pickle.dumps(report, protocol=pickle.HIGHEST_PROTOCOL)
    out["floor_json_loads_seconds"] = _median_seconds(lambda: json.loads(data))
    out["pickle_loads_seconds"] = _median_seconds(lambda: pickle.loads(pickled))
    out["warm_over_json_floor"] = round(out["report_warm_seconds"] / out["floor_json_loads_seconds"], 2)
    print(f"  {orgs}: {json.dumps(out)}", flush=True)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--orgs", type=int, action="append", help="sizes (default 10000 and 50000)")
    args = parser.parse_args()
    runs = [run_size(n) for n in args.orgs or [10_000, 50_000]]
    result = {
        "benchmark": "cache",
        "measured": time.strftime("%Y-%m-%d %H:%M:%S"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "priority": "normal"},
        "repeats": REPEATS,
        "targets": {"report_warm_seconds": 1},
        "runs": runs,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / "cache.json"
    path.write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
