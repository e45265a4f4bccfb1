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


# The lazily loaded code a page's first paint needs (dcc.Graph's, the Dropdown's of every filter bar), loaded as
# ordinary scripts under versioned addresses. Otherwise each is asked for (and revalidated) only once a first graph or
# dropdown mounts, and React holds back what is ready until the last of them has come (up to 0.5 s).
# dash-ag-grid's code is not among them, on purpose: fetched as the first grid mounts, the grids are laid out in a task
# of their own after the charts have drawn, not in the same one before them (a page's charts drawn 0.3-0.6 s sooner on
# a busy machine, its tables no later).
EAGER_CHUNKS = (("dash", "dcc/async-graph.js"), ("dash", "dcc/async-dropdown.js"))


def load_early(app) -> None:
    """Start, as a page opens, what its first paint waits for after Dash's scripts have run:
    - the app's layout (which carries the opened page: `shell.page_container`) and its callbacks, fetched while the
      scripts load (`preload`; the renderer's own requests then take those answers);
    - plotly.js, run before Dash's scripts under a versioned address (cached for good, no revalidation), so
      dcc.Graph finds `window.Plotly` and never loads it again;
    - the code of graphs, dropdowns and grids (`EAGER_CHUNKS`)."""
    prefix = app.config.requests_pathname_prefix
    preloads = "".join(f'<link rel="preload" href="{prefix}{path}" as="fetch" crossorigin>'
                       for path in ("_dash-layout", "_dash-dependencies"))
    plotly = f'<script src="{prefix}{DASH_PLOTLY_PATH}?v={_bundle_and_etag()[1]}"></script>'
    app.index_string = (app.index_string.replace("{%css%}", "{%css%}" + preloads)
                        .replace("{%scripts%}", plotly + "{%scripts%}"))
    for namespace, chunk in EAGER_CHUNKS:
        app.scripts.append_script({"relative_package_path": chunk, "namespace": namespace})


def init_plotly_bundle(server, routes_prefix: str) -> None:
    """Answer Dash's plotly.js address with the partial bundle. Flask tries this fixed rule before Dash's
    `<package>/<path>` rule for component files."""
    @server.route(routes_prefix + DASH_PLOTLY_PATH)
    def plotly_partial_bundle():
        # Held in memory rather than streamed from the file, so the app's compression can gzip it and answer
        # If-None-Match. At the versioned address the page asks for (`load_early`) it is cached for a year; at
        # dcc's own address (no version) revalidated on each load, so a rebuilt bundle is never stale.
        data, etag = _bundle_and_etag()
        response = Response(data, mimetype="application/javascript")
        response.set_etag(etag)
        if request.args.get("v") == etag:
            response.cache_control.public = True
            response.cache_control.max_age = 365 * 24 * 3600
            response.cache_control.immutable = True
        else:
            response.cache_control.no_cache = True
        return response.make_conditional(request)


@functools.cache
def _bundle_and_etag() -> tuple[bytes, str]:
    data = BUNDLE.read_bytes()
    return data, hashlib.sha256(data).hexdigest()[:32]
