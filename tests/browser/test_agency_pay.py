"""A member opens the Agency pay page, uses its filters and downloads; no console errors, no axe violations."""
from playwright.sync_api import expect

from tests.browser.conftest import axe_violations, choose, describe_violations, screenshot, sign_in, wait_for_dash


def test_agency_pay_filters_change_the_view_and_the_address(page):
    sign_in(page)
    page.goto(page.base_url + "/agency-pay")
    wait_for_dash(page)
    expect(page.locator("h1").first).to_have_text("Agency pay (London Pledge)")
    page.wait_for_selector("#pay-range .main-svg", timeout=15000)
    # Default: All London & all job types, the member's own LA highlighted, demo data and illustrative caps labelled.
    expect(page.locator("#pay-range-title")).to_contain_text("All London, all job types")
    expect(page.get_by_text("Demo data.")).to_be_visible()
    expect(page.get_by_text("illustrative demo values").first).to_be_visible()
    assert page.locator("#pay-range").get_by_text("Lambeth (your LA)").count() >= 1
    assert page.locator("#pay-summary-grid .ag-row").count() >= 20
    violations = axe_violations(page)
    assert not violations, describe_violations(violations)
    screenshot(page, "agency-pay-london")

    title = page.locator("#pay-range-title")
    choose(page, "pay-area", "South London")
    expect(title).to_contain_text("South London")
    choose(page, "pay-job", "Team manager")
    expect(title).to_contain_text("team manager")
    choose(page, "pay-by", "By job type")
    expect(title).to_contain_text("by job type")
    assert "area=sr%3Asouth" in page.url and "job=team_manager" in page.url and "by=job" in page.url
    page.wait_for_selector("#pay-trend .main-svg")
    screenshot(page, "agency-pay-south-team-managers")

    # A CSV download of the table as shown.
    with page.expect_download() as download:
        page.locator("#pay-dl-summary-csv").click()
    path = download.value.path()
    text = open(path, encoding="utf-8-sig").read()
    assert text.startswith("Job type,Assignments") and "Team manager" in text

    # The address reopens the same view.
    page.goto(page.url)
    wait_for_dash(page)
    expect(page.locator("#pay-range-title")).to_contain_text("by job type: South London, team manager")
    violations = axe_violations(page)
    assert not violations, describe_violations(violations)
    assert not page.console_errors, page.console_errors
