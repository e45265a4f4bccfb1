"""My LA through the Flask test client: the home page after sign-in; a member sees their own LA only (whatever the
address bar or a hand-made callback asks for), an administrator any; the figures are the store's; each row links to
the page and filters that show it; data status names uploaders only to their own LA and administrators."""
import io

import pandas as pd
import pytest

from dashboard import loader
from dashboard.auth.users import create_user
from dashboard.dashboards.benchmarking import data as benchmarking_data
from dashboard.dashboards.my_la import view as my_la_view
from dashboard.dashboards.my_la.data import THEMES
from dashboard.dashboards.my_la.page import theme_id
from dashboard.dashboards.ofsted import data as ofsted_data
from dashboard.dashboards.workforce_census import data as workforce_data
from dashboard.ingest import loading, samples
from dashboard.store import get_engine
from tests.presenting import press
from tests.dash_requests import callback_request, components, page_layout, response_props
from tests.store_fixtures import ADMIN_EMAIL, MEMBER_EMAIL, PASSWORD, sign_in

LAMBETH, CAMDEN, SOUTHWARK = "E09000022", "E09000007", "E09000028"
OUTPUTS = [("myla-banner", "children"), ("myla-summary", "children"), ("myla-grid", "rowData"),
           ("myla-grid", "columnDefs"),
           *[output for t in THEMES for output in ((theme_id(t), "open"), (theme_id(t), "hidden"),
                                                   (f"{theme_id(t)}-summary", "children"),
                                                   (f"{theme_id(t)}-rows", "data"))],
           ("myla-flagged-title", "children"), ("myla-flagged", "figure"),
           ("myla-flagged-takeaway", "children"), ("myla-notes", "children"), ("myla-status-rules", "children"),
           ("myla-status-grid", "rowData"), ("myla-status-grid", "columnDefs"), ("myla-london-grid", "rowData"),
           ("myla-london-grid", "columnDefs"), ("myla-published-grid", "rowData"), ("myla-published-grid", "columnDefs")]
OTHER_MEMBER = "member@southwark.example"


def every_row(props) -> list[dict]:
    """Every indicator's row, theme by theme as the page lays them out."""
    return [row for t in THEMES for row in props[f"{theme_id(t)}-rows"]["data"]["rowData"]]


def render(client, la):
    response = callback_request(client, OUTPUTS, [("myla-la", "value", la)])
    assert response.status_code == 200, response.get_data(as_text=True)[:800]
    return response_props(response)


@pytest.fixture()
def admin_client(server):
    client = server.test_client()
    assert sign_in(client, ADMIN_EMAIL).status_code == 302
    return client


@pytest.fixture(scope="module")
def southwark_member(dash_app):
    create_user(get_engine(), OTHER_MEMBER, PASSWORD, SOUTHWARK, "member", name="Southwark Member")
    return OTHER_MEMBER


def test_sign_in_lands_on_my_la(client):
    assert sign_in(client).headers["Location"] == "/my-la"


def test_anonymous_callback_is_refused(client):
    assert callback_request(client, OUTPUTS, [("myla-la", "value", LAMBETH)]).status_code in (401, 403)


def test_a_member_sees_their_own_la_whatever_they_ask_for(member_client):
    # The address bar asks for Camden: the page shows Lambeth, the member's LA, and the choice is fixed.
    found = components(page_layout(member_client, "/my-la", "?la=" + CAMDEN))
    assert found["myla-la"]["value"] == LAMBETH and found["myla-la"]["disabled"] is True
    assert [o["value"] for o in found["myla-la"]["options"]] == [LAMBETH]
    # A hand-made callback for Camden is answered with Lambeth's view, never Camden's.
    props = render(member_client, CAMDEN)
    assert props["myla-summary"]["children"].startswith("Lambeth: ")
    assert all(f"focus={CAMDEN}" not in row["Open"] and f"la={CAMDEN}" not in row["Open"] for row in every_row(props))


def test_the_view_itself_refuses_another_la_to_a_member(server):
    with server.test_request_context():
        with pytest.raises(PermissionError):
            my_la_view.build_view(my_la_view.Selection(CAMDEN), loader.AccessScope("member", LAMBETH))
        with pytest.raises(PermissionError):
            my_la_view.data_status(my_la_view.Selection(CAMDEN), loader.AccessScope("member", LAMBETH))


def test_an_administrator_may_open_any_la(admin_client):
    found = components(page_layout(admin_client, "/my-la", "?la=" + CAMDEN))
    assert found["myla-la"]["value"] == CAMDEN and not found["myla-la"]["disabled"]
    assert len(found["myla-la"]["options"]) == 33
    for la, name in ((CAMDEN, "Camden"), (LAMBETH, "Lambeth")):
        assert render(admin_client, la)["myla-summary"]["children"].startswith(f"{name}: ")


def test_rows_hold_the_stores_figures_and_link_to_the_filtered_page(member_client, server):
    props = render(member_client, LAMBETH)
    rows = every_row(props)
    by_name = {r["Indicator"]: r for r in rows}
    # Regional return: the latest quarter's figure as the benchmarking read gives it, with the link to that view.
    with server.test_request_context():
        ind = loader.indicator("cla_rate")
        values = benchmarking_data.benchmark_indicator("cla_rate", loader.AccessScope("member", LAMBETH))["values"]
    latest = values["period_end"].max()
    expected = values[(values["la_code"] == LAMBETH) & (values["period_end"] == latest)]["value"].iloc[0]
    row = by_name[ind["name"]]
    assert row["Value"] == f"{expected:,.1f}"
    assert row["Open"] == f"[Open](/benchmarking?source=regional&indicator=cla_rate&focus={LAMBETH})"
    assert row["Rank in London"].endswith(" of 33") or row["Rank in London"] == "no return"
    # Exceptions come first: their own table at the top (worse first), and first within each theme, each with its
    # reason in words; every theme is closed (the page stays short) and its heading counts its rows and exceptions.
    exceptions = props["myla-grid"]["rowData"]
    assert {r["Indicator"] for r in exceptions} == {r["Indicator"] for r in rows if r["Flag"]}
    assert [r["Flag"] for r in exceptions][:1] == ["Worse"]
    for t in THEMES:
        flags = [bool(r["Flag"]) for r in props[f"{theme_id(t)}-rows"]["data"]["rowData"]]
        assert flags == sorted(flags, reverse=True)
        assert props[theme_id(t)]["open"] is False and props[theme_id(t)]["hidden"] == (not flags)
        if flags:
            assert props[f"{theme_id(t)}-summary"]["children"] == (
                f"{t}: {len(flags)} indicator{'s' if len(flags) != 1 else ''}"
                + (f", {sum(flags)} flagged" if any(flags) else ""))
    assert all(r["Why flagged"] for r in rows if r["Flag"])
    n_flagged = len(exceptions)
    assert props["myla-summary"]["children"].startswith(f"Lambeth: {n_flagged} indicators flagged of {len(rows)}: ")
    # Every theme with data is there, and every row says its source and links to a page with its filters.
    assert {"Help and protection", "Children in care", "Care leavers", "Workforce", "SEND", "Education",
            "Inspections"} <= {r["Theme"] for r in rows}
    assert all(r["Source"] and r["Open"].startswith("[Open](/") and LAMBETH in r["Open"] for r in rows)
    # No figure is shown as 0 where there is none: a missing one says why.
    assert all(r["Value"] not in ("", "0", "0.0") for r in rows)


def test_census_ofsted_and_suspensions_rows_are_their_pages_figures(member_client, server):
    rows = {r["Indicator"]: r for r in every_row(render(member_client, LAMBETH))}
    with server.test_request_context():
        scope = loader.AccessScope("member", LAMBETH)
        census = workforce_data.workforce_census_values(scope)
        inspections = ofsted_data.ilacs_inspections(scope).set_index("ons_code")
    # Workforce census: Lambeth's (DfE 208) agency rate in the latest census, as the file gives it, to one decimal.
    agency = census[(census["measure"] == "agency_rate_fte") & (census["dfe_code"] == "208")]
    latest = agency[agency["period"] == max(agency["period"])].iloc[0]
    row = rows["Agency worker rate (%)"]
    assert (row["Value"], row["Period"]) == (f"{latest['value']:.1f}%", latest["period"])
    assert row["Open"] == f"[Open](/workforce-census?la={LAMBETH}&measure=agency_rate_fte)"
    # Benchmarking's copy of the census's agency rate is not shown twice.
    assert "Agency social worker rate (published)" not in rows
    # Ofsted: the grade in words, never a bare number; grades are never flagged by London's 20% (most LAs tie).
    grade = inspections.loc[LAMBETH, "overall"]
    row = rows["Ofsted ILACS: Overall effectiveness (1 outstanding to 4 inadequate)"]
    assert row["Value"].startswith(grade.capitalize() + " (") and row["Period"] == "latest inspection"
    assert all("20%" not in r["Why flagged"] for name, r in rows.items() if name.startswith("Ofsted"))
    # Suspensions: a rate per 100 pupils from the protected counts, linked to the LA's suspensions view.
    row = rows["Suspensions per 100 pupils"]
    assert row["Theme"] == "Education" and row["Open"] == f"[Open](/suspensions?area={LAMBETH})"
    assert row["Value"] not in ("", "0", "0.00") and row["Rank in London"].endswith(" of 33")


def test_demo_data_is_never_called_overdue(server):
    """In the demo store nobody has uploaded a regional return: the status says demo data stands in, not overdue."""
    with server.test_request_context():
        status = my_la_view.data_status(my_la_view.Selection(LAMBETH), loader.AccessScope("member", LAMBETH),
                                        pd.Timestamp("2026-12-04"))
    regional = status["own"].set_index("Dataset").loc["Regional quarterly return (RIIA)"]
    assert regional["Latest period returned"] == "none uploaded (demo data stands in)"
    assert regional["Overdue"].startswith("not checked: demo data")
    assert status["london"].set_index("Dataset").loc["Regional quarterly return (RIIA)", "LAs overdue"] == 0


def test_the_links_open_the_page_they_name(member_client):
    rows = every_row(render(member_client, LAMBETH))
    for path in {r["Open"][len("[Open]("):-1] for r in rows}:
        page, _, search = path.partition("?")
        assert page_layout(member_client, page, "?" + search)


@pytest.fixture()
def lambeth_return(dash_app, restore_demo):
    """An agency pay return for Lambeth's quarter to 30 June 2026, uploaded by the Lambeth member."""
    engine = get_engine()
    report = loading.validate(engine, "agency_pay", "return.csv",
                              samples.as_csv(samples.agency_pay_return(LAMBETH, "2026-06-30")), LAMBETH, "2026-06-30",
                              max_bytes=20 * 2**20)
    assert report.ok, report
    result = loading.commit(engine, report, MEMBER_EMAIL)
    assert result.status == "committed", result
    yield result.version   # 1, or more when another test in this run uploaded the same LA and quarter before
    restore_demo(["agency_pay"])


def test_data_status_names_uploaders_only_to_their_la_and_administrators(lambeth_return, server, southwark_member):
    today = pd.Timestamp("2026-12-04")
    with server.test_request_context():
        own = my_la_view.data_status(my_la_view.Selection(LAMBETH), loader.AccessScope("member", LAMBETH), today)
        other = my_la_view.data_status(my_la_view.Selection(SOUTHWARK), loader.AccessScope("member", SOUTHWARK), today)
        admin = my_la_view.data_status(my_la_view.Selection(LAMBETH), loader.AccessScope("admin", "E09000001"), today)
    mine = own["own"].set_index("Dataset").loc["Agency pay (London Pledge)"]
    # Q1 2026-27 returned; Q2 (to 30 September) was due 45 days later, 14 November: overdue on 4 December.
    assert (mine["Latest period returned"], mine["By"], mine["Version"]) == ("2026-06-30", "Test Member", lambeth_return)
    assert mine["Overdue"] == "Q2 2026-27 overdue (due 14 Nov 2026)"
    # Southwark's member sees London in summary: one LA has uploaded agency pay, and no name or LA row of Lambeth's.
    summary = other["london"].set_index("Dataset").loc["Agency pay (London Pledge)"]
    assert summary["LAs that have uploaded"] == 1 and summary["Of"] == 33
    assert "Test Member" not in other["london"].to_string() and "Lambeth" not in other["london"].to_string()
    assert "LA" not in other["london"].columns
    # The administrator sees every LA's row, the uploader named.
    lambeth = admin["london"][(admin["london"]["LA"] == "Lambeth") & (admin["london"]["Dataset"] == "Agency pay (London Pledge)")]
    assert lambeth["By"].tolist() == ["Test Member"] and len(admin["london"]) == 33 * len(admin["own"])


def test_the_indicators_table_downloads_as_the_page_shows_it(member_client):
    rows = every_row(render(member_client, LAMBETH))
    # A member asking for Camden's file gets Lambeth's: the selection is made on the server.
    name, content = press(member_client, "myla-download", ["myla-dl-csv", "myla-dl-xlsx"], "myla-dl-csv",
                          [("myla-table", "value", "indicators"), ("myla-la", "value", CAMDEN)])
    assert LAMBETH in name
    table = pd.read_csv(io.BytesIO(content), comment="#") if content[:1] == b"#" else pd.read_csv(io.BytesIO(content))
    assert sorted(table["Indicator"]) == sorted(r["Indicator"] for r in rows)
