"""A member signs in, opens every page in the navigation and uses the Benchmarking filters.

Fails on any browser console error or axe accessibility violation. Screenshots go to test-artifacts/.
"""
import re

from playwright.sync_api import expect


from dashboard.plotly_bundle import bundle_facts
from tests.store_fixtures import ADMIN_EMAIL
from tests.browser.conftest import axe_violations, choose, describe_violations, screenshot, sign_in, wait_for_dash


def _nav_links(page):
    return page.eval_on_selector_all("nav .nav-link", "els => els.map(e => [e.textContent.trim(), e.getAttribute('href')])")


def test_a_member_sees_only_member_pages(page):
    sign_in(page)
    wait_for_dash(page)
    names = [name for name, _ in _nav_links(page)]
    assert names[:3] == ["My LA", "Overview", "Benchmarking"]
    assert "Admin" not in names and "Sufficiency" not in names
    for path in ("/admin", "/sufficiency"):
        page.goto(page.base_url + path)
        wait_for_dash(page)
        # Inside the app: its header and the member's own navigation stay, with how to ask for access.
        expect(page.locator("#no-access h1")).to_have_text("You don't have access to this page")
        assert "approver or an administrator" in page.locator("#no-access").inner_text()
        assert [name for name, _ in _nav_links(page)] == names
    screenshot(page, "member-opens-sufficiency")
    page.goto(page.base_url + "/")
    wait_for_dash(page)
    assert not page.get_by_role("link", name="Sufficiency").count()          # no card for a page they cannot open
    assert "Sufficiency is for commissioners and administrators." in page.locator("main").inner_text()
    assert not page.console_errors, page.console_errors                       # no 403s behind the scenes


# Chart types the page's graphs ask for, and those the loaded plotly.js can draw (an unknown type draws nothing).
CHART_TYPES = """() => window.Plotly ? {
    asked: Array.from(document.querySelectorAll('.js-plotly-plot')).flatMap(p => (p.data || []).map(t => t.type || 'scatter')),
    drawable: Object.keys(Plotly.PlotSchema.get().traces)} : null"""


def test_every_page_in_the_navigation_opens_cleanly(page):
    sign_in(page, ADMIN_EMAIL)  # an administrator's navigation lists every page
    wait_for_dash(page)
    links = _nav_links(page)
    assert [name for name, _ in links][:3] == ["My LA", "Overview", "Benchmarking"]
    assert "Admin" in [name for name, _ in links] and "Sufficiency" in [name for name, _ in links]
    charted_pages = []
    for name, href in links:
        page.goto(page.base_url + href)
        wait_for_dash(page)
        assert page.locator("h1").first.is_visible(), f"{name}: no heading"
        assert page.evaluate("document.documentElement.lang") == "en"
        violations = axe_violations(page)
        assert not violations, f"{name}: axe found " + describe_violations(violations)
        # Nothing, the navigation included, runs off the side of the window (links beyond it were unreadable).
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), f"{name}: wider than the window"
        # Charts below the screen are drawn just after the page (assets/chart_drawing.js): every one is checked.
        page.wait_for_function("() => !document.querySelector('.chart-waiting')", timeout=30000)
        screenshot(page, f"page-{href.strip('/') or 'overview'}")
        types = page.evaluate(CHART_TYPES)
        if types:   # plotly.js loads with the first page that has a chart
            assert sorted(types["drawable"]) == sorted(bundle_facts()[1]), "not the app's partial plotly.js"
            assert set(types["asked"]) <= set(types["drawable"]), f"{name}: charts plotly.js cannot draw"
            charted_pages.append(name)
    assert "Benchmarking" in charted_pages and "Sufficiency" in charted_pages
    assert not page.console_errors, page.console_errors


def test_skip_link_moves_focus_to_the_content(page):
    sign_in(page)
    wait_for_dash(page)
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused == "Skip to main content"


def test_benchmarking_filters_change_the_view_and_the_address(page):
    sign_in(page)
    page.goto(page.base_url + "/benchmarking")
    wait_for_dash(page)
    # The default focus is the member's own LA (Lambeth) and the charts are drawn.
    assert "Lambeth" in page.locator("#bench-series-title").inner_text()
    page.wait_for_selector("#bench-ranking .main-svg", timeout=15000)
    assert page.get_by_text("Demo data.").is_visible()
    ranking_title = page.locator("#bench-ranking-title").inner_text()
    assert re.search(r"\d+ of 33 returned", ranking_title)

    choose(page, "bench-indicator", "Social worker agency rate")
    expect(page.locator("#bench-ranking-title")).to_contain_text("Social worker agency rate", timeout=20000)
    choose(page, "bench-focus", "Croydon")
    expect(page.locator("#bench-series-title")).to_contain_text("Croydon", timeout=20000)
    assert "indicator=sw_agency_pct" in page.url and "focus=E09000008" in page.url

    # The grid lists all 33 LAs; the address reopens the same view.
    assert page.locator("#bench-ranking-grid .ag-row").count() >= 20
    screenshot(page, "benchmarking-croydon-agency")
    page.goto(page.url)
    wait_for_dash(page)
    assert "Social worker agency rate" in page.locator("#bench-ranking-title").inner_text()
    assert "Croydon" in page.locator("#bench-series-title").inner_text()
    violations = axe_violations(page)
    assert not violations, describe_violations(violations)
    assert not page.console_errors, page.console_errors


def test_benchmarking_download_gives_a_csv_of_33_las(page):
    sign_in(page)
    page.goto(page.base_url + "/benchmarking?indicator=cla_rate&focus=E09000022")
    wait_for_dash(page)
    with page.expect_download() as download:
        page.locator("#bench-dl-ranking-csv").click()
    text = open(download.value.path(), encoding="utf-8-sig").read()
    lines = text.strip().splitlines()
    assert lines[0].startswith("LA,Sub-region,Value,Rank")
    assert len(lines) == 34
    assert not page.console_errors, page.console_errors


def test_admin_area_shows_users_and_audit_log(page):
    sign_in(page, ADMIN_EMAIL)
    page.goto(page.base_url + "/admin")
    wait_for_dash(page)
    page.wait_for_selector("#admin-users-grid .ag-row")
    assert page.locator("#admin-users-grid").get_by_text(ADMIN_EMAIL).count() >= 1
    page.wait_for_selector("#admin-audit-grid .ag-row")
    assert page.locator("#admin-audit-grid").get_by_text("sign_in").count() >= 1
    screenshot(page, "admin-audit-log")
    violations = axe_violations(page)
    assert not violations, describe_violations(violations)
    assert not page.console_errors, page.console_errors
