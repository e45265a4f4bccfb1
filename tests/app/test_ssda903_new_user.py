"""A new LA's data officer, as on a store with no SSDA903 demo data: the DfE's tables uploaded through the Upload
page's callbacks (several files at once), committed, and Sufficiency then shows that LA's children placed where
their real postcodes are (ONS Postcode Directory): distances and the LAs they live in, not 'not known'."""
import base64
import json
from datetime import date

import pytest
from sqlalchemy import func, select

from dashboard.dashboards.sufficiency import returns as ds
from dashboard.ingest import samples
from dashboard.store import get_engine
from tests.dash_requests import callback_request, response_props
from tests.store_fixtures import ensure_user, sign_in

OFFICER = "903officer@lambeth.example"
LA, PERIOD = "E09000022", "2025-03-31"
from tests.app.test_sufficiency_page import RENDER_OUTPUTS as RENDER   # the page's callbacks, as they are
from tests.app.test_upload_page import CHECK_OUTPUTS
FILTERS = {"suff-area": LA, "suff-at": PERIOD, "suff-age": "all", "suff-sex": "all", "suff-ethnicity": "all",
           "suff-uasc": "all", "suff-legal": "all", "suff-cin": "all", "suff-placement": "all", "suff-provider": "all"}


@pytest.fixture()
def officer_client(client, dash_app, restore_demo):
    ensure_user(OFFICER, LA, ["uploader", "commissioner"], "Data Officer")
    assert sign_in(client, OFFICER).status_code == 302
    yield client
    restore_demo({"sufficiency"})   # later tests expect the demo children back


def _upload(client, files: dict[str, bytes], trigger: str, confirmed: bool):
    contents = ["data:text/csv;base64," + base64.b64encode(data).decode() for data in files.values()]
    response = callback_request(client, CHECK_OUTPUTS,
                                [("upload-file", "contents", contents), ("upload-dataset", "value", ds.NAME),
                                 ("upload-la", "value", LA), ("upload-period", "value", PERIOD), ("upload-commit", "n_clicks", 1)],
                                [("upload-file", "filename", list(files)), ("upload-demo-confirm", "value", confirmed)],
                                triggered=trigger)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response.get_data(as_text=True)


def test_a_data_officers_tables_go_in_and_sufficiency_places_the_children_by_their_postcodes(officer_client):
    frame = samples.ssda903_episodes(120, 5, PERIOD)   # home SE15 4RG; placed at SE22 8AA, CR0 1AB or ME4 4TB
    files = {name: samples.as_csv(table) for name, table in samples.ssda903_tables(frame, oc3_share=0.1, seed=5).items()}
    checked = _upload(officer_client, files, "upload-file.contents", False)
    assert "Passed: ready to commit." in checked and "rows read =" in checked
    # A grade imported from Ofsted's files before the first real return, for a provider the demo does not have.
    ds.store_ofsted_grades(get_engine(), [{"urn": "SC999991", "inspection_date": date(2024, 1, 5), "grade": 2}])
    with get_engine().connect() as conn:
        demo_urns = set(conn.execute(select(ds.provider.c.urn)).scalars())
    assert demo_urns
    committed = _upload(officer_client, files, "upload-commit.n_clicks", True)
    assert "Stored as version" in committed
    with get_engine().connect() as conn:
        graded = set(conn.execute(select(ds.provider_grade.c.urn)).scalars())
        assert conn.execute(select(func.count()).select_from(ds.provider)).scalar() == 0
    # The demo's made-up grades went with the demo (its URNs look real: a real placement must not take one);
    # the grade imported from Ofsted stayed.
    assert not graded & demo_urns and "SC999991" in graded
    with get_engine().connect() as conn:
        assert conn.execute(select(func.count()).select_from(ds.child).where(ds.child.c.la_code == LA)).scalar() == 120
    response = callback_request(officer_client, RENDER, [(i, "value", v) for i, v in FILTERS.items()]
                                + [("suff-tile-mode", "value", "selected"), ("suff-flow-mode", "value", "location"),
                                   ("suff-anon", "value", False)])
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    text = json.dumps(response_props(response))
    # The placements' LAs from the ONS Postcode Directory: Southwark (SE22 8AA) and Croydon (CR0 1AB), by name.
    assert "Southwark" in text and "Croydon" in text
    # Distances from the full postcodes: a median in miles, and none 'not known' (every postcode is real).
    assert "the median distance is" in text and "distance not known for 0.0%" in text


def test_after_the_first_real_return_an_la_without_one_says_no_return_never_zero(officer_client):
    """Missing is not zero: once real returns replace the demo, an LA that has not sent one has no figures (its KPIs,
    charts and forecast say so); an area with some returns says whose figures it counts."""
    from tests.app.test_sufficiency_page import FORECAST_IDS, FORECAST_OUTPUTS, _kpis, render
    frame = samples.ssda903_episodes(60, 7, PERIOD)
    files = {name: samples.as_csv(table) for name, table in samples.ssda903_tables(frame, oc3_share=0.1, seed=7).items()}
    assert "Stored as version" in _upload(officer_client, files, "upload-commit.n_clicks", True)

    _, barking = render(officer_client, "la:E09000002")   # Barking and Dagenham: no return
    kpis = _kpis(barking)
    assert kpis["Children looked after"] == "no return" and set(kpis.values()) == {"no return"}
    banner = json.dumps(barking["suff-demo-banner"])
    assert "Barking and Dagenham has not sent an SSDA903 return yet" in banner
    for chart in ("mix", "trend", "starts", "stability"):
        figure = barking[f"suff-{chart}"]["figure"]
        assert not figure["data"] and "has not sent an SSDA903 return" in json.dumps(figure["layout"]["annotations"])
        assert "has not sent" in barking[f"suff-{chart}-takeaway"]["children"]

    _, lambeth = render(officer_client, f"la:{LA}")   # the LA that sent it: its figures, no banner about returns
    assert _kpis(lambeth)["Children looked after"] not in ("no return", "0")
    assert "SSDA903 return" not in json.dumps(lambeth["suff-demo-banner"])

    _, london = render(officer_client, "london")   # whose children London's figures count, and whose are missing
    banner = json.dumps(london["suff-demo-banner"])
    assert "count the children of the 1 of its 33 LAs" in banner and "Barking and Dagenham" in banner

    inputs = ([(i, "value", v) for i, v in {**FILTERS, "suff-area": "la:E09000002"}.items()]
              + [("suff-ref-from", "value", 2023), ("suff-ref-to", "value", 2025), ("suff-horizon", "value", 2)]
              + [(i, "value", None) for i in FORECAST_IDS[3:]] + [("suff-anon", "value", False)])
    response = callback_request(officer_client, FORECAST_OUTPUTS, inputs)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    forecast = response_props(response)
    assert not forecast["suff-forecast"]["figure"]["data"]
    assert "has not sent an SSDA903 return yet" in forecast["suff-forecast-takeaway"]["children"]
    assert "nothing to forecast" in forecast["suff-backtest-text"]["children"] and not forecast["suff-backtest-grid"]["rowData"]

    # Placements and supply: East London (no return from any of its LAs) has no forecast need, never a need of 0;
    # the LAs whose children placed here are not counted yet are said.
    from tests.app.test_placements_supply_page import kpis as supply_kpis, render as supply_render
    east = supply_render(officer_client, area="sr:east")
    assert supply_kpis(east)["Children's homes: need minus places"] == "no return"
    assert "No LA in East London has an SSDA903 return" in json.dumps(east["supply-demand-takeaway"])
    assert "of London's 33 LAs whose return covers" in json.dumps(east["supply-banner"])
    # A Barking commissioner's own children: no return, not "0 of 0 looked after".
    ensure_user("commissioner@barking.example", "E09000002", ["commissioner"], "Barking Commissioner")
    assert sign_in(officer_client, "commissioner@barking.example").status_code == 302
    own = supply_kpis(supply_render(officer_client, area="sr:east"))
    assert own["Barking and Dagenham's children placed outside Barking and Dagenham"] == "no return"
