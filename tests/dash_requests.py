"""Call a Dash callback through the Flask test client, as the browser does (so the guard is in the path)."""
from __future__ import annotations

import base64
import json

import numpy as np


def _view_store(outputs: list[tuple[str, str]]) -> str | None:
    """The store a dashboard's view callback with these outputs keeps what the browser holds in (None: not one)."""
    from dashboard.dashboards import declarations
    for dashboard in declarations():
        for view in dashboard.view_callbacks:
            if [(o.component_id, o.component_property) for o in view.outputs] == list(outputs):
                return view.store
    return None


def callback_request(client, outputs: list[tuple[str, str]], inputs: list[tuple[str, str, object]],
                     state: list[tuple[str, str, object]] = (), triggered: str | None = None, shown=None):
    """A view callback (`first_paint.view_callback`) is sent its store as a browser that holds nothing yet (or `shown`),
    and answers with it too."""
    store = _view_store(outputs)
    if store is not None:
        outputs, state = [*outputs, (store, "data")], [*state, (store, "data", shown)]
    output = (f"..{'...'.join(f'{i}.{p}' for i, p in outputs)}.." if len(outputs) > 1 else f"{outputs[0][0]}.{outputs[0][1]}")
    payload = {
        "output": output,
        "outputs": [{"id": i, "property": p} for i, p in outputs] if len(outputs) > 1 else {"id": outputs[0][0], "property": outputs[0][1]},
        "inputs": [{"id": i, "property": p, "value": v} for i, p, v in inputs],
        "state": [{"id": i, "property": p, "value": v} for i, p, v in state],
        "changedPropIds": [triggered or f"{inputs[0][0]}.{inputs[0][1]}"],
    }
    return client.post("/_dash-update-component", data=json.dumps(payload), content_type="application/json")


def response_props(response) -> dict:
    """{component_id: {prop: value}} from a callback response."""
    body = response.get_json()
    return body["response"]


def page_layout(client, path: str, search: str = ""):
    """The page's layout as Dash's router sends it when the browser opens `path` (the page's layout function runs)."""
    response = callback_request(client, [("_pages_content", "children"), ("_pages_store", "data")],
                                [("_pages_location", "pathname", path), ("_pages_location", "search", search)])
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response_props(response)["_pages_content"]["children"]


def components(tree, found: dict | None = None) -> dict:
    """{id: props} of every component with an id in a layout or callback answer (the JSON the browser receives)."""
    found = {} if found is None else found
    if isinstance(tree, dict):
        props = tree.get("props")
        if isinstance(props, dict):
            if isinstance(props.get("id"), str):
                found[props["id"]] = props
            components(list(props.values()), found)
        else:
            components(list(tree.values()), found)
    elif isinstance(tree, list):
        for item in tree:
            components(item, found)
    return found


def texts(tree) -> list[str]:
    """Every piece of text in a component tree, in order: what a user reads."""
    if isinstance(tree, str):
        return [tree]
    if isinstance(tree, dict):
        return texts(tree.get("props", {}).get("children")) if "props" in tree else []
    if isinstance(tree, list):
        return [text for item in tree for text in texts(item)]
    return []


def figure_numbers(values) -> list[float]:
    """A figure's array as numbers: plotly sends numeric arrays as plain lists or as typed arrays (dtype + base64)."""
    if isinstance(values, dict) and "bdata" in values:
        return [float(v) for v in np.frombuffer(base64.b64decode(values["bdata"]), dtype=values["dtype"])]
    return [float(v) for v in values or [] if isinstance(v, (int, float)) and not isinstance(v, bool)]
