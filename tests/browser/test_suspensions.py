"""A member opens the Education suspensions page, changes area, reads the real England view and downloads the table.

Fails on any browser console error or axe accessibility violation. Screenshots go to test-artifacts/.
"""
from playwright.sync_api import expect

from tests.browser.conftest import axe_violations, choose, describe_violations, screenshot, sign_in, wait_for_dash


def test_suspensions_page_from_own_la_to_london_and_england(page):
    sign_in(page)
    page.goto(page.base_url + "/suspensions")
    wait_for_dash(page)
    # The member's own LA by default, labelled as demo data, with the chart, table and heat map drawn.
    expect(page.locator("#susp-interval-title")).to_contain_text("Lambeth")
    expect(page.get_by_text("Demo data.")).to_be_visible()
    page.wait_for_selector("#susp-interval .main-svg", timeout=15000)
    page.wait_for_selector("#susp-table-grid .ag-row", timeout=15000)
    assert page.locator("#susp-table-grid .ag-row").count() >= 19
    expect(page.locator("#susp-table-grid")).to_contain_text("White British")
    page.wait_for_selector("#susp-heat .main-svg", timeout=15000)
    full = screenshot(page, "suspensions-lambeth")
    for part in ("interval", "table-grid", "trend", "heat", "heat-grid"):  # close-ups, to look at
        page.locator(f"#susp-{part}").screenshot(path=str(full.parent / f"suspensions-lambeth-{part}.png"))
    violations = axe_violations(page)
    assert not violations, describe_violations(violations)

    choose(page, "susp-area", "London (all 33 LAs)")
    expect(page.locator("#susp-interval-title")).to_contain_text("London, academic year", timeout=15000)
    assert "area=london" in page.url
    screenshot(page, "suspensions-london")

    choose(page, "susp-area", "England (DfE, 2011/12 to 2016/17)")
    # Changing area moves the year to one that area has (England: DfE's latest, 2016/17).
    expect(page.locator("#susp-interval-title")).to_contain_text("England, academic year 2016/17", timeout=15000)
    expect(page.get_by_text("Real figures.")).to_be_visible()
    expect(page.locator("#susp-table-grid")).to_contain_text("Gypsy/Roma")
    screenshot(page, "suspensions-england")

    # The address reopens the same view.
    page.goto(page.url)
    wait_for_dash(page)
    expect(page.locator("#susp-interval-title")).to_contain_text("England")
    violations = axe_violations(page)
    assert not violations, describe_violations(violations)
    assert not page.console_errors, page.console_errors


def test_suspensions_published_table_and_download(page):
    sign_in(page)
    page.goto(page.base_url + "/suspensions?area=published")
    wait_for_dash(page)
    page.wait_for_selector("#susp-table-grid .ag-row", timeout=15000)
    expect(page.locator("#susp-table-title")).to_contain_text("Published regional table")
    screenshot(page, "suspensions-published")
    with page.expect_download() as download:
        page.locator("#susp-dl-table-csv").click()
    lines = open(download.value.path(), encoding="utf-8-sig").read().strip().splitlines()
    assert lines[0].startswith("Major group,Ethnic group,Pupils,Rate per 1,000 (published)") or lines[0].startswith(
        'Major group,Ethnic group,Pupils,"Rate per 1,000 (published)"')
    assert len(lines) == 21  # 19 groups and all pupils, after the header
    assert not page.console_errors, page.console_errors
