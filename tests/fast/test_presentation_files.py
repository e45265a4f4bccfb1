"""A page's files from its Presentation (dashboard/presenting.py): names and notes, the page's own or one file's."""
import io

import pandas as pd
import pytest

from dashboard.presenting import Lazy, Presentation, chart_and_kind, table_download


def _notes_sheet(content: bytes) -> list[list]:
    return pd.read_excel(io.BytesIO(content), sheet_name="Notes", header=None).values.tolist()


def test_a_table_file_is_named_from_the_stem_unless_the_presentation_names_it():
    presentation = Presentation(charts={}, tables={"table": pd.DataFrame({"a": [1]}), "heat": pd.DataFrame({"b": [2]})},
                                notes=[("Source", "everyone's")], subtitle="", stem="page_2024",
                                table_stems={"heat": "page_2024_heatmap"},
                                table_notes={"heat": [("Demo data", "synthetic"), ("Source", "everyone's")]})
    assert table_download(presentation, "table", "csv")[1] == "page_2024_table.csv"
    assert table_download(presentation, "heat", "csv")[1] == "page_2024_heatmap.csv"
    table_xlsx, heat_xlsx = (table_download(presentation, which, "xlsx")[0] for which in ("table", "heat"))
    assert ["Demo data", "synthetic"] not in _notes_sheet(table_xlsx)
    assert ["Demo data", "synthetic"] in _notes_sheet(heat_xlsx)


def test_a_lazy_presentation_builds_only_the_table_downloaded():
    built = []

    def table(which):
        built.append(which)
        return pd.DataFrame({which: [1]})
    presentation = Presentation(charts={}, tables=Lazy(["mix", "trend", "forecast"], table), notes=[("Source", "here")],
                                subtitle="", stem="page_2024", table_notes=Lazy(["mix", "trend", "forecast"],
                                                                              lambda which: [("Table", which)]))
    assert "trend" in presentation.tables and "costs" not in presentation.tables and built == []
    content, name = table_download(presentation, "trend", "xlsx")
    assert name == "page_2024_trend.xlsx" and built == ["trend"] and ["Table", "trend"] in _notes_sheet(content)
    assert list(presentation.tables) == ["mix", "trend", "forecast"]
    with pytest.raises(ValueError):
        table_download(presentation, "costs", "csv")
    assert built == ["trend"]


def test_an_image_buttons_id_names_its_chart_and_format():
    assert chart_and_kind("bench-ranking-png") == ("ranking", "png")
    assert chart_and_kind("pay-overcap-la-svg") == ("overcap-la", "svg")      # a chart's name may hold a hyphen
