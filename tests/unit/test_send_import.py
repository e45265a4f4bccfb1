"""The SEND importers against the real published files in ../shared/realdata: they must reproduce the publishers' figures."""
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from dashboard.dashboards.send import returns as ds
from dashboard.dashboards.send import metrics as m

REALDATA = Path(__file__).resolve().parents[2].parent / "shared" / "realdata"
ROOT = Path(__file__).resolve().parents[2]
needs_files = pytest.mark.skipif(not (REALDATA / "send").is_dir(), reason="published files not at ../shared/realdata")


@pytest.fixture(scope="module")
def las():
    return pd.read_csv(ROOT / "data" / "local_authorities.csv", dtype=str)


@pytest.fixture(scope="module")
def published(las):
    values, inspections, files = ds.read_published(REALDATA, las)
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


@needs_files
def test_plans_in_force_match_the_published_sen2_totals(published):
    values = published[0]
    assert figure(values, m.ENGLAND, 2022, "plans_in_force") == 473_255   # EHC plans, January 2022 (SEN2 2022)
    assert figure(values, m.LONDON, 2022, "plans_in_force") == 78_203
    assert figure(values, "E09000022", 2022, "plans_in_force") == 2_940   # Lambeth
    assert figure(values, m.ENGLAND, 2017, "plans_in_force") == 287_290   # statements and plans during the transfer
    assert figure(values, m.ENGLAND, 2017, "ehcp_in_force") == 175_233
    assert np.isnan(figure(values, m.ENGLAND, 2014, "ehcp_in_force"))     # "z": EHC plans began in 2014/15, not 0


@needs_files
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


@needs_files
def test_requests_refusals_and_new_plans(published):
    values = published[0]
    assert figure(values, m.ENGLAND, 2022, "requests") == 114_482
    assert figure(values, m.ENGLAND, 2022, "new_plans") == 68_665
    assert figure(values, "E09000022", 2021, "refusals") == 177
    assert np.isnan(figure(values, "E09000022", 2015, "requests"))   # requests published from 2016 ("z" before)


@needs_files
def test_population_and_plans_per_thousand(published, las):
    values = published[0]
    assert figure(values, "E09000022", 2022, "population_0_17") == 53_500
    assert figure(values, m.LONDON, 2024, "population_0_17") == 1_916_086
    lookup = las.rename(columns={"ons_code": "la_code", "name": "la_name", "subregion": "subregion_code"})
    rate = m.area_series(values, lookup, m.INDICATORS["plans_per_1000"]).set_index(["area_code", "year"])["value"]
    assert rate[("E09000022", 2022)] == pytest.approx(2940 / 53500 * 1000)   # 55.0 per 1,000 aged 0-17


@needs_files
def test_pupils_with_sen_from_lait(published):
    values = published[0]
    assert figure(values, "E09000022", 2025, "pupils_ehcp_pct") == 7.0
    assert figure(values, m.LONDON, 2025, "pupils_sen_support_pct") == 13.2
    assert figure(values, m.ENGLAND, 2025, "pupils_ehcp_pct") == 5.3


@needs_files
def test_inspections_2016_to_2022_cover_all_33_london_areas(published):
    inspections = published[1]
    old = inspections[inspections["framework"] == "2016"]
    assert len(old) == 33 and old["area_code"].nunique() == 33
    assert (old["wsoa_required"] == "Yes").sum() == 11
    brent = old[old["area_name"] == "Brent"].iloc[0]
    assert brent["weaknesses"] == 5 and brent["revisit_outcome"] == "Yes" and brent["publication_date"] == date(2017, 7, 20)


@needs_files
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


@needs_files
def test_the_london_cuts_give_the_same_london_figures_as_the_full_files(tmp_path, las):
    la_codes = set(las["ons_code"])
    full = pd.DataFrame(ds.read_sen2_mi(REALDATA / "send" / "sen2_mi.csv", la_codes))
    cut = pd.DataFrame(ds.read_sen2_mi(REALDATA / "send" / "sen2_mi_london.csv", la_codes))
    key = ["area_code", "year", "measure"]
    merged = full.merge(cut, on=key, suffixes=("_full", "_cut"))
    assert len(merged) == len(full) == len(cut)
    assert merged["value_full"].fillna(-1).equals(merged["value_cut"].fillna(-1))


@pytest.fixture()
def engine(tmp_path):
    from sqlalchemy import create_engine
    from dashboard.store.setup import init_db
    engine = create_engine(f"sqlite:///{tmp_path / 'send.sqlite3'}")
    init_db(engine)
    yield engine
    engine.dispose()


def stored(engine):
    with engine.connect() as conn:
        return (pd.read_sql(ds.send_value.select(), conn), pd.read_sql(ds.send_inspection.select(), conn))


def test_demo_data_is_seeded_labelled_and_adds_up(engine):
    from dashboard.store.datasets import dataset_state
    ds.load_demo_only(engine, seed=11)
    values, inspections = stored(engine)
    assert set(values["source"]) == {"demo"} and set(inspections["source"]) == {"demo"}
    assert dataset_state(engine, "send")["is_demo"]
    assert set(ds.MEASURES) <= set(values["measure"])
    lambeth = values[(values["area_code"] == "E09000022") & (values["year"] == 2022)].set_index("measure")["value"]
    assert sum(lambeth[m] for m in ds.PLACEMENTS) == lambeth["plans_in_force"]   # placements add up to the plans
    again = ds.demo_values(_las_of(engine), 11)
    assert len(again) == len(values)   # same seed, same data


def _las_of(engine):
    return ds._las(engine)


@needs_files
def test_import_keeps_real_figures_and_labels_only_the_rest_demo(engine):
    from dashboard.store.datasets import dataset_state
    summary = ds.load_published(engine, REALDATA, seed=3)
    assert summary["demo_measures"] == sorted(list(ds.PLACEMENTS) + list(ds.NEEDS))
    values, inspections = stored(engine)
    sources = values.groupby("measure")["source"].agg(set)
    last_year = max(int(y) for y in pd.read_csv(REALDATA / "send" / "sen2_age_caseload.csv", dtype=str)["time_period"])
    assert sources["plans_in_force"] == {f"DfE, Education, health and care plans (SEN2), release with figures to "
                                         f"{last_year} (sen2_age_caseload.csv)"}   # the publication, its release, the file
    assert sources["place_inmss"] == {"demo"}
    assert "demo" not in set(inspections["source"])
    # Placements (demo) are split from Lambeth's real 2,940 plans, so the mix adds up to the published total.
    lambeth = values[(values["area_code"] == "E09000022") & (values["year"] == 2022)].set_index("measure")["value"]
    assert lambeth["plans_in_force"] == 2940 and sum(lambeth[m] for m in ds.PLACEMENTS) == 2940
    assert values[(values["measure"] == "timely_20wk") & (values["area_code"] == "E09000016") & (values["year"] == 2022)]["value"].isna().all()
    assert dataset_state(engine, "send")["version"] == summary["version"]


def test_a_bad_file_changes_nothing(engine, tmp_path):
    from dashboard.store.datasets import dataset_state
    ds.load_demo_only(engine, seed=1)
    before = dataset_state(engine, "send")["version"]
    folder = tmp_path / "downloads"
    folder.mkdir()
    (folder / "sen2_mi.csv").write_text("time_period,geographic_level\n2022,National\n")
    with pytest.raises(ds.SendImportError, match="sen2_mi.csv: missing column"):
        ds.load_published(engine, folder)
    assert dataset_state(engine, "send")["version"] == before
    assert set(stored(engine)[0]["source"]) == {"demo"}
