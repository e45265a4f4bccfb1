"""SEND: not built yet; a clear coming-soon card, never a fake chart."""
import dash

from dashboard.components.notes import coming_soon

dash.register_page(__name__, path="/send", name="SEND", title="SEND - London Children's Services Dashboards", order=5)


def layout(**query):
    return coming_soon("SEND", "Education, health and care plans, 20-week timeliness, placements and area SEND inspection outcomes.",
                       "It is planned in the project's issue list; until then no data is shown here.")
