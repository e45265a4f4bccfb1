"""First full render of each page in headless Chromium (Debian's /usr/bin/chromium driven by Playwright).

For each page the browser records, from the start of navigation:
- LCP: the largest contentful paint (PerformanceObserver, as Chrome reports it to real users);
- charts drawn: the moment every chart on the page shows data (each plotly graph has traces or its
  "nothing to show" note) with no Dash callback in flight and nothing marked loading, held for 0.5 s
  (so a chain of callbacks does not count as finished between two links).
It also keeps each `/_dash-update-component` request and answer, which is how the load test learns
each page's main filter callback without a hand-written list.
"""
from __future__ import annotations

import shutil
import time
from dataclasses import dataclass, field
from bench.load import second_step_code

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]

# Installed before any page script: counts Dash's callback requests in flight and observes LCP.
INIT_SCRIPT = """
(() => {
  window.__bench = {lcp: null, inflight: 0, lastResponse: 0, settledAt: null, charts: 0};
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) { window.__bench.lcp = e.startTime; }
    }).observe({type: 'largest-contentful-paint', buffered: true});
  } catch (e) {}
  const realFetch = window.fetch;
  window.fetch = function(resource, init) {
    const url = typeof resource === 'string' ? resource : (resource && resource.url) || '';
    const counted = url.indexOf('_dash-update-component') >= 0;
    if (counted) { window.__bench.inflight += 1; }
    const done = () => { if (counted) { window.__bench.inflight -= 1; window.__bench.lastResponse = performance.now(); } };
    return realFetch.apply(this, arguments).then((r) => { done(); return r; }, (e) => { done(); throw e; });
  };
  const drawn = (el) => {
    const data = el.data || [], layout = el.layout || {};
    return !!el._fullLayout && (data.length > 0 || (layout.annotations || []).length > 0);
  };
  const check = () => {
    const b = window.__bench;
    const content = document.getElementById('_pages_content');
    const graphs = Array.from(document.querySelectorAll('.dash-graph'));
    const plots = graphs.map((g) => g.querySelector('.js-plotly-plot'));
    const ready = !!content && content.children.length > 0 && b.inflight === 0
      && !document.querySelector('[data-dash-is-loading="true"]')
      && plots.every((p) => p && drawn(p));
    if (ready) {
      if (b.settledAt === null) { b.settledAt = performance.now(); b.charts = graphs.length; }
    } else {
      b.settledAt = null;
    }
    requestAnimationFrame(check);
  };
  requestAnimationFrame(check);
})();
"""


@dataclass
class PageRender:
    path: str
    name: str
    lcp_ms: float | None
    drawn_ms: float | None
    charts: int
    console_errors: list[str] = field(default_factory=list)
    callbacks: list[tuple[dict, dict]] = field(default_factory=list)   # (request body, response body)
    error: str = ""


def _settle(page, timeout_s: float, hold_s: float = 0.5) -> dict | None:
    """Wait until the page has been settled for `hold_s`; return the in-page record."""
    deadline = time.perf_counter() + timeout_s
    while time.perf_counter() < deadline:
        record = page.evaluate("() => ({...window.__bench, now: performance.now()})")
        if record["settledAt"] is not None and record["now"] - record["settledAt"] >= hold_s * 1000:
            return record
        time.sleep(0.05)
    return None


def render_pages(base_url: str, email: str, password: str, pages: list[dict], *, repeat: int = 2,
                 timeout_s: float = 60) -> list[list[PageRender]]:
    """Visit each page `repeat` times in one signed-in browser session; returns renders[i][page]."""
    from playwright.sync_api import sync_playwright

    rounds: list[list[PageRender]] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        context.add_init_script(INIT_SCRIPT)
        page = context.new_page()
        page.goto(base_url + "/login")
        page.get_by_label("Work email").fill(email)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_load_state()
        if "/login/code" in page.url:
            page.get_by_label("Code").fill(second_step_code(email))
            page.get_by_role("button", name="Continue").click()
        page.wait_for_url(lambda url: "/login" not in url)   # the home page after sign-in (My LA)
        _settle(page, timeout_s)  # the overview loads Dash's own scripts once, as any member's first visit does
        for _ in range(repeat):
            renders = []
            for info in pages:
                exchanges, errors = [], []
                on_response = lambda r: exchanges.append(r) if "_dash-update-component" in r.url else None  # noqa: E731
                on_console = lambda m: errors.append(m.text) if m.type == "error" else None  # noqa: E731
                page.on("response", on_response)
                page.on("console", on_console)
                render = PageRender(info["path"], info["name"], None, None, 0)
                try:
                    page.goto(base_url + info["path"], wait_until="commit")
                    record = _settle(page, timeout_s)
                    if record is None:
                        render.error = f"not settled within {timeout_s:.0f} s"
                    else:
                        render.lcp_ms, render.drawn_ms, render.charts = record["lcp"], record["settledAt"], record["charts"]
                    for response in exchanges:
                        try:
                            render.callbacks.append((response.request.post_data_json, response.json()))
                        except Exception:  # noqa: BLE001 - a 204 (no update) has no body
                            pass
                except Exception as error:  # noqa: BLE001 - one broken page must not stop the benchmark
                    render.error = f"{type(error).__name__}: {error}"[:300]
                page.remove_listener("response", on_response)
                page.remove_listener("console", on_console)
                render.console_errors = errors
                renders.append(render)
            rounds.append(renders)
        context.close()
        browser.close()
    return rounds
