"""Administrators edit the indicator catalogue: each change is checked, logged and used at once; members cannot."""
import json

import pytest
from sqlalchemy import select

from dashboard import loader
from dashboard.store import get_engine, schema
from tests.store_fixtures import ADMIN_EMAIL, sign_in
from tests.dash_requests import callback_request, response_props

OUTPUTS = [("admin-indicators-grid", "rowData"), ("admin-indicators-grid", "columnDefs"), ("admin-indicator-message", "children")]


@pytest.fixture()
def admin_client(server):
    client = server.test_client()
    assert sign_in(client, ADMIN_EMAIL).status_code == 302
    return client


def _edit(client, code, field, value):
    change = [{"rowIndex": 0, "data": {"code": code}, "colId": field, "value": value, "oldValue": None}]
    return callback_request(client, OUTPUTS, [("admin-indicators-grid", "cellValueChanged", change)])


def test_an_admin_changes_polarity_and_the_pages_use_it_at_once(admin_client, server):
    with server.app_context():
        before = loader.indicator("sw_caseload")["polarity"]
    props = response_props(_edit(admin_client, "sw_caseload", "polarity", "neither"))
    assert "saved" in json.dumps(props["admin-indicator-message"])
    with server.app_context():
        assert loader.indicator("sw_caseload")["polarity"] == "neither"     # new reference version: no stale cache
    response_props(_edit(admin_client, "sw_caseload", "polarity", before))
    with get_engine().connect() as conn:
        details = list(conn.execute(select(schema.audit_event.c.detail).where(
            schema.audit_event.c.event == "reference_changed", schema.audit_event.c.actor == ADMIN_EMAIL)).scalars())
    assert "indicator sw_caseload polarity = neither" in details


@pytest.mark.parametrize("field,value,rule", [("polarity", "sideways", "higher, lower or neither"),
                                              ("decimal_places", "7", "from 0 to 4"), ("name", "  ", "1 to 160"),
                                              ("code", "new_code", "cannot be changed")])
def test_a_bad_change_is_refused_and_nothing_changes(admin_client, server, field, value, rule):
    with server.app_context():
        before = loader.indicator("cla_rate")
    message = json.dumps(response_props(_edit(admin_client, "cla_rate", field, value))["admin-indicator-message"])
    assert rule in message
    with server.app_context():
        assert loader.indicator("cla_rate") == before


def test_members_cannot_edit_the_catalogue(member_client):
    assert _edit(member_client, "cla_rate", "polarity", "lower").status_code == 403
