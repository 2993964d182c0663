"""The map explorer's figure as a plain dict, and the Patch that recolours it.

Traces (fixed order, so a Patch can address them by index):
  0  values   — every territory of the level (static `locations`); `z` is the rank (0 where there
               are no data, painted transparent), `customdata` the value and what stands behind it,
               `text` the count behind a rate or a change with its small-number mark (`value_arrays`).
               The hover's name is `properties.atalaya_label` of the served geometry (app.py).
  1  no data  — the territories without a value, in their own grey, with a legend entry.
  2  outside  — when a department is chosen, the other departments under a white veil (the map zooms
               to the department; its neighbours stay visible but recede), never hovered.
  3  selected — the selected territory, drawn as a thick outline (above the veil).
Department outlines are a MapLibre line layer fed by the admin-1 GeoJSON URL. Geometry is never in
the figure: traces reference the boundary URL served (gzipped, cached) by app.py.

Numeric arrays are sent as plotly typed-array specs (base64 float32): about a third of the bytes of
JSON number lists for the same values.
"""

from __future__ import annotations

import base64
import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from analytics.map_values import Classification, MapValues, class_counts_within
from components.figures import NO_DATA_COLOUR, frame, source_line
from components.formatting import fmt_integers, fmt_number, fmt_period
from components.i18n import register, t

register(
    {
        "map.unit.rate.total": ("por {per} habitantes", "per {per} people"),
        "map.unit.rate.female": ("por {per} mujeres", "per {per} women"),
        "map.unit.rate.male": ("por {per} hombres", "per {per} men"),
        "map.unit.rate.female_10_19": ("por {per} mujeres de 10 a 19 años", "per {per} women aged 10–19"),
        "map.unit.count": ("casos", "events"),
        "map.unit.change": ("% de cambio frente a su línea de base", "% change against own baseline"),
        "map.unit.percent": ("%", "%"),
        "map.unit.rate": ("por {per}", "per {per}"),
        "map.unit.index": ("índice", "index"),
        "map.measure.rate": ("Tasa", "Rate"),
        "map.measure.pooled": ("Tasa trienal agrupada", "Pooled 3-year rate"),
        "map.measure.count": ("Casos", "Events"),
        "map.measure.change": ("Cambio", "Change"),
        "map.measure.value": ("Valor", "Value"),
        "map.level.2": ("municipios", "municipalities"),
        "map.level.1": ("departamentos", "departments"),
        "map.hover.events": ("Casos", "Events"),
        "map.hover.population": ("Población", "Population"),
        "map.hover.rank": ("Posición", "Rank"),
        "map.hover.of": ("de", "of"),
        "map.hover.now": ("ahora", "now"),
        "map.hover.baseline": ("promedio anual de la línea de base", "yearly average in the baseline"),
        "map.hover.interval": ("Intervalo", "Interval"),
        "map.hover.no_data": ("Sin datos", "No data"),
        "map.hover.small": ("* = menos de {n} casos: valor inestable", "* = fewer than {n} events: unstable value"),
        "map.hover.small_change": ("* = línea de base de menos de {n} casos al año: cambio inestable",
                                   "* = baseline under {n} events a year: unstable change"),
        "map.change.down25": ("≥ 25 % por debajo", "≥ 25% below"),
        "map.change.down1_25": ("1–25 % por debajo", "1–25% below"),
        "map.change.up": ("por encima (o < 1 % por debajo)", "above (or < 1% below)"),
        "map.legend.no_data": ("Sin datos", "No data"),
        "map.legend.country": ("país", "country"),
        "map.title.vs": ("frente a", "vs"),
        "map.title.avg": ("promedio", "average"),
        "map.selected": ("Seleccionado", "Selected"),
    }
)

# Colour-blind-safe ColorBrewer sequential palettes (light -> dark) by number of classes.
SEQ_WORSE = {  # YlOrRd: higher is worse
    1: ["#fd8d3c"], 2: ["#fecc5c", "#e31a1c"], 3: ["#ffeda0", "#feb24c", "#f03b20"],
    4: ["#ffffb2", "#fecc5c", "#fd8d3c", "#e31a1c"], 5: ["#ffffb2", "#fecc5c", "#fd8d3c", "#f03b20", "#bd0026"],
    6: ["#ffffb2", "#fed976", "#feb24c", "#fd8d3c", "#f03b20", "#bd0026"],
    7: ["#ffffb2", "#fed976", "#feb24c", "#fd8d3c", "#fc4e2a", "#e31a1c", "#b10026"],
}
SEQ_BETTER = {  # PuBu: higher is better
    1: ["#74a9cf"], 2: ["#a6bddb", "#0570b0"], 3: ["#ece7f2", "#a6bddb", "#2b8cbe"],
    4: ["#f1eef6", "#bdc9e1", "#74a9cf", "#0570b0"], 5: ["#f1eef6", "#bdc9e1", "#74a9cf", "#2b8cbe", "#045a8d"],
    6: ["#f1eef6", "#d0d1e6", "#a6bddb", "#74a9cf", "#2b8cbe", "#045a8d"],
    7: ["#f1eef6", "#d0d1e6", "#a6bddb", "#74a9cf", "#3690c0", "#0570b0", "#034e7b"],
}
# Diverging (RdBu, colour-blind safe) traffic light for change: well below, below, above.
CHANGE_COLOURS = ["#2166ac", "#92c5de", "#d6604d"]
CHANGE_KEYS = ["map.change.down25", "map.change.down1_25", "map.change.up"]
SELECTED_COLOUR = "#111111"
MASK_COLOUR = "rgba(255,255,255,0.72)"  # the veil over the territories outside a chosen department
TRANSPARENT = "rgba(0,0,0,0)"
NO_RANK = 0  # z of a territory without data (ranks start at 1)
HOVER_NAME = "%{properties.atalaya_label}"  # the territory's name, from the served geometry (app.py)


@dataclass(frozen=True)
class Legend:
    """What the legend shows: one entry per class (colour, label 'lo – hi', count) and no data."""

    colours: tuple[str, ...]
    labels: tuple[str, ...]
    counts: tuple[int, ...]
    n_missing: int
    title: str
    # with a department chosen: its name and its territories per class (the country's in parentheses)
    within_name: str = ""
    within_counts: tuple[int, ...] = ()
    within_missing: int = 0


def typed(values: np.ndarray, dtype: str = "f4") -> dict[str, Any]:
    """A plotly.js typed-array spec (base64, little-endian float32 or int16) for a 1-D or 2-D array."""
    a = np.ascontiguousarray(values, dtype="<" + dtype)
    spec: dict[str, Any] = {"dtype": dtype, "bdata": base64.b64encode(a.tobytes()).decode("ascii")}
    if a.ndim > 1:
        spec["shape"] = ", ".join(str(s) for s in a.shape)
    return spec


def decimals_for(mv: MapValues) -> int:
    """Decimals shown for the measure: counts 0, change 1, rates 1 (2 when all are below 10)."""
    if mv.query.measure == "count":
        return 0
    if mv.query.measure == "rate":
        vmax = mv.table["value"].abs().max()
        return 2 if not math.isnan(vmax) and vmax < 10 else 1
    return 1


def unit_label(mv: MapValues, rate_base: str, lang: str) -> str:
    """'per 100,000 women', 'events', '%', ... for the measure of `mv`."""
    m = mv.query.measure
    if m == "rate":
        per = fmt_number(mv.rate_per, lang)
        key = f"map.unit.rate.{rate_base}"
        return t(key, lang, per=per) if _has(key) else t("map.unit.rate", lang, per=per)
    if m == "count":
        return t("map.unit.count", lang)
    if m == "change":
        return t("map.unit.change", lang)
    if mv.unit == "percent":
        return t("map.unit.percent", lang)
    if mv.unit == "rate" and mv.rate_per:
        return t("map.unit.rate", lang, per=fmt_number(mv.rate_per, lang))
    return t("map.unit.index", lang) if mv.unit == "index" else mv.unit


def _has(key: str) -> bool:
    try:
        t(key, "es")
        return True
    except KeyError:
        return False


def period_text(mv: MapValues, lang: str) -> str:
    """The period as people read it: '2023', 'mar 2023', '2021–2023', '2023 vs 2020–2022 average'."""
    text = " – ".join(fmt_period(part, lang) for part in mv.period_label.split("–"))
    if mv.query.measure == "change":
        base = " – ".join(fmt_period(part, lang) for part in mv.baseline_label.split("–"))
        text += f" {t('map.title.vs', lang)} {t('map.title.avg', lang)} {base}"
    return text


def legend_for(mv: MapValues, cls: Classification, lang: str, within: str | None = None,
               within_name: str = "") -> Legend:
    """Legend entries for a classified map; with `within` (a department whose territories are
    shown) each class also counts the department's territories."""
    local: dict[str, Any] = {}
    if within:
        counts, missing = class_counts_within(mv, cls, within)
        local = {"within_name": within_name or within, "within_counts": counts, "within_missing": missing}
    if mv.query.measure == "change":
        return Legend(tuple(CHANGE_COLOURS), tuple(t(k, lang) for k in CHANGE_KEYS), cls.counts, cls.n_missing,
                      t("map.measure.change", lang), **local)
    k = len(cls.bounds)
    pal = (SEQ_WORSE if mv.higher_is_worse else SEQ_BETTER).get(k, SEQ_WORSE[5])
    return Legend(tuple(pal[:k]), class_labels(cls.bounds, decimals_for(mv), lang), cls.counts, cls.n_missing, "",
                  **local)


def class_labels(bounds: tuple[tuple[float, float], ...], decimals: int, lang: str) -> tuple[str, ...]:
    """Legend labels of classes (lower, upper] (the first includes its lower bound), written so that
    none reads as overlapping another: a class holding a single value is that value ('0'), and the
    class after it starts with '>' ('> 0 – 9.6'), since it does not contain its lower bound. A bound
    of exactly zero is written '0' (no events), not '0.0'."""

    def num(x: float) -> str:
        return "0" if x == 0 else fmt_number(x, lang, decimals)

    out: list[str] = []
    single_before = False
    for lo, hi in bounds:
        if num(lo) == num(hi):
            out.append(num(hi))
            single_before = True
            continue
        out.append(f"{'> ' if single_before else ''}{num(lo)} – {num(hi)}")
        single_before = False
    return tuple(out)


def colour_at(scale: list[list[Any]], zmin: float, zmax: float, z: float) -> str:
    """The colour a stepped colour scale gives to z (for tests and checks)."""
    pos = (z - zmin) / (zmax - zmin)
    for (p0, c0), (p1, _c1) in zip(scale, scale[1:]):
        if p0 <= pos <= p1 and p0 != p1:
            return str(c0)
    return str(scale[-1][1])


def hovertemplate(mv: MapValues, rate_base: str, lang: str) -> str:
    """The hover text of the values trace: the name ('name, department', a property app.py adds to
    the served geometry), %{z} the rank and %{text} the count behind a rate or a change, with its
    small-number mark (see `value_arrays`)."""
    m = mv.query.measure
    d = decimals_for(mv)
    unit = unit_label(mv, rate_base, lang)
    period = period_text(mv, lang)
    rank = f"{t('map.hover.rank', lang)}: %{{z:,.0f}} {t('map.hover.of', lang)} {fmt_number(mv.n_ranked, lang)}"
    if m == "rate":
        main = f"%{{customdata[0]:,.{d}f}} {unit} · {period}"
        detail = (f"{t('map.hover.events', lang)}: %{{text}} · "
                  f"{t('map.hover.population', lang)}: %{{customdata[1]:,.0f}}")
    elif m == "count":
        main = f"%{{customdata[0]:,.0f}} {unit} · {period}"
        detail = ""
    elif m == "change":
        main = f"%{{customdata[0]:+,.1f}} % · {period}"
        detail = (f"{t('map.hover.events', lang)}: %{{text}} {t('map.hover.now', lang)} · "
                  f"%{{customdata[1]:,.1f}} {t('map.hover.baseline', lang)}")
    else:
        suffix = " %" if mv.unit == "percent" else f" {unit}"
        main = f"%{{customdata[0]:,.1f}}{suffix} · {period}"
        detail = f"{t('map.hover.interval', lang)}: %{{customdata[1]:,.1f}} – %{{customdata[2]:,.1f}}"
    lines = [f"<b>{HOVER_NAME}</b>", main]
    if detail:
        lines.append(detail)
    lines.append(rank)
    if bool(mv.table["small"].any()):
        key = "map.hover.small_change" if m == "change" else "map.hover.small"
        lines.append(f"<span style='font-size:11px'>{t(key, lang, n=mv.query.small_threshold)}</span>")
    return "<br>".join(lines) + "<extra></extra>"


SMALL_MARK = " *"  # after the count in the hover: '*' marks an unreliable figure, as public statistics do


def value_arrays(mv: MapValues, cls: Classification, lang: str) -> dict[str, Any]:
    """z, customdata and text of trace 0, in the order of mv.table (the static `locations`).

    z is the rank as int16 (NO_RANK = 0 where there are no data: painted transparent, under the grey
    "no data" trace, which plotly does not draw): every class is a contiguous run of ranks, so a
    stepped colour scale on z (see `rank_colorscale`) paints exactly analytics' classes, and the hover
    reads the rank from z. customdata holds the value and the numbers behind it as float32: for a
    rate the population, for a change the baseline, for a survey value its interval. For a rate or a
    change, `text` is the count of events as the page writes it ('1,234'), followed by ' *' when the
    value rests on too few events: a short string per territory costs about a third of the bytes of
    the count as a float32 column plus a separate column of marks, which keeps a filter change at
    2,475 municipalities under 60 KB."""
    tab = mv.table
    z = np.nan_to_num(tab["rank"].to_numpy(float), nan=NO_RANK).astype(np.int16)
    m = mv.query.measure
    cols = {"value": ["value", "lower", "upper"], "change": ["value", "baseline"], "rate": ["value", "population"]}
    custom = tab[cols.get(m, ["value"])].to_numpy(float)
    text: Any = ""
    if m in ("rate", "change"):
        counts = fmt_integers(tab["count"].where(tab["value"].notna()).to_numpy(float), lang)
        text = [c + SMALL_MARK if s else c for c, s in zip(counts, tab["small"].to_numpy(bool))]
    return {"z": typed(z, "i2"), "customdata": typed(custom), "text": text}


def rank_colorscale(mv: MapValues, cls: Classification, colours: tuple[str, ...]) -> dict[str, Any]:
    """zmin, zmax, colorscale and tick positions that paint z = rank with the class colours.

    The boundary between two classes is put halfway between the last rank of one and the first rank of
    the next (ranks are integers, so every territory falls clearly on one side)."""
    ranks = mv.table["rank"].to_numpy(float)
    classes = np.asarray(cls.classes)
    present = [i for i in range(len(colours)) if np.any((classes == i) & ~np.isnan(ranks))]
    if not present:
        return {"zmin": -1.5, "zmax": -0.5, "colorscale": [[0, "#cccccc"], [1, "#cccccc"]], "tickvals": []}
    span = {i: (np.nanmin(ranks[classes == i]), np.nanmax(ranks[classes == i])) for i in present}  # (low z, high z)
    order = sorted(present, key=lambda i: span[i][0])
    zmin = NO_RANK - 0.5  # z = NO_RANK (no data) falls in a transparent first step
    zmax = span[order[-1]][1] + 0.5
    width = zmax - zmin
    cuts = [span[order[0]][0] - 0.5] + [(span[a][1] + span[b][0]) / 2 for a, b in zip(order, order[1:])] + [zmax]
    scale: list[list[Any]] = [[0.0, TRANSPARENT], [(cuts[0] - zmin) / width, TRANSPARENT]]
    for i, c in enumerate(order):
        lo, hi = (cuts[i] - zmin) / width, (cuts[i + 1] - zmin) / width
        scale += [[lo, colours[c]], [hi, colours[c]]]
    scale[-1][0] = 1.0
    ticks = {c: (cuts[i] + cuts[i + 1]) / 2 for i, c in enumerate(order)}
    return {"zmin": zmin, "zmax": zmax, "colorscale": scale, "tickvals": ticks}


def missing_trace_values(mv: MapValues, lang: str) -> dict[str, Any]:
    """locations and z of the 'no data' trace (its hover reads the name from the geometry)."""
    miss = mv.table.loc[mv.table["value"].isna()]
    return {"locations": miss["territory_id"].tolist(), "z": typed(np.zeros(len(miss)), "i1"),
            "name": f"{t('map.legend.no_data', lang)} ({fmt_number(len(miss), lang)})"}


def value_style(mv: MapValues, cls: Classification, legend: Legend) -> dict[str, Any]:
    """The colour attributes of trace 0 for these values and classes."""
    rc = rank_colorscale(mv, cls, legend.colours)
    return {"zmin": rc["zmin"], "zmax": rc["zmax"], "colorscale": rc["colorscale"]}


def legend_annotation_text(legend: Legend, lang: str) -> str:
    """The class legend drawn inside the figure (so exported images carry it): a coloured square, the
    class bounds and the count per class, darkest first, then "no data"."""
    if legend.within_name:  # "Escuintla (país)": the department's count, the country's in parentheses
        head = f"{legend.within_name} ({t('map.legend.country', lang)})"
        lines = [f"<b>{legend.title + ' · ' if legend.title else ''}{head}</b>"]
        for c, lab, n, m in reversed(list(zip(legend.colours, legend.labels, legend.within_counts,
                                              legend.counts))):
            lines.append(f"<span style='color:{c}'>■</span> {lab}: {fmt_number(n, lang)} ({fmt_number(m, lang)})")
        lines.append(f"<span style='color:{NO_DATA_COLOUR}'>■</span> {t('map.legend.no_data', lang)}: "
                     f"{fmt_number(legend.within_missing, lang)} ({fmt_number(legend.n_missing, lang)})")
        return "<br>".join(lines)
    lines = [f"<b>{legend.title}</b>"] if legend.title else []
    for c, lab, n in reversed(list(zip(legend.colours, legend.labels, legend.counts))):
        lines.append(f"<span style='color:{c}'>■</span> {lab} ({fmt_number(n, lang)})")
    lines.append(f"<span style='color:{NO_DATA_COLOUR}'>■</span> {t('map.legend.no_data', lang)} "
                 f"({fmt_number(legend.n_missing, lang)})")
    return "<br>".join(lines)


LEGEND_FONT_PX = 14
LEGEND_BORDERPAD = 6
OVERLAY_MARGIN = 8  # px between the map's edge and the legend (layout.meta.fit.margin)
NOMINAL_BOX = (790, 470)  # the map's plot area at 1440 × 900 (the browser fits the real one)


def legend_box(text: str, font_px: float = LEGEND_FONT_PX, borderpad: float = LEGEND_BORDERPAD) -> tuple[int, int]:
    """Estimated width and height (px) of the legend annotation drawn from `text` (plotly sets lines
    1.3 em apart; about 0.62 em a character in the sans-serif fonts used). The browser measures the
    text itself (assets/40_presenter.js); this is for the figure as the server sends it."""
    import re

    lines = re.split(r"<br\s*/?>", text)
    chars = max(len(re.sub(r"<[^>]+>", "", line)) for line in lines)
    return (int(math.ceil(chars * 0.62 * font_px + 2 * (borderpad + 1) + 2)),
            int(math.ceil(len(lines) * font_px * 1.3 + 2 * (borderpad + 1) + 2)))


def corner_position(corner: str, box: tuple[float, float] = NOMINAL_BOX,
                    margin: float = OVERLAY_MARGIN) -> dict[str, Any]:
    """x, y and anchors (paper coordinates) of an overlay `margin` px inside a corner ('tl', 'tr',
    'bl', 'br') of a plot area of `box` px."""
    left, top = corner[1] == "l", corner[0] == "t"
    return {"x": margin / box[0] if left else 1 - margin / box[0], "xanchor": "left" if left else "right",
            "y": 1 - margin / box[1] if top else margin / box[1], "yanchor": "top" if top else "bottom"}


def legend_annotation(legend: Legend, lang: str, corner: str = "tl") -> dict[str, Any]:
    """The legend annotation, in a corner of the map (the one where it covers no land: see
    analytics.map_view.place_overlay; the browser places it again for the map's real box)."""
    return {"name": "legend", "text": legend_annotation_text(legend, lang), "xref": "paper", "yref": "paper",
            **corner_position(corner), "align": "left", "showarrow": False,
            "bgcolor": "rgba(255,255,255,0.88)", "borderpad": LEGEND_BORDERPAD,
            "font": {"size": LEGEND_FONT_PX, "color": "#1b1f24"}}


def base_figure(mv: MapValues, cls: Classification, legend: Legend, *, geo_url: str, outline_url: str | None,
                title: str, source: str, centre: dict[str, float], zoom: float, rate_base: str,
                selected: str | None, uirevision: str, lang: str,
                mask: dict[str, Any] | None = None, corner: str = "tl") -> dict[str, Any]:
    """The whole figure (first load, or a level switch). `mask`: {geojson, locations} of the veil
    over what lies outside the chosen department (see `outside_mask`); `corner`: where the legend
    goes."""
    mask = mask or {"geojson": geo_url, "locations": []}
    tab = mv.table
    arrays = value_arrays(mv, cls, lang)
    miss = missing_trace_values(mv, lang)
    values = {
        "type": "choroplethmap",
        "geojson": geo_url,
        "featureidkey": "id",
        "locations": tab["territory_id"].tolist(),
        **arrays,
        "hovertemplate": hovertemplate(mv, rate_base, lang),
        **value_style(mv, cls, legend),
        "showscale": False,
        "marker": {"line": {"width": 0.4, "color": "#ffffff"}, "opacity": 0.95},
        "showlegend": False,
        "name": "",
    }
    nodata = {
        "type": "choroplethmap",
        "geojson": geo_url,
        "featureidkey": "id",
        **miss,
        "colorscale": [[0, NO_DATA_COLOUR], [1, NO_DATA_COLOUR]],
        "showscale": False,
        "showlegend": False,  # its legend entry is in the legend annotation (and the HTML legend)
        "hovertemplate": f"<b>{HOVER_NAME}</b><br>" + t("map.hover.no_data", lang) + "<extra></extra>",
        "marker": {"line": {"width": 0.4, "color": "#ffffff"}},
    }
    outside = {
        "type": "choroplethmap",
        "geojson": mask["geojson"],
        "featureidkey": "id",
        "locations": mask["locations"],
        "z": [0] * len(mask["locations"]),
        "colorscale": [[0, MASK_COLOUR], [1, MASK_COLOUR]],
        "showscale": False,
        "showlegend": False,
        "hoverinfo": "skip",
        "marker": {"line": {"width": 0}},
        "name": "",
    }
    sel = {
        "type": "choroplethmap",
        "geojson": geo_url,
        "featureidkey": "id",
        "locations": [selected] if selected else [],
        "z": [0] if selected else [],
        "colorscale": [[0, "rgba(0,0,0,0)"], [1, "rgba(0,0,0,0)"]],
        "showscale": False,
        "showlegend": False,
        "hoverinfo": "skip",
        "marker": {"line": {"width": 3.5, "color": SELECTED_COLOUR}},
        "name": t("map.selected", lang),
    }
    layers = []
    if outline_url:
        layers.append({"sourcetype": "geojson", "source": outline_url, "type": "line", "color": "#3a3a3a",
                       "line": {"width": 1.3}, "below": ""})
    fig = {
        "data": [values, nodata, outside, sel],
        "layout": {
            "map": {"style": "white-bg", "center": centre, "zoom": zoom, "layers": layers},
            "margin": {"l": 0, "r": 0, "t": 64},
            "legend": {"x": 0.01, "y": 0.02, "xanchor": "left", "yanchor": "bottom",
                       "bgcolor": "rgba(255,255,255,0.85)", "font": {"size": 12}},
            "uirevision": uirevision,
            "annotations": [legend_annotation(legend, lang, corner)],  # index 0; frame() appends the source (1)
            "meta": {"level": mv.query.level},
        },
    }
    fig = frame(fig, title, figure_source(source), lang, bottom_margin=source_margin(figure_source(source)))
    src = fig["layout"]["annotations"][1]
    src["yshift"] = -6  # just under the map, with room for a source line wrapped over two lines
    src["font"] = {"size": 12, "color": "#3d4650"}  # readable on a projector; AA contrast on white
    return fig


def source_margin(lines_text: str) -> int:
    """Bottom margin (px) that holds the source line drawn by `figure_source` (12 px type)."""
    return 18 + 16 * (lines_text.count("<br>") + 1)


def figure_source(source: str, width: int = 115) -> str:
    """The source line as drawn inside the figure, in lines of at most about `width` characters
    (plotly annotations do not wrap): broken at its ' · ' separators (the '·' kept at the end of the
    line, so that the browser can join and wrap the line again to the figure's real width), and a part
    longer than a line (a long publication title) at spaces."""
    import textwrap

    lines: list[str] = []
    cur = ""
    for part in source.split(" · "):
        cand = f"{cur} · {part}" if cur else part
        if len(cand) <= width:
            cur = cand
            continue
        if cur:
            lines.append(cur + " ·")
        pieces = textwrap.wrap(part, width, break_long_words=False) or [part]
        lines.extend(pieces[:-1])
        cur = pieces[-1]
    lines.append(cur)
    return "<br>".join(lines)


def figure_title(indicator_label: str, mv: MapValues, rate_base: str, lang: str,
                 level_name: str | None = None) -> str:
    """'Homicides · rate per 100,000 people · 2023 · municipalities' (`level_name`: what the dataset
    calls the level shown, e.g. 'estados'; default the built-in 'municipios'/'departamentos')."""
    m = mv.query.measure
    if m == "rate" and mv.query.pooled:
        measure = f"{t('map.measure.pooled', lang).lower()} {unit_label(mv, rate_base, lang)}"
    elif m == "rate":
        measure = f"{t('map.measure.rate', lang).lower()} {unit_label(mv, rate_base, lang)}"
    elif m == "value":
        measure = unit_label(mv, rate_base, lang)
    else:
        measure = unit_label(mv, rate_base, lang)
    rest = f"{measure} · {period_text(mv, lang)} · {level_name or t(f'map.level.{mv.query.level}', lang)}"
    return f"<b>{indicator_label}</b><br><span style='font-size:14px;color:#333'>{rest}</span>"


def source_text(source: str, mv: MapValues, synthetic: bool, lang: str) -> str:
    return source_line(source, period_text(mv, lang), lang, synthetic)
