"""Presenting and sharing: chart images rendered on the server, PowerPoint decks, anonymised LA names.

Images come from kaleido driving the machine's own Chromium (no network, no downloaded browser); one
browser is started per process on first use and reused, so an image takes a fraction of a second.
"""
from __future__ import annotations

import hashlib
import hmac
import io
import os
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Callable

import pandas as pd
import plotly.graph_objects as go

from dashboard.components.callback_values import InvalidChoice
from dashboard.exports import table_file

IMAGE_WIDTH, IMAGE_HEIGHT = 1280, 720      # 16:9, as the slides
_server_lock = threading.Lock()
_server_started = False


class ImagesUnavailable(RuntimeError):
    """Chart images cannot be rendered here (no Chromium); tables and decks without pictures still work."""


def _start_image_server(chromium_path: str) -> None:
    global _server_started
    with _server_lock:
        if _server_started:
            return
        if not os.path.exists(chromium_path):
            raise ImagesUnavailable(f"Chart images need Chromium at {chromium_path} (Debian package 'chromium').")
        os.environ.setdefault("BROWSER_PATH", chromium_path)   # kaleido uses this browser, never downloads one
        import kaleido
        kaleido.start_sync_server(silence_warnings=True)
        _server_started = True


def configured_chromium() -> str:
    """The Chromium path in the running app's settings: the callbacks that draw images and decks pass it on."""
    from flask import current_app
    return current_app.config["LCSD_SETTINGS"].chromium_path


def chart_and_kind(button_id: str) -> tuple[str, str]:
    """The chart and the image format an image button's id names: 'pay-overcap-la-png' -> ('overcap-la', 'png').
    The page's prefix comes off the front and the format off the end, as a chart's own name may hold a hyphen."""
    chart, kind = button_id.split("-", 1)[1].rsplit("-", 1)
    return chart, kind


def figure_image(fig: go.Figure | dict, fmt: str = "png", *, chromium_path: str = "/usr/bin/chromium",
                 width: int = IMAGE_WIDTH, height: int = IMAGE_HEIGHT, demo: bool = False) -> bytes:
    """The chart as PNG or SVG bytes, drawn on the server; `demo` writes "Demo data" on it (an image travels alone)."""
    if fmt not in ("png", "svg"):
        raise ValueError("format must be png or svg")
    import warnings

    import plotly.io as pio
    _start_image_server(chromium_path)
    figure = go.Figure(fig)
    figure.update_layout(width=width, height=height)
    if demo:
        mark_demo(figure)
    with _server_lock, warnings.catch_warnings():   # one image at a time through the shared browser
        warnings.filterwarnings("ignore", message="The kopts argument is ignored")   # plotly's note that the server is reused
        return pio.to_image(figure, format=fmt, width=width, height=height, scale=2 if fmt == "png" else 1)


# --- demo data: every file and image of it says so ------------------------------------------------------

DEMO_LABEL = "Demo data: synthetic, not any LA's real figures"
DEMO_COLUMN = "Data"


def mark_demo(figure: go.Figure) -> go.Figure:
    """"Demo data" in the image's top right corner, above the plot, with room made for it."""
    figure.add_annotation(text="<b>Demo data</b> (synthetic)", xref="paper", yref="paper", x=1, y=1, xanchor="right",
                          yanchor="bottom", yshift=8, showarrow=False, font={"size": 13, "color": "#7a4100"},
                          bgcolor="#fff3cd", bordercolor="#7a4100", borderpad=3)
    top = figure.layout.margin.t if figure.layout.margin.t is not None else 80
    figure.update_layout(margin={"t": max(top, 60)})
    return figure


def notes_say_demo(notes) -> bool:
    """A page's notes call the data demo data: a note named "Demo data" (not "none"), or one that begins "Demo data:"."""
    return any((term == "Demo data" and text not in ("", "none")) or str(text).startswith("Demo data:")
               for term, text in notes)


def with_demo_column(table: pd.DataFrame) -> pd.DataFrame:
    """The table with a last column saying, on every row, that it is demo data (a CSV has no notes sheet)."""
    column = DEMO_COLUMN if DEMO_COLUMN not in table.columns else "Demo data"
    return table.assign(**{column: DEMO_LABEL})


# --- anonymising ----------------------------------------------------------------------------------------

def anonymous_labels(la_codes: list[str], secret: str) -> dict[str, str]:
    """'LA 1'..'LA n' for these codes: the same LA always gets the same label, but the order is keyed by the
    app's secret, so the label does not give away the ONS code order (City of London is not always 'LA 1')."""
    order = sorted(la_codes, key=lambda code: hmac.new(secret.encode(), code.encode(), hashlib.sha256).hexdigest())
    return {code: f"LA {n}" for n, code in enumerate(order, start=1)}


def label_order(name: str) -> tuple:
    """Sort key: real names (the viewer's own LA) alphabetically first, then labels by number ('LA 2' before 'LA 10')."""
    return (1, int(name[3:]), "") if name.startswith("LA ") and name[3:].isdigit() else (0, 0, name)


def anonymise_las(las: pd.DataFrame, viewer_la: str | None, secret: str) -> pd.DataFrame:
    """The LA table with every name but the viewer's own replaced by its stable label, in label order (rows left in
    ONS code or name order would let anyone match each label to its LA)."""
    labels = anonymous_labels(sorted(las["la_code"]), secret)
    out = las.copy()
    out["la_name"] = [name if code == viewer_la else labels[code] for code, name in zip(out["la_code"], out["la_name"])]
    return out.sort_values("la_name", key=lambda names: names.map(label_order))


def la_options(las: pd.DataFrame, viewer_la: str | None, anonymise_with: str | None) -> list[dict]:
    """Every LA as a dropdown choice, in label order: the viewer's own named, the others labelled when anonymised."""
    if anonymise_with:
        las = anonymise_las(las, viewer_la, anonymise_with)
    return [{"label": n, "value": c} for c, n in sorted(zip(las["la_code"], las["la_name"]), key=lambda x: label_order(x[1]))]


# --- decks ----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Slide:
    title: str
    takeaway: str          # one plain-English sentence generated from the data
    figure: object         # a plotly figure (dict or go.Figure)
    source: str


def deck(title: str, subtitle: str, slides: list[Slide], *, chromium_path: str = "/usr/bin/chromium") -> bytes:
    """A PowerPoint deck: a title slide, then one slide per chart with its title, takeaway and source line."""
    from pptx import Presentation
    from pptx.util import Emu, Pt

    prs = Presentation()
    prs.slide_width, prs.slide_height = Emu(12192000), Emu(6858000)   # 16:9
    first = prs.slides.add_slide(prs.slide_layouts[0])
    first.shapes.title.text = title
    first.placeholders[1].text = subtitle
    blank = prs.slide_layouts[5]   # title only
    for item in slides:
        slide = prs.slides.add_slide(blank)
        slide.shapes.title.text = item.title
        slide.shapes.title.text_frame.paragraphs[0].font.size = Pt(26)
        box = slide.shapes.add_textbox(Emu(600000), Emu(1250000), Emu(11000000), Emu(500000))
        box.text_frame.text = item.takeaway
        box.text_frame.paragraphs[0].font.size = Pt(18)
        try:
            png = figure_image(item.figure, "png", chromium_path=chromium_path, width=1200, height=560)
            slide.shapes.add_picture(io.BytesIO(png), Emu(600000), Emu(1800000), width=Emu(11000000))
        except ImagesUnavailable as exc:
            note = slide.shapes.add_textbox(Emu(600000), Emu(2500000), Emu(11000000), Emu(500000))
            note.text_frame.text = f"(Chart not drawn: {exc})"
        source = slide.shapes.add_textbox(Emu(600000), Emu(6250000), Emu(11000000), Emu(400000))
        source.text_frame.text = item.source
        source.text_frame.paragraphs[0].font.size = Pt(11)
    buffer = io.BytesIO()
    prs.save(buffer)
    return buffer.getvalue()


# --- a page as files, images and slides ---------------------------------------------------------------

class Lazy(Mapping):
    """A mapping whose values are made on first use, by name: a page with many tables (or charts from several
    builders) gives its `Presentation` these, so one download builds only the file asked for."""

    def __init__(self, names, make: Callable[[str], object]):
        self._names = tuple(names)
        self._make = make
        self._made: dict = {}

    def __getitem__(self, name):
        if name not in self._names:
            raise KeyError(name)
        if name not in self._made:
            self._made[name] = self._make(name)
        return self._made[name]

    def __contains__(self, name) -> bool:     # Mapping's own would make the value to find out
        return name in self._names

    def __iter__(self):
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)


@dataclass(frozen=True)
class Presentation:
    """What a page shows, as its downloads, images and slides take it (built on the server from the filters, never
    from what the browser holds). `charts`, `tables` and `table_notes` may be `Lazy`."""
    charts: Mapping[str, Slide]        # each chart as its image and its slide show it
    tables: Mapping[str, pd.DataFrame]
    notes: list[tuple[str, str]]       # source, period, definitions and caveats: the Excel file's Notes sheet
    subtitle: str                      # the deck's title slide: area, period, demo data, anonymised
    stem: str                          # every file's name starts with it (never an LA's code when anonymised)
    title: str | None = None           # the deck's title, where it is not the page's heading
    # Where one file differs from the rest, by table or chart: its name without the extension (else
    # "{stem}_{table}" or "{stem}_{chart}") and a table's notes (else `notes`).
    table_stems: Mapping[str, str] = field(default_factory=dict)
    chart_stems: Mapping[str, str] = field(default_factory=dict)
    table_notes: Mapping[str, list[tuple[str, str]]] = field(default_factory=dict)
    # The tables that hold demo data, where the notes do not say it table by table (None: each table whose notes
    # say "Demo data: ..."; see notes_say_demo). A chart is demo data when its source line says so.
    demo_tables: frozenset[str] | None = None

    def table_is_demo(self, which: str) -> bool:
        if self.demo_tables is not None:
            return which in self.demo_tables
        return notes_say_demo(self.table_notes.get(which, self.notes))

    def chart_is_demo(self, chart: str) -> bool:
        return "demo data" in self.charts[chart].source.lower()


def table_download(presentation: Presentation, which: str, kind: str) -> tuple[bytes, str]:
    """A table as CSV or Excel: a CSV of demo data says so on every row (an Excel file says so on its notes sheet)."""
    if which not in presentation.tables:
        raise InvalidChoice(f"unknown table {which!r}")
    table = presentation.tables[which]
    if kind == "csv" and presentation.table_is_demo(which):
        table = with_demo_column(table)
    return table_file(table, presentation.table_notes.get(which, presentation.notes),
                      presentation.table_stems.get(which, f"{presentation.stem}_{which}"), kind)


def chart_download(presentation: Presentation, chart: str, kind: str, chromium_path: str) -> tuple[bytes, str]:
    if chart not in presentation.charts:
        raise InvalidChoice(f"unknown chart {chart!r}")
    image = figure_image(presentation.charts[chart].figure, kind, chromium_path=chromium_path,
                         demo=presentation.chart_is_demo(chart))
    return image, f"{presentation.chart_stems.get(chart, f'{presentation.stem}_{chart}')}.{kind}"


def slides_download(title: str, presentation: Presentation, chromium_path: str) -> tuple[bytes, str]:
    """The deck, titled with the page's heading unless the presentation gives its own title."""
    return (deck(presentation.title or title, presentation.subtitle, list(presentation.charts.values()),
                 chromium_path=chromium_path), f"{presentation.stem}.pptx")
