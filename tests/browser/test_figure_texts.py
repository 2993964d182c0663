"""At the desk, every figure's texts stay inside the figure and its source is shown once.

Each figure draws its title and source line inside itself (so exported images carry them); the server
cannot know how wide a responsive figure will be, so assets/40_presenter.js wraps the source line to the
figure's real width and the bottom margin follows. This test opens every page with figures at two desk
widths and checks, for every drawn figure: the title, the annotations (source line included) and the
axis labels lie inside the figure's box; and the HTML copy of the source line under a figure is kept for
screen readers only (not shown a second time).
"""

from __future__ import annotations

import pytest

from tests.browser.conftest import wait_for_dash

PAGES = ["/map", "/trends", "/costs", "/index?sel=0501", "/profile?territory=0101"]

SETTLED = """() => {
  const P = window.atalayaPresenter;
  if (P && P.settled && !P.settled()) { return false; }
  const gds = [...document.querySelectorAll('.js-plotly-plot')].filter(g => g.getClientRects().length);
  return gds.length > 0 && gds.every(g => g._fullLayout && Math.abs(g._fullLayout.width - g.clientWidth) <= 2);
}"""

CHECK = """() => {
  const problems = [];
  const R = el => el.getBoundingClientRect();
  const fmt = r => '[' + [r.left, r.top, r.right, r.bottom].map(Math.round).join(', ') + ']';
  const gds = [...document.querySelectorAll('.js-plotly-plot')].filter(g => g.getClientRects().length);
  for (const gd of gds) {
    const name = gd.closest('[id]') ? gd.closest('[id]').id : '?';
    const g = R(gd);
    gd.querySelectorAll('.gtitle, .annotation, .xtick text, .ytick text, .xtitle, .ytitle').forEach(t => {
      const b = R(t);
      if (!b.width || !b.height) { return; }
      if (b.left < g.left - 2 || b.right > g.right + 2 || b.top < g.top - 2 || b.bottom > g.bottom + 2) {
        problems.push(name + ': text outside the figure ' + fmt(b) + ' vs ' + fmt(g) + ': "' +
                      t.textContent.slice(0, 50) + '"');
      }
    });
    const fl = gd._fullLayout, hasSource = (fl.annotations || []).some(a => a.name === 'source');
    // the source line under the figure, if any, is for screen readers only
    const block = gd.closest('.atalaya-graph') || gd.closest('.dash-graph');
    let note = block;
    while (note && note.parentElement && !note.nextElementSibling) { note = note.parentElement; }
    note = note ? note.nextElementSibling : null;
    if (hasSource && note && note.classList.contains('source-note')) {
      const r = R(note);
      if (r.width > 2 && r.height > 2) { problems.push(name + ': source shown twice (in the figure and under it)'); }
    }
  }
  return problems;
}"""


@pytest.mark.parametrize("width,height", [(1440, 900), (1100, 800)])
def test_figure_texts_stay_inside_and_sources_show_once(page, demo_server, width, height):
    problems: list[str] = []
    page.set_viewport_size({"width": width, "height": height})
    for path in PAGES:
        page.goto(demo_server.url + path)
        wait_for_dash(page)
        page.wait_for_function(SETTLED, timeout=60_000)
        page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
        page.wait_for_function(SETTLED, timeout=30_000)
        problems += [f"{path} at {width}x{height}: {p}" for p in page.evaluate(CHECK)]
    assert not problems, "\n".join(problems)
