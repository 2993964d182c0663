"""Boundaries: read any GIS file GDAL reads, reproject to EPSG:4326, repair, key by territory_id,
simplify the whole level as one coverage (shared borders stay aligned), write compact GeoJSON.

Formats: GeoJSON, TopoJSON (GDAL's read-only TopoJSON driver), a zipped or plain Shapefile, a
GeoPackage (choose the layer with `layer:`), and anything else pyogrio/GDAL opens.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from analytics.prepare.readers import NOT_FOUND_HINT, PrepareError, normalise_codes, read_table, require_columns
from analytics.prepare.report import Report

ID_CFG_KEYS = ("pad", "strip_prefix", "add_prefix", "take")


@dataclass
class Level:
    """One level's territories with geometry: columns territory_id, name, parent_id, geometry (EPSG:4326)."""

    level: int
    frame: gpd.GeoDataFrame
    source: str


def _code_opts(cfg: dict[str, Any]) -> dict[str, Any]:
    return {k: cfg.get(k) for k in ID_CFG_KEYS}


def read_boundaries(path: Path, layer: str | None, crs: str | None, where: str) -> gpd.GeoDataFrame:
    """Read a boundary file with pyogrio (a .zip holding a Shapefile is opened in place)."""
    if not path.exists():
        raise PrepareError(f"{where}: boundary file {path} not found{NOT_FOUND_HINT}")
    try:
        gdf = gpd.read_file(path, layer=layer, engine="pyogrio")
    except Exception as err:
        raise PrepareError(f"{where}: cannot read {path} (layer {layer!r}): {err}") from err
    if crs:
        gdf = gdf.set_crs(crs, allow_override=True)
    if gdf.crs is None:
        minx, miny, maxx, maxy = gdf.total_bounds
        if -180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90:
            gdf = gdf.set_crs("EPSG:4326")
        else:
            raise PrepareError(f"{where}: {path} has no coordinate reference system and its coordinates are not "
                               f"longitude/latitude (bounds {minx:.0f},{miny:.0f},{maxx:.0f},{maxy:.0f}); add crs: EPSG:<code>")
    return gdf.to_crs("EPSG:4326")


def polygonal(geom: Any) -> Any:
    """Only the polygons of a geometry (make_valid may return lines or points next to polygons), as a
    Polygon or MultiPolygon; None when nothing polygonal is left."""
    if geom is None or geom.is_empty:
        return None
    parts = [p for p in shapely.get_parts(geom) if p.geom_type in ("Polygon", "MultiPolygon")]
    flat = []
    for p in parts:
        flat.extend(shapely.get_parts(p) if p.geom_type == "MultiPolygon" else [p])
    flat = [p for p in flat if not p.is_empty and p.area > 0]
    if not flat:
        return None
    return flat[0] if len(flat) == 1 else shapely.MultiPolygon(flat)


def repair(gdf: gpd.GeoDataFrame, step: str, report: Report) -> gpd.GeoDataFrame:
    """make_valid every invalid geometry (listing each with GEOS's reason), keep polygons only."""
    geoms = gdf.geometry.values
    invalid = ~shapely.is_valid(geoms)
    if invalid.any():
        items = [f"{tid}: {shapely.is_valid_reason(g)} -> repaired with make_valid"
                 for tid, g in zip(gdf.loc[invalid, "territory_id"], geoms[invalid])]
        report.add("warning", step, "invalid polygons repaired", items)
        fixed = shapely.make_valid(geoms[invalid])
        geoms = geoms.copy()
        geoms[invalid] = fixed
    out = gdf.copy()
    out["geometry"] = [polygonal(g) for g in geoms]
    empty = out.geometry.isna()
    if empty.any():
        report.add("error", step, "features with no polygon (empty or not an area)",
                   list(out.loc[empty, "territory_id"]))
        out = out.loc[~empty]
    return gpd.GeoDataFrame(out, geometry="geometry", crs="EPSG:4326")


def load_level(cfg: dict[str, Any], level: int, input_dir: Path, report: Report,
               parent_ids: set[str] | None, country_id: str) -> Level:
    """Read one level as configured (see docs/importing.md, `boundaries.admin1/admin2`)."""
    step = f"boundaries admin{level}"
    path = input_dir / cfg["path"]
    gdf = read_boundaries(path, cfg.get("layer"), cfg.get("crs"), step)
    n_in = len(gdf)
    id_cfg = cfg["id"] if isinstance(cfg["id"], dict) else {"field": cfg["id"]}
    field = id_cfg["field"]
    if field not in gdf.columns:
        raise PrepareError(f"{step}: id field {field!r} not in {path.name}; fields: {[c for c in gdf.columns if c != 'geometry']}")
    ids = normalise_codes(gdf[field].astype(str).where(gdf[field].notna(), ""), **_code_opts(id_cfg))
    out = gpd.GeoDataFrame({"territory_id": ids.values}, geometry=gdf.geometry.values, crs="EPSG:4326")
    blank = out["territory_id"] == ""
    if blank.any():
        report.add("error", step, f"features with a blank id ({field})", [f"feature {i + 1}" for i in np.flatnonzero(blank)])
        out = out.loc[~blank]
    bad = ~out["territory_id"].str.match(r"^[A-Za-z0-9_.-]+$")
    if bad.any():
        raise PrepareError(f"{step}: ids with characters outside A-Z a-z 0-9 _ . -: {list(out.loc[bad, 'territory_id'][:10])}")

    # names
    name_cfg = cfg.get("name")
    if isinstance(name_cfg, str):
        if name_cfg not in gdf.columns:
            raise PrepareError(f"{step}: name field {name_cfg!r} not in {path.name}")
        out["name"] = gdf.loc[out.index, name_cfg].astype(str).str.strip().values
    else:
        out["name"] = ""
    if cfg.get("names_from"):
        names = names_lookup(cfg["names_from"], input_dir, step)
        from_table = out["territory_id"].map(names)
        out["name"] = from_table.where(from_table.notna(), out["name"])
    no_name = out["name"].isna() | (out["name"] == "") | (out["name"] == "None")
    if no_name.any():
        report.add("warning", step, "features with no name (the id is used as name)", list(out.loc[no_name, "territory_id"]))
        out.loc[no_name, "name"] = out.loc[no_name, "territory_id"]

    # parents
    par = cfg.get("parent")
    if level == 1 or par is None:
        out["parent_id"] = country_id
    elif "from_id" in par:
        out["parent_id"] = out["territory_id"].str.slice(0, int(par["from_id"]))
    elif "field" in par:
        out["parent_id"] = normalise_codes(gdf.loc[out.index, par["field"]].astype(str), **_code_opts(par)).values
    elif "path" in par:  # a second file: a table of (code, parent code)
        lookup = names_lookup({**par, "name": par["parent"]}, input_dir, f"{step}.parent")
        lookup = {k: normalise_codes(pd.Series([v]), **{k2: par.get(f"parent_{k2}") for k2 in ID_CFG_KEYS}).iloc[0]
                  for k, v in lookup.items()}
        out["parent_id"] = out["territory_id"].map(lookup).fillna("")
        none = out["parent_id"] == ""
        if none.any():
            report.add("error", step, f"territories not in the parent table {par['path']}", list(out.loc[none, "territory_id"]))
    else:
        raise PrepareError(f"{step}: parent needs from_id: N (first N characters of the id), field: NAME, "
                           f"or path/code/parent (a table of code -> parent code)")

    # duplicated ids: several features of one territory (islands stored apart) are merged, and listed
    dup = out["territory_id"].duplicated(keep=False)
    if dup.any():
        counts = out.loc[dup, "territory_id"].value_counts()
        report.add("warning", step, "ids on several features (merged into one multipolygon)",
                   [f"{tid}: {n} features" for tid, n in counts.items()])
        out = out.dissolve(by="territory_id", as_index=False, aggfunc="first")[["territory_id", "name", "parent_id", "geometry"]]

    out = repair(out.reset_index(drop=True), step, report)
    if parent_ids is not None and level == 2:
        orphan = ~out["parent_id"].isin(parent_ids)
        if orphan.any():
            report.add("error", step, "parent id derived from the id is not an admin1 territory",
                       [f"{t} -> {p}" for t, p in zip(out.loc[orphan, "territory_id"], out.loc[orphan, "parent_id"])])
    report.step(step, f"{n_in} features read from {path.name} (CRS reprojected to EPSG:4326) -> {len(out)} territories")
    return Level(level, out[["territory_id", "name", "parent_id", "geometry"]].sort_values("territory_id").reset_index(drop=True), path.name)


def dissolve_level1(admin2: Level, cfg: dict[str, Any], input_dir: Path, report: Report, country_id: str) -> Level:
    """Admin-1 polygons as the union of their municipalities (when no admin-1 file is given)."""
    step = "boundaries admin1"
    groups = admin2.frame.groupby("parent_id")
    rows = [(pid, shapely.coverage_union_all(g.geometry.values)) for pid, g in groups]
    out = gpd.GeoDataFrame({"territory_id": [r[0] for r in rows]}, geometry=[r[1] for r in rows], crs="EPSG:4326")
    out["name"] = out["territory_id"]
    if cfg.get("names_from"):
        names = names_lookup(cfg["names_from"], input_dir, step)
        out["name"] = out["territory_id"].map(names).fillna(out["territory_id"])
    missing = out["name"] == out["territory_id"]
    if missing.any():
        report.add("warning", step, "admin1 territories with no name (the id is used as name)", list(out.loc[missing, "territory_id"]))
    out["parent_id"] = country_id
    report.step(step, f"{len(out)} territories dissolved from admin2")
    return Level(1, out[["territory_id", "name", "parent_id", "geometry"]], "dissolved from admin2")


def names_lookup(cfg: dict[str, Any], input_dir: Path, where: str) -> dict[str, str]:
    """Names from a table: `names_from: {path, code, name, pad, take, strip_prefix, add_prefix}`.
    With `take: [0, 2]` a municipal table (code 01001) gives the state names (code 01)."""
    table = read_table(input_dir / cfg["path"], encoding=cfg.get("encoding", "auto"))
    require_columns(table, [cfg["code"], cfg["name"]], f"{where}.names_from")
    codes = normalise_codes(table.frame[cfg["code"]], **_code_opts(cfg))
    names = table.frame[cfg["name"]]
    pairs = pd.DataFrame({"code": codes, "name": names}).drop_duplicates()
    conflict = pairs["code"].duplicated(keep=False)
    if conflict.any():
        raise PrepareError(f"{where}.names_from: {table.path.name} gives several names for codes "
                           f"{sorted(set(pairs.loc[conflict, 'code']))[:10]}")
    return dict(zip(pairs["code"], pairs["name"]))


# ---- simplification and output ---------------------------------------------------------------------

def round_geoms(geoms: np.ndarray, precision: int) -> np.ndarray:
    """Coordinates on a grid of `precision` decimals, and still valid polygons: GEOS's precision
    reducer snaps every vertex (shared vertices of neighbours snap alike, so shared borders stay
    shared) and repairs what snapping breaks; a polygon too small to survive keeps its make_valid'd
    rounded shape instead of vanishing."""
    grid = 10.0 ** -precision
    snapped = shapely.set_precision(geoms, grid)
    rounded = shapely.transform(snapped, lambda xy: np.round(xy, precision))
    bad = shapely.is_empty(rounded) | ~shapely.is_valid(rounded)
    for i in np.flatnonzero(bad):
        g = shapely.transform(geoms[i], lambda xy: np.round(xy, precision))
        g = polygonal(shapely.make_valid(g)) if not g.is_valid else g
        rounded[i] = g if g is not None else geoms[i]
    return rounded


def geojson_text(frame: gpd.GeoDataFrame, geoms: np.ndarray, precision: int) -> str:
    """A compact FeatureCollection: feature id and properties.territory_id = territory_id, plus name."""
    feats = []
    for tid, name, g in zip(frame["territory_id"], frame["name"], round_geoms(geoms, precision)):
        feats.append({"type": "Feature", "id": tid, "properties": {"territory_id": tid, "name": name},
                      "geometry": shapely.geometry.mapping(g)})
    return json.dumps({"type": "FeatureCollection", "features": feats}, ensure_ascii=False, separators=(",", ":"))


def simplify_level(lv: Level, cfg: dict[str, Any] | None, precision: int, report: Report) -> tuple[str, float]:
    """Simplify the level as one coverage (`shapely.coverage_simplify`, shared borders stay shared).

    cfg: {tolerance: degrees} or {target_kb: N} (the largest detail whose GeoJSON is at most N kB,
    by bisection on the tolerance) or None (no simplification). Returns (GeoJSON text, tolerance used)."""
    step = f"boundaries admin{lv.level}"
    geoms = lv.frame.geometry.values
    if not shapely.coverage_is_valid(geoms):
        report.add("info", step, "the polygons are not a clean coverage (small gaps or overlaps between neighbours); "
                   "coverage simplification keeps the shared edges it finds")
    cfg = cfg or {}
    if "tolerance" in cfg:
        tol = float(cfg["tolerance"])
        text = geojson_text(lv.frame, shapely.coverage_simplify(geoms, tol), precision) if tol > 0 else geojson_text(lv.frame, geoms, precision)
        return text, tol
    if "target_kb" not in cfg:
        return geojson_text(lv.frame, geoms, precision), 0.0
    target = float(cfg["target_kb"]) * 1000
    text = geojson_text(lv.frame, geoms, precision)
    if len(text.encode()) <= target:
        return text, 0.0
    # Bisect on the tolerance using the number of coordinates as a proxy for the size (serialising
    # 2,500 polygons costs more than simplifying them), calibrated on the unsimplified file; then
    # serialise once and tighten if the estimate was short.
    bytes_per_coord = len(text.encode()) / max(int(shapely.get_num_coordinates(geoms).sum()), 1)
    budget = target / bytes_per_coord

    def n_coords(tol: float) -> int:
        return int(shapely.get_num_coordinates(shapely.coverage_simplify(geoms, tol)).sum())

    lo, hi = 0.0, 0.001
    for _ in range(12):
        if n_coords(hi) <= budget:
            break
        lo, hi = hi, hi * 4
    for _ in range(6):  # the tolerance within ~2% of the bracket
        mid = (lo + hi) / 2
        if n_coords(mid) <= budget:
            hi = mid
        else:
            lo = mid
    for _ in range(6):
        text = geojson_text(lv.frame, shapely.coverage_simplify(geoms, hi), precision)
        if len(text.encode()) <= target:
            return text, hi
        hi *= 1.25
    report.add("warning", step, f"could not reach {cfg['target_kb']} kB; simplified with tolerance {hi:g}")
    return text, hi


def write_level(lv: Level, out_dir: Path, simplify: dict[str, Any] | None, precision: int, report: Report) -> Path:
    t0 = time.perf_counter()
    text, tol = simplify_level(lv, simplify, precision, report)
    path = out_dir / "boundaries" / f"admin{lv.level}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    size = path.stat().st_size
    report.fact(f"boundaries/admin{lv.level}.json",
                f"{len(lv.frame)} features, {size / 1000:,.0f} kB, tolerance {tol:g}°, {precision} decimals, "
                f"{time.perf_counter() - t0:.1f} s")
    return path
