"""The store's graph as columns, and the projections built from them, equal to the networkx ones."""

from __future__ import annotations

import math

import networkx as nx
import numpy as np
import pyarrow as pa
import pytest

from ecograph.columns import GraphColumns
from ecograph.model import COLLABORATION_SCHEMA, ORGANIZATION_SCHEMA
from ecograph.period import Period, columns_in_period, in_period, projection
from ecograph.projections import Network, directed, undirected
from ecograph.snapshot import directed as nx_directed
from ecograph.snapshot import undirected as nx_undirected
from ecograph.store import open_store


@pytest.fixture(scope="module")
def demo(demo_store_url):
    """The demo store's columns and its networkx snapshot."""
    with open_store(demo_store_url) as store:
        tables = store.tables()
        columns = GraphColumns.from_tables(*tables, store.home_country, store_url=store.url)
        return columns, store.snapshot()


def _edges(G: nx.Graph) -> dict:
    out = {}
    for u, v, d in G.edges(data=True):
        out[frozenset((u, v))] = (
            round(d["weight"], 9),
            d["ties"],
            tuple(d["kinds"]),
            d["first_year"],
            d["last_year"],
        )
    return out


def _nodes(G: nx.Graph) -> dict:
    return {
        v: {k: (tuple(x) if isinstance(x, list) else x) for k, x in d.items()} for v, d in G.nodes(data=True)
    }


def _network(columns: GraphColumns) -> Network:
    return undirected(columns.table, columns.column, columns.graph, node_attrs=columns.attributes)


def test_the_columns_give_back_the_snapshot_the_records_give(demo):
    columns, G = demo
    H = columns.to_snapshot()
    assert _nodes(H) == _nodes(G)
    assert sorted(H.edges(keys=True, data=True)) == sorted(G.edges(keys=True, data=True))
    assert {k: v for k, v in H.graph.items() if k != "store_version"} == {
        k: v for k, v in G.graph.items() if k != "store_version"
    }


def test_the_undirected_projection_from_columns_equals_networkx(demo):
    columns, G = demo
    N = _network(columns)
    expected = nx_undirected(G)
    assert N.n == expected.number_of_nodes() and N.m == expected.number_of_edges()
    assert _edges(N.to_networkx()) == _edges(expected)
    assert _nodes(N.to_networkx()) == _nodes(expected)
    degree = dict(expected.degree())
    assert N.degree.tolist() == [degree[v] for v in N.ids]
    strength = dict(expected.degree(weight="weight"))
    assert np.allclose(N.strength(), [strength[v] for v in N.ids])


def test_the_directed_projection_from_columns_equals_networkx(demo):
    columns, G = demo
    D = directed(columns.table, columns.column, columns.graph)
    expected = nx_directed(G)
    arcs = {
        (D.ids[a], D.ids[b]): w for a, b, w in zip(D.a.tolist(), D.b.tolist(), D.weight.tolist(), strict=True)
    }
    assert arcs.keys() == set(expected.edges())
    assert all(math.isclose(arcs[e], expected.edges[e]["weight"]) for e in expected.edges())


@pytest.mark.parametrize("years", [(2015, 2018), (2021, 2021), (1990, 2030)])
def test_a_period_on_the_columns_keeps_what_the_period_rule_keeps_of_the_snapshot(demo, years):
    columns, G = demo
    period = Period(*years)
    kept = columns_in_period(columns, period)
    expected = in_period(G, period)
    assert kept.ids == sorted(expected)
    assert sorted(kept.collaborations["key"].to_pylist()) == sorted(
        k for _, _, k in expected.edges(keys=True)
    )
    for key in ("period", "undated_ties", "inactive_ties", "organisations_not_founded"):
        assert kept.graph[key] == expected.graph[key]
    assert _edges(_network(kept).to_networkx()) == _edges(projection(G, period))


def test_a_tie_to_an_organisation_the_table_lacks_is_one_clear_error():
    orgs = pa.Table.from_pylist(
        [{"id": "a", "name": "A", "kind": "startup", "country": "VN"}], ORGANIZATION_SCHEMA
    )
    ties = pa.Table.from_pylist(
        [{"key": "k", "source": "a", "target": "ghost", "kind": "mou", "weight": 1.0}], COLLABORATION_SCHEMA
    )
    with pytest.raises(ValueError, match="not in the store"):
        GraphColumns.from_tables(orgs, ties, "VN")


def test_an_empty_store_gives_empty_projections():
    columns = GraphColumns.from_tables(
        ORGANIZATION_SCHEMA.empty_table(), COLLABORATION_SCHEMA.empty_table(), "VN"
    )
    N = _network(columns)
    D = directed(columns.table, columns.column, columns.graph)
    assert (N.n, N.m, D.number_of_edges()) == (0, 0, 0)
    assert N.components[0] == 0 and N.to_networkx().number_of_nodes() == 0


def test_a_networkx_graph_and_its_network_agree():
    G = nx.karate_club_graph()
    N = Network.from_networkx(G)
    assert N.ids == list(G) and N.m == G.number_of_edges()
    count, labels = N.components
    assert count == 1 and set(labels.tolist()) == {0}
    assert N.has_edge(0, 1) and not N.has_edge(0, 9) and not N.has_edge(0, "nobody")
    assert sorted(N.neighbors(0).tolist()) == sorted(G[0])
    part = N.select(nodes=np.array([v < 10 for v in G]))
    assert sorted(map(sorted, part.to_networkx().edges())) == sorted(
        map(sorted, G.subgraph(range(10)).edges())
    )


# -- the SQLite store's columnar read --------------------------------------------------------


def test_sqlite_tables_equal_the_tables_its_records_make(demo_store_url):
    from ecograph.store.base import Store

    with open_store(demo_store_url) as store:
        fast, slow = store.tables(), Store.tables(store)
    assert fast.organizations.equals(slow.organizations)
    assert fast.collaborations.equals(slow.collaborations)


def test_sqlite_tables_read_while_a_load_holds_the_write_lock(tmp_path):
    import sqlite3

    import ecograph

    url = f"sqlite:///{tmp_path / 'eco.db'}"
    ecograph.demo(url, orgs=100, seed=3)
    with open_store(url) as store:
        before = store.tables()
        writer = sqlite3.connect(tmp_path / "eco.db", isolation_level=None)
        writer.execute("BEGIN IMMEDIATE")
        writer.execute(
            "INSERT INTO organizations (id, name, name_key, kind, country) VALUES ('zz-new', 'New', 'new', 'startup', 'VN')"
        )
        during = store.tables()  # the write lock is held and the row not committed
        writer.execute("COMMIT")  # the lock was not lost: the load commits
        writer.close()
        after = store.tables()
    assert during.organizations.equals(before.organizations)
    assert during.collaborations.equals(before.collaborations)
    assert after.organizations["id"].to_pylist() == [*before.organizations["id"].to_pylist(), "zz-new"]
