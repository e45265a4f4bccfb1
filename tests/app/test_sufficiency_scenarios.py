"""The forecast's costs and scenarios as a commissioner uses them: typed costs refused and said, costs and scenario
kept in the link, inflation, and a named scenario saved for the LA (audited) and compared with another."""
import json

from sqlalchemy import select

from dashboard import loader
from dashboard.dashboards.sufficiency import data
from dashboard.store import get_engine, schema
from tests.app.test_sufficiency_page import (COMMISSIONER_EMAIL, FORECAST_IDS, FORECAST_OUTPUTS, _inputs,  # noqa: F401
                                             commissioner, commissioner_client)
from tests.dash_requests import callback_request, components, figure_numbers, page_layout, response_props

OUTPUTS = FORECAST_OUTPUTS
GROUPS = ("foster_inhouse", "foster_agency", "homes", "supported", "parents", "other")


def _forecast_inputs(costs=(None,) * 6, entries=None, exits=None, shift=None, inflation=None, shift_from=None,
                     shift_to=None, area="la:E09000022"):
    values = [2023, 2025, 1, *costs, entries, exits, shift, inflation, shift_from, shift_to]
    return _inputs(area) + [(i, "value", v) for i, v in zip(FORECAST_IDS, values)]


def _forecast(client, **settings):
    response = callback_request(client, OUTPUTS, _forecast_inputs(**settings) + [("suff-anon", "value", False)])
    assert response.status_code == 200, response.get_data(as_text=True)[:800]
    return response_props(response)


def _expected_cost(props) -> list[float]:
    return figure_numbers([t for t in props["suff-cost"]["figure"]["data"] if t.get("name") == "Expected weekly cost"][0]["y"])


def test_a_negative_cost_is_refused_on_the_page_and_the_cost_not_drawn(commissioner_client):
    props = _forecast(commissioner_client, costs=(None, None, "-6500", None, None, None))
    problems = json.dumps(props["suff-forecast-problems"]["children"])
    assert "Weekly cost for Children's homes: -6500 is refused" in problems
    assert "not drawn" in props["suff-cost-takeaway"]["children"]
    assert not [t for t in props["suff-cost"]["figure"]["data"] if t.get("name") == "Expected weekly cost"]
    assert "as entered" not in props["suff-cost-title"]["children"]


def test_costs_as_entered_and_inflation(commissioner_client):
    plain = _forecast(commissioner_client)
    assert "illustrative default unit costs" in plain["suff-cost-title"]["children"]
    assert plain["suff-forecast-problems"]["children"] is None
    rising = _forecast(commissioner_client, inflation="10")
    assert "rising 10% a year" in rising["suff-cost-title"]["children"]
    # Twelve months on, costs are 10% higher than at no inflation (the children forecast is the same).
    assert abs(_expected_cost(rising)[11] - _expected_cost(plain)[11] * 1.1) <= 110   # both rounded to £100
    doubled = _forecast(commissioner_client, costs=tuple(str(2 * v) for v in data.DEFAULT_WEEKLY_COSTS.values()))
    assert "6 of 6 changed" in doubled["suff-cost-title"]["children"]
    assert abs(_expected_cost(doubled)[0] - 2 * _expected_cost(plain)[0]) <= 200


def test_a_scenario_changes_the_forecast_and_says_so(commissioner_client):
    plain = _forecast(commissioner_client)
    more = _forecast(commissioner_client, entries="50")
    total = lambda props: sum(figure_numbers(t["y"])[-1] for t in props["suff-forecast"]["figure"]["data"]   # noqa: E731
                              if (t.get("name") or "").endswith("(forecast)"))
    assert total(more) > total(plain)
    assert "50% more children starting care" in more["suff-scenario-text"]["children"]
    refused = _forecast(commissioner_client, entries="lots")
    assert "is not a number" in json.dumps(refused["suff-forecast-problems"]["children"])
    assert total(refused) == total(plain)


def test_costs_and_scenario_are_kept_in_the_link(commissioner_client):
    layout = page_layout(commissioner_client, "/sufficiency",
                         "?area=la:E09000022&cost_homes=7200&entries=10&shift_from=Children%27s%20homes"
                         "&shift_to=Foster%20care:%20in-house&shift=20&inflation=3")
    values = {component_id: props.get("value") for component_id, props in components(layout).items()}
    assert values["suff-cost-2"] == "7200" and values["suff-scenario-entries"] == "10"
    assert values["suff-scenario-shift_from"] == "Children's homes" and values["suff-scenario-inflation"] == "3"


def _save(client, name, **settings):
    state = ([("suff-scenario-name", "value", name)] + [(i, "value", v) for i, _, v in _forecast_inputs(**settings)]
             + [("suff-scenarios-changed", "data", 0)])
    response = callback_request(client, [("suff-scenario-saved", "children"), ("suff-scenarios-changed", "data")],
                                [("suff-scenario-save", "n_clicks", 1)], state=state, triggered="suff-scenario-save.n_clicks")
    assert response.status_code == 200, response.get_data(as_text=True)[:800]
    return response_props(response)


def test_save_a_named_scenario_for_the_la_audited_and_compare_two(commissioner_client):
    before = loader.dataset_version(data.SCENARIOS_NAME)
    saved = _save(commissioner_client, "Step down homes", shift_from="Children's homes", shift_to="Foster care: in-house",
                  shift="30")
    assert "Saved" in json.dumps(saved["suff-scenario-saved"]["children"])
    assert loader.dataset_version(data.SCENARIOS_NAME) == before + 1
    a = schema.audit_event
    with get_engine().connect() as conn:
        event = conn.execute(select(a.c.actor, a.c.detail).where(a.c.event == "sufficiency_scenario_saved")
                             .order_by(a.c.id.desc()).limit(1)).first()
    assert event.actor == COMMISSIONER_EMAIL and 'E09000022 "Step down homes"' in event.detail
    assert "30% of new children's homes placements" in event.detail
    # A refused value is not saved; nor is a nameless scenario.
    refused = _save(commissioner_client, "Bad", costs=(None, None, "-1", None, None, None))
    assert "Correct the values refused" in json.dumps(refused["suff-scenario-saved"]["children"])
    assert "Give the scenario a name" in json.dumps(_save(commissioner_client, "  ")["suff-scenario-saved"]["children"])
    # Listed with a link that opens it, and offered for comparison.
    response = callback_request(commissioner_client, [("suff-compare-a", "options"), ("suff-compare-b", "options"),
                                                      ("suff-scenario-list", "children")],
                                [("suff-scenarios-changed", "data", 1), ("suff-area", "value", "la:E09000022")])
    props = response_props(response)
    assert {"label": "Saved: Step down homes", "value": "saved:Step down homes"} in props["suff-compare-a"]["options"]
    assert "shift_from=Children%27s+homes" in json.dumps(props["suff-scenario-list"]["children"])
    # Side by side with the model as fitted: fewer children in homes, more in in-house foster care, at the end.
    inputs = ([("suff-compare-a", "value", "fitted"), ("suff-compare-b", "value", "saved:Step down homes"),
               ("suff-scenarios-changed", "data", 1)] + _forecast_inputs())
    response = callback_request(commissioner_client, [("suff-compare-text", "children"), ("suff-compare-grid", "rowData"),
                                                      ("suff-compare-grid", "columnDefs")], inputs)
    assert response.status_code == 200, response.get_data(as_text=True)[:800]
    props = response_props(response)
    rows = {r["Measure"]: r for r in props["suff-compare-grid"]["rowData"]}
    assert rows["At the end: Children's homes"]["Difference"] < 0
    assert rows["At the end: Foster care: in-house"]["Difference"] > 0
    assert rows["Cost over the forecast (£)"]["Difference"] < 0
    assert "less over the forecast" in props["suff-compare-text"]["children"]
