"""Build the Dash app: settings, store, cache, sign-in guard, shell and pages."""
from __future__ import annotations

import functools
import secrets
from pathlib import Path

import dash
from flask import jsonify, send_from_directory
from sqlalchemy import text
from werkzeug.serving import WSGIRequestHandler

from dashboard.auth.access import guard_page_layouts, serve_only_allowed_pages
from dashboard.auth.web import init_auth, security_headers
from dashboard.components.callback_values import init_callback_value_guard
from dashboard.components.shell import APP_TITLE, INDEX_STRING, init_shell_callbacks, shell_layout
from dashboard.dashboards import register_pages
from dashboard.config import DATA_DIR, PROJECT_ROOT, Settings, settings_from_env
from dashboard.loader import init_cache
from dashboard.logs import configure_logging, init_request_logging
from dashboard.plotly_bundle import init_plotly_bundle, load_early
from dashboard.resilience import StoreState, init_store_guard, readiness
from dashboard.store import get_engine
from dashboard.store.private_files import private_folder, write_private
from dashboard.store.setup import prepare_store


def _embedded_secret_key() -> str:
    """The embedded default keeps a generated key in data/ (not committed), shared by its workers and restarts."""
    path = DATA_DIR / "secret_key"
    if not path.exists():
        write_private(path, secrets.token_hex(32))
    return path.read_text().strip()


class QuietRequestHandler(WSGIRequestHandler):
    """The development server's handler without its `Server: Werkzeug/x Python/y` header: no versions to look up."""

    def version_string(self) -> str:
        return "dashboards"


def trust_proxies(server, n: int) -> None:
    """Behind `n` reverse proxies every request comes from the last proxy: take the member's address and the scheme
    from the headers the proxies add, and only from that many hops, so a client cannot forge its address."""
    if n:
        from werkzeug.middleware.proxy_fix import ProxyFix
        server.wsgi_app = ProxyFix(server.wsgi_app, x_for=n, x_proto=n, x_host=n)


def create_app(settings: Settings | None = None, *, cache_config: dict | None = None, log=print) -> dash.Dash:
    settings = settings or settings_from_env()
    settings.check()
    if settings.is_default_database:
        private_folder(DATA_DIR)   # the embedded store, its cache, the secret key and the demo password live here
    if not settings.redis_url:
        private_folder(Path(settings.cache_dir))
    configure_logging(settings.log_format, settings.log_level)
    engine = get_engine(settings.database_url)
    # A store that is down at start does not stop the app: it answers 503 and finishes this when the store returns.
    store = StoreState(get_engine, prepare=lambda: prepare_store(settings, engine, log=log),
                       retry_seconds=settings.store_retry_seconds)
    if not store.start():
        log(f"The store is not answering ({store.problem}): serving a 'try again shortly' page until it returns.")

    app = dash.Dash(
        __name__,
        use_pages=True,
        pages_folder=str(PROJECT_ROOT / "pages"),
        assets_folder=str(PROJECT_ROOT / "assets"),
        title=APP_TITLE,
        compress=True,
        serve_locally=True,           # no CDN: every asset is served by the app
        suppress_callback_exceptions=False,
    )
    register_pages()                   # each dashboard's package; pages/ holds the rest
    guard_page_layouts()               # the page router sends a page's layout only to roles that may open it
    app.index_string = INDEX_STRING
    load_early(app)
    server = app.server
    server.config["SECRET_KEY"] = settings.secret_key or _embedded_secret_key()
    server.config["LCSD_SETTINGS"] = settings
    # Refuse an oversized request (HTTP 413) before anything parses it: an upload arrives base64-encoded
    # (4/3 of its size) inside the callback's JSON.
    server.config["MAX_CONTENT_LENGTH"] = settings.upload_max_mb * 2**20 * 4 // 3 + 2**20
    trust_proxies(server, settings.trusted_proxies)
    init_cache(server, settings, cache_config)
    init_auth(server, settings)
    serve_only_allowed_pages(app)        # each role is sent the component ids of the pages it opens, no others
    init_callback_value_guard(server, app)   # after sign-in and roles: a value of the wrong shape gets 400
    init_store_guard(server, store)      # before Dash's own first-request hooks
    init_request_logging(server)         # first of all: every request gets an id and one log line
    init_plotly_bundle(server, app.config.routes_pathname_prefix)

    @server.route("/favicon.ico")
    def favicon():
        return send_from_directory(PROJECT_ROOT / "assets", "favicon.ico", mimetype="image/x-icon", max_age=86400)

    @server.route("/healthz")
    def healthz():
        try:
            with get_engine().connect() as conn:
                conn.execute(text("SELECT 1"))
        except Exception:  # the store is down: say so, don't crash
            return jsonify({"status": "error", "store": "unreachable"}), 503
        return jsonify({"status": "ok", "store": "ok"})

    @server.route("/readyz")
    def readyz():
        """For a load balancer: 200 once this worker can serve pages (store answers and is prepared)."""
        report, status = readiness(server)
        return jsonify(report), status

    app.layout = shell_layout
    init_shell_callbacks(app)
    server.after_request(security_headers(lambda: content_security_policy(app)))
    if store.ok:
        warm_up(app)
    return app


def warm_up(app: dash.Dash) -> None:
    """Run Dash's first-request set-up now (it calls every page's layout once to build the validation layout), so
    the first member does not wait for it; under gunicorn's preload the workers inherit the result."""
    with app.server.test_request_context("/login"):
        app.server.preprocess_request()


@functools.lru_cache(maxsize=None)
def content_security_policy(app: dash.Dash) -> str:
    """Scripts only from this server plus Dash's own inline scripts, by hash; no framing."""
    scripts = " ".join(app.csp_hashes())  # already quoted: 'sha256-...'
    return ("default-src 'self'; "
            f"script-src 'self' {scripts}; "
            "style-src 'self' 'unsafe-inline'; "   # plotly and React set inline styles
            "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; "
            "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'")
