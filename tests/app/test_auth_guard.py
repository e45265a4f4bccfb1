"""The one server-side guard: anonymous requests are refused everywhere but the sign-in page."""
import pytest

from tests.store_fixtures import sign_out, MEMBER_EMAIL, sign_in
from tests.dash_requests import callback_request


@pytest.mark.parametrize("path", ["/", "/benchmarking", "/benchmarking?indicator=cla_rate", "/send", "/accessibility"])
def test_anonymous_page_request_redirects_to_sign_in(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


@pytest.mark.parametrize("path", ["/_dash-layout", "/_dash-dependencies"])
def test_anonymous_dash_json_endpoints_get_401(client, path):
    response = client.get(path)
    assert response.status_code == 401


def test_anonymous_callback_is_refused(client):
    response = callback_request(client, [("bench-download", "data")],
                                [("bench-dl-ranking-csv", "n_clicks", 1)])
    assert response.status_code == 401


def test_sign_in_page_is_public_and_has_lang(client):
    response = client.get("/login")
    assert response.status_code == 200
    assert '<html lang="en">' in response.get_data(as_text=True)


def test_wrong_password_is_refused_and_audited(client, dash_app):
    from sqlalchemy import select

    from dashboard.store import get_engine, schema
    response = sign_in(client, password="not the password at all")
    assert response.status_code == 401
    assert "do not match" in response.get_data(as_text=True)
    assert client.get("/benchmarking").status_code == 302  # still anonymous
    with get_engine().connect() as conn:
        events = conn.execute(select(schema.audit_event.c.event).where(schema.audit_event.c.actor == MEMBER_EMAIL)).scalars().all()
    assert "sign_in_failed" in events


def test_sign_in_without_csrf_token_is_refused(client):
    response = client.post("/login", data={"email": MEMBER_EMAIL, "password": "x" * 20})
    assert response.status_code == 400


def test_signed_in_member_is_served_pages_layout_and_callbacks(member_client):
    assert member_client.get("/benchmarking").status_code == 200
    layout = member_client.get("/_dash-layout")
    assert layout.status_code == 200
    assert MEMBER_EMAIL in layout.get_data(as_text=True)  # the header names the signed-in user
    assert member_client.get("/_dash-dependencies").status_code == 200


def test_sign_in_redirects_only_to_local_paths(client):
    response = sign_in(client, next_path="https://evil.example/steal")
    assert response.status_code == 302
    assert response.headers["Location"] == "/my-la"   # the home page after sign-in


def test_sign_in_returns_to_the_page_asked_for(client):
    response = sign_in(client, next_path="/benchmarking?indicator=cla_rate")
    assert response.headers["Location"] == "/benchmarking?indicator=cla_rate"


def test_sign_out_ends_the_session(member_client):
    assert sign_out(member_client).status_code == 302
    assert member_client.get("/_dash-layout").status_code == 401


def test_health_check_reports_the_store(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "store": "ok"}


def test_another_site_cannot_sign_a_member_out(member_client):
    """A link or image to /logout (a GET), or a form post without the session's token, leaves the member signed in."""
    page = member_client.get("/logout")
    assert page.status_code == 200 and "Sign out" in page.get_data(as_text=True)
    assert member_client.post("/logout", data={}).status_code == 400
    assert member_client.get("/_dash-layout").status_code == 200


def test_the_headers_sign_out_button_posts_the_form_token(member_client):
    layout = member_client.get("/_dash-layout").get_data(as_text=True)
    assert '"action":"/logout"' in layout.replace("\\u002f", "/") and '"method":"post"' in layout
    assert '"name":"csrf_token"' in layout
