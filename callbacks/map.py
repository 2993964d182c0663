"""Map explorer callbacks. Thin: read the controls, call analytics.map_values (memoized), build figure
dicts / Patches with components.map_figure.

The hot path is `filter_change`: a filter change returns a Patch that replaces only the values,
classes, colours, hover text, legend and titles of the figure, never its geometry (which the browser
fetched once from the boundary URL). Switching between municipalities and departments replaces the
trace's geometry URL and locations (the level's static arrays), still no geometry.
"""

from __future__ import annotations

import io
import math
import unicodedata
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd
import dash_bootstrap_components as dbc
from dash import Dash, Input, Output, Patch, State, ctx as dash_ctx, dcc, html, no_update

from analytics import map_view as mv_view
from analytics.map_values import (
    METHODS,
    MapQuery,
    Classification,
    MapFilters,
    MapValues,
    change_classification,
    classify,
    map_values,
    mappable_indicators,
    normalize_filters,
    ranking,
)
from analytics.map_view import data_extent, is_partial, land_grid, place_overlay, view_footprint
from callbacks.context import AppContext
from components import map as _map_strings  # noqa: F401  (registers the page strings)
from components import map_figure as mf
from components.map import RANK_BLOCK
from components.formatting import fmt_number, fmt_period, fmt_signed_percent
from components.i18n import level_words, norm_lang, population_group, t, tl
from components.trends import COUNTRY_EN
from components.urlstate import encode_search

DEFAULT_METHOD = "quantiles"
TOP_CHOICES = ("all", "top10", "top25", "bottom10", "bottom25")
N_CLASSES = 5


# ---- memoized analytics ---------------------------------------------------------------------------
def _computed(ctx: AppContext) -> Any:
    """ctx.memoize'd map_values + classification, created once per context."""
    fn = getattr(ctx, "_map_computed", None)
    if fn is None:
        def compute(indicator: str, period: str, level: int, sex: str, measure: str, pooled: bool,
                    small: int, method: str) -> tuple[MapValues, Classification]:
            mv = map_values(ctx.dataset, MapQuery(indicator, period, level, sex, measure, pooled, small))
            cls = change_classification(mv) if measure == "change" else classify(mv.table["value"], method, N_CLASSES)
            return mv, cls

        fn = ctx.memoize(compute)
        ctx._map_computed = fn  # type: ignore[attr-defined]
    return fn


def compute(ctx: AppContext, f: MapFilters, small: int, method: str) -> tuple[MapValues, Classification]:
    return _computed(ctx)(f.indicator_id, f.period, f.level, f.sex, f.measure, f.pooled, int(small), method)


# ---- the view: what area the map shows, and where its legend goes ---------------------------------
COUNTRY_INSET = 6  # px kept clear around the whole country
AREA_INSET = 48  # around a department (or the part of the country with data): its neighbours give context


def view_area(ctx: AppContext, dept: str | None, indicator: str | None = None) -> tuple[str, ...] | None:
    """The admin-1 territories the map's view is fitted to: the chosen department; else, for an
    indicator with data in only part of the country (one state's series), the admin-1 territories
    holding its data; else None, the whole country."""
    ds = ctx.dataset
    if dept:
        return (dept,) if area_shape(ctx, (dept,)) is not None else None
    if indicator and indicator in ds.indicators.index:
        ext = data_extent(ds, indicator)
        if is_partial(ds, ext) and area_shape(ctx, ext) is not None:
            return ext
    return None


def area_shape(ctx: AppContext, area: tuple[str, ...] | None) -> tuple[tuple[float, ...], Any] | None:
    """(bounds, land grid) of an area (admin-1 ids, None = the whole country), from the admin-1
    boundaries (or the admin-2 ones under those ids when there are no admin-1 boundaries)."""
    files = ctx.dataset.boundary_files
    munis: tuple[str, ...] | None = None
    if area is not None and 2 in files:
        level2 = ctx.dataset.territories_at(2)
        munis = tuple(level2.index[level2["parent_id"].astype("str").isin(area)].astype("str"))
    # the land from the admin-1 shapes when there are any; the box from the municipalities' main
    # parts, so outlying islets of one municipality do not set the zoom (analytics.map_view.view_footprint)
    parts = str(files[2]) if 2 in files else None
    if 1 in files:
        return _shape_of(str(files[1]), area, parts, munis)
    return _shape_of(str(files[2]), munis, parts, munis)


@lru_cache(maxsize=256)
def _shape_of(path: str, ids: tuple[str, ...] | None, parts_path: str | None = None,
              part_ids: tuple[str, ...] | None = None) -> tuple[tuple[float, ...], Any] | None:
    geom = view_footprint(path, ids, parts_path, part_ids)
    if geom.is_empty:
        return None
    grid = land_grid(geom)
    return grid.bounds, grid


def view_bounds(ctx: AppContext, dept: str | None, indicator: str | None = None) -> tuple[float, float, float, float]:
    """(west, south, east, north) of what the map shows: the whole country, a department, or the
    part of the country where the indicator has data."""
    shape = area_shape(ctx, view_area(ctx, dept, indicator))
    if shape is None:  # no usable geometry: the bounds of every feature of the level-2 file
        shape = _shape_of(str(ctx.dataset.boundary_files.get(2) or ctx.dataset.boundary_files[1]), None)
    return tuple(float(x) for x in shape[0])  # type: ignore[index,return-value]


def _placement(ctx: AppContext, area: tuple[str, ...] | None, legend_text: str) -> mv_view.Placement | None:
    shape = area_shape(ctx, area)
    if shape is None:
        return None
    w, h = mf.legend_box(legend_text)
    return place_overlay(shape[1], *mf.NOMINAL_BOX, w, h, mf.OVERLAY_MARGIN,
                         COUNTRY_INSET if area is None else AREA_INSET)


def map_view(ctx: AppContext, dept: str | None, indicator: str | None = None,
             legend_text: str = "") -> tuple[dict[str, float], float, str]:
    """Centre, zoom and legend corner for the map's nominal box (the browser fits its real box the
    same way): the view fits the area (see `view_area`) with the legend in a corner where it covers
    no land, or beside the area when every corner holds land."""
    placed = _placement(ctx, view_area(ctx, dept, indicator), legend_text or "■ 0.0 – 0.0 (0)<br>" * 6)
    if placed is None:
        return {"lon": 0.0, "lat": 0.0}, 1.0, "tl"
    return placed.view.centre, placed.view.zoom, placed.corner


def map_fit(ctx: AppContext, dept: str | None, indicator: str | None = None) -> dict[str, Any]:
    """layout.meta.fit: the area's bounds and land grid, for the browser to fit the view and place the
    legend (the annotation named 'legend') in the map's real box, at the desk and in presenter mode
    (assets/40_presenter.js `fitMap`); `inset` px are kept clear around the area, `margin` px between
    the legend and the map's edge."""
    area = view_area(ctx, dept, indicator)
    shape = area_shape(ctx, area)
    bounds = view_bounds(ctx, dept, indicator)
    out: dict[str, Any] = {"bounds": [round(x, 5) for x in bounds], "overlay": "legend",
                           "inset": COUNTRY_INSET if area is None else AREA_INSET, "margin": mf.OVERLAY_MARGIN}
    if shape is not None:
        out["land"] = shape[1].to_json()
    return out


def view_key(ctx: AppContext, dept: str | None, indicator: str | None, level: int) -> str:
    """uirevision of the map: it changes (and the view with it) when the area shown changes."""
    import hashlib

    area = view_area(ctx, dept, indicator)
    tag = "" if area is None else hashlib.md5(",".join(area).encode()).hexdigest()[:8]
    return f"{level}-{dept or ''}-{tag}"


# ---- options of the controls ----------------------------------------------------------------------
def indicator_options(ctx: AppContext, lang: str) -> list[dict[str, Any]]:
    """Indicators grouped by domain: a disabled header per domain, then its indicators."""
    ds = ctx.dataset
    ids = mappable_indicators(ds)
    order = ["crime", "vawg", "risk", "trust", "context"]
    out: list[dict[str, Any]] = []
    for dom in order + sorted({str(ds.indicators.at[i, "domain"]) for i in ids} - set(order)):
        members = [i for i in ids if str(ds.indicators.at[i, "domain"]) == dom]
        if not members:
            continue
        key = f"map.domain.{dom}"
        try:
            head = t(key, lang)
        except KeyError:
            head = dom
        out.append({"label": f"— {head.upper()} —", "value": f"__{dom}", "disabled": True})
        for i in sorted(members, key=lambda x: ds.label(x, lang)):
            out.append({"label": ds.label(i, lang), "value": i})
    return out


def control_options(ctx: AppContext, f: MapFilters, lang: str) -> dict[str, Any]:
    """Options of level, measure, sex, granularity and pooled for consistent filters `f`."""
    o = f.options
    rate_base = str(ctx.dataset.indicator(f.indicator_id)["rate_base"])
    per = ctx.dataset.indicator(f.indicator_id)["rate_per"]
    # "Tasa" on the button (the toolbar must fit one line); its unit in the tooltip, and in the title,
    # the ranking header and the hover of the figure right below. The tooltip is not redrawn when the
    # sex changes, so for an indicator counted for everybody it names every sex's denominator
    rate_label: Any = t("map.ctl.measure.rate", lang)
    if rate_base != "none" and not pd.isna(per):
        by_sex = rate_base == "total" and any(s != "total" for s in o.sexes)
        key = "map.unit.rate.total_by_sex" if by_sex else f"map.unit.rate.{rate_base}"
        unit = t(key, lang, per=fmt_number(float(per), lang))
        rate_label = html.Span(rate_label, title=f"{rate_label} {unit}")
    measures = []
    for m in ("rate", "count", "change", "value"):
        if m in o.measures:
            measures.append({"label": rate_label if m == "rate" else t(f"map.ctl.measure.{m}", lang), "value": m})
    return {
        "level_options": [{"label": tl(f"map.ctl.level.{lv}", lang, ctx.dataset), "value": lv,
                           "disabled": lv not in o.levels}
                          for lv in (2, 1)],
        "measure_options": measures,
        "sex_options": [{"label": t(f"map.ctl.sex.{s}", lang), "value": s} for s in o.sexes],
        "gran_options": [{"label": t(f"map.ctl.gran.{g}", lang), "value": g,
                          "disabled": g not in o.granularities or (f.pooled and g != "Y")}
                         for g in ("Y", "Q", "M") if g in o.granularities or o.is_count],
        "pooled_options": [{"label": t("map.ctl.pooled", lang), "value": "1",
                            "disabled": f.measure != "rate"}],
    }


MAX_SLIDER_LABELS = 6  # a slider 16rem wide holds about six year labels without overlapping


def slider_props(f: MapFilters, lang: str) -> dict[str, Any]:
    """min/max/value/marks of the period slider (an index into f.periods). Up to six periods: each one
    labelled. Longer series: a labelled mark on at most six years (at their first month or quarter),
    counted back from the latest so that it is always labelled; the selected period is written in
    full beside the slider."""
    periods = list(f.periods)
    marks: dict[str, Any] = {}
    if len(periods) <= MAX_SLIDER_LABELS:
        marks = {str(i): {"label": fmt_period(p, lang)} for i, p in enumerate(periods)}
    else:
        starts = [i for i, p in enumerate(periods) if len(p) == 4 or p.endswith(("-01", "-Q1"))]
        step = math.ceil(len(starts) / MAX_SLIDER_LABELS)
        for k, i in enumerate(starts):
            if (len(starts) - 1 - k) % step == 0:  # (an unlabelled mark would show its index)
                marks[str(i)] = {"label": periods[i][:4]}
    return {"min": 0, "max": max(len(periods) - 1, 0), "value": periods.index(f.period), "marks": marks}


def note_for(f: MapFilters, mv: MapValues, lang: str, meta: Any = None) -> str:
    notes = []
    if 2 not in f.options.levels:
        notes.append(tl("map.note.admin1_only", lang, meta))
    if "not_annualised" in mv.notes:
        notes.append(t("map.note.not_annualised", lang))
    if "no_population" in mv.notes:
        notes.append(t("map.note.no_population", lang, group=population_group(mv.rate_base, lang)))
    if f.measure == "change":
        notes.append(t("map.note.change", lang))
    return " ".join(notes)


def flag_key(mv: MapValues, lang: str) -> str:
    """What ⚠ means in the ranking, when some value of the view is flagged (else '')."""
    if mv.query.measure not in ("rate", "change") or not bool(mv.table["small"].any()):
        return ""
    key = "map.note.small_change" if mv.query.measure == "change" else "map.note.small"
    return t(key, lang, n=mv.query.small_threshold)


def dept_options(ctx: AppContext, lang: str) -> list[dict[str, str]]:
    ds = ctx.dataset
    depts = ds.territories_at(1, within=ds.main_country)
    opts = [{"label": t("map.ctl.dept.all", lang), "value": ""}]
    opts += [{"label": str(n), "value": str(i)} for i, n in sorted(depts["name"].items(), key=lambda kv: str(kv[1]))]
    return opts


# ---- legend, titles, source -----------------------------------------------------------------------
def legend_children(legend: mf.Legend, lang: str) -> list[Any]:
    """The legend as a list for screen readers (the visible legend is drawn inside the figure): one
    item per class, 'bounds: count territories', then 'no data'. `data-class` / `data-count` let the
    tests read it."""
    terr = t("map.legend.territories", lang)
    rows = []
    if legend.title:
        rows.append(html.Div(legend.title, className="map-legend-title"))
    local = bool(legend.within_name)
    shown = legend.within_counts if local else legend.counts

    def words(n: int, country: int) -> str:
        if not local:
            return f"{fmt_number(n, lang)} {terr}"
        return t("map.legend.within", lang, n=fmt_number(n, lang), where=legend.within_name,
                 m=fmt_number(country, lang), terr=terr)

    for i, (lab, n, m) in enumerate(zip(legend.labels, shown, legend.counts)):
        rows.append(html.Div(f"{lab}: {words(n, m)}", className="map-legend-row", role="listitem",
                             **{"data-class": str(i), "data-count": str(n), "data-country-count": str(m)}))
    n_miss = legend.within_missing if local else legend.n_missing
    rows.append(html.Div(f"{t('map.legend.no_data', lang)}: {words(n_miss, legend.n_missing)}",
                         className="map-legend-row map-legend-nodata", role="listitem",
                         **{"data-class": "nodata", "data-count": str(n_miss),
                            "data-country-count": str(legend.n_missing)}))
    return rows


def map_legend(ctx: AppContext, mv: MapValues, cls: Classification, dept: str | None, lang: str) -> mf.Legend:
    """The legend of the map as shown: with a department chosen on the municipal map, each class also
    counts that department's municipalities (the classes stay the country's)."""
    if dept and mv.query.level == 2:
        return mf.legend_for(mv, cls, lang, within=dept, within_name=ctx.dataset.name(dept))
    return mf.legend_for(mv, cls, lang)


def _texts(ctx: AppContext, f: MapFilters, mv: MapValues, lang: str) -> tuple[str, str, str]:
    ds = ctx.dataset
    meta = ds.indicator(f.indicator_id)
    rate_base = mv.rate_base  # the rate's own group (rates.rate_denominator): women for female homicides
    title = mf.figure_title(ds.label(f.indicator_id, lang), mv, rate_base, lang,
                            level_words(ds.meta, lang)[f"adm{mv.query.level}s"])
    source = mf.source_text(ds.meta.source(str(meta["source"])).title_for(lang), mv,
                            bool(meta["synthetic"]) or ds.meta.synthetic, lang)
    return title, source, rate_base


# ---- the ranking ----------------------------------------------------------------------------------
def _decimals(mv: MapValues) -> int:
    return mf.decimals_for(mv)


def ranking_rows(mv: MapValues, dept: str | None, top: str, lang: str) -> list[dict[str, Any]]:
    """Rows of the ranking table, values rounded as shown (so downloads equal the screen)."""
    n = None
    order = "worst"
    if top and top != "all":
        order = "worst" if top.startswith("top") else "best"
        n = int(top.replace("top", "").replace("bottom", ""))
    r = ranking(mv, within=dept or None, top=n, order=order)
    d = _decimals(mv)
    small = f"⚠ < {mv.query.small_threshold}"

    def col(name: str, decimals: int | None) -> list[Any]:
        """A column as Python values rounded as shown; None where missing (column by column: a
        row-by-row loop over 2,475 territories took ~45 ms)."""
        vals = r[name].to_numpy(float).tolist()
        if decimals is None:
            return [None if x != x else int(round(x)) for x in vals]
        return [None if x != x else round(x, decimals) for x in vals]

    cols: dict[str, list[Any]] = {
        "territory_id": r["territory_id"].astype(str).tolist(),
        "rank": col("rank", None),
        "tied": r["tied"].astype(bool).tolist(),
        "name": r["name"].astype(str).tolist(),
        "department": r["parent_name"].astype(str).tolist() if mv.query.level == 2 else [None] * len(r),
        "value": col("value", d),
        "flag": [small if x else "" for x in r["small"].astype(bool).tolist()],
    }
    if mv.query.measure == "value":
        cols["lower"] = col("lower", 1)
        cols["upper"] = col("upper", 1)
    else:
        cols["count"] = col("count", None)
        if mv.query.measure == "change":
            cols["baseline"] = col("baseline", 1)
        elif mv.query.measure == "rate":
            cols["population"] = col("population", None)
    keys = list(cols)
    return [dict(zip(keys, vals)) for vals in zip(*cols.values())]


def ranking_columns(mv: MapValues, value_header: str, lang: str, meta: Any = None) -> list[dict[str, Any]]:
    """The grid's columns: rank, the territory (its department on a second line), the value (with ⚠
    when it rests on too few events), then the numbers behind it. Sized to fit the ranking panel at
    desk widths without a horizontal scroll; the full name is in the tooltip."""
    d = _decimals(mv)
    num = lambda dec: {"function": f"mapNum(params, {dec}, d3)"}  # noqa: E731  (assets/20_map.js)
    tip = t("map.flag.tip", lang, n=mv.query.small_threshold).replace("'", "\\'")
    cols: list[dict[str, Any]] = [
        {"field": "rank", "headerName": t("map.col.rank", lang), "width": 74, "type": "numericColumn",
         "valueFormatter": {"function": "mapRank(params)"},
         },  # rows arrive in rank order (worst first, no data last); headers sort on click
        {"field": "name", "headerName": t("map.col.name", lang), "flex": 1, "minWidth": 150,
         "cellRenderer": "MapTerritoryCell",
         "tooltipValueGetter": {"function": "params.data ? params.data.name + (params.data.department ? ', ' + "
                                            "params.data.department : '') : ''"}},
    ]
    fmt = "+,.1f" if mv.query.measure == "change" else f",.{d}f"
    cols.append({"field": "value", "headerName": value_header, "type": "numericColumn", "width": 108,
                 "valueFormatter": {"function": f"mapValue(params, '{fmt}', d3)"},
                 "cellClassRules": {"map-cell-unstable": "params.data && params.data.flag"},
                 "tooltipValueGetter": {"function": f"params.data && params.data.flag ? '⚠ {tip}' : undefined"},
                 "headerTooltip": value_header})
    if mv.query.measure == "value":
        cols += [{"field": "lower", "headerName": t("map.col.lower", lang), "type": "numericColumn", "width": 92,
                  "valueFormatter": num(1)},
                 {"field": "upper", "headerName": t("map.col.upper", lang), "type": "numericColumn", "width": 92,
                  "valueFormatter": num(1)}]
    elif mv.query.measure != "count":  # a count's value column is already the count
        key = "map.col.events_now" if mv.query.measure == "change" else "map.col.events"
        cols.append({"field": "count", "headerName": t(key, lang), "type": "numericColumn", "width": 74,
                     "valueFormatter": num(0)})
        if mv.query.measure == "change":
            cols.append({"field": "baseline", "headerName": t("map.col.baseline", lang), "type": "numericColumn",
                         "width": 104, "valueFormatter": num(1)})
        elif mv.query.measure == "rate":
            cols.append({"field": "population", "headerName": t("map.col.population", lang),
                         "type": "numericColumn", "width": 98, "valueFormatter": num(0)})
    return cols


def download_columns(mv: MapValues, value_header: str, lang: str, meta: Any = None) -> list[dict[str, str]]:
    """The columns of the CSV and Excel downloads: the grid's, with the department and the
    small-number flag as columns of their own."""
    out = []
    for c in ranking_columns(mv, value_header, lang, meta):
        out.append({"field": c["field"], "headerName": c["headerName"]})
        if c["field"] == "name" and mv.query.level == 2:
            out.append({"field": "department", "headerName": tl("map.col.department", lang, meta)})
    if mv.query.measure in ("rate", "change"):
        out.append({"field": "flag", "headerName": t("map.col.flag", lang)})
    return out


def rank_query(f: MapFilters, method: str, small: int, dept: str | None, top: str, lang: str) -> dict[str, Any]:
    """What the ranking shows, as the small dict the page keeps in `map-rank-query`: the grid asks
    the server for rows block by block (infinite row model), so a filter change sends this instead of
    every row."""
    return {"ind": f.indicator_id, "lvl": f.level, "measure": f.measure, "sex": f.sex, "gran": f.granularity,
            "pooled": f.pooled, "period": f.period, "cls": method, "small": small,
            "dept": dept if f.level == 2 else None, "top": top or "all", "lang": lang}


def _fold(text: Any) -> str:
    """Lower case without accents, for searching names ('peten' finds 'Petén')."""
    return "".join(c for c in unicodedata.normalize("NFKD", str(text)) if not unicodedata.combining(c)).casefold()


def ranking_view(ctx: AppContext, query: dict[str, Any], search: str | None = None,
                 sort_model: list[dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    """Every row the ranking shows for `query`: searched (name or department, ignoring case and
    accents) and sorted as the grid asks (`sort_model`: AG Grid's [{colId, sort}]; rank order when
    empty; blanks last either way). The grid's blocks and the downloads are slices of this list,
    memoized by (query, search, sort): scrolling through 2,475 rows asks for 25 blocks of the same
    view."""
    items = tuple(sorted((str(k), v if not isinstance(v, list) else tuple(v)) for k, v in (query or {}).items()))
    needle = _fold(search or "").strip()
    order = tuple((str(i.get("colId")), str(i.get("sort"))) for i in (sort_model or []))
    fn = getattr(ctx, "_map_ranking_view", None)
    if fn is None:
        def view(it: tuple[Any, ...], nd: str, so: tuple[tuple[str, str], ...]) -> list[dict[str, Any]]:
            return _ranking_view(ctx, dict(it), nd, so)

        fn = ctx.memoize(view)
        ctx._map_ranking_view = fn  # type: ignore[attr-defined]
    return fn(items, needle, order)


def _query_values(ctx: AppContext, q: dict[str, Any]) -> tuple[MapFilters, MapValues]:
    """The filters and (memoized) values behind a ranking query."""
    f = normalize_filters(ctx.dataset, q.get("ind"), q.get("lvl"), q.get("measure"), q.get("sex"), q.get("gran"),
                          bool(q.get("pooled")), q.get("period"))
    method = q.get("cls") if q.get("cls") in METHODS else DEFAULT_METHOD
    mv, _ = compute(ctx, f, _small(q.get("small")), method)
    return f, mv


def _ranking_view(ctx: AppContext, q: dict[str, Any], needle: str,
                  order: tuple[tuple[str, str], ...]) -> list[dict[str, Any]]:
    f, mv = _query_values(ctx, q)
    within = _dept(ctx, q.get("dept")) if f.level == 2 else None
    top = q.get("top") if q.get("top") in TOP_CHOICES else "all"
    rows = ranking_rows(mv, within, top, norm_lang(q.get("lang", "es")))
    if needle:
        rows = [r for r in rows if needle in _fold(r["name"]) or needle in _fold(r.get("department") or "")]
    for col, direction in reversed(order):
        if not rows or col not in rows[0]:
            continue
        present = [r for r in rows if r[col] not in (None, "")]
        blank = [r for r in rows if r[col] in (None, "")]
        if col in ("value", "baseline", "lower", "upper"):  # by the exact numbers, not as rounded on screen
            exact = dict(zip(mv.table["territory_id"], mv.table[col].to_numpy(float)))
            key: Any = lambda r, c=col: exact[r["territory_id"]]  # noqa: E731
        else:
            key = lambda r, c=col: _fold(r[c]) if isinstance(r[c], str) else r[c]  # noqa: E731
        rows = sorted(present, key=key, reverse=direction == "desc") + blank
    return rows


def ranking_index(ctx: AppContext, query: dict[str, Any], search: str | None,
                  sort_model: list[dict[str, Any]] | None, territory: str | None) -> int | None:
    """Position of `territory` in the ranking as the grid shows it (None when it is not listed)."""
    if not territory:
        return None
    for i, r in enumerate(ranking_view(ctx, query, search, sort_model)):
        if r["territory_id"] == territory:
            return i
    return None


def ranking_block(ctx: AppContext, request: dict[str, Any] | None, query: dict[str, Any],
                  search: str | None) -> dict[str, Any]:
    """The rows of one block the grid asked for ({startRow, endRow, sortModel}) and the row count."""
    req = request or {}
    rows = ranking_view(ctx, query, search, req.get("sortModel"))
    start = max(int(req.get("startRow") or 0), 0)
    end = max(int(req.get("endRow") or start + RANK_BLOCK), start)
    return {"rowData": rows[start:end], "rowCount": len(rows)}


def value_header(ctx: AppContext, f: MapFilters, mv: MapValues, lang: str) -> str:
    unit = mf.unit_label(mv, mv.rate_base, lang)
    if f.measure == "rate":
        name = t("map.measure.pooled" if f.pooled else "map.measure.rate", lang)
        return f"{name} {unit}"
    if f.measure == "change":
        return f"{t('map.measure.change', lang)} (%)"
    if f.measure == "count":
        return t("map.measure.count", lang)
    return f"{t('map.measure.value', lang)} ({unit})"


def rank_caption(ctx: AppContext, mv: MapValues, dept: str | None, lang: str) -> str:
    """'Escuintla · 2024 · 14 territories' (territories with a value in the table's area; ranks stay
    national), and where the data are when the indicator has data for only part of the country
    ('data for Guanajuato only')."""
    ds = ctx.dataset
    iso = str(ds.territories.at[ds.main_country, "country_iso3"])
    where = ds.name(dept) if dept else (COUNTRY_EN.get(iso, ds.name(ds.main_country)) if lang == "en"
                                         else ds.name(ds.main_country))
    tab = mv.table if not dept else mv.table.loc[mv.table["parent_id"] == dept]
    n = int(tab["rank"].notna().sum())
    text = f"{where} · {mf.period_text(mv, lang)} · {fmt_number(n, lang)} {t('map.legend.territories', lang)}"
    extent = data_extent(ds, mv.query.indicator_id)
    return text + (f" · {extent_text(ctx, extent, lang)}" if is_partial(ds, extent) else "")


def extent_text(ctx: AppContext, extent: tuple[str, ...], lang: str) -> str:
    """'datos solo para Guanajuato' / 'data for Guanajuato and Jalisco only'; with more than three,
    'data for 5 of 32 states only'."""
    ds = ctx.dataset
    if len(extent) <= 3:
        names = [ds.name(i) for i in sorted(extent, key=lambda i: ds.name(i))]
        joined = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} {t('map.extent.and', lang)} {names[-1]}"
        return t("map.extent.names", lang, names=joined)
    total = len(ds.territories_at(1, within=ds.main_country))
    return tl("map.extent.count", lang, ds, n=fmt_number(len(extent), lang), total=fmt_number(total, lang))


# ---- the page's state -----------------------------------------------------------------------------
def _small(value: Any) -> int:
    try:
        v = int(float(value))
    except (TypeError, ValueError):
        return 10
    return min(max(v, 1), 1000)


def _dept(ctx: AppContext, dept: Any) -> str | None:
    d = str(dept) if dept else None
    return d if d and d in ctx.dataset.territories.index and ctx.dataset.level(d) == 1 else None


def filters_from(ctx: AppContext, params: dict[str, Any]) -> MapFilters:
    """Filters from the URL query; `indicator` and `year` are accepted as aliases of `ind` and `period`
    (the story file uses them)."""
    return normalize_filters(ctx.dataset, params.get("ind") or params.get("indicator"), params.get("lvl"),
                             params.get("measure"), params.get("sex"), params.get("gran"),
                             params.get("pooled") in ("1", True, "true"), params.get("period") or params.get("year"))


def selected_card(ctx: AppContext, mv: MapValues | None, sel: str | None, lang: str) -> Any:
    """The selected territory above the ranking: its name, value with unit, rank, the link to its
    profile and a button to clear the selection; a hint when nothing is selected."""
    ds = ctx.dataset
    if not sel or sel not in ds.territories.index:
        return html.P(t("map.sel.none", lang), className="small text-muted mb-0 map-selected-hint")
    name = ds.name(sel)
    parent = ds.parent(sel)
    where = f"{name}, {ds.name(parent)}" if parent and ds.level(sel) == 2 else name
    body: list[Any] = [html.Strong(where, id="map-selected-name")]
    if mv is not None:
        row = mv.table.loc[mv.table["territory_id"] == sel]
        if len(row):
            r = row.iloc[0]
            d = mf.decimals_for(mv)
            if math.isnan(r["value"]):
                val = t("map.legend.no_data", lang)
            elif mv.query.measure == "change":
                val = fmt_signed_percent(float(r["value"]), lang)
            else:
                unit = mf.unit_label(mv, mv.rate_base, lang)
                val = f"{fmt_number(float(r['value']), lang, d)} {unit}"
            if bool(r["small"]):
                val += " ⚠"
            parts = [val]
            if not math.isnan(r["rank"]):
                parts.append(f"{t('map.hover.rank', lang)} {fmt_number(r['rank'], lang)} "
                             f"{t('map.hover.of', lang)} {fmt_number(mv.n_ranked, lang)}")
            body.append(html.Span(" · " + " · ".join(parts), className="map-selected-value"))
    href = f"/profile?territory={sel}" + ("&lang=en" if lang == "en" else "")
    words = {**level_words(ds.meta, lang), "adm0": "country", "del_adm0": "del país"}
    level = f"adm{min(ds.level(sel), 2)}"
    link = t("map.sel.profile", lang, level=words[level], del_level=words[f"del_{level}"])
    body.append(html.Div([dcc.Link(link, href=href, id="map-profile-link",
                                   className="btn btn-primary btn-sm me-2"),
                          dbc.Button(t("map.sel.clear", lang), id="map-clear", size="sm", color="primary",
                                     outline=True, n_clicks=0)],
                         className="mt-1"))
    return html.Div(body, className="map-selected-card")


def initial_state(ctx: AppContext, params: dict[str, str], lang: str) -> dict[str, Any]:
    """Everything the layout needs, from the URL query."""
    f = filters_from(ctx, params)
    method = params.get("cls") if params.get("cls") in METHODS else DEFAULT_METHOD
    small = _small(params.get("small", 10))
    dept = _dept(ctx, params.get("dept"))
    sel = params.get("sel") if params.get("sel") in ctx.dataset.territories.index else None
    top = params.get("top") if params.get("top") in TOP_CHOICES else "all"
    mv, cls = compute(ctx, f, small, method)
    fig = full_figure(ctx, f, mv, cls, dept, sel, lang)
    title, source, _ = _texts(ctx, f, mv, lang)
    legend = map_legend(ctx, mv, cls, dept, lang)
    opts = control_options(ctx, f, lang)
    return {
        "filters": f,
        "method": method,
        "small": small,
        "dept": dept,
        "selected": sel,
        "top": top,
        "search": params.get("q", ""),
        "figure": fig,
        "source": source,
        "legend_children": legend_children(legend, lang),
        "note": note_for(f, mv, lang, ctx.dataset.meta),
        "flag_key": flag_key(mv, lang),
        "indicator_options": indicator_options(ctx, lang),
        **opts,
        "dept_options": dept_options(ctx, lang),
        "method_options": [{"label": t(f"map.ctl.cls.{m}", lang), "value": m, "disabled": f.measure == "change"}
                           for m in METHODS],
        "small_why": small_not_applicable(f, lang),
        "slider": slider_props(f, lang),
        "period_text": fmt_period(f.period, lang),
        "rank_query": rank_query(f, method, small, dept, top, lang),
        "columns": ranking_columns(mv, value_header(ctx, f, mv, lang), lang, ctx.dataset.meta),
        "rank_caption": rank_caption(ctx, mv, dept if f.level == 2 else None, lang),
        "top_options": top_options(lang),
        "grid_locale": grid_locale(lang),
        "selected_card": selected_card(ctx, mv, sel, lang),
        "store": {"lang": lang, "level": f.level, "filters": filters_dict(f), "selected": sel},
    }


def filters_dict(f: MapFilters) -> dict[str, Any]:
    """The filters the slider positions refer to (so a control change can keep the same period)."""
    return {"indicator": f.indicator_id, "level": f.level, "measure": f.measure, "gran": f.granularity,
            "pooled": f.pooled}


def top_options(lang: str) -> list[dict[str, str]]:
    out = [{"label": t("map.rank.all", lang), "value": "all"}]
    for c in TOP_CHOICES[1:]:
        n = int(c.replace("top", "").replace("bottom", ""))
        out.append({"label": t("map.rank.top" if c.startswith("top") else "map.rank.bottom", lang, n=n), "value": c})
    return out


def grid_locale(lang: str) -> dict[str, str]:
    if lang == "en":
        return {}
    return {"noRowsToShow": "Sin filas", "loadingOoo": "Cargando…", "page": "Página", "to": "a", "of": "de"}


def full_figure(ctx: AppContext, f: MapFilters, mv: MapValues, cls: Classification, dept: str | None,
                sel: str | None, lang: str) -> dict[str, Any]:
    title, source, rate_base = _texts(ctx, f, mv, lang)
    legend = map_legend(ctx, mv, cls, dept, lang)
    centre, zoom, corner = map_view(ctx, dept, f.indicator_id, mf.legend_annotation_text(legend, lang))
    outline = ctx.boundary_url(1) if f.level == 2 and 1 in ctx.dataset.boundary_files else None
    fig = mf.base_figure(mv, cls, legend, geo_url=ctx.boundary_url(f.level), outline_url=outline, title=title,
                         source=source, centre=centre, zoom=zoom, rate_base=rate_base, selected=sel,
                         uirevision=view_key(ctx, dept, f.indicator_id, f.level), lang=lang,
                         mask=outside_mask(ctx, f.level, dept), corner=corner)
    fig["layout"].setdefault("meta", {})["fit"] = map_fit(ctx, dept, f.indicator_id)
    return fig


def outside_mask(ctx: AppContext, level: int, dept: str | None) -> dict[str, Any]:
    """The veil over what lies outside a chosen department: the other departments' polygons (a few
    dozen ids, whatever the map's level), or the other municipalities when there is no department
    geometry; nothing without a department."""
    ds = ctx.dataset
    if not dept:
        return {"geojson": ctx.boundary_url(level), "locations": []}
    if 1 in ds.boundary_files:
        others = [str(i) for i in ds.territories_at(1, within=ds.main_country).index if str(i) != dept]
        return {"geojson": ctx.boundary_url(1), "locations": others}
    munis = ds.territories_at(2, within=ds.main_country)
    return {"geojson": ctx.boundary_url(2),
            "locations": [str(i) for i, p in munis["parent_id"].items() if str(p) != dept]}


# ---- the filter-change callback as a plain function ------------------------------------------------
def period_from_index(ctx: AppContext, indicator: str, level: Any, measure: str, sex: str, gran: str,
                      pooled: Any, period_index: Any) -> str | None:
    """The period a slider position stands for, given the other filters."""
    f0 = normalize_filters(ctx.dataset, indicator, level, measure, sex, gran, bool(pooled), None)
    try:
        return f0.periods[int(period_index)]
    except (TypeError, ValueError, IndexError):
        return None


def filter_change(ctx: AppContext, indicator: str, level: Any, measure: str, sex: str, gran: str,
                  pooled: list[str] | None, period_index: Any, method: str, small: Any, dept: Any,
                  selected: str | None, drawn_level: Any, lang: str,
                  trigger: str | None = None) -> tuple[Patch, MapFilters, MapValues, Classification]:
    """The figure Patch a filter change sends, with the filters, values and classes behind it.

    Only values, classes, colours, hover texts, titles and (for a department) the view change; the
    geometry URL and the level's locations are re-sent only when the level itself changes."""
    lang = norm_lang(lang)
    period = period_from_index(ctx, indicator, level, measure, sex, gran, pooled, period_index)
    f = normalize_filters(ctx.dataset, indicator, level, measure, sex, gran, bool(pooled), period)
    method = method if method in METHODS else DEFAULT_METHOD
    dpt = _dept(ctx, dept)
    mv, cls = compute(ctx, f, _small(small), method)
    patch = Patch()
    level_changed = str(drawn_level) != str(f.level)
    if level_changed:
        full = full_figure(ctx, f, mv, cls, dpt, selected, lang)
        for i in range(4):
            patch["data"][i] = full["data"][i]
        patch["layout"]["map"]["layers"] = full["layout"]["map"]["layers"]
    if trigger == "map-selection" and not level_changed:
        patch["data"][3]["locations"] = [selected] if selected else []
        patch["data"][3]["z"] = [0] if selected else []
        return patch, f, mv, cls
    legend = map_legend(ctx, mv, cls, dpt, lang)
    legend_text = mf.legend_annotation_text(legend, lang)
    # the view follows the area shown: a department, or the part of the country an indicator has data for
    if level_changed or trigger in ("map-dept", "map-indicator"):
        centre, zoom, corner = map_view(ctx, dpt, f.indicator_id, legend_text)
        patch["layout"]["map"]["center"] = centre
        patch["layout"]["map"]["zoom"] = zoom
        patch["layout"]["meta"]["fit"] = map_fit(ctx, dpt, f.indicator_id)
        for key, val in mf.corner_position(corner).items():
            patch["layout"]["annotations"][0][key] = val
        if not level_changed and trigger == "map-dept":
            mask = outside_mask(ctx, f.level, dpt)
            patch["data"][2]["geojson"] = mask["geojson"]
            patch["data"][2]["locations"] = mask["locations"]
            patch["data"][2]["z"] = [0] * len(mask["locations"])
        patch["layout"]["uirevision"] = view_key(ctx, dpt, f.indicator_id, f.level)
    if trigger == "map-dept" and not level_changed:
        patch["layout"]["annotations"][0]["text"] = legend_text  # the department's counts
    if trigger in ("map-dept", "map-top") and not level_changed:
        return patch, f, mv, cls
    title, source, rate_base = _texts(ctx, f, mv, lang)
    if not level_changed:
        for key, val in mf.value_arrays(mv, cls, lang).items():
            patch["data"][0][key] = val
        patch["data"][0]["hovertemplate"] = mf.hovertemplate(mv, rate_base, lang)
        for key, val in mf.value_style(mv, cls, legend).items():
            patch["data"][0][key] = val
        for key, val in mf.missing_trace_values(mv, lang).items():
            patch["data"][1][key] = val
    patch["layout"]["title"]["text"] = title
    patch["layout"]["annotations"][0]["text"] = legend_text
    src = mf.figure_source(source)
    patch["layout"]["annotations"][1]["text"] = src
    patch["layout"]["margin"]["b"] = mf.source_margin(src)
    return patch, f, mv, cls


# ---- registration ---------------------------------------------------------------------------------
def register(app: Dash, ctx: AppContext) -> None:
    # warm up: imports (mapclassify) and the default view, so the first visitor does not wait
    initial_state(ctx, {}, "es")

    @app.callback(
        Output("map-level", "options"), Output("map-level", "value"),
        Output("map-measure", "options"), Output("map-measure", "value"),
        Output("map-sex", "options"), Output("map-sex", "value"),
        Output("map-gran", "options"), Output("map-gran", "value"),
        Output("map-pooled", "options"), Output("map-pooled", "value"),
        Output("map-period", "min"), Output("map-period", "max"), Output("map-period", "marks"),
        Output("map-period", "value"),
        Output("map-method", "options"),
        Output("map-state", "data", allow_duplicate=True),
        Output("map-small", "disabled"), Output("map-small-why", "children"), Output("map-ctl-small", "title"),
        Output("map-ctl-small", "className"),
        Input("map-indicator", "value"), Input("map-measure", "value"), Input("map-gran", "value"),
        Input("map-pooled", "value"),
        State("map-level", "value"), State("map-sex", "value"), State("map-period", "value"),
        State("map-state", "data"),
        prevent_initial_call=True,
    )
    def controls(indicator, measure, gran, pooled, level, sex, period_index, state):
        return control_change(ctx, indicator, measure, gran, pooled, level, sex, period_index, state)

    @app.callback(
        Output("map-graph", "figure"), Output("map-legend", "children"), Output("map-source", "children"),
        Output("map-note", "children"), Output("map-note", "is_open"), Output("map-period-label", "children"),
        Output("map-state", "data", allow_duplicate=True),
        Output("map-rank-query", "data"), Output("map-grid", "columnDefs"), Output("map-rank-caption", "children"),
        Output("map-selected", "children"), Output("map-flag-key", "children"),
        Input("map-indicator", "value"), Input("map-level", "value"), Input("map-measure", "value"),
        Input("map-sex", "value"), Input("map-gran", "value"), Input("map-pooled", "value"),
        Input("map-period", "value"), Input("map-method", "value"),
        Input("map-small", "value"), Input("map-dept", "value"), Input("map-top", "value"),
        Input("map-selection", "data"),
        State("map-state", "data"),
        prevent_initial_call=True,
    )
    def update(indicator, level, measure, sex, gran, pooled, period_index, method, small, dept, top, sel, state):
        return page_update(ctx, dash_ctx.triggered_id, indicator, level, measure, sex, gran, pooled, period_index,
                           method, small, dept, top, sel, state)

    @app.callback(
        Output("map-selection", "data"),
        Input("map-graph", "clickData"), Input("map-grid", "selectedRows"),
        State("map-selection", "data"),
        prevent_initial_call=True,
    )
    def select(click, rows, current):
        return selection_from(dash_ctx.triggered_id, click, rows, current)

    @app.callback(
        Output("map-selection", "data", allow_duplicate=True),
        Input("map-clear", "n_clicks"),
        prevent_initial_call=True,
    )
    def clear(n):
        # the button is part of the selection card, rendered anew with n_clicks=0 on each update
        return None if n else no_update

    @app.callback(
        Output("map-rank-focus", "data"),
        Input("map-selection", "data"), Input("map-rank-query", "data"), Input("map-search", "value"),
        State("map-grid", "getRowsRequest"),
    )
    def focus(sel, query, search, request):
        return rank_focus(ctx, dash_ctx.triggered_id, sel, query, search, (request or {}).get("sortModel"))

    # the grid marks the selected row (by id, so the mark survives block reloads), its own selection
    # (what the keyboard's Space sets) follows, and a selection made on the map is scrolled into view
    app.clientside_callback(
        """function(focus) {
            if (!focus || !window.dash_ag_grid) { return window.dash_clientside.no_update; }
            window.atalayaMap = window.atalayaMap || {};
            window.atalayaMap.selected = focus.selected || null;
            dash_ag_grid.getApiAsync('map-grid').then(function(api) {
                api.redrawRows();
                api.forEachNode(function(node) {
                    if (node.data && node.isSelected() !== (node.id === focus.selected)) {
                        node.setSelected(node.id === focus.selected);
                    }
                });
                if (focus.scroll && focus.index !== null && focus.index !== undefined) {
                    // when the page opens, the grid learns its row count with the first block: wait
                    var tries = 0;
                    var reveal = function() {
                        if (api.isDestroyed()) { return; }
                        if (api.getDisplayedRowCount() <= focus.index) {
                            if (tries++ < 50) { setTimeout(reveal, 150); }
                            return;
                        }
                        var range = api.getVerticalPixelRange(), h = api.getSizesForCurrentTheme().rowHeight;
                        var top = focus.index * h;  // rows have a fixed height
                        if (top < range.top || top + h > range.bottom) { api.ensureIndexVisible(focus.index, 'middle'); }
                    };
                    reveal();
                }
            });
            return window.dash_clientside.no_update;
        }""",
        Output("map-rank-purge", "data", allow_duplicate=True),
        Input("map-rank-focus", "data"),
        prevent_initial_call=True,
    )

    @app.callback(
        Output("map-grid", "getRowsResponse"),
        Input("map-grid", "getRowsRequest"),
        State("map-rank-query", "data"), State("map-search", "value"),
        prevent_initial_call=True,
    )
    def ranking_rows_block(request, query, search):
        return ranking_block(ctx, request, query, search)

    # a new query or search: the grid drops its blocks and asks again (it keeps its sort)
    app.clientside_callback(
        """function(query, search) {
            if (window.dash_ag_grid) {
                dash_ag_grid.getApiAsync('map-grid').then(function(api) { api.purgeInfiniteCache(); });
            }
            return window.dash_clientside.no_update;
        }""",
        Output("map-rank-purge", "data"),
        Input("map-rank-query", "data"), Input("map-search", "value"),
        prevent_initial_call=True,
    )

    @app.callback(
        Output("url", "search", allow_duplicate=True),
        Input("map-indicator", "value"), Input("map-level", "value"), Input("map-measure", "value"),
        Input("map-sex", "value"), Input("map-gran", "value"), Input("map-pooled", "value"),
        Input("map-period", "value"), Input("map-method", "value"), Input("map-small", "value"),
        Input("map-dept", "value"), Input("map-top", "value"), Input("map-selection", "data"),
        Input("map-search", "value"),
        State("map-state", "data"), State("url", "search"),
        prevent_initial_call=True,
    )
    def to_url(indicator, level, measure, sex, gran, pooled, period_index, method, small, dept, top, sel, q,
               state, search):
        period = period_from_index(ctx, indicator, level, measure, sex, gran, pooled, period_index)
        return url_search(indicator, level, measure, sex, gran, pooled, period, method, small, dept, top, sel, q,
                          search)

    @app.callback(
        Output("map-download", "data"),
        Input("map-dl-csv", "n_clicks"), Input("map-dl-xlsx", "n_clicks"),
        State("map-rank-query", "data"), State("map-search", "value"), State("map-grid", "getRowsRequest"),
        prevent_initial_call=True,
    )
    def download(_csv, _xlsx, query, search, request):
        kind = "xlsx" if dash_ctx.triggered_id == "map-dl-xlsx" else "csv"
        return download_for(ctx, kind, query, search, (request or {}).get("sortModel"))

    # play through time, in the browser: the button starts (from the first period when the slider is
    # at the last one) and pauses; each tick moves one period on and the play stops on the latest
    app.clientside_callback(
        """function(clicks, ticks, value, max, disabled, labels) {
            var nu = window.dash_clientside.no_update;
            var trig = (window.dash_clientside.callback_context.triggered[0] || {}).prop_id || '';
            if (trig.indexOf('map-play.') === 0) {
                if (!clicks) { return [nu, nu, nu]; }
                if (!disabled) { return [nu, true, labels.play]; }           // pause
                return [(value >= max) ? 0 : nu, false, labels.pause];     // play (again from the start)
            }
            if (!ticks || disabled) { return [nu, nu, nu]; }
            if (value + 1 >= max) { return [max, true, labels.play]; }       // the latest period: stop there
            return [value + 1, nu, nu];
        }""",
        Output("map-period", "value", allow_duplicate=True), Output("map-play-tick", "disabled"),
        Output("map-play", "children"),
        Input("map-play", "n_clicks"), Input("map-play-tick", "n_intervals"),
        State("map-period", "value"), State("map-period", "max"), State("map-play-tick", "disabled"),
        State("map-play-labels", "data"),
        prevent_initial_call=True,
    )


def selection_from(trigger: Any, click: dict[str, Any] | None, rows: Any, current: str | None) -> Any:
    """The territory selected by a click on the map (its location) or in the ranking (the grid's
    selected row, by mouse or by the keyboard's Space); unchanged otherwise. The grid deselecting a row
    (it follows a selection made on the map) does not clear the selection: the card's button does."""
    if trigger == "map-graph" and click and click.get("points"):
        loc = click["points"][0].get("location")
        return loc if loc and loc != current else no_update
    if trigger == "map-grid" and rows:
        rid = (rows[0] or {}).get("territory_id")
        return rid if rid and rid != current else no_update
    return no_update


def rank_focus(ctx: AppContext, trigger: Any, sel: str | None, query: dict[str, Any] | None, search: str | None,
               sort_model: list[dict[str, Any]] | None) -> dict[str, Any]:
    """What the grid needs to mark the selection: its id, its row index in the ranking as shown (None
    when not listed, e.g. outside the department) and whether to scroll it into view (a new selection,
    or the page opening with one; not a filter change)."""
    index = ranking_index(ctx, query or {}, search, sort_model, sel) if sel and query else None
    return {"selected": sel, "index": index, "scroll": trigger in (None, "map-selection")}


def page_update(ctx: AppContext, trig: Any, indicator, level, measure, sex, gran, pooled, period_index, method,
                small, dept, top, sel, state) -> tuple[Any, ...]:
    """Every output of the page's update callback (a plain function for tests): the figure Patch,
    legend, source, note, period label, state, ranking query/columns/caption, selection card and the
    key to the ⚠ flag."""
    state = dict(state or {})
    if trig == "map-selection" and "selected" in state and sel == state["selected"]:
        # dcc.Store announces its data when it mounts: nothing changed, send nothing. (A figure sent
        # now would queue a second draw, which errors if the page is left before the first finishes.)
        return (no_update,) * 12
    state["selected"] = sel
    lang = state.get("lang", "es")
    patch, f, mv, cls = filter_change(ctx, indicator, level, measure, sex, gran, pooled, period_index, method,
                                      small, dept, sel, state.get("level"), lang, trigger=trig)
    level_changed = str(state.get("level")) != str(f.level)
    state["level"] = f.level
    dpt = _dept(ctx, dept)
    nu = no_update
    card = selected_card(ctx, mv, sel, lang)
    if trig == "map-selection" and not level_changed:
        return (patch, nu, nu, nu, nu, nu, state, nu, nu, nu, card, nu)
    within = dpt if f.level == 2 else None  # a department filters the municipalities it holds
    rows = rank_query(f, method if method in METHODS else DEFAULT_METHOD, _small(small), dpt,
                      top if top in TOP_CHOICES else "all", lang)
    cols = ranking_columns(mv, value_header(ctx, f, mv, lang), lang, ctx.dataset.meta)
    caption = rank_caption(ctx, mv, within, lang)
    legend = map_legend(ctx, mv, cls, dpt, lang)
    if trig == "map-dept" and not level_changed:
        return (patch, legend_children(legend, lang), nu, nu, nu, nu, state, rows, cols, caption, card, nu)
    if trig == "map-top" and not level_changed:
        return (patch, nu, nu, nu, nu, nu, state, rows, cols, caption, card, nu)
    _, source, _ = _texts(ctx, f, mv, lang)
    note = note_for(f, mv, lang, ctx.dataset.meta)
    return (patch, legend_children(legend, lang), source, note, bool(note), fmt_period(f.period, lang), state,
            rows, cols, caption, card, flag_key(mv, lang))


def control_change(ctx: AppContext, indicator: str, measure: str, gran: str, pooled: list[str] | None, level: Any,
                   sex: str, period_index: Any, state: dict[str, Any] | None) -> tuple[Any, ...]:
    """Options and values of the dependent controls after the indicator, measure, granularity or
    pooled switch changed (as a plain function for tests)."""
    state = dict(state or {})
    lang = state.get("lang", "es")
    prev = state.get("filters") or {}
    period = period_from_index(ctx, prev.get("indicator", indicator), prev.get("level", level),
                               prev.get("measure", measure), sex, prev.get("gran", gran), prev.get("pooled", False),
                               period_index)
    # keep the same point in time when the granularity changes: 2023 -> 2023-12 / 2023-Q4
    if period and gran == "M" and len(period) == 4:
        period = f"{period}-12"
    elif period and gran == "Q" and len(period) == 4:
        period = f"{period}-Q4"
    elif period and gran == "Y" and len(period) > 4:
        period = period[:4]
    elif period and gran == "Q" and len(period) == 7 and "-Q" not in period:
        period = f"{period[:4]}-Q{(int(period[5:7]) - 1) // 3 + 1}"
    elif period and gran == "M" and "-Q" in period:
        period = f"{period[:4]}-{int(period[-1]) * 3:02d}"
    f = normalize_filters(ctx.dataset, indicator, level, measure, sex, gran, bool(pooled), period)
    opts = control_options(ctx, f, lang)
    sl = slider_props(f, lang)
    state["filters"] = filters_dict(f)
    method_opts = [{"label": t(f"map.ctl.cls.{m}", lang), "value": m, "disabled": f.measure == "change"}
                   for m in METHODS]
    why = small_not_applicable(f, lang)
    return (opts["level_options"], f.level, opts["measure_options"], f.measure, opts["sex_options"], f.sex,
            opts["gran_options"], f.granularity, opts["pooled_options"], ["1"] if f.pooled else [],
            sl["min"], sl["max"], sl["marks"], sl["value"], method_opts, state,
            bool(why), f" ({why})" if why else "", why or None,
            "map-ctl map-ctl-small" + (" is-disabled" if why else ""))


def small_not_applicable(f: MapFilters, lang: str) -> str:
    """Why the small-number threshold does nothing for these filters ('' when it applies): only rates
    and changes rest on counts of events (analytics.map_values.small_number_flags)."""
    if f.measure in ("rate", "change"):
        return ""
    return t(f"map.ctl.small_na.{'value' if f.measure == 'value' else 'count'}", lang)


def url_search(indicator, level, measure, sex, gran, pooled, period, method, small, dept, top, sel, q,
               current: str | None) -> str:
    params = {
        "ind": indicator, "lvl": level, "measure": measure, "sex": sex, "gran": gran,
        "pooled": "1" if pooled else None, "period": period,
        "cls": method if method and method != DEFAULT_METHOD else None,
        "small": small if small not in (None, "", 10) else None,
        "dept": dept or None, "top": top if top and top != "all" else None, "sel": sel or None, "q": q or None,
    }
    return encode_search(params, current)


def download_for(ctx: AppContext, kind: str, query: dict[str, Any] | None, search: str | None,
                 sort_model: list[dict[str, Any]] | None) -> dict[str, Any]:
    """The ranking as the grid shows it for this query, search and sort — every row, not only the
    blocks the browser has loaded — with the department and the ⚠ flag as columns, and its source."""
    q = query or {}
    lang = norm_lang(q.get("lang", "es"))
    f, mv = _query_values(ctx, q)
    rows = ranking_view(ctx, q, search, sort_model)
    cols = download_columns(mv, value_header(ctx, f, mv, lang), lang, ctx.dataset.meta)
    _, source, _ = _texts(ctx, f, mv, lang)
    return download_payload(kind, rows, cols, source, f.indicator_id)


def download_payload(kind: str, rows: list[dict[str, Any]], columns: list[dict[str, Any]], source: str,
                     indicator: str) -> dict[str, Any]:
    """The rows shown in the grid (after search and sorting), with the grid's column headers, as CSV
    or Excel (the Excel file has a second sheet with the source line)."""
    fields = [c["field"] for c in columns if c.get("field")]
    headers = [c.get("headerName", c["field"]) for c in columns if c.get("field")]
    frame = pd.DataFrame([{f: r.get(f) for f in fields} for r in rows], columns=fields)
    if "rank" in frame and "tied" not in fields:
        tied = [bool(r.get("tied")) for r in rows]
        frame["rank"] = [("" if v is None or (isinstance(v, float) and math.isnan(v)) else f"{int(v)}{' =' if tt else ''}")
                         for v, tt in zip(frame["rank"], tied)]
    frame.columns = headers
    name = f"atalaya_{indicator}"
    if kind == "xlsx":
        buf = io.BytesIO()
        with pd.ExcelWriter(buf, engine="openpyxl") as xw:
            frame.to_excel(xw, index=False, sheet_name="ranking")
            pd.DataFrame({"": [source]}).to_excel(xw, index=False, header=False, sheet_name="source")
        return dcc.send_bytes(buf.getvalue(), f"{name}.xlsx")
    return dcc.send_string(frame.to_csv(index=False), f"{name}.csv")
