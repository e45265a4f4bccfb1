"""A data officer downloads the template, fills it badly, reads the errors, fixes it, commits, sees the page change."""
import csv
import io
import re

import pytest

from dashboard.auth.users import create_user
from dashboard.store import get_engine
from dashboard.upload import period_options
from tests.browser.conftest import axe_violations, choose, describe_violations, screenshot, sign_in, wait_for_dash
from tests.store_fixtures import PASSWORD

OFFICER = "officer@lambeth.example"


@pytest.fixture(scope="module")
def officer(dash_app, restore_demo):
    create_user(get_engine(), OFFICER, PASSWORD, "E09000022", "uploader", name="Data Officer")
    yield OFFICER
    restore_demo()  # other tests expect the demo data and the published figures


def test_template_to_committed_return(page, officer, tmp_path):
    quarter = period_options()[7]   # a quarter no other test uploads for
    sign_in(page, officer)
    page.goto(page.base_url + "/upload")
    wait_for_dash(page)
    choose(page, "upload-period", quarter["label"])
    with page.expect_download() as download:
        page.locator("#upload-template-csv").click()
    rows = list(csv.DictReader(io.StringIO(open(download.value.path(), encoding="utf-8-sig").read())))
    assert len(rows) == 19 and {r["la_code"] for r in rows} == {"E09000022"} and {r["period_end"] for r in rows} == {quarter["value"]}

    def write(values, name="lambeth_return.csv"):
        path = tmp_path / name
        with open(path, "w", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=list(rows[0]))
            writer.writeheader()
            for row, value in zip(rows, values):
                writer.writerow({**row, "value": value})
        return str(path)

    # Filled badly: text in a number column and a percentage over 100.
    bad = ["12"] * 19
    bad[0], bad[1] = "twelve", "140"
    page.locator("#upload-file input[type=file]").set_input_files(write(bad))
    page.get_by_text("Rejected: nothing can be stored.").wait_for()
    assert "19 rows read = 17 accepted + 2 rejected." in page.locator("#upload-report").inner_text()
    grid_text = page.locator("#upload-findings-grid").inner_text()
    assert "not a number" in grid_text and "twelve" in grid_text and "a percentage above 100" in grid_text
    assert page.locator("#upload-commit").is_disabled()
    screenshot(page, "upload-rejected")
    violations = axe_violations(page)
    assert not violations, describe_violations(violations)

    # Fixed: passes, commits, and the Benchmarking page shows the new return.
    page.locator("#upload-file input[type=file]").set_input_files(write(["12"] * 19))  # the same file, corrected
    page.get_by_text("Passed: ready to commit.").wait_for()
    # The first real return removes every LA's demo data: the page says so, and Commit waits for the uploader's yes.
    page.get_by_text("committing it removes the demo data of every LA").wait_for()
    assert page.locator("#upload-commit").is_disabled()
    screenshot(page, "upload-demo-warning")
    page.get_by_label("I understand: committing removes the demo data of every LA.").check()
    page.locator("#upload-commit:not([disabled])").wait_for()
    page.locator("#upload-commit").click()
    page.get_by_text("Stored as version 1 (19 rows).").wait_for()
    page.wait_for_selector("#upload-history-grid .ag-row")
    screenshot(page, "upload-committed")

    page.goto(page.base_url + f"/benchmarking?indicator=referrals_rate&focus=E09000022&from={quarter['value']}&to={quarter['value']}")
    wait_for_dash(page)
    # The first real return replaced the demo data, so Lambeth is the only LA that returned.
    assert "1 of 33 returned" in page.locator("#bench-ranking-title").inner_text()
    assert not page.get_by_text("Demo data.").is_visible()
    assert not page.console_errors, page.console_errors


SUSPENSIONS_OFFICER = "inclusion@lambeth.example"


@pytest.fixture()
def suspensions_officer(dash_app):
    from dashboard.dashboards.suspensions import returns as suspensions
    from dashboard.ingest.loading import demo_data_reloaded
    create_user(get_engine(), SUSPENSIONS_OFFICER, PASSWORD, "E09000022", "uploader", name="Inclusion Officer")
    yield SUSPENSIONS_OFFICER
    suspensions.load_demo(get_engine(), 7)   # other tests expect Lambeth's demo figures
    demo_data_reloaded(get_engine(), ["suspensions"])


def test_suspensions_return_from_template_to_the_suspensions_page(page, suspensions_officer, tmp_path):
    sign_in(page, suspensions_officer)
    page.goto(page.base_url + "/suspensions?area=E09000022&year=2023/24")
    wait_for_dash(page)
    assert page.get_by_text("Demo data.").is_visible()

    page.goto(page.base_url + "/upload")
    wait_for_dash(page)
    choose(page, "upload-dataset", "Suspensions by ethnicity (LA annual return)")
    assert page.locator("#upload-period-label").inner_text() == "Academic year"
    choose(page, "upload-period", "Academic year 2023/24")
    with page.expect_download() as download:
        page.locator("#upload-template-csv").click()
    rows = list(csv.DictReader(io.StringIO(open(download.value.path(), encoding="utf-8-sig").read())))
    assert len(rows) == 19 and rows[0]["ethnicity"] == "White British"
    assert {r["la_code"] for r in rows} == {"E09000022"} and {r["academic_year"] for r in rows} == {"2023/24"}

    def write(pupils_suspended, name="lambeth_suspensions.csv"):
        path = tmp_path / name
        with open(path, "w", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=list(rows[0]))
            writer.writeheader()
            for i, row in enumerate(rows):
                writer.writerow({**row, "headcount": 1000 + 100 * i, "pupils_suspended": pupils_suspended[i],
                                 "suspensions": 90, "permanent_exclusions": 1})
        return str(path)

    # Filled badly: a word for a count, and more pupils suspended than on roll.
    bad = ["40"] * 19
    bad[0], bad[3] = "forty", "5000"
    page.locator("#upload-file input[type=file]").set_input_files(write(bad))
    page.get_by_text("Rejected: nothing can be stored.").wait_for()
    assert "19 rows read = 17 accepted + 2 rejected." in page.locator("#upload-report").inner_text()
    grid_text = page.locator("#upload-findings-grid").inner_text()
    assert "not a number" in grid_text and "forty" in grid_text and "more pupils suspended than on roll" in grid_text
    screenshot(page, "upload-suspensions-rejected")

    page.locator("#upload-file input[type=file]").set_input_files(write(["40"] * 19))
    page.get_by_text("Passed: ready to commit.").wait_for()
    page.locator("#upload-commit").click()
    page.get_by_text(re.compile(r"Stored as version \d+ \(19 rows\)\.")).wait_for()   # earlier tests may have versions

    page.goto(page.base_url + "/suspensions?area=E09000022&year=2023/24")
    wait_for_dash(page)
    assert not page.get_by_text("Demo data.").is_visible()
    page.get_by_text("The LA's own return").first.wait_for()
    screenshot(page, "suspensions-after-upload")
    assert not page.console_errors, page.console_errors
