"""Upload: choose dataset, LA and quarter, drop a file, read the validation report, then commit."""
import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, ctx, dcc, html
from dash.exceptions import PreventUpdate
from flask import current_app
from flask_login import current_user

from dashboard import loader
from dashboard import upload
from dashboard.auth.registration import AccessDenied
from dashboard.auth.roles import ADMIN, UPLOADER
from dashboard.components.layout import column_defs, filter_bar, grid, grid_records, labelled
from dashboard.components.notes import page_heading

dash.register_page(__name__, path="/upload", name="Upload", order=50, title="Upload data - London Children's Services Dashboards",
                   allowed_roles=(UPLOADER, ADMIN), id_prefix="upload-")


def _settings():
    return current_app.config["LCSD_SETTINGS"]


def _user_ok() -> bool:
    return bool(current_user and current_user.is_authenticated and upload.may_upload(current_user))


def layout(**query):
    # At start-up (no request) Dash builds its validation layout: same components, no user-specific choices.
    user_ok = _user_ok()
    datasets = upload.dataset_options()
    las = upload.la_options(current_user, loader.local_authorities()) if user_ok else []
    periods = upload.period_options()
    is_admin = user_ok and current_user.role == ADMIN
    limit_mb = _settings().upload_max_mb
    return html.Div([
        page_heading("Upload data", "Put your LA's return in: download the template, fill it, check it here, then commit."),
        filter_bar([
            dbc.Col(labelled("Dataset", "upload-dataset", dcc.Dropdown(id="upload-dataset", options=datasets,
                                                                       value=datasets[0]["value"], clearable=False)), lg=5),
            dbc.Col(labelled("LA", "upload-la", dcc.Dropdown(id="upload-la", options=las, value=current_user.la_code if user_ok else None,
                                                             clearable=False, disabled=len(las) == 1)), lg=4),
            dbc.Col(html.Div([html.Label("Quarter", htmlFor="upload-period", id="upload-period-label", className="form-label fw-semibold"),
                              dcc.Dropdown(id="upload-period", options=periods, value=periods[1]["value"], clearable=False)]),
                    lg=3),
        ], "Upload choices"),
        html.Section([
            html.H2("1. Get the template", className="h4"),
            html.P(id="upload-template-help", className="small"),
            dbc.Button("Template (CSV)", id="upload-template-csv", color="secondary", outline=True, size="sm", className="me-2"),
            dbc.Button("Template (Excel)", id="upload-template-xlsx", color="secondary", outline=True, size="sm"),
            dcc.Download(id="upload-template-download"),
        ], className="chart-card"),
        html.Section([
            html.H2("2. Check your file", className="h4"),
            # Several files at once for a return of several tables (SSDA903: the DfE's tables, or a zip of them).
            dcc.Upload(id="upload-file", multiple=True, max_size=upload.max_bytes(_settings()),
                       children=html.Div(["Drop a CSV or Excel (.xlsx) file here (SSDA903: the DfE's tables, several "
                                          "files or a zip), or ",
                                          html.Span("choose files", className="text-decoration-underline")]),
                       className="upload-drop", style_active={"borderColor": "#0072B2"}),
            html.P(f"Files up to {limit_mb} MB. Nothing is stored until you commit.", className="small text-body-secondary mt-1"),
            dcc.Loading(html.Div(id="upload-report", role="status", **{"aria-live": "polite"})),
            # Hidden until a check has findings: an empty grid has no columns, which screen readers trip over.
            html.Div([grid("upload-findings-grid"),
                      dbc.Button("Download the report (CSV)", id="upload-report-csv", color="secondary", outline=True,
                                 size="sm", className="mt-2")], id="upload-findings-panel", hidden=True),
            dcc.Download(id="upload-report-download"),
        ], className="chart-card"),
        html.Section([
            html.H2("3. Commit", className="h4"),
            html.P("Committing stores the file as a new version for this LA and period, in one step: all of it or none "
                   "of it. Earlier versions are kept. The pages show the new figures at once.", className="small"),
            # The first real return of a dataset removes every LA's demo data: said here, and confirmed, before Commit.
            html.Div([html.Div(id="upload-demo-warning"),
                      dbc.Checkbox(id="upload-demo-confirm", value=False, className="mb-2",
                                   label="I understand: committing removes the demo data of every LA.")],
                     id="upload-demo-panel", hidden=True),
            dcc.Store(id="upload-check-ok", data=False),
            dbc.Button("Commit this file", id="upload-commit", color="primary", disabled=True),
            dcc.Loading(html.Div(id="upload-commit-message", className="mt-3", role="status")),
        ], className="chart-card"),
        html.Section([
            html.H2("Stored versions", className="h4"),
            html.P("Every committed file, newest first" + (" (all LAs)." if is_admin else f" for your LA."), className="small"),
            grid("upload-history-grid"),
            html.Div([
                dbc.Row([dbc.Col(labelled("Version to make current again", "upload-restore-choice",
                                          dcc.Dropdown(id="upload-restore-choice", options=[])), md=6)], className="mt-3"),
                dbc.Button("Restore this version", id="upload-restore", color="secondary"),
                html.Div(id="upload-restore-message", className="mt-2", role="status"),
            ], hidden=not is_admin),
        ], className="chart-card"),
    ])


def _alert(text, colour):
    return dbc.Alert(text, color=colour, className="py-2 mb-2")


@callback(
    Output("upload-period", "options"), Output("upload-period", "value"), Output("upload-period-label", "children"),
    Output("upload-template-help", "children"),
    Input("upload-dataset", "value"),
)
def dataset_chosen(dataset):
    """Each dataset has its own kind of period (quarter, academic year, ...) and template."""
    periods = upload.period_options(dataset=dataset)
    return periods, periods[min(1, len(periods) - 1)]["value"], upload.period_label(dataset), upload.template_help(dataset)


@callback(
    Output("upload-template-download", "data"),
    Input("upload-template-csv", "n_clicks"), Input("upload-template-xlsx", "n_clicks"),
    State("upload-dataset", "value"), State("upload-la", "value"), State("upload-period", "value"),
    prevent_initial_call=True,
)
def template(_csv, _xlsx, dataset, la_code, period):
    upload.authorise(current_user, la_code)
    data, name = upload.template_file(dataset, la_code, period, "csv" if ctx.triggered_id == "upload-template-csv" else "xlsx")
    return dcc.send_bytes(data, name)


def _report_view(check):
    r = check.report
    counts = f"{r.rows_read:,} rows read = {r.rows_accepted:,} accepted + {r.rows_rejected:,} rejected."
    colour = "danger" if not check.ok else ("warning" if r.warnings else "success")
    title = "Rejected: nothing can be stored." if not check.ok else "Passed: ready to commit."
    more = [html.P(f"The table shows the first {upload.FINDINGS_SHOWN:,} findings; the downloadable report has all "
                   f"{upload.FINDINGS_SHOWN + check.more_findings:,}.", className="small")] if check.more_findings else []
    return [_alert([html.Strong(title + " "), html.Span(check.summary)], colour),
            html.P([html.Strong(r.file_name), f": {counts}"], className="small"), *more]


@callback(
    Output("upload-report", "children"), Output("upload-findings-grid", "rowData"), Output("upload-findings-grid", "columnDefs"),
    Output("upload-findings-panel", "hidden"), Output("upload-commit-message", "children"),
    Output("upload-demo-warning", "children"), Output("upload-demo-panel", "hidden"), Output("upload-demo-confirm", "value"),
    Output("upload-check-ok", "data"),
    Input("upload-file", "contents"), Input("upload-dataset", "value"), Input("upload-la", "value"), Input("upload-period", "value"),
    Input("upload-commit", "n_clicks"),
    State("upload-file", "filename"), State("upload-demo-confirm", "value"),
    prevent_initial_call=True,
)
def check_or_commit(contents, dataset, la_code, period, _commit, file_name, confirmed):
    """A new file or choice checks the file; the commit button checks it again and stores it."""
    if contents is None:
        raise PreventUpdate
    keep = dash.no_update
    try:
        if ctx.triggered_id == "upload-commit":
            result = upload.commit_upload(current_user, _settings(), dataset, la_code, period, file_name, contents,
                                          demo_removal_confirmed=bool(confirmed))
            colour = {"committed": "success", "unchanged": "info", "rejected": "danger"}[result.status]
            return keep, keep, keep, keep, _alert(result.message, colour), None, True, False, False
        check = upload.check_upload(current_user, _settings(), dataset, la_code, period, file_name, contents)
    except upload.DemoRemovalNotConfirmed as exc:
        return keep, keep, keep, keep, _alert(str(exc), "warning"), keep, keep, keep, keep
    except AccessDenied as exc:
        return _alert(str(exc), "danger"), [], [], True, None, None, True, False, False
    findings = check.findings
    warning = _alert([html.Strong("Before you commit: "), check.demo_warning], "warning") if check.demo_warning else None
    return (_report_view(check), grid_records(findings), column_defs(findings) if len(findings) else [],
            not len(findings), None, warning, not check.demo_warning, False, check.ok)


@callback(
    Output("upload-commit", "disabled"),
    Input("upload-check-ok", "data"), Input("upload-demo-confirm", "value"), Input("upload-demo-panel", "hidden"),
)
def commit_allowed(check_ok, confirmed, no_warning):
    """Commit opens once the file passed and, where it removes every LA's demo data, the uploader has said so."""
    return not (check_ok and (no_warning or confirmed))


@callback(
    Output("upload-report-download", "data"),
    Input("upload-report-csv", "n_clicks"),
    State("upload-file", "contents"), State("upload-file", "filename"),
    State("upload-dataset", "value"), State("upload-la", "value"), State("upload-period", "value"),
    prevent_initial_call=True,
)
def download_report(_n, contents, file_name, dataset, la_code, period):
    check = upload.check_upload(current_user, _settings(), dataset, la_code, period, file_name, contents)
    return dcc.send_bytes(upload.report_csv(check), f"validation_report_{dataset}_{la_code}_{period}.csv")


@callback(
    Output("upload-history-grid", "rowData"), Output("upload-history-grid", "columnDefs"),
    Output("upload-restore-choice", "options"), Output("upload-restore-message", "children"),
    Input("upload-commit-message", "children"), Input("upload-restore", "n_clicks"),
    State("upload-restore-choice", "value"),
)
def history(_committed, _restore, upload_id):
    message = None
    if ctx.triggered_id == "upload-restore":
        if upload_id is None:
            message = _alert("Choose a version first.", "warning")
        else:
            try:
                message = _alert(upload.restore_version(current_user, upload_id), "success")
            except (AccessDenied, ValueError) as exc:
                message = _alert(str(exc), "danger")
    table = upload.history_table(current_user)
    options = [{"label": f"{r['Dataset']} {r['LA']} {r['Period']} version {r['Version']} ({r['Status']}, {r['Uploaded at']})",
                "value": int(r["Id"])} for r in table.to_dict("records")]
    return grid_records(table), column_defs(table), options, message
