"""Suspensions data: the DfE England importer reproduces DfE's figures, the published-table importer, bad files, demo data."""
from __future__ import annotations

import pandas as pd
import pytest

from dashboard.dashboards.suspensions import view
from dashboard.dashboards.suspensions import returns as data
from dashboard.dashboards.suspensions import metrics as m
from dashboard.dashboards.suspensions.metrics import RATE_MINIMUM
from dashboard.store.reference import read_reference_csvs
from tests.shared_files import shared_file


@pytest.fixture(scope="module")
def england_file() -> pd.DataFrame:
    return data.read_england_file(shared_file(data.ENGLAND_FILE))


@pytest.fixture(scope="module")
def england(england_file) -> pd.DataFrame:
    """The 19 groups' rows (without DfE's total row)."""
    return england_file[england_file["ethnicity"] != data.ALL_PUPILS]


def test_england_keeps_dfes_own_total_of_all_pupils_each_year(england_file, raw_england):
    totals = england_file[england_file["ethnicity"] == data.ALL_PUPILS].set_index("academic_year")
    published = raw_england[(raw_england["characteristic_desc"] == "Total") & (raw_england["school_type"] == "Total")
                            & (raw_england["characteristic_1"] == "Total")]
    assert len(totals) == 6 == len(published)
    for year, headcount, suspended in zip(published["year"], published["headcount"], published["one_plus_fixed"]):
        row = totals.loc[data.academic_year_label(year)]
        assert (row["headcount"], row["pupils_suspended"]) == (int(headcount), int(suspended))


@pytest.fixture(scope="module")
def raw_england() -> pd.DataFrame:
    return pd.read_csv(shared_file(data.ENGLAND_FILE), dtype=str)


def test_england_has_19_groups_for_six_years(england):
    assert sorted(england["academic_year"].unique()) == ["2011/12", "2012/13", "2013/14", "2014/15", "2015/16", "2016/17"]
    assert england.groupby("academic_year")["ethnicity"].nunique().eq(19).all()
    assert england["ethnicity"].iloc[0] == "White British"


def test_england_rates_reproduce_dfes_published_percentages(england, raw_england):
    # DfE's one_plus_fixed_rate is per 100 pupils to 2 dp; ours is per 1,000 from the counts.
    minor = raw_england[(raw_england["characteristic_desc"] == "Ethnicity") & (raw_england["school_type"] == "Total")
                        & raw_england["characteristic_1"].str.match(r"Ethnicity_(Minor_|Unclassified)")]
    published = {(data.academic_year_label(y), data.canonical_group(c)): float(r)
                 for y, c, r in zip(minor["year"], minor["characteristic_1"], minor["one_plus_fixed_rate"])}
    exact = []
    for year, frame in england.groupby("academic_year"):
        table = m.relative_rate_index(frame.rename(columns={"ethnicity": "group", "headcount": "population",
                                                            "pupils_suspended": "count"}))
        for group, rate, n, a in zip(table["group"], table["rate_per_1000"], table["population"], table["count"]):
            # DfE's rates come from unrounded counts; ours from counts rounded to the nearest 5.
            rounding = 0.005 + 100 * 2.5 / n + (rate / 10) * 2.5 / a
            assert rate / 10 == pytest.approx(published[(year, group)], abs=rounding), (year, group)
            exact.append(round(rate / 10, 2) == published[(year, group)])
    assert len(published) == 6 * 19
    assert sum(exact) >= 0.75 * len(exact)  # most agree to the published 2 dp exactly


def test_england_2016_17_figures_a_user_would_check(england):
    year = england[england["academic_year"] == "2016/17"]
    table = m.relative_rate_index(year.rename(columns={"ethnicity": "group", "headcount": "population",
                                                       "pupils_suspended": "count"})).set_index("group")
    # DfE: White British 127,445 of 5,439,960 (2.34%); Gypsy/Roma 1,815 of 25,565 (7.10%); Black Caribbean 5,425 of 92,595.
    assert table.at["White British", "rate_per_1000"] == pytest.approx(23.43, abs=0.01)
    assert table.at["Gypsy/Roma", "rri"] == pytest.approx(3.03, abs=0.01)
    assert table.at["Black Caribbean", "rri"] == pytest.approx(2.50, abs=0.01)
    assert table.at["Indian", "rri"] == pytest.approx(0.27, abs=0.01)
    assert table.at["Black Caribbean", "band"] == m.SUBSTANTIALLY_OVER and bool(table.at["Black Caribbean", "significant"])
    # Irish: 610 of 23,295, RRI 1.12 with an interval (1.03, 1.21) that stays above 1 in a national population.
    assert table.at["Irish", "ci_low"] == pytest.approx(1.03, abs=0.01)


def test_england_groups_add_up_to_dfes_totals_in_2016_17_and_to_most_pupils_before(england, raw_england):
    # DfE rounds every count to the nearest 5, so 19 groups can differ from the published total by up to 19 x 2.5.
    total = raw_england[(raw_england["characteristic_desc"] == "Total") & (raw_england["school_type"] == "Total")]
    for year, frame in england.groupby("academic_year"):
        row = total[total["year"] == year.replace("/", "")].iloc[0]
        if year == "2016/17":
            assert abs(frame["headcount"].sum() - int(row["headcount"])) <= 19 * 2.5
            assert abs(frame["pupils_suspended"].sum() - int(row["one_plus_fixed"])) <= 19 * 2.5
        else:
            # Before 2016/17 the ethnicity rows cover about 88% of the headcount (the page says so) but
            # almost every pupil suspended: the pupils left out are the youngest, rarely suspended.
            assert 0.85 < frame["headcount"].sum() / int(row["headcount"]) < 0.9
            assert frame["pupils_suspended"].sum() / int(row["one_plus_fixed"]) > 0.99


def test_england_suppressed_permanent_exclusions_stay_missing_not_zero(england):
    # DfE wrote "x" where it suppressed permanent exclusions (e.g. Chinese pupils in some years).
    missing = england[england["permanent_exclusions"].isna()]
    assert len(missing) >= 1
    assert (england["permanent_exclusions"].dropna() >= 0).all()


def test_published_file_is_read_as_published():
    table = data.read_published_file(shared_file(data.PUBLISHED_FILE))
    assert len(table) == 19 and table["rri"].isna().sum() == 2
    row = table.set_index("ethnicity").loc["Gypsy/Roma"]  # "Gypsy Roma" in the file
    assert row["pupils"] == 8691 and row["rate_per_1000"] == 103 and row["representation"] == "Substantially over"
    assert pd.isna(table.set_index("ethnicity").loc["Irish", "representation"])  # blank: no band


def _write(tmp_path, text, name="file.csv"):
    path = tmp_path / name
    path.write_text(text)
    return path


ENGLAND_HEADER = ("year,level,country_code,country_name,school_type,characteristic_desc,characteristic_1,characteristic_2,"
                  "headcount,perm_excl,perm_excl_rate,fixed_excl,fixed_excl_rate,one_plus_fixed,one_plus_fixed_rate\n")


def test_bad_england_files_are_refused_naming_file_row_and_column(tmp_path):
    with pytest.raises(ValueError, match=r"wrong\.csv: missing column\(s\) .*one_plus_fixed"):
        data.read_england_file(_write(tmp_path, "year,school_type\n201617,Total\n", "wrong.csv"))
    bad_number = ENGLAND_HEADER + "201617,NATIONAL,E92000001,England,Total,Ethnicity,Ethnicity_Minor_Irish,Total,lots,1,0,2,0,1,0\n"
    with pytest.raises(ValueError, match=r"dfe\.csv, row 2, column 'headcount': 'lots' is not a number"):
        data.read_england_file(_write(tmp_path, bad_number, "dfe.csv"))
    unknown = ENGLAND_HEADER + "201617,NATIONAL,E92000001,England,Total,Ethnicity,Ethnicity_Minor_Martian,Total,10,1,0,2,0,1,0\n"
    with pytest.raises(ValueError, match=r"row 2, column 'characteristic_1': unknown ethnic group 'Ethnicity_Minor_Martian'"):
        data.read_england_file(_write(tmp_path, unknown))
    one_group = ENGLAND_HEADER + "201617,NATIONAL,E92000001,England,Total,Ethnicity,Ethnicity_Minor_Irish,Total,10,1,0,2,0,1,0\n"
    with pytest.raises(ValueError, match="do not have all 19 ethnic groups"):
        data.read_england_file(_write(tmp_path, one_group))


def test_bad_published_file_is_refused(tmp_path):
    header = "ethnicity_major,ethnicity,pupils,suspension_rate_per_1000,rri,representation\n"
    with pytest.raises(ValueError, match=r"row 2, column 'pupils': 'many' is not a number"):
        data.read_published_file(_write(tmp_path, header + "White,White British,many,39,1.0,\n"))
    with pytest.raises(ValueError, match="White British included"):
        data.read_published_file(_write(tmp_path, header + "White,Irish,10,39,1.0,\n"))


def test_group_names_from_every_source_match():
    assert data.canonical_group("Ethnicity_Minor_Gypsy_Roma") == data.canonical_group("Gypsy Roma") == "Gypsy/Roma"
    assert data.canonical_group("Any other asian background") == "Any other Asian background"
    assert data.canonical_group("Ethnicity_Minor_Any_Other_Ethnic_Group") == "Any other ethnic group"
    assert data.canonical_group("Ethnicity_Unclassified") == "Unclassified"
    assert data.canonical_group("Ethnicity_Major_White_Total") is None
    assert len(data.ETHNIC_GROUPS) == 19


def test_demo_data_covers_33_las_six_years_19_groups_and_is_reproducible():
    las = read_reference_csvs()["local_authority"].rename(columns={"ons_code": "la_code"})
    first, again = data.generate_demo(11, las), data.generate_demo(11, las)
    pd.testing.assert_frame_equal(first, again)
    assert first["la_code"].nunique() == 33 and first["academic_year"].nunique() >= 5
    assert len(first) == 33 * data.DEMO_YEARS * 19
    assert (first["pupils_suspended"] <= first["headcount"]).all()
    assert (first["permanent_exclusions"] <= first["pupils_suspended"]).all()
    assert (first["suspensions"] >= first["pupils_suspended"]).all()
    # The City of London is tiny, as it really is: most of its groups are below the suppression threshold.
    city = first[(first["la_code"] == "E09000001") & (first["academic_year"] == data.DEMO_LAST_YEAR)]
    assert (city["pupils_suspended"] < RATE_MINIMUM).sum() >= 15


def test_group_counts_keep_missing_as_missing():
    rows = pd.DataFrame({"la_code": ["A", "A"], "academic_year": ["2023/24"] * 2, "ethnicity": ["White British", "Irish"],
                         "ethnicity_major": ["White", "White"], "headcount": [100, 20], "pupils_suspended": [12, None]})
    counts = view.group_counts(rows, "pupils_suspended")
    assert len(counts) == 19
    indexed = counts.set_index("group")
    assert pd.isna(indexed.at["Irish", "count"]) and indexed.at["Irish", "population"] == 20
    assert pd.isna(indexed.at["Chinese", "population"])  # no row at all: missing, not 0


def test_display_table_shows_the_counts_it_is_given_and_no_rate_on_fewer_than_10():
    # The counts reach display_table already protected (view.shown_la_rows): it hides no count of its own; a rate or
    # RRI built on fewer than 10 pupils with the outcome is not shown (too few to be reliable).
    counts = pd.DataFrame({"group": view.GROUPS, "major": [data.MAJOR_OF[g] for g in view.GROUPS],
                           "population": [4000.0] + [300.0] * 18, "count": [100.0, 6.0] + [20.0] * 17})
    shown = view.display_table(view.rri_table(counts), "pupils suspended")
    irish = shown[shown["Ethnic group"] == "Irish"].iloc[0]
    assert irish["Pupils suspended"] == 6 and pd.isna(irish["RRI"]) and pd.isna(irish["Rate per 1,000"])
    assert irish["Note"] == "fewer than 10 pupils suspended: rate and RRI not shown"
    assert shown["Pupils suspended"].iloc[:19].notna().all()
    total = shown.iloc[-1]
    assert total["Ethnic group"] == "All pupils" and total["Pupils suspended"] == 100 + 6 + 17 * 20
    assert total[view.NOT_APPLICABLE].split(view.NA_SEPARATOR) == ["RRI", "95% CI low", "95% CI high"]


def test_an_la_that_made_no_return_shows_no_return_never_zero():
    ref = read_reference_csvs()
    las = ref["local_authority"].rename(columns={"ons_code": "la_code", "name": "la_name"}).merge(
        ref["subregion"].rename(columns={"code": "subregion_code", "name": "subregion_name", "sort_order": "subregion_order"}))
    rows = data.generate_demo(5, las)
    rows = rows[~((rows["la_code"] == "E09000008") & (rows["academic_year"] == data.DEMO_LAST_YEAR))]  # Croydon missed a year
    ctx = view.Context(las=las, la_rows=rows, england_rows=rows.iloc[:0], published_rows=pd.DataFrame(), states={})
    matrix = view.heat_matrix(data.DEMO_LAST_YEAR, "pupils_suspended", ctx).set_index("LA")
    assert matrix.at["Croydon", "Note"] == "no return"
    assert matrix.loc["Croydon", ["Black Caribbean", "Indian"]].isna().all()
    assert len(matrix) == 33 and matrix.at["Lambeth", "Note"] == ""
    counts = view.group_counts(view._area_rows("E09000008", data.DEMO_LAST_YEAR, ctx), "pupils_suspended")
    assert counts["population"].isna().all()  # nothing, not zeros
