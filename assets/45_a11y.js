/* Accessibility fixes for Dash 4's Dropdown (applied to every page as dropdowns appear).
   Dash 4 puts keyboard focus on a hidden proxy <input class="dash-dropdown-focus-target" aria-hidden="true">
   (axe: "aria-hidden-focus", serious) and names the visible button only by its current value. Here the
   proxy is exposed and named by the dropdown's <label for=ID> plus its value, so a screen reader says
   "Find a municipality…, Santa Lucía Milpas Altas" when the dropdown gets focus. */
(function () {
  var seq = 0;
  function fix(wrapper) {
    var proxy = wrapper.querySelector(':scope > .dash-dropdown-focus-target');
    var button = wrapper.querySelector(':scope > button.dash-dropdown');
    if (!proxy || !button) { return; }
    if (proxy.getAttribute('aria-hidden') === 'true') { proxy.removeAttribute('aria-hidden'); }
    var ids = [];
    if (button.id) {
      var label = document.querySelector('label[for="' + CSS.escape(button.id) + '"]');
      if (label) {
        if (!label.id) { label.id = 'dd-label-' + (++seq); }
        ids.push(label.id);
      }
    }
    var named = (button.getAttribute('aria-labelledby') || '').split(/\s+/).filter(function (id) {
      return id && document.getElementById(id);
    });
    ids = ids.concat(named.filter(function (id) { return ids.indexOf(id) < 0; }));
    var want = ids.join(' ');
    if (want && proxy.getAttribute('aria-labelledby') !== want) { proxy.setAttribute('aria-labelledby', want); }
    if (want && ids[0] && button.getAttribute('aria-labelledby') !== want && ids.length > named.length) {
      button.setAttribute('aria-labelledby', want);
    }
  }
  function scan() { document.querySelectorAll('.dash-dropdown-wrapper').forEach(fix); }
  new MutationObserver(scan).observe(document.documentElement, { childList: true, subtree: true });
  document.addEventListener('DOMContentLoaded', scan);
})();
