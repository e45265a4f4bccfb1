"""Default views built when data lands (dashboard/warming.py): a member opening a page after warming computes nothing.

"Opening a page" here is what the browser does: the page's layout through Dash's routing callback, then every
server callback that fires on load, with the values the layout set, through the Flask test client. "Computes
nothing" is counted on the app's cache: not one miss.
"""
import json
import logging

import pytest
from sqlalchemy import func, select

from dashboard import loader, warming
from dashboard.dashboards import declarations
from dashboard.resilience import cache_counts
from dashboard.store import get_engine, schema
from dashboard.store.datasets import bump_version
from tests.store_fixtures import ADMIN_EMAIL, sign_in
from tests.dash_requests import callback_request

MEMBER = loader.AccessScope("member", "E09000022")   # the suite's member account (Lambeth)
ADMIN = loader.AccessScope("admin", "E09000001")     # the suite's administrator (City of London)
SCOPES = [MEMBER, ADMIN]
MEMBER_PAGES = ["/benchmarking", "/agency-pay", "/leadership-in-colour", "/suspensions", "/send"]


def _components(tree, found):
    """{id: props} of every component with an id in a layout's JSON."""
    if isinstance(tree, dict):
        props = tree.get("props")
        if isinstance(props, dict) and "type" in tree:
            if isinstance(props.get("id"), str):
                found[props["id"]] = props
            for value in props.values():
                _components(value, found)
        else:
            for value in tree.values():
                _components(value, found)
    elif isinstance(tree, list):
        for item in tree:
            _components(item, found)
    return found


def open_page(client, path):
    """Open `path` with no query string as the browser does; the number of charts with data in its first paint plus
    the callbacks that answered with content (a view drawn in the first paint answers 204: nothing changed)."""
    response = callback_request(client, [("_pages_content", "children"), ("_pages_store", "data")],
                                [("_pages_location", "pathname", path), ("_pages_location", "search", "")])
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    components = _components(response.get_json()["response"]["_pages_content"]["children"], {})
    answered = 0
    for dep in client.get("/_dash-dependencies").get_json():
        ids = [i["id"] for i in dep["inputs"] + dep["state"]]
        if dep.get("clientside_function") or dep.get("prevent_initial_call") or not dep["inputs"] \
                or not all(isinstance(i, str) and i in components for i in ids):
            continue
        value = (lambda item: {**item, "value": components[item["id"]].get(item["property"])})
        payload = {"output": dep["output"], "outputs": _outputs(dep["output"]),
                   "inputs": [value(i) for i in dep["inputs"]], "state": [value(s) for s in dep["state"]],
                   "changedPropIds": []}
        answer = client.post("/_dash-update-component", data=json.dumps(payload), content_type="application/json")
        assert answer.status_code in (200, 204), (path, dep["output"], answer.get_data(as_text=True)[:500])
        answered += answer.status_code == 200
    drawn = sum(1 for props in components.values() if isinstance(props.get("figure"), dict) and props["figure"].get("data"))
    return answered + drawn


def _outputs(output: str):
    def one(spec):
        component, prop = spec.rsplit(".", 1)
        return {"id": component, "property": prop}
    if output.startswith(".."):
        return [one(spec) for spec in output.strip(".").split("...")]
    return one(output)


def misses(server) -> int:
    return cache_counts(server)["cache_misses"]


@pytest.fixture()
def admin_client(server):
    client = server.test_client()
    assert sign_in(client, ADMIN_EMAIL).status_code == 302
    return client


@pytest.fixture()
def cold_cache(server):
    with server.app_context():
        loader.cache.clear()


def test_after_warming_every_default_view_opens_without_computing_anything(server, member_client, admin_client, cold_cache):
    with server.app_context():
        report = warming.warm_default_views(SCOPES)
    assert not report.failed
    assert {page for page, _scope, _builder in report.built} == {view.page for view in warming.DEFAULT_VIEWS}
    for client, paths in ((member_client, MEMBER_PAGES), (admin_client, MEMBER_PAGES + ["/sufficiency"])):
        for path in paths:
            before = misses(server)
            assert open_page(client, path) >= 1
            assert misses(server) == before, f"{path}: opening the default view computed something after warming"


def test_without_warming_the_first_visit_computes(server, member_client, cold_cache):
    before = misses(server)
    open_page(member_client, "/send")
    assert misses(server) > before


def test_views_shared_by_every_member_are_built_once(server, cold_cache):
    with server.app_context():
        report = warming.warm_default_views(SCOPES)
        again = warming.warm_default_views(SCOPES)
    built = [(page, scope) for page, scope, _builder in report.built]
    # Leadership in Colour opens on all boroughs; Agency pay shows the viewer's own LA unsuppressed: once per LA.
    assert {scope for page, scope in built if page == "Agency pay"} == {MEMBER.key, ADMIN.key}
    assert again.built == [] and again.cached == len(report.built) + report.cached


def test_a_member_scope_never_builds_sufficiency_nor_is_refused(server, cold_cache, monkeypatch):
    from dashboard.dashboards.sufficiency import view as sufficiency
    calls = []
    monkeypatch.setattr(sufficiency, "build_view", lambda *a, **k: calls.append(a))
    refused = select(func.count()).select_from(schema.audit_event).where(schema.audit_event.c.event == "refused")
    with get_engine().connect() as conn:
        refusals = conn.execute(refused).scalar()
    with server.app_context():
        report = warming.warm_default_views([MEMBER])
    assert calls == []
    assert "Sufficiency" not in {page for page, _scope, _builder in report.built + report.failed}
    with get_engine().connect() as conn:
        assert conn.execute(refused).scalar() == refusals


def test_one_failing_view_is_logged_and_the_rest_are_built(server, cold_cache, monkeypatch, caplog):
    from dashboard.dashboards.send import view as send

    def broken(*_args, **_kwargs):
        raise RuntimeError("SEND figures broke")
    monkeypatch.setattr(send, "chart_takeaways", broken)   # inside build_view (the page's declaration holds build_view itself)
    with server.app_context(), caplog.at_level(logging.WARNING, logger="dashboard.warming"):
        report = warming.warm_default_views([MEMBER])
    assert [(page, error) for page, _scope, error in report.failed] == [("SEND", "RuntimeError: SEND figures broke")]
    # Every other page a member may open was built (Sufficiency is for commissioners).
    member_pages = {d.nav_name for d in declarations() if d.allows(MEMBER)}
    assert {"Benchmarking", "Agency pay", "Leadership in Colour", "Suspensions"} < member_pages
    assert {page for page, _scope, _builder in report.built} == member_pages - {"SEND"}
    failures = [r for r in caplog.records if getattr(r, "event", None) == "view_warming_failed"]
    assert [(r.page, r.error) for r in failures] == [("SEND", "RuntimeError: SEND figures broke")]


def _new_version(dataset: str):
    with get_engine().begin() as conn:
        bump_version(conn, dataset)


def test_a_new_data_version_is_warmed_on_the_next_tick(server, member_client, cold_cache, caplog):
    warmer = warming.ViewWarmer(server, scopes=lambda: [MEMBER])
    _new_version("benchmarking")   # versions no earlier test has warmed (the lock is per set of versions)
    with caplog.at_level(logging.INFO, logger="dashboard.warming"):
        first = warmer.tick()
    assert first is not None and first.built
    assert warmer.tick() is None                                  # nothing new: nothing done
    logged = [r for r in caplog.records if getattr(r, "event", None) == "views_warmed"]
    assert len(logged) == 1 and logged[0].views_built == len(first.built)
    assert logged[0].versions["benchmarking"] == dict(warming_versions(server))["benchmarking"]

    _new_version("benchmarking")   # as an upload of the regional return would
    second = warmer.tick()
    # My LA is built on the regional return too, and Agency pay, whose workforce chart shows its agency rate.
    assert {page for page, _scope, _builder in second.built} == {"Benchmarking", "My LA", "Agency pay"}
    before = misses(server)
    open_page(member_client, "/benchmarking")
    assert misses(server) == before


def warming_versions(server):
    with server.app_context():
        return warming.data_versions()


def test_only_one_worker_warms_each_set_of_versions(server, cold_cache):
    one, other = (warming.ViewWarmer(server, scopes=lambda: [MEMBER]) for _ in range(2))
    _new_version("send")
    assert one.tick() is not None
    assert other.tick() is None            # the lock in the shared cache: the other worker leaves these versions
    assert other.tick() is None            # and does not try them again
    _new_version("send")
    assert other.tick() is not None        # the next versions are anyone's


def test_every_worker_reads_the_child_level_rows_when_the_data_changes(server, cold_cache):
    from dashboard.dashboards.sufficiency import data as suff_data
    one, other = (warming.ViewWarmer(server, scopes=lambda: [MEMBER]) for _ in range(2))
    _new_version("sufficiency")
    assert one.tick() is not None
    forget = lambda: (suff_data._rows_read.clear(), suff_data._rows_keyed.clear())  # noqa: E731
    forget()                               # the other worker is another process: nothing read there yet
    assert other.tick() is None            # it does not warm the shared views (the first worker did) ...
    assert len(suff_data._rows_read) == 1  # ... but reads its own copy of the rows the views are computed from
    forget()
    assert other.tick() is None and not len(suff_data._rows_read)   # nothing new: not read again


def test_views_are_warmed_again_when_they_lapse_or_the_cache_is_emptied(server, member_client, cold_cache):
    warmer = warming.ViewWarmer(server, scopes=lambda: [MEMBER])
    _new_version("send")
    assert warmer.tick() is not None
    assert warmer.tick() is None                 # nothing new, the cache as it was: nothing done
    with server.app_context():                   # the views and the lock lapsing after CACHE_TIMEOUT, or a Redis restart
        loader.cache.clear()
    again = warmer.tick()
    assert again is not None and {page for page, _scope, _builder in again.built} >= {"Benchmarking", "SEND"}
    before = misses(server)
    open_page(member_client, "/send")
    assert misses(server) == before


def test_the_warming_lock_lapses_no_sooner_than_the_views_it_warmed(server, cold_cache, monkeypatch):
    """Views and lock live CACHE_TIMEOUT from when each was written: the lock written last goes last, so the next
    warming (when it has gone) finds every view gone too, and none is left to lapse until the hour after."""
    written = []
    real_set = loader.cache.set
    monkeypatch.setattr(loader.cache, "set", lambda key, *a, **k: (written.append(key), real_set(key, *a, **k))[1])
    _new_version("send")
    report = warming.ViewWarmer(server, scopes=lambda: [MEMBER]).tick()
    assert report is not None and report.built
    with server.app_context():
        lock = warming.lock_key(warming.data_versions(), server.config["LCSD_SETTINGS"])
    assert len(written) > 1 and written[-1] == lock


def test_store_down_skips_the_tick_logs_once_and_recovers(server, cold_cache, monkeypatch, caplog):
    warmer = warming.ViewWarmer(server, scopes=lambda: [MEMBER])
    real = warming.data_versions

    def down():
        raise ConnectionError("store unreachable")
    monkeypatch.setattr(warming, "data_versions", down)
    _new_version("send")
    with caplog.at_level(logging.WARNING, logger="dashboard.warming"):
        assert warmer.tick() is None and warmer.tick() is None
    assert len([r for r in caplog.records if getattr(r, "event", None) == "view_warming_skipped"]) == 1
    monkeypatch.setattr(warming, "data_versions", real)
    assert warmer.tick() is not None


def test_active_scopes_are_the_accounts_that_can_sign_in(server):
    from dashboard.auth.users import set_active
    with server.app_context():
        scopes = warming.active_scopes()
    assert MEMBER in scopes and ADMIN in scopes
    assert len(scopes) == len(set(scopes))
    set_active(get_engine(), "admin@liia.example", False, actor="tests")
    try:
        with server.app_context():
            assert ADMIN not in warming.active_scopes()
    finally:
        set_active(get_engine(), "admin@liia.example", True, actor="tests")


def test_start_view_warming_is_off_at_zero(server, monkeypatch):
    import dataclasses
    monkeypatch.setitem(server.config, "LCSD_SETTINGS", dataclasses.replace(server.config["LCSD_SETTINGS"], warm_check_seconds=0))
    assert warming.start_view_warming(server) is None


def test_new_settings_on_the_same_data_are_warmed_again(settings):
    # Settings are in every view's key (a deploy that changes them needs new views), so they are in the lock's too.
    import dataclasses
    versions = (("benchmarking", 3),)
    assert warming.lock_key(versions, settings) == warming.lock_key(versions, dataclasses.replace(settings))
    assert warming.lock_key(versions, settings) != warming.lock_key(versions, dataclasses.replace(settings, cache_timeout=1))


def test_new_code_on_the_same_data_is_warmed_again(settings, monkeypatch):
    versions = (("benchmarking", 3),)
    before = warming.lock_key(versions, settings)
    monkeypatch.setattr(loader, "CODE_VERSION", "another deploy")   # the code is in every view's key, so in the lock's
    assert warming.lock_key(versions, settings) != before
