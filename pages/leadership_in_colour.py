"""Leadership in Colour: not built yet; a clear coming-soon card, never a fake chart."""
import dash

from dashboard.components.notes import coming_soon

dash.register_page(__name__, path="/leadership-in-colour", name="Leadership in Colour", title="Leadership in Colour - London Children's Services Dashboards", order=3)


def layout(**query):
    return coming_soon("Leadership in Colour", "Black and Global Majority representation by pay band and role, against the population served.",
                       "It is planned in the project's issue list; until then no data is shown here.")
