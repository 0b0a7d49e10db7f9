"""The explorer's warm-up (ecograph.explorer.warmup): the caches the pages read, filled before a visit."""

from __future__ import annotations

import threading

import pytest
from app_support import clean_env, demo_url, empty_url
from browser_support import make_demo_store

from ecograph.explorer import maps, state, ui, warmup
from ecograph.store.base import Store


def test_warm_fills_what_the_pages_read(tmp_path_factory: pytest.TempPathFactory, monkeypatch) -> None:
    url = demo_url(tmp_path_factory)
    clean_env(monkeypatch, url)
    assert sorted(warmup.warm(url)) == sorted(warmup.STEPS)
    drawn: list[object] = []
    monkeypatch.setattr(maps.viz, "network_html", lambda *a, **k: drawn.append(a) or "")
    monkeypatch.setattr(maps, "map_html", lambda *a, **k: drawn.append(a) or "")
    ctx = state.context(url)
    shown = maps.draw(ctx, ctx.key, maps.MapView(cap=maps.node_cap()))  # the page's default view
    assert drawn == [] and shown["organisations"] == 152  # read back, not drawn again
    assert "sections" in state.weak_link_report(ctx, ctx.key)


@pytest.mark.parametrize(
    ("first_page", "order"),
    [
        ("map", ["default map", "overview tables", "weak-link report", "profile ranks"]),
        ("", ["overview tables", "weak-link report", "default map", "profile ranks"]),  # the Overview
        (None, ["overview tables", "weak-link report", "default map", "profile ranks"]),  # nobody yet
    ],
)
def test_the_first_page_visited_is_warmed_first(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch, first_page, order
) -> None:
    # Made at the same time as a first visit's own, the other step would share the
    # interpreter with it: the page's need comes first.
    url = demo_url(tmp_path_factory)
    clean_env(monkeypatch, url)
    monkeypatch.setattr(warmup, "_first_visit", threading.Event())
    monkeypatch.setattr(warmup, "_first_page", [])
    if first_page is not None:
        warmup.visited(first_page)
        warmup.visited("weak-links")  # later visits change nothing
    took: dict[str, float] = {}
    assert warmup.warm(url, first_visit_wait=0.1, took=took) == order
    # The log's line: each step's seconds, in order, after those before them.
    assert next(iter(took)) == "before" and [name for name in took if name in warmup.STEPS] == order


def test_while_no_page_is_asked_for_each_order_s_quick_first_need_is_made(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch
) -> None:
    # Rather than only waiting: the Overview's tables, then what the map's filters offer.
    url = demo_url(tmp_path_factory)
    clean_env(monkeypatch, url)
    monkeypatch.setattr(warmup, "_first_visit", threading.Event())
    monkeypatch.setattr(warmup, "_first_page", [])
    made: list[str] = []
    monkeypatch.setattr(ui, "choices", lambda ctx, key: made.append("choices"))
    took: dict[str, float] = {}
    warmup.warm(url, first_visit_wait=3, took=took)  # nobody comes: the whole wait
    assert list(took)[:4] == ["before", "overview tables", "filters' choices", "first visit awaited"]
    assert made == ["choices", "choices"]  # again with the map: read from its cache there


def test_the_default_map_is_made_without_the_networkx_snapshot(tmp_path, monkeypatch) -> None:
    # The snapshot is built once per store connection, and a connection belongs to one thread:
    # the warm-up's would be built again by the page that shows the map.
    url = make_demo_store(tmp_path, orgs=400, seed=3, extras=False)  # a store no cache has seen
    clean_env(monkeypatch, url)
    built: list[object] = []
    real = Store.snapshot
    monkeypatch.setattr(Store, "snapshot", lambda self: built.append(self) or real(self))
    ctx = state.context(url)
    shown = maps.draw(ctx, ctx.key, maps.MapView(cap=maps.node_cap()))
    assert shown["webgl"] and shown["organisations"] == 400 and built == []
    ui.frames(ctx, ctx.key)  # nor do the pages' tables and filters: they read the columns
    assert built == []


def test_warm_stops_quietly_on_an_empty_store(tmp_path_factory: pytest.TempPathFactory, monkeypatch) -> None:
    url = empty_url(tmp_path_factory)
    clean_env(monkeypatch, url)
    assert warmup.warm(url) == []


def test_started_once_per_store(monkeypatch, tmp_path) -> None:
    monkeypatch.setattr(warmup, "_run", lambda url, wait: None)
    url = f"sqlite:///{tmp_path / 'x.db'}"
    first = warmup.start(url)
    assert first is not None
    first.join()
    assert warmup.start(url) is None
