"""The form token that every form changing something carries (sign-in, sign-out, passwords, the second step), so
another site cannot submit it in a member's name. It lives in the signed session cookie."""
from __future__ import annotations

import hmac
import secrets

from flask import abort, request, session


def csrf_token() -> str:
    if "csrf_token" not in session:
        session["csrf_token"] = secrets.token_urlsafe(32)
    return session["csrf_token"]


def check_csrf() -> None:
    sent, expected = request.form.get("csrf_token", ""), session.get("csrf_token", "")
    if not expected or not hmac.compare_digest(sent, expected):
        abort(400, description="The form expired. Go back, reload the page and try again.")
