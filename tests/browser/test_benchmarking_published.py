"""A DCS chooses the published source, compares their LA with its statistical neighbours, and finds the figure."""
from playwright.sync_api import expect

from tests.browser.conftest import axe_violations, choose, describe_violations, screenshot, sign_in, wait_for_dash


def test_published_source_with_statistical_neighbours(page, published_data):
    sign_in(page)
    page.goto(page.base_url + "/benchmarking")
    wait_for_dash(page)
    choose(page, "bench-source", "Published annual statistics (DfE, ONS)")
    # The source switch keeps the measure: the regional default (referrals) becomes its published match.
    expect(page.locator("#bench-ranking-title")).to_contain_text("Referrals per 10,000 (LAIT)", timeout=20000)
    choose(page, "bench-indicator", "Agency social worker rate (published)")
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


def test_a_suppressed_figure_and_the_boundary_map_as_a_user_sees_them(page, published_data, dash_app, settings, tmp_path):
    """With BOUNDARY_FILE set (a GeoJSON written here), the published view also draws a map; the City's suppressed 2025
    rate says so in every cell of its row, never "No return" or a broken number."""
    import dataclasses

    from tests.fast.test_benchmarking_boundaries import SQUARES, write_geojson
    dash_app.server.config["LCSD_SETTINGS"] = dataclasses.replace(settings, boundary_file=str(write_geojson(tmp_path / "b.geojson")))
    try:
        sign_in(page)
        page.goto(page.base_url + "/benchmarking?source=published&indicator=cla_rate_31_march&focus=E09000022&from=2021&to=2025")
        wait_for_dash(page)
        expect(page.locator("#bench-map-message")).to_contain_text("matched on its LAD23CD codes", timeout=20000)
        page.wait_for_function(f"() => document.querySelectorAll('#bench-map .scatterlayer .trace').length >= {len(SQUARES)}")
        city = page.locator("#bench-ranking-grid .ag-row", has_text="City of London").inner_text().split("\n")
        assert city[2:] == ["suppressed (c)"] * 5        # value, rank, quartile, flag, published marker
        screenshot(page, "benchmarking-published-map")
        violations = axe_violations(page)
        assert not violations, describe_violations(violations)
        assert not page.console_errors, page.console_errors
    finally:
        dash_app.server.config["LCSD_SETTINGS"] = settings
