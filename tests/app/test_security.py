"""Members-only data stays members-only: roles, sessions, rate limits, headers, CSRF, XSS, formula injection."""
import re
from datetime import datetime, timedelta, timezone

import dash
import pytest
from sqlalchemy import select, update

from dashboard.auth import web as auth_web
from dashboard.auth.users import create_user
from dashboard.store import get_engine, schema
from tests.store_fixtures import sign_out, ADMIN_EMAIL, MEMBER_EMAIL, PASSWORD, sign_in
from tests.dash_requests import callback_request, response_props


def _events(event, actor=None):
    a = schema.audit_event
    stmt = select(a.c.actor, a.c.detail).where(a.c.event == event)
    if actor:
        stmt = stmt.where(a.c.actor == actor)
    with get_engine().connect() as conn:
        return conn.execute(stmt).all()


@pytest.fixture(scope="module")
def approver(dash_app):
    create_user(get_engine(), "approver@croydon.example", PASSWORD, "E09000008", "approver", name="Croydon Approver")
    return "approver@croydon.example"


def test_every_page_refuses_anonymous_requests(client, dash_app):
    for page in dash.page_registry.values():
        response = client.get(page["relative_path"])
        assert response.status_code == 302, page["relative_path"]
        assert response.headers["Location"].startswith("/login")


def test_member_is_refused_pages_beyond_their_role_inside_the_apps_shell_and_it_is_logged(member_client):
    from tests.dash_requests import components, page_layout, texts
    for path in ("/sufficiency", "/admin"):
        # The app's shell (header, navigation for the role), not a bare error page: the router sends no-access content.
        response = member_client.get(path)
        assert response.status_code == 200 and 'id="react-entry-point"' in response.get_data(as_text=True)
        layout = page_layout(member_client, path)
        words = " ".join(texts(layout))
        assert "You don't have access to this page" in words and "approver or an administrator" in words
        assert "no-access" in components(layout)
    assert any("/admin" in detail for _actor, detail in _events("refused", MEMBER_EMAIL))
    # A path beyond the role that is not one of the app's pages is still refused outright.
    assert member_client.get("/admin/anything").status_code == 403


def test_the_overview_shows_a_member_only_the_dashboards_they_open_and_how_to_ask_for_the_others(member_client):
    from tests.dash_requests import page_layout, texts
    words = " ".join(texts(page_layout(member_client, "/")))
    assert "Benchmarking" in words and "Care leavers" in words and "Health in care" in words   # every dashboard it opens
    assert "Where are looked-after children placed" not in words            # no Sufficiency card for a member
    assert "Sufficiency is for commissioners and administrators." in words and "ask your LA's approver" in words
    assert "Benchmarking also gives" not in words and "charts as PNG and SVG images" in words


def test_every_dashboard_card_on_the_overview_says_what_it_answers(dash_app):
    from pages.home import QUESTIONS, dashboards_for
    opens, closed = dashboards_for("admin")
    assert opens and not closed
    assert [p["name"] for p in opens if p["relative_path"] not in QUESTIONS] == []   # no card with a bare name


def test_member_cannot_reach_admin_callbacks_by_crafting_a_request(member_client):
    response = callback_request(member_client, [("admin-audit-grid", "rowData"), ("admin-audit-grid", "columnDefs")],
                                [("admin-audit-refresh", "n_clicks", None)])
    assert response.status_code == 403
    assert any("callback" in detail for _actor, detail in _events("refused", MEMBER_EMAIL))


def test_navigation_lists_only_pages_the_role_may_open(member_client):
    text = member_client.get("/_dash-layout").get_data(as_text=True).replace("\\u002f", "/")
    assert '"href":"/benchmarking"' in text
    assert '"href":"/admin"' not in text and '"href":"/sufficiency"' not in text


def test_callback_endpoint_refuses_non_json_posts(member_client):
    response = member_client.post("/_dash-update-component", data="output=x", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400


def test_a_cookie_replayed_after_sign_out_no_longer_works(server):
    first = server.test_client()
    sign_in(first)
    cookie = first.get_cookie("session").value
    assert first.get("/_dash-layout").status_code == 200
    sign_out(first)
    thief = server.test_client()
    thief.set_cookie("session", cookie)
    assert thief.get("/_dash-layout").status_code == 401
    assert thief.get("/benchmarking").status_code == 302


def test_session_ends_after_idle_and_absolute_time_outs(dash_app):
    from dashboard.auth.sessions import session_is_live, start_session
    engine = get_engine()
    sid = start_session(engine, 1, "127.0.0.1")
    now = datetime.now(timezone.utc)
    idle, absolute = timedelta(minutes=30), timedelta(hours=12)
    assert session_is_live(engine, sid, 1, idle=idle, absolute=absolute, now=now + timedelta(minutes=29))
    assert not session_is_live(engine, sid, 2, idle=idle, absolute=absolute, now=now)          # someone else's
    assert not session_is_live(engine, sid, 1, idle=idle, absolute=absolute, now=now + timedelta(minutes=29 + 31))
    assert not session_is_live(engine, sid, 1, idle=idle, absolute=absolute, now=now)          # ended for good
    busy = start_session(engine, 1, None)
    for hours in range(1, 12):  # active every hour: never idle, still ends at 12 hours
        assert session_is_live(engine, busy, 1, idle=timedelta(hours=2), absolute=absolute, now=now + timedelta(hours=hours))
    assert not session_is_live(engine, busy, 1, idle=timedelta(hours=2), absolute=absolute, now=now + timedelta(hours=12, minutes=1))


def test_brute_force_sign_in_is_slowed_per_account_then_allowed_again(server):
    create_user(get_engine(), "target@lambeth.example", PASSWORD, "E09000022", "member")
    client = server.test_client()
    for _ in range(5):
        assert sign_in(client, "target@lambeth.example", "wrong password guess").status_code == 401
    blocked = sign_in(client, "target@lambeth.example", PASSWORD)  # even the right password waits
    assert blocked.status_code == 429
    assert "Too many failed sign-ins" in blocked.get_data(as_text=True)
    # No permanent lock-out: once the failures are older than the window, the right password works.
    with get_engine().begin() as conn:
        conn.execute(update(schema.audit_event).where(schema.audit_event.c.actor == "target@lambeth.example")
                     .values(at=datetime.now(timezone.utc) - timedelta(minutes=16)))
    assert sign_in(client, "target@lambeth.example", PASSWORD).status_code == 302


def test_brute_force_across_accounts_is_slowed_per_address(server):
    client = server.test_client()
    client.environ_base["REMOTE_ADDR"] = "203.0.113.7"
    statuses = [sign_in(client, f"nobody{i}@example.org", "wrong password guess").status_code for i in range(21)]
    assert statuses[:20] == [401] * 20 and statuses[20] == 429


def test_behind_a_trusted_proxy_limits_count_each_members_address_not_the_proxys(server, monkeypatch):
    from dashboard.web import trust_proxies
    monkeypatch.setattr(server, "wsgi_app", server.wsgi_app)   # put the app back as it was afterwards
    trust_proxies(server, 1)
    attacker, colleague = server.test_client(), server.test_client()
    for client, address in ((attacker, "198.51.100.9"), (colleague, "198.51.100.10")):
        client.environ_base.update(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=address)   # both via the load balancer
    statuses = [sign_in(attacker, f"guess{i}@example.org", "wrong password guess").status_code for i in range(21)]
    assert statuses[20] == 429
    # Someone else behind the same load balancer is not locked out by the attacker's failures.
    assert sign_in(colleague, "someone@example.org", "wrong password guess").status_code == 401


def test_security_headers_and_csp_on_every_response(member_client):
    response = member_client.get("/benchmarking")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self' 'sha256-" in csp and "frame-ancestors 'none'" in csp and "unsafe-eval" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["Cache-Control"] == "no-store"
    assert "Content-Security-Policy" in member_client.get("/login").headers


def test_session_cookie_flags(server):
    client = server.test_client()
    response = sign_in(client)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_server_errors_show_a_friendly_page_without_a_stack_trace(member_client, server, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("secret internal detail")
    monkeypatch.setattr(auth_web, "local_authorities", broken)   # the list of LAs the sign-up page reads
    server.config["PROPAGATE_EXCEPTIONS"] = False
    response = member_client.get("/register")
    assert response.status_code == 500
    text = response.get_data(as_text=True)
    assert "Sorry, something went wrong" in text and "secret internal detail" not in text and "Traceback" not in text


# --- asking for access, end to end -------------------------------------------------------------

def _register(client, **fields):
    page = client.get("/register").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    return client.post("/register", data={"csrf_token": token, **fields})


def _form(client_page):
    return re.search(r'name="csrf_token" value="([^"]+)"', client_page).group(1)


def test_new_member_asks_is_approved_signs_in_and_is_refused_beyond_role(server):
    person = server.test_client()
    response = _register(person, name="Ada Lovelace", email="ada@southwark.example", la_code="E09000028",
                         authoriser_name="Dr Director", authoriser_email="dcs@southwark.example", reason="Benchmarking")
    assert response.status_code == 302
    status_url = response.headers["Location"]
    page = person.get(status_url).get_data(as_text=True)
    assert "Waiting for a decision" in page and "Southwark" in page
    assert sign_in(person, "ada@southwark.example", "any password at all").status_code == 401  # no access before approval

    admin = server.test_client()
    sign_in(admin, ADMIN_EMAIL)
    listed = response_props(callback_request(admin, [("admin-requests-grid", "rowData"), ("admin-requests-grid", "columnDefs"),
                                                     ("admin-request-choice", "options"), ("admin-request-message", "children")],
                                             [("admin-approve", "n_clicks", None), ("admin-refuse", "n_clicks", None)],
                                             [("admin-request-choice", "value", None), ("admin-request-note", "value", None)]))
    request_id = next(o["value"] for o in listed["admin-request-choice"]["options"] if "ada@southwark.example" in o["label"])
    decided = callback_request(admin, [("admin-requests-grid", "rowData"), ("admin-requests-grid", "columnDefs"),
                                       ("admin-request-choice", "options"), ("admin-request-message", "children")],
                               [("admin-approve", "n_clicks", 1), ("admin-refuse", "n_clicks", None)],
                               [("admin-request-choice", "value", request_id), ("admin-request-note", "value", "Welcome")],
                               triggered="admin-approve.n_clicks")
    assert "Approved" in str(response_props(decided)["admin-request-message"]["children"])

    page = person.get(status_url).get_data(as_text=True)
    assert "Approved" in page and "Welcome" in page
    assert "at least 12 characters" in page and "before the @" in page   # the rules, before the first try
    weak = person.post(status_url, data={"csrf_token": _form(page), "password": "password1234", "password2": "password1234"})
    assert weak.status_code == 400 and "common passwords" in weak.get_data(as_text=True)
    page = person.get(status_url).get_data(as_text=True)
    done = person.post(status_url, data={"csrf_token": _form(page), "password": "seven brown owls at dusk",
                                         "password2": "seven brown owls at dusk"})
    assert done.status_code == 302
    assert sign_in(person, "ada@southwark.example", "seven brown owls at dusk").status_code == 302
    assert person.get("/benchmarking").status_code == 200
    assert person.get("/_dash-layout").status_code == 200 and "/sufficiency" not in \
        person.get("/_dash-layout").get_data(as_text=True).replace("\\u002f", "/")
    again = person.get(status_url).get_data(as_text=True)
    assert "Set your password" not in again  # the link works once


def test_approver_cannot_decide_another_las_request_even_by_crafted_callback(server, approver):
    from dashboard.auth.registration import AccessRequestForm, request_access
    request_access(get_engine(), AccessRequestForm("Bo Peep", "bo@hackney.example", "E09000012", "Head", "head@hackney.example"))
    with get_engine().connect() as conn:
        request_id = conn.execute(select(schema.access_request.c.id)
                                  .where(schema.access_request.c.email == "bo@hackney.example")).scalar_one()
    client = server.test_client()
    sign_in(client, approver)
    outputs = [("admin-requests-grid", "rowData"), ("admin-requests-grid", "columnDefs"),
               ("admin-request-choice", "options"), ("admin-request-message", "children")]
    listed = response_props(callback_request(client, outputs, [("admin-approve", "n_clicks", None), ("admin-refuse", "n_clicks", None)],
                                             [("admin-request-choice", "value", None), ("admin-request-note", "value", None)]))
    assert all(row["la_code"] == "E09000008" for row in listed["admin-requests-grid"]["rowData"])  # Croydon's only
    crafted = callback_request(client, outputs, [("admin-approve", "n_clicks", 1), ("admin-refuse", "n_clicks", None)],
                               [("admin-request-choice", "value", request_id), ("admin-request-note", "value", "")],
                               triggered="admin-approve.n_clicks")
    assert "only decide requests for your own LA" in str(response_props(crafted)["admin-request-message"]["children"])
    with get_engine().connect() as conn:
        status = conn.execute(select(schema.access_request.c.status).where(schema.access_request.c.id == request_id)).scalar_one()
    assert status == "pending"
    assert any(str(request_id) in detail for _a, detail in _events("refused", approver))
    # An approver has no users, audit or reference data.
    audit_log = callback_request(client, [("admin-audit-grid", "rowData"), ("admin-audit-grid", "columnDefs")],
                                 [("admin-audit-refresh", "n_clicks", None)])
    assert audit_log.status_code in (200, 204) and not (audit_log.get_json() or {}).get("response"), "approver got the audit log"


def test_names_people_type_are_shown_as_text_not_markup(server):
    person = server.test_client()
    response = _register(person, name="<script>alert('x')</script>", email="mallory@example.org", la_code="E09000001",
                         authoriser_name="<img src=x onerror=alert(1)>", authoriser_email="boss@example.org")
    page = person.get(response.headers["Location"]).get_data(as_text=True)
    assert "<script>alert" not in page and "&lt;script&gt;" in page
    assert "<img src=x" not in page


def test_registration_form_names_each_problem(server):
    response = _register(server.test_client(), name="", email="not-an-email", la_code="E99", authoriser_name="",
                         authoriser_email="x")
    text = response.get_data(as_text=True)
    assert response.status_code == 400
    for problem in ("Enter your name", "work email address", "Choose your local authority", "nominated you"):
        assert problem in text


@pytest.mark.parametrize("path", ["/sufficiency", "/admin", "/upload"])
def test_the_page_router_sends_a_restricted_pages_layout_only_to_roles_that_may_open_it(member_client, path):
    from tests.dash_requests import components, page_layout, texts
    layout = page_layout(member_client, path)
    prefix = {"/sufficiency": "suff-", "/admin": "admin-", "/upload": "upload-"}[path]
    assert not [i for i in components(layout) if i.startswith(prefix)], f"{path}'s layout reached a member"
    assert "You don't have access to this page" in " ".join(texts(layout))


def test_the_page_router_sends_the_admin_page_to_an_administrator(server):
    from tests.dash_requests import components, page_layout
    admin = server.test_client()
    sign_in(admin, ADMIN_EMAIL)
    assert any(i.startswith("admin-") for i in components(page_layout(admin, "/admin")))


def test_a_session_in_use_outlives_a_one_minute_idle_time_out(dash_app):
    """With SESSION_IDLE_MINUTES=1, a request every 50 seconds keeps the session; 61 s of quiet ends it."""
    from dashboard.auth.sessions import session_is_live, start_session
    engine = get_engine()
    sid = start_session(engine, 1, None)
    start = datetime.now(timezone.utc)
    idle, absolute = timedelta(minutes=1), timedelta(hours=12)
    for seconds in (50, 100, 150, 200):
        assert session_is_live(engine, sid, 1, idle=idle, absolute=absolute, now=start + timedelta(seconds=seconds)), seconds
    assert not session_is_live(engine, sid, 1, idle=idle, absolute=absolute, now=start + timedelta(seconds=261))


def test_every_registration_field_has_a_length_limit(server):
    client = server.test_client()
    client.environ_base["REMOTE_ADDR"] = "192.0.2.40"
    long_email = "a" * 5000 + "@example.org"
    response = _register(client, name="Long Email", email=long_email, la_code="E09000001", authoriser_name="Boss",
                         authoriser_email="boss@example.org", reason="x" * 2001)
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "Use 254 characters or fewer" in text and "Use 2,000 characters or fewer" in text
    with get_engine().connect() as conn:
        assert conn.execute(select(schema.access_request.c.id).where(schema.access_request.c.email == long_email)).first() is None


def test_requests_for_access_are_rate_limited_per_address(server):
    client = server.test_client()
    client.environ_base["REMOTE_ADDR"] = "192.0.2.41"
    statuses = [_register(client, name=f"Person {i}", email=f"p{i}@flood.example", la_code="E09000001",
                          authoriser_name="Boss", authoriser_email="boss@flood.example").status_code for i in range(11)]
    assert statuses[:10] == [302] * 10 and statuses[10] == 429
    other = server.test_client()
    other.environ_base["REMOTE_ADDR"] = "192.0.2.42"   # someone else is not held up
    assert _register(other, name="Someone", email="someone@else.example", la_code="E09000001", authoriser_name="Boss",
                     authoriser_email="boss@else.example").status_code == 302


def test_thirty_wrong_passwords_sent_at_once_get_five_checked(server):
    """Checking the limit and counting the attempt are one step, so a burst cannot slip past the count."""
    import threading
    email = "burst@lambeth.example"
    create_user(get_engine(), email, PASSWORD, "E09000022", "member")
    clients = []
    for i in range(30):
        client = server.test_client()
        client.environ_base["REMOTE_ADDR"] = f"198.51.100.{100 + i}"   # 30 addresses: only the account's limit applies
        token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").get_data(as_text=True)).group(1)
        clients.append((client, token))
    start, statuses = threading.Barrier(30), []

    def guess(client, token):
        start.wait()
        statuses.append(client.post("/login", data={"csrf_token": token, "email": email,
                                                    "password": "wrong password guess"}).status_code)
    threads = [threading.Thread(target=guess, args=pair) for pair in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [401] * 5 + [429] * 25
    assert len(_events("sign_in_failed", email)) == 5


RESTRICTED_PREFIXES = ("suff-", "admin-", "upload-")


def _served_component_ids(client, path="/"):
    """Every component id the browser is sent with an app page: the page's embedded config (Dash's validation layout:
    the layouts it checks callbacks against), `/_dash-layout` and `/_dash-dependencies` (every callback's ids)."""
    import json

    from tests.dash_requests import components
    page = client.get(path).get_data(as_text=True)
    config = json.loads(re.search(r'<script id="_dash-config" type="application/json">(.*?)</script>', page, re.S).group(1))
    ids = set(components(config.get("validation_layout")))
    ids |= set(components(client.get("/_dash-layout").get_json()))
    for callback in client.get("/_dash-dependencies").get_json():
        ids |= {str(d["id"]) for d in callback["inputs"] + callback["state"]}
        ids |= {item.rsplit(".", 1)[0] for item in callback["output"].strip(".").split("...")}
    return ids


def _pages_members_cannot_open() -> tuple[str, ...]:
    from dashboard.auth.roles import role_allows
    return tuple(p["id_prefix"] for p in dash.page_registry.values()
                 if p.get("allowed_roles") and not role_allows("member", p["allowed_roles"]))


@pytest.mark.parametrize("path", ["/", "/admin"])
def test_a_member_is_sent_no_component_ids_of_pages_their_role_cannot_open(member_client, path):
    restricted = _pages_members_cannot_open()
    assert set(RESTRICTED_PREFIXES) <= set(restricted)   # and any restricted page added since
    ids = _served_component_ids(member_client, path)
    assert len(ids) > 100   # every page the member opens is there
    assert not sorted(i for i in ids if i.startswith(restricted))


def test_an_administrator_is_sent_the_component_ids_of_every_page(server):
    admin = server.test_client()
    sign_in(admin, ADMIN_EMAIL)
    ids = _served_component_ids(admin)
    assert all(any(i.startswith(prefix) for i in ids) for prefix in _pages_members_cannot_open())
