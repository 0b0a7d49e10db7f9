"""The "Change over time" page in headless Debian Chromium: both views draw, names stay text.

Its own ``ecograph serve`` on a 300-organisation demo store with the test organisations of
:mod:`browser_support` (one named ``<img src=x onerror=alert(1)>``) and one more in a
province whose name is markup. Screenshots go to ``tests/artifacts/``; a dialog, an
exception on the page or a request leaving the machine fails the test.
"""

from __future__ import annotations

from urllib.parse import quote

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
)

pytestmark = pytest.mark.browser

MARKUP_PROVINCE = "<i>Tỉnh</i> & Co"


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory):
    require_chromium()
    import ecograph

    folder = tmp_path_factory.mktemp("browser-change")
    url = make_demo_store(folder, orgs=300)
    (folder / "markup-orgs.csv").write_text(
        f'id,name,kind,country,province\ntest-prov,Công ty Tỉnh,company,VN,"{MARKUP_PROVINCE}"\n',
        encoding="utf-8",
    )
    (folder / "markup-ties.csv").write_text(
        "source,target,kind,start\ntest-prov,test-hust,mou,2023\n", encoding="utf-8"
    )
    ecograph.load([folder / "markup-orgs.csv", folder / "markup-ties.csv"], url)
    with serve(url, log_dir=folder) as running:
        yield running


@pytest.fixture(scope="module")
def tab(app):
    with (
        browser() as chromium,
        guarded_tab(chromium, {"width": 1400, "height": 2200}) as (page, dialogs, outside),
    ):
        yield page
        assert not dialogs, f"a dialog opened: {dialogs}"
        assert not outside, f"requests left the machine: {outside}"


def _open(tab, app, query: str) -> None:
    tab.goto(app.page_url(f"change?{query}"))
    wait_for_app(tab, "Change over time", timeout=180_000)
    assert tab.locator("[data-testid='stException']").count() == 0


def _shot(tab, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_the_comparison_names_organisations_as_text(tab, app) -> None:
    _open(tab, app, f"from=2021&to=2022&province={quote('Hà Nội')}")
    tab.get_by_role("heading", name="Change from 2021 to 2022 in Hà Nội").wait_for(timeout=60_000)
    joined = tab.get_by_text(f"{XSS_NAME} had no tie in 2021 and joined the main network in 2022.")
    joined.wait_for(timeout=30_000)
    assert tab.locator("img[src='x']").count() == 0
    assert tab.get_by_role("button", name="HTML").count() == 1
    _shot(tab, "change-compare")


def test_the_scorecard_draws_small_multiples_with_a_province_named_in_markup(tab, app) -> None:
    _open(tab, app, f"view=scorecard&highlight={quote(MARKUP_PROVINCE)}")
    tab.get_by_role("heading", name="Scorecard by province, 2017–2026").wait_for(timeout=60_000)
    chart = tab.get_by_test_id("stVegaLiteChart")
    chart.locator("canvas, svg.marks").first.wait_for(timeout=60_000)
    assert chart.count() == 1  # the small multiples: one faceted chart
    assert tab.get_by_text(f"{MARKUP_PROVINCE} in red", exact=False).count() == 1
    # The markup in the province's name is shown, never applied: in the caption, the table, the choice.
    assert tab.locator("[data-testid='stMain'] i", has_text="Tỉnh").count() == 0
    assert tab.get_by_text(MARKUP_PROVINCE, exact=True).count() >= 1
    _shot(tab, "change-scorecard")
