"""Costs of violence page: layout, strings, and the pieces the callbacks fill (key-figure strip, reference
comparison). No callbacks and no data access beyond the context passed in."""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
from dash import dcc, html

from analytics import costs as ac
from components.figures import graph, source_note
from components.formatting import fmt_number, fmt_percent, is_missing
from components.i18n import register, t

register(
    {
        "costs.title": ("Costos económicos de la violencia", "Economic costs of violence"),
        "costs.lead": (
            "Cuánto cuesta la violencia a cada país, en qué se va ese dinero y con qué se compara. "
            "Un estudio a la vez: los estudios no se suman ni se mezclan.",
            "What violence costs each country, where that money goes and what it compares to. "
            "One study at a time: studies are never added together or mixed.",
        ),
        "costs.study": ("Estudio", "Study"),
        "costs.country": ("País", "Country"),
        "costs.year": ("Año de referencia", "Reference year"),
        "costs.unit": ("Unidad", "Unit"),
        "costs.unit.usd": ("Millones de USD", "USD millions"),
        "costs.unit.pct_gdp": ("% del PIB", "% of GDP"),
        "costs.unit.per_capita": ("USD por habitante", "USD per inhabitant"),
        "costs.unit.usd.axis": ("millones de USD", "USD millions"),
        "costs.unit.pct_gdp.axis": ("% del PIB", "% of GDP"),
        "costs.unit.per_capita.axis": ("USD por habitante", "USD per inhabitant"),
        "costs.study.undp_infosegura_2019": ("PNUD InfoSegura 2019 (norte de Centroamérica)",
                                             "UNDP InfoSegura 2019 (northern Central America)"),
        "costs.study.idb_2017": ("BID 2017 (costos directos 2014)", "IDB 2017 (direct costs 2014)"),
        "costs.study_desc.undp_infosegura_2019": (
            "PNUD InfoSegura, «Costos económicos de la violencia en los países del norte de Centroamérica» "
            "(C. Acevedo), año de referencia 2019. Enfoque contable que incluye costos tangibles e intangibles: "
            "salud, institucionales (seguridad y justicia), seguridad privada de hogares y empresas, pérdidas "
            "materiales y costos indirectos sobre la inversión y el crecimiento.",
            "UNDP InfoSegura, “Economic costs of violence in the countries of northern Central America” "
            "(C. Acevedo), reference year 2019. An accounting approach including tangible and intangible costs: "
            "health, institutional (security and justice), private security of households and firms, material "
            "losses, and indirect costs on investment and growth.",
        ),
        "costs.study_desc.idb_2017": (
            "BID, Jaitman (ed.) 2017, «Los costos del crimen y de la violencia» (IDB-MG-510): costos directos "
            "en 2014, escenario superior, en 17 países de América Latina y el Caribe: costos sociales de la "
            "victimización, gasto privado en seguridad y gasto público en policía, justicia y cárceles. No "
            "incluye costos indirectos sobre la inversión y el crecimiento.",
            "IDB, Jaitman (ed.) 2017, “The Costs of Crime and Violence” (IDB-MG-510): direct costs in 2014, upper "
            "bound, in 17 Latin American and Caribbean countries: social costs of victimization, private "
            "spending on security and public spending on police, justice and prisons. It does not include "
            "indirect costs on investment and growth.",
        ),
        "costs.study_desc.generic": ("Estudio «{study}». Fuente: {source}.", "Study “{study}”. Source: {source}."),
        "costs.not_comparable": (
            "Por qué no se comparan estudios: cada estudio mide un año distinto, con un método y un alcance "
            "distintos (el PNUD InfoSegura 2019 es una contabilidad que incluye costos indirectos; el BID 2017 "
            "mide solo costos directos de 2014, en su escenario superior). Sus cifras no se suman ni se apilan "
            "en una misma barra; cambie de estudio para ver el otro.",
            "Why studies are not compared: each study measures a different year, with a different method and "
            "scope (UNDP InfoSegura 2019 is an accounting that includes indirect costs; IDB 2017 measures only "
            "direct costs in 2014, upper bound). Their figures are never added or stacked in one bar; switch "
            "the study to see the other one.",
        ),
        "costs.kf.total": ("Costo total", "Total cost"),
        "costs.kf.pct_gdp": ("del PIB", "of GDP"),
        "costs.kf.per_capita": ("por habitante", "per inhabitant"),
        "costs.kf.per_day": ("por día", "per day"),
        "costs.kf.musd": ("US${value} millones", "US${value} million"),
        "costs.kf.usd": ("US${value}", "US${value}"),
        "costs.kf.million": ("millones", "million"),
        "costs.kf.no_population": (
            "El conjunto de datos no tiene la población de {country} en {year}",
            "The dataset has no population for {country} in {year}",
        ),
        "costs.kf.population": ("Población {year}: {population}", "Population {year}: {population}"),
        "costs.kf.no_pct": ("El estudio no publica el % del PIB de {country}",
                            "The study does not publish the % of GDP for {country}"),
        "costs.kf.per_day_calc": ("total / {days} días", "total / {days} days"),
        "costs.kf.derived_pct": ("convertido con el PIB implícito del estudio", "converted with the study's implied GDP"),
        "costs.ref.title": ("Para dimensionar", "To put it in perspective"),
        "costs.ref.times": ("{ratio} veces", "{ratio} times"),
        "costs.ref.what": ("el {label} de {country} ({year})", "the {label} of {country} ({year})"),
        "costs.ref.calc": ("Cálculo: {cost} ÷ {ref} millones de USD = {ratio}.",
                           "Calculation: {cost} ÷ {ref} USD million = {ratio}."),
        "costs.ref.derived": (
            "La cifra de referencia no se publicó por sí misma: se derivó de la razón publicada por la fuente "
            "(costo ÷ razón), así que esta comparación repite la razón de la fuente; no es un dato independiente.",
            "The reference figure was not published itself: it was derived from the ratio the source published "
            "(cost ÷ ratio), so this comparison restates the source's ratio; it is not independent evidence.",
        ),
        "costs.ref.none": (
            "El conjunto de datos no tiene una cifra de referencia (p. ej., el presupuesto de educación y salud) "
            "para {country} en {year}.",
            "The dataset has no reference figure (e.g. the education and health budget) for {country} in {year}.",
        ),
        "costs.treemap.title": ("{country} {year}: en qué se va el costo ({unit})",
                                "{country} {year}: where the cost goes ({unit})"),
        "costs.bars.title": ("Comparación entre países ({unit})", "Comparison between countries ({unit})"),
        "costs.bars.region_line": ("{name}: {value}", "{name}: {value}"),
        "costs.bars.total_only": ("Total (sin desglose publicado)", "Total (no breakdown published)"),
        "costs.no_breakdown": (
            "El estudio publica solo el total de {country} en {year}; no hay desglose por categoría.",
            "The study publishes only the total for {country} in {year}; there is no breakdown by category.",
        ),
        "costs.treemap.total_only": ("El estudio publica solo el total; no hay desglose por categoría.",
                                     "The study publishes only the total; there is no breakdown by category."),
        "costs.treemap.parts_other_unit": (
            "El desglose de este total no tiene cifras en esta unidad; véalo en % del PIB.",
            "The parts of this total have no figures in this unit; see them in % of GDP."),
        "costs.countries_total": (
            "Los {n} países de este estudio suman {total} en {year} (se pueden sumar: mismo estudio, mismo año).",
            "The {n} countries of this study add up to {total} in {year} (they can be added: same study, same year)."),
        "costs.no_data_unit": ("Sin datos en esta unidad", "No data in this unit"),
        "costs.illustrative.legend": ("rayado = cifra ilustrativa", "hatched = illustrative figure"),
        "costs.illustrative.note": (
            "Las cifras rayadas son ilustrativas: la fuente publica el total por país, pero no su reparto por "
            "categoría; el desglose mostrado es un reparto de ejemplo. No lo cite como cifra oficial.",
            "Hatched figures are illustrative: the source publishes the country total but not its split by "
            "category; the breakdown shown is an example split. Do not quote it as an official figure.",
        ),
        "costs.split.ok": ("El desglose suma {parts}, igual al total publicado ({total}).",
                           "The breakdown adds up to {parts}, equal to the published total ({total})."),
        "costs.split.rounding": (
            "El desglose suma {parts}; el total publicado es {total} (diferencia de redondeo de la fuente).",
            "The breakdown adds up to {parts}; the published total is {total} (a rounding difference in the source)."),
        "costs.split.bad": (
            "Atención: el desglose suma {parts}, no el total publicado ({total}); diferencia {diff}.",
            "Warning: the breakdown adds up to {parts}, not the published total ({total}); difference {diff}.",
        ),
        "costs.derived.note": (
            "Algunas cifras se convirtieron entre USD y % del PIB con el PIB implícito en el total del mismo "
            "estudio, país y año (total en USD ÷ total en % del PIB).",
            "Some figures were converted between USD and % of GDP with the GDP implied by the total of the same "
            "study, country and year (total in USD ÷ total in % of GDP).",
        ),
        "costs.region.note": (
            "{name} es un promedio regional, no un país: se muestra como línea de referencia en % del PIB, "
            "no como barra.",
            "{name} is a regional average, not a country: it is drawn as a reference line in % of GDP, not as a bar.",
        ),
        "costs.per_capita.missing": (
            "USD por habitante: sin datos para {countries} (el conjunto de datos no tiene su población de {year}).",
            "USD per inhabitant: no data for {countries} (the dataset has no population for {year}).",
        ),
        "costs.download": ("Descargar los datos de esta vista (CSV)", "Download the data of this view (CSV)"),
        "costs.empty": ("El conjunto de datos no tiene cuentas de costos de la violencia (costs.csv; "
                        "véase docs/data-contract.md para añadirlas).",
                        "The dataset has no cost-of-violence accounts (costs.csv; see docs/data-contract.md "
                        "to add them)."),
        "costs.country.LAC": ("América Latina y el Caribe", "Latin America and the Caribbean"),
        "costs.country.GTM": ("Guatemala", "Guatemala"),
        "costs.country.SLV": ("El Salvador", "El Salvador"),
        "costs.country.HND": ("Honduras", "Honduras"),
        "costs.country.MEX": ("México", "Mexico"),
        "costs.country.BLZ": ("Belice", "Belize"),
        "costs.country.DOM": ("República Dominicana", "Dominican Republic"),
        "costs.aria.treemap": ("Desglose del costo por categoría y subcategoría", "Cost breakdown by category and subcategory"),
        "costs.aria.bars": ("Comparación del costo entre países", "Cost comparison between countries"),
    }
)

_KNOWN_STUDY_STRINGS = {"undp_infosegura_2019", "idb_2017"}
_KNOWN_COUNTRIES = {"LAC", "GTM", "SLV", "HND", "MEX", "BLZ", "DOM"}


def study_label(study: str, lang: str) -> str:
    return t(f"costs.study.{study}", lang) if study in _KNOWN_STUDY_STRINGS else study


def study_description(ctx: Any, study: str, lang: str) -> str:
    if study in _KNOWN_STUDY_STRINGS:
        return t(f"costs.study_desc.{study}", lang)
    rows = ac.study_rows(ctx.dataset.costs, study)
    src = ctx.dataset.meta.source(str(rows["source"].iloc[0])).title_for(lang) if len(rows) else study
    return t("costs.study_desc.generic", lang, study=study, source=src)


def country_name(ctx: Any, code: str, lang: str) -> str:
    if code in _KNOWN_COUNTRIES:
        return t(f"costs.country.{code}", lang)
    terr = ctx.dataset.territories
    ids = terr.index[(terr["level"] == 0) & (terr["country_iso3"] == code)]
    return str(terr.at[ids[0], "name"]) if len(ids) else code


def unit_label(unit: str, lang: str) -> str:
    return t(f"costs.unit.{unit}", lang)


def fmt_unit(value: float, unit: str, lang: str, decimals: int | None = None) -> str:
    """A value in a unit, for labels: '7,495.0' (USD millions), '9.74 %' (% of GDP), 'US$452' (per inhabitant)."""
    if is_missing(value):
        return t("no_data", lang)
    if unit == "usd":
        return fmt_number(value, lang, 1 if decimals is None else decimals)
    if unit == "pct_gdp":
        return fmt_percent(value, lang, 2 if decimals is None else decimals)
    return "US$" + fmt_number(value, lang, 0 if decimals is None else decimals)


def fmt_musd(value: float, lang: str, decimals: int = 0) -> str:
    if is_missing(value):
        return t("no_data", lang)
    return t("costs.kf.musd", lang, value=fmt_number(value, lang, decimals))


def _usd(value: float, lang: str, decimals: int) -> str:
    return t("no_data", lang) if is_missing(value) else "US$" + fmt_number(value, lang, decimals)


def fmt_ratio(value: float, lang: str) -> str:
    return fmt_number(value, lang, 1)


# ---- pieces filled by callbacks -------------------------------------------------------------------------


def key_figure(value: str, label: str, meta: str | None, fig_id: str, missing: bool = False,
               suffix: str = "") -> dbc.Col:
    """One big number of the strip; `suffix` (e.g. "millones") is printed smaller after it."""
    return dbc.Col(
        html.Div(
            [
                html.Div([html.Span(value, id=fig_id), " " if suffix else None, html.Span(suffix, className="key-figure-suffix") if suffix else None],
                         className="key-figure" + (" key-figure-missing" if missing else "")),
                html.Div(label, className="key-figure-label"),
                html.Div(meta or "", className="key-figure-meta"),
            ],
            className="costs-kf-card h-100",
        ),
        xs=12, sm=6, lg=3,
    )


def key_strip(ctx: Any, k: ac.KeyFigures, lang: str, source_text: str) -> list[Any]:
    """The projector strip: total cost, % of GDP, USD per inhabitant, USD per day, and its source line."""
    cname = country_name(ctx, k.country_iso3, lang)
    pop_meta = (t("costs.kf.population", lang, year=k.year, population=fmt_number(k.population, lang))
                if not is_missing(k.population)
                else t("costs.kf.no_population", lang, country=cname, year=k.year))
    pct_meta = (t("costs.kf.no_pct", lang, country=cname) if is_missing(k.pct_gdp)
                else t("costs.kf.derived_pct", lang) if k.pct_derived else f"{cname} {k.year}")
    million = t("costs.kf.million", lang)
    cards = [
        key_figure(_usd(k.total_usd, lang, 0), t("costs.kf.total", lang), f"{cname} {k.year}", "costs-kf-total",
                   is_missing(k.total_usd), million if not is_missing(k.total_usd) else ""),
        key_figure(fmt_percent(k.pct_gdp, lang, 2) if not is_missing(k.pct_gdp) else t("no_data", lang),
                   t("costs.kf.pct_gdp", lang), pct_meta, "costs-kf-pct", is_missing(k.pct_gdp)),
        key_figure(t("costs.kf.usd", lang, value=fmt_number(k.per_capita_usd, lang)) if not is_missing(k.per_capita_usd)
                   else t("no_data", lang), t("costs.kf.per_capita", lang), pop_meta, "costs-kf-capita",
                   is_missing(k.per_capita_usd)),
        key_figure(_usd(k.per_day_usd, lang, 1), t("costs.kf.per_day", lang),
                   t("costs.kf.per_day_calc", lang, days=ac.days_in_year(k.year)), "costs-kf-day",
                   is_missing(k.per_day_usd), million if not is_missing(k.per_day_usd) else ""),
    ]
    return [dbc.Row(cards, className="g-3"), source_note(source_text, "costs-kf-source")]


def reference_block(ctx: Any, comps: list[ac.ReferenceComparison], country: str, year: int, lang: str) -> list[Any]:
    """'X times the education and health budget', its calculation and, when derived, how it was derived."""
    cname = country_name(ctx, country, lang)
    if not comps:
        return [html.P(t("costs.ref.none", lang, country=cname, year=year), className="text-muted mb-0",
                       id="costs-ref-none")]
    out: list[Any] = []
    for c in comps:
        label = c.label_en if lang == "en" else c.label_es
        label = label.split(" (")[0]  # the derivation goes in its own sentence below
        src = ctx.dataset.meta.source(c.source).title_for(lang)
        body = [
            html.Div([html.Span(t("costs.ref.times", lang, ratio=fmt_ratio(c.ratio, lang)), className="costs-ref-ratio",
                                id={"type": "costs-ref-ratio", "ref": c.reference}),
                      html.Span(" " + t("costs.ref.what", lang, label=label[:1].lower() + label[1:],
                                        country=cname, year=year), className="costs-ref-what")]),
            html.P(t("costs.ref.calc", lang, cost=fmt_number(c.cost_usd, lang, 1), ref=fmt_number(c.reference_usd, lang, 1),
                     ratio=fmt_number(c.ratio, lang, 2)), className="mb-1 costs-ref-calc"),
        ]
        if c.derived:
            body.append(html.P(t("costs.ref.derived", lang), className="mb-1 costs-ref-derived"))
        body.append(html.P(f"{t('figure.source', lang)}: {src}", className="source-note mb-0"))
        out.append(html.Div(body, className="costs-ref-item"))
    return out


# ---- the page -------------------------------------------------------------------------------------------


def _graph(graph_id: str, lang: str, filename: str, aria: str) -> html.Div:
    """components.figures.graph without plotly.js 4's "Share chart..." button, which uploads the figure to
    Plotly Cloud (never wanted on an offline, official dashboard)."""
    g = graph(graph_id, None, lang, filename, aria, height="600px")
    g.children.config["modeBarButtonsToRemove"] = [*g.children.config["modeBarButtonsToRemove"], "sendChartToCloud"]
    return g


def layout(ctx: Any, params: dict[str, str], lang: str) -> Any:
    ds = ctx.dataset
    if ds.costs.empty:
        return dbc.Container([html.H1(t("costs.title", lang)), dbc.Alert(t("costs.empty", lang), color="info")],
                             className="py-4")
    sel = ac.resolve_selection(ds.costs, params.get("study"), params.get("country"), params.get("year"),
                               preferred_country=ds.main_country)
    unit = params.get("unit") if params.get("unit") in ac.UNITS else "usd"
    study_opts = [{"label": study_label(s, lang), "value": s} for s in ac.studies(ds.costs)]
    country_opts = [{"label": country_name(ctx, c, lang), "value": c} for c in ac.countries(ds.costs, sel.study)]
    year_opts = [{"label": str(y), "value": str(y)} for y in ac.years(ds.costs, sel.study, sel.country)]

    def control(label: str, comp: Any, width: dict[str, int]) -> dbc.Col:
        return dbc.Col([html.Label(label, className="control-label", htmlFor=comp.id), comp], **width)

    controls = dbc.Row(
        [
            control(t("costs.study", lang),
                    dbc.Select(id="costs-study", options=study_opts, value=sel.study), {"xs": 12, "lg": 4, "xl": 4}),
            control(t("costs.country", lang),
                    dbc.Select(id="costs-country", options=country_opts, value=sel.country), {"xs": 6, "lg": 3, "xl": 2}),
            control(t("costs.year", lang),
                    dbc.Select(id="costs-year", options=year_opts, value=str(sel.year)), {"xs": 6, "lg": 2, "xl": 2}),
            dbc.Col(
                [
                    html.Div(t("costs.unit", lang), className="control-label", id="costs-unit-label"),
                    html.Div(dbc.RadioItems(
                        id="costs-unit",
                        options=[{"label": unit_label(u, lang), "value": u} for u in ac.UNITS],
                        value=unit,
                        inline=True,
                        className="btn-group costs-unit-switch",
                        inputClassName="btn-check",
                        labelClassName="btn btn-outline-primary",
                        labelCheckedClassName="active",
                    ), role="group", **{"aria-labelledby": "costs-unit-label"}),
                ],
                xs=12, lg=3, xl=4,
            ),
        ],
        className="g-3 controls-panel align-items-end",
    )
    return dbc.Container(
        [
            dcc.Store(id="costs-lang", data=lang),
            html.H1(t("costs.title", lang)),
            html.P(t("costs.lead", lang), className="lead costs-lead"),
            controls,
            html.Div(
                [html.P(id="costs-study-desc", className="mb-1 costs-study-desc"),
                 html.P(t("costs.not_comparable", lang), className="mb-0 costs-not-comparable", id="costs-not-comparable")],
                className="costs-study-note mt-3 presenter-hide",  # the strip's source line names the study
            ),
            html.Section(id="costs-keyfigures", className="costs-keyfigures mt-3", **{"aria-live": "polite"}),
            html.Section(
                [html.H2(t("costs.ref.title", lang), className="h5 costs-ref-title"), html.Div(id="costs-reference")],
                className="costs-reference mt-3",
            ),
            dbc.Row(
                [
                    dbc.Col([_graph("costs-treemap", lang, "atalaya-costos-desglose", t("costs.aria.treemap", lang)),
                             source_note("", "costs-treemap-source", in_figure=True)], xs=12, xl=7),
                    dbc.Col([_graph("costs-bars", lang, "atalaya-costos-paises", t("costs.aria.bars", lang)),
                             source_note("", "costs-bars-source", in_figure=True)], xs=12, xl=5),
                ],
                className="g-4 mt-2 costs-charts",
            ),
            html.Div(id="costs-notes", className="costs-notes mt-2"),
            html.Div(
                [dbc.Button(t("costs.download", lang), id="costs-download-btn", color="primary", outline=True),
                 dcc.Download(id="costs-download")],
                className="mt-3 presenter-hide",
            ),
        ],
        fluid=True,
        className="py-4 costs-page",
    )
