"""The Ofsted provider-level importer on files in Ofsted's published layout (made here): each of the three tables
recognised by its columns and told apart, London LAs matched by name, places missing kept missing, and a cell or a
shape it cannot read refused, naming file, row and column."""
from datetime import date

import pandas as pd
import pytest

from dashboard.dashboards.placements_supply import returns
from dashboard.published import ofsted_providers
from tests import ofsted_provider_files as files

LONDON = {"Lambeth": "E09000022", "Southwark": "E09000028", "Hackney": "E09000012", "City of London": "E09000001",
          "Kensington and Chelsea": "E09000020", "Richmond upon Thames": "E09000027"}


def test_a_places_file_is_read_with_its_date_from_its_name(tmp_path):
    rows = returns.read_providers(files.places_file(tmp_path), LONDON)
    assert rows["kind"] == "places" and rows["at"] == date(2025, 3, 31)
    by_urn = {r["urn"]: r for r in rows["places"]}
    assert len(by_urn) == 6
    assert by_urn["SC100001"] == {"at": date(2025, 3, 31), "urn": "SC100001", "provision_type": "Children's home",
                                  "sector": "Private", "la_name": "Lambeth", "la_code": "E09000022", "places": 4,
                                  "owner": "Acme Care Ltd", "registration_date": date(2015, 6, 1),
                                  "registration_status": "Active"}
    assert by_urn["SC100005"]["places"] is None          # not given: missing, never 0
    assert by_urn["SC100006"]["la_code"] is None          # Kent is not in London
    assert rows["inspections"] == [] and rows["closures"] == []


def test_a_places_workbook_takes_its_date_from_its_title_row(tmp_path):
    path = files.write_xlsx(tmp_path / "ofsted.xlsx", files.PLACES_COLUMNS, files.PROVIDERS_2025,
                            "Providers and places at 31 August 2019", "Providers")
    rows = returns.read_providers(path, LONDON)
    assert (rows["kind"], rows["at"], len(rows["places"])) == ("places", date(2019, 8, 31), 6)


def test_the_in_year_file_gives_every_judgement_with_its_grade(tmp_path):
    rows = returns.read_providers(files.in_year_file(tmp_path), LONDON)
    assert rows["kind"] == "inspections" and rows["places"] == []
    got = sorted((i["urn"], i["inspection_date"], i["judgement"], i["grade"]) for i in rows["inspections"])
    assert got == [("SC100001", date(2024, 6, 10), "Good", 2), ("SC100001", date(2025, 1, 20), "Inadequate", 4),
                   ("SC100003", date(2023, 11, 2), "Outstanding", 1),
                   ("SC100003", date(2024, 9, 1), "Improved effectiveness", None)]
    assert rows["period"] == "2023-11-02 to 2025-01-20"


def test_the_closed_homes_file_gives_each_home_and_its_closing_date(tmp_path):
    rows = returns.read_providers(files.closed_file(tmp_path), LONDON)
    assert rows["kind"] == "closures"
    assert sorted((c["urn"], c["date_closed"], c["la_code"]) for c in rows["closures"]) == [
        ("SC099001", date(2024, 8, 15), "E09000022"), ("SC099002", date(2023, 3, 3), None)]   # Croydon not in LONDON here


@pytest.mark.parametrize("written, code", [("London Borough of Lambeth", "E09000022"), ("Kensington & Chelsea", "E09000020"),
                                           ("City of London Corporation", "E09000001"), ("LB Hackney", "E09000012"),
                                           ("Richmond-upon-Thames", "E09000027"), ("Kent", None)])
def test_london_las_are_matched_however_they_are_written(written, code):
    london = {returns._name_key(name): c for name, c in LONDON.items()}
    assert returns.london_code(written, london) == code


@pytest.mark.parametrize("column, value, message", [
    ("Places", "four", "row 3, column 'Places': 'four' is not a number of places"),
    ("Places", "-2", "row 3, column 'Places': '-2' is not a number of places"),
    ("Registration date", "31/02/2020", "row 3, column 'Registration date': '31/02/2020' is not a date"),
    ("URN", "not-a-urn", "row 3, column 'URN': 'NOT-A-URN' is not an Ofsted URN"),
    ("Provision type", "", "row 3, column 'Provision type': blank"),
])
def test_a_bad_cell_is_refused_naming_file_row_and_column(tmp_path, column, value, message):
    rows = [dict(r) for r in files.PROVIDERS_2025]
    rows[1][column] = value
    with pytest.raises(returns.OfstedProviderError) as error:
        returns.read_providers(files.places_file(tmp_path, rows), LONDON)
    assert str(error.value).startswith(f"Providers_places_at_31_Mar_2025.csv, {message}")


def test_a_provider_listed_twice_on_a_places_file_is_refused(tmp_path):
    rows = files.PROVIDERS_2025 + [files.PROVIDERS_2025[0]]
    with pytest.raises(returns.OfstedProviderError, match="row 8, column 'URN': SC100001 is also on row 2"):
        returns.read_providers(files.places_file(tmp_path, rows), LONDON)


def test_a_provider_table_of_no_known_kind_is_refused_saying_what_each_kind_needs(tmp_path):
    path = files.write_csv(tmp_path / "providers.csv", files.PLACES_COLUMNS, files.PROVIDERS_2025)
    with pytest.raises(returns.OfstedProviderError, match="providers.csv: .*names its date .*'Date closed'"):
        returns.read_providers(path, LONDON)


def test_absurd_shapes_are_refused_before_rows_are_read(tmp_path, monkeypatch):
    monkeypatch.setattr(ofsted_providers, "MAX_ROWS", 5)   # the reader is shared (Sufficiency reads the grades)
    with pytest.raises(returns.OfstedProviderError, match="6 rows; an Ofsted provider table has at most 5"):
        returns.read_providers(files.places_file(tmp_path), LONDON)
    monkeypatch.setattr(ofsted_providers, "MAX_ROWS", 60_000)
    wide = files.PLACES_COLUMNS + [f"Extra {i}" for i in range(200)]
    with pytest.raises(returns.OfstedProviderError, match="214 columns; an Ofsted provider table has at most 150"):
        returns.read_providers(files.write_csv(tmp_path / "Providers_places_at_31_Mar_2025.csv", wide, []), LONDON)
    rows = [dict(r) for r in files.PROVIDERS_2025]
    rows[2]["Organisation which owns the provider"] = "x" * 5000
    with pytest.raises(returns.OfstedProviderError, match="row 4, column 'Organisation which owns the provider': 5,000 characters"):
        returns.read_providers(files.places_file(tmp_path, rows), LONDON)


def test_the_route_recognises_all_three_tables_by_their_columns_and_nothing_else():
    route = returns.published_routes()[0]
    assert route.matches(files.PLACES_COLUMNS) and route.matches(files.IN_YEAR_COLUMNS) and route.matches(files.CLOSED_COLUMNS)
    assert not route.matches(["urn", "la_code", "overall_effectiveness_grade"])   # the ILACS summary goes elsewhere
    assert pd.Series(files.PLACES_COLUMNS).isin(files.IN_YEAR_COLUMNS).all()
