"""A commissioner opens Placements and supply with Ofsted's provider files imported (small hand-made files in the
published layout), sees every chart drawn, changes the area and the date, and downloads a table. Fails on any browser
console error or axe violation. Screenshots go to test-artifacts/."""
import pytest
from playwright.sync_api import expect

from dashboard.dashboards.placements_supply import data, returns
from dashboard.published.store import forget_page_imports, import_paths
from dashboard.store import get_engine
from tests import ofsted_provider_files as files
from tests.browser.conftest import axe_violations, choose, describe_violations, screenshot, sign_in, wait_for_dash
from tests.store_fixtures import ensure_user

COMMISSIONER_EMAIL = "commissioner@lambeth.example"
CHARTS = ["placing", "placement", "provider", "distance", "grade", "trend", "elsewhere", "places", "types", "owners", "openings", "demand"]


@pytest.fixture(scope="module")
def commissioner(dash_app):
    return ensure_user(COMMISSIONER_EMAIL, "E09000022", "commissioner", "Test Commissioner")


@pytest.fixture()
def providers(dash_app, tmp_path):
    def empty():
        returns.load_demo(get_engine(), 7)
        forget_page_imports(get_engine(), {data.NAME})
    empty()
    paths = [files.places_file(tmp_path), files.in_year_file(tmp_path), files.closed_file(tmp_path)]
    import_paths(get_engine(), [str(p) for p in paths], actor="tests")
    yield
    empty()


def _kpi_value(page, label):
    card = page.locator(".kpi-card", has=page.locator(".kpi-label", has_text=label)).first
    return card.locator(".kpi-value").inner_text()


def test_a_commissioner_sees_who_places_here_the_supply_and_the_gap(page, commissioner, providers):
    sign_in(page, commissioner)
    page.goto(page.base_url + "/placements-supply")
    wait_for_dash(page, timeout=90000)
    for chart in CHARTS:   # every chart drawn with data (an empty chart has no bars or lines)
        page.wait_for_selector(f"#supply-{chart} .main-svg", timeout=60000)
        assert page.locator(f"#supply-{chart} .trace").count() > 0, chart
    expect(page.locator("#supply-placing-title")).to_contain_text("South London")
    expect(page.get_by_text("Demo data.")).to_be_visible()
    assert _kpi_value(page, "Registered children's homes places") == "13"
    screenshot(page, "placements-supply-south")
    violations = axe_violations(page)
    assert not violations, describe_violations(violations)

    before = _kpi_value(page, "Placed here by other LAs")
    choose(page, "supply-area", "All London", timeout=60000)
    expect(page.locator("#supply-placing-title")).to_contain_text("London", timeout=60000)
    page.wait_for_function(
        """(before) => {
            const card = [...document.querySelectorAll('.kpi-card')].find(c => c.querySelector('.kpi-label')?.textContent === 'Placed here by other LAs');
            return card && card.querySelector('.kpi-value').textContent !== before;
        }""", arg=before, timeout=60000)
    assert "area=london" in page.url
    choose(page, "supply-at", "31 March 2023", timeout=60000)
    expect(page.locator("#supply-placing-title")).to_contain_text("31 March 2023", timeout=60000)
    assert "at=2023-03-31" in page.url
    wait_for_dash(page, timeout=60000)
    screenshot(page, "placements-supply-london-2023")

    page.wait_for_selector("#supply-places-grid .ag-row")
    with page.expect_download() as download:
        page.locator("#supply-dl-places-csv").click()
    text = open(download.value.path(), encoding="utf-8-sig").read()
    assert text.splitlines()[0].startswith("Area type,Area,Children's homes,Children's homes places")
    violations = axe_violations(page)
    assert not violations, describe_violations(violations)
    assert not page.console_errors, page.console_errors
