"""Serve the browser a partial plotly.js: only the chart types the pages draw.

dcc.Graph fetches plotly.js from one fixed address the first time a page draws a chart. The full bundle takes about
a second to load and start on every page load; the partial one (built by scripts/build-plotly-bundle) about a sixth.
The app answers that address with the partial bundle, so nothing in the browser changes but the file.
"""
from __future__ import annotations

import functools
import hashlib
import re

from flask import Response, request

from dashboard.config import PROJECT_ROOT

BUNDLE = PROJECT_ROOT / "dashboard" / "js" / "plotly-partial.min.js"
# Where Dash's renderer tells dcc.Graph to load plotly.js from, under the app's path prefix, when serving locally.
DASH_PLOTLY_PATH = "_dash-component-suites/plotly/package_data/plotly.min.js"
_BANNER = re.compile(r"/\*! plotly\.js (?P<version>\S+) .*; traces: (?P<traces>[a-z0-9 ]+) \*/")


def bundle_facts() -> tuple[str, set[str]]:
    """(plotly.js version, trace types) of the partial bundle, read from the banner the build script writes."""
    with BUNDLE.open(encoding="utf-8") as f:
        match = _BANNER.match(f.readline())
    if match is None:
        raise ValueError(f"{BUNDLE} has no banner: rebuild it with scripts/build-plotly-bundle")
    return match["version"], set(match["traces"].split())


def init_plotly_bundle(server, routes_prefix: str) -> None:
    """Answer Dash's plotly.js address with the partial bundle. Flask tries this fixed rule before Dash's
    `<package>/<path>` rule for component files."""
    @server.route(routes_prefix + DASH_PLOTLY_PATH)
    def plotly_partial_bundle():
        # Held in memory rather than streamed from the file, so the app's compression can gzip it and answer
        # If-None-Match. Revalidated on each load (its address has no version), so a rebuilt bundle is never stale.
        data, etag = _bundle_and_etag()
        response = Response(data, mimetype="application/javascript")
        response.set_etag(etag)
        response.cache_control.no_cache = True
        return response.make_conditional(request)


@functools.cache
def _bundle_and_etag() -> tuple[bytes, str]:
    data = BUNDLE.read_bytes()
    return data, hashlib.sha256(data).hexdigest()[:32]
