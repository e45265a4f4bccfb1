"""SEND, presented: anonymise other LAs (labels in charts and tables, kept in the address), then step through the
charts in presentation mode by keyboard. Fails on any browser console error or axe violation."""
from playwright.sync_api import expect

from tests.browser.conftest import (ANONYMISE, ARTIFACTS, axe_violations, describe_violations, screenshot, sign_in,
                                    slide_titles, visible_slides, wait_for_dash)


def test_send_anonymised_and_presented_by_keyboard(page):
    sign_in(page)
    page.goto(page.base_url + "/send?focus=E09000008")
    wait_for_dash(page, timeout=40000)
    expect(page.locator("#send-trend-title")).to_contain_text("Croydon", timeout=30000)
    page.get_by_label(ANONYMISE).check()
    expect(page.locator("#send-trend-title")).not_to_contain_text("Croydon", timeout=30000)
    wait_for_dash(page, timeout=40000)
    assert "anon=1" in page.url
    expect(page.locator("#send-ranking-takeaway")).to_contain_text("LA ")
    table = page.locator("#send-las-grid").inner_text()
    assert "Lambeth" in table and "Croydon" not in table and "LA " in table
    ticks = " ".join(page.eval_on_selector_all("#send-ranking .ytick text", "els => els.map(e => e.textContent)"))
    assert "Lambeth" in ticks and "Croydon" not in ticks and "LA " in ticks
    page.locator("#send-tiles").scroll_into_view_if_needed()
    page.locator("#send-tiles").screenshot(path=str(screenshot(page, "send-anonymised").with_name("send-anonymised-tiles.png")))
    violations = axe_violations(page)
    assert not violations, describe_violations(violations)

    titles = slide_titles(page)
    assert len(titles) == 7      # the headline figures, then six charts
    page.get_by_role("button", name="Present").click()
    assert not page.locator(".filter-bar").is_visible() and not page.locator(".present-bar").is_visible()
    assert visible_slides(page) == [titles[0]]
    page.keyboard.press("ArrowRight")
    assert visible_slides(page) == [titles[1]]
    page.wait_for_timeout(500)
    page.screenshot(path=str(ARTIFACTS / "send-presenting-ranking.png"))   # the viewport: what the projector shows
    for _ in range(4):
        page.keyboard.press("ArrowRight")
    assert visible_slides(page) == [titles[5]]
    page.keyboard.press("ArrowLeft")
    assert visible_slides(page) == [titles[4]]
    page.wait_for_timeout(500)
    page.screenshot(path=str(ARTIFACTS / "send-presenting-tiles.png"))   # the viewport: what the projector shows
    page.keyboard.press("Escape")
    assert page.locator(".filter-bar").is_visible() and len(visible_slides(page)) == len(titles)
    assert not page.console_errors, page.console_errors
