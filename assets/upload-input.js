// dcc.Upload's file input: give it a label screen readers can name, and clear it after each choice
// so that choosing the same (corrected) file again still uploads it.
(function () {
  function prepare() {
    document.querySelectorAll('.upload-drop input[type=file]:not([data-prepared])').forEach(function (input) {
      input.setAttribute('data-prepared', '1');
      input.setAttribute('aria-label', 'Choose a CSV or Excel file to check');
      input.addEventListener('change', function () { setTimeout(function () { input.value = ''; }, 0); });
    });
  }
  new MutationObserver(prepare).observe(document.documentElement, {childList: true, subtree: true});
})();
