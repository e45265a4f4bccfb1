"""The sufficiency loader: roles, scope-dependent suppression, aggregates only, and figures checked against SQL."""
import pandas as pd
import pytest
from sqlalchemy import and_, func, or_, select

from dashboard.dashboards.sufficiency import returns as ds
from dashboard.loader import AccessScope
from dashboard.dashboards.sufficiency import data
from dashboard.disclosure import SUPPRESSED

ALL = {k: "all" for k in ("age", "sex", "ethnicity", "uasc", "legal", "cin", "placement", "provider")}
LAMBETH, CITY = "E09000022", "E09000001"
AT = "2025-03-31"
CHILD_LEVEL_COLUMNS = {"child", "cid", "dob", "home_post", "pl_post", "urn", "decom", "dec"}


@pytest.fixture()
def ctx(server):
    with server.app_context():
        yield


def _tables(result):
    return {k: v for k, v in result.items() if isinstance(v, pd.DataFrame)}


def _small_counts(frame: pd.DataFrame) -> int:
    numbers = frame.drop(columns=[c for c in frame.columns if c == "%"]).apply(pd.to_numeric, errors="coerce")
    return int(((numbers >= 1) & (numbers <= 5)).sum().sum())


def test_only_commissioners_and_admins_may_read(ctx):
    with pytest.raises(PermissionError):
        data.view(AccessScope("member", LAMBETH), "london", AT, ALL)
    with pytest.raises(PermissionError):
        data.options(AccessScope("uploader", LAMBETH))
    from sqlalchemy import select
    from dashboard.store import get_engine, schema
    with get_engine().connect() as conn:
        refusals = list(conn.execute(select(schema.audit_event.c.detail).where(schema.audit_event.c.event == "refused")).scalars())
    assert f"sufficiency data read by member:{LAMBETH}" in refusals           # refused at the data layer, and logged


def test_own_la_detail_is_full_but_the_same_view_for_another_la_is_suppressed(ctx):
    own = data.view(AccessScope("commissioner", CITY), f"la:{CITY}", AT, ALL)
    other = data.view(AccessScope("commissioner", LAMBETH), f"la:{CITY}", AT, ALL)
    assert own["restricted"] is False and other["restricted"] is True
    # The City looks after a handful of children: its own commissioner sees the small counts, Lambeth's sees c.
    assert sum(_small_counts(t) for t in _tables(own).values()) > 0
    for name, table in _tables(other).items():
        assert _small_counts(table) == 0, name
    assert SUPPRESSED in other["placement_mix"]["Children"].tolist()


def test_tables_hold_aggregates_only(ctx):
    result = data.view(AccessScope("commissioner", LAMBETH), f"la:{LAMBETH}", AT, ALL)
    for name, table in _tables(result).items():
        assert not CHILD_LEVEL_COLUMNS & set(table.columns), name


def test_headline_count_matches_an_independent_sql_count(ctx):
    from dashboard.store import get_engine
    e = ds.episode
    at = pd.Timestamp(AT).date()
    stmt = (select(func.count(func.distinct(e.c.child)))
            .where(e.c.la_code == LAMBETH, e.c.decom <= at, or_(e.c.dec.is_(None), e.c.dec > at)))
    with get_engine().connect() as conn:
        expected = conn.execute(stmt).scalar_one()
    result = data.view(AccessScope("commissioner", LAMBETH), f"la:{LAMBETH}", AT, ALL)
    assert result["headline"]["children"] == expected
    mix = result["placement_mix"]
    assert mix["Children"].iloc[-1] == expected and mix["Children"].iloc[:-1].sum() == expected


def test_uasc_filter_matches_sql(ctx):
    from dashboard.store import get_engine
    e, c = ds.episode, ds.child
    at = pd.Timestamp(AT).date()
    stmt = (select(func.count(func.distinct(e.c.child))).select_from(e.join(c, and_(e.c.child == c.c.child, e.c.la_code == c.c.la_code)))
            .where(e.c.decom <= at, or_(e.c.dec.is_(None), e.c.dec > at), c.c.uasc.is_(True)))
    with get_engine().connect() as conn:
        expected = conn.execute(stmt).scalar_one()
    result = data.view(AccessScope("admin", CITY), "london", AT, {**ALL, "uasc": "yes"})
    assert result["headline"]["children"] == expected


def test_options_carry_no_figures(ctx):
    options = data.options(AccessScope("commissioner", LAMBETH))
    assert options["last"] == pd.Timestamp("2025-03-31") and options["has_data"]
    assert set(options) == {"first", "last", "month_ends", "legal_groups", "cin", "has_data"}


SHARES = {   # headline -> (table, cells in the numerator)
    "homes": ("placement_mix", ["Children's homes"]), "supported": ("placement_mix", ["Supported accommodation"]),
    "foster": ("placement_mix", ["Foster care: in-house", "Foster care: agency or other"]),
    "outside_london": ("location", ["Outside London"]),
    "outside_la": ("location", ["Elsewhere in own sub-region", "Elsewhere in London", "Outside London"]),
    "over_20": ("distance", ["20 to 50 miles", "More than 50 miles"]),
}


@pytest.mark.parametrize("area, fields", [("la:E09000001", {}), ("la:E09000021", {"age": "16 and over"}),
                                          ("la:E09000027", {"uasc": "yes"})])
def test_a_headline_never_gives_away_a_hidden_cell(ctx, area, fields):
    result = data.view(AccessScope("commissioner", LAMBETH), area, AT, {**ALL, **fields})
    for key, (table_name, members) in SHARES.items():
        table = result[table_name]
        body = table[table.iloc[:, 0] != "Total"]
        inside = (body[body.iloc[:, 0].isin(members)]["Children"] == SUPPRESSED).sum()
        outside = (body[~body.iloc[:, 0].isin(members)]["Children"] == SUPPRESSED).sum()
        if result["headline"][key] != SUPPRESSED:
            # Shown: the sum it implies covers no single hidden cell, and neither does its complement.
            assert inside != 1 and outside != 1, (area, key)
        # Secondary suppression: no table ever has exactly one hidden cell.
        assert (body["Children"] == SUPPRESSED).sum() != 1, (area, table_name)
