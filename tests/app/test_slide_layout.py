"""Every page's deck (demo data, default filters) as PowerPoint lays it out: a 16:9 slide with no 4:3 placeholders,
every shape inside the slide, no two shapes on top of each other, every text fitting its box when wrapped with the
deck font's own metrics, the page's headline figures on a slide, and chart images that name every LA."""
import io
import re

import plotly.graph_objects as go
import pytest
from PIL import ImageFont
from pptx import Presentation as PowerPoint

from dashboard import loader
from dashboard.dashboards import declarations
from dashboard.presenting import DECK_FONTS, figure_image, slides_download

ADMIN = loader.AccessScope("admin", "E09000022")
EMU_PER_PT = 12700
FONT_FILES = {name: (regular, bold) for name, regular, bold in DECK_FONTS}


def _lines(text: str, font, width: float) -> list[str]:
    """Greedy word wrap, as PowerPoint wraps a text box (measured here, independently of the deck's own code)."""
    lines = []
    for paragraph in text.split("\n"):
        line = ""
        for word in paragraph.split():
            longer = f"{line} {word}" if line else word
            if line and font.getlength(longer) > width:
                lines.append(line)
                line = word
            else:
                line = longer
        lines.append(line)
    return lines


def _text_overflow(shape) -> str | None:
    """Why the shape's text does not fit its box (None when it fits): a word wider than the box, or more lines than
    the box is tall."""
    frame = shape.text_frame
    if not frame.word_wrap:
        return "the box does not wrap"
    width = (shape.width - frame.margin_left - frame.margin_right) / EMU_PER_PT
    height = (shape.height - frame.margin_top - frame.margin_bottom) / EMU_PER_PT
    used = 0.0
    for paragraph in frame.paragraphs:
        run = paragraph.runs[0]
        size = run.font.size.pt
        regular, bold = FONT_FILES[run.font.name]
        font = ImageFont.truetype(bold if run.font.bold else regular, size=size)
        lines = _lines(paragraph.text, font, width)
        if any(font.getlength(line) > width for line in lines):
            return f"a word wider than the box: {paragraph.text!r}"
        spacing = paragraph.line_spacing.pt if paragraph.line_spacing is not None else size * 1.2
        used += len(lines) * max(spacing, size * 1.15)
    if used > height + 0.5:
        return f"{used:.0f} pt of lines in a {height:.0f} pt box: {frame.text[:80]!r}"
    return None


def _box(shape) -> tuple[int, int, int, int]:
    return shape.left, shape.top, shape.left + shape.width, shape.top + shape.height


def _overlap(a, b) -> bool:
    return min(a[2], b[2]) > max(a[0], b[0]) and min(a[3], b[3]) > max(a[1], b[1])


def _decks(server):
    with server.app_context():
        for dashboard in declarations():
            selection = dashboard.selection_from_query({}, ADMIN)
            if selection is None:
                continue
            presentation = dashboard.present(selection, ADMIN, anonymise_with=None)
            content, _name = slides_download(dashboard.heading, presentation, "/usr/bin/chromium")
            kpis = presentation.kpis() if callable(presentation.kpis) else presentation.kpis
            yield dashboard.name, PowerPoint(io.BytesIO(content)), kpis


@pytest.fixture(scope="module")
def every_deck(dash_app):
    return list(_decks(dash_app.server))


def test_every_pages_deck_is_laid_out_inside_a_16_9_slide_with_text_that_fits(every_deck):
    assert len(every_deck) >= 8                       # every dashboard page has a deck
    problems = []
    for name, prs, _kpis in every_deck:
        assert prs.slide_width * 9 == prs.slide_height * 16, name
        for number, slide in enumerate(prs.slides, start=1):
            where = f"{name} slide {number}"
            if len(slide.placeholders):
                problems.append(f"{where}: layout placeholders {[p.name for p in slide.placeholders]}")
            boxes = [(shape, _box(shape)) for shape in slide.shapes]
            for shape, (left, top, right, bottom) in boxes:
                if left < 0 or top < 0 or right > prs.slide_width or bottom > prs.slide_height:
                    problems.append(f"{where}: {shape.name} outside the slide")
                if shape.has_text_frame and shape.text_frame.text.strip() and (why := _text_overflow(shape)):
                    problems.append(f"{where}: {why}")
            for i, (a, box_a) in enumerate(boxes):
                for b, box_b in boxes[i + 1:]:
                    if _overlap(box_a, box_b):
                        problems.append(f"{where}: {a.name} overlaps {b.name}")
    assert problems == []


def test_every_chart_slide_has_its_picture_above_its_source_line(every_deck):
    for name, prs, _kpis in every_deck:
        for slide in list(prs.slides)[1:]:
            pictures = [s for s in slide.shapes if s.shape_type == 13]
            texts = [s for s in slide.shapes if s.has_text_frame]
            if not pictures:
                continue
            source = max(texts, key=lambda s: s.top)
            assert source.text_frame.text.startswith("Source"), (name, source.text_frame.text)
            assert all(p.top + p.height <= source.top for p in pictures), name


def test_every_pages_headline_figures_are_on_their_own_slide(every_deck):
    with_cards = [(name, prs, kpis) for name, prs, kpis in every_deck if kpis]
    assert len(with_cards) >= 9                      # every dashboard with headline cards (My LA has none: a table)
    for name, prs, kpis in with_cards:
        headline = prs.slides[1]
        text = " ".join(shape.text_frame.text for shape in headline.shapes if shape.has_text_frame)
        assert "headline figures" in text, name
        for label, value, _note in kpis:
            assert str(label) in text and str(value) in text, (name, label, value)


def test_a_chart_of_every_london_la_names_every_one_in_its_image():
    names = [f"Borough number {n}" for n in range(1, 34)]
    figure = go.Figure(go.Bar(x=list(range(33)), y=names, orientation="h"))
    svg = figure_image(figure, "svg").decode()
    shown = set(re.findall(r"Borough number \d+", svg))
    assert shown == set(names)
