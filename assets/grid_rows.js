// Grid rows as tall as their wrapped text, worked out from the text rather than measured in the page.
// A column whose text wraps (column_defs' `wrapText`) used ag-grid's autoHeight: the grid rendered each such cell and
// read its height back, one forced layout per cell (on My LA most of the page's script). Here each row's height is the
// number of lines its longest wrapped cell takes, found by breaking the text between words as the browser does, each
// word measured on a canvas with the cells' own font (read once from a probe cell), at the column's drawn width.
// Rows are worked out again when the columns' widths change (the grid sizes its columns to fit after its first rows).
(function () {
  var functions = window.dashAgGridFunctions = window.dashAgGridFunctions || {};
  var canvas = document.createElement('canvas').getContext('2d');
  var style = null;       // the wrapped cells' font, line height and padding, read once per page
  var widths = {};        // a word's width in that font

  function cellStyle() {
    if (style) { return style; }
    var host = document.querySelector('.ag-root-wrapper');
    if (!host) { return null; }
    var probe = document.createElement('div');
    probe.className = 'ag-cell ag-cell-wrap-text';
    probe.style.cssText = 'position:absolute;visibility:hidden;left:0;top:0';
    probe.textContent = 'x';
    host.appendChild(probe);
    var css = window.getComputedStyle(probe);
    var size = parseFloat(css.fontSize) || 14;
    var line = parseFloat(css.lineHeight);
    var px = function (name) { return parseFloat(css[name]) || 0; };
    style = {font: css.fontStyle + ' ' + css.fontWeight + ' ' + size + 'px ' + css.fontFamily,
             line: isFinite(line) ? line : size * 1.4,
             across: px('paddingLeft') + px('paddingRight') + px('borderLeftWidth') + px('borderRightWidth'),
             down: px('paddingTop') + px('paddingBottom') + px('borderTopWidth') + px('borderBottomWidth')};
    host.removeChild(probe);
    canvas.font = style.font;
    return style;
  }

  function wordWidth(word) {
    var w = widths[word];
    if (w === undefined) { w = widths[word] = canvas.measureText(word).width; }
    return w;
  }

  // Lines the text takes at `room` pixels: words placed greedily, a word wider than a line broken across lines.
  function linesOf(text, room) {
    var total = 0, space = wordWidth(' ');
    String(text).split('\n').forEach(function (paragraph) {
      var lines = 1, used = 0;
      paragraph.split(/\s+/).forEach(function (word) {
        if (!word) { return; }
        var w = wordWidth(word);
        if (used > 0 && used + space + w <= room) { used += space + w; return; }
        if (used > 0) { lines += 1; }
        if (w > room) { lines += Math.ceil(w / room) - 1; used = w % room; } else { used = w; }
      });
      total += lines;
    });
    return total;
  }

  function wrapped(api) {   // the displayed columns whose text wraps, with their widths
    return (api.getAllDisplayedColumns() || []).filter(function (c) { return c.getColDef().wrapText; })
      .map(function (c) { return {field: c.getColDef().field, width: c.getActualWidth()}; });
  }

  function baseHeight(api) {
    var sizes = api.getSizesForCurrentTheme && api.getSizesForCurrentTheme();
    return (sizes && sizes.rowHeight) || 42;
  }

  functions.rowHeight = function (params) {
    var api = params.api, base = baseHeight(api), data = params.data;
    var columns = wrapped(api);
    if (!columns.length || !data) { return base; }
    var s = cellStyle();
    if (!s) { return base; }
    var lines = 1;
    columns.forEach(function (c) {
      var value = data[c.field];
      if (value == null || value === '') { return; }
      var room = Math.max(20, c.width - s.across - 2);   // 2 px to spare: a line the grid would just fit wraps here
      lines = Math.max(lines, linesOf(value, room));
    });
    return Math.max(base, Math.ceil(lines * s.line + s.down));
  };

  // After a column width changes: rows worked out again, once per change of the wrapped columns' widths.
  functions.rowHeightsAfterResize = function (params) {
    var api = params.api;
    var key = JSON.stringify(wrapped(api));
    if (key === '[]' || api.__lcsdWrapKey === key) { return; }
    api.__lcsdWrapKey = key;
    api.resetRowHeights();
  };
})();
