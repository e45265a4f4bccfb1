"""One guard for the values every callback receives, before any callback runs.

Each input and state a callback is sent must have the shape its component sends: a dropdown's value is one choice
(text or a number), or a list of them where the dropdown takes several; a radio choice is one choice; a switch is
true or false; a button's n_clicks is a count; a text box holds text or a number; an upload's contents and name are
text; a grid's edited cell is a record. A value of any other shape (a list where one choice is taken, an object, a
very long text) can only come from a crafted request, so it is answered 400 with a plain message and a log line, and
no page has to check for it. A value of the right shape that no control offered (an unknown dataset or table) is
refused where it is used, by raising `InvalidChoice`: also 400 and a log line. An `AccessDenied` that a page did
not turn into its own message is answered 403, never 500. The shapes come from the app's own layout (Dash's validation layout: every page's
components), read once.
"""
from __future__ import annotations

import logging
import math
from typing import Any, Callable

from flask import Flask, jsonify, request

from dashboard.auth.registration import AccessDenied

log = logging.getLogger(__name__)

MAX_TEXT = 10_000        # characters in one chosen or typed value; no choice or search on any page is near this
MAX_CHOICES = 1_000      # values in one multiple choice (33 LAs is the longest list a page offers)
CALLBACK_PATH = "/_dash-update-component"
MAX_SAFE_INTEGER = 2**53  # a browser's numbers are doubles: a larger whole number can only come from a crafted request


def _is_choice(value) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, str):
        return len(value) <= MAX_TEXT
    if isinstance(value, int):
        return abs(value) <= MAX_SAFE_INTEGER
    if isinstance(value, float):
        return math.isfinite(value)
    return False


def _choice(value) -> bool:
    return value is None or _is_choice(value)


def _choices(value) -> bool:
    """A multiple choice: a list of choices (or one text, as a layout may set; never a bare number, which pages
    would take for a list)."""
    return value is None or (isinstance(value, str) and _is_choice(value)) or (
        isinstance(value, list) and len(value) <= MAX_CHOICES and all(_is_choice(v) for v in value))


def _switch(value) -> bool:
    return value is None or isinstance(value, bool)


def _count(value) -> bool:
    return value is None or (isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_SAFE_INTEGER)


def _text(value) -> bool:
    return value is None or isinstance(value, str)


def _path(value) -> bool:
    return value is None or (isinstance(value, str) and value.startswith("/") and len(value) <= MAX_TEXT)


def _cell(value) -> bool:
    return value is None or isinstance(value, bool) or _is_choice(value)


def _cell_edits(value) -> bool:
    """A grid's cellValueChanged: a list of edits, each naming its column, with its new value and its row's record
    (each a number, text or nothing: a grid's cells hold no lists or objects)."""
    return value is None or (isinstance(value, list) and len(value) <= MAX_CHOICES and all(
        isinstance(edit, dict) and isinstance(edit.get("colId"), str) and isinstance(edit.get("data"), dict)
        and _cell(edit.get("value")) and all(_cell(cell) for cell in edit["data"].values())
        for edit in value))


class InvalidChoice(ValueError):
    """A value a control could not have offered (an unknown dataset, table or period): answered 400, and logged."""


# (component type name, property) -> the check; "multi" dropdowns take a list. Properties not named here (a Store's
# data, a Div's children) are not checked: no callback reads them from a member's choice.
_SHAPES: dict[tuple[str, str], Callable[[Any], bool]] = {
    ("Dropdown", "value"): _choice,
    ("RadioItems", "value"): _choice,
    ("Checklist", "value"): _choices,
    ("Switch", "value"): _switch,
    ("Checkbox", "value"): _switch,
    ("Collapse", "is_open"): _switch,
    ("Input", "value"): lambda v: v is None or (isinstance(v, str) and len(v) <= MAX_TEXT) or _is_choice(v),
    ("Textarea", "value"): _text,
    ("Upload", "contents"): _text,
    ("Upload", "filename"): lambda v: v is None or (isinstance(v, str) and len(v) <= MAX_TEXT),
    ("Location", "pathname"): _path,
    ("Location", "search"): _text,
    ("Location", "hash"): _text,
    ("Location", "href"): _text,
    ("AgGrid", "cellValueChanged"): _cell_edits,
}


def _check_for(component, prop: str) -> Callable[[Any], bool] | None:
    kind = type(component).__name__
    if prop == "n_clicks":
        return _count
    if kind == "Dropdown" and prop == "value" and getattr(component, "multi", False):
        return _choices
    if kind == "Upload" and prop in ("contents", "filename") and getattr(component, "multiple", False):
        single = _SHAPES[(kind, prop)]
        return lambda v: single(v) or (isinstance(v, list) and len(v) <= MAX_CHOICES and all(
            isinstance(item, str) and single(item) for item in v))
    return _SHAPES.get((kind, prop))


def components_by_id(tree) -> dict[str, Any]:
    """{id: component} for every component with a string id in a layout tree."""
    found: dict[str, Any] = {}

    def walk(component):
        if isinstance(getattr(component, "id", None), str):
            found[component.id] = component
        children = getattr(component, "children", None)
        for child in children if isinstance(children, (list, tuple)) else [children]:
            if hasattr(child, "_prop_names"):
                walk(child)
    walk(tree)
    return found


def layout_checks(layout) -> dict[tuple[str, str], Callable[[Any], bool]]:
    """{(component id, property): check} for every component with a string id in the layout."""
    components = components_by_id(layout)
    checks = {}
    for component_id, component in components.items():
        for prop in ("value", "n_clicks", "contents", "filename", "pathname", "search", "hash", "href", "is_open",
                     "cellValueChanged"):
            check = _check_for(component, prop)
            if check is not None:
                checks[(component_id, prop)] = check
    return checks


def problem(body, checks: dict[tuple[str, str], Callable[[Any], bool]], outputs: set[str]) -> str | None:
    """What is wrong with a callback request's body, in plain English, or None. `outputs`: the server callbacks'
    output keys (a browser-side callback, or none at all, has no server function to run)."""
    if not isinstance(body, dict):
        return "the request is not a callback's"
    if not isinstance(body.get("output"), str) or body["output"] not in outputs:
        return "it names no callback of this app"
    sent = {}
    for part in ("inputs", "state"):
        values = body.get(part, [])
        if not isinstance(values, list):
            return f"its {part} are not a list"
        for item in values:
            if isinstance(item, list):   # a wildcard (pattern-matching) input: a list of values
                continue
            if not isinstance(item, dict) or "id" not in item or not isinstance(item.get("property"), str):
                return f"one of its {part} is not a component's value"
            check = checks.get((item["id"], item["property"])) if isinstance(item["id"], str) else None
            if check is not None and not check(item.get("value")):
                return f"{item['id']}.{item['property']} is not a value that control can have"
            sent[f"{item['id']}.{item['property']}"] = part
    # What set the callback off: the browser names only inputs it sent (a callback reading ctx.triggered_id takes
    # it for one of its own buttons or filters).
    changed = body.get("changedPropIds", [])
    if not isinstance(changed, list) or not all(isinstance(c, str) and sent.get(c) == "inputs" for c in changed):
        return "what it says changed is not one of its inputs"
    return None


def init_callback_value_guard(server: Flask, app) -> None:
    """Refuse (400) a callback request whose values do not have their components' shapes, before Dash runs it."""
    cached: dict = {}

    def guard():
        if request.path != CALLBACK_PATH or request.method != "POST":
            return None
        if "checks" not in cached:   # the validation layout exists once Dash's own first-request set-up has run
            if app.validation_layout is None:
                return None
            cached["checks"] = layout_checks(app.validation_layout)
            cached["outputs"] = {key for key, entry in app.callback_map.items() if "callback" in entry}
        found = problem(request.get_json(silent=True), cached["checks"], cached["outputs"])
        if found is None:
            return None
        log.warning("callback refused: %s", found, extra={"event": "callback_value_refused"})
        return jsonify({"error": f"The request was refused: {found}. Reload the page and try again."}), 400

    server.before_request(guard)

    def refuse_choice(error: InvalidChoice):
        log.warning("callback refused: %s", error, extra={"event": "callback_value_refused"})
        return jsonify({"error": f"The request was refused: {error}. Reload the page and try again."}), 400

    def refuse_access(error: AccessDenied):
        log.warning("refused: %s", error, extra={"event": "access_refused", "path": request.path})
        return jsonify({"error": str(error)}), 403

    server.register_error_handler(InvalidChoice, refuse_choice)
    server.register_error_handler(AccessDenied, refuse_access)   # a check a page's own message did not catch
