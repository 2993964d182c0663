"""The VAWG territorial prioritization index page: layout, strings, and the figure/text builders the
callbacks use (plain functions over analytics/ results, so tests can call them directly).

Controls take their initial values from the URL query:
  w=25,25,25,25  dimension weights (order of index.json)   norm=minmax|zscore|rank
  agg=arithmetic|geometric   win=95|off   smooth=none|empirical_bayes
  miss=exclude|impute_department_median   cls=quantiles|natural_breaks|fixed   top=50
  color=group|score|<dimension id>   sel=<territory id>
"""

from __future__ import annotations

import math

from dataclasses import dataclass
from typing import Any

import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import dcc, html

from analytics import vawg_index as vi
from components.figures import NO_DATA_COLOUR, frame, graph, source_line, source_note, wrap_html
from components.formatting import fmt_number, fmt_percent
from components.i18n import population_group, register, t, tl

# YlOrRd (ColorBrewer, colour-blind safe sequential): group 1 (very high) darkest
GROUP_COLOURS = {1: "#bd0026", 2: "#f03b20", 3: "#fd8d3c", 4: "#fecc5c", 5: "#ffffb2"}
DIM_COLOURS = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00"]
SCORE_SCALE = [[0, "#ffffcc"], [0.25, "#fed976"], [0.5, "#fd8d3c"], [0.75, "#e31a1c"], [1, "#800026"]]
SELECTED_COLOUR = "#111111"
WINSOR_CHOICES = ("off", "90", "95", "99")

register(
    {
        "index.title": ("Índice de priorización territorial de violencia contra las mujeres y las niñas",
                        "Territorial prioritization index of violence against women and girls"),
        "index.not_official": (
            "Metodología basada en la práctica OCDE/JRC e InfoSegura; no es el índice oficial (IPTVCM).",
            "Methodology based on OECD/JRC and InfoSegura practice; it is not the official index (IPTVCM).",
        ),
        # datasets of other countries: there is no official index to name
        "index.not_official.generic": (
            "Metodología basada en la práctica OCDE/JRC e InfoSegura; no es un índice oficial.",
            "Methodology based on OECD/JRC and InfoSegura practice; it is not an official index.",
        ),
        "index.synthetic": ("Datos sintéticos de demostración: no describen ningún territorio real.",
                            "Synthetic demo data: they do not describe any real place."),
        "index.no_config": ("Este conjunto de datos no incluye la configuración del índice (index.json; véase "
                            "docs/index-methodology.md para añadirla).",
                            "This dataset has no index configuration (index.json; see docs/index-methodology.md "
                            "to add one)."),
        "index.bad_config": ("La configuración del índice (index.json) no es válida:",
                             "The index configuration (index.json) is not valid:"),
        "index.weights": ("Pesos de las dimensiones", "Dimension weights"),
        "index.weights_help": ("Se reescalan para sumar 100 %.", "They are rescaled to add up to 100%."),
        "index.weights_all_zero": ("Todos los pesos son 0: se usan pesos iguales.",
                                   "All weights are 0: equal weights are used."),
        "index.method": ("Método", "Method"),
        "index.normalization": ("Normalización", "Normalization"),
        "index.norm.minmax": ("Mín–máx (0–100)", "Min–max (0–100)"),
        "index.norm.zscore": ("Puntaje z (T = 50 + 10z)", "z-score (T = 50 + 10z)"),
        "index.norm.rank": ("Percentil del rango", "Percentile rank"),
        "index.aggregation": ("Agregación", "Aggregation"),
        "index.agg.arithmetic": ("Media aritmética", "Arithmetic mean"),
        "index.agg.geometric": ("Media geométrica", "Geometric mean"),
        "index.winsor": ("Valores extremos", "Outliers"),
        "index.winsor.off": ("Sin recorte", "No capping"),
        "index.winsor.p": ("Recortar en el percentil {p}", "Cap at the {p}th percentile"),
        "index.smoothing": ("Suavizado de tasas", "Rate smoothing"),
        "index.smooth.none": ("Ninguno", "None"),
        "index.smooth.empirical_bayes": ("Bayes empírico (hacia la tasa de su {adm1})",
                                         "Empirical Bayes (toward the {adm1} rate)"),
        "index.missing": ("Datos faltantes", "Missing data"),
        "index.miss.impute_department_median": ("Imputar con la mediana de su {adm1}",
                                                "Impute with the {adm1} median"),
        "index.miss.exclude": ("Excluir {el_adm2}", "Exclude the {adm2}"),
        "index.classification": ("Grupos de prioridad", "Priority groups"),
        "index.cls.quantiles": ("Quintiles", "Quintiles"),
        "index.cls.natural_breaks": ("Cortes naturales (Jenks)", "Natural breaks (Jenks)"),
        "index.cls.fixed": ("Umbrales fijos", "Fixed thresholds"),
        "index.top_n": ("{Adm2s} a priorizar (N)", "{Adm2s} to prioritize (N)"),
        "index.reset": ("Restablecer valores por defecto", "Reset to defaults"),
        "index.downloads": ("Descargas", "Downloads"),
        "index.dl.csv": ("Ranking (CSV)", "Ranking (CSV)"),
        "index.dl.xlsx": ("Ranking y pasos (Excel)", "Ranking and steps (Excel)"),
        "index.dl.steps": ("Tablas de cada paso (ZIP de CSV)", "Every step's table (ZIP of CSV)"),
        "index.color_by": ("Colorear el mapa por", "Colour the map by"),
        "index.color.group": ("Grupo de prioridad", "Priority group"),
        "index.color.score": ("Puntaje del índice", "Index score"),
        "index.color.dim": ("Dimensión: {dim}", "Dimension: {dim}"),
        "index.group.1": ("Muy alta prioridad", "Very high priority"),
        "index.group.2": ("Alta prioridad", "High priority"),
        "index.group.3": ("Prioridad media", "Medium priority"),
        "index.group.4": ("Baja prioridad", "Low priority"),
        "index.group.5": ("Muy baja prioridad", "Very low priority"),
        "index.group.none": ("Sin puntaje (datos faltantes)", "No score (missing data)"),
        "index.map.title": ("Grupos de prioridad por {adm2}", "Priority groups by {adm2}"),
        "index.map.title_score": ("Puntaje del índice por {adm2} (0–100)", "Index score by {adm2} (0–100)"),
        "index.map.title_dim": ("Dimensión {dim}: puntaje por {adm2} (0–100)",
                                "{dim} dimension: score by {adm2} (0–100)"),
        "index.source": ("Cálculo de Atalaya a partir de: {src}", "Computed by Atalaya from: {src}"),
        "index.ranking": ("Ranking de {adm2s}", "{Adm2} ranking"),
        "index.ranking_help": (
            "Las {n} primeras filas (resaltadas) son {los_adm2s} a priorizar. Haga clic en una fila para ver "
            "el detalle. El intervalo de rango va del percentil 5 al 95 de {draws} simulaciones.",
            "The first {n} rows (highlighted) are {los_adm2s} to prioritize. Click a row for details. "
            "The rank interval runs from the 5th to the 95th percentile of {draws} simulations.",
        ),
        "index.col.rank": ("Rango", "Rank"),
        "index.col.name": ("{Adm2}", "{Adm2}"),
        "index.col.department": ("{Adm1}", "{Adm1}"),
        "index.col.score": ("Puntaje", "Score"),
        "index.col.group": ("Grupo", "Group"),
        "index.col.interval": ("Intervalo de rango 90 %", "90% rank interval"),
        "index.col.median_rank": ("Rango mediano", "Median rank"),
        "index.col.robust": ("% simulaciones en grupo muy alto", "% of simulations in very high group"),
        "index.col.change": ("Cambio vs. por defecto", "Change vs default"),
        "index.col.imputed": ("Valores imputados", "Imputed values"),
        "index.summary.top": ("{adm2s} en prioridad muy alta", "{adm2s} in very high priority"),
        "index.summary.robust": ("robustamente prioritarios (≥ {p} de las simulaciones en el grupo muy alto)",
                                 "robustly high priority (≥ {p} of simulations in the very high group)"),
        "index.summary.first": ("primer lugar del ranking", "first in the ranking"),
        "index.summary.moved": ("{adm2s} cambian de rango frente a la configuración por defecto",
                                "{adm2s} change rank against the default configuration"),
        "index.detail": ("{Adm2} seleccionad{o_adm2}", "Selected {adm2}"),
        "index.detail.none": ("Seleccione {un_adm2} en el mapa o en el ranking.",
                              "Select {un_adm2} on the map or in the ranking."),
        "index.detail.rank": ("Rango {rank} de {n} · puntaje {score} de 100",
                              "Rank {rank} of {n} · score {score} out of 100"),
        "index.detail.interval": ("Intervalo de rango 90 %: {lo}–{hi} · en el grupo muy alto en {share} de las simulaciones",
                                  "90% rank interval: {lo}–{hi} · in the very high group in {share} of simulations"),
        "index.detail.excluded": ("Sin puntaje: le faltan datos ({ind}) y la regla es excluir.",
                                  "No score: data are missing ({ind}) and the rule is to exclude."),
        "index.contrib.title": ("Aporte de cada dimensión al puntaje (puntos)", "Contribution of each dimension (points)"),
        "index.contrib.dept_mean": ("Prom. {abbr1}", "{Abbr1} average"),
        "index.contrib.country_mean": ("Prom. nacional", "National average"),
        "index.contrib.axis": ("Puntos del índice (0–100)", "Index points (0–100)"),
        "index.ind.title": ("Indicadores detrás del puntaje", "Indicators behind the score"),
        "index.ind.indicator": ("Indicador", "Indicator"),
        "index.ind.value": ("{Adm2}", "{Adm2}"),
        "index.ind.department": ("{Adm1}", "{Adm1}"),
        "index.ind.country": ("País", "Country"),
        "index.ind.normalized": ("Puntaje 0–100", "Score 0–100"),
        "index.ind.imputed": ("imputado: {v}", "imputed: {v}"),
        "index.ind.median": ("mediana por {adm2}", "{adm2} median"),
        "index.unit.rate": ("por {per} {base}, {period}", "per {per} {base}, {period}"),
        "index.unit.mean": ("%, promedio {period}", "%, mean {period}"),
        "index.methodology": ("Metodología en uso (generada de la configuración actual)",
                              "Methodology in use (generated from the current configuration)"),
        "index.methodology_doc": ("Fórmulas completas: docs/index-methodology.md", "Full formulas: docs/index-methodology.md"),
        "index.mc.note": ("Incertidumbre: {draws} simulaciones Monte Carlo (semilla {seed}).",
                          "Uncertainty: {draws} Monte Carlo simulations (seed {seed})."),
    }
)


@dataclass(frozen=True)
class IndexState:
    """The page state (controls) parsed from the URL query, with defaults from the configuration."""

    weights: tuple[float, ...]
    normalization: str
    aggregation: str
    winsor: str  # "off" or a percentile as text
    smoothing: str
    missing: str
    classification: str
    top_n: int
    color: str
    selected: str | None


def default_state(config: vi.IndexConfig) -> IndexState:
    m = config.method
    total = sum(d.weight for d in config.dimensions)
    return IndexState(
        weights=tuple(round(d.weight / total * 100) for d in config.dimensions),
        normalization=m.normalization, aggregation=m.aggregation,
        winsor="off" if m.winsor_percentile is None else f"{m.winsor_percentile:g}",
        smoothing=m.smoothing, missing=m.missing, classification=m.classification, top_n=m.top_n,
        color="group", selected=None,
    )


def parse_state(params: dict[str, str], config: vi.IndexConfig, valid_ids: set[str] | None = None) -> IndexState:
    """The state from URL parameters; anything missing or invalid falls back to the default."""
    d = default_state(config)
    weights = d.weights
    try:
        w = tuple(float(x) for x in params.get("w", "").split(",") if x != "")
        if len(w) == len(config.dimensions) and all(0 <= x <= 100 for x in w):
            weights = w
    except ValueError:
        pass

    def pick(key: str, allowed: tuple[str, ...], default: str) -> str:
        v = params.get(key)
        return v if v in allowed else default

    winsor = params.get("win", d.winsor)
    if winsor not in WINSOR_CHOICES and winsor != d.winsor:
        winsor = d.winsor
    try:
        top_n = max(1, min(int(params.get("top", d.top_n)), 10_000))
    except ValueError:
        top_n = d.top_n
    colors = ("group", "score") + tuple(config.dimension_ids)
    sel = params.get("sel")
    if valid_ids is not None and sel not in valid_ids:
        sel = None
    return IndexState(
        weights=weights,
        normalization=pick("norm", vi.NORMALIZATIONS, d.normalization),
        aggregation=pick("agg", vi.AGGREGATIONS, d.aggregation),
        winsor=winsor,
        smoothing=pick("smooth", vi.SMOOTHINGS, d.smoothing),
        missing=pick("miss", vi.MISSING_RULES, d.missing),
        classification=pick("cls", vi.CLASSIFICATIONS, d.classification),
        top_n=top_n,
        color=pick("color", colors, "group"),
        selected=sel,
    )


def state_params(s: IndexState, default: IndexState) -> dict[str, object]:
    """URL parameters for a state; values equal to the default are left out (short URLs)."""
    out: dict[str, object] = {}
    if tuple(s.weights) != tuple(default.weights):
        out["w"] = ",".join(f"{w:g}" for w in s.weights)
    for key, a, b in (("norm", s.normalization, default.normalization), ("agg", s.aggregation, default.aggregation),
                      ("win", s.winsor, default.winsor), ("smooth", s.smoothing, default.smoothing),
                      ("miss", s.missing, default.missing), ("cls", s.classification, default.classification),
                      ("top", s.top_n, default.top_n), ("color", s.color, "group")):
        if a != b:
            out[key] = a
    if s.selected:
        out["sel"] = s.selected
    return out


def config_for(config: vi.IndexConfig, s: IndexState) -> vi.IndexConfig:
    """The configuration with the state's method and weights (all-zero weights → equal weights)."""
    weights = list(s.weights) if sum(s.weights) > 0 else [1.0] * len(config.dimensions)
    return config.with_method(
        normalization=s.normalization, aggregation=s.aggregation,
        winsor_percentile=None if s.winsor == "off" else float(s.winsor), smoothing=s.smoothing,
        missing=s.missing, classification=s.classification, top_n=int(s.top_n),
    ).with_weights(weights)


# ---- layout -----------------------------------------------------------------------------------------


def _radio(id_: str, options: list[tuple[str, str]], value: str) -> dbc.RadioItems:
    return dbc.RadioItems(id=id_, options=[{"label": lab, "value": v} for v, lab in options], value=value,
                          className="index-radio")



def not_official_text(ds: Any, lang: str) -> str:
    """The line saying this is not an official index: Guatemala's datasets name the official IPTVCM
    (Ministerio de Gobernación), whose weights are not public; other countries have no such index."""
    key = "index.not_official" if getattr(ds, "main_country", None) == "GTM" else "index.not_official.generic"
    return t(key, lang)


def controls(config: vi.IndexConfig, s: IndexState, lang: str, meta: Any = None) -> html.Div:
    sliders = []
    for i, d in enumerate(config.dimensions):
        sliders.append(html.Div([
            html.Label(d.label(lang), className="control-label",
                       id=f"index-weight-label-{d.id}"),
            dcc.Slider(id={"type": "index-weight", "dim": d.id}, min=0, max=100, step=5,
                       value=s.weights[i], marks={v: str(v) for v in (0, 25, 50, 75, 100)},
                       tooltip={"placement": "bottom", "always_visible": False}, updatemode="mouseup",
                       className="index-slider"),
        ], className="mb-2"))
    winsor_opts = [("off", t("index.winsor.off", lang))] + [
        (p, t("index.winsor.p", lang, p=p)) for p in WINSOR_CHOICES[1:]]
    if s.winsor not in WINSOR_CHOICES:
        winsor_opts.append((s.winsor, t("index.winsor.p", lang, p=s.winsor)))
    return html.Div(
        [
            html.H2(t("index.weights", lang), className="h5"),
            html.P(t("index.weights_help", lang), className="small text-muted mb-2"),
            *sliders,
            html.P(id="index-weight-shares", className="small mb-3", **{"aria-live": "polite"}),
            html.H2(t("index.method", lang), className="h5 mt-3"),
            html.Div([html.Label(t("index.normalization", lang), className="control-label"),
                      _radio("index-norm", [(n, t(f"index.norm.{n}", lang)) for n in vi.NORMALIZATIONS],
                             s.normalization)], className="mb-2"),
            html.Div([html.Label(t("index.aggregation", lang), className="control-label"),
                      _radio("index-agg", [(a, t(f"index.agg.{a}", lang)) for a in vi.AGGREGATIONS],
                             s.aggregation)], className="mb-2"),
            html.Div([html.Label(t("index.winsor", lang), className="control-label", htmlFor="index-winsor"),
                      dbc.Select(id="index-winsor", options=[{"label": lab, "value": v} for v, lab in winsor_opts],
                                 value=s.winsor, size="sm")], className="mb-2"),
            html.Div([html.Label(t("index.smoothing", lang), className="control-label"),
                      _radio("index-smooth", [(m, tl(f"index.smooth.{m}", lang, meta)) for m in vi.SMOOTHINGS],
                             s.smoothing)], className="mb-2"),
            html.Div([html.Label(t("index.missing", lang), className="control-label"),
                      _radio("index-miss", [(m, tl(f"index.miss.{m}", lang, meta)) for m in vi.MISSING_RULES],
                             s.missing)], className="mb-2"),
            html.Div([html.Label(t("index.classification", lang), className="control-label", htmlFor="index-cls"),
                      dbc.Select(id="index-cls", options=[{"label": t(f"index.cls.{c}", lang), "value": c}
                                                          for c in vi.CLASSIFICATIONS],
                                 value=s.classification, size="sm")], className="mb-2"),
            html.Div([html.Label(tl("index.top_n", lang, meta), className="control-label", htmlFor="index-topn"),
                      dbc.Input(id="index-topn", type="number", min=1, max=10000, step=1, value=s.top_n,
                                size="sm", debounce=True)], className="mb-3"),
            dbc.Button(t("index.reset", lang), id="index-reset", color="secondary", outline=True, size="sm",
                       className="w-100 mb-3"),
            html.H2(t("index.downloads", lang), className="h5"),
            dbc.Button(t("index.dl.csv", lang), id="index-dl-csv-btn", color="primary", outline=True, size="sm",
                       className="w-100 mb-1"),
            dbc.Button(t("index.dl.xlsx", lang), id="index-dl-xlsx-btn", color="primary", outline=True, size="sm",
                       className="w-100 mb-1"),
            dbc.Button(t("index.dl.steps", lang), id="index-dl-steps-btn", color="primary", outline=True,
                       size="sm", className="w-100"),
            dcc.Download(id="index-download"),
        ],
        className="controls-panel",
    )


def column_defs(config: vi.IndexConfig, lang: str, meta: Any = None) -> list[dict[str, Any]]:
    num1 = {"function": "params.value == null ? '—' : d3.format(',.1f')(params.value)"}
    cols: list[dict[str, Any]] = [
        {"field": "rank", "headerName": t("index.col.rank", lang), "width": 104, "minWidth": 104, "pinned": "left",
         "type": "numericColumn", "sort": "asc"},
        {"field": "name", "headerName": tl("index.col.name", lang, meta), "width": 190, "minWidth": 175, "pinned": "left",
         "filter": "agTextColumnFilter"},
        {"field": "department_name", "headerName": tl("index.col.department", lang, meta), "width": 140, "minWidth": 140,
         "filter": "agTextColumnFilter"},
        {"field": "score", "headerName": t("index.col.score", lang), "width": 95, "minWidth": 92, "type": "numericColumn",
         "valueFormatter": num1},
        {"field": "group_label", "headerName": t("index.col.group", lang), "width": 170, "minWidth": 170,
         "cellClassRules": {f"index-g{g}": f"params.data.group == {g}" for g in vi.GROUP_CODES}},
        {"field": "interval", "headerName": t("index.col.interval", lang), "width": 125, "minWidth": 110,
         "comparator": {"function": "(a, b, na, nb) => (na.data.rank_p05 || 1e9) - (nb.data.rank_p05 || 1e9)"}},
        {"field": "robust_pct", "headerName": t("index.col.robust", lang), "width": 150, "minWidth": 120, "type": "numericColumn",
         "valueFormatter": {"function": "params.value == null ? '—' : d3.format('.0f')(params.value) + ' %'"}},
        {"field": "rank_change", "headerName": t("index.col.change", lang), "width": 120, "minWidth": 105, "type": "numericColumn",
         "valueFormatter": {"function": "params.value == null ? '—' : params.value > 0 ? '▲ ' + params.value : "
                                        "params.value < 0 ? '▼ ' + (-params.value) : '='"},
         "cellClassRules": {"index-up": "params.value > 0", "index-down": "params.value < 0"}},
    ]
    for d in config.dimensions:
        cols.append({"field": f"dim_{d.id}", "headerName": d.label(lang), "width": 110, "minWidth": 100, "type": "numericColumn",
                     "valueFormatter": num1})
    cols.append({"field": "n_imputed", "headerName": t("index.col.imputed", lang), "width": 118, "minWidth": 118,
                 "type": "numericColumn"})
    return cols


AG_LOCALE_ES = {"noRowsToShow": "Sin filas", "loadingOoo": "Cargando…", "filterOoo": "Filtrar…",
                "contains": "Contiene", "equals": "Igual a", "notContains": "No contiene", "startsWith": "Empieza con",
                "endsWith": "Termina con", "notEqual": "Distinto de", "andCondition": "Y", "orCondition": "O",
                "blank": "Vacío", "notBlank": "No vacío", "searchOoo": "Buscar…", "sortAscending": "Orden ascendente",
                "sortDescending": "Orden descendente", "pinColumn": "Fijar columna", "autosizeThisColumn": "Ajustar columna",
                "resetColumns": "Restablecer columnas"}


def layout(ctx: Any, params: dict[str, str], lang: str) -> Any:
    ds = ctx.dataset
    if not ds.index_config:
        return dbc.Container([html.H1(t("nav.index", lang)), dbc.Alert(t("index.no_config", lang), color="info")],
                             className="py-4")
    try:
        config = vi.parse_index_config(ds.index_config, list(ds.indicators.index))
    except vi.IndexConfigError as err:
        return dbc.Container([html.H1(t("nav.index", lang)),
                              dbc.Alert([t("index.bad_config", lang), html.Br(), html.Code(str(err))], color="danger")],
                             className="py-4")
    ids = set(vi.municipality_frame(ds, config.level).index)
    s = parse_state(params, config, ids)
    color_opts = [{"label": t("index.color.group", lang), "value": "group"},
                  {"label": t("index.color.score", lang), "value": "score"}] + [
        {"label": t("index.color.dim", lang, dim=d.label(lang)), "value": d.id} for d in config.dimensions]
    synthetic = bool(ds.meta.synthetic)
    head = html.Div(
        [
            html.H1(config.label(lang), className="mb-1"),
            html.P([html.Strong("OCDE/JRC · InfoSegura — " if lang != "en" else "OECD/JRC · InfoSegura — "),
                    not_official_text(ds, lang)],
                   className="index-not-official mb-1", id="index-not-official"),
            html.P([html.Strong("⚠ "), t("index.synthetic", lang)], className="index-synthetic mb-2",
                   id="index-synthetic") if synthetic else None,
        ]
    )
    summary = html.Div(id="index-summary", className="index-summary row g-2 mb-2")
    map_col = html.Div(
        [
            html.Div([
                html.Label(t("index.color_by", lang), htmlFor="index-color", className="control-label me-2 mb-0"),
                dbc.Select(id="index-color", options=color_opts, value=s.color, size="sm",
                           style={"maxWidth": "20rem"}),
            ], className="d-flex align-items-center mb-1 presenter-hide"),
            graph("index-map", None, lang, "indice-vcmn-mapa", tl("index.map.title", lang, ds), height="620px"),
            source_note("", note_id="index-map-source", in_figure=True),
        ]
    )
    grid = dag.AgGrid(
        id="index-grid",
        columnDefs=column_defs(config, lang, ds.meta),
        rowData=[],
        getRowId="params.data.territory_id",
        defaultColDef={"sortable": True, "resizable": True, "wrapHeaderText": True, "autoHeaderHeight": True},
        dashGridOptions={"rowSelection": {"mode": "singleRow", "checkboxes": False, "enableClickSelection": True},
                         "animateRows": False, "localeText": AG_LOCALE_ES if lang == "es" else {}},
        rowClassRules={"index-top-row": "params.data.top_n"},
        className="index-grid",
        columnSize="sizeToFit",
        style={"height": "560px", "width": "100%"},
    )
    ranking = html.Div([
        html.H2(tl("index.ranking", lang, ds), className="h4"),
        html.P(id="index-ranking-help", className="small text-muted mb-1"),
        grid,
    ])
    detail = html.Div([
        html.H2(tl("index.detail", lang, ds), className="h4"),
        html.Div(id="index-detail", children=html.P(tl("index.detail.none", lang, ds),
                                                    className="text-muted index-detail-none")),
    ], className="index-detail")
    method = dbc.Accordion(
        [dbc.AccordionItem(html.Div(id="index-methodology"), title=t("index.methodology", lang),
                           item_id="method")],
        active_item="method", className="mt-4 presenter-hide", id="index-methodology-accordion",
    )
    return dbc.Container(
        [
            dcc.Store(id="index-lang", data=lang),
            dcc.Store(id="index-selected", data=s.selected),
            dcc.Store(id="index-map-mode", data=None),  # colour mode of the map drawn in the browser
            dcc.Store(id="index-a11y", data=None),  # output of the clientside callback naming the sliders
            head,
            dbc.Row([
                dbc.Col(controls(config, s, lang, ds.meta), lg=3, className="mb-3 index-controls-col presenter-hide"),
                dbc.Col([summary, dbc.Row([dbc.Col(map_col, xl=7, className="index-map-col"),
                                           dbc.Col(detail, xl=5, className="index-detail-col")]),
                         html.Div(id="index-detail-table")], lg=9, className="index-main-col"),
            ]),
            dbc.Row([dbc.Col(ranking, lg=12, className="mt-3")]),
            method,
        ],
        fluid=True,
        className="py-3 index-page",
    )


# ---- figures and texts (called by callbacks/index.py and tests) ------------------------------------


def group_label(code: Any, lang: str) -> str:
    try:
        return t(f"index.group.{int(code)}", lang)
    except (TypeError, ValueError):
        return t("index.group.none", lang)


def source_text(ds: Any, config: vi.IndexConfig, window: tuple[int, int], lang: str) -> str:
    srcs = []
    for iid in config.indicator_ids:
        title = ds.meta.source(str(ds.indicators.at[iid, "source"])).title_for(lang)
        if title not in srcs:
            srcs.append(title)
    synthetic = bool(ds.indicators.loc[config.indicator_ids, "synthetic"].astype(bool).any())
    period = f"{window[0]}–{window[1]}" if window[0] != window[1] else str(window[1])
    return source_line(t("index.source", lang, src="; ".join(srcs)), period, lang, synthetic=synthetic)


COLORBAR_LEN = 170  # px, title included: five group labels about 25 px apart
COLORBAR_THICKNESS = 16
NOMINAL_BOX = (560, 520)  # the index map's plot area at 1440 × 900 (the browser fits the real one)


def colorbar_box(color: str, lang: str, missing: bool) -> tuple[int, int]:
    """Estimated width and height (px) of the map's colour bar with its title, and the "no data"
    legend entry under it when `missing` (as assets/40_presenter.js `colorbarOverlay` measures them)."""
    labels = [group_label(g, lang) for g in vi.GROUP_CODES] if color == "group" else ["100"]
    title = t("index.col.group", lang) if color == "group" else "0–100"
    w = max(COLORBAR_THICKNESS + 8 + max(len(x) for x in labels) * 0.6 * 13, len(title) * 0.6 * 13) + 20
    h = COLORBAR_LEN + 2  # in pixels, the length holds the title and the pads
    if missing:
        w = max(w, len(t("no_data", lang)) * 0.6 * 13 + 50)
        h += 6 + 13 * 1.55 + 8
    return int(math.ceil(w)), int(math.ceil(h))


def overlay_positions(corner: str, box: tuple[float, float], block_h: float, margin: float = 8.0) -> dict[str, Any]:
    """Colour bar and legend positions (paper coordinates) for the block (colour bar, then the
    legend under it) `margin` px inside `corner` of a plot area of `box` px."""
    left = corner[1] == "l"
    top0 = margin if corner[0] == "t" else box[1] - margin - block_h
    x = margin / box[0] if left else 1 - margin / box[0]
    cb_h = COLORBAR_LEN + 2
    return {"colorbar": {"x": x, "xanchor": "left" if left else "right", "y": 1 - top0 / box[1], "yanchor": "top"},
            "legend": {"x": x, "xanchor": "left" if left else "right", "y": 1 - (top0 + cb_h + 6) / box[1],
                       "yanchor": "top"}}


def map_figure(table: Any, config: vi.IndexConfig, color: str, geo_url: str, centre: dict[str, float],
               zoom: float, source: str, lang: str, selected: str | None, meta: Any = None,
               fit: dict[str, Any] | None = None, corner: str = "tr") -> dict[str, Any]:
    """Choropleth (MapLibre, white background, geometry by URL) of the priority group, the score or a
    dimension score; municipalities without a score drawn grey as 'no data'; the selection outlined.
    The colour bar (and the "no data" legend entry under it) goes in `corner`, where it covers no land
    (callbacks/index.py `IndexService.map_view`). `fit` ({bounds, land, overlay: 'colorbar', ...},
    see analytics/map_view.py) goes to layout.meta.fit: the browser fits the view and places the
    colour bar again for the map's real box (assets/40_presenter.js)."""
    scored = table[table["score"].notna()]
    missing = table[table["score"].isna()]
    ids = scored.index.astype(str).tolist()
    names = [f"{n} ({d})" for n, d in zip(scored["name"], scored["department_name"])]
    custom = [[group_label(g, lang), fmt_number(s, lang, 1), int(r) if r == r else None]
              for g, s, r in zip(scored["group"], scored["score"], scored["rank"])]
    hover = ("<b>%{hovertext}</b><br>" + t("index.col.group", lang) + ": %{customdata[0]}<br>" +
             t("index.col.score", lang) + ": %{customdata[1]} · " + t("index.col.rank", lang) +
             ": %{customdata[2]}")
    trace: dict[str, Any] = {
        "type": "choroplethmap", "geojson": geo_url, "featureidkey": "id", "locations": ids, "hovertext": names,
        "customdata": custom, "marker": {"line": {"width": 0.5, "color": "#ffffff"}, "opacity": 0.95},
        "showlegend": False, "name": "",
    }
    pos = overlay_positions(corner, NOMINAL_BOX, colorbar_box(color, lang, bool(len(missing)))[1])
    bar = {"lenmode": "pixels", "len": COLORBAR_LEN, "thickness": COLORBAR_THICKNESS, **pos["colorbar"],
           "bgcolor": "rgba(255,255,255,0.85)"}
    if color == "group":
        # z = 6 − group so that "very high" sits at the top of the colour bar
        z = [6 - int(g) for g in scored["group"]]
        scale = []
        for i, g in enumerate(reversed(vi.GROUP_CODES)):
            lo, hi = i / 5, (i + 1) / 5
            scale += [[lo, GROUP_COLOURS[g]], [hi, GROUP_COLOURS[g]]]
        trace.update(z=z, zmin=0.5, zmax=5.5, colorscale=scale, hovertemplate=hover + "<extra></extra>",
                     colorbar={"title": {"text": t("index.col.group", lang)}, "tickvals": [6 - g for g in vi.GROUP_CODES],
                               "ticktext": [group_label(g, lang) for g in vi.GROUP_CODES], **bar})
        title = tl("index.map.title", lang, meta)
    else:
        col = "score" if color == "score" else f"dim_{color}"
        z = [round(float(v), 2) for v in scored[col]]
        dim_label = next((d.label(lang) for d in config.dimensions if d.id == color), "")
        extra = "" if color == "score" else "<br>" + dim_label + ": %{z:.1f}"
        trace.update(z=z, zmin=0, zmax=100, colorscale=SCORE_SCALE, hovertemplate=hover + extra + "<extra></extra>",
                     colorbar={"title": {"text": "0–100"}, **bar})
        title = (tl("index.map.title_score", lang, meta) if color == "score"
                 else tl("index.map.title_dim", lang, meta, dim=dim_label))
    nodata = {
        "type": "choroplethmap", "geojson": geo_url, "featureidkey": "id",
        "locations": missing.index.astype(str).tolist(), "z": [0] * len(missing),
        "hovertext": [f"{n} ({d})" for n, d in zip(missing["name"], missing["department_name"])],
        "colorscale": [[0, NO_DATA_COLOUR], [1, NO_DATA_COLOUR]], "showscale": False,
        "showlegend": bool(len(missing)), "name": t("no_data", lang),
        "hovertemplate": "<b>%{hovertext}</b><br>" + t("index.group.none", lang) + "<extra></extra>",
        "marker": {"line": {"width": 0.5, "color": "#ffffff"}},
    }
    sel = {
        "type": "choroplethmap", "geojson": geo_url, "featureidkey": "id",
        "locations": [selected] if selected else [], "z": [0] if selected else [],
        "colorscale": [[0, "rgba(0,0,0,0)"], [1, "rgba(0,0,0,0)"]], "showscale": False, "showlegend": False,
        "hoverinfo": "skip", "marker": {"line": {"width": 3.5, "color": SELECTED_COLOUR}},
    }
    fig = {
        "data": [trace, nodata, sel],
        "layout": {
            "map": {"style": "white-bg", "center": centre, "zoom": zoom},
            "margin": {"l": 0, "r": 0, "t": 56},
            "legend": {**pos["legend"], "bgcolor": "rgba(255,255,255,0.85)"},
            "uirevision": "index-map",
        },
    }
    if fit:
        fig["layout"]["meta"] = {"fit": fit}
    return frame(fig, title, wrap(source, 160), lang, bottom_margin=44 if len(source) <= 160 else 60)


def contribution_figure(comp: Any, config: vi.IndexConfig, labels: list[str], title: str, source: str,
                        lang: str) -> dict[str, Any]:
    """Stacked columns: each dimension's points of the score for the municipality, its department's
    average and the national average; the total on top of each column."""
    xs = [wrap(lab, 9) for lab in labels]  # three narrow columns: 'Prom.<br>depto.'
    data = []
    for i, d in enumerate(config.dimensions):
        vals = [None if v != v else round(float(v), 2) for v in comp[d.id]]
        data.append({
            "type": "bar", "name": d.label(lang), "x": xs, "y": vals,
            "marker": {"color": DIM_COLOURS[i % len(DIM_COLOURS)]},
            "text": [fmt_number(v, lang, 1) if v is not None and v >= 6 else "" for v in vals],
            "textposition": "inside", "insidetextanchor": "middle", "textangle": 0,
            "hovertemplate": "%{x}<br>" + d.label(lang) + ": %{y:.1f}<extra></extra>",
        })
    totals = comp.sum(axis=1, min_count=1)
    annotations = [{"x": lab, "y": float(v), "text": f"<b>{fmt_number(float(v), lang, 1)}</b>", "showarrow": False,
                    "yanchor": "bottom", "yshift": 2, "font": {"size": 14}}
                   for lab, v in zip(xs, totals) if v == v]
    fig = {
        "data": data,
        "layout": {
            "barmode": "stack",
            "bargap": 0.35,
            "yaxis": {"range": [0, 100], "gridcolor": "#eee", "fixedrange": True, "title": {"text": "0–100"}},
            "xaxis": {"fixedrange": True, "automargin": True, "tickangle": 0},
            "legend": {"traceorder": "reversed", "x": 1.02, "xanchor": "left", "y": 0.5, "yanchor": "middle"},
            "margin": {"l": 50, "r": 10, "t": 48},
            "annotations": annotations,
            "hovermode": "closest",
        },
    }
    return frame(fig, title, wrap(source, 52), lang, bottom_margin=110)


def unit_text(row: Any, lang: str) -> str:
    period = f"{int(row['first_year'])}–{int(row['last_year'])}" if row["n_periods"] else ""
    if row["first_year"] == row["last_year"] and row["n_periods"]:
        period = str(int(row["first_year"]))
    if row["kind"] == "rate":
        return t("index.unit.rate", lang, per=fmt_number(row["rate_per"], lang),
                 base=population_group(str(row["rate_base"]), lang), period=period)
    return t("index.unit.mean", lang, period=period)


def fmt_share(x: float | None, lang: str) -> str:
    return fmt_percent(None if x is None or x != x else 100 * float(x), lang, 0)


def wrap(text: str, width: int) -> str:
    """Kept for callers of this module: see components.figures.wrap_html."""
    return wrap_html(text, width)
