"""Charts in the first paint: once warming has built a page's default view, the page arrives with its charts drawn,
before any callback answers. The app's layout carries the opened page (`shell.page_container`), so the test holds back
every callback request: any chart drawn can only have come with the page itself. plotly.js is loaded once."""
import pytest

from dashboard import loader, warming
from tests.browser.conftest import sign_in

MEMBER = loader.AccessScope("member", "E09000022")   # the suite's member account (Lambeth)

CHARTS_DRAWN = """() => {
  const graphs = Array.from(document.querySelectorAll('.dash-graph'));
  const drawn = graphs.filter((g) => { const p = g.querySelector('.js-plotly-plot');
    return p && p._fullLayout && ((p.data || []).length > 0 || ((p.layout || {}).annotations || []).length > 0); });
  return {graphs: graphs.length, drawn: drawn.length};
}"""


@pytest.fixture()
def warmed(dash_app):
    with dash_app.server.app_context():
        loader.cache.clear()
        assert not warming.warm_default_views([MEMBER]).failed


@pytest.mark.parametrize("path", ["/benchmarking", "/send"])
def test_the_first_paint_has_every_chart_drawn_without_a_callback(page, warmed, path):
    sign_in(page)
    routed, held, plotly = [], [], []

    def hold_callbacks(route):
        if "_pages_content" in (route.request.post_data or ""):
            routed.append(route)   # the router: it would send the page's layout
        held.append(route)         # not answered while we look

    page.route("**/_dash-update-component*", hold_callbacks)
    page.on("request", lambda request: plotly.append(request.url) if "plotly.min.js" in request.url else None)
    page.goto(page.base_url + path)
    page.wait_for_function(f"() => ({CHARTS_DRAWN})().graphs > 0", timeout=30000)
    page.wait_for_function(f"() => {{ const c = ({CHARTS_DRAWN})(); return c.drawn === c.graphs; }}", timeout=30000)
    counts = page.evaluate(CHARTS_DRAWN)
    assert counts["drawn"] == counts["graphs"] >= 3, counts
    assert not routed, "the page's layout came through the router, not with the app's layout"
    assert len(plotly) <= 1 and page.evaluate("document.querySelectorAll('script[src*=\"plotly.min.js\"]').length") == 1
    for _ in range(50):            # the page's own callbacks are called (and held back) too
        if held:
            break
        page.wait_for_timeout(100)
    assert held
    page.unroute("**/_dash-update-component*")   # lets the held calls go on


MARGINS_GROWN = """() => Array.from(document.querySelectorAll('.dash-graph .js-plotly-plot')).filter((p) => {
  const size = p._fullLayout._size, margin = p._fullLayout.margin;
  return ['l', 'r', 't', 'b'].some((side) => size[side] > margin[side] + 0.5);
}).map((p) => p.closest('.dash-graph').id)"""


@pytest.mark.parametrize("path", ["/benchmarking", "/send"])
def test_charts_are_drawn_with_margins_that_already_fit_their_labels(page, warmed, path):
    """assets/chart_drawing.js sizes each chart's margins from its labels and legend before plotly draws it: plotly's
    automargin (kept as the safety net) then grows none, so no chart is drawn a second time to make room."""
    sign_in(page)
    page.goto(page.base_url + path)
    page.wait_for_function(f"() => {{ const c = ({CHARTS_DRAWN})(); return c.graphs > 0 && c.drawn === c.graphs; }}",
                           timeout=30000)
    assert page.evaluate("!!window.Plotly.__lcsdDrawing")
    assert page.evaluate(MARGINS_GROWN) == []
