"""Agency pay (London Pledge): not built yet; a clear coming-soon card, never a fake chart."""
import dash

from dashboard.components.notes import coming_soon

dash.register_page(__name__, path="/agency-pay", name="Agency pay", title="Agency pay (London Pledge) - London Children's Services Dashboards", order=2)


def layout(**query):
    return coming_soon("Agency pay (London Pledge)", "The range of hourly pay for agency children's social workers by LA and job type, against the Pledge caps.",
                       "It is planned in the project's issue list; until then no data is shown here.")
