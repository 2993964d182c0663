"""The map explorer and the index map on a country that is not Guatemala's shape (tests/fixtures.py
`make_wide_dataset`: wider than tall, land in its top-left corner, many municipalities without events):
the legend's corner covers no land (checked on the geometry with shapely), the view opens on the part of
the country an indicator has data for, the class labels cannot be read as overlapping and agree with the
ranking and the hover, and the small-number threshold is disabled where it does not apply."""

from __future__ import annotations

import base64
import json
import re

import numpy as np
import pytest
import shapely
from flask import Flask

from analytics import map_view as mv
from analytics.loader import load_dataset
from analytics.map_values import MapQuery, classify, map_values, ranking
from callbacks import index as icb
from callbacks import map as cb
from callbacks.context import AppContext, make_cache
from components import index as iui
from components import map_figure as mf
from tests.fixtures import WIDE_STATES, make_wide_dataset, wide_shape


@pytest.fixture(scope="module")
def ctx(tmp_path_factory) -> AppContext:
    ds = load_dataset(make_wide_dataset(tmp_path_factory.mktemp("wide")))
    return AppContext(dataset=ds, cache=make_cache(Flask(__name__)))


def _decode(spec):
    return np.frombuffer(base64.b64decode(spec["bdata"]), dtype="<" + spec["dtype"]).reshape(
        [int(x) for x in spec["shape"].split(",")] if "shape" in spec else [-1])


def _overlay_land(land, box, centre, zoom, corner, w, h, margin=mf.OVERLAY_MARGIN) -> float:
    """Area (degrees²) of land under an overlay w × h px in `corner` of a map of `box` px at `centre`,
    `zoom` — computed from the view itself (web mercator), not from analytics' land grid."""
    world = 512 * 2 ** zoom
    cx = (centre["lon"] + 180) / 360 * world
    cy = mv.mercator_y(centre["lat"]) / (2 * np.pi) * world
    x0 = margin if corner[1] == "l" else box[0] - margin - w
    y0 = margin if corner[0] == "t" else box[1] - margin - h

    def lonlat(px, py):
        lon = (cx + px - box[0] / 2) / world * 360 - 180
        return lon, mv.latitude((cy - (py - box[1] / 2)) / world * 2 * np.pi)

    (lo0, la1), (lo1, la0) = lonlat(x0, y0), lonlat(x0 + w, y0 + h)
    return float(shapely.intersection(land, shapely.box(lo0, la0, lo1, la1)).area)


def _legend(fig):
    return fig["layout"]["annotations"][0]


def test_the_legend_covers_no_land_for_the_country_and_for_a_state(ctx):
    land = wide_shape()
    st = cb.initial_state(ctx, {}, "es")
    fig = st["figure"]
    a, m = _legend(fig), fig["layout"]["map"]
    corner = ("t" if a["yanchor"] == "top" else "b") + ("l" if a["xanchor"] == "left" else "r")
    w, h = mf.legend_box(a["text"])
    assert corner == "tr"  # the country's top-left corner is land (Punta Alta)
    assert _overlay_land(land, mf.NOMINAL_BOX, m["center"], m["zoom"], corner, w, h) == 0
    assert _overlay_land(land, mf.NOMINAL_BOX, m["center"], m["zoom"], "tl", w, h) > 0
    fit = fig["layout"]["meta"]["fit"]
    assert fit["bounds"] == [0, 14, 9, 20] and fit["overlay"] == "legend" and fit["inset"] == cb.COUNTRY_INSET
    grid = mv.LandGrid.from_json(fit["bounds"], fit["land"])
    assert grid.cells[0, 0] == 1 and grid.cells[0, -1] == 0 and grid.cells[-1, 0] == 0  # land: top-left only
    # a state that fills its own box: the view keeps a strip clear for the legend, still no land under it
    st1 = cb.initial_state(ctx, {"dept": "01"}, "es")
    fig1 = st1["figure"]
    a1, m1 = _legend(fig1), fig1["layout"]["map"]
    c1 = ("t" if a1["yanchor"] == "top" else "b") + ("l" if a1["xanchor"] == "left" else "r")
    state = shapely.box(*WIDE_STATES["01"])
    assert _overlay_land(state, mf.NOMINAL_BOX, m1["center"], m1["zoom"], c1, *mf.legend_box(a1["text"])) == 0
    assert fig1["layout"]["meta"]["fit"]["bounds"] == [0, 18, 6, 20]
    assert fig1["layout"]["meta"]["fit"]["inset"] == cb.AREA_INSET
    # the state's neighbours are veiled, the ranking is the state's
    assert sorted(fig1["data"][2]["locations"]) == ["02", "03"]
    assert st1["rank_caption"].startswith("Norte · 2021 · 3 territorios")


def test_zero_classes_read_unambiguously_and_agree_with_ranking_and_hover(ctx):
    mvals = map_values(ctx.dataset, MapQuery("homicides", "2021", 2, "total", "rate"))
    cls = classify(mvals.table["value"], "quantiles", 5)
    # four municipalities without homicides in 2021: quantiles give a class holding only 0
    assert cls.bounds[0] == (0.0, 0.0) and cls.counts == (4, 1, 2)
    legend = mf.legend_for(mvals, cls, "es")
    assert legend.labels == ("0", "> 0 – 14.0", "14.0 – 20.0")
    assert mf.legend_for(mvals, cls, "en").labels == ("0", "> 0 – 14.0", "14.0 – 20.0")
    text = mf.legend_annotation_text(legend, "es")
    assert re.findall(r"</span> ([^<]+)", text)[:3] == ["14.0 – 20.0 (2)", "> 0 – 14.0 (1)", "0 (4)"]
    # every territory in class "0" has the value 0 in the ranking and in the hover; those after it are > 0
    rows = {r["territory_id"]: r for r in cb.ranking_rows(mvals, None, "all", "es")}
    custom = _decode(mf.value_arrays(mvals, cls, "es")["customdata"])
    for tid, c, cd in zip(mvals.table["territory_id"], cls.classes, custom[:, 0]):
        if c == 0:
            assert rows[tid]["value"] == 0 and cd == 0
        else:
            lo, hi = cls.bounds[c]
            assert lo < rows[tid]["value"] <= hi and lo < cd <= hi + 1e-4
    # the four share the last rank (a tie): the ranking marks it, the hover reads the same rank from z
    z = _decode(mf.value_arrays(mvals, cls, "es")["z"])
    zeros = [r for r in rows.values() if r["value"] == 0]
    assert {r["rank"] for r in zeros} == {4} and all(r["tied"] for r in zeros)
    assert sorted(z[mvals.table["value"].to_numpy() == 0]) == [4, 4, 4, 4]


@pytest.mark.parametrize("bounds,labels", [
    (((0.0, 0.0), (0.0, 5.0), (5.0, 9.0)), ("0", "> 0 – 5.0", "5.0 – 9.0")),
    (((0.0, 2.0), (2.0, 5.0)), ("0 – 2.0", "2.0 – 5.0")),  # no single-value class: as before
    (((1.0, 3.0), (3.0, 3.0), (3.0, 7.5)), ("1.0 – 3.0", "3.0", "> 3.0 – 7.5")),
    (((0.0, 0.0),), ("0",)),
])
def test_class_labels(bounds, labels):
    assert mf.class_labels(bounds, 1, "en") == labels


def test_an_indicator_of_one_state_opens_on_that_state(ctx):
    st = cb.initial_state(ctx, {"ind": "north_robberies"}, "es")
    fig = st["figure"]
    fit = fig["layout"]["meta"]["fit"]
    assert fit["bounds"] == list(WIDE_STATES["01"]) and fit["inset"] == cb.AREA_INSET
    # the view centres on the state; the rest of the country in view is "no data", not hidden
    m = fig["layout"]["map"]
    assert m["center"]["lon"] == pytest.approx(3.0, abs=1.5) and 18 < m["center"]["lat"] < 20.5
    assert m["zoom"] > cb.initial_state(ctx, {}, "es")["figure"]["layout"]["map"]["zoom"]
    assert sorted(fig["data"][1]["locations"]) == ["0201", "0202", "0301", "0302"]
    assert fig["data"][2]["locations"] == []  # no veil: nothing is chosen
    assert st["rank_caption"] == "Tierra Ancha · 2021 · 3 territorios · datos solo para Norte"
    en = cb.initial_state(ctx, {"ind": "north_robberies"}, "en")
    assert en["rank_caption"].endswith("· data for Norte only")
    # the department filter still wins: a state without data is shown (all grey), under the veil's context
    st3 = cb.initial_state(ctx, {"ind": "north_robberies", "dept": "03"}, "es")
    assert st3["figure"]["layout"]["meta"]["fit"]["bounds"] == list(WIDE_STATES["03"])
    assert st3["rank_caption"] == "Oriente · 2021 · 0 territorios · datos solo para Norte"
    # switching indicators moves the view: to the state, and back to the whole country
    patch, *_ = cb.filter_change(ctx, "north_robberies", 2, "rate", "total", "Y", [], 1, "quantiles", 10, None,
                                 None, 2, "es", trigger="map-indicator")
    ops = {tuple(o["location"]): o["params"]["value"] for o in patch.to_plotly_json()["operations"]}
    assert ops[("layout", "meta", "fit")]["bounds"] == list(WIDE_STATES["01"])
    assert ops[("layout", "uirevision")] == fig["layout"]["uirevision"]
    back, *_ = cb.filter_change(ctx, "homicides", 2, "rate", "total", "Y", [], 1, "quantiles", 10, None,
                                None, 2, "es", trigger="map-indicator")
    ops2 = {tuple(o["location"]): o["params"]["value"] for o in back.to_plotly_json()["operations"]}
    assert ops2[("layout", "meta", "fit")]["bounds"] == [0, 14, 9, 20]
    assert ops2[("layout", "uirevision")] != ops[("layout", "uirevision")]
    # the legend's corner travels with the view
    assert ops2[("layout", "annotations", 0, "xanchor")] == "right"


def test_extent_text_names_few_states_and_counts_many(ctx):
    assert cb.extent_text(ctx, ("03", "01"), "es") == "datos solo para Norte y Oriente"
    assert cb.extent_text(ctx, ("01", "02", "03"), "en") == "data for Centro, Norte and Oriente only"
    # more than three: counted, with the dataset's name of the level (Guatemala's departments)
    from app import DEMO_DIR

    demo = AppContext(dataset=load_dataset(DEMO_DIR), cache=make_cache(Flask(__name__)))
    assert cb.extent_text(demo, ("01", "02", "03", "04", "05"), "es") == "datos solo para 5 de 22 departamentos"
    assert cb.extent_text(demo, ("01", "02", "03", "04", "05"), "en") == "data for 5 of 22 departments only"


def test_small_number_threshold_is_disabled_where_it_does_not_apply(ctx):
    survey = cb.initial_state(ctx, {"ind": "trust_survey"}, "es")
    assert survey["filters"].measure == "value"
    assert survey["small_why"] == "no aplica: este indicador no tiene casos, es un valor observado"
    assert cb.initial_state(ctx, {"ind": "homicides", "measure": "count"}, "en")["small_why"] == \
        "does not apply to counts: only to rates and changes"
    assert cb.initial_state(ctx, {"ind": "homicides"}, "es")["small_why"] == ""
    assert cb.initial_state(ctx, {"ind": "homicides", "measure": "change"}, "es")["small_why"] == ""
    # the control callback disables it (and names why) when the indicator or measure changes
    out = cb.control_change(ctx, "trust_survey", "rate", "Y", [], 2, "total", 0, {"lang": "en"})
    disabled, why, title, cls = out[-4:]
    assert disabled is True and why == " (does not apply: this indicator has no event counts, it is an observed value)"
    assert title.startswith("does not apply") and "is-disabled" in cls
    out2 = cb.control_change(ctx, "homicides", "rate", "Y", [], 2, "total", 0, {"lang": "en"})
    assert out2[-4:] == (False, "", None, "map-ctl map-ctl-small")


def test_the_layout_names_the_disabled_threshold_for_screen_readers(ctx):
    from components import map as page

    def find(node, id_):
        if getattr(node, "id", None) == id_:
            return node
        kids = getattr(node, "children", None)
        for k in kids if isinstance(kids, list) else [kids] if kids is not None else []:
            hit = find(k, id_)
            if hit is not None:
                return hit
        return None

    lay = page.layout(ctx, {"ind": "trust_survey"}, "es")
    assert find(lay, "map-small").disabled is True
    assert "no aplica" in find(lay, "map-small-why").children
    assert "visually-hidden" in find(lay, "map-small-why").className
    lay2 = page.layout(ctx, {"ind": "homicides"}, "es")
    assert find(lay2, "map-small").disabled is False and not find(lay2, "map-small-why").children


def test_index_map_colour_bar_covers_no_land(ctx):
    svc = icb.index_service(ctx)
    assert svc is not None
    res, rk = svc.ranking(svc.default)
    for color in ("group", "score"):
        centre, zoom, corner = svc.map_view(color, "es", False)
        w, h = iui.colorbar_box(color, "es", False)
        assert _overlay_land(wide_shape(), iui.NOMINAL_BOX, centre, zoom, corner, w, h) == 0
        fig = iui.map_figure(rk, res.config, color, "/g.json", centre, zoom, "src", "es", None, fit=svc.map_fit(),
                             corner=corner)
        bar = fig["data"][0]["colorbar"]
        assert bar["lenmode"] == "pixels" and bar["len"] == iui.COLORBAR_LEN
        assert bar["xanchor"] == ("left" if corner[1] == "l" else "right")
        assert fig["layout"]["meta"]["fit"]["overlay"] == "colorbar"
        assert fig["layout"]["meta"]["fit"]["bounds"] == [0, 14, 9, 20]
    json.dumps(fig)  # a plain, serialisable dict
