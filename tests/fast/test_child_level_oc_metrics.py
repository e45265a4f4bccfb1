"""The child-level care leavers' (OC3) and health (OC2) measures on small tables worked by hand, counted exactly (the
protected counting is the disclosure module's, attacked in tests/app/test_disclosure_child_level.py)."""
import pandas as pd
import pytest

from dashboard.area_measures.child_level import ExactCounter, ethnic_group
from dashboard.dashboards.care_leavers import metrics as leavers
from dashboard.dashboards.looked_after_health import metrics as health

EXACT = ExactCounter()


def oc3(rows) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["child", "dob", "in_touch", "activ", "accom", "sex", "year"])
    return frame.assign(dob=pd.to_datetime(frame["dob"]), la_code="E09000022")


# Collection year 2024/25 (year 2025). The age is the one turned on the birthday in the year:
#   A born June 2005: birthday June 2024 -> 19     B born Feb 2006: birthday Feb 2025 -> 19
#   C born April 2004 -> 20                        D born Dec 2003 -> 21
#   E born March 2003: birthday March 2025 -> 22 (out of any range)   F born May 2007 -> 17
#   G born Jan 2005 -> 20, but died: left out      H: a 2023/24 row, another year's cohort
LEAVERS = oc3([
    ("A", "2005-06-01", "YES", "F1", "U1", "Female", 2025),    # higher education (EET), suitable, in touch
    ("B", "2006-02-01", "NO", "G5", "S2", "Male", 2025),       # NEET, not suitable, not in touch
    ("C", "2004-04-01", "REFU", "0", "0", "Female", 2025),     # activity and accommodation not known, refused
    ("D", "2003-12-01", "YES", "F4", "Z1", "Male", 2025),      # training or employment (EET), former foster carers
    ("E", "2003-03-01", "YES", "F2", "U1", "Male", 2025),
    ("F", "2007-05-01", "YES", "F2", "D1", "Female", 2025),
    ("G", "2005-01-01", "DIED", "0", "0", "Male", 2025),
    ("H", "2005-06-01", "YES", "F1", "U1", "Male", 2024),
])


def test_the_cohort_is_the_years_care_leavers_of_the_ages_chosen_the_died_and_returned_home_apart():
    kept, left = leavers.cohort(LEAVERS, 2025, "19-21")
    assert sorted(kept["child"]) == ["A", "B", "C", "D"] and list(left["child"]) == ["G"]
    assert dict(zip(kept["child"], kept["age"])) == {"A": "19", "B": "19", "C": "20", "D": "21"}
    assert sorted(leavers.cohort(LEAVERS, 2025, "17-18")[0]["child"]) == ["F"]
    assert sorted(leavers.cohort(LEAVERS, 2025, "17-21")[0]["child"]) == ["A", "B", "C", "D", "F"]


def test_headline_shares_worked_by_hand():
    kept, _ = leavers.cohort(LEAVERS, 2025, "19-21")
    figures = leavers.headline(kept, EXACT)
    assert figures == {
        "Care leavers (number)": 4,
        "In education, employment or training (%)": 50.0,          # A (F1), D (F4)
        "In higher education (%)": 25.0,                           # A
        "Not in education, employment or training (%)": 25.0,      # B (G5)
        "Activity not known (%)": 25.0,                            # C (0)
        "In suitable accommodation (%)": 50.0,                     # A (U1), D (Z1)
        "In accommodation not suitable (%)": 25.0,                 # B (S2)
        "Accommodation not known (%)": 25.0,                       # C (0)
        "In touch with the LA (%)": 50.0, "Not in touch (%)": 25.0, "Refused contact (%)": 25.0,
        "No longer requires services (%)": 0.0,
    }
    # Aged 17 to 21 adds F (F2: other education): EET 3 of 5.
    assert leavers.headline(leavers.cohort(LEAVERS, 2025, "17-21")[0], EXACT)[
        "In education, employment or training (%)"] == 60.0


def test_by_sex_each_group_and_all():
    kept, _ = leavers.cohort(LEAVERS, 2025, "19-21")
    table = leavers.by_group(kept, "sex", ["Female", "Male"], EXACT).set_index("group")
    # Female: A (EET, suitable, in touch) and C (none of them); Male: B (none) and D (all three).
    assert table.loc["Female"].tolist() == [2, 50.0, 50.0, 50.0]
    assert table.loc["Male"].tolist() == [2, 50.0, 50.0, 50.0]
    assert table.loc["All"].tolist() == [4, 50.0, 50.0, 50.0]


def test_codes_read_as_the_dfe_defines_them():
    codes = pd.Series(["F1", "P3", "F5", "G6", "0", None])
    assert leavers.activity_group(codes).tolist() == ["Higher education", "Training or employment",
                                                      "Training or employment", "NEET: pregnancy or parenting",
                                                      "Not known", "Not known"]
    accom = pd.Series(["Z1", "W2", "0", "Q1", None])
    assert leavers.suitability(accom).tolist() == ["Suitable", "Not suitable", "Not known", "Not known", "Not known"]
    assert leavers.accommodation_type(accom).tolist() == ["With former foster carers", "Bed and breakfast",
                                                          "Not known", "Not known", "Not known"]
    assert ethnic_group(pd.Series(["WBRI", "BAFR", "CHNE", "OOTH", "REFU", "MWBC", "APKN"])).tolist() == [
        "White", "Black", "Other", "Other", "Not known", "Mixed", "Asian"]


def oc2(rows) -> pd.DataFrame:
    columns = ["child", "dob", "health_check", "teeth_check", "immunisations", "health_assessment", "sdq_score",
               "sdq_reason", "convicted", "substance_misuse", "intervention_received"]
    frame = pd.DataFrame(rows, columns=columns)
    return frame.assign(dob=pd.to_datetime(frame["dob"]), year=2025, la_code="E09000022")


# Age at 31 March 2025: a born May 2021 -> 3; b March 2015 -> 10; c Sept 2012 -> 12; d Jan 2010 -> 15;
# e June 2008 -> 16; f Feb 2008 -> 17.
HEALTH = oc2([
    ("a", "2021-05-01", "1", "1", "1", "1", None, "SDQ1", None, "0", None),
    ("b", "2015-03-01", "1", "0", "1", None, "18", None, "0", "0", None),    # SDQ: a cause for concern
    ("c", "2012-09-01", "0", "1", "1", None, "15", None, "1", "1", "1"),     # borderline; convicted; misuse, helped
    ("d", "2010-01-01", "1", "1", "0", None, None, "SDQ2", "0", "1", "0"),   # no score: carer refused; misuse
    ("e", "2008-06-01", "1", "1", "1", None, "10", None, "0", "0", None),    # normal
    ("f", "2008-02-01", "1", "0", "1", None, None, "SDQ1", "1", "0", None),  # 17: not in the SDQ's ages; convicted
])


def test_health_measures_worked_by_hand():
    figures = health.health_measures(health.prepare_oc2(HEALTH, 2025), EXACT)
    assert figures["Children looked after for 12 months or more (number)"] == 6
    assert figures["Health assessment up to date (%)"] == 83.3                    # 5 of 6 (not c)
    assert figures["Dental check in the year (%)"] == 66.7                        # 4 of 6 (not b, f)
    assert figures["Immunisations up to date (%)"] == 83.3                        # 5 of 6 (not d)
    assert figures["Development assessment up to date, children under 5 (%)"] == 100.0   # a, the only under-5
    assert figures["Identified as having a substance misuse problem (%)"] == 33.3  # c, d
    assert figures["Of those, received an intervention (%)"] == 50.0              # c of c, d
    assert figures["Convicted or given a youth caution, aged 10 or over (%)"] == 40.0   # c, f of b-f
    assert figures["Aged 5 to 16 (number)"] == 4                                  # b, c, d, e
    assert figures["With an SDQ score (%)"] == 75.0                               # b, c, e
    assert figures["Average SDQ score"] is None                                   # 3 scores: fewer than 10
    for band in ("a cause for concern, 17 or more", "borderline, 14 to 16", "normal, 0 to 13"):
        assert figures[f"SDQ score {band} (%)"] == 33.3                          # b; c; e: one of 3 each
    assert figures["No SDQ score (%)"] == 25.0                                    # d of 4
    assert figures["No SDQ score: Carer refused (%)"] == 25.0
    assert figures["No SDQ score: Aged under 4 or over 17 when it was due (%)"] == 0.0   # f's SDQ1 is out of the ages


def test_the_average_sdq_score_is_the_mean_of_the_childrens_scores_once_ten_have_one():
    rows = oc2([(str(i), "2014-06-01", "1", "1", "1", None, str(score), None, "0", "0", None)
                for i, score in enumerate([10, 12, 14, 16, 18, 20, 8, 6, 4, 22])])   # aged 10; sum 130
    assert health.health_measures(health.prepare_oc2(rows, 2025), EXACT)["Average SDQ score"] == 13.0
    assert health.health_measures(health.prepare_oc2(rows.iloc[:9], 2025), EXACT)["Average SDQ score"] is None


@pytest.mark.parametrize("score,band", [("0", "normal"), ("13", "normal"), ("14", "borderline"), ("16", "borderline"),
                                        ("17", "concern"), ("40", "concern"), ("41", "none"), ("x", "none")])
def test_sdq_bands_at_their_edges(score, band):
    rows = oc2([("z", "2014-06-01", "1", "1", "1", None, score, None, "0", "0", None)])
    assert health.prepare_oc2(rows, 2025)["band"].tolist() == [band]
