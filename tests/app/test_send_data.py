"""The SEND loader: cached reads, a new version seen at once, copies out, a scope required."""
from unittest import mock

import pytest

from dashboard import loader
from dashboard.dashboards.send import returns as ds
from dashboard.dashboards.send import data as send_loader
from dashboard.published.store import import_on_first_start
from dashboard.store import get_engine

SCOPE = loader.AccessScope("member", "E09000022")


def test_reads_are_cached_copies_and_a_new_version_shows_at_once(server, settings):
    with server.app_context():
        loader.cache.clear()
        shared = send_loader.send_values.not_kept              # the shared cache's read (not this worker's memory)
        with mock.patch.object(send_loader, "_read_sql", wraps=send_loader._read_sql) as reads:
            first = shared(SCOPE)
            shared(SCOPE)
            assert reads.call_count == 1                       # the second read is a cache hit
        first.loc[:, "value"] = -1                             # a caller's change does not reach the cache
        assert (send_loader.send_values(SCOPE)["value"] != -1).any()
        try:
            ds.load_demo_only(get_engine(), seed=99)           # a write bumps the version: seen without a flush
            after = send_loader.send_values(SCOPE)
            assert set(after.loc[after["measure"] != "placements_total", "source"]) == {"demo"}
        finally:   # back to what the app has after its first start: demo, then the published files
            ds.load_demo(get_engine(), seed=7)
            import_on_first_start(settings, get_engine(), {ds.NAME}, log=lambda *_: None)


def test_series_and_summaries_need_a_scope_and_a_known_measure(server):
    with server.app_context():
        with pytest.raises(PermissionError):
            send_loader.send_series("plans_in_force", loader.AccessScope("", ""))
        with pytest.raises(KeyError):
            send_loader.send_series("not_a_measure", SCOPE)
        summary = send_loader.send_inspection_summary(SCOPE)
        assert len(summary["latest"]) == 33
