"""Presentation mode steps through the Benchmarking charts by keyboard, with navigation and filters hidden."""
from playwright.sync_api import expect

from tests.browser.conftest import axe_violations, describe_violations, screenshot, sign_in, wait_for_dash


def _visible_slides(page):
    return page.eval_on_selector_all(".slide", "els => els.filter(e => e.offsetParent !== null || "
                                               "getComputedStyle(e).position === 'fixed').map(e => e.querySelector('h2').textContent)")


def test_presentation_mode_steps_through_charts_by_keyboard(page):
    sign_in(page)
    page.goto(page.base_url + "/benchmarking?indicator=cla_rate&focus=E09000022")
    wait_for_dash(page)
    expect(page.locator("#bench-ranking-takeaway")).not_to_be_empty(timeout=20000)
    titles = page.eval_on_selector_all(".slide h2", "els => els.map(e => e.textContent)")
    page.get_by_role("button", name="Present").click()
    assert not page.locator(".site-header").is_visible() and not page.locator(".filter-bar").is_visible()
    assert _visible_slides(page) == [titles[0]]
    expect(page.locator("#present-status")).to_have_text(f"Chart 1 of {len(titles)} (arrow keys to move, Escape to leave)")
    page.keyboard.press("ArrowRight")
    assert _visible_slides(page) == [titles[1]]
    page.wait_for_timeout(500)
    screenshot(page, "presenting-ranking")
    page.keyboard.press("ArrowLeft")
    assert _visible_slides(page) == [titles[0]]
    page.keyboard.press("Escape")
    assert page.locator(".site-header").is_visible() and len(_visible_slides(page)) == len(titles)
    assert not page.console_errors, page.console_errors


def test_anonymise_switch_hides_other_las_names_and_lives_in_the_address(page):
    sign_in(page)
    page.goto(page.base_url + "/benchmarking?indicator=cla_rate&focus=E09000008")
    wait_for_dash(page)
    expect(page.locator("#bench-series-title")).to_contain_text("Croydon", timeout=20000)
    page.get_by_label("Anonymise other LAs (LA 1 to LA 33; yours keeps its name)").check()
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
    from tests.conftest import ADMIN_EMAIL
    sign_in(page, ADMIN_EMAIL)   # administrators may open every page, the sufficiency tool included
    for path in ("/agency-pay", "/leadership-in-colour", "/suspensions", "/send", "/sufficiency"):
        page.goto(page.base_url + path)
        wait_for_dash(page, timeout=60000)
        page.wait_for_selector(".chart-card .main-svg", timeout=60000)
        page.get_by_role("button", name="Present").click()
        first = _visible_slides(page)
        assert len(first) == 1, (path, first)
        page.keyboard.press("ArrowRight")
        second = _visible_slides(page)
        assert len(second) == 1 and second != first, (path, second)
        page.keyboard.press("Escape")
        assert page.locator(".site-header").is_visible()
    assert not page.console_errors, page.console_errors
