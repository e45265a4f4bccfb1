"""The Health of looked-after children page through the Flask test client, on DfE's real LAIT figures: figures as the
file gives them for several LAs and years (LAIT's float artefacts rounded as published, markers kept and said, never
0), the SDQ's band and its sub-region mean hand-checked, the guard, files and the export. The comparisons' rules are
hand-worked in tests/fast/test_area_measures_metrics.py; the Care leavers tests cover images, slides and anonymising
of the same shared page."""
import io
import json

import pandas as pd
import pytest

from dashboard import loader
from tests.app.test_care_leavers_page import file_value, filters, outputs, render
from tests.dash_requests import callback_request, components, page_layout, texts
from tests.presenting import press

P = "lachealth"


def show(client, **choices):
    return render(client, p=P, **{"measure": "LACHealth%", **choices})


def test_anonymous_callback_is_refused(client):
    assert callback_request(client, outputs(P), [(i, "value", None) for i in filters(P)]).status_code == 401


pytestmark = pytest.mark.usefixtures("published_data")


def test_a_member_opens_the_page_on_their_own_la_and_the_latest_year(member_client):
    layout = page_layout(member_client, "/looked-after-health")
    assert texts(layout)[0] == "Health of looked-after children"
    opened = components(layout)
    assert [opened[i]["value"] for i in filters(P)] == ["E09000022", "LACHealth%", "2025"]
    assert "SDQ" in json.dumps(opened[f"{P}-measure"]["options"])


@pytest.mark.parametrize("measure,la,name,dfe,year", [
    ("LACHealth%", "E09000022", "Lambeth", "208", "2025"), ("Emotional_LAC", "E09000007", "Camden", "202", "2025"),
    ("LACDental%", "E09000033", "Westminster", "213", "2019"), ("LACVaccinations%", "E09000005", "Brent", "304", "2021"),
    ("LACSubstance", "E09000022", "Lambeth", "208", "2019"), ("LAC_Convictions", "E09000007", "Camden", "202", "2025"),
])
def test_published_figures_are_shown_as_the_file_gives_them_markers_as_markers(member_client, measure, la, name, dfe, year):
    published = file_value(measure, dfe, year)
    props = show(member_client, focus=la, measure=measure, year=year)
    cell = next(r for r in props[f"{P}-las-grid"]["rowData"] if r["LA"] == name)
    shown = cell[next(c for c in cell if c not in ("LA", "Sub-region", "Position"))]
    trend = next(r for r in props[f"{P}-trend-grid"]["rowData"] if r["Year to 31 March"] == year)
    if published == "-":
        assert shown == trend[name] == cell["Position"] == "not available (-)"
        assert "not available (-)" in json.dumps(props[f"{P}-kpis"])
    else:
        decimals = 1 if measure == "Emotional_LAC" else 0    # '16.100000000000001' in the file is 16.1
        assert shown == trend[name] == round(float(published), decimals)
    for area, number in (("London", "986"), ("England", "970")):
        assert trend[area] == round(float(file_value(measure, number, year)), 1)


def test_camdens_offending_figure_is_not_published_and_never_drawn_as_zero(member_client):
    assert file_value("LAC_Convictions", "202", "2025") == "-"
    props = show(member_client, focus="E09000007", measure="LAC_Convictions")
    bars = props[f"{P}-las"]["figure"]["data"][0]
    camden = [i for i, y in enumerate(bars["y"]) if "Camden" in y][0]
    assert bars["x"][camden] is None and bars["text"][camden] == "not available (-)"
    assert bars["y"][camden].endswith("(not available (-))")   # said on the axis, where the bar would be
    assert props[f"{P}-trend-takeaway"]["children"].startswith("Camden has no published figure for 2025")


def test_the_sdq_reads_against_its_bands_and_its_sub_region_mean_is_hand_checked(member_client, server):
    assert file_value("Emotional_LAC", "208", "2025") == "15.7"
    props = show(member_client, measure="Emotional_LAC")
    assert "15.7" in json.dumps(props[f"{P}-kpis"]) and "average score: borderline (14 to 16)" in json.dumps(props[f"{P}-kpis"])
    layout = props[f"{P}-trend"]["figure"]["layout"]
    assert [a["text"] for a in layout["annotations"]] == ["normal<br>(0 to 13)", "borderline<br>(14 to 16)",
                                                          "cause for concern<br>(17 or more)"]
    with server.app_context():
        las = loader.local_authorities()
    lambeth = las.set_index("la_code").loc["E09000022"]
    members = las[las["subregion_code"] == lambeth["subregion_code"]]["dfe_code"].astype(str)
    scores = [float(c) for c in (file_value("Emotional_LAC", d, "2025") for d in members) if c != "-"]
    trend = next(r for r in props[f"{P}-trend-grid"]["rowData"] if r["Year to 31 March"] == "2025")
    name = f"{lambeth['subregion_name']} (sub-region mean)"
    assert trend[name] == round(sum(scores) / len(scores), 2)
    assert trend[f"{name}: LAs with a figure"] == f"{len(scores)} of {len(members)}"


def test_the_page_says_what_lait_does_not_hold(member_client):
    notes = json.dumps(show(member_client)[f"{P}-definition"])
    assert "cause for concern (17 or more) and the share with no SDQ score" in notes and "not in LAIT" in notes


def test_the_profile_table_downloads_with_markers_in_words(member_client):
    state = [(i, "value", v) for i, v in zip(filters(P), ["E09000007", "LAC_Convictions", "2025"])] + [
        (f"{P}-anon", "value", False)]
    buttons = [f"{P}-dl-{t}-{k}" for t in ("trend", "las", "profile") for k in ("csv", "xlsx")]
    name, content = press(member_client, f"{P}-download", buttons, f"{P}-dl-profile-csv", state)
    assert name == "looked_after_health_LAC_Convictions_2025_profile.csv"
    table = pd.read_csv(io.BytesIO(content), dtype=str).set_index("Measure")
    assert table.loc["Convicted or given a youth caution (%)", "Camden"] == "not available (-)"
    assert table.loc["Average SDQ score (emotional and behavioural health)", "Camden"] == "16.1"


def test_the_export_keeps_markers(server):
    from dashboard.published.store import export_frame   # the export an administrator runs
    from dashboard.store import get_engine
    with server.app_context():
        frame = export_frame(get_engine())
    row = frame[(frame["indicator"] == "looked_after_health_LAC_Convictions") & (frame["period"] == "2025")
                & (frame["la_code"] == "E09000007")].iloc[0]
    assert pd.isna(row["value"]) and row["marker"] == "-"
