"""The child-level sections of Care leavers (SSDA903 OC3) and Health of looked-after children (OC2) through the Flask
test client: drawn for a commissioner, absent for a member (and a member's crafted call gets nothing), the
commissioner's own LA counted exactly (checked against the rows stored), its sub-region and London protected and no
other LA shown alone, an LA that has not uploaded the table said so (never 0), and the stored year kept by the real
SSDA903 upload path."""
import io

import pandas as pd
import pytest
from sqlalchemy import select

from dashboard.area_measures import child_level
from dashboard.dashboards.care_leavers import data as leavers_data
from dashboard.loader import AccessScope
from dashboard.store import get_engine, schema
from dashboard.store.ssda903 import STORED
from tests.child_level_rows import YEAR, remove_rows, stored_rows
from tests.dash_requests import callback_request, components, page_layout, response_props, texts
from tests.store_fixtures import ADMIN_EMAIL, ensure_user, sign_in

COMMISSIONER = "commissioner@lambeth.example"
LAMBETH = "E09000022"


def cl_outputs(p: str, grids) -> list[tuple[str, str]]:
    return [(f"{p}-cl-status", "children"), (f"{p}-cl-chart-title", "children"), (f"{p}-cl-chart-takeaway", "children"),
            (f"{p}-cl-chart", "figure"), *[(f"{p}-cl-{g}", q) for g in grids for q in ("rowData", "columnDefs")]]


LEAVERS = ("leavers", ("headline", "groups", "codes"))
HEALTH = ("lachealth", ("measures",))


def draw(client, page, year=str(YEAR), ages="19-21", breakdown="age", status=200):
    p, grids = page
    inputs = [(f"{p}-cl-year", "value", year)]
    if p == "leavers":
        inputs += [(f"{p}-cl-ages", "value", ages), (f"{p}-cl-breakdown", "value", breakdown)]
    response = callback_request(client, cl_outputs(p, grids), inputs)
    assert response.status_code == status, response.get_data(as_text=True)[:800]
    return response_props(response) if status == 200 else None


@pytest.fixture(scope="module")
def oc_rows(dash_app):
    made = stored_rows(get_engine())
    yield made
    remove_rows(get_engine())


@pytest.fixture()
def commissioner_client(client, oc_rows):
    ensure_user(COMMISSIONER, LAMBETH, "commissioner", "Commissioner")
    assert sign_in(client, COMMISSIONER).status_code == 302
    return client


def grid(props, p, name):
    return pd.DataFrame(props[f"{p}-cl-{name}"]["rowData"])


@pytest.mark.parametrize("path,prefix", [("/care-leavers", "leavers"), ("/looked-after-health", "lachealth")])
def test_the_section_is_drawn_for_a_commissioner_and_absent_for_a_member(member_client, commissioner_client, path,
                                                                            prefix, published_data):
    assert f"{prefix}-cl" in components(page_layout(commissioner_client, path))
    member = member_client.application.test_client()
    assert sign_in(member).status_code == 302
    layout = page_layout(member, path)
    assert not [i for i in components(layout) if i.startswith(f"{prefix}-cl")]
    assert not any("child-level" in t for t in texts(layout))
    # A member's crafted call of the section's callback gets nothing, and the read itself refuses them.
    assert draw(member, LEAVERS if prefix == "leavers" else HEALTH, status=204) is None
    with pytest.raises(PermissionError):
        leavers_data.oc3_figures(AccessScope("member", LAMBETH), YEAR, "19-21", "age")


def test_own_la_care_leavers_are_counted_exactly_from_the_stored_rows(commissioner_client, oc_rows):
    props = draw(commissioner_client, LEAVERS)
    headline = grid(props, "leavers", "headline").set_index("Measure")
    mine = pd.DataFrame([r for r in oc_rows["OC3"] if r["la_code"] == LAMBETH])
    born = pd.to_datetime(mine["dob"])
    mine["age"] = YEAR - born.dt.year - (born.dt.month > 3)
    cohort = mine[mine["age"].between(19, 21) & ~mine["in_touch"].isin(["DIED", "RHOM"])]
    eet = cohort["activ"].isin(["F1", "P1", "F2", "P2", "F4", "F5"]).sum()
    assert headline.loc["Care leavers (number)", "Lambeth"] == len(cohort)
    assert headline.loc["In education, employment or training (%)", "Lambeth"] == round(100 * eet / len(cohort), 1)
    assert headline.loc["In suitable accommodation (%)", "Lambeth"] == round(
        100 * cohort["accom"].isin(["U1", "Z1", "D1", "E1", "B1"]).sum() / len(cohort), 1)
    assert list(headline.columns) == ["Lambeth", "South London (sub-region)", "London"]
    assert props["leavers-cl-chart-takeaway"]["children"].startswith(f"Lambeth: {len(cohort)} care leavers; ")
    groups = grid(props, "leavers", "groups")
    assert list(groups["Age"]) == ["19", "20", "21", "All"]
    assert groups.set_index("Age").loc["All", "Lambeth: Care leavers"] == len(cohort)


def test_the_sub_region_and_london_are_protected_and_no_other_la_is_shown_alone(commissioner_client, oc_rows):
    props = draw(commissioner_client, LEAVERS, ages="17-21", breakdown="ethnic_group")
    codes = grid(props, "leavers", "codes").set_index("Activity, accommodation or contact")
    assert list(codes.columns) == ["Lambeth", "South London (sub-region)", "London"]
    shown = [v for area in ("South London (sub-region)", "London") for v in codes[area] if isinstance(v, (int, float))]
    assert shown and not [v for v in shown if 1 <= v <= 4]     # 1 to 4 are never shown (0, or 5 or more)
    assert "Other LAs' children are protected" in " ".join(texts(page_layout(commissioner_client, "/care-leavers")))


def test_an_la_that_has_not_uploaded_says_so_never_zero(client, oc_rows):
    """The administrator's LA, the City of London, has no OC2 or OC3 rows."""
    assert sign_in(client, ADMIN_EMAIL).status_code == 302
    for page in (LEAVERS, HEALTH):
        p = page[0]
        props = draw(client, page)
        status = " ".join(texts(props[f"{p}-cl-status"]["children"]))
        assert "City of London: no OC" in status and "uploaded for 2024/25." in status
        assert "not uploaded (left out, not counted as 0): City of London" in status
        assert props[f"{p}-cl-chart-takeaway"]["children"] == (
            f"City of London has not uploaded OC{3 if p == 'leavers' else 2} for this year, so it has no child-level "
            "figure (never 0).")
        first = grid(props, p, page[1][0])
        assert "City of London" not in first.columns and "London" in first.columns
    # A year no LA uploaded: said, with the years there are.
    props = draw(client, HEALTH, year="2019")
    assert props["lachealth-cl-status"]["children"] == ("No LA has uploaded the SSDA903 OC2 table for 2018/19. "
                                                       "Years with OC2 uploaded: 2024/25.")


def test_health_sdq_shares_lait_does_not_publish_are_shown_for_the_commissioners_own_la(commissioner_client, oc_rows):
    props = draw(commissioner_client, HEALTH)
    table = grid(props, "lachealth", "measures").set_index("Measure")
    mine = pd.DataFrame([r for r in oc_rows["OC2"] if r["la_code"] == LAMBETH])
    born = pd.to_datetime(mine["dob"])
    age = YEAR - born.dt.year - (born.dt.month > 3)
    sdq = mine[age.between(5, 16)]
    scores = pd.to_numeric(sdq["sdq_score"])
    scored = scores.notna().sum()
    assert table.loc["Children looked after for 12 months or more (number)", "Lambeth"] == len(mine)
    assert table.loc["SDQ score a cause for concern, 17 or more (%)", "Lambeth"] == round(100 * (scores >= 17).sum() / scored, 1)
    assert table.loc["No SDQ score (%)", "Lambeth"] == round(100 * scores.isna().sum() / len(sdq), 1)
    average = table.loc["Average SDQ score", "Lambeth"]
    assert average == (round(scores.mean(), 1) if scored >= 10 else "not shown (fewer than 10 children with a score)")
    notes = " ".join(texts(page_layout(commissioner_client, "/looked-after-health")))
    assert "shares of SDQ scores that are a cause for concern" in notes


def test_an_ssda903_upload_keeps_each_oc_rows_collection_year(tmp_path):
    """Through the ingest path (the sample generator's tables with an OC3 share): every OC3 row stored with its year."""
    from sqlalchemy import create_engine
    from dashboard.dashboards.sufficiency import returns as ds
    from dashboard.ingest import loading
    from dashboard.ingest.samples import ssda903_episodes, ssda903_tables
    from dashboard.store.reference import load_reference_data
    engine = create_engine(f"sqlite:///{tmp_path / 'oc.sqlite3'}")
    schema.metadata.create_all(engine)
    load_reference_data(engine)
    tables = ssda903_tables(ssda903_episodes(40, seed=3, year_end="2025-03-31"), oc3_share=0.3, seed=3)
    files = [(name, frame.to_csv(index=False).encode()) for name, frame in tables.items()]
    report = loading.validate_files(engine, ds.NAME, files, LAMBETH, "2025-03-31", max_bytes=2**22)
    assert loading.commit(engine, report, "cli").status == "committed", report.row_errors[:3] + report.file_errors
    with engine.connect() as conn:
        years = [row.year for row in conn.execute(select(STORED["OC3"].c.year))]
    assert years and set(years) == {2025} and len(years) == len(tables["oc3.csv"])
