"""The Benchmarking page on published statistics: real figures, joint rows, markers and statistical neighbours."""
import json

from tests.app.test_benchmarking_page import render
from tests.shared_files import published_cell
from tests.dash_requests import callback_request, response_props


def test_published_source_shows_the_published_figure_and_its_comparators(member_client, published_data):
    props = render(member_client, "csww_agency_rate", "E09000007", "2020", "2025", source="published")
    kpis = json.dumps(props["bench-kpis"]["children"])
    assert "Camden, 2025" in kpis and "9.4%" in kpis                        # as in DfE's file
    names = [t["name"] for t in props["bench-series"]["figure"]["data"]]
    assert names == ["Camden", "Statistical neighbours average", "London", "Inner London", "England"]
    assert props["bench-series"]["figure"]["data"][0]["x"] == ["2020", "2021", "2022", "2023", "2024", "2025"]
    rows = {r["LA"]: r for r in props["bench-ranking-grid"]["rowData"]}
    joint = rows["Kingston upon Thames / Richmond upon Thames (joint return)"]
    assert joint["Value"] == 14.9 and "Kingston upon Thames" not in rows    # kept joint, not split
    assert len(rows) == 32
    assert "with a published figure" in props["bench-ranking-title"]["children"]
    assert props["bench-demo-banner"]["children"] is None                    # real data: no demo label
    notes = json.dumps(props["bench-definition"]["children"])
    assert "Children's social work workforce" in notes and "statistical neighbours" in notes.lower()


def test_a_suppressed_figure_says_so_in_its_value_rank_quartile_and_flag_never_no_return(member_client, published_data):
    cell = published_cell("cla/cla_number_and_rate_per_10k_children.csv",
                          {"new_la_code": "E09000001", "time_period": "2025",
                           "population_type": "Children looked after on 31 March each year"}, "rate_per_10000")
    assert cell == "c"                                     # the City's 2025 rate is suppressed in DfE's file
    props = render(member_client, "cla_rate_31_march", "E09000001", "2021", "2025", source="published")
    city = {r["LA"]: r for r in props["bench-ranking-grid"]["rowData"]}["City of London"]
    assert city["Value"] is None
    assert [city[c] for c in ("Rank", "Quartile", "Flag", "Published marker")] == ["suppressed (c)"] * 4
    value_column = next(c for c in props["bench-ranking-grid"]["columnDefs"] if c["field"] == "Value")
    assert "Published marker" in value_column["valueFormatter"]["function"]   # the value cell shows the same words
    assert "No return" not in json.dumps(props["bench-ranking-grid"]["rowData"])
    assert "suppressed (c)" in json.dumps(props["bench-kpis"]["children"])


def test_choosing_the_published_source_lists_its_indicators_and_years(member_client, published_data):
    outputs = [("bench-indicator", "options"), ("bench-indicator", "value"), ("bench-start", "options"),
               ("bench-start", "value"), ("bench-end", "options"), ("bench-end", "value"), ("bench-empty", "children")]
    response = callback_request(member_client, outputs,
                                [("bench-source", "value", "published"), ("bench-indicator", "value", "cla_rate")],
                                [("bench-focus", "value", "E09000022"), ("bench-start", "value", "2024-03-31"),
                                 ("bench-end", "value", "2026-09-30")], triggered="bench-source.value")
    props = response_props(response)
    codes = [o["value"] for o in props["bench-indicator"]["options"]]
    assert "csww_agency_rate" in codes and "lait_cla_rate" in codes and "cla_rate" not in codes
    assert props["bench-end"]["value"] == "2025"
    assert props["bench-indicator"]["value"] == "cla_rate_31_march"      # the looked-after rate stays the looked-after rate


def switch_source(client, source, indicator):
    outputs = [("bench-indicator", "options"), ("bench-indicator", "value"), ("bench-start", "options"),
               ("bench-start", "value"), ("bench-end", "options"), ("bench-end", "value"), ("bench-empty", "children")]
    response = callback_request(client, outputs, [("bench-source", "value", source), ("bench-indicator", "value", indicator)],
                                [("bench-focus", "value", "E09000022"), ("bench-start", "value", None),
                                 ("bench-end", "value", None)], triggered="bench-source.value")
    return response_props(response)["bench-indicator"]["value"]


def test_switching_source_keeps_the_same_measure_where_the_other_source_has_it(member_client, published_data):
    assert switch_source(member_client, "published", "sw_agency_pct") == "csww_agency_rate"
    assert switch_source(member_client, "regional", "csww_agency_rate") == "sw_agency_pct"
    assert switch_source(member_client, "regional", "lait_cla_rate") == "cla_rate"
    assert switch_source(member_client, "published", "uasc_cla") == "lait_uasc_count"
    # No published match for assessments within 45 days: the published source's default.
    assert switch_source(member_client, "published", "assessments_45d_pct") == "csww_agency_rate"


def test_a_joint_return_is_one_area_named_as_joint_wherever_either_la_is_asked_for(member_client, published_data):
    joint_name = "Kingston upon Thames / Richmond upon Thames (joint return)"
    cell = published_cell("csww/csww_indicators_2017_to_2025.csv",
                          {"time_period": "2025", "new_la_code": "E09000021 / E09000027"}, "agency_rate_fte")
    assert cell == "14.9"                                  # DfE publishes the two LAs' workforce together
    for focus in ("E09000021", "E09000027"):              # Kingston, then Richmond, as focus
        props = render(member_client, "csww_agency_rate", focus, "2020", "2025", source="published")
        kpis = json.dumps(props["bench-kpis"]["children"])
        assert f"{joint_name}, 2025" in kpis and "14.9%" in kpis and "14 of 30" in kpis
        assert props["bench-series"]["figure"]["data"][0]["name"] == joint_name
        series_columns = [c["field"] for c in props["bench-series-grid"]["columnDefs"]]
        assert series_columns[1] == joint_name
        for chart in ("series", "ranking", "subregion"):
            sentence = props[f"bench-{chart}-takeaway"]["children"]
            assert sentence.startswith(joint_name) and "no figure" not in sentence
    # Kingston's DfE neighbours include Richmond, whose figure is the joint one: all 10 have a figure.
    props = render(member_client, "csww_agency_rate", "E09000021", "2020", "2025", source="published")
    assert "10 of 10 neighbours have a figure" in json.dumps(props["bench-kpis"]["children"])


def test_a_count_is_said_as_a_share_of_londons_total_never_as_below_it(member_client, published_data):
    props = render(member_client, "cla_count_31_march", "E09000008", "2020", "2025", source="published")
    london = published_cell("cla/cla_number_and_rate_per_10k_children.csv",
                            {"geographic_level": "Regional", "region_name": "London", "time_period": "2025",
                             "population_type": "Children looked after on 31 March each year"}, "children_count")
    sentence = props["bench-series-takeaway"]["children"]
    assert f"of London's {int(london):,}" in sentence and "below London" not in sentence
