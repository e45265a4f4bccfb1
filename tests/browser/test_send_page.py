"""The SEND page in headless Chromium: it renders, its filters change the view and the address, no console
errors, no axe violations; screenshots in test-artifacts/."""
from playwright.sync_api import expect

from tests.browser.conftest import (ARTIFACTS, axe_violations, choose, describe_violations, screenshot, sign_in,
                                   wait_for_dash)


def test_send_page_renders_and_its_filters_drive_the_view(page):
    sign_in(page)
    page.goto(page.base_url + "/send")
    wait_for_dash(page)
    page.wait_for_selector("#send-kpis .kpi-card", timeout=30000)
    expect(page.locator("h1").first).to_have_text("SEND")
    expect(page.locator("#send-trend-title")).to_contain_text("Lambeth")
    assert page.locator("#send-las-grid .ag-row").count() > 0
    violations = axe_violations(page)
    assert not violations, "axe found " + describe_violations(violations)
    screenshot(page, "send-default")
    # Sections one by one, readable at full size (the full page is too tall to look at).
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "send-part-top.png"), clip={"x": 0, "y": 0, "width": 1400, "height": 1300}, full_page=True)
    for name, selector in (("ranking", "#send-ranking"),
                           ("mixes", "#send-placement"), ("needs", "#send-need"), ("tiles", "#send-tiles"),
                           ("share", "#send-share")):
        page.locator(selector).first.screenshot(path=str(ARTIFACTS / f"send-part-{name}.png"))
    page.screenshot(path=str(ARTIFACTS / "send-part-viewport.png"))

    choose(page, "send-focus", "Brent")
    choose(page, "send-measure", "EHC plans in force per 1,000 children aged 0-17")
    choose(page, "send-by", "Sub-region")
    expect(page.locator("#send-trend-title")).to_contain_text("Brent")
    expect(page.locator("#send-ranking-title")).to_contain_text("per 1,000")
    assert "focus=E09000005" in page.url and "measure=plans_per_1000" in page.url and "by=subregion" in page.url
    expect(page.locator("#send-kpis")).to_contain_text("Outcome 1")     # Brent: outcome 1, published March 2025
    screenshot(page, "send-brent-subregion")

    # A copied link reopens the same view.
    page.goto(page.url)
    wait_for_dash(page)
    page.wait_for_selector("#send-kpis .kpi-card", timeout=30000)
    expect(page.locator("#send-trend-title")).to_contain_text("Brent")
    assert not page.console_errors, page.console_errors
