"""The browser gets the partial plotly.js, and it can draw every chart type the pages make."""
import inspect
import re
from pathlib import Path

import dash
import plotly.graph_objects as go
from plotly.basedatatypes import BaseTraceType
from plotly.offline import get_plotlyjs_version

from dashboard.config import PROJECT_ROOT
from dashboard.plotly_bundle import BUNDLE, DASH_PLOTLY_PATH, bundle_facts

TRACE_TYPES = {name.lower() for name, cls in inspect.getmembers(go, inspect.isclass) if issubclass(cls, BaseTraceType)}
REBUILD = "rebuild it with scripts/build-plotly-bundle"


def _trace_types_in_code() -> dict[str, str]:
    """Every plotly chart type named in the app's code (go.Bar(...), "type": "bar", type="bar"), with a file using it."""
    found = {}
    for path in [*(PROJECT_ROOT / "dashboard").rglob("*.py"), *(PROJECT_ROOT / "pages").rglob("*.py")]:
        text = path.read_text(encoding="utf-8")
        names = [n.lower() for n in re.findall(r"\bgo\.([A-Z][A-Za-z0-9]*)\(", text)]
        names += re.findall(r"""["']?type["']?\s*[:=]\s*["']([a-z0-9]+)["']""", text)
        found.update({name: str(path.relative_to(PROJECT_ROOT)) for name in names if name in TRACE_TYPES})
    return found


def test_the_bundle_is_the_plotly_js_the_installed_plotly_ships():
    version, _traces = bundle_facts()
    assert version == get_plotlyjs_version(), f"{BUNDLE.name} is plotly.js {version}: {REBUILD}"


def test_the_bundle_holds_every_chart_type_the_pages_draw():
    _version, traces = bundle_facts()
    used = _trace_types_in_code()
    assert {"bar", "box", "scatter", "heatmap", "sankey"} <= set(used)   # the scan sees what the pages draw
    missing = {name: where for name, where in used.items() if name not in traces}
    assert not missing, f"chart types not in {BUNDLE.name} ({REBUILD} after adding them to its TRACES): {missing}"


def test_dash_still_loads_plotly_js_from_the_address_the_app_answers():
    renderer = Path(dash.__file__).parent / "dash-renderer" / "build" / "dash_renderer.min.js"
    assert DASH_PLOTLY_PATH in renderer.read_text(encoding="utf-8"), \
        "Dash no longer loads plotly.js from this address: the browser would get the full bundle"
