"""The second sign-in step (TOTP): required for the roles that see child-level-derived data or change data, optional
for members; enrolment with a QR code, codes used once, recovery codes used once, throttled like passwords, reset by
an administrator (audited)."""
import re
from datetime import datetime, timedelta, timezone

import pyotp
import pytest
from sqlalchemy import select, update

from dashboard.auth import mfa
from dashboard.auth.users import create_user
from dashboard.store import get_engine, schema
from tests.store_fixtures import MEMBER_EMAIL, PASSWORD, current_code, sign_in


def _token(response) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', response.get_data(as_text=True)).group(1)


def _password_only(client, email):
    page = client.get("/login")
    return client.post("/login", data={"csrf_token": _token(page), "email": email, "password": PASSWORD, "next": "/upload"})


def _enter(client, code, path="/login/code"):
    return client.post(path, data={"csrf_token": _token(client.get(path)), "code": code})


def _forget_last_code(email):
    """So a test can send a second code within one 30-second step (the app accepts each step's code once)."""
    with get_engine().begin() as conn:
        user_id = conn.execute(select(schema.app_user.c.id).where(schema.app_user.c.email == email)).scalar_one()
        conn.execute(update(schema.user_mfa).where(schema.user_mfa.c.user_id == user_id).values(last_step=None))


def _events(email, event):
    a = schema.audit_event
    with get_engine().connect() as conn:
        return conn.execute(select(a.c.detail).where(a.c.actor == email, a.c.event == event)
                            .order_by(a.c.id)).scalars().all()   # oldest first: PostgreSQL keeps no order unasked


@pytest.fixture()
def uploader(dash_app, request):
    email = f"officer-{request.node.name[-20:].replace('[', '').replace(']', '')}@lambeth.example".lower()
    create_user(get_engine(), email, PASSWORD, "E09000022", "uploader", name="Data Officer")
    return email


def test_the_password_alone_does_not_sign_in_a_role_that_needs_the_second_step(server, uploader):
    client = server.test_client()
    response = _password_only(client, uploader)
    assert response.status_code == 302 and response.headers["Location"] == "/login/enrol"
    assert client.get("/_dash-layout").status_code == 401
    assert client.get("/upload").status_code == 302


def test_enrol_with_the_qr_code_then_codes_and_recovery_codes_each_work_once(server, uploader):
    client = server.test_client()
    _password_only(client, uploader)
    page = client.get("/login/enrol").get_data(as_text=True)
    assert 'src="data:image/svg+xml' in page                      # the QR code, drawn on the server
    secret = re.search(r'<code id="mfa-secret"[^>]*>([A-Z2-7]+)</code>', page).group(1)
    assert _enter(client, "000000" if pyotp.TOTP(secret).now() != "000000" else "111111", "/login/enrol").status_code == 400
    done = _enter(client, pyotp.TOTP(secret).now(), "/login/enrol")
    assert done.status_code == 200
    codes = re.findall(r"<li><code[^>]*>([0-9a-f]{5}-[0-9a-f]{5})</code></li>", done.get_data(as_text=True))
    assert len(codes) == 10
    assert client.get("/upload").status_code == 200                 # signed in
    with get_engine().connect() as conn:
        stored = conn.execute(select(schema.mfa_recovery_code.c.code_hash)).scalars().all()
    assert not set(codes) & set(stored)                               # only hashes are kept

    again = server.test_client()
    _password_only(again, uploader)
    _forget_last_code(uploader)
    code = pyotp.TOTP(secret).now()
    assert _enter(again, code).status_code == 302
    replay = server.test_client()
    _password_only(replay, uploader)
    assert _enter(replay, code).status_code == 401                    # the same code a second time
    assert _enter(replay, codes[0]).status_code == 302                # a recovery code instead
    third = server.test_client()
    _password_only(third, uploader)
    assert _enter(third, codes[0]).status_code == 401                 # used once only
    assert mfa.recovery_codes_left(get_engine(), _user_id(uploader)) == 9


def _user_id(email):
    with get_engine().connect() as conn:
        return conn.execute(select(schema.app_user.c.id).where(schema.app_user.c.email == email)).scalar_one()


def test_wrong_codes_are_throttled_like_wrong_passwords(server, uploader):
    client = server.test_client()
    secret = mfa.new_secret()
    mfa.enrol(get_engine(), _user_id(uploader), uploader, secret)
    _password_only(client, uploader)
    for _ in range(5):
        assert _enter(client, "123456" if pyotp.TOTP(secret).now() != "123456" else "654321").status_code == 401
    _forget_last_code(uploader)
    blocked = _enter(client, pyotp.TOTP(secret).now())
    assert blocked.status_code == 429 and "Too many failed sign-ins" in blocked.get_data(as_text=True)
    assert len(_events(uploader, "sign_in_failed")) == 5


def test_a_code_from_a_minute_ago_is_refused():
    secret = mfa.new_secret()
    now = datetime.now(timezone.utc)
    assert mfa.code_is_valid_for_secret(secret, pyotp.TOTP(secret).at(now - timedelta(seconds=30)), now)
    assert not mfa.code_is_valid_for_secret(secret, pyotp.TOTP(secret).at(now - timedelta(seconds=90)), now)


def test_an_administrators_reset_is_audited_and_asks_for_enrolment_again(server, uploader, settings, monkeypatch):
    from dashboard.__main__ import main
    mfa.enrol(get_engine(), _user_id(uploader), uploader, mfa.new_secret())
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    assert main(["reset-mfa", uploader, "--actor", "admin@liia.example"]) == 0
    assert any(uploader in detail for detail in _events("admin@liia.example", "mfa_reset"))
    client = server.test_client()
    assert _password_only(client, uploader).headers["Location"] == "/login/enrol"


def test_members_are_not_asked_for_a_code_but_may_set_one_up(server):
    client = server.test_client()
    response = sign_in(client, MEMBER_EMAIL)
    assert response.status_code == 302 and response.headers["Location"] == "/my-la"
    page = client.get("/login/enrol")
    assert page.status_code == 200 and "Set up two-step sign-in" in page.get_data(as_text=True)


def _reset_from_admin_page(client, email):
    from tests.dash_requests import callback_request
    return callback_request(
        client, [("admin-users-grid", "rowData"), ("admin-users-grid", "columnDefs"), ("admin-user-choice", "options"),
                 ("admin-user-message", "children")],
        [("admin-change-role", "n_clicks", None), ("admin-disable", "n_clicks", None), ("admin-enable", "n_clicks", None),
         ("admin-reset", "n_clicks", None), ("admin-reset-mfa", "n_clicks", 1)],
        [("admin-user-choice", "value", email), ("admin-role-choice", "value", None)], triggered="admin-reset-mfa.n_clicks")


def test_an_administrator_resets_anothers_two_step_sign_in_from_the_admin_page(server, uploader):
    """The Users table says who has set it up; the reset is audited under the administrator's name, ends the account's
    sessions, and the person sets it up again at their next sign-in."""
    from tests.dash_requests import texts
    from tests.store_fixtures import ADMIN_EMAIL
    person = server.test_client()
    assert sign_in(person, uploader).status_code == 302 and person.get("/upload").status_code == 200
    admin = server.test_client()
    assert sign_in(admin, ADMIN_EMAIL).status_code == 302
    response = _reset_from_admin_page(admin, uploader)
    assert response.status_code == 200
    props = response.get_json()["response"]
    assert "Two-step sign-in reset for " + uploader in " ".join(texts(props["admin-user-message"]["children"]))
    row = next(r for r in props["admin-users-grid"]["rowData"] if r["email"] == uploader)
    assert row["two_step"] == "required, not set up"
    assert any(r["two_step"] == "set up" for r in props["admin-users-grid"]["rowData"] if r["email"] == ADMIN_EMAIL)
    assert _events(ADMIN_EMAIL, "mfa_reset")[-1] == uploader
    assert person.get("/upload").status_code == 302   # their session ended
    assert _password_only(server.test_client(), uploader).headers["Location"] == "/login/enrol"


def test_only_an_administrator_can_reset_two_step_sign_in_and_not_their_own(server, uploader):
    """Checked on the server: an approver reaches the Admin page but not this; a member not even the callback; a form
    post (what another site could send) is refused; an administrator cannot remove their own second step."""
    from tests.store_fixtures import ADMIN_EMAIL
    current_code(uploader)   # enrolled
    user_id = _user_id(uploader)
    create_user(get_engine(), "approver-mfa@lambeth.example", PASSWORD, "E09000022", "approver", name="Approver")
    approver = server.test_client()
    assert sign_in(approver, "approver-mfa@lambeth.example").status_code == 302
    assert _reset_from_admin_page(approver, uploader).status_code == 204    # the callback does nothing for them
    with pytest.raises(Exception, match="only administrators"):
        from dashboard import admin
        admin.reset_two_step(type("Approver", (), {"role": "approver", "email": "approver-mfa@lambeth.example"})(), uploader)
    member = server.test_client()
    assert sign_in(member, MEMBER_EMAIL).status_code == 302
    assert _reset_from_admin_page(member, uploader).status_code == 403
    administrator = server.test_client()
    assert sign_in(administrator, ADMIN_EMAIL).status_code == 302
    form_post = administrator.post("/_dash-update-component", data={"output": "admin-user-message.children"})
    assert form_post.status_code == 400
    assert mfa.is_enrolled(get_engine(), user_id)
    own = _reset_from_admin_page(administrator, ADMIN_EMAIL)
    assert "cannot reset your own" in str(own.get_json()["response"]["admin-user-message"]["children"])
    assert mfa.is_enrolled(get_engine(), _user_id(ADMIN_EMAIL))


def _stored_secret(email):
    with get_engine().connect() as conn:
        return conn.execute(select(schema.user_mfa.c.secret).where(schema.user_mfa.c.user_id == _user_id(email))).scalar_one()


def test_the_secret_is_stored_encrypted_and_a_plain_one_from_before_still_works_and_is_encrypted(server, uploader):
    """On this store (SQLite, or PostgreSQL with TEST_DATABASE_URL): the enrolment stores no plain secret; an account
    enrolled before encryption (a plain base32 secret) signs in with its code, and its secret is encrypted then."""
    secret = mfa.new_secret()
    mfa.enrol(get_engine(), _user_id(uploader), uploader, secret)
    stored = _stored_secret(uploader)
    assert stored.startswith("fernet:") and secret not in stored
    with get_engine().begin() as conn:   # as an account enrolled before secrets were encrypted
        conn.execute(update(schema.user_mfa).where(schema.user_mfa.c.user_id == _user_id(uploader))
                     .values(secret=secret, last_step=None))
    client = server.test_client()
    assert _password_only(client, uploader).headers["Location"] == "/login/code"
    assert _enter(client, pyotp.TOTP(secret).now()).status_code == 302
    migrated = _stored_secret(uploader)
    assert migrated.startswith("fernet:") and mfa.unseal(migrated) == secret


def test_a_secret_the_key_cannot_open_refuses_the_code_and_logs_why_never_a_500(server, uploader, caplog):
    secret = mfa.new_secret()
    before = mfa._cipher
    mfa.use_keys("a key since replaced")
    try:
        mfa.enrol(get_engine(), _user_id(uploader), uploader, secret)
    finally:
        mfa._cipher = before
    client = server.test_client()
    _password_only(client, uploader)
    assert _enter(client, pyotp.TOTP(secret).now()).status_code == 401
    assert any("cannot be decrypted" in r.getMessage() for r in caplog.records)


def test_the_store_declares_room_for_an_encrypted_secret_and_every_role():
    """Stores made by an older version are widened to what the schema declares at start-up (the mechanism is tested in
    test_writes); here, that the declared widths hold what is written: an encrypted secret, an account's every role."""
    from dashboard.auth.roles import ROLES, stored_roles
    from dashboard.store import schema
    assert len(mfa.seal(mfa.new_secret())) <= schema.user_mfa.c.secret.type.length
    assert len(stored_roles(ROLES)) <= schema.app_user.c.role.type.length
