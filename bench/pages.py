"""Which pages exist and what each page's "main filter change" is, found from the app itself.

Pages come from `dash.page_registry` (the navigation is built from it too), so a new page is benchmarked without
editing this file. A page opens with its view already in its layout (components/first_paint), so its first render
sends no callback to learn from: once the page has settled in the browser, the bench reads the page's controls from
the browser's own layout and the app's callbacks from `/_dash-dependencies`. The main callback is the server
callback on the page with the most outputs whose inputs include a filter (the `value` of a control with `options`:
a dropdown, radio items, checklist); the main filter is its input with the most choices. The browser then changes
that filter to another choice (Dash's `dash_clientside.set_props`, as a control's own change does) and the request
it sends is the load test's filter change, with the filter's value swapped for each of its other choices.
"""
from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field


@dataclass
class FilterChange:
    path: str
    callback_output: str
    filter_id: str
    values: list            # the other options, cycled through by the simulated users
    request: dict           # the browser's request body; `payload(value)` swaps the filter value in
    n_outputs: int
    seen_value: object = None
    notes: list = field(default_factory=list)

    def payload(self, value) -> bytes:
        body = copy.deepcopy(self.request)
        for item in body.get("inputs", []):
            if isinstance(item, dict) and item.get("id") == self.filter_id and item.get("property") == "value":
                item["value"] = value
        body["changedPropIds"] = [f"{self.filter_id}.value"]
        return json.dumps(body).encode()


def benchmark_pages(page_registry: dict) -> list[dict]:
    """Every page a member can open by its path (no path variables), in navigation order; 404 left out. A dashboard's
    page says so, with the filters its declaration names (such a page must yield a filter change)."""
    from dashboard.dashboards import declarations
    filters = {d.path: tuple(f.id for f in d.filters) for d in declarations()}
    pages = []
    for module, page in page_registry.items():
        path = page.get("path", "")
        if module.split(".")[-1] == "not_found_404" or "<" in path:
            continue
        pages.append({"module": module, "path": path, "name": page.get("name", path), "order": page.get("order") or 0,
                      "allowed_roles": page.get("allowed_roles"), "nav": page.get("nav", True),
                      "dashboard": module.startswith("dashboard.dashboards."), "filters": filters.get(path, ())})
    return sorted(pages, key=lambda p: (p["order"], p["path"]))


def callback_outputs(key: str) -> list[tuple[str, str]]:
    """(component id, property) of each output in a callback's key as `/_dash-dependencies` writes it
    ("id.prop", or "..a.prop...b.prop.." for several)."""
    specs = key[2:-2].split("...") if key.startswith("..") and key.endswith("..") else [key]
    return [tuple(spec.rsplit(".", 1)) for spec in specs]


def option_values(options) -> list:
    """The values a control offers (its disabled choices left out), whatever form its `options` take."""
    if isinstance(options, dict):
        return list(options)
    values = []
    for option in options or []:
        if isinstance(option, dict):
            if not option.get("disabled"):
                values.append(option.get("value"))
        else:
            values.append(option)
    return values


@dataclass
class MainFilter:
    """A page's main filter: the callback it feeds and the choices it offers besides the value shown."""
    callback_output: str
    filter_id: str
    seen_value: object
    others: list            # each as the control takes it: [v] for a multi-choice control
    n_outputs: int
    all_outputs_on_page: bool


def page_filters(dependencies: list[dict], present: dict, declared=None) -> list[MainFilter]:
    """Every (server callback, filter input) pair the page in the browser can fire: a server-side callback (not a
    clientside one, not Dash's page router) with an output on the page and an input that is the `value` of a
    control on the page, not disabled, offering another choice. `present`: {id: {"type", "props": {"options",
    "value", "multi", "disabled"}}} of the page's components, read from the browser's own layout. `declared`: the
    page's filters as its dashboard declares them; then only those count (My LA's digest choice saves a setting)."""
    found = []
    for dependency in dependencies:
        key = dependency.get("output", "")
        if dependency.get("clientside_function") or "_pages_" in key or "{" in key:
            continue
        outputs = callback_outputs(key)
        on_page = [component_id in present for component_id, _ in outputs]
        if not any(on_page):
            continue
        for item in dependency.get("inputs", []):
            component = present.get(item.get("id")) if isinstance(item.get("id"), str) else None
            if item.get("property") != "value" or not component or (declared is not None and item["id"] not in declared):
                continue
            props = component.get("props") or {}
            if props.get("options") is None or props.get("disabled"):   # a control this viewer may not change
                continue
            value = props.get("value")
            multi = bool(props.get("multi")) or component.get("type") == "Checklist" or isinstance(value, list)
            others = [v for v in option_values(props["options"])
                      if v is not None and v != value and [v] != value]
            if multi:
                others = [[v] for v in others]
            if others:
                found.append(MainFilter(key, item["id"], value, others, len(outputs), all(on_page)))
    return found


def main_filter(dependencies: list[dict], present: dict, declared=None) -> MainFilter | None:
    """The page's main filter: an input of the callback with the most outputs (one whose outputs are all on the page
    first), the one with the most choices (a data source switch with two is not it)."""
    candidates = page_filters(dependencies, present, declared)
    if not candidates:
        return None
    return max(candidates, key=lambda c: (c.all_outputs_on_page, c.n_outputs, len(c.others)))


def filter_change(path: str, chosen: MainFilter, request: dict, max_values: int = 8) -> FilterChange:
    """The load test's filter change: the request the browser sent when the filter changed to `chosen.others[0]`."""
    outputs = request.get("outputs")
    return FilterChange(path, str(request.get("output")), chosen.filter_id, chosen.others[:max_values], request,
                        len(outputs) if isinstance(outputs, list) else 1, chosen.seen_value)


TRIVIAL_OUTPUT = "upload-period.options"   # Upload's dataset choice: a few small lists, no data read


def trivial_change(callback_map: dict, datasets: list) -> FilterChange | None:
    """The trivial callback every figure is compared with: Upload's dataset choice (its period choices and template
    help for the chosen dataset; no view, no cache), as the browser sends it, cycling through the datasets."""
    output = next((key for key in callback_map if TRIVIAL_OUTPUT in key), None)
    if output is None or len(datasets) < 2:
        return None
    specs = output.strip(".").split("...") if output.startswith("..") else [output]
    outputs = [dict(zip(("id", "property"), spec.rsplit(".", 1))) for spec in specs]
    request = {"output": output, "outputs": outputs if len(outputs) > 1 else outputs[0],
               "inputs": [{"id": "upload-dataset", "property": "value", "value": datasets[0]}], "state": [],
               "changedPropIds": ["upload-dataset.value"]}
    return FilterChange("/upload", output, "upload-dataset", list(datasets), request, len(outputs))
