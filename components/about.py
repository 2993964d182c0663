"""About the data: what the loaded dataset is, what is synthetic, every source and licence."""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
from dash import html

from components.i18n import register, t

register(
    {
        "about.title": ("Datos y fuentes", "About the data"),
        "about.dataset": ("Conjunto de datos", "Dataset"),
        "about.version": ("Versión", "Version"),
        "about.contract": ("Contrato de datos", "Data contract"),
        "about.synthetic": ("Qué es sintético", "What is synthetic"),
        "about.real": ("Todos los datos son reales (no sintéticos).", "All data are real (not synthetic)."),
        "about.sources": ("Fuentes", "Sources"),
        "about.licenses": ("Licencias", "Licences"),
        "about.indicators": ("Indicadores", "Indicators"),
        "about.col.indicator": ("Indicador", "Indicator"),
        "about.col.domain": ("Dominio", "Domain"),
        "about.col.unit": ("Unidad", "Unit"),
        "about.col.source": ("Fuente", "Source"),
        "about.col.kind": ("Tipo", "Kind"),
        "about.kind.synthetic": ("sintético", "synthetic"),
        "about.kind.real": ("real", "real"),
        "about.domain.crime": ("delitos", "crime"),
        "about.domain.vawg": ("violencia contra las mujeres", "violence against women"),
        "about.domain.trust": ("confianza y percepción", "trust and perception"),
        "about.domain.risk": ("factores de riesgo", "risk factors"),
        "about.domain.context": ("contexto", "context"),
        "about.unit.count": ("casos", "count"),
        "about.unit.rate": ("tasa", "rate"),
        "about.unit.percent": ("porcentaje", "percent"),
        "about.unit.index": ("índice", "index"),
        "about.unit.usd": ("dólares (US$)", "US dollars"),
        "about.software": (
            "Atalaya funciona sin conexión: Bootstrap 5.3 (MIT), Plotly, Dash y los límites se sirven desde este servidor.",
            "Atalaya works offline: Bootstrap 5.3 (MIT), Plotly, Dash and the boundaries are served by this server.",
        ),
    }
)


def _word(kind: str, value: str, lang: str) -> str:
    """A contract code (domain 'crime', unit 'count') in the page language; unknown codes as they are."""
    try:
        return t(f"about.{kind}.{value}", lang)
    except KeyError:
        return value


def layout(ctx: Any, params: dict[str, str], lang: str) -> Any:
    ds = ctx.dataset
    meta = ds.meta
    title = meta.title_for(lang)
    note = meta.synthetic_note_en if lang == "en" else meta.synthetic_note_es
    sources = [
        html.Li([html.Strong(s.title_for(lang)), f" — {s.publisher_for(lang)}" if s.publisher else "",
                 f" ({s.year})" if s.year else "",
                 html.Br() if s.path else "", html.Span(s.path, className="text-muted small") if s.path else ""],
                id=f"source-{s.id}")
        for s in meta.sources
    ]
    licenses = [html.Li([html.Strong(lic.get("name", "")), " — ", meta.license_title(lic, lang),
                         html.Span(f" {lic.get('path', '')}", className="text-muted small")])
                for lic in meta.licenses]
    ind = ds.indicators
    rows = [
        html.Tr([
            html.Td(ds.label(iid, lang)),
            html.Td(_word("domain", str(ind.at[iid, "domain"]), lang)),
            html.Td(_word("unit", str(ind.at[iid, "unit"]), lang)),
            html.Td(meta.source(str(ind.at[iid, "source"])).title_for(lang)),
            html.Td(t("about.kind.synthetic" if bool(ind.at[iid, "synthetic"]) else "about.kind.real", lang)),
        ])
        for iid in ind.index
    ]
    table = dbc.Table(
        [html.Thead(html.Tr([html.Th(t(f"about.col.{c}", lang)) for c in ("indicator", "domain", "unit", "source", "kind")])),
         html.Tbody(rows)],
        bordered=False, hover=True, size="sm", className="about-indicators",
    )
    return dbc.Container(
        [
            html.H1(t("about.title", lang)),
            html.H2(t("about.dataset", lang), className="h4 mt-4"),
            html.P([html.Strong(title), html.Br(),
                    f"{t('about.version', lang)}: {meta.version or '—'} · {t('about.contract', lang)}: {meta.contract_version}"],
                   id="about-dataset"),
            html.H2(t("about.synthetic", lang), className="h4 mt-4"),
            html.P(note if meta.synthetic else t("about.real", lang), id="about-synthetic-note"),
            html.H2(t("about.sources", lang), className="h4 mt-4"),
            html.Ul(sources, id="about-sources"),
            html.H2(t("about.licenses", lang), className="h4 mt-4"),
            html.Ul(licenses, id="about-licenses"),
            html.H2(t("about.indicators", lang), className="h4 mt-4"),
            table,
            html.P(t("about.software", lang), className="text-muted small mt-4"),
        ],
        className="py-4",
    )
