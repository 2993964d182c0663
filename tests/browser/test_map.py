"""The map explorer in a real browser: what the map draws (values, classes, no-data polygons), the
legend and the ranking agree with analytics.map_values for the same filters, after driving the real
controls; the ranking (AG Grid's infinite row model: rows come from the server in blocks) sorts,
searches, limits and downloads on the server with the values of analytics, fits its panel and shows
the small-number flag; clicking a ranking row or a municipality on the map selects it (outline, the
row marked, a link to its profile, the URL); the view survives a reload; English works; the console
stays clean (conftest's `page` fixture)."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest

from analytics.map_values import MapQuery, change_classification, class_counts_within, classify, map_values, ranking
from components import map_figure as mf
from tests.browser.conftest import broken_header_words, wait_for_dash

GD = "document.querySelector('#map-graph .js-plotly-plot')"


def _ready(page, title_part: str | None = None) -> None:
    """Wait until Dash is idle and the map figure has its four traces (and the title, if given)."""
    wait_for_dash(page)
    cond = f"{GD} && {GD}._fullData && {GD}._fullData.length === 4"
    if title_part:
        cond += f" && {GD}.layout.title.text.includes({title_part!r})"
    page.wait_for_function(f"() => {cond}", timeout=60_000)
    wait_for_dash(page)


def _figure(page) -> dict:
    return page.evaluate(
        f"""() => {{ const gd = {GD}; const v = gd._fullData[0], nd = gd._fullData[1], s = gd._fullData[3];
        return {{locations: Array.from(v.locations), z: Array.from(v.z, x => (x === null || isNaN(x) || x === 0) ? null : x),
                 custom: Array.from(v.customdata, r => Array.from(r)), text: Array.from(v.text || []),
                 nodata: Array.from(nd.locations), selected: Array.from(s.locations || []),
                 outside: Array.from(gd._fullData[2].locations || []), annotations: gd.layout.annotations.length,
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
    # legend: one row per class with its count, plus "no data"; with a department on the municipal
    # map, the department's municipalities per class (the country's classes and counts beside them)
    legend = _legend(page)
    shown, shown_missing = class_counts_within(mv, cls, dept) if dept and q.level == 2 else (cls.counts,
                                                                                             cls.n_missing)
    assert [n for _, n in legend[:-1]] == list(shown)
    assert legend[-1] == ("nodata", shown_missing)
    # the legend inside the figure (for exported images) carries the same counts
    counts = [int(x.replace(",", "")) for x in re.findall(r"\(([\d,]+)\)(?:<br>|$)", fig["legend"])]
    assert counts == list(reversed(cls.counts)) + [cls.n_missing]
    if dept and q.level == 2:
        assert f"<b>{ds.name(dept)} (" in fig["legend"]
        local = [int(x.replace(",", "")) for x in re.findall(r": ([\d,]+) \([\d,]+\)(?:<br>|$)", fig["legend"])]
        assert local == list(reversed(shown)) + [shown_missing] and sum(local) == len(ranking(mv, within=dept))
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

    # sex: women, a rate per 100,000 women (female victims over the female population) in the title,
    # the ranking's header and the hover
    _radio(page, "map-sex", "Women")
    _ready(page, "rate per 100,000 women")
    page.wait_for_function(f"() => {GD}.layout.title.text.includes('2024')")
    _check_against_analytics(page, ds, MapQuery("homicides", "2024", 2, "female", "rate"))
    assert "rate per 100,000 women · 2024" in _figure(page)["title"]
    page.wait_for_function("() => document.querySelector(\"#map-grid .ag-header-cell[col-id='value']\")"
                           ".innerText.replace(/\\n/g, ' ') === 'Rate per 100,000 women'")
    assert "per 100,000 women" in page.evaluate(f"() => {GD}._fullData[0].hovertemplate")

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
    # the note on what "change" compares pushes nothing off the first screen: the map gives up its height
    page.locator("#map-note").wait_for()
    page.wait_for_function("() => document.querySelector('#map-graph').getBoundingClientRect().bottom <= innerHeight")

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
    # the other 21 departments recede under the veil (trace 2); Escuintla is not veiled
    page.wait_for_function(f"() => {GD}._fullData[2].locations.length === 21")
    veiled = _figure(page)["outside"]
    assert "05" not in veiled and sorted(veiled) == sorted(
        str(i) for i in ds.territories_at(1, within=ds.main_country).index if str(i) != "05")
    _check_against_analytics(page, ds, MapQuery("violent_deaths_women", "2022", 2, "female", "rate"),
                             method="natural_breaks", dept="05")

    # level: departments (22 polygons, rates from summed counts); the ranking lists every department
    _radio(page, "map-level", "Departments")
    _ready(page, "departments")
    page.wait_for_function(f"() => {GD}._fullData[0].locations.length === 22")
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


def _api(page, body: str, arg=None):
    """Run `body` (JavaScript using `api`, the ranking grid's API) in the page and return its value."""
    return page.evaluate(f"async (arg) => {{ const api = await dash_ag_grid.getApiAsync('map-grid'); {body} }}", arg)


def _wait_rows(page, ids: list[str], timeout: float = 30.0) -> list[dict]:
    """Poll until the grid (all its blocks) lists exactly `ids`, in that order; return its rows."""
    import time

    deadline = time.monotonic() + timeout
    while True:
        rows = _grid_rows(page)
        if [r["territory_id"] for r in rows] == ids or time.monotonic() > deadline:
            assert [r["territory_id"] for r in rows] == ids
            return rows
        page.wait_for_timeout(300)


def _sorted_view(rows: list[dict], col: str, desc: bool) -> list[str]:
    """analytics' ranking sorted by one column as a reader expects: blanks last either way, equal
    values in ranking order."""
    from callbacks.map import _fold

    present = [r for r in rows if r[col] is not None and not (isinstance(r[col], float) and math.isnan(r[col]))]
    blank = [r for r in rows if r not in present]
    key = (lambda r: _fold(r[col])) if col == "name" else (lambda r: r[col])
    return [r["territory_id"] for r in sorted(present, key=key, reverse=desc) + blank]


def _download(page, button: str):
    with page.expect_download() as dl:
        page.locator(f"#{button}").click()
    return dl.value.path()


def test_ranking_fits_its_panel_and_flags_unstable_rates_where_they_are_read(page, demo_server):
    """At 1440×900 the map and the ranking start on the first screen, the grid needs no horizontal
    scroll, long names are not cut, and a rate resting on fewer than 10 events carries ⚠ in its value
    cell (the flag column itself is only in the downloads). Legend and source are drawn once, inside
    the figure; their HTML copies are for screen readers only."""
    ds = demo_server.app.server.config["ATALAYA_CONTEXT"].dataset
    page.set_default_timeout(60_000)
    page.goto(demo_server.url + "/map?lang=en")
    _ready(page, "Homicides")
    _grid_rows(page)
    box = lambda sel: page.locator(sel).first.bounding_box()  # noqa: E731
    assert box("#map-graph")["y"] < 330 and box("#map-grid")["y"] < 450  # filters: two compact rows
    assert box(".map-toolbar")["height"] < 140
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")  # no sideways scroll
    grid = box("#map-grid")
    assert grid["x"] + grid["width"] <= 1440
    assert page.evaluate("""() => { const v = document.querySelector('#map-grid .ag-center-cols-viewport');
        return v.scrollWidth <= v.clientWidth + 1; }""")
    for col in ("rank", "name", "value", "count", "population"):
        h = box(f"#map-grid .ag-header-cell[col-id='{col}']")
        assert h["x"] >= grid["x"] and h["x"] + h["width"] <= grid["x"] + grid["width"] + 1, col
    assert page.locator("#map-grid .ag-header-cell[col-id='flag']").count() == 0
    assert broken_header_words(page) == []
    mv = map_values(ds, MapQuery("homicides", "2024", 2, "total", "rate"))
    exp = ranking(mv)
    # the first flagged rate, scrolled into view: '⚠' after the value, inside the visible grid
    i = int(np.flatnonzero(exp["small"].to_numpy())[0])
    _api(page, "api.ensureIndexVisible(arg, 'middle');", i)
    cell = page.locator(f"#map-grid .ag-row[row-index='{i}'] .ag-cell[col-id='value']")
    cell.wait_for()
    assert cell.inner_text().strip() == f"{exp.at[i, 'value']:,.1f} ⚠"
    assert "map-cell-unstable" in cell.get_attribute("class")
    c = cell.bounding_box()
    assert c["x"] + c["width"] <= grid["x"] + grid["width"] + 1
    # a stable rate has no mark
    j = int(np.flatnonzero(~exp["small"].to_numpy())[0])
    _api(page, "api.ensureIndexVisible(arg, 'middle');", j)
    assert page.locator(f"#map-grid .ag-row[row-index='{j}'] .ag-cell[col-id='value']").inner_text().strip() \
        == f"{exp.at[j, 'value']:,.1f}"
    # the longest name among the first ten is shown whole, with its department under it
    k = int(exp.head(10)["name"].str.len().idxmax())
    _api(page, "api.ensureIndexVisible(arg, 'top');", k)
    name = page.locator(f"#map-grid .ag-row[row-index='{k}'] .map-cell-name")
    name.wait_for()
    assert name.inner_text() == exp.at[k, "name"] and len(exp.at[k, "name"]) >= 20
    assert name.evaluate("e => e.scrollWidth <= e.clientWidth + 1")
    assert page.locator(f"#map-grid .ag-row[row-index='{k}'] .map-cell-dept").inner_text() == exp.at[k, "parent_name"]
    # legend and source: once in the figure (2 annotations), the HTML copies visually hidden
    assert _figure(page)["annotations"] == 2
    for sel in ("#map-legend", "#map-source"):
        assert "visually-hidden" in page.locator(sel).get_attribute("class")
        assert box(sel)["width"] <= 1 and box(sel)["height"] <= 1
    assert page.locator("#map-legend .map-legend-nodata").get_attribute("data-count") == "0"


def test_ranking_sorts_searches_limits_and_downloads_on_the_server(page, demo_server):
    """Every ranking behaviour with rows fetched block by block: sorting and search run on the server
    (search ignores case and accents), top/bottom N, and CSV/Excel downloads hold every row of the
    current query, search and sort (not only the blocks the browser loaded), with analytics' values."""
    import pandas as pd

    ds = demo_server.app.server.config["ATALAYA_CONTEXT"].dataset
    page.set_default_timeout(60_000)
    page.goto(demo_server.url + "/map?lang=en")
    _ready(page, "Homicides")
    mv = map_values(ds, MapQuery("homicides", "2024", 2, "total", "rate"))
    base = ranking(mv)
    rows = base.to_dict("records")
    _wait_rows(page, base["territory_id"].tolist())
    # sort on the server: value ascending, descending, then back to rank order
    header = page.locator("#map-grid .ag-header-cell[col-id='value'] .ag-header-cell-label")
    header.click()
    asc = _wait_rows(page, _sorted_view(rows, "value", False))
    assert [r["value"] for r in asc] == sorted(r["value"] for r in asc)
    header.click()
    _wait_rows(page, _sorted_view(rows, "value", True))
    header.click()
    _wait_rows(page, base["territory_id"].tolist())
    # search: 'peten' finds Petén's 14 municipalities by their department; 'SAN JOSÉ' ignores case
    page.locator("#map-search").fill("peten")
    peten = base.loc[base["parent_name"] == "Petén", "territory_id"].tolist()
    assert len(peten) == 14
    _wait_rows(page, peten)
    page.locator("#map-search").fill("SAN JOSÉ")
    from callbacks.map import _fold

    san_jose = [r["territory_id"] for r in rows if "san jose" in _fold(r["name"]) or "san jose" in _fold(r["parent_name"])]
    assert len(san_jose) >= 5
    _wait_rows(page, san_jose)
    page.locator("#map-search").fill("")
    _wait_rows(page, base["territory_id"].tolist())
    # top / bottom N
    _choose(page, "map-top", "Best 10")
    _wait_rows(page, ranking(mv, top=10, order="best")["territory_id"].tolist())
    _choose(page, "map-top", "Worst 25")
    _wait_rows(page, ranking(mv, top=25)["territory_id"].tolist())
    _choose(page, "map-top", "All")
    _wait_rows(page, base["territory_id"].tolist())
    # downloads: sorted by name; the browser has loaded the first block (100 rows) only
    page.locator("#map-grid .ag-header-cell[col-id='name'] .ag-header-cell-label").click()
    by_name = _sorted_view(rows, "name", False)
    page.wait_for_function(
        "async (first) => { const api = await dash_ag_grid.getApiAsync('map-grid');"
        " const n = api.getDisplayedRowAtIndex(0); return n && n.data && n.data.territory_id === first; }",
        arg=by_name[0])
    _api(page, "api.ensureIndexVisible(0, 'top');")
    loaded = _api(page, "let n = 0; api.forEachNode(x => { if (x.data) n++; }); return n;")
    assert loaded < len(by_name)
    csv = pd.read_csv(_download(page, "map-dl-csv"), keep_default_na=False)
    assert list(csv.columns) == ["Rank", "Territory", "Department", "Rate per 100,000 people", "Events",
                                 "Population", "Warning"]
    tab = mv.table.set_index("territory_id")
    names = tab.loc[by_name, "name"].tolist()
    assert len(csv) == 340 and csv["Territory"].tolist() == names
    for rec, tid in zip(csv.itertuples(index=False), by_name):
        e = tab.loc[tid]
        assert rec.Department == e["parent_name"] and float(rec[3]) == round(float(e["value"]), 1)
        assert int(rec.Events) == int(e["count"]) and int(rec.Population) == int(e["population"])
        assert rec.Warning == ("⚠ < 10" if e["small"] else "")
        assert str(rec.Rank).split(" ")[0] == str(int(e["rank"]))
    # Excel of a search, in the same sort
    page.locator("#map-search").fill("san")
    expect = [t for t in by_name if "san" in _fold(tab.at[t, "name"]) or "san" in _fold(tab.at[t, "parent_name"])]
    page.wait_for_function(
        "async (n) => { const api = await dash_ag_grid.getApiAsync('map-grid'); return api.getDisplayedRowCount() === n; }",
        arg=len(expect))
    book = pd.read_excel(_download(page, "map-dl-xlsx"), sheet_name=None)
    assert book["ranking"]["Territory"].tolist() == tab.loc[expect, "name"].tolist()
    assert "SYNTHETIC" in book["source"].to_string() + str(book["source"].columns[0])


def _big_municipality(ds, mv, min_index: int) -> tuple[str, float, float, int]:
    """A large municipality (easy to click) whose place in the ranking is past `min_index` (beyond
    the grid's first block of 100 rows): its id, a point inside it, and its index in the ranking."""
    import json

    import shapely

    order = ranking(mv)["territory_id"].tolist()
    gj = json.loads(open(_boundary_files()[2], encoding="utf-8").read())
    shapes = {f["id"]: shapely.geometry.shape(f["geometry"]) for f in gj["features"]}
    cands = [t for t in order[min_index:] if t in shapes]
    tid = max(cands, key=lambda t: shapes[t].area)
    pt = shapes[tid].representative_point()
    return tid, pt.x, pt.y, order.index(tid)


def _click_map_at(page, lon: float, lat: float) -> None:
    xy = page.evaluate(
        f"""() => {{ const gd = {GD}; const m = gd._fullLayout.map._subplot.map;
        const p = m.project([{lon}, {lat}]); const r = m.getCanvas().getBoundingClientRect();
        return [r.left + p.x, r.top + p.y]; }}"""
    )
    page.mouse.click(xy[0], xy[1])


def _marked_row(page, tid: str) -> bool:
    """The grid's row of `tid` is rendered, marked as selected and inside the grid's visible area."""
    return page.evaluate(
        """(tid) => { const row = document.querySelector(`#map-grid .ag-center-cols-container .ag-row[row-id="${tid}"]`);
        const vp = document.querySelector('#map-grid .ag-body-viewport');
        if (!row || !vp || !row.classList.contains('map-row-selected')) { return false; }
        const a = row.getBoundingClientRect(), b = vp.getBoundingClientRect();
        return a.top >= b.top - 1 && a.bottom <= b.bottom + 1; }""", tid)


def test_selecting_from_the_ranking_and_the_map_leads_to_the_profile(page, demo_server):
    ds = demo_server.app.server.config["ATALAYA_CONTEXT"].dataset
    page.set_default_timeout(60_000)
    page.goto(demo_server.url + "/map?lang=en&period=2023&top=top10")
    _ready(page, "2023")
    mv23 = map_values(ds, MapQuery("homicides", "2023", 2, "total", "rate"))
    rows = _wait_rows(page, ranking(mv23, top=10)["territory_id"].tolist())
    # click a ranking row: outlined on the map, marked in the grid, the card links to its profile
    first = rows[0]
    cell = page.locator("#map-grid .ag-center-cols-container .ag-row[row-index='0'] .ag-cell[col-id='name']")
    page.wait_for_function(
        """(name) => { const c = document.querySelector(
            "#map-grid .ag-center-cols-container .ag-row[row-index='0'] .ag-cell[col-id='name'] .map-cell-name");
        return c && c.innerText.trim() === name; }""", arg=first["name"])
    cell.click()
    page.wait_for_function(f"() => {GD}._fullData[3].locations.length === 1")
    assert _figure(page)["selected"] == [first["territory_id"]]
    assert page.locator("#map-selected-name").inner_text().startswith(first["name"])
    assert page.locator("#map-profile-link").get_attribute("href") == f"/profile?territory={first['territory_id']}&lang=en"
    page.wait_for_function(f"() => location.search.includes('sel={first['territory_id']}')")
    page.wait_for_function("(t) => { const r = document.querySelector(`#map-grid .ag-row[row-id='${t}']`);"
                           " return r && r.classList.contains('map-row-selected'); }", arg=first["territory_id"])
    # the keyboard selects too: Space on the second row
    second = rows[1]
    page.locator("#map-grid .ag-center-cols-container .ag-row[row-index='1'] .ag-cell[col-id='name']").focus()
    page.keyboard.press("Space")
    page.wait_for_function(f"() => {GD}._fullData[3].locations[0] === '{second['territory_id']}'")
    page.wait_for_function(f"() => location.search.includes('sel={second['territory_id']}')")

    # the whole ranking; click on the map a large municipality ranked past the first block of rows
    page.goto(demo_server.url + "/map?lang=en")
    _ready(page, "Homicides")
    mv = map_values(ds, MapQuery("homicides", "2024", 2, "total", "rate"))
    _wait_rows(page, ranking(mv)["territory_id"].tolist())
    _api(page, "api.ensureIndexVisible(0, 'top');")
    tid, lon, lat, index = _big_municipality(ds, mv, 150)
    name = ds.name(tid)
    _click_map_at(page, lon, lat)
    page.wait_for_function(f"() => {GD}._fullData[3].locations[0] === '{tid}'")
    assert page.locator("#map-selected-name").inner_text().startswith(name)
    page.wait_for_function(f"() => location.search.includes('sel={tid}')")
    # the grid scrolled to it (index > 150, a block it had not loaded) and marks it
    page.wait_for_function(
        """(tid) => { const r = document.querySelector(`#map-grid .ag-center-cols-container .ag-row[row-id="${tid}"]`);
        return r && r.classList.contains('map-row-selected'); }""", arg=tid)
    assert _marked_row(page, tid)
    assert page.locator(f"#map-grid .ag-row[row-id='{tid}']").first.get_attribute("row-index") == str(index)
    # a filter change keeps the selection: outline, card, and the mark on its new row
    _radio(page, "map-sex", "Women")
    _ready(page, "Homicides")
    mvf = map_values(ds, MapQuery("homicides", "2024", 2, "female", "rate"))
    new_index = ranking(mvf)["territory_id"].tolist().index(tid)
    _wait_rows(page, ranking(mvf)["territory_id"].tolist())
    assert _figure(page)["selected"] == [tid]
    assert page.locator("#map-selected-name").inner_text().startswith(name)
    _api(page, "api.ensureIndexVisible(arg, 'middle');", new_index)
    page.wait_for_function("(tid) => { const r = document.querySelector(`#map-grid .ag-row[row-id='${tid}']`);"
                           " return r && r.classList.contains('map-row-selected'); }", arg=tid)
    # a shared link with the selection opens with its row in view and marked
    page.reload()
    _ready(page, "Homicides")
    page.wait_for_function("(tid) => { const r = document.querySelector(`#map-grid .ag-row[row-id='${tid}']`);"
                           " return r && r.classList.contains('map-row-selected'); }", arg=tid)
    assert _marked_row(page, tid)
    # clear, then select Flores on the map and open its profile
    page.locator("#map-clear").click()
    page.wait_for_function(f"() => {GD}._fullData[3].locations.length === 0")
    page.wait_for_function("() => !location.search.includes('sel=')")
    page.wait_for_function("() => !document.querySelector('#map-grid .map-row-selected')")
    assert page.locator("#map-selected-name").count() == 0
    import json

    import shapely

    gj = json.loads(open(_boundary_files()[2], encoding="utf-8").read())
    target = next(f for f in gj["features"] if f["id"] == "1701")  # Flores, Petén: large and easy to hit
    pt = shapely.geometry.shape(target["geometry"]).representative_point()
    # its hover: the name (from the served geometry), value, the events and population behind it, rank
    xy = page.evaluate(
        f"""() => {{ const gd = {GD}; const m = gd._fullLayout.map._subplot.map;
        const p = m.project([{pt.x}, {pt.y}]); const r = m.getCanvas().getBoundingClientRect();
        return [r.left + p.x, r.top + p.y]; }}""")
    page.mouse.move(xy[0], xy[1])
    page.wait_for_selector("#map-graph .hoverlayer .hovertext")
    hover = page.locator("#map-graph .hoverlayer .hovertext").first.text_content()
    f17 = mvf.table.set_index("territory_id").loc["1701"]
    assert hover.startswith("Flores, Petén")
    assert f"Events: {int(f17['count']):,}{' *' if f17['small'] else ''} · Population: {int(f17['population']):,}" in hover
    # (women are selected: female victims per 100,000 women, and the population in the hover is the women's)
    assert f"Rank: {int(f17['rank'])} of {mvf.n_ranked}" in hover and f"{f17['value']:,.{mf.decimals_for(mvf)}f} per 100,000 women · 2024" in hover
    assert f17["population"] == ds.population_of("1701", 2024, "female")
    _click_map_at(page, pt.x, pt.y)
    page.wait_for_function(f"() => {GD}._fullData[3].locations[0] === '1701'")
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
    assert "DATOS SINTÉTICOS" in page.evaluate(f"() => {GD}.layout.annotations[1].text")
    assert page.locator("#map-legend .map-legend-nodata").inner_text().startswith("Sin datos")
    assert "Sin datos (0)" in _figure(page)["legend"]
    assert not math.isnan(float(_figure(page)["zoom"]))
    # the rate's unit is on the button's tooltip, in the title and in the ranking's header
    # (homicides are also shown by sex: the tooltip names the women's and men's denominators too)
    assert page.locator("#map-measure label span[title='Tasa por 100,000 habitantes (mujeres: por 100,000 "
                        "mujeres; hombres: por 100,000 hombres)']").count() == 1
    assert "tasa por 100,000 habitantes" in _figure(page)["title"]
    assert page.locator("#map-grid .ag-header-cell[col-id='value']").inner_text().replace("\n", " ") \
        == "Tasa por 100,000 habitantes"


def test_play_steps_through_the_periods_and_stops_on_the_latest(page, demo_server):
    """Play from 2022: the map shows 2023 then 2024 and stops there (the button reads Play again);
    played again from the latest period it starts over from the first, and pauses on demand."""
    ds = demo_server.app.server.config["ATALAYA_CONTEXT"].dataset
    page.set_default_timeout(60_000)
    page.goto(demo_server.url + "/map?lang=en&period=2022")
    _ready(page, "2022")
    play = page.locator("#map-play")
    assert play.inner_text() == "▶ Play"
    play.click()
    page.wait_for_function("() => document.querySelector('#map-play').innerText.includes('Pause')")
    page.wait_for_function("() => document.querySelector('#map-period-label').innerText === '2023'")
    page.wait_for_function("() => document.querySelector('#map-period-label').innerText === '2024'")
    page.wait_for_function("() => document.querySelector('#map-play').innerText.includes('Play')")
    _ready(page, "2024")
    page.wait_for_timeout(2500)  # more than a tick: it stays on the latest period
    assert page.locator("#map-period-label").inner_text() == "2024"
    _check_against_analytics(page, ds, MapQuery("homicides", "2024", 2, "total", "rate"))
    play.click()  # from the latest period: over again from the first
    page.wait_for_function("() => document.querySelector('#map-period-label').innerText === '2015'")
    play.click()  # pause
    page.wait_for_function("() => document.querySelector('#map-play').innerText.includes('Play')")
    shown = page.locator("#map-period-label").inner_text()
    page.wait_for_timeout(2500)
    assert page.locator("#map-period-label").inner_text() == shown


@pytest.mark.parametrize("lang", ["es", "en"])
def test_toolbar_is_two_rows_on_a_1280_projector_with_every_choice_readable(page, demo_server, lang):
    """1280×720 is a common projector: the filters still take two rows (the map starts on the first
    screen) and the indicator and department boxes show their choice without cutting it."""
    page.set_viewport_size({"width": 1280, "height": 720})
    page.set_default_timeout(60_000)
    page.goto(demo_server.url + f"/map?lang={lang}")
    _ready(page, "Homicides" if lang == "en" else "Homicidios")
    tops = page.evaluate("""() => [...document.querySelectorAll('.map-toolbar > .map-ctl')]
        .map(e => e.getBoundingClientRect().top)""")
    rows = sorted({round(t / 20) for t in tops})  # groups of one row align within a few pixels
    assert len(tops) == 10 and len(rows) == 2, tops
    for box in ("#map-indicator", "#map-dept"):
        # the value box cuts with an ellipsis: its content is wider than the box when cut
        fits = page.evaluate("""(sel) => { const v = document.querySelector(sel + ' .dash-dropdown-value');
            return v.textContent.length > 0 && v.scrollWidth <= v.clientWidth + 1; }""", box)
        assert fits, (lang, box)
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
