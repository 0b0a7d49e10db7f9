"""The explorer in headless Debian Chromium: every page draws, search reaches a profile, names stay text.

One ``ecograph serve`` on a 600-organisation demo store (drawn with WebGL) (plus an organisation named
``<img src=x onerror=alert(1)>``) serves the module, and one browser tab walks through it
the way a planner would — by the sidebar, the widgets and the map — so that the app loads
once, not once per test. Every page's screenshot goes to ``tests/artifacts/``. A dialog
opening, an uncaught exception on a page, or any request leaving the machine fails the test.
Under ``CI=true`` a missing Chromium fails these tests instead of skipping them.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, quote, urlsplit

import pytest
from browser_support import (
    ARTIFACTS,
    XSS_NAME,
    browser,
    guarded_tab,
    make_demo_store,
    require_chromium,
    serve,
    wait_for_app,
    wait_for_network,
    wait_idle,
)

pytestmark = pytest.mark.browser

PAGES = [
    # (sidebar link, heading, option to pick on the page, draws a network, screenshot name)
    ("Overview", "Overview", None, False, "overview"),
    ("Network map", "Network map", None, True, "map"),
    ("Weak links", "Weak links", "Bridges", True, "weak-links-bridges"),
    ("Weak links", "Weak links", "Under-connected groups", False, "weak-links-gaps"),
    ("Weak links", "Weak links", "Communities", True, "weak-links-communities"),
    ("Weak links", "Weak links", "Resilience", False, "weak-links-resilience"),
    ("Centrality", "Centrality", None, False, "centrality"),
    ("Recommendations", "Recommendations", None, False, "recommendations"),
    ("Queries", "Queries", None, False, "queries"),
    ("Load data", "Load data", None, False, "load"),
]


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory):
    require_chromium()
    folder = tmp_path_factory.mktemp("browser")
    url = make_demo_store(folder, orgs=600)
    with serve(url, log_dir=folder, env={"ECOGRAPH_ALLOW_WRITES": "1"}) as running:
        yield running


@pytest.fixture(scope="module")
def session(app):
    """One tab for the module, opened on the app; records dialogs and requests to other hosts."""
    with (
        browser() as chromium,
        guarded_tab(chromium, {"width": 1400, "height": 2000}) as (tab, dialogs, outside),
    ):
        tab.goto(app.url)
        wait_for_app(tab, "Overview", timeout=180_000)
        yield tab, dialogs, outside


@pytest.fixture
def tab(session):
    page, dialogs, outside = session
    yield page
    assert page.locator("[data-testid='stException']").count() == 0, "a page shows an exception"
    assert not dialogs, f"a dialog opened: {dialogs}"
    assert not outside, f"requests left the machine: {outside}"


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def _go(page, link: str, heading: str) -> None:
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=link, exact=True).click()
    wait_for_app(page, heading, timeout=120_000)


@pytest.mark.parametrize(("link", "heading", "option", "network", "name"), PAGES, ids=[p[4] for p in PAGES])
def test_every_page_draws(tab, link: str, heading: str, option: str | None, network: bool, name: str) -> None:
    _go(tab, link, heading)
    if option:
        tab.get_by_test_id("stRadio").first.get_by_text(option, exact=True).click()
        tab.get_by_role("heading", name=option, exact=True).wait_for(timeout=120_000)
        wait_idle(tab, 120_000)
    if network:
        wait_for_network(tab, timeout=60_000)
    _shot(tab, name)


def test_named_query_runs(tab) -> None:
    _go(tab, "Queries", "Queries")
    tab.get_by_role("button", name="Run").click()
    tab.get_by_role("heading", name="Result").wait_for(timeout=60_000)
    wait_idle(tab)
    assert tab.get_by_test_id("stDataFrame").count() == 1
    _shot(tab, "queries-result")


def test_load_shows_the_validation_report_first(tab, tmp_path) -> None:
    _go(tab, "Load data", "Load data")
    bad = tmp_path / "ties.csv"
    bad.write_text("source,target,kind,start\ntest-hust,ghost,mou,2020\n", encoding="utf-8")
    tab.locator("input[type=file]").set_input_files(str(bad))
    tab.get_by_role("heading", name="Validation report").wait_for(timeout=60_000)
    wait_idle(tab)
    assert "1 problem found; nothing would be written." in tab.get_by_test_id("stAlert").first.inner_text()
    _shot(tab, "load-validation")


def test_search_without_diacritics_reaches_the_profile(tab) -> None:
    _go(tab, "Organisation profile", "Organisation profile")
    box = tab.get_by_label("Search by name or alias")
    box.fill("dai hoc bach khoa ha noi")
    box.press("Enter")
    tab.get_by_role("heading", name="Đại học Bách khoa Hà Nội").wait_for(timeout=60_000)
    wait_for_network(tab)
    wait_idle(tab)
    assert parse_qs(urlsplit(tab.url).query)["org"] == ["test-hust"]
    _shot(tab, "profile")


def _node_point(page, node: str) -> tuple[float, float]:
    """Where *node* is drawn in the page, from the network iframe's vis-network object."""
    handle = page.locator("iframe").first.element_handle()
    frame = handle.content_frame()
    frame.wait_for_function("() => window.ecographDrawn === true")
    point = frame.evaluate(
        "(id) => { network.stopSimulation(); network.fit({animation: false});"
        " const p = network.getPositions([id])[id]; return network.canvasToDOM(p); }",
        node,
    )
    box = handle.bounding_box()
    return box["x"] + point["x"], box["y"] + point["y"]


def test_markup_in_a_name_shows_as_text_and_never_runs(tab) -> None:
    box = tab.get_by_label("Search by name or alias")
    box.fill("img src")
    box.press("Enter")
    heading = tab.get_by_role("heading", name=XSS_NAME)
    heading.wait_for(timeout=60_000)
    assert heading.inner_text().strip() == XSS_NAME
    assert tab.locator("img[src='x']").count() == 0
    wait_for_network(tab)
    wait_idle(tab)
    x, y = _node_point(tab, "test-xss")
    tab.mouse.move(x, y)
    frame = tab.frame_locator("iframe").first
    tooltip = frame.locator("div.vis-tooltip")
    tooltip.wait_for(state="visible", timeout=10_000)
    assert XSS_NAME in tooltip.inner_text()
    assert frame.locator("img[src='x']").count() == 0
    _shot(tab, "profile-markup-name")


def test_double_click_on_the_map_opens_the_profile(tab) -> None:
    # On the profile of the organisation named "<img …>", its one partner is test-hust.
    x, y = _node_point(tab, "test-hust")
    tab.mouse.dblclick(x, y)
    tab.get_by_role("heading", name="Đại học Bách khoa Hà Nội").wait_for(timeout=60_000)
    assert parse_qs(urlsplit(tab.url).query)["org"] == ["test-hust"]
    wait_idle(tab)


def test_map_table_waits_for_its_button(tab) -> None:
    # The table and the choice of profiles are drawn only when asked for, not with the map.
    _go(tab, "Network map", "Network map")
    wait_for_network(tab)
    assert tab.get_by_test_id("stDataFrame").count() == 0
    tab.get_by_test_id("stPopoverButton").filter(has_text="Organisations in view").click()
    tab.get_by_test_id("stDataFrame").wait_for(timeout=60_000)
    tab.get_by_text("Open the profile of").wait_for(state="visible", timeout=60_000)
    _shot(tab, "map-table")


def test_a_link_cannot_put_a_link_or_an_image_on_the_profile(tab, app) -> None:
    """What a query parameter carries shows as text: no link to follow, no image fetched
    (the session fails the test on any request leaving the machine)."""
    planted = "[Log in](https://evil.example/login) ![t](http://evil.example/track.png)"
    tab.goto(f"{app.url}/profile?org={quote(planted)}")
    wait_for_app(tab, "Organisation profile")
    tab.get_by_test_id("stAlert").filter(has_text="No organisation has the id").wait_for(timeout=60_000)
    assert tab.get_by_test_id("stText").inner_text() == planted
    assert tab.locator("a[href*='evil.example']").count() == 0
    assert tab.locator("img[src*='evil.example']").count() == 0
    _shot(tab, "profile-query-parameter")


def test_tables_offer_only_the_spreadsheet_safe_download(tab, tmp_path) -> None:
    _go(tab, "Centrality", "Centrality")
    table = tab.get_by_test_id("stDataFrame").first
    table.hover()
    tab.wait_for_timeout(500)  # the table's own toolbar shows on hover
    assert tab.get_by_role("button", name="Download as CSV").count() == 0
    with tab.expect_download() as started:
        tab.get_by_test_id("stDownloadButton").first.click()
    saved = tmp_path / started.value.suggested_filename
    started.value.save_as(saved)
    text = saved.read_text(encoding="utf-8-sig")
    assert text.splitlines()[0].startswith("rank,") and len(text.splitlines()) > 10


def test_missing_chromium_fails_under_ci_and_skips_elsewhere(monkeypatch, tmp_path) -> None:
    import browser_support

    monkeypatch.setattr(browser_support, "CHROMIUM", str(tmp_path / "no-chromium"))
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="browser tests cannot run under CI=true: no Chromium at"):
        browser_support.require_chromium()
    monkeypatch.setenv("CI", "")
    with pytest.raises(pytest.skip.Exception, match="no Chromium at"):
        browser_support.require_chromium()


# -- the WebGL map (more than a few hundred organisations: this store has 602) -----------------


def _map_frame(page):
    """The map's frame once sigma.js has drawn, and the box of its element in the page."""
    wait_for_network(page, timeout=120_000)
    handle = page.locator("iframe").first.element_handle()
    frame = handle.content_frame()
    frame.wait_for_function("() => window.ecographDrawn === true && !!window.ecographMap")
    return frame, handle.bounding_box()


def _org_point(page, frame, box, org: str) -> tuple[float, float]:
    """Zoom the map onto *org* (as its search does) and return where it is drawn in the page."""
    frame.evaluate("(id) => window.ecographMap.select(window.ecographMap.indexOf[id], 'now')", org)
    page.wait_for_timeout(300)
    point = frame.evaluate("(id) => window.ecographMap.position(id)", org)
    return box["x"] + point["x"], box["y"] + point["y"]


def test_big_map_is_webgl_and_counts_what_the_filters_keep(tab) -> None:
    here = urlsplit(tab.url)
    tab.goto(f"{here.scheme}://{here.netloc}/map?category=startup&category=company&colour=kind")
    wait_for_app(tab, "Network map", timeout=120_000)
    caption = tab.get_by_test_id("stCaptionContainer").filter(has_text="Showing").first.inner_text()
    frame, _ = _map_frame(tab)
    shown = frame.evaluate(
        "() => [window.ecographMap.organisations, document.getElementById('status').textContent]"
    )
    assert caption.startswith(f"Showing {shown[0]:,} organisations") and shown[1].startswith(
        f"{shown[0]:,} organisations"
    )
    # The filters' widgets are made once they are opened, on the URL's view.
    assert tab.get_by_test_id("stMultiSelect").count() == 0
    tab.get_by_text("Filters, colour, size and grouping (1 filter set)").click()
    tab.get_by_test_id("stMultiSelect").filter(has_text="Category").first.wait_for(timeout=60_000)
    wait_for_app(tab, "Network map", timeout=120_000)
    _shot(tab, "map-webgl-filters")
    chosen = tab.get_by_test_id("stMultiSelect").filter(has_text="Category").first.inner_text()
    assert "startup" in chosen and "company" in chosen and 300 < shown[0] < 602
    assert frame.locator("canvas").count() >= 3  # sigma's WebGL layers, and the groups' discs
    tab.goto(f"{here.scheme}://{here.netloc}/map")  # the whole store
    wait_for_app(tab, "Network map", timeout=120_000)
    frame, _ = _map_frame(tab)
    assert frame.evaluate("() => window.ecographMap.organisations") == 602
    # The page of megabytes comes by URL from the explorer, not inside Streamlit's messages.
    src = tab.locator("iframe").first.get_attribute("src") or ""
    assert src.startswith("/component/") and src.endswith(".html")
    assert tab.locator("iframe").first.get_attribute("srcdoc") is None
    _shot(tab, "map-webgl")


def test_webgl_tooltip_shows_markup_as_text(tab) -> None:
    frame, box = _map_frame(tab)
    x, y = _org_point(tab, frame, box, "test-xss")
    tab.mouse.move(x, y)
    tooltip = frame.locator("#tooltip")
    tooltip.wait_for(state="visible", timeout=10_000)
    assert tooltip.locator("div").first.inner_text() == XSS_NAME
    assert frame.locator("img").count() == 0 and tab.locator("img[src='x']").count() == 0
    _shot(tab, "map-webgl-tooltip")


def test_webgl_search_selects_and_the_url_shares_it(tab) -> None:
    frame, _ = _map_frame(tab)
    box = frame.get_by_label("Find an organisation on the map")
    box.fill("dai hoc bach khoa ha noi")
    box.press("Enter")
    frame.wait_for_function("() => window.ecographSelected === 'test-hust'")
    assert parse_qs(urlsplit(tab.url).query)["org"] == ["test-hust"]
    # The link opens the map on the same organisation.
    tab.goto(tab.url)
    wait_for_app(tab, "Network map", timeout=120_000)
    frame, _ = _map_frame(tab)
    frame.wait_for_function("() => window.ecographSelected === 'test-hust'")
    assert (
        tab.get_by_role(
            "link", name="Profile of the organisation selected on the map: Đại học Bách khoa Hà Nội"
        ).count()
        == 1
    )


def test_webgl_map_saves_png_and_svg(tab) -> None:
    frame, _ = _map_frame(tab)
    with tab.expect_download() as png:
        frame.get_by_role("button", name="PNG").click()
    assert png.value.suggested_filename == "ecograph-map.png"
    with tab.expect_download() as svg:
        frame.get_by_role("button", name="SVG").click()
    assert svg.value.suggested_filename == "ecograph-map.svg"
    text = Path(svg.value.path()).read_text(encoding="utf-8")
    assert text.startswith("<svg") and "<circle" in text and "<img" not in text


def test_webgl_click_opens_the_profile(tab) -> None:
    frame, box = _map_frame(tab)
    x, y = _org_point(tab, frame, box, "test-hust")
    tab.mouse.click(x, y)
    tab.get_by_role("heading", name="Đại học Bách khoa Hà Nội").wait_for(timeout=60_000)
    assert parse_qs(urlsplit(tab.url).query)["org"] == ["test-hust"]
    wait_idle(tab)
