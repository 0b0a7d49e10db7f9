"""One analysis state per store: columns, projections and graphs built once per store state."""

from __future__ import annotations

import json
import threading

import networkx as nx
import pytest

import ecograph
from ecograph import analysis, api, saved_snapshots
from ecograph.columns import edge_table
from ecograph.explain.compare import worded
from ecograph.model import Collaboration, Organization
from ecograph.period import Period, in_period, projection
from ecograph.report import LoadBatch
from ecograph.snapshot import undirected
from ecograph.store import WritePart, open_store
from ecograph.workspace import AnalysisState, StoreState, Workspace


def _add(store, org: Organization) -> None:
    store.write([WritePart(LoadBatch("new.csv"), [org], [])])


def test_the_state_is_built_once_per_store_state_and_again_after_a_change(tmp_path):
    url = f"sqlite:///{tmp_path / 'eco.db'}"
    ecograph.demo(url, orgs=100, seed=2)
    with Workspace(url, cache_dir=False) as ws:
        network, graph, arcs = ws.network, ws.graph, ws.arcs
        assert ws.network is network and ws.graph is graph and ws.arcs is arcs
        assert graph.number_of_nodes() == network.n == ws.columns.n
        period = ws.for_period(ws.years())
        assert period.state is ws.state and period.columns is not ws.columns
        _add(ws.store, Organization("zz-new", "New", "startup", "VN"))
        assert ws.network is not network and "zz-new" in ws.graph and ws.network.n == network.n + 1


def test_workspaces_sharing_a_state_build_each_graph_once(demo_store_url):
    state = AnalysisState()
    built = []
    with open_store(demo_store_url) as store:
        version = StoreState.of(store)

        def build():
            built.append(threading.get_ident())
            return object()

        threads = [threading.Thread(target=lambda: state.get("x", version, build)) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert len(built) == 1
        a = Workspace(store, state=state)
        b = Workspace(store, state=state)
        assert a.network is b.network


# -- one cache: results too, kept per store state ---------------------------------------------


def test_results_are_kept_in_memory_and_on_disk_until_the_store_changes(tmp_path):
    url = f"sqlite:///{tmp_path / 'eco.db'}"
    ecograph.demo(url, orgs=100, seed=2)
    folder = tmp_path / "cache"
    calls = []

    def compute():
        calls.append(1)
        return {"edges": ws.graph.number_of_edges()}

    with Workspace(url, cache_dir=folder) as ws:
        first = ws.cached("count", {"x": 1}, compute)
        assert ws.cached("count", {"x": 1}, compute) is first and len(calls) == 1
        (written,) = folder.glob("*-count-*.json")
        written.unlink()  # memory answers: the disk is not read again
        assert Workspace(ws.store, state=ws.state).cached("count", {"x": 1}, compute) is first
        assert len(calls) == 1
        assert ws.cached("count", {"x": 2}, compute) is not first and len(calls) == 2
        _add(ws.store, Organization("zz-new", "New", "startup", "VN"))
        again = ws.cached("count", {"x": 1}, compute)
        assert again == first and again is not first and len(calls) == 3
        assert all(p.name.startswith(ws.store_state().fingerprint) for p in folder.glob("*.json"))
    with Workspace(url, cache_dir=folder) as fresh:  # the next command reads the disk
        assert fresh.cached("count", {"x": 1}, compute) == again and len(calls) == 3


def test_derived_values_of_a_name_are_bounded_when_asked(tmp_path):
    url = f"sqlite:///{tmp_path / 'eco.db'}"
    ecograph.demo(url, orgs=100, seed=2)
    with Workspace(url, cache_dir=False) as ws:
        made = {x: ws.derived("typed", {"x": x}, lambda x=x: [x], keep=2) for x in (1, 2, 3)}
        other = ws.derived("other", {}, lambda: ["other"], keep=1)
        assert ws.derived("typed", {"x": 3}, lambda: [3], keep=2) is made[3]
        assert ws.derived("typed", {"x": 2}, lambda: [2], keep=2) is made[2]
        again = ws.derived("typed", {"x": 1}, lambda: [1], keep=2)  # the earliest was dropped
        assert again == made[1] and again is not made[1]
        assert ws.derived("typed", {"x": 2}, lambda: [2], keep=2) is not made[2]  # now the earliest
        assert ws.derived("other", {}, lambda: ["new"], keep=1) is other  # each name its own bound
        for held in (ws.state._entries, ws.state._locks):  # what a visitor types cannot grow the memory
            assert sum(k[:2] == ("derived", "typed") for k in held) == 2


def test_a_workspace_takes_a_cache_folder_or_a_state_not_both(tmp_path, demo_store_url):
    with open_store(demo_store_url) as store:
        with pytest.raises(ValueError, match="not both"):
            Workspace(store, cache_dir=tmp_path, state=AnalysisState())
        shared = Workspace(store, state=AnalysisState(tmp_path / "c"))
        assert shared.cache_dir == tmp_path / "c" and Workspace(store, cache_dir=False).cache_dir is None


def _nodes(G: nx.Graph) -> dict:
    return {
        v: {k: tuple(x) if isinstance(x, list) else x for k, x in d.items()} for v, d in G.nodes(data=True)
    }


def _ties(table) -> list:
    kinds = table.kinds
    return sorted(
        zip(
            [table.nodes[i] for i in table.source.tolist()],
            [table.nodes[i] for i in table.target.tolist()],
            table.weight.tolist(),
            [None if y != y else y for y in table.start.tolist()],
            [None if y != y else y for y in table.end.tolist()],
            [kinds[k] for k in table.kind.tolist()],
            table.directed.tolist(),
            strict=True,
        )
    )


def test_the_snapshot_and_tables_come_from_the_columns_as_the_store_builds_them(store):
    ecograph.demo(store, orgs=150, seed=4)
    G = store.snapshot()
    with Workspace(store, cache_dir=False) as ws:
        assert _nodes(ws.whole) == _nodes(G) and ws.whole.graph == G.graph
        assert sorted(ws.whole.edges(keys=True, data=True)) == sorted(G.edges(keys=True, data=True))
        assert nx.is_frozen(ws.whole) and ws.whole is ws.snapshot
        assert _ties(ws.table) == _ties(edge_table(G))
        for period in (Period(2019, 2019), Period(2020, 2023)):
            scoped, expected = ws.for_period(period), in_period(G, period)
            assert _nodes(scoped.snapshot) == _nodes(expected) and scoped.snapshot.graph == expected.graph
            assert sorted(scoped.snapshot.edges(keys=True, data=True)) == sorted(
                expected.edges(keys=True, data=True)
            )
            assert _ties(scoped.table) == _ties(edge_table(expected))
        v = max(G.degree, key=lambda d: d[1])[0]
        assert ws.organisation(v) == _nodes(G)[v] and ws.organisation("no-such-id") is None
        assert ws.provinces() == {p for _, p in G.nodes(data="province") if p}


def _json(value) -> str:
    """*value* as JSON, the names a cut's ``examples`` gives sorted: they come in the
    depth-first order of the graph's adjacency, which differs between two equal graphs
    built in another order (the projection of the snapshot, and the columns')."""

    def plain(x):
        if isinstance(x, dict):
            return {k: sorted(v) if k == "examples" else plain(v) for k, v in x.items()}
        return [plain(v) for v in x] if isinstance(x, list | tuple) else x

    return json.dumps(plain(value), sort_keys=True, default=repr)


def _as_today(store, ws, found_periods, saved: str):
    """compare and scorecard as they were computed from the store's networkx snapshot."""
    G = store.snapshot()
    years = api.scorecard_years(ws)
    card = analysis.scorecard(G, list(years.years()), table=edge_table(G))
    p0, p1 = found_periods
    compared = analysis.compare(projection(G, p0), projection(G, p1), backend="auto")
    then = nx.freeze(undirected(saved_snapshots.graph(store.saved_snapshot(saved), G)))
    since = analysis.compare(then, nx.freeze(undirected(G)), backend="auto")
    return card, compared, since


@pytest.mark.parametrize("orgs", [150, 1500])  # a small ecosystem, and the demo
def test_compare_and_scorecard_from_columns_equal_those_from_the_snapshot(store, tmp_path, orgs):
    ecograph.demo(store, orgs=orgs, seed=1)
    api.snapshot_save(store, "before")
    partner = next(iter(store.snapshot()))
    new = Organization("zz-new", "New", "startup", "VN")
    store.write(
        [WritePart(LoadBatch("new.csv"), [new], [Collaboration("zz-new", partner, "mou", start="2024")])]
    )
    with Workspace(store, cache_dir=tmp_path / "cache") as ws:
        periods = (Period(2019, 2021), Period(2022, 2024))
        card, compared, since = _as_today(store, ws, periods, "before")
        assert _json(api.scorecard(ws)) == _json(card)
        # the API words the back-test's reasons (explain.compare.worded); the numbers are the same
        assert _json(api.compare(ws, from_period=periods[0], to_period=periods[1])) == _json(worded(compared))
        assert _json(api.compare(ws, from_snapshot="before")) == _json(worded(since))
        sectors = analysis.scorecard(store.snapshot(), [2020, 2024], by="sectors")
        assert _json(analysis.scorecard(ws.columns, [2020, 2024], by="sectors")) == _json(sectors)
