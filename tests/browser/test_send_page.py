"""The SEND page in headless Chromium: it renders, its filters change the view and the address, no console
errors, no axe violations; screenshots in test-artifacts/."""
from tests.browser.conftest import ARTIFACTS, axe_violations, describe_violations, screenshot, sign_in, wait_for_dash


def _choose(page, dropdown_id, text):
    page.locator(f"#{dropdown_id}").click()
    page.get_by_role("option", name=text, exact=True).click()
    page.keyboard.press("Escape")
    wait_for_dash(page)


def test_send_page_renders_and_its_filters_drive_the_view(page):
    sign_in(page)
    page.goto(page.base_url + "/send")
    wait_for_dash(page)
    page.wait_for_selector("#send-kpis .kpi-card", timeout=30000)
    assert page.locator("h1").first.inner_text() == "SEND"
    assert "Lambeth" in page.locator("#send-trend-title").inner_text()
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

    _choose(page, "send-focus", "Brent")
    _choose(page, "send-measure", "EHC plans in force per 1,000 children aged 0-17")
    _choose(page, "send-by", "Sub-region")
    page.wait_for_function("() => document.querySelector('#send-trend-title').textContent.includes('Brent')")
    assert "per 1,000" in page.locator("#send-ranking-title").inner_text()
    assert "focus=E09000005" in page.url and "measure=plans_per_1000" in page.url and "by=subregion" in page.url
    assert "Outcome 1" in page.locator("#send-kpis").inner_text()     # Brent: outcome 1, published March 2025
    screenshot(page, "send-brent-subregion")

    # A copied link reopens the same view.
    page.goto(page.url)
    wait_for_dash(page)
    page.wait_for_selector("#send-kpis .kpi-card", timeout=30000)
    assert "Brent" in page.locator("#send-trend-title").inner_text()
    assert not page.console_errors, page.console_errors
