"""The analysis cache holds data, never code: a planted file is not run, it is replaced."""

from __future__ import annotations

import json
import logging
import os
import pickle
import shutil
from pathlib import Path

import pytest

import ecograph
import queries
from ecograph import api, cached_results
from ecograph.workspace import Workspace


@pytest.fixture
def store_url(demo_store_url: str, tmp_path: Path) -> str:
    """A private copy of the demo store, so that the cache folder beside it is this test's."""
    source = Path(demo_store_url.removeprefix("sqlite:///"))
    shutil.copy(source, tmp_path / "demo.db")
    return f"sqlite:///{tmp_path / 'demo.db'}"


class _RunsACommand:
    """Unpickling this runs a shell command (what the issue planted)."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def _plant(folder: Path, data: bytes) -> list[Path]:
    planted = [p for p in folder.iterdir() if p.is_file()]
    assert planted
    for path in planted:
        path.write_bytes(data)
        # the name an earlier, pickle-reading version gave the same entry
        path.with_suffix(".pickle").write_bytes(data)
    return planted


def test_a_planted_pickle_is_not_run_and_is_replaced(cli, store_url: str, tmp_path: Path, caplog) -> None:
    marker = tmp_path / "pwned"
    first = cli("centrality", "--measure", "degree", "--top", "5", "--store", store_url, "--format", "json")
    assert first.exit_code == 0
    folder = tmp_path / "demo.db.cache"
    planted = _plant(folder, pickle.dumps(_RunsACommand(marker)))

    caplog.set_level(logging.WARNING, logger="ecograph.workspace")
    again = cli("centrality", "--measure", "degree", "--top", "5", "--store", store_url, "--format", "json")
    assert again.exit_code == 0 and json.loads(again.stdout) == json.loads(first.stdout)
    assert not marker.exists()
    assert [r.getMessage() for r in caplog.records] == [
        f"ecograph: the cached result {planted[0]} could not be used (not a JSON file); computed again"
    ]
    assert not list(folder.glob("*.pickle"))  # files of the old format are removed, never read
    caplog.clear()
    third = cli("centrality", "--measure", "degree", "--top", "5", "--store", store_url, "--format", "json")
    assert json.loads(third.stdout) == json.loads(first.stdout)
    assert caplog.records == []  # replaced: said once


def test_data_of_the_wrong_shape_is_not_taken_for_a_report(cli, store_url: str, tmp_path: Path) -> None:
    report = cli("weak-links", "--format", "json", "--store", store_url)
    folder = tmp_path / "demo.db.cache"
    planted = (
        pickle.dumps([1, 2, 3]),  # on its own, a pickle that "worked" was printed as the report
        json.dumps([1, 2, 3]).encode(),
        json.dumps({"ecograph_cache": 2, "question": {}, "value": [1]}).encode(),  # another question
        json.dumps({"ecograph_cache": 2, "question": {}, "value": {"\u0000x": 1}}).encode(),
    )
    for fake in planted:
        _plant(folder, fake)
        again = cli("weak-links", "--format", "json", "--store", store_url)
        assert again.exit_code == 0 and again.stdout == report.stdout


def test_the_cache_folder_is_private(store_url: str, tmp_path: Path) -> None:
    folder = tmp_path / "demo.db.cache"
    folder.mkdir(mode=0o755)
    folder.chmod(0o755)  # as an earlier version made it
    with Workspace(store_url) as ws:
        api.centrality(ws, "degree")
    assert folder.stat().st_mode & 0o777 == 0o700
    fresh = tmp_path / "elsewhere" / "cache"
    with Workspace(store_url, cache_dir=fresh) as ws:
        api.centrality(ws, "degree")
    assert fresh.stat().st_mode & 0o777 == 0o700


def test_every_cached_result_reads_back_equal(demo_store_url: str, tmp_path: Path) -> None:
    """What the analyses and queries cache survives the data-only format type for type."""
    with Workspace(demo_store_url, cache_dir=tmp_path / "cache") as ws:
        org = max(ws.graph.degree, key=lambda d: d[1])[0]
        results = {
            "centrality": api.centrality_values(ws, "constraint"),  # NaN for isolates
            "weak-links": api.weak_links(ws),
            "recommend": api.recommend(ws, top=5),
        }
        for name, query in queries.REGISTRY.items():
            takes_org = "org" in {p.name for p in query.parameters}
            results[name] = api.query(ws, name, org=org) if takes_org else api.query(ws, name)
        for name, value in results.items():
            question = {"name": name}
            back = cached_results.loads(cached_results.dumps(value, question), question)
            assert json.dumps(back, default=repr, sort_keys=True) == json.dumps(
                value, default=repr, sort_keys=True
            )
            assert type(back) is type(value), name
    nan_first = cached_results.loads(cached_results.dumps(results["centrality"], {}), {})
    assert (
        nan_first.measure == "constraint" and nan_first.values.keys() == results["centrality"].values.keys()
    )


def test_a_rebuilt_store_with_the_same_version_does_not_read_the_old_results(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'eco.db'}"
    ecograph.demo(url, orgs=200, seed=1)
    first = api.centrality(url, "degree", top=3).rows
    (tmp_path / "eco.db").unlink()
    ecograph.demo(url, orgs=120, seed=7)  # version 1 again, other organisations
    assert api.centrality(url, "degree", top=3).rows != first
