"""Headless Chromium (Debian's /usr/bin/chromium, driven by Playwright) against the app on a loopback port."""
from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from tests.store_fixtures import MEMBER_EMAIL, PASSWORD, current_code, use_store

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
# Flags that keep Chromium off the network it doesn't have here (see ../shared/DESIGN.md).
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]


def pytest_configure(config):
    use_store(config)   # the app and store behind the live server


@pytest.fixture(scope="session")
def live_url(dash_app):
    server = make_server("127.0.0.1", 0, dash_app.server, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium not found at {CHROMIUM}: scripts/test installs Debian's chromium package")
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class ConsoleErrors(list):
    """Every console error and uncaught page error seen while a test ran."""


@pytest.fixture()
def page(browser, live_url):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    page = context.new_page()
    errors = ConsoleErrors()
    page.on("console", lambda msg: errors.append(f"console.{msg.type}: {msg.text}") if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(f"pageerror: {exc}"))
    page.console_errors = errors
    page.base_url = live_url
    yield page
    context.close()


def sign_in(page, email=MEMBER_EMAIL, password=PASSWORD):
    """Sign in through the form; for the roles that need the second step, with a code from the test authenticator."""
    page.goto(page.base_url + "/login")
    page.get_by_label("Work email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    if "/login/" in page.url:
        code = current_code(email)
        page.goto(page.base_url + "/login/code")
        page.get_by_label("Code").fill(code)
        page.get_by_role("button", name="Continue").click()
    page.wait_for_url(page.base_url + "/my-la")   # My LA: the home page after sign-in


def wait_for_dash(page, timeout=20000):
    """Wait until Dash has rendered and no callback is pending."""
    page.wait_for_selector("#_pages_content", timeout=timeout)
    page.wait_for_function("() => !document.querySelector('[data-dash-is-loading=\"true\"]')", timeout=timeout)
    page.wait_for_load_state("networkidle", timeout=timeout)


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def axe_violations(page) -> list[dict]:
    from axe_playwright_python.sync_playwright import Axe
    # Dash 4's Dropdown keeps a hidden focus-target input that axe reports as aria-hidden-focus;
    # it is Dash's own markup, not ours, and the dropdown itself is keyboard-usable.
    results = Axe().run(page, context={"exclude": [[".dash-dropdown-focus-target"]]})
    return results.response["violations"]


def describe_violations(violations: list[dict]) -> str:
    return "; ".join(f"{v['id']} ({v['help']}) at " + ", ".join(str(n["target"]) for n in v["nodes"][:5]) for v in violations)


def choose(page, dropdown_id: str, text: str, timeout=20000):
    """Open a Dash dropdown and pick the option by its exact label, as a user would; wait until it shows and
    the callbacks it started have finished (within `timeout` ms: the heavier pages need longer)."""
    from playwright.sync_api import expect
    page.locator(f"#{dropdown_id}").click()
    page.get_by_role("option", name=text, exact=True).click()
    page.keyboard.press("Escape")
    expect(page.locator(f"#{dropdown_id}")).to_contain_text(text, timeout=10000)
    wait_for_dash(page, timeout=timeout)


ANONYMISE = "Anonymise other LAs (LA 1 to LA 33; yours keeps its name)"   # the switch's label on every dashboard page


def slide_titles(page) -> list[str]:
    """Every chart's title on the page, in the order presentation mode steps through them."""
    return page.eval_on_selector_all(".slide h2", "els => els.map(e => e.textContent)")


def visible_slides(page) -> list[str]:
    """The titles of the charts on screen: all of them, or in presentation mode the one being shown."""
    return page.eval_on_selector_all(".slide", "els => els.filter(e => e.offsetParent !== null || "
                                               "getComputedStyle(e).position === 'fixed').map(e => e.querySelector('h2').textContent)")
