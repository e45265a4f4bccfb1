"""A commissioner opens Child-level episodes with Missing, AD1 and PlacedAdoption rows stored for every LA but two
(the demo's own rows put back after), sees every chart drawn, changes the collection year, and downloads a table. Fails
on any browser console error or axe violation. Screenshots go to test-artifacts/."""
import pytest
from playwright.sync_api import expect

from tests import cld_tables
from tests.browser.conftest import axe_violations, choose, describe_violations, screenshot, sign_in, wait_for_dash
from tests.store_fixtures import ensure_user

COMMISSIONER_EMAIL = "commissioner@lambeth.example"
CHARTS = ["starts_legal", "starts_need", "ceased_reason", "new_episodes", "durations", "placement_bands", "moves",
          "missing", "adoption"]


@pytest.fixture(scope="module")
def commissioner(dash_app):
    return ensure_user(COMMISSIONER_EMAIL, "E09000022", "commissioner", "Test Commissioner")


@pytest.fixture()
def other_tables(dash_app):
    with dash_app.server.app_context():
        demo = cld_tables.read()
        cld_tables.write(cld_tables.seeded_rows(leave_out=("E09000001", "E09000008")))
    yield
    with dash_app.server.app_context():
        cld_tables.write(demo)


def test_a_commissioner_sees_starts_moves_missing_and_adoption_against_sub_region_and_london(page, commissioner, other_tables):
    sign_in(page, commissioner)
    page.goto(page.base_url + "/child-level-episodes")
    wait_for_dash(page, timeout=90000)
    for chart in CHARTS:   # every chart drawn with data (an empty chart has no bars)
        page.wait_for_selector(f"#cld-{chart} .main-svg", timeout=60000)
        assert page.locator(f"#cld-{chart} .trace").count() > 0, chart
    expect(page.locator("#cld-moves-title")).to_contain_text("2024/25")
    expect(page.get_by_text("Demo data.")).to_be_visible()
    # The City and Croydon hold no Missing table: named, and left out of their areas' figures.
    expect(page.locator("#cld-banner")).to_contain_text("left out of those figures")
    screenshot(page, "cld-episodes-2025")
    violations = axe_violations(page)
    assert not violations, describe_violations(violations)

    choose(page, "cld-year", "2022/23 (year to 31 March 2023)", timeout=60000)
    expect(page.locator("#cld-moves-title")).to_contain_text("2022/23", timeout=60000)
    assert "year=2023" in page.url
    wait_for_dash(page, timeout=60000)
    screenshot(page, "cld-episodes-2023")

    page.wait_for_selector("#cld-moves-grid .ag-row")
    with page.expect_download() as download:
        page.locator("#cld-dl-moves-csv").click()
    text = open(download.value.path(), encoding="utf-8-sig").read()
    assert text.splitlines()[0].startswith("Area,Looked after at 31 March,3 or more placements in the year,%")
    assert "South London (sub-region)" in text
    violations = axe_violations(page)
    assert not violations, describe_violations(violations)
    assert not page.console_errors, page.console_errors
