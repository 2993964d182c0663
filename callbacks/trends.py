"""Trends page callbacks. Each chart is built by a plain function (`main_view`, `before_after_view`,
`countries_view`, `survey_view`, `side_view`) that reads analytics/ and returns a `View`: the figure dict,
its source line and the table behind it (for the CSV download). The Dash callbacks only wire controls to
these functions, so tests can call them directly.
"""

from __future__ import annotations

import datetime as _dt
import math
from dataclasses import dataclass, field
from typing import Any, Callable

import pandas as pd
from babel.dates import format_date
from dash import Dash, Input, Output, State, dcc, html, no_update

from analytics.dataset import Dataset
from analytics.rates import has_rate_base, rate_denominator
from analytics.trends import (
    MAX_TERRITORIES,
    allowed_transforms,
    base_series,
    before_after,
    broken_line,
    common_range,
    cross_country,
    effective_freq,
    events_for,
    indicator_sexes,
    latest_vs_year_before,
    level_rates,
    same_period_previous_years,
    survey_series,
    trend_table,
    valid_sex,
)
from components.figures import CATEGORICAL, FONT_FAMILY, frame, source_line, wrap_html
from components.formatting import (
    babel_locale,
    fmt_number,
    fmt_period,
    fmt_period_range,
    fmt_signed_percent,
)
from components.i18n import population_group, register, t, tl
from components.trends import sex_options, survey_indicators, territory_name
from components.urlstate import encode_search

register(
    {
        "trends.unit.count.M": ("Casos por mes", "Cases per month"),
        "trends.unit.count.Q": ("Casos por trimestre", "Cases per quarter"),
        "trends.unit.count.Y": ("Casos por año", "Cases per year"),
        "trends.unit.rate.M": ("Tasa mensual por {per} {base}", "Monthly rate per {per} {base}"),
        "trends.unit.rate.Q": ("Tasa trimestral por {per} {base}", "Quarterly rate per {per} {base}"),
        "trends.unit.rate.Y": ("Tasa anual por {per} {base}", "Annual rate per {per} {base}"),
        "trends.unit.roll12.count": ("Casos en los últimos 12 meses", "Cases in the last 12 months"),
        "trends.unit.roll12.rate": ("Tasa interanual (12 meses) por {per} {base}",
                                    "12-month rolling rate per {per} {base}"),
        "trends.unit.ma": ("{unit}, media móvil de {n} meses", "{unit}, {n}-month moving average"),
        "trends.unit.yoy": ("Variación respecto al mismo periodo del año anterior (%)",
                            "Change on the same period a year earlier (%)"),
        "trends.reference": ("{name} (referencia nacional)", "{name} (national reference)"),
        "trends.n_territories": ("{n} territorios", "{n} territories"),
        "trends.notice.too_many": ("Se muestran los primeros 8 territorios seleccionados.",
                                   "The first 8 selected territories are shown."),
        "trends.notice.no_rate": ("Este indicador no tiene población de referencia: se muestran casos.",
                                  "This indicator has no reference population: cases are shown."),
        "trends.notice.no_population": (
            "Sin tasa: los datos no tienen población de {group}, el denominador de esta tasa (no se divide por la "
            "población total). Elija «Casos».",
            "No rate: the data have no population of {group}, this rate's denominator (it is not divided by the "
            "total population instead). Choose “Cases”.",
        ),
        "trends.notice.freq": ("Este indicador solo existe por {freq}: se muestra así.",
                               "This indicator only exists {freq}: it is shown that way."),
        "trends.notice.freq.Y": ("año", "per year"),
        "trends.notice.freq.Q": ("trimestre", "per quarter"),
        "trends.notice.tf": ("«{tf}» necesita datos mensuales: se muestra la serie sin transformar.",
                             "“{tf}” needs monthly data: the series is shown untransformed."),
        "trends.notice.samemonth": ("«Mismo mes de años anteriores» muestra el primer territorio seleccionado: {name}.",
                                    "“Same month of previous years” shows the first selected territory: {name}."),
        "trends.notice.no_data": ("No hay datos de este indicador para los territorios seleccionados.",
                                  "There are no data for this indicator in the selected territories."),
        "trends.note.missing": (
            "Los periodos sin dato quedan como cortes en la línea: no se rellenan ni se interpolan, y toda "
            "ventana (12 meses, media móvil, variación interanual) que incluye un mes sin dato queda sin dato.",
            "Periods without data are breaks in the line: they are neither filled nor interpolated, and every "
            "window (12 months, moving average, year-on-year change) that includes a month without data has no value.",
        ),
        "trends.note.rate": (
            "Tasas de {adm1s} y del país: suma de casos ÷ suma de la población ({group}) × {per}, con la población "
            "del año de cada periodo.",
            "Rates of {adm1s} and the country: sum of cases ÷ sum of the population ({group}) × {per}, with the "
            "population of each period's year.",
        ),
        "trends.note.sex_rate.female": (
            "Tasa específica por sexo: víctimas mujeres por cada {per} mujeres, no por {per} habitantes.",
            "Sex-specific rate: female victims per {per} women, not per {per} people.",
        ),
        "trends.note.sex_rate.male": (
            "Tasa específica por sexo: víctimas hombres por cada {per} hombres, no por {per} habitantes.",
            "Sex-specific rate: male victims per {per} men, not per {per} people.",
        ),
        "trends.note.roll12": (
            "Tasa interanual: suma de los últimos 12 meses ÷ población ({group}) del año del último mes × {per}.",
            "12-month rolling rate: sum of the last 12 months ÷ population ({group}) of the last month's year × {per}.",
        ),
        "trends.note.events": ("Líneas verticales: eventos; punteadas = eventos sintéticos (de demostración).",
                               "Vertical lines: events; dotted = synthetic (demo) events."),
        "trends.event.synthetic": ("sintético", "synthetic"),
        "trends.latest.meta": ("{period} · {change} respecto a {previous} ({value})",
                               "{period} · {change} on {previous} ({value})"),
        "trends.ba.title": ("Antes y después: {event}", "Before and after: {event}"),
        "trends.ba.monthly": ("Valor mensual", "Monthly value"),
        "trends.ba.mean_before": ("Promedio antes", "Mean before"),
        "trends.ba.mean_after": ("Promedio después", "Mean after"),
        "trends.ba.event_month": ("Mes del evento (excluido)", "Event month (excluded)"),
        "trends.ba.window": ("{first} – {last} ({n} meses)", "{first} – {last} ({n} months)"),
        "trends.ba.excluded": (
            "El mes del evento ({month}) no entra en ninguna de las dos ventanas. Territorio: {name}.",
            "The event month ({month}) is in neither window. Territory: {name}.",
        ),
        "trends.ba.missing": ("Sin dato: falta(n) {n} mes(es) en la ventana o queda fuera de la serie.",
                              "No value: {n} month(s) of the window are missing or outside the series."),
        "trends.ba.needs_monthly": ("La comparación antes/después necesita un indicador mensual.",
                                    "The before/after comparison needs a monthly indicator."),
        "trends.ba.no_event": ("No hay eventos en este conjunto de datos.", "There are no events in this dataset."),
        "trends.ba.outside": ("El evento está fuera del país con datos subnacionales.",
                              "The event is outside the country with sub-national data."),
        "trends.cc.title": ("Tasa oficial de homicidios por 100,000 habitantes, por país",
                            "Official homicide rate per 100,000 inhabitants, by country"),
        "trends.cc.yaxis": ("Homicidios por 100,000 hab.", "Homicides per 100,000 inhabitants"),
        "trends.cc.source": ("fuentes oficiales nacionales, una por punto (lista abajo; pase el cursor sobre un punto)",
                             "national official sources, one per point (list below; hover over a point)"),
        "trends.cc.gaps": ("Años sin cifra confirmada: cortes en la línea, no ceros ni interpolación.",
                           "Years without a confirmed figure: breaks in the line, not zeros nor interpolation."),
        "trends.cc.sources_head": ("Fuente de cada punto", "Source of each point"),
        "trends.survey.title": ("{label} — {name}", "{label} — {name}"),
        "trends.survey.yaxis": ("Porcentaje de personas (%)", "Percent of people (%)"),
        "trends.survey.band": ("bandas: intervalo de confianza", "bands: confidence interval"),
        "trends.survey.name": ("Encuesta", "Survey"),
        "trends.survey.trust_police": ("Confianza en la policía, por institución", "Trust in the police, by institution"),
        "trends.survey.gaps": (
            "Puntos: estimaciones por ola; bandas: intervalo de confianza de 95 %. Las olas no se unen con líneas "
            "cuando falta una ola entre ellas.",
            "Points: estimates per wave; bands: 95% confidence interval. Waves are not joined by lines when a "
            "wave between them is missing.",
        ),
        "trends.survey.no_institution": ("Este indicador no se desagrega por institución: se muestra por sexo.",
                                         "This indicator has no breakdown by institution: shown by sex."),
        "trends.sex.total": ("Total", "Total"),
        "trends.sex.female": ("Mujeres", "Women"),
        "trends.sex.male": ("Hombres", "Men"),
        "trends.title.sex": ("{label}, {sex}", "{label}, {sex}"),
        "trends.side.title": ("{crime} y {survey} — {name}", "{crime} and {survey} — {name}"),
        "trends.side.no_overlap": ("Las dos series no tienen periodos en común.", "The two series share no period."),
        "trends.side.department": ("{name}: la encuesta se publica por {adm1}; se usa {dept}.",
                                   "{name}: the survey is published by {adm1}; {dept} is used."),
        "trends.csv.window.before": ("antes", "before"),
        "trends.csv.window.after": ("después", "after"),
        "trends.csv.window.event": ("evento", "event"),
    }
)

BASE_FONT = 15
REFERENCE_COLOUR = "#4d4d4d"
OLD_YEAR_COLOUR = "#b8b8b8"


@dataclass
class View:
    """What one chart shows: the figure dict, its source line and the data behind it."""

    figure: dict[str, Any]
    source: str
    table: pd.DataFrame
    notices: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)


TableFn = Callable[..., pd.DataFrame]


def empty_view(message: str) -> View:
    """A chart that cannot be drawn: the reason, large, in place of the plot (and as a notice)."""
    fig = {"data": [], "layout": {
        "xaxis": {"visible": False}, "yaxis": {"visible": False}, "paper_bgcolor": "white", "plot_bgcolor": "white",
        "annotations": [{"text": message, "xref": "paper", "yref": "paper", "x": 0.5, "y": 0.5, "showarrow": False,
                         "font": {"size": 18, "color": "#4a5560"}}],
    }}
    return View(fig, "", pd.DataFrame(), [message])


# ---- helpers ----------------------------------------------------------------------------------------------
def _y(values: pd.Series) -> list[float | None]:
    """Values for plotly: NaN becomes None (a gap), never 0."""
    return [None if (v is None or (isinstance(v, float) and math.isnan(v))) else float(v) for v in values]


def _x(dates: pd.Series) -> list[str]:
    return [pd.Timestamp(d).strftime("%Y-%m-%d") for d in dates]


def _source_of(ds: Dataset, indicator_id: str, lang: str = "es") -> str:
    src = ds.meta.source(str(ds.indicator(indicator_id)["source"]))
    return src.title_for(lang)


def _synthetic(ds: Dataset, indicator_id: str) -> bool:
    return bool(ds.indicator(indicator_id)["synthetic"])


def _per(ds: Dataset, indicator_id: str, lang: str) -> str:
    return fmt_number(float(ds.indicator(indicator_id)["rate_per"]), lang)


def _base(ds: Dataset, indicator_id: str, lang: str, sex: str = "total") -> str:
    """The words for the rate's denominator group ('mujeres', 'habitantes', ...): the group of
    `rates.rate_denominator`, so a 'total' indicator shown for women is per 100,000 women."""
    return population_group(rate_denominator(ds, indicator_id, sex).base, lang)


def unit_label(ds: Dataset, indicator_id: str, measure: str, freq: str, tf: str, lang: str,
               sex: str = "total") -> str:
    """The y-axis title: what is plotted, in which unit (a rate names its denominator group for `sex`:
    'Tasa mensual por 100,000 mujeres')."""
    fmt = {"per": _per(ds, indicator_id, lang) if measure == "rate" else "",
           "base": _base(ds, indicator_id, lang, sex)}
    if tf == "yoy":
        return t("trends.unit.yoy", lang)
    if tf == "roll12":
        return t(f"trends.unit.roll12.{measure}", lang, **fmt)
    unit = t(f"trends.unit.{measure}.{freq}", lang, **fmt)
    if tf in ("ma3", "ma12"):
        return t("trends.unit.ma", lang, unit=unit, n=3 if tf == "ma3" else 12)
    return unit


def _decimals(values: pd.Series, measure: str, tf: str) -> int:
    if tf == "yoy":
        return 1
    if measure == "count" and tf in ("none", "roll12"):
        return 0
    v = values.dropna().abs()
    return 2 if len(v) and v.max() < 10 else 1


def _base_layout(y_title: str, lang: str, hovermode: str = "x unified") -> dict[str, Any]:
    return {
        "font": {"size": BASE_FONT, "family": FONT_FAMILY},
        "hovermode": hovermode,
        "margin": {"t": 70, "l": 80, "r": 20, "b": 100},
        "xaxis": {"showgrid": True, "gridcolor": "#ececec", "linecolor": "#888", "ticks": "outside",
                  "tickfont": {"size": 14}},
        "yaxis": {"title": {"text": y_title, "font": {"size": 14}}, "showgrid": True, "gridcolor": "#e4e4e4",
                  "zeroline": True, "zerolinecolor": "#999", "tickfont": {"size": 14}, "separatethousands": True},
        "legend": {"font": {"size": 14}, "bgcolor": "rgba(255,255,255,0.8)"},
    }


def wrap_text(text: str, width: int) -> list[str]:
    """Split a source line into lines of at most `width` characters, at spaces."""
    return wrap_html(text, width).split("<br>")


def _finish(fig: dict[str, Any], top: int = 100) -> dict[str, Any]:
    """Projector sizes after `frame`: a larger title pinned to the top, the legend in rows under it (the
    top margin grows with the number of legend rows) and a legible, wrapped source line inside the figure."""
    layout = fig["layout"]
    layout["title"].update({"font": {"size": 22}, "yref": "container", "y": 1, "yanchor": "top",
                            "pad": {"t": 16}})
    shown = [d for d in fig.get("data", []) if d.get("showlegend", True) is not False]
    per_row = 4
    rows = max(1, -(-len(shown) // per_row)) if layout.get("showlegend", True) else 0
    layout["margin"]["t"] = max(top, 64 + 26 * rows)
    for a in layout.get("annotations", []):
        if a.get("name") == "source":
            lines = wrap_text(str(a["text"]), 150)
            a["text"] = "<br>".join(lines)
            a["font"] = {"size": 13, "color": "#333"}
            extra = 17 * (len(lines) - 1)
            layout["margin"]["b"] = layout["margin"].get("b", 100) + extra
            a["yshift"] = -(layout["margin"]["b"] - 22 - extra)
    if "legend" in layout and layout.get("showlegend", True):
        layout["legend"].update({"orientation": "h", "x": 0, "y": 1.0, "yanchor": "bottom", "xanchor": "left",
                                 "entrywidth": 0.25 if len(shown) > per_row else None,
                                 "entrywidthmode": "fraction" if len(shown) > per_row else None})
        layout["legend"] = {k: v for k, v in layout["legend"].items() if v is not None}
    return fig


def _month_names(lang: str) -> list[str]:
    return [format_date(_dt.date(2000, m, 1), "MMM", locale=babel_locale(lang)).replace(".", "").capitalize()
            for m in range(1, 13)]


def _event_label(row: pd.Series, ds: Dataset, lang: str, with_place: bool) -> str:
    label = str(row["label_en"] if lang == "en" else row["label_es"])
    synthetic = bool(row.get("synthetic", False)) if not pd.isna(row.get("synthetic", False)) else False
    low = label.lower()
    if synthetic and not any(w in low for w in ("ficti", "sintét", "synthetic")):
        label += f" ({t('trends.event.synthetic', lang)})"
    tid = str(row["territory_id"])
    if with_place and tid in ds.territories.index and ds.level(tid) > 0:
        label += f" — {ds.name(tid)}"
    return label


def default_table_fn(ds: Dataset, level_table: Any = None) -> TableFn:
    def table(ind: str, ids: tuple[str, ...], freq: str, measure: str, tf: str, sex: str | None = None) -> pd.DataFrame:
        return trend_table(ds, ind, list(ids), freq, measure, tf, sex=sex, level_table=level_table)

    return table


def _titled(ds: Dataset, ind: str, sex: str, lang: str) -> str:
    """The indicator's label, with the sex when it is one of several ('Homicidios, mujeres'); an
    indicator observed for women only keeps its own label ('Muertes violentas de mujeres')."""
    label = ds.label(ind, lang)
    if sex != "total" and "total" in indicator_sexes(ds, ind):
        return t("trends.title.sex", lang, label=label, sex=population_group(sex, lang))
    return label


def _rate_notes(ds: Dataset, ind: str, sex: str, tf: str, lang: str) -> list[str]:
    """How the rates of the chart are computed, naming their denominator group."""
    group = _base(ds, ind, lang, sex)
    notes = [tl("trends.note.rate", lang, ds, per=_per(ds, ind, lang), group=group)]
    if rate_denominator(ds, ind, sex).sex_specific:
        notes.append(t(f"trends.note.sex_rate.{sex}", lang, per=_per(ds, ind, lang)))
    if tf == "roll12":
        notes.append(t("trends.note.roll12", lang, per=_per(ds, ind, lang), group=group))
    return notes


def _no_population(ds: Dataset, ind: str, sex: str, lang: str) -> str | None:
    """The notice for a rate whose denominator group has no population in the dataset (e.g. men's rates
    without a male population): the rate is missing, never computed over the total population."""
    den = rate_denominator(ds, ind, sex)
    if den.base != "none" and not den.available:
        return t("trends.notice.no_population", lang, group=_base(ds, ind, lang, sex))
    return None


# ---- the main chart ---------------------------------------------------------------------------------------
def main_view(ds: Dataset, ind: str, territories: list[str], measure: str, freq: str, tf: str,
              show_events: bool, reference: bool, lang: str, table_fn: TableFn | None = None,
              sex: str | None = None) -> View:
    """The crime/VAWG chart for up to 8 territories (+ the national line), with events, for `sex`
    (default: the indicator's default series; a rate of women is per 100,000 women)."""
    table_fn = table_fn or default_table_fn(ds)
    sex = valid_sex(ds, ind, sex)
    notices: list[str] = []
    terrs = [x for x in (territories or []) if x in ds.territories.index]
    if not terrs:
        terrs = [ds.main_country]
    if len(terrs) > MAX_TERRITORIES:
        terrs = terrs[:MAX_TERRITORIES]
        notices.append(t("trends.notice.too_many", lang))
    meta = ds.indicator(ind)
    if measure == "rate" and not has_rate_base(ds, ind):
        measure = "count"
        notices.append(t("trends.notice.no_rate", lang))
    no_pop = _no_population(ds, ind, sex, lang) if measure == "rate" else None
    if no_pop:
        notices.append(no_pop)
    eff = effective_freq(ds, ind, freq)
    if eff != freq:
        notices.append(t("trends.notice.freq", lang, freq=t(f"trends.notice.freq.{eff}", lang)))
    if tf not in allowed_transforms(eff):
        notices.append(t("trends.notice.tf", lang, tf=t(f"trends.tf.{tf}", lang)))
        tf = "none"
    country = ds.main_country
    seasonal = tf == "samemonth"
    if seasonal:
        if len(terrs) > 1:
            notices.append(t("trends.notice.samemonth", lang, name=territory_name(ds, terrs[0], lang)))
        ids = [terrs[0]]
    else:
        ids = terrs + ([country] if reference and country not in terrs else [])
    value_tf = "none" if seasonal else tf
    table = table_fn(ind, tuple(ids), eff, measure, value_tf, sex)
    label = _titled(ds, ind, sex, lang)
    y_title = unit_label(ds, ind, measure, eff, value_tf, lang, sex)
    names = {tid: territory_name(ds, tid, lang) for tid in dict.fromkeys(terrs + ids)}
    place = ", ".join(names[x] for x in terrs) if len(terrs) <= 3 else t("trends.n_territories", lang, n=len(terrs))
    title = f"{label} — {place}"
    valid = table.dropna(subset=["value"])
    period = fmt_period_range(str(valid["period"].min()), str(valid["period"].max()), lang) if len(valid) else ""
    src = source_line(_source_of(ds, ind, lang), period, lang, _synthetic(ds, ind))
    dec = _decimals(table["value"], measure, value_tf)
    layout = _base_layout(y_title, lang)
    data: list[dict[str, Any]] = []
    if (table.empty or valid.empty) and not no_pop:
        notices.append(t("trends.notice.no_data", lang))
    if seasonal and not table.empty:
        view = same_period_previous_years(table, eff)
        subs = list(range(1, 13)) if eff == "M" else [1, 2, 3, 4]
        cats = _month_names(lang) if eff == "M" else [f"T{q}" if lang == "es" else f"Q{q}" for q in subs]
        years = view.years
        for i, year in enumerate(years):
            rows = view.table[view.table["year"] == year].set_index("sub").reindex(subs)
            latest = year == years[-1]
            prev = len(years) > 1 and year == years[-2]
            colour = CATEGORICAL[0] if latest else CATEGORICAL[1] if prev else OLD_YEAR_COLOUR
            data.append({
                "type": "scatter", "mode": "lines+markers", "name": str(year), "x": cats, "y": _y(rows["value"]),
                "line": {"color": colour, "width": 4 if latest else 3 if prev else 1.5},
                "marker": {"size": 7 if latest or prev else 4, "color": colour},
                "connectgaps": False,
                "hovertemplate": f"%{{x}} {year}: %{{y:,.{dec}f}}<extra></extra>",
                "meta": {"territory_id": ids[0], "year": int(year)},
            })
        layout["xaxis"]["type"] = "category"
        layout["hovermode"] = "closest"
        title = f"{label} — {names[ids[0]]} · {t('trends.tf.samemonth', lang)}"
    else:
        mode = "lines" if eff == "M" else "lines+markers"
        for i, tid in enumerate(ids):
            rows = table[table["territory_id"] == tid]
            if rows.empty:
                continue
            is_ref = tid == country and tid not in terrs
            colour = REFERENCE_COLOUR if is_ref else CATEGORICAL[i % len(CATEGORICAL)]
            name = t("trends.reference", lang, name=names[tid]) if is_ref else names[tid]
            data.append({
                "type": "scatter", "mode": mode, "name": name, "x": _x(rows["period_start"]), "y": _y(rows["value"]),
                "customdata": [fmt_period(p, lang) for p in rows["period"]],
                "line": {"color": colour, "width": 2.5 if is_ref else 3.5, "dash": "dash" if is_ref else "solid"},
                "marker": {"size": 7, "color": colour},
                "connectgaps": False,
                "hovertemplate": f"%{{customdata}}: %{{y:,.{dec}f}}",
                "meta": {"territory_id": tid, "reference": is_ref},
            })
        layout["xaxis"]["type"] = "date"
        if len(valid):
            pad = pd.Timedelta(days=20 if eff == "M" else 45 if eff == "Q" else 120)
            layout["xaxis"]["range"] = _x([pd.Timestamp(table["period_start"].min()) - pad,
                                           pd.Timestamp(table["period_start"].max()) + pad])
        if value_tf != "yoy":
            layout["yaxis"]["rangemode"] = "tozero"
        if show_events and len(valid):
            label_rows = _add_events(layout, ds, terrs, valid["period_start"].min(), valid["period_start"].max(),
                                     lang)
            top = float(valid["value"].max())
            if label_rows and value_tf != "yoy" and top > 0:
                # headroom so the event labels sit above the lines instead of over them
                layout["yaxis"]["range"] = [0, top / (1 - 0.065 * label_rows - 0.03)]
    fig = frame({"data": data, "layout": layout}, title, src, lang, bottom_margin=100)
    _finish(fig, 110)
    notes = [t("trends.note.missing", lang)]
    if measure == "rate":
        notes += _rate_notes(ds, ind, sex, value_tf, lang)
    if show_events and not seasonal and not ds.events.empty:
        notes.append(t("trends.note.events", lang))
    csv = _main_csv(ds, table, ind, measure, eff, value_tf, lang, sex, y_title)
    latest = []
    if not seasonal and value_tf != "yoy" and not table.empty:
        latest = latest_vs_year_before(table[table["territory_id"].isin(terrs[:3])], eff)
    extra = {"freq": eff, "measure": measure, "tf": value_tf, "ids": ids, "latest": latest, "decimals": dec,
             "unit": y_title, "names": names, "sex": sex}
    return View(fig, src, csv, notices, notes, extra)


def latest_cards(view: View, lang: str) -> Any:
    """'How it looks today': the latest value of up to three selected territories and its change on the
    same period a year earlier."""
    items = view.extra.get("latest") or []
    if not items:
        return []
    dec = view.extra["decimals"]
    cards = []
    for i, it in enumerate(items):
        change = fmt_signed_percent(it.change_pct, lang)
        meta = t("trends.latest.meta", lang, period=fmt_period(it.period, lang), change=change,
                 previous=fmt_period(it.previous_period, lang), value=fmt_number(it.previous, lang, dec))
        cards.append(html.Div(
            [html.Div(fmt_number(it.value, lang, dec), className="key-figure", id=f"trends-latest-{i}"),
             html.Div(view.extra["names"][it.territory_id], className="key-figure-label"),
             html.Div(meta, className="key-figure-meta")],
            className="trends-kf", style={"borderLeftColor": CATEGORICAL[i % len(CATEGORICAL)]},
        ))
    return [html.Div(view.extra["unit"], className="control-label"), html.Div(cards, className="trends-kf-row")]


def _add_events(layout: dict[str, Any], ds: Dataset, terrs: list[str], first: Any, last: Any, lang: str) -> int:
    """Vertical lines and labels for the events of the selected territories within [first, last];
    returns the number of label rows used."""
    ev = events_for(ds, terrs)
    if ev.empty:
        return 0
    first, last = pd.Timestamp(first), pd.Timestamp(last) + pd.offsets.MonthEnd(1)
    ev = ev[(ev["date"] >= first) & (ev["date"] <= last)]
    shapes = layout.setdefault("shapes", [])
    annotations = layout.setdefault("annotations", [])
    span = (last - first).total_seconds() or 1.0
    # labels in rows: a label goes to the first row where it does not overlap the labels already there
    # (widths estimated for a ~1,200 px plot and 12 px text)
    px_per_char, plot_px = 6.8, 1200.0
    rows: list[list[tuple[float, float]]] = []
    for _, row in ev.iterrows():
        frac = (pd.Timestamp(row["date"]) - first).total_seconds() / span
        synthetic = bool(row["synthetic"]) if not pd.isna(row["synthetic"]) else False
        x = pd.Timestamp(row["date"]).strftime("%Y-%m-%d")
        text = _event_label(row, ds, lang, with_place=True)
        width = (len(text) * px_per_char + 8) / plot_px
        near_right = frac + width > 1.0
        lo, hi = (frac - width, frac) if near_right else (frac, frac + width)
        level = next((k for k, r in enumerate(rows) if all(hi < a or lo > b for a, b in r)), len(rows))
        if level == len(rows):
            rows.append([])
        rows[level].append((lo, hi))
        shapes.append({"type": "line", "xref": "x", "yref": "paper", "x0": x, "x1": x, "y0": 0, "y1": 1,
                       "line": {"color": "#6b3fa0" if not synthetic else "#8a8a8a", "width": 2,
                                "dash": "dot" if synthetic else "solid"}, "name": "event"})
        annotations.append({
            "name": "event", "x": x, "xref": "x", "yref": "paper", "y": 1 - 0.065 * level, "yanchor": "top",
            "xanchor": "right" if near_right else "left", "showarrow": False, "text": text,
            "font": {"size": 12, "color": "#3a2360" if not synthetic else "#555"},
            "bgcolor": "rgba(255,255,255,0.85)", "borderpad": 2,
        })
    return len(rows)


#: the denominator groups as CSV column suffixes (column names are English identifiers in both languages)
CSV_GROUP = {"total": "people", "female": "women", "male": "men", "female_10_19": "women_10_19"}


def rate_columns(ds: Dataset, ind: str, sex: str) -> tuple[str, str]:
    """(population column, rate column) of a CSV, naming the rate's denominator group:
    ('population_women', 'rate_per_100000_women') for a female series of homicides."""
    den = rate_denominator(ds, ind, sex)
    if den.base == "none":
        return "population", "rate"
    group = CSV_GROUP.get(den.base, den.base)
    return f"population_{group}", f"rate_per_{int(den.per)}_{group}"


def _main_csv(ds: Dataset, table: pd.DataFrame, ind: str, measure: str, freq: str, tf: str, lang: str,
              sex: str = "total", unit: str = "") -> pd.DataFrame:
    if table.empty:
        return pd.DataFrame(columns=["indicator_id", "sex", "territory_id", "territory", "period"])
    pop_col, rate_col = rate_columns(ds, ind, sex)
    out = pd.DataFrame({
        "indicator_id": ind,
        "sex": sex,
        "territory_id": table["territory_id"].astype(str),
        "territory": table["territory_id"].astype(str).map({x: territory_name(ds, x, lang) for x in set(table["territory_id"].astype(str))}),
        "period": table["period"].astype(str),
        "count": table["count"],
        pop_col: table["population"],
        "population_year": table["population_year"].astype("Int64"),
        rate_col: table["rate"],
        "measure": measure,
        "transformation": tf,
        "value": table["value"],
        "unit": unit,
    })
    return out


def csv_text(df: pd.DataFrame) -> str:
    """CSV with '.' decimals and empty cells for missing values (missing is not zero)."""
    return df.to_csv(index=False, na_rep="", float_format="%.6g")


# ---- before / after ----------------------------------------------------------------------------------------
def before_after_view(ds: Dataset, ind: str, event_id: str | None, n: int, measure: str, lang: str,
                      base_fn: Callable[..., pd.DataFrame] | None = None, sex: str | None = None) -> View:
    """Mean monthly value in the n months before and after an event, in the event's territory, for
    `sex` (a rate of women per 100,000 women)."""
    base_fn = base_fn or (lambda i, tid, sx=None: base_series(ds, i, tid, "M", sx))
    sex = valid_sex(ds, ind, sex)
    ev = ds.events
    if ev is None or ev.empty or event_id is None or int(event_id) not in ev.index:
        return empty_view(t("trends.ba.no_event", lang))
    row = ev.loc[int(event_id)]
    tid = str(row["territory_id"])
    inside = tid in ds.territories.index and (tid == ds.main_country or ds.ancestor(tid, 0) == ds.main_country)
    if not inside:
        return empty_view(t("trends.ba.outside", lang))
    if ds.indicator_freq(ind) != "M":
        return empty_view(t("trends.ba.needs_monthly", lang))
    if measure == "rate" and not has_rate_base(ds, ind):
        measure = "count"
    base = base_fn(ind, tid, sex)
    series = base.set_index("period_start")["rate" if measure == "rate" else "count"].astype(float)
    date = pd.Timestamp(row["date"])
    ba = before_after(series, date, n)
    ev_month = date.to_period("M").to_timestamp()
    lo = ev_month - pd.DateOffset(months=n + 6)
    hi = ev_month + pd.DateOffset(months=n + 6)
    window = series[(series.index >= lo) & (series.index <= hi)]
    name = territory_name(ds, tid, lang)
    ev_label = _event_label(row, ds, lang, with_place=False)
    unit = unit_label(ds, ind, measure, "M", "none", lang, sex)
    dec = _decimals(window, measure, "none") if measure == "rate" else 1
    # points at mid-month, windows shaded as whole calendar months: the event month stays unshaded
    b0, b1 = pd.Timestamp(ba.before_first + "-01"), pd.Timestamp(ba.before_last + "-01")
    a0, a1 = pd.Timestamp(ba.after_first + "-01"), pd.Timestamp(ba.after_last + "-01")
    month_end = pd.offsets.MonthBegin(1)
    mid = pd.Timedelta(days=14)
    layout = _base_layout(unit, lang, hovermode="closest")
    layout["xaxis"]["type"] = "date"
    layout["yaxis"]["rangemode"] = "tozero"
    layout["shapes"] = [
        {"type": "rect", "xref": "x", "yref": "paper", "x0": _x([b0])[0], "x1": _x([b1 + month_end])[0],
         "y0": 0, "y1": 1, "fillcolor": "rgba(0,114,178,0.10)", "line": {"width": 0}, "layer": "below"},
        {"type": "rect", "xref": "x", "yref": "paper", "x0": _x([a0])[0], "x1": _x([a1 + month_end])[0],
         "y0": 0, "y1": 1, "fillcolor": "rgba(230,159,0,0.14)", "line": {"width": 0}, "layer": "below"},
        {"type": "line", "xref": "x", "yref": "paper", "x0": _x([date])[0], "x1": _x([date])[0], "y0": 0, "y1": 1,
         "line": {"color": "#6b3fa0", "width": 2.5, "dash": "dot" if bool(row["synthetic"]) else "solid"}},
    ]
    # at the foot of the event line, inside the plot: above it the legend row would cover it
    layout["annotations"] = [{
        "x": _x([date])[0], "xref": "x", "yref": "paper", "y": 0.02, "yanchor": "bottom", "xanchor": "left",
        "xshift": 4, "showarrow": False, "text": t("trends.ba.event_month", lang),
        "font": {"size": 12, "color": "#3a2360"}, "bgcolor": "rgba(255,255,255,0.85)",
    }]
    data: list[dict[str, Any]] = [{
        "type": "scatter", "mode": "lines+markers", "name": t("trends.ba.monthly", lang),
        "x": _x(window.index + mid), "y": _y(window), "line": {"color": "#5a6b7b", "width": 2.5},
        "marker": {"size": 7}, "connectgaps": False,
        "customdata": [fmt_period(d.strftime("%Y-%m"), lang) for d in window.index],
        "hovertemplate": f"%{{customdata}}: %{{y:,.{dec}f}}<extra></extra>",
    }]
    for key, mean, x0, x1, colour in (("trends.ba.mean_before", ba.before_mean, b0, b1, CATEGORICAL[0]),
                                      ("trends.ba.mean_after", ba.after_mean, a0, a1, CATEGORICAL[1])):
        if not math.isnan(mean):
            data.append({"type": "scatter", "mode": "lines", "name": f"{t(key, lang)}: {fmt_number(mean, lang, dec)}",
                         "x": _x([x0, x1 + month_end]), "y": [mean, mean],
                         "line": {"color": colour, "width": 5}, "hoverinfo": "skip"})
    title = t("trends.ba.title", lang, event=f"{ev_label} — {name}")
    if sex != "total" and "total" in indicator_sexes(ds, ind):
        title += f" · {_titled(ds, ind, sex, lang)}"
    period = fmt_period_range(ba.before_first, ba.after_last, lang)
    src = source_line(_source_of(ds, ind, lang), period, lang, _synthetic(ds, ind))
    fig = frame({"data": data, "layout": layout}, title, src, lang, bottom_margin=100)
    _finish(fig, 100)
    win = []
    for d in window.index:
        win.append("before" if b0 <= d <= b1 else "after" if a0 <= d <= a1 else "event" if d == ev_month else "")
    csv = pd.DataFrame({
        "indicator_id": ind, "sex": sex, "territory_id": tid, "territory": name,
        "event_date": date.strftime("%Y-%m-%d"), "period": [d.strftime("%Y-%m") for d in window.index],
        "measure": measure, "value": window.to_numpy(), "unit": unit, "window": win,
    })
    notes = [t("trends.ba.excluded", lang, month=fmt_period(ba.event_period, lang), name=name)]
    no_pop = _no_population(ds, ind, sex, lang) if measure == "rate" else None
    if no_pop:
        notes.insert(0, no_pop)
    return View(fig, src, csv, [], notes, {"result": ba, "measure": measure, "unit": unit, "decimals": dec,
                                           "territory_id": tid})


def before_after_cards(view: View, lang: str) -> Any:
    """Three key figures: mean before, mean after, change in %."""
    ba = view.extra.get("result")
    if ba is None:
        return [html.P(n, className="text-muted") for n in view.notices]
    dec = view.extra["decimals"]

    def card(label: str, value: str, meta: str, id_: str, missing: int = 0) -> html.Div:
        return html.Div(
            [html.Div(value, className="key-figure", id=id_), html.Div(label, className="key-figure-label"),
             html.Div(meta if not missing else t("trends.ba.missing", lang, n=missing), className="key-figure-meta")],
            className="trends-kf",
        )

    before = card(t("trends.ba.before", lang), fmt_number(ba.before_mean, lang, dec),
                  t("trends.ba.window", lang, first=fmt_period(ba.before_first, lang),
                    last=fmt_period(ba.before_last, lang), n=ba.n), "trends-ba-before", ba.before_missing)
    after = card(t("trends.ba.after", lang), fmt_number(ba.after_mean, lang, dec),
                 t("trends.ba.window", lang, first=fmt_period(ba.after_first, lang),
                   last=fmt_period(ba.after_last, lang), n=ba.n), "trends-ba-after", ba.after_missing)
    change = card(t("trends.ba.change", lang), fmt_signed_percent(ba.change_pct, lang),
                  view.extra["unit"], "trends-ba-change")
    return html.Div([before, after, change], className="trends-kf-row")


# ---- cross-country ----------------------------------------------------------------------------------------
def countries_view(ds: Dataset, lang: str, indicator_id: str = "homicide_rate_official") -> View:
    """Official national rates by country, each point with its source; gaps stay gaps."""
    if indicator_id not in ds.indicators.index:
        return empty_view(t("trends.cc.none", lang, id=indicator_id))
    cc = cross_country(ds, indicator_id, lang)
    layout = _base_layout(t("trends.cc.yaxis", lang), lang, hovermode="closest")
    data = []
    for i, tid in enumerate(cc["territory_id"].unique()):
        rows = cc[cc["territory_id"] == tid]
        colour = CATEGORICAL[i % len(CATEGORICAL)]
        custom = [[territory_name(ds, tid, lang), s or ""] for s in rows["source_title"]]
        data.append({
            "type": "scatter", "mode": "lines+markers", "name": territory_name(ds, tid, lang),
            "x": [int(y) for y in rows["year"]], "y": _y(rows["value"]), "connectgaps": False,
            "customdata": custom, "line": {"color": colour, "width": 3.5}, "marker": {"size": 10, "color": colour},
            "hovertemplate": "<b>%{customdata[0]}</b> %{x}: %{y:,.1f}<br>" + t("figure.source", lang)
                             + ": %{customdata[1]}<extra></extra>",
            "meta": {"territory_id": tid},
        })
    layout["xaxis"].update({"type": "linear", "dtick": 1, "tickformat": "d"})
    layout["yaxis"]["rangemode"] = "tozero"
    valid = cc.dropna(subset=["value"])
    period = f"{int(valid['year'].min())}–{int(valid['year'].max())}" if len(valid) else ""
    src = source_line(t("trends.cc.source", lang), period, lang, _synthetic(ds, indicator_id))
    fig = frame({"data": data, "layout": layout}, t("trends.cc.title", lang), src, lang, bottom_margin=100)
    _finish(fig, 100)
    csv = cc.assign(name=[territory_name(ds, x, lang) for x in cc["territory_id"]])
    csv = csv.rename(columns={"source": "source_id"})[["territory_id", "name", "year", "value", "source_id",
                                                        "source_title"]]
    csv.insert(0, "indicator_id", indicator_id)
    return View(fig, src, csv, [], [t("trends.cc.gaps", lang)])


def countries_sources(ds: Dataset, view: View, lang: str) -> Any:
    """Per country, the years and title of each source cited."""
    if view.table.empty or "value" not in view.table.columns:
        return []
    tab = view.table.dropna(subset=["value"])
    if tab.empty:
        return []
    items = []
    for tid, rows in tab.groupby("territory_id", sort=True):
        parts = []
        for (sid, title), r in rows.groupby(["source_id", "source_title"], sort=False):
            years = ", ".join(str(int(y)) for y in r["year"])
            parts.append(f"{years}: {title}")
        items.append(html.Li([html.Strong(territory_name(ds, str(tid), lang) + ". "), " · ".join(parts)]))
    return [html.Strong(t("trends.cc.sources_head", lang)), html.Ul(items, className="mb-0")]


# ---- survey -------------------------------------------------------------------------------------------------
def institution_indicators(ds: Dataset) -> list[str]:
    """Survey indicators about trust in an institution (trust domain, higher is better)."""
    ind = ds.indicators
    return [i for i in survey_indicators(ds) if not bool(ind.at[i, "higher_is_worse"])]


def _rgba(hex_colour: str, alpha: float) -> str:
    h = hex_colour.lstrip("#")
    r, g, b = (int(h[i:i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r},{g},{b},{alpha})"


def survey_traces(frame_: pd.DataFrame, freq: str, name: str, colour: str, axis: str = "") -> list[dict[str, Any]]:
    """A CI band (one polygon per run of consecutive waves) and the estimates as points joined by a line
    that breaks where a wave is missing."""
    xs, ys = broken_line(list(frame_["period_start"]), list(frame_["value"]), freq)
    lower = frame_.set_index(pd.to_datetime(frame_["period_start"]))["lower"]
    upper = frame_.set_index(pd.to_datetime(frame_["period_start"]))["upper"]
    runs: list[list[pd.Timestamp]] = [[]]
    for x in xs:
        if x is None:
            runs.append([])
        else:
            runs[-1].append(x)
    bx: list[Any] = []
    by: list[Any] = []
    for run in runs:
        run = [x for x in run if not (pd.isna(lower.get(x)) or pd.isna(upper.get(x)))]
        if not run:
            continue
        px = list(run)
        if len(px) == 1:  # a lone wave: a narrow band so its interval still shows
            px = [px[0] - pd.Timedelta(days=12), px[0] + pd.Timedelta(days=12)]
            up = [float(upper[run[0]])] * 2
            lo = [float(lower[run[0]])] * 2
        else:
            up = [float(upper[x]) for x in run]
            lo = [float(lower[x]) for x in run]
        if bx:
            bx.append(None)
            by.append(None)
        bx += _x(px) + _x(px[::-1])
        by += up + lo[::-1]
    axes = {"xaxis": f"x{axis}", "yaxis": f"y{axis}"} if axis else {}
    band = {"type": "scatter", "mode": "lines", "x": bx, "y": by, "fill": "toself", "fillcolor": _rgba(colour, 0.18),
            "line": {"width": 0, "color": colour}, "hoverinfo": "skip", "showlegend": False, "legendgroup": name,
            "name": name, **axes}
    points = {"type": "scatter", "mode": "lines+markers", "name": name, "legendgroup": name,
              "x": [None if x is None else _x([x])[0] for x in xs], "y": ys, "connectgaps": False,
              "line": {"color": colour, "width": 3}, "marker": {"size": 8, "color": colour},
              "hovertemplate": f"<b>{name}</b> %{{x|%Y-%m}}: %{{y:.1f}} %<extra></extra>", **axes}
    return [band, points]


def survey_view(ds: Dataset, sv: str, st: str, by: str, lang: str) -> View:
    """Trust/perception estimates with confidence bands, by sex or by institution."""
    if sv not in survey_indicators(ds):
        return empty_view(t("trends.survey.none", lang))
    notices: list[str] = []
    if by == "institution" and sv not in institution_indicators(ds):
        by = "sex"
        notices.append(t("trends.survey.no_institution", lang))
    if by == "institution":
        series = [(i, "total", ds.label(i, lang)) for i in institution_indicators(ds)]
    elif by == "sex":
        series = [(sv, s, t(f"trends.sex.{s}", lang)) for s in ("female", "male")]
    else:
        series = [(sv, "total", t("trends.sex.total", lang))]
    freq = ds.indicator_freq(sv)
    data: list[dict[str, Any]] = []
    frames = []
    for k, (ind, sex, name) in enumerate(series):
        f = survey_series(ds, ind, st, (sex,))
        if f.empty:
            continue
        frames.append(f.assign(indicator_id=ind))
        data += survey_traces(f, freq, name, CATEGORICAL[k % len(CATEGORICAL)])
    place = territory_name(ds, st, lang)
    label = ds.label(sv, lang) if by != "institution" else t("trends.survey.trust_police", lang)
    title = t("trends.survey.title", lang, label=label, name=place)
    table = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    valid = table.dropna(subset=["value"]) if len(table) else table
    period = fmt_period_range(str(valid["period"].min()), str(valid["period"].max()), lang) if len(valid) else ""
    src = source_line(_source_of(ds, sv, lang) + f" ({t('trends.survey.band', lang)})", period, lang, _synthetic(ds, sv))
    layout = _base_layout(t("trends.survey.yaxis", lang), lang, hovermode="closest")
    layout["xaxis"]["type"] = "date"
    fig = frame({"data": data, "layout": layout}, title, src, lang, bottom_margin=100)
    _finish(fig, 100)
    csv = table
    if len(table):
        csv = table.assign(territory_id=st, territory=place)[
            ["indicator_id", "territory_id", "territory", "sex", "period", "value", "lower", "upper"]]
    desc = str(ds.indicator(sv).get("description_en" if lang == "en" else "description_es", "") or "")
    src_meta = ds.meta.source(str(ds.indicator(sv)["source"]))
    survey_note = f"{t('trends.survey.name', lang)}: {src_meta.title_for(lang)}"
    if src_meta.publisher:
        survey_note += f" ({src_meta.publisher_for(lang)})"
    survey_note += f". {desc} {t('trends.survey.gaps', lang)}"
    return View(fig, src, csv, notices, [survey_note], {"freq": freq, "by": by})


# ---- crime and trust side by side ---------------------------------------------------------------------------
def side_view(ds: Dataset, crime_ind: str, sv: str, st: str, lang: str, table_fn: TableFn | None = None,
              sex: str | None = None) -> View:
    """Two aligned panels sharing the x axis: the crime indicator for `sex` per quarter (rate where it
    has a population base: per 100,000 women for women) above, the survey estimate (total, with CI)
    below, same territory, common period."""
    if sv not in survey_indicators(ds):
        return empty_view(t("trends.survey.none", lang))
    table_fn = table_fn or default_table_fn(ds)
    sex = valid_sex(ds, crime_ind, sex)
    measure = "rate" if has_rate_base(ds, crime_ind) else "count"
    if measure == "rate" and _no_population(ds, crime_ind, sex, lang):
        return empty_view(str(_no_population(ds, crime_ind, sex, lang)))
    freq = effective_freq(ds, crime_ind, "Q")
    crime = table_fn(crime_ind, (st,), freq, measure, "none", sex)
    survey = survey_series(ds, sv, st, ("total",))
    cs = crime.set_index(pd.to_datetime(crime["period_start"]))["value"] if len(crime) else pd.Series(dtype=float)
    ss = survey.set_index(pd.to_datetime(survey["period_start"]))["value"] if len(survey) else pd.Series(dtype=float)
    rng = common_range(cs, ss)
    place = territory_name(ds, st, lang)
    crime_label = _titled(ds, crime_ind, sex, lang)
    title = t("trends.side.title", lang, crime=crime_label, survey=ds.label(sv, lang), name=place)
    notices = []
    if rng is None:
        return empty_view(t("trends.side.no_overlap", lang))
    lo, hi = rng
    crime = crime[(pd.to_datetime(crime["period_start"]) >= lo) & (pd.to_datetime(crime["period_start"]) <= hi)]
    survey = survey[(pd.to_datetime(survey["period_start"]) >= lo) & (pd.to_datetime(survey["period_start"]) <= hi)]
    unit = unit_label(ds, crime_ind, measure, freq, "none", lang, sex)
    dec = _decimals(crime["value"], measure, "none")
    data: list[dict[str, Any]] = [{
        "type": "scatter", "mode": "lines+markers", "name": crime_label, "x": _x(crime["period_start"]),
        "y": _y(crime["value"]), "connectgaps": False, "xaxis": "x", "yaxis": "y",
        "line": {"color": CATEGORICAL[5], "width": 3.5}, "marker": {"size": 7, "color": CATEGORICAL[5]},
        "customdata": [fmt_period(p, lang) for p in crime["period"]],
        "hovertemplate": f"%{{customdata}}: %{{y:,.{dec}f}}<extra></extra>",
    }]
    data += survey_traces(survey, ds.indicator_freq(sv), ds.label(sv, lang), CATEGORICAL[0], axis="2")
    # short axis titles: each panel's heading names the indicator and its full unit
    layout = _base_layout(t(f"trends.measure.{measure}", lang), lang, hovermode="x")
    layout["xaxis"].update({"type": "date", "anchor": "y", "matches": "x2", "showticklabels": False,
                            "domain": [0, 1]})
    layout["yaxis"].update({"domain": [0.56, 1.0], "rangemode": "tozero"})
    layout["xaxis2"] = {**_base_layout("", lang)["xaxis"], "type": "date", "anchor": "y2", "domain": [0, 1]}
    layout["yaxis2"] = {**_base_layout("%", lang)["yaxis"], "domain": [0, 0.44],
                        "anchor": "x2"}
    layout["annotations"] = [
        {"text": f"<b>{crime_label}</b> · {unit}", "xref": "paper", "yref": "paper", "x": 0, "y": 1.0,
         "xanchor": "left", "yanchor": "bottom", "showarrow": False, "font": {"size": 15}},
        {"text": f"<b>{ds.label(sv, lang)}</b> · %", "xref": "paper", "yref": "paper", "x": 0, "y": 0.44,
         "xanchor": "left", "yanchor": "bottom", "showarrow": False, "font": {"size": 15}},
    ]
    layout["showlegend"] = False
    period = fmt_period_range(str(crime["period"].min()), str(crime["period"].max()), lang)
    sources = f"{_source_of(ds, crime_ind, lang)}; {_source_of(ds, sv, lang)}"
    src = source_line(sources, period, lang, _synthetic(ds, crime_ind) or _synthetic(ds, sv))
    fig = frame({"data": data, "layout": layout}, title, src, lang, bottom_margin=110)
    _finish(fig, 90)
    crime_col = f"{crime_ind}_{rate_columns(ds, crime_ind, sex)[1]}" if measure == "rate" else f"{crime_ind}_count"
    if sex != "total":
        crime_col = f"{crime_ind}_{sex}_" + crime_col[len(crime_ind) + 1:]
    csv = pd.merge(
        pd.DataFrame({"period": crime["period"].astype(str), crime_col: crime["value"].to_numpy()}),
        pd.DataFrame({"period": survey["period"].astype(str), sv: survey["value"].to_numpy(),
                      f"{sv}_lower": survey["lower"].to_numpy(), f"{sv}_upper": survey["upper"].to_numpy()}),
        on="period", how="outer",
    ).sort_values("period")
    csv.insert(0, "territory_id", st)
    return View(fig, src, csv, notices, [], {"measure": measure, "freq": freq, "sex": sex, "unit": unit})


# ---- Dash wiring ---------------------------------------------------------------------------------------------
def _notice_box(notices: list[str]) -> Any:
    if not notices:
        return []
    from dash_bootstrap_components import Alert

    return Alert([html.Div(n) for n in notices], color="info", className="py-2 mb-2")


def register(app: Dash, ctx: Any) -> None:
    ds: Dataset = ctx.dataset

    def trends_level_rates(ind: str, level: int, freq: str, sex: str) -> pd.DataFrame:
        return level_rates(ds, ind, level, freq, sex)

    level_fn = ctx.memoize(trends_level_rates)  # a whole level once; any selection of its territories after

    def trends_table(ind: str, ids: tuple[str, ...], freq: str, measure: str, tf: str,
                     sex: str | None = None) -> pd.DataFrame:
        return trend_table(ds, ind, list(ids), freq, measure, tf, sex=sex, level_table=level_fn)

    def trends_base_monthly(ind: str, tid: str, sex: str | None = None) -> pd.DataFrame:
        return base_series(ds, ind, tid, "M", sex, level_table=level_fn)

    table_fn = ctx.memoize(trends_table)
    base_fn = ctx.memoize(trends_base_monthly)

    main_inputs = [Input("trends-indicator", "value"), Input("trends-territories", "value"),
                   Input("trends-measure", "value"), Input("trends-freq", "value"),
                   Input("trends-transform", "value"), Input("trends-events", "value"),
                   Input("trends-reference", "value"), Input("trends-sex", "value")]

    @app.callback(
        Output("trends-main-graph", "figure"),
        Output("trends-main-source", "children"),
        Output("trends-notice", "children"),
        Output("trends-method-note", "children"),
        Output("trends-latest", "children"),
        *main_inputs,
        State("trends-lang", "data"),
    )
    def update_main(ind, terrs, measure, freq, tf, events, ref, sex, lang):
        v = main_view(ds, ind, list(terrs or []), measure, freq, tf, bool(events), bool(ref), lang, table_fn, sex)
        return v.figure, v.source, _notice_box(v.notices), " ".join(v.notes), latest_cards(v, lang)

    @app.callback(
        Output("trends-territories", "value"),
        Input("trends-territories", "value"),
        prevent_initial_call=True,
    )
    def trim_territories(terrs):
        """At most 8 territories: a longer selection (e.g. 'select all') is cut to its first 8."""
        return list(terrs)[:MAX_TERRITORIES] if terrs and len(terrs) > MAX_TERRITORIES else no_update

    @app.callback(
        Output("trends-sex", "options"),
        Output("trends-sex", "value"),
        Input("trends-indicator", "value"),
        State("trends-sex", "value"),
        State("trends-lang", "data"),
        prevent_initial_call=True,
    )
    def update_sex(ind, sex, lang):
        """The sexes the indicator is observed for; the selection kept when it still exists."""
        new = valid_sex(ds, ind, sex)
        return sex_options(ds, ind, lang), (new if new != sex else no_update)

    @app.callback(
        Output("trends-transform", "options"),
        Output("trends-measure", "options"),
        Input("trends-freq", "value"),
        Input("trends-indicator", "value"),
        State("trends-lang", "data"),
    )
    def update_options(freq, ind, lang):
        eff = effective_freq(ds, ind, freq)
        allowed = allowed_transforms(eff)
        tfs = [{"label": t(f"trends.tf.{x}", lang), "value": x, "disabled": x not in allowed}
               for x in ("none", "roll12", "ma3", "ma12", "yoy", "samemonth")]
        no_rate = not has_rate_base(ds, ind)
        ms = [{"label": t(f"trends.measure.{m}", lang), "value": m, "disabled": m == "rate" and no_rate}
              for m in ("count", "rate")]
        return tfs, ms

    @app.callback(
        Output("trends-main-csv", "data"),
        Input("trends-main-csv-btn", "n_clicks"),
        *[State(i.component_id, i.component_property) for i in main_inputs],
        State("trends-lang", "data"),
        prevent_initial_call=True,
    )
    def download_main(_n, ind, terrs, measure, freq, tf, events, ref, sex, lang):
        v = main_view(ds, ind, list(terrs or []), measure, freq, tf, bool(events), bool(ref), lang, table_fn, sex)
        return dcc.send_string(csv_text(v.table), f"atalaya-trend-{ind}.csv", type="text/csv")

    ba_inputs = [Input("trends-indicator", "value"), Input("trends-event", "value"), Input("trends-n", "value"),
                 Input("trends-measure", "value"), Input("trends-sex", "value")]

    @app.callback(
        Output("trends-ba-graph", "figure"),
        Output("trends-ba-source", "children"),
        Output("trends-ba-figures", "children"),
        *ba_inputs,
        State("trends-lang", "data"),
    )
    def update_ba(ind, event_id, n, measure, sex, lang):
        v = before_after_view(ds, ind, event_id, int(n or 6), measure, lang, base_fn, sex)
        cards = before_after_cards(v, lang)
        if v.notes:
            cards = [cards, html.P(" ".join(v.notes), className="source-note")]
        return v.figure, v.source, cards

    @app.callback(
        Output("trends-ba-csv", "data"),
        Input("trends-ba-csv-btn", "n_clicks"),
        *[State(i.component_id, i.component_property) for i in ba_inputs],
        State("trends-lang", "data"),
        prevent_initial_call=True,
    )
    def download_ba(_n, ind, event_id, n, measure, sex, lang):
        v = before_after_view(ds, ind, event_id, int(n or 6), measure, lang, base_fn, sex)
        return dcc.send_string(csv_text(v.table), f"atalaya-before-after-{ind}.csv", type="text/csv")

    @app.callback(
        Output("trends-cc-graph", "figure"),
        Output("trends-cc-source", "children"),
        Output("trends-cc-sources", "children"),
        Input("trends-lang", "data"),
    )
    def update_cc(lang):
        v = countries_view(ds, lang)
        return v.figure, [v.source, html.Br(), " ".join(v.notes)], countries_sources(ds, v, lang)

    @app.callback(
        Output("trends-cc-csv", "data"),
        Input("trends-cc-csv-btn", "n_clicks"),
        State("trends-lang", "data"),
        prevent_initial_call=True,
    )
    def download_cc(_n, lang):
        return dcc.send_string(csv_text(countries_view(ds, lang).table), "atalaya-homicide-rates-countries.csv",
                               type="text/csv")

    survey_inputs = [Input("trends-survey", "value"), Input("trends-survey-territory", "value"),
                     Input("trends-by", "value")]

    @app.callback(
        Output("trends-trust-graph", "figure"),
        Output("trends-trust-source", "children"),
        Output("trends-survey-note", "children"),
        *survey_inputs,
        State("trends-lang", "data"),
    )
    def update_trust(sv, st, by, lang):
        v = survey_view(ds, sv, st, by, lang)
        note = " ".join(v.notices + v.notes)
        return v.figure, v.source, note

    @app.callback(
        Output("trends-trust-csv", "data"),
        Input("trends-trust-csv-btn", "n_clicks"),
        *[State(i.component_id, i.component_property) for i in survey_inputs],
        State("trends-lang", "data"),
        prevent_initial_call=True,
    )
    def download_trust(_n, sv, st, by, lang):
        v = survey_view(ds, sv, st, by, lang)
        return dcc.send_string(csv_text(v.table), f"atalaya-survey-{sv}.csv", type="text/csv")

    side_inputs = [Input("trends-indicator", "value"), Input("trends-survey", "value"),
                   Input("trends-survey-territory", "value"), Input("trends-sex", "value")]

    @app.callback(
        Output("trends-side-graph", "figure"),
        Output("trends-side-source", "children"),
        *side_inputs,
        State("trends-lang", "data"),
    )
    def update_side(ind, sv, st, sex, lang):
        v = side_view(ds, ind, sv, st, lang, table_fn, sex)
        return v.figure, v.source or " ".join(v.notices)

    @app.callback(
        Output("trends-side-csv", "data"),
        Input("trends-side-csv-btn", "n_clicks"),
        *[State(i.component_id, i.component_property) for i in side_inputs],
        State("trends-lang", "data"),
        prevent_initial_call=True,
    )
    def download_side(_n, ind, sv, st, sex, lang):
        v = side_view(ds, ind, sv, st, lang, table_fn, sex)
        return dcc.send_string(csv_text(v.table), f"atalaya-crime-and-trust-{st}.csv", type="text/csv")

    @app.callback(
        Output("url", "search", allow_duplicate=True),
        Input("trends-indicator", "value"), Input("trends-territories", "value"), Input("trends-measure", "value"),
        Input("trends-freq", "value"), Input("trends-transform", "value"), Input("trends-events", "value"),
        Input("trends-reference", "value"), Input("trends-event", "value"), Input("trends-n", "value"),
        Input("trends-survey", "value"), Input("trends-survey-territory", "value"), Input("trends-by", "value"),
        Input("trends-sex", "value"),
        State("url", "search"),
        prevent_initial_call=True,
    )
    def write_url(ind, terrs, measure, freq, tf, events, ref, ev, n, sv, st, by, sex, search):
        return url_search(ind, terrs, measure, freq, tf, events, ref, ev, n, sv, st, by, search, sex)


def url_search(ind, terrs, measure, freq, tf, events, ref, ev, n, sv, st, by, search, sex=None) -> str:
    """The page state as a query string (shell parameters kept; `sex` only when not the total)."""
    return encode_search({
        "ind": ind, "terr": list(terrs or [])[:MAX_TERRITORIES], "measure": measure, "freq": freq, "tf": tf,
        "events": "1" if events else "0", "ref": "1" if ref else "0", "ev": ev, "n": n, "sv": sv, "st": st,
        "by": by, "sex": sex if sex and sex != "total" else None,
    }, search)
