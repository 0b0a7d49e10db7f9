"""One analysis state per store: columns, projections and graphs built once per store state."""

from __future__ import annotations

import threading

import ecograph
from ecograph.model import Organization
from ecograph.store import WritePart, open_store
from ecograph.workspace import AnalysisState, Workspace


def _add(store, org: Organization) -> None:
    from ecograph.report import LoadBatch

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
        version = (store.identity(), store.store_version())

        def build():
            built.append(threading.get_ident())
            return object()

        threads = [threading.Thread(target=lambda: state.get("x", None, version, build)) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert len(built) == 1
        a = Workspace(store, cache_dir=False, state=state)
        b = Workspace(store, cache_dir=False, state=state)
        assert a.network is b.network
