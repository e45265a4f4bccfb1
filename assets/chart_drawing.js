// How charts are drawn, for every page (dcc.Graph draws with window.Plotly.react, looked up at each call).
// 1. Margins that fit at the first draw. Figures come with small margins and axes with automargin: plotly drew each
//    chart, measured its labels and legend, grew the margins and drew it again. Here the margins are estimated before
//    the draw from the labels' text (measured with the page's font on a canvas, no layout), the legend's entries and the
//    chart's width, a little generously. automargin stays on: it only grows margins, so an estimate too small still
//    draws correctly (drawn twice, as before), and one large enough draws once.
// 2. Charts mounted together are drawn together, after one layout that gives every chart its width: those on the
//    screen straight after the page's paint, the others after the paint that shows those.
// 3. The page's graphs mount with its first paint (the graph's code made ready before the layout comes), and a resize
//    that changes nothing is not done.
(function () {
  var Plotly = window.Plotly;
  if (!Plotly || !Plotly.react || Plotly.__lcsdDrawing) { return; }
  Plotly.__lcsdDrawing = true;
  var react = Plotly.react.bind(Plotly);

  // --- margins ------------------------------------------------------------------------------------------------------
  var canvas = document.createElement('canvas').getContext('2d');
  var FALLBACK_FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif";
  var LINE = 1.3;    // plotly's line height, in font sizes

  function pick(path, layouts) {   // the first value found along `path` in the layout, then its template's layout
    for (var i = 0; i < layouts.length; i++) {
      var node = layouts[i];
      for (var j = 0; j < path.length && node != null; j++) { node = node[path[j]]; }
      if (node != null) { return node; }
    }
    return undefined;
  }

  function textWidth(text, size, family) {
    canvas.font = size + 'px ' + (family || FALLBACK_FONT);
    var widest = 0;
    String(text).replace(/<br\s*\/?>/gi, '\n').split('\n').forEach(function (line) {
      widest = Math.max(widest, canvas.measureText(line.replace(/<[^>]+>/g, '')).width);
    });
    return widest;
  }

  function lines(text) { return String(text).split(/<br\s*\/?>/i).length; }

  var TYPED = {f8: Float64Array, f4: Float32Array, i4: Int32Array, i2: Int16Array, i1: Int8Array, u4: Uint32Array,
               u2: Uint16Array, u1: Uint8Array};

  function decoded(values) {   // plotly's typed array ({dtype, bdata}) as numbers; anything else as it is
    if (!values || !values.bdata || !TYPED[values.dtype] || values.shape) { return values; }
    var bytes = atob(values.bdata), buffer = new Uint8Array(bytes.length);
    for (var i = 0; i < bytes.length; i++) { buffer[i] = bytes.charCodeAt(i); }
    return new TYPED[values.dtype](buffer.buffer);
  }

  function numbers(values) {
    var out = [];
    values = decoded(values);
    if (!values || typeof values.length !== 'number') { return out; }
    for (var i = 0; i < values.length; i++) {
      var v = values[i];
      if (typeof v === 'number' && isFinite(v)) { out.push(v); }
    }
    return out;
  }

  function isCategory(values) {
    if (!values || typeof values.length !== 'number') { return false; }
    for (var i = 0; i < values.length; i++) {
      var v = values[i];
      if (v == null) { continue; }
      if (typeof v === 'number') { return false; }
      if (typeof v === 'string') { return !/^\d{4}-\d{2}(-\d{2})?/.test(v) && isNaN(Number(v)); }
    }
    return false;
  }

  function formatNumber(value, axis, step) {   // roughly as plotly writes a tick (d3-format for the usual specifiers)
    var format = axis.tickformat || '', text;
    var m = /^(,)?\.(\d+)([f%])$/.exec(format);
    if (m) {
      var shown = m[3] === '%' ? value * 100 : value;
      text = shown.toFixed(+m[2]);
      if (m[1]) { text = Number(text).toLocaleString('en-GB', {minimumFractionDigits: +m[2], maximumFractionDigits: +m[2]}); }
      if (m[3] === '%') { text += '%'; }
    } else if (Math.abs(value) >= 10000) {
      text = (value / 1000).toFixed(Math.abs(value) >= 100000 ? 0 : 1) + 'k';
    } else {
      var decimals = step ? Math.max(0, -Math.floor(Math.log10(step) + 1e-9)) : 2;
      text = value.toFixed(Math.min(decimals, 6));
    }
    return (axis.tickprefix || '') + text + (axis.ticksuffix || '');
  }

  // The tick labels an axis will show: its categories, or a few numbers spanning its values.
  function tickLabels(letter, axisId, axis, data, layout) {
    if (axis.tickmode === 'array' && axis.ticktext) { return {texts: axis.ticktext.map(String), category: true}; }
    var categories = [], values = [], seen = {}, dates = false, stacks = {};
    var stacked = layout.barmode === 'stack' || layout.barmode === 'relative';
    data.forEach(function (trace) {
      if (!trace || trace.visible === false) { return; }
      var onAxis = (trace[letter + 'axis'] || letter) === axisId;
      var type = trace.type || 'scatter';
      if (!onAxis || ['pie', 'sankey'].indexOf(type) >= 0) { return; }
      var column = decoded(trace[letter]);
      if (column && column.bdata) { return; }
      if (isCategory(column)) {
        for (var i = 0; i < column.length; i++) {
          var c = column[i];
          if (c != null && !seen[c]) { seen[c] = true; categories.push(String(c)); }
        }
      } else if (column && typeof column[0] === 'string') {
        dates = true;
      } else {
        var base = numbers(trace.base), own = numbers(column);
        values = values.concat(own);
        if (base.length) { values = values.concat(own.map(function (v, k) { return v + (base[k] || 0); })); }
        if (stacked && type === 'bar') {   // stacked bars reach their sum at each place
          var places = decoded(trace[letter === 'x' ? 'y' : 'x']) || [];
          own.forEach(function (v, k) { var at = String(places[k]); stacks[at] = (stacks[at] || 0) + Math.max(0, v); });
        }
      }
    });
    if (axis.type === 'category' || categories.length) { return {texts: categories, category: true}; }
    if (axis.type === 'date' || dates) { return {texts: ['Sep 2024'], date: true}; }
    for (var at in stacks) { values.push(stacks[at]); }
    var range = numbers(axis.range);
    if (range.length === 2 && axis.autorange !== true) { values = range; }
    if (!values.length) { return {texts: ['0']}; }
    var lo = Math.min.apply(null, values.concat([0])), hi = Math.max.apply(null, values.concat([0]));
    if (hi === lo) { hi = lo + 1; }
    var raw = (hi - lo) / 6, magnitude = Math.pow(10, Math.floor(Math.log10(raw)));
    var step = [1, 2, 2.5, 5, 10].map(function (f) { return f * magnitude; }).filter(function (v) { return v >= raw; })[0];
    var texts = [];
    for (var v = Math.floor(lo / step) * step; v <= hi + step && texts.length < 40; v += step) {
      texts.push(formatNumber(Math.round(v / step) * step, axis, step));
    }
    var fixed = range.length === 2 && axis.autorange !== true;
    var end = Math.max(lo, hi);
    var endsOnTick = Math.abs(end / step - Math.round(end / step)) < 1e-6;
    return {texts: texts, endLabelAtSide: !fixed || endsOnTick};
  }

  function legendItems(data) {
    var items = [];
    data.forEach(function (trace) {
      if (!trace || trace.visible === false) { return; }
      if (trace.type === 'pie') {
        (trace.labels || []).forEach(function (label) { items.push(String(label)); });
      } else if (trace.showlegend !== false && trace.name != null) {
        items.push(String(trace.name));
      }
    });
    return items;
  }

  function fitMargins(data, layout, width) {
    if (!layout || !Array.isArray(data) || !data.length) { return layout; }
    var template = (layout.template && layout.template.layout) || {};
    var layouts = [layout, template];
    var family = pick(['font', 'family'], layouts) || FALLBACK_FONT;
    var size = pick(['font', 'size'], layouts) || 12;
    var margin = layout.margin || {};
    var want = {l: margin.l != null ? margin.l : 80, r: Math.max(14, margin.r != null ? margin.r : 80),
                t: margin.t != null ? margin.t : 100, b: margin.b != null ? margin.b : 80};
    var height = layout.height || 450;
    width = layout.width || width || null;
    var types = data.map(function (t) { return (t && t.type) || 'scatter'; });
    if (types.every(function (t) { return t === 'pie' || t === 'sankey'; })) { return layout; }
    // Twice: the legend's and the axes' needs each change the plot's size the other is worked out from.
    for (var pass = 0; pass < 2; pass++) { estimate(); }

    function estimate() {
      var axes = Object.keys(layout).filter(function (k) { return /^[xy]axis\d*$/.test(k); });
      ['xaxis', 'yaxis'].forEach(function (k) { if (axes.indexOf(k) < 0) { axes.push(k); } });
      axes.forEach(function (key) {
        var axis = layout[key] || {};
        var axisTemplate = template[key.replace(/\d+$/, '')] || {};
        if (axis.visible === false || pick(['automargin'], [axis, axisTemplate]) === false) { return; }
        if (axis.showticklabels === false) { return; }
        var letter = key.charAt(0), axisId = letter + key.slice(5);
        var used = data.some(function (t) { return t && (t[letter + 'axis'] || letter) === axisId && ['pie', 'sankey'].indexOf(t.type) < 0; });
        if (!used) { return; }
        var fontSize = pick(['tickfont', 'size'], [axis, axisTemplate]) || size;
        var fontFamily = pick(['tickfont', 'family'], [axis, axisTemplate]) || family;
        var labels = tickLabels(letter, axisId, axis, data, layout);
        var widest = 0, tallest = 1;
        labels.texts.forEach(function (t) { widest = Math.max(widest, textWidth(t, fontSize, fontFamily)); tallest = Math.max(tallest, lines(t)); });
        var labelHeight = tallest * fontSize * LINE;
        var title = axis.title && (typeof axis.title === 'string' ? axis.title : axis.title.text);
        var titleSize = (axis.title && axis.title.font && axis.title.font.size) || size;
        var titleSpace = title ? lines(title) * titleSize * LINE + 10 : 0;
        var ticklen = pick(['ticks'], [axis, axisTemplate]) ? (pick(['ticklen'], [axis, axisTemplate]) || 5) : 0;
        var side = axis.side || (letter === 'x' ? 'bottom' : 'left');
        if (letter === 'y') {
          var need = widest * 1.03 + ticklen + 14 + titleSpace;
          var s = side === 'right' ? 'r' : 'l';
          want[s] = Math.max(want[s], Math.ceil(need));
          want.t = Math.max(want.t, Math.ceil(labelHeight / 2));    // the top label reaches above the plot a little
          want.b = Math.max(want.b, Math.ceil(labelHeight / 2));
        } else {
          var angle = axis.tickangle;
          if (angle == null || angle === 'auto') {
            angle = 0;
            var perLabel = Math.max(100, (width || 600) - want.l - want.r) / Math.max(1, labels.texts.length);
            if (labels.category && labels.texts.length && widest > perLabel - 4) {
              angle = perLabel >= 2 * fontSize * LINE ? 30 : 90;
              if (angle === 30) {   // the last label runs down to the right, past the plot's side
                want.r = Math.max(want.r, Math.ceil(widest * Math.cos(Math.PI / 6) - perLabel / 2 + 14));
              }
            }
          }
          var radians = Math.abs(angle) * Math.PI / 180;
          var extent = widest * Math.sin(radians) + labelHeight * Math.cos(radians);
          var needX = extent + ticklen + 6 + titleSpace;
          var sx = side === 'top' ? 't' : 'b';
          want[sx] = Math.max(want[sx], Math.ceil(needX * 1.08 + 4));
          if (labels.endLabelAtSide && !angle) {   // a tick at the axis' end: its label reaches past the side by half
            want.r = Math.max(want.r, Math.ceil(widest / 2) + 11);
          }
        }
      });
      var showLegend = layout.showlegend;
      var items = legendItems(data);
      var drawnTraces = data.filter(function (t) { return t && t.visible !== false; }).length;
      if (showLegend !== false && items.length && (showLegend === true || drawnTraces > 1 || data[0].type === 'pie')) {
        var legend = layout.legend || {};
        var legendSize = (legend.font && legend.font.size) || size;
        var itemHeight = legendSize * LINE + 3;
        var widths = items.map(function (name) { return textWidth(name, legendSize, family) + 45; });
        var legendTitle = legend.title && legend.title.text ? textWidth(legend.title.text, legendSize, family) + 10 : 0;
        if (legend.orientation === 'h') {
          var room = Math.max(100, (width || 600) - want.l - want.r), rows = 1;
          var total = widths.reduce(function (a, b) { return a + b; }, legendTitle);
          if (total > room) {
            var columns = Math.max(1, Math.floor(room / Math.max.apply(null, widths)));
            rows = Math.ceil(widths.length / columns);
          }
          var legendHeight = rows * itemHeight + 10;
          var y = legend.y != null ? legend.y : -0.1;
          var plotHeight = Math.max(50, height - want.t - want.b);
          if (y >= 1) {
            want.t = Math.max(want.t, Math.ceil(legendHeight + (y - 1) * plotHeight + 10 + 4));
          } else if (y <= 0) {
            want.b = Math.max(want.b, Math.ceil(legendHeight - y * plotHeight + 10 + 4));
          }
        } else if ((legend.x == null || legend.x >= 1)) {
          want.r = Math.max(want.r, Math.ceil((Math.max.apply(null, widths.concat([legendTitle])) + 10) * 1.05));
        }
      }
    }
    data.forEach(function (trace) {   // a colour bar right of the plot, 2% of its width away
      if (!trace || trace.type !== 'heatmap' || trace.showscale === false) { return; }
      var bar = trace.colorbar || {};
      var texts = bar.ticktext || ['-0.00'];
      var widest = Math.max.apply(null, [20].concat((texts || []).map(function (t) { return textWidth(t, size, family); })));
      var plotWidth = Math.max(100, (width || 600) - want.l - 10);
      want.r = Math.max(want.r, Math.ceil(0.02 * plotWidth + (bar.thickness || 30) + widest + 30));
    });
    // Margins over 80% of the chart: the estimate has gone wrong; plotly's own margins then.
    if (want.t + want.b > height * 0.8) { return layout; }
    if (width && want.l + want.r > width * 0.8) { return layout; }
    var out = {};
    for (var key in layout) { if (Object.prototype.hasOwnProperty.call(layout, key)) { out[key] = layout[key]; } }
    out.margin = Object.assign({}, margin, want);
    return out;
  }

  // --- charts mounted together, drawn together ---------------------------------------------------------------------
  // dcc.Graph calls react in a microtask as each graph mounts. The first draws are gathered at the end of those
  // microtasks and wait for the page's paint (below); without IntersectionObserver they are drawn at once, every
  // chart's width read in one layout (not one layout per chart, between draws).
  var pending = [];        // {gd, args, waiting: [[resolve, reject]]}
  var scheduled = false;

  function fitted(args, width) {   // the arguments with the figure's margins fitted (as sent if anything goes wrong)
    args = args.slice();
    try {
      if (args[1] && !Array.isArray(args[1]) && args[1].data) {   // react(gd, figure), as dcc.Graph calls it
        args[1] = Object.assign({}, args[1], {layout: fitMargins(args[1].data, args[1].layout, width)});
      } else {
        args[2] = fitMargins(args[1], args[2], width);
      }
    } catch (e) { /* as sent */ }
    return args;
  }

  function settleJob(job, ok, value) { job.waiting.forEach(function (w) { w[ok ? 0 : 1](value); }); }

  function draw(job, width) {   // the chart drawn now (its width read now unless given); what dcc.Graph waits on settled
    unwait(job.gd);
    try {
      var result = job.gd.isConnected
        ? react.apply(Plotly, fitted(job.args, width === undefined ? job.gd.clientWidth || null : width)) : job.gd;
      Promise.resolve(result).then(function (value) { settleJob(job, true, value); },
                                   function (error) { settleJob(job, false, error); });
    } catch (error) {
      settleJob(job, false, error);
    }
  }

  function distanceFromScreen(gd) {   // px between the chart and the screen; 0 on it; Infinity when not shown
    if (!gd.isConnected || !gd.getClientRects().length) { return Infinity; }
    var box = gd.getBoundingClientRect();
    return box.bottom < 0 ? -box.bottom : Math.max(0, box.top - window.innerHeight);
  }


  function drawPending() {
    scheduled = false;
    var jobs = pending;
    pending = [];
    jobs.forEach(function (job) {   // one layout for all: each chart's width and distance from the screen
      job.distance = distanceFromScreen(job.gd);
      job.width = job.distance < Infinity ? job.gd.getBoundingClientRect().width || null : null;
    });
    jobs.sort(function (a, b) { return a.distance === b.distance ? 0 : a.distance < b.distance ? -1 : 1; });
    jobs.forEach(function (job) {
      if (observer) { wait(job); } else { draw(job, job.width); }
    });
  }

  // --- charts drawn straight after the paint ------------------------------------------------------------------------
  // Drawing a chart takes 45-100 ms, and a page's charts drawn in one go are all painted together, after the last. So
  // a page is painted first with a grey block the size of each chart (nothing moves when it is drawn); in the task
  // straight after that paint the charts on the screen are drawn, and after the paint that shows them, all the others
  // in one go, nearest the screen first (not in idle time: the grids' and Dash's work leaves none, and each chart
  // waited for a timeout). The page's text is painted as soon as before (its largest paint does not wait for a chart),
  // and the first screen's charts a frame after it. A chart not shown (a slide or tab hidden) is drawn when it is
  // shown, or printed. A chart scrolled near before then is drawn at once. A chart waiting to be drawn keeps dcc.Graph
  // waiting too: a new figure for it (a filter change) is drawn after it, as dcc.Graph queues its draws.
  // `window.__lcsdHoldBelow = true` (the browser tests) keeps those off the screen waiting.
  var observer = window.IntersectionObserver ? new IntersectionObserver(onNear, {rootMargin: '100% 0px'}) : null;
  var waiting = [];        // jobs not drawn yet
  var restStep = null, soonStep = null;

  function wait(job) {
    var gd = job.gd, figure = job.args[1] && !Array.isArray(job.args[1]) && job.args[1].data ? job.args[1] : {layout: job.args[2]};
    var height = (figure.layout && figure.layout.height) || 450;   // plotly's height for a chart not given one
    gd.classList.add('chart-waiting');
    gd.style.minHeight = height + 'px';
    waiting.push(job);
    observer.observe(gd);
    later(false);
  }

  function unwait(gd) {
    var i = indexOf(waiting, gd);
    if (i < 0) { return; }
    waiting.splice(i, 1);
    if (observer) { observer.unobserve(gd); }
    gd.classList.remove('chart-waiting');
    gd.style.minHeight = '';
  }

  function indexOf(jobs, gd) {
    for (var i = 0; i < jobs.length; i++) { if (jobs[i].gd === gd) { return i; } }
    return -1;
  }

  function onNear(entries) {
    entries.forEach(function (entry) {
      var i = indexOf(waiting, entry.target);
      if (i >= 0) { waiting[i].near = entry.isIntersecting; }
      later(entry.isIntersecting);   // (a chart shown now, as a tab opened: drawn with the rest)
    });
  }

  function later(soon) {   // soon: one is near the screen, drawn in a task of its own; the rest after the next paint
    if (soon && soonStep === null) { soonStep = window.setTimeout(drawNext, 0); }
    if (restStep === null) {
      restStep = true;
      var paint = window.requestAnimationFrame || function (f) { return window.setTimeout(f, 16); };
      paint(function () { first(drawRest); });
    }
  }

  // A task run before the others queued: the grids' rendering (hundreds of ms on a page with several) queues its
  // tasks while the page is mounted, and a task queued after the paint the usual way came after all of them.
  var first = window.scheduler && window.scheduler.postTask
    ? function (f) { window.scheduler.postTask(f, {priority: 'user-blocking'}); }
    : function (f) { window.setTimeout(f, 0); };

  // The charts on the screen first; after the paint that shows them, the others in one go, nearest first, once the
  // tasks queued before them have run: Dash's, which sends the page's first callbacks, so that their answers come
  // while the charts are drawn rather than after (a callback with a figure to draw was sent 0.3-1 s later otherwise).
  function drawRest(queuedRun) {
    restStep = null;
    var shown = waiting.map(function (job) { return {job: job, distance: distanceFromScreen(job.gd)}; })
      .filter(function (entry) { return entry.distance < Infinity; });
    shown.sort(function (a, b) { return a.distance - b.distance; });
    var onScreen = shown.filter(function (entry) { return entry.distance === 0; });
    if (onScreen.length && onScreen.length < shown.length || window.__lcsdHoldBelow) {
      onScreen.forEach(function (entry) { draw(entry.job); });
      if (!window.__lcsdHoldBelow) { later(false); }
      return;
    }
    if (!onScreen.length && shown.length && !queuedRun) {
      restStep = true;
      window.setTimeout(function () { first(function () { drawRest(true); }); }, 0);
      return;
    }
    shown.forEach(function (entry) { draw(entry.job); });
  }

  function drawNext() {   // the waiting chart the screen shows most of, or the nearest to it
    soonStep = null;
    if (!waiting.length) { return; }
    var nearest = null, least = Infinity, most = -1;
    waiting.forEach(function (job) {
      var d = distanceFromScreen(job.gd), shown = 0;
      if (d === 0) {
        var box = job.gd.getBoundingClientRect();
        shown = Math.min(box.bottom, window.innerHeight) - Math.max(box.top, 0);
      }
      if (nearest === null || d < least || (d === least && shown > most)) { nearest = job; least = d; most = shown; }
    });
    if (least === Infinity) { return; }
    draw(nearest);
    if (waiting.some(function (job) { return job.near; })) { later(true); }
  }

  function drawAll() { while (waiting.length) { draw(waiting[0]); } }   // printing: every chart on paper
  window.addEventListener('beforeprint', drawAll);

  Plotly.react = function (gd) {
    var args = Array.prototype.slice.call(arguments);
    if (!gd || typeof gd !== 'object' || !gd.classList || gd._fullLayout) {   // drawn before: redraw now
      return react.apply(Plotly, fitted(args, gd && gd.clientWidth ? gd.clientWidth : null));
    }
    return new Promise(function (resolve, reject) {
      var queued = pending.concat(waiting);
      var i = indexOf(queued, gd);
      if (i >= 0) { queued[i].args = args; queued[i].waiting.push([resolve, reject]); return; }
      pending.push({gd: gd, args: args, waiting: [[resolve, reject]]});
      if (!scheduled) { scheduled = true; Promise.resolve().then(drawPending); }
    });
  };
  // --- a resize that changes nothing, not done ----------------------------------------------------------------------
  // dcc.Graph asks plotly to fit each chart to its box once it is first drawn (Plots.resize: a relayout 100 ms later).
  // The chart was just drawn at that box's size, so the relayout works its defaults out again for nothing (10-40 ms a
  // chart) and tells Dash of a layout change (another render of the page): 0.2-0.3 s of a busy page's first second.
  // Skipped when the chart's box is the size it was drawn at; any other resize (the window, a panel) is done as before.
  var resize = Plotly.Plots && Plotly.Plots.resize;
  if (resize) {
    Plotly.Plots.resize = function (gd) {
      var el = typeof gd === 'string' ? document.getElementById(gd) : gd;
      var full = el && el._fullLayout;
      if (full && el.isConnected && !el._redrawTimer && el.getClientRects().length) {
        var style = window.getComputedStyle(el);
        if (Math.abs(parseFloat(style.width) - full.width) <= 1 && Math.abs(parseFloat(style.height) - full.height) <= 1) {
          return Promise.resolve(el);
        }
      }
      return resize.apply(this, arguments);
    };
  }

  // --- the graph's code ready before the page is laid out -------------------------------------------------------
  // dcc.Graph draws through a lazily loaded component (its code chunk and plotly.js, both here already): the first time
  // a graph is rendered it waits a turn for that promise and shows nothing. With the page's first graphs rendered in the
  // same pass as its grids (dash-ag-grid's code is fetched as the first grid mounts), React then commits them together,
  // once that code has come: 0.4-0.9 s after the page's first paint. One graph rendered off the page as the scripts
  // have run (the page's layout is still on its way) starts that wait, so the page's graphs mount with its first paint.
  function readyGraphCode() {
    var dcc = window.dash_core_components, React = window.React, ReactDOM = window.ReactDOM;
    if (!dcc || !dcc.Graph || !React || !ReactDOM || !ReactDOM.createRoot || !ReactDOM.flushSync) { return; }
    var root = ReactDOM.createRoot(document.createElement('div'));   // never in the document
    try {
      ReactDOM.flushSync(function () { root.render(React.createElement(dcc.Graph, {id: 'lcsd-graph-code'})); });
    } catch (e) { /* the page's graphs load it as before */ }
    root.unmount();
  }
  if (document.readyState === 'loading') { document.addEventListener('DOMContentLoaded', readyGraphCode); } else { readyGraphCode(); }

  Plotly.__drawAll = drawAll;   // presentation mode and the browser tests: every chart drawn now
  Plotly.__fitMargins = fitMargins;   // for the browser tests and the benchmark
})();
