"""`python -m dashboard ingest`: a rejected file exits non-zero with its report; a good one is stored."""
import pandas as pd
import pytest
from sqlalchemy import select

from dashboard.__main__ import main
from dashboard.store import get_engine, schema

LA, PERIOD = "E09000030", "2025-03-31"   # Tower Hamlets


@pytest.fixture(scope="module")
def store(dash_app, settings, restore_demo):
    import os
    os.environ["DATABASE_URL"] = settings.database_url   # the CLI reads its settings from the environment
    yield get_engine()
    del os.environ["DATABASE_URL"]
    restore_demo()   # later tests expect the demo data and the published figures


def _file(tmp_path, value_for_cla="12.5"):
    with get_engine().connect() as conn:
        codes = list(conn.execute(select(schema.indicator.c.code)).scalars())
    lines = ["la_code,period_end,indicator_code,value"]
    lines += [f"{LA},{PERIOD},{code},{value_for_cla if code == 'cla_rate' else 7}" for code in codes]
    path = tmp_path / "tower_hamlets.csv"
    path.write_text("\n".join(lines) + "\n")
    return path


def test_a_rejected_file_exits_1_and_prints_row_column_and_rule(store, tmp_path, capsys):
    report = tmp_path / "report.csv"
    code = main(["ingest", "benchmarking", str(_file(tmp_path, "n/a")), "--la", LA, "--period", PERIOD,
                 "--report", str(report)])
    out = capsys.readouterr().out
    assert code == 1
    assert "1 rejected" in out and "not a number" in out and "n/a" in out
    assert pd.read_csv(report)["rule"].tolist() == ["not a number"]


def test_a_good_file_is_stored_then_an_identical_one_changes_nothing(store, tmp_path, capsys):
    path = _file(tmp_path)
    assert main(["ingest", "benchmarking", str(path), "--la", LA, "--period", PERIOD, "--check-only"]) == 0
    assert "Ready to commit" in capsys.readouterr().out
    assert main(["ingest", "benchmarking", str(path), "--la", LA, "--period", PERIOD, "--actor", "bulk@liia.example"]) == 0
    assert "Stored as version 1" in capsys.readouterr().out
    with store.connect() as conn:
        value = conn.execute(select(schema.benchmark_value.c.value).where(
            schema.benchmark_value.c.la_code == LA, schema.benchmark_value.c.indicator_code == "cla_rate",
            schema.benchmark_value.c.period_end == pd.Timestamp(PERIOD).date())).scalar_one()
    assert value == 12.5
    assert main(["ingest", "benchmarking", str(path), "--la", LA, "--period", PERIOD]) == 0
    assert "nothing changed" in capsys.readouterr().out


def test_unknown_dataset_is_a_usage_error(store, tmp_path, capsys):
    assert main(["ingest", "nope", str(_file(tmp_path)), "--la", LA, "--period", PERIOD]) == 2
    assert "unknown dataset" in capsys.readouterr().err


@pytest.mark.parametrize("dataset,period,number_column", [
    ("agency_pay", "2026-03-31", "hourly_rate"), ("sufficiency", "2025-03-31", "DOB"), ("linc", "2025-03-31", "headcount"),
    ("suspensions", "2022/23", "headcount"), ("send", "2023", "value"),
])
def test_every_dataset_loads_from_the_command_line_and_a_bad_file_exits_1(store, tmp_path, capsys, dataset, period, number_column):
    from dashboard.ingest import samples
    la = "E09000019"   # Islington: no other test uploads for it
    frame = samples.GOOD_RETURNS[dataset](la, period, seed=9)
    bad = frame.astype(object)
    bad.loc[bad.index[2], number_column] = "lots"
    (tmp_path / "bad.csv").write_bytes(samples.as_csv(bad))
    assert main(["ingest", dataset, str(tmp_path / "bad.csv"), "--la", la, "--period", period]) == 1
    out = capsys.readouterr().out
    assert "rejected" in out and "lots" in out and number_column.lower() in out
    (tmp_path / "good.csv").write_bytes(samples.as_csv(frame))
    assert main(["ingest", dataset, str(tmp_path / "good.csv"), "--la", la, "--period", period]) == 0
    assert f"Stored as version 1 ({len(frame)} rows)" in capsys.readouterr().out


def test_ingest_ssda903_takes_a_folder_of_years_and_checks_each_by_its_own_rules(store, tmp_path, capsys):
    """Two of the sample LA's years in folders named by year: each year's faults reported under its year."""
    from tests.shared_files import shared_file
    folder = shared_file("ssda903_samples/cs_demand_model")
    for year in (2020, 2021):
        (tmp_path / "returns" / f"{year}-{str(year + 1)[2:]}").mkdir(parents=True)
        for path in folder.glob(f"{year}-*.csv"):
            (tmp_path / "returns" / f"{year}-{str(year + 1)[2:]}" / path.name.removeprefix(f"{year}-")).write_bytes(path.read_bytes())
    report = tmp_path / "report.csv"
    assert main(["ingest", "ssda903", str(tmp_path / "returns"), "--la", "E09000030", "--period", "2022-03-31",
                 "--check-only", "--report", str(report)]) == 1
    text = report.read_text()
    assert 'error,"2020/21 return: episodes.csv, row ' in text and 'error,"2021/22 return: episodes.csv, row 5",DEC,,"DfE rule 148:' in text


def test_ingest_ssda903_exit_codes_for_three_years_of_every_table_as_a_folder_and_as_a_zip(store, tmp_path, capsys):
    """The demo's return for one LA (three collection years, every DfE table, as `demo-returns` writes it): checked
    (0), stored (0), the same again (0, nothing changed), as a zip (0, stored); one wrong code refuses the set (1)."""
    assert main(["demo-returns", str(tmp_path), "--la", LA, "--seed", "3"]) == 0
    folder = tmp_path / LA
    args = ["--la", LA, "--period", PERIOD]
    assert main(["ingest", "ssda903", str(folder), *args, "--check-only"]) == 0
    out = capsys.readouterr().out
    assert "0 rejected" in out and "Ready to commit" in out
    assert main(["ingest", "ssda903", str(folder), *args]) == 0
    assert "Stored as version" in capsys.readouterr().out
    assert main(["ingest", "ssda903", str(folder), *args]) == 0
    assert "nothing changed" in capsys.readouterr().out
    import zipfile
    with zipfile.ZipFile(tmp_path / "returns.zip", "w") as archive:
        for path in sorted(folder.iterdir()):
            archive.write(path, path.name)
    assert main(["ingest", "ssda903", str(tmp_path / "returns.zip"), *args]) == 0
    out = capsys.readouterr().out
    assert " 0 rejected" in out and "Stored as version" in out
    sw = folder / "2024-25_swepisodes.csv"
    lines = sw.read_text().splitlines()
    lines[1] = lines[1].rsplit(",", 1)[0] + ",BOSS"      # not a DfE reason for a social worker change
    sw.write_text("\n".join(lines) + "\n")
    report = tmp_path / "report.csv"
    assert main(["ingest", "ssda903", str(folder), *args, "--report", str(report)]) == 1
    assert 'error,"2024/25 return: 2024-25_swepisodes.csv, row 2",SW_REASON,BOSS,DfE rule SW13:' in report.read_text()
