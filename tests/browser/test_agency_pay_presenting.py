"""Agency pay, presented: the anonymise switch hides other LAs' names (and stays in the address), and presentation
mode steps through the charts by keyboard. No console errors, no axe violations; screenshots to look at."""
from playwright.sync_api import expect

from tests.browser.conftest import (ANONYMISE, axe_violations, describe_violations, screenshot, sign_in, slide_titles,
                                    visible_slides, wait_for_dash)


def test_agency_pay_anonymised_and_presented(page):
    sign_in(page)
    page.goto(page.base_url + "/agency-pay?area=E09000008")
    wait_for_dash(page)
    expect(page.locator("#pay-range-title")).to_contain_text("Croydon", timeout=20000)
    expect(page.locator("#pay-range-takeaway")).to_contain_text("Croydon")
    page.get_by_label(ANONYMISE).check()
    expect(page.locator("#pay-range-title")).not_to_contain_text("Croydon", timeout=20000)
    wait_for_dash(page)
    assert "anon=1" in page.url
    grid = page.locator("#pay-summary-grid").inner_text()
    assert "Lambeth" in grid and "Croydon" not in grid and "LA " in grid
    assert "Croydon" not in page.locator("#pay-overcap-la").inner_text()         # the chart's own labels
    # The address reopens the anonymised view.
    page.goto(page.url)
    wait_for_dash(page)
    expect(page.locator("#pay-range-title")).to_contain_text("LA ", timeout=20000)
    assert page.get_by_label(ANONYMISE).is_checked()
    page.wait_for_selector("#pay-trend .main-svg", timeout=20000)
    screenshot(page, "agency-pay-anonymised")
    violations = axe_violations(page)
    assert not violations, describe_violations(violations)

    titles = slide_titles(page)
    assert titles[0] == "Headline figures" and len(titles) == 6      # the headline cards, then five charts
    page.get_by_role("button", name="Present").click()
    assert not page.locator(".filter-bar").is_visible() and not page.locator(".present-bar").is_visible()
    assert visible_slides(page) == [titles[0]]
    page.keyboard.press("ArrowRight")
    assert visible_slides(page) == [titles[1]]
    expect(page.locator("#present-status")).to_have_text("Slide 2 of 6 (arrow keys to move, Escape to leave)")
    page.wait_for_timeout(500)
    screenshot(page, "agency-pay-presenting-overcap")
    page.keyboard.press("ArrowLeft")
    assert visible_slides(page) == [titles[0]]
    page.keyboard.press("Escape")
    assert len(visible_slides(page)) == len(titles)
    assert not page.console_errors, page.console_errors
