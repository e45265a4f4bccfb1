"""The Child-level episodes page through the Flask test client, as a commissioner's browser calls it: every chart
drawn from the demo returns (which hold Missing, AD1 and PlacedAdoption for every LA); a table an LA has not sent
said to be "not loaded" (never 0); members refused."""
from datetime import date

import pandas as pd
import pytest
from sqlalchemy import select

from dashboard.store import get_engine
from tests import cld_tables
from tests.dash_requests import callback_request, response_props
from tests.store_fixtures import ensure_user, sign_in

COMMISSIONER_EMAIL = "commissioner@lambeth.example"
LAMBETH = "E09000022"
CHARTS = ["starts_legal", "starts_need", "ceased_reason", "new_episodes", "durations", "placement_bands", "moves",
          "missing", "adoption"]
OUTPUTS = [("cld-banner", "children"), ("cld-kpis", "children"), ("cld-definition", "children"),
           *[o for c in CHARTS for o in ((f"cld-{c}-title", "children"), (f"cld-{c}", "figure"))],
           *[(f"cld-{c}-takeaway", "children") for c in CHARTS],
           *[(f"cld-{c}-table-title", "children") for c in CHARTS],
           *[o for c in CHARTS for o in ((f"cld-{c}-grid", "rowData"), (f"cld-{c}-grid", "columnDefs"))]]


@pytest.fixture(scope="module")
def commissioner(dash_app):
    return ensure_user(COMMISSIONER_EMAIL, LAMBETH, "commissioner", "Test Commissioner")


@pytest.fixture()
def commissioner_client(client, commissioner):
    assert sign_in(client, commissioner).status_code == 302
    return client


def render(client, year):
    response = callback_request(client, OUTPUTS, [("cld-year", "value", year)])
    assert response.status_code == 200, response.get_data(as_text=True)[:800]
    return response_props(response)


def test_every_chart_is_drawn_from_the_demo_returns(commissioner_client):
    props = render(commissioner_client, 2025)
    for chart in CHARTS:
        assert props[f"cld-{chart}"]["figure"]["data"], chart
    assert "not loaded" not in str(props["cld-banner"]["children"])
    rows = {r["Area"]: r for r in props["cld-missing-grid"]["rowData"]}
    assert rows["London"]["LAs holding the Missing table"] == "33 of 33 with a return"
    assert rows["Lambeth"]["Children missing"] > 0 and rows["Lambeth"]["Looked after in the year"] > 100


def _lambeth_children_in_care(year_end: str, n: int) -> list[tuple[str, str]]:
    """n Lambeth children looked after throughout the year, with no short break (their child ids and episode starts)."""
    from dashboard.dashboards.sufficiency.data import episode
    with get_engine().connect() as conn:
        rows = conn.execute(select(episode.c.child, episode.c.decom).where(
            episode.c.la_code == LAMBETH, episode.c.decom <= date(2024, 4, 1), episode.c.dec.is_(None),
            episode.c.ls.notin_(("V3", "V4"))).order_by(episode.c.child).limit(n)).all()
    return [(r.child, r.decom) for r in rows]


@pytest.fixture()
def lambeth_missing(server):
    """Lambeth alone holds a Missing table: child 1 missing twice in 2024/25 and once in 2023/24 (not counted), child 2
    away once. Lambeth's own figures are exact: 1 child missing with 2 episodes, 1 child away with 1."""
    (one, _), (two, _) = _lambeth_children_in_care("2025-03-31", 2)
    demo = cld_tables.read()
    row = lambda child, kind, start: {"la_code": LAMBETH, "child": child, "dob": None, "missing": kind,   # noqa: E731
                                      "mis_start": pd.Timestamp(start).date(), "mis_end": None}
    cld_tables.write({"Missing": [row(one, "M", "2024-05-01"), row(one, "M", "2024-11-30"), row(one, "M", "2024-03-31"),
                                  row(two, "A", "2025-03-31")]})
    yield
    cld_tables.write(demo)


def test_a_missing_table_is_counted_for_the_las_holding_it_and_not_loaded_for_the_others(commissioner_client, lambeth_missing):
    props = render(commissioner_client, 2025)
    rows = {r["Area"]: r for r in props["cld-missing-grid"]["rowData"]}
    lambeth = rows["Lambeth"]
    assert (lambeth["Children missing"], lambeth["Missing episodes"], lambeth["Children away"], lambeth["Away episodes"]) == (1, 2, 1, 1)
    assert lambeth["Missing episodes per child"] == 2.0
    assert lambeth["% missing"] == round(100 / lambeth["Looked after in the year"], 1)
    assert rows["London"]["LAs holding the Missing table"] == "1 of 33 with a return"
    banner = str(props["cld-banner"]["children"])
    assert "Missing (missing and away episodes) table is not loaded" not in banner
    assert "AD1 (adoption decisions and matches) table is not loaded for: Lambeth, South London (sub-region), London" in banner
    assert props["cld-missing"]["figure"]["data"]
    assert "went missing" in props["cld-missing-takeaway"]["children"]
    # The adoption tables are still not loaded anywhere: said, never 0.
    assert {r["Children"] for r in props["cld-adoption-grid"]["rowData"]} == {"not loaded"}


def test_members_cannot_open_the_page(client):
    from tests.store_fixtures import MEMBER_EMAIL
    assert sign_in(client, MEMBER_EMAIL).status_code == 302
    response = callback_request(client, OUTPUTS, [("cld-year", "value", 2025)])
    assert response.status_code == 403, response.status_code


def test_lambeths_own_counts_are_exact_and_match_its_episodes_counted_apart(commissioner_client):
    """Lambeth's own column against its stored episodes counted here with plain pandas (short breaks left out): children
    with an episode begun with S in 2024/25, children whose care ended (any REC but X1), children in care on 31 March."""
    from dashboard.dashboards.sufficiency.data import episode
    with get_engine().connect() as conn:
        e = pd.read_sql_query(select(episode).where(episode.c.la_code == LAMBETH), conn)
    e = e[~e["ls"].isin(["V3", "V4"])]
    decom, dec = pd.to_datetime(e["decom"]), pd.to_datetime(e["dec"])
    in_year = lambda d: (d >= "2024-04-01") & (d <= "2025-03-31")   # noqa: E731
    starts = e.loc[(e["rne"] == "S") & in_year(decom), "child"].nunique()
    ceased = e.loc[in_year(dec) & e["rec"].notna() & (e["rec"] != "X1"), "child"].nunique()
    in_care = e.loc[(decom <= "2025-03-31") & (dec.isna() | (dec > "2025-03-31")), "child"].nunique()
    props = render(commissioner_client, 2025)
    total = lambda table, column: next(r for r in props[f"cld-{table}-grid"]["rowData"] if r[column] == "Total")   # noqa: E731
    assert total("starts_legal", "Legal status group")["Lambeth: number"] == starts > 50
    assert total("ceased_reason", "Reason ceased (group)")["Lambeth: number"] == ceased > 50
    moves = {r["Area"]: r for r in props["cld-moves-grid"]["rowData"]}
    assert moves["Lambeth"]["Looked after at 31 March"] == in_care > 100


def test_an_la_with_no_return_for_the_year_says_no_return_never_0(server, monkeypatch):
    """Lambeth without a return for the year (its area figures say none of its LAs returned): every Lambeth figure
    reads "no return", the takeaways say so, and the sub-region and London are still drawn."""
    from dashboard.dashboards.cld_episodes import data, view as cld_view
    from dashboard.loader import AccessScope
    scope = AccessScope("commissioner", LAMBETH)
    with server.app_context():
        real = data.area_figures.uncached
        monkeypatch.setattr(data, "area_figures", lambda scope, area, year, codes: (
            {"las": 1, "returned": 0} if area == f"la:{LAMBETH}" else real(scope, area, year, codes)))
        view = cld_view.build_view.uncached(cld_view.Filters(2025), scope)
    assert {r["Lambeth: number"] for r in view.tables["starts_legal"].to_dict("records")} == {"no return"}
    assert view.tables["moves"].set_index("Area").loc["Lambeth", "Looked after at 31 March"] == "no return"
    assert view.kpis[0][1] == "no return"
    assert view.kpis[2] == ("3 or more placements", "no return", "Lambeth, 2024/25 (year to 31 March 2025)")
    assert view.takeaways["moves"] == "Lambeth has no return for 2024/25 (year to 31 March 2025)."
    assert any("no SSDA903 return" in b for b in view.banners)
    assert [t["name"] for t in view.figures["moves"]["data"]] == ["South London (sub-region)", "London"]


@pytest.fixture()
def sample_la(server, restore_demo):
    """The cs-demand-model sample LA's 2020/21 and 2021/22 DfE tables uploaded as Lambeth's return (the children the
    DfE's rules refuse taken out first, as a data officer would fix them): its files, as stored."""
    import io
    import zipfile
    from dashboard.dashboards.sufficiency import returns as suff_returns
    from dashboard.ingest import loading
    from tests.shared_files import shared_file
    folder = shared_file("ssda903_samples/cs_demand_model")
    files = [(p.name, p.read_bytes()) for year in (2020, 2021) for p in sorted(folder.glob(f"{year}-*.csv"))]
    engine = get_engine()
    report = loading.validate_files(engine, suff_returns.NAME, files, LAMBETH, "2022-03-31", max_bytes=2**22)
    tables = {name: pd.read_csv(io.BytesIO(body), dtype=str, keep_default_na=False) for name, body in files if body.strip()}
    faulty = set()
    for error in report.row_errors:
        file_name, row = error["row"].split(": ", 1)[1].rsplit(", row ", 1)
        faulty.add(tables[file_name].at[int(row) - 2, "CHILD"])
    fixed = {name: frame[~frame["CHILD"].isin(faulty)] for name, frame in tables.items()}
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        for name, frame in fixed.items():
            z.writestr(name, frame.to_csv(index=False))
    report = loading.validate_files(engine, suff_returns.NAME, [("sample.zip", archive.getvalue())], LAMBETH,
                                    "2022-03-31", max_bytes=2**22)
    assert report.ok, report.row_errors[:3] + report.file_errors
    assert loading.commit(engine, report, "tests").status == "committed"
    yield fixed
    restore_demo([suff_returns.NAME])


def test_the_sample_las_real_tables_give_its_starts_as_counted_from_the_files(commissioner_client, sample_la):
    """The sample LA's own 2020/21 children starting care against its files counted apart (RNE S in the year, short
    breaks left out): 5 once the children the DfE's rules refuse are out. Both of its Missing rows are refused children,
    so it holds no Missing row: the page says "not loaded" (a table with no rows and no table are alike once stored)."""
    dates = lambda column: pd.to_datetime(column, format="%d/%m/%Y", errors="coerce")   # noqa: E731
    in_year = lambda d: (d >= "2020-04-01") & (d <= "2021-03-31")   # noqa: E731
    episodes = pd.concat([sample_la["2020-episodes.csv"], sample_la["2021-episodes.csv"]]).drop_duplicates(["CHILD", "DECOM"], keep="last")
    episodes = episodes[~episodes["LS"].isin(["V3", "V4"])]
    starts = episodes.loc[(episodes["RNE"] == "S") & in_year(dates(episodes["DECOM"])), "CHILD"].nunique()
    props = render(commissioner_client, 2021)
    total = next(r for r in props["cld-starts_legal-grid"]["rowData"] if r["Legal status group"] == "Total")
    assert total["Lambeth: number"] == starts == 5
    assert sum(len(sample_la[f"{y}-missing.csv"]) for y in (2020, 2021)) == 0
    lambeth = {r["Area"]: r for r in props["cld-missing-grid"]["rowData"]}["Lambeth"]
    assert lambeth["Looked after in the year"] == "not loaded"
