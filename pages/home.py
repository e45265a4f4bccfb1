"""Overview: what each dashboard answers, with a link to it."""
import dash
import dash_bootstrap_components as dbc
from dash import html

from dashboard.components.notes import page_heading

dash.register_page(__name__, path="/", name="Overview", title="Overview - London Children's Services Dashboards", order=0)

PAGES = [
    ("Benchmarking", "/benchmarking", "How does an LA compare with its sub-region, statistical neighbours, London and England: "
     "quarter by quarter on members' returns, year by year on published DfE statistics?"),
    ("Agency pay", "/agency-pay", "What hourly pay do agency children's social workers get, against the London Pledge caps?"),
    ("Leadership in Colour", "/leadership-in-colour", "Where does Black and Global Majority representation fall away in pay bands and roles?"),
    ("Education suspensions", "/suspensions", "Which ethnic groups are suspended more or less than White British peers, and is the gap real?"),
    ("SEND", "/send", "EHCP numbers and growth, 20-week timeliness, placements and area SEND inspections."),
    ("Ofsted inspections", "/ofsted", "What did Ofsted's latest inspection of each LA's children's services (and of its area's SEND services) find?"),
    ("Sufficiency", "/sufficiency", "Where are looked-after children placed, how far from home, and what demand is coming? "
     "(Commissioners only: it is built on child-level records.)"),
]


def layout(**query):
    cards = [
        dbc.Col(dbc.Card(dbc.CardBody([
            html.H2(html.A(name, href=href), className="h5"),
            html.P(question, className="mb-0"),
        ]), className="h-100"), md=6, lg=4, className="mb-3")
        for name, href, question in PAGES
    ]
    return html.Div([
        page_heading("London Children's Services Dashboards",
                     "Benchmarking, workforce, inclusion, SEND and sufficiency dashboards for London's 33 children's services."),
        dbc.Row(cards),
        html.P(["Every page can be presented (one chart at a time, large) and its tables downloaded; Benchmarking also "
                "gives chart images and a PowerPoint deck, and can hide other LAs' names. Uploaders put their LA's "
                "returns in on the Upload page."], className="small text-body-secondary"),
    ])
