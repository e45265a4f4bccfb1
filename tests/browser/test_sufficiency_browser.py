"""A commissioner signs in, opens the Sufficiency page, changes every filter and downloads a table.

Fails on any browser console error or axe violation. Screenshots go to test-artifacts/.
"""
import pytest
from playwright.sync_api import expect

from tests.browser.conftest import axe_violations, choose, describe_violations, screenshot, sign_in, wait_for_dash
from tests.store_fixtures import ensure_user

COMMISSIONER_EMAIL = "commissioner@lambeth.example"


@pytest.fixture(scope="module")
def commissioner(dash_app):
    return ensure_user(COMMISSIONER_EMAIL, "E09000022", "commissioner", "Test Commissioner")


def _kpi_value(page, label):
    card = page.locator(".kpi-card", has=page.locator(".kpi-label", has_text=label)).first
    return card.locator(".kpi-value").inner_text()


def test_a_commissioner_uses_every_filter(page, commissioner):
    sign_in(page, commissioner)
    page.goto(page.base_url + "/sufficiency")
    wait_for_dash(page, timeout=60000)
    page.wait_for_selector("#suff-tiles .main-svg", timeout=30000)
    expect(page.locator("#suff-tiles-title")).to_contain_text("Lambeth")
    expect(page.get_by_text("Demo data.")).to_be_visible()
    own = _kpi_value(page, "Children looked after")
    assert own.replace(",", "").isdigit()
    screenshot(page, "sufficiency-lambeth")
    violations = axe_violations(page)
    assert not violations, describe_violations(violations)

    choose(page, "suff-area", "All London", timeout=40000)
    # The note comes from the callback that fills the headline cards too: once it shows, they are London's.
    expect(page.get_by_text("Protected view.")).to_be_visible(timeout=40000)
    london = int(_kpi_value(page, "Children looked after").replace(",", ""))
    assert london > int(own.replace(",", ""))
    assert "area=london" in page.url
    for dropdown, option in (("suff-age", "10 to 15"), ("suff-sex", "Female"), ("suff-ethnicity", "Black"),
                             ("suff-uasc", "Not UASC"), ("suff-legal", "Care order"), ("suff-cin", "N1 Abuse or neglect"),
                             ("suff-placement", "Foster care: agency or other"), ("suff-provider", "Private provision"),
                             ("suff-at", "31 March 2023")):
        before = _kpi_value(page, "Children looked after")
        choose(page, dropdown, option, timeout=40000)
        # Every filter changes the headline count (waits for the callback, which can lag on a busy machine).
        page.wait_for_function(
            """([label, before]) => {
                const card = [...document.querySelectorAll('.kpi-card')].find(c => c.querySelector('.kpi-label')?.textContent === label);
                return card && card.querySelector('.kpi-value').textContent !== before;
            }""", arg=["Children looked after", before], timeout=40000)
        wait_for_dash(page, timeout=40000)
    assert "at=2023-03-31" in page.url and "provider=Private+provision" in page.url
    screenshot(page, "sufficiency-london-filtered")

    page.get_by_label("Placed here by other LAs").check()
    expect(page.locator("#suff-tiles-title")).to_contain_text("by other LAs", timeout=40000)   # waits for the callback
    wait_for_dash(page, timeout=40000)
    choose(page, "suff-table-choice", "Forecast by placement type", timeout=40000)
    page.wait_for_selector("#suff-grid .ag-row")
    with page.expect_download() as download:
        page.locator("#suff-dl-csv").click()
    text = open(download.value.path(), encoding="utf-8-sig").read()
    assert text.splitlines()[0].startswith("Month,Placement type,Expected")
    violations = axe_violations(page)
    assert not violations, describe_violations(violations)
    assert not page.console_errors, page.console_errors
