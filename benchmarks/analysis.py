"""Analysis benchmark: each weak-link family and every centrality on demo ecosystems.

    .venv/bin/python benchmarks/analysis.py                 # 10k and 50k organisations
    .venv/bin/python benchmarks/analysis.py --orgs 10000    # one size

For each size: load the demo into a fresh SQLite store, then time every centrality
measure, each family of the weak-link report on its own, the whole report cold, and the
whole report again through the store's cache (warm). Writes
``benchmarks/results/analysis.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
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


def _timed(fn):
    t = time.perf_counter()
    result = fn()
    return round(time.perf_counter() - t, 3), result


def run_size(orgs: int) -> dict:
    import ecograph
    from ecograph import analysis, api
    from ecograph.workspace import Workspace

    folder = Path(tempfile.mkdtemp(prefix="ecograph-analysis-bench-"))
    url = f"sqlite:///{folder / 'bench.db'}"
    load_s, _ = _timed(lambda: ecograph.demo(url, orgs=orgs, seed=1))
    out: dict = {"organisations": orgs, "demo_load_seconds": load_s}
    with Workspace(url, cache_dir=folder / "cache") as ws:
        out["snapshot_seconds"], G = _timed(lambda: ws.graph)
        out["ties"] = G.number_of_edges()
        out["backend"] = analysis.resolve_backend(None)
        centralities = {}
        for measure in analysis.MEASURES:
            seconds, result = _timed(lambda m=measure: analysis.centrality(G, m))
            centralities[measure] = {"seconds": seconds, "method": result.method, "backend": result.backend}
            print(
                f"  {orgs}: centrality {measure}: {seconds} s ({result.method}, {result.backend})", flush=True
            )
        out["centrality"] = centralities
        families = {}
        for section in analysis.SECTIONS:
            seconds, _ = _timed(lambda s=section: analysis.weak_link_report(ws.snapshot, sections=(s,)))
            families[section] = seconds
            print(f"  {orgs}: family {section}: {seconds} s", flush=True)
        out["families"] = families
        out["report_cold_seconds"], _ = _timed(lambda: api.weak_links(ws))
        out["report_warm_seconds"], _ = _timed(lambda: api.weak_links(ws))
        print(
            f"  {orgs}: report cold {out['report_cold_seconds']} s, warm {out['report_warm_seconds']} s",
            flush=True,
        )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--orgs", type=int, action="append", help="sizes (default 10000 and 50000)")
    args = parser.parse_args()
    sizes = args.orgs or [10_000, 50_000]
    runs = [run_size(n) for n in sizes]
    result = {
        "benchmark": "analysis",
        "measured": time.strftime("%Y-%m-%d %H:%M:%S"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "targets": {
            "report_cold_seconds": {"10000": 30, "50000": 120},
            "report_warm_seconds": 1,
            "centrality_seconds_at_10000": 5,
        },
        "runs": runs,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / "analysis.json"
    path.write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
