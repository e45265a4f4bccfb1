"""A member opens Leadership in Colour, reads the published glass ceiling, changes borough, group and source,
and downloads the borough table. Fails on any console error or axe violation; screenshots in test-artifacts/."""
from playwright.sync_api import expect

from tests.browser.conftest import axe_violations, choose, describe_violations, screenshot, sign_in, wait_for_dash


def test_published_glass_ceiling_then_a_borough_then_demo_counts(page):
    sign_in(page)
    page.goto(page.base_url + "/leadership-in-colour")
    wait_for_dash(page)
    page.wait_for_selector("#linc-band .main-svg", timeout=20000)
    assert "all boroughs, December 2020 snapshot" in page.locator("#linc-band-title").inner_text()
    assert "£50,001 to £60,000" in page.locator("#linc-ceiling-text").inner_text()
    assert not page.get_by_text("Demo data.").is_visible()
    assert page.locator("#linc-borough-grid .ag-row").count() >= 20
    page.wait_for_selector("#linc-roles .main-svg")
    screenshot(page, "leadership-in-colour-published")
    violations = axe_violations(page)
    assert not violations, describe_violations(violations)

    choose(page, "linc-borough", "Lambeth")
    choose(page, "linc-group", "Black")
    assert "Black share of staff by pay band" in page.locator("#linc-band-title").inner_text()
    assert "Lambeth" in page.locator("#linc-band-title").inner_text()
    assert "Lambeth" in page.locator("#linc-role-title").inner_text()
    assert "borough=E09000022" in page.url and "group=black" in page.url

    choose(page, "linc-source", "Demo counts (services, £10k bands)")
    expect(page.get_by_text("Demo data.")).to_be_visible()   # the banner follows the source's callback
    assert "source=demo" in page.url
    choose(page, "linc-service", "Children's services")
    assert "children's services" in page.locator("#linc-band-title").inner_text()
    screenshot(page, "leadership-in-colour-demo-lambeth")

    # The address reopens the same view.
    page.goto(page.url)
    wait_for_dash(page)
    assert "children's services" in page.locator("#linc-band-title").inner_text()
    violations = axe_violations(page)
    assert not violations, describe_violations(violations)
    assert not page.console_errors, page.console_errors


def test_borough_table_downloads_as_csv(page):
    sign_in(page)
    page.goto(page.base_url + "/leadership-in-colour?group=asian")
    wait_for_dash(page)
    page.wait_for_selector("#linc-borough-grid .ag-row")
    with page.expect_download() as download:
        page.locator("#linc-dl-borough-csv").click()
    lines = open(download.value.path(), encoding="utf-8-sig").read().strip().splitlines()
    assert lines[0].startswith("Borough,All staff,")
    assert len(lines) == 34                       # header, 32 published rows and the Grand Total
    assert any(line.startswith("Bexley,") and "<10%" in line for line in lines)
    assert not page.console_errors, page.console_errors
