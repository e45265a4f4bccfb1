"""Education suspensions: not built yet; a clear coming-soon card, never a fake chart."""
import dash

from dashboard.components.notes import coming_soon

dash.register_page(__name__, path="/suspensions", name="Suspensions", title="Education suspensions - London Children's Services Dashboards", order=4)


def layout(**query):
    return coming_soon("Education suspensions", "Disproportionality in suspensions by ethnicity: the relative rate index against White British pupils.",
                       "It is planned in the project's issue list; until then no data is shown here.")
