"""The profile page of a territory (municipality, department or country): layout, the formatted text
of its key figures (shared by the page and the PDF brief, so both say the same) and its figure dicts.

No data access here beyond what is passed in: the numbers come from analytics.profile.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import dash_bootstrap_components as dbc
import pandas as pd
from dash import dcc, html

from analytics.dataset import Dataset
from analytics.profile import KeyFigure, ancestors, indicator_rate_base, search_table
from components.exports import export_buttons
from components.figures import CATEGORICAL, frame, graph, source_line, source_note, wrap_html
from components.formatting import fmt_date, fmt_number, fmt_percent, fmt_period, fmt_signed_percent
from components.i18n import population_group, register, t, tl
from components.trends import COUNTRY_EN, territory_name

register(
    {
        "profile.title": ("Perfil territorial", "Territory profile"),
        "profile.search.label": ("Buscar {adm2}, {adm1} o país", "Find {un_adm2}, {adm1} or country"),
        "profile.search.placeholder": ("Escriba un nombre, con o sin tildes…", "Type a name, with or without accents…"),
        "profile.search.none": ("Ningún territorio coincide", "No territory matches"),
        "profile.indicator.label": ("Indicador de la tendencia", "Trend indicator"),
        "profile.level.0": ("País", "Country"),
        "profile.level.1": ("{Adm1}", "{Adm1}"),
        "profile.level.2": ("{Adm2}", "{Adm2}"),
        "profile.in_numbers": ("En cifras", "In numbers"),
        "profile.in_numbers.note": (
            "Último periodo con datos completos y cambio respecto del periodo anterior. "
            "Azul = mejora, naranja = empeora, según si un valor más alto es peor o mejor.",
            "Latest period with complete data and change from the previous period. "
            "Blue = better, orange = worse, depending on whether a higher value is worse or better.",
        ),
        "profile.better": ("mejora", "better"),
        "profile.worse": ("empeora", "worse"),
        "profile.same": ("sin cambio", "no change"),
        "profile.unclear": ("sin cambio claro (dentro del margen de error)", "no clear change (within the margin of error)"),
        "profile.no_previous": ("sin dato del periodo anterior", "no data for the previous period"),
        "profile.vs": ("vs {period}", "vs {period}"),
        "profile.points": ("{value} p. p.", "{value} pp"),
        "profile.cases": ("{n} casos", "{n} cases"),
        "profile.cases.1": ("1 caso", "1 case"),
        "profile.observed_at": ("Dato de {name} (no hay dato por {adm2})", "Figure for {name} (no data by {adm2})"),
        "profile.observed_at.country": ("Dato de {name}", "Figure for {name}"),
        "profile.unit.per": ("por {per} {base}", "per {per} {base}"),
        "profile.unit.percent": ("% de la población", "% of the population"),
        "profile.unit.percent_survey": ("% de personas encuestadas", "% of respondents"),
        "profile.synthetic_short": ("sintético", "synthetic"),
        "profile.trend": ("Tendencia: {indicator}", "Trend: {indicator}"),
        "profile.per_quarter": ("por trimestre", "per quarter"),
        "profile.unit.cases": ("casos", "cases"),
        "profile.no_rate": ("Sin tasa: no hay población de {base} en los datos", "No rate: the data have no population of {base}"),
        "profile.trend.gaps": ("los huecos son periodos con meses sin datos", "gaps are periods with months without data"),
        "profile.trend.aria": (
            "Gráfico de líneas: {indicator} en {name}, su {adm1} y el país, por periodo",
            "Line chart: {indicator} in {name}, its {adm1} and the country, by period",
        ),
        "profile.compare": ("Comparado con el país ({period}): veces la tasa nacional",
                            "Compared with the country ({period}): times the national rate"),
        "profile.compare.aria": (
            "Gráfico de barras: cada indicador de {name} dividido por el del país; 1 = igual al país",
            "Bar chart: each indicator of {name} divided by the country's; 1 = same as the country",
        ),
        "profile.compare.axis": ("veces el valor nacional (1 = igual que el país)", "times the national value (1 = same as the country)"),
        "profile.compare.children": ("{indicator} por {adm1} ({period})", "{indicator} by {adm1} ({period})"),
        "profile.compare.children.aria": (
            "Gráfico de barras: {indicator} en cada {adm1}",
            "Bar chart: {indicator} in each {adm1}",
        ),
        "profile.compare.country_line": ("país", "country"),
        "profile.table": ("Tabla de datos del perfil", "Profile data table"),
        "profile.col.indicator": ("Indicador", "Indicator"),
        "profile.col.unit": ("Unidad", "Unit"),
        "profile.col.period": ("Periodo", "Period"),
        "profile.col.value": ("Valor", "Value"),
        "profile.col.cases": ("Casos", "Cases"),
        "profile.col.previous_period": ("Periodo anterior", "Previous period"),
        "profile.col.previous": ("Valor anterior", "Previous value"),
        "profile.col.change": ("Cambio", "Change"),
        "profile.col.direction": ("Evolución", "Direction"),
        "profile.col.department": ("{Adm1}", "{Adm1}"),
        "profile.col.country": ("País", "Country"),
        "profile.col.observed_at": ("Dato de", "Figure for"),
        "profile.col.source": ("Fuente", "Source"),
        "profile.col.kind": ("Datos", "Data"),
        "profile.kind.synthetic": ("sintéticos", "synthetic"),
        "profile.kind.real": ("reales", "real"),
        "profile.events": ("Eventos", "Events"),
        "profile.events.none": ("No hay eventos registrados para este territorio.", "No events recorded for this territory."),
        "profile.events.scope.here": ("en este territorio", "in this territory"),
        "profile.events.scope.above": ("{name}", "{name}"),
        "profile.events.scope.within": ("en {name}", "in {name}"),
        "profile.events.fictitious": ("ficticio", "fictitious"),
        "profile.kind.intervention": ("intervención", "intervention"),
        "profile.kind.shock": ("choque", "shock"),
        "profile.kind.policy": ("política", "policy"),
        "profile.kind.other": ("otro", "other"),
        "profile.index": ("Índice de priorización VCMN", "VAWG prioritization index"),
        "profile.index.none": (
            "Este conjunto de datos no incluye el índice de priorización (index.json): no hay posición que mostrar.",
            "This dataset has no prioritization index (index.json): there is no position to show.",
        ),
        "profile.index.group": ("Grupo de prioridad", "Priority group"),
        "profile.index.score": ("Puntaje (0–100)", "Score (0–100)"),
        "profile.index.rank": ("Puesto", "Rank"),
        "profile.index.rank_of": ("de {n}", "of {n}"),
        "profile.index.interval": ("Intervalo 90 %: puestos {lo}–{hi}", "90% interval: ranks {lo}–{hi}"),
        "profile.index.share": ("En el grupo muy alto en {k} de {draws} simulaciones Monte Carlo",
                                "In the very-high group in {k} of {draws} Monte Carlo draws"),
        "profile.index.unscored": ("Sin puntaje: le faltan datos ({ind}) y la regla es excluir.",
                                   "No score: data are missing ({ind}) and the rule is to exclude."),
        "profile.index.contrib": ("Aporte de cada dimensión al puntaje (puntos)",
                                  "Contribution of each dimension to the score (points)"),
        "profile.index.dept_mean": ("Prom. {name}", "{name} avg."),
        "profile.index.country_mean": ("Prom. nacional", "National avg."),
        "profile.index.link": ("Ver en el índice", "See it in the index"),
        "profile.index.link_all": ("Abrir el índice", "Open the index"),
        "profile.index.distribution": ("{Adm2s} por grupo de prioridad", "{Adm2s} by priority group"),
        "profile.index.unscored_n": ("{n} sin puntaje (datos faltantes)", "{n} without a score (missing data)"),
        "profile.index.top": ("{Art_pl_adm2} {n} {adm2s} con mayor puntaje", "{Art_pl_adm2} {n} {adm2s} with the highest score"),
        "profile.index.col.rank": ("Puesto", "Rank"),
        "profile.index.col.name": ("{Adm2}", "{Adm2}"),
        "profile.index.col.score": ("Puntaje", "Score"),
        "profile.index.col.group": ("Grupo", "Group"),
        "profile.index.g1": ("muy alta", "very high"),
        "profile.index.g2": ("alta", "high"),
        "profile.index.g3": ("media", "medium"),
        "profile.index.g4": ("baja", "low"),
        "profile.index.g5": ("muy baja", "very low"),
        "profile.index.line": (
            "Índice VCMN: prioridad {group} — puntaje {score}, puesto {rank} de {n} (intervalo 90 %: {lo}–{hi})",
            "VAWG index: {group} priority — score {score}, rank {rank} of {n} (90% interval: {lo}–{hi})",
        ),
        "profile.index.line_unscored": ("Índice VCMN: sin puntaje (datos faltantes).",
                                        "VAWG index: no score (missing data)."),
        "profile.index.line_area": (
            "Índice VCMN: {k} de {n} {adm2s} en prioridad muy alta; mayor puntaje: {top} ({score}, puesto {rank}).",
            "VAWG index: {k} of {n} {adm2s} in very high priority; highest score: {top} ({score}, rank {rank}).",
        ),
        "profile.unknown": ("No existe el territorio «{tid}». Busque otro.", "There is no territory '{tid}'. Search for another."),
        "profile.synthetic_notice": (
            "Datos sintéticos de demostración: no son estadísticas oficiales.",
            "Synthetic demo data: not official statistics.",
        ),
        "profile.sources": ("Fuentes", "Sources"),
        # "en", not "de": "Estado de México" is the name of a state, and "Departamento de Guatemala" the name
        # of a department, so "Guanajuato — Estado de México" would say the wrong thing
        "profile.of": ("{level} en {parent}", "{level} in {parent}"),
        "profile.sparkline.aria": ("Tendencia de {indicator}, {first} a {last}", "Trend of {indicator}, {first} to {last}"),
    }
)

COLOUR = {"better": "#0B5394", "worse": "#B3400A", "same": "#4A5560", "unclear": "#4A5560", None: "#4A5560"}
BAR_WORSE, BAR_BETTER = "#D55E00", "#0072B2"  # Okabe–Ito vermillion / blue: safe for colour-blind readers
ROLE_STYLE = {
    "self": {"color": CATEGORICAL[0], "width": 4, "dash": "solid"},
    "department": {"color": CATEGORICAL[1], "width": 2.5, "dash": "solid"},
    "country": {"color": "#333333", "width": 2.5, "dash": "dash"},
}


# ---- text of a key figure (shared by the page and the PDF) ---------------------------------------
@dataclass(frozen=True)
class FigureText:
    indicator_id: str
    label: str
    value: str
    unit: str
    cases: str
    period: str
    change: str
    arrow: str
    direction: str | None
    direction_text: str
    note: str
    source: str
    synthetic: bool


def short_source(ds: Dataset, source_id: str, lang: str = "es") -> str:
    """The source's publisher (in `lang`), else its title cut to 60 characters."""
    s = ds.meta.source(source_id)
    title = s.title_for(lang)
    return s.publisher_for(lang) or (title if len(title) <= 60 else title[:57] + "…")


def unit_text(ds: Dataset, kf: KeyFigure, lang: str) -> str:
    if kf.measure == "count":
        return t("profile.unit.cases", lang)
    if kf.unit in ("count", "rate"):
        base = kf.rate_base  # the rate's own group: women for a female series of a 'total' indicator
        per = fmt_number(kf.rate_per, lang) if not math.isnan(kf.rate_per) else ""
        return t("profile.unit.per", lang, per=per, base=population_group(base, lang) if base != "none" else "")
    if kf.unit == "percent":
        survey = not math.isnan(kf.lower)
        return t("profile.unit.percent_survey" if survey else "profile.unit.percent", lang)
    return ""


def value_text(value: float, unit: str, lang: str) -> str:
    """How a value of this unit is printed everywhere (cards, table, PDF)."""
    if unit == "percent":
        return fmt_percent(value, lang, 1)
    if unit == "cases":
        return fmt_number(value, lang, 0)
    return fmt_number(value, lang, 1)


def change_text(kf: KeyFigure, lang: str) -> str:
    if kf.previous_period is None or math.isnan(kf.change):
        return t("profile.no_previous", lang)
    vs = t("profile.vs", lang, period=fmt_period(kf.previous_period, lang))
    if kf.unit == "percent":
        sign = "+" if kf.change > 0 else "−" if kf.change < 0 else ""
        pts = t("profile.points", lang, value=sign + fmt_number(abs(kf.change), lang, 1))
        return f"{pts} {vs}"
    if math.isnan(kf.change_pct):  # previous value 0: no relative change
        sign = "+" if kf.change > 0 else "−" if kf.change < 0 else ""
        return f"{sign}{fmt_number(abs(kf.change), lang, 1)} {vs}"
    return f"{fmt_signed_percent(kf.change_pct, lang, 1)} {vs}"


def figure_text(ds: Dataset, kf: KeyFigure, lang: str) -> FigureText:
    """Everything a key-figure card says, formatted for the language."""
    arrow = "▲" if kf.change > 0 else "▼" if kf.change < 0 else ("▶" if kf.change == 0 else "")
    if kf.measure == "count":
        cases = ""  # the value itself is the number of cases
    elif kf.count is not None and not math.isnan(kf.count):
        n = int(round(kf.count))
        cases = t("profile.cases.1", lang) if n == 1 else t("profile.cases", lang, n=fmt_number(n, lang))
    else:
        cases = ""
    note = ""
    if kf.measure == "count":
        note = t("profile.no_rate", lang, base=population_group(kf.rate_base, lang))
    if kf.from_ancestor:
        key = "profile.observed_at" if ds.level(kf.territory_id) == 2 else "profile.observed_at.country"
        note = tl(key, lang, ds, name=ds.name(kf.observed_at))
    src = short_source(ds, kf.source, lang)
    if kf.synthetic:
        src = f"{src} · {t('figure.synthetic', lang).upper()}"
    return FigureText(
        indicator_id=kf.indicator_id,
        label=ds.label(kf.indicator_id, lang),
        value=value_text(kf.value, "cases" if kf.measure == "count" else kf.unit, lang),
        unit=unit_text(ds, kf, lang),
        cases=cases,
        period=fmt_period(kf.period, lang),
        change=change_text(kf, lang),
        arrow=arrow,
        direction=kf.direction,
        direction_text=t(f"profile.{kf.direction}", lang) if kf.direction else "",
        note=note,
        source=src,
        synthetic=kf.synthetic,
    )


def display_name(ds: Dataset, tid: str, lang: str) -> str:
    """A territory's name; a country's in English on the English page when known ('México' -> 'Mexico')."""
    if lang == "en" and ds.level(tid) == 0:
        return COUNTRY_EN.get(str(ds.territories.at[tid, "country_iso3"]), ds.name(tid))
    return ds.name(tid)


def territory_title(ds: Dataset, tid: str, lang: str) -> tuple[str, str]:
    """(name, subtitle) e.g. ('Santa Lucía Milpas Altas', 'Municipio en Sacatepéquez, Guatemala')."""
    level = ds.level(tid)
    name = display_name(ds, tid, lang)
    chain = [display_name(ds, a, lang) for a in ancestors(ds, tid)]
    level_label = tl(f"profile.level.{level}", lang, ds)
    if not chain:
        return name, level_label
    return name, t("profile.of", lang, level=level_label, parent=", ".join(chain))


def subtitle_links(ds: Dataset, tid: str, lang: str) -> list[Any]:
    """The subtitle with each ancestor linked to its own profile: 'Municipio en [Sacatepéquez], [Guatemala]'."""
    level_label = tl(f"profile.level.{ds.level(tid)}", lang, ds)
    anc = ancestors(ds, tid)
    if not anc:
        return [level_label]
    qs = "&lang=en" if lang == "en" else ""
    links: list[Any] = []
    for i, a in enumerate(anc):
        if i:
            links.append(", ")
        links.append(dcc.Link(display_name(ds, a, lang), href=f"/profile?territory={a}{qs}", className="profile-parent-link",
                              id=f"profile-link-{a}"))
    text = t("profile.of", lang, level=level_label, parent="\0")
    before, _, after = text.partition("\0")
    return [before, *links, after]


# ---- search options ---------------------------------------------------------------------------
def search_options(ds: Dataset, lang: str) -> list[dict[str, str]]:
    """Dropdown options: label 'Name — Department' (municipalities) or 'Name (level)', value the id and
    `search` the accent-folded text so that 'sacatepequez' finds 'Sacatepéquez'."""
    out = []
    for row in search_table(ds).itertuples(index=False):
        if row.level == 2:
            label = f"{row.name} — {row.parent_name}"
        else:
            label = f"{row.name} ({tl(f'profile.level.{row.level}', lang, ds).lower()})"
        out.append({"label": label, "value": row.territory_id, "search": row.search})
    return out


# ---- figures ------------------------------------------------------------------------------------
def sparkline(series: pd.DataFrame, label: str, lang: str) -> dict[str, Any]:
    """A small line of a series (no axes): the shape of the trend next to the number."""
    s = series[series["value"].notna()]
    x = [str(p) for p in s["period_start"].dt.strftime("%Y-%m-%d")] if len(s) else []
    return {
        "data": [{"type": "scatter", "mode": "lines", "x": x, "y": [float(v) for v in s["value"]],
                  "line": {"color": CATEGORICAL[0], "width": 2}, "hoverinfo": "skip", "name": label}],
        "layout": {"margin": {"l": 2, "r": 2, "t": 4, "b": 4}, "height": 56, "showlegend": False,
                   "xaxis": {"visible": False}, "yaxis": {"visible": False, "rangemode": "tozero"},
                   "paper_bgcolor": "rgba(0,0,0,0)", "plot_bgcolor": "rgba(0,0,0,0)"},
    }


def trend_figure(ds: Dataset, comp: pd.DataFrame, indicator_id: str, tid: str, events: pd.DataFrame,
                 lang: str) -> tuple[dict[str, Any], str]:
    """Lines of an indicator for the territory, its department and its country, with the events that
    concern the territory as vertical markers. Returns (figure, source line)."""
    meta = ds.indicator(indicator_id)
    label = ds.label(indicator_id, lang)
    data = []
    for role in ("country", "department", "self"):
        part = comp[comp["role"] == role]
        if part.empty:
            continue
        # "Guatemala (depto.)", "Guatemala (mun.)": the country, a department and a municipality may share a name
        name = territory_name(ds, str(part["territory_id"].iloc[0]), lang)
        st = ROLE_STYLE[role]
        data.append({
            "type": "scatter", "mode": "lines+markers", "name": name,
            "x": [d.strftime("%Y-%m-%d") for d in part["period_start"]],
            "y": [None if pd.isna(v) else float(v) for v in part["value"]],
            "line": {"color": st["color"], "width": st["width"], "dash": st["dash"]},
            "marker": {"size": 5 if role != "self" else 7},
            "connectgaps": False,
            "hovertemplate": "%{y:,.1f}<extra>" + name + "</extra>",
        })
    unit = _axis_unit(ds, indicator_id, lang)
    if "measure" in comp and len(comp) and (comp["measure"] == "count").all():
        unit = t("profile.unit.cases", lang)
    periods = comp["period"].dropna().astype(str)
    quarterly = bool(len(periods)) and periods.str.contains("-Q").all()
    yearly = bool(len(periods)) and (periods.str.len() == 4).all()
    if quarterly and meta["unit"] == "count" and unit:
        unit = f"{unit}, {t('profile.per_quarter', lang)}"
    shapes, annotations = [], []
    if not comp.empty:
        lo, hi = comp["period_start"].min(), comp["period_start"].max()
        for ev in events.itertuples(index=False):
            if lo <= ev.date <= hi + pd.DateOffset(years=1):
                x = ev.date.strftime("%Y-%m-%d")
                shapes.append({"type": "line", "xref": "x", "yref": "paper", "x0": x, "x1": x, "y0": 0, "y1": 1,
                               "line": {"color": "#6b6b6b", "width": 1, "dash": "dot"}})
                annotations.append({"x": x, "xref": "x", "y": 1, "yref": "paper", "yanchor": "bottom",
                                    "text": ev.label_en if lang == "en" else ev.label_es, "showarrow": False,
                                    "font": {"size": 11, "color": "#333"}, "xanchor": "left"})
    xrange = None
    if not comp.empty:
        xrange = [(comp["period_start"].min() - pd.DateOffset(months=3)).strftime("%Y-%m-%d"),
                  (comp["period_start"].max() + pd.DateOffset(months=6)).strftime("%Y-%m-%d")]
    ticks: dict[str, Any] = {"dtick": "M12", "tickformat": "%Y"} if yearly else {}
    if quarterly:  # quarters named as quarters ("T1 2024"), not by the month they start in
        q = comp.dropna(subset=["period"]).drop_duplicates("period").sort_values("period_start")
        step = max(1, math.ceil(len(q) / 8))
        q = q.iloc[::step]
        ticks = {"tickmode": "array", "tickvals": [d.strftime("%Y-%m-%d") for d in q["period_start"]],
                 "ticktext": [fmt_period(str(p), lang) for p in q["period"]]}
    fig = {
        "data": data,
        "layout": {
            "xaxis": {"title": {"text": ""}, "showgrid": False, **({"range": xrange} if xrange else {}), **ticks},
            "yaxis": {"title": {"text": unit}, "rangemode": "tozero", "gridcolor": "#e5e5e5"},
            "legend": {"orientation": "h", "y": -0.12, "x": 0},
            "hovermode": "x unified",
            "shapes": shapes,
            "annotations": annotations,
            "margin": {"t": 70, "b": 110},
        },
    }
    period = f"{fmt_period(periods.min(), lang)} – {fmt_period(periods.max(), lang)}" if len(periods) else ""
    src = source_line(short_source(ds, str(meta["source"]), lang), period, lang, bool(meta["synthetic"]))
    if comp["value"].isna().any():
        src += " · " + t("profile.trend.gaps", lang)
    return frame(fig, t("profile.trend", lang, indicator=label), src, lang, bottom_margin=110), src


def _axis_unit(ds: Dataset, indicator_id: str, lang: str) -> str:
    meta = ds.indicator(indicator_id)
    if meta["unit"] == "percent":
        return "%"
    base = indicator_rate_base(ds, indicator_id)
    if base == "none":
        return ""
    return t("profile.unit.per", lang, per=fmt_number(float(meta["rate_per"]), lang),
             base=population_group(base, lang))


def compare_figure(ds: Dataset, comp: pd.DataFrame, tid: str, lang: str) -> tuple[dict[str, Any], str]:
    """Horizontal bars: each indicator of the territory divided by the country's value in the same
    period (1 = same as the country); orange when that is worse than the country, blue when better."""
    c = comp[comp["ratio_country"].notna()].iloc[::-1]
    labels = [_wrap(ds.label(i, lang)) for i in c["indicator_id"]]
    ratios = [float(r) for r in c["ratio_country"]]
    worse = [(r > 1) == bool(h) if r != 1 else False for r, h in zip(ratios, c["higher_is_worse"])]
    colours = [BAR_WORSE if w else BAR_BETTER for w in worse]
    text = [fmt_number(r, lang, 2) + "×" for r in ratios]
    fig = {
        "data": [{"type": "bar", "orientation": "h", "y": labels, "x": ratios, "marker": {"color": colours},
                  "text": text, "textposition": "outside", "cliponaxis": False,
                  "hovertemplate": "%{y}: %{x:.2f}×<extra></extra>"}],
        "layout": {
            "xaxis": {"title": {"text": t("profile.compare.axis", lang)}, "rangemode": "tozero",
                      "range": [0, max(ratios + [1.0]) * 1.2], "gridcolor": "#e5e5e5"},
            "yaxis": {"automargin": True},
            "shapes": [{"type": "line", "xref": "x", "yref": "paper", "x0": 1, "x1": 1, "y0": 0, "y1": 1,
                        "line": {"color": "#111", "width": 2, "dash": "dash"}}],
            "annotations": [{"x": 1, "xref": "x", "y": 1, "yref": "paper", "yanchor": "bottom", "showarrow": False,
                             "text": t("profile.compare.country_line", lang), "font": {"size": 12}}],
            "showlegend": False,
            "margin": {"l": 10, "t": 70},
        },
    }
    period = fmt_period(str(c["period"].iloc[0]), lang) if len(c) else ""
    synthetic = any(bool(ds.indicator(i)["synthetic"]) for i in c["indicator_id"])
    sources = sorted({short_source(ds, str(ds.indicator(i)["source"]), lang) for i in c["indicator_id"]})
    src = source_line(", ".join(sources), period, lang, synthetic)
    return frame(fig, t("profile.compare", lang, period=period), src, lang), src


def _wrap(text: str, width: int = 24) -> str:
    """Break a long axis label into lines (plotly does not wrap tick labels)."""
    return wrap_html(text, width)


def children_figure(ds: Dataset, table: pd.DataFrame, indicator_id: str, country_value: float, lang: str
                    ) -> tuple[dict[str, Any], str]:
    """Bars of an indicator for each department of a country (a country profile's comparison)."""
    meta = ds.indicator(indicator_id)
    s = table.sort_values("value")
    names = [ds.name(i) for i in s["territory_id"]]
    vals = [None if pd.isna(v) else float(v) for v in s["value"]]
    hiw = bool(meta["higher_is_worse"])
    colours = [BAR_WORSE if (v is not None and (v > country_value) == hiw) else BAR_BETTER for v in vals]
    fig = {
        "data": [{"type": "bar", "orientation": "h", "y": names, "x": vals, "marker": {"color": colours},
                  "hovertemplate": "%{y}: %{x:,.1f}<extra></extra>"}],
        "layout": {
            "xaxis": {"title": {"text": _axis_unit(ds, indicator_id, lang)}, "gridcolor": "#e5e5e5"},
            "yaxis": {"automargin": True, "tickfont": {"size": 11}},
            "shapes": [{"type": "line", "xref": "x", "yref": "paper", "x0": country_value, "x1": country_value,
                        "y0": 0, "y1": 1, "line": {"color": "#111", "width": 2, "dash": "dash"}}],
            "annotations": [{"x": country_value, "xref": "x", "y": 1, "yref": "paper", "yanchor": "bottom",
                             "showarrow": False, "text": t("profile.compare.country_line", lang), "font": {"size": 12}}],
            "showlegend": False, "margin": {"l": 10, "t": 70},
        },
    }
    period = fmt_period(str(s["period"].iloc[0]), lang) if len(s) else ""
    src = source_line(short_source(ds, str(meta["source"]), lang), period, lang, bool(meta["synthetic"]))
    title = tl("profile.compare.children", lang, ds, indicator=ds.label(indicator_id, lang), period=period)
    return frame(fig, title, src, lang), src


# ---- page pieces ----------------------------------------------------------------------------------
def card(ds: Dataset, ft: FigureText, spark: dict[str, Any], first: str, last: str, lang: str) -> html.Div:
    """One 'in numbers' card: big number, short label, unit, period, change, source, sparkline."""
    colour = COLOUR.get(ft.direction, COLOUR[None])
    change = html.P(
        [html.Span(ft.arrow + " " if ft.arrow else "", **{"aria-hidden": "true"}), ft.change,
         html.Span(f" · {ft.direction_text}" if ft.direction_text else "", className="kf-direction")],
        className=f"kf-change kf-{ft.direction or 'none'}", style={"color": colour},
    )
    return html.Div(
        html.Div(
            [
                html.H3(ft.label, className="kf-label"),
                html.P([html.Span(ft.value, className="key-figure"), " ",
                        html.Span(ft.unit, className="kf-unit")], className="kf-value mb-1"),
                html.P([ft.period, (" · " + ft.cases) if ft.cases else ""], className="kf-period mb-1"),
                change,
                html.P(ft.note, className="kf-note mb-1") if ft.note else None,
                html.Div(
                    dcc.Graph(figure=spark, config={"staticPlot": True, "displayModeBar": False},
                              style={"height": "56px"}, className="kf-spark"),
                    role="img",
                    **{"aria-label": t("profile.sparkline.aria", lang, indicator=ft.label, first=first, last=last)},
                ),
                html.P(ft.source, className="kf-source mb-0"),
            ],
            className="kf-card h-100",
            **{"data-indicator": ft.indicator_id},
        ),
        className="col-12 col-sm-6 col-lg-4 col-xxl-3 mb-3",
    )


def events_list(ds: Dataset, events: pd.DataFrame, tid: str, lang: str) -> Any:
    if events.empty:
        return html.P(t("profile.events.none", lang), className="text-muted")
    items = []
    for ev in events.itertuples(index=False):
        scope = ev.scope
        name = ds.name(ev.territory_id) if ev.territory_id in ds.territories.index else ev.territory_id
        where = t(f"profile.events.scope.{scope}", lang, name=name)
        label = ev.label_en if lang == "en" else ev.label_es
        kind = t(f"profile.kind.{ev.kind}", lang) if f"{ev.kind}" in ("intervention", "shock", "policy", "other") else ev.kind
        fict = bool(getattr(ev, "synthetic", False)) and t("profile.events.fictitious", lang) not in label.lower()
        items.append(html.Li([
            html.Strong(fmt_date(ev.date.date(), lang)), " — ", label, " ",
            html.Span(kind, className="badge text-bg-light border ms-1"),
            html.Span(t("profile.events.fictitious", lang), className="badge text-bg-warning ms-1") if fict else None,
            html.Span(f" ({where})", className="text-muted"),
        ], className="mb-1"))
    return html.Ul(items, className="profile-events list-unstyled")


def data_table(df: pd.DataFrame) -> dbc.Table:
    """The profile table as shown (strings already formatted)."""
    return dbc.Table(
        [html.Thead(html.Tr([html.Th(c, scope="col") for c in df.columns])),
         html.Tbody([html.Tr([html.Td(v) for v in row]) for row in df.itertuples(index=False)])],
        bordered=False, hover=True, size="sm", responsive=True, className="profile-table",
    )


def layout(ctx: Any, params: dict[str, str], lang: str) -> Any:
    """The page frame; the callback fills it for the territory in the URL (default: the country)."""
    ds = ctx.dataset
    tid = params.get("territory") or ds.main_country
    options = search_options(ds, lang)
    count_inds = [i for i in ds.indicators.index if ds.indicator(i)["unit"] in ("count", "percent")]
    indicator = params.get("indicator") if params.get("indicator") in count_inds else (
        "homicides" if "homicides" in count_inds else (count_inds[0] if count_inds else None))
    controls = html.Div(
        dbc.Row(
            [
                dbc.Col([
                    html.Label(tl("profile.search.label", lang, ds), htmlFor="profile-search", className="control-label",
                               id="profile-search-label"),
                    dcc.Dropdown(id="profile-search", options=options, value=tid, clearable=False, searchable=True,
                                 placeholder=t("profile.search.placeholder", lang), maxHeight=320, search_order="original",
                                 labels={"search": t("profile.search.placeholder", lang),
                                         "no_options_found": t("profile.search.none", lang)},
                                 className="profile-search"),
                ], md=5),
                dbc.Col([
                    html.Label(t("profile.indicator.label", lang), htmlFor="profile-indicator", className="control-label",
                               id="profile-indicator-label"),
                    dcc.Dropdown(id="profile-indicator",
                                 options=[{"label": ds.label(i, lang), "value": i} for i in count_inds],
                                 value=indicator, clearable=False, searchable=False),
                ], md=3),
                dbc.Col(export_buttons("profile", lang, ("pdf", "png", "csv", "xlsx")), md=4,
                        className="d-flex align-items-end mt-2 mt-md-0"),
            ],
            className="g-3",
        ),
        className="controls-panel mb-3",
    )
    return dbc.Container(
        [
            dcc.Store(id="profile-lang", data=lang),
            html.H1(display_name(ds, tid, lang) if tid in ds.territories.index else t("profile.title", lang),
                    id="profile-title"),
            html.P(id="profile-subtitle", className="lead profile-subtitle"),
            controls,
            dcc.Loading(html.Div(id="profile-body", className="profile-body"), type="default", delay_show=400),
        ],
        fluid=True,
        className="py-3 profile-page",
    )


def index_contrib_figure(comp: Any, dimensions: list[tuple[str, str]], labels: list[str], colours: list[str],
                         source: str, lang: str) -> dict[str, Any]:
    """Stacked horizontal bars: each dimension's points of the index score (analytics.vawg_index.
    contribution_comparison rows municipality, department, country) for the municipality (top bar), its
    department's average and the national average; the total at the end of each bar.
    dimensions: (id, label) in configuration order."""
    ys = list(reversed(labels))
    rows = list(reversed(list(comp.index)))
    data = []
    for i, (did, dlabel) in enumerate(dimensions):
        vals = [None if comp.at[r, did] != comp.at[r, did] else round(float(comp.at[r, did]), 2) for r in rows]
        data.append({
            "type": "bar", "orientation": "h", "name": dlabel, "y": ys, "x": vals,
            "marker": {"color": colours[i % len(colours)]},
            "text": [fmt_number(v, lang, 1) if v is not None and v >= 5 else "" for v in vals],
            "textposition": "inside", "insidetextanchor": "middle", "textangle": 0,
            "hovertemplate": "%{y}<br>" + dlabel + ": %{x:.1f}<extra></extra>",
        })
    totals = comp.loc[rows].sum(axis=1, min_count=1)
    annotations = [{"y": y, "x": float(v), "text": f"<b>{fmt_number(float(v), lang, 1)}</b>", "showarrow": False,
                    "xanchor": "left", "xshift": 4, "font": {"size": 14}}
                   for y, v in zip(ys, totals) if v == v]
    fig = {
        "data": data,
        "layout": {
            "barmode": "stack", "bargap": 0.3,
            "xaxis": {"range": [0, 100], "gridcolor": "#eee", "fixedrange": True},
            "yaxis": {"fixedrange": True, "automargin": True},
            "legend": {"orientation": "h", "x": 0, "xanchor": "left", "y": -0.12, "yanchor": "top",
                       "traceorder": "normal"},
            "margin": {"l": 10, "r": 20, "t": 48},
            "annotations": annotations, "hovermode": "closest",
        },
    }
    fig = frame(fig, t("profile.index.contrib", lang), source, lang, bottom_margin=160)
    for a in fig["layout"]["annotations"]:
        if a.get("name") == "source":  # below the axis and the legend, room for a wrapped 3-line source
            a["yshift"] = -84
    return fig
