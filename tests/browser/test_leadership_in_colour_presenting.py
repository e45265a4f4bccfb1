"""Leadership in Colour, presented: the anonymise switch hides other boroughs' names (and stays in the address), and
presentation mode steps through the charts by keyboard. No console errors, no axe violations; screenshots to look at."""
from playwright.sync_api import expect

from tests.browser.conftest import (ANONYMISE, axe_violations, describe_violations, screenshot, sign_in, slide_titles,
                                    visible_slides, wait_for_dash)


def test_leadership_in_colour_anonymised_and_presented(page):
    sign_in(page)
    page.goto(page.base_url + "/leadership-in-colour?borough=E09000008")
    wait_for_dash(page)
    expect(page.locator("#linc-band-title")).to_contain_text("Croydon", timeout=20000)
    page.get_by_label(ANONYMISE).check()
    expect(page.locator("#linc-band-title")).not_to_contain_text("Croydon", timeout=20000)
    wait_for_dash(page)
    assert "anon=1" in page.url
    grid = page.locator("#linc-borough-grid").inner_text()
    assert "Lambeth" in grid and "Croydon" not in grid and "LA " in grid
    expect(page.locator("#linc-notknown-takeaway")).to_contain_text("LA ")
    page.wait_for_selector("#linc-notknown .main-svg", timeout=20000)
    assert "Croydon" not in page.locator("#linc-notknown").inner_text()
    screenshot(page, "leadership-in-colour-anonymised")
    violations = axe_violations(page)
    assert not violations, describe_violations(violations)

    titles = slide_titles(page)
    assert titles[0] == "Headline figures" and len(titles) == 5      # the headline cards, then four charts
    page.get_by_role("button", name="Present").click()
    assert not page.locator(".filter-bar").is_visible() and not page.locator(".present-bar").is_visible()
    assert visible_slides(page) == [titles[0]]
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    assert visible_slides(page) == [titles[2]]
    page.wait_for_timeout(500)
    screenshot(page, "leadership-in-colour-presenting-roles")
    page.keyboard.press("ArrowLeft")
    assert visible_slides(page) == [titles[1]]
    page.keyboard.press("Escape")
    assert len(visible_slides(page)) == len(titles)
    assert not page.console_errors, page.console_errors
