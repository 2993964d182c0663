"""Where a map looks, for any country's shape: the view that fits an area in a box on screen, the land
of that area as a coarse grid, the corner of the box where an overlay (the class legend, a colour bar)
covers no land, and the part of the country an indicator has data for.

Pure Python on numpy and shapely (no Dash). The browser does the same computation for the map's real
box (assets/40_presenter.js, `placeOverlay`, which mirrors `place_overlay` step by step): the server
cannot know how large a responsive figure will be, so it computes the view for a nominal box (the
figure it sends, and what an export made without a browser shows), and sends the bounds and the land
grid in `layout.meta.fit` for the browser to fit the real one.

Geometry is in web-mercator "screen" terms: x grows with longitude, y with `mercator_y(lat)`; at zoom
z the world (360° of longitude, 2π of mercator y) is 512·2^z pixels wide, as in MapLibre.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Iterable

import numpy as np

CORNERS = ("tl", "tr", "bl", "br")  # order of preference when several corners are as good
GRID_CELLS = 32  # cells along the longer side of the land grid
OVERLAP_TOLERANCE = 0.002  # land under the overlay (px²), as a share of its area, still taken as "none"


def mercator_y(lat: float) -> float:
    lat = max(min(float(lat), 85.0), -85.0)
    return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))


def latitude(y: float) -> float:
    return math.degrees(2 * math.atan(math.exp(y)) - math.pi / 2)


# ---- geometry of the served boundary files ----------------------------------------------------------
@lru_cache(maxsize=8)
@lru_cache(maxsize=8)
def feature_shapes(geojson_path: str) -> dict[str, Any]:
    """shapely geometry of every feature of a GeoJSON file, by feature id (read once per file)."""
    import shapely

    with open(geojson_path, encoding="utf-8") as fh:
        gj = json.load(fh)
    out: dict[str, Any] = {}
    for f in gj.get("features", []):
        fid = str(f.get("id", (f.get("properties") or {}).get("territory_id")))
        if f.get("geometry"):
            out[fid] = shapely.make_valid(shapely.geometry.shape(f["geometry"]))
    return out


def footprint(geojson_path: str, ids: Iterable[str] | None = None) -> Any:
    """The land of the features `ids` of a boundary file (all of them when None), as one geometry."""
    import shapely

    shapes = feature_shapes(str(geojson_path))
    keep = list(shapes.values()) if ids is None else [shapes[i] for i in ids if i in shapes]
    if not keep:
        return shapely.GeometryCollection()
    return shapely.union_all(keep)


MAIN_PART_SHARE = 0.5  # a polygon of at least half the area of its territory's largest one is always shown
MAIN_PART_REACH = 1.0  # ... and a smaller one within this many diagonals of the largest one's box


def polygons(geom: Any) -> list[Any]:
    """The polygons of a geometry (a GeometryCollection from shapely.make_valid may hold lines too)."""
    if geom.geom_type == "Polygon":
        return [geom]
    return [p for part in getattr(geom, "geoms", ()) for p in polygons(part)]


def main_parts(geom: Any, share: float = MAIN_PART_SHARE, reach: float = MAIN_PART_REACH) -> list[Any]:
    """The polygons of one territory that a view must show: its largest polygon, any polygon of at
    least `share` of its area, and any other within `reach` times the diagonal of its bounding box
    (near-shore islands, an archipelago). Left out: small islands far off the coast — Tecomán's
    Socorro and Clarión islands lie 700–1,100 km out in the Pacific and would otherwise set the zoom of
    the whole state of Colima. A territory that is one island is itself its largest polygon."""
    parts = polygons(geom)
    if not parts:
        return []
    largest = max(parts, key=lambda p: p.area)
    w, s, e, n = largest.bounds
    near = reach * math.hypot(e - w, n - s)
    return [p for p in parts if p is largest or p.area >= share * largest.area or p.distance(largest) <= near]


def view_footprint(geojson_path: str, ids: Iterable[str] | None = None, parts_path: str | None = None,
                   part_ids: Iterable[str] | None = None) -> Any:
    """The land a view fits: the footprint of the features `ids` of `geojson_path` (all when None),
    clipped to the bounding box of the main parts (`main_parts`) of the features `part_ids` of
    `parts_path` (by default the same features). Pass the municipalities of the area as the parts: a
    municipality that is an island (Cozumel) is its own main part and stays in view, while the
    outlying islets of a coastal one (Manzanillo's Revillagigedo) leave it. An island inside the box
    stays land (the legend must not cover it)."""
    import shapely

    shapes = feature_shapes(str(geojson_path))
    keep = list(shapes.values()) if ids is None else [shapes[i] for i in ids if i in shapes]
    if parts_path is None:
        parts = keep
    else:
        pshapes = feature_shapes(str(parts_path))
        parts = list(pshapes.values()) if part_ids is None else [pshapes[i] for i in part_ids if i in pshapes]
    main = [p for g in parts for p in main_parts(g)] or [p for g in keep for p in main_parts(g)]
    if not keep or not main:
        return shapely.GeometryCollection()
    b = shapely.bounds(np.array(main, dtype=object))  # (n, 4): cheaper than the bounds of their union
    box = shapely.box(b[:, 0].min(), b[:, 1].min(), b[:, 2].max(), b[:, 3].max())
    return shapely.union_all(keep).intersection(box)


# ---- the land grid -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class LandGrid:
    """The share of land in each cell of a grid laid over `bounds` (west, south, east, north): cells
    of equal size on screen (equal steps of longitude and of mercator y), row 0 at the north.
    `cells[i, j]` is 0 where the cell holds no land at all, else the share of land rounded up to a
    ninth (a cell that holds a small island counts 1/9, never 0)."""

    bounds: tuple[float, float, float, float]
    cells: np.ndarray  # (ny, nx) float in {0, 1/9, ..., 1}

    @property
    def nx(self) -> int:
        return int(self.cells.shape[1])

    @property
    def ny(self) -> int:
        return int(self.cells.shape[0])

    def to_json(self) -> dict[str, Any]:
        """{nx, ny, cells}: `cells` one digit 0–9 (ninths of land) per cell, row by row from the north."""
        digits = np.rint(self.cells * 9).astype(int).clip(0, 9)
        return {"nx": self.nx, "ny": self.ny, "cells": "".join(str(d) for d in digits.ravel())}

    @classmethod
    def from_json(cls, bounds: Iterable[float], spec: dict[str, Any]) -> "LandGrid":
        digits = np.array([int(c) for c in spec["cells"]], dtype=float).reshape(int(spec["ny"]), int(spec["nx"]))
        return cls(tuple(float(b) for b in bounds), digits / 9.0)  # type: ignore[arg-type]


def land_grid(geom: Any, n: int = GRID_CELLS, samples: int = 5) -> LandGrid:
    """The land grid of a geometry over its own bounding box (`n` cells along the longer side on
    screen). A cell's share of land is measured on samples × samples points; any cell holding some
    land (not only sharing an edge with it) counts at least 1/9."""
    import shapely

    w, s, e, nn = (float(x) for x in geom.bounds)
    y0, y1 = mercator_y(s), mercator_y(nn)
    span_x, span_y = max(e - w, 1e-9) / 360.0, max(y1 - y0, 1e-12) / (2 * math.pi)
    if span_x >= span_y:
        nx, ny = n, max(4, int(round(n * span_y / span_x)))
    else:
        nx, ny = max(4, int(round(n * span_x / span_y))), n
    xs = np.linspace(w, e, nx + 1)
    ys = np.linspace(y1, y0, ny + 1)  # from the north
    lats = np.array([latitude(y) for y in ys])
    shapely.prepare(geom)
    # any land in the cell (boxes in lon/lat: mercator is monotonic in latitude, so a screen cell is a box)
    boxes = shapely.box(np.tile(xs[:-1], ny), np.repeat(lats[1:], nx), np.tile(xs[1:], ny), np.repeat(lats[:-1], nx))
    # (land inside the cell: a cell that only shares an edge with the land holds none)
    touched = (shapely.intersects(geom, boxes) & ~shapely.touches(geom, boxes)).reshape(ny, nx)
    # share of land: points at the centres of samples × samples sub-cells (in screen coordinates)
    f = (np.arange(samples) + 0.5) / samples
    px = (xs[:-1, None] + f[None, :] * (xs[1] - xs[0])).ravel()  # nx*samples
    py = (ys[:-1, None] + f[None, :] * (ys[1] - ys[0])).ravel()  # ny*samples (ys decreasing)
    plat = np.degrees(2 * np.arctan(np.exp(py)) - np.pi / 2)
    gx, gy = np.meshgrid(px, plat)
    inside = shapely.contains_xy(geom, gx, gy).reshape(ny, samples, nx, samples).mean(axis=(1, 3))
    share = np.where(touched, np.maximum(np.ceil(inside * 9 - 1e-9) / 9.0, 1 / 9.0), 0.0)
    return LandGrid((w, s, e, nn), share)


# ---- fitting a view ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class View:
    """Centre and zoom that fit bounds in a box of bw × bh px with `pad` px kept clear on each side,
    and where the bounds' box lands on screen (`rect`: left, top, right, bottom in px)."""

    centre: dict[str, float]
    zoom: float
    rect: tuple[float, float, float, float]
    pad: dict[str, float]


def fit_view(bounds: Iterable[float], bw: float, bh: float, pad: dict[str, float] | None = None) -> View | None:
    """The largest zoom (minus 0.05, to 2 decimals) at which `bounds` fit in the box minus `pad`,
    centred in the whole box and moved only as far as needed to keep clear of the padded sides
    (assets/40_presenter.js `fitView` does the same). None when the box minus the pad is smaller
    than 50 px either way."""
    b = [float(x) for x in bounds]
    p = {k: float((pad or {}).get(k, 0.0)) for k in ("l", "r", "t", "b")}
    uw, uh = bw - p["l"] - p["r"], bh - p["t"] - p["b"]
    if uw < 50 or uh < 50:
        return None
    dx = max(b[2] - b[0], 1e-6) / 360.0
    dy = max(mercator_y(b[3]) - mercator_y(b[1]), 1e-6) / (2 * math.pi)
    # to 2 decimals as the browser rounds (Math.round(z * 100) / 100), so both give the same zoom
    zoom = math.floor(max(min(math.log2(uw / 512 / dx), math.log2(uh / 512 / dy)) - 0.05, 0.0) * 100 + 0.5) / 100
    world = 512 * 2 ** zoom
    sx, sy = dx * world, dy * world

    def offset(size: float, box: float, lo: float, hi: float) -> float:
        return min(max(0.0, lo - box / 2 + size / 2), box / 2 - hi - size / 2)

    ox, oy = offset(sx, bw, p["l"], p["r"]), offset(sy, bh, p["t"], p["b"])  # px right / down
    lon = (b[0] + b[2]) / 2 - ox / (world / 360)
    lat = latitude((mercator_y(b[1]) + mercator_y(b[3])) / 2 + oy / (world / (2 * math.pi)))
    left, top = bw / 2 + ox - sx / 2, bh / 2 + oy - sy / 2
    return View({"lon": lon, "lat": lat}, zoom, (left, top, left + sx, top + sy), p)


def inset_pad(inset: float, extra: dict[str, float] | None = None) -> dict[str, float]:
    """`inset` px on every side, or `extra` where that is more."""
    return {k: max(float(inset), float((extra or {}).get(k, 0.0))) for k in ("l", "r", "t", "b")}


def overlay_rect(corner: str, bw: float, bh: float, ow: float, oh: float,
                 margin: float) -> tuple[float, float, float, float]:
    """(left, top, right, bottom) px of an ow × oh overlay `margin` px inside a corner of the box."""
    x0 = margin if corner[1] == "l" else bw - margin - ow
    y0 = margin if corner[0] == "t" else bh - margin - oh
    return x0, y0, x0 + ow, y0 + oh


def land_under(grid: LandGrid, view: View, rect: tuple[float, float, float, float]) -> float:
    """Area (px²) of land under `rect` when the grid's bounds are drawn at `view.rect`: the sum over
    the cells of (share of land) × (area of the cell under the rect)."""
    left, top, right, bottom = view.rect
    cw, ch = (right - left) / grid.nx, (bottom - top) / grid.ny
    xs = left + np.arange(grid.nx + 1) * cw
    ys = top + np.arange(grid.ny + 1) * ch
    ix = np.clip(np.minimum(xs[1:], rect[2]) - np.maximum(xs[:-1], rect[0]), 0, None)
    iy = np.clip(np.minimum(ys[1:], rect[3]) - np.maximum(ys[:-1], rect[1]), 0, None)
    return float((grid.cells * np.outer(iy, ix)).sum())


@dataclass(frozen=True)
class Placement:
    """Where the overlay goes (a corner of the map's box) and the view that goes with it."""

    corner: str
    view: View
    overlap: float  # px² of land under the overlay (0 when it covers none)


def place_overlay(grid: LandGrid, bw: float, bh: float, ow: float, oh: float, margin: float = 8.0,
                  inset: float = 0.0) -> Placement | None:
    """The corner for an ow × oh overlay and the view of the grid's bounds in a bw × bh box: for each corner (in CORNERS order), the plain fit, then the fit that keeps the overlay's
    column clear (a side strip), then the one that keeps its row clear; the winner covers no land
    (up to OVERLAP_TOLERANCE of its area) at the largest zoom, the earlier candidate on a tie; when
    every candidate covers land, the one covering least. `inset` px are kept clear on every side."""
    tol = OVERLAP_TOLERANCE * ow * oh
    best: tuple[Any, ...] | None = None
    for ci, corner in enumerate(CORNERS):
        side = "l" if corner[1] == "l" else "r"
        row = "t" if corner[0] == "t" else "b"
        for pi, extra in enumerate(({}, {side: ow + 2 * margin}, {row: oh + 2 * margin})):
            view = fit_view(grid.bounds, bw, bh, inset_pad(inset, extra))
            if view is None:
                continue
            over = land_under(grid, view, overlay_rect(corner, bw, bh, ow, oh, margin))
            key = (0, -view.zoom, ci, pi) if over <= tol else (1, over, -view.zoom, ci, pi)
            if best is None or key < best[0]:
                best = (key, Placement(corner, view, over if over > tol else 0.0))
    return None if best is None else best[1]


# ---- where an indicator has data ----------------------------------------------------------------------
def data_extent(ds: Any, indicator_id: str) -> tuple[str, ...]:
    """The admin-1 territories (of the main country) under which the indicator has at least one value
    in any period, in id order; empty when it has none below the country."""
    return _data_extent(ds, indicator_id)


@lru_cache(maxsize=256)
def _data_extent(ds: Any, indicator_id: str) -> tuple[str, ...]:
    obs = ds.observations
    sel = obs.loc[(obs["indicator_id"] == indicator_id) & obs["value"].notna(), "territory_id"]
    tids = {str(x) for x in sel.unique()}
    t = ds.territories
    country = ds.main_country
    out: set[str] = set()
    for tid in tids:
        if tid not in t.index:
            continue
        level = int(t.at[tid, "level"])
        if level == 1:
            a1: str | None = tid
        elif level >= 2:
            a1 = ds.ancestor(tid, 1)
        else:
            continue
        if a1 and ds.parent(a1) == country:
            out.add(a1)
    return tuple(sorted(out))


def is_partial(ds: Any, extent: tuple[str, ...]) -> bool:
    """True when `extent` covers some but not all admin-1 territories of the main country."""
    n = len(ds.territories_at(1, within=ds.main_country))
    return 0 < len(extent) < n
