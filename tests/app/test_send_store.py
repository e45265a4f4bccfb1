"""SEND's published files into a store of its own: demo data seeded and labelled, real figures kept and only the
rest labelled demo, and a bad file changing nothing."""
import pandas as pd
import pytest
from sqlalchemy import create_engine

from dashboard.dashboards.send import returns as ds
from dashboard.store.datasets import dataset_state
from dashboard.store.setup import init_db
from tests.shared_files import REALDATA, shared_file


@pytest.fixture()
def engine(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'send.sqlite3'}")
    init_db(engine)
    yield engine
    engine.dispose()


def stored(engine):
    with engine.connect() as conn:
        return (pd.read_sql(ds.send_value.select(), conn), pd.read_sql(ds.send_inspection.select(), conn))


def test_demo_data_is_seeded_labelled_and_adds_up(engine):
    ds.load_demo_only(engine, seed=11)
    values, inspections = stored(engine)
    assert set(values["source"]) == {"demo"} and set(inspections["source"]) == {"demo"}
    assert dataset_state(engine, "send")["is_demo"]
    assert set(ds.MEASURES) <= set(values["measure"])
    lambeth = values[(values["area_code"] == "E09000022") & (values["year"] == 2022)].set_index("measure")["value"]
    assert sum(lambeth[m] for m in ds.PLACEMENTS) == lambeth["plans_in_force"]   # placements add up to the plans
    again = ds.demo_values(_las_of(engine), 11)
    assert len(again) == len(values)   # same seed, same data


def _las_of(engine):
    return ds._las(engine)


def test_import_keeps_real_figures_and_labels_only_the_rest_demo(engine):
    summary = ds.load_published(engine, shared_file(REALDATA / "send").parent, seed=3)
    assert summary["demo_measures"] == sorted(list(ds.PLACEMENTS) + list(ds.NEEDS))
    values, inspections = stored(engine)
    sources = values.groupby("measure")["source"].agg(set)
    last_year = max(int(y) for y in pd.read_csv(shared_file(REALDATA / "send" / "sen2_age_caseload.csv"), dtype=str)["time_period"])
    assert sources["plans_in_force"] == {f"DfE, Education, health and care plans (SEN2), release with figures to "
                                         f"{last_year} (sen2_age_caseload.csv)"}   # the publication, its release, the file
    assert sources["place_inmss"] == {"demo"}
    assert "demo" not in set(inspections["source"])
    # Placements (demo) are split from Lambeth's real 2,940 plans, so the mix adds up to the published total.
    lambeth = values[(values["area_code"] == "E09000022") & (values["year"] == 2022)].set_index("measure")["value"]
    assert lambeth["plans_in_force"] == 2940 and sum(lambeth[m] for m in ds.PLACEMENTS) == 2940
    assert values[(values["measure"] == "timely_20wk") & (values["area_code"] == "E09000016") & (values["year"] == 2022)]["value"].isna().all()
    assert dataset_state(engine, "send")["version"] == summary["version"]


def test_a_bad_file_changes_nothing(engine, tmp_path):
    ds.load_demo_only(engine, seed=1)
    before = dataset_state(engine, "send")["version"]
    folder = tmp_path / "downloads"
    folder.mkdir()
    (folder / "sen2_mi.csv").write_text("time_period,geographic_level\n2022,National\n")
    with pytest.raises(ds.SendImportError, match="sen2_mi.csv: missing column"):
        ds.load_published(engine, folder)
    assert dataset_state(engine, "send")["version"] == before
    assert set(stored(engine)[0]["source"]) == {"demo"}
