"""Every published figure on a page names its publication and its release (the latest period in the imported file)."""
import json

import pandas as pd

from tests.app import test_send_page as send_page
from tests.app.test_benchmarking_page import render as render_benchmarking
from tests.app.test_sufficiency_page import _published as render_sufficiency_published
from tests.app.test_sufficiency_page import commissioner, commissioner_client  # noqa: F401  (fixtures)
from tests.shared_files import REALDATA, shared_file


def latest(relative_path: str, column: str = "time_period") -> int:
    return int(pd.read_csv(shared_file(REALDATA / relative_path), dtype=str, encoding="utf-8-sig")[column].str[:4].astype(int).max())


def test_benchmarking_published_source_names_the_workforce_release(member_client, published_data):
    props = render_benchmarking(member_client, "csww_agency_rate", "E09000007", "2020", "2025", source="published")
    notes = json.dumps(props["bench-definition"]["children"])
    assert (f"DfE, Children's social work workforce (30 September census), release with figures to "
            f"{latest('csww/csww_indicators_2017_to_2025.csv')}") in notes


def test_send_sources_name_sen2_and_its_release(member_client, published_data):
    props = send_page.render(member_client, measure="timely_20wk_pct", year="2022")
    notes = json.dumps(props["send-definition"]["children"])
    assert f"Education, health and care plans (SEN2), release with figures to {latest('send/sen2_mi.csv')}" in notes
    assert "Area SEND inspection outcomes 1 May 2016 to 31 August 2022" in notes


def test_sufficiency_published_figures_name_their_release(commissioner_client, published_data):
    props, _table = render_sufficiency_published(commissioner_client, "la:E09000022")
    text = json.dumps(props["suff-published-text"]["children"])
    year = latest("cla/cla_on_31_march_by_characteristics_london.csv")
    assert f"Children looked after in England including adoptions, release with figures to 31 March {year}" in text


def test_agency_pay_names_the_workforce_release_of_its_census_marks(server, published_data):
    from dashboard.dashboards.agency_pay import view as pay
    from dashboard import loader
    from dashboard.dashboards.agency_pay import data as pay_loader
    with server.app_context():
        periods = pay_loader.periods()
        filters = pay.resolve_filters("2024-06-30", periods[-1].date().isoformat(), "E09000012", "all", "la",
                                      las=loader.local_authorities(), periods=periods)
        notes = dict(pay.build_view(filters, loader.AccessScope("member", "E09000022")).notes)
    assert (f"Children's social work workforce (30 September census), release with figures to "
            f"{latest('csww/csww_indicators_2017_to_2025.csv')}") in notes["Agency workforce"]
