"""The app's layout carries the page the browser opened (`shell.page_container`): the page's content comes with the
shell, so Dash's router has no round trip to make, and only for a role that may open the page."""
from dashboard.auth.access import NO_ACCESS_TITLE
from dashboard.plotly_bundle import BUNDLE, DASH_PLOTLY_PATH
from tests.dash_requests import components

BASE = "http://localhost"


def _layout(client, opened: str | None):
    headers = {"Referer": BASE + opened} if opened is not None else {}
    response = client.get("/_dash-layout", headers=headers)
    assert response.status_code == 200
    found = components(response.get_json())
    return found, response.get_data(as_text=True)


def test_the_layout_holds_the_opened_page_and_where_it_was_opened(member_client):
    found, _ = _layout(member_client, "/benchmarking?indicator=cla_rate")
    assert found["_pages_location"].get("pathname") == "/benchmarking"
    assert found["_pages_location"].get("search") == "?indicator=cla_rate"   # the router sees nothing to change
    assert "bench-series" in found            # the page's chart, in the first layout
    assert found["bench-indicator"]["value"] == "cla_rate"   # built for the address opened, as the router would
    assert found["_pages_store"]["data"]["title"]


def test_a_page_the_role_cannot_open_is_not_in_the_layout(member_client):
    found, text = _layout(member_client, "/sufficiency")   # commissioners only
    assert not any(i.startswith("suff-") for i in found)
    assert NO_ACCESS_TITLE in text


def test_without_a_page_to_tell_the_router_decides(member_client):
    for opened in (None, "/no-such-page", "/login"):
        found, _ = _layout(member_client, opened)
        assert "pathname" not in found["_pages_location"]   # the router's first call fills the page, as before
        assert found["_pages_content"].get("children") is None
    other_site = member_client.get("/_dash-layout", headers={"Referer": "https://evil.example/benchmarking"})
    assert "pathname" not in components(other_site.get_json())["_pages_location"]


def test_the_app_page_starts_the_layout_and_plotly_js_as_it_opens(member_client):
    page = member_client.get("/benchmarking").get_data(as_text=True)
    assert '<link rel="preload" href="/_dash-layout" as="fetch" crossorigin>' in page
    plotly = page.index(f'<script src="/{DASH_PLOTLY_PATH}?v=')
    assert plotly < page.index("dash_renderer")   # run before Dash's scripts: dcc.Graph finds it loaded
    assert page.count(DASH_PLOTLY_PATH) == 1
    versioned = page[plotly:].split('"')[1]
    response = member_client.get(versioned)
    assert response.get_data() == BUNDLE.read_bytes()
    assert response.cache_control.max_age == 365 * 24 * 3600 and response.cache_control.immutable
    assert "async-graph" in page    # the graph code loads with the page; the grid code once a grid mounts (after the
    assert "async-community" not in page   # charts have drawn: see plotly_bundle.EAGER_CHUNKS)
