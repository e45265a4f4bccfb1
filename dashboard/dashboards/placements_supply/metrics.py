"""Pure functions over Ofsted's provider-level rows and protected counts of children: places per LA, sub-region and
London, owner concentration, openings and closures, the grade on a date, and demand against supply. No store, no app."""
from __future__ import annotations

import numpy as np
import pandas as pd

HOMES = "Children's homes"
OTHER = "Other provision"
LONDON = "london"


def is_childrens_home(provision_type: pd.Series) -> pd.Series:
    """Ofsted's children's homes of every kind (secure and short-break homes among them), however the apostrophe is
    written."""
    text = provision_type.fillna("").astype(str).str.lower().str.replace("\u2019", "'", regex=False)
    return text.str.contains("children's home", regex=False) | text.str.contains("childrens home", regex=False)


def area_codes(area: str, las: pd.DataFrame) -> list[str]:
    """The London LAs an area names: "la:<ONS code>", "sr:<sub-region code>" or "london"."""
    if area.startswith("la:"):
        return [area[3:]] if area[3:] in set(las["la_code"]) else []
    if area.startswith("sr:"):
        return list(las.loc[las["subregion_code"] == area[3:], "la_code"])
    return list(las["la_code"])


def latest_snapshot(places: pd.DataFrame, at=None) -> pd.DataFrame:
    """The providers on the latest places file on or before `at` (the latest of all when `at` is None)."""
    if places.empty:
        return places
    dates = places["at"] if at is None else places.loc[places["at"] <= pd.Timestamp(at), "at"]
    return places[places["at"] == dates.max()] if len(dates) else places.iloc[0:0]


def grade_at(urns: pd.Series, inspections: pd.DataFrame, at) -> pd.Series:
    """Each URN's grade (1-4) on `at`: the latest graded judgement on or before it; NaN when none was made by then
    (judgements that are not grades are passed over; an inspection after `at` is not known on `at`)."""
    graded = inspections[inspections["grade"].notna() & (inspections["inspection_date"] <= pd.Timestamp(at))]
    latest = graded.sort_values("inspection_date").drop_duplicates("urn", keep="last").set_index("urn")["grade"]
    return pd.Series(urns.map(latest).to_numpy(dtype="float64"), index=urns.index)


def places_given(places: pd.Series) -> int | None:
    """The places of some providers: 0 when there are none, None (not known) when none of them gives its places; else
    the sum of those given (the providers not giving theirs are counted beside it)."""
    if len(places) and places.isna().all():
        return None
    return int(places.sum())


def places_table(snapshot: pd.DataFrame, las: pd.DataFrame) -> pd.DataFrame:
    """Registered providers and places in each London LA, its sub-region and London: children's homes and all other
    provision, and children's homes' places by sector. A provider whose places are not given counts as a provider,
    and its places are counted as not known (never 0): a total none of whose providers gives places is None."""
    london = snapshot[snapshot["la_code"].isin(set(las["la_code"]))].copy()
    london["homes"] = is_childrens_home(london["provision_type"]).to_numpy()
    sectors = ("Private", "Voluntary", "Local authority")
    subregion = dict(zip(las["la_code"], las["subregion_name"]))
    rows = []

    def row(area_type: str, area: str, code: str | None, frame: pd.DataFrame) -> dict:
        homes = frame[frame["homes"]]
        sector = homes["sector"].fillna("").str.lower()
        return {"Area type": area_type, "Area": area, "la_code": code,
                "Children's homes": len(homes), "Children's homes places": places_given(homes["places"]),
                **{f"Places: {s.lower()}": places_given(homes.loc[(sector == s.lower()).to_numpy(), "places"]) for s in sectors},
                "Places: other sectors": places_given(homes.loc[(~sector.isin([s.lower() for s in sectors])).to_numpy(), "places"]),
                "Places not given": int(homes["places"].isna().sum()),
                "Other providers": int((~frame["homes"]).sum()),
                "Other providers' places": places_given(frame.loc[~frame["homes"], "places"])}
    for code, name in zip(las["la_code"], las["la_name"]):
        rows.append(row("LA", name, code, london[london["la_code"] == code]))
    for name in dict.fromkeys(las.sort_values("subregion_order")["subregion_name"]):
        codes = [c for c, s in subregion.items() if s == name]
        rows.append(row("Sub-region", name, None, london[london["la_code"].isin(codes)]))
    rows.append(row("London", "London", None, london))
    return pd.DataFrame(rows)


def places_by(snapshot: pd.DataFrame, column: str, *, homes_only: bool = True) -> pd.DataFrame:
    """Providers and places by `column` (provision type, sector or owner), largest first."""
    frame = snapshot[is_childrens_home(snapshot["provision_type"]).to_numpy()] if homes_only else snapshot
    key = frame[column].fillna("Not given").astype(str)
    table = (frame.assign(key=key).groupby("key", observed=True)
             .agg(Providers=("urn", "size"), Places=("places", lambda p: p.sum(min_count=1)),
                  **{"Places not given": ("places", lambda p: int(p.isna().sum()))}).reset_index()
             .rename(columns={"key": column}).sort_values(["Places", column], ascending=[False, True], na_position="last"))
    table["Places"] = table["Places"].astype("Int64")   # no place given for any of them: not known, never 0
    total = table["Places"].sum()
    table["% of places"] = [round(100 * int(p) / total, 1) if total and pd.notna(p) else None for p in table["Places"]]
    return table.reset_index(drop=True)


def owner_concentration(snapshot: pd.DataFrame, largest: tuple[int, ...] = (1, 5, 10)) -> dict[int, float | None]:
    """The share (%) of children's homes places held by the largest 1, 5 and 10 owners (places not given left out);
    providers with no owner given are each their own owner (Ofsted gives one for every non-LA home)."""
    homes = snapshot[is_childrens_home(snapshot["provision_type"]).to_numpy() & snapshot["places"].notna().to_numpy()]
    owner = homes["owner"].where(homes["owner"].notna(), "URN " + homes["urn"].astype(str))
    by_owner = homes.groupby(owner)["places"].sum().sort_values(ascending=False)
    total = by_owner.sum()
    return {n: (round(100 * float(by_owner.iloc[:n].sum()) / total, 1) if total else None) for n in largest}


def openings_and_closures(places: pd.DataFrame, closures: pd.DataFrame, la_codes: list[str]) -> pd.DataFrame:
    """Children's homes in the LAs registered and closed in each year to 31 March, from the registration dates on
    every places file and the closed homes files; with homes registered at each places file's date."""
    homes = places[is_childrens_home(places["provision_type"]).to_numpy() & places["la_code"].isin(la_codes).to_numpy()]
    opened = homes.drop_duplicates("urn")
    closed = closures[is_childrens_home(closures["provision_type"]).to_numpy() & closures["la_code"].isin(la_codes).to_numpy()]

    def year_to_march(dates: pd.Series) -> pd.Series:
        return dates.dt.year + (dates.dt.month >= 4)
    registered = year_to_march(opened["registration_date"].dropna()).value_counts()
    shut = year_to_march(closed["date_closed"]).value_counts()
    years = sorted(set(registered.index) | set(shut.index))
    if years:
        years = list(range(max(min(years), max(years) - 9), max(years) + 1))   # the last ten years
    table = pd.DataFrame({"Year to 31 March": years,
                          "Registered (opened)": [int(registered.get(y, 0)) for y in years],
                          "Closed": [int(shut.get(y, 0)) for y in years]})
    return table


def demand_against_supply(need: dict[str, float | None], homes_places: int | None, foster_places: int | None,
                          placed_outside_london: dict[str, int | None]) -> pd.DataFrame:
    """For children's homes and fostering: children forecast to need a place, places registered (or None: not held),
    the gap (need minus places; positive is a shortfall), and children of the area now placed outside London."""
    rows = []
    for kind, places in ((HOMES, homes_places), ("Fostering", foster_places)):
        demand = need.get(kind)
        gap = None if demand is None or places is None else round(demand - places)
        rows.append({"Placement type": kind, "Children forecast to need a place": None if demand is None else round(demand),
                     "Places registered": places, "Gap (need minus places)": gap,
                     "Children now placed outside London": placed_outside_london.get(kind)})
    return pd.DataFrame(rows)


def share(part, whole) -> float | None:
    return round(100 * part / whole, 1) if whole and part is not None and not np.isnan(whole) else None
