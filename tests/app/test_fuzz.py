"""The fuzz tier (in the app tier: callbacks need the app). Every server callback of every page is sent values of the
wrong type and shape (property-based, hypothesis: nothing, booleans, numbers including NaN and infinities, text,
lists, objects) as a signed-in administrator, who reaches every callback; the answer is a refusal (400 or 403) or a
handled answer (200, or 204 for "nothing to update"), never a 500. Then every file of the generated bad-file corpus
(tests/bad_files.py) is sent through the Upload page as the browser sends it: each is refused with a message naming
the file, and the store is unchanged. Examples are bounded (a fixed number per callback, derandomised so CI runs
the same ones) to keep the tier's time modest."""
import base64
import json

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from sqlalchemy import func, select

from dashboard.auth.users import create_user
from dashboard.store import get_engine, schema
from tests import bad_files
from tests.app.test_upload_page import _check as check_upload   # the Upload page's check-or-commit, as the browser sends it
from tests.dash_requests import callback_request, texts
from tests.store_fixtures import ADMIN_EMAIL, PASSWORD, sign_in

UPLOADER_EMAIL = "uploader@lambeth-fuzz.example"


def _server_callbacks(app) -> list[str]:
    return sorted(key for key, entry in app.callback_map.items() if "callback" in entry)


@pytest.fixture(scope="module")
def admin(dash_app):
    client = dash_app.server.test_client()
    assert sign_in(client, email=ADMIN_EMAIL).status_code == 302
    return client


@pytest.fixture(scope="module")
def uploader(dash_app):
    create_user(get_engine(), UPLOADER_EMAIL, PASSWORD, "E09000022", "uploader", name="Fuzz Uploader")
    client = dash_app.server.test_client()
    assert sign_in(client, email=UPLOADER_EMAIL).status_code == 302
    return client


def _payload(app, output: str, values: list) -> dict:
    entry = app.callback_map[output]
    deps = entry["inputs"] + entry["state"]
    items = [{"id": d["id"], "property": d["property"], "value": v} for d, v in zip(deps, values)]
    n_inputs = len(entry["inputs"])
    outputs = [{"id": o.rsplit(".", 1)[0], "property": o.rsplit(".", 1)[1]} for o in output.strip(".").split("...")]
    return {"output": output, "outputs": outputs if len(outputs) > 1 else outputs[0],
            "inputs": items[:n_inputs], "state": items[n_inputs:],
            "changedPropIds": [f"{items[0]['id']}.{items[0]['property']}"] if items else []}


def _post(client, payload):
    return client.post("/_dash-update-component", data=json.dumps(payload), content_type="application/json")


SCALARS = st.one_of(st.none(), st.booleans(), st.integers(min_value=-2**63, max_value=2**63),
                    st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=12))
WRONG = st.one_of(SCALARS, st.just(float("nan")), st.just(float("inf")), st.lists(SCALARS, max_size=3),
                  st.dictionaries(st.text(max_size=6), SCALARS, max_size=3), st.just("x" * 10_001))
HANDLED = {200, 204, 400, 403}


SLOTS = 100   # the callbacks are known only once the app is built, after collection: one test per slot


def test_every_server_callback_has_a_slot(dash_app):
    assert 40 < len(_server_callbacks(dash_app)) <= SLOTS


@pytest.mark.parametrize("index", range(SLOTS))
def test_wrong_values_never_get_a_500(dash_app, admin, index):
    keys = _server_callbacks(dash_app)
    if index >= len(keys):
        return   # a free slot
    output = keys[index]
    n = len(dash_app.callback_map[output]["inputs"] + dash_app.callback_map[output]["state"])

    @settings(max_examples=8, deadline=None, derandomize=True, database=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
    @given(values=st.lists(WRONG, min_size=n, max_size=n))
    def run(values):
        response = _post(admin, _payload(dash_app, output, values))
        assert response.status_code in HANDLED, (output, values, response.status_code, response.get_data(as_text=True)[:300])
    run()


# One value at a time of a shape or size no control sends, the callback's other values left empty (as the browser
# sends a page's controls before anything is chosen), so the value passes every other check and reaches the page.
ONE_WRONG = [{"$gt": ""}, [[1], {"a": 1}], "x" * 20_000, True, 1e308, 10**30, "nope"]


@pytest.mark.parametrize("index", range(SLOTS))
def test_one_wrong_value_with_the_others_empty_never_gets_a_500(dash_app, admin, index):
    """The random tier above rarely sends one wrong value among good ones; this sends each value of `ONE_WRONG` to
    each input and state of every callback. It found a number as Suspensions' groups (a list), a number past
    PostgreSQL's integers as an access request's number, and (below) a state named as what changed."""
    keys = _server_callbacks(dash_app)
    if index >= len(keys):
        return
    output = keys[index]
    entry = dash_app.callback_map[output]
    deps = entry["inputs"] + entry["state"]
    for position, dep in enumerate(deps):
        if position >= len(entry["inputs"]) and "download" in output:
            continue   # a download's choices reach it only with a click: each would draw a real chart, deck or file
        # A state reaches the callback with its first input named as changed.
        trigger = dep if position < len(entry["inputs"]) else entry["inputs"][0]
        for wrong in ONE_WRONG:
            values = [None] * len(deps)
            values[position] = wrong
            payload = {**_payload(dash_app, output, values), "changedPropIds": [f"{trigger['id']}.{trigger['property']}"]}
            response = _post(admin, payload)
            assert response.status_code in HANDLED, (output, dep, str(wrong)[:20], response.status_code,
                                                     response.get_data(as_text=True)[:300])


def test_what_a_request_says_changed_must_be_one_of_its_inputs(dash_app, admin):
    """An image download reads which button was pressed from what changed: a state, a component of another callback
    or something not text named there answered 500."""
    output = next(key for key in _server_callbacks(dash_app) if key.endswith("-image-download.data"))
    entry = dash_app.callback_map[output]
    state = entry["state"][0]
    values = [None] * len(entry["inputs"] + entry["state"])
    for changed in ([f"{state['id']}.{state['property']}"], ["no-such-thing.n_clicks"], [1], "x", [None]):
        response = _post(admin, {**_payload(dash_app, output, values), "changedPropIds": changed})
        assert response.status_code == 400, (changed, response.status_code)
        assert "what it says changed is not one of its inputs" in response.get_json()["error"]
    assert _post(admin, {**_payload(dash_app, output, values), "changedPropIds": []}).status_code in (200, 204)


def test_a_number_as_a_multiple_choice_is_refused_with_400(dash_app, admin):
    """Suspensions' groups (a multiple choice) sent as one number answered 500 (the page reads it as a list)."""
    output, entry = next((key, entry) for key, entry in dash_app.callback_map.items() if "callback" in entry and
                         any(d["id"] == "susp-groups" for d in entry["inputs"] + entry["state"]))
    deps = entry["inputs"] + entry["state"]
    for number in (1e308, 3):
        values = [number if d["id"] == "susp-groups" else None for d in deps]
        response = _post(admin, _payload(dash_app, output, values))
        assert response.status_code == 400 and "susp-groups.value is not a value" in response.get_json()["error"]
    values = [["not-a-group"] if d["id"] == "susp-groups" else None for d in deps]
    assert _post(admin, _payload(dash_app, output, values)).status_code in (200, 204)


def test_a_list_or_object_as_any_controls_value_is_refused_with_400(dash_app, admin):
    from dashboard.components.callback_values import layout_checks
    checks = layout_checks(dash_app.validation_layout)
    refused = 0
    for output in _server_callbacks(dash_app):
        deps = dash_app.callback_map[output]["inputs"] + dash_app.callback_map[output]["state"]
        for position, dep in enumerate(deps):
            if (dep["id"], dep["property"]) not in checks:
                continue
            for wrong in ({"$gt": ""}, [[1], {"a": 1}]):
                values = [None] * len(deps)
                values[position] = wrong
                response = _post(admin, _payload(dash_app, output, values))
                assert response.status_code == 400, (output, dep, wrong, response.status_code)
                assert f"{dep['id']}.{dep['property']} is not a value that control can have" in response.get_json()["error"]
                refused += 1
    assert refused > 300   # every filter of every page, the access-request choice, the upload choices, ...


def test_a_callback_the_server_does_not_run_is_refused_not_a_500(dash_app, admin):
    browser_side = next(key for key, entry in dash_app.callback_map.items() if "callback" not in entry)
    for output in (browser_side, "no-such-component.children"):
        response = _post(admin, {"output": output, "outputs": {"id": "x", "property": "y"}, "inputs": [], "state": []})
        assert response.status_code == 400 and "names no callback" in response.get_json()["error"]


def _contents(data: bytes) -> str:
    return "data:application/octet-stream;base64," + base64.b64encode(data).decode()


def _store_state():
    with get_engine().connect() as conn:
        uploads = conn.execute(select(func.count()).select_from(schema.upload)).scalar()
        versions = dict(conn.execute(select(schema.dataset.c.name, schema.dataset.c.version)).all())
    return uploads, versions


@pytest.mark.parametrize("case", list(bad_files.CORPUS))
def test_every_bad_file_is_refused_on_the_upload_page_and_the_store_is_unchanged(uploader, case):
    make, expected = bad_files.CORPUS[case]
    data, name = make(), f"{case}.csv"
    before = _store_state()
    check = check_upload(uploader, _contents(data), la=bad_files.LA, period=bad_files.PERIOD, name=name)
    assert check.status_code == 200, check.get_data(as_text=True)[:300]
    shown = " ".join(texts(check.get_json()["response"]["upload-report"]["children"]))
    assert "Rejected: nothing can be stored." in shown and expected in shown and name in shown, shown[:500]
    commit = check_upload(uploader, _contents(data), la=bad_files.LA, period=bad_files.PERIOD, name=name,
                          trigger="upload-commit.n_clicks", confirmed=True)
    assert commit.status_code == 200
    assert "Nothing was stored" in " ".join(texts(commit.get_json()["response"]["upload-commit-message"]["children"]))
    assert _store_state() == before


def _template_request(client, la_code, dataset="benchmarking", period=bad_files.PERIOD):
    return callback_request(client, [("upload-template-download", "data")],
                            [("upload-template-csv", "n_clicks", 1), ("upload-template-xlsx", "n_clicks", None)],
                            [("upload-dataset", "value", dataset), ("upload-la", "value", la_code),
                             ("upload-period", "value", period)], triggered="upload-template-csv.n_clicks")


def test_an_uploader_asking_for_another_las_template_is_refused_403(uploader):
    refused = _template_request(uploader, "E09000008")
    assert refused.status_code == 403 and refused.get_json()["error"] == "You may upload only for your own LA."
    assert _template_request(uploader, bad_files.LA).status_code == 200


@pytest.mark.parametrize("dataset,period,message", [("nope", bad_files.PERIOD, "unknown dataset 'nope'"),
                                                    ("benchmarking", "nope", "'nope' is not a date")])
def test_a_template_for_a_dataset_or_period_never_offered_is_refused_400(uploader, dataset, period, message):
    refused = _template_request(uploader, bad_files.LA, dataset=dataset, period=period)
    assert refused.status_code == 400 and message in refused.get_json()["error"]


def test_a_json_object_as_an_access_request_id_is_refused_400_and_logged(admin, caplog):
    response = callback_request(
        admin, [("admin-requests-grid", "rowData"), ("admin-requests-grid", "columnDefs"),
                ("admin-request-choice", "options"), ("admin-request-message", "children")],
        [("admin-approve", "n_clicks", 1), ("admin-refuse", "n_clicks", None)],
        [("admin-request-choice", "value", {"id": 1}), ("admin-request-note", "value", "")],
        triggered="admin-approve.n_clicks")
    assert response.status_code == 400
    assert response.get_json()["error"] == ("The request was refused: admin-request-choice.value is not a value that "
                                            "control can have. Reload the page and try again.")
    assert any(getattr(r, "event", "") == "callback_value_refused" for r in caplog.records)


@pytest.mark.parametrize("request_id", [10**30, 2**40, 1.5, "1", -1, True])
def test_an_access_request_number_never_offered_is_refused_400(admin, request_id):
    """A number past the store's integers answered 500 on PostgreSQL; a fraction decided the request it rounded to."""
    response = callback_request(
        admin, [("admin-requests-grid", "rowData"), ("admin-requests-grid", "columnDefs"),
                ("admin-request-choice", "options"), ("admin-request-message", "children")],
        [("admin-approve", "n_clicks", 1), ("admin-refuse", "n_clicks", None)],
        [("admin-request-choice", "value", request_id), ("admin-request-note", "value", "")],
        triggered="admin-approve.n_clicks")
    error = response.get_json()["error"]
    assert response.status_code == 400
    assert "is not an access request's number" in error or "is not a value that control can have" in error, error
