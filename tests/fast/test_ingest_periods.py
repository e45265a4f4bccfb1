"""The periods the Upload page offers and the command line accepts: a quarter that has not ended is neither."""
import pandas as pd

from dashboard.ingest import periods


def test_the_quarter_list_starts_at_the_last_quarter_that_has_ended():
    offered = [o["value"] for o in periods.QUARTER.options(pd.Timestamp("2026-12-04"), 4)]
    assert offered == ["2026-09-30", "2026-06-30", "2026-03-31", "2025-12-31"]    # not 31 December 2026, still running
    assert periods.QUARTER.options(pd.Timestamp("2026-12-31"), 1)[0]["value"] == "2026-12-31"   # its last day counts


def test_a_quarter_still_running_is_refused_with_a_reason():
    today = pd.Timestamp.now().normalize()
    running = (today + pd.offsets.QuarterEnd(1)).date().isoformat() if today == today + pd.offsets.QuarterEnd(0) \
        else (today + pd.offsets.QuarterEnd(0)).date().isoformat()
    assert periods.QUARTER.check(running) == f"{running} has not ended yet: a quarter's return is for a quarter that is over."
    ended = periods.QUARTER.options(today, 1)[0]["value"]
    assert periods.QUARTER.check(ended) is None
