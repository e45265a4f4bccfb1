"""My LA in headless Chromium: the home page after sign-in for a member (their LA, fixed); an administrator opens two
LAs and follows a row's link to the page and filters that show it; no console errors, no axe violations; screenshots
in test-artifacts/."""
import re

from playwright.sync_api import expect

from tests.browser.conftest import axe_violations, choose, describe_violations, screenshot, sign_in, wait_for_dash
from tests.store_fixtures import ADMIN_EMAIL

HACKNEY, CAMDEN = "E09000012", "E09000007"


def wait_for_rows(page):
    page.wait_for_selector("#myla-grid .ag-row", timeout=60000)
    wait_for_dash(page, timeout=60000)


# Cells whose text wraps but does not fit their row (text cut off at the row's foot): their first words, per grid.
CUT_CELLS = """() => Array.from(document.querySelectorAll('.ag-cell-wrap-text'))
    .filter((cell) => cell.offsetParent !== null && cell.scrollHeight > cell.clientHeight + 1)
    .map((cell) => cell.closest('[id]').id + ': ' + cell.textContent.slice(0, 40))"""


def test_a_member_lands_on_their_la_at_a_glance(page):
    sign_in(page)   # lands on /my-la
    wait_for_dash(page, timeout=90000)   # the first view after new data is built, not warmed yet
    wait_for_rows(page)
    expect(page.locator("h1").first).to_have_text("My LA at a glance")
    expect(page.locator("#myla-summary")).to_contain_text("Lambeth: ", timeout=30000)
    expect(page.locator("#myla-summary")).to_contain_text("indicators flagged")
    # Exceptions first, each with its reason in words; then every indicator in themes that open and close.
    assert page.locator("#myla-grid .ag-center-cols-container .ag-row").count() >= 5
    expect(page.locator("#myla-grid")).to_contain_text("London's")
    themes = page.locator("details.myla-theme:not([hidden])")
    assert themes.count() >= 6
    # Themes start closed (the page stays short); one opens on a click and shows its rows.
    assert page.locator("details.myla-theme[open]").count() == 0
    theme = page.locator("#myla-theme-help-and-protection")
    theme.locator("summary").click()
    expect(theme.locator(".ag-row").first).to_be_visible(timeout=10000)
    # Its rows are all there: as many as its heading counts ("Help and protection: 14 indicators, 5 flagged").
    counted = int(theme.locator("summary").inner_text().split(": ")[1].split(" ")[0])
    assert counted >= 5
    expect(theme.locator(".ag-center-cols-container .ag-row")).to_have_count(counted)
    # Long reasons and indicator names wrap between words, each row tall enough for its whole text (the open theme's
    # too, sized when it opened).
    page.wait_for_timeout(300)
    assert page.locator("#myla-grid .ag-cell-wrap-text").count() >= 5
    assert page.locator("#myla-theme-help-and-protection .ag-cell-wrap-text").count() >= 5
    assert page.evaluate(CUT_CELLS) == []
    expect(page.locator("#myla-status-grid")).to_contain_text("Agency pay (London Pledge)")   # data status of the LA's returns
    expect(page.locator("#myla-la")).to_contain_text("Lambeth")
    # The member's choice is fixed: the control offers no other LA.
    page.locator("#myla-la").click(force=True)
    assert page.get_by_role("option", name="Camden", exact=True).count() == 0
    page.keyboard.press("Escape")
    violations = axe_violations(page)
    assert not violations, "axe found " + describe_violations(violations)
    screenshot(page, "my-la-member")
    assert not page.console_errors, page.console_errors


def test_an_administrator_opens_two_las_and_follows_a_link_to_the_filtered_page(page):
    sign_in(page, ADMIN_EMAIL)
    page.goto(page.base_url + f"/my-la?la={CAMDEN}")
    wait_for_dash(page, timeout=90000)
    wait_for_rows(page)
    expect(page.locator("#myla-summary")).to_contain_text("Camden: ", timeout=30000)
    # A theme opened on Camden, then Hackney chosen: the open theme shows Hackney's rows.
    page.locator("#myla-theme-help-and-protection summary").click()
    link = page.locator("#myla-theme-help-and-protection a[href*='source=regional']").first
    expect(link).to_have_attribute("href", re.compile(f"focus={CAMDEN}"), timeout=10000)
    choose(page, "myla-la", "Hackney", timeout=60000)
    expect(page.locator("#myla-summary")).to_contain_text("Hackney: ", timeout=60000)
    assert f"la={HACKNEY}" in page.url
    screenshot(page, "my-la-admin-hackney")
    # The first regional-return row's link opens Benchmarking on that indicator, for Hackney.
    expect(link).to_have_attribute("href", re.compile(f"focus={HACKNEY}"), timeout=10000)
    href = link.get_attribute("href")
    assert f"focus={HACKNEY}" in href
    indicator = href.split("indicator=")[1].split("&")[0]
    link.click()
    page.wait_for_url("**/benchmarking?*", timeout=30000)
    wait_for_dash(page, timeout=60000)
    expect(page.locator("#bench-focus")).to_contain_text("Hackney", timeout=30000)
    assert "source=regional" in page.url and f"indicator={indicator}" in page.url and f"focus={HACKNEY}" in page.url
    assert not page.console_errors, page.console_errors
