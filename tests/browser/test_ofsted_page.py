"""The Ofsted inspections page in headless Chromium: it renders with the published ILACS file, every chart draws, the
filters change the view and the address, anonymising and presentation mode work, no console errors, no axe
violations; screenshots in test-artifacts/."""
from playwright.sync_api import expect

from tests.browser.conftest import (ANONYMISE, ARTIFACTS, axe_violations, choose, describe_violations, screenshot,
                                    sign_in, visible_slides, wait_for_dash)

CHARTS = ("london", "neighbours", "distribution", "send")


def test_ofsted_page_draws_its_charts_and_its_filters_drive_the_view(page):
    sign_in(page)
    page.goto(page.base_url + "/ofsted")
    wait_for_dash(page)
    page.wait_for_selector("#ofsted-kpis .kpi-card", timeout=30000)
    expect(page.locator("h1").first).to_have_text("Ofsted inspections")
    expect(page.locator("#ofsted-neighbours-title")).to_contain_text("Lambeth")
    for chart in CHARTS:   # each chart drawn by plotly: its SVG and at least one heatmap cell or bar
        page.wait_for_selector(f"#ofsted-{chart} .main-svg", timeout=30000)
        drawn = page.locator(f"#ofsted-{chart} .hm image, #ofsted-{chart} .heatmaplayer image, #ofsted-{chart} .bars path")
        assert drawn.count() > 0, chart
    assert page.locator("#ofsted-london-grid .ag-row").count() >= 20
    expect(page.locator("#ofsted-london-grid")).to_contain_text("Ofsted report")
    assert page.locator("#_pages_content .alert-warning").count() == 0   # published data only: no demo label
    violations = axe_violations(page)
    assert not violations, "axe found " + describe_violations(violations)
    screenshot(page, "ofsted-default")
    ARTIFACTS.mkdir(exist_ok=True)
    for chart in CHARTS:
        page.locator(f"#ofsted-{chart}").first.screenshot(path=str(ARTIFACTS / f"ofsted-part-{chart}.png"))

    choose(page, "ofsted-focus", "Brent")
    choose(page, "ofsted-judgement", "Care leavers")
    expect(page.locator("#ofsted-neighbours-title")).to_contain_text("Brent")
    expect(page.locator("#ofsted-distribution-title")).to_contain_text("Care leavers")
    assert "focus=E09000005" in page.url and "judgement=care_leavers" in page.url
    expect(page.locator("#ofsted-kpis")).to_contain_text("No judgement given")    # Brent's overall grade, 2026: none given

    # A copied link reopens the same view.
    page.goto(page.url)
    wait_for_dash(page)
    page.wait_for_selector("#ofsted-kpis .kpi-card", timeout=30000)
    expect(page.locator("#ofsted-neighbours-title")).to_contain_text("Brent")
    assert not page.console_errors, page.console_errors


def test_ofsted_page_anonymised_and_presented_by_keyboard(page):
    sign_in(page)
    page.goto(page.base_url + "/ofsted?focus=E09000008&judgement=overall")
    wait_for_dash(page)
    expect(page.locator("#ofsted-neighbours-title")).to_contain_text("Croydon", timeout=30000)
    page.get_by_label(ANONYMISE).check()
    expect(page.locator("#ofsted-neighbours-title")).not_to_contain_text("Croydon", timeout=30000)
    wait_for_dash(page)
    assert "anon=1" in page.url
    grid = page.locator("#ofsted-london-grid").inner_text()
    assert "Lambeth" in grid and "Croydon" not in grid and "LA " in grid and "Ofsted report" not in grid
    violations = axe_violations(page)
    assert not violations, describe_violations(violations)

    page.get_by_role("button", name="Present").click()
    first = visible_slides(page)
    assert len(first) == 1
    page.keyboard.press("ArrowRight")
    second = visible_slides(page)
    assert len(second) == 1 and second != first
    page.wait_for_timeout(300)
    screenshot(page, "ofsted-presenting")
    page.keyboard.press("Escape")
    assert page.locator(".site-header").is_visible()
    assert not page.console_errors, page.console_errors
