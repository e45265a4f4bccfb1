"""First full render of each page in headless Chromium (Debian's /usr/bin/chromium driven by Playwright).

For each page the browser records, from the start of navigation:
- LCP: the largest contentful paint (PerformanceObserver, as Chrome reports it to real users);
- charts drawn: the moment every chart on the page shows data (each plotly graph has traces or its
  "nothing to show" note) with no Dash callback in flight and nothing marked loading, held for 0.5 s
  (so a chain of callbacks does not count as finished between two links);
- first screen drawn: the moment the last of the charts on the first screen (those the viewport shows once the page
  has settled, scrolled to the top) was drawn with the figure it settled on: what a member sees without scrolling.
  Charts below the screen are drawn a little later (assets/chart_drawing.js), so this comes before "charts drawn";
- scrolled to (`scroll_latencies`, a visit of its own): the page's last chart scrolled into view as soon as the first
  screen's charts are drawn, and the time from the scroll until every chart then on the screen is drawn: what a
  member scrolling to the foot of the page at once waits.
`discover_filter_changes` opens each dashboard page as the account the load test uses, changes the page's main filter
in the browser (bench/pages.main_filter, from the app's `/_dash-dependencies`) and keeps the request the browser sent:
the load test's filter change, learnt without a hand-written list.
"""
from __future__ import annotations

import shutil
import time
from dataclasses import dataclass, field
from bench.load import second_step_code
from bench.pages import FilterChange, callback_outputs, filter_change, main_filter

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]

# Installed before any page script: counts Dash's callback requests in flight and observes LCP.
INIT_SCRIPT = """
(() => {
  window.__bench = {lcp: null, inflight: 0, lastResponse: 0, settledAt: null, charts: 0, firstScreenAt: null,
                    firstScreenCharts: 0};
  const drawnAt = new Map();   // each chart's plot -> [the figure's traces it drew, when it was first seen drawn]
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
    const now = performance.now();
    plots.forEach((p) => {
      if (!p) { return; }
      const seen = drawnAt.get(p);
      if (!drawn(p)) { drawnAt.delete(p); } else if (!seen || seen[0] !== p.data) { drawnAt.set(p, [p.data, now]); }
    });
    const ready = !!content && content.children.length > 0 && b.inflight === 0
      && !document.querySelector('[data-dash-is-loading="true"]')
      && plots.every((p) => p && drawn(p));
    if (ready) {
      if (b.settledAt === null) {
        b.settledAt = now; b.charts = graphs.length;
        // the charts the first screen shows, in the settled layout (the page not scrolled), and when they were drawn
        const onScreen = window.scrollY === 0 ? plots.filter((p) => { const box = p.getBoundingClientRect();
          return box.height > 0 && box.bottom > 0 && box.top < window.innerHeight; }) : [];
        b.firstScreenCharts = onScreen.length;
        b.firstScreenAt = onScreen.length ? Math.max(...onScreen.map((p) => drawnAt.get(p)[1])) : null;
      }
    } else {
      b.settledAt = null;
    }
    requestAnimationFrame(check);
  };
  requestAnimationFrame(check);
})();
"""


# The first screen's charts drawn, then the page's last chart scrolled into view at once: how long until it is drawn.
SCROLL_SCRIPT = """
async (timeoutMs) => {
  const drawn = (p) => !!p && !!p._fullLayout && ((p.data || []).length > 0 || ((p.layout || {}).annotations || []).length > 0);
  const plot = (g) => g.querySelector('.js-plotly-plot');
  const frame = () => new Promise((resolve) => requestAnimationFrame(resolve));
  const deadline = performance.now() + timeoutMs;
  let graphs = [];
  while (performance.now() < deadline) {
    graphs = Array.from(document.querySelectorAll('.dash-graph'));
    const onScreen = graphs.filter((g) => { const box = g.getBoundingClientRect();
      return box.height > 0 && box.bottom > 0 && box.top < window.innerHeight; });
    // every chart has its place on the page (drawn, or a block its size), and those on the screen are drawn
    if (graphs.length && graphs.every((g) => g.getBoundingClientRect().height > 0)
        && onScreen.every((g) => drawn(plot(g)))) { break; }
    await frame();
  }
  if (!graphs.length) { return null; }
  const last = graphs[graphs.length - 1], box = last.getBoundingClientRect();
  const result = {charts: graphs.length, below: box.top >= window.innerHeight, drawnBefore: drawn(plot(last))};
  const start = performance.now();
  last.scrollIntoView({block: 'center', behavior: 'instant'});   // (not Bootstrap's smooth scrolling)
  while (performance.now() < deadline) {   // every chart the screen shows now drawn
    const shown = Array.from(document.querySelectorAll('.dash-graph')).filter((g) => { const b = g.getBoundingClientRect();
      return b.height > 0 && b.bottom > 0 && b.top < window.innerHeight; });
    if (shown.length && shown.every((g) => drawn(plot(g)))) { result.latency = performance.now() - start; return result; }
    await frame();
  }
  return result;
}
"""


@dataclass
class ScrollLatency:
    path: str
    charts: int
    below: bool             # the last chart was below the first screen
    drawn_before: bool      # it was drawn already when scrolled to
    latency_ms: float | None   # from the scroll until every chart on the screen is drawn
    error: str = ""


@dataclass
class PageRender:
    path: str
    name: str
    lcp_ms: float | None
    drawn_ms: float | None
    charts: int
    first_screen_ms: float | None = None   # the charts on the first screen drawn
    first_screen_charts: int = 0
    console_errors: list[str] = field(default_factory=list)
    error: str = ""


# The page's components with these ids as the browser holds them (Dash's own store: the layout as last updated).
PRESENT_SCRIPT = """
(ids) => {
  const state = window.store && window.store.getState();
  if (!state || !state.paths) { return null; }
  const found = {};
  for (const id of ids) {
    const path = state.paths.strs[id];
    if (!path) { continue; }
    let node = state.layout;
    for (const key of path) { node = node == null ? null : node[key]; }
    if (node && node.props) {
      found[id] = {type: node.type, props: {options: node.props.options === undefined ? null : node.props.options,
                                            value: node.props.value === undefined ? null : node.props.value,
                                            multi: node.props.multi || false, disabled: node.props.disabled || false}};
    }
  }
  return found;
}
"""


def _settle(page, timeout_s: float, hold_s: float = 0.5) -> dict | None:
    """Wait until the page has been settled for `hold_s`; return the in-page record."""
    deadline = time.perf_counter() + timeout_s
    while time.perf_counter() < deadline:
        record = page.evaluate("() => ({...window.__bench, now: performance.now()})")
        if record["settledAt"] is not None and record["now"] - record["settledAt"] >= hold_s * 1000:
            return record
        time.sleep(0.05)
    return None


def _change_main_filter(page, info: dict, dependencies: list[dict], exchanges: list, timeout_s: float
                        ) -> tuple[FilterChange | None, str]:
    """Change the settled page's main filter in the browser and keep the request its callback sent. (None, "") when
    the page has no filter this viewer may change; (None, why) when it declares filters but none could be changed,
    or no request came."""
    ids = sorted({item["id"] for d in dependencies for item in d.get("inputs", []) if isinstance(item.get("id"), str)}
                 | {i for d in dependencies for i, _ in callback_outputs(d.get("output", ""))})
    try:
        present = page.evaluate(PRESENT_SCRIPT, ids)
    except Exception as error:  # noqa: BLE001 - said as the page's failure to be measured, below
        return None, f"the page's controls could not be read: {type(error).__name__}: {error}"[:300]
    if present is None:
        return None, "Dash's store (window.store) not found in the page"
    declared = info.get("filters", ())
    chosen = main_filter(dependencies, present, declared or None)
    if chosen is None:
        shown = [f for f in declared if f in present]
        if shown and all((present[f].get("props") or {}).get("disabled") for f in shown):
            return None, ""   # its filters are there, but this viewer may not change them (My LA's LA, for a member)
        if declared:
            return None, (f"none of its filters ({', '.join(declared)}) is on the page, open, with another choice "
                          f"and feeding a server callback (on the page: {', '.join(shown) or 'none'})")
        return None, ""
    seen = len(exchanges)
    try:
        page.evaluate("([id, value]) => { window.__bench.settledAt = null;"
                      " window.dash_clientside.set_props(id, {value: value}); }", [chosen.filter_id, chosen.others[0]])
        deadline = time.perf_counter() + timeout_s
        while time.perf_counter() < deadline:
            for response in exchanges[seen:]:
                try:
                    request = response.request.post_data_json
                except Exception:  # noqa: BLE001 - not a JSON body
                    continue
                if isinstance(request, dict) and request.get("output") == chosen.callback_output:
                    _settle(page, timeout_s)   # the answer drawn before the next page is opened
                    return filter_change(info["path"], chosen, request), ""
            page.wait_for_timeout(50)   # (not time.sleep: Playwright delivers the page's events while it waits)
    except Exception as error:  # noqa: BLE001
        return None, f"changing {chosen.filter_id} failed: {type(error).__name__}: {error}"[:300]
    return None, (f"changing {chosen.filter_id} to {chosen.others[0]!r} sent no request for its callback "
                  f"{chosen.callback_output[:80]} within {timeout_s:.0f} s")


_QUICK_CODES: list[str] = []   # quick mode: recovery codes of the account it signs in as (--codes-file)


def _signed_in(browser, base_url: str, email: str, password: str, timeout_s: float):
    """A new browser session signed in as `email`, on the page sign-in leads to, settled; (context, page)."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.add_init_script(INIT_SCRIPT)
    page = context.new_page()
    page.goto(base_url + "/login")
    page.get_by_label("Work email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    if "/login/code" in page.url:
        page.get_by_label("Code").fill(_QUICK_CODES.pop() if _QUICK_CODES else second_step_code(email))
        page.get_by_role("button", name="Continue").click()
    page.wait_for_url(lambda url: "/login" not in url)   # the home page after sign-in (My LA)
    _settle(page, timeout_s)  # the overview loads Dash's own scripts once, as any member's first visit does
    return context, page


def discover_filter_changes(base_url: str, accounts: dict[str, tuple[str, str]], pages: list[dict],
                            dependencies: list[dict], timeout_s: float = 60) -> dict[str, tuple[FilterChange | None, str]]:
    """Each dashboard page's main filter change, as the browser of the account the load test signs in with sends it:
    `accounts` {path: (email, password)}; one browser session per account opens the page, waits until it has
    settled, changes its main filter and keeps the request. {path: (change or None, why none where it has filters)}.
    Pages that are not dashboards (Upload, Admin) are not touched: a change there may do something."""
    from playwright.sync_api import sync_playwright

    found: dict[str, tuple[FilterChange | None, str]] = {}
    by_account: dict[tuple[str, str], list[dict]] = {}
    for info in pages:
        if info.get("dashboard") and info["path"] in accounts:
            by_account.setdefault(accounts[info["path"]], []).append(info)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        for (email, password), infos in by_account.items():
            context, page = _signed_in(browser, base_url, email, password, timeout_s)
            for info in infos:
                exchanges = []
                on_response = lambda r: exchanges.append(r) if "_dash-update-component" in r.url else None  # noqa: E731
                page.on("response", on_response)
                try:
                    page.goto(base_url + info["path"], wait_until="commit")
                    if _settle(page, timeout_s) is None:
                        found[info["path"]] = (None, f"the page did not settle within {timeout_s:.0f} s")
                    else:
                        found[info["path"]] = _change_main_filter(page, info, dependencies, exchanges, timeout_s)
                except Exception as error:  # noqa: BLE001 - one broken page must not stop the benchmark
                    found[info["path"]] = (None, f"{type(error).__name__}: {error}"[:300])
                page.remove_listener("response", on_response)
            context.close()
        browser.close()
    return found


def render_pages(base_url: str, email: str, password: str, pages: list[dict], *, repeat: int = 2,
                 timeout_s: float = 60) -> list[list[PageRender]]:
    """Visit each page `repeat` times in one signed-in browser session; returns renders[i][page]."""
    from playwright.sync_api import sync_playwright

    rounds: list[list[PageRender]] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        context, page = _signed_in(browser, base_url, email, password, timeout_s)
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
                        render.first_screen_ms = record["firstScreenAt"]
                        render.first_screen_charts = record["firstScreenCharts"]
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


def scroll_latencies(base_url: str, email: str, password: str, pages: list[dict], *, timeout_s: float = 60
                     ) -> list[ScrollLatency]:
    """Each page opened once in a signed-in session; as soon as the charts on its first screen are drawn, its last
    chart is scrolled into view, and the time until every chart then on the screen is drawn is taken (about 0 when
    they were drawn already)."""
    from playwright.sync_api import sync_playwright

    found = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        context, page = _signed_in(browser, base_url, email, password, timeout_s)
        for info in pages:
            try:
                page.goto(base_url + info["path"], wait_until="commit")
                record = page.evaluate(SCROLL_SCRIPT, timeout_s * 1000)
                if record is None:
                    found.append(ScrollLatency(info["path"], 0, False, False, None))
                else:
                    found.append(ScrollLatency(info["path"], record["charts"], record["below"], record["drawnBefore"],
                                               record.get("latency"),
                                               "" if "latency" in record else f"not drawn within {timeout_s:.0f} s"))
            except Exception as error:  # noqa: BLE001 - one broken page must not stop the benchmark
                found.append(ScrollLatency(info["path"], 0, False, False, None, f"{type(error).__name__}: {error}"[:300]))
        context.close()
        browser.close()
    return found


def quick(base_url: str, email: str, password: str, paths: list[str], *, runs: int = 3,
          scripts: dict[str, str] | None = None, timeout_s: float = 60) -> dict[str, dict[str, list[PageRender]]]:
    """One page or a few against a running server, quickly: each page visited `runs` times in one signed-in session
    (the views cached after the first visit, as after warming). `scripts` {name: path of a chart_drawing.js}: each
    visit is made once per script in turn (old and new interleaved), the browser given that file for
    assets/chart_drawing.js. {path: {name: [renders]}}."""
    from pathlib import Path

    from playwright.sync_api import sync_playwright

    variants = {name: Path(p).read_text() for name, p in (scripts or {}).items()} or {"as served": None}
    found: dict[str, dict[str, list[PageRender]]] = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        context, page = _signed_in(browser, base_url, email, password, timeout_s)
        current = {"body": None}
        if scripts:
            page.route("**/assets/chart_drawing.js*", lambda route: route.fulfill(
                status=200, content_type="application/javascript", body=current["body"]))
        for path in paths:
            found[path] = {name: [] for name in variants}
            page.goto(base_url + path, wait_until="commit")   # its view cached, as after warming
            _settle(page, timeout_s)
            for _ in range(runs):
                for name, body in variants.items():
                    current["body"] = body
                    page.goto(base_url + "/accessibility", wait_until="commit")
                    page.wait_for_load_state()
                    render = PageRender(path, path, None, None, 0)
                    page.goto(base_url + path, wait_until="commit")
                    record = _settle(page, timeout_s)
                    if record is None:
                        render.error = "not settled"
                    else:
                        render.lcp_ms, render.drawn_ms, render.charts = record["lcp"], record["settledAt"], record["charts"]
                        render.first_screen_ms = record["firstScreenAt"]
                        render.first_screen_charts = record["firstScreenCharts"]
                    found[path][name].append(render)
        context.close()
        browser.close()
    return found


if __name__ == "__main__":   # python -m bench.browser --url http://127.0.0.1:8080 --pages /send,/ofsted --runs 5
    import argparse
    import statistics

    parser = argparse.ArgumentParser(description="First render of a few pages against a running server (quick mode).")
    parser.add_argument("--url", default="http://127.0.0.1:8080")
    parser.add_argument("--email", default="demo@liia.example")
    parser.add_argument("--password-file", default="data/demo_password.txt")
    parser.add_argument("--pages", required=True, help="comma-separated paths")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--codes-file", help="recovery codes of the account, one a line (each run spends one)")
    parser.add_argument("--script", action="append", default=[], help="name=path of a chart_drawing.js (repeat)")
    args = parser.parse_args()
    from pathlib import Path
    if args.codes_file:
        codes = Path(args.codes_file).read_text().split()
        _QUICK_CODES.append(codes.pop())
        Path(args.codes_file).write_text("\n".join(codes))
    results = quick(args.url, args.email, Path(args.password_file).read_text().strip(), args.pages.split(","),
                    runs=args.runs, scripts=dict(s.split("=", 1) for s in args.script))

    def med(values):
        values = [v for v in values if v is not None]
        return statistics.median(values) if values else float("nan")

    print(f"{'page':<28}{'variant':<10}{'LCP':>7}{'1st scr':>9}{'all':>8}{'all/LCP':>9}  charts  (medians of {args.runs})")
    for path, by_name in results.items():
        for name, renders in by_name.items():
            lcp, first, drawn = (med([getattr(r, a) for r in renders]) for a in ("lcp_ms", "first_screen_ms", "drawn_ms"))
            ratios = sorted(r.drawn_ms / r.lcp_ms for r in renders if r.drawn_ms and r.lcp_ms)
            print(f"{path:<28}{name:<10}{lcp:>7.0f}{first:>9.0f}{drawn:>8.0f}{med(ratios):>9.2f}  "
                  f"{renders[0].charts} ({renders[0].first_screen_charts} on screen)"
                  + "".join(f"  {r.error}" for r in renders if r.error))
