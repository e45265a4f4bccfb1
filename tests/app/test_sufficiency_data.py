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
    """Counts of 1 to 4 (never shown for other LAs' children: they become 0 or 5 or more)."""
    numbers = frame.drop(columns=[c for c in frame.columns if c == "%"]).apply(pd.to_numeric, errors="coerce")
    return int(((numbers >= 1) & (numbers <= 4)).sum().sum())


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


def test_own_la_detail_is_exact_but_the_same_view_for_another_la_is_protected(ctx):
    own = data.view(AccessScope("commissioner", CITY), f"la:{CITY}", AT, ALL)
    other = data.view(AccessScope("commissioner", LAMBETH), f"la:{CITY}", AT, ALL)
    assert own["restricted"] is False and other["restricted"] is True
    # The City looks after a handful of children: its own commissioner sees the small counts exactly (its total is
    # the sum of its parts); Lambeth's sees no count of 1 to 4 anywhere, and the figures moved by a few.
    assert sum(_small_counts(t) for t in _tables(own).values()) > 0
    mix = own["placement_mix"]["Children"]
    assert mix.iloc[-1] == mix.iloc[:-1].sum()
    for name, table in _tables(other).items():
        assert _small_counts(table) == 0, name
    moved = [(own[n][c] != other[n][c]).sum() for n in ("placement_mix", "distance", "location", "trend")
             for c in own[n].columns if own[n][c].dtype.kind == "i"]
    assert sum(moved) > 0
    assert (other["placement_mix"]["Children"] - own["placement_mix"]["Children"]).abs().max() <= 5


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
    # All London is a cell of its own, protected for every viewer: moved by at most 3.
    assert abs(result["headline"]["children"] - expected) <= 3


def test_options_carry_no_figures(ctx):
    options = data.options(AccessScope("commissioner", LAMBETH))
    assert options["last"] == pd.Timestamp("2025-03-31") and options["has_data"]
    assert set(options) == {"first", "last", "month_ends", "legal_groups", "cin", "has_data", "returned_to"}
    # Which LAs have sent a return and to when: a date per LA, no count (the demo: all 33, to 31 March 2025).
    assert len(options["returned_to"]) == 33 and set(options["returned_to"].values()) == {pd.Timestamp("2025-03-31")}


SHARES = {   # headline -> (table, the row whose % it is)
    "homes": ("placement_mix", "Children's homes"), "supported": ("placement_mix", "Supported accommodation"),
    "parents": ("placement_mix", "Placed with parents"), "outside_london": ("location", "Outside London"),
    "distance_not_known": ("distance", "Distance not known"),
}


@pytest.mark.parametrize("area, fields", [("la:E09000001", {}), ("la:E09000021", {"age": "16 and over"}),
                                          ("la:E09000027", {"uasc": "yes"}), ("sr:east", {}), ("london", {"placement": "Other"})])
def test_kpis_and_tables_show_the_same_cell_alike(ctx, area, fields):
    """The same set of children is the same protected cell wherever it is shown: the KPI count is the table's total,
    and a KPI share is the table's % for that row."""
    result = data.view(AccessScope("commissioner", LAMBETH), area, AT, {**ALL, **fields})
    assert result["headline"]["children"] == result["placement_mix"]["Children"].iloc[-1]
    for key, (table_name, row) in SHARES.items():
        table = result[table_name].set_index(result[table_name].columns[0])
        assert result["headline"][key] == table.loc[row, "%"], (area, key)
        assert table.loc[row, "Children"] not in (1, 2, 3, 4)


def test_placed_outside_london_lists_no_london_row(ctx):
    result = data.view(AccessScope("commissioner", LAMBETH), f"la:{LAMBETH}", AT, ALL)
    regions = result["outside_regions"]
    assert "London" not in set(regions["Region"])           # it once showed a "London 0" bar
    assert len(regions) > 1 and regions["Region"].iloc[-1] == "Total"


def test_placed_outside_london_is_by_the_region_of_each_placements_district(ctx):
    """Lambeth's own children placed outside London on the date, by region: each placement's district (found at
    ingest from the ONS Postcode Directory) in its region (data/district_regions.csv), counted apart here."""
    from dashboard.store import get_engine
    from dashboard.store.reference import region_of_district
    from dashboard.store.ssda903 import EPISODE_PLACE
    e, p = ds.episode, EPISODE_PLACE
    at = pd.Timestamp(AT).date()
    stmt = (select(e.c.child, p.c.pl_la).select_from(e.join(p, and_(p.c.la_code == e.c.la_code, p.c.child == e.c.child,
                                                                     p.c.decom == e.c.decom)))
            .where(e.c.la_code == LAMBETH, e.c.decom <= at, or_(e.c.dec.is_(None), e.c.dec > at)))
    with get_engine().connect() as conn:
        placed = pd.read_sql_query(stmt, conn)
    away = placed[placed["pl_la"].notna() & ~placed["pl_la"].fillna("").str.startswith("E09")]
    expected = region_of_district(away["pl_la"]).value_counts().sort_index()
    result = data.view(AccessScope("commissioner", LAMBETH), f"la:{LAMBETH}", AT, ALL)
    shown = result["outside_regions"].set_index("Region")["Children"].drop("Total").sort_index()
    assert len(expected) >= 3 and "Outside London" not in shown.index
    assert shown.astype(int).to_dict() == expected.to_dict()   # the LA's own children: counted exactly
