"""The cached-read declaration (`loader.cached_read`) on its own: an in-memory cache and made-up dataset versions,
no store and no app."""
import pandas as pd
import pytest
from flask import Flask

from dashboard import loader

OWN, OTHER = loader.AccessScope("member", "E09000022"), loader.AccessScope("member", "E09000008")


@pytest.fixture
def versions(monkeypatch):
    """The datasets' versions, as the store would report them (change one to stand for a committed upload)."""
    versions = {"things": 1, "other": 1}
    monkeypatch.setattr(loader, "dataset_version", lambda name: versions[name])
    monkeypatch.setattr(loader, "dataset_versions", lambda names: tuple(versions[name] for name in names))
    app = Flask("cached_read")
    loader.cache.init_app(app, config={"CACHE_TYPE": "SimpleCache"})
    with app.app_context():
        yield versions


def members_only(scope):
    if scope is None or scope.role != "member":
        raise PermissionError("members only")


def declared(**options):
    """A declared read that counts its queries: a frame of the caller's LA when it depends on the caller."""
    queries = []

    @loader.cached_read("things", check=members_only, **options)
    def things(kind: str, scope: loader.AccessScope) -> dict:
        queries.append((kind, scope.la_code))
        return {"frame": pd.DataFrame({"kind": [kind], "viewer": [scope.la_code]}), "names": ["a", "b"]}
    return things, queries


def test_a_second_call_is_a_cache_hit(versions):
    things, queries = declared()
    first, second = things("a", OWN), things("a", OWN)
    assert len(queries) == 1
    pd.testing.assert_frame_equal(first["frame"], second["frame"])
    things("b", OWN)                       # other arguments: another read
    assert len(queries) == 2


def test_a_new_dataset_version_is_a_miss(versions):
    things, queries = declared()
    things("a", OWN)
    versions["other"] += 1                 # a dataset the read does not name: still cached
    things("a", OWN)
    versions["things"] += 1                # its own dataset: read again
    things("a", OWN)
    assert len(queries) == 2


def test_a_refused_scope_never_reaches_the_cache(versions, monkeypatch):
    things, queries = declared()
    things("a", OWN)
    monkeypatch.setattr(loader.cache, "get", lambda key: pytest.fail("the cache was read for a refused caller"))
    with pytest.raises(PermissionError):
        things("a", loader.AccessScope("nobody", OWN.la_code))
    with pytest.raises(PermissionError):
        things("a", None)
    assert len(queries) == 1


def test_a_caller_changing_the_result_does_not_change_the_cache(versions):
    things, _queries = declared()
    first = things("a", OWN)
    first["frame"].loc[0, "kind"] = "changed"
    first["names"].append("c")
    again = things("a", OWN)
    assert again["frame"].loc[0, "kind"] == "a" and again["names"] == ["a", "b"]
    again["names"].clear()                 # a hit is a copy too
    assert things("a", OWN)["names"] == ["a", "b"]


def test_shared_results_are_read_once_for_every_member(versions):
    things, queries = declared()
    assert things("a", OTHER)["frame"].loc[0, "viewer"] == OTHER.la_code
    things("a", OWN)
    assert len(queries) == 1               # no dependence on the caller declared: one read for all


def test_a_result_that_depends_on_the_caller_never_goes_to_another_la(versions):
    things, queries = declared(depends_on_caller=lambda scope, arguments: arguments["kind"] == "own")
    assert things("own", OWN)["frame"].loc[0, "viewer"] == OWN.la_code
    assert things("own", OTHER)["frame"].loc[0, "viewer"] == OTHER.la_code
    assert things("own", OWN)["frame"].loc[0, "viewer"] == OWN.la_code
    assert queries == [("own", OWN.la_code), ("own", OTHER.la_code)]


def test_the_read_is_given_the_version_in_its_key_and_public_reads_take_no_scope(versions):
    seen = []

    @loader.cached_read("things", "other")
    def counted(name: str, *, version: int) -> list:
        seen.append(version)
        return [name]

    assert counted("x") == ["x"] and counted(name="x") == ["x"]
    versions["things"] = 5
    counted("x")
    assert seen == [1, 5]


def test_a_dataset_can_be_named_by_an_argument(versions):
    seen = []

    @loader.cached_read(lambda arguments: arguments["name"])
    def rows_of(name: str) -> frozenset:
        seen.append(name)
        return frozenset({name})

    rows_of("things"), rows_of("other"), rows_of("things")
    versions["other"] += 1
    rows_of("other"), rows_of("things")
    assert seen == ["things", "other", "other"]


def test_new_code_never_reads_what_the_old_code_cached(versions, monkeypatch):
    things, queries = declared()
    things("a", OWN)
    monkeypatch.setattr(loader, "CODE_VERSION", "another deploy")
    things("a", OWN)
    assert len(queries) == 2


def test_a_version_callers_could_pass_by_position_is_refused_at_declaration():
    with pytest.raises(TypeError, match="keyword-only"):
        @loader.cached_read("things")
        def read(name: str, version: int) -> list:
            return [name, version]
