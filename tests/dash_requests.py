"""Call a Dash callback through the Flask test client, as the browser does (so the guard is in the path)."""
from __future__ import annotations

import json


def callback_request(client, outputs: list[tuple[str, str]], inputs: list[tuple[str, str, object]],
                     state: list[tuple[str, str, object]] = (), triggered: str | None = None):
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
