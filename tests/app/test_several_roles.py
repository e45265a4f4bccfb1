"""An account with several roles (a commissioner who also uploads): both roles' pages open, the navigation lists both,
nothing more opens; administrators give roles on the Admin page or the command line, audited."""
import subprocess
import sys

import pytest
from sqlalchemy import select

from dashboard.auth.users import create_user
from dashboard.store import get_engine, schema
from tests.dash_requests import callback_request, components, page_layout, texts
from tests.store_fixtures import ADMIN_EMAIL, PASSWORD, sign_in

BOTH = "commissioner-uploader@lambeth-roles.example"
LAMBETH, CAMDEN = "E09000022", "E09000007"


@pytest.fixture(scope="module")
def commissioner_uploader(dash_app):
    create_user(get_engine(), BOTH, PASSWORD, LAMBETH, ["commissioner", "uploader"], name="Two roles")
    return BOTH


def _opens(client, path: str) -> bool:
    """Does the page's own layout come back (not the no-access content the router sends a role without it)?"""
    return "no-access" not in components(page_layout(client, path))


def test_a_commissioner_who_uploads_opens_both_pages_and_nothing_more(server, commissioner_uploader):
    client = server.test_client()
    assert sign_in(client, commissioner_uploader).status_code == 302   # with the second step both roles need
    assert _opens(client, "/sufficiency") and _opens(client, "/upload")
    assert not _opens(client, "/admin")
    shell = client.get("/_dash-layout").get_data(as_text=True).replace("\\u002f", "/")   # header and navigation
    assert '"href":"/sufficiency"' in shell and '"href":"/upload"' in shell and '"href":"/admin"' not in shell
    assert "commissioner and uploader" in shell                     # the header says which roles are in use


def test_the_upload_rules_hold_for_each_role_an_account_holds(server, commissioner_uploader):
    from dashboard.auth.registration import AccessDenied
    from dashboard.auth.users import get_user
    from dashboard.upload import authorise, may_upload
    with get_engine().connect() as conn:
        user_id = conn.execute(select(schema.app_user.c.id).where(schema.app_user.c.email == commissioner_uploader)).scalar()
    with server.app_context():
        user = get_user(get_engine(), user_id)
        assert user.role == "commissioner" and may_upload(user)   # reads as a commissioner, uploads as an uploader
        authorise(user, LAMBETH)
        with pytest.raises(AccessDenied, match="only for your own LA"):
            authorise(user, CAMDEN)


def _change_roles(client, email, roles):
    return callback_request(
        client, [("admin-users-grid", "rowData"), ("admin-users-grid", "columnDefs"), ("admin-user-choice", "options"),
                 ("admin-user-message", "children")],
        [("admin-change-role", "n_clicks", 1), ("admin-disable", "n_clicks", None), ("admin-enable", "n_clicks", None),
         ("admin-reset", "n_clicks", None), ("admin-reset-mfa", "n_clicks", None)],
        [("admin-user-choice", "value", email), ("admin-role-choice", "value", roles)], triggered="admin-change-role.n_clicks")


def test_an_administrator_gives_an_account_several_roles_on_the_admin_page(server):
    email = "approver-uploader@camden-roles.example"
    create_user(get_engine(), email, PASSWORD, CAMDEN, "member")
    admin = server.test_client()
    assert sign_in(admin, ADMIN_EMAIL).status_code == 302
    props = _change_roles(admin, email, ["uploader", "approver"]).get_json()["response"]
    assert f"{email} is now uploader and approver." in " ".join(texts(props["admin-user-message"]["children"]))
    row = next(r for r in props["admin-users-grid"]["rowData"] if r["email"] == email)
    assert row["role"] == "uploader and approver" and row["two_step"] == "required, not set up"
    with get_engine().connect() as conn:
        detail = conn.execute(select(schema.audit_event.c.detail).where(schema.audit_event.c.event == "role_changed")
                              .order_by(schema.audit_event.c.id.desc())).scalar()
    assert detail == f"{email}: member -> uploader and approver"
    person = server.test_client()
    assert sign_in(person, email).status_code == 302
    assert _opens(person, "/upload") and _opens(person, "/admin") and not _opens(person, "/sufficiency")
    refused = _change_roles(admin, email, ["owner"]).get_json()["response"]
    assert "unknown role 'owner'" in " ".join(texts(refused["admin-user-message"]["children"]))
    own = _change_roles(admin, ADMIN_EMAIL, ["member"]).get_json()["response"]
    assert "cannot change your own roles" in " ".join(texts(own["admin-user-message"]["children"]))


def test_the_command_line_creates_and_changes_an_account_with_several_roles(settings, dash_app):
    email = "cli-roles@lambeth-roles.example"
    env = {"DATABASE_URL": settings.database_url, "SECRET_KEY": settings.secret_key, "NEW_USER_PASSWORD": PASSWORD,
           "LOAD_DEMO_DATA": "false", "PATH": "/usr/bin:/bin"}
    made = subprocess.run([sys.executable, "-m", "dashboard", "create-user", email, "--la", LAMBETH,
                           "--role", "commissioner", "--role", "uploader"], env=env, capture_output=True, text=True)
    assert made.returncode == 0, made.stderr
    assert f"Created {email} (commissioner and uploader, {LAMBETH})." in made.stdout
    changed = subprocess.run([sys.executable, "-m", "dashboard", "set-roles", email, "--role", "member"],
                             env=env, capture_output=True, text=True)
    assert changed.returncode == 0 and f"{email} is now member." in changed.stdout
    with get_engine().connect() as conn:
        assert conn.execute(select(schema.app_user.c.role).where(schema.app_user.c.email == email)).scalar() == "member"
