"""The default map of the demo ecosystem, in headless Chromium: the weak links the demo plants
are drawn as such (the screenshot the README describes: ``tests/artifacts/demo-map.png``).

``ecograph demo`` plants a province whose organisations reach the rest only through one
university, and one country whose partners reach the country only through one research
institute (its ``--truth``). On the default map — the whole store, grouped by community —
both organisations carry a red ring and their name, and what each cuts off is a disc of its
own, named after it, whose only line to the rest leaves from that organisation.
"""

from __future__ import annotations

import json
import time
from urllib.parse import urlsplit

import pytest
from browser_support import ARTIFACTS, browser, require_chromium, serve, wait_for_app, wait_for_network

from ecograph.viz import text_line

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory):
    require_chromium()
    import ecograph

    folder = tmp_path_factory.mktemp("demo-map")
    url = f"sqlite:///{folder / 'demo.db'}"
    ecograph.demo(url, truth=folder / "truth.json")  # the default: 1,500 organisations, seed 1
    truth = json.loads((folder / "truth.json").read_text(encoding="utf-8"))
    with ecograph.open_store(url) as store:
        names = {
            planted["id"]: store.organization(planted["id"]).name
            for planted in (truth["articulation_university"], truth["gatekeeper"])
        }
    with serve(url, log_dir=folder) as app:
        yield app, truth, names


def test_the_planted_weak_links_show_on_the_default_map(demo) -> None:
    app, truth, names = demo
    university, gatekeeper = truth["articulation_university"], truth["gatekeeper"]
    with browser() as chromium:
        context = chromium.new_context(viewport={"width": 1400, "height": 1100})
        outside: list[str] = []

        def route(r):
            if urlsplit(r.request.url).hostname in ("127.0.0.1", "localhost") or r.request.url.startswith(
                ("data:", "blob:", "about:")
            ):
                r.continue_()
            else:
                outside.append(r.request.url)
                r.abort()

        context.route("**/*", route)
        page = context.new_page()
        page.goto(app.page_url("map"))
        wait_for_app(page, "Network map", timeout=180_000)
        wait_for_network(page, timeout=120_000)
        frame = page.locator("iframe").first.element_handle().content_frame()
        frame.wait_for_function("() => window.ecographDrawn === true")
        marked = frame.evaluate(
            "() => { const m = window.ecographMap; return m.graph.filterNodes((k, a) => a.halo)"
            ".map((k) => m.graph.getNodeAttribute(k.slice(1), 'label')); }"
        )
        shown = frame.evaluate(
            "() => Array.from(document.querySelectorAll('#groups div'))"
            ".filter((d) => d.style.display !== 'none').map((d) => d.textContent)"
        )
        page.locator("iframe").first.scroll_into_view_if_needed()
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "demo-map.png"), full_page=True)
        context.close()
    for planted in (university["id"], gatekeeper["id"]):
        assert text_line(names[planted], 60) in marked, "ringed in red"
        assert f"Cut off without {text_line(names[planted], 40)}" in shown, (
            "what it cuts off: a named disc, shown"
        )
    assert not outside, f"requests left the machine: {outside}"
    # ecograph serve warms the caches in the background as it starts (the report last).
    deadline = time.monotonic() + 180
    while "ecograph: caches warmed in" not in app.log.read_text(errors="replace"):
        assert time.monotonic() < deadline, "the explorer's log never said its caches were warmed"
        time.sleep(1)
