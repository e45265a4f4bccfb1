"""Accessibility statement."""
import dash
from dash import html

from dashboard.components.notes import page_heading

dash.register_page(__name__, path="/accessibility", name="Accessibility", nav=False,
                   title="Accessibility statement - London Children's Services Dashboards")


def layout(**query):
    return html.Div([
        page_heading("Accessibility statement", "We want as many people as possible to be able to use these dashboards."),
        html.P("You should be able to: reach every filter and link with the keyboard; skip straight to the content; "
               "read every chart's figures in the table beside it; zoom to 200% without losing content. "
               "Colours come from a colour-blind-safe palette and never carry meaning on their own."),
        html.P("Every page is checked automatically with axe in a headless browser as part of the test suite."),
        html.H2("Known limits", className="h4"),
        html.P("Chart hover labels need a pointer; the same figures are always in the table under the chart."),
        html.H2("Reporting a problem", className="h4"),
        html.P("Tell the LIIA data team what page you were on and what went wrong; we aim to reply within 5 working days."),
    ], className="col-lg-8")
