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
from tests.store_fixtures import MEMBER_EMAIL, PASSWORD, sign_in


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
        return conn.execute(select(a.c.detail).where(a.c.actor == email, a.c.event == event)).scalars().all()


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
    assert response.status_code == 302 and response.headers["Location"] == "/"
    page = client.get("/login/enrol")
    assert page.status_code == 200 and "Set up two-step sign-in" in page.get_data(as_text=True)
