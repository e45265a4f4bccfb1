"""A DCS chooses the published source, compares their LA with its statistical neighbours, and finds the figure."""
from playwright.sync_api import expect

from tests.browser.conftest import axe_violations, choose, describe_violations, screenshot, sign_in, wait_for_dash


def test_published_source_with_statistical_neighbours(page, published_data):
    sign_in(page)
    page.goto(page.base_url + "/benchmarking")
    wait_for_dash(page)
    choose(page, "bench-source", "Published annual statistics (DfE, ONS)")
    expect(page.locator("#bench-ranking-title")).to_contain_text("Agency social worker rate (published)", timeout=20000)
    wait_for_dash(page)
    assert "source=published" in page.url and "focus=E09000022" in page.url
    legend = page.locator("#bench-series .legend").text_content()
    assert "Statistical neighbours average" in legend and "Inner London" in legend
    assert "Kingston upon Thames / Richmond upon Thames (joint return)" in page.locator("#bench-ranking-grid").inner_text()
    assert not page.get_by_text("Demo data.").is_visible()
    screenshot(page, "benchmarking-published-lambeth")
    violations = axe_violations(page)
    assert not violations, describe_violations(violations)
    assert not page.console_errors, page.console_errors
