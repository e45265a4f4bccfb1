// Presentation mode, for every page: the header's "Present" button (class "present-button") hides the
// navigation and filters and shows the headline figures, then one chart card at a time, large; arrow keys, Page Up/Down and Space
// step through them, Escape leaves. Pure UI, so it runs in the browser with no server round trip.
(function () {
  var current = 0;
  // Slides: the headline figures (when the page has some), then every chart card (one with a chart in it), in page order.
  function slides() {
    return Array.prototype.slice.call(document.querySelectorAll('#_pages_content .chart-card, #_pages_content .kpi-slide'))
      .filter(function (el) {
        if (el.closest('[hidden]')) { return false; }   // a part the view has nothing in
        if (el.classList.contains('kpi-slide')) { return !!el.querySelector('.kpi-card'); }
        return el.classList.contains('slide') || el.querySelector('.dash-graph');
      })
      .map(function (el) { el.classList.add('slide'); return el; });
  }
  function show(index) {
    var all = slides();
    if (!all.length) { return; }
    current = Math.max(0, Math.min(index, all.length - 1));
    all.forEach(function (el, i) { el.classList.toggle('slide-current', i === current); });
    var status = document.getElementById('present-status');
    if (status) { status.textContent = 'Slide ' + (current + 1) + ' of ' + all.length + ' (arrow keys to move, Escape to leave)'; }
    window.dispatchEvent(new Event('resize'));   // let plotly redraw at the new size
  }
  function start() {
    if (!slides().length) { return; }
    document.body.classList.add('presenting');
    if (!document.getElementById('present-status')) {
      var status = document.createElement('div');
      status.id = 'present-status'; status.setAttribute('role', 'status'); status.className = 'present-status';
      document.body.appendChild(status);
    }
    show(0);
  }
  function stop() {
    document.body.classList.remove('presenting');
    slides().forEach(function (el) { el.classList.remove('slide-current'); });
    var status = document.getElementById('present-status');
    if (status) { status.remove(); }
    window.dispatchEvent(new Event('resize'));
  }
  document.addEventListener('click', function (event) {
    if (event.target.closest && event.target.closest('.present-button')) { start(); }
  });
  document.addEventListener('keydown', function (event) {
    if (!document.body.classList.contains('presenting')) { return; }
    if (['ArrowRight', 'PageDown', ' '].indexOf(event.key) >= 0) { show(current + 1); event.preventDefault(); }
    else if (['ArrowLeft', 'PageUp'].indexOf(event.key) >= 0) { show(current - 1); event.preventDefault(); }
    else if (event.key === 'Escape') { stop(); }
  });
})();
