"""Sign-in, access requests, and the one server-side guard in front of every route.

The guard is a Flask `before_request`, not a Dash routing callback, so `/_dash-layout`,
`/_dash-dependencies` and `/_dash-update-component` are refused to anonymous requests too, and
each page's roles are enforced on its path and on its callbacks.
"""
from __future__ import annotations

import logging
import time
from datetime import timedelta
from urllib.parse import urlparse

from flask import (Blueprint, Flask, current_app, jsonify, redirect, render_template, request, session,
                   url_for)
from flask_login import LoginManager, current_user, login_user, logout_user

from dashboard.auth import access, mfa, registration
from dashboard.auth.csrf import check_csrf, csrf_token
from dashboard.auth.passwords import PASSWORD_RULES, PasswordRejected
from dashboard.auth.sessions import end_session, session_is_live, start_session
from dashboard.auth.throttle import attempt_succeeded, reserve_attempt
from dashboard.auth.users import audit, authenticate, get_user
from dashboard.loader import local_authorities
from dashboard.store import get_engine

log = logging.getLogger(__name__)

# Routes anyone may reach, by the view that answers them (never by a path prefix, which would let `/loginx` through
# to the app page): signing in, asking for access, the health and readiness checks, the favicon, and files that exist
# under /assets/ (Dash's static route; `/assets/` alone falls to the app page's catch-all and is not public).
PUBLIC_ENDPOINTS = frozenset({"auth.login", "auth.second_step", "auth.enrol", "auth.register", "auth.register_status", "healthz", "readyz", "favicon"})
SECOND_STEP_MINUTES = 10   # after the right password, the code must follow within this time
REGISTER_FIELDS = [("name", "Your name", "text", "name"), ("email", "Work email", "email", "email"),
                   ("authoriser_name", "Name of the DCS or senior leader who nominated you", "text", "off"),
                   ("authoriser_email", "Their work email", "email", "off")]


def _settings():
    return current_app.config["LCSD_SETTINGS"]


def client_ip() -> str | None:
    return request.remote_addr


HOME_AFTER_SIGN_IN = "/my-la"


def _safe_next(target: str | None) -> str:
    """Only same-site relative paths, so the sign-in page cannot be used to redirect elsewhere."""
    if not target:
        return "/"
    parsed = urlparse(target)
    if parsed.scheme or parsed.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def is_public() -> bool:
    endpoint = request.endpoint or ""
    return endpoint in PUBLIC_ENDPOINTS or (request.path.startswith("/assets/") and endpoint.endswith(".static"))


def _refuse(reason: str):
    audit(get_engine(), actor=current_user.email, event="refused", detail=f"{request.method} {request.path}: {reason}",
          ip=client_ip())
    if request.path.startswith("/_dash-"):
        return jsonify({"error": "your role does not give access to this"}), 403
    return render_template("error.html", title=access.NO_ACCESS_TITLE, message=access.NO_ACCESS_MESSAGE,
                           show_sign_in=False), 403


def guard():
    """Every request: sign-in first, then the page's or callback's roles."""
    path = request.path
    if request.method == "POST" and path.startswith("/_dash-") and not request.is_json:
        return jsonify({"error": "callback requests must be JSON"}), 400  # no cross-site form posts
    if is_public():
        return None
    if not current_user.is_authenticated:
        if path.startswith("/_dash-") or path.startswith("/_reload-hash") or request.method != "GET":
            return jsonify({"error": "sign in required"}), 401
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
    if path == "/_dash-update-component":
        if not access.callback_allowed(request.get_json(silent=True) or {}, current_user.roles):
            return _refuse("callback beyond role")
    elif not path.startswith("/_"):
        if not access.page_allowed(path, current_user.roles):
            if request.method == "GET" and access.is_app_page(path):
                # The app's shell, with its header and navigation (only the pages the role opens): its page router
                # then sends the no-access content, never the page's layout, and the page's callbacks stay refused.
                audit(get_engine(), actor=current_user.email, event="refused",
                      detail=f"GET {path}: page beyond role (shown the no-access page)", ip=client_ip())
                return None
            return _refuse("page beyond role")
    return None


auth_blueprint = Blueprint("auth", __name__, template_folder="templates")


def _reserve_attempt(engine, email: str, detail: str = "") -> tuple[int, int | None]:
    """Check the limits and count this attempt as failed, in one step (see `throttle.reserve_attempt`)."""
    settings = _settings()
    return reserve_attempt(engine, email, client_ip(), window_minutes=settings.sign_in_window_minutes,
                           per_account=settings.sign_in_limit_per_account,
                           per_address=settings.sign_in_limit_per_address, detail=detail)


@auth_blueprint.route("/login", methods=["GET", "POST"])
def login():
    page = {"title": "Sign in", "csrf_token": csrf_token(), "next": _safe_next(request.values.get("next")),
            "email": "", "error": "", "message": ""}
    if request.method == "GET":
        if request.args.get("signed_out"):
            page["message"] = "You have signed out."
        elif request.args.get("expired"):
            page["message"] = "Your session ended. Please sign in again."
        return render_template("login.html", **page)
    check_csrf()
    engine = get_engine()
    email = request.form.get("email", "")[:254]
    page["email"] = email
    wait, attempt = _reserve_attempt(engine, email.strip().lower())
    if wait:
        audit(engine, actor=email.strip().lower(), event="sign_in_throttled", ip=client_ip())
        page["error"] = _throttled_message(wait)
        return render_template("login.html", **page), 429
    user = authenticate(engine, email, request.form.get("password", ""), ip=client_ip(), audited=False)
    if user is not None:
        attempt_succeeded(engine, attempt, "sign_in")
    if user is None:
        page["error"] = "That email and password do not match an active account."
        return render_template("login.html", **page), 401
    next_path = _safe_next(request.form.get("next"))
    session.clear()  # a fresh session on sign-in (no fixation)
    if mfa.is_enrolled(engine, user.id) or mfa.required_for(user.role):
        # Half signed in: the password was right; nothing but the second step is open until a code is.
        session.update(mfa_user=user.id, mfa_since=time.time(), mfa_next=next_path)
        return redirect(url_for("auth.second_step" if mfa.is_enrolled(engine, user.id) else "auth.enrol"))
    return _finish_sign_in(engine, user, next_path)


def _finish_sign_in(engine, user, next_path: str):
    session.clear()
    session["sid"] = start_session(engine, user.id, client_ip())
    session.permanent = True
    # The form token is made now, not by the first page that shows a form: every response re-sends the session
    # cookie, so a token added by one request would be lost to another answered at the same moment.
    csrf_token()
    login_user(user)
    return redirect(_landing(next_path))


def _landing(next_path: str) -> str:
    """Where signing in lands: My LA, the home page after sign-in, unless a page was asked for by name."""
    return HOME_AFTER_SIGN_IN if next_path in ("", "/") else next_path


def _pending_user():
    """The account whose password was right a moment ago and whose second step is owed (None if none, or too old)."""
    user_id, since = session.get("mfa_user"), session.get("mfa_since", 0)
    if user_id is None or time.time() - since > SECOND_STEP_MINUTES * 60:
        return None
    user = get_user(get_engine(), int(user_id))
    return user if user is not None and user.is_active else None


def _checked_code(engine, user, page: dict, template: str, *, check, detail: str, wrong: str, wrong_status: int,
                  event: str):
    """The one flow of both second steps (a code at sign-in, the first code of an enrolment): count the attempt with
    the wrong passwords under the same limits (checked and counted in one step), refuse while over them, check the
    code, and record the attempt as a success when right. Returns (what `check` returned, None) when the code is
    right, else (None, the page to answer with: 429 throttled, or `wrong_status` with the `wrong` message)."""
    wait, attempt = _reserve_attempt(engine, user.email, detail)
    if wait:
        audit(engine, actor=user.email, event="sign_in_throttled", detail="second step", ip=client_ip())
        page["error"] = _throttled_message(wait)
        return None, (render_template(template, **page), 429)
    accepted = check(request.form.get("code", "")[:64])
    if not accepted:
        page["error"] = wrong
        return None, (render_template(template, **page), wrong_status)
    attempt_succeeded(engine, attempt, event, accepted if isinstance(accepted, str) else "")
    return accepted, None


def _throttled_message(wait: int) -> str:
    return f"Too many failed sign-ins. Try again in {wait} minute{'s' if wait != 1 else ''}."


@auth_blueprint.route("/login/code", methods=["GET", "POST"])
def second_step():
    engine, user = get_engine(), _pending_user()
    if user is None:
        return redirect(url_for("auth.login", expired=1))
    if not mfa.is_enrolled(engine, user.id):
        return redirect(url_for("auth.enrol"))
    page = {"title": "Enter your code", "csrf_token": csrf_token(), "error": ""}
    if request.method == "GET":
        return render_template("mfa_code.html", **page)
    check_csrf()
    _accepted, refused = _checked_code(
        engine, user, page, "mfa_code.html", check=lambda code: mfa.accept_code(engine, user.id, code),
        detail="second step: wrong code", event="sign_in_second_step", wrong_status=401,
        wrong="That code is not right, or has been used already. Wait for the next code and try again.")
    if refused:
        return refused
    return _finish_sign_in(engine, user, session.get("mfa_next", "/"))


@auth_blueprint.route("/login/enrol", methods=["GET", "POST"])
def enrol():
    """Set up the authenticator app: at sign-in for the roles that need it, or any time for a signed-in member."""
    engine, pending = get_engine(), _pending_user()
    user = pending or (current_user if current_user.is_authenticated else None)
    if user is None:
        return redirect(url_for("auth.login", expired=1))
    if mfa.is_enrolled(engine, user.id):
        if pending is not None:
            return redirect(url_for("auth.second_step"))
        return render_template("error.html", title="Two-step sign-in is set up already",
                               message="To move it to another phone, ask an administrator to reset it; you then set "
                                       "it up again at your next sign-in.", show_sign_in=False)
    secret = session.setdefault("mfa_new_secret", mfa.new_secret())
    page = {"title": "Set up two-step sign-in", "csrf_token": csrf_token(), "error": "", "secret": secret,
            "qr_code": mfa.qr_code_data_uri(secret, user.email), "required": mfa.required_for(user.role)}
    if request.method == "GET":
        return render_template("mfa_enrol.html", **page)
    check_csrf()
    _accepted, refused = _checked_code(
        engine, user, page, "mfa_enrol.html", check=lambda code: mfa.code_is_valid_for_secret(secret, code),
        detail="second step: wrong enrolment code", event="mfa_confirmed", wrong_status=400,
        wrong="That code is not right. Check the app shows this account, wait for the next code and try again.")
    if refused:
        return refused
    codes = mfa.enrol(engine, user.id, user.email, secret)
    next_path = session.get("mfa_next", "/")
    if pending is not None:
        _finish_sign_in(engine, user, next_path)
    session.pop("mfa_new_secret", None)
    return render_template("mfa_recovery_codes.html", title="Your recovery codes", codes=codes, next=_landing(next_path))


@auth_blueprint.route("/logout", methods=["GET", "POST"])
def logout():
    """Signing out is a POST with the session's form token, so another site cannot sign a member out by a link or
    an image; a GET (a typed or bookmarked address) shows the button instead."""
    if request.method == "GET":
        return render_template("logout.html", title="Sign out", csrf_token=csrf_token())
    check_csrf()
    if current_user.is_authenticated:
        audit(get_engine(), actor=current_user.email, event="sign_out", ip=client_ip())
    end_session(get_engine(), session.get("sid"))  # the cookie stops working everywhere
    logout_user()
    session.clear()
    return redirect(url_for("auth.login", signed_out=1))


def _la_choices():
    las = local_authorities()
    return list(zip(las["la_code"], las["la_name"]))


@auth_blueprint.route("/register", methods=["GET", "POST"])
def register():
    las = _la_choices()
    fields = ["name", "email", "la_code", "authoriser_name", "authoriser_email", "reason"]
    form = {f: request.form.get(f, "") for f in fields}
    page = {"title": "Ask for access", "csrf_token": csrf_token(), "fields": REGISTER_FIELDS, "las": las,
            "form": form, "problems": {}}
    if request.method == "GET":
        return render_template("register.html", **page)
    check_csrf()
    if registration.requests_from_address(get_engine(), client_ip()) >= registration.REQUESTS_PER_ADDRESS_PER_HOUR:
        audit(get_engine(), actor=None, event="access_request_throttled", ip=client_ip())
        page["problems"] = {"form": "Too many requests for access from this network in the last hour. "
                                    "Try again later, or ask your LA's approver."}
        return render_template("register.html", **page), 429
    request_form = registration.AccessRequestForm(**form)
    page["problems"] = request_form.problems({code for code, _ in las})
    if page["problems"]:
        return render_template("register.html", **page), 400
    token = registration.request_access(get_engine(), request_form, ip=client_ip())
    return redirect(url_for("auth.register_status", token=token, sent=1))


STATUS_TEXT = {"pending": "Waiting for a decision", "approved": "Approved", "refused": "Refused"}


@auth_blueprint.route("/register/status/<token>", methods=["GET", "POST"])
def register_status(token: str):
    engine = get_engine()
    row = registration.request_by_token(engine, token)
    if row is None:
        return render_template("error.html", title="Request not found",
                               message="This link does not match a request for access.", show_sign_in=True), 404
    la_name = dict(_la_choices()).get(row.la_code, row.la_code)
    page = {"title": "Your request for access", "req": row, "la_name": la_name, "status_text": STATUS_TEXT[row.status],
            "just_sent": bool(request.args.get("sent")), "csrf_token": csrf_token(), "error": "",
            "can_set_password": row.status == "approved" and row.token_used_at is None, "password_rules": PASSWORD_RULES}
    if request.method == "POST" and page["can_set_password"]:
        check_csrf()
        password = request.form.get("password", "")
        if password != request.form.get("password2", ""):
            page["error"] = "The two passwords differ."
        else:
            try:
                registration.complete_registration(engine, token, password)
                return redirect(url_for("auth.login", next="/"))
            except (PasswordRejected, ValueError) as exc:
                page["error"] = str(exc)
        return render_template("register_status.html", **page), 400
    return render_template("register_status.html", **page)


def _load_user(user_id: str):
    settings = _settings()
    try:
        user = get_user(get_engine(), int(user_id))
    except ValueError:
        return None
    if user is None or not user.is_active:
        return None
    live = session_is_live(get_engine(), session.get("sid"), user.id,
                           idle=timedelta(minutes=settings.session_idle_minutes),
                           absolute=timedelta(hours=settings.session_max_hours))
    return user if live else None


def security_headers(csp):
    """`csp` is called at the first response, once every page has registered its inline scripts."""
    def add_headers(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Content-Security-Policy", csp())
        if request.is_secure:
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        if not request.path.startswith("/assets/") and not request.path.startswith("/_dash-component-suites/"):
            response.headers.setdefault("Cache-Control", "no-store")  # members' figures are not kept in shared caches
        return response
    return add_headers


def init_auth(server: Flask, settings) -> None:
    secure = settings.cookies_secure
    server.config.update(
        SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax", SESSION_COOKIE_SECURE=secure,
        REMEMBER_COOKIE_HTTPONLY=True, REMEMBER_COOKIE_SAMESITE="Lax", REMEMBER_COOKIE_SECURE=secure,
        PERMANENT_SESSION_LIFETIME=timedelta(hours=settings.session_max_hours),
    )
    mfa.use_keys(settings.mfa_key or server.config["SECRET_KEY"])
    login_manager = LoginManager()
    login_manager.session_protection = "basic"
    login_manager.init_app(server)
    login_manager.user_loader(_load_user)
    server.register_blueprint(auth_blueprint)
    server.before_request(guard)

    @server.errorhandler(400)
    def bad_request(error):
        return render_template("error.html", title="Something in that request was not right",
                               message=getattr(error, "description", "") or "Please go back and try again.",
                               show_sign_in=False), 400

    @server.errorhandler(500)
    def server_error(error):
        log.exception("unhandled error on %s %s", request.method, request.path)  # details in the log, not the page
        return render_template("error.html", title="Sorry, something went wrong",
                               message="The problem has been logged. Please try again in a moment.",
                               show_sign_in=False), 500
