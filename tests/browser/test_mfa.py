"""Two-step sign-in in the browser: a commissioner sets up an authenticator app with the QR page, signs in with a code,
has a wrong code refused, and signs in once with a recovery code (the second time it is refused)."""
import re

import pyotp
import pytest
from playwright.sync_api import expect
from sqlalchemy import select, update

from dashboard.auth.users import create_user
from dashboard.store import get_engine, schema
from tests.browser.conftest import axe_violations, describe_violations, screenshot
from tests.store_fixtures import PASSWORD

EMAIL = "two-step@lambeth.example"


@pytest.fixture(scope="module")
def commissioner(dash_app):
    create_user(get_engine(), EMAIL, PASSWORD, "E09000022", "commissioner", name="Two Step")
    return EMAIL


def _password(page, email):
    page.goto(page.base_url + "/login")
    page.get_by_label("Work email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def _code(page, code):
    page.get_by_label("Code").fill(code)
    page.get_by_role("button", name="Continue").click()
    page.wait_for_load_state()


def _signed_in(page):
    """Where signing in lands: My LA, the home page after sign-in (after setting up two-step sign-in too)."""
    return re.compile(re.escape(page.base_url) + r"/my-la.*$")


def _sign_out(page):
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/login?signed_out=1")


def _forget_last_code(email):
    """The app accepts each 30-second step's code once; the test signs in again within one step."""
    with get_engine().begin() as conn:
        user_id = conn.execute(select(schema.app_user.c.id).where(schema.app_user.c.email == email)).scalar_one()
        conn.execute(update(schema.user_mfa).where(schema.user_mfa.c.user_id == user_id).values(last_step=None))


def test_enrol_sign_in_with_a_code_wrong_code_refused_recovery_code_once(page, commissioner):
    _password(page, commissioner)
    assert page.url.endswith("/login/enrol")
    qr = page.get_by_role("img", name="QR code that sets up this account in an authenticator app")
    expect(qr).to_be_visible()
    assert page.evaluate("() => document.querySelector('img').naturalWidth") > 0     # the SVG draws
    assert not axe_violations(page), describe_violations(axe_violations(page))
    screenshot(page, "mfa-enrol")
    secret = page.locator("#mfa-secret").inner_text()
    page.get_by_label("Code from the app").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Confirm").click()
    codes = page.locator("#recovery-codes code").all_inner_texts()
    assert len(codes) == 10
    screenshot(page, "mfa-recovery-codes")
    page.get_by_role("link", name="Continue to the dashboards").click()
    page.wait_for_url(_signed_in(page))
    expect(page.get_by_text(commissioner)).to_be_visible()            # signed in: the header names them
    _sign_out(page)

    _password(page, commissioner)
    assert page.url.endswith("/login/code")
    wrong = "000000" if pyotp.TOTP(secret).now() != "000000" else "111111"
    _code(page, wrong)
    expect(page.get_by_role("alert")).to_contain_text("That code is not right")
    _forget_last_code(commissioner)
    _code(page, pyotp.TOTP(secret).now())
    page.wait_for_url(_signed_in(page))
    expect(page.get_by_text(commissioner)).to_be_visible()
    _sign_out(page)

    _password(page, commissioner)
    _code(page, codes[3])
    page.wait_for_url(_signed_in(page))
    _sign_out(page)
    _password(page, commissioner)
    _code(page, codes[3])
    expect(page.get_by_role("alert")).to_contain_text("used already")
    assert page.url.endswith("/login/code")
    # The refused codes' pages answer 401, which Chromium logs as a failed load; nothing else may be logged.
    assert not [e for e in page.console_errors if "status of 401" not in e], page.console_errors


def test_an_administrator_resets_a_commissioners_two_step_sign_in_from_the_admin_page(page, dash_app):
    """The reset says so, with no browser error; at the commissioner's next sign-in the QR page is shown again."""
    from tests.browser.conftest import choose, sign_in, wait_for_dash
    from tests.store_fixtures import ADMIN_EMAIL, current_code
    email = "reset-me@lambeth.example"
    create_user(get_engine(), email, PASSWORD, "E09000022", "commissioner", name="Reset Me")
    current_code(email)   # enrolled, as after a first sign-in
    sign_in(page, ADMIN_EMAIL)
    page.goto(page.base_url + "/admin")
    wait_for_dash(page)
    choose(page, "admin-user-choice", email)
    page.get_by_role("button", name="Reset two-step sign-in").click()
    expect(page.locator("#admin-user-message")).to_contain_text(f"Two-step sign-in reset for {email}", timeout=20000)
    assert not page.console_errors, page.console_errors
    _sign_out(page)
    _password(page, email)
    assert page.url.endswith("/login/enrol")
