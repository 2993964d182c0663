"""The map's callback functions called directly on the demo: what a filter change sends (values only,
never geometry), that the colours drawn are exactly analytics' classes, and the downloads."""

from __future__ import annotations

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
    assert {o["location"][1] for o in ops2} <= {"map", "meta", "uirevision"}  # meta.fit: the view for presenter mode
    fit = next(o["params"]["value"] for o in ops2 if o["location"][1:] == ["meta", "fit"])
    assert fit["bounds"] == [round(x, 5) for x in cb.view_bounds(ctx, "05")]


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
    assert np.allclose(cd[:, 0], mv.table["value"], rtol=1e-6)
    assert np.allclose(cd[:, 1], mv.table["count"]) and np.allclose(cd[:, 2], mv.table["population"])
    tmpl = mf.hovertemplate(mv, "total", "es")
    assert "por 100,000 habitantes" in tmpl and "Población" in tmpl and "de 340" in tmpl


def test_download_has_exactly_the_rows_and_values_shown(ctx):
    mv, cls = cb.compute(ctx, cb.normalize_filters(ctx.dataset, "homicides", 2, "rate", "total", "Y", False, "2024"),
                         10, "quantiles")
    rows = cb.ranking_rows(mv, "05", "top10", "en")
    cols = cb.ranking_columns(mv, "Rate per 100,000 people", "en")
    shown = rows[2:5]  # e.g. after a search and a sort in the grid
    csv = cb.download_payload("csv", shown, cols, "Source: x", "homicides")
    frame = pd.read_csv(io.StringIO(csv["content"]))
    assert list(frame.columns) == [c["headerName"] for c in cols]
    assert frame["Territory"].tolist() == [r["name"] for r in shown]
    assert frame["Rate per 100,000 people"].tolist() == [r["value"] for r in shown]
    assert all(r["department"] == "Escuintla" for r in rows) and len(rows) == 10
    xlsx = cb.download_payload("xlsx", shown, cols, "Source: x", "homicides")
    import base64

    book = pd.read_excel(io.BytesIO(base64.b64decode(xlsx["content"])), sheet_name=None)
    assert book["ranking"]["Territory"].tolist() == [r["name"] for r in shown]
    assert "Source: x" in str(book["source"].columns[0]) or "Source: x" in book["source"].to_string()


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
