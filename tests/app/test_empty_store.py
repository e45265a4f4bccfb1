"""A new install with no data at all (LOAD_DEMO_DATA=false, no published files): every page opens for every role and
says there is nothing yet, never an error. Its own app in a subprocess (one app per test process shares the store)."""
import json
import subprocess
import sys
from pathlib import Path

SCRIPT = r'''
import json, sys
from dashboard.auth.users import create_user
from dashboard.config import Settings
from dashboard.store import get_engine
from dashboard.web import create_app
from dashboard import loader, warming
from tests.dash_requests import page_layout
from tests.store_fixtures import sign_in
import dash

folder = sys.argv[1]
settings = Settings(database_url=f"sqlite:///{folder}/empty.sqlite3", secret_key="empty-store-test", load_demo_data=False,
                    published_data_dir="", cache_dir=f"{folder}/cache")
app = create_app(settings, cache_config={"CACHE_TYPE": "SimpleCache"}, log=lambda *_: None)
for email, role in (("admin@empty.example", "admin"), ("member@empty.example", "member"),
                    ("commissioner@empty.example", "commissioner")):
    create_user(get_engine(), email, "correct horse battery staple", "E09000022", role)
with app.server.app_context():
    report = warming.warm_default_views(warming.active_scopes())
failures = [f"warming {page} for {scope}: {error}" for page, scope, error in report.failed]
from dashboard.dashboards import declarations
with app.server.test_request_context():
    for scope in warming.active_scopes():
        for dashboard in declarations():
            if not dashboard.allows(scope):
                continue
            try:   # everything the page shows, as its files, images and slides have it
                selection = dashboard.selection_from_query({}, scope)
                if selection is not None:
                    dashboard.present(selection, scope, anonymise_with=None)
            except Exception as error:
                failures.append(f"{dashboard.path} for {scope.key}: {type(error).__name__}: {str(error)[:300]}")
for email in ("admin@empty.example", "member@empty.example", "commissioner@empty.example"):
    client = app.server.test_client()
    sign_in(client, email)
    for page in dash.page_registry.values():
        try:
            page_layout(client, page["relative_path"])
        except AssertionError as error:
            failures.append(f"{page['relative_path']} for {email}: {str(error)[:300]}")
print(json.dumps(failures))
'''


def test_every_page_opens_on_an_empty_store(tmp_path):
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run([sys.executable, "-c", SCRIPT, str(tmp_path)], cwd=root, capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    failures = json.loads(done.stdout.strip().splitlines()[-1])
    assert failures == [], "\n".join(failures)
