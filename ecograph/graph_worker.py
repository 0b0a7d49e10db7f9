"""A second process for igraph's long computations, so that a big report uses two cores.

python-igraph holds the interpreter's lock while it computes, so threads cannot run its
sampled betweenness beside the rest of a report; a second process can. :class:`GraphWorker`
starts ``python -m ecograph.graph_worker`` (a fresh interpreter that imports only numpy
and igraph: nothing is forked from a process that may be running threads, such as the
explorer's), hands it the network's edges as raw arrays through a pipe, with the jobs as
JSON, and reads each result back as a raw array: nothing is pickled either way. The child
builds the same igraph graph (the same vertices, the same edges in the same order) and
runs the same igraph calls as the one-process path, so the numbers are the same.

The child ends with its parent: it asks Linux to kill it when the thread that started it
ends (``PR_SET_PDEATHSIG``), it exits once its jobs are answered, and the parent kills it
when it leaves :class:`GraphWorker` early. If the child cannot start or fails, each job's
caller computes in its own process instead (:meth:`GraphWorker.result` returns None).

The ``ECOGRAPH_PROCESSES`` setting chooses: ``auto`` (a second process for networks of at
least :data:`MIN_TIES` ties, on a machine with two cores or more), ``1`` (never) or ``2``
(whatever the size).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import select
import subprocess
import sys
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import BinaryIO

import numpy as np

from ecograph import settings
from ecograph.errors import UsageError

__all__ = ["MIN_TIES", "PROCESS_CHOICES", "GraphWorker", "wanted"]

MIN_TIES = 100_000
"""With ``ECOGRAPH_PROCESSES=auto``, networks with fewer ties stay in one process: below
about this size the second interpreter's start (its imports and its copy of the graph, a
second or so of CPU) takes about as long as the work it would take over."""

PROCESS_CHOICES: tuple[str, ...] = ("auto", "1", "2")

_LOG = logging.getLogger(__name__)
_INDEX = np.dtype("<i8")
_FLOAT = np.dtype("<f8")


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


def wanted(ties: int) -> bool:
    """Whether a network of *ties* ties gets a second process (``ECOGRAPH_PROCESSES``).

    Raises
    ------
    ecograph.errors.UsageError
        For a value other than ``auto``, ``1`` or ``2``.

    Examples
    --------
    >>> import os
    >>> os.environ["ECOGRAPH_PROCESSES"] = "1"
    >>> wanted(10**7)
    False
    >>> os.environ["ECOGRAPH_PROCESSES"] = "2"
    >>> wanted(10)
    True
    >>> del os.environ["ECOGRAPH_PROCESSES"]
    """
    choice = settings.get("processes").strip().lower()
    if choice not in PROCESS_CHOICES:
        raise UsageError(
            f"{settings.SETTINGS['processes'].env}={choice!r}: use one of {', '.join(PROCESS_CHOICES)}."
        )
    if choice == "2":
        return True
    return choice == "auto" and ties >= MIN_TIES and _cores() >= 2


class GraphWorker:
    """A child process answering igraph *jobs* on an undirected graph, in order.

    Parameters
    ----------
    n : int
        Vertices.
    u, v : numpy.ndarray
        Each edge's ends (positions), in the order igraph is to number the edges.
    weights : numpy.ndarray, optional
        Each edge's weight, for the jobs that ask for it.
    jobs : sequence of dict
        ``{"job": "betweenness", "sources": [positions] or None}`` (igraph's undirected
        ``betweenness(sources=...)``, float64 per vertex) or ``{"job": "communities",
        "method": "louvain" | "leiden", "resolution": float, "seed": int, "weighted": bool}``
        (the membership found with ``random.Random(seed)`` as igraph's random source,
        int64 per vertex).

    Examples
    --------
    >>> import numpy as np
    >>> u, v = np.array([0, 1]), np.array([1, 2])
    >>> with GraphWorker(3, u, v, jobs=[{"job": "betweenness", "sources": None}]) as worker:
    ...     worker.result(0).tolist()
    [0.0, 1.0, 0.0]
    """

    def __init__(
        self,
        n: int,
        u: np.ndarray,
        v: np.ndarray,
        *,
        weights: np.ndarray | None = None,
        jobs: Sequence[Mapping],
    ):
        self.jobs = [dict(j) for j in jobs]
        self._answers: list[np.ndarray] = []
        arrays = [np.ascontiguousarray(u, dtype=_INDEX), np.ascontiguousarray(v, dtype=_INDEX)]
        if weights is not None:
            arrays.append(np.ascontiguousarray(weights, dtype=_FLOAT))
        header = {"n": int(n), "m": len(arrays[0]), "weights": weights is not None, "jobs": self.jobs}
        root = str(Path(__file__).resolve().parent.parent)
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, (root, env.get("PYTHONPATH"))))
        env["OMP_NUM_THREADS"] = "1"  # one core is what it is for
        try:
            self._proc: subprocess.Popen | None = subprocess.Popen(
                [sys.executable, "-m", "ecograph.graph_worker", str(os.getpid())],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                bufsize=0,  # no hidden buffer: select() tells whether an answer has come
                cwd=root,
                env=env,
            )
        except OSError as err:
            _LOG.warning("no second process (%s): computing in this one", err)
            self._proc = None
            return
        # Written from a thread: the pipe takes 64 KiB at a time, and the child reads only
        # once its imports are done; meanwhile this process goes on with its own work.
        self._writer = threading.Thread(
            target=_send, args=(self._proc.stdin, header, arrays), name="ecograph-graph-worker", daemon=True
        )
        self._writer.start()

    def done(self, i: int) -> bool:
        """Whether job *i* is answered (or the child failed), without waiting for it."""
        while len(self._answers) <= i and self._proc is not None:
            try:
                if not select.select([self._proc.stdout], [], [], 0)[0]:
                    return False
            except (OSError, ValueError):  # no select() on pipes here (Windows): wait for it instead
                return False
            self._next()
        return True

    def _next(self) -> None:
        try:
            self._answers.append(_receive(self._proc.stdout))
        except (OSError, ValueError) as err:
            _LOG.warning("the second process failed (%s): computing in this one", err)
            self.close()

    def result(self, i: int) -> np.ndarray | None:
        """The answer to job *i* (waiting for it), or None if the child failed: compute it here."""
        while len(self._answers) <= i and self._proc is not None:
            self._next()
        return self._answers[i] if i < len(self._answers) else None

    def close(self) -> None:
        """End the child (if still running) and wait for it."""
        proc, self._proc = getattr(self, "_proc", None), None
        if proc is None:
            return
        if proc.poll() is None:
            proc.kill()
        proc.wait()
        self._writer.join()
        for stream in (proc.stdin, proc.stdout):
            with contextlib.suppress(OSError):  # the child went first: nothing is left to flush
                stream.close()

    def __enter__(self) -> GraphWorker:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _send(stream: BinaryIO, header: dict, arrays: list[np.ndarray]) -> None:
    try:
        for data in [json.dumps(header).encode() + b"\n", *(memoryview(a).cast("B") for a in arrays)]:
            view = memoryview(data)
            while view:  # an unbuffered pipe may take part of it at a time
                view = view[stream.write(view) :]
        stream.close()
    except (OSError, ValueError):
        pass  # the child ended (or was ended) first: result() reports it


def _read_exactly(stream: BinaryIO, size: int) -> bytearray:
    buf = bytearray(size)
    view, got = memoryview(buf), 0
    while got < size:
        chunk = stream.readinto(view[got:])
        if not chunk:
            raise OSError("the stream ended early")
        got += chunk
    return buf


def _receive(stream: BinaryIO) -> np.ndarray:
    """One answer: a JSON line saying what follows, then the raw little-endian array."""
    line = bytearray()
    while not line.endswith(b"\n"):  # a byte at a time: nothing past the line is taken
        byte = stream.read(1)
        if not byte:
            break
        line += byte
    if not line:
        raise OSError("the second process ended without answering")
    head = json.loads(line)
    if not head.get("ok"):
        raise ValueError(head.get("error", "unknown error"))
    dtype = np.dtype(head["dtype"])
    if dtype not in (_INDEX, _FLOAT):
        raise ValueError(f"unexpected type {head['dtype']!r}")
    return np.frombuffer(_read_exactly(stream, int(head["length"]) * dtype.itemsize), dtype=dtype)


# -- the child ---------------------------------------------------------------------------


def _die_with_parent(parent: int) -> None:
    if sys.platform.startswith("linux"):
        import ctypes
        import signal

        pr_set_pdeathsig = 1
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL)
    if os.getppid() != parent:  # the parent went before the request was made
        os._exit(1)


def _answer(g, job: Mapping, weights: list[float] | None) -> np.ndarray:
    import random

    import igraph as ig

    if job["job"] == "betweenness":
        found = g.betweenness(directed=False, sources=job["sources"])
        return np.asarray(found, dtype=_FLOAT)
    if job["job"] == "communities":
        w = weights if job.get("weighted") else None
        ig.set_random_number_generator(random.Random(job["seed"]))
        if job["method"] == "leiden":
            found = g.community_leiden(
                objective_function="modularity", weights=w, resolution=job["resolution"]
            )
        else:
            found = g.community_multilevel(weights=w, resolution=job["resolution"])
        return np.asarray(found.membership, dtype=_INDEX)
    raise ValueError(f"unknown job {job['job']!r}")


def _serve(inp: BinaryIO, out: BinaryIO) -> None:
    import igraph as ig

    head = json.loads(inp.readline())
    n, m = int(head["n"]), int(head["m"])
    u = np.frombuffer(_read_exactly(inp, m * _INDEX.itemsize), dtype=_INDEX)
    v = np.frombuffer(_read_exactly(inp, m * _INDEX.itemsize), dtype=_INDEX)
    weights = None
    if head["weights"]:
        weights = np.frombuffer(_read_exactly(inp, m * _FLOAT.itemsize), dtype=_FLOAT).tolist()
    # As Network.igraph builds it: vertex i is position i, edge k is edge k.
    g = ig.Graph(n=n, edges=zip(u.tolist(), v.tolist(), strict=True), directed=False)
    for job in head["jobs"]:
        try:
            found = _answer(g, job, weights)
        except Exception as err:  # reported to the parent, which then computes it itself
            out.write(json.dumps({"ok": False, "error": f"{type(err).__name__}: {err}"}).encode() + b"\n")
            out.flush()
            continue
        head_out = {"ok": True, "dtype": found.dtype.str, "length": len(found)}
        out.write(json.dumps(head_out).encode() + b"\n")
        out.write(memoryview(np.ascontiguousarray(found)).cast("B"))
        out.flush()


def main(argv: Sequence[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    _die_with_parent(int(args[0]))
    out = sys.stdout.buffer
    sys.stdout = sys.stderr  # nothing else may write into the answers
    _serve(sys.stdin.buffer, out)


if __name__ == "__main__":
    main()
