"""Charts off the screen are drawn a little later (assets/chart_drawing.js): the charts on the first screen at once,
the others in one go straight after that paint (or at once when they come near the screen), each keeping a grey block
of its size until then. These tests hold that drawing back (`window.__lcsdHoldBelow`) so that a chart below the
screen stays undrawn until something draws it: scrolling to it, printing, presenting. The page's default view is
warmed first, so that its charts come with the page (components/first_paint.py), as on a member's first visit."""
import pytest
from playwright.sync_api import expect

from dashboard import loader, warming
from tests.browser.conftest import axe_violations, choose, describe_violations, sign_in, wait_for_dash

MEMBER = loader.AccessScope("member", "E09000022")   # the suite's member account (Lambeth)

BELOW_HELD = "window.__lcsdHoldBelow = true;"

# What a member sees of one chart: drawn (with data), its height on the page, the grey block, its y axis title.
CHART = """(id) => {
  const graph = document.getElementById(id), plot = graph.querySelector('.js-plotly-plot');
  const title = graph.querySelector('.ytitle');
  return {drawn: !!plot && !!plot._fullLayout && (plot.data || []).length > 0,
          height: Math.round(graph.getBoundingClientRect().height),
          top: Math.round(graph.getBoundingClientRect().top + window.scrollY),
          waiting: !!graph.querySelector('.chart-waiting'), ytitle: title ? title.textContent : null};
}"""
ALL_DRAWN = """() => Array.from(document.querySelectorAll('.dash-graph')).every((g) => {
  const p = g.querySelector('.js-plotly-plot'); return !!p && !!p._fullLayout && (p.data || []).length > 0; })"""

BELOW = "bench-subregion"   # Benchmarking's third chart: two screens down in a 1400 x 1000 window


@pytest.fixture()
def warmed(dash_app):
    with dash_app.server.app_context():
        assert not warming.warm_default_views([MEMBER]).failed


def _open_benchmarking(page, *, below_held=True):
    if below_held:
        page.context.add_init_script(BELOW_HELD)
    sign_in(page)
    page.goto(page.base_url + "/benchmarking")
    wait_for_dash(page)
    page.wait_for_function("(id) => (" + CHART + ")(id).drawn", arg="bench-series", timeout=30000)


def test_a_chart_below_the_screen_is_drawn_when_scrolled_to_with_the_filters_chosen_before(page, warmed):
    _open_benchmarking(page)
    first = page.evaluate(CHART, "bench-series")
    assert first["top"] < 1000 and first["ytitle"]                       # the first screen's chart is drawn at once
    waiting = page.evaluate(CHART, BELOW)
    assert waiting["top"] > 2000 and not waiting["drawn"] and waiting["waiting"]
    assert waiting["height"] == 400                                       # a grey block the chart's own height

    choose(page, "bench-indicator", "Social worker agency rate")          # a filter changed while it waits
    expect(page.locator("#bench-ranking-title")).to_contain_text("Social worker agency rate", timeout=20000)
    assert not page.evaluate(CHART, BELOW)["drawn"]

    page.locator(f"#{BELOW}").scroll_into_view_if_needed()
    page.wait_for_function("(id) => (" + CHART + ")(id).drawn", arg=BELOW, timeout=10000)
    page.wait_for_function("(id) => (" + CHART + ")(id).ytitle === 'per cent'", arg=BELOW, timeout=10000)
    drawn = page.evaluate(CHART, BELOW)
    assert not drawn["waiting"] and drawn["height"] == waiting["height"]  # nothing below it moved

    # Drawn now, it follows the next filter change too.
    choose(page, "bench-indicator", "Referrals per 10,000 children")
    page.wait_for_function("(id) => (" + CHART + ")(id).ytitle !== 'per cent'", arg=BELOW, timeout=10000)
    assert page.evaluate(CHART, BELOW)["ytitle"] == first["ytitle"]      # the unit of the indicator first shown
    violations = axe_violations(page)
    assert not violations, describe_violations(violations)
    assert not page.console_errors, page.console_errors


def test_every_chart_is_drawn_without_scrolling(page, warmed):
    """The charts below the screen are drawn just after the first screen: find-in-page, screenshots and a member
    scrolling find them drawn."""
    _open_benchmarking(page, below_held=False)
    page.wait_for_function(ALL_DRAWN, timeout=15000)
    assert page.evaluate("window.scrollY") == 0
    assert not page.console_errors, page.console_errors


def test_printing_draws_every_chart(page, warmed):
    _open_benchmarking(page)
    assert not page.evaluate(CHART, BELOW)["drawn"]
    assert page.evaluate("() => { window.dispatchEvent(new Event('beforeprint')); return (" + ALL_DRAWN + ")(); }")
    assert not page.console_errors, page.console_errors


def test_presenting_draws_the_slide_shown(page, warmed):
    _open_benchmarking(page)
    page.locator(".present-button").first.click()
    for _ in range(10):   # through the slides until the chart below the screen is the one shown
        if page.evaluate("(id) => !!document.getElementById(id).closest('.slide-current')", BELOW):
            break
        page.keyboard.press("ArrowRight")
    assert page.evaluate("(id) => !!document.getElementById(id).closest('.slide-current')", BELOW)
    page.wait_for_function("(id) => (" + CHART + ")(id).drawn", arg=BELOW, timeout=10000)
    assert not page.console_errors, page.console_errors


def test_the_charts_follow_the_window_when_it_narrows(page, warmed):
    """A resize that changes nothing is skipped (chart_drawing.js); one that changes the charts' boxes is done."""
    _open_benchmarking(page, below_held=False)
    page.wait_for_function(ALL_DRAWN, timeout=15000)
    widths = """() => Array.from(document.querySelectorAll('.js-plotly-plot')).map((p) =>
      [Math.round(p._fullLayout.width), Math.round(p.getBoundingClientRect().width)])"""
    wide = page.evaluate(widths)
    assert all(abs(drawn - box) <= 1 for drawn, box in wide)
    page.set_viewport_size({"width": 900, "height": 1000})
    page.wait_for_function("(wide) => (" + widths + ")().every(([drawn, box], i) => Math.abs(drawn - box) <= 1"
                           " && drawn !== wide[i][0])", arg=wide, timeout=10000)
    assert not page.console_errors, page.console_errors
