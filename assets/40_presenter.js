/* Presenter mode keyboard: → / PageDown / Space next view, ← / PageUp previous view, Escape leaves
   presenter mode. Only in presenter mode and never while typing in a field or using a control that
   needs the arrow keys. After the mode changes, charts are told to resize to their new box. */
/* helpers used by the clientside callbacks in callbacks/presenter.py */
window.atalayaPresenter = window.atalayaPresenter || {
  params: function(search) { return new URLSearchParams((search || '').replace(/^\?/, '')); },
  isOn: function(search) { var p = this.params(search).get('present'); return p === '1' || p === 'true'; },
  withFlag: function(search, on) {
    var p = this.params(search);
    if (on) { p.set('present', '1'); } else { p.delete('present'); }
    var s = p.toString().replace(/%2C/g, ',');
    return s ? '?' + s : '';
  },
  hrefWithFlag: function(href, on) {
    var i = href.indexOf('?');
    var path = i < 0 ? href : href.slice(0, i);
    return path + this.withFlag(i < 0 ? '' : href.slice(i), on);
  },
  // index of the story view shown at this URL: the remembered step when its path matches, else the
  // first view whose path matches and whose query parameters are all present in the URL
  position: function(story, step, pathname, search) {
    if (!story || !story.length) { return -1; }
    var self = this;
    function pathOf(u) { var i = u.indexOf('?'); return i < 0 ? u : u.slice(0, i); }
    if (step !== null && step !== undefined && story[step] && pathOf(story[step].url) === pathname) { return step; }
    var cur = this.params(search);
    for (var i = 0; i < story.length; i++) {
      var u = story[i].url, q = u.indexOf('?');
      if (pathOf(u) !== pathname) { continue; }
      var want = self.params(q < 0 ? '' : u.slice(q)), ok = true;
      want.forEach(function(v, k) { if (cur.get(k) !== v) { ok = false; } });
      if (ok) { return i; }
    }
    return -1;
  }
};

(function () {
  function editable(el) {
    if (!el || el === document.body) { return false; }
    var tag = (el.tagName || '').toLowerCase();
    if (tag === 'input' || tag === 'textarea' || tag === 'select' || el.isContentEditable) { return true; }
    var role = el.getAttribute && el.getAttribute('role');
    return role === 'slider' || role === 'combobox' || role === 'listbox' || role === 'option' || role === 'tab';
  }
  function click(id) { var b = document.getElementById(id); if (b) { b.click(); } }
  document.addEventListener('keydown', function (e) {
    var root = document.getElementById('root');
    if (!root || !root.classList.contains('presenter') || e.altKey || e.ctrlKey || e.metaKey) { return; }
    if (editable(e.target)) { return; }
    if (e.key === 'ArrowRight' || e.key === 'PageDown' || e.key === ' ') { e.preventDefault(); click('story-next'); }
    else if (e.key === 'ArrowLeft' || e.key === 'PageUp') { e.preventDefault(); click('story-prev'); }
    else if (e.key === 'Escape') { click('story-exit'); }
  });
  var lastClass = null;
  setInterval(function () {
    var root = document.getElementById('root');
    if (!root) { return; }
    if (root.className !== lastClass) {
      lastClass = root.className;
      setTimeout(function () { window.dispatchEvent(new Event('resize')); }, 60);
    }
  }, 250);
})();
