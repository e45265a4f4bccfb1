"""Password policy and spreadsheet-formula neutralisation in exports."""
import io

import pandas as pd
import pytest

from dashboard.auth.passwords import PasswordRejected, hash_password, password_problems, verify_password
from dashboard.exports import neutralise_formulas, to_csv_bytes, to_excel_bytes


@pytest.mark.parametrize("password,problem", [
    ("short pass", "at least 12"),
    ("qwerty123456", "common passwords"),
    ("Password1234", "common passwords"),         # case does not help
    ("jane.doe-is-here", "email address"),
])
def test_policy_refuses_with_a_reason(password, problem):
    problems = " ".join(password_problems(password, "jane.doe@council.gov.uk"))
    assert problem in problems


def test_policy_has_no_composition_rules():
    assert password_problems("all lower case words here") == []


def test_hash_is_argon2id_and_verifies():
    hashed = hash_password("seven brown owls at dusk")
    assert hashed.startswith("$argon2id$")
    assert verify_password(hashed, "seven brown owls at dusk")
    assert not verify_password(hashed, "seven brown owls at dawn")
    with pytest.raises(PasswordRejected):
        hash_password("qwerty123456")


def test_formula_cells_are_neutralised_in_csv_and_excel():
    table = pd.DataFrame({"LA": ["=HYPERLINK(\"http://x\",\"click\")", "+1+1", "@SUM(A1)", "-2+3", "Lambeth"],
                          "Value": [1.5, -3.5, 2.0, 4.0, 5.0]})
    safe = neutralise_formulas(table)
    assert list(safe["LA"]) == ["'=HYPERLINK(\"http://x\",\"click\")", "'+1+1", "'@SUM(A1)", "'-2+3", "Lambeth"]
    assert list(safe["Value"]) == [1.5, -3.5, 2.0, 4.0, 5.0]  # numbers untouched
    csv = pd.read_csv(io.BytesIO(to_csv_bytes(table)), encoding="utf-8-sig")
    assert not csv["LA"].str.startswith(("=", "+", "@", "-")).any()
    xlsx = pd.read_excel(io.BytesIO(to_excel_bytes(table, [("Note", "=cmd|' /C calc'!A0")])), sheet_name=None)
    assert not xlsx["Data"]["LA"].str.startswith(("=", "+", "@", "-")).any()
    assert xlsx["Notes"]["Detail"][0].startswith("'=")
