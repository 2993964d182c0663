"""The map explorer and the index map in a real browser on a country that is not Guatemala's shape
(tests/fixtures.py `make_wide_dataset`: wider than tall, land in its top-left corner, empty top-right and
bottom-left corners; level names Estado/Municipio).

For every view: the legend (or the index map's colour bar) drawn by plotly covers no land — its box on
screen against the municipalities' rectangles projected by the map itself —, the country fills the map's
box, and the corner and zoom the browser chose for the map's real box are those analytics.map_view
computes for that box (assets/40_presenter.js mirrors it). An indicator with data for one state opens on
that state and the department filter still moves the view; the small-number threshold is disabled for a
survey; a zoom made by hand survives a filter change. At the desk (1440×900, 1280×720, Spanish and
English) and in presenter mode."""

from __future__ import annotations

from typing import Iterator

import pytest

from analytics import map_view as mv
from tests.browser.conftest import LiveServer, wait_for_dash
from tests.fixtures import WIDE_MUNIS, WIDE_STATES, make_wide_dataset

MAP = "#map-graph .js-plotly-plot"
INDEX = "#index-map .js-plotly-plot"


@pytest.fixture(scope="module")
def wide_server(tmp_path_factory) -> Iterator[LiveServer]:
    from app import create_app

    server = LiveServer(create_app(make_wide_dataset(tmp_path_factory.mktemp("wide"))))
    yield server
    server.stop()


SETTLED = """(sel) => {
  const P = window.atalayaPresenter, gd = document.querySelector(sel);
  if (P && P.settled && !P.settled()) { return false; }
  return !!(gd && gd._fullLayout && gd._fullLayout.map && gd._fullLayout.map._subplot && gd._atalayaOverlay &&
            !gd.classList.contains('dash-graph--pending') && Math.abs(gd._fullLayout.width - gd.clientWidth) <= 2 &&
            Math.abs(gd._fullLayout.height - gd.clientHeight) <= 2);
}"""

# what the map draws, on screen: the overlay's box (legend annotation, or colour bar and the legend of
# the "no data" entry), each municipality's rectangle as the map projects it, the map canvas, and what
# the browser decided (gd._atalayaOverlay)
DRAWN = """([sel, rects]) => {
  const gd = document.querySelector(sel), fl = gd._fullLayout, m = fl.map._subplot.map;
  const c = m.getCanvas().getBoundingClientRect();
  const box = el => { const r = el.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; };
  const overlays = [];
  const i = (fl.annotations || []).findIndex(a => a.name === 'legend');
  if (i >= 0) { overlays.push(box(gd.querySelector('.annotation[data-index="' + i + '"] .bg'))); }
  const cb = gd.querySelector('.colorbar'); if (cb) { overlays.push(box(cb)); }
  const lg = gd.querySelector('.legend'); if (lg && lg.getBoundingClientRect().width) { overlays.push(box(lg)); }
  const land = {};
  Object.entries(rects).forEach(([id, r]) => {
    const a = m.project([r[0], r[3]]), b = m.project([r[2], r[1]]);
    land[id] = [c.left + a.x, c.top + a.y, c.left + b.x, c.top + b.y];
  });
  return {overlays, land, canvas: [c.left, c.top, c.right, c.bottom], decided: gd._atalayaOverlay,
          zoom: fl.map.zoom, fit: fl.meta && fl.meta.fit};
}"""


def _area(a, b) -> float:
    return max(0.0, min(a[2], b[2]) - max(a[0], b[0])) * max(0.0, min(a[3], b[3]) - max(a[1], b[1]))


def _drawn(page, sel: str, rects: dict) -> dict:
    page.wait_for_function(SETTLED, arg=sel, timeout=60_000)
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    page.wait_for_function(SETTLED, arg=sel, timeout=30_000)
    return page.evaluate(DRAWN, [sel, {k: list(v) for k, v in rects.items()}])


def _check_view(d: dict, label: str, shown: dict, fill: float = 0.8) -> list[str]:
    """Problems with a drawn map: an overlay over land, the area shown not filling the map's box, or a
    corner/zoom that differs from analytics.map_view for the same box."""
    problems = []
    for ov in d["overlays"]:
        for tid, r in d["land"].items():
            if _area(ov, r) > 1.0:  # (1 px² for anti-aliased edges)
                problems.append(f"{label}: the overlay {[round(x) for x in ov]} covers {tid} {[round(x) for x in r]}")
    xs = [v for tid in shown for v in (d["land"][tid][0], d["land"][tid][2])]
    ys = [v for tid in shown for v in (d["land"][tid][1], d["land"][tid][3])]
    c = d["canvas"]
    if min(xs) < c[0] - 1 or max(xs) > c[2] + 1 or min(ys) < c[1] - 1 or max(ys) > c[3] + 1:
        problems.append(f"{label}: the area shown goes outside the map ({min(xs):.0f}–{max(xs):.0f} × "
                        f"{min(ys):.0f}–{max(ys):.0f} in {[round(v) for v in c]})")
    if (max(xs) - min(xs)) < fill * (c[2] - c[0]) and (max(ys) - min(ys)) < fill * (c[3] - c[1]):
        problems.append(f"{label}: the area shown is small in its box ({max(xs) - min(xs):.0f} × "
                        f"{max(ys) - min(ys):.0f} px of {c[2] - c[0]:.0f} × {c[3] - c[1]:.0f})")
    o, fit = d["decided"], d["fit"]
    grid = mv.LandGrid.from_json(fit["bounds"], fit["land"])
    expect = mv.place_overlay(grid, o["bw"], o["bh"], o["w"], o["h"], o["margin"], o["inset"])
    if (expect.corner, expect.view.zoom) != (o["corner"], o["zoom"]) or abs(d["zoom"] - o["zoom"]) > 1e-9:
        problems.append(f"{label}: the browser chose {o['corner']} at zoom {o['zoom']} (drawn {d['zoom']}), "
                        f"analytics {expect.corner} at {expect.view.zoom} for the same box")
    return problems


def test_legend_covers_no_land_at_the_desk_for_the_country_and_a_state(page, wide_server):
    problems: list[str] = []
    for (w, h), lang in (((1440, 900), "es"), ((1280, 720), "en")):
        page.set_viewport_size({"width": w, "height": h})
        q = "?lang=en" if lang == "en" else ""
        page.goto(wide_server.url + "/map" + q)
        wait_for_dash(page)
        d = _drawn(page, MAP, WIDE_MUNIS)
        problems += _check_view(d, f"country {w}x{h} {lang}", WIDE_MUNIS)
        assert d["decided"]["corner"] == "tr"  # the top-left corner is land; the top-right is not
        # a state that fills its own box: a strip is kept clear for the legend
        page.goto(wide_server.url + "/map?dept=01" + ("&lang=en" if lang == "en" else ""))
        wait_for_dash(page)
        d1 = _drawn(page, MAP, WIDE_MUNIS)
        state = {k: v for k, v in WIDE_MUNIS.items() if k.startswith("01")}
        # the legend must not cover the state; its veiled neighbours may be under it
        problems += _check_view({**d1, "land": {k: d1["land"][k] for k in state}}, f"state 01 {w}x{h} {lang}",
                                state, fill=0.6)
    assert not problems, "\n".join(problems)


def test_a_zoom_made_by_hand_survives_a_filter_change(page, wide_server):
    page.goto(wide_server.url + "/map")
    wait_for_dash(page)
    d = _drawn(page, MAP, WIDE_MUNIS)
    c = d["canvas"]
    page.mouse.move((c[0] + c[2]) / 2, (c[1] + c[3]) / 2)
    page.mouse.wheel(0, -400)
    page.wait_for_timeout(1500)
    zoomed = page.evaluate(f"() => document.querySelector('{MAP}')._fullLayout.map.zoom")
    assert zoomed > d["zoom"] + 0.3
    page.locator("#map-method").click()
    page.locator(".dash-dropdown-option", has_text="Intervalos iguales").first.click()
    wait_for_dash(page)
    page.wait_for_function(f"() => document.querySelector('{MAP}')._fullLayout.annotations[0].text.includes('14.0') === false",
                           timeout=30_000)
    page.wait_for_timeout(800)
    after = page.evaluate(f"() => document.querySelector('{MAP}')._fullLayout.map.zoom")
    assert after == pytest.approx(zoomed, abs=0.01)


def test_long_titles_stay_inside_the_map_at_the_desk(page, wide_server):
    from tests.browser.test_figure_texts import CHECK

    problems: list[str] = []
    for (w, h), q in (((1280, 720), "?ind=north_robberies"), ((1280, 720), "?ind=north_robberies&lang=en"),
                      ((1100, 800), "?ind=north_robberies&measure=count")):
        page.set_viewport_size({"width": w, "height": h})
        page.goto(wide_server.url + "/map" + q)
        wait_for_dash(page)
        _drawn(page, MAP, WIDE_MUNIS)
        problems += [f"{q} at {w}x{h}: {p}" for p in page.evaluate(CHECK)]
    assert not problems, "\n".join(problems)


def test_an_indicator_of_one_state_opens_on_it_and_the_state_filter_still_moves_the_view(page, wide_server):
    page.goto(wide_server.url + "/map?ind=north_robberies")
    wait_for_dash(page)
    d = _drawn(page, MAP, WIDE_MUNIS)
    north = {k: v for k, v in WIDE_MUNIS.items() if k.startswith("01")}
    problems = _check_view({**d, "land": {k: d["land"][k] for k in north}}, "Norte's series", north, fill=0.6)
    assert not problems, "\n".join(problems)
    assert d["fit"]["bounds"] == list(WIDE_STATES["01"])
    # the rest of the country in view is drawn as "no data" (grey), not left out
    nodata = page.evaluate(f"() => Array.from(document.querySelector('{MAP}')._fullData[1].locations)")
    assert sorted(nodata) == ["0201", "0202", "0301", "0302"]
    assert page.locator("#map-rank-caption").inner_text() == "Tierra Ancha · 2021 · 3 territorios · datos solo para Norte"
    # choosing another state: the view goes there (no data at all), the caption says where the data are
    page.locator("#map-dept").click()
    page.locator(".dash-dropdown-option", has_text="Oriente").first.click()
    page.wait_for_function(f"() => document.querySelector('{MAP}')._fullLayout.meta.fit.bounds[0] === 6", timeout=30_000)
    wait_for_dash(page)
    d3 = _drawn(page, MAP, WIDE_MUNIS)
    east = {k: v for k, v in WIDE_MUNIS.items() if k.startswith("03")}
    problems = _check_view({**d3, "land": {k: d3["land"][k] for k in east}}, "Oriente", east, fill=0.6)
    assert not problems, "\n".join(problems)
    page.wait_for_function("() => document.querySelector('#map-rank-caption').innerText.startsWith('Oriente')")
    assert page.locator("#map-rank-caption").inner_text() == "Oriente · 2021 · 0 territorios · datos solo para Norte"
    # back to an indicator of the whole country, for the whole country: the view opens out again
    page.locator("#map-dept").click()
    page.locator(".dash-dropdown-option", has_text="Todo el país").first.click()
    page.locator("#map-indicator").click()
    page.locator(".dash-dropdown-option", has_text="Homicidios").first.click()
    page.wait_for_function(f"() => document.querySelector('{MAP}')._fullLayout.meta.fit.bounds[1] === 14 && "
                           f"document.querySelector('{MAP}')._fullLayout.meta.fit.bounds[0] === 0", timeout=30_000)
    wait_for_dash(page)
    d0 = _drawn(page, MAP, WIDE_MUNIS)
    assert not _check_view(d0, "country again", WIDE_MUNIS)


def test_presenter_mode_places_the_legend_and_the_index_colour_bar_off_the_land(page, wide_server):
    problems: list[str] = []
    for w, h in ((1280, 720), (1920, 1080)):
        page.set_viewport_size({"width": w, "height": h})
        for path in ("/map?present=1", "/map?present=1&dept=01", "/index?present=1"):
            page.goto(wide_server.url + path)
            wait_for_dash(page)
            page.wait_for_function("() => document.getElementById('root').classList.contains('presenter')")
            sel = INDEX if path.startswith("/index") else MAP
            d = _drawn(page, sel, WIDE_MUNIS)
            shown = {k: v for k, v in WIDE_MUNIS.items() if "dept=01" not in path or k.startswith("01")}
            d = {**d, "land": {k: d["land"][k] for k in shown}}
            problems += _check_view(d, f"{path} {w}x{h}", shown, fill=0.6)
    assert not problems, "\n".join(problems)


def test_index_map_colour_bar_covers_no_land_at_the_desk(page, wide_server):
    problems: list[str] = []
    for (w, h), q in (((1440, 900), ""), ((1280, 720), "?lang=en&color=score")):
        page.set_viewport_size({"width": w, "height": h})
        page.goto(wide_server.url + "/index" + q)
        wait_for_dash(page)
        d = _drawn(page, INDEX, WIDE_MUNIS)
        assert d["overlays"], "no colour bar drawn"
        problems += _check_view(d, f"index {w}x{h} {q}", WIDE_MUNIS)
    assert not problems, "\n".join(problems)


def test_small_number_threshold_is_disabled_for_a_survey(page, wide_server):
    page.goto(wide_server.url + "/map?ind=trust_survey")
    wait_for_dash(page)
    box = page.locator("#map-small")
    assert box.is_disabled()
    # its accessible name says why
    name = page.evaluate("() => document.querySelector('label[for=map-small]').textContent")
    assert name == "Aviso de números pequeños (no aplica: este indicador no tiene casos, es un valor observado)"
    assert page.get_by_label("Aviso de números pequeños (no aplica", exact=False).count() == 1
    # an indicator with counts: enabled again, and its label is the plain one
    page.locator("#map-indicator").click()
    page.locator(".dash-dropdown-option", has_text="Homicidios").first.click()
    page.wait_for_function("() => !document.querySelector('#map-small').disabled", timeout=30_000)
    assert page.evaluate("() => document.querySelector('label[for=map-small]').textContent") == "Aviso de números pequeños"
    # counts: disabled (counts are never flagged)
    page.locator("#map-measure label").filter(has_text="Casos").first.click()
    page.wait_for_function("() => document.querySelector('#map-small').disabled", timeout=30_000)
    assert "no aplica a los casos" in page.evaluate("() => document.querySelector('label[for=map-small]').textContent")
