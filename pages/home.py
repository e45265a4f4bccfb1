"""Overview: what each dashboard answers, with a link to it: only the pages the viewer's role opens, and how to ask
for the others."""
import dash
import dash_bootstrap_components as dbc
from dash import html
from flask_login import current_user

from dashboard.auth.access import NO_ACCESS_MESSAGE
from dashboard.auth.roles import role_allows
from dashboard.components.notes import page_heading

dash.register_page(__name__, path="/", name="Overview", title="Overview - London Children's Services Dashboards", order=0)

QUESTIONS = {
    "/my-la": "Where does an LA stand on every indicator the app holds, and what needs attention? Exceptions first, "
              "with what data has arrived and what is overdue.",
    "/benchmarking": "How does an LA compare with its sub-region, statistical neighbours, London and England: "
                     "quarter by quarter on members' returns, year by year on published DfE statistics?",
    "/agency-pay": "What hourly pay do agency children's social workers get, against the London Pledge caps?",
    "/leadership-in-colour": "Where does Black and Global Majority representation fall away in pay bands and roles?",
    "/workforce-census": "Children's social workers by LA from the DfE's census: agency, vacancy, turnover and "
                         "absence rates, caseloads, starters and leavers, against comparators.",
    "/suspensions": "Which ethnic groups are suspended more or less than White British peers, and is the gap real?",
    "/send": "EHCP numbers and growth, 20-week timeliness, placements and area SEND inspections.",
    "/ofsted": "What did Ofsted's latest inspection of each LA's children's services (and of its area's SEND services) find?",
    "/care-leavers": "Care leavers aged 19 to 21: accommodation, education, employment or training, and staying in touch.",
    "/looked-after-health": "Looked-after children's health assessments, dental checks, immunisations and emotional "
                            "wellbeing (SDQ), against comparators.",
    "/sufficiency": "Where are looked-after children placed, how far from home, and what demand is coming? "
                    "Built on child-level records, so for commissioners.",
    "/placements-supply": "Which LAs place children in an area, what registered places there are and who owns them, "
                          "and forecast need against them. For commissioners.",
    "/child-level-episodes": "Who starts and leaves care, why, how long placements last, how often children move or go "
                             "missing, and how long adoption takes. Built on child-level records, so for commissioners.",
}
WORK_PAGES = ("/upload", "/admin")   # in the navigation for the roles that have them, not dashboards to read


def dashboards_for(held: str | frozenset[str] | None) -> tuple[list[dict], list[dict]]:
    """The dashboards (every page in the navigation but this one, Upload and Admin) an account holding these roles may
    open, and those it may not, in page order."""
    pages = [p for p in sorted(dash.page_registry.values(), key=lambda p: p.get("order") or 0)
             if p.get("nav", True) is not False and p["relative_path"] not in ("/", *WORK_PAGES)]
    opens = [p for p in pages if held is not None and role_allows(held, p.get("allowed_roles"))]
    return opens, [p for p in pages if p not in opens]


def _roles_text(roles) -> str:
    names = [f"{r}s" for r in roles] + ["administrators"]
    return " and ".join(dict.fromkeys(names))


def layout(**query):
    held = current_user.roles if current_user and getattr(current_user, "is_authenticated", False) else None
    opens, closed = dashboards_for(held)
    cards = [
        dbc.Col(dbc.Card(dbc.CardBody([
            html.H2(html.A(page["name"], href=page["relative_path"]), className="h5"),
            html.P(QUESTIONS.get(page["relative_path"]) or page.get("description") or "", className="mb-0"),
        ]), className="h-100"), md=6, lg=4, className="mb-3")
        for page in opens
    ]
    not_yours = [html.P([f"{page['name']} is for {_roles_text(page.get('allowed_roles') or ())}. ", NO_ACCESS_MESSAGE],
                        className="small", id=f"home-closed-{page['relative_path'].strip('/')}") for page in closed]
    return html.Div([
        page_heading("London Children's Services Dashboards",
                     "Benchmarking, workforce, inclusion, SEND and sufficiency dashboards for London's 33 children's services."),
        dbc.Row(cards),
        *not_yours,
        html.P(["Every page can be presented (one chart at a time, large); its tables download as CSV and Excel, its "
                "charts as PNG and SVG images, and the whole page as a PowerPoint deck; and it can hide other LAs' "
                "names. Uploaders put their LA's returns in on the Upload page."], className="small text-body-secondary"),
    ])
