"""Press a page's download, chart image and slides buttons through the Flask test client, as the browser does, and
read the file that comes back: the steps every page's presenting tests share."""
from __future__ import annotations

import base64
import io

from pptx import Presentation

from tests.dash_requests import callback_request, response_props

SIGNATURE = {"png": b"\x89PNG", "svg": b"<svg"}   # how each image format's bytes begin (an SVG after its XML header)
PICTURE = 13                                      # python-pptx's shape type for a picture: a chart drawn on a slide


def press(client, output: str, buttons: list[str], button: str, state) -> tuple[str, bytes]:
    """(file name, bytes) the dcc.Download `output` sends when `button`, one of its callback's `buttons`, is clicked."""
    inputs = [(b, "n_clicks", 1 if b == button else None) for b in buttons]
    response = callback_request(client, [(output, "data")], inputs, state, triggered=f"{button}.n_clicks")
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    data = response_props(response)[output]["data"]
    return data["filename"], base64.b64decode(data["content"])


def chart_image(client, page: str, charts, chart: str, kind: str, state) -> tuple[str, bytes]:
    """(file name, bytes) of one chart's PNG or SVG button, among the page's '{page}-{chart}-png' / '-svg' buttons."""
    buttons = [f"{page}-{c}-{k}" for c in charts for k in ("png", "svg")]
    return press(client, f"{page}-image-download", buttons, f"{page}-{chart}-{kind}", state)


def slide_deck(client, page: str, state) -> tuple[str, Presentation]:
    """(file name, deck) the page's slides button sends."""
    name, content = press(client, f"{page}-deck-download", [f"{page}-deck"], f"{page}-deck", state)
    return name, Presentation(io.BytesIO(content))


def slide_text(slide) -> str:
    return " ".join(shape.text_frame.text for shape in slide.shapes if shape.has_text_frame)


def has_picture(slide) -> bool:
    return any(shape.shape_type == PICTURE for shape in slide.shapes)


def slide_title(slide) -> str:
    """The slide's title: its topmost text (slides are laid out in text boxes, with no layout placeholders)."""
    texts = [shape for shape in slide.shapes if shape.has_text_frame and shape.text_frame.text.strip()]
    return min(texts, key=lambda shape: shape.top).text_frame.text
