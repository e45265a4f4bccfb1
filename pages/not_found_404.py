"""Page not found."""
import dash
from dash import html

dash.register_page(__name__, path="/404", name="Not found", nav=False)


def layout(**query):
    return html.Div([html.H1("Page not found", className="h2"),
                     html.P(["There is no page at this address. ", html.A("Go to the overview", href="/"), "."])])
