"""The weak-link report's second process: the same numbers as one process, only where it is
wanted, a fallback when it fails, and a child that ends with its parent."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import ClassVar

import numpy as np
import pytest

from ecograph import graph_worker
from ecograph.analysis import report as report_module
from ecograph.analysis import weak_link_report
from ecograph.errors import UsageError
from ecograph.graph_worker import MIN_TIES, GraphWorker, wanted
from ecograph.workspace import Workspace

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def demo(demo_store_url):
    with Workspace(demo_store_url, cache_dir=False) as ws:
        yield ws.network, ws.arcs


class Counting:
    """Stands in for GraphWorker in the report, counting the processes it would start."""

    started = 0

    def __init__(self, *args, **kwargs):
        Counting.started += 1
        self._real = GraphWorker(*args, **kwargs)

    def done(self, i):
        return self._real.done(i)

    def result(self, i):
        return self._real.result(i)

    def close(self):
        self._real.close()


def _report(N, D, processes, monkeypatch, **kwargs):
    monkeypatch.setenv("ECOGRAPH_PROCESSES", processes)
    Counting.started = 0
    monkeypatch.setattr(report_module, "GraphWorker", Counting)
    return json.dumps(weak_link_report(network=N, directed=D, **kwargs)), Counting.started


@pytest.mark.parametrize("k", [None, 64])  # the demo's exact betweenness, then sampled
@pytest.mark.parametrize("method", ["louvain", "leiden"])
def test_two_processes_give_the_report_of_one(demo, monkeypatch, k, method):
    N, D = demo
    one, started_one = _report(N, D, "1", monkeypatch, k=k, method=method)
    two, started_two = _report(N, D, "2", monkeypatch, k=k, method=method)
    assert (started_one, started_two) == (0, 1)
    assert two == one


def test_only_the_sections_asked_for_go_to_the_second_process(demo, monkeypatch):
    N, D = demo
    for sections in (("gaps",), ("communities",), ("resilience",), ("brokers", "communities")):
        one, _ = _report(N, D, "1", monkeypatch, sections=sections)
        two, started = _report(N, D, "2", monkeypatch, sections=sections)
        assert two == one, sections
        assert started == (sections != ("gaps",)), sections


def test_a_small_network_stays_in_one_process_by_default(demo, monkeypatch):
    N, D = demo
    assert N.m < MIN_TIES
    _, started = _report(N, D, "auto", monkeypatch)
    assert started == 0
    # networkx's algorithms are not igraph's: they never go to the igraph worker
    _, started = _report(N, D, "2", monkeypatch, backend="networkx", sections=("communities",))
    assert started == 0


def test_the_setting_and_the_threshold(monkeypatch):
    monkeypatch.setattr(graph_worker, "_cores", lambda: 2)
    monkeypatch.delenv("ECOGRAPH_PROCESSES", raising=False)
    assert not wanted(MIN_TIES - 1)
    assert wanted(MIN_TIES)
    monkeypatch.setattr(graph_worker, "_cores", lambda: 1)  # nothing to run it beside
    assert not wanted(10 * MIN_TIES)
    monkeypatch.setenv("ECOGRAPH_PROCESSES", "2")
    assert wanted(1)
    monkeypatch.setenv("ECOGRAPH_PROCESSES", "1")
    monkeypatch.setattr(graph_worker, "_cores", lambda: 16)
    assert not wanted(10 * MIN_TIES)
    monkeypatch.setenv("ECOGRAPH_PROCESSES", "many")
    with pytest.raises(UsageError, match="ECOGRAPH_PROCESSES"):
        wanted(1)


def test_a_failed_second_process_leaves_the_work_to_this_one(demo, monkeypatch):
    N, D = demo
    one, _ = _report(N, D, "1", monkeypatch)
    monkeypatch.setattr(graph_worker.sys, "executable", str(ROOT / "no-such-python"))
    two, started = _report(N, D, "2", monkeypatch)
    assert started == 1
    assert two == one


def test_the_worker_answers_in_order_and_reports_a_failed_job():
    u, v = np.array([0, 1, 2]), np.array([1, 2, 3])
    jobs = [
        {"job": "betweenness", "sources": [0]},
        {"job": "no such job"},
        {"job": "betweenness", "sources": None},
    ]
    with GraphWorker(4, u, v, jobs=jobs) as worker:
        assert worker.result(0).tolist() == [
            0.0,
            1.0,
            0.5,
            0.0,
        ]  # igraph halves each pair in an undirected graph
        assert worker.result(1) is None  # failed there: computed here instead
        assert worker.result(2) is None  # the child is gone with it


def test_a_killed_worker_is_a_failed_one():
    u, v = np.array([0, 1]), np.array([1, 2])
    with GraphWorker(3, u, v, jobs=[{"job": "betweenness", "sources": None}]) as worker:
        worker._proc.kill()
        assert worker.result(0) is None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie has ended: it waits only for its (new) parent to reap it
    stat = Path(f"/proc/{pid}/stat")
    return not (stat.exists() and stat.read_text().split(") ", 1)[1].startswith("Z"))


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the parent-death signal is Linux's")
def test_the_worker_ends_with_its_parent():
    # The parent hands over a graph whose exact betweenness would take hours, then dies.
    parent = """
import os, sys
import numpy as np
from ecograph.graph_worker import GraphWorker
n = 200_000
u = np.arange(n); v = (u + 1) % n
w = GraphWorker(n, u, v, jobs=[{"job": "betweenness", "sources": None}])
w._writer.join()
print(w._proc.pid, flush=True)
os._exit(0)
"""
    out = subprocess.run(  # the child's stderr is the parent's: not a pipe that waits for it
        [sys.executable, "-c", parent],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        cwd=ROOT,
        check=True,
        timeout=120,
    )
    child = int(out.stdout.split()[0])
    try:
        deadline = time.monotonic() + 60
        while _alive(child) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not _alive(child)
    finally:
        if _alive(child):
            os.kill(child, signal.SIGKILL)


class Busy(Counting):
    """A second process that has answered nothing yet whenever it is asked."""

    asked: ClassVar[list] = []

    def done(self, i):
        return False

    def result(self, i):
        Busy.asked.append(i)
        return self._real.result(i)


def test_the_last_blocks_of_sources_are_computed_here_while_the_child_works(demo, monkeypatch):
    N, _ = demo
    monkeypatch.setenv("ECOGRAPH_PROCESSES", "1")
    one = report_module.centrality(N, "betweenness", k=100, seed=3)
    monkeypatch.setenv("ECOGRAPH_PROCESSES", "2")
    monkeypatch.setattr(report_module, "GraphWorker", Busy)
    Busy.asked = []
    with report_module._Igraph(N, ("brokers",), k=100, seed=3, backend=None, method="louvain") as heavy:
        two = heavy.betweenness()
    assert Busy.asked == [0]  # four blocks: the three last computed here, the first waited for
    assert two == one


def test_a_report_made_in_threads_as_the_explorer_makes_them(demo, monkeypatch):
    from concurrent.futures import ThreadPoolExecutor

    N, D = demo
    monkeypatch.setenv("ECOGRAPH_PROCESSES", "1")
    one = json.dumps(weak_link_report(network=N, directed=D, k=64))
    monkeypatch.setenv("ECOGRAPH_PROCESSES", "2")
    with ThreadPoolExecutor(2) as pool:
        found = list(pool.map(lambda _: json.dumps(weak_link_report(network=N, directed=D, k=64)), range(2)))
    assert found == [one, one]
