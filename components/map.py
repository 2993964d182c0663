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
from components.i18n import population_group, register, t, tl

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
        "map.ctl.pooled": ("Tasa trienal (más estable)", "3-year rate (more stable)"),
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
        "map.ctl.play_help": ("Recorrer los periodos uno tras otro", "Step through the periods one after another"),
        "map.ctl.aria": ("Filtros del mapa", "Map filters"),
        "map.ctl.pause": ("⏸ Pausa", "⏸ Pause"),
        "map.ctl.dept": ("{Adm1}", "{Adm1}"),
        "map.ctl.dept.all": ("Todo el país", "Whole country"),
        "map.ctl.classes": ("Clases", "Classes"),
        "map.ctl.cls.quantiles": ("Cuantiles", "Quantiles"),
        "map.ctl.cls.equal_interval": ("Intervalos iguales", "Equal intervals"),
        "map.ctl.cls.natural_breaks": ("Cortes naturales", "Natural breaks"),
        "map.ctl.small": ("Aviso de números pequeños", "Small-number warning"),
        "map.ctl.small_unit": ("casos", "events"),
        "map.ctl.small_na.value": ("no aplica: este indicador no tiene casos, es un valor observado",
                                   "does not apply: this indicator has no event counts, it is an observed value"),
        "map.ctl.small_na.count": ("no aplica a los casos: solo a tasas y cambios",
                                   "does not apply to counts: only to rates and changes"),
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
        "map.note.no_population": (
            "Sin tasa: los datos no tienen población de {group}, el denominador de esta tasa (no se divide por "
            "la población total). Elija «Casos».",
            "No rate: the data have no population of {group}, this rate's denominator (it is not divided by the "
            "total population instead). Choose “Count”.",
        ),
        "map.unit.rate.total_by_sex": ("por {per} habitantes (mujeres: por {per} mujeres; hombres: por {per} hombres)",
                                       "per {per} people (women: per {per} women; men: per {per} men)"),
        "map.note.change": (
            "Cambio: últimos 12 meses frente al promedio anual de los 3 años anteriores.",
            "Change: last 12 months against the yearly average of the 3 years before.",
        ),
        "map.note.small": (
            "⚠ = la tasa se basa en menos de {n} casos y es inestable; use la tasa trienal agrupada.",
            "⚠ = the rate rests on fewer than {n} events and is unstable; use the pooled 3-year rate.",
        ),
        "map.note.small_change": (
            "⚠ = la línea de base tiene menos de {n} casos al año: el cambio es inestable.",
            "⚠ = the baseline has fewer than {n} events a year: the change is unstable.",
        ),
        "map.flag.tip": ("Menos de {n} casos: valor inestable", "Fewer than {n} events: unstable value"),
        "map.extent.names": ("datos solo para {names}", "data for {names} only"),
        "map.extent.and": ("y", "and"),
        "map.extent.count": ("datos solo para {n} de {total} {adm1s}", "data for {n} of {total} {adm1s} only"),
        "map.legend.title": ("Leyenda", "Legend"),
        "map.legend.territories": ("territorios", "territories"),
        "map.legend.within": ("{n} {terr} en {where} ({m} en el país)", "{n} {terr} in {where} ({m} in the country)"),
        "map.rank.title": ("Ranking", "Ranking"),
        "map.rank.search": ("Buscar {adm2} o {adm1}…", "Search {adm2} or {adm1}…"),
        "map.rank.show": ("Mostrar", "Show"),
        "map.rank.all": ("Todos", "All"),
        "map.rank.top": ("Los {n} peores", "Worst {n}"),
        "map.rank.bottom": ("Los {n} mejores", "Best {n}"),
        "map.rank.csv": ("Descargar CSV", "Download CSV"),
        "map.rank.xlsx": ("Descargar Excel", "Download Excel"),
        "map.rank.help": ("(posición 1 = la situación más grave)", "(rank 1 = the worst situation)"),
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


def _seg(id_: str, options: list[dict[str, Any]], value: Any, label_id: str) -> html.Div:
    """Radio buttons drawn as one compact segmented control (a native radio group underneath: arrow
    keys move between options; the group is named by its visible label)."""
    return html.Div(
        dbc.RadioItems(id=id_, options=options, value=value, inline=True, className="btn-group segmented map-seg",
                       inputClassName="btn-check", labelClassName="btn btn-outline-primary btn-sm",
                       labelCheckedClassName="active"),
        role="radiogroup", **{"aria-labelledby": label_id},
    )


def _group(label: Any, control: Any, class_name: str = "", label_id: str | None = None,
           html_for: str | None = None) -> html.Div:
    """One control of the toolbar with its visible label above it."""
    ids = {"id": label_id} if label_id else {}
    head = html.Label(label, htmlFor=html_for, className="control-label", **ids) if html_for else \
        html.Div(label, className="control-label", **ids)
    return html.Div([head, control], className=f"map-ctl {class_name}".strip())


def layout(ctx: Any, params: dict[str, str], lang: str) -> Any:
    """The page, with every control set from the URL query.

    At desk widths the filters are a two-row toolbar, so the map and the ranking start on the first
    screen: what to show (indicator, measure, level, sex, department), then when and how (period type,
    period with its play button, classes, pooled rate, small-number threshold)."""
    from callbacks.map import initial_state  # the figure and options are built by the callback module

    st = initial_state(ctx, params, lang)
    f = st["filters"]
    what = [
            _group(t("map.ctl.indicator", lang),
                   dcc.Dropdown(id="map-indicator", options=st["indicator_options"], value=f.indicator_id,
                                clearable=False, searchable=True, optionHeight=34),
                   "map-ctl-indicator", html_for="map-indicator"),
            _group(t("map.ctl.measure", lang), _seg("map-measure", st["measure_options"], f.measure,
                                                     "map-measure-label"), label_id="map-measure-label"),
            _group(t("map.ctl.level", lang), _seg("map-level", st["level_options"], f.level, "map-level-label"),
                   label_id="map-level-label"),
            _group(t("map.ctl.sex", lang), _seg("map-sex", st["sex_options"], f.sex, "map-sex-label"),
                   label_id="map-sex-label"),
            _group(tl("map.ctl.dept", lang, ctx.dataset),
                   dcc.Dropdown(id="map-dept", options=st["dept_options"], value=st["dept"] or "",
                                clearable=False, searchable=True),
                   "map-ctl-dept", html_for="map-dept"),
    ]
    period = html.Div(
        [
            html.Div([html.Span(t("map.ctl.period", lang), id="map-period-title", className="control-label me-2"),
                      html.Strong(st["period_text"], id="map-period-label", className="map-period-label"),
                      dbc.Button(t("map.ctl.play", lang), id="map-play", size="sm", color="primary", outline=True,
                                 className="ms-3 map-play", n_clicks=0, title=t("map.ctl.play_help", lang))],
                     className="d-flex align-items-center"),
            dcc.Slider(id="map-period", **st["slider"], step=1, updatemode="mouseup", included=False,
                       allow_direct_input=False),
            dcc.Interval(id="map-play-tick", interval=1600, disabled=True),
            dcc.Store(id="map-play-labels", data={"play": t("map.ctl.play", lang), "pause": t("map.ctl.pause", lang)}),
        ],
        className="map-ctl map-ctl-period",
    )
    when = [
            _group(t("map.ctl.gran", lang), _seg("map-gran", st["gran_options"], f.granularity, "map-gran-label"),
                   label_id="map-gran-label"),
            period,
            _group(t("map.ctl.classes", lang),
                   dcc.Dropdown(id="map-method", options=st["method_options"], value=st["method"], clearable=False,
                                searchable=False),
                   "map-ctl-method", html_for="map-method"),
            html.Div(dbc.Checklist(id="map-pooled", options=st["pooled_options"], value=["1"] if f.pooled else [],
                                   switch=True), className="map-ctl map-ctl-pooled"),
            # the threshold applies to rates and changes (counts behind them); disabled otherwise,
            # and its label says why (visually hidden: the greyed control and its tooltip show it)
            html.Div(
                [html.Label([t("map.ctl.small", lang),
                             html.Span(st["small_why"] and f" ({st['small_why']})", id="map-small-why",
                                       className="visually-hidden")],
                            htmlFor="map-small", className="control-label"),
                 html.Div([html.Span("<", className="me-1", **{"aria-hidden": "true"}),
                           dcc.Input(id="map-small", type="number", min=1, max=1000, step=1, value=st["small"],
                                     debounce=True, className="map-small-input", disabled=bool(st["small_why"])),
                           html.Span(t("map.ctl.small_unit", lang), className="ms-1")],
                          className="d-flex align-items-center")],
                id="map-ctl-small", title=st["small_why"] or None,
                className="map-ctl map-ctl-small" + (" is-disabled" if st["small_why"] else ""),
            ),
    ]
    # one wrapping row of groups: at 1440 px and wider it breaks after the department (what to show,
    # then when and how); on narrower screens the groups flow on as they fit
    controls = html.Div(what + when, className="controls-panel map-toolbar", role="group",
                        **{"aria-label": t("map.ctl.aria", lang)})
    # The legend and the source line are drawn inside the figure (so exported images carry them,
    # once); these HTML copies are for screen readers only.
    legend = html.Div(st["legend_children"], id="map-legend", className="map-legend visually-hidden", role="list",
                      **{"aria-label": t("map.legend.title", lang)})
    source = html.P(st["source"], id="map-source", className="source-note visually-hidden")
    # Rows come from the server block by block (infinite row model): with 2,500 municipalities a
    # filter change sends a small query, not every row; sorting and search run on the server too.
    grid = dag.AgGrid(
        id="map-grid",
        rowModelType="infinite",
        columnDefs=st["columns"],
        getRowId="params.data.territory_id",
        defaultColDef={"sortable": True, "resizable": True, "filter": False, "suppressMovable": True,
                       "wrapHeaderText": True, "autoHeaderHeight": True},
        # the selected territory (from the map or the table) is highlighted by its id, so the mark
        # survives the grid reloading its blocks after a filter change
        rowClassRules={"map-row-selected": "mapIsSelected(params)"},  # assets/20_map.js
        dashGridOptions={"rowSelection": {"mode": "singleRow", "checkboxes": False, "enableClickSelection": True},
                         "animateRows": False, "suppressCellFocus": False, "localeText": st["grid_locale"],
                         "cacheBlockSize": RANK_BLOCK, "maxBlocksInCache": 30, "infiniteInitialRowCount": 1,
                         # one block request at a time: dash-ag-grid answers only the latest request
                         # and Dash drops a callback's older pending call, so with two requests in
                         # flight one block never arrives and its slot is never freed (the grid
                         # then stays "loading" for good); one at a time, a request made before a
                         # filter change completes first and the grid discards it
                         "maxConcurrentDatasourceRequests": 1,
                         "blockLoadDebounceMillis": 50, "rowHeight": 44, "tooltipShowDelay": 400},
        className="ag-theme-alpine map-grid",
        style={"width": "100%", "height": "100%"},
    )
    ranking = html.Div(
        [
            html.Div([html.H2(t("map.rank.title", lang), className="h5 mb-0 me-2"),
                      html.Span(st["rank_caption"], id="map-rank-caption", className="small text-muted me-2"),
                      html.Span(t("map.rank.help", lang), className="small text-muted")],
                     className="d-flex align-items-baseline flex-wrap"),
            html.Div(st["selected_card"], id="map-selected", className="map-selected", **{"aria-live": "polite"}),
            html.Div(
                [
                    html.Label(tl("map.rank.search", lang, ctx.dataset), htmlFor="map-search", className="visually-hidden"),
                    dcc.Input(id="map-search", type="search", value=st["search"], debounce=False,
                              placeholder=tl("map.rank.search", lang, ctx.dataset),
                              className="form-control form-control-sm map-search"),
                    html.Label(t("map.rank.show", lang), htmlFor="map-top", className="visually-hidden"),
                    html.Div(dcc.Dropdown(id="map-top", options=st["top_options"], value=st["top"],
                                          clearable=False, searchable=False), className="map-top"),
                ],
                className="map-rank-tools",
            ),
            html.Div(grid, className="map-grid-wrap"),
            html.Div(
                [
                    html.Span(st["flag_key"], id="map-flag-key", className="map-flag-key"),
                    html.Div([
                        dbc.Button(t("map.rank.csv", lang), id="map-dl-csv", size="sm", color="primary",
                                   outline=True, className="me-2", n_clicks=0),
                        dbc.Button(t("map.rank.xlsx", lang), id="map-dl-xlsx", size="sm", color="primary",
                                   outline=True, n_clicks=0),
                    ], className="ms-auto text-nowrap"),
                    dcc.Download(id="map-download"),
                ],
                className="map-rank-foot",
            ),
        ],
        className="map-ranking",
    )
    return dbc.Container(
        [
            html.Div([html.H1(t("map.title", lang), className="mb-0 me-3"),
                      html.P(tl("map.lead", lang, ctx.dataset), className="lead-small text-muted mb-0")],
                     className="map-head"),
            controls,
            dbc.Alert(st["note"], id="map-note", color="info", className="py-1 px-2 small mb-2",
                      is_open=bool(st["note"])),
            dbc.Row(
                [
                    dbc.Col(
                        [
                            graph("map-graph", st["figure"], lang, "atalaya-map", t("map.aria", lang),
                                  height="var(--map-h)", clear_on_unhover=True),
                            source,
                            legend,
                        ],
                        xl=6, xxl=7,  # 1280 px (many projectors): half and half, so names fit the ranking
                    ),
                    dbc.Col(ranking, xl=6, xxl=5),
                ],
                className="g-3",
            ),
            dcc.Store(id="map-state", data=st["store"]),
            dcc.Store(id="map-selection", data=st["selected"]),
            dcc.Store(id="map-rank-query", data=st["rank_query"]),
            dcc.Store(id="map-rank-purge"),
            dcc.Store(id="map-rank-focus"),
        ],
        fluid=True,
        className="py-2 map-page",
    )
