"""Map explorer page layout: filters, the choropleth (geometry by URL), its legend and source, the
ranking table with search, top/bottom N and downloads, and the selected territory's card.

The initial state comes from the URL query (parsed into `params`):
  ind, lvl (2|1), measure (rate|count|change|value), sex, gran (Y|Q|M), pooled (1), period,
  cls (quantiles|equal_interval|natural_breaks), small (threshold), dept, sel, top, q (search)
"""

from __future__ import annotations

from typing import Any

import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import dcc, html

from components.figures import graph, source_note
from components.i18n import register, t, tl

RANK_BLOCK = 100  # rows per block the ranking grid fetches from the server

register(
    {
        "map.title": ("Mapa municipal", "Map explorer"),
        "map.lead": (
            "Dónde está peor y dónde mejora: elija el indicador, el periodo y la medida; haga clic en "
            "{un_adm2} para ver su perfil.",
            "Where it is worse and where it is improving: choose the indicator, period and measure; click "
            "{un_adm2} to open its profile.",
        ),
        "map.ctl.indicator": ("Indicador", "Indicator"),
        "map.ctl.level": ("Nivel", "Level"),
        "map.ctl.level.2": ("{Adm2s}", "{Adm2s}"),
        "map.ctl.level.1": ("{Adm1s}", "{Adm1s}"),
        "map.ctl.measure": ("Medida", "Measure"),
        "map.ctl.measure.rate": ("Tasa", "Rate"),
        "map.ctl.measure.count": ("Casos", "Count"),
        "map.ctl.measure.change": ("Cambio vs. línea de base", "Change vs baseline"),
        "map.ctl.measure.value": ("Valor observado", "Observed value"),
        "map.ctl.pooled": ("Tasa trienal agrupada (más estable)", "Pooled 3-year rate (more stable)"),
        "map.ctl.sex": ("Sexo", "Sex"),
        "map.ctl.sex.total": ("Total", "Total"),
        "map.ctl.sex.female": ("Mujeres", "Women"),
        "map.ctl.sex.male": ("Hombres", "Men"),
        "map.ctl.gran": ("Periodicidad", "Period type"),
        "map.ctl.gran.Y": ("Año", "Year"),
        "map.ctl.gran.Q": ("Trimestre", "Quarter"),
        "map.ctl.gran.M": ("Mes", "Month"),
        "map.ctl.period": ("Periodo", "Period"),
        "map.ctl.play": ("▶ Reproducir", "▶ Play"),
        "map.ctl.pause": ("⏸ Pausa", "⏸ Pause"),
        "map.ctl.dept": ("{Adm1}", "{Adm1}"),
        "map.ctl.dept.all": ("Todo el país", "Whole country"),
        "map.ctl.classes": ("Clases", "Classes"),
        "map.ctl.cls.quantiles": ("Cuantiles", "Quantiles"),
        "map.ctl.cls.equal_interval": ("Intervalos iguales", "Equal intervals"),
        "map.ctl.cls.natural_breaks": ("Cortes naturales", "Natural breaks"),
        "map.ctl.small": ("Aviso de números pequeños: menos de", "Small-number warning: fewer than"),
        "map.ctl.small_unit": ("casos", "events"),
        "map.domain.crime": ("Delitos", "Crime"),
        "map.domain.vawg": ("Violencia contra las mujeres", "Violence against women"),
        "map.domain.trust": ("Confianza y percepción", "Trust and perception"),
        "map.domain.risk": ("Factores de riesgo", "Risk factors"),
        "map.domain.context": ("Contexto", "Context"),
        "map.note.admin1_only": (
            "Este indicador solo existe por {adm1} (encuesta): no hay mapa por {adm2}.",
            "This indicator exists by {adm1} only (survey): no map by {adm2} is available.",
        ),
        "map.note.not_annualised": (
            "Tasas del periodo, no anualizadas.",
            "Rates for the period, not annualised.",
        ),
        "map.note.change": (
            "Cambio: últimos 12 meses frente al promedio anual de los 3 años anteriores.",
            "Change: last 12 months against the yearly average of the 3 years before.",
        ),
        "map.note.small": (
            "⚠ = la tasa se basa en menos de {n} casos y es inestable; use la tasa trienal agrupada.",
            "⚠ = the rate rests on fewer than {n} events and is unstable; use the pooled 3-year rate.",
        ),
        "map.legend.title": ("Leyenda", "Legend"),
        "map.legend.territories": ("territorios", "territories"),
        "map.rank.title": ("Clasificación", "Ranking"),
        "map.rank.search": ("Buscar {adm2} o {adm1}…", "Search {adm2} or {adm1}…"),
        "map.rank.show": ("Mostrar", "Show"),
        "map.rank.all": ("Todos", "All"),
        "map.rank.top": ("Los {n} peores", "Worst {n}"),
        "map.rank.bottom": ("Los {n} mejores", "Best {n}"),
        "map.rank.csv": ("Descargar CSV", "Download CSV"),
        "map.rank.xlsx": ("Descargar Excel", "Download Excel"),
        "map.rank.help": (
            "Posición 1 = la situación más grave. Haga clic en una fila para seleccionarla.",
            "Rank 1 = the worst situation. Click a row to select it.",
        ),
        "map.col.rank": ("Posición", "Rank"),
        "map.col.name": ("Territorio", "Territory"),
        "map.col.department": ("{Adm1}", "{Adm1}"),
        "map.col.events": ("Casos", "Events"),
        "map.col.events_now": ("Casos (12 meses)", "Events (12 months)"),
        "map.col.population": ("Población", "Population"),
        "map.col.baseline": ("Línea de base (casos/año)", "Baseline (events/year)"),
        "map.col.lower": ("Límite inferior", "Lower bound"),
        "map.col.upper": ("Límite superior", "Upper bound"),
        "map.col.flag": ("Aviso", "Warning"),
        "map.sel.none": ("Haga clic en el mapa o en la tabla para seleccionar un territorio.",
                         "Click the map or the table to select a territory."),
        "map.sel.profile": ("Abrir el perfil {del_level} →", "Open the {level} profile →"),
        "map.sel.clear": ("Quitar selección", "Clear selection"),
        "map.aria": ("Mapa coroplético del indicador seleccionado", "Choropleth map of the selected indicator"),
    }
)


def layout(ctx: Any, params: dict[str, str], lang: str) -> Any:
    """The page, with every control set from the URL query."""
    from callbacks.map import initial_state  # the figure and options are built by the callback module

    st = initial_state(ctx, params, lang)
    f = st["filters"]
    controls = dbc.Row(
        [
            dbc.Col([html.Label(t("map.ctl.indicator", lang), htmlFor="map-indicator", className="control-label"),
                     dcc.Dropdown(id="map-indicator", options=st["indicator_options"], value=f.indicator_id,
                                  clearable=False, searchable=True)], lg=4, md=6),
            dbc.Col([html.Label(t("map.ctl.measure", lang), className="control-label"),
                     dbc.RadioItems(id="map-measure", options=st["measure_options"], value=f.measure, inline=True),
                     dbc.Checklist(id="map-pooled", options=st["pooled_options"], value=["1"] if f.pooled else [],
                                   switch=True, className="mt-1")], lg=4, md=6),
            dbc.Col([html.Label(t("map.ctl.level", lang), className="control-label"),
                     dbc.RadioItems(id="map-level", options=st["level_options"], value=f.level, inline=True),
                     html.Label(t("map.ctl.sex", lang), className="control-label mt-1 d-block"),
                     dbc.RadioItems(id="map-sex", options=st["sex_options"], value=f.sex, inline=True)],
                    lg=2, md=6),
            dbc.Col([html.Label(tl("map.ctl.dept", lang, ctx.dataset), htmlFor="map-dept", className="control-label"),
                     dcc.Dropdown(id="map-dept", options=st["dept_options"], value=st["dept"] or "",
                                  clearable=False, searchable=True)], lg=2, md=6),
            dbc.Col([html.Label(t("map.ctl.gran", lang), className="control-label"),
                     dbc.RadioItems(id="map-gran", options=st["gran_options"], value=f.granularity, inline=True)],
                    lg=2, md=4, className="mt-2"),
            dbc.Col([html.Div([html.Label(t("map.ctl.period", lang), id="map-period-title", className="control-label me-2"),
                               html.Strong(st["period_text"], id="map-period-label", className="map-period-label"),
                               dbc.Button(t("map.ctl.play", lang), id="map-play", size="sm", color="secondary",
                                          outline=True, className="ms-3", n_clicks=0)],
                              className="d-flex align-items-center"),
                     dcc.Slider(id="map-period", **st["slider"], step=1, updatemode="mouseup", included=False,
                                allow_direct_input=False),
                     dcc.Interval(id="map-play-tick", interval=1600, disabled=True)], lg=6, md=8, className="mt-2"),
            dbc.Col([html.Label(t("map.ctl.classes", lang), className="control-label"),
                     dbc.RadioItems(id="map-method", options=st["method_options"], value=st["method"],
                                    inline=False),
                     html.Div([html.Label(t("map.ctl.small", lang), htmlFor="map-small", className="small me-1"),
                               dcc.Input(id="map-small", type="number", min=1, max=1000, step=1,
                                         value=st["small"], debounce=True, className="map-small-input"),
                               html.Span(" " + t("map.ctl.small_unit", lang), className="small")],
                              className="mt-1")],
                    lg=4, md=12, className="mt-2"),
        ],
        className="controls-panel g-3 mb-3",
    )
    legend = html.Div(st["legend_children"], id="map-legend", className="map-legend", role="list",
                      **{"aria-label": t("map.legend.title", lang)})
    # Rows come from the server block by block (infinite row model): with 2,500 municipalities a
    # filter change sends a small query, not every row; sorting and search run on the server too.
    grid = dag.AgGrid(
        id="map-grid",
        rowModelType="infinite",
        columnDefs=st["columns"],
        getRowId="params.data.territory_id",
        defaultColDef={"sortable": True, "resizable": True, "filter": False, "suppressMovable": True,
                       "wrapHeaderText": True, "autoHeaderHeight": True},
        dashGridOptions={"rowSelection": {"mode": "singleRow", "checkboxes": False, "enableClickSelection": True},
                         "animateRows": False, "suppressCellFocus": False, "localeText": st["grid_locale"],
                         "cacheBlockSize": RANK_BLOCK, "maxBlocksInCache": 30, "infiniteInitialRowCount": 1,
                         "blockLoadDebounceMillis": 50},
        className="ag-theme-alpine map-grid",
        style={"height": "560px", "width": "100%"},
        csvExportParams={"fileName": "ranking.csv"},
    )
    ranking = html.Div(
        [
            html.H2(t("map.rank.title", lang), className="h5 mb-1"),
            html.P(st["rank_caption"], id="map-rank-caption", className="small text-muted mb-2"),
            dbc.Row(
                [
                    dbc.Col([html.Label(tl("map.rank.search", lang, ctx.dataset), htmlFor="map-search", className="visually-hidden"),
                             dcc.Input(id="map-search", type="search", value=st["search"], debounce=False,
                                       placeholder=tl("map.rank.search", lang, ctx.dataset),
                                       className="form-control form-control-sm")], width=7),
                    dbc.Col(dcc.Dropdown(id="map-top", options=st["top_options"], value=st["top"], clearable=False,
                                         searchable=False), width=5),
                ],
                className="g-2 mb-2",
            ),
            grid,
            html.Div(
                [
                    dbc.Button(t("map.rank.csv", lang), id="map-dl-csv", size="sm", color="primary", outline=True,
                               className="me-2", n_clicks=0),
                    dbc.Button(t("map.rank.xlsx", lang), id="map-dl-xlsx", size="sm", color="primary", outline=True,
                               n_clicks=0),
                    dcc.Download(id="map-download"),
                ],
                className="mt-2",
            ),
            html.P(t("map.rank.help", lang), className="small text-muted mt-1"),
        ],
        className="map-ranking",
    )
    return dbc.Container(
        [
            html.H1(t("map.title", lang)),
            html.P(tl("map.lead", lang, ctx.dataset), className="lead-small text-muted"),
            controls,
            dbc.Alert(st["note"], id="map-note", color="info", className="py-2 small",
                      is_open=bool(st["note"])),
            dbc.Row(
                [
                    dbc.Col(
                        [
                            graph("map-graph", st["figure"], lang, "atalaya-map", t("map.aria", lang),
                                  height="640px", clear_on_unhover=True),
                            source_note(st["source"], note_id="map-source"),
                            legend,
                            html.Div(st["selected_card"], id="map-selected", className="map-selected mt-2"),
                            dbc.Button(t("map.sel.clear", lang), id="map-clear", size="sm", color="link",
                                       n_clicks=0, className="px-0"),
                        ],
                        lg=7,
                    ),
                    dbc.Col(ranking, lg=5),
                ],
                className="g-4",
            ),
            dcc.Store(id="map-state", data=st["store"]),
            dcc.Store(id="map-selection", data=st["selected"]),
            dcc.Store(id="map-rank-query", data=st["rank_query"]),
            dcc.Store(id="map-rank-purge"),
        ],
        fluid=True,
        className="py-3 map-page",
    )
