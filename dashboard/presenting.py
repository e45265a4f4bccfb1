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
from collections.abc import Mapping, Sequence
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
    # Every LA named (Plotly drops every other category label when crowded), in the height the figure asks for.
    height = max(height, label_every_category(figure), figure.layout.height or 0)
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


# --- decks ---------------------------------------------------------------------------------------------
# Slides are laid out by hand on a blank 16:9 slide (no layout placeholders, which are 4:3 and size their own text):
# every text box wraps, and its font size and height come from measuring the words with the same TrueType font the
# deck names, so a sentence never runs off its box and no box runs into the next.

EMU_PER_PT = 12700
SLIDE_W_PT, SLIDE_H_PT = 960, 540                       # 13.333 x 7.5 inches: 16:9
MARGIN_PT, GAP_PT, LINE = 36, 10, 1.2                   # edges, between boxes, line height as a multiple of the size
# (font name as the deck names it, regular file, bold file): the first one on the machine is used for both
DECK_FONTS = (
    ("DejaVu Sans", "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"),
    ("Liberation Sans", "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
     "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf"),
)


@dataclass(frozen=True)
class Slide:
    title: str
    takeaway: str          # one plain-English sentence generated from the data
    figure: object         # a plotly figure (dict or go.Figure)
    source: str


@dataclass(frozen=True)
class TextStyle:
    size: float            # the size it is written at when it fits, in points
    smallest: float        # it shrinks no further than this (then it takes more lines)
    bold: bool = False
    colour: str = "1D2A3A"


TITLE = TextStyle(28, 20, bold=True)
TAKEAWAY = TextStyle(18, 12)
SOURCE = TextStyle(11, 8, colour="4A5561")
DECK_TITLE, DECK_SUBTITLE = TextStyle(40, 24, bold=True), TextStyle(20, 12, colour="4A5561")
KPI_LABEL, KPI_VALUE, KPI_NOTE = TextStyle(12, 8, colour="4A5561"), TextStyle(28, 14, bold=True), TextStyle(10, 7, colour="4A5561")


def deck_font() -> tuple[str, str, str]:
    """(name, regular file, bold file) of the deck's font: a TrueType font on this machine."""
    for name, regular, bold in DECK_FONTS:
        if os.path.exists(regular) and os.path.exists(bold):
            return name, regular, bold
    raise ImagesUnavailable("Slides need a TrueType font: install fonts-dejavu-core or fonts-liberation.")


_fonts: dict = {}


def _font(size: float, bold: bool):
    from PIL import ImageFont
    key = (round(size * 4), bold)
    if key not in _fonts:
        _name, regular, bold_file = deck_font()
        _fonts[key] = ImageFont.truetype(bold_file if bold else regular, size=size * 4)   # measured at 4x, in points
    return _fonts[key]


def text_width(text: str, size: float, bold: bool = False) -> float:
    """The width of `text` in points, at `size` points, by the deck font's own metrics."""
    return _font(size, bold).getlength(text) / 4


def wrap_words(text: str, width: float, size: float, bold: bool = False) -> list[str]:
    """Lines of `text` as a word-wrapping box `width` points wide shows them (a word too long for a line has it alone)."""
    lines: list[str] = []
    for paragraph in str(text).split("\n"):
        line = ""
        for word in paragraph.split():
            longer = f"{line} {word}" if line else word
            if line and text_width(longer, size, bold) > width:
                lines.append(line)
                line = word
            else:
                line = longer
        lines.append(line)
    return lines


def fits(text: str, style: TextStyle, size: float, width: float) -> bool:
    return all(text_width(line, size, style.bold) <= width for line in wrap_words(text, width, size, style.bold))


def text_height(text: str, style: TextStyle, size: float, width: float) -> float:
    return len(wrap_words(text, width, size, style.bold)) * size * LINE


# PowerPoint wraps a little differently from our measure (kerning, its own rounding): lines are measured this much
# narrower than the box, so a line we fit never wraps in PowerPoint.
WRAP_SLACK = 0.96


def fitted_size(text: str, style: TextStyle, width: float, height: float) -> float:
    """The largest size, from the style's own down to its smallest in half points, at which `text` fits `width` x
    `height` points; the smallest when none does (the box then grows, see `_text_box`)."""
    size = style.size
    while size > style.smallest:
        if fits(text, style, size, width * WRAP_SLACK) and text_height(text, style, size, width * WRAP_SLACK) <= height:
            return size
        size -= 0.5
    return style.smallest


def _text_box(slide, text: str, style: TextStyle, left: float, top: float, width: float, height: float,
              *, align=None, fill: str | None = None) -> float:
    """A wrapped text box at (left, top), `width` wide, whose size is fitted to `height` (points); it is as tall as
    its lines. Returns its bottom edge."""
    size = fitted_size(text, style, width, height)
    return _paragraph_box(slide, [(text, style, size)], left, top, width, align=align, fill=fill)


def _paragraph_box(slide, paragraphs, left: float, top: float, width: float, *, align=None, fill: str | None = None,
                   inset: float = 0, height: float | None = None) -> float:
    """A text box of paragraphs (text, style, size) each wrapped at `width` less the inset; as tall as its lines (or
    `height`, when given and taller). Returns its bottom edge."""
    from pptx.dml.color import RGBColor
    from pptx.enum.text import MSO_AUTO_SIZE
    from pptx.util import Emu, Pt
    name = deck_font()[0]
    inner = width - 2 * inset
    lines_height = sum(text_height(t, s, z, inner * WRAP_SLACK) for t, s, z in paragraphs) + 2 * inset
    box_height = max(lines_height, height or 0)
    box = slide.shapes.add_textbox(Emu(round(left * EMU_PER_PT)), Emu(round(top * EMU_PER_PT)),
                                   Emu(round(width * EMU_PER_PT)), Emu(round(box_height * EMU_PER_PT)))
    frame = box.text_frame
    frame.word_wrap = True
    frame.auto_size = MSO_AUTO_SIZE.NONE
    frame.margin_left = frame.margin_right = frame.margin_top = frame.margin_bottom = Emu(round(inset * EMU_PER_PT))
    if fill:
        box.fill.solid()
        box.fill.fore_color.rgb = RGBColor.from_string(fill)
        box.line.color.rgb = RGBColor.from_string("C9D1DA")
    for i, (text, style, size) in enumerate(paragraphs):
        paragraph = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        paragraph.line_spacing = Pt(size * LINE)
        paragraph.space_before = paragraph.space_after = Pt(0)
        if align is not None:
            paragraph.alignment = align
        run = paragraph.add_run()
        run.text = str(text)
        run.font.name, run.font.size, run.font.bold = name, Pt(size), style.bold
        run.font.color.rgb = RGBColor.from_string(style.colour)
    return top + box_height


def _category_axes(figure: go.Figure) -> dict[str, list]:
    """{layout axis name: its text values in order} for every axis a trace puts text on (LA names, quarters)."""
    found: dict[str, dict] = {}
    for trace in figure.data:
        for dim in ("x", "y"):
            values = trace[dim] if dim in trace else None
            if values is None or len(values) == 0 or not all(isinstance(v, str) for v in values):
                continue
            axis = trace[f"{dim}axis"] if f"{dim}axis" in trace else None
            name = f"{dim}axis{(axis or dim)[1:]}"
            found.setdefault(name, {}).update(dict.fromkeys(values))
    return {name: list(values) for name, values in found.items()}


CATEGORY_PX = 20          # the height one category (an LA's row) needs in an image, its 12 px name with room around it


def label_every_category(figure: go.Figure) -> int:
    """Every category on the figure's text axes gets its label (Plotly drops every other one when the axis looks
    crowded): a tick at each value, which on a date or number axis is only a tick at each point. Returns the pixel
    height the categories on a vertical axis need."""
    needed = 0
    for name, values in _category_axes(figure).items():
        axis = figure.layout[name]
        if axis.tickmode == "array" or len(values) < 2:
            continue
        axis.update(tickmode="array", tickvals=values, ticktext=values, automargin=True)
        if name.startswith("yaxis") and axis.type in (None, "-", "category"):
            needed = max(needed, len(values) * CATEGORY_PX + 160)
    return needed


def _image(fig, width_pt: float, height_pt: float, chromium_path: str) -> tuple[bytes, float, float]:
    """The chart as a PNG for a space width_pt x height_pt on a slide: drawn at 96 dpi for that space, taller (and as
    much wider) when its LA names need more room, so that every one is labelled; (bytes, width px, height px)."""
    figure = go.Figure(fig)
    needed = max(label_every_category(figure), figure.layout.height or 0)
    width, height = width_pt * 4 / 3, height_pt * 4 / 3
    if needed > height:
        width, height = width * needed / height, needed
    figure.update_layout(height=None, width=None)
    png = figure_image(figure, "png", chromium_path=chromium_path, width=round(width), height=round(height))
    return png, width, height


def _title_slide(prs, title: str, subtitle: str) -> None:
    slide = prs.slides.add_slide(prs.slide_layouts[6])
    width = SLIDE_W_PT - 2 * MARGIN_PT
    bottom = _text_box(slide, title, DECK_TITLE, MARGIN_PT, 170, width, 150)
    _text_box(slide, subtitle, DECK_SUBTITLE, MARGIN_PT, bottom + 2 * GAP_PT, width, SLIDE_H_PT - MARGIN_PT - bottom - 2 * GAP_PT)


def _headline_slide(prs, title: str, kpis, source: str) -> None:
    """The page's headline cards, as on the page: label, figure and note in a grid of up to four across."""
    slide = prs.slides.add_slide(prs.slide_layouts[6])
    width = SLIDE_W_PT - 2 * MARGIN_PT
    top = _text_box(slide, title, TITLE, MARGIN_PT, MARGIN_PT * 0.6, width, 2 * TITLE.size * LINE) + 2 * GAP_PT
    source_top = _bottom_text_top(source, width)
    across = min(4, len(kpis))
    rows = -(-len(kpis) // across)
    card_w = (width - (across - 1) * GAP_PT) / across
    card_h = (source_top - GAP_PT - top - (rows - 1) * GAP_PT) / rows
    inset = 8
    cards = [_fit_card([(label, KPI_LABEL), (value, KPI_VALUE), (note, KPI_NOTE)], card_w - 2 * inset,
                       card_h - 2 * inset) for label, value, note in kpis]
    # Every card as tall as the tallest one's lines (not the whole space, which would leave them mostly empty).
    tallest = max(sum(text_height(t, s, z, (card_w - 2 * inset) * WRAP_SLACK) for t, s, z in card) for card in cards)
    for i, paragraphs in enumerate(cards):
        left = MARGIN_PT + (i % across) * (card_w + GAP_PT)
        card_top = top + (i // across) * (min(card_h, tallest + 2 * inset) + GAP_PT)
        _paragraph_box(slide, paragraphs, left, card_top, card_w, fill="F4F6F8", inset=inset, height=tallest + 2 * inset)
    _text_box(slide, source, SOURCE, MARGIN_PT, source_top, width, SLIDE_H_PT - source_top - MARGIN_PT / 2)


def _fit_card(parts, width: float, height: float):
    """The card's paragraphs, shrunk together (each to no less than its smallest) until they fit width x height."""
    scale = 1.0
    while True:
        sized = [(str(text), style, max(style.smallest, style.size * scale)) for text, style in parts if str(text)]
        total = sum(text_height(t, s, z, width * WRAP_SLACK) for t, s, z in sized)
        if (total <= height and all(fits(t, s, z, width * WRAP_SLACK) for t, s, z in sized)) \
                or all(z == s.smallest for _t, s, z in sized):
            return sized
        scale -= 0.05


def _bottom_text_top(source: str, width: float) -> float:
    """Where the source line starts so that it ends half a margin above the slide's foot."""
    size = fitted_size(source, SOURCE, width, 3 * SOURCE.size * LINE)
    return SLIDE_H_PT - MARGIN_PT / 2 - text_height(source, SOURCE, size, width * WRAP_SLACK)


def _chart_slide(prs, item: Slide, chromium_path: str) -> None:
    from pptx.util import Emu
    slide = prs.slides.add_slide(prs.slide_layouts[6])
    width = SLIDE_W_PT - 2 * MARGIN_PT
    top = _text_box(slide, item.title, TITLE, MARGIN_PT, MARGIN_PT * 0.6, width, 2 * TITLE.size * LINE) + GAP_PT / 2
    if item.takeaway:
        top = _text_box(slide, item.takeaway, TAKEAWAY, MARGIN_PT, top, width, 4 * TAKEAWAY.size * LINE) + GAP_PT
    source_top = _bottom_text_top(item.source, width)
    _text_box(slide, item.source, SOURCE, MARGIN_PT, source_top, width, SLIDE_H_PT - source_top - MARGIN_PT / 2)
    space_h = source_top - GAP_PT - top
    try:
        png, px_w, px_h = _image(item.figure, width, space_h, chromium_path)
    except ImagesUnavailable as exc:
        _text_box(slide, f"(Chart not drawn: {exc})", TAKEAWAY, MARGIN_PT, top, width, space_h)
        return
    scale = min(width / px_w, space_h / px_h)                  # contain: the whole picture in the space left
    pic_w, pic_h = px_w * scale, px_h * scale
    left = MARGIN_PT + (width - pic_w) / 2
    slide.shapes.add_picture(io.BytesIO(png), Emu(round(left * EMU_PER_PT)), Emu(round(top * EMU_PER_PT)),
                             Emu(round(pic_w * EMU_PER_PT)), Emu(round(pic_h * EMU_PER_PT)))
    if item.takeaway:
        slide.notes_slide.notes_text_frame.text = item.takeaway


def deck(title: str, subtitle: str, slides: list[Slide], *, kpis=(), kpi_source: str = "",
         chromium_path: str = "/usr/bin/chromium") -> bytes:
    """A PowerPoint deck on a 16:9 slide: a title slide, the page's headline figures (`kpis`: label, value, note),
    then one slide per chart with its title, takeaway, picture and source line, each inside the slide."""
    from pptx import Presentation as PowerPoint
    from pptx.util import Emu

    prs = PowerPoint()
    prs.slide_width, prs.slide_height = Emu(SLIDE_W_PT * EMU_PER_PT), Emu(SLIDE_H_PT * EMU_PER_PT)
    _title_slide(prs, title, subtitle)
    if kpis:
        source = kpi_source or next((s.source for s in slides), "")
        _headline_slide(prs, f"{title}: headline figures", list(kpis), source)
    for item in slides:
        _chart_slide(prs, item, chromium_path)
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
    # The page's headline cards (label, value, note), as its first slide after the title; or a function giving them,
    # where they take building the view (a table's download then does not).
    kpis: Sequence[tuple[str, str, str]] | Callable[[], Sequence[tuple[str, str, str]]] = ()

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
                 kpis=presentation.kpis() if callable(presentation.kpis) else presentation.kpis, chromium_path=chromium_path), f"{presentation.stem}.pptx")
