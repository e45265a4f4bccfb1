"""The pages of published measures (Care leavers; Health of looked-after children; Workforce census) in headless Chromium: each opens on
the member's LA with every chart drawn, passes axe, follows its filters into the address (a copied link reopens the
view), anonymises, and presents chart by chart; a member sees no child-level section, a commissioner sees it drawn from the
OC2/OC3 rows stored. Fails on any console error; screenshots in test-artifacts/."""
import pytest
from playwright.sync_api import expect

from tests.browser.conftest import (ANONYMISE, ARTIFACTS, axe_violations, choose, describe_violations, screenshot, sign_in,
                                    slide_titles, visible_slides, wait_for_dash)

PAGES = [
    # (path, prefix, heading, a measure to choose and its address-bar code, rows in the LA table)
    ("/care-leavers", "leavers", "Care leavers", "Care leavers aged 19 to 21 the LA is not in touch with (%)",
     "CareLeavers_LA_NotInTouch", 33),
    ("/looked-after-health", "lachealth", "Health of looked-after children",
     "Average SDQ score (emotional and behavioural health)", "Emotional_LAC", 33),
    ("/workforce-census", "csww", "Children's social work workforce", "Vacancy rate (%)", "vacancy_rate_fte", 32),   # Kingston and Richmond: one joint return
]


@pytest.mark.parametrize("path,p,heading,measure,code,rows", PAGES)
def test_page_draws_passes_axe_keeps_its_filters_in_the_address_and_presents(page, path, p, heading, measure, code, rows):
    sign_in(page)
    page.goto(page.base_url + path)
    wait_for_dash(page, timeout=40000)
    page.wait_for_selector(f"#{p}-kpis .kpi-card", timeout=30000)
    expect(page.locator("h1").first).to_have_text(heading)
    expect(page.locator(f"#{p}-trend-title")).to_contain_text("Lambeth")
    assert page.locator(f"#{p}-cl").count() == 0      # a member sees no child-level section
    for chart in ("trend", "las", "profile"):
        page.wait_for_selector(f"#{p}-{chart} .main-svg", timeout=15000)
        assert page.locator(f"#{p}-{chart} g.trace").count() > 0, f"{chart}: nothing drawn"
    assert page.locator(f"#{p}-las-grid .ag-row").count() >= rows
    violations = axe_violations(page)
    assert not violations, "axe found " + describe_violations(violations)
    screenshot(page, f"{p}-default")

    choose(page, f"{p}-measure", measure)
    choose(page, f"{p}-focus", "Croydon")
    expect(page.locator(f"#{p}-trend-title")).to_contain_text("Croydon")
    assert f"measure={code.replace('%', '%25')}" in page.url and "la=E09000008" in page.url
    page.goto(page.url)   # a copied link reopens the same view
    wait_for_dash(page, timeout=40000)
    expect(page.locator(f"#{p}-trend-title")).to_contain_text("Croydon", timeout=30000)
    expect(page.locator(f"#{p}-trend-title")).to_contain_text(measure.split(" (")[0])

    page.get_by_label(ANONYMISE).check()
    expect(page.locator(f"#{p}-trend-title")).not_to_contain_text("Croydon", timeout=30000)
    wait_for_dash(page, timeout=40000)
    assert "anon=1" in page.url
    table = page.locator(f"#{p}-las-grid").inner_text()
    assert "Lambeth" in table and "Croydon" not in table and "LA " in table
    violations = axe_violations(page)
    assert not violations, "axe found (anonymised) " + describe_violations(violations)

    titles = slide_titles(page)
    assert len(titles) == 4      # the headline figures, then three charts
    page.get_by_role("button", name="Present").click()
    assert visible_slides(page) == [titles[0]]
    page.keyboard.press("ArrowRight")
    assert visible_slides(page) == [titles[1]]
    page.wait_for_timeout(500)
    page.screenshot(path=str(ARTIFACTS / f"{p}-presenting.png"))
    page.keyboard.press("Escape")
    assert not page.console_errors, page.console_errors


@pytest.fixture()
def commissioner_with_oc_rows(dash_app):
    """A Lambeth commissioner, and seeded OC2/OC3 rows for every LA but the City (taken out again after)."""
    from dashboard.store import get_engine
    from tests.child_level_rows import remove_rows, stored_rows
    from tests.store_fixtures import ensure_user
    email = ensure_user("commissioner@lambeth.example", "E09000022", "commissioner", "Test Commissioner")
    stored_rows(get_engine())
    yield email
    remove_rows(get_engine())


@pytest.mark.parametrize("path,p,grids", [("/care-leavers", "leavers", ("headline", "groups", "codes")),
                                          ("/looked-after-health", "lachealth", ("measures",))])
def test_a_commissioner_sees_the_child_level_section_drawn(page, commissioner_with_oc_rows, path, p, grids):
    sign_in(page, commissioner_with_oc_rows)
    page.goto(page.base_url + path)
    wait_for_dash(page, timeout=40000)
    section = page.locator(f"#{p}-cl")
    expect(section).to_be_visible(timeout=30000)
    expect(page.locator(f"#{p}-cl-chart-title")).to_contain_text("Lambeth", timeout=30000)
    page.wait_for_selector(f"#{p}-cl-chart .main-svg", timeout=15000)
    assert page.locator(f"#{p}-cl-chart g.trace").count() == 3      # Lambeth, South London, London
    for grid in grids:
        assert page.locator(f"#{p}-cl-{grid} .ag-row").count() > 0, grid
    expect(page.locator(f"#{p}-cl-status")).to_contain_text("not uploaded (left out, not counted as 0): City of London")
    if p == "leavers":
        choose(page, "leavers-cl-breakdown", "UASC")
        expect(page.locator("#leavers-cl-groups")).to_contain_text("Not UASC", timeout=20000)
        choose(page, "leavers-cl-ages", "aged 17 or 18")
        expect(page.locator("#leavers-cl-chart-title")).to_contain_text("aged 17 or 18", timeout=20000)
    section.scroll_into_view_if_needed()
    violations = axe_violations(page)
    assert not violations, "axe found " + describe_violations(violations)
    screenshot(page, f"{p}-child-level")
    assert not page.console_errors, page.console_errors
