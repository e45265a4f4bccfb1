"""Admin area: access requests (admins and each LA's approver), users and roles, audit log, sub-regions."""
import dash
import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, ctx, dcc, html
from dash.exceptions import PreventUpdate
from flask_login import current_user

from dashboard import admin
from dashboard.auth.registration import AccessDenied
from dashboard.auth.roles import ADMIN, APPROVER, ROLES
from dashboard.components.callback_values import InvalidChoice
from dashboard.components.layout import column_defs
from dashboard.components.notes import page_heading

dash.register_page(__name__, path="/admin", name="Admin", order=51, title="Admin - London Children's Services Dashboards",
                   allowed_roles=(ADMIN, APPROVER), id_prefix="admin-")


def _grid(grid_id, wrap=True):
    """An admin table; `wrap=False` keeps one line per row (long text shows on hover and in the editor)."""
    return dag.AgGrid(id=grid_id, rowData=[], columnDefs=[], columnSize="autoSize" if not wrap else "responsiveSizeToFit",
                      defaultColDef={"sortable": True, "filter": True, "resizable": True, "wrapText": wrap, "autoHeight": wrap,
                                     "tooltipValueGetter": None if wrap else {"function": "params.value"}},
                      dashGridOptions={"domLayout": "autoHeight", "pagination": True, "paginationPageSize": 20})


def _labelled(label, component_id, component):
    return html.Div([html.Label(label, htmlFor=component_id, className="form-label fw-semibold"), component], className="mb-2")


def _requests_tab():
    return html.Div([
        html.P("People who asked for access. Check with the senior leader they named before approving. "
               "Approvers see requests for their own LA; administrators see all.", className="mt-3"),
        _grid("admin-requests-grid"),
        dbc.Row([
            dbc.Col(_labelled("Request", "admin-request-choice", dcc.Dropdown(id="admin-request-choice", options=[])), md=5),
            dbc.Col(_labelled("Note to the person (optional)", "admin-request-note",
                              dbc.Input(id="admin-request-note", maxLength=2000)), md=5),
        ], className="mt-3"),
        dbc.Button("Approve", id="admin-approve", color="primary", className="me-2"),
        dbc.Button("Refuse", id="admin-refuse", color="secondary"),
        html.Div(id="admin-request-message", className="mt-3", role="status"),
    ])


def _users_tab():
    return html.Div([
        html.P("Every account. Disabling an account, resetting its password or resetting its two-step sign-in (for a lost "
               "or new phone: they set it up again at their next sign-in) ends its sessions at once.", className="mt-3"),
        _grid("admin-users-grid"),
        dbc.Row([
            dbc.Col(_labelled("Account", "admin-user-choice", dcc.Dropdown(id="admin-user-choice", options=[])), md=5),
            dbc.Col(_labelled("Roles (one or more)", "admin-role-choice",
                              dcc.Dropdown(id="admin-role-choice", options=list(ROLES), multi=True)), md=5),
        ], className="mt-3"),
        html.P("An account may hold several roles, e.g. commissioner and uploader. Administrators hold every role.",
               className="form-text"),
        dbc.Button("Change roles", id="admin-change-role", color="primary", className="me-2"),
        dbc.Button("Disable", id="admin-disable", color="secondary", className="me-2"),
        dbc.Button("Enable", id="admin-enable", color="secondary", className="me-2"),
        dbc.Button("Reset password", id="admin-reset", color="secondary", className="me-2"),
        dbc.Button("Reset two-step sign-in", id="admin-reset-mfa", color="secondary"),
        html.Div(id="admin-user-message", className="mt-3", role="status"),
    ])


def _reference_tab():
    return html.Div([
        html.P("Which sub-region each LA belongs to. Choose a new sub-region in the table; every page uses it at once.",
               className="mt-3"),
        _grid("admin-subregions-grid"),
        html.Div(id="admin-subregion-message", className="mt-3", role="status"),
    ])


def _indicators_tab():
    return html.Div([
        html.P("The Benchmarking indicators: name, theme, unit, decimal places, polarity (is higher better: higher, lower "
               "or neither), definition and source. Edit a cell; each change is checked, logged, and used at once.",
               className="mt-3"),
        _grid("admin-indicators-grid", wrap=False),
        html.Div(id="admin-indicator-message", className="mt-3", role="status"),
    ])


def layout(**query):
    is_admin = _is_admin()

    def admin_only(content):
        # Approvers get the same components (the callbacks need them) but hidden, and no data: the server refuses.
        return content if is_admin else html.Div([html.P("Administrators only.", className="mt-3"), html.Div(content, hidden=True)])

    audit = html.Div([html.P("The latest 1,000 events: sign-ins, failed sign-ins, refusals, changes.", className="mt-3"),
                      dbc.Button("Refresh", id="admin-audit-refresh", color="secondary", size="sm", className="mb-2"),
                      _grid("admin-audit-grid")])

    def section(title, content):
        return html.Section([html.H2(title, className="h4"), content], className="chart-card")

    return html.Div([
        page_heading("Admin", "Access requests, accounts and roles, the audit log and reference data."),
        html.Nav(html.Ul([html.Li(html.A(title, href=f"#{anchor}")) for title, anchor in
                          [("Access requests", "admin-requests"), ("Users and roles", "admin-users"),
                           ("Audit log", "admin-audit"), ("Reference data", "admin-reference"),
                           ("Indicator catalogue", "admin-indicators")]], className="mb-3"),
                 **{"aria-label": "Admin sections"}),
        html.Div(section("Access requests", _requests_tab()), id="admin-requests"),
        html.Div(section("Users and roles", admin_only(_users_tab())), id="admin-users"),
        html.Div(section("Audit log", admin_only(audit)), id="admin-audit"),
        html.Div(section("Reference data: sub-regions", admin_only(_reference_tab())), id="admin-reference"),
        html.Div(section("Reference data: indicator catalogue", admin_only(_indicators_tab())), id="admin-indicators"),
    ])


def _is_admin() -> bool:
    return bool(current_user and current_user.is_authenticated and current_user.role == ADMIN)


def _columns(table):
    """Each column sized to its header's words and its values (the shared grid rule), headed in words."""
    return [{**column, "headerName": column["field"].replace("_", " ").capitalize()} for column in column_defs(table)]


def _alert(text, ok=True):
    return dbc.Alert(text, color="success" if ok else "danger", className="py-2")


@callback(
    Output("admin-requests-grid", "rowData"), Output("admin-requests-grid", "columnDefs"),
    Output("admin-request-choice", "options"), Output("admin-request-message", "children"),
    Input("admin-approve", "n_clicks"), Input("admin-refuse", "n_clicks"),
    State("admin-request-choice", "value"), State("admin-request-note", "value"),
)
def access_requests(_approve, _refuse, request_id, note):
    message = None
    if ctx.triggered_id in ("admin-approve", "admin-refuse"):
        if request_id is None:
            message = _alert("Choose a request first.", ok=False)
        else:
            try:
                message = _alert(admin.decide_request(current_user, request_id, ctx.triggered_id == "admin-approve", note or ""))
            except InvalidChoice:
                raise   # a number no choice offered: 400
            except (AccessDenied, ValueError) as exc:
                message = _alert(str(exc), ok=False)
    table = admin.requests_table(current_user)
    options = [{"label": f"{r.name} <{r.email}> ({r.la_code})", "value": int(r.id)} for r in table.itertuples()]
    return table.to_dict("records"), _columns(table), options, message


@callback(
    Output("admin-users-grid", "rowData"), Output("admin-users-grid", "columnDefs"),
    Output("admin-user-choice", "options"), Output("admin-user-message", "children"),
    Input("admin-change-role", "n_clicks"), Input("admin-disable", "n_clicks"), Input("admin-enable", "n_clicks"),
    Input("admin-reset", "n_clicks"), Input("admin-reset-mfa", "n_clicks"),
    State("admin-user-choice", "value"), State("admin-role-choice", "value"),
)
def users(_role, _disable, _enable, _reset, _reset_mfa, email, roles):
    if not _is_admin():
        raise PreventUpdate
    message = None
    action = ctx.triggered_id
    if action:
        try:
            if not email or not isinstance(email, str):
                raise ValueError("Choose an account first.")
            if action == "admin-change-role":
                if not roles:
                    raise ValueError("Choose one or more roles first.")
                message = _alert(admin.change_roles(current_user, email, [roles] if isinstance(roles, str) else roles))
            elif action in ("admin-disable", "admin-enable"):
                message = _alert(admin.set_account_active(current_user, email, action == "admin-enable"))
            elif action == "admin-reset-mfa":
                message = _alert(admin.reset_two_step(current_user, email))
            else:
                password = admin.reset_password(current_user, email)
                message = _alert(["New password for ", html.Strong(email), ": ", html.Code(password),
                                  ". It is shown once: pass it on privately; they should change it after signing in."])
        except (AccessDenied, ValueError) as exc:
            message = _alert(str(exc), ok=False)
    table = admin.users_table(current_user)
    return table.to_dict("records"), _columns(table), list(table["email"]), message


@callback(Output("admin-audit-grid", "rowData"), Output("admin-audit-grid", "columnDefs"), Input("admin-audit-refresh", "n_clicks"))
def audit_log(_refresh):
    if not _is_admin():
        raise PreventUpdate
    table = admin.audit_table(current_user)
    return table.to_dict("records"), _columns(table)


def _cell_edit_message(changed, apply):
    """Apply the grid's latest cell edit with `apply(change)`; an alert saying how it went (None with no edit)."""
    if not changed:
        return None
    try:
        return _alert(apply(changed[0]))
    except (AccessDenied, ValueError) as exc:
        return _alert(str(exc), ok=False)
    except (KeyError, TypeError):   # an edit the grid never sends (a crafted request): its record lacks a field
        return _alert("That edit could not be read; nothing was changed. Reload the page and try again.", ok=False)


@callback(
    Output("admin-subregions-grid", "rowData"), Output("admin-subregions-grid", "columnDefs"),
    Output("admin-subregion-message", "children"),
    Input("admin-subregions-grid", "cellValueChanged"),
)
def subregions(changed):
    if not _is_admin():
        raise PreventUpdate
    message = _cell_edit_message(changed, lambda change: f"{change['data']['la_name']}: " + admin.move_la(
        current_user, change["data"]["la_code"], change["value"]))
    las, options = admin.subregions(current_user)
    columns = [{"field": "la_name", "headerName": "LA"}, {"field": "la_code", "headerName": "ONS code"},
               {"field": "inner_outer", "headerName": "Inner / outer"},
               {"field": "subregion_name", "headerName": "Sub-region (editable)", "editable": True,
                "cellEditor": "agSelectCellEditor", "cellEditorParams": {"values": [o["name"] for o in options]}}]
    return las.to_dict("records"), columns, message


@callback(
    Output("admin-indicators-grid", "rowData"), Output("admin-indicators-grid", "columnDefs"),
    Output("admin-indicator-message", "children"),
    Input("admin-indicators-grid", "cellValueChanged"),
)
def indicator_catalogue(changed):
    if not _is_admin():
        raise PreventUpdate
    message = _cell_edit_message(changed, lambda change: admin.edit_indicator(
        current_user, change["data"]["code"], change["colId"], change["value"]))
    table = admin.indicators(current_user)
    columns = [{"field": "code", "headerName": "Code", "pinned": "left"}]
    for field, (label, _valid, _rule) in admin.INDICATOR_FIELDS.items():
        column = {"field": field, "headerName": label, "editable": True}
        if field == "polarity":
            column.update(cellEditor="agSelectCellEditor", cellEditorParams={"values": ["higher", "lower", "neither"]})
        if field == "name":
            column.update(minWidth=280)
        if field in ("definition", "source"):
            column.update(maxWidth=420, cellEditor="agLargeTextCellEditor", cellEditorPopup=True, cellEditorParams={"maxLength": 2000})
        columns.append(column)
    return table.to_dict("records"), columns, message
