/* Presenter mode in the browser.

   Keyboard: → / PageDown / Space next view, ← / PageUp previous view, Escape leaves presenter mode.
   Only in presenter mode and never while typing in a field or using a control that needs the arrow keys.

   Projector layout (all of it only while #root has the class `presenter`; normal mode is untouched):
   - Figures on the first screen are sized to end just above the story bar (CSS variable
     --presenter-h on their `.atalaya-graph` wrapper, read by assets/30_presenter.css); plotly's
     responsive autosize follows the new box.
   - Every plotly figure is drawn with larger type: each Plotly.react call (dcc.Graph draws every figure,
     including Patch updates, with Plotly.react) goes through `presenterFigure`, which multiplies font
     sizes, margins and pixel offsets by one factor that depends on the screen (1.2 at 1280×720,
     1.5 at 1920×1080). The figure Dash keeps is never modified: the layout is a copy, and traces are
     copied where they carry fonts. Values Dash copies back from plotly (after a zoom or pan) are
     recognised and not scaled twice.
   - Maps whose layout.meta.fit gives {bounds: [west, south, east, north], land, overlay} are centred and
     zoomed to fit their box (choroplethmap traces do not fit themselves), with their legend or colour bar
     in the corner where it covers no land (see `fitMap`) — at the desk too (`deskMap`): the server only
     knows a nominal box. Older {bounds, pad: {l, r, t, b}} keep the padded sides clear.
   - Key figures (`.key-figure`) that would overflow their card are shrunk until they fit. */

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
  var P = window.atalayaPresenter;
  P.drawing = 0;                         // Plotly.react calls not finished yet
  var FONT_KEY = /font$/i;              // font, tickfont, textfont, insidetextfont, …
  var PX_KEYS = { xshift: 1, yshift: 1, borderpad: 1, thickness: 1, standoff: 1 };
  var MIN_FIGURE_PX = 260;
  var ORIGINAL = new WeakMap();          // graph div -> the figure Dash last gave Plotly.react (untouched)
  var APPLIED = new WeakMap();           // graph div -> {path: [value Dash gave, value drawn]}

  function presenterOn() {
    var root = document.getElementById('root');
    return !!root && root.classList.contains('presenter');
  }
  P.presenterOn = presenterOn;

  // One factor for the whole screen: 1.2 at 1280×720, 1.5 at 1920×1080 (by height, or width for 16:9).
  P.typeScale = function () {
    var h = Math.min(window.innerHeight, window.innerWidth * 9 / 16);
    return Math.round(Math.max(1.1, Math.min(1.7, 1.2 + 0.3 * (h - 720) / 360)) * 100) / 100;
  };

  function isObj(v) { return v !== null && typeof v === 'object' && !Array.isArray(v) && !ArrayBuffer.isView(v); }

  // obj[key] = f(base) where base is what Dash gave; a value we drew before and Dash echoed back
  // (plotly_relayout sync) is recognised by `rec` and mapped back to its base first.
  function setFrom(obj, key, path, rec, f) {
    var v = obj[key], r = rec[path];
    var base = (r && r[1] === v) ? r[0] : v;
    var nv = f(base);
    if (nv === undefined) { delete obj[key]; } else { obj[key] = nv; }
    rec[path] = [base, nv];
  }
  function scaler(s) {
    return function (v) { return typeof v === 'number' ? Math.round(v * s * 10) / 10 : v; };
  }
  function scaleHtml(str, s) {  // inline sizes in titles/annotations: <span style='font-size:14px'>
    return str.replace(/font-size:\s*(\d+(?:\.\d+)?)px/g, function (_, n) {
      return 'font-size:' + Math.round(parseFloat(n) * s) + 'px';
    });
  }

  // Walk a layout (or a trace): scale every font size, pixel offsets and inline font sizes. Objects on
  // the way are copied (the caller passes a copy of the top level), arrays of data are left alone.
  function scaleTree(node, path, s, rec, depth) {
    if (depth > 8) { return; }
    Object.keys(node).forEach(function (k) {
      var v = node[k], p = path + '.' + k;
      if (FONT_KEY.test(k) && isObj(v)) {
        v = node[k] = Object.assign({}, v);
        if (Array.isArray(v.size)) { v.size = v.size.map(scaler(s)); }
        else if (typeof v.size === 'number' || rec[p + '.size']) { setFrom(v, 'size', p + '.size', rec, scaler(s)); }
      } else if (isObj(v)) {
        node[k] = Object.assign({}, v);
        scaleTree(node[k], p, s, rec, depth + 1);
      } else if (Array.isArray(v) && v.length && v.length <= 400 && isObj(v[0]) &&
                 (k === 'annotations' || k === 'updatemenus' || k === 'sliders')) {
        node[k] = v.map(function (a, i) {
          var c = Object.assign({}, a);
          scaleTree(c, p + '[' + i + ']', s, rec, depth + 1);
          return c;
        });
      } else if (PX_KEYS[k] && (typeof v === 'number' || rec[p])) {
        setFrom(node, k, p, rec, scaler(s));
      } else if ((k === 'text' || k === 'hovertemplate') && (typeof v === 'string' || rec[p])) {
        setFrom(node, k, p, rec, function (b) { return typeof b === 'string' ? scaleHtml(b, s) : b; });
      }
    });
  }

  function merc(lat) { lat = Math.max(Math.min(lat, 85), -85) * Math.PI / 180; return Math.log(Math.tan(Math.PI / 4 + lat / 2)); }
  function unmerc(y) { return (2 * Math.atan(Math.exp(y)) - Math.PI / 2) * 180 / Math.PI; }

  // ---- maps: the view and the overlay (class legend or colour bar) for the map's real box -------------
  // layout.meta.fit = {bounds: [w, s, e, n], land: {nx, ny, cells}, overlay: 'legend' | 'colorbar',
  // inset, margin} (analytics/map_view.py computes the same for a nominal box on the server; each
  // function here mirrors the Python one of the same name), or the older {bounds, pad: {l, r, t, b}}.
  function fitView(b, bw, bh, p) {  // map_view.fit_view
    p = {l: p.l || 0, r: p.r || 0, t: p.t || 0, b: p.b || 0};
    var uw = bw - p.l - p.r, uh = bh - p.t - p.b;
    if (uw < 50 || uh < 50) { return null; }
    var dx = Math.max(b[2] - b[0], 1e-6) / 360, dy = Math.max(merc(b[3]) - merc(b[1]), 1e-6) / (2 * Math.PI);
    var zoom = Math.round(Math.max(Math.min(Math.log2(uw / 512 / dx), Math.log2(uh / 512 / dy)) - 0.05, 0) * 100) / 100;
    var world = 512 * Math.pow(2, zoom), sx = dx * world, sy = dy * world;  // px for 360° / 2π of mercator y
    // centred in the whole box, moved only as far as needed to keep clear of the padded sides
    function offset(size, box, lo, hi) { return Math.min(Math.max(0, lo - box / 2 + size / 2), box / 2 - hi - size / 2); }
    var ox = offset(sx, bw, p.l, p.r), oy = offset(sy, bh, p.t, p.b);  // px right / down
    var left = bw / 2 + ox - sx / 2, top = bh / 2 + oy - sy / 2;
    return {lon: (b[0] + b[2]) / 2 - ox / (world / 360),
            lat: unmerc((merc(b[1]) + merc(b[3])) / 2 + oy / (world / (2 * Math.PI))),
            zoom: zoom, rect: [left, top, left + sx, top + sy]};
  }
  function overlayRect(corner, bw, bh, ow, oh, margin) {  // map_view.overlay_rect
    var x0 = corner[1] === 'l' ? margin : bw - margin - ow, y0 = corner[0] === 't' ? margin : bh - margin - oh;
    return [x0, y0, x0 + ow, y0 + oh];
  }
  function landUnder(land, view, r) {  // map_view.land_under
    var v = view.rect, cw = (v[2] - v[0]) / land.nx, ch = (v[3] - v[1]) / land.ny, sum = 0;
    for (var i = 0; i < land.ny; i++) {
      var iy = Math.min(v[1] + (i + 1) * ch, r[3]) - Math.max(v[1] + i * ch, r[1]);
      if (iy <= 0) { continue; }
      for (var j = 0; j < land.nx; j++) {
        var c = land.cells.charCodeAt(i * land.nx + j) - 48;
        if (!c) { continue; }
        var ix = Math.min(v[0] + (j + 1) * cw, r[2]) - Math.max(v[0] + j * cw, r[0]);
        if (ix > 0) { sum += c / 9 * ix * iy; }
      }
    }
    return sum;
  }
  var CORNERS = ['tl', 'tr', 'bl', 'br'], OVERLAP_TOLERANCE = 0.002;
  function placeOverlay(b, land, bw, bh, ow, oh, margin, inset) {  // map_view.place_overlay
    var best = null, tol = OVERLAP_TOLERANCE * ow * oh;
    function less(a, c) { for (var k = 0; k < a.length; k++) { if (a[k] !== c[k]) { return a[k] < c[k]; } } return false; }
    CORNERS.forEach(function (corner, ci) {
      var side = corner[1] === 'l' ? 'l' : 'r', row = corner[0] === 't' ? 't' : 'b';
      var extras = [{}, {}, {}];
      extras[1][side] = ow + 2 * margin;
      extras[2][row] = oh + 2 * margin;
      extras.forEach(function (extra, pi) {
        var pad = {};
        ['l', 'r', 't', 'b'].forEach(function (k) { pad[k] = Math.max(inset, extra[k] || 0); });
        var view = fitView(b, bw, bh, pad);
        if (!view) { return; }
        var over = landUnder(land, view, overlayRect(corner, bw, bh, ow, oh, margin));
        var key = over <= tol ? [0, -view.zoom, ci, pi] : [1, over, -view.zoom, ci, pi];
        if (!best || less(key, best.key)) { best = {key: key, corner: corner, view: view, overlap: over <= tol ? 0 : over}; }
      });
    });
    return best;
  }

  // What an overlay measures on screen, from its text (plotly draws lines 1.3 em apart).
  var MEASURE = null;
  function textWidth(text, px, family, bold) {
    MEASURE = MEASURE || document.createElement('canvas').getContext('2d');
    MEASURE.font = (bold ? 'bold ' : '') + px + 'px ' + family;
    return MEASURE.measureText(text).width;
  }
  function plain(html) {
    return String(html).replace(/<[^>]+>/g, '').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"')
      .replace(/&#39;/g, "'").replace(/&amp;/g, '&');
  }
  var DEFAULT_FAMILY = '"Open Sans", verdana, arial, sans-serif';
  function fontOf(f, layout) {
    var lf = layout.font || {};
    return {size: (f && f.size) || lf.size || 12, family: (f && f.family) || lf.family || DEFAULT_FAMILY};
  }
  function linesWidth(html, font) {
    return Math.max.apply(null, String(html).split(/<br\s*\/?>/i).map(function (line) {
      return textWidth(plain(line), font.size, font.family, /<b>/i.test(line));
    }));
  }
  // The class legend (an annotation named fit.overlay): its box, and how to put it in a corner.
  function annotationOverlay(layout, name) {
    var anns = layout.annotations || [], i = -1;
    anns.forEach(function (a, k) { if (a && a.name === name && typeof a.text === 'string') { i = k; } });
    if (i < 0) { return null; }
    var a = anns[i], font = fontOf(a.font, layout), n = String(a.text).split(/<br\s*\/?>/i).length;
    var bp = a.borderpad === undefined ? 1 : a.borderpad, bwid = a.borderwidth === undefined ? 1 : a.borderwidth;
    return {
      w: Math.ceil(linesWidth(a.text, font) + 2 * (bp + bwid) + 2), h: Math.ceil(n * font.size * 1.3 + 2 * (bp + bwid) + 2),
      apply: function (corner, margin, bw, bh) {
        var c = Object.assign({}, a, {xref: 'paper', yref: 'paper'});
        c.x = corner[1] === 'l' ? margin / bw : 1 - margin / bw; c.xanchor = corner[1] === 'l' ? 'left' : 'right';
        c.y = corner[0] === 't' ? 1 - margin / bh : margin / bh; c.yanchor = corner[0] === 't' ? 'top' : 'bottom';
        layout.annotations = anns.slice();
        layout.annotations[i] = c;
      }
    };
  }
  // The colour bar of the first trace, with the legend of the traces shown (e.g. "no data") right under
  // it: one block. The bar's length is in pixels (lenmode 'pixels'); thickness and pads as plotly's.
  function colorbarOverlay(layout, data, s) {
    var tr = data[0], cb = tr && tr.colorbar;
    if (!cb || tr.showscale === false) { return null; }
    var font = fontOf(cb.tickfont, layout), tfont = fontOf(cb.title && cb.title.font, layout);
    var labels = (cb.ticktext && cb.ticktext.length) ? cb.ticktext : ['100'];
    var labelW = Math.max.apply(null, labels.map(function (t) { return textWidth(plain(t), font.size, font.family); }));
    var thick = cb.thickness || 30, xpad = cb.xpad === undefined ? 10 : cb.xpad;
    var title = cb.title && cb.title.text ? plain(cb.title.text) : '';
    var cbW = Math.ceil(Math.max(thick + 4 + labelW + 4, title ? textWidth(title, tfont.size, tfont.family) : 0) + 2 * xpad);
    var len = Math.round((cb.len || 150) * s), cbH = len + 2;  // in pixels, the length holds the title and the pads
    var shown = data.filter(function (t) { return t.showlegend; });
    var lfont = fontOf(layout.legend && layout.legend.font, layout), gap = 6;
    var lgW = shown.length ? Math.ceil(Math.max.apply(null, shown.map(function (t) {
      return textWidth(plain(t.name || ''), lfont.size, lfont.family); })) + 40 + 10) : 0;
    var lgH = shown.length ? Math.ceil(shown.length * lfont.size * 1.55 + 8) : 0;
    return {
      w: Math.max(cbW, lgW), h: cbH + (lgH ? gap + lgH : 0),
      apply: function (corner, margin, bw, bh) {
        var left = corner[1] === 'l', top0 = corner[0] === 't' ? margin : bh - margin - cbH - (lgH ? gap + lgH : 0);
        var c = Object.assign({}, cb, {lenmode: 'pixels', len: len, xref: 'paper', yref: 'paper'});
        c.x = left ? margin / bw : 1 - margin / bw; c.xanchor = left ? 'left' : 'right';
        c.y = 1 - top0 / bh; c.yanchor = 'top';
        data[0] = Object.assign({}, tr, {colorbar: c});
        if (lgH) {
          var lg = layout.legend = Object.assign({}, layout.legend);
          lg.x = c.x; lg.xanchor = c.xanchor; lg.y = 1 - (top0 + cbH + gap) / bh; lg.yanchor = 'top';
        }
      }
    };
  }

  // Centre and zoom that fit the map's bounds in its box on screen, with its overlay in the corner where
  // it covers no land (or the side kept clear for it); older figures: the box minus `fit.pad`.
  function fitMap(gd, layout, data, s, rec) {
    var fit = layout.meta && layout.meta.fit, m = layout.margin || {};
    var w = gd.clientWidth, h = gd.clientHeight;
    if (!fit || !fit.bounds || !layout.map || !w || !h) { return; }
    var bw = w - (m.l || 0) - (m.r || 0), bh = h - (m.t || 0) - (m.b || 0), view = null;
    if (fit.land && fit.overlay) {
      var ov = fit.overlay === 'colorbar' ? colorbarOverlay(layout, data, s) : annotationOverlay(layout, fit.overlay);
      var margin = (fit.margin === undefined ? 8 : fit.margin) * s;
      var placed = ov && placeOverlay(fit.bounds, fit.land, bw, bh, ov.w, ov.h, margin, (fit.inset || 0) * s);
      if (placed) {
        ov.apply(placed.corner, margin, bw, bh);
        view = placed.view;
        // what was decided, for the browser tests: the corner, the overlay's estimated box, the map's box
        gd._atalayaOverlay = {corner: placed.corner, w: ov.w, h: ov.h, margin: margin, inset: (fit.inset || 0) * s, bw: bw, bh: bh,
                              overlap: placed.overlap, zoom: view.zoom};
      }
    }
    if (!view) {
      var pad = fit.pad || {};
      view = fitView(fit.bounds, bw, bh, {l: (pad.l || 0) * s, r: (pad.r || 0) * s, t: (pad.t || 0) * s, b: (pad.b || 0) * s});
    }
    if (!view) { return; }
    var map = layout.map = Object.assign({}, layout.map);
    map.center = Object.assign({}, map.center);
    setFrom(map, 'zoom', '.layout.map.zoom', rec, function () { return view.zoom; });
    setFrom(map.center, 'lon', '.layout.map.center.lon', rec, function () { return view.lon; });
    setFrom(map.center, 'lat', '.layout.map.center.lat', rec, function () { return view.lat; });
  }
  P.placeOverlay = placeOverlay;  // for the browser tests

  // Undo what presenter mode drew, for values that Dash echoed back (leaving presenter mode). Paths
  // are those of `setFrom`: '.layout.xaxis.tickfont.size', '.layout.annotations[2].yshift'.
  function restoreTree(holder, rec) {
    Object.keys(rec).forEach(function (p) {
      var parts = p.slice(1).match(/[^.[\]]+/g), obj = holder;
      for (var i = 0; i < parts.length - 1 && obj; i++) { obj = obj[parts[i]]; }
      if (!obj || typeof obj !== 'object') { return; }
      var k = parts[parts.length - 1];
      if (obj[k] === rec[p][1]) { if (rec[p][0] === undefined) { delete obj[k]; } else { obj[k] = rec[p][0]; } }
    });
  }

  function plainLength(html) { return String(html).replace(/<br\s*\/?>/gi, ' ').replace(/<[^>]+>/g, '').length; }

  // Greedy word wrap of an annotation's text (tags kept, <br> re-done) to `maxChars` per line.
  function rewrap(html, maxChars) {
    var words = String(html).replace(/<br\s*\/?>/gi, ' ').split(' '), lines = [], cur = '', n = 0;
    words.forEach(function (w) {
      var len = plainLength(w);
      if (cur && n + 1 + len > maxChars) { lines.push(cur); cur = w; n = len; }
      else { cur = cur ? cur + ' ' + w : w; n += (n ? 1 : 0) + len; }
    });
    if (cur) { lines.push(cur); }
    return lines;
  }

  // The figure's box on screen decides what a desk-size layout could not: the source line (drawn in the
  // bottom margin) is wrapped again for the larger type and the bottom margin fits it; event labels
  // (annotations named "event", one row each where they would overlap) are laid out again in rows of
  // the label height; a title sits at the top of the figure, inside the top margin.
  function fitToBox(gd, layout, data, s) {
    var W = gd.clientWidth, H = gd.clientHeight, m = layout.margin = Object.assign({}, layout.margin);
    var base = (layout.font && layout.font.size) || 12 * s;
    if (!W || !H) { return; }
    var ml = typeof m.l === 'number' ? m.l : 80, mr = typeof m.r === 'number' ? m.r : 80;
    var fix = FIX.get(gd) || {}, left = Math.max(ml, fix.srcLeft || 0);
    var anns = layout.annotations || [];
    if (fix.xtitle && layout.xaxis && layout.xaxis.title) {
      var xa = layout.xaxis = Object.assign({}, layout.xaxis);
      xa.title = Object.assign({}, typeof xa.title === 'string' ? {text: xa.title} : xa.title);
      xa.title.font = Object.assign({}, xa.title.font, {size: fix.xtitle});
    }
    anns.forEach(function (a) {
      if (a.name !== 'source' || typeof a.text !== 'string') { return; }
      var fpx = (a.font && a.font.size) || base;
      var lines = rewrap(a.text, Math.max(30, Math.floor((W - left - 12) / (fpx * 0.56))));
      a.text = lines.join('<br>');
      var need = Math.ceil(Math.abs(a.yshift || 0) + lines.length * fpx * 1.3 + 8);
      m.b = need;
    });
    if (layout.title && layout.title.text) {
      // "Title<br><span style='font-size:13px;color:#444'>subtitle</span>": plotly places a multi-line
      // title anchored at the top partly above the figure; its own subtitle is placed under the title.
      var t = layout.title = Object.assign({}, layout.title);
      var tpx = (t.font && t.font.size) || base * 1.4, need = 0;
      var parts = String(t.text).split(/<br\s*\/?>/i);
      if (parts.length > 1 && !(t.subtitle && t.subtitle.text)) {
        var sub = parts.slice(1).join('<br>'), subFont = {};
        var span = /^\s*<span style=['"]([^'"]*)['"]>([\s\S]*)<\/span>\s*$/i.exec(sub);
        if (span && span[2].indexOf('<span') < 0) {
          sub = span[2];
          var fs = /font-size:\s*([\d.]+)px/.exec(span[1]), col = /(?:^|;)\s*color:\s*([^;]+)/.exec(span[1]);
          if (fs) { subFont.size = parseFloat(fs[1]); }
          if (col) { subFont.color = col[1].trim(); }
        }
        t.text = parts[0];
        t.subtitle = {text: sub, font: Object.assign({size: Math.round(tpx * 0.72)}, subFont)};
        need = t.subtitle.font.size * 1.45 * (sub.split(/<br\s*\/?>/i).length);
      }
      // one line each, as wide as the figure at most (plotly does not wrap titles): a title too long
      // for the figure goes on two lines at its " — " ("Homicides — Guatemala, Escuintla"), else smaller
      var room = W - 24, tlen = plainLength(t.text) * 0.6, dash = String(t.text).indexOf(' — ');
      if (tlen * tpx > room && dash > 0 && !t.subtitle) {
        t.subtitle = {text: String(t.text).slice(dash + 3), font: {size: Math.round(tpx * 0.8)}};
        t.text = String(t.text).slice(0, dash);
        tlen = plainLength(t.text) * 0.6;
        need = t.subtitle.font.size * 1.45;
      }
      if (t.subtitle && t.subtitle.font && t.subtitle.font.size) {
        // the indicator reads first, from the back of the room: clearly larger than the line under it
        var lead = Math.round(t.subtitle.font.size * 1.6);
        if (tpx < lead) { tpx = lead; t.font = Object.assign({}, t.font, {size: tpx}); }
      }
      if (tlen * tpx > room) { tpx = Math.max(12, Math.floor(room / tlen)); t.font = Object.assign({}, t.font, {size: tpx}); }
      if (t.subtitle && t.subtitle.font && tpx < 1.3 * t.subtitle.font.size) {
        // a long title set smaller to fit: its subtitle follows, so the order of reading stays
        t.subtitle.font = Object.assign({}, t.subtitle.font, {size: Math.max(11, Math.floor(tpx / 1.3))});
        need = t.subtitle.font.size * 1.45 * (String(t.subtitle.text).split(/<br\s*\/?>/i).length);
      }
      if (t.subtitle) {
        var slen = Math.max.apply(null, String(t.subtitle.text).split(/<br\s*\/?>/i).map(plainLength)) * 0.6;
        if (slen * t.subtitle.font.size > room) {
          t.subtitle.font.size = Math.max(11, Math.floor(room / slen));
          need = t.subtitle.font.size * 1.45 * (String(t.subtitle.text).split(/<br\s*\/?>/i).length);
        }
      }
      t.pad = Object.assign({}, t.pad);
      t.pad.t = Math.max(t.pad.t || 0, Math.round(8 * s));
      t.yref = 'container'; t.y = 1; t.yanchor = 'top';
      need += t.pad.t + tpx * 1.25 + 6;
      if ((typeof m.t === 'number' ? m.t : 100) < need) { m.t = Math.ceil(need); }
      // a legend that is not drawn leaves its row above the plot empty: the plot takes it
      var shown = data.filter(function (tr) { return tr.showlegend !== false && tr.visible !== false; }).length;
      var legendShown = layout.showlegend === true || (layout.showlegend !== false && shown > 1);
      var above = anns.some(function (a) { return a.yref === 'paper' && a.y > 1; });
      if (!legendShown && !above && layout.xaxis && m.t > need + 10 * s) { m.t = Math.ceil(need + 10 * s); }
    }
    var events = anns.filter(function (a) { return a.name === 'event' && a.xref === 'x' && a.yref === 'paper'; });
    if (!events.length) { return; }
    var lo = Infinity, hi = -Infinity, xr = layout.xaxis && layout.xaxis.range;
    if (xr && xr.length === 2) { lo = Date.parse(xr[0]); hi = Date.parse(xr[1]); }
    else {
      data.forEach(function (tr) {
        if (!tr.x || !tr.x.length || (tr.xaxis && tr.xaxis !== 'x')) { return; }
        var a = Date.parse(tr.x[0]), b = Date.parse(tr.x[tr.x.length - 1]);
        if (isFinite(a) && isFinite(b)) { lo = Math.min(lo, a, b); hi = Math.max(hi, a, b); }
      });
    }
    var plotW = W - ml - mr, plotH = H - (m.t || 0) - (m.b || 0);
    if (!(hi > lo) || plotW < 100 || plotH < 60) { return; }
    var rows = [];
    events.forEach(function (a) {
      var fpx = (a.font && a.font.size) || base, x = Date.parse(a.x);
      if (!isFinite(x)) { return; }
      var frac = (x - lo) / (hi - lo), width = (plainLength(a.text) * fpx * 0.56 + 10) / plotW;
      var right = frac + width > 1, l = right ? frac - width : frac, r = right ? frac : frac + width;
      // a label too long for either side of its line is moved inside the plot (and crosses its line)
      var shift = l < 0 ? -l : 0;
      l += shift; r += shift;
      a.xshift = Math.round(shift * plotW);
      var level = 0;
      while (rows[level] && rows[level].some(function (iv) { return !(r < iv[0] || l > iv[1]); })) { level++; }
      (rows[level] = rows[level] || []).push([l, r]);
      a.xanchor = right ? 'right' : 'left';
      a.yanchor = 'top';
      // rows in pixels under the top of the plot: right whatever height the plot ends up with (a
      // fraction of the plot height was sometimes computed for a box not yet at its final size)
      a.y = 1;
      a.yshift = -Math.round(level * (fpx * 1.35 + 2 * (a.borderpad || 1) + 2));
    });
  }

  function clone(v) { return typeof structuredClone === 'function' ? structuredClone(v) : JSON.parse(JSON.stringify(v)); }

  // The figure as drawn: in presenter mode with larger type and fitted maps; otherwise as given.
  // At the desk too, the source line drawn in the figure (for exported images) is wrapped to the
  // figure's real width and the bottom margin follows it: the server cannot know how wide a responsive
  // figure will be, and plotly neither wraps annotations nor clips them.
  var DESK = new WeakSet();              // graph divs whose texts were fitted to their width
  var DESKLEFT = new WeakMap();          // graph div -> the plot's real left edge (automargin), measured
  function deskFit(gd, fig) {
    var layout = fig.layout, W = gd.clientWidth;
    if (!layout || !W) { return fig; }
    var hasSource = (layout.annotations || []).some(function (a) { return a && a.name === 'source'; });
    var title = layout.title && typeof layout.title.text === 'string' ? layout.title : null;
    if (!hasSource && !title) { return fig; }
    var out = Object.assign({}, layout), m = out.margin = Object.assign({}, layout.margin);
    var ml = Math.max(typeof m.l === 'number' ? m.l : 80, DESKLEFT.get(gd) || 0);
    var base = (layout.font && layout.font.size) || 12;
    if (hasSource) {
      out.annotations = layout.annotations.map(function (a) {
        if (!a || a.name !== 'source' || typeof a.text !== 'string') { return a; }
        var fpx = (a.font && a.font.size) || base;
        // the line starts at the plot's left edge (x = 0 in paper coordinates)
        var lines = rewrap(a.text, Math.max(24, Math.floor((W - ml - 12) / (fpx * 0.6))));
        var need = Math.ceil(Math.abs(a.yshift || 0) + lines.length * fpx * 1.3 + 8);
        m.b = Math.max(typeof m.b === 'number' ? m.b : 80, need);
        return Object.assign({}, a, {text: lines.join('<br>')});
      });
    }
    if (title && String(title.text).indexOf('<br') < 0) {
      // plotly does not wrap titles: one too long for the figure is set smaller
      var tpx = (title.font && title.font.size) || base * 1.4, len = plainLength(title.text) * 0.6;
      if (len * tpx > W - 24) {
        out.title = Object.assign({}, title, {font: Object.assign({}, title.font, {size: Math.max(12, Math.floor((W - 24) / len))})});
      }
    } else if (title) {
      // a title with a subtitle ("<b>Indicator</b><br><span style='font-size:14px'>unit · period</span>"):
      // each line too wide for the figure is set smaller (a long indicator name, a change's two periods)
      var fam = (title.font && title.font.family) || (layout.font && layout.font.family) || DEFAULT_FAMILY;
      var tpx0 = (title.font && title.font.size) || base * 1.4, room = W * 0.99 - 14, first = null;
      var lines = String(title.text).split(/<br\s*\/?>/i).map(function (line, k) {
        var m = /font-size:\s*([\d.]+)px/.exec(line), px = m ? parseFloat(m[1]) : tpx0;
        var wpx = textWidth(plain(line), px, fam, /<b>/i.test(line) || (k === 0 && !m));
        if (wpx <= room) { return line; }
        var npx = Math.max(k === 0 ? 12 : 10, Math.floor(px * room / wpx));
        if (m) { return line.replace(/font-size:\s*[\d.]+px/, 'font-size:' + npx + 'px'); }
        if (k === 0) { first = npx; }
        return line;
      });
      if (first || lines.join('<br>') !== String(title.text).replace(/<br\s*\/?>/gi, '<br>')) {
        out.title = Object.assign({}, title, {text: lines.join('<br>')});
        if (first) { out.title.font = Object.assign({}, title.font, {size: first}); }
      }
    }
    DESK.add(gd);
    return Object.assign({}, fig, {layout: out});
  }
  // After a desk draw: a source line still wider than the figure (the axis labels pushed the plot
  // right, automargin) is wrapped again from the plot's real left edge.
  function checkDesk(gd) {
    if (presenterOn() || !gd.isConnected || !gd._fullLayout || !gd._fullLayout._size || !DESK.has(gd)) { return; }
    var g = gd.getBoundingClientRect(), fl = gd._fullLayout;
    var over = [].some.call(gd.querySelectorAll('.annotation'), function (a) {
      var i = +a.getAttribute('data-index');
      return fl.annotations && fl.annotations[i] && fl.annotations[i].name === 'source' &&
        a.getBoundingClientRect().right > g.right + 1;
    });
    if (over && (DESKLEFT.get(gd) || 0) < fl._size.l) {
      DESKLEFT.set(gd, fl._size.l);
      var fig = ORIGINAL.get(gd);
      if (fig) { window.Plotly.react(gd, fig); }
    }
  }

  // At the desk too, a map is fitted to its real box (the server only knows a nominal one) with its
  // legend where it covers no land; layout and traces are copied, the figure Dash keeps is untouched.
  function deskMap(gd, fig) {
    var layout = fig.layout;
    if (!layout || !layout.meta || !layout.meta.fit || !layout.map) { return fig; }
    layout = Object.assign({}, layout);
    var data = (fig.data || []).slice();
    fitMap(gd, layout, data, 1, {});
    return Object.assign({}, fig, {data: data, layout: layout});
  }

  function presenterFigure(gd, fig) {
    var rec = APPLIED.get(gd);
    if (!presenterOn()) {
      if (!rec || !fig.layout) { return deskMap(gd, deskFit(gd, fig)); }  // normal mode: the figure as Dash gave it
      var back = {layout: clone(fig.layout)};
      restoreTree(back, rec);
      return deskMap(gd, deskFit(gd, Object.assign({}, fig, {layout: back.layout})));
    }
    if (!rec) { rec = {}; APPLIED.set(gd, rec); }
    var s = P.typeScale();
    var layout = fig.layout ? clone(fig.layout) : {};
    var holder = {layout: layout};
    scaleTree(holder, '', s, rec, 0);
    layout = holder.layout;
    // defaults plotly would use when a size is not given (12 px text, 13 px hover labels)
    layout.font = Object.assign({}, layout.font);
    if (layout.font.size === undefined || rec['.layout.font.size']) {
      setFrom(layout.font, 'size', '.layout.font.size', rec, function (b) { return Math.round((b || 12) * s * 10) / 10; });
    }
    layout.hoverlabel = Object.assign({}, layout.hoverlabel);
    layout.hoverlabel.font = Object.assign({}, layout.hoverlabel.font);
    if (layout.hoverlabel.font.size === undefined) { layout.hoverlabel.font.size = Math.round(13 * s); }
    if (layout.margin) {
      layout.margin = Object.assign({}, layout.margin);
      ['l', 'r', 't', 'b', 'pad'].forEach(function (k) {
        if (typeof layout.margin[k] === 'number' || rec['.layout.margin.' + k]) {
          setFrom(layout.margin, k, '.layout.margin.' + k, rec, scaler(s));
        }
      });
    }
    if (layout.title && layout.title.pad) {
      layout.title = Object.assign({}, layout.title, {pad: Object.assign({}, layout.title.pad)});
      ['l', 'r', 't', 'b'].forEach(function (k) {
        if (typeof layout.title.pad[k] === 'number') { setFrom(layout.title.pad, k, '.layout.title.pad.' + k, rec, scaler(s)); }
      });
    }
    var data = (fig.data || []).map(function (trace, i) {
      var t = Object.assign({}, trace);
      scaleTree(t, '.data[' + i + ']', s, {}, 0);  // traces are never copied back by Dash: no bookkeeping
      return t;
    });
    fitToBox(gd, layout, data, s);
    fitMap(gd, layout, data, s, rec);
    return Object.assign({}, fig, {data: data, layout: layout});
  }
  P.presenterFigure = presenterFigure;

  // After a presenter draw, what still spills out of the figure is measured and corrected once: the
  // source line wrapped to the real plot width (axis labels may have pushed the margin), an axis title
  // too long for the figure made smaller.
  var FIX = new WeakMap();               // graph div -> {srcLeft, xtitle}
  function checkDrawn(gd) {
    if (!presenterOn() || !gd.isConnected || !gd._fullLayout || FIX.has(gd)) { return; }
    var g = gd.getBoundingClientRect(), fix = {}, any = false, fl = gd._fullLayout;
    var src = [].filter.call(gd.querySelectorAll('.annotation'), function (a) {
      var i = +a.getAttribute('data-index');
      return fl.annotations && fl.annotations[i] && fl.annotations[i].name === 'source';
    })[0];
    if (src && src.getBoundingClientRect().right > g.right + 1 && fl._size) { fix.srcLeft = fl._size.l; any = true; }
    var xt = gd.querySelector('.xtitle');
    if (xt) {
      var b = xt.getBoundingClientRect(), mid = (b.left + b.right) / 2;
      var room = 2 * Math.min(mid - g.left, g.right - mid) - 12;  // centred on the plot, not on the figure
      if (b.width > room) {
        fix.xtitle = Math.max(11, Math.floor(parseFloat(getComputedStyle(xt).fontSize) * room / b.width));
        any = true;
      }
    }
    FIX.set(gd, fix);
    if (any) { window.Plotly.react(gd, ORIGINAL.get(gd)); }
  }

  function wrapPlotly(Plotly) {
    if (!Plotly || Plotly.__atalayaWrapped || typeof Plotly.react !== 'function') { return; }
    var react = Plotly.react;
    Plotly.react = function (gd, a, b, c) {
      var fig = (isObj(a) && (a.data || a.layout || a.config)) ? a : {data: a, layout: b, config: c};
      var el = typeof gd === 'string' ? document.getElementById(gd) : gd;
      if (!el || !el.classList) { return react.apply(this, arguments); }
      if (ORIGINAL.get(el) !== fig) { FIX.delete(el); }  // a new figure from Dash: measured again
      ORIGINAL.set(el, fig);
      if (presenterOn()) { fitFigures(); }  // the box first: maps are fitted to it
      P.drawing++;
      var done = function () { P.drawing--; if (presenterOn()) { checkDrawn(el); } else { checkDesk(el); } };
      var out = react.call(this, el, presenterFigure(el, fig));
      if (out && typeof out.then === 'function') { out.then(done, done); } else { done(); }
      return out;
    };
    Plotly.__atalayaWrapped = true;
  }
  if (window.Plotly) {
    wrapPlotly(window.Plotly);
  } else {
    // plotly.js loads after the assets (async): wrap it the moment it sets window.Plotly
    var plotly;
    Object.defineProperty(window, 'Plotly', {
      configurable: true, enumerable: true,
      get: function () { return plotly; },
      set: function (v) { plotly = v; wrapPlotly(v); }
    });
  }

  // Redraw every figure for the current mode and screen (mode switch, window resize).
  function redrawAll() {
    if (!window.Plotly) { return; }
    document.querySelectorAll('.js-plotly-plot').forEach(function (gd) {
      FIX.delete(gd);
      var fig = ORIGINAL.get(gd);
      if (fig && gd.isConnected && (presenterOn() || APPLIED.has(gd) || DESK.has(gd))) { window.Plotly.react(gd, fig); }
    });
  }
  P.redrawAll = redrawAll;

  function visible(el) { return el.getClientRects().length > 0; }  // false under display:none (fixed too)

  // The height of what follows `el` inside its block (so that it stays on screen too).
  function reserveAfter(el) {
    var total = 0, node = el;
    for (var level = 0; level < 2 && node && node.parentElement; level++) {
      for (var sib = node.nextElementSibling; sib; sib = sib.nextElementSibling) {
        if (!visible(sib)) { continue; }
        var cs = getComputedStyle(sib);
        total += sib.getBoundingClientRect().height + parseFloat(cs.marginTop) + parseFloat(cs.marginBottom);
      }
      node = node.parentElement;
      if (node.children.length > 1 || node.classList.contains('row')) { break; }
    }
    return total;
  }

  // Figures whose top is on the first screen end just above the story bar.
  function fitFigures() {
    var on = presenterOn(), changed = [];
    var bar = document.getElementById('story-bar');
    var bottom = on && bar && visible(bar) ? bar.getBoundingClientRect().top : window.innerHeight;
    document.querySelectorAll('.atalaya-graph').forEach(function (el) {
      var want = '';
      if (on && visible(el)) {
        var top = el.getBoundingClientRect().top + window.scrollY;
        if (top < bottom - MIN_FIGURE_PX / 2) {
          want = Math.max(MIN_FIGURE_PX, Math.floor(bottom - top - reserveAfter(el) - 10)) + 'px';
        }
      }
      if (el.style.getPropertyValue('--presenter-h') !== want) {
        if (want) { el.style.setProperty('--presenter-h', want); el.classList.add('presenter-fitted'); }
        else { el.style.removeProperty('--presenter-h'); el.classList.remove('presenter-fitted'); }
        changed.push(el);
      }
    });
    return changed;
  }

  // Key figures that overflow their box are shrunk (long municipality names, large sums).
  function fitKeyFigures() {
    var on = presenterOn();
    document.querySelectorAll('.key-figure').forEach(function (el) {
      if (el.style.fontSize) { el.style.fontSize = ''; }  // from the stylesheet size each time
      if (!on || !visible(el) || !el.clientWidth) { return; }
      for (var i = 0; i < 8 && el.scrollWidth > el.clientWidth + 1; i++) {
        var size = parseFloat(getComputedStyle(el).fontSize);
        el.style.fontSize = Math.max(14, Math.floor(size * (el.clientWidth / el.scrollWidth) * 0.98)) + 'px';
      }
    });
  }

  var pending = false, lastClass = null, lastSize = '', deskTimer = null;
  function layoutPass() {
    pending = false;
    var root = document.getElementById('root');
    if (!root) { return; }
    var size = window.innerWidth + 'x' + window.innerHeight;
    var modeChanged = root.className !== lastClass, sizeChanged = size !== lastSize;
    lastClass = root.className;
    lastSize = size;
    var resized = fitFigures();
    fitKeyFigures();
    if (modeChanged || (sizeChanged && presenterOn())) {
      redrawAll();
      setTimeout(function () { window.dispatchEvent(new Event('resize')); }, 60);
    } else if (sizeChanged) {
      // at the desk: source lines wrapped again for the new width, once the window stops changing
      clearTimeout(deskTimer);
      deskTimer = setTimeout(function () { deskTimer = null; redrawAll(); }, 250);
    } else if (resized.length && presenterOn()) {
      // a box changed size: its figure is laid out again for it (maps fitted to it, event labels stacked
      // for the new plot height: plotly's autosize alone kept rows spaced for the old one)
      resized.forEach(function (el) {
        var gd = el.querySelector('.js-plotly-plot'), fig = gd && ORIGINAL.get(gd);
        if (fig && window.Plotly) { window.Plotly.react(gd, fig); }
      });
    }
  }
  function schedule() { if (!pending) { pending = true; requestAnimationFrame(layoutPass); } }
  P.relayoutNow = layoutPass;
  // nothing left to lay out or to draw (browser tests wait for this)
  P.settled = function () { return !pending && P.drawing === 0 && !deskTimer; };

  // Page changes (outside the figures themselves) and the mode switch.
  new MutationObserver(function (muts) {
    for (var i = 0; i < muts.length; i++) {
      var t = muts[i].target;
      if (t.nodeType === 1 && t.closest && t.closest('.js-plotly-plot')) { continue; }
      schedule();
      return;
    }
  }).observe(document.documentElement, {childList: true, subtree: true, attributes: true,
                                         attributeFilter: ['class']});
  window.addEventListener('resize', function (e) { if (e.isTrusted) { schedule(); } });

  function editable(el) {
    if (!el || el === document.body) { return false; }
    var tag = (el.tagName || '').toLowerCase();
    if (tag === 'input' || tag === 'textarea' || tag === 'select' || el.isContentEditable) { return true; }
    var role = el.getAttribute && el.getAttribute('role');
    return role === 'slider' || role === 'combobox' || role === 'listbox' || role === 'option' || role === 'tab';
  }
  function click(id) { var b = document.getElementById(id); if (b) { b.click(); } }
  document.addEventListener('keydown', function (e) {
    if (!presenterOn() || e.altKey || e.ctrlKey || e.metaKey) { return; }
    if (editable(e.target)) { return; }
    if (e.key === 'ArrowRight' || e.key === 'PageDown' || e.key === ' ') { e.preventDefault(); click('story-next'); }
    else if (e.key === 'ArrowLeft' || e.key === 'PageUp') { e.preventDefault(); click('story-prev'); }
    else if (e.key === 'Escape') { click('story-exit'); }
  });
})();
