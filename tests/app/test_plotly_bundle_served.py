"""The app serves the partial plotly.js (tests/fast/test_plotly_bundle.py checks what it holds): compressed and cached
for a signed-in browser, and not before sign-in."""
from dashboard.plotly_bundle import BUNDLE, DASH_PLOTLY_PATH


def test_a_signed_in_browser_gets_the_partial_bundle_compressed(member_client):
    response = member_client.get("/" + DASH_PLOTLY_PATH, headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200
    assert response.headers["Content-Encoding"] == "gzip"
    assert response.mimetype == "application/javascript"
    revisit = member_client.get("/" + DASH_PLOTLY_PATH,
                                headers={"Accept-Encoding": "gzip", "If-None-Match": response.headers["ETag"]})
    assert revisit.status_code == 304
    plain = member_client.get("/" + DASH_PLOTLY_PATH)
    assert plain.get_data() == BUNDLE.read_bytes()
    again = member_client.get("/" + DASH_PLOTLY_PATH, headers={"If-None-Match": plain.headers["ETag"]})
    assert again.status_code == 304


def test_the_bundle_is_not_served_before_sign_in(client):
    assert client.get("/" + DASH_PLOTLY_PATH).status_code == 401
