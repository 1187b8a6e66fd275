"""The console in real headless Chromium: sign in as each role, dashboard charts drawn by
plotly.js, inventory search → history, language switch, an enterprise kept out of another's
inventory. Saves the dashboard as build/dashboard.png (a CI artefact)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page
from tests.web.browser import chromium, serve, sign_in
from tests.web.seeding import NOW, ConsoleZone

from singlewindow.kit.clock import FixedClock

SCREENSHOT = Path(__file__).resolve().parents[2] / "build" / "dashboard.png"
CHARTS = ("trend", "country", "trade_mode", "county", "hs_chapter")


@pytest.fixture(scope="module")
def address(console_zone: ConsoleZone) -> Iterator[str]:
    with serve(console_zone.url, FixedClock(NOW)) as running:
        yield running


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    context.set_default_timeout(10_000)
    opened = context.new_page()
    errors: list[str] = []
    opened.on("pageerror", lambda e: errors.append(str(e)))
    # A page answered 404 on purpose is fine; a script, style or chart asset failing is not.
    opened.on(
        "response",
        lambda r: (
            errors.append(f"{r.status} {r.url}")
            if r.status >= 400 and r.request.resource_type != "document"
            else None
        ),
    )
    yield opened
    context.close()
    assert errors == []


def _drawn_marks(page: Page, chart: str) -> int:
    """SVG marks plotly drew: line paths of a trend, bar paths of a breakdown."""
    return page.locator(f"#chart-{chart} .plot-container svg .trace path").count()


@pytest.mark.parametrize(
    "persona",
    [
        pytest.param("zone_admin", id="zone_admin_case"),
        pytest.param("customs", id="customs_case"),
        pytest.param("tax", id="tax_case"),
        pytest.param("enterprise", id="enterprise_case"),
    ],
)
def test_each_role_signs_in_and_sees_drawn_charts(
    page: Page, address: str, console_zone: ConsoleZone, persona: str
) -> None:
    page.goto(f"{address}/")
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    assert page.locator("h1").inner_text() == "登录"
    sign_in(page, address, console_zone.keys[persona])
    role = "enterprise" if persona == "enterprise" else persona
    assert page.locator("#principal").get_attribute("data-role") == role
    for chart in CHARTS:
        page.wait_for_selector(f'#chart-{chart}[data-drawn="1"]', timeout=10_000)
        assert _drawn_marks(page, chart) > 0, chart
    assert page.locator("#kpis .kpi").count() >= 9
    if persona == "zone_admin":
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOT), full_page=True)
        assert SCREENSHOT.stat().st_size > 10_000


def test_search_an_inventory_and_open_its_history(
    page: Page, address: str, console_zone: ConsoleZone
) -> None:
    assert console_zone.refused_invt_no is not None
    sign_in(page, address, console_zone.keys["customs"])
    page.click("nav >> text=清单查询")
    page.fill("input[name=invtNo]", console_zone.refused_invt_no)
    page.click("#search-submit")
    links = page.locator("#inventory-results a.invt")
    assert links.all_inner_texts() == [console_zone.refused_invt_no]
    links.first.click()
    page.wait_for_selector("#history")
    assert page.locator("#inventory-no").inner_text() == console_zone.refused_invt_no
    assert page.locator("#history td.to").all_inner_texts() == ["120 入库（等待单证）", "100 退单"]
    assert page.locator("#history td.reasons").all_inner_texts() == [
        "",
        "comparison.amount_mismatch",
    ]
    assert page.locator("#documents tbody tr").count() == 4


def test_switch_language_and_it_sticks(page: Page, address: str, console_zone: ConsoleZone) -> None:
    sign_in(page, address, console_zone.keys["tax"])
    page.goto(f"{address}/console/inventories")
    assert page.locator("h1").inner_text() == "清单查询"
    page.click("#lang-switch")
    page.wait_for_selector('html[lang="en"]')
    assert page.locator("h1").inner_text() == "Inventory search"
    page.click("nav >> text=Registry")
    assert page.locator("h1").inner_text() == "Registry"
    page.click("#lang-switch")
    page.wait_for_selector('html[lang="zh-CN"]')
    assert page.locator("h1").inner_text() == "备案信息"


def test_enterprise_cannot_reach_another_enterprises_inventory(
    page: Page, address: str, console_zone: ConsoleZone
) -> None:
    sign_in(page, address, console_zone.keys["enterprise"])
    own = page.goto(f"{address}/console/inventories/{console_zone.own_invt_no}")
    assert own is not None and own.status == 200
    foreign = page.goto(f"{address}/console/inventories/{console_zone.foreign_invt_no}")
    assert foreign is not None and foreign.status == 404
    assert page.locator("h1").inner_text() == "未找到"
    assert page.locator("#history").count() == 0
    page.goto(f"{address}/console/inventories?invtNo={console_zone.foreign_invt_no}")
    assert page.locator("#inventory-results").count() == 0


def test_sign_out_returns_to_sign_in(page: Page, address: str, console_zone: ConsoleZone) -> None:
    sign_in(page, address, console_zone.keys["zone_admin"])
    page.click("#signout")
    page.wait_for_selector("#signin-submit")
    page.goto(f"{address}/console/inventories")
    assert page.url == f"{address}/"
    assert page.locator("h1").inner_text() == "登录"
