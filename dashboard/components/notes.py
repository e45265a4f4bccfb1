"""Small shared pieces every page uses: the page heading, the demo-data banner, coming-soon cards."""
from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import html


def page_heading(title: str, lead: str):
    return html.Div([html.H1(title, className="h2 mt-2"), html.P(lead, className="lead mb-3")])


def demo_banner(is_demo: bool, dataset_label: str):
    if not is_demo:
        return None
    return dbc.Alert(
        [html.Strong("Demo data. "), f"The {dataset_label} shown here is synthetic, generated from a fixed seed "
         "to look like the real returns. It is not any LA's real figures."],
        color="warning", className="py-2",
    )


