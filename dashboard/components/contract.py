"""The page contract: a dashboard declares itself once, and the plumbing every dashboard page shares is made from it.

A dashboard's `page.py` builds one `Dashboard` (its title, path, roles, filters with their address-bar names, how
the filters become a selection, its view builder, its charts and tables, and how they are presented) and calls
`register_callbacks`. From the declaration come: the page's entry in Dash's page registry, the address-bar sync, the
table downloads (CSV and Excel), the chart images (PNG and SVG), the slide deck, the anonymise switch's relabelled
choices, the warming of its default view and what each worker reads into its own memory when the data changes. The
page itself keeps its layout and the callbacks that draw the view.

Component ids follow one pattern from the dashboard's `prefix`: `{prefix}-anon` (the anonymise switch),
`{prefix}-dl-{table}-{csv|xlsx}` (download buttons), `{prefix}-{chart}-{png|svg}` (image buttons), `{prefix}-deck`,
`{prefix}-download`, `{prefix}-image-download`, `{prefix}-deck-download` and `{prefix}-url-sync`.
"""
from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field
from typing import Any, Callable

from dash import Input, Output, State, callback, clientside_callback, ctx, dcc
from dash.exceptions import PreventUpdate
from flask import current_app
from flask_login import current_user

from dashboard import loader
from dashboard.auth.roles import ROLES, role_allows
from dashboard.components.first_paint import DigestedOutputs
from dashboard.presenting import (Presentation, chart_and_kind, chart_download, configured_chromium, la_options,
                                  slides_download, table_download)

APP_NAME = "London Children's Services Dashboards"


@dataclass(frozen=True)
class Filter:
    """One control the page's view depends on: its component id and its name in the address bar (None: not kept
    there). A multi-choice control's values are joined with commas in the address."""
    id: str
    query: str | None


@dataclass(frozen=True)
class Call:
    """One cached call a page makes when opened: `builder(*args, **kwargs)` (warming makes it before anyone asks)."""
    builder: Callable
    args: tuple
    kwargs: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Dashboard:
    name: str                          # the package's name
    prefix: str                        # component ids start with it
    path: str
    nav_name: str                      # in the navigation bar
    heading: str                       # the page's and the deck's title
    order: int
    filters: tuple[Filter, ...]        # in the order `select` receives their values
    # The filters' values by address-bar name (or component id where it has none) -> what the view is built from,
    # or None when there is nothing to show (no data yet). The page's layout calls it with the address bar's query.
    select: Callable[[dict, loader.AccessScope], Any]
    # The selection, the viewer's scope and anonymise_with -> everything the page shows as files, images and slides.
    present: Callable[..., Presentation]
    charts: tuple[str, ...]
    tables: tuple[str, ...]
    # The cached builder the page's render callback calls: view(selection, scope, anonymise_with=...).
    view: Callable | None = None
    # The cached calls the page makes when opened with no query string (warming makes them first), where they are
    # not just `view` of the selection an empty query gives (see `opening_calls`).
    default_calls: Callable[[loader.AccessScope], list[Call]] | None = None
    allowed_roles: tuple[str, ...] = ()          # () = every member
    anonymise: bool = True                        # the page has the anonymise switch
    # (component id, scope and anonymise_with -> options): choices that name LAs, relabelled when anonymised.
    la_choices: tuple[str, Callable[[loader.AccessScope, str | None], list]] | None = None
    # The component naming which table a page's single pair of download buttons saves ({prefix}-dl-{csv|xlsx}).
    table_choice: str | None = None
    # The filter (component id) that has no value until the page has data: the address bar is left alone while it is
    # empty. None: the first filter.
    address_waits_for: str | None = None
    # What each worker reads into its own memory when the data changes (warming calls it in every worker, so no
    # member's first view on a worker waits for it). None: everything the page reads is in the shared cache.
    prepare_process: Callable[[], None] | None = None
    # The callbacks that draw its view (`first_paint.view_callback` adds each): their outputs go into the page's first
    # paint when cached, and their answers send only what changed.
    view_callbacks: list = field(default_factory=list, compare=False, repr=False)

    # --- what the page and the app ask of it ----------------------------------------------------------------

    def page_registry_entry(self) -> dict:
        extra = {"allowed_roles": self.allowed_roles, "id_prefix": f"{self.prefix}-"} if self.allowed_roles else {}
        return dict(path=self.path, name=self.nav_name, order=self.order, title=f"{self.heading} - {APP_NAME}", **extra)

    def allows(self, scope: loader.AccessScope) -> bool:
        """May this scope open the page? (The loaders check again, on every read.)"""
        return role_allows(scope.role, self.allowed_roles) if self.allowed_roles else scope.role in ROLES

    def selection_from_query(self, query: dict, scope: loader.AccessScope | None):
        """The selection a page opened with this address-bar query shows (None: nothing to show)."""
        if scope is None:
            return None
        names = [f.query or f.id for f in self.filters]
        return self.select({name: query.get(name) for name in names}, scope)

    def opening_calls(self, scope: loader.AccessScope) -> list[Call]:
        """The cached calls the page makes when opened with no query string (warming makes them first)."""
        if self.default_calls is not None:
            return self.default_calls(scope)
        selection = self.selection_from_query({}, scope)
        return [] if selection is None else [Call(self.view, (selection, scope), {"anonymise_with": None})]

    def selection_from_values(self, values, scope: loader.AccessScope):
        return self.select({f.query or f.id: value for f, value in zip(self.filters, values)}, scope)

    def selection_from_controls(self, values: dict, scope: loader.AccessScope):
        """The selection from some filters' values, by component id; the others as if the address bar left them out
        (their defaults). For a callback that takes only the filters its outputs depend on."""
        return self.select({f.query or f.id: values.get(f.id) for f in self.filters}, scope)


def viewer_scope(dashboard: Dashboard) -> loader.AccessScope | None:
    """The signed-in viewer's scope, or None when they may not open this dashboard."""
    if not getattr(current_user, "is_authenticated", False):
        return None
    scope = loader.scope_of(current_user)
    return scope if dashboard.allows(scope) else None


def anonymise_with(anonymise) -> str | None:
    """The app's secret keys the anonymous labels; None when LAs are named."""
    return current_app.config["SECRET_KEY"] if anonymise else None


def rendered_outputs(*datasets: str, check=None):
    """Cache a page's render outputs: the decorated `build(values, scope, *, anonymise_with=None)` gives every output of
    the page's render callback for the filters' values as they arrive (a tuple, in the callback's order). Built once
    per data version of `datasets` and viewer's LA (the outputs mark the viewer's own LA, and name it when others are
    anonymised), so a filter change back to a view already seen is one cache read: not the filters resolved, the view
    read and the components and grid columns built again. `check(scope)` runs before the cache is read. Each output's
    digest is cached with it (`first_paint.DigestedOutputs`), so an answer finds what changed without encoding every
    output again."""
    def decorate(build):
        @functools.wraps(build)
        def with_digests(*args, **kwargs):
            return DigestedOutputs(build(*args, **kwargs))
        return loader.view_cache(*datasets, check=check, depends_on_caller=_per_viewer)(with_digests)
    return decorate


def _per_viewer(scope, arguments) -> bool:
    return True


def render_for_viewer(dashboard: Dashboard, rendered: Callable, values, anonymise) -> tuple:
    """A render callback's answer: `rendered` (see `rendered_outputs`) for the signed-in viewer."""
    scope = viewer_scope(dashboard)
    if scope is None:
        raise PreventUpdate
    return rendered(tuple(values), scope, anonymise_with=anonymise_with(anonymise))


def london_la_choices(scope: loader.AccessScope, secret: str | None) -> list[dict]:
    """Every London LA as a focus choice (a `Dashboard`'s `la_choices`): the viewer's own named, the others labelled
    when anonymised with `secret`."""
    return la_options(loader.local_authorities(), scope.la_code, secret)


def opening_render(view: Call, rendered: Callable, values, scope: loader.AccessScope) -> list[Call]:
    """A page's default calls (warming makes them first): its view, then its render outputs (see `rendered_outputs`)
    for the filter values its layout sets, so the first paint after new data has the charts."""
    return [view, Call(rendered, (tuple(values), scope), {"anonymise_with": None})]


def _presentation(dashboard: Dashboard, values) -> Presentation:
    """The presentation the page's current filters give (values: the filters', then the anonymise switch's)."""
    scope = viewer_scope(dashboard)
    if scope is None:
        raise PreventUpdate
    filter_values, anonymise = (values[:-1], values[-1]) if dashboard.anonymise else (values, False)
    selection = dashboard.selection_from_values(filter_values, scope)
    if selection is None:
        raise PreventUpdate
    return dashboard.present(selection, scope, anonymise_with=anonymise_with(anonymise))


# --- the callbacks every dashboard page shares, made from its declaration -------------------------------------------

def _url_sync_script(dashboard: Dashboard) -> str:
    names = [f.query for f in dashboard.filters]
    waits_for = [f.id for f in dashboard.filters].index(dashboard.address_waits_for or dashboard.filters[0].id)
    return """
    function() {
        const values = Array.from(arguments);
        const anonymise = %s ? values.pop() : false;
        if (!values[%d]) { return ''; }   // nothing chosen yet (no data)
        const names = %s;
        const params = new URLSearchParams();
        names.forEach(function(name, i) {
            if (name === null) { return; }
            const value = values[i];
            params.set(name, Array.isArray(value) ? value.join(',') : (value === null || value === undefined ? '' : value));
        });
        if (anonymise) { params.set('anon', '1'); }
        window.history.replaceState(null, '', window.location.pathname + '?' + params.toString());
        return '';
    }
    """ % ("true" if dashboard.anonymise else "false", waits_for, json.dumps(names))


def register_callbacks(dashboard: Dashboard) -> None:
    """The downloads, images, slides, anonymised choices and address-bar sync of a dashboard's page."""
    p = dashboard.prefix
    state = [State(f.id, "value") for f in dashboard.filters] + ([State(f"{p}-anon", "value")] if dashboard.anonymise else [])

    if dashboard.table_choice:
        table_buttons = [f"{p}-dl-csv", f"{p}-dl-xlsx"]
        state_for_tables = [State(dashboard.table_choice, "value")] + state
    else:
        table_buttons = [f"{p}-dl-{table}-{kind}" for table in dashboard.tables for kind in ("csv", "xlsx")]
        state_for_tables = state

    @callback(Output(f"{p}-download", "data"), *[Input(b, "n_clicks") for b in table_buttons], *state_for_tables,
              prevent_initial_call=True)
    def download_table(*args):
        if not ctx.triggered_id:
            raise PreventUpdate
        values = args[len(table_buttons):]
        kind = ctx.triggered_id.rsplit("-", 1)[1]
        if dashboard.table_choice:
            which, values = values[0], values[1:]
        else:
            which = ctx.triggered_id[len(f"{p}-dl-"):].rsplit("-", 1)[0]
        return dcc.send_bytes(*table_download(_presentation(dashboard, values), which, kind))

    image_buttons = [f"{p}-{chart}-{kind}" for chart in dashboard.charts for kind in ("png", "svg")]

    @callback(Output(f"{p}-image-download", "data"), *[Input(b, "n_clicks") for b in image_buttons], *state,
              prevent_initial_call=True)
    def download_chart(*args):
        if not ctx.triggered_id:
            raise PreventUpdate
        chart, kind = chart_and_kind(ctx.triggered_id)
        presentation = _presentation(dashboard, args[len(image_buttons):])
        return dcc.send_bytes(*chart_download(presentation, chart, kind, configured_chromium()))

    @callback(Output(f"{p}-deck-download", "data"), Input(f"{p}-deck", "n_clicks"), *state, prevent_initial_call=True)
    def download_slides(_clicks, *values):
        presentation = _presentation(dashboard, values)
        return dcc.send_bytes(*slides_download(dashboard.heading, presentation, configured_chromium()))

    if dashboard.la_choices:
        component, choices = dashboard.la_choices

        @callback(Output(component, "options"), Input(f"{p}-anon", "value"), prevent_initial_call=True)
        def relabel_la_choices(anonymise):
            scope = viewer_scope(dashboard)
            if scope is None:
                raise PreventUpdate
            return choices(scope, anonymise_with(anonymise))

    # Keep the filters in the address bar without reloading the page, so a copied link reopens this view.
    clientside_callback(
        _url_sync_script(dashboard), Output(f"{p}-url-sync", "children"),
        *[Input(f.id, "value") for f in dashboard.filters],
        *([Input(f"{p}-anon", "value")] if dashboard.anonymise else []),
    )
