/* Map explorer: give the period slider's thumb an accessible name (dcc.Slider has no aria props). */
(function () {
  function name() {
    document.querySelectorAll('#map-period [role="slider"]').forEach(function (thumb) {
      if (!thumb.getAttribute('aria-labelledby')) {
        thumb.setAttribute('aria-labelledby', 'map-period-title map-period-label');
      }
    });
  }
  new MutationObserver(name).observe(document.documentElement, {childList: true, subtree: true});
})();
