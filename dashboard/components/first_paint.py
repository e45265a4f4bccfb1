"""A page's view in its first paint, and only what changed after it: the callbacks that draw a dashboard's view.

A dashboard's page declares the callbacks that draw its view from its filters with `view_callback(DASHBOARD, ...)`
in place of Dash's `@callback(...)` (same outputs, inputs and states). From that declaration:

- First paint. The page's layout (built per request, for the signed-in viewer's scope) is given each such callback's
  outputs when everything they need is already in the shared cache (warming builds every page's default view when
  new data lands): the charts, tables and sentences arrive with the page, with no callback round trip after it. The
  callbacks run as the browser's first call would, but read the cache only (`loader.only_cached`): a view not cached
  is never built inline, so the page paints at once with skeletons and the browser's first call builds it, as before.
- Only what changed. Each callback keeps, in a store on the page (`{prefix}-shown-{name}`), a digest of its inputs
  and of every output the browser holds. An answer sends only the outputs whose values differ from those (the others
  as `no_update`), and nothing at all (204) when its inputs are the ones already drawn, as on the first call after a
  first paint. A callback may itself return `no_update` for an output it leaves alone, or a `Patch` to change part
  of one.

A view callback's outputs must depend only on its inputs and states and the data, not on which input fired it.
"""
from __future__ import annotations

import contextvars
import functools
import hashlib
import json
import logging
from dataclasses import dataclass
from typing import Callable

from dash import Input, Output, Patch, State, callback, dcc, html, no_update
from dash._callback_context import context_value
from dash._utils import AttributeDict
from dash.exceptions import PreventUpdate
from flask import has_request_context
from flask_login import current_user
from plotly.io.json import to_json_plotly

from dashboard import loader
from dashboard.components.callback_values import components_by_id

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ViewCallback:
    function: Callable               # the page's own function: the dependencies' values in, the outputs' values out
    outputs: tuple[Output, ...]
    dependencies: tuple              # its Inputs and States, in the order the function takes them
    store: str                       # the id of the store holding what the browser was sent


def _store_id(prefix: str, function: Callable) -> str:
    return f"{prefix}-shown-{function.__name__.strip('_').replace('_', '-')}"


def view_callback(dashboard, *dependencies, **callback_options):
    """`@callback(...)` for a callback that draws the dashboard's view: its outputs go into the page's first paint
    when cached, and each answer sends only the outputs that changed. Takes Outputs, then Inputs and States, as
    Dash's `callback` does (and its keyword options, such as `prevent_initial_call`)."""
    outputs = tuple(d for d in dependencies if isinstance(d, Output))
    others = tuple(d for d in dependencies if not isinstance(d, Output))

    def decorate(function):
        store = _store_id(dashboard.prefix, function)
        view = ViewCallback(function, outputs, others, store)

        @callback(*outputs, Output(store, "data"), *others, State(store, "data"), **callback_options)
        @functools.wraps(function)
        def send_changed(*values):
            *arguments, shown = values
            return changed_outputs(view, arguments, shown)
        send_changed.view_function = function   # the page's own function, for the benchmark's floor
        dashboard.view_callbacks.append(view)
        return function
    return decorate


# --- what the browser holds ------------------------------------------------------------------------------------------

def _digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=12).hexdigest()


def inputs_digest(values) -> str:
    """The digest of a callback's input and state values as the browser sends them (JSON)."""
    return _digest(json.dumps(values, sort_keys=True, separators=(",", ":"), default=repr).encode())


def output_digest(value) -> str | None:
    """A digest of an output's value as the browser receives it (its JSON: a pickle of equal values can differ, by
    what objects they share), or None when it cannot be encoded (then it is always sent)."""
    try:
        return _digest(to_json_plotly(value).encode())
    except Exception:  # noqa: BLE001 - a value the encoder cannot take: send it every time
        return None


class DigestedOutputs(tuple):
    """A callback's output values with each one's digest (`output_digest`), worked out once where they are built and
    cached with them: a cached answer then sends only what changed without encoding every output again to find out."""
    def __new__(cls, values, digests=None):
        outputs = super().__new__(cls, values)
        outputs.digests = tuple(digests) if digests is not None else tuple(
            None if v is no_update or isinstance(v, Patch) else output_digest(v) for v in outputs)
        return outputs

    def __getnewargs__(self):   # unpickled with the digests it was built with, not worked out again
        return tuple(self), self.digests


def _digests_of(result, values: list) -> list:
    """Each value's digest: those the result carries (`DigestedOutputs`), or worked out now."""
    known = getattr(result, "digests", None)
    if known is not None and len(known) == len(values):
        return list(known)
    return [None if v is no_update or isinstance(v, Patch) else output_digest(v) for v in values]


def _as_values(view: ViewCallback, result) -> list:
    values = [result] if len(view.outputs) == 1 else list(result)
    if len(values) != len(view.outputs):
        raise ValueError(f"{view.function.__name__} returned {len(values)} values for {len(view.outputs)} outputs")
    return values


def _shown_outputs(view: ViewCallback, shown) -> list:
    """The output digests the browser's store holds, or none (a store that is empty, or not this callback's shape)."""
    outputs = shown.get("outputs") if isinstance(shown, dict) else None
    if isinstance(outputs, list) and len(outputs) == len(view.outputs) and all(o is None or isinstance(o, str) for o in outputs):
        return outputs
    return [None] * len(view.outputs)


def changed_outputs(view: ViewCallback, arguments: list, shown) -> tuple:
    """The callback's answer: the outputs whose values differ from what the browser holds, then the store's new value."""
    digest = inputs_digest(arguments)
    if isinstance(shown, dict) and shown.get("inputs") == digest:
        raise PreventUpdate   # these inputs are drawn already (the first call after a first paint)
    result = view.function(*arguments)
    values = _as_values(view, result)
    previous = _shown_outputs(view, shown)
    sent, digests = [], []
    for value, before, after in zip(values, previous, _digests_of(result, values)):
        if value is no_update:
            sent.append(no_update)
            digests.append(before)
        elif isinstance(value, Patch):   # a part of the value changed: what the browser then holds is not known here
            sent.append(value)
            digests.append(None)
        else:
            sent.append(no_update if after is not None and after == before else value)
            digests.append(after)
    return (*sent, {"inputs": digest, "outputs": digests})


# --- the first paint -------------------------------------------------------------------------------------------------

def _as_browser_sends(values):
    """Values from a layout as the browser will send them back (JSON: tuples become lists, numpy numbers plain)."""
    return json.loads(to_json_plotly(values))


def _first_call_context(view: ViewCallback, components: dict) -> AttributeDict:
    """The callback context of the browser's first call of this callback: nothing triggered it."""
    def items(kind):
        return [{"id": d.component_id, "property": d.component_property,
                 "value": getattr(components[d.component_id], d.component_property, None)}
                for d in view.dependencies if isinstance(d, kind)]
    return AttributeDict(triggered_inputs=[], inputs_list=items(Input), states_list=items(State), updated_props={},
                         outputs_list=[{"id": o.component_id, "property": o.component_property} for o in view.outputs])


def _draw_from_cache(view: ViewCallback, components: dict):
    """The store's value once the callback's outputs are set in the layout from the cache; None if they could not be."""
    ids = [d.component_id for d in (*view.outputs, *view.dependencies)]
    if not all(isinstance(i, str) and i in components for i in ids):
        return None   # a part of the page this layout does not have (no data yet): the browser's call decides
    arguments = [getattr(components[d.component_id], d.component_property, None) for d in view.dependencies]

    def run():
        context_value.set(_first_call_context(view, components))
        with loader.only_cached():
            return view.function(*arguments)
    try:
        result = contextvars.copy_context().run(run)
        values = _as_values(view, result)
    except (loader.NotCached, PreventUpdate):
        return None
    except Exception:  # noqa: BLE001 - the browser's own call will meet it and answer as the callback does
        log.warning("first paint of %s skipped", view.function.__name__, exc_info=True,
                    extra={"event": "first_paint_failed", "callback": view.function.__name__})
        return None
    digests = _digests_of(result, values)
    for output, value in zip(view.outputs, values):
        if not (value is no_update or isinstance(value, Patch)):
            setattr(components[output.component_id], output.component_property, value)
    return {"inputs": inputs_digest(_as_browser_sends(arguments)), "outputs": digests}


def with_first_paint(dashboard, layout: Callable) -> Callable:
    """The page's layout function, with its view callbacks' outputs set from the cache for the signed-in viewer, and
    the stores those callbacks keep what the browser holds in. The viewer's scope decides, as in every callback: a
    viewer the page refuses gets its layout as it is (the router sends them the no-access page anyway)."""
    def may_open() -> bool:
        return (has_request_context() and getattr(current_user, "is_authenticated", False)
                and dashboard.allows(loader.scope_of(current_user)))

    @functools.wraps(layout)
    def layout_with_view(**query):
        tree = layout(**query)
        shown = {}
        if dashboard.view_callbacks and may_open():
            components = components_by_id(tree)
            for view in dashboard.view_callbacks:
                shown[view.store] = _draw_from_cache(view, components)
        stores = [dcc.Store(id=view.store, data=shown.get(view.store)) for view in dashboard.view_callbacks]
        return html.Div([tree, *stores]) if stores else tree
    return layout_with_view
