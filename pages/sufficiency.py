"""Dynamic Sufficiency Tool: not built yet; a clear coming-soon card, never a fake chart."""
import dash

from dashboard.components.notes import coming_soon

dash.register_page(__name__, path="/sufficiency", name="Sufficiency", title="Dynamic Sufficiency Tool - London Children's Services Dashboards", order=6,
                   allowed_roles=("commissioner",), id_prefix="suff-")  # child-level data: commissioners only


def layout(**query):
    return coming_soon("Dynamic Sufficiency Tool", "Where London's looked-after children are placed, in what kinds of home, how far from home, and what demand is coming.",
                       "It is planned in the project's issue list; until then no data is shown here.")
