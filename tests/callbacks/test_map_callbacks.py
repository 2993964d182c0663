"""The map's callback functions called directly on the demo: what a filter change sends (values only,
never geometry), that the colours drawn are exactly analytics' classes, and the downloads."""

from __future__ import annotations

import dataclasses
import io
import json

import numpy as np
import pandas as pd
import pytest
from flask import Flask

from analytics.loader import load_dataset
from analytics.map_values import MapQuery, classify, map_values
from app import DEMO_DIR
from callbacks import map as cb
from callbacks.context import AppContext, make_cache
from components import map_figure as mf


@pytest.fixture(scope="module")
def ctx() -> AppContext:
    return AppContext(dataset=load_dataset(DEMO_DIR), cache=make_cache(Flask(__name__)))


def _decode(spec):
    import base64

    a = np.frombuffer(base64.b64decode(spec["bdata"]), dtype="<" + spec["dtype"])
    return a.reshape([int(x) for x in spec["shape"].split(",")]) if "shape" in spec else a


def test_filter_change_sends_values_not_geometry(ctx):
    from plotly.io.json import to_json_plotly

    patch, f, mv, cls = cb.filter_change(ctx, "homicides", 2, "rate", "female", "Y", [], 5, "quantiles", 10, None,
                                         None, 2, "en", trigger="map-sex")
    body = to_json_plotly(patch)
    assert "coordinates" not in body and "/geo/" not in body  # no geometry, not even its URL again
    ops = json.loads(body)["operations"]
    locations = {tuple(o["location"]) for o in ops}
    assert ("data", 0, "z") in locations and ("data", 0, "customdata") in locations
    assert ("data", 0, "locations") not in locations  # static for the level
    assert f.period == "2020" and f.sex == "female"
    assert len(body) < 40_000  # 340 municipalities
    # a department change sends only the view
    patch2, *_ = cb.filter_change(ctx, "homicides", 2, "rate", "female", "Y", [], 5, "quantiles", 10, "05", None, 2,
                                  "en", trigger="map-dept")
    ops2 = json.loads(to_json_plotly(patch2))["operations"]
    # the view (with meta.fit: the department's bounds and land, for the browser to fit its real box)
    # and the legend's corner ...
    assert {tuple(o["location"][:2]) for o in ops2} <= {("layout", "map"), ("layout", "meta"), ("layout", "uirevision"),
                                                        ("layout", "annotations"), ("data", 2)}
    fit = next(o["params"]["value"] for o in ops2 if o["location"][1:] == ["meta", "fit"])
    assert fit["bounds"] == [round(x, 5) for x in cb.view_bounds(ctx, "05")]
    assert len(fit["land"]["cells"]) == fit["land"]["nx"] * fit["land"]["ny"] and fit["overlay"] == "legend"
    # ... and the veil over the 21 other departments (their ids, by the admin-1 URL: no geometry)
    veil = {o["location"][2]: o["params"]["value"] for o in ops2 if o["location"][:2] == ["data", 2]}
    assert veil["geojson"] == ctx.boundary_url(1) and len(veil["locations"]) == 21 and "05" not in veil["locations"]
    # ... and the legend text, which now counts the department's municipalities per class
    legend = next(o["params"]["value"] for o in ops2 if o["location"] == ["layout", "annotations", 0, "text"])
    assert legend.startswith("<b>Escuintla (country)</b>")
    assert len(to_json_plotly(patch2)) < 3_000


def test_colours_drawn_are_the_classes_of_analytics(ctx):
    for measure, method in (("rate", "quantiles"), ("count", "natural_breaks"), ("change", "quantiles")):
        mv, cls = cb.compute(ctx, cb.normalize_filters(ctx.dataset, "vawg_complaints", 2, measure, "female", "Y",
                                                       False, "2023"), 10, method)
        legend = mf.legend_for(mv, cls, "en")
        style = mf.value_style(mv, cls, legend)
        z = _decode(mf.value_arrays(mv, cls, "en")["z"]).astype(float)
        assert np.array_equal(z == mf.NO_RANK, mv.table["rank"].isna().to_numpy())  # no data: rank 0
        assert np.allclose(z[z != mf.NO_RANK], mv.table["rank"].dropna().to_numpy())
        for zi, ci in zip(z, cls.classes):
            if zi == mf.NO_RANK:
                assert ci == -1
                assert mf.colour_at(style["colorscale"], style["zmin"], style["zmax"], zi) == mf.TRANSPARENT
            else:
                assert mf.colour_at(style["colorscale"], style["zmin"], style["zmax"], float(zi)) == legend.colours[ci]


def test_values_and_hover_numbers_match_analytics(ctx):
    q = MapQuery("homicides", "2024", 2, "total", "rate")
    mv = map_values(ctx.dataset, q)
    cls = classify(mv.table["value"], "quantiles", 5)
    arr = mf.value_arrays(mv, cls, "es")
    cd = _decode(arr["customdata"])
    assert cd.shape == (340, 2)
    assert np.allclose(cd[:, 0], mv.table["value"], rtol=1e-6)
    assert np.allclose(cd[:, 1], mv.table["population"])
    # the count behind each rate travels as the text the hover shows, '*' after a small number
    tab = mv.table
    expected = [f"{int(c)}" + (" *" if c < 10 else "") for c in tab["count"]]
    assert arr["text"] == expected
    assert tab["small"].sum() > 0 and sum(x.endswith(" *") for x in arr["text"]) == tab["small"].sum()
    tmpl = mf.hovertemplate(mv, "total", "es")
    assert "Casos: %{text}" in tmpl and "Población: %{customdata[1]:,.0f}" in tmpl
    assert "por 100,000 habitantes" in tmpl and "de 340" in tmpl and "* = menos de 10 casos" in tmpl


def test_hover_counts_are_grouped_like_the_page_and_missing_counts_are_blank(ctx):
    # departments: counts in the thousands, written with the page's grouping (es_419 and en: 1,234)
    mv, cls = cb.compute(ctx, cb.normalize_filters(ctx.dataset, "homicides", 1, "rate", "total", "Y", False, "2024"),
                         10, "quantiles")
    text = mf.value_arrays(mv, cls, "es")["text"]
    big = mv.table["count"].idxmax()
    n = int(mv.table.at[big, "count"])
    assert n >= 1000 and text[big] == f"{n // 1000},{n % 1000:03d}"
    # change: the current 12 months' events; survey values and counts carry no text
    mv, cls = cb.compute(ctx, cb.normalize_filters(ctx.dataset, "homicides", 2, "change", "total", "Y", False, "2024"),
                         10, "quantiles")
    arr = mf.value_arrays(mv, cls, "en")
    assert _decode(arr["customdata"]).shape == (340, 2)
    first = mv.table.iloc[0]
    assert arr["text"][0] == f"{int(first['count']):,}" + (" *" if first["small"] else "")
    assert "Events: %{text} now" in mf.hovertemplate(mv, "total", "en")
    mv, cls = cb.compute(ctx, cb.normalize_filters(ctx.dataset, "homicides", 2, "count", "total", "Y", False, "2024"),
                         10, "quantiles")
    assert mf.value_arrays(mv, cls, "en")["text"] == ""


def test_download_has_every_row_of_the_view_with_department_and_flag_columns(ctx):
    """The download is the ranking as the grid shows it (query, search, sort), every row — also the
    blocks the browser never loaded — with the values of analytics rounded as on screen."""
    import base64

    f = cb.normalize_filters(ctx.dataset, "homicides", 2, "rate", "total", "Y", False, "2024")
    mv, _ = cb.compute(ctx, f, 10, "quantiles")
    query = cb.rank_query(f, "quantiles", 10, None, "all", "en")
    sort = [{"colId": "value", "sort": "asc"}]
    csv = cb.download_for(ctx, "csv", query, "", sort)
    frame = pd.read_csv(io.StringIO(csv["content"]), keep_default_na=False)
    assert list(frame.columns) == ["Rank", "Territory", "Department", "Rate per 100,000 people", "Events",
                                   "Population", "Warning"]
    assert len(frame) == 340  # 4 blocks of 100 in the grid
    tab = mv.table.set_index("territory_id")
    shown = cb.ranking_view(ctx, query, "", sort)
    assert frame["Territory"].tolist() == [r["name"] for r in shown]
    values = [v for v in frame["Rate per 100,000 people"] if v != ""]
    assert values == sorted(values)  # ascending, as sorted in the grid
    for rec, r in zip(frame.itertuples(index=False), shown):
        e = tab.loc[r["territory_id"]]
        assert rec.Department == e["parent_name"]
        assert float(rec[3]) == round(float(e["value"]), 1)
        assert int(rec.Events) == int(e["count"]) and int(rec.Population) == int(e["population"])
        assert rec.Warning == ("⚠ < 10" if e["small"] else "")
        assert str(rec.Rank).rstrip(" =") == str(int(e["rank"])) and str(rec.Rank).endswith("=") == bool(e["tied"])
    # searched ('peten' finds Petén by its department) and inside a top 10 of a department: Excel too
    book = cb.download_for(ctx, "xlsx", query, "peten", [])
    sheets = pd.read_excel(io.BytesIO(base64.b64decode(book["content"])), sheet_name=None)
    peten = sheets["ranking"]
    assert len(peten) == 14 and set(peten["Department"]) == {"Petén"}
    assert peten["Territory"].tolist() == [r["name"] for r in cb.ranking_view(ctx, query, "Petén", [])]
    assert "SYNTHETIC" in sheets["source"].to_string() or "SYNTHETIC" in str(sheets["source"].columns[0])
    q5 = cb.rank_query(f, "quantiles", 10, "05", "bottom10", "es")
    csv5 = pd.read_csv(io.StringIO(cb.download_for(ctx, "csv", q5, None, [])["content"]))
    exp = cb.ranking(mv, within="05", top=10, order="best")
    assert csv5["Territorio"].tolist() == exp["name"].tolist()
    assert list(csv5.columns)[:3] == ["Posición", "Territorio", "Departamento"] and "Aviso" in csv5.columns


def test_a_count_is_one_column_in_the_grid_and_the_download(ctx):
    """Measure "count": the value column is the count, so no second events column repeats it."""
    f = cb.normalize_filters(ctx.dataset, "homicides", 2, "count", "total", "Y", False, "2024")
    mv, _ = cb.compute(ctx, f, 10, "quantiles")
    fields = [c["field"] for c in cb.ranking_columns(mv, "Events", "en")]
    assert fields == ["rank", "name", "value"]
    csv = cb.download_for(ctx, "csv", cb.rank_query(f, "quantiles", 10, None, "all", "en"), "", [])
    frame = pd.read_csv(io.StringIO(csv["content"]), keep_default_na=False)
    assert list(frame.columns) == ["Rank", "Territory", "Department", frame.columns[3]]
    tab = mv.table.set_index("territory_id")
    assert int(frame.iloc[0, 3]) == int(tab["count"].max())


def test_selection_comes_from_the_map_or_the_grid_and_is_located_in_the_ranking(ctx):
    from dash import no_update

    click = {"points": [{"location": "1701"}]}
    assert cb.selection_from("map-graph", click, None, None) == "1701"
    assert cb.selection_from("map-graph", click, None, "1701") is no_update  # unchanged: nothing to redo
    assert cb.selection_from("map-grid", None, [{"territory_id": "0501"}], "1701") == "0501"
    assert cb.selection_from("map-grid", None, [], "1701") is no_update  # the grid following the map
    f = cb.normalize_filters(ctx.dataset, "homicides", 2, "rate", "total", "Y", False, "2024")
    mv, _ = cb.compute(ctx, f, 10, "quantiles")
    query = cb.rank_query(f, "quantiles", 10, None, "all", "es")
    order = cb.ranking(mv)["territory_id"].tolist()  # analytics' ranking: worst first, no data last
    worst_last = order[250]  # in the third block of rows, which the grid has not loaded at first
    focus = cb.rank_focus(ctx, "map-selection", worst_last, query, "", [])
    assert focus == {"selected": worst_last, "index": 250, "scroll": True}
    # sorted by name: its position in the alphabetical list; outside the department: not listed
    # (two municipalities are called Santa Bárbara: equal names keep the ranking's order)
    names = dict(zip(mv.table["territory_id"], mv.table["name"]))
    by_name = sorted(order, key=lambda tid: cb._fold(names[tid]))
    assert cb.rank_focus(ctx, "map-selection", worst_last, query, "", [{"colId": "name", "sort": "asc"}])["index"] \
        == by_name.index(worst_last)
    other = mv.table.loc[mv.table["parent_id"] != "05", "territory_id"].iloc[0]
    q5 = cb.rank_query(f, "quantiles", 10, "05", "all", "es")
    assert cb.rank_focus(ctx, "map-rank-query", other, q5, "", [])["index"] is None
    assert cb.rank_focus(ctx, "map-rank-query", other, q5, "", [])["scroll"] is False  # a filter change


def test_url_state_round_trip(ctx):
    search = cb.url_search("vawg_complaints", 2, "change", "female", "Q", [], "2023-Q4", "natural_breaks", 10, "05",
                           "top10", "0501", "", "?lang=en")
    from components.urlstate import parse_search

    params = parse_search(search)
    st = cb.initial_state(ctx, params, "en")
    f = st["filters"]
    assert (f.indicator_id, f.measure, f.granularity, f.period) == ("vawg_complaints", "change", "Q", "2023-Q4")
    assert st["dept"] == "05" and st["selected"] == "0501" and st["top"] == "top10" and params["lang"] == "en"


def test_ranking_blocks_are_searched_sorted_and_sliced_on_the_server(ctx):
    """The grid asks for rows block by block; search ignores case and accents, sorting puts blanks
    last, and the blocks put together are exactly the ranking."""
    f = cb.normalize_filters(ctx.dataset, "homicides", 2, "rate", "total", "Y", False, "2024")
    query = cb.rank_query(f, "quantiles", 10, None, "all", "es")
    mv, _ = cb.compute(ctx, f, 10, "quantiles")
    everything = cb.ranking_rows(mv, None, "all", "es")
    assert len(everything) == 340
    first = cb.ranking_block(ctx, {"startRow": 0, "endRow": 100, "sortModel": []}, query, "")
    rest = [cb.ranking_block(ctx, {"startRow": a, "endRow": a + 100, "sortModel": []}, query, "")["rowData"]
            for a in (100, 200, 300)]
    assert first["rowCount"] == 340 and len(first["rowData"]) == 100 and [len(b) for b in rest] == [100, 100, 40]
    assert first["rowData"] + sum(rest, []) == everything
    # 'peten' (no accent, lower case) finds the 14 municipalities of Petén by their department
    peten = cb.ranking_block(ctx, {"startRow": 0, "endRow": 100}, query, "peten")
    assert peten["rowCount"] == 14 and {r["department"] for r in peten["rowData"]} == {"Petén"}
    # sorted by value ascending: non-decreasing values, territories without a value at the end
    asc = cb.ranking_view(ctx, query, "", [{"colId": "value", "sort": "asc"}])
    values = [r["value"] for r in asc]
    known = [v for v in values if v is not None]
    assert known == sorted(known) and values[len(known):] == [None] * (len(values) - len(known))
    # by name descending, inside a department and a top 10
    q5 = cb.rank_query(f, "quantiles", 10, "05", "top10", "es")
    names = [r["name"] for r in cb.ranking_view(ctx, q5, None, [{"colId": "name", "sort": "desc"}])]
    assert len(names) == 10 and names == sorted(names, key=cb._fold, reverse=True)


def test_period_slider_labels_at_most_six_years_and_always_the_latest(ctx):
    """Ten years (2015–2024) on a slider about 16rem wide: a mark every other year counted back from
    2024; monthly and quarterly series mark January / Q1 of those years."""
    def labels(gran):
        f = cb.normalize_filters(ctx.dataset, "homicides", 2, "rate", "total", gran, False, None)
        sp = cb.slider_props(f, "es")
        return f, sp, {int(k): v["label"] for k, v in sp["marks"].items() if v["label"]}

    f, sp, lab = labels("Y")
    assert lab == {1: "2016", 3: "2018", 5: "2020", 7: "2022", 9: "2024"} and len(sp["marks"]) == 5
    assert sp["value"] == sp["max"] == 9 and f.period == "2024"
    f, sp, lab = labels("M")
    assert sp["max"] == 119 and f.periods[108] == "2024-01" and lab[108] == "2024" and len(lab) == 5
    assert all(f.periods[i].endswith("-01") for i in map(int, sp["marks"]))
    f, sp, lab = labels("Q")
    assert all(f.periods[i].endswith("-Q1") for i in map(int, sp["marks"])) and lab[36] == "2024"
    # six periods or fewer: each labelled as the page writes periods
    short = cb.normalize_filters(ctx.dataset, "homicides", 2, "rate", "total", "Y", False, "2024")
    short = dataclasses.replace(short, periods=short.periods[-3:])
    assert [m["label"] for m in cb.slider_props(short, "es")["marks"].values()] == ["2022", "2023", "2024"]


def test_served_geometry_names_each_feature_for_the_hover_and_the_figure_does_not(ctx):
    """The hover's name comes from the served boundary file (app.py adds `atalaya_label`), so the
    figure carries no list of 340 (or 2,475) names and a filter change never re-sends them."""
    import app

    for level, fid, label in ((2, "1701", "Flores, Petén"), (1, "17", "Petén")):
        raw = open(ctx.dataset.boundary_files[level], "rb").read()
        feats = json.loads(app.labelled_boundaries(raw, ctx.dataset, level))["features"]
        assert len(feats) == (340 if level == 2 else 22)
        by_id = {f["id"]: f for f in feats}
        assert by_id[fid]["properties"]["atalaya_label"] == label
        assert by_id[fid]["geometry"] == next(f for f in json.loads(raw)["features"] if f["id"] == fid)["geometry"]
    f = cb.normalize_filters(ctx.dataset, "homicides", 2, "rate", "total", "Y", False, "2024")
    mv, cls = cb.compute(ctx, f, 10, "quantiles")
    fig = cb.full_figure(ctx, f, mv, cls, None, None, "es")
    assert all("hovertext" not in tr for tr in fig["data"])
    assert fig["data"][0]["hovertemplate"].startswith("<b>%{properties.atalaya_label}</b>")
    assert fig["data"][1]["hovertemplate"].startswith("<b>%{properties.atalaya_label}</b>")


def test_figure_source_breaks_at_separators_and_keeps_them():
    """Lines end with the '·' they were broken at, so joining them again (the browser re-wraps the line
    to the figure's width) gives back the source line."""
    from components.map_figure import figure_source

    src = "Source: Synthetic data generated by data/build_demo.py (fixed seed) · Period: 2024 · SYNTHETIC DATA"
    wrapped = figure_source(src, width=70)
    assert wrapped == ("Source: Synthetic data generated by data/build_demo.py (fixed seed) ·"
                       "<br>Period: 2024 · SYNTHETIC DATA")
    assert wrapped.replace("<br>", " ") == src


def test_women_are_per_100000_women_in_title_hover_ranking_and_download(ctx):
    """Homicides of women, 2024, by department: every label names the women's denominator and every
    value is the female count over the female population, computed here from the raw tables."""
    ds = ctx.dataset
    obs, pop = ds.observations, ds.population
    fem = obs[(obs["indicator_id"] == "homicides") & (obs["sex"] == "female") & (obs["year"] == 2024)]
    munis = ds.territories_at(2, within=ds.main_country)
    by_dept = fem.assign(dept=fem["territory_id"].astype(str).map(munis["parent_id"])).groupby("dept")["value"].sum()
    women = pop[(pop["sex"] == "female") & (pop["age_group"] == "all") & (pop["year"] == 2024)]
    women = women.set_index(women["territory_id"].astype(str))["population"]
    for lang, unit in (("en", "per 100,000 women"), ("es", "por 100,000 mujeres")):
        f = cb.normalize_filters(ds, "homicides", 1, "rate", "female", "Y", False, "2024")
        mv, cls = cb.compute(ctx, f, 10, "quantiles")
        assert mv.rate_base == "female"
        title, _, base = cb._texts(ctx, f, mv, lang)
        assert unit in title and base == "female"
        assert unit in mf.hovertemplate(mv, base, lang)
        header = cb.value_header(ctx, f, mv, lang)
        assert unit in header and ("habitantes" not in header and "people" not in header)
        csv = pd.read_csv(io.StringIO(cb.download_for(ctx, "csv", cb.rank_query(f, "quantiles", 10, None, "all", lang),
                                                      "", [])["content"]))
        assert header in csv.columns
    tab = mv.table.set_index("territory_id")
    for dept in ("01", "05", "17"):
        assert tab.at[dept, "count"] == by_dept[dept]
        assert tab.at[dept, "population"] == women[dept]
        assert tab.at[dept, "value"] == pytest.approx(by_dept[dept] / women[dept] * 100_000)
    # the selected card and the figure built from the URL say it too
    card = str(cb.selected_card(ctx, mv, "05", "en").to_plotly_json())
    assert f"{tab.at['05', 'value']:.{mf.decimals_for(mv)}f} per 100,000 women" in card
    st = cb.initial_state(ctx, {"ind": "homicides", "sex": "female", "lang": "en"}, "en")
    assert "rate per 100,000 women" in st["figure"]["layout"]["title"]["text"]
    # the total stays per 100,000 people
    ft = cb.normalize_filters(ds, "homicides", 1, "rate", "total", "Y", False, "2024")
    mvt, _ = cb.compute(ctx, ft, 10, "quantiles")
    assert "per 100,000 people" in cb.value_header(ctx, ft, mvt, "en") and mvt.rate_base == "total"


def test_a_sex_without_population_says_why_it_has_no_rate():
    from analytics.map_values import normalize_filters
    from tests.analytics.sex_tiny import sex_dataset

    ds = sex_dataset(male_population=False)
    f = normalize_filters(ds, "hom", 2, "rate", "male", "Y", False, "2020")
    mv = map_values(ds, f.query())
    assert mv.table["value"].isna().all()
    assert "no population of men" in cb.note_for(f, mv, "en")
    assert "no tienen población de hombres" in cb.note_for(f, mv, "es")
    ok = normalize_filters(ds, "hom", 2, "rate", "female", "Y", False, "2020")
    assert "population of" not in cb.note_for(ok, map_values(ds, ok.query()), "en")
