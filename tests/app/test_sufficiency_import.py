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
