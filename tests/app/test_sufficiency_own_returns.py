"""A data officer's own set on a store with no demo data (LOAD_DEMO_DATA=false), as a new install: the generated
returns of one LA (every DfE table, three collection years, real postcodes: `demo-returns --ofsted`) uploaded at once
through the Upload page's callbacks, and the Ofsted provider files for the URNs they name imported as Ofsted's are;
Sufficiency then shows the LA's children with distances, where they are placed and their providers' Ofsted grades.
Its own store and app in a subprocess (one app per test process shares the store)."""
import json
import subprocess
import sys
from pathlib import Path

LA, PERIOD = "E09000022", "2025-03-31"

SCRIPT = r'''
import base64, json, sys
from pathlib import Path
from sqlalchemy import func, select
from dashboard.auth.users import create_user
from dashboard.config import Settings
from dashboard.dashboards.sufficiency import returns as ds
from dashboard.published.store import import_paths
from dashboard.store import get_engine
from dashboard.store.ssda903 import STORED
from dashboard.web import create_app
from tests.app.test_sufficiency_page import RENDER_OUTPUTS
from tests.app.test_upload_page import CHECK_OUTPUTS
from tests.dash_requests import callback_request, response_props
from tests.store_fixtures import sign_in

folder, la, period = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
settings = Settings(database_url=f"sqlite:///{folder}/own.sqlite3", secret_key="own-returns-test", load_demo_data=False,
                    published_data_dir="", cache_dir=f"{folder}/cache")
app = create_app(settings, cache_config={"CACHE_TYPE": "SimpleCache"}, log=lambda *_: None)
engine = get_engine()
out = {}
with engine.connect() as conn:
    out["children_before"] = conn.execute(select(func.count()).select_from(ds.child)).scalar()
out["ofsted"] = [(r.file_name, r.status, [(d.route, d.rows_kept) for d in r.destinations])
                 for r in import_paths(engine, [str(folder / "returns" / "ofsted")])]
create_user(engine, "officer@own.example", "correct horse battery staple", la, ["uploader", "commissioner"])
client = app.server.test_client()
sign_in(client, "officer@own.example", "correct horse battery staple")
files = sorted((folder / "returns" / la).iterdir())
contents = ["data:text/csv;base64," + base64.b64encode(f.read_bytes()).decode() for f in files]

def upload(trigger):
    response = callback_request(client, CHECK_OUTPUTS,
        [("upload-file", "contents", contents), ("upload-dataset", "value", ds.NAME), ("upload-la", "value", la),
         ("upload-period", "value", period), ("upload-commit", "n_clicks", 1)],
        [("upload-file", "filename", [f.name for f in files]), ("upload-demo-confirm", "value", False)], triggered=trigger)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return json.dumps(response_props(response))
out["checked"] = upload("upload-file.contents")
out["committed"] = upload("upload-commit.n_clicks")
with engine.connect() as conn:
    out["stored"] = {name: conn.execute(select(func.count()).select_from(t).where(t.c.la_code == la)).scalar()
                     for name, t in [("Header", ds.child), ("Episodes", ds.episode), *STORED.items()]}
filters = {"suff-area": la, "suff-at": period, "suff-age": "all", "suff-sex": "all", "suff-ethnicity": "all",
           "suff-uasc": "all", "suff-legal": "all", "suff-cin": "all", "suff-placement": "all", "suff-provider": "all"}
response = callback_request(client, RENDER_OUTPUTS, [(i, "value", v) for i, v in filters.items()]
                            + [("suff-tile-mode", "value", "selected"), ("suff-flow-mode", "value", "location"),
                               ("suff-anon", "value", False)])
assert response.status_code == 200, response.get_data(as_text=True)[:500]
out["page"] = json.dumps(response_props(response))
print(json.dumps(out))
'''


def test_an_las_own_generated_set_goes_in_on_a_store_with_no_demo_and_sufficiency_shows_distances_places_and_grades(
        tmp_path):
    root = Path(__file__).resolve().parents[2]
    env = {"PATH": "/usr/bin:/bin", "DATABASE_URL": f"sqlite:///{tmp_path}/cli.sqlite3", "LOAD_DEMO_DATA": "false",
           "PUBLISHED_DATA_DIR": "", "CACHE_DIR": str(tmp_path / "cli-cache")}
    written = subprocess.run([sys.executable, "-m", "dashboard", "demo-returns", str(tmp_path / "returns"), "--la", LA,
                              "--ofsted", "--seed", "7"], cwd=root, env=env, capture_output=True, text=True, timeout=600)
    assert written.returncode == 0, written.stderr[-3000:]
    names = {p.name for p in (tmp_path / "returns" / LA).iterdir()}
    assert {f"{year}_{table}.csv" for year in ("2022-23", "2023-24", "2024-25") for table in ("header", "episodes", "oc2")} \
        <= names and {"2023-24_swepisodes.csv", "2024-25_swepisodes.csv"} <= names

    done = subprocess.run([sys.executable, "-c", SCRIPT, str(tmp_path), LA, PERIOD], cwd=root, capture_output=True,
                          text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert out["children_before"] == 0                                      # no demo data in this store
    # Ofsted's in-year files feed Sufficiency's grades; the places file feeds Placements and supply.
    assert all(status == "imported" for _file, status, _d in out["ofsted"])
    grades_kept = sum(kept for _f, _s, ds_ in out["ofsted"] for route, kept in ds_ if route == "sufficiency_ofsted_grades")
    assert grades_kept > 100
    # Three years in one upload, each checked by its own year's rules; every row read is accepted.
    assert "Passed: ready to commit." in out["checked"] and "2022/23 return" in out["checked"]
    assert "Stored as version" in out["committed"]
    # Every DfE table is kept, social worker episodes too.
    assert all(n > 0 for n in out["stored"].values()), out["stored"]
    page = out["page"]
    assert "the median distance is" in page                                 # distances from the real postcodes
    assert "Southwark" in page or "Croydon" in page                         # placement LAs by name (ONS directory)
    graded = page.split("placements with an Ofsted grade on that date")[0].rsplit("of ", 1)[-1]
    assert int(graded.replace(",", "")) > 20, graded                        # grades matched by the returns' URNs
    assert "with an Ofsted-graded provider are good or outstanding" in page
