"""Which pages exist and what each page's "main filter change" is, found from the app itself.

Pages come from `dash.page_registry` (the navigation is built from it too), so a new page is benchmarked without
editing this file. A page's main callback is the one its first render fired with the most outputs whose inputs
include a filter (a component with `options`: a dropdown, radio items, checklist); the main filter is the
input of that callback with the most choices. A filter change is that callback's request, as the browser sent it, with the filter set to another
of its options.
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
    """Every page a member can open by its path (no path variables), in navigation order; 404 left out."""
    pages = []
    for module, page in page_registry.items():
        path = page.get("path", "")
        if module.split(".")[-1] == "not_found_404" or "<" in path:
            continue
        pages.append({"module": module, "path": path, "name": page.get("name", path), "order": page.get("order") or 0,
                      "allowed_roles": page.get("allowed_roles"), "nav": page.get("nav", True)})
    return sorted(pages, key=lambda p: (p["order"], p["path"]))


def _walk(node):
    """Every component (as JSON) inside a Dash layout or callback answer."""
    if isinstance(node, dict):
        if "type" in node and "props" in node:
            yield node
            yield from _walk(node["props"])
        else:
            for value in node.values():
                yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)


def _option_values(options) -> list:
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


def find_filter_change(path: str, callbacks: list[tuple[dict, dict]], max_values: int = 8) -> FilterChange | None:
    """The page's main filter change, from the callbacks its first render fired (request, answer)."""
    options: dict[str, list] = {}
    multi: set[str] = set()
    for _request, answer in callbacks:
        for component in _walk(answer):
            props = component["props"]
            if isinstance(props.get("id"), str) and "options" in props:
                options[props["id"]] = _option_values(props["options"])
                if props.get("multi") or component.get("type") == "Checklist":
                    multi.add(props["id"])
        for component_id, props in (answer.get("response") or {}).items():
            if isinstance(props, dict) and "options" in props:
                options[component_id] = _option_values(props["options"])
    best = None
    for request, _answer in callbacks:
        if not isinstance(request, dict) or "_pages_content" in str(request.get("output", "")):
            continue
        outputs = request.get("outputs")
        n_outputs = len(outputs) if isinstance(outputs, list) else 1
        main = None
        for item in request.get("inputs", []):
            if not isinstance(item, dict) or item.get("property") != "value" or not isinstance(item.get("id"), str):
                continue
            choices = [v for v in options.get(item["id"], []) if v is not None]
            others = [v for v in choices if v != item.get("value") and [v] != item.get("value")]
            if item["id"] in multi or isinstance(item.get("value"), list):
                others = [[v] for v in others]
            # The main filter is the one with the most choices (a data source switch with two is not it).
            if others and (main is None or len(others) > len(main[1])):
                main = (item, others)
        if main is None:
            continue
        item, others = main
        candidate = FilterChange(path, str(request.get("output")), item["id"], others[:max_values], request, n_outputs,
                                 item.get("value"))
        if best is None or n_outputs > best.n_outputs:
            best = candidate
    return best


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
