"""Presentation mode steps through the Benchmarking charts by keyboard, with navigation and filters hidden."""
from playwright.sync_api import expect

from tests.browser.conftest import (ANONYMISE, axe_violations, describe_violations, screenshot, sign_in, slide_titles,
                                    visible_slides, wait_for_dash)


def test_presentation_mode_steps_through_charts_by_keyboard(page):
    sign_in(page)
    page.goto(page.base_url + "/benchmarking?indicator=cla_rate&focus=E09000022")
    wait_for_dash(page)
    expect(page.locator("#bench-ranking-takeaway")).not_to_be_empty(timeout=20000)
    titles = slide_titles(page)
    page.get_by_role("button", name="Present").click()
    assert not page.locator(".site-header").is_visible() and not page.locator(".filter-bar").is_visible()
    assert visible_slides(page) == [titles[0]] == ["Headline figures"]       # the page's headline cards come first
    assert page.locator(".kpi-slide .kpi-card").first.is_visible()
    screenshot(page, "presenting-headline-figures")
    expect(page.locator("#present-status")).to_have_text(f"Slide 1 of {len(titles)} (arrow keys to move, Escape to leave)")
    page.keyboard.press("ArrowRight")
    assert visible_slides(page) == [titles[1]]
    page.wait_for_timeout(500)
    screenshot(page, "presenting-ranking")
    page.keyboard.press("ArrowLeft")
    assert visible_slides(page) == [titles[0]]
    page.keyboard.press("Escape")
    assert page.locator(".site-header").is_visible() and len(visible_slides(page)) == len(titles)
    assert not page.console_errors, page.console_errors


def test_anonymise_switch_hides_other_las_names_and_lives_in_the_address(page):
    sign_in(page)
    page.goto(page.base_url + "/benchmarking?indicator=cla_rate&focus=E09000008")
    wait_for_dash(page)
    expect(page.locator("#bench-series-title")).to_contain_text("Croydon", timeout=20000)
    page.get_by_label(ANONYMISE).check()
    expect(page.locator("#bench-series-title")).not_to_contain_text("Croydon", timeout=20000)
    wait_for_dash(page)
    assert "anon=1" in page.url
    grid = page.locator("#bench-ranking-grid").inner_text()
    assert "Lambeth" in grid and "Croydon" not in grid and "LA " in grid
    screenshot(page, "benchmarking-anonymised")
    violations = axe_violations(page)
    assert not violations, describe_violations(violations)
    assert not page.console_errors, page.console_errors


def test_every_dashboard_page_can_be_presented(page):
    from tests.store_fixtures import ADMIN_EMAIL
    sign_in(page, ADMIN_EMAIL)   # administrators may open every page, the sufficiency tool included
    for path in ("/agency-pay", "/leadership-in-colour", "/suspensions", "/send", "/sufficiency"):
        page.goto(page.base_url + path)
        wait_for_dash(page, timeout=60000)
        page.wait_for_selector(".chart-card .main-svg", timeout=60000)
        page.get_by_role("button", name="Present").click()
        first = visible_slides(page)
        assert len(first) == 1, (path, first)
        page.keyboard.press("ArrowRight")
        second = visible_slides(page)
        assert len(second) == 1 and second != first, (path, second)
        page.keyboard.press("Escape")
        assert page.locator(".site-header").is_visible()
    assert not page.console_errors, page.console_errors
