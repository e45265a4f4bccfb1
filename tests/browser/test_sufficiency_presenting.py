"""The Sufficiency tool, presented: anonymise other LAs (labels in the tile map, flows and area choices, kept in the
address), then step through the charts in presentation mode by keyboard. Fails on any console error or axe violation."""
from playwright.sync_api import expect

from tests.browser.conftest import (ANONYMISE, ARTIFACTS, axe_violations, describe_violations, screenshot, sign_in,
                                    slide_titles, visible_slides, wait_for_dash)
from tests.browser.test_sufficiency_browser import commissioner  # noqa: F401


def test_sufficiency_anonymised_and_presented_by_keyboard(page, commissioner):
    sign_in(page, commissioner)
    page.goto(page.base_url + "/sufficiency?area=la:E09000008")
    wait_for_dash(page, timeout=60000)
    expect(page.locator("#suff-mix-title")).to_contain_text("Croydon", timeout=60000)
    page.get_by_label(ANONYMISE).check()
    expect(page.locator("#suff-mix-title")).not_to_contain_text("Croydon", timeout=60000)
    wait_for_dash(page, timeout=60000)
    assert "anon=1" in page.url
    expect(page.locator("#suff-mix-takeaway")).to_contain_text("LA ")
    tiles = " ".join(page.eval_on_selector_all("#suff-tiles .annotation-text", "els => els.map(e => e.textContent)"))
    assert "LAM" in tiles and "CRD" not in tiles and "LA " in tiles
    flows = " ".join(page.eval_on_selector_all("#suff-flows .node-label", "els => els.map(e => e.textContent)"))
    assert "Croydon" not in flows and "LA " in flows
    page.locator("#suff-tiles").screenshot(path=str(screenshot(page, "sufficiency-anonymised").with_name("sufficiency-anonymised-tiles.png")))
    violations = axe_violations(page)
    assert not violations, describe_violations(violations)

    expect(page.locator("#suff-cost-takeaway")).not_to_be_empty(timeout=60000)
    titles = slide_titles(page)
    assert len(titles) == 13      # the headline figures, then twelve charts (the forecast by age band among them)
    page.get_by_role("button", name="Present").click()
    assert not page.locator(".filter-bar").is_visible() and not page.locator("#suff-tile-mode").is_visible()
    assert visible_slides(page) == [titles[0]]
    page.wait_for_timeout(500)
    page.screenshot(path=str(ARTIFACTS / "sufficiency-presenting-tiles.png"))   # the viewport: what the projector shows
    page.keyboard.press("ArrowRight")
    assert visible_slides(page) == [titles[1]]
    for _ in range(4):
        page.keyboard.press("ArrowRight")
    assert visible_slides(page) == [titles[5]]
    page.wait_for_timeout(500)
    page.screenshot(path=str(ARTIFACTS / "sufficiency-presenting-flows.png"))   # the viewport: what the projector shows
    page.keyboard.press("ArrowLeft")
    assert visible_slides(page) == [titles[4]]
    page.keyboard.press("Escape")
    assert page.locator(".filter-bar").is_visible() and len(visible_slides(page)) == len(titles)
    assert not page.console_errors, page.console_errors
