"""Disclosure control (dashboard.disclosure): the cell-key method (record keys, cell keys, the perturbation table,
protected counts, the viewer's own LA, consistency across views and restarts, closeness, aggregate returns), hand-worked.
Pure: no app, no store."""
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from dashboard import disclosure as d
from dashboard.disclosure import SUPPRESSED as C
from dashboard.disclosure import numeric

SECRET = b"a test secret"


# --- the cell-key method --------------------------------------------------------------------------------------------

def shown_for(count: int) -> np.ndarray:
    """What a true count can be shown as, under each of the 256 cell keys."""
    return d.protect(np.full(d.KEY_RANGE, count), np.arange(d.KEY_RANGE))


def test_no_count_of_1_to_4_is_ever_shown_and_1_to_5_never_as_itself():
    for count in range(0, 60):
        shown = shown_for(count)
        assert not ((shown >= 1) & (shown <= 4)).any(), count
        if 1 <= count <= 5:
            assert (shown != count).all(), count


def test_zero_stays_zero_and_nothing_moves_by_more_than_a_few():
    assert (shown_for(0) == 0).all()
    for count in range(1, 60):
        change = np.abs(shown_for(count) - count)
        assert change.max() <= (5 if count <= 5 else 3), count


def test_every_non_zero_count_is_perturbed_for_most_keys_and_about_right_on_average():
    for count in range(1, 60):
        change = shown_for(count) - count
        assert (change != 0).mean() >= 7 / 8, count          # differencing meets noise 7 times in 8 or more
        assert abs(change.mean()) < 0.05, count               # no drift: averaged over keys, the true count


def test_the_table_is_fixed_and_read_only():
    assert d.PTABLE.shape == (d.PTABLE_TOP + 1, d.KEY_RANGE)
    with pytest.raises(ValueError):
        d.PTABLE[1, 0] = 0


def test_missing_stays_missing_and_a_negative_count_is_refused():
    out = d.protect([np.nan, 10], [3, 3])
    assert np.isnan(out[0]) and out[1] >= 7
    with pytest.raises(ValueError):
        d.protect([-1], [0])


def test_record_keys_are_fixed_by_the_secret_and_spread_over_0_to_255():
    ids = [f"E09000007:C{i:05d}" for i in range(20000)]
    keys = d.record_keys(ids, key=SECRET)
    assert keys.dtype == np.uint8
    assert (keys == d.record_keys(ids, key=SECRET)).all()
    other = d.record_keys(ids, key=b"another secret")
    assert (keys != other).mean() > 0.95                       # another secret, other keys
    per_value = np.bincount(keys, minlength=256)
    assert per_value.min() > 40 and per_value.max() < 120      # about 78 each: no key favoured


def test_identity_keys_for_aggregate_cells_are_fixed_and_differ_from_record_keys():
    cells = ["send|E09000007|2024|EHCP", "send|E09000007|2025|EHCP"]
    assert (d.identity_keys(cells, key=SECRET) == d.identity_keys(cells, key=SECRET)).all()
    assert len(set(d.identity_keys([f"x|{i}" for i in range(50)], key=SECRET))) > 30
    assert (d.identity_keys(cells, key=SECRET) != d.identity_keys(cells, key=b"another")).any()


def records(n: int = 400, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({
        "la": rng.choice(["E09000001", "E09000007", "E09000022"], n, p=[0.05, 0.45, 0.5]),
        "sex": rng.choice(["F", "M"], n),
        "group": rng.choice(["Foster", "Homes", "Parents", "Other"], n, p=[0.7, 0.15, 0.1, 0.05]),
    })
    frame["id"] = frame["la"] + ":C" + pd.Series(range(n)).astype(str)
    frame[d.RECORD_KEY] = d.record_keys(frame["id"])
    return frame


def test_the_cell_key_is_the_sum_of_the_record_keys_mod_256():
    frame = records()
    cell = frame[frame["group"] == "Homes"]
    expected = d.protect([len(cell)], [int(cell[d.RECORD_KEY].astype(int).sum()) % 256])[0]
    assert d.protected_counts(frame, "group")["Homes"] == expected == d.protected_count(cell)


def test_the_same_cell_gets_the_same_value_in_every_view():
    frame = records()
    by_group = d.protected_counts(frame, ["sex", "group"])
    women = frame[frame["sex"] == "F"]
    for group, value in d.protected_counts(women, "group").items():   # the same cells, filtered first
        assert by_group[("F", group)] == value
    shuffled = frame.sample(frac=1, random_state=3)                    # order does not matter
    assert d.protected_counts(shuffled, ["sex", "group"]).sort_index().equals(by_group.sort_index())
    assert d.protected_count(frame.iloc[::-1]) == d.protected_count(frame)


def test_cells_added_up_from_tallies_show_what_their_records_show():
    """A page may tally its records once (per LA and group: how many, the sum of their keys) and add up any LAs'
    tallies: each cell then shows exactly what the records themselves show, alone or summed over every LA."""
    frame = records()
    groups, las = sorted(frame["group"].unique()), sorted(frame["la"].unique())
    keys = frame[d.RECORD_KEY].astype(int)
    size = np.array([[((frame["la"] == la) & (frame["group"] == g)).sum() for g in groups] for la in las])
    key_sum = np.array([[keys[(frame["la"] == la) & (frame["group"] == g)].sum() for g in groups] for la in las])
    for chosen in ([0], [0, 1], list(range(len(las)))):
        cells = frame[frame["la"].isin([las[i] for i in chosen])]
        shown = d.protected_tallies(size[chosen].sum(axis=0), key_sum[chosen].sum(axis=0))
        assert shown.tolist() == d.protected_counts(cells, "group").reindex(groups).tolist()
        assert d.protected_tallies(size[chosen].sum(keepdims=True), key_sum[chosen].sum(keepdims=True))[0] == \
            d.protected_count(cells)
    assert (shown != size.sum(axis=0)).any()                              # protected, not exact
    assert d.protected_tallies(size[0], key_sum[0], exact=True).tolist() == size[0].tolist()


def test_a_total_is_its_own_cell_and_an_empty_cell_shows_0():
    frame = records()
    frame = frame[frame["group"] != "Other"]
    counts = d.protected_counts(frame, "group", categories={"group": ["Foster", "Homes", "Parents", "Other"]})
    assert list(counts.index) == ["Foster", "Homes", "Parents", "Other"] and counts["Other"] == 0
    total = d.protected_count(frame)
    assert abs(total - len(frame)) <= 3                                 # the total's own perturbation, not a sum


def test_the_viewers_own_la_is_exact_and_the_others_in_a_mixed_cell_are_protected():
    frame = records()
    own = (frame["la"] == "E09000022").to_numpy()
    mixed = d.protected_counts(frame, "group", exact=own)
    for group, value in mixed.items():
        in_cell = frame[frame["group"] == group]
        mine = (in_cell["la"] == "E09000022").to_numpy()
        assert value == mine.sum() + d.protected_count(in_cell[~mine])
    alone = frame[own]
    assert d.protected_counts(alone, "group", exact=lambda r: r["la"] == "E09000022").to_dict() == \
        alone["group"].value_counts().to_dict()


def test_after_a_restart_with_the_same_secret_every_cell_is_the_same():
    frame = records()
    here = d.protected_counts(frame, ["la", "group"]).sort_index()
    program = (
        "import pandas as pd, numpy as np\n"
        "from dashboard import disclosure as d\n"
        "d.use_secret('fast-tier')\n"
        "import tests.fast.test_disclosure as t\n"
        "print(d.protected_counts(t.records(), ['la', 'group']).sort_index().to_json())\n")
    fresh = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, check=True)
    assert fresh.stdout.strip() == here.to_json()


def test_another_secret_gives_other_values():
    frame = records(4000)
    ids = frame["id"]
    frame["other_key"] = d.record_keys(ids, key=b"another")
    mine, theirs = d.protected_counts(frame, ["la", "sex", "group"]), \
        d.protected_counts(frame, ["la", "sex", "group"], key="other_key")
    assert (mine != theirs).sum() >= len(mine) / 2


def test_protected_values_stay_close_to_the_truth():
    rng = np.random.default_rng(7)
    counts = rng.integers(20, 3000, 5000)
    change = np.abs(d.protect(counts, rng.integers(0, 256, 5000)) - counts)
    print(f"mean absolute change on 5000 counts of 20-3000: {change.mean():.2f}")
    assert change.mean() < 2 and change.max() <= 3


def test_returned_counts_are_each_a_cell_of_their_own_the_same_in_any_frame_and_missing_stays_missing():
    rows = pd.DataFrame({"la": ["A", "A", "B", "B"], "year": ["2024"] * 4, "group": ["x", "y", "x", "y"],
                         "pupils": pd.array([3, 250, None, 5], dtype="Int64"), "outcome": [1.0, 40.0, 2.0, 0.0]})
    shown = d.protected_returns(rows, ["la", "year", "group"], ["pupils", "outcome"], "test", key=SECRET)
    assert shown["pupils"].dtype == "Int64" and pd.isna(shown.at[2, "pupils"])      # missing is not 0
    for column in ("pupils", "outcome"):
        values = shown[column].dropna().astype(float)
        assert not ((values >= 1) & (values <= 4)).any()
    assert shown.at[0, "pupils"] != 3 and shown.at[3, "pupils"] != 5 and shown.at[3, "outcome"] == 0
    assert abs(shown.at[1, "pupils"] - 250) <= 3
    # The same LA, year, group and count gets the same value whatever else is in the frame, in any order.
    alone = d.protected_returns(rows.iloc[[3, 1]], ["la", "year", "group"], ["pupils", "outcome"], "test", key=SECRET)
    assert alone.loc[1, "pupils"] == shown.at[1, "pupils"] and alone.loc[3, "outcome"] == shown.at[3, "outcome"]
    # Another dataset's cells are other cells.
    many = pd.DataFrame({"la": [f"L{i}" for i in range(200)], "year": "2024", "group": "x", "pupils": 100, "outcome": 0})
    a = d.protected_returns(many, ["la", "year", "group"], ["pupils"], "one", key=SECRET)["pupils"]
    b = d.protected_returns(many, ["la", "year", "group"], ["pupils"], "two", key=SECRET)["pupils"]
    assert (a != b).mean() > 0.5


def test_shares_and_rates_are_built_from_what_they_are_given():
    assert d.share(5, 20) == 25.0 and d.share(1, 0) is None and d.share(None, 5) is None
    assert d.rate(3, 150) == 2.0 and d.rate(3, 0) is None


# --- markers --------------------------------------------------------------------------------------------------

def test_numeric_turns_c_into_a_gap():
    values = numeric([C, 7, None])
    assert np.isnan(values.iloc[0]) and values.iloc[1] == 7 and np.isnan(values.iloc[2])
