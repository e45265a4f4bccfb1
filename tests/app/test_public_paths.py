"""Only the sign-in, access-request and health paths, and real files under /assets/, are open without signing in."""
import platform

import dash
import pytest


@pytest.mark.parametrize("path", ["/loginx", "/registerx", "/healthzfoo", "/readyzfoo", "/assets/", "/assets/nothing-here",
                                  "/login/../benchmarking", "/register/statusx", "/favicon.icox"])
def test_paths_that_only_begin_like_a_public_one_need_sign_in(client, path):
    response = client.get(path)
    text = response.get_data(as_text=True)
    assert response.status_code in (302, 404), (path, response.status_code)
    if response.status_code == 302:
        assert response.headers["Location"].startswith("/login?next=")
    assert "_dash-config" not in text and "bench-" not in text   # no app page, no component ids


def test_the_favicon_is_a_real_icon_served_to_anyone(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response.mimetype in ("image/x-icon", "image/vnd.microsoft.icon", "image/svg+xml")
    assert b"_dash-config" not in response.data


def test_public_pages_name_no_software_version(client):
    for path in ("/login", "/register", "/healthz", "/readyz", "/favicon.ico", "/loginx"):
        response = client.get(path)
        blob = response.data.decode("latin-1") + str(response.headers)
        for version in (dash.__version__, platform.python_version()):
            assert version not in blob, (path, version)


def test_a_real_asset_is_served_without_sign_in(client):
    assert client.get("/assets/app.css").status_code == 200


def test_the_development_server_names_no_version(dash_app):
    import threading
    import urllib.request

    from werkzeug.serving import make_server

    from dashboard.web import QuietRequestHandler
    server = make_server("127.0.0.1", 0, dash_app.server, request_handler=QuietRequestHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{server.server_port}/healthz") as response:
            assert response.headers["Server"] == "dashboards"
    finally:
        server.shutdown()
