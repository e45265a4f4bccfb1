"""The SEND importers against the real published files in ../shared/realdata: they must reproduce the publishers' figures."""
from datetime import date

import numpy as np
import pandas as pd
import pytest

from dashboard.dashboards.send import returns as ds
from dashboard.dashboards.send import metrics as m
from tests.shared_files import REALDATA, ROOT, shared_file



@pytest.fixture(scope="module")
def las():
    return pd.read_csv(ROOT / "data" / "local_authorities.csv", dtype=str)


@pytest.fixture(scope="module")
def published(las):
    values, inspections, files = ds.read_published(shared_file(REALDATA / "send").parent, las)
    return pd.DataFrame(values), pd.DataFrame(inspections), files


def figure(values, area, year, measure):
    hit = values[(values["area_code"] == area) & (values["year"] == year) & (values["measure"] == measure)]
    assert len(hit) == 1, (area, year, measure)
    return hit["value"].iloc[0]


def test_markers_are_missing_and_anything_else_is_a_named_error():
    for marker in ("c", "x", "z", "k", "low", "-", "", " x ", "NA"):
        assert np.isnan(ds.parse_number(marker))
    assert ds.parse_number("1,234") == 1234.0
    with pytest.raises(ds.SendImportError, match=r"sen2_mi.csv, row 7, column 'inreq_ehc': 'abc'"):
        ds.parse_number("abc", file="sen2_mi.csv", row=7, column="inreq_ehc")


def test_a_bad_cell_in_a_file_names_the_file_row_and_column(tmp_path, las):
    path = tmp_path / "sen2_age_caseload.csv"
    path.write_text("time_period,geographic_level,new_la_code,region_code,characteristic_age,Total_ehc,Total_all\n"
                    "2022,Local authority,E09000022,E12000007,Total,2940,2940\n"
                    "2022,Local authority,E09000028,E12000007,Total,lots,2940\n")
    with pytest.raises(ds.SendImportError, match=r"sen2_age_caseload.csv, row 3, column 'Total_ehc'"):
        ds.read_sen2_caseload(path, set(las["ons_code"]))
    other = tmp_path / "sen2_mi.csv"
    other.write_text("time_period,geographic_level\n2022,National\n")
    with pytest.raises(ds.SendImportError, match="missing column"):
        ds.read_sen2_mi(other, set(las["ons_code"]))


def test_plans_in_force_match_the_published_sen2_totals(published):
    values = published[0]
    assert figure(values, m.ENGLAND, 2022, "plans_in_force") == 473_255   # EHC plans, January 2022 (SEN2 2022)
    assert figure(values, m.LONDON, 2022, "plans_in_force") == 78_203
    assert figure(values, "E09000022", 2022, "plans_in_force") == 2_940   # Lambeth
    assert figure(values, m.ENGLAND, 2017, "plans_in_force") == 287_290   # statements and plans during the transfer
    assert figure(values, m.ENGLAND, 2017, "ehcp_in_force") == 175_233
    assert np.isnan(figure(values, m.ENGLAND, 2014, "ehcp_in_force"))     # "z": EHC plans began in 2014/15, not 0


def test_twenty_week_timeliness_reproduces_dfe_rates(published, las):
    values = published[0]
    series = m.area_series(values, las.rename(columns={"ons_code": "la_code", "name": "la_name", "subregion": "subregion_code"}),
                           m.INDICATORS["timely_20wk_pct"]).set_index(["area_code", "year"])["value"]
    assert round(series[(m.ENGLAND, 2022)], 1) == 49.2       # DfE: 49.2% within 20 weeks in 2022
    assert round(series[(m.ENGLAND, 2021)], 1) == 59.9       # and 59.9% in 2021
    assert round(series[(m.LONDON, 2022)], 1) == 54.7
    assert round(series[("E09000022", 2022)], 1) == 20.6     # Lambeth: 36 of 175
    assert np.isnan(series[("E09000016", 2022)])             # Havering: "x" in the file: not published, never 0
    assert np.isnan(series[("E09000030", 2022)])             # Tower Hamlets: "x"
    # The computed rate equals DfE's own published rate for every London LA with one.
    published_rate = values[values["measure"] == "timely_20wk_pct"].set_index(["area_code", "year"])["value"]
    both = pd.concat([series.rename("computed"), published_rate.rename("published")], axis=1, join="inner").dropna()
    assert len(both) > 250
    assert (both["computed"] - both["published"]).abs().max() < 0.06


def test_requests_refusals_and_new_plans(published):
    values = published[0]
    assert figure(values, m.ENGLAND, 2022, "requests") == 114_482
    assert figure(values, m.ENGLAND, 2022, "new_plans") == 68_665
    assert figure(values, "E09000022", 2021, "refusals") == 177
    assert np.isnan(figure(values, "E09000022", 2015, "requests"))   # requests published from 2016 ("z" before)


def test_population_and_plans_per_thousand(published, las):
    values = published[0]
    assert figure(values, "E09000022", 2022, "population_0_17") == 53_500
    assert figure(values, m.LONDON, 2024, "population_0_17") == 1_916_086
    lookup = las.rename(columns={"ons_code": "la_code", "name": "la_name", "subregion": "subregion_code"})
    rate = m.area_series(values, lookup, m.INDICATORS["plans_per_1000"]).set_index(["area_code", "year"])["value"]
    assert rate[("E09000022", 2022)] == pytest.approx(2940 / 53500 * 1000)   # 55.0 per 1,000 aged 0-17


def test_pupils_with_sen_from_lait(published):
    values = published[0]
    assert figure(values, "E09000022", 2025, "pupils_ehcp_pct") == 7.0
    assert figure(values, m.LONDON, 2025, "pupils_sen_support_pct") == 13.2
    assert figure(values, m.ENGLAND, 2025, "pupils_ehcp_pct") == 5.3


def test_inspections_2016_to_2022_cover_all_33_london_areas(published):
    inspections = published[1]
    old = inspections[inspections["framework"] == "2016"]
    assert len(old) == 33 and old["area_code"].nunique() == 33
    assert (old["wsoa_required"] == "Yes").sum() == 11
    brent = old[old["area_name"] == "Brent"].iloc[0]
    assert brent["weaknesses"] == 5 and brent["revisit_outcome"] == "Yes" and brent["publication_date"] == date(2017, 7, 20)


def test_london_share_of_outcome_one_38_against_26_is_the_november_2024_position(published, las):
    """The issue quotes 38% of inspected London areas with outcome 1 against 26% in England.

    The data supports it only as the position for reports published up to 20 November 2024 (London 3 of 8,
    England 12 of 46); with every report held (to November 2025) it is 4 of 14 (29%) against 15 of 71 (21%).
    """
    inspections = published[1].assign(publication_date=lambda f: pd.to_datetime(f["publication_date"]))
    london = set(las["ons_code"])
    then = m.outcome_share(inspections, date(2024, 11, 20), london)
    assert (then["London"]["outcome_1"], then["London"]["inspected"]) == (3, 8)
    assert (then["England"]["outcome_1"], then["England"]["inspected"]) == (12, 46)
    assert m.round_half_up(then["London"]["pct"]) == 38 and m.round_half_up(then["England"]["pct"]) == 26
    now = m.outcome_share(inspections, None, london)
    assert (now["London"]["outcome_1"], now["London"]["inspected"]) == (4, 14)
    assert (now["England"]["outcome_1"], now["England"]["inspected"]) == (15, 71)   # Slough's report not yet graded
    assert m.round_half_up(now["London"]["pct"]) == 29 and m.round_half_up(now["England"]["pct"]) == 21


def test_the_london_cuts_give_the_same_london_figures_as_the_full_files(tmp_path, las):
    la_codes = set(las["ons_code"])
    full = pd.DataFrame(ds.read_sen2_mi(shared_file(REALDATA / "send" / "sen2_mi.csv"), la_codes))
    cut = pd.DataFrame(ds.read_sen2_mi(shared_file(REALDATA / "send" / "sen2_mi_london.csv"), la_codes))
    key = ["area_code", "year", "measure"]
    merged = full.merge(cut, on=key, suffixes=("_full", "_cut"))
    assert len(merged) == len(full) == len(cut)
    assert merged["value_full"].fillna(-1).equals(merged["value_cut"].fillna(-1))
