"""Education suspensions, presented: the anonymise switch hides other LAs' names (and stays in the address), and
presentation mode steps through the charts by keyboard. No console errors, no axe violations; screenshots to look at."""
from playwright.sync_api import expect

from tests.browser.conftest import (ANONYMISE, axe_violations, describe_violations, screenshot, sign_in, slide_titles,
                                    visible_slides, wait_for_dash)


def test_suspensions_anonymised_and_presented(page):
    sign_in(page)
    page.goto(page.base_url + "/suspensions?area=E09000008&year=2023/24")
    wait_for_dash(page)
    expect(page.locator("#susp-interval-title")).to_contain_text("Croydon", timeout=20000)
    page.get_by_label(ANONYMISE).check()
    expect(page.locator("#susp-interval-title")).not_to_contain_text("Croydon", timeout=20000)
    wait_for_dash(page)
    assert "anon=1" in page.url
    page.wait_for_selector("#susp-heat-grid .ag-row", timeout=20000)
    grid = page.locator("#susp-heat-grid").inner_text()
    assert "Lambeth" in grid and "Croydon" not in grid and "LA " in grid
    page.wait_for_selector("#susp-heat .main-svg", timeout=20000)
    assert "Croydon" not in page.locator("#susp-heat").inner_text()
    expect(page.locator("#susp-interval-takeaway")).to_contain_text("LA ")
    screenshot(page, "suspensions-anonymised")
    violations = axe_violations(page)
    assert not violations, describe_violations(violations)

    titles = slide_titles(page)
    assert len(titles) == 4      # the headline figures, then three charts
    page.get_by_role("button", name="Present").click()
    assert not page.locator(".filter-bar").is_visible() and not page.locator(".present-bar").is_visible()
    assert visible_slides(page) == [titles[0]]
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    assert visible_slides(page) == [titles[2]]
    page.wait_for_timeout(500)
    screenshot(page, "suspensions-presenting-heat")
    page.keyboard.press("ArrowLeft")
    assert visible_slides(page) == [titles[1]]
    page.keyboard.press("Escape")
    assert len(visible_slides(page)) == len(titles)
    assert not page.console_errors, page.console_errors
