"""What a process keeps in its memory (`loader.ProcessCache`, and `loader.kept_in_process` over it) on its own:
made-up dataset versions and store, no app."""
from types import SimpleNamespace

import pandas as pd
import pytest

from dashboard import disclosure, loader


@pytest.fixture
def versions(monkeypatch):
    """The datasets' versions, as the store would report them (change one to stand for a committed upload)."""
    versions = {"things": 1, "other": 1}
    monkeypatch.setattr(loader, "dataset_versions", lambda names: tuple(versions[name] for name in names))
    monkeypatch.setattr(loader, "get_engine", lambda: SimpleNamespace(url="sqlite:///made-up"))
    return versions


def counted(build):
    """`build` and the list of calls it was given."""
    calls = []

    def counting(*args):
        calls.append(args)
        return build(*args)
    return counting, calls


def test_a_new_data_version_is_seen_at_once(versions):
    kept = loader.ProcessCache("things")
    build, calls = counted(lambda: {"version": versions["things"]})
    assert kept.get_or_build(build) == {"version": 1}
    assert kept.get_or_build(build) == {"version": 1} and len(calls) == 1   # kept
    versions["other"] += 1                           # a dataset it does not name: still kept
    assert kept.get_or_build(build) == {"version": 1} and len(calls) == 1
    versions["things"] += 1                          # its own: worked out again at once
    assert kept.get_or_build(build) == {"version": 2} and len(calls) == 2


def test_a_new_disclosure_secret_is_never_given_the_old_ones_result(versions):
    kept = loader.ProcessCache("things")
    build = lambda: disclosure.secret_id()  # noqa: E731  (what a protected figure depends on)
    try:
        disclosure.use_secret("one")
        under_one = kept.get_or_build(build)
        disclosure.use_secret("two")
        assert kept.get_or_build(build) == disclosure.secret_id() != under_one
        disclosure.use_secret("one")
        assert kept.get_or_build(build) == under_one
    finally:
        disclosure.use_secret("fast-tier")


def test_one_las_result_is_never_given_to_another_las_key(versions):
    kept = loader.ProcessCache("things", most=8)
    tables = {la: kept.get_or_build(lambda la=la: pd.DataFrame({"viewer": [la]}), part=la)
              for la in ("E09000022", "E09000008")}
    for la in ("E09000022", "E09000008", "E09000022"):
        assert kept.get_or_build(lambda: pd.DataFrame({"viewer": ["built again"]}), part=la)["viewer"].tolist() == [la]
    assert tables["E09000022"]["viewer"].tolist() == ["E09000022"]


def test_the_bound_holds_and_the_least_recently_used_goes_first(versions):
    kept = loader.ProcessCache("things", most=2)
    build, calls = counted(lambda la: la)
    for la in ("a", "b", "a", "c"):                  # "b" is the least recently used when "c" comes
        kept.get_or_build(lambda la=la: build(la), part=la)
        assert len(kept) <= 2
    assert calls == [("a",), ("b",), ("c",)]
    kept.get_or_build(lambda: build("a"), part="a")  # still kept
    kept.get_or_build(lambda: build("b"), part="b")  # dropped: built again
    assert calls == [("a",), ("b",), ("c",), ("b",)]


def test_results_are_shared_or_copied_as_declared(versions):
    shared = loader.ProcessCache("things")
    copied = loader.ProcessCache("things", copy=lambda frame: frame.copy())
    build = lambda: pd.DataFrame({"count": [7]})  # noqa: E731
    assert shared.get_or_build(build) is shared.get_or_build(build)
    mine = copied.get_or_build(build)
    mine["count"] = -1                               # a caller changing its copy changes nothing kept
    assert copied.get_or_build(build)["count"].tolist() == [7]


def test_kept_in_process_keys_on_the_arguments_and_copies(versions):
    calls = []

    @loader.kept_in_process("things", most=2)
    def values(kind: str, scope=None) -> pd.DataFrame:
        calls.append(kind)
        return pd.DataFrame({"kind": [kind]})

    mine = values("a", scope="one caller")
    mine["kind"] = "changed"                         # a caller changing its copy changes nothing kept
    assert values("a", scope="another caller")["kind"].tolist() == ["a"]   # the same for every caller, a copy each
    values("b"), values("c"), values("a")
    assert calls == ["a", "b", "c", "a"]             # at most two kept: "a" was the least recently used
