"""The DfE's SSDA903 rules on hand-made returns: each of the eight faults a data officer's return can hold is refused
with its DfE rule number, table, row, column and value; DfE-valid codes of each year are accepted; any generated
valid return is accepted, and rows read = accepted + rejected."""
from __future__ import annotations

import io

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from dashboard.ingest import samples
from dashboard.ingest.ssda903.checking import check_return
from dashboard.ingest.ssda903.codes import valid_codes
from dashboard.ingest.validation import Report

HEADER = """CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB
A1,M,15/06/2010,WBRI,A123456789012,,
A2,F,03/02/2018,BAFR,,,
"""
EPISODES = """CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN
A1,01/05/2023,S,C1,N1,U4,PR1,01/02/2024,X1,,SW9 8QF,SE15 4RG,XXXXXXX
A1,01/02/2024,P,C1,N1,K2,PR4,,,CHILD,SW9 8QF,ME14 1XX,SC400007
A2,10/10/2024,S,V2,N4,U6,PR4,,,,SW9 8QF,SE22 8AA,SC400014
"""
UASC = "CHILD,SEX,DOB,DUC\n"


def run(header=HEADER, episodes=EPISODES, uasc=UASC, period="2025-03-31") -> Report:
    report = Report("sufficiency", "", "", "E09000022", period)
    check_return([("header.csv", header.encode()), ("episodes.csv", episodes.encode()), ("uasc.csv", uasc.encode())],
                 period, report)
    return report


def found(report: Report) -> set[tuple[str, str, str, str]]:
    return {(e["row"], e["column"], e["value"], e["rule"].split(":")[0]) for e in report.row_errors}


def test_a_clean_return_is_accepted_with_the_dfes_own_columns():
    report = run()
    assert report.ok and report.rows_read == 2 + 3 + 0 and report.rows_accepted == 5, report.table()


@pytest.mark.parametrize("fault, header, episodes, expected", [
    ("DEC before DECOM", HEADER, EPISODES.replace("01/05/2023,S,C1,N1,U4,PR1,01/02/2024", "01/05/2023,S,C1,N1,U4,PR1,01/04/2023"),
     ("episodes.csv, row 2", "DEC", "01/04/2023", "DfE rule 356")),
    ("overlapping episodes", HEADER, EPISODES.replace("A1,01/02/2024,P", "A1,01/01/2024,P"),
     ("episodes.csv, row 3", "DECOM", "01/01/2024", "DfE rule 501")),
    ("invalid PLACE", HEADER, EPISODES.replace(",U6,PR4", ",U9,PR4"), ("episodes.csv, row 4", "PLACE", "U9", "DfE rule 146")),
    ("RNE L with LS unchanged", HEADER, EPISODES.replace("A1,01/02/2024,P,C1,N1,K2,PR4", "A1,01/02/2024,L,C1,N1,U4,PR1")
     .replace("ME14 1XX,SC400007", "SE15 4RG,XXXXXXX"), ("episodes.csv, row 3", "RNE", "L", "DfE rule 434")),
    ("DOB after DECOM", HEADER.replace("03/02/2018", "03/02/2025"), EPISODES,
     ("header.csv, row 3", "DOB", "03/02/2025", "DfE rule 302")),
    ("duplicate episode start", HEADER, EPISODES + "A2,10/10/2024,S,V2,N4,U6,PR4,,,,SW9 8QF,SE22 8AA,SC400014\n",
     ("episodes.csv, row 5", "DECOM", "10/10/2024", "DfE rule 501")),
    ("missing HOME_POST", HEADER, EPISODES.replace("A2,10/10/2024,S,V2,N4,U6,PR4,,,,SW9 8QF", "A2,10/10/2024,S,V2,N4,U6,PR4,,,,"),
     ("episodes.csv, row 4", "HOME_POST", "", "DfE rule 392b")),
    ("invalid UASC flag", HEADER.replace("MC_DOB\n", "MC_DOB,UASC\n").replace("WBRI,A123456789012,,", "WBRI,A123456789012,,,Y")
     .replace("BAFR,,,", "BAFR,,,,0"), EPISODES, ("header.csv, row 2", "UASC", "Y", "DfE rule 105")),
])
def test_each_fault_is_refused_with_its_dfe_rule_naming_file_row_column_and_value(fault, header, episodes, expected):
    report = run(header, episodes)
    assert not report.ok, fault
    assert expected in found(report), (fault, sorted(found(report)))
    assert report.rows_read == report.rows_accepted + report.rows_rejected


def test_a_uasc_child_needs_no_postcodes_and_rule_148_pairs_dec_with_rec():
    no_post = EPISODES.replace("A2,10/10/2024,S,V2,N4,U6,PR4,,,,SW9 8QF,SE22 8AA", "A2,10/10/2024,S,V2,N4,U6,PR4,,,,,")
    assert run(episodes=no_post, uasc=UASC + "A2,F,03/02/2018,\n").ok
    no_rec = EPISODES.replace("01/02/2024,X1,", "01/02/2024,,")
    assert ("episodes.csv, row 2", "REC", "", "DfE rule 148") in found(run(episodes=no_rec))


@pytest.mark.parametrize("period, code, ok", [
    ("2025-03-31", "CHILD", True), ("2025-03-31", "CHRES", False),               # the DfE's code, not an invented one
])
def test_reason_for_placement_change_is_the_dfes_list(period, code, ok):
    assert run(episodes=EPISODES.replace(",CHILD,", f",{code},"), period=period).ok is ok


@pytest.mark.parametrize("rec", ["E5", "E6", "E7", "E9", "E14", "E16", "E47", "E48"])
def test_every_dfe_reason_episode_ceased_is_accepted(rec):
    report = run(episodes=EPISODES.replace("A2,10/10/2024,S,V2,N4,U6,PR4,,,", f"A2,10/10/2024,S,V2,N4,U6,PR4,01/03/2025,{rec},"))
    assert report.ok, report.table()


def test_sex_is_coded_by_collection_year():
    old = HEADER.replace("A1,M,", "A1,1,").replace("A2,F,", "A2,2,")
    in_2023_24 = EPISODES.rsplit("A2,", 1)[0]          # A2's episode starts after 2023/24 ended
    assert run(header=old, episodes=in_2023_24, period="2024-03-31").ok and not run(header=old, period="2025-03-31").ok
    assert run(period="2025-03-31").ok and not run(episodes=in_2023_24, period="2024-03-31").ok   # M/F from 2024/25 on
    assert "K3" in valid_codes("PLACE", 2025) and "H5" not in valid_codes("PLACE", 2026)
    assert "Z11" in valid_codes("PLACE", 2027) and "Z11" not in valid_codes("PLACE", 2025)


def test_tables_are_recognised_by_their_columns_and_a_table_given_twice_is_refused():
    report = Report("sufficiency", "", "", "E09000022", "2025-03-31")
    check_return([("anything.csv", EPISODES.encode()), ("x.csv", HEADER.encode()), ("empty.csv", b"")], "2025-03-31", report)
    assert report.ok and any("empty.csv is empty" in w["query"] for w in report.warnings)
    report = Report("sufficiency", "", "", "E09000022", "2025-03-31")
    check_return([("a.csv", HEADER.encode()), ("b.csv", HEADER.encode())], "2025-03-31", report)
    assert report.file_errors == ["b.csv and a.csv are both the Header table: give each table once."]


def _as_tables(frame: pd.DataFrame) -> list[tuple[str, bytes]]:
    header = frame.drop_duplicates("CHILD")[["CHILD", "SEX", "DOB", "ETHNIC"]]
    episodes = frame[["CHILD", "DECOM", "RNE", "LS", "CIN", "PLACE", "PLACE_PROVIDER", "DEC", "REC", "REASON_PLACE_CHANGE",
                      "HOME_POST", "PL_POST", "URN"]]
    uasc = frame.loc[frame["UASC"] == "1"].drop_duplicates("CHILD")[["CHILD", "SEX", "DOB", "DUC"]]
    return [(name, t.to_csv(index=False).encode()) for name, t in (("h", header), ("e", episodes), ("u", uasc))]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(children=st.integers(1, 80), seed=st.integers(0, 10_000), year=st.sampled_from([2022, 2024, 2025, 2026, 2027]))
def test_every_generated_valid_return_is_accepted(children, seed, year):
    period = f"{year}-03-31"
    frame = samples.ssda903_episodes(children, seed, period)
    report = Report("sufficiency", "", "", "E09000022", period)
    check_return(_as_tables(frame), period, report)
    assert report.ok, report.table().head()
    assert report.rows_read == report.rows_accepted + report.rows_rejected == len(frame) + frame["CHILD"].nunique() \
        + frame.loc[frame["UASC"] == "1", "CHILD"].nunique()


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), row=st.integers(0, 10_000), column=st.sampled_from(["DECOM", "LS", "PLACE", "REC"]),
       value=st.sampled_from(["", "31/02/2024", "??", "X1"]))
def test_any_damaged_return_still_counts_every_row(seed, row, column, value):
    frame = samples.ssda903_episodes(20, seed, "2025-03-31")
    frame.iloc[row % len(frame), frame.columns.get_loc(column)] = value
    report = Report("sufficiency", "", "", "E09000022", "2025-03-31")
    check_return(_as_tables(frame), "2025-03-31", report)
    assert report.rows_read == report.rows_accepted + report.rows_rejected
    assert report.ok or report.row_errors


def test_the_sample_las_five_years_are_read_as_is_and_refused_for_the_dfes_faults():
    """../shared/ssda903_samples: 2021/22 has 62 episodes with a REC but no DEC (DfE rule 148); once those rows are
    fixed (the episode left open, as its missing DEC says), rule 148 finds nothing."""
    from tests.shared_files import shared_file
    folder = shared_file("ssda903_samples/cs_demand_model")
    files = [(p.name, p.read_bytes()) for p in sorted(folder.glob("2021-*.csv"))]
    report = Report("sufficiency", "", "", "E09000022", "2022-03-31")
    check_return(files, "2022-03-31", report)
    rules = pd.Series([e["rule"].split(":")[0] for e in report.row_errors]).value_counts()
    assert rules["DfE rule 148"] == 62 and not report.file_errors and report.rows_read == 1863
    episodes = pd.read_csv(io.BytesIO(dict(files)["2021-episodes.csv"]), dtype=str, keep_default_na=False)
    episodes.loc[(episodes["DEC"] == "") & (episodes["REC"] != ""), "REC"] = ""
    fixed = [(n, episodes.to_csv(index=False).encode() if n == "2021-episodes.csv" else d) for n, d in files]
    report = Report("sufficiency", "", "", "E09000022", "2022-03-31")
    check_return(fixed, "2022-03-31", report)
    assert not any(e["rule"].startswith("DfE rule 148") for e in report.row_errors)
    # The other faults (rules 222, 378, 388, 433, 434, 501, 516) fixed as the DfE would have the LA fix them, by
    # taking the children whose records they find out of the set: what remains goes in, every row accepted.
    faulty = set()
    for e in report.row_errors:
        name, row = e["row"].split(", row ")
        table = pd.read_csv(io.BytesIO(dict(fixed)[name]), dtype=str, keep_default_na=False) if name != "2021-episodes.csv" \
            else episodes
        faulty.add(table.iloc[int(row) - 2]["CHILD"])
    cleaned = []
    for name, data in fixed:
        if not data.strip():
            continue   # an empty table (the sample's AD1 and placed-for-adoption files)
        table = pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False)
        cleaned.append((name, table[~table["CHILD"].isin(faulty)].to_csv(index=False).encode()))
    report = Report("sufficiency", "", "", "E09000022", "2022-03-31")
    assert check_return(cleaned, "2022-03-31", report) is not None and report.ok, report.table().head()
    assert report.rows_read == report.rows_accepted > 1863 * 3 // 4   # most of the year: 1,425 of its 1,863 rows


def test_an_episode_ending_after_the_collection_year_is_refused_by_rule_385():
    report = run(episodes=EPISODES.replace("A2,10/10/2024,S,V2,N4,U6,PR4,,,", "A2,10/10/2024,S,V2,N4,U6,PR4,01/04/2025,E13,"))
    assert ("episodes.csv, row 4", "DEC", "01/04/2025", "DfE rule 385") in found(report)


def test_a_urn_for_a_placement_with_parents_and_a_school_placement_under_four_are_refused():
    """Rule 222: no URN for P1 (placed with parents, under a care order: P1 under V2 is rule 378's); rule 373: S1
    (residential school) only from age 4."""
    with_urn = EPISODES.replace("A2,10/10/2024,S,V2,N4,U6,PR4,,,,SW9 8QF,SE22 8AA,SC400014",
                                "A2,10/10/2024,S,C2,N4,P1,PR0,,,,SW9 8QF,SE22 8AA,SC400014")
    assert ("episodes.csv, row 4", "URN", "SC400014", "DfE rule 222") in found(run(episodes=with_urn))
    assert run(episodes=with_urn.replace("SE22 8AA,SC400014", "SE22 8AA,XXXXXXX")).ok    # XXXXXXX: no URN
    school = EPISODES.replace("A2,10/10/2024,S,V2,N4,U6,PR4,,,,SW9 8QF,SE22 8AA,SC400014",
                              "A2,10/10/2024,S,V2,N4,S1,PR4,01/03/2025,E13,,SW9 8QF,SE22 8AA,SC400014")
    assert run(episodes=school).ok                                                         # A2 is 6: allowed
    toddler = HEADER.replace("03/02/2018", "03/02/2022")
    assert ("episodes.csv, row 4", "PLACE", "S1", "DfE rule 373") in found(run(header=toddler, episodes=school))


A2_EPISODE = "A2,10/10/2024,S,V2,N4,U6,PR4,,,,SW9 8QF,SE22 8AA,SC400014"


def _a2(episode: str, period: str = "2025-03-31") -> Report:
    return run(episodes=EPISODES.replace(A2_EPISODE, episode), period=period)


@pytest.mark.parametrize("episode, column, value, rule", [
    ("A2,10/10/2024,S,V2,N4,P1,PR0,,,,SW9 8QF,SE22 8AA,", "PLACE", "P1", "378"),            # with parents under s20
    ("A2,10/10/2024,S,C2,N4,T1,PR4,,,,SW9 8QF,SE22 8AA,", "PLACE_PROVIDER", "PR4", "213"),  # hospital stay: no provider
    ("A2,10/10/2024,S,C2,N4,K2,,,,,SW9 8QF,SE22 8AA,SC400014", "PLACE_PROVIDER", "", "526"),
    ("A2,10/10/2024,S,C2,N4,P1,PR1,,,,SW9 8QF,SE22 8AA,", "PLACE_PROVIDER", "PR1", "527"),
    ("A2,10/10/2024,S,C2,N4,R2,PR2,,,,SW9 8QF,SE22 8AA,", "PLACE_PROVIDER", "PR2", "528"),
    ("A2,10/10/2024,S,C2,N4,U6,PR3,,,,SW9 8QF,SE22 8AA,SC400014", "PLACE_PROVIDER", "PR3", "529"),
    ("A2,10/10/2024,S,C2,N4,P1,PR4,,,,SW9 8QF,SE22 8AA,", "PLACE_PROVIDER", "PR4", "530"),
    ("A2,10/10/2024,S,C2,N4,P1,PR5,,,,SW9 8QF,SE22 8AA,", "PLACE_PROVIDER", "PR5", "531"),
    ("A2,10/10/2024,S,C2,N4,U6,PR0,,,,SW9 8QF,SE22 8AA,SC400014", "PLACE_PROVIDER", "PR0", "550"),
    ("A2,10/10/2024,S,C2,N4,K2,PR4,01/03/2025,E45,,SW9 8QF,SE22 8AA,SC400014", "REC", "E45", "516"),
    ("A2,10/10/2024,S,C2,N4,K2,PR4,,,,SW9 8QF,SE22 8AA,", "URN", "", "218"),               # a children's home in England
])
def test_placement_provider_legal_status_and_urn_combinations_are_refused_by_their_dfe_rule(episode, column, value, rule):
    report = _a2(episode)
    assert ("episodes.csv, row 4", column, value, f"DfE rule {rule}") in found(report), sorted(found(report))
    assert not report.ok and report.rows_read == report.rows_accepted + report.rows_rejected


def test_the_same_placements_with_their_right_provider_and_urn_are_accepted():
    for episode in ("A2,10/10/2024,S,C2,N4,P1,PR0,,,,SW9 8QF,SE22 8AA,", "A2,10/10/2024,S,C2,N4,T1,,,,,SW9 8QF,SE22 8AA,",
                    "A2,10/10/2024,S,C2,N4,R2,PR3,,,,SW9 8QF,SE22 8AA,",
                    "A2,10/10/2024,S,C2,N4,U6,PR4,01/03/2025,E45,,SW9 8QF,SE22 8AA,SC400014",
                    "A2,10/10/2024,S,C2,N4,K2,PR4,,,,SW9 8QF,SE22 8AA,SC400014",
                    "A2,10/10/2024,S,C2,N4,K2,PR4,,,,SW9 8QF,EH1 1YZ,"):             # in Scotland: no Ofsted URN
        assert _a2(episode).ok, (episode, _a2(episode).table())


def test_other_placements_need_a_provider_until_2025_and_none_after():
    """Z1 (other placement) may have a provider up to 2024/25 (rule 526 does not ask for one, 213 allows it);
    2025/26 replaces it with Z11-Z14, which must have none (rule 213)."""
    assert _a2("A2,10/10/2024,S,C2,N4,Z1,PR4,,,,SW9 8QF,SE22 8AA,", "2025-03-31").ok
    assert _a2("A2,10/10/2024,S,C2,N4,Z1,,,,,SW9 8QF,SE22 8AA,", "2025-03-31").ok
    later = _a2("A2,10/10/2025,S,C2,N4,Z11,PR4,,,,SW9 8QF,SE22 8AA,", "2026-03-31")
    assert ("episodes.csv, row 4", "PLACE_PROVIDER", "PR4", "DfE rule 213") in found(later)
    assert _a2("A2,10/10/2025,S,C2,N4,Z11,,,,,SW9 8QF,SE22 8AA,", "2026-03-31").ok


def queries(report: Report) -> set[tuple[str, str, str, str]]:
    return {(w["row"], w["column"], w["value"], w["query"].split(":")[0]) for w in report.warnings if w["row"]}


def test_postcodes_the_directory_does_not_know_and_own_provision_out_of_area_are_queries_not_errors():
    """392c (postcode not in the ONS Postcode Directory), 392a (so no distance) and 1015 (own provision, PR1, placed
    outside the LA: Lambeth's children's home in Kent) are shown and do not block."""
    unknown = _a2("A2,10/10/2024,S,C2,N4,U6,PR4,,,,SW9 8QF,ZZ9 9ZZ,SC400014")
    assert unknown.ok
    assert {("episodes.csv, row 4", "PL_POST", "ZZ9 9ZZ", "DfE rule 392c"),
            ("episodes.csv, row 4", "PL_POST", "ZZ9 9ZZ", "DfE rule 392a")} <= queries(unknown)
    in_kent = _a2("A2,10/10/2024,S,C2,N4,K2,PR1,,,,SW9 8QF,ME14 1XQ,SC400014")
    assert in_kent.ok and ("episodes.csv, row 4", "PL_POST", "ME14 1XQ", "DfE rule 1015") in queries(in_kent)
    at_home = _a2("A2,10/10/2024,S,C2,N4,K2,PR1,,,,SW9 8QF,SW9 8QF,SC400014")      # inside Lambeth
    assert not any(q[3] == "DfE rule 1015" for q in queries(at_home))


# Rows each DfE rule finds in the sample LA's five years, as csc-validator-be-903 0.1.17 (the DfE's 903 rules as
# Data to Insight encode them; lac2023_24 rule set, collection year of each file, LA E09000030) finds them with each
# rule run on its own (run in a throwaway venv: it pins pandas < 2; its full run lets one rule's changes to the data
# leak into the next, e.g. 45 rows for 388 in 2021/22 instead of 2). Every rule here that it has and that is not
# listed found nothing in that year; the rows themselves were compared one by one when these were taken.
DFE_FINDS = {
    2017: {"142": 6, "148": 434, "385": 2, "388": 13, "433": 15, "434": 20, "501": 17, "222": 154, "378": 2, "516": 16,
           "392a": 1186, "392c": 1459, "1015": 53},
    2018: {"142": 1, "148": 235, "388": 3, "433": 5, "434": 17, "501": 5, "222": 127, "378": 9, "516": 12, "392a": 793,
           "392c": 974, "1015": 43},
    2019: {"148": 160, "385": 1, "388": 3, "433": 3, "434": 5, "501": 4, "222": 72, "378": 8, "516": 6, "392a": 520,
           "392c": 646, "1015": 24},
    2020: {"142": 2, "148": 105, "388": 2, "433": 2, "434": 4, "501": 3, "222": 48, "378": 4, "516": 5, "392a": 320,
           "392c": 400, "1015": 20},
    2021: {"148": 62, "388": 2, "433": 4, "434": 4, "501": 3, "222": 39, "378": 2, "516": 3, "392a": 207, "392c": 252,
           "1015": 10},
}


@pytest.mark.parametrize("year", sorted(DFE_FINDS))
def test_the_sample_las_years_get_the_findings_the_dfes_rules_make(year):
    """Read as is (the app's own reader and every rule it holds): the rows each rule finds are the ones the DfE's
    rules find, by rule number; errors refuse the year, queries (392a, 392c, 1015) are shown."""
    from dashboard.ingest.ssda903.reading import read_tables
    from dashboard.ingest.ssda903.rules import RULES, Return, check
    from tests.shared_files import shared_file
    folder = shared_file("ssda903_samples/cs_demand_model")
    tables = read_tables([(p.name, p.read_bytes()) for p in sorted(folder.glob(f"{year}-*.csv"))]).tables
    rows: dict[str, set] = {}
    for finding in check(Return(tables, year + 1, "E09000030")):
        rows.setdefault(finding.rule, set()).add((finding.table, finding.row))
    assert {rule: len(found) for rule, found in rows.items()} == DFE_FINDS[year]
    assert {RULES[r].level for r in ("392a", "392c", "1015")} == {"query"} and RULES["148"].level == "error"


XML = """<?xml version="1.0" encoding="UTF-8"?>
<Message><Header><CollectionDetails><Collection>SSDA903</Collection><Year>2025</Year></CollectionDetails></Header>
<Children>
 <CHILD><CHILDID>A1</CHILDID><SEX>M</SEX><DOB>2010-06-15</DOB><ETHNIC>WBRI</ETHNIC><UPN>A123456789012</UPN><UASC>0</UASC>
  <EPISODE><DECOM>2023-05-01</DECOM><RNE>S</RNE><LS>C1</LS><CIN>N1</CIN><PL>U4</PL><PLACE_PROVIDER>PR1</PLACE_PROVIDER>
   <DEC>2024-02-01</DEC><REC>X1</REC><HOME_POST>SW9 8QF</HOME_POST><PL_POST>SE15 4RG</PL_POST><URN>XXXXXXX</URN></EPISODE>
  <EPISODE><DECOM>2024-02-01</DECOM><RNE>P</RNE><LS>C1</LS><CIN>N1</CIN><PL>K2</PL><PLACE_PROVIDER>PR4</PLACE_PROVIDER>
   <REASON_PLACE_CHANGE>CHILD</REASON_PLACE_CHANGE><HOME_POST>SW9 8QF</HOME_POST><PL_POST>ME14 1XQ</PL_POST>
   <URN>SC400007</URN></EPISODE>
  <HEADER><AREVIEW><REVIEW>2024-06-01</REVIEW><REVIEW_CODE>PN1</REVIEW_CODE></AREVIEW></HEADER>
 </CHILD>
 <CHILD><CHILDID>A2</CHILDID><SEX>F</SEX><DOB>2018-02-03</DOB><ETHNIC>BAFR</ETHNIC><UASC>1</UASC><DUC></DUC>
  <EPISODE><DECOM>2024-10-10</DECOM><RNE>S</RNE><LS>V2</LS><CIN>N4</CIN><PL>U6</PL><PLACE_PROVIDER>PR4</PLACE_PROVIDER>
   <HOME_POST>SW9 8QF</HOME_POST><PL_POST>SE22 8AA</PL_POST><URN>SC400014</URN></EPISODE>
 </CHILD>
</Children></Message>
"""


def test_the_dfes_xml_is_read_into_the_same_tables_and_checked_by_the_same_rules():
    report = Report("sufficiency", "", "", "E09000022", "2025-03-31")
    checked = check_return([("return.xml", XML.encode())], "2025-03-31", report)
    assert report.ok, report.table()
    assert report.rows_read == 2 + 3 + 1 + 1                  # Header, Episodes, UASC (A2), Reviews
    assert checked.table("Episodes")["PLACE"].tolist() == ["U4", "K2", "U6"]
    assert checked.uasc_children() == {"A2"}
    broken = XML.replace("<DEC>2024-02-01</DEC>", "<DEC>2023-04-01</DEC>")
    report = Report("sufficiency", "", "", "E09000022", "2025-03-31")
    check_return([("return.xml", broken.encode())], "2025-03-31", report)
    assert ("return.xml, Episodes record 1", "DEC", "2023-04-01", "DfE rule 356") in found(report)


def test_an_xml_file_declaring_entities_is_not_read():
    report = Report("sufficiency", "", "", "E09000022", "2025-03-31")
    bomb = '<?xml version="1.0"?><!DOCTYPE m [<!ENTITY a "aaaa">]><m><CHILD><CHILDID>&a;</CHILDID></CHILD></m>'
    check_return([("bomb.xml", bomb.encode())], "2025-03-31", report)
    assert report.file_errors == ["bomb.xml declares a DTD or entities, which an SSDA903 XML file never does: it was not read."]


SW_EPISODES = """CHILD,DOB,SW_ID,SW_DECOM,SW_DEC,SW_REASON
A1,15/06/2010,SW1234,01/05/2023,01/09/2024,LEFTRL
A1,15/06/2010,SW5678,01/09/2024,,
A2,03/02/2018,XX0001,10/10/2024,,MANAGE
"""


def test_social_worker_episodes_are_read_checked_by_the_dfes_sw_rules_and_counted():
    def with_sw(sw):
        report = Report("sufficiency", "", "", "E09000022", "2025-03-31")
        checked = check_return([("header.csv", HEADER.encode()), ("episodes.csv", EPISODES.encode()),
                                ("social_workers.csv", sw.encode())], "2025-03-31", report)
        return report, checked
    # An open episode's reason is the reason it began: a blank one since April 2023 is refused (SW13).
    report, _ = with_sw(SW_EPISODES)
    assert ("social_workers.csv, row 3", "SW_REASON", "", "DfE rule SW13") in found(report)
    report, checked = with_sw(SW_EPISODES.replace("01/09/2024,,\n", "01/09/2024,,CHCHAN\n"))
    assert report.ok and report.rows_read == 2 + 3 + 3, report.table()
    assert checked.table("SWEpisodes")["SW_ID"].tolist() == ["SW1234", "SW5678", "XX0001"]
    for fault, expected in (
            (("XX0001", "AB0001"), ("social_workers.csv, row 4", "SW_ID", "AB0001", "DfE rule SW02")),
            (("10/10/2024", "31/02/2024"), ("social_workers.csv, row 4", "SW_DECOM", "31/02/2024", "DfE rule SW04")),
            (("01/09/2024,LEFTRL", "1 Sept 2024,LEFTRL"), ("social_workers.csv, row 2", "SW_DEC", "1 Sept 2024", "DfE rule SW05")),
            (("MANAGE", "BOSS"), ("social_workers.csv, row 4", "SW_REASON", "BOSS", "DfE rule SW13"))):
        report, _ = with_sw(SW_EPISODES.replace("01/09/2024,,\n", "01/09/2024,,CHCHAN\n").replace(*fault))
        assert expected in found(report), (fault, sorted(found(report)))
        assert report.rows_read == report.rows_accepted + report.rows_rejected
    # Two social workers at once for weeks is a query (SW10), shown and not blocking.
    report, _ = with_sw(SW_EPISODES.replace("01/09/2024,,\n", "01/09/2024,,CHCHAN\n").replace(
        "SW5678,01/09/2024", "SW5678,01/06/2024"))
    assert report.ok and any(w["query"].startswith("DfE rule SW10") for w in report.warnings)


def test_the_dfes_xml_social_worker_episodes_are_read_as_the_swepisodes_table():
    sw = ("<SW_EPISODE><SW_ID>SW1234</SW_ID><SW_DECOM>2023-05-01</SW_DECOM><SW_DEC></SW_DEC>"
          "<SW_REASON>FCONTA</SW_REASON></SW_EPISODE>")
    xml = XML.replace("<HEADER><AREVIEW>", sw + "<HEADER><AREVIEW>")
    report = Report("sufficiency", "", "", "E09000022", "2025-03-31")
    checked = check_return([("return.xml", xml.encode())], "2025-03-31", report)
    assert report.ok, report.table()
    sw_table = checked.table("SWEpisodes")
    assert sw_table[["CHILD", "DOB", "SW_ID", "SW_DECOM", "SW_REASON"]].values.tolist() == [
        ["A1", "2010-06-15", "SW1234", "2023-05-01", "FCONTA"]]
    assert checked.table("Header")["CHILD"].tolist() == ["A1", "A2"]   # the social worker is no header field
    report = Report("sufficiency", "", "", "E09000022", "2025-03-31")
    check_return([("return.xml", xml.replace("FCONTA", "NOPE").encode())], "2025-03-31", report)
    assert ("return.xml, SWEpisodes record 1", "SW_REASON", "NOPE", "DfE rule SW13") in found(report)
