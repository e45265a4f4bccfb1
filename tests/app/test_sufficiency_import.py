"""Loading an LA's SSDA903 return as the DfE's own tables (Header, Episodes, UASC and the others) through the one
write path: what is stored, and errors naming file, row, column and DfE rule."""
from datetime import date

import pytest
from sqlalchemy import create_engine, func, select

from dashboard.dashboards.sufficiency import returns as ds
from dashboard.ingest import loading
from dashboard.store import schema
from dashboard.store.datasets import bump_version, dataset_state
from dashboard.store.reference import load_reference_data
from dashboard.store.ssda903 import EPISODE_PLACE as STORED_PLACE
from dashboard.store.ssda903 import STORED

HEADER = """CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB
A100,M,15/06/2010,WBRI,,,
A200,F,03/02/2018,BAFR,,,
"""
EPISODES = """CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN
A100,01/05/2023,S,C1,N1,U4,PR1,01/02/2024,X1,,SW9 8QF,SE15 4RG,XXXXXXX
A100,01/02/2024,P,C2,N1,K2,PR4,,,CARPL,SW9 8QF,ME14 1XX,SC400007
A200,10/10/2024,S,V2,N4,U6,PR4,,,,sw98qf,SE22 8AA,SC400014
"""


@pytest.fixture()
def engine(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'import.sqlite3'}")
    schema.metadata.create_all(engine)
    load_reference_data(engine)
    # A stand-in for demo data (the full generator is slow): one synthetic child in another LA, flagged as demo.
    with engine.begin() as conn:
        conn.execute(ds.code.insert(), ds.code_rows())
        conn.execute(ds.child.insert(), [{"la_code": "E09000008", "child": "demo1", "sex": "1", "dob": date(2012, 1, 1),
                                          "ethnic": "WBRI", "uasc": False, "duc": None}])
        conn.execute(ds.episode.insert(), [{"la_code": "E09000008", "child": "demo1", "decom": date(2024, 1, 1), "rne": "S",
                                            "ls": "C1", "cin": "N1", "place": "U4", "place_provider": "PR1", "year": 2025}])
        bump_version(conn, ds.NAME, is_demo=True)
    return engine


def _load(engine, la_code, header, episodes, *others):
    """Check the files as `python -m dashboard ingest ssda903 FILES...` does, and commit them."""
    files = [("header file", header.encode()), ("episodes file", episodes.encode()), *((n, t.encode()) for n, t in others)]
    report = loading.validate_files(engine, ds.NAME, files, la_code, "2025-03-31", max_bytes=2**20)
    return report, loading.commit(engine, report, "cli")


def _count(engine, table, **where):
    stmt = select(func.count()).select_from(table)
    for column, value in where.items():
        stmt = stmt.where(table.c[column] == value)
    with engine.connect() as conn:
        return conn.execute(stmt).scalar_one()


def test_a_valid_return_replaces_the_demo_data_and_stores_nothing_identifying(engine):
    before = dataset_state(engine, ds.NAME)["version"]
    _report, result = _load(engine, "E09000022", HEADER, EPISODES)
    assert result.status == "committed"
    assert dataset_state(engine, ds.NAME)["version"] == before + 1 and dataset_state(engine, ds.NAME)["is_demo"] is False
    assert _count(engine, ds.child) == 2 and _count(engine, ds.episode) == 3   # demo rows of every LA are gone
    with engine.connect() as conn:
        children = conn.execute(select(ds.child)).mappings().all()
        episodes = conn.execute(select(ds.episode).order_by(ds.episode.c.decom)).mappings().all()
    assert {c["child"] for c in children}.isdisjoint({"A100", "A200"})          # hashed ids
    assert sorted(str(c["dob"]) for c in children) == ["2010-06-01", "2018-02-01"]   # month precision
    assert [e["pl_post"] for e in episodes] == ["SE15 4", "ME14 1", "SE22 8"]    # sectors only
    assert episodes[2]["home_post"] == "SW9 8"
    assert episodes[0]["urn"] is None and episodes[1]["urn"] == "SC400007"        # XXXXXXX: no URN
    assert [e["year"] for e in episodes] == [2024, 2025, 2025]
    with engine.connect() as conn:
        places = conn.execute(select(STORED_PLACE).order_by(STORED_PLACE.c.decom)).mappings().all()
    # From the full postcodes in the ONS Postcode Directory: SW9 8QF (Lambeth) to SE15 4RG (Southwark), 1.7 miles.
    assert [(p["home_la"], p["pl_la"]) for p in places][0] == ("E09000022", "E09000028")
    assert places[0]["pl_distance"] == 1.7 and places[2]["pl_distance"] is not None


def test_bad_rows_are_named_by_file_row_and_column_and_nothing_changes(engine):
    bad = EPISODES.replace("01/02/2024,P,C2", "31/02/2024,P,C2").replace("A200,10/10/2024,S,V2,N4,U6", "A300,10/10/2024,S,V9,N4,U6")
    bad += "A100,01/03/2025,P,C2,N1,U4,PR1,01/01/2025,X1,,,,\n"
    before = dataset_state(engine, ds.NAME)["version"]
    n_episodes = _count(engine, ds.episode)
    report, result = _load(engine, "E09000022", HEADER, bad)
    assert result.status == "rejected" and report.rows_read == 2 + 4 == report.rows_accepted + report.rows_rejected
    assert report.rows_rejected >= 3
    errors = [f"{e['row']}, column {e['column']}: {e['rule'].split(':')[0]}" for e in report.row_errors]
    assert "episodes file, row 3, column DECOM: DfE rule 141" in errors          # 31 February is not a date
    assert "episodes file, row 4, column CHILD: DfE rule INT03" in errors        # A300 has no header row
    assert "episodes file, row 4, column LS: DfE rule 144" in errors             # V9 is not a legal status
    assert "episodes file, row 5, column DEC: DfE rule 356" in errors            # ends before it starts
    assert dataset_state(engine, ds.NAME)["version"] == before and _count(engine, ds.episode) == n_episodes


def test_missing_columns_and_an_unknown_la_are_refused(engine):
    report, result = _load(engine, "E09000022", "CHILD,SEX,DOB,ETHNIC\nA1,1\n", EPISODES.replace(",URN", ""))
    assert result.status == "rejected" and "episodes file (the Episodes table) has no column URN" in report.summary()
    report, result = _load(engine, "E08000001", HEADER, EPISODES)
    assert result.status == "rejected" and "E08000001 is not the ONS code of a London LA" in report.summary()


def test_every_table_given_is_kept_and_uasc_children_are_marked(engine):
    uasc = "CHILD,SEX,DOB,DUC\nA200,2,03/02/2018,02/02/2036\n"
    oc3 = "CHILD,DOB,IN_TOUCH,ACTIV,ACCOM\nA100,15/06/2010,YES,F2,S\n"
    report, result = _load(engine, "E09000022", HEADER, EPISODES, ("uasc.csv", uasc), ("care leavers.csv", oc3))
    assert result.status == "committed", report.table()
    with engine.connect() as conn:
        flags = dict(conn.execute(select(ds.child.c.dob, ds.child.c.uasc)).all())
        kept = conn.execute(select(STORED["OC3"])).mappings().all()
    assert flags == {date(2010, 6, 1): False, date(2018, 2, 1): True}
    assert [(k["dob"], k["in_touch"], k["activ"]) for k in kept] == [(date(2010, 6, 1), "YES", "F2")]
    assert kept[0]["child"] != "A100"


def test_the_same_files_in_another_order_are_the_same_return(engine):
    _report, first = _load(engine, "E09000022", HEADER, EPISODES)
    files = [("e.csv", EPISODES.encode()), ("h.csv", HEADER.encode())]
    report = loading.validate_files(engine, ds.NAME, files, "E09000022", "2025-03-31", max_bytes=2**20)
    assert loading.commit(engine, report, "cli").status == "unchanged" and first.status == "committed"


def _sample_years(*years):
    from tests.shared_files import shared_file
    folder = shared_file("ssda903_samples/cs_demand_model")
    return [(p.name, p.read_bytes()) for year in years for p in sorted(folder.glob(f"{year}-*.csv"))]


def _refused_children(files, report) -> set[str]:
    """The CHILD of every row an error names ('2021/22 return: 2021-episodes.csv, row 5')."""
    import io
    import pandas as pd
    tables = {name: pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False) for name, data in files if data.strip()}
    children = set()
    for error in report.row_errors:
        file_name, row = error["row"].split(": ", 1)[1].rsplit(", row ", 1)
        children.add(tables[file_name].at[int(row) - 2, "CHILD"])
    return children


def test_one_years_files_for_another_period_are_refused_naming_the_year_to_choose(engine):
    """A data officer drops the 2021/22 tables with the page's default period (the latest year): not every row called
    wrong by the later year's codes, but the year to choose."""
    report = loading.validate_files(engine, ds.NAME, _sample_years(2021), "E09000022", "2026-03-31", max_bytes=2**22)
    assert report.file_errors == ["The files are the 2021/22 return (the year in their names, and their episodes): "
                                  "choose the collection year ending 31 March 2022 (2022-03-31), or take the year out "
                                  "of the names."]
    assert not report.row_errors


def test_two_years_are_checked_by_their_own_years_rules_and_stored_as_one_version(engine):
    """The sample LA's 2020/21 and 2021/22 returns in one upload: refused by each year's DfE faults, each named by
    year, file, row, column and rule, with nothing stored lost; with the faulty children taken out, both years go in
    together (as a zip) as one version, an episode in both years stored once."""
    import io
    import zipfile
    import pandas as pd
    assert _load(engine, "E09000022", HEADER, EPISODES)[1].status == "committed"   # the LA's earlier return
    kept = {table.name: _count(engine, table) for table in (ds.child, ds.episode, STORED_PLACE)}
    files = _sample_years(2020, 2021)

    wrong_period = loading.validate_files(engine, ds.NAME, files, "E09000022", "2021-03-31", max_bytes=2**22)
    assert wrong_period.file_errors == ["The files hold the years 2020/21, 2021/22: choose the latest, the collection "
                                        "year ending 31 March 2022 (2022-03-31)."]
    report = loading.validate_files(engine, ds.NAME, files, "E09000022", "2022-03-31", max_bytes=2**22)
    assert loading.commit(engine, report, "officer").status == "rejected"
    assert {table.name: _count(engine, table) for table in (ds.child, ds.episode, STORED_PLACE)} == kept
    by_year = pd.Series([(e["row"].split(",")[0], e["rule"].split(":")[0]) for e in report.row_errors]).value_counts()
    # Rule 148 (a REC with no DEC) on the episodes each year's own check finds (as in test_ssda903_rules' DFE_FINDS).
    assert by_year[("2020/21 return: 2020-episodes.csv", "DfE rule 148")] == 105
    assert by_year[("2021/22 return: 2021-episodes.csv", "DfE rule 148")] == 62
    assert all(e["column"] and e["row"].rsplit(", row ", 1)[1].isdigit() for e in report.row_errors)
    assert report.rows_read == report.rows_accepted + report.rows_rejected

    faulty = _refused_children(files, report)
    fixed = {name: pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False) for name, data in files if data.strip()}
    fixed = {name: frame[~frame["CHILD"].isin(faulty)] for name, frame in fixed.items()}
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        for name, frame in fixed.items():
            z.writestr(name, frame.to_csv(index=False))
    report = loading.validate_files(engine, ds.NAME, [("lambeth returns.zip", archive.getvalue())], "E09000022",
                                    "2022-03-31", max_bytes=2**22)
    assert report.ok, report.row_errors[:3] + report.file_errors
    result = loading.commit(engine, report, "officer")
    assert result.status == "committed" and result.version == 1   # the first for 2021/22
    header = pd.concat([fixed["2020-header.csv"], fixed["2021-header.csv"]])
    episodes = pd.concat([fixed["2020-episodes.csv"], fixed["2021-episodes.csv"]])
    assert _count(engine, ds.child) == header["CHILD"].nunique()
    assert _count(engine, ds.episode) == _count(engine, STORED_PLACE) == len(episodes.drop_duplicates(["CHILD", "DECOM"]))
    history = loading.upload_history(engine, ds.NAME, "E09000022")
    assert list(history["period"]) == ["2022-03-31", "2025-03-31"] and history["is_current"].tolist() == [True, False]


def test_an_episode_in_two_years_returns_is_stored_once_as_the_later_year_has_it(engine):
    header_2024 = HEADER.replace("A100,M,", "A100,1,").replace("A200,F,03/02/2018,BAFR,,,\n", "")   # 2023/24 codes sex 1/2
    episodes_2024 = EPISODES.split("A200,")[0]
    files = [("2023-24/header.csv", header_2024.encode()), ("2023-24/episodes.csv", episodes_2024.encode()),
             ("2024-25/header.csv", HEADER.encode()), ("2024-25/episodes.csv", EPISODES.encode())]
    report = loading.validate_files(engine, ds.NAME, files, "E09000022", "2025-03-31", max_bytes=2**20)
    assert report.ok and loading.commit(engine, report, "officer").status == "committed"
    assert _count(engine, ds.child) == 2 and _count(engine, ds.episode) == _count(engine, STORED_PLACE) == 3
    with engine.connect() as conn:
        years = conn.execute(select(ds.episode.c.decom, ds.episode.c.year).order_by(ds.episode.c.decom)).all()
    # A100's placement open at 31 March 2024 is the 2024/25 return's (still open there: year 2025).
    assert [(str(d), y) for d, y in years] == [("2023-05-01", 2024), ("2024-02-01", 2025), ("2024-10-10", 2025)]
