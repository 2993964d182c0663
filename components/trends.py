"""Trends page layout: crime over time (with events and a before/after panel), the cross-country official
homicide rates, trust in police and perception of insecurity, and crime and trust side by side.

Initial control values come from the URL query (see `state_from_params`); callbacks/trends.py fills the
figures and writes the state back into the URL.
"""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
from dash import dcc, html

from analytics.trends import indicator_sexes, valid_sex
from components.figures import graph, source_note
from components.formatting import fmt_date
from components.i18n import register, t, tl
from components.urlstate import split_list

register(
    {
        "trends.title": ("Tendencias", "Trends"),
        "trends.lead": (
            "Cómo estaba ayer y cómo está hoy: delitos y violencia contra las mujeres en el tiempo, con los "
            "eventos que marcaron el periodo, la comparación entre países y la confianza en la policía.",
            "How it looked yesterday and how it looks today: crime and violence against women over time, with "
            "the events of the period, the comparison between countries and trust in the police.",
        ),
        "trends.section.crime": ("Delitos en el tiempo", "Crime over time"),
        "trends.section.before_after": ("Antes y después de un evento", "Before and after an event"),
        "trends.section.countries": ("Comparación entre países", "Cross-country comparison"),
        "trends.section.trust": ("Confianza en la policía y percepción de inseguridad",
                                 "Trust in the police and perception of insecurity"),
        "trends.section.side": ("Delito y confianza, lado a lado", "Crime and trust side by side"),
        "trends.ctl.indicator": ("Indicador", "Indicator"),
        "trends.ctl.territories": ("Territorios (hasta 8)", "Territories (up to 8)"),
        "trends.ctl.territories_ph": ("Escriba para buscar {un_adm1} o {un_adm2}",
                                      "Type to search {un_adm1} or {un_adm2}"),
        "trends.ctl.measure": ("Medida", "Measure"),
        "trends.ctl.sex": ("Sexo", "Sex"),
        "trends.ctl.sex.total": ("Total", "Total"),
        "trends.ctl.sex.female": ("Mujeres", "Women"),
        "trends.ctl.sex.male": ("Hombres", "Men"),
        "trends.ctl.freq": ("Periodicidad", "Granularity"),
        "trends.ctl.transform": ("Transformación", "Transformation"),
        "trends.ctl.events": ("Mostrar eventos", "Show events"),
        "trends.ctl.reference": ("Línea nacional de referencia", "National reference line"),
        "trends.ctl.event": ("Evento", "Event"),
        "trends.ctl.n": ("Meses antes y después", "Months before and after"),
        "trends.ctl.survey": ("Indicador de encuesta", "Survey indicator"),
        "trends.ctl.survey_territory": ("Territorio", "Territory"),
        "trends.ctl.by": ("Desagregación", "Breakdown"),
        "trends.measure.count": ("Casos", "Cases"),
        "trends.measure.rate": ("Tasa", "Rate"),
        "trends.freq.M": ("Mensual", "Monthly"),
        "trends.freq.Q": ("Trimestral", "Quarterly"),
        "trends.freq.Y": ("Anual", "Annual"),
        "trends.tf.none": ("Sin transformar", "None"),
        "trends.tf.roll12": ("Acumulado de 12 meses (tasa interanual)", "12-month rolling (interannual rate)"),
        "trends.tf.ma3": ("Media móvil de 3 meses", "3-month moving average"),
        "trends.tf.ma12": ("Media móvil de 12 meses", "12-month moving average"),
        "trends.tf.yoy": ("Variación interanual (%)", "Year-on-year change (%)"),
        "trends.tf.samemonth": ("Mismo mes de años anteriores", "Same month of previous years"),
        "trends.by.total": ("Total", "Total"),
        "trends.by.sex": ("Por sexo", "By sex"),
        "trends.by.institution": ("Por institución", "By institution"),
        "trends.domain.crime": ("Delitos", "Crime"),
        "trends.domain.vawg": ("Violencia contra las mujeres", "Violence against women"),
        "trends.domain.risk": ("Factores de riesgo", "Risk factors"),
        "trends.domain.trust": ("Confianza y percepción", "Trust and perception"),
        "trends.domain.context": ("Contexto", "Context"),
        "trends.download": ("Descargar datos (CSV)", "Download data (CSV)"),
        "trends.png_hint": (
            "Para exportar la imagen (PNG), use el icono de cámara en la esquina del gráfico.",
            "To export the image (PNG), use the camera icon at the corner of the chart.",
        ),
        "trends.ba.before": ("Promedio mensual antes", "Monthly mean before"),
        "trends.ba.after": ("Promedio mensual después", "Monthly mean after"),
        "trends.ba.change": ("Cambio", "Change"),
        "trends.ba.caveat": (
            "Comparación descriptiva, no causal: la diferencia puede deberse a muchas otras causas "
            "(tendencia previa, estacionalidad, otros eventos, cambios en el registro).",
            "Descriptive, not causal: the difference may be due to many other causes (prior trend, "
            "seasonality, other events, changes in recording).",
        ),
        "trends.cc.none": (
            "Este conjunto de datos no tiene tasas oficiales nacionales por país (indicador «{id}»): no hay "
            "comparación entre países.",
            "This dataset has no official national rates by country (indicator “{id}”): there is no "
            "cross-country comparison.",
        ),
        "trends.survey.none": (
            "Este conjunto de datos no tiene encuestas de confianza o percepción (indicadores del dominio «trust» "
            "en porcentaje): no hay nada que mostrar aquí.",
            "This dataset has no trust or perception survey (indicators of the “trust” domain, in percent): "
            "there is nothing to show here.",
        ),
        "trends.ba.none": (
            "Este conjunto de datos no tiene eventos (events.csv): no hay comparación antes/después.",
            "This dataset has no events (events.csv): there is no before/after comparison.",
        ),
        "trends.side.note": (
            "Dos paneles alineados que comparten el eje del tiempo (no un gráfico de doble eje): arriba el delito "
            "por trimestre, abajo la encuesta del mismo territorio y periodo.",
            "Two aligned panels sharing the time axis (not a dual-axis chart): crime per quarter above, the survey "
            "for the same territory and period below.",
        ),
    }
)

DEFAULTS = {
    "ind": "homicides",
    "measure": "rate",
    "freq": "M",
    "tf": "none",
    "events": "1",
    "ref": "1",
    "n": "3",
    "sv": "trust_police_national",
    "by": "sex",
}
N_CHOICES = (3, 6, 12, 24)
DOMAIN_ORDER = ("crime", "vawg", "risk", "context")
# English names of countries whose dataset name is Spanish (names of the demo's level-0 territories)
COUNTRY_EN = {
    "GTM": "Guatemala", "SLV": "El Salvador", "HND": "Honduras", "MEX": "Mexico", "BLZ": "Belize",
    "DOM": "Dominican Republic", "NIC": "Nicaragua", "CRI": "Costa Rica", "PAN": "Panama", "COL": "Colombia",
    "ECU": "Ecuador", "PER": "Peru", "BOL": "Bolivia", "CHL": "Chile", "ARG": "Argentina", "URY": "Uruguay",
    "PRY": "Paraguay", "BRA": "Brazil", "VEN": "Venezuela", "JAM": "Jamaica", "TTO": "Trinidad and Tobago",
    "HTI": "Haiti", "CUB": "Cuba",
}


def territory_name(ds: Any, territory_id: str, lang: str) -> str:
    """Display name of a territory: English names for countries when known; level-1 territories marked
    with the dataset's abbreviation ("(depto.)", "(estado)"); a municipality whose name is also another
    territory's name marked "(mun.)" (Guatemala is a country, a department and a municipality)."""
    level = ds.level(territory_id)
    name = ds.name(territory_id)
    if level == 0:
        iso = str(ds.territories.at[territory_id, "country_iso3"])
        return COUNTRY_EN.get(iso, name) if lang == "en" else name
    if level == 1:
        return f"{name} ({ds.meta.level_term(1, lang).abbr})"
    if (ds.territories["name"] == name).sum() > 1:
        return f"{name} ({ds.meta.level_term(2, lang).abbr})"
    return name


def count_indicators(ds: Any) -> list[str]:
    """Indicators the crime chart can show: those observed as counts."""
    ind = ds.indicators
    return [i for i in ind.index if ind.at[i, "unit"] == "count"]


def sex_options(ds: Any, indicator_id: str, lang: str) -> list[dict[str, Any]]:
    """Total / Women / Men for the crime chart; a sex the indicator is not observed for is disabled (an
    indicator of violence against women has Women only)."""
    have = indicator_sexes(ds, indicator_id)
    return [{"label": t(f"trends.ctl.sex.{s}", lang), "value": s, "disabled": s not in have}
            for s in ("total", "female", "male")]


def survey_indicators(ds: Any) -> list[str]:
    """Survey indicators: percent estimates in the trust domain."""
    ind = ds.indicators
    return [i for i in ind.index if ind.at[i, "domain"] == "trust" and ind.at[i, "unit"] == "percent"]


def indicator_options(ds: Any, ids: list[str], lang: str) -> list[dict[str, Any]]:
    """Options grouped by domain: a disabled header per domain, then its indicators."""
    ind = ds.indicators
    out: list[dict[str, Any]] = []
    domains = [d for d in DOMAIN_ORDER if any(ind.at[i, "domain"] == d for i in ids)]
    domains += sorted({str(ind.at[i, "domain"]) for i in ids} - set(domains))
    for d in domains:
        members = sorted((i for i in ids if ind.at[i, "domain"] == d), key=lambda i: ds.label(i, lang))
        key = f"trends.domain.{d}"
        try:
            head = t(key, lang)
        except KeyError:
            head = d
        out.append({"label": f"— {head.upper()} —", "value": f"__domain_{d}", "disabled": True})
        out += [{"label": ds.label(i, lang), "value": i} for i in members]
    return out


def territory_options(ds: Any, lang: str) -> list[dict[str, str]]:
    """The main country, its departments, then its municipalities labelled with their department."""
    country = ds.main_country
    opts = [{"label": territory_name(ds, country, lang), "value": country}]
    depts = ds.territories_at(1, within=country)
    for tid in sorted(depts.index):
        opts.append({"label": f"{ds.name(tid)} ({ds.meta.level_term(1, lang).abbr})", "value": tid})
    munis = ds.territories_at(2, within=country)
    for tid in sorted(munis.index, key=lambda x: (ds.name(x), x)):
        opts.append({"label": f"{ds.name(tid)} — {ds.name(ds.parent(tid))}", "value": tid})
    return opts


def survey_territory_options(ds: Any, lang: str) -> list[dict[str, str]]:
    country = ds.main_country
    opts = [{"label": territory_name(ds, country, lang), "value": country}]
    for tid in sorted(ds.territories_at(1, within=country).index):
        opts.append({"label": ds.name(tid), "value": tid})
    return opts


def event_options(ds: Any, lang: str) -> list[dict[str, str]]:
    ev = ds.events
    if ev is None or ev.empty:
        return []
    out = []
    for i, row in ev.sort_values("date").iterrows():
        label = row["label_en"] if lang == "en" else row["label_es"]
        where = territory_name(ds, str(row["territory_id"]), lang)
        out.append({"label": f"{fmt_date(row['date'].date(), lang)} · {label} · {where}", "value": str(i)})
    return out


def default_event(ds: Any) -> str | None:
    """The first event of the main country (a national shock), else the first event."""
    ev = ds.events
    if ev is None or ev.empty:
        return None
    national = ev[ev["territory_id"].astype(str) == ds.main_country]
    return str((national if len(national) else ev).sort_values("date").index[0])


def state_from_params(ds: Any, params: dict[str, str]) -> dict[str, Any]:
    """Control values from the URL query, each checked against what the dataset offers."""
    p = {**DEFAULTS, **{k: v for k, v in params.items() if v}}
    counts = count_indicators(ds)
    ind = p["ind"] if p["ind"] in counts else (DEFAULTS["ind"] if DEFAULTS["ind"] in counts else counts[0])
    valid_t = set(ds.territories.index)
    terr = [x for x in split_list(params.get("terr")) if x in valid_t][:8] or [ds.main_country]
    surveys = survey_indicators(ds)
    sv = p["sv"] if p["sv"] in surveys else (surveys[0] if surveys else None)
    st = p.get("st") if p.get("st") in valid_t and ds.level(p.get("st")) <= 1 else ds.main_country
    ev = p.get("ev") if p.get("ev") in {str(i) for i in ds.events.index} else default_event(ds)
    n = int(p["n"]) if str(p["n"]).isdigit() and int(p["n"]) in N_CHOICES else 3
    return {
        "ind": ind,
        "sex": valid_sex(ds, ind, p.get("sex")),
        "terr": terr,
        "measure": p["measure"] if p["measure"] in ("count", "rate") else "rate",
        "freq": p["freq"] if p["freq"] in ("M", "Q", "Y") else "M",
        "tf": p["tf"] if p["tf"] in ("none", "roll12", "ma3", "ma12", "yoy", "samemonth") else "none",
        "events": p["events"] != "0",
        "ref": p["ref"] != "0",
        "ev": ev,
        "n": n,
        "sv": sv,
        "st": st,
        "by": p["by"] if p["by"] in ("total", "sex", "institution") else "sex",
    }


def dropdown_labels(lang: str) -> dict[str, str]:
    """The Dash 4 Dropdown's own texts in the page language."""
    if lang == "en":
        return {"select_all": "Select all", "deselect_all": "Deselect all", "selected_count": "{num_selected} selected",
                "search": "Search", "clear_search": "Clear search", "clear_selection": "Clear selection",
                "no_options_found": "No options found"}
    return {"select_all": "Seleccionar todo", "deselect_all": "Quitar todo",
            "selected_count": "{num_selected} seleccionados", "search": "Buscar", "clear_search": "Borrar búsqueda",
            "clear_selection": "Borrar selección", "no_options_found": "Sin resultados"}


def _radio(id_: str, options: list[dict[str, Any]], value: Any) -> dbc.RadioItems:
    return dbc.RadioItems(id=id_, options=options, value=value, inline=True,
                          className="btn-group segmented trends-radio", inputClassName="btn-check",
                          labelClassName="btn btn-outline-primary", labelCheckedClassName="active")


def _control(label: str, control: Any, html_for: str | None = None, width: int = 12, md: int | None = None) -> dbc.Col:
    return dbc.Col([html.Label(label, className="control-label d-block", htmlFor=html_for), control],
                   xs=width, md=md or width, className="mb-3")


def _download(id_prefix: str, lang: str) -> html.Div:
    return html.Div(
        [
            dbc.Button(["⬇ ", t("trends.download", lang)], id=f"{id_prefix}-csv-btn", color="secondary",
                       outline=True, size="sm", className="me-2"),
            dcc.Download(id=f"{id_prefix}-csv"),
            html.Span(t("trends.png_hint", lang), className="text-muted small"),
        ],
        className="d-flex align-items-center flex-wrap gap-1 mt-1 presenter-hide",
    )


def _figure_block(id_prefix: str, lang: str, filename: str, aria: str, height: str) -> html.Div:
    return html.Div(
        [
            dcc.Loading(graph(f"{id_prefix}-graph", None, lang, filename, aria, height=height), type="default",
                        delay_show=400),
            source_note("", note_id=f"{id_prefix}-source", in_figure=True),
            _download(id_prefix, lang),
        ]
    )


def layout(ctx: Any, params: dict[str, str], lang: str) -> Any:
    ds = ctx.dataset
    s = state_from_params(ds, params)
    measure_opts = [{"label": t(f"trends.measure.{m}", lang), "value": m} for m in ("count", "rate")]
    freq_opts = [{"label": t(f"trends.freq.{f}", lang), "value": f} for f in ("M", "Q", "Y")]
    tf_opts = [{"label": t(f"trends.tf.{x}", lang), "value": x}
               for x in ("none", "roll12", "ma3", "ma12", "yoy", "samemonth")]
    by_opts = [{"label": t(f"trends.by.{b}", lang), "value": b} for b in ("total", "sex", "institution")]
    n_opts = [{"label": str(n), "value": n} for n in N_CHOICES]
    surveys = survey_indicators(ds)

    crime_controls = dbc.Row(
        [
            _control(t("trends.ctl.indicator", lang),
                     dcc.Dropdown(labels=dropdown_labels(lang), id="trends-indicator", options=indicator_options(ds, count_indicators(ds), lang),
                                  value=s["ind"], clearable=False, searchable=True), md=4),
            _control(t("trends.ctl.territories", lang),
                     dcc.Dropdown(labels=dropdown_labels(lang), id="trends-territories", options=territory_options(ds, lang), value=s["terr"],
                                  multi=True, searchable=True, clearable=False, closeOnSelect=False,
                                  placeholder=tl("trends.ctl.territories_ph", lang, ds), maxHeight=320), md=8),
            _control(t("trends.ctl.measure", lang), _radio("trends-measure", measure_opts, s["measure"]), md=3),
            _control(t("trends.ctl.sex", lang), _radio("trends-sex", sex_options(ds, s["ind"], lang), s["sex"]), md=3),
            _control(t("trends.ctl.freq", lang), _radio("trends-freq", freq_opts, s["freq"]), md=3),
            _control(t("trends.ctl.transform", lang),
                     dcc.Dropdown(labels=dropdown_labels(lang), id="trends-transform", options=tf_opts, value=s["tf"], clearable=False,
                                  searchable=False), md=3),
            dbc.Col(
                [
                    # no events in the dataset: the switch stays (the callbacks read it) but is not shown
                    dbc.Switch(id="trends-events", label=t("trends.ctl.events", lang), value=s["events"],
                               className="me-4 d-inline-block" if not ds.events.empty else "d-none"),
                    dbc.Switch(id="trends-reference", label=t("trends.ctl.reference", lang), value=s["ref"],
                               className="d-inline-block"),
                ],
                xs=12, className="mb-2",
            ),
        ],
        className="controls-panel g-2 mb-3",
    )

    # A part the dataset cannot feed (no events, no national rates, no survey) says so in one line; its
    # controls and figure stay in the page, hidden, so that the callbacks keep their inputs and outputs.
    has_events = not ds.events.empty
    has_countries = "homicide_rate_official" in ds.indicators.index
    has_surveys = bool(surveys)

    def _missing(message: str, id_: str) -> dbc.Alert:
        return dbc.Alert(message, color="info", className="py-2 trends-unavailable", id=id_)

    before_after = html.Section(
        [
            html.H2(t("trends.section.before_after", lang), className="h3 mt-4"),
            _missing(t("trends.ba.none", lang), "trends-ba-none") if not has_events else None,
            html.Div([dbc.Row(
                [
                    _control(t("trends.ctl.event", lang),
                             dcc.Dropdown(labels=dropdown_labels(lang), id="trends-event", options=event_options(ds, lang), value=s["ev"],
                                          clearable=False, searchable=False), md=8),
                    _control(t("trends.ctl.n", lang), _radio("trends-n", n_opts, s["n"]), md=4),
                ],
                className="controls-panel g-2 mb-3",
            ),
            dbc.Alert(t("trends.ba.caveat", lang), color="warning", className="py-2", id="trends-ba-caveat"),
            html.Div(id="trends-ba-figures", className="mb-2"),
            _figure_block("trends-ba", lang, "atalaya-before-after", t("trends.section.before_after", lang),
                          "440px")], hidden=not has_events),
        ],
        id="trends-before-after",
    )

    countries = html.Section(
        [
            html.H2(t("trends.section.countries", lang), className="h3 mt-4"),
            _missing(t("trends.cc.none", lang, id="homicide_rate_official"), "trends-cc-none")
            if not has_countries else None,
            html.Div([_figure_block("trends-cc", lang, "atalaya-homicide-rates-countries",
                                    t("trends.section.countries", lang), "520px"),
                      html.Div(id="trends-cc-sources", className="small mt-2")], hidden=not has_countries),
        ],
        id="trends-countries",
    )

    trust = html.Section(
        [
            html.H2(t("trends.section.trust", lang), className="h3 mt-4"),
            _missing(t("trends.survey.none", lang), "trends-trust-none") if not has_surveys else None,
            html.Div([dbc.Row(
                [
                    _control(t("trends.ctl.survey", lang),
                             dcc.Dropdown(labels=dropdown_labels(lang), id="trends-survey", value=s["sv"], clearable=False, searchable=False,
                                          options=[{"label": ds.label(i, lang), "value": i} for i in surveys]),
                             md=5),
                    _control(t("trends.ctl.survey_territory", lang),
                             dcc.Dropdown(labels=dropdown_labels(lang), id="trends-survey-territory", options=survey_territory_options(ds, lang),
                                          value=s["st"], clearable=False, searchable=True), md=3),
                    _control(t("trends.ctl.by", lang), _radio("trends-by", by_opts, s["by"]), md=4),
                ],
                className="controls-panel g-2 mb-3",
            ),
            _figure_block("trends-trust", lang, "atalaya-trust", t("trends.section.trust", lang), "500px"),
            html.P(id="trends-survey-note", className="survey-note"),
            html.H2(t("trends.section.side", lang), className="h3 mt-4"),
            html.P(t("trends.side.note", lang), className="text-muted"),
            _figure_block("trends-side", lang, "atalaya-crime-and-trust", t("trends.section.side", lang), "640px"),
            ], hidden=not has_surveys),
        ],
        id="trends-trust",
    )

    return dbc.Container(
        [
            dcc.Store(id="trends-lang", data=lang),
            html.H1(t("trends.title", lang)),
            html.P(t("trends.lead", lang), className="lead"),
            html.Section(
                [
                    html.H2(t("trends.section.crime", lang), className="h3"),
                    crime_controls,
                    html.Div(id="trends-notice", role="status"),
                    html.Div(id="trends-latest", className="mb-2"),
                    _figure_block("trends-main", lang, "atalaya-trend", t("trends.section.crime", lang), "600px"),
                    html.P(id="trends-method-note", className="source-note"),
                ],
                id="trends-crime",
            ),
            before_after,
            countries,
            trust,
        ],
        fluid=True,
        className="py-3 trends-page",
    )
