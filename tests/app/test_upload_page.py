"""The Upload page through its callbacks, as the browser calls them: check, report, commit, refusals, size cap."""
import base64
import json
import re

import pandas as pd
import pytest

from sqlalchemy import select

from dashboard import loader, upload
from dashboard.dashboards.benchmarking import data as bench_data
from dashboard.auth.users import create_user
from dashboard.ingest.returns import SPECS
from dashboard.store import get_engine, schema
from tests.store_fixtures import PASSWORD, sign_in
from tests.dash_requests import callback_request, page_layout, response_props, texts

UPLOADER = "uploader@lambeth.example"
LA, PERIOD = "E09000022", "2024-12-31"   # a quarter no other test uploads for
HEADER = "la_code,period_end,indicator_code,value,numerator,denominator\n"


@pytest.fixture(scope="module")
def uploader(dash_app, restore_demo):
    create_user(get_engine(), UPLOADER, PASSWORD, LA, "uploader", name="Data Officer")
    yield UPLOADER
    restore_demo()  # other tests expect the demo data and the published figures


@pytest.fixture()
def uploader_client(server, uploader):
    client = server.test_client()
    assert sign_in(client, uploader).status_code == 302
    return client


def _file(values: dict, la=LA, period=PERIOD) -> str:
    codes = loader_codes()
    lines = [f"{la},{period},{code},{values.get(code, 10)},," for code in codes]
    return "data:text/csv;base64," + base64.b64encode((HEADER + "\n".join(lines) + "\n").encode()).decode()


def loader_codes():
    with get_engine().connect() as conn:
        return list(conn.execute(select(schema.indicator.c.code).order_by(schema.indicator.c.sort_order)).scalars())


CHECK_OUTPUTS = [("upload-report", "children"), ("upload-findings-grid", "rowData"), ("upload-findings-grid", "columnDefs"),
                 ("upload-findings-panel", "hidden"), ("upload-commit-message", "children"), ("upload-demo-warning", "children"), ("upload-demo-panel", "hidden"), ("upload-demo-confirm", "value"),
                 ("upload-check-ok", "data")]


def _check(client, contents, la=LA, period=PERIOD, name="lambeth_q3.csv", trigger="upload-file.contents", dataset="benchmarking",
           confirmed=False):
    return callback_request(client, CHECK_OUTPUTS,
                            [("upload-file", "contents", contents), ("upload-dataset", "value", dataset),
                             ("upload-la", "value", la), ("upload-period", "value", period), ("upload-commit", "n_clicks", 1)],
                            [("upload-file", "filename", name), ("upload-demo-confirm", "value", confirmed)], triggered=trigger)


def _commit(client, contents, la=LA, period=PERIOD, dataset="benchmarking", confirmed=True):
    return _check(client, contents, la=la, period=period, trigger="upload-commit.n_clicks", dataset=dataset,
                  confirmed=confirmed)


def commit_disabled(client, props: dict, confirmed=False) -> bool:
    """Whether the Commit button is disabled after a check (the page's next callback, as the browser calls it)."""
    response = callback_request(client, [("upload-commit", "disabled")],
                                [("upload-check-ok", "data", props["upload-check-ok"]["data"]),
                                 ("upload-demo-confirm", "value", confirmed),
                                 ("upload-demo-panel", "hidden", props["upload-demo-panel"]["hidden"])])
    return response_props(response)["upload-commit"]["disabled"]


def test_a_bad_file_is_reported_by_row_and_column_and_cannot_be_committed(uploader_client):
    response = _check(uploader_client, _file({"cla_rate": "lots"}))
    props = response_props(response)
    text = json.dumps(props["upload-report"]["children"])
    assert "Rejected" in text and "1 rejected" in text
    findings = props["upload-findings-grid"]["rowData"]
    assert findings == [{"Level": "error", "Row": loader_codes().index("cla_rate") + 2, "Column": "value",
                         "Value": "lots", "Rule": "not a number"}]
    assert commit_disabled(uploader_client, props, confirmed=True) is True
    # Committing anyway (a crafted request) stores nothing.
    before = loader.dataset_version("benchmarking")
    message = json.dumps(response_props(_commit(uploader_client, _file({"cla_rate": "lots"}))))
    assert "Nothing was stored" in message
    assert loader.dataset_version("benchmarking") == before


def test_the_report_downloads_as_csv(uploader_client):
    response = callback_request(uploader_client, [("upload-report-download", "data")], [("upload-report-csv", "n_clicks", 1)],
                                [("upload-file", "contents", _file({"cla_rate": "-3"})), ("upload-file", "filename", "x.csv"),
                                 ("upload-dataset", "value", "benchmarking"), ("upload-la", "value", LA),
                                 ("upload-period", "value", PERIOD)])
    data = response_props(response)["upload-report-download"]["data"]
    text = base64.b64decode(data["content"]).decode("utf-8-sig")
    assert text.splitlines()[0] == "level,row,column,value,rule"
    assert "19 rows read: 18 accepted, 1 rejected" in text
    assert f"error,{loader_codes().index('cla_rate') + 2},value,'-3,below 0" in text  # '-3: neutralised for spreadsheets


def test_a_good_file_commits_and_the_page_data_changes_at_once(uploader_client):
    contents = _file({"cla_rate": 61.5})
    props = response_props(_check(uploader_client, contents))
    # The first real benchmarking return removes every LA's demo data: the page says so and asks first.
    assert loader.dataset_info("benchmarking")["is_demo"]
    warning = json.dumps(props["upload-demo-warning"]["children"])
    assert "removes the demo data of every LA" in warning and "'no return'" in warning
    assert props["upload-demo-panel"]["hidden"] is False and commit_disabled(uploader_client, props) is True
    assert commit_disabled(uploader_client, props, confirmed=True) is False
    # A commit without the confirmation (a crafted request) is refused on the server, and nothing changes.
    before = loader.dataset_version("benchmarking")
    refused = json.dumps(response_props(_commit(uploader_client, contents, confirmed=False)))
    assert "Nothing was stored: confirm first" in refused and loader.dataset_version("benchmarking") == before
    message = json.dumps(response_props(_commit(uploader_client, contents)))
    assert "Stored as version 1 (19 rows)" in message
    values = bench_data.benchmark_indicator("cla_rate", loader.AccessScope("member", LA))["values"]
    stored = values[(values["la_code"] == LA) & (values["period_end"] == pd.Timestamp(PERIOD))]["value"]
    assert stored.tolist() == [61.5]
    # The same file again changes nothing, and says so.
    again = json.dumps(response_props(_commit(uploader_client, contents)))
    assert "identical to the current version" in again
    with get_engine().connect() as conn:
        events = list(conn.execute(select(schema.audit_event.c.event).where(schema.audit_event.c.actor == UPLOADER)).scalars())
    assert "upload_committed" in events and "upload_unchanged" in events
    # Once real returns are in, the next file has nothing of the demo left to remove: no warning, Commit opens.
    props = response_props(_check(uploader_client, _file({"cla_rate": 60.0}, period="2024-09-30"), period="2024-09-30"))
    assert props["upload-demo-panel"]["hidden"] is True and commit_disabled(uploader_client, props) is False


def test_an_uploader_cannot_upload_for_another_la(uploader_client):
    before = loader.dataset_version("benchmarking")
    contents = _file({}, la="E09000008")
    props = response_props(_check(uploader_client, contents, la="E09000008"))
    assert "only for your own LA" in json.dumps(props["upload-report"])
    message = json.dumps(response_props(_commit(uploader_client, contents, la="E09000008")))
    assert "only for your own LA" in message
    assert loader.dataset_version("benchmarking") == before
    with get_engine().connect() as conn:
        refusals = list(conn.execute(select(schema.audit_event.c.detail).where(
            schema.audit_event.c.actor == UPLOADER, schema.audit_event.c.event == "refused")).scalars())
    assert any("E09000008" in r for r in refusals)


def test_members_cannot_open_the_page_or_call_its_callbacks(member_client):
    assert "You don't have access" in " ".join(texts(page_layout(member_client, "/upload")))   # inside the app's shell
    assert _check(member_client, _file({})).status_code == 403


def test_an_oversized_request_is_refused_before_parsing(uploader_client, settings):
    huge = "data:text/csv;base64," + "A" * (settings.upload_max_mb * 2**20 * 4 // 3 + 2**20)
    assert _check(uploader_client, huge).status_code == 413


def test_only_administrators_restore_versions(uploader_client, client):
    response = callback_request(uploader_client, [("upload-history-grid", "rowData"), ("upload-history-grid", "columnDefs"),
                                                  ("upload-restore-choice", "options"), ("upload-restore-message", "children")],
                                [("upload-commit-message", "children", None), ("upload-restore", "n_clicks", 1)],
                                [("upload-restore-choice", "value", 1)], triggered="upload-restore.n_clicks")
    props = response_props(response)
    assert "Only administrators" in json.dumps(props["upload-restore-message"])
    # An uploader sees only their own LA's versions, the LA named as the chooser names it (not its ONS code).
    assert {row["LA"] for row in props["upload-history-grid"]["rowData"]} == {"Lambeth"}
    # Datasets are named as the page names them, not by their internal names.
    datasets = {row["Dataset"] for row in props["upload-history-grid"]["rowData"]}
    assert datasets and datasets <= {spec.label for spec in SPECS.values()}


def test_an_la_with_nothing_stored_yet_gets_a_versions_table_whose_text_columns_are_not_numbers(server):
    """Found on a fresh clone: with no version stored, the Dataset column came out as numbers (an empty float column),
    and the grid kept that number format, so the first committed version's name showed as "NaN"."""
    create_user(get_engine(), "nothing-yet@havering.example", PASSWORD, "E09000016", "uploader", name="New Officer")
    client = server.test_client()
    assert sign_in(client, "nothing-yet@havering.example").status_code == 302
    response = callback_request(client, [("upload-history-grid", "rowData"), ("upload-history-grid", "columnDefs"),
                                         ("upload-restore-choice", "options"), ("upload-restore-message", "children")],
                                [("upload-commit-message", "children", None), ("upload-restore", "n_clicks", None)],
                                [("upload-restore-choice", "value", None)], triggered="upload-commit-message.children")
    props = response_props(response)
    assert props["upload-history-grid"]["rowData"] == []
    numeric = {c["field"] for c in props["upload-history-grid"]["columnDefs"] if c.get("type") == "numericColumn"}
    assert not numeric & {"Dataset", "LA", "Period", "Status", "Uploaded by", "File"}, numeric


def test_a_suspensions_return_through_the_page_replaces_only_that_las_demo_figures(uploader_client):
    from dashboard.dashboards.suspensions import returns as suspensions
    from dashboard.ingest import samples
    from dashboard.ingest.loading import demo_data_reloaded
    from tests.app.test_suspensions_page import render
    chosen = response_props(callback_request(
        uploader_client, [("upload-period", "options"), ("upload-period", "value"), ("upload-period-label", "children"),
                          ("upload-template-help", "children")], [("upload-dataset", "value", "suspensions")]))
    assert chosen["upload-period-label"]["children"] == "Academic year"
    assert "2023/24" in [o["value"] for o in chosen["upload-period"]["options"]]
    frame = samples.suspensions_return(LA, "2023/24", seed=4)
    contents = "data:text/csv;base64," + base64.b64encode(samples.as_csv(frame)).decode()
    try:
        assert "Demo data" in json.dumps(render(uploader_client, LA, "2023/24")["susp-banner"])
        props = response_props(_check(uploader_client, contents, period="2023/24", dataset="suspensions"))
        assert commit_disabled(uploader_client, props) is False, props["upload-report"]
        message = json.dumps(response_props(_commit(uploader_client, contents, period="2023/24", dataset="suspensions")))
        assert re.search(r"Stored as version \d+ \(19 rows\)", message) and "other LAs keep theirs" in message
        mine, croydon = render(uploader_client, LA, "2023/24"), render(uploader_client, "E09000008", "2023/24")
        assert "Demo data" not in json.dumps(mine["susp-banner"]) and "Demo data" in json.dumps(croydon["susp-banner"])
        all_pupils = mine["susp-table-grid"]["rowData"][-1]
        assert all_pupils["Ethnic group"] == "All pupils"
        assert str(int(frame["headcount"].sum())) in json.dumps(all_pupils).replace(",", "")
    finally:
        suspensions.load_demo(get_engine(), 7)   # other tests expect Lambeth's demo figures
        demo_data_reloaded(get_engine(), ["suspensions"])


def _linc_is_demo(borough):
    from dashboard.dashboards.leadership_in_colour import view as page
    return page.build_view(page.Filters("demo", borough, "all", "bgm"), loader.AccessScope("member", LA)).is_demo


def _send_is_demo(focus):
    from dashboard.dashboards.send import view as page
    view = page.build_view(page.Filters(focus, "plans_in_force", 2024, "la"), loader.AccessScope("member", LA))
    return view.placement_is_demo or view.need_is_demo


@pytest.mark.parametrize("dataset,period,is_demo", [("linc", "2025-03-31", _linc_is_demo), ("send", "2024", _send_is_demo)])
def test_a_members_return_stops_its_page_calling_that_las_figures_demo_data(server, restore_demo, dataset, period, is_demo):
    from dashboard.ingest import loading, samples
    engine = get_engine()
    with server.app_context():
        assert is_demo(LA) and is_demo("E09000008")
        report = loading.validate(engine, dataset, "return.csv", samples.as_csv(samples.GOOD_RETURNS[dataset](LA, period)),
                                  LA, period, max_bytes=2**20)
        try:
            assert loading.commit(engine, report, UPLOADER).status == "committed"
            assert not is_demo(LA) and is_demo("E09000008")   # at once: the new version is in the cache key
        finally:
            restore_demo({dataset})   # other tests expect the demo data and the published figures
        assert is_demo(LA)


def _encoded(text: str | bytes) -> str:
    data = text.encode() if isinstance(text, str) else text
    return "data:text/csv;base64," + base64.b64encode(data).decode()


def test_the_dfes_ssda903_tables_are_checked_together_as_one_return(uploader_client):
    """Several files chosen at once (a list from dcc.Upload): each DfE table recognised by its columns, checked by
    the DfE's rules; a fault is named by file, row, column and rule number."""
    from tests.app.test_sufficiency_import import EPISODES, HEADER   # a small valid SSDA903 return
    files = [_encoded(HEADER), _encoded(EPISODES)]
    props = response_props(_check(uploader_client, files, name=["header.csv", "episodes.csv"], dataset="sufficiency",
                                  period="2025-03-31"))
    assert "Passed" in json.dumps(props["upload-report"]["children"])
    assert commit_disabled(uploader_client, props, confirmed=True) is False   # the first real one: demo removal confirmed
    bad = [_encoded(HEADER), _encoded(EPISODES.replace(",U6,PR4", ",U9,PR4"))]
    props = response_props(_check(uploader_client, bad, name=["h.csv", "e.csv"], dataset="sufficiency", period="2025-03-31"))
    assert {"Level": "error", "Row": "e.csv, row 4", "Column": "PLACE", "Value": "U9",
            "Rule": "DfE rule 146: Placement type code is not a valid code for this collection year."} \
        in props["upload-findings-grid"]["rowData"]
    assert commit_disabled(uploader_client, props, confirmed=True) is True


def test_the_ssda903_csv_template_is_a_zip_of_the_dfes_tables():
    import io, zipfile  # only this test opens the zip
    data, name = upload.template_file("sufficiency", LA, "2025-03-31", "csv")
    archive = zipfile.ZipFile(io.BytesIO(data))
    assert name.endswith(".zip") and "episodes.csv" in archive.namelist() and "oc3.csv" in archive.namelist()
    assert archive.read("header.csv").decode() == "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\n"
