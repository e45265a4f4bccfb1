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


def _csv(content: bytes) -> pd.DataFrame:
    return pd.read_csv(io.BytesIO(content), encoding="utf-8-sig")


def test_a_csv_of_demo_data_says_so_on_every_row_and_a_csv_of_real_data_does_not():
    tables = {"demo": pd.DataFrame({"LA": ["Lambeth", "Camden"], "Value": [1, 2]}), "real": pd.DataFrame({"LA": ["Brent"]})}
    presentation = Presentation(charts={}, tables=tables, notes=[("Data", "Members' returns.")], subtitle="", stem="p",
                                table_notes={"demo": [("Data", "Demo data: synthetic, not any LA's real figures.")]})
    demo = _csv(table_download(presentation, "demo", "csv")[0])
    assert demo.columns.tolist() == ["LA", "Value", "Data"]
    assert set(demo["Data"]) == {"Demo data: synthetic, not any LA's real figures"}
    assert "Data" not in _csv(table_download(presentation, "real", "csv")[0]).columns
    # A page whose data is demo only in parts names its demo tables; its notes' "Demo data" line then decides nothing.
    in_parts = Presentation(charts={}, tables=tables, notes=[("Demo data", "placements")], subtitle="", stem="p",
                            demo_tables=frozenset({"real"}))
    assert "Data" in _csv(table_download(in_parts, "real", "csv")[0]).columns
    assert "Data" not in _csv(table_download(in_parts, "demo", "csv")[0]).columns


def test_a_chart_of_demo_data_is_marked_demo_on_its_image():
    import plotly.graph_objects as go

    from dashboard.presenting import Slide, mark_demo
    presentation = Presentation(charts={"a": Slide("A", "", {}, "Source: returns. Demo data: synthetic."),
                                        "b": Slide("B", "", {}, "Source: DfE.")}, tables={}, notes=[], subtitle="", stem="p")
    assert presentation.chart_is_demo("a") and not presentation.chart_is_demo("b")
    figure = mark_demo(go.Figure(go.Bar(x=[1], y=[2])))
    assert [a.text for a in figure.layout.annotations] == ["<b>Demo data</b> (synthetic)"]
