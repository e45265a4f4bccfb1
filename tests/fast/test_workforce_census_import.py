"""The workforce census reader on small made-up files in DfE's layout, and the joint-return rule of pages of published
measures on a hand-worked table: figures kept as published, markers kept (never 0), a bad cell refused naming file,
row and column, the Kingston / Richmond joint return one area counted once."""
import numpy as np
import pandas as pd
import pytest

from dashboard.area_measures import metrics
from dashboard.area_measures.spec import Measure
from dashboard.dashboards.workforce_census.metrics import COLUMNS
from dashboard.dashboards.workforce_census.returns import read_indicators

HEAD = ["time_period", "time_identifier", "geographic_level", "country_code", "country_name", "region_code",
        "region_name", "old_la_code", "new_la_code", "la_name"]


def write(tmp_path, rows, name="csww_indicators_test.csv"):
    frame = pd.DataFrame([{**dict(zip(HEAD, r[:10])), **{c: r[10] for c in COLUMNS}} for r in rows])
    path = tmp_path / name
    frame.to_csv(path, index=False)
    return path


ROWS = [
    ["2024", "Reporting year", "National", "E92000001", "England", "", "", "", "", "", "17.9"],
    ["2024", "Reporting year", "Regional", "E92000001", "England", "E12000007", "London", "", "", "", "22"],
    ["2024", "Reporting year", "Regional", "E92000001", "England", "E12000001", "North East", "", "", "", "9"],
    ["2024", "Reporting year", "Local authority", "E92000001", "England", "E13000001", "Inner London", "208",
     "E09000022", "Lambeth", "x"],
    ["2024", "Reporting year", "Local authority", "E92000001", "England", "E13000002", "Outer London", "314 / 318",
     "E09000021 / E09000027", "Kingston upon Thames / Richmond upon Thames", "0"],
]


def test_rows_are_kept_as_published_markers_as_markers_and_the_joint_return_joint(tmp_path):
    rows = read_indicators(write(tmp_path, ROWS))
    agency = rows[rows["measure"] == "agency_rate_fte"].set_index("dfe_code")
    assert list(agency.index) == ["970", "986", "208", "314 / 318"]     # the North East is not a comparator here
    assert agency.loc["970", "value"] == 17.9 and agency.loc["986", "area_code"] == "E12000007"
    assert agency.loc["208", "value"] is None and agency.loc["208", "marker"] == "x"     # never 0
    assert agency.loc["314 / 318", "value"] == 0 and agency.loc["314 / 318", "marker"] is None   # a real 0 is 0
    assert agency.loc["314 / 318", "area_code"] == "E09000021 / E09000027"
    assert set(rows["measure"]) == set(COLUMNS)


@pytest.mark.parametrize("cell,row,column,message", [
    ("twelve", 3, "agency_rate_fte", "'twelve' is neither a number nor a published marker"),
    ("", 3, "caseload_fte", None),   # a blank is DfE's 'x' (not available), as every published reader reads it
])
def test_a_bad_cell_refuses_the_file_naming_file_row_and_column(tmp_path, cell, row, column, message):
    path = write(tmp_path, ROWS)
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame.loc[row - 2, column] = cell
    frame.to_csv(path, index=False)
    if message is None:
        rows = read_indicators(path)
        assert rows[(rows["measure"] == column) & (rows["dfe_code"] == "986")]["marker"].item() == "x"
        return
    with pytest.raises(ValueError) as error:
        read_indicators(path)
    assert str(error.value) == f"csww_indicators_test.csv, row {row}, column '{column}': {message} (c, k, x, z, low, -, u)"


def test_a_year_that_is_not_a_year_is_refused(tmp_path):
    rows = [list(r) for r in ROWS]
    rows[3][0] = "2024/25"
    with pytest.raises(ValueError, match=r"row 5, column 'time_period': '2024/25' is not a year"):
        read_indicators(write(tmp_path, rows))


# --- the joint return in the shared comparisons, worked by hand ----------------------------------------------------

LAS = pd.DataFrame({"la_code": ["E09000021", "E09000027", "E09000029", "E09000024"],
                    "la_name": ["Kingston upon Thames", "Richmond upon Thames", "Sutton", "Merton"],
                    "dfe_code": ["314", "318", "319", "315"], "subregion_code": ["SW"] * 4,
                    "subregion_name": ["South West"] * 4, "inner_outer": ["Outer London"] * 4})
RATE = Measure("rate", "Vacancy rate (%)", "%", "lower", 1, "")


def values(joint=10.0, sutton=20.0, merton=np.nan):
    rows = [("314 / 318", joint), ("319", sutton), ("315", merton), ("986", 15.0), ("970", 12.0), ("988", 14.0)]
    return pd.DataFrame({"measure": "rate", "period": "2024", "dfe_code": [d for d, _ in rows],
                         "area_name": [d for d, _ in rows], "value": [v for _, v in rows],
                         "marker": [None if pd.notna(v) else "x" for _, v in rows]})


def test_either_partner_as_focus_gets_the_joint_figure_and_the_sub_region_mean_counts_it_once():
    frame = values()
    for dfe in ("314", "318"):
        focus = metrics.focus_area(frame, dfe)
        assert focus == "314 / 318"
        series = metrics.comparison(frame, "rate", focus, LAS, [], "joint").set_index("series")
        assert series.loc["joint", "value"] == 10.0
        # (10 + 20) / 2: the joint figure once, Sutton once; Merton has none. LAs with a figure: both partners and Sutton.
        mean = series.loc["South West (sub-region mean)"]
        assert mean["value"] == 15.0 and (mean["with"], mean["of"]) == (3, 4)


def test_positions_show_the_joint_return_as_one_row():
    table = metrics.positions(values(), RATE, "2024", LAS)
    assert list(table["la_name"]) == ["Kingston upon Thames / Richmond upon Thames (joint return)", "Sutton", "Merton"]
    assert list(table["position"]) == ["1 of 2", "2 of 2", None] and table["marker"].iloc[2] == "x"
    assert table["la_code"].iloc[0] == "E09000021 / E09000027"


def test_an_la_that_also_publishes_on_its_own_keeps_its_own_figure():
    frame = pd.concat([values(), pd.DataFrame({"measure": ["rate"], "period": ["2024"], "dfe_code": ["314"],
                                               "area_name": ["K"], "value": [30.0], "marker": [None]})])
    assert metrics.focus_area(frame, "314") == "314"
    assert len(metrics.positions(frame, RATE, "2024", LAS)) == 4
