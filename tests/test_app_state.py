"""The explorer reads the store's columns and the one analysis state: its tables, search and
ego ties are those the networkx snapshot gives, and its results are the command line's."""

from __future__ import annotations

import pandas as pd
import pytest
from app_support import clean_env, demo_url

import ecograph
from ecograph import api
from ecograph.analysis.ego import ego_ties
from ecograph.explorer import state, ui
from ecograph.names import name_key
from ecograph.store import open_store


@pytest.fixture
def ctx(tmp_path_factory: pytest.TempPathFactory, monkeypatch) -> state.Context:
    url = demo_url(tmp_path_factory)
    clean_env(monkeypatch, url)
    return state.context(url)


def _from_snapshot(G) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The tables as the explorer made them from the networkx snapshot."""
    fields = ("name", "category", "kind", "country", "province")
    orgs = pd.DataFrame(
        [
            {"id": v, **{f: d.get(f) for f in fields}, "sectors": tuple(d.get("sectors") or ())}
            for v, d in G.nodes(data=True)
        ],
        columns=["id", *fields, "sectors"],
    )
    ties = pd.DataFrame(
        [
            {"source": u, "target": v, **{f: d.get(f) for f in ("kind", "year", "weight")}}
            for u, v, d in G.edges(data=True)
        ],
        columns=["source", "target", "kind", "year", "weight"],
    )
    ties["year"] = ties["year"].astype("Int64")
    return orgs, ties


def _sorted(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.sort_values([c for c in frame.columns if c != "sectors"]).reset_index(drop=True)


def test_the_tables_are_those_of_the_snapshot(ctx) -> None:
    G = open_store(ctx.url).snapshot()
    for made, expected in zip(ui.frames(ctx, ctx.key), _from_snapshot(G), strict=True):
        pd.testing.assert_frame_equal(_sorted(made), _sorted(expected))


def test_search_and_ego_ties_read_the_columns_as_the_snapshot_has_them(ctx) -> None:
    G = open_store(ctx.url).snapshot()
    index = state.search_index(ctx, ctx.key)
    assert [r[0] for r in index] == sorted(G, key=lambda v: (name_key(G.nodes[v].get("name") or v), v))
    busy = max(G.degree, key=lambda d: d[1])[0]
    key = lambda r: sorted((str(k), str(x)) for k, x in r.items())  # noqa: E731
    assert sorted(state.ties_of(ctx, ctx.key, busy), key=key) == sorted(ego_ties(G, busy), key=key)
    with pytest.raises(Exception, match="no-such-org"):
        state.ties_of(ctx, ctx.key, "no-such-org")


def test_the_pages_results_are_the_workspaces(ctx) -> None:
    report = state.weak_link_report(ctx, ctx.key)
    assert report is api.weak_links(ctx.workspace())  # one object: the memory answers
    assert api.weak_links(ctx.url) == report  # the command line reads what the explorer wrote
    assert state.centrality(ctx, ctx.key, "degree") is api.centrality_values(ctx.workspace(), "degree")
    again = state.context(ctx.url)  # another script run over the same store state
    assert state.bridges(again, again.key) is state.bridges(ctx, ctx.key)
    assert list(ctx.workspace().cache_dir.glob("*-bridge-cuts-*.json"))  # and on disk for the next start


def test_a_named_query_is_kept_in_the_analysis_state_until_the_store_changes(tmp_path, monkeypatch) -> None:
    import dataclasses

    import queries as catalogue
    from ecograph.explorer import named_queries
    from ecograph.model import Organization
    from ecograph.report import LoadBatch
    from ecograph.store import WritePart

    url = f"sqlite:///{tmp_path / 'eco.db'}"
    ecograph.demo(url, orgs=100, seed=2)
    clean_env(monkeypatch, url)
    name, params = "startups-without-investors", (("province", "Testland"), ("top", 50))
    query, calls = catalogue.get(name), []

    def counted(ws, **kwargs):
        calls.append(ws.store_state())
        return query.run(ws, **kwargs)

    monkeypatch.setitem(catalogue.REGISTRY, name, dataclasses.replace(query, run=counted))
    ctx = state.context(url)
    first = named_queries.run_query(ctx, name, params)
    assert first == [] and len(calls) == 1
    again = state.context(url)  # the next script run, or another session: the store unchanged
    assert named_queries.run_query(again, name, params) is first and len(calls) == 1
    assert named_queries.run_query(again, name, (("province", None), ("top", 50))) and len(calls) == 2
    with open_store(url) as store:  # a load raises the store's version
        store.write(
            [
                WritePart(
                    LoadBatch("new.csv"), [Organization("zz-new", "New", "startup", "VN", "Testland")], []
                )
            ]
        )
    changed = state.context(url)
    assert changed.version > ctx.version
    rows = named_queries.run_query(changed, name, params)
    assert [r["id"] for r in rows] == ["zz-new"] and len(calls) == 3
    assert calls[-1].version == changed.version
    assert not list(ctx.workspace().cache_dir.glob("*named-query*"))  # what visitors type stays in memory
