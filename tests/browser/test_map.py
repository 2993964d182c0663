"""The map explorer in a real browser: what the map draws (values, classes, no-data polygons), the
legend and the ranking agree with analytics.map_values for the same filters, after driving the real
controls; clicking a ranking row or a municipality on the map selects it and leads to its profile;
the view survives a reload; English works; the console stays clean (conftest's `page` fixture)."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest

from analytics.map_values import MapQuery, change_classification, classify, map_values, ranking
from components import map_figure as mf
from tests.browser.conftest import wait_for_dash

GD = "document.querySelector('#map-graph .js-plotly-plot')"


def _ready(page, title_part: str | None = None) -> None:
    """Wait until Dash is idle and the map figure has its three traces (and the title, if given)."""
    wait_for_dash(page)
    cond = f"{GD} && {GD}._fullData && {GD}._fullData.length === 3"
    if title_part:
        cond += f" && {GD}.layout.title.text.includes({title_part!r})"
    page.wait_for_function(f"() => {cond}", timeout=60_000)
    wait_for_dash(page)


def _figure(page) -> dict:
    return page.evaluate(
        f"""() => {{ const gd = {GD}; const v = gd._fullData[0], nd = gd._fullData[1], s = gd._fullData[2];
        return {{locations: Array.from(v.locations), z: Array.from(v.z, x => (x === null || isNaN(x) || x === 0) ? null : x),
                 custom: Array.from(v.customdata, r => Array.from(r)), text: Array.from(v.text || []),
                 nodata: Array.from(nd.locations), selected: Array.from(s.locations || []),
                 title: gd.layout.title.text, center: gd.layout.map.center, zoom: gd.layout.map.zoom,
                 zmin: v.zmin, zmax: v.zmax, colorscale: v.colorscale,
                 legend: gd.layout.annotations[0].text}}; }}"""
    )


def _grid_rows(page) -> list[dict]:
    """Every row of the ranking grid in display order. The grid loads rows from the server in blocks
    (infinite row model): scroll each block into view and wait for its data before reading."""
    return page.evaluate(
        """async () => {
        const api = await dash_ag_grid.getApiAsync('map-grid');
        const sleep = ms => new Promise(r => setTimeout(r, ms));
        const loaded = async (i) => { for (let k = 0; k < 400; k++) {
            const nd = api.getDisplayedRowAtIndex(i); if (nd && nd.data) { return true; } await sleep(50); }
            return false; };
        let missing = [];
        for (let attempt = 0; attempt < 20; attempt++) {  // a purge (new query) may drop blocks meanwhile
            if (!(await loaded(0))) { return []; }
            const n = api.getDisplayedRowCount();
            for (let i = 0; i < n; i += 50) { api.ensureIndexVisible(i, 'top'); await loaded(i); }
            api.ensureIndexVisible(0, 'top');
            const out = [];
            for (let i = 0; i < n; i++) { const nd = api.getDisplayedRowAtIndex(i); out.push(nd && nd.data ? nd.data : null); }
            if (out.every(r => r !== null)) { return out; }
            missing = out.map((r, i) => r === null ? i : -1).filter(i => i >= 0);
            await sleep(200);
        }
        throw new Error('the ranking grid never loaded rows ' + missing.slice(0, 10) + ' of ' +
                        api.getDisplayedRowCount() + ': ' + JSON.stringify(api.getCacheBlockState())); }"""
    )


def _legend(page) -> list[tuple[str, int]]:
    rows = page.locator("#map-legend .map-legend-row")
    return [(rows.nth(i).get_attribute("data-class"), int(rows.nth(i).get_attribute("data-count")))
            for i in range(rows.count())]


def _check_against_analytics(page, ds, q: MapQuery, method: str = "quantiles", dept: str | None = None,
                             timeout: float = 20.0) -> None:
    """Poll until what the page shows agrees with analytics (a Patch may still be on its way)."""
    import time

    deadline = time.monotonic() + timeout
    while True:
        try:
            _compare(page, ds, q, method, dept)
            return
        except AssertionError:
            if time.monotonic() > deadline:
                raise
            page.wait_for_timeout(500)


def _compare(page, ds, q: MapQuery, method: str, dept: str | None) -> None:
    mv = map_values(ds, q)
    cls = change_classification(mv) if q.measure == "change" else classify(mv.table["value"], method, 5)
    fig = _figure(page)
    tab = mv.table.set_index("territory_id")
    assert len(fig["locations"]) == len(tab)
    got_val = np.array([np.nan if r[0] is None else r[0] for r in fig["custom"]], dtype=float)
    exp_val = tab.loc[fig["locations"], "value"].to_numpy(float)
    assert np.array_equal(np.isnan(got_val), np.isnan(exp_val))
    ok = ~np.isnan(exp_val)
    assert np.allclose(got_val[ok], exp_val[ok], rtol=1e-5, atol=1e-4)  # float32 on the wire
    # z = rank; the colour drawn for each territory is the colour of its class in analytics;
    # no-data territories (z = 0) are transparent in the values trace and grey in the "no data" trace above it
    ranks = np.array([np.nan if z is None else z for z in fig["z"]], dtype=float)
    assert np.array_equal(np.isnan(ranks), ~ok)
    assert np.allclose(ranks[ok], tab.loc[fig["locations"], "rank"].to_numpy(float)[ok])
    colours = mf.legend_for(mv, cls, "en").colours
    exp_cls = dict(zip(mv.table["territory_id"], cls.classes))
    for t, z in zip(fig["locations"], fig["z"]):
        if z is not None:
            assert mf.colour_at(fig["colorscale"], fig["zmin"], fig["zmax"], z) == colours[exp_cls[t]]
    assert sorted(fig["nodata"]) == sorted(tab.index[tab["value"].isna()])
    # legend: one row per class with its count, plus "no data"
    legend = _legend(page)
    assert [n for _, n in legend[:-1]] == list(cls.counts)
    assert legend[-1] == ("nodata", cls.n_missing)
    # the legend inside the figure (for exported images) carries the same counts
    counts = [int(x.replace(",", "")) for x in re.findall(r"\(([\d,]+)\)(?:<br>|$)", fig["legend"])]
    assert counts == list(reversed(cls.counts)) + [cls.n_missing]
    # ranking: same territories, ranks and (rounded) values, worst first
    rows = _grid_rows(page)
    exp = ranking(mv, within=dept)
    assert [r["territory_id"] for r in rows if r["rank"] is not None] == \
        exp.loc[exp["rank"].notna(), "territory_id"].tolist()
    assert all(r["rank"] is None for r in rows[len(exp.loc[exp["rank"].notna()]):])  # no data last
    by_id = exp.set_index("territory_id")
    assert sorted(r["territory_id"] for r in rows) == sorted(by_id.index)
    for r in rows:
        e = by_id.loc[r["territory_id"]]
        if r["value"] is not None:
            assert r["rank"] == int(e["rank"])
            assert r["value"] == pytest.approx(e["value"], abs=0.051 if q.measure != "count" else 0)
            assert (r["flag"] != "") == bool(e["small"])


def _choose(page, dropdown_id: str, text: str) -> None:
    page.locator(f"#{dropdown_id}").click()
    page.locator(".dash-dropdown-option", has_text=text).first.click()


def _radio(page, group_id: str, text: str) -> None:
    """Click the radio option whose label is exactly `text` (or starts with it and a space)."""
    page.locator(f"#{group_id} label").filter(has_text=re.compile(rf"^{re.escape(text)}(\s|$)")).first.click()


def test_filters_map_legend_and_ranking_agree_with_analytics(page, demo_server):
    ds = demo_server.app.server.config["ATALAYA_CONTEXT"].dataset
    page.set_default_timeout(60_000)
    page.goto(demo_server.url + "/map?lang=en")
    _ready(page, "Homicides")
    assert page.locator("h1").first.inner_text() == "Map explorer"
    fig = _figure(page)
    assert "<b>Homicides</b>" in fig["title"]
    assert "rate per 100,000 people · 2024 · municipalities" in fig["title"]
    assert "SYNTHETIC" in page.locator("#map-source").inner_text()
    _check_against_analytics(page, ds, MapQuery("homicides", "2024", 2, "total", "rate"))

    # sex: women
    _radio(page, "map-sex", "Women")
    _ready(page, "Homicides")
    page.wait_for_function(f"() => {GD}.layout.title.text.includes('2024')")
    _check_against_analytics(page, ds, MapQuery("homicides", "2024", 2, "female", "rate"))

    # period: two steps back with the keyboard on the slider
    page.locator("#map-period [role=slider]").focus()
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")
    _ready(page, "2022")
    assert page.locator("#map-period-label").inner_text() == "2022"
    _check_against_analytics(page, ds, MapQuery("homicides", "2022", 2, "female", "rate"))

    # measure: count, then change against the baseline (traffic-light legend)
    _radio(page, "map-measure", "Count")
    _ready(page, "events")
    _check_against_analytics(page, ds, MapQuery("homicides", "2022", 2, "female", "count"))
    _radio(page, "map-measure", "Change vs baseline")
    _ready(page, "change")
    _check_against_analytics(page, ds, MapQuery("homicides", "2022", 2, "female", "change"))
    assert len(_legend(page)) == 4  # three traffic-light classes + no data

    # indicator: violent deaths of women (women only), back to the rate, natural breaks
    _choose(page, "map-indicator", "Violent deaths of women")
    _ready(page, "Violent deaths of women")
    assert page.locator("#map-sex label").all_inner_texts() == ["Women"]
    _radio(page, "map-measure", "Rate")
    _ready(page, "rate per 100,000 women")
    _choose(page, "map-method", "Natural breaks")
    wait_for_dash(page)
    _check_against_analytics(page, ds, MapQuery("violent_deaths_women", "2022", 2, "female", "rate"),
                             method="natural_breaks")

    # department: zooms in and filters the ranking
    zoom_before = _figure(page)["zoom"]
    _choose(page, "map-dept", "Escuintla")
    page.wait_for_function(f"() => {GD}.layout.map.zoom > {zoom_before} + 0.5")
    wait_for_dash(page)
    rows = _grid_rows(page)
    assert rows and {r["department"] for r in rows} == {"Escuintla"}
    _check_against_analytics(page, ds, MapQuery("violent_deaths_women", "2022", 2, "female", "rate"),
                             method="natural_breaks", dept="05")

    # level: departments (22 polygons, rates from summed counts); the ranking lists every department
    _radio(page, "map-level", "Departments")
    _ready(page, "departments")
    _check_against_analytics(page, ds, MapQuery("violent_deaths_women", "2022", 1, "female", "rate"),
                             method="natural_breaks")


def test_survey_indicator_is_mapped_by_department_and_the_view_survives_a_reload(page, demo_server):
    ds = demo_server.app.server.config["ATALAYA_CONTEXT"].dataset
    page.set_default_timeout(60_000)
    page.goto(demo_server.url + "/map?lang=en")
    _ready(page, "Homicides")
    _choose(page, "map-indicator", "Trust in the national police")
    _ready(page, "Trust in the national police")
    assert "by department only" in page.locator("#map-note").inner_text()
    assert page.locator("#map-level input[value='2']").is_disabled()
    assert "departments" in _figure(page)["title"]
    _check_against_analytics(page, ds, MapQuery("trust_police_national", "2024-Q4", 1, "total", "value"))
    _radio(page, "map-sex", "Men")
    _ready(page, "Trust")
    page.wait_for_function("() => location.search.includes('sex=male')")
    url = page.url
    assert "ind=trust_police_national" in url and "lvl=1" in url and "lang=en" in url
    page.reload()
    _ready(page, "Trust in the national police")
    assert page.locator("#map-sex input[value='male']").is_checked()
    _check_against_analytics(page, ds, MapQuery("trust_police_national", "2024-Q4", 1, "male", "value"))


def test_selecting_from_the_ranking_and_the_map_leads_to_the_profile(page, demo_server):
    page.set_default_timeout(60_000)
    page.goto(demo_server.url + "/map?lang=en&period=2023&top=top10")
    _ready(page, "2023")
    rows = _grid_rows(page)
    assert len(rows) == 10 and [r["rank"] for r in rows] == sorted(r["rank"] for r in rows)
    # search filters the table (quick filter)
    page.locator("#map-search").fill(rows[1]["name"])
    page.wait_for_function(
        """async () => { const api = await dash_ag_grid.getApiAsync('map-grid');
        return api.getDisplayedRowCount() === 1; }""")
    page.locator("#map-search").fill("")
    page.wait_for_function(
        """async () => { const api = await dash_ag_grid.getApiAsync('map-grid');
        return api.getDisplayedRowCount() === 10; }""")
    # click a ranking row: it is outlined on the map and the profile link appears
    first = rows[0]
    cell = page.locator("#map-grid .ag-center-cols-container .ag-row[row-index='0'] .ag-cell[col-id='name']")
    page.wait_for_function(
        """(name) => { const c = document.querySelector(
            "#map-grid .ag-center-cols-container .ag-row[row-index='0'] .ag-cell[col-id='name'] .map-cell-name");
        return c && c.innerText.trim() === name; }""", arg=first["name"])
    cell.click()
    page.wait_for_function(f"() => {GD}._fullData[2].locations.length === 1")
    assert _figure(page)["selected"] == [first["territory_id"]]
    assert page.locator("#map-selected-name").inner_text().startswith(first["name"])
    page.wait_for_function(f"() => location.search.includes('sel={first['territory_id']}')")
    # click a municipality on the map (a real mouse click at a point inside its polygon)
    import json

    import shapely

    ctx = page.context  # noqa: F841 - keeps the linter quiet about unused imports in some setups
    path = next(p for lv, p in _boundary_files().items() if lv == 2)
    gj = json.loads(open(path, encoding="utf-8").read())
    target = next(f for f in gj["features"] if f["id"] == "1701")  # Flores, Petén: large and easy to hit
    pt = shapely.geometry.shape(target["geometry"]).representative_point()
    xy = page.evaluate(
        f"""() => {{ const gd = {GD}; const m = gd._fullLayout.map._subplot.map;
        const p = m.project([{pt.x}, {pt.y}]); const r = m.getCanvas().getBoundingClientRect();
        return [r.left + p.x, r.top + p.y]; }}"""
    )
    page.mouse.click(xy[0], xy[1])
    page.wait_for_function(f"() => {GD}._fullData[2].locations[0] === '1701'")
    assert page.locator("#map-selected-name").inner_text().startswith("Flores")
    page.locator("#map-profile-link").click()
    page.wait_for_url(re.compile(r"/profile\?territory=1701"))
    assert "lang=en" in page.url


def _boundary_files() -> dict[int, str]:
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "data" / "demo" / "boundaries"
    return {1: str(root / "admin1.json"), 2: str(root / "admin2.json")}


def test_spanish_is_the_default_and_numbers_are_formatted(page, demo_server):
    page.set_default_timeout(60_000)
    page.goto(demo_server.url + "/")
    _ready(page, "Homicidios")
    assert page.locator("h1").first.inner_text() == "Mapa municipal"
    assert "DATOS SINTÉTICOS" in page.locator("#map-source").inner_text()
    assert page.locator("#map-legend .map-legend-nodata").inner_text().startswith("Sin datos")
    assert not math.isnan(float(_figure(page)["zoom"]))
