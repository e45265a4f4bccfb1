"""A page's view in its first paint (dashboard/components/first_paint.py): the layout Dash's router sends carries the
warmed view's charts, only ever the signed-in viewer's own, and each later answer only what changed."""
import json

import pytest

from dashboard import loader, warming
from dashboard.dashboards import declarations
from tests.dash_requests import callback_request, components, page_layout, response_props
from tests.store_fixtures import ensure_user, sign_in

MEMBER = loader.AccessScope("member", "E09000022")        # the suite's member account (Lambeth)
OTHER_EMAIL = "member@hackney.example"
OTHER = loader.AccessScope("member", "E09000012")         # a member of another LA (Hackney)


@pytest.fixture(scope="module")
def other_member(dash_app):
    return ensure_user(OTHER_EMAIL, OTHER.la_code, "member", "Other member")


@pytest.fixture()
def warmed(server):
    with server.app_context():
        loader.cache.clear()
        report = warming.warm_default_views([MEMBER, OTHER])
    assert not report.failed
    return report


def _dashboard(path):
    return next(d for d in declarations() if d.path == path)


def _figures(layout) -> dict:
    return {i: props["figure"] for i, props in components(layout).items() if isinstance(props.get("figure"), dict)}


def _view_answer(client, view, found, shown=None):
    """The view callback's answer to the browser's first call with the values the layout set."""
    outputs = [(o.component_id, o.component_property) for o in view.outputs]
    inputs = [(d.component_id, d.component_property, found[d.component_id].get(d.component_property))
              for d in view.dependencies if type(d).__name__ == "Input"]
    state = [(d.component_id, d.component_property, found[d.component_id].get(d.component_property))
             for d in view.dependencies if type(d).__name__ == "State"]
    return callback_request(client, outputs, inputs, state, triggered="", shown=shown)


@pytest.mark.parametrize("path", ["/benchmarking", "/agency-pay", "/leadership-in-colour", "/suspensions", "/send"])
def test_after_warming_every_chart_is_in_the_first_paint_and_the_first_call_sends_nothing(member_client, warmed, path):
    layout = page_layout(member_client, path)
    found = components(layout)
    dashboard = _dashboard(path)
    for chart in dashboard.charts:
        graph = next((props for i, props in found.items() if i == f"{dashboard.prefix}-{chart}"), None)
        if graph is not None:
            assert graph.get("figure", {}).get("data") or graph.get("figure", {}).get("layout", {}).get("annotations"), \
                f"{path}: chart {chart} is not drawn in the first paint"
    for view in dashboard.view_callbacks:
        shown = found[view.store]["data"]
        assert shown is not None, f"{path}: {view.function.__name__} was not drawn from the cache"
        # The browser's first call, holding what the layout drew: nothing to send.
        assert _view_answer(member_client, view, found, shown).status_code == 204


def test_without_a_cached_view_the_layout_computes_nothing_and_the_first_call_draws(server, member_client):
    from dashboard.resilience import cache_counts
    with server.app_context():
        loader.cache.clear()
    before = cache_counts(server)["cache_misses"]
    layout = page_layout(member_client, "/send")
    found = components(layout)
    view = _dashboard("/send").view_callbacks[0]
    assert found[view.store]["data"] is None
    assert not any(figure.get("data") for figure in _figures(layout).values())
    # The layout itself reads what its filters list; the view is left to the browser's call.
    with server.app_context():
        assert not loader.cache.has(_dashboard("/send").opening_calls(MEMBER)[0].builder.cache_key(
            *_dashboard("/send").opening_calls(MEMBER)[0].args, **_dashboard("/send").opening_calls(MEMBER)[0].kwargs))
    answer = _view_answer(member_client, view, found)
    assert answer.status_code == 200
    assert any(props.get("figure", {}).get("data") for props in response_props(answer).values() if isinstance(props, dict))
    assert cache_counts(server)["cache_misses"] > before


def test_the_layout_carries_only_the_viewers_own_per_la_view(server, client, other_member, warmed):
    """Agency pay's view is built per LA: each member's first paint is what its own callback draws for them, and the
    two differ (each LA's own figures are shown to it alone)."""
    drawn = {}
    for email in ("member@lambeth.example", OTHER_EMAIL):
        assert sign_in(client, email).status_code == 302
        layout = page_layout(client, "/agency-pay")
        found = components(layout)
        view = _dashboard("/agency-pay").view_callbacks[0]
        answer = response_props(_view_answer(client, view, found))   # holding nothing: everything sent
        for output in view.outputs:
            if output.component_property == "figure":
                assert found[output.component_id]["figure"] == answer[output.component_id]["figure"], (email, output)
        drawn[email] = json.dumps({i: found[i] for i in ("pay-kpis", "pay-summary-grid")}, sort_keys=True)
        client.post("/logout", data={"csrf_token": _token(client)})
    assert drawn["member@lambeth.example"] != drawn[OTHER_EMAIL]


def _token(client):
    import re
    page = client.get("/logout").get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def test_a_page_the_role_may_not_open_sends_no_figures(member_client, server):
    with server.app_context():
        warming.warm_default_views([loader.AccessScope("commissioner", "E09000022")])
    layout = page_layout(member_client, "/sufficiency")
    assert "no-access" in components(layout)
    assert not _figures(layout)


def test_a_filter_change_sends_only_the_outputs_that_changed(member_client, warmed):
    layout = page_layout(member_client, "/benchmarking")
    found = components(layout)
    view = _dashboard("/benchmarking").view_callbacks[0]
    shown = found[view.store]["data"]
    others = [o["value"] for o in found["bench-focus"]["options"] if o["value"] != found["bench-focus"]["value"]]
    found["bench-focus"] = {**found["bench-focus"], "value": others[0]}
    props = response_props(_view_answer(member_client, view, found, shown))
    # A new focus LA redraws the charts; the indicator's definition and the demo label are the same: not sent again.
    assert "bench-series" in props and "bench-ranking" in props
    assert "bench-definition" not in props and "bench-demo-banner" not in props
    assert props[view.store]["data"]["inputs"] != shown["inputs"]
