"""analytics/map_view.py: the view fitted to a box, the land grid, the corner where an overlay covers no
land, and the part of the country an indicator has data for. Expected values are computed by hand
(web-mercator arithmetic written out in the tests) or checked against the geometry itself with shapely,
independently of the grid."""

from __future__ import annotations

import math

import numpy as np
import pytest
import shapely

from analytics import map_view as mv
from analytics.loader import load_dataset
from tests.fixtures import WIDE_MUNIS, WIDE_STATES, make_small_dataset, make_wide_dataset, wide_shape


def _lonlat_of_px(view: mv.View, bounds, x: float, y: float) -> tuple[float, float]:
    """Screen px (in the box) back to lon/lat, from where `bounds` were drawn (`view.rect`)."""
    left, top, right, bottom = view.rect
    lon = bounds[0] + (x - left) / (right - left) * (bounds[2] - bounds[0])
    ytop, ybot = mv.mercator_y(bounds[3]), mv.mercator_y(bounds[1])
    return lon, mv.latitude(ytop - (y - top) / (bottom - top) * (ytop - ybot))


def _land_under_rect(geom, view: mv.View, bounds, rect) -> float:
    """Area (in degrees², lon/lat) of the land under a screen rect: shapely on the real geometry."""
    (x0, y1), (x1, y0) = _lonlat_of_px(view, bounds, rect[0], rect[1]), _lonlat_of_px(view, bounds, rect[2], rect[3])
    return float(shapely.intersection(geom, shapely.box(x0, y0, x1, y1)).area)


def test_fit_view_zoom_centre_and_pad_by_hand():
    # 45° of longitude at the equator in a 256 px usable width: 512·2^z·45/360 = 256 → z = 2, minus 0.05
    v = mv.fit_view((0.0, -1.0, 45.0, 1.0), 256, 400)
    assert v.zoom == 1.95
    assert v.centre["lon"] == pytest.approx(22.5) and v.centre["lat"] == pytest.approx(0.0, abs=1e-9)
    width = 512 * 2 ** 1.95 / 8  # px of the 45° at zoom 1.95
    assert v.rect[2] - v.rect[0] == pytest.approx(width)
    assert v.rect[0] == pytest.approx((256 - width) / 2)  # centred
    # a box 100 px wider with 100 px kept clear at the left: same zoom, the bounds start at x = 100 (they
    # would start at (356 − width) / 2 ≈ 54 centred), and the centre moves west by the shift
    p = mv.fit_view((0.0, -1.0, 45.0, 1.0), 356, 400, {"l": 100})
    assert p.zoom == 1.95 and p.rect[0] == pytest.approx(100.0)
    shift = 100 - (356 - width) / 2
    assert p.centre["lon"] == pytest.approx(22.5 - shift / (512 * 2 ** 1.95 / 360))
    # vertical: mercator y, and a box too small once padded has no view
    v2 = mv.fit_view((0.0, 0.0, 1.0, 60.0), 4000, 300)
    dy = (math.log(math.tan(math.pi / 4 + math.radians(60) / 2))) / (2 * math.pi)
    assert v2.zoom == round(math.log2(300 / 512 / dy) - 0.05, 2)
    assert mv.fit_view((0, 0, 1, 1), 120, 120, {"l": 40, "r": 40}) is None


def test_land_grid_marks_the_land_of_an_l_shape_and_small_islands():
    # an L: the top-right quarter of the box holds no land; a tiny island in the bottom-left cell of a
    # second shape counts (1/9) although it covers far less than a ninth of its cell
    ell = shapely.union_all([shapely.box(0, 0, 2, 1), shapely.box(0, 1, 1, 2)])
    g = mv.land_grid(ell, n=4)
    assert (g.nx, g.ny) == (4, 4) and g.bounds == (0.0, 0.0, 2.0, 2.0)
    assert np.all(g.cells[:2, 2:] == 0)  # north-east quarter: nothing (the cells only touch the land's edges)
    assert np.all(g.cells[:2, :2] == 1) and np.all(g.cells[2:, :] == 1)
    isl = shapely.union_all([shapely.box(0, 0, 0.01, 0.01), shapely.box(3.9, 3.9, 4, 4)])
    gi = mv.land_grid(isl, n=4)
    assert gi.cells[3, 0] == pytest.approx(1 / 9) and gi.cells[0, 3] == pytest.approx(1 / 9)
    assert gi.cells.sum() == pytest.approx(2 / 9)
    spec = g.to_json()
    assert spec["cells"][:4] == "9900" and len(spec["cells"]) == 16
    assert np.allclose(mv.LandGrid.from_json(g.bounds, spec).cells, g.cells)


def test_land_under_a_rect_is_share_times_area_by_hand():
    g = mv.LandGrid((0, 0, 1, 1), np.array([[1.0, 0.0], [0.0, 5 / 9]]))
    v = mv.View({"lon": 0, "lat": 0}, 1.0, (0.0, 0.0, 100.0, 100.0), {})
    assert mv.land_under(g, v, (0, 0, 25, 50)) == pytest.approx(25 * 50)  # a quarter of the full cell
    assert mv.land_under(g, v, (50, 0, 100, 50)) == 0.0  # the empty cell
    assert mv.land_under(g, v, (40, 40, 60, 60)) == pytest.approx(10 * 10 * (1 + 5 / 9))


def test_legend_goes_to_an_empty_corner_of_a_country_whose_top_left_is_land():
    land = wide_shape()
    grid = mv.land_grid(land)
    for box in ((790, 470), (620, 400), (1250, 480), (560, 520)):
        p = mv.place_overlay(grid, *box, 190, 110, 8, 6)
        assert p is not None and p.overlap == 0
        rect = mv.overlay_rect(p.corner, *box, 190, 110, 8)
        assert _land_under_rect(land, p.view, grid.bounds, rect) == 0  # checked on the geometry, not the grid
        plain = mv.fit_view(grid.bounds, *box, mv.inset_pad(6))
        tl_covers = _land_under_rect(land, plain, grid.bounds, mv.overlay_rect("tl", *box, 190, 110, 8)) > 0
        # at desk sizes the top-left corner of this country is land: a legend there would cover it, and
        # it goes to the empty top-right corner. In a much wider box (a projector) the country leaves
        # the top-left corner free: the legend stays there. In a taller box (the index map) the country
        # moves down into the free height. No zoom is lost in any of them.
        assert tl_covers == (box in ((790, 470), (620, 400), (560, 520)))
        assert p.corner == {(790, 470): "tr", (620, 400): "tr", (1250, 480): "tl", (560, 520): "tl"}[box]
        assert p.view.zoom == plain.zoom


def test_a_land_filled_area_keeps_a_strip_clear_for_the_legend():
    # a department that is a full rectangle: every corner is land, so the view keeps the legend's row or
    # column clear; in a box wider than the area that costs no zoom
    land = shapely.box(*WIDE_STATES["01"])
    grid = mv.land_grid(land)
    p = mv.place_overlay(grid, 790, 470, 190, 110, 8, 48)
    rect = mv.overlay_rect(p.corner, 790, 470, 190, 110, 8)
    assert p.overlap == 0 and _land_under_rect(land, p.view, grid.bounds, rect) == 0
    assert p.view.zoom == mv.fit_view(grid.bounds, 790, 470, mv.inset_pad(48)).zoom
    # a square area in a square box: the strip costs zoom, and it is still the choice (no land covered)
    sq = shapely.box(0, 0, 4, 4)
    gs = mv.land_grid(sq)
    ps = mv.place_overlay(gs, 500, 500, 150, 100, 8, 0)
    assert ps.overlap == 0 and ps.view.zoom < mv.fit_view(gs.bounds, 500, 500).zoom
    assert _land_under_rect(sq, ps.view, gs.bounds, mv.overlay_rect(ps.corner, 500, 500, 150, 100, 8)) == 0


def test_data_extent_is_where_an_indicator_has_values(tmp_path):
    ds = load_dataset(make_wide_dataset(tmp_path / "wide"))
    assert mv.data_extent(ds, "homicides") == ("01", "02", "03") and not mv.is_partial(ds, ("01", "02", "03"))
    assert mv.data_extent(ds, "north_robberies") == ("01",) and mv.is_partial(ds, ("01",))
    assert mv.data_extent(ds, "trust_survey") == ("01", "02", "03")  # observed by state
    small = load_dataset(make_small_dataset(tmp_path / "small"))
    assert mv.data_extent(small, "homicide_rate") == ()  # national only: no sub-national extent
    assert not mv.is_partial(small, ())
    # the footprint of some features of a boundary file, and of all of them
    path = str(ds.boundary_files[2])
    assert mv.footprint(path, ["0101", "0102"]).bounds == (0.0, 18.0, 4.0, 20.0)
    assert mv.footprint(path).area == pytest.approx(sum((r[2] - r[0]) * (r[3] - r[1]) for r in WIDE_MUNIS.values()))


def _feature_file(path, shapes: dict) -> str:
    import json

    path.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "id": fid, "properties": {}, "geometry": shapely.geometry.mapping(g)}
        for fid, g in shapes.items()]}))
    return str(path)


def test_a_view_leaves_out_outlying_islets_but_keeps_islands_inside_it_and_island_territories(tmp_path):
    """State S: an L-shaped mainland (area 7, its box's diagonal 5.66) with an islet inside its box
    (0.04, 2 away) and an islet 16° away (0.01). Archipelago A: its largest island box(10,0,11,1)
    (diagonal 1.41), an island of half its area 1 away, one of a quarter 0.94 away, an islet 3 away.
    Territory I: one small island far from everything."""
    mainland = shapely.union_all([shapely.box(0, 0, 4, 1), shapely.box(0, 0, 1, 4)])
    near, far = shapely.box(3, 3, 3.2, 3.2), shapely.box(20, 20, 20.1, 20.1)
    state = shapely.MultiPolygon([mainland, near, far])
    archipelago = shapely.MultiPolygon([shapely.box(10, 0, 11, 1), shapely.box(12, 0, 12.5, 1),
                                        shapely.box(11.8, 1.5, 12.3, 2), shapely.box(14, 0, 14.2, 0.2)])
    island = shapely.box(-30, -5, -29.9, -4.9)
    assert sorted(round(p.area, 2) for p in mv.main_parts(state)) == [0.04, 7.0]  # the far islet is out
    assert sorted(round(p.area, 2) for p in mv.main_parts(archipelago)) == [0.25, 0.5, 1.0]
    assert len(mv.main_parts(island)) == 1
    path = _feature_file(tmp_path / "admin1.json", {"S": state, "A": archipelago, "I": island})
    s = mv.view_footprint(path, ["S"])
    assert s.bounds == (0.0, 0.0, 4.0, 4.0)  # the far islet leaves the view: the state's zoom is its own
    assert s.area == pytest.approx(7.04)  # the islet inside the box stays land (the legend must not cover it)
    assert mv.view_footprint(path, ["A"]).bounds == (10.0, 0.0, 12.5, 2.0)
    # the whole country: an island territory is its own main part, so the view still reaches it
    assert mv.view_footprint(path).bounds == (-30.0, -5.0, 12.5, 4.0)
    assert mv.footprint(path, ["S"]).bounds == (0.0, 0.0, 20.1, 20.1)  # (the raw footprint, for contrast)


def test_an_island_municipality_stays_in_its_states_view(tmp_path):
    """State T = mainland box(0,0,2,2) + an island box(6,0,6.5,0.5) (area 0.25, 4 away: outlying as
    part of T). When the island is a municipality of its own (T2, like Cozumel), the box comes from
    the municipalities' main parts and keeps it; when it belongs to the mainland municipality (T1
    holding both, like Tecomán and its Pacific islands) it is left out."""
    main, isle = shapely.box(0, 0, 2, 2), shapely.box(6, 0, 6.5, 0.5)
    states = _feature_file(tmp_path / "admin1.json", {"T": shapely.MultiPolygon([main, isle])})
    own = _feature_file(tmp_path / "own.json", {"T1": main, "T2": isle})
    shared = _feature_file(tmp_path / "shared.json", {"T1": shapely.MultiPolygon([main, isle])})
    assert mv.view_footprint(states, ["T"]).bounds == (0.0, 0.0, 2.0, 2.0)
    assert mv.view_footprint(states, ["T"], own, ["T1", "T2"]).bounds == (0.0, 0.0, 6.5, 2.0)
    assert mv.view_footprint(states, ["T"], shared, ["T1"]).bounds == (0.0, 0.0, 2.0, 2.0)


def test_map_view_imports_nothing_from_dash():
    import subprocess
    import sys
    from pathlib import Path

    code = "import sys, analytics.map_view, analytics.map_values; print(any(m.split('.')[0] == 'dash' for m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parents[2])
    assert out.stdout.strip() == "False"
