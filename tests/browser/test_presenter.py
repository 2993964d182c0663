"""Presenter mode on a projector: every story view (and /about) at 1920×1080 and 1280×720, in Spanish, and at
1280×720 in English.

For each view the page must be a projector view:
- presenter mode on, controls, navbar and the plotly mode bar hidden, the story bar and the synthetic-data
  banner on screen, nothing wider than the screen;
- the view's main figure (the map, the trend, the cost breakdown, the index map, the profile's cards) lies
  inside the screen above the story bar, large (at least 40 % of the height), with plotly type enlarged
  and every title, annotation and tick label of the figure drawn inside it;
- its key figures are on the first screen, large, none wider than its card or over another one, and every
  key text (numbers, units, labels, source lines, titles) has WCAG AA contrast against the background it
  is actually drawn on (colours from getComputedStyle, backgrounds composited up the tree).

The layout is checked once it has settled (assets/40_presenter.js: nothing left to lay out or draw), never
after a fixed wait. Each view is one test: the viewport is resized inside it (which also checks that the
layout follows a change of screen).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.browser.conftest import wait_for_dash

STORY = json.loads((Path(__file__).resolve().parents[2] / "data" / "demo" / "story.json").read_text("utf-8"))

# the element(s) that must fill the first screen, per page
MAIN = {
    "/map": ["#map-graph"],
    "/trends": ["#trends-main-graph"],
    "/costs": ["#costs-treemap"],
    "/index": ["#index-map"],
    "/profile": ["#profile-cards"],
    "/about": [],
}
HAS_KEY_FIGURES = {"/trends", "/costs", "/index", "/profile"}
SIZES = [(1920, 1080), (1280, 720)]
VIEWS = [s["url"] for s in STORY] + ["/about"]

SETTLED = """(sels) => {
  const P = window.atalayaPresenter;
  if (P && P.settled && !P.settled()) { return false; }
  if (!document.getElementById('root').classList.contains('presenter')) { return false; }
  return sels.every(s => {
    const el = document.querySelector(s);
    if (!el) { return false; }
    const gd = el.matches('.dash-graph') ? el.querySelector('.js-plotly-plot') : null;  // else a block of cards
    if (!gd) { return !!el.children.length; }
    return gd._fullLayout && !gd.classList.contains('dash-graph--pending') &&
      Math.abs(gd._fullLayout.height - gd.clientHeight) <= 2;
  });
}"""

CHECK = """({main, keyFigures, minType}) => {
  const problems = [];
  const vw = window.innerWidth, vh = window.innerHeight;
  const vis = el => !!el && el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden';
  const R = el => el.getBoundingClientRect();
  const fmt = r => '[' + [r.left, r.top, r.right, r.bottom].map(Math.round).join(', ') + ']';
  const barEl = document.getElementById('story-bar'), bar = R(barEl);
  if (!vis(barEl) || bar.bottom > vh + 1 || bar.top > vh - 20) { problems.push('story bar not on screen'); }
  document.querySelectorAll('.controls-panel, .atalaya-navbar, .modebar-container').forEach(el => {
    if (vis(el)) { problems.push('visible in presenter mode: .' + el.className.split(' ').join('.')); }
  });
  const banner = document.getElementById('synthetic-banner');
  if (!vis(banner) || R(banner).top < 0 || R(banner).bottom > bar.top) { problems.push('synthetic-data banner not on screen'); }
  if (document.documentElement.scrollWidth > vw + 1) {
    problems.push('page wider than the screen: ' + document.documentElement.scrollWidth + ' px');
  }

  for (const sel of main) {
    const el = document.querySelector(sel);
    if (!vis(el)) { problems.push(sel + ': not shown'); continue; }
    const r = R(el);
    if (r.top < 0 || r.left < -1 || r.right > vw + 1 || r.bottom > bar.top + 1) {
      problems.push(sel + ' ' + fmt(r) + ' is not inside the screen above the story bar (top ' + Math.round(bar.top) + ')');
    }
    if (r.height < 0.4 * vh) { problems.push(sel + ': only ' + Math.round(r.height) + ' px high'); }
    const gd = el.matches('.dash-graph') ? el.querySelector('.js-plotly-plot') : null;
    if (!gd) { continue; }
    const fl = gd._fullLayout;
    if (fl.font.size < minType) { problems.push(sel + ': plotly base type ' + fl.font.size + ' px (< ' + minType + ')'); }
    const title = fl.title && fl.title.font ? fl.title.font.size : 0;
    if (fl.title && fl.title.text && title < minType * 1.3) { problems.push(sel + ': title type ' + title + ' px'); }
    const sub = fl.title && fl.title.subtitle && fl.title.subtitle.text ? fl.title.subtitle.font.size : 0;
    if (sub && title < 1.3 * sub) { problems.push(sel + ': title ' + title + ' px hardly larger than its subtitle ' + sub + ' px'); }
    // event labels are stacked in rows just under the top of the plot, for the plot's current height
    const ev = (fl.annotations || []).filter(a => a.name === 'event' && a.yref === 'paper');
    const ys = fl._size ? [...new Set(ev.map(a => (1 - a.y) * fl._size.h - (a.yshift || 0)))].sort((a, b) => a - b) : [];
    for (let i = 1; i < ys.length; i++) {
      const gap = ys[i] - ys[i - 1], want = ev[0].font.size * 1.35 + 2 * (ev[0].borderpad || 1) + 2;
      if (gap > want * 1.5) {
        problems.push(sel + ': event label rows ' + Math.round(gap) + ' px apart, stacked for another plot height (' + Math.round(want) + ' px wanted)');
        break;
      }
    }
    const g = R(gd);
    gd.querySelectorAll('.gtitle, .g-gtitle text, .annotation, .xtick text, .ytick text, .legendtext').forEach(t => {
      const b = R(t);
      if (!b.width || !b.height) { return; }
      if (b.left < g.left - 2 || b.right > g.right + 2 || b.top < g.top - 2 || b.bottom > g.bottom + 2) {
        problems.push(sel + ': text outside the figure ' + fmt(b) + ' vs ' + fmt(g) + ': "' + t.textContent.slice(0, 60) + '"');
      }
    });
  }

  // key figures: on the first screen, large, inside their card, not over each other
  const cardSel = '.kf-card, .index-card, .trends-kf, .costs-kf-card';
  const kfs = [...document.querySelectorAll('.key-figure')].filter(el => vis(el) && R(el).top < bar.top);
  if (keyFigures && !kfs.length) { problems.push('no key figure on the first screen'); }
  kfs.forEach((el, i) => {
    const r = R(el), card = el.closest(cardSel) || el.parentElement, c = R(card);
    const size = parseFloat(getComputedStyle(el).fontSize);
    if (el.scrollWidth > el.clientWidth + 1) {
      problems.push('key figure "' + el.textContent + '" overflows: ' + el.scrollWidth + ' > ' + el.clientWidth + ' px');
    }
    if (r.left < c.left - 1 || r.right > c.right + 1) {
      problems.push('key figure "' + el.textContent + '" ' + fmt(r) + ' outside its card ' + fmt(c));
    }
    if (card.scrollWidth > card.clientWidth + 1) { problems.push('card of "' + el.textContent + '" overflows'); }
    if (r.bottom > bar.top + 1) { problems.push('key figure "' + el.textContent + '" under the story bar'); }
    if (size < 28) { problems.push('key figure "' + el.textContent + '" only ' + size + ' px'); }
    kfs.slice(i + 1).forEach(o => {
      const q = R(o);
      if (r.left < q.right - 1 && q.left < r.right - 1 && r.top < q.bottom - 1 && q.top < r.bottom - 1) {
        problems.push('key figures "' + el.textContent + '" and "' + o.textContent + '" overlap');
      }
    });
  });

  // contrast of the key texts against what they are drawn on
  const rgba = s => { const m = s.match(/[\\d.]+/g) || [0, 0, 0, 0]; return m.length < 4 ? [+m[0], +m[1], +m[2], 1] : m.map(Number); };
  const over = (top, bottom) => [0, 1, 2].map(k => top[k] * top[3] + bottom[k] * (1 - top[3])).concat([1]);
  const lum = c => { const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
                     return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]); };
  const background = el => {
    const layers = [];
    for (let n = el; n && n.nodeType === 1; n = n.parentElement) {
      const c = rgba(getComputedStyle(n).backgroundColor);
      if (c[3] > 0) { layers.push(c); }
      if (c[3] >= 1) { break; }
    }
    return layers.reverse().reduce((acc, c) => over(c, acc), [255, 255, 255, 1]);
  };
  const texts = document.querySelectorAll('.key-figure, .key-figure-suffix, .key-figure-label, .key-figure-meta, ' +
    '.source-note, .kf-label, .kf-unit, .kf-period, .kf-change, .index-not-official, .synthetic-banner, ' +
    '#story-title, #story-pos, h1');
  texts.forEach(el => {
    if (!vis(el) || !el.textContent.trim() || R(el).top >= bar.top && el.closest('#story-bar') === null) { return; }
    const cs = getComputedStyle(el), bg = background(el), fg = over(rgba(cs.color), bg);
    const a = lum(fg), b = lum(bg), ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    const px = parseFloat(cs.fontSize), large = px >= 24 || (px >= 18.66 && parseInt(cs.fontWeight, 10) >= 700);
    if (ratio < (large ? 3 : 4.5)) {
      problems.push('contrast ' + ratio.toFixed(2) + ':1 for "' + el.textContent.trim().slice(0, 40) + '" (' + cs.color +
                    ' on rgb(' + bg.slice(0, 3).map(Math.round).join(', ') + '))');
    }
  });
  return problems;
}"""


def settle(page, main: list[str]) -> None:
    wait_for_dash(page)
    page.wait_for_function(SETTLED, arg=main, timeout=60_000)
    # two frames: the last layout pass has been painted
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    page.wait_for_function(SETTLED, arg=main, timeout=30_000)


def check(page, path: str, label: str) -> list[str]:
    main = MAIN[path]
    settle(page, main)
    problems = page.evaluate(CHECK, {"main": main, "keyFigures": path in HAS_KEY_FIGURES, "minType": 15.5})
    return [f"{label}: {p}" for p in problems]


@pytest.mark.parametrize("url", VIEWS, ids=[u.split("?")[0].strip("/") + str(i) for i, u in enumerate(VIEWS)])
def test_presenter_view_fills_the_projector_screen(page, demo_server, url):
    from tests.browser.conftest import ARTIFACTS

    path = url.split("?")[0]
    sep = "&" if "?" in url else "?"
    problems: list[str] = []
    page.set_viewport_size({"width": SIZES[0][0], "height": SIZES[0][1]})
    page.goto(demo_server.url + url + sep + "present=1")
    problems += check(page, path, "es 1920x1080")
    ARTIFACTS.mkdir(exist_ok=True)
    name = path.strip("/") + ("-" + url.split("terr=")[1].split("&")[0].replace(",", "_") if "terr=" in url else "")
    page.screenshot(path=str(ARTIFACTS / f"presenter-{name}-1920x1080.png"))
    # the same page on a smaller projector: the layout follows the new screen
    page.set_viewport_size({"width": SIZES[1][0], "height": SIZES[1][1]})
    problems += check(page, path, "es 1280x720 (resized)")
    page.screenshot(path=str(ARTIFACTS / f"presenter-{name}-1280x720.png"))
    # English, loaded at 1280×720
    page.goto(demo_server.url + url + sep + "present=1&lang=en")
    problems += check(page, path, "en 1280x720")
    assert not problems, "\n".join(problems)
